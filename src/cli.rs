//! Command-line definitions (clap derive) and nothing else: what a user can type.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "benchcmp",
    version,
    about = "Is the candidate benchmark run worse than the baseline? Honest statistics on Prometheus series.",
    after_help = "Exit codes: 0 pass, 1 regression (a fail, or a gated metric without data), 2 usage or configuration error, 3 the source could not be read, 4 inconclusive (not enough evidence either way, or nothing judged; --accept-inconclusive maps it to 0, --strict to 1)."
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

    /// Directory of the query pack (*.toml)
    #[arg(long, global = true, default_value = "queries", value_name = "DIR")]
    pub queries: PathBuf,

    /// Directory of snapshots (<run>.json)
    #[arg(long, global = true, default_value = "baselines", value_name = "DIR")]
    pub baselines: PathBuf,

    /// No progress output
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// More detail in messages (each failed query, not only the grouped causes)
    #[arg(long, short, global = true)]
    pub verbose: bool,

    /// Colors in terminal output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
    Junit,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare a candidate run with a baseline run (the default)
    Compare(CompareArgs),
    /// Save a run's series as a snapshot
    Record(RecordArgs),
    /// List the runs of the config and the snapshots
    Runs,
    /// List the query pack; --check runs every query against the source
    Queries(QueriesArgs),
}

#[derive(Debug, Args, Clone, Default, PartialEq)]
pub struct CompareArgs {
    /// The reference run (config run, snapshot name or snapshot file)
    #[arg(long, value_name = "RUN")]
    pub baseline: Option<String>,

    /// The run under test
    #[arg(long, value_name = "RUN")]
    pub candidate: Option<String>,

    /// Override a metric's gate, e.g. 'throughput: regression <= 5%' (repeatable)
    #[arg(long = "gate", value_name = "METRIC: RULE")]
    pub gates: Vec<String>,

    /// Report format on stdout
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Also write the JSON report to FILE
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Also write a Markdown report to FILE
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,

    /// Also write a JUnit XML report to FILE
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Write PNG charts into DIR
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,

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

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The run to record (defined in the config)
    #[arg(value_name = "RUN")]
    pub run: String,

    /// Snapshot file [default: <baselines>/<RUN>.json]
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
}
