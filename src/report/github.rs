//! GitHub Actions workflow commands: `::error` / `::warning` annotations for failed and
//! inconclusive metrics (at most ten, as GitHub shows no more per step), so they appear on
//! the run's summary and the pull request.

use super::text::{self, verdict_label};
use super::Report;
use crate::compare::Verdict;

/// At most this many annotations.
pub const MAX_ANNOTATIONS: usize = 10;

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotations, one per line; a last notice when more metrics would have had one.
pub fn annotations(report: &Report) -> String {
    let mut lines = Vec::new();
    let flagged: Vec<_> = report
        .metrics
        .iter()
        .filter_map(|m| {
            let level = match m.result.verdict? {
                Verdict::Fail | Verdict::NoData if !m.result.metric.optional => "error",
                Verdict::Inconclusive => "warning",
                _ => return None,
            };
            Some((level, m))
        })
        .collect();
    for (level, m) in flagged.iter().take(MAX_ANNOTATIONS) {
        let r = &m.result;
        let title = format!(
            "benchcmp {}: {}",
            r.metric.id,
            r.verdict.map_or("", verdict_label)
        );
        let message = format!(
            "{} — change {} (gate {}): {}",
            r.metric.title,
            text::change(r),
            r.gate.as_ref().map_or("-", |g| g.text.as_str()),
            text::findings(r).join("; ")
        );
        lines.push(format!(
            "::{level} title={}::{}",
            property(&title),
            data(&message)
        ));
    }
    if flagged.len() > MAX_ANNOTATIONS {
        lines.push(format!(
            "::notice title=benchcmp::{} more metrics failed or were inconclusive; see the step summary",
            flagged.len() - MAX_ANNOTATIONS
        ));
    }
    let mut out = lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}
