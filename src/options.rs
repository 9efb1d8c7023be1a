//! Validated settings between the command line and the commands (hyperfine's `options`):
//! flags are checked once here — confidence, the inconclusive policy, which format goes to
//! stdout and which to files, where chart links point, colour and width of the terminal —
//! so commands work on checked values only.

use std::path::PathBuf;

use crate::cli::{ColorChoice, CompareArgs, Format, GlobalArgs, TextStyle, WatchArgs};
use crate::error::{Error, Result};
use crate::output::{self, Target};
use crate::report::charts::{ChartFormat, ChartOptions};
pub use crate::report::Terminal;

/// How the terminal is written to, from the global flags and the environment.
pub fn terminal(global: &GlobalArgs) -> Terminal {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    // anstream applies NO_COLOR, CLICOLOR_FORCE, CLICOLOR and TERM=dumb to `auto`.
    let color = match global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !matches!(
            anstream::AutoStream::choice(&stdout),
            anstream::ColorChoice::Never
        ),
    };
    let from_env = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|c| *c >= 20)
    };
    let width = if stdout.is_terminal() {
        comfy_table::Table::new().width().or_else(from_env)
    } else {
        from_env()
    }
    .unwrap_or(100);
    Terminal {
        color,
        width,
        ascii: global.style == TextStyle::Ascii,
    }
}

/// Where the Markdown report's chart links point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartLinks {
    /// `--charts-url BASE`: absolute links `BASE/<chart>.png`.
    Url(String),
    /// Links relative to the Markdown file's directory (or the working directory for
    /// stdout), to the `--charts` directory.
    Relative,
}

/// Every output of a comparison, reserved before anything is read.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// What goes to stdout: `--format`, or the format whose file option is `-`.
    pub stdout: Format,
    /// Report files: format and path.
    pub files: Vec<(Format, PathBuf)>,
    pub charts: Option<PathBuf>,
    /// `--html`: the report as one page.
    pub html: Option<PathBuf>,
    pub chart_options: ChartOptions,
    pub export: Option<PathBuf>,
    pub chart_links: Option<ChartLinks>,
    pub markdown_budget: usize,
    /// `--github`: the step summary file, when GITHUB_STEP_SUMMARY names one.
    pub github: Option<GithubOutput>,
}

/// `--github`: annotations on stdout's side channel, the summary appended to a file.
#[derive(Debug, Clone)]
pub struct GithubOutput {
    pub step_summary: Option<PathBuf>,
}

/// Checked settings of `compare`.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    /// `--baseline` as given: one run, a comma list, globs.
    pub baseline: String,
    /// `--last N`: of several baselines, the newest N.
    pub last: Option<usize>,
    pub candidate: String,
    pub confidence: f64,
    pub strict: bool,
    pub accept_inconclusive: bool,
    pub only: Vec<String>,
    pub gate_overrides: Vec<String>,
    pub outputs: Outputs,
    pub terminal: Terminal,
}

impl CompareOptions {
    pub fn from_args(global: &GlobalArgs, args: &CompareArgs) -> Result<CompareOptions> {
        let (Some(baseline), Some(candidate)) = (&args.baseline, &args.candidate) else {
            return Err(Error::input(
                "compare needs --baseline <RUN> and --candidate <RUN> (see `benchcmp runs` for the runs you have)",
            ));
        };
        if args.strict && args.accept_inconclusive {
            return Err(Error::input(
                "--strict and --accept-inconclusive contradict each other: choose whether an inconclusive comparison fails (exit 1) or passes (exit 0); without either it exits 4",
            ));
        }
        let confidence = args.confidence.unwrap_or(0.95);
        if !(confidence > 0.0 && confidence < 1.0) {
            return Err(Error::input(format!(
                "--confidence {confidence}: must be between 0 and 1 (e.g. 0.95)"
            )));
        }
        Ok(CompareOptions {
            baseline: baseline.clone(),
            last: args.last,
            candidate: candidate.clone(),
            confidence,
            strict: args.strict,
            accept_inconclusive: args.accept_inconclusive,
            only: args.only.clone(),
            gate_overrides: args.gates.clone(),
            outputs: outputs(args)?,
            terminal: terminal(global),
        })
    }

    /// Every file and directory this comparison will write, with the option naming it.
    pub fn targets(&self) -> Vec<Target> {
        let o = &self.outputs;
        let mut targets: Vec<Target> = o
            .files
            .iter()
            .map(|(format, path)| Target {
                option: format.option().into(),
                path: path.clone(),
            })
            .collect();
        for (option, dir) in [
            ("--charts", &o.charts),
            ("--export", &o.export),
            ("--html", &o.html),
        ] {
            if let Some(dir) = dir {
                targets.push(Target {
                    option: option.into(),
                    path: dir.clone(),
                });
            }
        }
        targets
    }
}

/// `--charts` and `--export` name directories, never standard output.
pub fn check_dir(option: &str, dir: Option<&std::path::Path>) -> Result<()> {
    if dir.is_some_and(output::is_stdout) {
        return Err(Error::input(format!(
            "{option} takes a directory; `-` (standard output) only applies to file options"
        )));
    }
    Ok(())
}

/// `--html` names a file: the page embeds its charts, so it is not sent to stdout.
pub fn check_html(path: Option<&std::path::Path>) -> Result<()> {
    if path.is_some_and(output::is_stdout) {
        return Err(Error::input(
            "--html takes a file: the page embeds its charts, so it is not sent to standard output",
        ));
    }
    Ok(())
}

fn outputs(args: &CompareArgs) -> Result<Outputs> {
    let mut stdout_from: Option<Format> = None;
    let mut files = Vec::new();
    for (format, path) in [
        (Format::Json, &args.json),
        (Format::Markdown, &args.markdown),
        (Format::Junit, &args.junit),
    ] {
        let Some(path) = path else { continue };
        if output::is_stdout(path) {
            if let Some(other) = stdout_from {
                return Err(Error::input(format!(
                    "{} - and {} - both write to standard output: give one of them a file",
                    other.option(),
                    format.option()
                )));
            }
            stdout_from = Some(format);
        } else {
            files.push((format, path.clone()));
        }
    }
    let stdout = match (args.format, stdout_from) {
        (Some(f), Some(g)) if f != g => {
            return Err(Error::input(format!(
                "--format {} and {} - both write to standard output: drop one",
                f.name(),
                g.option()
            )))
        }
        (_, Some(g)) => g,
        (Some(f), None) => f,
        (None, None) => Format::Table,
    };
    check_dir("--charts", args.charts.as_deref())?;
    check_dir("--export", args.export.as_deref())?;
    check_html(args.html.as_deref())?;
    let chart_links = match (&args.charts_url, &args.charts) {
        (Some(url), _) => {
            let url = url.trim().trim_end_matches('/');
            if url.is_empty() || url.chars().any(char::is_whitespace) {
                return Err(Error::input(format!(
                    "--charts-url '{url}': expected a base URL such as https://ci.example/artifacts/charts"
                )));
            }
            Some(ChartLinks::Url(url.to_string()))
        }
        (None, Some(_)) => Some(ChartLinks::Relative),
        (None, None) => None,
    };
    let scale = args.chart_scale.unwrap_or(1.0);
    if !(0.5..=4.0).contains(&scale) {
        return Err(Error::input(format!(
            "--chart-scale {scale}: between 0.5 and 4 (2 for HiDPI)"
        )));
    }
    let chart_options = ChartOptions {
        format: args.chart_format.unwrap_or(ChartFormat::Png),
        scale,
        axis: args.chart_axis,
    };
    if chart_options.format == ChartFormat::Svg && args.chart_scale.is_some() {
        return Err(Error::input(
            "--chart-scale applies to PNG charts; SVG scales without it",
        ));
    }
    let markdown_budget = args.markdown_budget.unwrap_or(60_000);
    if markdown_budget < 2_000 {
        return Err(Error::input(format!(
            "--markdown-budget {markdown_budget}: at least 2000 characters (the verdict and the table need room)"
        )));
    }
    let github = args.github.then(|| GithubOutput {
        step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
    });
    Ok(Outputs {
        stdout,
        files,
        charts: args.charts.clone(),
        html: args.html.clone(),
        chart_options,
        export: args.export.clone(),
        chart_links,
        markdown_budget,
        github,
    })
}

/// The poll interval without `--every`.
const EVERY_MS: i64 = 60_000;
/// Steady time before a pass without `--min-duration`.
const MIN_STEADY_MS: i64 = 15 * 60_000;
/// How long the source may stay unreachable without `--give-up-after`.
const GIVE_UP_MS: i64 = 5 * 60_000;

/// Checked settings of a watch, beyond those of `compare`.
pub struct WatchOptions {
    pub every_ms: i64,
    pub min_steady_ms: i64,
    pub since_ms: Option<i64>,
    pub stop_on_fail: bool,
    pub stop_on_pass: bool,
    pub give_up_ms: i64,
    pub json_lines: Option<PathBuf>,
    pub replay: Option<PathBuf>,
    /// The clock's speed from the candidate's start (`None`: the wall clock).
    pub speed: Option<f64>,
}

fn duration_flag(text: &Option<String>, flag: &str) -> Result<Option<i64>> {
    text.as_deref()
        .map(|t| {
            crate::duration::parse(t)
                .ok()
                .filter(|ms| *ms > 0)
                .ok_or_else(|| {
                    Error::input(format!("{flag} {t}: a positive duration, e.g. 30s, 1m, 2h"))
                })
        })
        .transpose()
}

impl WatchOptions {
    /// `watch`'s own flags checked; `compare`'s are [`CompareOptions`]'s.
    pub fn from_args(args: &WatchArgs) -> Result<WatchOptions> {
        if args.compare.baseline.is_none()
            || (args.compare.candidate.is_none() && args.replay.is_none())
        {
            return Err(Error::input(
                "watch needs --baseline <RUN> and the run to watch: --candidate <RUN> (a config run, live from Prometheus) or --replay <SNAPSHOT> (see `benchcmp runs`)",
            ));
        }
        if let Some(speed) = args.speed.filter(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(Error::input(format!(
                "--speed {speed}: a positive number (times real time)"
            )));
        }
        if args.speed.is_some() && args.since.is_some() {
            return Err(Error::input(
                "--speed replays a window from its start; --since watches one that is open now",
            ));
        }
        if args.replay.is_some() && args.compare.candidate.is_some() {
            return Err(Error::input(
                "--replay FILE names the candidate: leave out --candidate",
            ));
        }
        if args.replay.is_some() && args.since.is_some() {
            return Err(Error::input(
                "--since opens a live window; a replay has the recorded one",
            ));
        }
        Ok(WatchOptions {
            every_ms: duration_flag(&args.every, "--every")?.unwrap_or(EVERY_MS),
            min_steady_ms: duration_flag(&args.min_duration, "--min-duration")?
                .unwrap_or(MIN_STEADY_MS),
            since_ms: duration_flag(&args.since, "--since")?,
            stop_on_fail: args.stop_on_fail,
            stop_on_pass: args.stop_on_pass,
            give_up_ms: duration_flag(&args.give_up_after, "--give-up-after")?
                .unwrap_or(GIVE_UP_MS),
            json_lines: args.json_lines.clone(),
            replay: args.replay.clone(),
            speed: args.speed.or(args.replay.as_ref().map(|_| 1.0)),
        })
    }
}
