//! `--html FILE`: the whole report as one self-contained page to open, share and archive —
//! the verdict, the table of every metric, findings, level shifts, warnings, the runs and
//! the PromQL, with every chart inline as SVG from the same drawing code as `--chart-format
//! svg`. No request leaves the page (no fonts, scripts or images from elsewhere); a few
//! lines of script only open the folded sections before printing. Every text from a pack,
//! a config or a source is escaped here.

use std::fmt::Write;

use super::text::{self, verdict_label};
use super::{Report, RunInfo};
use crate::compare::Verdict;

/// One chart for the page: its name (`overview`, `summary` or a metric id) and its SVG.
#[derive(Debug, Clone)]
pub struct Chart {
    pub name: String,
    pub svg: String,
}

/// Charts read from SVG files, each named by its file's stem (`overview`, a metric id).
pub fn read_charts(files: &[std::path::PathBuf]) -> crate::error::Result<Vec<Chart>> {
    files
        .iter()
        .map(|f| {
            let svg = std::fs::read_to_string(f).map_err(|e| {
                crate::error::Error::input(format!("--html: chart {}: {e}", f.display()))
            })?;
            let name = f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Chart { name, svg })
        })
        .collect()
}

/// The charts of passing metrics the page takes, in bytes of SVG, before it leaves the
/// rest out (the shipped examples stay far below; a 70-metric pack would not).
const PASSING_CHARTS_BUDGET: usize = 800_000;

/// Text for HTML, in element content and in quoted attribute values alike.
pub use super::escape_markup as escape;

/// A verdict's symbol and CSS class (`none`: not gated).
fn marks(v: Option<Verdict>) -> (&'static str, &'static str) {
    match v {
        Some(Verdict::Pass) => ("✔", "pass"),
        Some(Verdict::Fail) => ("✖", "fail"),
        Some(Verdict::Inconclusive) => ("⚠", "inconclusive"),
        Some(Verdict::NoData) => ("?", "nodata"),
        None => ("–", "none"),
    }
}

/// A verdict as a word with a symbol (never colour alone), and its class for the colour.
fn badge(v: Option<Verdict>) -> String {
    let (symbol, class) = marks(v);
    let word = v.map_or("not gated", verdict_label);
    format!(
        "<span class=\"verdict {class}\"><span aria-hidden=\"true\">{symbol}</span> {word}</span>"
    )
}

const STYLE: &str = r#"
:root { color-scheme: light dark; --ink: #1b1b1b; --muted: #5b5b5b; --bg: #fff; --line: #d8d8d8;
  --pass: #1f7a33; --fail: #9e2a6b; --inconclusive: #8a6d00; --nodata: #5b5b5b; --band: #f4f4f4; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e8e8e8; --muted: #a8a8a8; --bg: #161616; --line: #3a3a3a;
    --pass: #6fd18a; --fail: #f08ac4; --inconclusive: #e6c84f; --nodata: #a8a8a8; --band: #222; }
  figure .chart { background: #fff; border-radius: 4px; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 1.5rem; font: 15px/1.45 system-ui, -apple-system,
  "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
h1 { font-size: 1.5rem; margin: 0 0 .3rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .92em; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--band); padding: .6rem; border-radius: 4px; }
.muted { color: var(--muted); }
.verdict { font-weight: 700; white-space: nowrap; }
.verdict.pass { color: var(--pass); } .verdict.fail { color: var(--fail); }
.verdict.inconclusive { color: var(--inconclusive); } .verdict.nodata, .verdict.none { color: var(--nodata); }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
caption { text-align: left; color: var(--muted); padding-bottom: .3rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--band); }
figure { margin: 1rem 0; } figcaption { color: var(--muted); font-size: .9em; }
figure .chart svg { width: 100%; height: auto; display: block; }
details > summary { cursor: pointer; font-weight: 600; margin: .6rem 0; }
ul.findings li { margin: .2rem 0; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85em; }
@media (max-width: 720px) {
  body { padding: .8rem; font-size: 14px; }
  table.metrics thead { display: none; }
  table.metrics tr { display: block; border-bottom: 2px solid var(--line); padding: .4rem 0; }
  table.metrics th, table.metrics td { display: block; border: 0; padding: .1rem .2rem; text-align: left; }
  table.metrics td::before { content: attr(data-label) ": "; color: var(--muted); }
  table.runs, table.shifts { display: block; overflow-x: auto; }
  figure .chart { overflow-x: auto; }
  figure .chart svg { min-width: 640px; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; color: #000; background: #fff; }
  figure, tr { break-inside: avoid; } h2 { break-after: avoid; }
  details > summary { display: none; }
}
"#;

/// Opens every folded section before printing; the page is complete without it.
const SCRIPT: &str = "window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});";

/// The page of `report` with `charts` (rendered as SVG by the chart code).
pub fn render(report: &Report, charts: &[Chart]) -> String {
    let verdict = report.verdict();
    let mut out = String::new();
    let title = format!(
        "benchcmp: {} — {} vs {}",
        verdict_label(verdict),
        report.candidate.name,
        report.baseline.newest().name
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"benchcmp {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         <script>{SCRIPT}</script>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&title)
    );
    header(&mut out, report);
    metrics_table(&mut out, report);
    if let Some(c) = charts.iter().find(|c| c.name == "summary") {
        figure(
            &mut out,
            c,
            "Every gated metric against its budget",
            "summary",
        );
    }
    findings(&mut out, report);
    shifts(&mut out, report);
    if !report.warnings.is_empty() {
        out.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n");
        for w in &report.warnings {
            let _ = writeln!(out, "<li>{}</li>", escape(w));
        }
        out.push_str("</ul>\n</section>\n");
    }
    chart_section(&mut out, report, charts);
    runs(&mut out, report);
    queries(&mut out, report);
    let _ = write!(
        out,
        "<footer>\n<p>benchcmp {} · generated {} · the same numbers as the JSON report \
         (<code>--json</code>).</p>\n</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&crate::config::format_time(report.generated_at_ms))
    );
    out
}

fn header(out: &mut String, report: &Report) {
    let _ = write!(
        out,
        "<header>\n<h1>{} <code>{}</code> against baseline <code>{}</code></h1>\n<p>{}{}</p>\n",
        badge(Some(report.verdict())),
        escape(&report.candidate.name),
        escape(&report.baseline.newest().name),
        escape(&report.tally(&["FAIL", "NO DATA", "INCONCLUSIVE", "PASS"])),
        if report.strict {
            " Inconclusive counts as failure (<code>--strict</code>)."
        } else if report.accept_inconclusive {
            " Inconclusive is accepted (<code>--accept-inconclusive</code>)."
        } else {
            ""
        }
    );
    if let Some(note) = text::baselines_note(report) {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(&note));
    }
    out.push_str("</header>\n");
}

fn metrics_table(out: &mut String, report: &Report) {
    let change = format!("Change [{:.0}% CI]", report.confidence * 100.0);
    let _ = write!(
        out,
        "<section id=\"metrics\">\n<h2>Metrics</h2>\n<table class=\"metrics\">\n\
         <caption>The candidate against the baseline, metric by metric: the change with its \
         {:.0}% interval, the gate and the verdict.</caption>\n<thead><tr>\
         <th scope=\"col\">Metric</th><th scope=\"col\">Baseline</th><th scope=\"col\">Candidate</th>\
         <th scope=\"col\">{change}</th><th scope=\"col\">Gate</th><th scope=\"col\">Verdict</th>\
         </tr></thead>\n<tbody>\n",
        report.confidence * 100.0
    );
    for m in &report.metrics {
        let r = &m.result;
        let _ = writeln!(
            out,
            "<tr id=\"metric-{id}\" data-verdict=\"{v}\"><th scope=\"row\">{title}<br><code>{id}</code></th>\
             <td class=\"num\" data-label=\"Baseline\">{b}</td><td class=\"num\" data-label=\"Candidate\">{c}</td>\
             <td data-label=\"{change}\">{ch}</td><td data-label=\"Gate\">{g}</td><td data-label=\"Verdict\">{badge}</td></tr>",
            id = escape(&r.metric.id),
            v = marks(r.verdict).1,
            title = escape(&r.metric.title),
            b = escape(&text::value(&r.metric, &r.baseline)),
            c = escape(&text::value(&r.metric, &r.candidate)),
            ch = escape(&text::change(r)),
            g = r.gate.as_ref().map_or("–".into(), |g| format!("<code>{}</code>", escape(&g.text))),
            badge = badge(r.verdict),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn findings(out: &mut String, report: &Report) {
    let mut items = Vec::new();
    for m in &report.metrics {
        let lines = text::findings(&m.result);
        if lines.is_empty() {
            continue;
        }
        items.push(format!(
            "<li>{} <a href=\"#metric-{id}\"><code>{id}</code></a>: {}</li>",
            badge(m.result.verdict),
            escape(&lines.join("; ")),
            id = escape(&m.result.metric.id)
        ));
    }
    if items.is_empty() {
        return;
    }
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n<ul class=\"findings\">\n");
    for i in items {
        out.push_str(&i);
        out.push('\n');
    }
    out.push_str("</ul>\n</section>\n");
}

fn shifts(out: &mut String, report: &Report) {
    let shifts = text::shifts(report);
    if shifts.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"shifts\">\n<h2>Level shifts inside the runs</h2>\n<table class=\"shifts\">\n\
         <caption>Offsets from the run's start.</caption>\n<thead><tr><th scope=\"col\">Run</th>\
         <th scope=\"col\">Metric</th><th scope=\"col\">At</th><th scope=\"col\">Before</th>\
         <th scope=\"col\">After</th><th scope=\"col\">Change</th></tr></thead>\n<tbody>\n",
    );
    for s in shifts {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><th scope=\"row\"><code>{}</code></th><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            s.side,
            escape(&s.metric.id),
            escape(&s.at),
            escape(&s.before),
            escape(&s.after),
            escape(&s.change)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// A chart as a figure: the SVG inline (its XML prologue dropped), labelled for readers
/// that do not see it.
fn figure(out: &mut String, chart: &Chart, caption: &str, id: &str) {
    let svg = chart
        .svg
        .find("<svg")
        .map_or(chart.svg.as_str(), |i| &chart.svg[i..]);
    let _ = write!(
        out,
        "<figure id=\"chart-{}\">\n<div class=\"chart\" role=\"img\" aria-label=\"{}\">\n{}\n</div>\n\
         <figcaption>{}</figcaption>\n</figure>\n",
        escape(id),
        escape(caption),
        svg.trim_end(),
        escape(caption)
    );
}

fn chart_section(out: &mut String, report: &Report, charts: &[Chart]) {
    let chart = |name: &str| charts.iter().find(|c| c.name == name);
    let (mut attention, mut passing) = (Vec::new(), Vec::new());
    for m in &report.metrics {
        let Some(c) = chart(&m.result.metric.id) else {
            continue;
        };
        let caption = format!(
            "{} ({}): {}",
            m.result.metric.title,
            m.result.metric.id,
            m.result.verdict.map_or("not gated", verdict_label)
        );
        match m.result.verdict {
            Some(Verdict::Pass) | None => passing.push((c, caption, &m.result.metric.id)),
            _ => attention.push((c, caption, &m.result.metric.id)),
        }
    }
    if chart("overview").is_none() && attention.is_empty() && passing.is_empty() {
        return;
    }
    out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    if let Some(c) = chart("overview") {
        figure(
            out,
            c,
            "Overview: the metrics that need attention first",
            "overview",
        );
    }
    for (c, caption, id) in &attention {
        figure(out, c, caption, id);
    }
    if !passing.is_empty() {
        let mut used = 0;
        let mut shown = Vec::new();
        for p in &passing {
            if used + p.0.svg.len() > PASSING_CHARTS_BUDGET && !shown.is_empty() {
                break;
            }
            used += p.0.svg.len();
            shown.push(p);
        }
        let _ = writeln!(
            out,
            "<details>\n<summary>Charts of the {} passing or ungated metrics</summary>",
            passing.len()
        );
        for (c, caption, id) in &shown {
            figure(out, c, caption, id);
        }
        if shown.len() < passing.len() {
            let _ = writeln!(
                out,
                "<p class=\"muted\">{} more charts of passing metrics are left out to keep this page small; \
                 <code>--charts DIR</code> writes every chart.</p>",
                passing.len() - shown.len()
            );
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

fn run_row(out: &mut String, role: &str, r: &RunInfo) {
    let vars: Vec<String> = r
        .vars
        .iter()
        .map(|(k, v)| format!("<code>{}={}</code>", escape(k), escape(&v.to_string())))
        .collect();
    let _ = writeln!(
        out,
        "<tr><td>{role}</td><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}: <code>{}</code></td></tr>",
        escape(&r.name),
        escape(&r.window_text()),
        vars.join(" "),
        escape(r.origin),
        escape(&r.shown_location())
    );
}

fn runs(out: &mut String, report: &Report) {
    out.push_str(
        "<section id=\"runs\">\n<h2>Runs</h2>\n<table class=\"runs\">\n<thead><tr><th scope=\"col\">Role</th>\
         <th scope=\"col\">Run</th><th scope=\"col\">Window</th><th scope=\"col\">Variables</th>\
         <th scope=\"col\">Source</th></tr></thead>\n<tbody>\n",
    );
    for b in report.baseline.runs() {
        run_row(out, "baseline", b);
    }
    run_row(out, "candidate", &report.candidate);
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn queries(out: &mut String, report: &Report) {
    out.push_str("<section id=\"queries\">\n<h2>PromQL</h2>\n<details>\n<summary>The query sent for each run</summary>\n");
    for m in &report.metrics {
        let _ = writeln!(
            out,
            "<h3>{} <code>{}</code></h3>",
            escape(&m.result.metric.title),
            escape(&m.result.metric.id)
        );
        for (label, q) in [
            ("baseline", &m.baseline.query),
            ("candidate", &m.candidate.query),
        ] {
            match q {
                Some(q) => {
                    let _ = writeln!(
                        out,
                        "<p>{label}:</p>\n<pre><code>{}</code></pre>",
                        escape(q.trim())
                    );
                }
                None => {
                    let _ = writeln!(out, "<p>{label}: not recorded</p>");
                }
            }
        }
    }
    out.push_str("</details>\n</section>\n");
}

/// One metric's history for [`history_page`]: rows of run, start date, mean with interval,
/// marker; the change-point line; the chart's SVG.
#[derive(Debug, Clone)]
pub struct HistorySection {
    pub id: String,
    pub title: String,
    pub rows: Vec<[String; 4]>,
    pub change: String,
    pub svg: String,
}

/// `history --html`: each metric's runs in time order and its change point, with its chart.
pub fn history_page(runs: &str, confidence: f64, sections: &[HistorySection]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>benchcmp history: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<h1>History of <code>{}</code></h1>\n<p class=\"muted\">Each run's steady-state \
         mean with its {:.0}% interval, in time order, and the change point across the baseline \
         runs where there is one.</p>\n</header>\n",
        escape(runs),
        escape(runs),
        confidence * 100.0
    );
    for s in sections {
        let _ = write!(
            out,
            "<section id=\"history-{id}\">\n<h2>{} <code>{id}</code></h2>\n<p>{}</p>\n\
             <table class=\"runs\">\n<thead><tr><th scope=\"col\">Run</th><th scope=\"col\">Start</th>\
             <th scope=\"col\">Mean [{:.0}% interval]</th><th scope=\"col\"></th></tr></thead>\n<tbody>\n",
            escape(&s.title),
            escape(&s.change),
            confidence * 100.0,
            id = escape(&s.id)
        );
        for [run, date, value, marker] in &s.rows {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(run),
                escape(date),
                escape(value),
                escape(marker)
            );
        }
        out.push_str("</tbody>\n</table>\n");
        let chart = Chart {
            name: s.id.clone(),
            svg: s.svg.clone(),
        };
        figure(&mut out, &chart, &format!("{} across runs", s.title), &s.id);
        out.push_str("</section>\n");
    }
    let _ = write!(
        out,
        "<footer>\n<p>benchcmp {}</p>\n</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}
