//! Regenerates the example snapshots in `baselines/` the way a user would make them:
//! synthetic runs (tests/support/synth.rs, modelled on the gRPC-vs-REST experiment) are
//! backfilled into a real Prometheus with promtool, then recorded with `benchcmp record`.
//! Also renders the charts README.md shows (`baselines/example-report/`).
//!
//!     cargo run --release --example make-baselines
//!
//! Needs `prometheus` and `promtool` (apt-get install prometheus). The values are
//! deterministic (seeded); `recorded_at` and the loopback URL in `source` change per run.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;

use benchcmp::cli::{ColorChoice, CompareArgs, GlobalArgs, RecordArgs};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut om = support::synth::OpenMetrics::new();
    for (_, spec) in support::example_runs() {
        support::synth::add_run(&mut om, &spec);
    }
    let work = std::env::temp_dir().join("benchcmp-make-baselines");
    std::fs::create_dir_all(&work).expect("temp dir");
    let prom = support::prom::start(&om.finish(), &work);
    let config = work.join("benchcmp.toml");
    std::fs::write(&config, support::example_config(&prom.url)).expect("write config");
    let global = GlobalArgs {
        config: Some(config),
        prometheus: None,
        queries: Some(root.join("queries")),
        baselines: root.join("baselines"),
        quiet: false,
        verbose: false,
        color: ColorChoice::Never,
        style: benchcmp::cli::TextStyle::Unicode,
    };
    for (name, _) in support::example_runs() {
        let args = RecordArgs {
            run: name.to_string(),
            output: None,
            force: true,
            allow_empty: false,
        };
        if let Err(e) = benchcmp::commands::record::run(&global, &args) {
            eprintln!("error: {e}");
            std::process::exit(e.exit_code());
        }
    }
    drop(prom);

    // The charts of the README, from the snapshots just written.
    let charts = work.join("charts");
    let offline = GlobalArgs {
        config: None,
        ..global
    };
    let args = CompareArgs {
        baseline: Some("weekly".into()),
        candidate: Some("rest-run".into()),
        charts: Some(charts.clone()),
        ..CompareArgs::default()
    };
    if let Err(e) = benchcmp::commands::compare::run(&offline, &args) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
    let target = root.join("baselines/example-report");
    std::fs::create_dir_all(&target).expect("create baselines/example-report");
    for file in ["overview.png", "summary.png"] {
        std::fs::copy(charts.join(file), target.join(file)).expect("copy chart");
    }
    eprintln!("Charts for README.md → {}", target.display());
}
