//! The overview: up to eight panels chosen by relevance — failed, without data and
//! inconclusive metrics first, then the pack's headline metrics — each titled with its
//! change and verdict, sized to stay legible at the width a pull request shows.

use std::path::Path;

use super::lettering::{Align, Baseline};
use super::{legend, metric, verdict_color, ChartOptions};
use crate::compare::Verdict;
use crate::report::text::verdict_label;
use crate::report::{MetricReport, Report};

/// Headline metrics of the default pack: first among those needing attention, and shown
/// when fewer than eight metrics need it.
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

/// At most this many panels.
pub const PANELS: usize = 8;

/// The panels, in order: what needs attention (headline metrics among them first), then
/// the headline metrics, then the rest.
pub fn chosen(report: &Report) -> Vec<&MetricReport> {
    let attention = |m: &&MetricReport| match m.result.verdict {
        Some(Verdict::Fail) | Some(Verdict::Inconclusive) => true,
        Some(Verdict::NoData) => !m.result.metric.optional,
        _ => false,
    };
    let headline = |m: &&MetricReport| HEADLINE.contains(&m.result.metric.id.as_str());
    let mut out: Vec<&MetricReport> = report
        .metrics
        .iter()
        .filter(|m| attention(m) && headline(m))
        .collect();
    for m in report
        .metrics
        .iter()
        .filter(|m| attention(m) && !headline(m))
    {
        out.push(m);
    }
    for id in HEADLINE {
        if let Some(m) = report.metrics.iter().find(|m| m.result.metric.id == id) {
            if !out.iter().any(|c| c.result.metric.id == id) {
                out.push(m);
            }
        }
    }
    for m in &report.metrics {
        if !out.iter().any(|c| c.result.metric.id == m.result.metric.id) {
            out.push(m);
        }
    }
    out.truncate(PANELS);
    out
}

pub fn write(path: &Path, report: &Report, options: &ChartOptions) -> crate::error::Result<()> {
    let panels = chosen(report);
    let rows = panels.len().div_ceil(2).max(1);
    let height = HEAD + PANEL * rows as f64;
    super::with_backend!(
        path,
        (WIDTH as u32, height as u32),
        options,
        |area, look| {
            let verdict = report.verdict();
            let attention = report
                .metrics
                .iter()
                .filter(|m| {
                    matches!(
                        m.result.verdict,
                        Some(Verdict::Fail | Verdict::Inconclusive)
                    )
                })
                .count();
            look.write(
                &area,
                &format!(
                    "{} vs {} — overall {} ({} of {} gated metrics need attention)",
                    report.candidate.name,
                    report.baseline.newest().name,
                    verdict_label(verdict),
                    attention,
                    report.overall.gated
                ),
                (look.px(16.0), look.px(12.0)),
                look.text(21.0, true, verdict_color(Some(verdict))),
                Align::Left,
                Baseline::Top,
            )?;
            legend(
                &area,
                look,
                report,
                (look.px(16.0), look.px(64.0)),
                15.0,
                report.baseline.newest().warmup_ms > 0,
            )?;
            for (i, m) in panels.iter().enumerate() {
                let (col, row) = ((i % 2) as f64, (i / 2) as f64);
                let x0 = col * WIDTH / 2.0;
                let y0 = HEAD + row * PANEL;
                metric::draw(
                    &area,
                    look,
                    m,
                    report,
                    options,
                    (x0, y0, x0 + WIDTH / 2.0, y0 + PANEL),
                    true,
                )?;
            }
            Ok::<(), String>(())
        }
    )
}
