//! Command-line definitions (clap derive) and nothing else: what a user can type.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The exit codes of `compare`, a literal so help texts can `concat!` it.
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  pass
  1  regression: a gated metric failed, or has no data
  2  usage or configuration error (a bad flag, gate, config or pack)
  3  the source could not be read (unreachable, refused, over limits)
  4  inconclusive: not enough evidence either way, or nothing judged
     (--accept-inconclusive makes it 0, --strict makes it 1)
  130  stopped by Ctrl-C: no report written"
    };
}

/// The exit codes of `compare`, for the man page.
pub const EXIT_CODES: &str = exit_codes!();

/// The short help for `benchcmp` without arguments and the end of `benchcmp --help`.
pub const MAIN_EXAMPLES: &str = "Examples:
  benchcmp --baseline weekly --candidate rest-run   # compare two runs
  benchcmp --baseline weekly --candidate rest-run \\
      --markdown out/report.md --junit out/junit.xml \\
      --charts out/charts                         # reports for CI
  benchcmp record rest-run      # save a run as a snapshot
  benchcmp init                 # write a starter benchcmp.toml
  benchcmp runs                 # the runs you can compare

Exit codes:
  0 pass · 1 regression · 2 usage/config error · 3 source unreadable
  4 inconclusive · 130 stopped by Ctrl-C";

const COMPARE_HELP: &str = concat!(
    "Examples:
  benchcmp compare --baseline weekly --candidate rest-run
  benchcmp compare --baseline baselines/weekly.json \\
      --candidate rest-run --gate 'throughput: regression <= 5%' \\
      --only throughput,latency_p99
  benchcmp compare --baseline weekly --candidate rest-run --format json

",
    exit_codes!()
);

const RECORD_HELP: &str = "Examples:
  benchcmp record weekly              # save to baselines/weekly.json
  benchcmp record rest-run -o snapshots/r.json        # save elsewhere
  benchcmp record weekly --force      # replace an existing snapshot

Exit codes: 0 written · 2 usage or configuration error · 3 the source could not be read ·
130 stopped by Ctrl-C (nothing written)";

const RUNS_HELP: &str = "Examples:
  benchcmp runs
  benchcmp runs --format json | jq '.[].name'

Exit codes: 0 listed · 2 usage or configuration error";

const QUERIES_HELP: &str = "Examples:
  benchcmp queries            # the metrics, units and gates of the pack
  benchcmp queries --check --run rest-run   # send every query, see what
                                            # comes back
  benchcmp queries --default > queries/my-pack.toml   # start a pack
  benchcmp queries import dashboard.json --out queries/   # a pack from
                                            # a Grafana dashboard

Exit codes: 0 listed / every query answered / imported · 2 a query was rejected or the pack is bad ·
3 the source could not be read · 130 stopped by Ctrl-C";

const HISTORY_HELP: &str = "Examples:
  benchcmp history --baseline 'weekly-*'
  benchcmp history --baseline 'weekly-*' --last 12 \\
      --candidate rest-run --only throughput
  benchcmp history --baseline 'weekly-*' --format json \\
      --charts out/history

A change point is the best split with at least three runs on each side whose means differ
by Welch's t at p < 0.05, adjusted for the splits tried: one outlier week is not a change.

Exit codes: 0 listed · 2 usage or configuration error · 3 the source could not be read ·
130 stopped by Ctrl-C (nothing written)";

const WATCH_HELP: &str = "Examples:
  # poll Prometheus every minute
  benchcmp watch --baseline weekly --candidate rest-run
  benchcmp watch --baseline 'weekly-*' --candidate nightly \\
      --stop-on-fail --json-lines live.jsonl
  # a run that started 15 minutes ago
  benchcmp watch --baseline weekly --since 15m --candidate nightly
  # release a healthy run early
  benchcmp watch --baseline weekly --candidate nightly --stop-on-pass
  # replay a recorded run at 600 times its speed
  benchcmp watch --baseline weekly --replay baselines/rest-run-2.json \\
      --speed 600

A metric fails as soon as its whole run's confidence sequence, or its level over the last
5 minutes or more, lies wholly beyond the budget: both stay valid however often they are
looked at, and a failure is final. A metric inside the budget with the minimum evidence is
passing so far and watched to the end of the window, where compare's verdict of the whole
window decides; --stop-on-pass releases it as soon as every metric has passed. A series
that stops arriving is shown as such and fails once the window can no longer be covered.
Poll lines and the final table go to stdout (to stderr where stdout carries --format json,
markdown or junit). Ctrl-C, or stdout closed by its reader, stops the watch with the
reports of what was seen; the exit code is the report's.

Exit codes (the report's):
  0  pass (the window seen to its end, or released by --stop-on-pass)
  1  regression: a gated metric failed, or has no data
  2  usage or configuration error (a bad flag, gate, config or pack)
  3  the source was lost (unreachable for longer than --give-up-after)
  4  not decided: inconclusive, or stopped before the window's end
     (--accept-inconclusive makes it 0)";

const INIT_HELP: &str = "Examples:
  benchcmp init                   # write ./benchcmp.toml
  benchcmp init ci/benchcmp.toml
  benchcmp init -                 # print it

Exit codes: 0 written · 2 the file exists (use --force) or cannot be written";

const COMPLETIONS_HELP: &str = "Examples:
  mkdir -p ~/.local/share/bash-completion/completions
  benchcmp completions bash \\
      > ~/.local/share/bash-completion/completions/benchcmp
  benchcmp completions zsh > \"${fpath[1]}/_benchcmp\"
  mkdir -p ~/.config/fish/completions
  benchcmp completions fish > ~/.config/fish/completions/benchcmp.fish";

const MAN_HELP: &str = "Examples:
  benchcmp man > benchcmp.1 && man -l benchcmp.1
  mkdir -p ~/.local/share/man/man1
  benchcmp man > ~/.local/share/man/man1/benchcmp.1";

#[derive(Debug, Parser)]
#[command(
    name = "benchcmp",
    version,
    about = "Is the candidate benchmark run worse than the baseline? Honest statistics on Prometheus series.",
    after_help = MAIN_EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub compare: CompareArgs,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every subcommand understands.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Configuration file [default: benchcmp.toml if present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Prometheus URL; overrides [source] url
    #[arg(
        long,
        global = true,
        env = "BENCHCMP_PROMETHEUS_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub prometheus: Option<String>,

    /// Directory of the query pack (*.toml) [default: ./queries if it exists, else the
    /// built-in Zeebe pack]
    #[arg(long, global = true, value_name = "DIR")]
    pub queries: Option<PathBuf>,

    /// Directory of snapshots (<run>.json)
    #[arg(long, global = true, default_value = "baselines", value_name = "DIR")]
    pub baselines: PathBuf,

    /// No progress output
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// More detail in messages (each failed query, not only the grouped causes)
    #[arg(long, short, global = true)]
    pub verbose: bool,

    /// Colors in terminal output (auto: on a terminal, unless NO_COLOR or TERM=dumb;
    /// CLICOLOR_FORCE=1 forces them)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Characters for tables and charts of the terminal: unicode, or ascii for logs that
    /// mangle Unicode
    #[arg(long, global = true, value_enum, default_value_t = TextStyle::Unicode)]
    pub style: TextStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextStyle {
    Unicode,
    Ascii,
}

/// Output of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The report formats (`--format`); defined with the reports.
pub use crate::report::Format;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare a candidate run with a baseline run (the default)
    #[command(after_help = COMPARE_HELP)]
    Compare(Box<CompareArgs>),
    /// Save a run's series as a snapshot
    #[command(after_help = RECORD_HELP)]
    Record(RecordArgs),
    /// List the runs of the config and the snapshots
    #[command(after_help = RUNS_HELP)]
    Runs(RunsArgs),
    /// List the query pack; --check runs every query against the source
    #[command(after_help = QUERIES_HELP)]
    Queries(QueriesArgs),
    /// Each run's mean per metric in time order, and the change point across runs
    #[command(after_help = HISTORY_HELP)]
    History(HistoryArgs),
    /// Judge a candidate run while it runs: a live verdict, valid at every look
    #[command(after_help = WATCH_HELP)]
    Watch(Box<WatchArgs>),
    /// Write a commented starter benchcmp.toml
    #[command(after_help = INIT_HELP)]
    Init(InitArgs),
    /// Print a shell completion script
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(after_help = MAN_HELP)]
    Man,
    /// Print the JSON Schema of the report or of snapshot files
    #[command(
        after_help = "Examples:\n  benchcmp schema report > benchcmp.report.v1.json\n  benchcmp schema snapshot"
    )]
    Schema {
        /// Which document
        #[arg(value_enum)]
        document: SchemaDocument,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaDocument {
    /// `benchcmp.report.v1`, what --json writes
    Report,
    /// `benchcmp.snapshot.v1`, what record writes
    Snapshot,
    /// `benchcmp.watch.v1`, what watch --json-lines writes (one per line)
    Watch,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The runs: a comma list or a glob over run and snapshot names ('weekly-*')
    #[arg(long, value_name = "RUN[,RUN...]")]
    pub baseline: String,

    /// Only the newest N runs (by start time)
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,

    /// A run to show after the history (not part of the change-point search)
    #[arg(long, value_name = "RUN")]
    pub candidate: Option<String>,

    /// Only these metrics (comma-separated ids)
    #[arg(long, value_delimiter = ',', value_name = "METRIC,...")]
    pub only: Vec<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

    /// Write history-<metric>.png charts into DIR
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,

    /// Also write every metric's history with its chart as one self-contained HTML page
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it (`-` for stdout)
    #[arg(value_name = "FILE", default_value = "benchcmp.toml")]
    pub path: PathBuf,

    /// Replace an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args, Clone, Default, PartialEq)]
pub struct CompareArgs {
    /// The reference run(s): a config run, snapshot name or snapshot file; several as a
    /// comma list or a glob over run and snapshot names ('weekly-*'), pooled as a population
    #[arg(long, value_name = "RUN[,RUN...]")]
    pub baseline: Option<String>,

    /// Of several baseline runs, only the newest N (by start time)
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,

    /// The run under test
    #[arg(long, value_name = "RUN")]
    pub candidate: Option<String>,

    /// Override a metric's gate, e.g. 'throughput: regression <= 5%' (repeatable)
    #[arg(long = "gate", value_name = "METRIC: RULE")]
    pub gates: Vec<String>,

    /// Report format on stdout
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Also write the JSON report to FILE (`-`: stdout, instead of the table)
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Also write a Markdown report to FILE (`-`: stdout, instead of the table)
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,

    /// Also write a JUnit XML report to FILE (`-`: stdout, instead of the table)
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Base URL where the charts will be published (CI artifacts, a Pages site): Markdown
    /// links become BASE/<chart>.png instead of paths relative to the Markdown file
    #[arg(long, value_name = "URL")]
    pub charts_url: Option<String>,

    /// Largest Markdown report in characters; beyond it the PromQL and then the detail of
    /// passing metrics are left out, with a note (GitHub comments take 65,536)
    /// [default: 60000]
    #[arg(long, value_name = "CHARS")]
    pub markdown_budget: Option<usize>,

    /// GitHub Actions: append the Markdown summary to $GITHUB_STEP_SUMMARY and print
    /// ::error / ::warning annotations for failed and inconclusive metrics
    #[arg(long)]
    pub github: bool,

    /// Write charts into DIR (PNG, or --chart-format svg)
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,

    /// Also write the whole report as one self-contained HTML page to FILE (charts inline
    /// as SVG; opens with no network)
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Chart image format: png, or svg (text as text, for print and zoom)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub chart_format: Option<crate::report::charts::ChartFormat>,

    /// Pixel density of PNG charts (2 for HiDPI screens) [default: 1]
    #[arg(long, value_name = "N")]
    pub chart_scale: Option<f64>,

    /// Value axis of the metric charts for every metric [default: per metric: the pack's
    /// `axis`, else log when the data span more than 1.5 decades]
    #[arg(long, value_enum, value_name = "AXIS")]
    pub chart_axis: Option<crate::pack::Axis>,

    /// Write the aligned series of both runs as CSV into DIR
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,

    /// Confidence level of the intervals (0..1)
    #[arg(long, value_name = "LEVEL")]
    pub confidence: Option<f64>,

    /// Treat an inconclusive comparison as a regression (exit 1 instead of 4)
    #[arg(long)]
    pub strict: bool,

    /// Accept an inconclusive comparison (exit 0 instead of 4)
    #[arg(long)]
    pub accept_inconclusive: bool,

    /// Compare only these metrics (comma-separated ids)
    #[arg(long, value_delimiter = ',', value_name = "METRIC,...")]
    pub only: Vec<String>,
}

#[derive(Debug, Args, Clone)]
pub struct WatchArgs {
    #[command(flatten)]
    pub compare: CompareArgs,

    /// Poll every DURATION (the run's step is the floor) [default: 1m]
    #[arg(long, value_name = "DURATION")]
    pub every: Option<String>,

    /// An open window: the candidate run started DURATION ago (its vars from the config)
    /// and is watched until decided or stopped
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,

    /// Steady time (after the warm-up) before anything can pass [default: 15m]
    #[arg(long, value_name = "DURATION")]
    pub min_duration: Option<String>,

    /// Stop at the first certain regression (exit 1) instead of watching on
    #[arg(long)]
    pub stop_on_fail: bool,

    /// Release a healthy run early: stop at the first look where every gated metric has
    /// passed (and compare on the window seen agrees), exit 0. Without it a run passing so
    /// far is watched to the end of its window
    #[arg(long)]
    pub stop_on_pass: bool,

    /// How long the source may stay unreachable before the watch gives up (exit 3, with the
    /// reports of what was seen) [default: 5m]
    #[arg(long, value_name = "DURATION")]
    pub give_up_after: Option<String>,

    /// Write one JSON record per poll to FILE (JSON Lines)
    #[arg(long, value_name = "FILE")]
    pub json_lines: Option<PathBuf>,

    /// Replay a snapshot as the candidate, as if it were being recorded
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,

    /// Run the clock N times as fast, from the candidate's start: replays a recorded
    /// window (--replay, or a config run in the past read from Prometheus) as if live
    /// [default: 1 for --replay; live runs follow the wall clock]
    #[arg(long, value_name = "N")]
    pub speed: Option<f64>,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The run to record (defined in the config)
    #[arg(value_name = "RUN")]
    pub run: String,

    /// Snapshot file (`-`: stdout) [default: <baselines>/<RUN>.json]
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace an existing snapshot
    #[arg(long)]
    pub force: bool,

    /// Write the snapshot even when every query came back empty
    #[arg(long)]
    pub allow_empty: bool,
}

#[derive(Debug, Args)]
pub struct QueriesArgs {
    /// Send every query of the pack for --run and report what comes back
    #[arg(long)]
    pub check: bool,

    /// The run whose variables and window --check uses
    #[arg(long, value_name = "RUN")]
    pub run: Option<String>,

    /// Print the built-in pack (TOML), to start a pack of your own
    #[arg(long = "default", conflicts_with_all = ["check", "run", "format"])]
    pub print_default: bool,

    /// Output format
    #[arg(long, value_enum)]
    pub format: Option<ListFormat>,

    #[command(subcommand)]
    pub action: Option<QueriesAction>,
}

#[derive(Debug, Subcommand)]
pub enum QueriesAction {
    /// Write a query pack from a Grafana dashboard export (JSON)
    #[command(after_help = IMPORT_HELP)]
    Import(ImportArgs),
}

const IMPORT_HELP: &str =
    "One metric per visible Prometheus query of each panel, its PromQL as the dashboard has
it (variables such as $namespace are bound by a run's vars in benchcmp.toml). Which way is
better is inferred from the unit and title only where that is safe, and every inferred or
suggested value is marked with a comment: check them, and set the gates.

Examples:
  benchcmp queries import dashboard.json                   # the pack on stdout
  benchcmp queries import dashboard.json --out queries/    # queries/<dashboard>.toml
  benchcmp queries import dashboard.json --panels '(?i)latency|throughput' \\
      --out queries/mine.toml --force

Exit codes: 0 imported · 2 not a dashboard, no Prometheus panel, or the pack file exists
(without --force)";

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The dashboard's JSON (Grafana: Share → Export → Save to file; `-` reads stdin)
    #[arg(value_name = "DASHBOARD")]
    pub file: PathBuf,

    /// Where the pack goes: a directory (the file is named after the dashboard) or a
    /// .toml file [default: stdout]
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,

    /// Only panels whose title matches this regular expression
    #[arg(long, value_name = "REGEX")]
    pub panels: Option<String>,

    /// Replace an existing pack file
    #[arg(long)]
    pub force: bool,
}
