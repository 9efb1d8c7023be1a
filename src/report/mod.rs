//! Reports of a comparison: the data every format renders (`Report`), and one module per
//! format. Formats only present; every number is decided in `compare`.

pub mod charts;
pub mod csv;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod layout;
pub mod live;
pub mod markdown;
pub mod table;
pub mod text;

use std::collections::BTreeMap;

use crate::compare::{MetricResult, Overall, Verdict};
use crate::config::Defaults;
use crate::run::{Origin, Run};
use crate::source::MetricSeries;

/// A format a report is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
    Junit,
}

impl Format {
    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
        }
    }

    /// The file option of the format.
    pub fn option(self) -> &'static str {
        match self {
            Format::Table => "--format table",
            Format::Json => "--json",
            Format::Markdown => "--markdown",
            Format::Junit => "--junit",
        }
    }
}

/// How the terminal is written to: settled by the command line, passed down as a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    pub color: bool,
    /// Columns to fit: the terminal's, else `COLUMNS`, else 100.
    pub width: u16,
    /// ASCII only (`--style ascii`).
    pub ascii: bool,
}

/// How a format is presented, beyond the report's data.
#[derive(Debug, Clone)]
pub struct Presentation {
    pub terminal: Terminal,
    /// Markdown: the base of chart links (a URL, or the chart directory relative to the
    /// Markdown file), when charts were written.
    pub chart_links: Option<String>,
    /// JUnit: the chart directory as given, for attachments, when charts were written.
    pub charts_dir: Option<String>,
    /// The charts' file extension (`png`, `svg`).
    pub chart_ext: &'static str,
    pub markdown_budget: usize,
}

/// The one output dispatch: a format, rendered. A new format is a module and an arm here.
pub fn render(format: Format, report: &Report, p: &Presentation) -> String {
    match format {
        Format::Table => table::render(report, p.terminal),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(
            report,
            p.chart_links.as_deref().map(|base| (base, p.chart_ext)),
            p.markdown_budget,
        ),
        Format::Junit => junit::render(report, p.charts_dir.as_deref().map(|d| (d, p.chart_ext))),
    }
}

/// A run as the report describes it.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub name: String,
    /// "snapshot" or "prometheus".
    pub origin: &'static str,
    /// The snapshot path or the server URL.
    pub location: String,
    pub vars: crate::template::Vars,
    pub start_ms: i64,
    pub end_ms: i64,
    pub step_ms: i64,
    pub steady: (i64, i64),
    pub warmup_ms: i64,
    pub cooldown_ms: i64,
}

impl RunInfo {
    pub fn new(
        run: &Run,
        defaults: &Defaults,
        steady: (i64, i64),
        source_url: Option<&str>,
    ) -> Self {
        let (origin, location) = match &run.origin {
            Origin::Snapshot(s) => ("snapshot", s.path.display().to_string()),
            Origin::Config => ("prometheus", source_url.unwrap_or("").to_string()),
        };
        RunInfo {
            name: run.name.clone(),
            origin,
            location,
            vars: run.vars.clone(),
            start_ms: run.start_ms,
            end_ms: run.end_ms,
            step_ms: run.step_ms,
            steady,
            warmup_ms: defaults.warmup_ms,
            cooldown_ms: defaults.cooldown_ms,
        }
    }
}

impl RunInfo {
    /// Where the run came from as reports for others (Markdown, JUnit) show it: a snapshot
    /// relative to the working directory or by its file name, never as an absolute path of
    /// this machine; a server by its (redacted) URL.
    pub fn shown_location(&self) -> String {
        match self.origin {
            "snapshot" => markdown::shown_path(
                std::path::Path::new(&self.location),
                &std::env::current_dir().unwrap_or_default(),
            ),
            _ => self.location.clone(),
        }
    }

    /// `start → end (4h, steady 3h50m after 10m warm-up)`, for people.
    pub fn window_text(&self) -> String {
        use crate::config::format_time;
        use crate::duration::human;
        format!(
            "{} → {} ({}, steady {} after {} warm-up{})",
            format_time(self.start_ms),
            format_time(self.end_ms),
            human(self.end_ms - self.start_ms),
            human(self.steady.1 - self.steady.0),
            human(self.warmup_ms),
            if self.cooldown_ms > 0 {
                format!(", {} cool-down", human(self.cooldown_ms))
            } else {
                String::new()
            }
        )
    }
}

/// One metric in the report: the decision, and what each side's runs recorded.
#[derive(Debug, Clone)]
pub struct MetricReport {
    pub result: MetricResult,
    pub baseline: SideData,
    pub candidate: SideData,
    /// Seconds spent deciding this metric (JUnit's test time).
    pub analysis_seconds: f64,
}

/// One metric as one side recorded it: the PromQL and series of the side's newest run
/// (its only run for the candidate), and — for a side of several runs — the band of all
/// of them.
#[derive(Debug, Clone, Default)]
pub struct SideData {
    pub query: Option<String>,
    pub series: Option<MetricSeries>,
    /// With several runs: at each offset from a run's start (ms), the lowest and highest
    /// value any of them had there (charts draw it as a band). Empty for one run.
    pub band: Vec<(i64, f64, f64)>,
}

/// The runs of one side, oldest first: the candidate's one run, or the baseline's one or
/// more.
#[derive(Debug, Clone)]
pub struct SideRuns {
    runs: Vec<RunInfo>,
}

impl SideRuns {
    /// `None` for no runs: a side has at least one.
    pub fn new(runs: Vec<RunInfo>) -> Option<Self> {
        (!runs.is_empty()).then_some(SideRuns { runs })
    }

    /// The newest run, which describes the side in headers and charts.
    pub fn newest(&self) -> &RunInfo {
        self.runs.last().expect("a side has at least one run")
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> &[RunInfo] {
        &self.runs
    }

    /// Whether the side pools several runs.
    pub fn is_pooled(&self) -> bool {
        self.runs.len() > 1
    }
}

/// The band of several runs' series: per step of offset from each run's start, the lowest
/// and highest finite value. Empty for fewer than two runs.
pub fn band(runs: &[(i64, &MetricSeries)], step_ms: i64) -> Vec<(i64, f64, f64)> {
    if runs.len() < 2 || step_ms <= 0 {
        return Vec::new();
    }
    let mut cells: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for (start, series) in runs {
        for (t, v) in series.full.points() {
            if !v.is_finite() {
                continue;
            }
            let slot = ((t - start) as f64 / step_ms as f64).round() as i64 * step_ms;
            let cell = cells.entry(slot).or_insert((v, v));
            cell.0 = cell.0.min(v);
            cell.1 = cell.1.max(v);
        }
    }
    cells.into_iter().map(|(t, (lo, hi))| (t, lo, hi)).collect()
}

/// A whole comparison.
#[derive(Debug, Clone)]
pub struct Report {
    /// The query pack's name (`zeebe`).
    pub pack: String,
    /// The baseline side: one run, or several pooled.
    pub baseline: SideRuns,
    pub candidate: RunInfo,
    pub metrics: Vec<MetricReport>,
    pub overall: Overall,
    pub confidence: f64,
    /// `--strict`: inconclusive exits 1.
    pub strict: bool,
    /// `--accept-inconclusive`: inconclusive exits 0.
    pub accept_inconclusive: bool,
    pub min_coverage: f64,
    pub warnings: Vec<String>,
    /// Set when the source stopped answering before the comparison could end (a watch that
    /// gave up): the report is of what was seen, and exits 3.
    pub source_lost: Option<String>,
    pub generated_at_ms: i64,
    /// Seconds from the start of the command to the report (JUnit's suite time).
    pub elapsed_seconds: f64,
}

impl Report {
    /// The overall verdict.
    pub fn verdict(&self) -> Verdict {
        self.overall.verdict
    }

    /// The process exit code for this report (SPEC §3): 0 pass, 1 regression, 4
    /// inconclusive (nothing proven either way, or nothing judged) — a pipeline fails
    /// closed unless `--accept-inconclusive`; `--strict` makes it a regression.
    pub fn exit_code(&self) -> i32 {
        if self.source_lost.is_some() {
            return 3;
        }
        match self.overall.verdict {
            Verdict::Fail | Verdict::NoData => 1,
            Verdict::Inconclusive if self.strict => 1,
            Verdict::Inconclusive if self.accept_inconclusive => 0,
            Verdict::Inconclusive => 4,
            Verdict::Pass => 0,
        }
    }

    /// Counts of gated metrics by verdict label.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for m in &self.metrics {
            if let Some(v) = m.result.verdict {
                *counts.entry(text::verdict_label(v)).or_insert(0) += 1;
            }
        }
        counts
    }

    /// "14 gated metrics: 1 pass, 13 fail", or that nothing was judged.
    pub fn tally(&self, order: &[&str]) -> String {
        let counts = self.counts();
        let gated: usize = counts.values().sum();
        let metrics = if gated == 1 { "metric" } else { "metrics" };
        if self.overall.nothing_judged() {
            return if gated == 0 {
                "no gated metrics: nothing was judged".to_string()
            } else {
                format!("{gated} gated {metrics}, none with data: nothing was judged")
            };
        }
        let parts: Vec<String> = order
            .iter()
            .filter_map(|k| counts.get(k).map(|n| format!("{n} {}", k.to_lowercase())))
            .collect();
        format!("{gated} gated {metrics}: {}", parts.join(", "))
    }
}

/// Escapes text for an XML or HTML attribute or element (JUnit, the HTML page); characters
/// XML 1.0 cannot hold are replaced.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
