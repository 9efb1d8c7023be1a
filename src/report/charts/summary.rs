//! The summary chart: every gated metric at a glance. Relative gates on one log-ratio axis
//! (candidate ÷ baseline), so a ×343 rise and a −5% drop both fit with their intervals,
//! each against its budget; absolute gates in a second section, each against its bound in
//! its own unit. Bounds keep their `≥`; the change text is the one every report uses.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::lettering::{self, Align, Baseline};
use super::{fill, polyline, verdict_color, ChartOptions, Look, GATE, GRID, INK, MUTED};
use crate::compare::{Bound, Verdict};
use crate::gate::Clause;
use crate::pack::Better;
use crate::report::text::{self, verdict_label};
use crate::report::{MetricReport, Report};
use crate::units;

const WIDTH: f64 = 1200.0;
const ROW: f64 = 40.0;

/// A relative row: ratios candidate ÷ baseline.
struct RelativeRow<'a> {
    m: &'a MetricReport,
    ratio: Option<(f64, f64, f64)>,
    limit: Option<f64>,
    /// The change is a bound: `Some(true)` at least, `Some(false)` at most.
    at_least: Option<bool>,
}

/// An absolute row: one clause's estimate against its bound.
struct AbsoluteRow<'a> {
    m: &'a MetricReport,
    rule: String,
    estimate: f64,
    low: f64,
    high: f64,
    bound: f64,
    verdict: crate::compare::Verdict,
    prefix: &'static str,
}

impl AbsoluteRow<'_> {
    /// The statistic with its rule, as the row shows it.
    fn shown(&self) -> String {
        format!(
            "{}{} ({})",
            self.prefix,
            units::format_value(self.estimate, &self.m.result.metric.unit),
            self.rule
        )
    }
}

/// The type of an absolute row's text.
fn absolute_type(look: Look) -> lettering::Type {
    look.text(15.0, false, INK)
}

fn rows(report: &Report) -> (Vec<RelativeRow<'_>>, Vec<AbsoluteRow<'_>>) {
    let mut relative = Vec::new();
    let mut absolute = Vec::new();
    for m in report.metrics.iter().filter(|m| m.result.verdict.is_some()) {
        let r = &m.result;
        let Some(gate) = &r.gate else { continue };
        let budget = gate.regression_budget();
        if budget.is_some() || gate.clauses.is_empty() {
            let ratio = r.change.as_ref().and_then(|c| {
                Some((
                    1.0 + c.relative?,
                    1.0 + c.relative_low.unwrap_or(c.relative?),
                    1.0 + c.relative_high.unwrap_or(c.relative?),
                ))
            });
            let bound = r
                .change
                .as_ref()
                .map_or(Bound::Exact, |c| match r.metric.better {
                    Better::Lower => c.bound,
                    Better::Higher => c.bound.flipped(),
                });
            relative.push(RelativeRow {
                m,
                ratio,
                limit: budget.map(|b| match r.metric.better {
                    Better::Higher => 1.0 - b,
                    Better::Lower => 1.0 + b,
                }),
                at_least: match bound {
                    Bound::AtLeast => Some(true),
                    Bound::AtMost => Some(false),
                    _ => None,
                },
            });
        }
        for (clause, result) in gate.clauses.iter().zip(&r.clauses) {
            if let Clause::Absolute { stat, op, bound } = clause {
                let (Some(e), low, high) = (result.estimate, result.low, result.high) else {
                    continue;
                };
                absolute.push(AbsoluteRow {
                    m,
                    rule: format!(
                        "{} {} {}",
                        stat.name(),
                        op.symbol(),
                        units::format_value(*bound, &r.metric.unit)
                    ),
                    estimate: e,
                    low: low.unwrap_or(e),
                    high: high.unwrap_or(e),
                    bound: *bound,
                    verdict: result.verdict,
                    prefix: text::bound_prefix(result.bound),
                });
            }
        }
    }
    (relative, absolute)
}

pub fn write(path: &Path, report: &Report, options: &ChartOptions) -> crate::error::Result<()> {
    let (relative, absolute) = rows(report);
    let height = 118.0
        + ROW * relative.len().max(1) as f64
        + 60.0
        + if absolute.is_empty() {
            0.0
        } else {
            56.0 + ROW * absolute.len() as f64
        };
    super::with_backend!(
        path,
        (WIDTH as u32, height as u32),
        options,
        |area, look| draw(&area, look, report, &relative, &absolute)
    )
}

/// A row's stripe (every other row) and its metric id, right-aligned before `left`.
fn row_start<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    i: usize,
    cy: f64,
    id: &str,
    left: f64,
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    if i % 2 == 0 {
        fill(
            area,
            (px(16.0), cy - px(ROW / 2.0)),
            (px(WIDTH - 16.0), cy + px(ROW / 2.0)),
            RGBColor(248, 248, 248).to_rgba(),
        )?;
    }
    look.write(
        area,
        id,
        (px(left - 14.0), cy),
        look.text(16.0, false, INK),
        Align::Right,
        Baseline::Middle,
    )
}

/// A gate's limit as a tick across the row at pixel `x`.
fn limit_tick<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    x: f64,
    cy: f64,
) -> Result<(), String> {
    polyline(
        area,
        vec![
            (x as i32, (cy - look.px(14.0)) as i32),
            (x as i32, (cy + look.px(14.0)) as i32),
        ],
        GATE.to_rgba(),
        look.px(3.0),
    )
}

/// An estimate: its interval as a bar from `low` to `high` and a dot at `at` (pixels).
fn estimate<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    (low, at, high): (f64, f64, f64),
    cy: f64,
    color: RGBColor,
) -> Result<(), String> {
    fill(
        area,
        (low, cy - look.px(7.0)),
        (high.max(low + look.px(2.0)), cy + look.px(7.0)),
        color.mix(0.35),
    )?;
    area.draw(&Circle::new(
        (at as i32, cy as i32),
        look.px(6.5) as i32,
        color.filled(),
    ))
    .map_err(super::describe)
}

/// Ratio ticks for a log axis between `lo` and `hi` (ratios).
fn ratio_ticks(lo: f64, hi: f64) -> Vec<f64> {
    [
        0.01, 0.1, 0.5, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 5.0, 10.0, 100.0, 1000.0, 10000.0,
    ]
    .into_iter()
    .filter(|r| *r >= lo && *r <= hi)
    .collect()
}

fn ratio_label(r: f64) -> String {
    if r >= 10.0 {
        format!("×{}", units::number(r))
    } else {
        let p = (r - 1.0) * 100.0;
        if p == 0.0 {
            "0".into()
        } else {
            format!("{p:+.0}%")
        }
    }
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    report: &Report,
    relative: &[RelativeRow],
    absolute: &[AbsoluteRow],
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    let verdict = report.verdict();
    look.write(
        area,
        &format!(
            "{} vs {}: every gated metric — overall {}",
            report.candidate.name,
            report.baseline.newest().name,
            verdict_label(verdict)
        ),
        (px(20.0), px(14.0)),
        look.text(23.0, true, verdict_color(Some(verdict))),
        Align::Left,
        Baseline::Top,
    )?;
    let columns = Columns::of(look, report, relative, absolute);
    let rows_bottom = relative_section(area, look, report, relative, &columns)?;
    absolute_section(area, look, absolute, &columns, rows_bottom + 60.0)
}

/// Where the parts of a row go, in unscaled pixels: the plot from `left` to `right`, then
/// the change or statistic at `change_x` and the verdict ending at `verdict_x`.
struct Columns {
    left: f64,
    right: f64,
    change_x: f64,
    verdict_x: f64,
}

impl Columns {
    /// `(left, right, change_x, verdict_x)`.
    fn parts(&self) -> (f64, f64, f64, f64) {
        (self.left, self.right, self.change_x, self.verdict_x)
    }

    /// The text column as wide as the widest change or statistic with its rule, then the
    /// verdict; the plot takes what is left.
    fn of(
        look: Look,
        report: &Report,
        relative: &[RelativeRow],
        absolute: &[AbsoluteRow],
    ) -> Columns {
        let label = look.text(16.0, false, INK);
        let ids_w = report
            .metrics
            .iter()
            .map(|m| lettering::width(&m.result.metric.id, label) / look.scale)
            .fold(0.0, f64::max);
        let left = 20.0 + ids_w + 16.0;
        // The text column: as wide as the widest change or statistic with its rule, then the
        // verdict; the plot takes what is left.
        let verdict_w = [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::Inconclusive,
            Verdict::NoData,
        ]
        .into_iter()
        .filter(|v| {
            relative.iter().any(|r| r.m.result.verdict == Some(*v))
                || absolute.iter().any(|a| a.verdict == *v)
        })
        .map(|v| lettering::width(verdict_label(v), look.text(16.0, true, INK)) / look.scale)
        .fold(0.0, f64::max);
        let texts_w = relative
            .iter()
            .map(|r| lettering::width(&text::change(&r.m.result), label))
            .chain(
                absolute
                    .iter()
                    .map(|a| lettering::width(&a.shown(), absolute_type(look))),
            )
            .fold(0.0, f64::max)
            / look.scale;
        let verdict_x = WIDTH - 20.0;
        let change_x = (verdict_x - verdict_w - 16.0 - texts_w).min(WIDTH - 310.0);
        let right = change_x - 20.0;
        Columns {
            left,
            right,
            change_x,
            verdict_x,
        }
    }
}

/// Section 1: relative changes on a log-ratio axis; where its rows end.
fn relative_section<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    report: &Report,
    relative: &[RelativeRow],
    columns: &Columns,
) -> Result<f64, String> {
    let px = |v: f64| look.px(v);
    let (small, label) = (look.text(15.0, false, MUTED), look.text(16.0, false, INK));
    let (left, right, change_x, verdict_x) = columns.parts();
    let mut y = 60.0;
    look.write(
        area,
        &format!(
            "Change of the candidate against the budget ({:.0}% intervals, log scale)",
            report.confidence * 100.0
        ),
        (px(20.0), px(y)),
        look.text(17.0, true, INK),
        Align::Left,
        Baseline::Top,
    )?;
    y += 30.0;
    let clamp = |r: f64| r.clamp(0.01, 20000.0);
    let mut lo: f64 = 0.9;
    let mut hi: f64 = 1.1;
    for row in relative {
        if let Some((e, l, h)) = row.ratio {
            for v in [e, l, h] {
                lo = lo.min(clamp(v));
                hi = hi.max(clamp(v));
            }
        }
        if let Some(l) = row.limit {
            lo = lo.min(clamp(l));
            hi = hi.max(clamp(l));
        }
    }
    // Room on the right for the arrow of a bound.
    let arrow = relative.iter().any(|r| r.at_least == Some(true));
    let (a, b) = (
        (lo / 1.15).log10(),
        (hi * if arrow { 2.5 } else { 1.15 }).log10(),
    );
    let x_of = |r: f64| px(left) + (clamp(r).log10() - a) / (b - a) * px(right - left);
    let rows_top = y;
    let rows_bottom = y + ROW * relative.len().max(1) as f64;
    ratio_axis(
        area,
        look,
        (10f64.powf(a), 10f64.powf(b)),
        &x_of,
        (rows_top, rows_bottom),
    )?;
    look.write(
        area,
        "candidate ÷ baseline of the mean (total for counts); bar: interval, dot: estimate, | : budget",
        (px((left + right) / 2.0), px(rows_bottom + 28.0)),
        small,
        Align::Center,
        Baseline::Top,
    )?;
    for (i, row) in relative.iter().enumerate() {
        let r = &row.m.result;
        let cy = px(rows_top + ROW * (i as f64 + 0.5));
        let color = verdict_color(r.verdict);
        row_start(area, look, i, cy, &r.metric.id, left)?;
        if let Some(l) = row.limit {
            limit_tick(area, look, x_of(l), cy)?;
        }
        match row.ratio {
            Some((e, l, h)) => {
                let x = x_of(e);
                estimate(area, look, (x_of(l), x, x_of(h)), cy, color)?;
                if let Some(up) = row.at_least {
                    bound_arrow(area, look, (x, cy), up, color)?;
                }
            }
            None => {
                look.write(
                    area,
                    "no relative change (zero or missing baseline)",
                    (px(left + 8.0), cy),
                    small,
                    Align::Left,
                    Baseline::Middle,
                )?;
            }
        }
        look.write(
            area,
            &text::change(r),
            (px(change_x), cy),
            label,
            Align::Left,
            Baseline::Middle,
        )?;
        look.write(
            area,
            r.verdict.map_or("-", verdict_label),
            (px(verdict_x), cy),
            look.text(16.0, true, color),
            Align::Right,
            Baseline::Middle,
        )?;
    }
    Ok(rows_bottom)
}

/// Grid and tick labels of the ratio axis over `range`, thinned so labels never touch: no
/// change (1) first, then the others from the closest to it outwards.
fn ratio_axis<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    range: (f64, f64),
    x_of: &dyn Fn(f64) -> f64,
    (rows_top, rows_bottom): (f64, f64),
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    let small = look.text(15.0, false, MUTED);
    let mut ticks = ratio_ticks(range.0, range.1);
    ticks.sort_by(|p, q| p.ln().abs().total_cmp(&q.ln().abs()));
    let mut taken: Vec<(f64, f64)> = Vec::new();
    for r in ticks {
        let x = x_of(r);
        let text = ratio_label(r);
        let w = lettering::width(&text, small);
        let (from, to) = (x - w / 2.0, x + w / 2.0);
        if taken
            .iter()
            .any(|(l, h)| from < h + px(10.0) && to > l - px(10.0))
        {
            continue;
        }
        taken.push((from, to));
        let color = if r == 1.0 {
            INK.mix(0.6)
        } else {
            GRID.to_rgba()
        };
        polyline(
            area,
            vec![
                (x as i32, px(rows_top) as i32),
                (x as i32, px(rows_bottom) as i32),
            ],
            color,
            px(1.0),
        )?;
        look.write(
            area,
            &text,
            (x, px(rows_bottom + 6.0)),
            small,
            Align::Center,
            Baseline::Top,
        )?;
    }
    Ok(())
}

/// The true change lies beyond the dot at `(x, cy)`: an arrow that way (`up`: larger).
fn bound_arrow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    (x, cy): (f64, f64),
    up: bool,
    color: RGBColor,
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    let d = if up { 1.0 } else { -1.0 };
    let tip = x + d * px(22.0);
    polyline(
        area,
        vec![(x as i32, cy as i32), (tip as i32, cy as i32)],
        color.to_rgba(),
        px(2.5),
    )?;
    area.draw(&Polygon::new(
        vec![
            (tip as i32, (cy - px(6.0)) as i32),
            ((tip + d * px(9.0)) as i32, cy as i32),
            (tip as i32, (cy + px(6.0)) as i32),
        ],
        color.filled(),
    ))
    .map_err(super::describe)
}

/// Section 2: absolute gates from `top`, each on its own scale in its own unit.
fn absolute_section<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    absolute: &[AbsoluteRow],
    columns: &Columns,
    top: f64,
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    let (left, right, change_x, verdict_x) = columns.parts();
    if absolute.is_empty() {
        return Ok(());
    }
    let mut y = top;
    look.write(
        area,
        "Absolute gates: the candidate's statistic against its bound (own scale per row)",
        (px(20.0), px(y)),
        look.text(17.0, true, INK),
        Align::Left,
        Baseline::Top,
    )?;
    y += 30.0;
    for (i, row) in absolute.iter().enumerate() {
        let r = &row.m.result;
        let cy = px(y + ROW * (i as f64 + 0.5));
        let color = verdict_color(Some(row.verdict));
        row_start(area, look, i, cy, &r.metric.id, left)?;
        let top = [
            row.bound,
            row.high,
            row.estimate,
            if row.bound == 0.0 { 1.0 } else { 0.0 },
        ]
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
            * 1.3;
        let bottom = row.low.min(0.0);
        let x_of = |v: f64| px(left) + (v - bottom) / (top - bottom).max(1e-12) * px(right - left);
        polyline(
            area,
            vec![(px(left) as i32, cy as i32), (px(right) as i32, cy as i32)],
            GRID.to_rgba(),
            px(1.0),
        )?;
        let xb = x_of(row.bound);
        limit_tick(area, look, xb, cy)?;
        look.write(
            area,
            &units::format_value(row.bound, &r.metric.unit),
            (xb + px(5.0), cy - px(5.0)),
            look.text(13.0, false, MUTED),
            Align::Left,
            Baseline::Bottom,
        )?;
        estimate(
            area,
            look,
            (x_of(row.low), x_of(row.estimate), x_of(row.high)),
            cy,
            color,
        )?;
        look.write(
            area,
            &row.shown(),
            (px(change_x), cy),
            absolute_type(look),
            Align::Left,
            Baseline::Middle,
        )?;
        look.write(
            area,
            verdict_label(row.verdict),
            (px(verdict_x), cy),
            look.text(16.0, true, color),
            Align::Right,
            Baseline::Middle,
        )?;
    }
    Ok(())
}
