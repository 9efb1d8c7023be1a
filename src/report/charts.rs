//! PNG charts for write-ups (`--charts DIR`): one chart per metric (`<id>.png`), a summary
//! of every gated metric's regression against its budget (`summary.png`), and an overview
//! grid of the key metrics (`overview.png`).
//!
//! Text uses the embedded DejaVu Sans (license in `fonts/DejaVu-LICENSE.txt`), so charts
//! render on machines without system fonts. Colours are the Okabe–Ito palette, which stays
//! distinguishable for colour-blind readers.

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift as AreaShift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::text::{self, verdict_label};
use super::{MetricReport, Report};
use crate::compare::{SideResult, Verdict};
use crate::error::{Error, Result};
use crate::pack::{Better, Kind, Metric};
use crate::units;

pub const BASELINE: RGBColor = RGBColor(0, 114, 178); // blue
pub const CANDIDATE: RGBColor = RGBColor(230, 159, 0); // orange
const PASS: RGBColor = RGBColor(0, 158, 115); // bluish green
const FAIL: RGBColor = RGBColor(213, 94, 0); // vermillion
const INCONCLUSIVE: RGBColor = RGBColor(204, 121, 167); // reddish purple
const NO_DATA: RGBColor = RGBColor(150, 150, 150);
const GRID: RGBColor = RGBColor(225, 225, 225);
const SHADE: RGBColor = RGBColor(238, 238, 238);
const INK: RGBColor = RGBColor(40, 40, 40);

const FONT: &str = "sans-serif";

/// The metrics of the overview grid, in order, when the pack has them.
pub const OVERVIEW: [&str; 6] = [
    "throughput",
    "latency_p99",
    "backpressure",
    "restarts",
    "rejections",
    "worker_memory",
];

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The embedded font is valid; if registering failed, text would be missing, not wrong.
        // (Ask for bold with `(FONT, size, FontStyle::Bold).into_font()`: plotters'
        // `FontDesc::style` keeps the regular glyphs.)
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

fn verdict_color(v: Option<Verdict>) -> RGBColor {
    match v {
        Some(Verdict::Pass) => PASS,
        Some(Verdict::Fail) => FAIL,
        Some(Verdict::Inconclusive) => INCONCLUSIVE,
        Some(Verdict::NoData) | None => NO_DATA,
    }
}

/// A plotters error as text (its errors only implement `Debug` usefully).
/// A plotters error in one readable line. Its bitmap errors only render as debug dumps
/// (`BackendError(DrawingError(ImageError(IoError(Os { ... message: "Is a directory" }))))`):
/// the operating system's message is what a user needs.
fn describe<E: std::fmt::Debug>(e: E) -> String {
    let debug = format!("{e:?}");
    if let Some(start) = debug.find("message: \"") {
        let rest = &debug[start + 10..];
        if let Some(end) = rest.find('"') {
            return rest[..end].to_string();
        }
    }
    match debug.find('(') {
        Some(i) if debug.len() > 120 => debug[..i].to_string(),
        _ => debug,
    }
}

fn draw_err<E: std::fmt::Debug>(path: &Path) -> impl Fn(E) -> Error + '_ {
    move |e| {
        Error::input(format!(
            "cannot draw chart {}: {}",
            path.display(),
            describe(e)
        ))
    }
}

/// Scale and label for a metric's values on an axis: MiB for bytes, ms below a second.
fn axis_unit(metric: &Metric, max_abs: f64) -> (f64, String) {
    match metric.unit.as_str() {
        "B" | "bytes" => {
            if max_abs >= 1024.0 * 1024.0 * 1024.0 {
                (1.0 / (1024.0 * 1024.0 * 1024.0), "GiB".into())
            } else {
                (1.0 / (1024.0 * 1024.0), "MiB".into())
            }
        }
        "s" if max_abs < 1.0 => (1000.0, "ms".into()),
        u => (1.0, u.to_string()),
    }
}

/// The points to draw for one run: minutes since its start and scaled values; counts are
/// drawn cumulative (events so far), which reads better than spikes.
fn plot_points(
    metric: &Metric,
    m: &MetricReport,
    baseline: bool,
    report: &Report,
) -> Vec<(f64, f64)> {
    let (series, start) = if baseline {
        (m.baseline_series.as_ref(), report.baseline.start_ms)
    } else {
        (m.candidate_series.as_ref(), report.candidate.start_ms)
    };
    let Some(s) = series else { return Vec::new() };
    let mut total = 0.0;
    s.full
        .points()
        .iter()
        .map(|&(t, v)| {
            let x = (t - start) as f64 / 60_000.0;
            match metric.kind {
                Kind::Count => {
                    if v.is_finite() {
                        total += v;
                    }
                    (x, total)
                }
                Kind::Series => (x, v),
            }
        })
        .collect()
}

/// Splits points into runs of finite values, so gaps and NaN show as gaps.
fn segments(points: &[(f64, f64)], scale: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &(x, y) in points {
        if y.is_finite() {
            if let Some(last) = out.last_mut() {
                last.push((x, y * scale));
            }
        } else if out.last().is_some_and(|l| !l.is_empty()) {
            out.push(Vec::new());
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    for step in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if step * magnitude >= v {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// Draws one metric's time series into `area`. `compact` is for the overview grid.
fn draw_metric(
    area: &DrawingArea<BitMapBackend<'_>, AreaShift>,
    m: &MetricReport,
    report: &Report,
    compact: bool,
) -> Result<(), String> {
    let metric = &m.result.metric;
    let base = plot_points(metric, m, true, report);
    let cand = plot_points(metric, m, false, report);
    let max_abs = base
        .iter()
        .chain(&cand)
        .map(|p| p.1.abs())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let ceiling = metric.saturates_at.filter(|_| metric.kind == Kind::Series);
    let (scale, unit_label) = axis_unit(metric, max_abs.max(ceiling.unwrap_or(0.0)));
    let min_v = base
        .iter()
        .chain(&cand)
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::min)
        * scale;
    let top = nice_max(max_abs.max(ceiling.unwrap_or(0.0)) * scale * 1.08);
    let x_max = ((report.baseline.end_ms - report.baseline.start_ms)
        .max(report.candidate.end_ms - report.candidate.start_ms) as f64
        / 60_000.0)
        .max(1.0);

    let verdict = m.result.verdict;
    let title = if compact {
        format!(
            "{} — {}",
            metric.title,
            verdict.map_or("no gate", verdict_label)
        )
    } else {
        let gate = m
            .result
            .gate
            .as_ref()
            .map_or("no gate".to_string(), |g| g.text.clone());
        format!(
            "{} — {} — {}",
            metric.title,
            gate,
            verdict.map_or("not gated", verdict_label)
        )
    };
    let title_size = if compact { 17 } else { 22 };
    let y_desc = match metric.kind {
        Kind::Count => format!("{} (cumulative)", unit_label),
        Kind::Series => unit_label.clone(),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            title,
            (FONT, title_size, FontStyle::Bold)
                .into_font()
                .color(&verdict_color(verdict).mix(1.0)),
        )
        .margin(if compact { 8 } else { 14 })
        .x_label_area_size(if compact { 34 } else { 44 })
        .y_label_area_size(if compact { 62 } else { 78 })
        .build_cartesian_2d(0f64..x_max, min_v.min(0.0)..top)
        .map_err(describe)?;
    // Warm-up and cool-down are not compared: shade them.
    let warm = report.baseline.warmup_ms as f64 / 60_000.0;
    if warm > 0.0 {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, min_v.min(0.0)), (warm.min(x_max), top)],
                SHADE.filled(),
            )))
            .map_err(describe)?;
    }
    let cool = report.baseline.cooldown_ms as f64 / 60_000.0;
    if cool > 0.0 {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x_max - cool, min_v.min(0.0)), (x_max, top)],
                SHADE.filled(),
            )))
            .map_err(describe)?;
    }
    let label_size = if compact { 13 } else { 15 };
    chart
        .configure_mesh()
        .x_desc("minutes since run start")
        .y_desc(y_desc)
        .x_labels(if compact { 6 } else { 10 })
        .y_labels(if compact { 5 } else { 8 })
        .light_line_style(GRID.mix(0.0))
        .bold_line_style(GRID)
        .axis_desc_style((FONT, label_size))
        .label_style((FONT, label_size))
        .y_label_formatter(&|v| {
            // Counts are whole events: no "0.2 restarts" ticks.
            if metric.kind == Kind::Count && v.fract() != 0.0 {
                String::new()
            } else {
                units::number(*v)
            }
        })
        .x_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(describe)?;
    if warm > 0.0 && !compact {
        chart
            .draw_series(std::iter::once(Text::new(
                "warm-up",
                (warm * 0.08, top * 0.97),
                (FONT, 13).into_font().color(&INK.mix(0.6)),
            )))
            .map_err(describe)?;
    }
    if let Some(c) = ceiling {
        let y = c * scale;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, y), (x_max, y)],
                6,
                4,
                INK.mix(0.55).stroke_width(1),
            ))
            .map_err(describe)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("histogram ceiling {}", units::format_value(c, &metric.unit)),
                (warm + x_max * 0.02, y - (top - min_v.min(0.0)) * 0.015),
                (FONT, label_size).into_font().color(&INK.mix(0.7)).pos(
                    plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Top,
                    ),
                ),
            )))
            .map_err(describe)?;
    }
    let width = 2;
    for (points, color) in [(&base, BASELINE), (&cand, CANDIDATE)] {
        for seg in segments(points, scale) {
            chart
                .draw_series(LineSeries::new(seg, color.stroke_width(width)))
                .map_err(describe)?;
        }
    }
    // The steady-state value of each run at the right edge, so a run squashed against the
    // axis by the other still reads. Labels that would collide are stacked.
    let span = top - min_v.min(0.0);
    let mut used: Vec<f64> = Vec::new();
    for (side, points, color) in [
        (&m.result.baseline, &base, BASELINE),
        (&m.result.candidate, &cand, CANDIDATE),
    ] {
        let Some(summary) = &side.summary else {
            continue;
        };
        let Some(&(_, last_y)) = points.iter().rev().find(|p| p.1.is_finite()) else {
            continue;
        };
        let squashed = (last_y * scale).abs() < top * 0.06;
        if compact && !squashed {
            continue;
        }
        let _ = summary;
        let text = match metric.kind {
            Kind::Count => format!("{} in window", text::value(metric, side)),
            Kind::Series => format!("mean {}", text::value(metric, side)),
        };
        let mut y = (last_y * scale).clamp(min_v.min(0.0), top) + span * 0.02;
        while used.iter().any(|u| (u - y).abs() < span * 0.07) {
            y += span * 0.07;
        }
        used.push(y);
        chart
            .draw_series(std::iter::once(Text::new(
                text,
                (x_max * 0.995, y),
                (FONT, label_size).into_font().color(&color).pos(
                    plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Bottom,
                    ),
                ),
            )))
            .map_err(describe)?;
    }
    // Level shifts: a dashed vertical line with the size of the change.
    for (side, color) in [
        (&m.result.baseline, BASELINE),
        (&m.result.candidate, CANDIDATE),
    ] {
        draw_shifts(&mut chart, side, color, top, min_v.min(0.0), compact)?;
    }
    if base.is_empty() || cand.is_empty() {
        let which = match (base.is_empty(), cand.is_empty()) {
            (true, true) => "no data in either run",
            (true, false) => "no data in the baseline",
            _ => "no data in the candidate",
        };
        chart
            .draw_series(std::iter::once(Text::new(
                which,
                (x_max * 0.35, top * 0.55),
                (FONT, if compact { 16 } else { 22 })
                    .into_font()
                    .color(&NO_DATA),
            )))
            .map_err(describe)?;
    }
    Ok(())
}

fn draw_shifts<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    side: &SideResult,
    color: RGBColor,
    top: f64,
    bottom: f64,
    compact: bool,
) -> Result<(), String> {
    for s in &side.shifts {
        let x = s.offset_seconds / 60.0;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, bottom), (x, top)],
                5,
                5,
                color.mix(0.8).stroke_width(2),
            ))
            .map_err(describe)?;
        if !compact {
            chart
                .draw_series(std::iter::once(Text::new(
                    format!(
                        " shift {}",
                        s.relative.map_or("from 0".into(), units::change)
                    ),
                    (x, top * 0.9),
                    (FONT, 15, FontStyle::Bold).into_font().color(&color),
                )))
                .map_err(describe)?;
        }
    }
    Ok(())
}

/// A legend strip above the plots, so it never covers data.
fn draw_legend(
    area: &DrawingArea<BitMapBackend<'_>, AreaShift>,
    report: &Report,
    size: u32,
) -> Result<(), String> {
    let style = (FONT, size as i32).into_font().color(&INK);
    let mut x = 16;
    let y = (area.dim_in_pixel().1 / 2) as i32;
    for (label, color) in [
        (format!("baseline: {}", report.baseline.name), BASELINE),
        (format!("candidate: {}", report.candidate.name), CANDIDATE),
    ] {
        area.draw(&PathElement::new(
            vec![(x, y), (x + 34, y)],
            color.stroke_width(4),
        ))
        .map_err(describe)?;
        area.draw(&Text::new(
            label.clone(),
            (x + 42, y - size as i32 / 2 - 1),
            style.clone(),
        ))
        .map_err(describe)?;
        let (w, _) = area.estimate_text_size(&label, &style).map_err(describe)?;
        x += 42 + w as i32 + 36;
    }
    let note = "shaded: warm-up, not compared";
    area.draw(&Rectangle::new(
        [(x, y - 8), (x + 26, y + 8)],
        SHADE.filled(),
    ))
    .map_err(describe)?;
    area.draw(&Text::new(
        note,
        (x + 34, y - size as i32 / 2 - 1),
        style.clone(),
    ))
    .map_err(describe)?;
    Ok(())
}

/// One metric's chart.
pub fn metric_chart(path: &Path, m: &MetricReport, report: &Report) -> Result<()> {
    register_font();
    let root = BitMapBackend::new(path, (1100, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err(path))?;
    let (legend, plot) = root.split_vertically(40);
    draw_legend(&legend, report, 16).map_err(draw_err(path))?;
    draw_metric(&plot, m, report, false).map_err(draw_err(path))?;
    root.present().map_err(draw_err(path))?;
    Ok(())
}

/// The overview grid of the key metrics.
pub fn overview_chart(path: &Path, report: &Report) -> Result<()> {
    register_font();
    let mut chosen: Vec<&MetricReport> = OVERVIEW
        .iter()
        .filter_map(|id| report.metrics.iter().find(|m| m.result.metric.id == *id))
        .collect();
    for m in &report.metrics {
        if chosen.len() >= 6 {
            break;
        }
        if !chosen
            .iter()
            .any(|c| c.result.metric.id == m.result.metric.id)
        {
            chosen.push(m);
        }
    }
    let root = BitMapBackend::new(path, (1500, 900)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err(path))?;
    let (head, grid) = root.split_vertically(84);
    let (title, legend) = head.split_vertically(44);
    title
        .draw(&Text::new(
            format!(
                "{} vs {} — overall {}",
                report.candidate.name,
                report.baseline.name,
                verdict_label(report.verdict())
            ),
            (16, 8),
            (FONT, 26, FontStyle::Bold)
                .into_font()
                .color(&verdict_color(Some(report.verdict()))),
        ))
        .map_err(draw_err(path))?;
    draw_legend(&legend, report, 16).map_err(draw_err(path))?;
    let cells = grid.split_evenly((2, 3));
    for (cell, m) in cells.iter().zip(chosen) {
        draw_metric(cell, m, report, true).map_err(draw_err(path))?;
    }
    root.present().map_err(draw_err(path))?;
    Ok(())
}

/// The summary: every gated metric's regression with its interval against its budget.
pub fn summary_chart(path: &Path, report: &Report) -> Result<()> {
    register_font();
    let rows: Vec<&MetricReport> = report
        .metrics
        .iter()
        .filter(|m| m.result.verdict.is_some())
        .collect();
    let height = 120 + 42 * rows.len().max(1) as u32;
    let root = BitMapBackend::new(path, (1100, height)).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err(path))?;
    // The axis covers the intervals and budgets, clipped: changes of 10× are labelled, not drawn to scale.
    const CLIP: f64 = 1.5;
    let mut lo: f64 = -0.25;
    let mut hi: f64 = 0.5;
    for m in &rows {
        if let Some(c) = &m.result.change {
            for v in [c.ci_low, c.ci_high, c.regression].into_iter().flatten() {
                lo = lo.min(v.max(-1.0));
                hi = hi.max(v.min(CLIP));
            }
        }
        if let Some(b) = m.result.gate.as_ref().and_then(|g| g.regression_budget()) {
            hi = hi.max(b * 1.3);
        }
    }
    let pct = |v: f64| v * 100.0;
    let n = rows.len().max(1);
    let title = format!(
        "Regression of {} vs {} ({:.0}% intervals) — overall {}",
        report.candidate.name,
        report.baseline.name,
        report.confidence * 100.0,
        verdict_label(report.verdict())
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(
            title,
            (FONT, 22, FontStyle::Bold)
                .into_font()
                .color(&verdict_color(Some(report.verdict()))),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(170)
        .build_cartesian_2d(pct(lo) - 5.0..pct(hi) + 62.0, 0f64..n as f64)
        .map_err(draw_err(path))?;
    let ids: Vec<String> = rows.iter().map(|m| m.result.metric.id.clone()).collect();
    chart
        .configure_mesh()
        .x_desc("regression, % (positive = worse; bars: estimate with interval; | budget)")
        .y_labels(n * 2 + 1)
        .y_label_formatter(&|y| {
            let i = (*y - 0.5).round();
            if (*y - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < ids.len() {
                ids[ids.len() - 1 - i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_label_formatter(&|v| format!("{v:+.0}%"))
        .disable_y_mesh()
        .bold_line_style(GRID)
        .light_line_style(GRID.mix(0.0))
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 15))
        .draw()
        .map_err(draw_err(path))?;
    // zero line
    chart
        .draw_series(LineSeries::new(
            vec![(0.0, 0.0), (0.0, n as f64)],
            INK.mix(0.6).stroke_width(1),
        ))
        .map_err(draw_err(path))?;
    let right = pct(hi) + 60.0;
    for (i, m) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64 + 0.5;
        let color = verdict_color(m.result.verdict);
        let r = &m.result;
        if let Some(b) = r.gate.as_ref().and_then(|g| g.regression_budget()) {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(pct(b), y - 0.38), (pct(b), y + 0.38)],
                    INK.stroke_width(3),
                )))
                .map_err(draw_err(path))?;
        }
        let label_style = (FONT, 14).into_font().color(&INK);
        match r
            .change
            .as_ref()
            .and_then(|c| Some((c.regression?, c.ci_low?, c.ci_high?)))
        {
            Some((est, low, high)) => {
                let clip = |v: f64| pct(v.clamp(-1.0, CLIP));
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [
                            (clip(low), y - 0.22),
                            (clip(high).max(clip(low) + 0.4), y + 0.22),
                        ],
                        color.mix(0.35).filled(),
                    )))
                    .map_err(draw_err(path))?;
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (clip(est), y),
                        6,
                        color.filled(),
                    )))
                    .map_err(draw_err(path))?;
                if est > CLIP {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("{} →", units::change(direction_change(&r.metric, est))),
                            (pct(CLIP) + 4.0, y + 0.15),
                            label_style.clone(),
                        )))
                        .map_err(draw_err(path))?;
                }
            }
            None => {
                let text = match (r.verdict, &r.baseline.summary, &r.candidate.summary) {
                    (Some(Verdict::NoData), _, _) => "no data".to_string(),
                    (_, Some(b), Some(c)) => format!(
                        "{} → {} (no relative change)",
                        units::format_value(crate::compare::headline(&r.metric, b), &r.metric.unit),
                        units::format_value(crate::compare::headline(&r.metric, c), &r.metric.unit)
                    ),
                    _ => "-".into(),
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (pct(lo) - 3.0, y + 0.15),
                        label_style.clone(),
                    )))
                    .map_err(draw_err(path))?;
            }
        }
        chart
            .draw_series(std::iter::once(Text::new(
                r.verdict.map_or("-", verdict_label).to_string(),
                (right - 22.0, y + 0.15),
                (FONT, 14, FontStyle::Bold).into_font().color(&color),
            )))
            .map_err(draw_err(path))?;
    }
    root.present().map_err(draw_err(path))?;
    Ok(())
}

/// A regression back to the relative change, for labels.
fn direction_change(metric: &Metric, regression: f64) -> f64 {
    match metric.better {
        Better::Higher => -regression,
        Better::Lower => regression,
    }
}

/// Writes every chart into `dir`; returns the files written.
pub fn render_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::input(format!("--charts {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    for m in &report.metrics {
        let path = dir.join(format!("{}.png", m.result.metric.id));
        metric_chart(&path, m, report)?;
        written.push(path);
    }
    let summary = dir.join("summary.png");
    summary_chart(&summary, report)?;
    written.push(summary);
    let overview = dir.join("overview.png");
    overview_chart(&overview, report)?;
    written.push(overview);
    Ok(written)
}
