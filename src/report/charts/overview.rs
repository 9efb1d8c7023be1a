//! The overview: up to eight panels — failed metrics (and required ones without data) first,
//! the headline metrics among them first and then the largest changes, then the
//! inconclusive ones and those that changed most — each titled with its change and verdict,
//! sized to stay legible at the width a pull request shows. Failures beyond eight are named
//! under the title.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::lettering::{self, Align, Baseline};
use super::{legend, metric, verdict_color, ChartFormat, ChartOptions, Look};
use crate::compare::Verdict;
use crate::report::text::verdict_label;
use crate::report::{MetricReport, Report};

/// Headline metrics of the default pack: first within each group of panels, and shown when
/// nothing else needs the room.
pub const HEADLINE: [&str; 6] = [
    "throughput",
    "latency_p99",
    "backpressure",
    "restarts",
    "rejections",
    "worker_memory",
];

const WIDTH: f64 = 1000.0;
const PANEL: f64 = 390.0;
const HEAD: f64 = 96.0;

/// The most panels an overview shows.
pub const PANELS: usize = 8;

/// What the choice of panels looks at in one metric.
#[derive(Debug, Clone, Copy)]
struct Candidate<'a> {
    id: &'a str,
    verdict: Option<Verdict>,
    optional: bool,
    /// The size of the change (direction-adjusted regression), when there is one.
    change: Option<f64>,
}

/// Panel order, as indexes into `metrics`: every failed metric and every required one
/// without data, then inconclusive ones, then the largest changes, then the rest —
/// headline metrics first within the failed and the inconclusive, then the largest
/// changes, the pack's order after that; the whole order (the first [`PANELS`] are drawn).
fn order(metrics: &[Candidate]) -> Vec<usize> {
    let failed = |m: &Candidate| match m.verdict {
        Some(Verdict::Fail) => true,
        Some(Verdict::NoData) => !m.optional,
        _ => false,
    };
    let group = |m: &Candidate| {
        if failed(m) {
            0
        } else if m.verdict == Some(Verdict::Inconclusive) {
            1
        } else if m.change.is_some_and(f64::is_finite) {
            2
        } else {
            3
        }
    };
    let headline = |m: &Candidate| !HEADLINE.contains(&m.id);
    let mut out: Vec<usize> = (0..metrics.len()).collect();
    let size = |m: &Candidate| m.change.filter(|c| c.is_finite()).map_or(0.0, f64::abs);
    out.sort_by(|&a, &b| {
        let (x, y) = (&metrics[a], &metrics[b]);
        group(x).cmp(&group(y)).then_with(|| {
            if group(x) == 2 {
                size(y).total_cmp(&size(x))
            } else {
                headline(x)
                    .cmp(&headline(y))
                    .then_with(|| size(y).total_cmp(&size(x)))
            }
        })
    });
    out
}

/// The panels, in order (see [`order`]), at most [`PANELS`].
pub fn chosen(report: &Report) -> Vec<&MetricReport> {
    let mut all = ranked(report);
    all.truncate(PANELS);
    all
}

/// Every metric in the order of [`order`].
fn ranked(report: &Report) -> Vec<&MetricReport> {
    let candidates: Vec<Candidate> = report
        .metrics
        .iter()
        .map(|m| Candidate {
            id: &m.result.metric.id,
            verdict: m.result.verdict,
            optional: m.result.metric.optional,
            change: m.result.change.and_then(|c| c.regression),
        })
        .collect();
    order(&candidates)
        .into_iter()
        .map(|i| &report.metrics[i])
        .collect()
}

pub fn write(path: &Path, report: &Report, options: &ChartOptions) -> crate::error::Result<()> {
    let panels = chosen(report);
    let rows = panels.len().div_ceil(2).max(1);
    let whole_pixels = |v: f64| (v * options.scale).fract() == 0.0;
    let top = |row: usize| HEAD + row as f64 * PANEL;
    if options.format == ChartFormat::Png && whole_pixels(HEAD) && whole_pixels(PANEL) {
        // The head, then a band for each row of panels (the same pixels as one canvas).
        let bands: Vec<f64> = std::iter::once(HEAD)
            .chain(std::iter::repeat_n(PANEL, rows))
            .collect();
        return super::band::paint_bands(path, WIDTH, &bands, options.scale, |area, look, band| {
            match band {
                0 => head(area, look, report),
                _ => panel_row(
                    area,
                    look,
                    report,
                    options,
                    &panels,
                    band - 1,
                    top(band - 1),
                ),
            }
        });
    }
    let height = HEAD + PANEL * rows as f64;
    super::with_backend!(
        path,
        (WIDTH as u32, height as u32),
        options,
        |area, look| {
            head(&area, look, report)?;
            for row in 0..rows {
                panel_row(&area, look, report, options, &panels, row, top(row))?;
            }
            Ok::<(), String>(())
        }
    )
}

/// The title (the overall verdict and how many metrics need attention) and the legend.
fn head<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    report: &Report,
) -> Result<(), String> {
    let verdict = report.verdict();
    let attention = report
        .metrics
        .iter()
        .filter(|m| match m.result.verdict {
            Some(Verdict::Fail | Verdict::Inconclusive) => true,
            Some(Verdict::NoData) => !m.result.metric.optional,
            _ => false,
        })
        .count();
    look.write(
        area,
        &format!(
            "{} vs {} — overall {} ({} of {} gated {} {} attention)",
            report.candidate.name,
            report.baseline.newest().name,
            verdict_label(verdict),
            attention,
            report.overall.gated,
            if report.overall.gated == 1 {
                "metric"
            } else {
                "metrics"
            },
            if attention == 1 { "needs" } else { "need" }
        ),
        (look.px(16.0), look.px(12.0)),
        look.text(21.0, true, verdict_color(Some(verdict))),
        Align::Left,
        Baseline::Top,
    )?;
    // Failures the panels leave out are named.
    let left_out: Vec<&str> = ranked(report)
        .into_iter()
        .skip(PANELS)
        .filter(|m| {
            m.result.verdict == Some(Verdict::Fail)
                || (m.result.verdict == Some(Verdict::NoData) && !m.result.metric.optional)
        })
        .map(|m| m.result.metric.id.as_str())
        .collect();
    if !left_out.is_empty() {
        let t = look.text(14.0, false, super::MUTED);
        let note = format!(
            "not shown here (see summary.png and their own charts): {}",
            left_out.join(", ")
        );
        look.write(
            area,
            &lettering::fit(&note, t, look.px(WIDTH - 32.0)),
            (look.px(16.0), look.px(40.0)),
            t,
            Align::Left,
            Baseline::Top,
        )?;
    }
    legend(area, look, report, (look.px(16.0), look.px(64.0)))
}

/// Row `row` of the panels (two to a row), its top at `top`.
fn panel_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    report: &Report,
    options: &ChartOptions,
    panels: &[&MetricReport],
    row: usize,
    top: f64,
) -> Result<(), String> {
    for (col, m) in panels.iter().skip(2 * row).take(2).enumerate() {
        let x0 = col as f64 * WIDTH / 2.0;
        metric::draw(
            area,
            look,
            m,
            report,
            options,
            (x0, top, x0 + WIDTH / 2.0, top + PANEL),
            true,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &'static str, verdict: Verdict, change: Option<f64>) -> Candidate<'static> {
        Candidate {
            id,
            verdict: Some(verdict),
            optional: false,
            change,
        }
    }

    fn ids<'a>(metrics: &[Candidate<'a>]) -> Vec<&'a str> {
        order(metrics).into_iter().map(|i| metrics[i].id).collect()
    }

    #[test]
    fn failures_come_first_and_the_overview_stops_at_eight() {
        // rest-run-2: more failures than panels, CPU throttling last in the pack
        let mut metrics: Vec<Candidate> = [
            "throughput",
            "created",
            "latency_p50",
            "latency_p99",
            "latency_mean",
            "job_completion",
            "job_push",
            "job_timeouts",
            "rejections",
        ]
        .into_iter()
        .map(|id| candidate(id, Verdict::Fail, Some(0.7)))
        .collect();
        metrics.push(candidate("backpressure", Verdict::Pass, Some(0.0)));
        metrics.push(candidate("cpu_throttling", Verdict::Fail, Some(9.0)));
        let mut chosen = ids(&metrics);
        // headline metrics lead the failures, then the largest change
        assert_eq!(
            &chosen[..4],
            ["throughput", "latency_p99", "rejections", "cpu_throttling"]
        );
        chosen.truncate(PANELS);
        assert!(!chosen.contains(&"backpressure"), "{chosen:?}");
    }

    #[test]
    fn room_left_goes_to_inconclusive_then_the_largest_changes() {
        let mut metrics = vec![
            candidate("a", Verdict::Pass, Some(0.01)),
            candidate("b", Verdict::Pass, Some(-0.30)),
            candidate("c", Verdict::Inconclusive, Some(0.02)),
            candidate("d", Verdict::Pass, None),
            candidate("e", Verdict::Fail, Some(0.5)),
            candidate("f", Verdict::Pass, Some(0.05)),
            Candidate {
                optional: true,
                ..candidate("g", Verdict::NoData, None)
            },
            candidate("h", Verdict::NoData, None),
        ];
        assert_eq!(ids(&metrics), ["e", "h", "c", "b", "f", "a", "d", "g"]);
        for i in 0..4 {
            metrics.push(candidate(
                ["p", "q", "r", "s"][i],
                Verdict::Pass,
                Some(0.001),
            ));
        }
        let chosen = ids(&metrics);
        assert_eq!(&chosen[..6], ["e", "h", "c", "b", "f", "a"]);
    }
}
