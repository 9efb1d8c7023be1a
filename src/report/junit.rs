//! JUnit XML for CI test reporters (valid against the Jenkins xunit junit-10.xsd, which
//! GitLab and most readers accept): one `testsuite` per comparison, one `testcase` per
//! metric. Names stay the same across pipelines so test history can follow a metric: the
//! suite and class are `benchcmp.<pack>`, the test is the metric id; run names and windows
//! are properties. Fail and no data are failures; inconclusive is a failure too (a
//! pipeline fails closed), skipped only with `--accept-inconclusive`; an optional metric
//! without data is skipped. A failed metric's chart is attached (`[[ATTACHMENT|path]]`).

use std::fmt::Write;

use super::escape_markup as escape;
use super::text::{self, verdict_label};
use super::{MetricReport, Report};
use crate::compare::Verdict;
use crate::config::format_time;

/// Seconds as JUnit writes them (`12.345`).
fn seconds(s: f64) -> String {
    format!("{:.3}", s.max(0.0))
}

fn details(m: &MetricReport, report: &Report) -> String {
    let r = &m.result;
    let mut text = format!(
        "baseline {}: {}\ncandidate {}: {}\nchange [{:.0}% CI]: {}\ngate: {}\nreason: {}\n",
        report.baseline.newest().name,
        text::value(&r.metric, &r.baseline),
        report.candidate.name,
        text::value(&r.metric, &r.candidate),
        report.confidence * 100.0,
        text::change(r),
        r.gate.as_ref().map_or("-", |g| g.text.as_str()),
        text::reasons(r)
    );
    for (label, q) in [
        ("baseline query", &m.baseline.query),
        ("candidate query", &m.candidate.query),
    ] {
        if let Some(q) = q {
            text.push_str(&format!("{label}: {}\n", crate::source::one_line(q)));
        }
    }
    text
}

/// What a test case is, for JUnit.
enum Status {
    Passed,
    Failed { kind: &'static str },
    Skipped { why: &'static str },
}

fn status(m: &MetricReport, report: &Report) -> Status {
    match m.result.verdict {
        None | Some(Verdict::Pass) => Status::Passed,
        Some(Verdict::NoData) if m.result.metric.optional => Status::Skipped {
            why: "no data (optional metric)",
        },
        Some(Verdict::Inconclusive) if report.accept_inconclusive => Status::Skipped {
            why: "inconclusive (accepted)",
        },
        Some(Verdict::NoData) => Status::Failed { kind: "no_data" },
        Some(Verdict::Inconclusive) => Status::Failed {
            kind: "inconclusive",
        },
        Some(Verdict::Fail) => Status::Failed { kind: "regression" },
    }
}

/// Renders the report as JUnit XML. `charts` is the chart directory as given, when charts
/// were written: failed metrics attach theirs.
pub fn render(report: &Report, charts: Option<(&str, &str)>) -> String {
    let pack = report.pack.as_str();
    let class = format!("benchcmp.{pack}");
    let statuses: Vec<Status> = report.metrics.iter().map(|m| status(m, report)).collect();
    let failures = statuses
        .iter()
        .filter(|s| matches!(s, Status::Failed { .. }))
        .count();
    let skipped = statuses
        .iter()
        .filter(|s| matches!(s, Status::Skipped { .. }))
        .count();
    let tests = report.metrics.len();
    let total_time = seconds(report.elapsed_seconds);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"benchcmp\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{total_time}\">"
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{total_time}\" timestamp=\"{}\">",
        escape(&class),
        escape(format_time(report.generated_at_ms).trim_end_matches('Z'))
    );
    let _ = writeln!(x, "    <properties>");
    let mut properties: Vec<(String, String)> = vec![
        (
            "verdict".into(),
            verdict_label(report.verdict()).to_string(),
        ),
        ("confidence".into(), report.confidence.to_string()),
        ("pack".into(), pack.to_string()),
        (
            "tool".into(),
            concat!("benchcmp ", env!("CARGO_PKG_VERSION")).to_string(),
        ),
    ];
    for (role, run) in [
        ("baseline", report.baseline.newest()),
        ("candidate", &report.candidate),
    ] {
        properties.push((role.into(), run.name.clone()));
        for (key, value) in [
            ("start", format_time(run.start_ms)),
            ("end", format_time(run.end_ms)),
            ("steady_start", format_time(run.steady.0)),
            ("steady_end", format_time(run.steady.1)),
        ] {
            properties.push((format!("{role}.{key}"), value));
        }
    }
    for (name, value) in &properties {
        let _ = writeln!(
            x,
            "      <property name=\"{}\" value=\"{}\"/>",
            escape(name),
            escape(value)
        );
    }
    let _ = writeln!(x, "    </properties>");
    for (m, status) in report.metrics.iter().zip(&statuses) {
        let r = &m.result;
        let details = details(m, report);
        let _ = write!(
            x,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
            escape(&r.metric.id),
            escape(&class),
            seconds(m.analysis_seconds)
        );
        let reasons = text::reasons(r);
        match status {
            Status::Passed => {
                let _ = writeln!(x, ">");
                let _ = writeln!(x, "      <system-out>{}</system-out>", escape(&details));
            }
            Status::Skipped { why } => {
                let _ = writeln!(x, ">");
                let _ = writeln!(
                    x,
                    "      <skipped message=\"{}\">{}</skipped>",
                    escape(&format!("{why}: {reasons}")),
                    escape(&details)
                );
            }
            Status::Failed { kind } => {
                let _ = writeln!(x, ">");
                let _ = writeln!(
                    x,
                    "      <failure type=\"{kind}\" message=\"{}\">{}</failure>",
                    escape(&format!(
                        "{}: {}",
                        r.verdict.map_or("", verdict_label),
                        reasons
                    )),
                    escape(&details)
                );
                let attachment = charts.map(|(dir, ext)| {
                    format!(
                        "[[ATTACHMENT|{}/{}.{ext}]]\n",
                        dir.trim_end_matches('/'),
                        r.metric.id
                    )
                });
                let _ = writeln!(
                    x,
                    "      <system-out>{}{}</system-out>",
                    escape(&details),
                    escape(attachment.as_deref().unwrap_or(""))
                );
            }
        }
        let _ = writeln!(x, "    </testcase>");
    }
    let _ = writeln!(x, "  </testsuite>");
    let _ = writeln!(x, "</testsuites>");
    x
}
