//! `benchcmp history`: a weekly history at a glance — per metric, each run's steady-state
//! mean with its interval in time order, and the change point across runs if there is one
//! (`stats::changepoint`: the best split with at least three runs on each side, so one
//! outlier week is not a change), as a table, JSON, or charts.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use crate::cli::{GlobalArgs, HistoryArgs, ListFormat};
use crate::compare::{side, Role, Settings, SideInput};
use crate::config::format_time;
use crate::error::{Error, Result};
use crate::pack::Metric;
use crate::report::charts::lettering::{Align, Baseline};
use crate::report::charts::{self, ChartFormat, ChartOptions, Frame, Look};
use crate::run::{self, Run};
use crate::source::{load_run, RunData};
use crate::stats::changepoint;
use crate::units;

/// Runs on each side of a change point, at least.
const MIN_SEGMENT: usize = 3;
/// Adjusted p-value below which a split is a change point.
const ALPHA: f64 = 0.05;

/// One run's mean of one metric.
#[derive(Debug, Serialize)]
struct Point {
    run: String,
    start: String,
    candidate: bool,
    mean: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

/// A change point across the baseline runs.
#[derive(Debug, Serialize)]
struct Change {
    /// The first run after the change.
    from_run: String,
    before: f64,
    after: f64,
    relative: Option<f64>,
    p_adjusted: f64,
}

/// One metric's history.
#[derive(Debug, Serialize)]
struct MetricHistory {
    id: String,
    title: String,
    unit: String,
    points: Vec<Point>,
    change: Option<Change>,
}

pub fn run(global: &GlobalArgs, args: &HistoryArgs) -> Result<()> {
    let config = super::load_config(global)?;
    let pack = super::load_pack(global)?;
    let metrics = super::compare::select(&pack, &args.only)?;
    let mut runs = run::resolve_all(&args.baseline, args.last, &config, &global.baselines)?;
    if let Some(c) = &args.candidate {
        runs.push(run::resolve(c, &config, &global.baselines)?);
    }
    let defaults = config.defaults;
    let client = if runs.iter().all(Run::is_snapshot) {
        None
    } else {
        Some(super::client(&config, global)?.ok_or_else(|| {
            Error::input("a run is read from Prometheus, but no source is configured: set [source] url, --prometheus or BENCHCMP_PROMETHEUS_URL")
        })?)
    };
    let rt = super::runtime()?;
    let live = runs.iter().filter(|r| !r.is_snapshot()).count();
    let progress = super::Progress::new(
        global,
        (live * crate::source::queries_per_run(&metrics)) as u64,
        "history",
        client.as_ref(),
    );
    let mut data: Vec<RunData> = Vec::new();
    for r in &runs {
        let tick = progress.ticker(client.as_ref());
        data.push(
            rt.block_on(load_run(
                r,
                &metrics,
                &defaults,
                client.as_ref(),
                tick,
                global.verbose,
            ))
            .map_err(|e| run::with_shadowed_snapshot(e, r, &global.baselines))?,
        );
    }
    drop(progress);
    let settings = Settings::default();
    let mut histories = Vec::new();
    for m in &metrics {
        histories.push(history_of(
            m,
            &runs,
            &data,
            &defaults,
            &settings,
            args.candidate.is_some(),
        )?);
    }
    if let Some(dir) = &args.charts {
        let mut staging = crate::output::Staging::default();
        let staged = staging.directory("--charts", dir)?;
        let mut files = Vec::new();
        for h in &histories {
            let path = staged.join(format!("history-{}.png", h.id));
            chart(&path, h)?;
            files.push(path);
        }
        staging.staged_in(&staged, dir, &files);
        staging.commit()?;
    }
    match args.format {
        ListFormat::Json => super::emit(&(super::to_json_text(&histories)? + "\n")),
        ListFormat::Table => super::emit(&table(&histories, settings.confidence)),
    }
}

fn history_of(
    metric: &Metric,
    runs: &[Run],
    data: &[RunData],
    defaults: &crate::config::Defaults,
    settings: &Settings,
    with_candidate: bool,
) -> Result<MetricHistory> {
    let mut points = Vec::new();
    for (i, (r, d)) in runs.iter().zip(data).enumerate() {
        let series = d.series(metric, defaults)?;
        let window = r.steady_window(defaults)?;
        let input = SideInput {
            series: series.as_ref(),
            run_start_ms: r.start_ms,
            step_ms: r.step_ms,
            window,
            edges: side::run_edges(r.start_ms, r.end_ms, defaults.scrape_interval_ms),
            warnings: &[],
        };
        let s = side::analyze(metric, &input, settings, Role::Baseline);
        let mean = s.mean.filter(|_| s.problem.is_none());
        let interval = mean
            .filter(|_| s.supported)
            .map(|m| m.interval(settings.confidence));
        points.push(Point {
            run: r.name.clone(),
            start: format_time(r.start_ms),
            candidate: with_candidate && i + 1 == runs.len(),
            mean: mean.map(|m| m.value),
            low: interval.map(|i| i.0),
            high: interval.map(|i| i.1),
        });
    }
    // The change point among the baseline runs with a mean.
    let baseline: Vec<(usize, f64)> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.candidate)
        .filter_map(|(i, p)| p.mean.map(|m| (i, m)))
        .collect();
    let means: Vec<f64> = baseline.iter().map(|(_, m)| *m).collect();
    let change = changepoint::best_split(&means, MIN_SEGMENT)
        .filter(|s| s.p_adjusted < ALPHA)
        .map(|s| Change {
            from_run: points[baseline[s.at].0].run.clone(),
            before: s.before,
            after: s.after,
            relative: (s.before != 0.0).then(|| s.after / s.before - 1.0),
            p_adjusted: s.p_adjusted,
        });
    Ok(MetricHistory {
        id: metric.id.clone(),
        title: metric.title.clone(),
        unit: metric.unit.clone(),
        points,
        change,
    })
}

fn table(histories: &[MetricHistory], confidence: f64) -> String {
    let mut out = String::new();
    for h in histories {
        out.push_str(&format!(
            "{} ({}): steady-state mean, {:.0}% interval\n",
            h.id,
            h.title,
            confidence * 100.0
        ));
        let width = h.points.iter().map(|p| p.run.len()).max().unwrap_or(0);
        for p in &h.points {
            let value = match (p.mean, p.low, p.high) {
                (Some(m), Some(l), Some(hi)) => format!(
                    "{} [{}, {}]",
                    units::format_value(m, &h.unit),
                    units::format_value(l, &h.unit),
                    units::format_value(hi, &h.unit)
                ),
                (Some(m), _, _) => format!("{} (no interval)", units::format_value(m, &h.unit)),
                _ => "no data".into(),
            };
            let marker = if h.change.as_ref().is_some_and(|c| c.from_run == p.run) {
                "  ← change"
            } else if p.candidate {
                "  (candidate)"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {:<width$}  {}  {value}{marker}\n",
                p.run,
                &p.start[..10]
            ));
        }
        match &h.change {
            Some(c) => out.push_str(&format!(
                "  change from {} on: {} → {} ({}), p = {} (adjusted for the splits tried)\n\n",
                c.from_run,
                units::format_value(c.before, &h.unit),
                units::format_value(c.after, &h.unit),
                c.relative.map_or("from 0".into(), units::change),
                units::number(c.p_adjusted)
            )),
            None => out.push_str(&format!(
                "  no change point (at least {MIN_SEGMENT} runs on each side)\n\n"
            )),
        }
    }
    out
}

/// `history-<id>.png`: the runs' means with intervals in time order; after a change point
/// the two segments' means.
fn chart(path: &Path, h: &MetricHistory) -> Result<()> {
    let options = ChartOptions {
        format: ChartFormat::Png,
        ..ChartOptions::default()
    };
    charts::lettering::register();
    charts::with_backend!(path, (1000, 460), options, |area, look| draw(
        &area, look, h
    ))
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    h: &MetricHistory,
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    look.write(
        area,
        &format!("{} ({}) across runs", h.title, h.id),
        (px(20.0), px(14.0)),
        look.text(21.0, true, RGBColor(35, 35, 35)),
        Align::Left,
        Baseline::Top,
    )?;
    let values: Vec<f64> = h
        .points
        .iter()
        .flat_map(|p| [p.mean, p.low, p.high])
        .flatten()
        .collect();
    if values.is_empty() {
        return look.write(
            area,
            "no data in any run",
            (px(500.0), px(230.0)),
            look.text(20.0, true, charts::NO_DATA),
            Align::Center,
            Baseline::Middle,
        );
    }
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let pad = ((hi - lo) * 0.15).max(hi.abs() * 0.01).max(1e-9);
    let n = h.points.len() as f64;
    let frame = Frame {
        left: px(90.0),
        top: px(60.0),
        right: px(980.0),
        bottom: px(400.0),
        x: (-0.5, n - 0.5),
        y: (lo - pad, hi + pad),
    };
    let small = look.text(14.0, false, RGBColor(100, 100, 100));
    for t in [lo - pad * 0.5, (lo + hi) / 2.0, hi + pad * 0.5] {
        let y = frame.y_px(t);
        charts::polyline(
            area,
            vec![
                (frame.left as i32, y as i32),
                (frame.right as i32, y as i32),
            ],
            RGBColor(228, 228, 228).to_rgba(),
            px(1.0),
        )?;
        look.write(
            area,
            &units::format_value(t, &h.unit),
            (frame.left - px(8.0), y),
            small,
            Align::Right,
            Baseline::Middle,
        )?;
    }
    for (i, p) in h.points.iter().enumerate() {
        let x = frame.x_px(i as f64);
        let color = if p.candidate {
            charts::CANDIDATE
        } else {
            charts::BASELINE
        };
        if let (Some(l), Some(hh)) = (p.low, p.high) {
            charts::polyline(
                area,
                vec![
                    (x as i32, frame.y_px(l) as i32),
                    (x as i32, frame.y_px(hh) as i32),
                ],
                color.to_rgba(),
                px(3.0),
            )?;
        }
        if let Some(m) = p.mean {
            area.draw(&Circle::new(
                (x as i32, frame.y_px(m) as i32),
                px(5.0) as i32,
                color.filled(),
            ))
            .map_err(charts::describe)?;
        }
        look.write(
            area,
            &p.run,
            (x, frame.bottom + px(8.0)),
            small,
            Align::Center,
            Baseline::Top,
        )?;
    }
    if let Some(c) = &h.change {
        let at = h
            .points
            .iter()
            .position(|p| p.run == c.from_run)
            .unwrap_or(0) as f64;
        let last_baseline = h.points.iter().rposition(|p| !p.candidate).unwrap_or(0) as f64;
        let gate = RGBColor(90, 90, 90);
        for (from, to, v) in [
            (-0.4, at - 0.6, c.before),
            (at - 0.4, last_baseline + 0.4, c.after),
        ] {
            let y = frame.y_px(v);
            charts::polyline(
                area,
                vec![
                    (frame.x_px(from) as i32, y as i32),
                    (frame.x_px(to) as i32, y as i32),
                ],
                gate.mix(0.9),
                px(2.0),
            )?;
        }
        let x = frame.x_px(at - 0.5);
        charts::dashed(
            area,
            (x, frame.top),
            (x, frame.bottom),
            charts::FAIL.mix(0.9),
            px(2.0),
            px(6.0),
        )?;
        look.write(
            area,
            &format!(
                "change {} (p = {})",
                c.relative.map_or("from 0".into(), units::change),
                units::number(c.p_adjusted)
            ),
            (x + px(6.0), frame.top + px(4.0)),
            look.text(15.0, true, charts::FAIL),
            Align::Left,
            Baseline::Top,
        )?;
    }
    Ok(())
}
