//! One metric's chart: both runs over time since their start, the warm-up shaded, the gate
//! drawn (a budget band from the baseline mean to the limit for relative gates, a threshold
//! line for absolute ones), the runs' levels as labelled lines — segment levels and the
//! final level when a run shifted, the trend line when it trended — with labels in a
//! gutter right of the data, shifts marked and labelled, the region above a histogram's
//! ceiling shaded, and count metrics as events in the steady window with their total.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{self, ValueScale};
use super::lettering::{self, Align, Baseline};
use super::{
    axis_lines, dashed, fill, grid_line, legend, polyline, run_line, spread_sized, thin_by,
    two_lines, verdict_color, ChartOptions, Frame, Look, BASELINE, CANDIDATE, GATE, GRID, INK,
    MUTED, NO_DATA, SHADE,
};
use crate::compare::SideResult;
use crate::gate::Clause;
use crate::pack::{Axis, Better, Kind, Metric};
use crate::report::text::{self, verdict_label};
use crate::report::{MetricReport, Report};
use crate::units;

/// Size of a metric chart at scale 1.
pub const SIZE: (u32, u32) = (1200, 620);

pub fn write(
    path: &Path,
    m: &MetricReport,
    report: &Report,
    options: &ChartOptions,
) -> crate::error::Result<()> {
    super::with_backend!(path, SIZE, options, |area, look| {
        let (w, h) = (SIZE.0 as f64, SIZE.1 as f64);
        let head = header(&area, look, m, report)?;
        draw(&area, look, m, report, options, (0.0, head, w, h), false)
    })
}

/// Title, verdict line and legend; returns where the plot may start (unscaled pixels).
fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    m: &MetricReport,
    report: &Report,
) -> Result<f64, String> {
    let r = &m.result;
    let title = look.text(24.0, true, INK);
    look.write(
        area,
        &format!("{} ({})", r.metric.title, r.metric.id),
        (look.px(20.0), look.px(14.0)),
        title,
        Align::Left,
        Baseline::Top,
    )?;
    status_line(area, look, m, (20.0, 50.0), 17.0, false)?;
    legend(area, look, report, (look.px(20.0), look.px(90.0)))?;
    Ok(106.0)
}

/// `FAIL · change -47.0% [...] · gate regression <= 10%` with the verdict in its colour
/// (without the gate in an overview panel, where the budget line shows it).
fn status_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    m: &MetricReport,
    at: (f64, f64),
    size: f64,
    compact: bool,
) -> Result<(), String> {
    let r = &m.result;
    let verdict = r.verdict.map_or("NOT GATED", verdict_label);
    let strong = look.text(size, true, verdict_color(r.verdict));
    let plain = look.text(size, false, INK);
    let (x, y) = (look.px(at.0), look.px(at.1));
    look.write(area, verdict, (x, y), strong, Align::Left, Baseline::Top)?;
    let mut rest = format!("\u{a0}\u{a0}·\u{a0}\u{a0}change {}", text::change(r));
    if !compact {
        rest.push_str(&format!(
            "\u{a0}\u{a0}·\u{a0}\u{a0}gate {}",
            r.gate.as_ref().map_or("none", |g| g.text.as_str())
        ));
    }
    look.write(
        area,
        &rest,
        (x + lettering::width(verdict, strong), y),
        plain,
        Align::Left,
        Baseline::Top,
    )
}

/// Display scale and unit for values: MiB for bytes, ms below a second.
fn display_unit(metric: &Metric, max_abs: f64) -> (f64, String) {
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

/// One run's data as drawn: its line, and the event times of counts.
struct Drawn<'a> {
    line: Line<'a>,
    events: Vec<f64>,
    /// Events in the steady window (counts).
    total: f64,
}

/// A run's line: minutes since its start and values in display units. A series is read
/// from the run's samples as it is drawn (a week is 40,000 points a run, and two charts
/// are drawn at a time), a count's running total is made.
enum Line<'a> {
    Samples {
        points: crate::series::PointSlice<'a>,
        start_ms: i64,
        scale: f64,
    },
    /// Events so far in the steady window.
    Made(Vec<(f64, f64)>),
}

impl Line<'_> {
    fn len(&self) -> usize {
        match self {
            Line::Samples { points, .. } => points.len(),
            Line::Made(points) => points.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i`.
    fn at(&self, i: usize) -> (f64, f64) {
        match self {
            Line::Samples {
                points,
                start_ms,
                scale,
            } => {
                let (t, v) = (points.time(i), points.value(i));
                ((t - start_ms) as f64 / 60_000.0, v * scale)
            }
            Line::Made(points) => points[i],
        }
    }

    /// The values in time order.
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.len()).map(|i| self.at(i).1)
    }

    /// The stretches of finite values, so gaps and NaN show as gaps.
    fn segments(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut start = None;
        for i in 0..self.len() {
            match (self.at(i).1.is_finite(), start) {
                (true, None) => start = Some(i),
                (false, Some(from)) => {
                    out.push(from..i);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(from) = start {
            out.push(from..self.len());
        }
        out
    }
}

fn drawn<'a>(
    metric: &Metric,
    m: &'a MetricReport,
    baseline: bool,
    report: &Report,
    scale: f64,
) -> Drawn<'a> {
    let (series, run) = if baseline {
        (m.baseline.series.as_ref(), report.baseline.newest())
    } else {
        (m.candidate.series.as_ref(), &report.candidate)
    };
    let mut out = Drawn {
        line: Line::Made(Vec::new()),
        events: Vec::new(),
        total: 0.0,
    };
    let Some(s) = series else { return out };
    let minutes = |t: i64| (t - run.start_ms) as f64 / 60_000.0;
    match metric.kind {
        Kind::Series => {
            out.line = Line::Samples {
                points: s.full.points(),
                start_ms: run.start_ms,
                scale,
            };
        }
        Kind::Count => {
            // Events counted in the steady window only, from 0 at its start: the line ends
            // at the total the report gives.
            let (from, to) = run.steady;
            let mut points = vec![(minutes(from), 0.0)];
            for (t, v) in s.full.points() {
                if t <= from || t > to {
                    continue;
                }
                if v.is_finite() && v > 0.0 {
                    out.total += v;
                    out.events.push(minutes(t));
                }
                points.push((minutes(t), out.total));
            }
            out.line = Line::Made(points);
        }
    }
    out
}

/// A labelled level line: from `x0` to `x1` (minutes) at `value` (display units).
struct Level {
    x0: f64,
    x1: f64,
    value: f64,
    color: RGBColor,
    label: Option<String>,
    dashed: bool,
}

/// The levels of one run: its mean, or its segments and final level after shifts, or its
/// trend line.
fn levels(
    side: &SideResult,
    metric: &Metric,
    steady: (f64, f64),
    scale: f64,
    color: RGBColor,
) -> (Vec<Level>, Option<TrendLine>) {
    let Some(summary) = &side.summary else {
        return (Vec::new(), None);
    };
    let unit = &metric.unit;
    if let Some(trend) = side.trend.as_ref().filter(|t| t.significant) {
        let hours = (steady.1 - steady.0) / 60.0;
        let start = trend.end_level - trend.per_hour.value * hours;
        let label = format!("trend {}/h", units::change(trend.relative_per_hour));
        return (
            vec![
                Level {
                    x0: steady.1,
                    x1: steady.1,
                    value: trend.end_level * scale,
                    color,
                    label: Some(label),
                    dashed: false,
                },
                mean_note(side, metric, steady, scale, color),
            ],
            Some((
                (steady.0, start * scale),
                (steady.1, trend.end_level * scale),
            )),
        );
    }
    if side.shifts.is_empty() {
        return (
            vec![Level {
                x0: steady.0,
                x1: steady.1,
                value: summary.mean * scale,
                color,
                label: Some(format!("mean {}", text::value(metric, side))),
                dashed: true,
            }],
            None,
        );
    }
    let mut out = Vec::new();
    let mut x = steady.0;
    let mut value = side.shifts[0].before;
    for s in &side.shifts {
        let at = (s.offset_seconds / 60.0).clamp(steady.0, steady.1);
        out.push(Level {
            x0: x,
            x1: at,
            value: value * scale,
            color,
            label: None,
            dashed: false,
        });
        x = at;
        value = s.after;
    }
    let final_value = side
        .final_level
        .as_ref()
        .map_or(value, |l| l.estimate.value);
    out.push(Level {
        x0: x,
        x1: steady.1,
        value: final_value * scale,
        color,
        label: Some(format!(
            "ended {}{}",
            text::bound_prefix(side.bound()),
            units::format_value(final_value, unit)
        )),
        dashed: false,
    });
    out.push(mean_note(side, metric, steady, scale, color));
    (out, None)
}

/// The mean of a run that shifted or trended: a label only (a line there would stand where
/// the run never was).
fn mean_note(
    side: &SideResult,
    metric: &Metric,
    steady: (f64, f64),
    scale: f64,
    color: RGBColor,
) -> Level {
    let mean = side.summary.as_ref().map_or(f64::NAN, |s| s.mean);
    Level {
        x0: steady.1,
        x1: steady.1,
        value: mean * scale,
        color: RGBColor(color.0 / 2 + 50, color.1 / 2 + 50, color.2 / 2 + 50),
        label: Some(format!("mean {}", text::value(metric, side))),
        dashed: false,
    }
}

/// A trend line from `(minutes, value)` to `(minutes, value)`, display units.
type TrendLine = ((f64, f64), (f64, f64));

/// A gate line or band to draw: value(s) in display units and its label.
struct GateMark {
    /// The band's other edge (the baseline mean) for relative gates.
    from: Option<f64>,
    at: f64,
    label: String,
}

fn gate_marks(m: &MetricReport, scale: f64) -> Vec<GateMark> {
    let r = &m.result;
    let Some(gate) = &r.gate else {
        return Vec::new();
    };
    let unit = &r.metric.unit;
    let mut out = Vec::new();
    for c in &gate.clauses {
        match c {
            Clause::Regression { budget, .. } => {
                let Some(b) = r
                    .baseline
                    .summary
                    .as_ref()
                    .map(|s| crate::compare::headline(&r.metric, s))
                else {
                    continue;
                };
                if r.metric.kind == Kind::Count {
                    continue;
                }
                let limit = match r.metric.better {
                    Better::Higher => b * (1.0 - budget),
                    Better::Lower => b * (1.0 + budget),
                };
                out.push(GateMark {
                    from: Some(b * scale),
                    at: limit * scale,
                    label: format!(
                        "budget {}{}%: {}",
                        if r.metric.better == Better::Higher {
                            "-"
                        } else {
                            "+"
                        },
                        units::number(budget * 100.0),
                        units::format_value(limit, unit)
                    ),
                });
            }
            Clause::Absolute { stat, op, bound } => {
                out.push(GateMark {
                    from: None,
                    at: bound * scale,
                    label: format!(
                        "gate {} {} {}",
                        stat.name(),
                        op.symbol(),
                        units::format_value(*bound, unit)
                    ),
                });
            }
            _ => {}
        }
    }
    out
}

/// Draws the chart of `m` into the rectangle `rect` (unscaled pixels) of `area`.
/// `compact` is an overview panel: a two-line title with the change, no legend.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    m: &MetricReport,
    report: &Report,
    options: &ChartOptions,
    rect: (f64, f64, f64, f64),
    compact: bool,
) -> Result<(), String> {
    let mut rect = rect;
    if compact {
        look.write(
            area,
            &m.result.metric.title,
            (look.px(rect.0 + 12.0), look.px(rect.1 + 8.0)),
            look.text(17.0, true, INK),
            Align::Left,
            Baseline::Top,
        )?;
        status_line(area, look, m, (rect.0 + 12.0, rect.1 + 32.0), 15.0, true)?;
        rect.1 += 56.0;
    }
    let plot = Plot::prepare(m, report, options, look, rect, compact);
    plot.background(area)?;
    plot.axes(area)?;
    let mut labels = plot.gates(area)?;
    plot.data(area)?;
    labels.extend(plot.levels(area)?);
    plot.shifts(area)?;
    plot.gutter(area, &labels)?;
    plot.message(area)
}

/// A label in the gutter: the pixel height of what it names, its text and colour.
type GutterLabel = (f64, String, RGBColor);

/// Everything a metric chart draws, prepared: the runs in display units, the value axis,
/// the frame, the gate, the levels.
struct Plot<'a> {
    m: &'a MetricReport,
    report: &'a Report,
    look: Look,
    compact: bool,
    /// Display units per metric unit, and the display unit.
    scale: f64,
    unit: String,
    ceiling: Option<f64>,
    base: Drawn<'a>,
    cand: Drawn<'a>,
    x_max: f64,
    steady_b: (f64, f64),
    steady_c: (f64, f64),
    gates: Vec<GateMark>,
    levels_b: (Vec<Level>, Option<TrendLine>),
    levels_c: (Vec<Level>, Option<TrendLine>),
    value_scale: ValueScale,
    no_events: bool,
    y_ticks: Vec<f64>,
    gutter: f64,
    frame: Frame,
}

/// What the value axis must hold: the drawn values' extremes, the smallest positive one,
/// their typical low (the 2nd percentile of the positive values) and whether zeros are
/// common among them.
struct Extent {
    hi: f64,
    lo: f64,
    min_positive: f64,
    typical_low: f64,
    zeros_in_data: bool,
}

impl Extent {
    /// One pass over the lines' `values`, then the other `marks` drawn (gates, levels).
    fn of(values: impl Iterator<Item = f64>, marks: impl Iterator<Item = f64>) -> Extent {
        let (mut finite, mut zeros) = (0usize, 0usize);
        let (mut hi, mut lo, mut min_positive) = (0.0f64, 0.0f64, f64::INFINITY);
        let mut positive: Vec<f64> = Vec::new();
        for v in values.filter(|v| v.is_finite()) {
            finite += 1;
            if v > 0.0 {
                positive.push(v);
                min_positive = min_positive.min(v);
            } else {
                zeros += 1;
            }
            (hi, lo) = (hi.max(v), lo.min(v));
        }
        // The span that decides a log axis is the data's typical low (its 2nd percentile),
        // so a few dips towards 0 do not stretch a 5–100% metric over four decades.
        // (the one order statistic is selected, not sorted for: a week is 80,000 values a
        // chart)
        let rank = positive.len() / 50;
        let typical_low = if rank < positive.len() {
            *positive.select_nth_unstable_by(rank, f64::total_cmp).1
        } else {
            f64::INFINITY
        };
        for v in marks {
            (hi, lo) = (hi.max(v), lo.min(v));
            if v > 0.0 {
                min_positive = min_positive.min(v);
            }
        }
        Extent {
            hi,
            lo,
            min_positive,
            typical_low,
            zeros_in_data: zeros * 100 > finite,
        }
    }

    /// Linear or logarithmic: what the pack or `--chart-axis` says, else log when the data
    /// span more than 1.5 decades from their typical low (zeros keep it linear).
    fn scale(&self, kind: Kind, axis: Option<Axis>) -> ValueScale {
        match (kind, axis) {
            (Kind::Count, _) | (_, Some(Axis::Linear)) => ValueScale::Linear,
            (_, Some(Axis::Log)) if self.min_positive.is_finite() => ValueScale::Log {
                floor: self.min_positive,
            },
            (_, Some(Axis::Log)) => ValueScale::Linear,
            // Zeros have no place on a log axis: a run that sits at 0 keeps it linear.
            (_, None) if self.zeros_in_data => ValueScale::Linear,
            (_, None) => {
                match axes::choose(self.typical_low.max(self.min_positive), self.hi, 1.5) {
                    ValueScale::Log { .. } => ValueScale::Log {
                        floor: self.min_positive,
                    },
                    linear => linear,
                }
            }
        }
    }

    /// The axis's ends on `scale` (log ends as powers of ten).
    fn range(&self, scale: ValueScale, no_events: bool) -> (f64, f64) {
        match scale {
            ValueScale::Linear => {
                let top = if no_events {
                    1.0
                } else {
                    axes::nice_max(self.hi * 1.06)
                };
                let bottom = if self.lo < 0.0 {
                    -axes::nice_max(-self.lo * 1.06)
                } else {
                    0.0
                };
                (bottom, top)
            }
            ValueScale::Log { floor } => {
                let (a, b) = (floor.log10(), self.hi.max(floor * 1.0001).log10());
                let pad = (b - a) * 0.06;
                (a - pad, b + pad)
            }
        }
    }
}

const FONT: f64 = 15.0;

impl<'a> Plot<'a> {
    fn prepare(
        m: &'a MetricReport,
        report: &'a Report,
        options: &ChartOptions,
        look: Look,
        (rx0, ry0, rx1, ry1): (f64, f64, f64, f64),
        compact: bool,
    ) -> Plot<'a> {
        let r = &m.result;
        let metric = &r.metric;
        let raw_max = [m.baseline.series.as_ref(), m.candidate.series.as_ref()]
            .into_iter()
            .flatten()
            .flat_map(|s| s.full.values().iter().map(|v| v.abs()))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let censored = [&r.baseline, &r.candidate]
            .iter()
            .any(|s| s.evidence.as_ref().is_some_and(|e| e.censored_share > 0.0));
        let ceiling = metric
            .saturates_at
            .filter(|_| metric.kind == Kind::Series && censored);
        let (scale, unit) = display_unit(metric, raw_max.max(ceiling.unwrap_or(0.0)));
        let base = drawn(metric, m, true, report, scale);
        let cand = drawn(metric, m, false, report, scale);
        let minutes = |ms: i64| ms as f64 / 60_000.0;
        let x_max = minutes(
            (report.baseline.newest().end_ms - report.baseline.newest().start_ms)
                .max(report.candidate.end_ms - report.candidate.start_ms),
        )
        .max(1.0);
        let steady = |run: &crate::report::RunInfo| {
            (
                minutes(run.steady.0 - run.start_ms),
                minutes(run.steady.1 - run.start_ms),
            )
        };
        let (steady_b, steady_c) = (steady(report.baseline.newest()), steady(&report.candidate));
        let gates = gate_marks(m, scale);
        // Counts show their totals, not levels.
        let (levels_b, levels_c) = if metric.kind == Kind::Count {
            ((Vec::new(), None), (Vec::new(), None))
        } else {
            (
                levels(&r.baseline, metric, steady_b, scale, BASELINE),
                levels(&r.candidate, metric, steady_c, scale, CANDIDATE),
            )
        };
        let no_events = metric.kind == Kind::Count && base.total == 0.0 && cand.total == 0.0;

        // The value axis: everything drawn must fit — both lines, the gates, the levels,
        // the histogram's ceiling.
        let level_values = levels_b.0.iter().chain(&levels_c.0).map(|l| l.value);
        let marks = gates
            .iter()
            .map(|g| g.at)
            .chain(level_values.filter(|v| v.is_finite()))
            .chain(ceiling.map(|c| c * scale));
        let extent = Extent::of(base.line.values().chain(cand.line.values()), marks);
        let value_scale = extent.scale(metric.kind, options.axis.or(metric.axis));
        let (y0, y1) = extent.range(value_scale, no_events);
        let y_ticks: Vec<f64> = match value_scale {
            ValueScale::Linear if no_events => vec![0.0],
            ValueScale::Linear => axes::linear_ticks(y0, y1, if compact { 4 } else { 6 }),
            ValueScale::Log { .. } => axes::log_ticks(y0, y1),
        };
        let mut plot = Plot {
            m,
            report,
            look,
            compact,
            scale,
            unit,
            ceiling,
            base,
            cand,
            x_max,
            steady_b,
            steady_c,
            gates,
            levels_b,
            levels_c,
            value_scale,
            no_events,
            y_ticks,
            gutter: if compact { 150.0 } else { 215.0 },
            frame: Frame {
                left: 0.0,
                top: 0.0,
                right: 0.0,
                bottom: 0.0,
                x: (0.0, x_max),
                y: (y0, y1),
            },
        };
        let tick_width = plot
            .y_ticks
            .iter()
            .map(|a| lettering::width(&plot.tick_text(*a), plot.label_type()))
            .fold(0.0, f64::max)
            / look.scale;
        plot.frame.left = look.px(rx0 + 16.0 + tick_width + 10.0);
        plot.frame.top = look.px(ry0 + 26.0);
        plot.frame.right = look.px(rx1 - plot.gutter);
        plot.frame.bottom = look.px(ry1 - if compact { 46.0 } else { 52.0 });
        plot
    }

    fn label_type(&self) -> lettering::Type {
        self.look.text(FONT, false, MUTED)
    }

    fn tick_text(&self, a: f64) -> String {
        let v = self.value_scale.value_at(a);
        if self.m.result.metric.kind == Kind::Count && v.fract() != 0.0 {
            String::new()
        } else {
            axes::tick_label(v)
        }
    }

    /// The pixel height of a value in display units.
    fn y_of(&self, v: f64) -> f64 {
        let (y0, y1) = self.frame.y;
        self.frame.y_px(self.value_scale.to_axis(v).clamp(y0, y1))
    }

    /// Warm-up and cool-down shading, and the region above a histogram's ceiling.
    fn background<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (look, frame) = (self.look, &self.frame);
        let minutes = |ms: i64| ms as f64 / 60_000.0;
        let warm = minutes(self.report.baseline.newest().warmup_ms);
        if warm > 0.0 {
            fill(
                area,
                (frame.left, frame.top),
                (frame.x_px(warm.min(self.x_max)), frame.bottom),
                SHADE.to_rgba(),
            )?;
        }
        let cool = minutes(self.report.baseline.newest().cooldown_ms);
        if cool > 0.0 {
            fill(
                area,
                (frame.x_px(self.x_max - cool), frame.top),
                (frame.right, frame.bottom),
                SHADE.to_rgba(),
            )?;
        }
        let Some(c) = self.ceiling else {
            return Ok(());
        };
        // Above the histogram ceiling nothing is known.
        let y = self.y_of(c * self.scale);
        fill(
            area,
            (frame.left, frame.top),
            (frame.right, y),
            RGBColor(120, 120, 120).mix(0.12),
        )?;
        dashed(
            area,
            (frame.left, y),
            (frame.right, y),
            MUTED.mix(0.9),
            look.px(1.5),
            look.px(6.0),
        )?;
        match self.ceiling_note() {
            Some((text, at, t)) => look.write(area, &text, at, t, Align::Left, Baseline::Top),
            None => Ok(()),
        }
    }

    /// The note in the region above a histogram's ceiling: its text (the longest of three
    /// that fits the plot), its top-left corner and its type.
    fn ceiling_note(&self) -> Option<(String, (f64, f64), lettering::Type)> {
        let (look, frame) = (self.look, &self.frame);
        let c = self.ceiling?;
        let y = self.y_of(c * self.scale);
        let t = look.text(FONT - 1.0, false, MUTED);
        let text_y = if y - frame.top > lettering::line_height(t) + look.px(4.0) {
            frame.top + look.px(3.0)
        } else {
            y + look.px(3.0)
        };
        let warm = self.report.baseline.newest().warmup_ms as f64 / 60_000.0;
        let text_x = frame.x_px(warm.min(self.x_max)) + look.px(6.0);
        let ceiling = units::format_value(c, &self.m.result.metric.unit);
        let room = frame.right - text_x - look.px(4.0);
        let text = [
            format!("above the histogram ceiling ({ceiling}): true values unknown"),
            format!("above the histogram ceiling ({ceiling})"),
            format!("≥ {ceiling}: unknown"),
        ]
        .into_iter()
        .find(|text| lettering::width(text, t) <= room)?;
        Some((text, (text_x, text_y), t))
    }

    /// Grid, ticks, their labels and the axes' descriptions.
    fn axes<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (look, frame) = (self.look, &self.frame);
        let label_type = self.label_type();
        for a in &self.y_ticks {
            grid_line(area, frame, *a, look.px(1.0))?;
            let y = frame.y_px(*a);
            look.write(
                area,
                &self.tick_text(*a),
                (frame.left - look.px(8.0), y),
                label_type,
                Align::Right,
                Baseline::Middle,
            )?;
        }
        // Every tick has its grid line; labels skip ticks where they would run into each
        // other (a week in an overview cell).
        let ticks = axes::time_ticks(self.x_max);
        let widest = ticks
            .iter()
            .map(|x| lettering::width(&axes::time_label(*x, self.x_max), label_type))
            .fold(0.0, f64::max);
        let spacing = match ticks.as_slice() {
            [a, b, ..] => frame.x_px(*b) - frame.x_px(*a),
            _ => f64::INFINITY,
        };
        let every = ((widest + look.px(4.0)) / spacing).ceil().max(1.0) as usize;
        let mut last_right = f64::NEG_INFINITY;
        for (i, &x) in ticks.iter().enumerate() {
            let px = frame.x_px(x);
            polyline(
                area,
                vec![
                    (px as i32, frame.top as i32),
                    (px as i32, frame.bottom as i32),
                ],
                GRID.mix(0.6),
                look.px(1.0),
            )?;
            // The first label starts at the axis, clear of the value axis's lowest label;
            // the others are centred on their ticks, each clear of the one before.
            let text = axes::time_label(x, self.x_max);
            let w = lettering::width(&text, label_type);
            let (align, left) = if x <= 0.0 {
                (Align::Left, px)
            } else {
                (Align::Center, px - w / 2.0)
            };
            if i % every != 0 || left < last_right + look.px(4.0) {
                continue;
            }
            last_right = left + w;
            look.write(
                area,
                &text,
                (px, frame.bottom + look.px(6.0)),
                label_type,
                align,
                Baseline::Top,
            )?;
        }
        look.write(
            area,
            axes::time_description(self.x_max),
            (
                (frame.left + frame.right) / 2.0,
                frame.bottom + look.px(26.0),
            ),
            label_type,
            Align::Center,
            Baseline::Top,
        )?;
        let unit = &self.unit;
        let unit_text = match (self.m.result.metric.kind, self.value_scale) {
            (Kind::Count, _) => format!(
                "{} in the steady window",
                if unit.is_empty() { "events" } else { unit }
            ),
            (_, ValueScale::Log { .. }) => format!("{unit} (log scale)"),
            _ => unit.clone(),
        };
        look.write(
            area,
            &unit_text,
            (frame.left, frame.top - look.px(6.0)),
            label_type,
            Align::Left,
            Baseline::Bottom,
        )?;
        axis_lines(area, frame, look.px(1.0))
    }

    /// The gate: a band from the baseline mean to the budget's limit, or a threshold line.
    fn gates<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<Vec<GutterLabel>, String> {
        let (look, frame) = (self.look, &self.frame);
        let mut labels = Vec::new();
        for g in &self.gates {
            let y = self.y_of(g.at);
            if let Some(from) = g.from {
                let y_from = self.y_of(from);
                fill(
                    area,
                    (
                        frame.x_px(self.steady_c.0.min(self.steady_b.0)),
                        y.min(y_from),
                    ),
                    (frame.right, y.max(y_from)),
                    GATE.mix(0.07),
                )?;
            }
            dashed(
                area,
                (frame.left, y),
                (frame.right, y),
                GATE.mix(0.9),
                look.px(1.5),
                look.px(9.0),
            )?;
            labels.push((y, g.label.clone(), GATE));
        }
        Ok(labels)
    }

    /// Both runs, thinned to what the pixels can show; counts' events as ticks; with
    /// several baseline runs their band (lowest to highest at each offset) under them.
    fn data<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (look, frame) = (self.look, &self.frame);
        self.band(area)?;
        let line = look.px(if self.compact { 1.6 } else { 2.0 });
        for (d, color) in [(&self.base, BASELINE), (&self.cand, CANDIDATE)] {
            for seg in d.line.segments() {
                let axis_point = |i: usize| {
                    let (x, v) = d.line.at(seg.start + i);
                    (x, self.value_scale.to_axis(v))
                };
                let pts: Vec<(f64, f64)> = thin_by(seg.len(), axis_point, frame)
                    .iter()
                    .map(|&(x, y)| frame.at(x, y))
                    .collect();
                run_line(area, &pts, color.to_rgba(), line)?;
            }
            let offset = if color == BASELINE { 0.0 } else { look.px(9.0) };
            // one tick a pixel column: a counter that moves at every step has as many
            // events as samples
            let mut columns: Vec<i32> = d.events.iter().map(|x| frame.x_px(*x) as i32).collect();
            columns.dedup();
            for px in columns {
                polyline(
                    area,
                    vec![
                        (px, (frame.bottom - offset) as i32),
                        (px, (frame.bottom - offset - look.px(8.0)) as i32),
                    ],
                    color.to_rgba(),
                    look.px(1.5),
                )?;
            }
        }
        Ok(())
    }

    /// The baseline runs' band: per pixel column the lowest low and highest high.
    fn band<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let band = &self.m.baseline.band;
        if band.is_empty() {
            return Ok(());
        }
        let frame = &self.frame;
        let mut columns: std::collections::BTreeMap<i64, (f64, f64)> = Default::default();
        for &(offset, lo, hi) in band {
            let x = frame.x_px(offset as f64 / 60_000.0).round() as i64;
            let (lo, hi) = (lo * self.scale, hi * self.scale);
            let cell = columns.entry(x).or_insert((lo, hi));
            cell.0 = cell.0.min(lo);
            cell.1 = cell.1.max(hi);
        }
        let mut polygon: Vec<(i32, i32)> = columns
            .iter()
            .map(|(x, (_, hi))| (*x as i32, self.y_of(*hi) as i32))
            .collect();
        polygon.extend(
            columns
                .iter()
                .rev()
                .map(|(x, (lo, _))| (*x as i32, self.y_of(*lo) as i32)),
        );
        area.draw(&Polygon::new(polygon, BASELINE.mix(0.16).filled()))
            .map_err(super::describe)
    }

    /// Level lines and trend lines; the labels they want in the gutter (counts: totals).
    fn levels<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<Vec<GutterLabel>, String> {
        let (look, frame) = (self.look, &self.frame);
        let mut labels = Vec::new();
        for (levels, trend) in [&self.levels_b, &self.levels_c] {
            if let Some(((xa, va), (xb, vb))) = trend {
                dashed(
                    area,
                    (frame.x_px(*xa), self.y_of(*va)),
                    (frame.x_px(*xb), self.y_of(*vb)),
                    INK.mix(0.8),
                    look.px(2.0),
                    look.px(10.0),
                )?;
            }
            for l in levels {
                let y = self.y_of(l.value);
                let ends = vec![
                    (frame.x_px(l.x0) as i32, y as i32),
                    (frame.x_px(l.x1) as i32, y as i32),
                ];
                if l.x1 > l.x0 && l.dashed {
                    dashed(
                        area,
                        (frame.x_px(l.x0), y),
                        (frame.x_px(l.x1), y),
                        INK.mix(0.75),
                        look.px(1.5),
                        look.px(5.0),
                    )?;
                    polyline(area, ends, l.color.mix(0.5), look.px(1.0))?;
                } else if l.x1 > l.x0 {
                    polyline(area, ends, INK.mix(0.85), look.px(2.5))?;
                }
                if let Some(label) = &l.label {
                    labels.push((y, label.clone(), l.color));
                }
            }
        }
        let r = &self.m.result;
        if r.metric.kind == Kind::Count && !self.no_events {
            for (d, side, color) in [
                (&self.base, &r.baseline, BASELINE),
                (&self.cand, &r.candidate, CANDIDATE),
            ] {
                if side.summary.is_some() {
                    labels.push((
                        self.y_of(d.total),
                        if self.compact {
                            text::value(&r.metric, side)
                        } else {
                            format!("{} in window", text::value(&r.metric, side))
                        },
                        color,
                    ));
                }
            }
        }
        Ok(labels)
    }

    /// Shifts: a dashed line with the size of the step, labels stacked at the top (one in
    /// an overview panel).
    fn shifts<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (look, frame) = (self.look, &self.frame);
        let r = &self.m.result;
        let mut row = 0.0;
        // Below the ceiling's note, which sits at the top or just under the ceiling.
        let first = match self.ceiling_note() {
            Some((_, (_, y), t)) => y + lettering::line_height(t) + look.px(2.0),
            _ => frame.top + look.px(4.0),
        };
        for (side, color) in [(&r.baseline, BASELINE), (&r.candidate, CANDIDATE)] {
            for s in &side.shifts {
                let x = frame.x_px(s.offset_seconds / 60.0);
                dashed(
                    area,
                    (x, frame.top),
                    (x, frame.bottom),
                    color.mix(0.9),
                    look.px(2.0),
                    look.px(6.0),
                )?;
                if self.compact && row >= 1.0 {
                    continue;
                }
                let label = format!(
                    "shift {} at {}",
                    s.relative.map_or("from 0".into(), units::change),
                    axes::time_label(s.offset_seconds / 60.0, self.x_max.max(91.0))
                );
                let t = look.text(FONT, true, color);
                let (w, h) = (lettering::width(&label, t), lettering::line_height(t));
                let right_side = x + w + look.px(6.0) < frame.right;
                let left = if right_side {
                    x + look.px(5.0)
                } else {
                    x - look.px(5.0) - w
                };
                let top = first + row * h;
                fill(
                    area,
                    (left - look.px(2.0), top),
                    (left + w + look.px(2.0), top + h),
                    WHITE.mix(0.85),
                )?;
                look.write(area, &label, (left, top), t, Align::Left, Baseline::Top)?;
                row += 1.0;
            }
        }
        Ok(())
    }

    /// The labels right of the data, spread so none overlaps, each with a leader to its line.
    fn gutter<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        labels: &[GutterLabel],
    ) -> Result<(), String> {
        let (look, frame) = (self.look, &self.frame);
        let size = if self.compact { 14.0 } else { FONT };
        let line = lettering::line_height(look.text(size, true, INK));
        let gap = line + look.px(2.0);
        // A label too long for the gutter takes two lines.
        let room = look.px(self.gutter - 12.0);
        let texts: Vec<Vec<String>> = labels
            .iter()
            .map(|(_, label, color)| {
                two_lines(label, look.text(size, *color != GATE, *color), room)
            })
            .collect();
        let ys: Vec<f64> = labels.iter().map(|l| l.0).collect();
        let sizes: Vec<f64> = texts
            .iter()
            .map(|t| t.len() as f64 * line + look.px(2.0))
            .collect();
        let placed = spread_sized(&ys, &sizes, frame.top + gap / 2.0, frame.bottom - gap / 2.0);
        for (((want, _, color), y), lines) in labels.iter().zip(placed).zip(&texts) {
            let t = look.text(size, *color != GATE, *color);
            polyline(
                area,
                vec![
                    (frame.right as i32, *want as i32),
                    ((frame.right + look.px(6.0)) as i32, y as i32),
                ],
                color.mix(0.6),
                look.px(1.0),
            )?;
            let first = y - (lines.len() as f64 - 1.0) * line / 2.0;
            for (k, text) in lines.iter().enumerate() {
                look.write(
                    area,
                    text,
                    (frame.right + look.px(9.0), first + k as f64 * line),
                    t,
                    Align::Left,
                    Baseline::Middle,
                )?;
            }
        }
        Ok(())
    }

    /// Says so when a run has no data, or a count no events.
    fn message<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let message = if self.no_events {
            let what = if self.unit.is_empty() {
                "events"
            } else {
                &self.unit
            };
            format!("no {what} in either run's steady window")
        } else {
            match (self.base.line.is_empty(), self.cand.line.is_empty()) {
                (true, true) => "no data in either run".to_string(),
                (true, false) => "no data in the baseline".to_string(),
                (false, true) => "no data in the candidate".to_string(),
                _ => return Ok(()),
            }
        };
        let frame = &self.frame;
        self.look.write(
            area,
            &message,
            (
                (frame.left + frame.right) / 2.0,
                (frame.top + frame.bottom) / 2.0,
            ),
            self.look
                .text(if self.compact { 17.0 } else { 21.0 }, true, NO_DATA),
            Align::Center,
            Baseline::Middle,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_read_from_the_samples_in_display_units_with_gaps_apart() {
        let samples: crate::series::Points = vec![
            (60_000, 1.0),
            (120_000, f64::NAN),
            (180_000, 2.0),
            (240_000, 3.0),
            (300_000, f64::INFINITY),
        ]
        .into();
        let line = Line::Samples {
            points: samples.as_slice(),
            start_ms: 0,
            scale: 1000.0,
        };
        assert_eq!(line.len(), 5);
        assert_eq!(line.at(3), (4.0, 3000.0));
        assert_eq!(line.segments(), vec![0..1, 2..4]);
        let made = Line::Made(vec![(0.0, f64::NAN), (1.0, 1.0), (2.0, 2.0)]);
        assert_eq!(made.segments(), vec![1..3]);
        assert!(Line::Made(Vec::new()).segments().is_empty());
    }
}
