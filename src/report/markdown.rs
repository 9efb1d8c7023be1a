//! The Markdown report: pastes into a pull request or a write-up. Verdict first, then the
//! table, the findings, image links to the charts, and the PromQL of both runs folded away.

use std::fmt::Write;
use std::path::Path;

use super::text::{self, verdict_label};
use super::{Report, RunInfo};
use crate::compare::Verdict;
use crate::config::format_time;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn verdict_badge(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✅ PASS",
        Verdict::Fail => "❌ FAIL",
        Verdict::Inconclusive => "⚠️ INCONCLUSIVE",
        Verdict::NoData => "❔ NO DATA",
    }
}

fn run_line(label: &str, r: &RunInfo) -> String {
    let vars: Vec<String> = r.vars.iter().map(|(k, v)| format!("`{k}={v}`")).collect();
    format!(
        "- **{label}** `{}`: {} {} — {} `{}`",
        r.name,
        r.window_text(),
        vars.join(" "),
        r.origin,
        r.shown_location()
    )
}

/// How much the Markdown holds: everything, or less to stay within a size budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    Full,
    /// The PromQL section left out.
    NoQueries,
    /// Also passing metrics left out of the table and the per-metric charts.
    FailuresOnly,
}

/// Renders the report within `budget` characters: the PromQL section goes first, then the
/// detail of passing metrics, each with a note saying so; a report still too large is cut,
/// with a note. `charts` is the base of the chart links (`--charts-url`, or the chart
/// directory relative to the Markdown file), when charts were written.
pub fn render(report: &Report, charts: Option<(&str, &str)>, budget: usize) -> String {
    for detail in [Detail::Full, Detail::NoQueries, Detail::FailuresOnly] {
        let text = render_with(report, charts, detail, budget);
        if text.chars().count() <= budget {
            return text;
        }
    }
    let text = render_with(report, charts, Detail::FailuresOnly, budget);
    let note = format!(
        "\n\n> **Cut at {budget} characters** (`--markdown-budget`): the rest is in the JSON report.\n"
    );
    let keep = budget.saturating_sub(note.chars().count());
    // Cut at a line end so no table row or link is left half.
    let mut cut: String = text.chars().take(keep).collect();
    if let Some(end) = cut.rfind('\n') {
        cut.truncate(end);
    }
    cut + &note
}

fn render_with(
    report: &Report,
    charts: Option<(&str, &str)>,
    detail: Detail,
    budget: usize,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## benchcmp: {} — `{}` vs baseline `{}`\n",
        verdict_badge(report.verdict()),
        report.candidate.name,
        report.baseline.newest().name
    );
    let _ = writeln!(
        out,
        "{}.{}\n",
        report.tally(&["FAIL", "NO DATA", "INCONCLUSIVE", "PASS"]),
        if report.strict {
            " Inconclusive counts as failure (`--strict`)."
        } else if report.accept_inconclusive {
            " Inconclusive is accepted (`--accept-inconclusive`)."
        } else {
            ""
        }
    );
    if let Some(dir) = charts {
        let _ = writeln!(out, "![Regression summary]({})\n", link(dir, "summary"));
    }
    let hidden = table(&mut out, report, detail);
    let shown = |m: &&super::MetricReport| {
        detail < Detail::FailuresOnly || m.result.verdict != Some(Verdict::Pass)
    };
    if let Some(note) = text::baselines_note(report) {
        let _ = writeln!(out, "\n{}", note.replace('\'', "`"));
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "\n> {hidden} passing metrics are left out to stay within {budget} characters (`--markdown-budget`); the JSON report has them."
        );
    }

    let findings = findings(report);
    if !findings.is_empty() {
        let _ = writeln!(out, "\n### Findings\n");
        for f in findings {
            let _ = writeln!(out, "{f}");
        }
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\n### Warnings\n");
        for w in &report.warnings {
            let _ = writeln!(out, "- {}", w.replace('\n', " "));
        }
    }
    if let Some(dir) = charts {
        let _ = writeln!(out, "\n### Charts\n");
        let _ = writeln!(out, "![Overview]({})\n", link(dir, "overview"));
        let _ = writeln!(out, "<details><summary>One chart per metric</summary>\n");
        for m in report.metrics.iter().filter(shown) {
            let _ = writeln!(
                out,
                "![{}]({})",
                m.result.metric.title,
                link(dir, &m.result.metric.id)
            );
        }
        let _ = writeln!(out, "\n</details>");
    }
    let _ = writeln!(
        out,
        "\n### Runs\n\n{}\n{}",
        run_line("Baseline", report.baseline.newest()),
        run_line("Candidate", &report.candidate)
    );
    if detail > Detail::Full {
        let _ = writeln!(
            out,
            "\n> The PromQL of each metric is left out to stay within {budget} characters (`--markdown-budget`); the JSON report has it."
        );
    } else {
        queries(&mut out, report);
    }
    let _ = writeln!(
        out,
        "\n<sub>benchcmp {} · generated {}</sub>",
        env!("CARGO_PKG_VERSION"),
        format_time(report.generated_at_ms)
    );
    out
}

/// The verdict table, leaving out passing metrics at [`Detail::FailuresOnly`]: how many
/// were left out.
fn table(out: &mut String, report: &Report, detail: Detail) -> usize {
    let _ = writeln!(
        out,
        "| Metric | Baseline | Candidate | Change [{:.0}% CI] | Gate | Verdict |",
        report.confidence * 100.0
    );
    let _ = writeln!(out, "|---|--:|--:|---|---|---|");
    let shown = |m: &&super::MetricReport| {
        detail < Detail::FailuresOnly || m.result.verdict != Some(Verdict::Pass)
    };
    for m in report.metrics.iter().filter(shown) {
        let r = &m.result;
        let _ = writeln!(
            out,
            "| {} `{}` | {} | {} | {} | {} | {} |",
            cell(&r.metric.title),
            r.metric.id,
            cell(&text::value(&r.metric, &r.baseline)),
            cell(&text::value(&r.metric, &r.candidate)),
            cell(&text::change(r)),
            r.gate
                .as_ref()
                .map_or("–".into(), |g| format!("`{}`", cell(&g.text))),
            r.verdict
                .map_or("–".into(), |v| format!("**{}**", verdict_label(v)))
        );
    }
    report.metrics.len() - report.metrics.iter().filter(shown).count()
}

/// Each metric's findings and every level shift, one Markdown list item each.
fn findings(report: &Report) -> Vec<String> {
    let mut findings = Vec::new();
    for m in &report.metrics {
        let r = &m.result;
        let lines = text::findings(r);
        if !lines.is_empty() {
            let optional = if r.metric.optional { " (optional)" } else { "" };
            findings.push(format!(
                "- **{}** {}{optional} (`{}`): {}",
                r.verdict.map_or("NOTE", verdict_label),
                r.metric.title,
                r.metric.id,
                lines.join("; ")
            ));
        }
    }
    for s in text::shifts(report) {
        findings.push(format!(
            "- **Level shift** in the {}, {} at {}: {} → {} ({})",
            s.side, s.metric.title, s.at, s.before, s.after, s.change
        ));
    }
    findings
}

/// The PromQL sent for each run, folded away.
fn queries(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "\n<details><summary>PromQL sent for each run</summary>\n"
    );
    for m in &report.metrics {
        let _ = writeln!(
            out,
            "#### {} (`{}`)\n",
            m.result.metric.title, m.result.metric.id
        );
        for (label, q) in [
            ("baseline", &m.baseline.query),
            ("candidate", &m.candidate.query),
        ] {
            match q {
                Some(q) => {
                    let _ = writeln!(out, "{label}:\n```promql\n{}\n```", q.trim());
                }
                None => {
                    let _ = writeln!(out, "{label}: not recorded\n");
                }
            }
        }
    }
    let _ = writeln!(out, "</details>");
}

/// A chart's link: the base (a URL or a relative directory) and the file, `/`-separated
/// and URL-safe.
fn link((base, ext): (&str, &str), name: &str) -> String {
    let file = format!("{name}.{ext}");
    let base = base.trim_end_matches('/');
    let joined = if base.is_empty() || base == "." {
        file.to_string()
    } else {
        format!("{base}/{file}")
    };
    joined.replace('\\', "/").replace(' ', "%20")
}

/// `p` made absolute (from the working directory) with `.` and `..` resolved by name.
fn absolute(p: &Path) -> std::path::PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = std::path::PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to the directory `from_dir` (both made absolute first).
pub fn relative_path(from_dir: &Path, to: &Path) -> std::path::PathBuf {
    let (from, to) = (absolute(from_dir), absolute(to));
    let common = from
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut rel = std::path::PathBuf::new();
    for _ in from.components().skip(common) {
        rel.push("..");
    }
    for c in to.components().skip(common) {
        rel.push(c);
    }
    if rel.as_os_str().is_empty() {
        rel.push(".");
    }
    rel
}

/// A file's path as a report others read shows it: relative to `cwd` when it lies inside
/// it, else its file name alone — an absolute path of the CI machine would tell a pull
/// request how its workspace is laid out.
pub fn shown_path(path: &Path, cwd: &Path) -> String {
    let (p, base) = (absolute(path), absolute(cwd));
    match p.strip_prefix(&base) {
        Ok(inside) if !inside.as_os_str().is_empty() => inside.display().to_string(),
        _ => p.file_name().map_or_else(
            || path.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn paths_shown_to_others_do_not_tell_the_workspace_layout() {
        let cwd = Path::new("/home/runner/work/repo");
        assert_eq!(
            shown_path(
                Path::new("/home/runner/work/repo/baselines/weekly.json"),
                cwd
            ),
            "baselines/weekly.json"
        );
        assert_eq!(
            shown_path(Path::new("/srv/ci/cache/weekly.json"), cwd),
            "weekly.json"
        );
        assert_eq!(
            shown_path(Path::new("/home/runner/work/repo/../other/x.json"), cwd),
            "x.json"
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(Path::new("/a/out"), Path::new("/a/out/charts")),
            PathBuf::from("charts")
        );
        assert_eq!(
            relative_path(Path::new("/a/out"), Path::new("/a/charts")),
            PathBuf::from("../charts")
        );
        assert_eq!(
            relative_path(Path::new("/a/out"), Path::new("/a/out")),
            PathBuf::from(".")
        );
    }
}
