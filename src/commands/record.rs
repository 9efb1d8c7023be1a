//! `benchcmp record <RUN>`: fetch every metric of the pack for a config run and freeze it as
//! a snapshot.

use std::time::Instant;

use crate::cli::{GlobalArgs, RecordArgs};
use crate::config::format_time;
use crate::error::{Error, Result};
use crate::run::{self, Origin};
use crate::source::snapshot::{self, RecordedMetric, Snapshot, SnapshotRun};
use crate::source::{load_run, Reading};

pub fn run(global: &GlobalArgs, args: &RecordArgs) -> Result<()> {
    let config = super::load_config(global)?;
    let pack = super::load_pack(global)?;
    check_config_run(&config, &args.run)?;
    let run = run::resolve(&args.run, &config, &global.baselines)?;
    debug_assert!(matches!(run.origin, Origin::Config));
    let now = chrono::Utc::now().timestamp_millis();
    if run.start_ms > now {
        return Err(Error::input(format!(
            "run {} starts at {}, in the future: there is nothing to record yet",
            run.name,
            format_time(run.start_ms)
        )));
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| global.baselines.join(format!("{}.json", args.run)));
    // Fail before minutes of work, not after.
    snapshot::check_writable(&output, args.force)?;
    let client = super::require_endpoint(&config, global, &format!("run {}", run.name))?;
    let metrics: Vec<_> = pack.metrics.iter().collect();
    let started = Instant::now();
    let rt = super::runtime()?;
    let progress = super::Progress::new(
        global,
        crate::source::queries_per_run(&metrics) as u64,
        "recording",
        Some(&client),
    );
    let reading = Reading {
        endpoint: Some(&client),
        tick: progress.ticker(Some(&client)),
        verbose: global.verbose,
    };
    let data = rt.block_on(load_run(&run, &metrics, &config.defaults, &reading));
    drop(progress);
    let data = data?;
    let elapsed = started.elapsed();
    for w in &data.warnings {
        super::warn(w);
    }

    let snap = snapshot_of(&run, &data, output.clone(), client.base_url());
    if snap.metrics.values().all(|m| m.matrix.is_empty()) && !args.allow_empty {
        return Err(Error::input(format!(
            "run {} ({} → {}): every query came back empty, so the snapshot would hold no data; check the run's variables and window (`benchcmp queries --check --run {}`), or pass --allow-empty to write it anyway",
            run.name,
            format_time(run.start_ms),
            format_time(run.end_ms),
            run.name
        )));
    }
    if run.end_ms > now {
        super::warn(&format!(
            "run {} ends at {}, in the future: the snapshot holds what was there until now",
            run.name,
            format_time(run.end_ms)
        ));
    }
    if crate::output::is_stdout(&output) {
        super::emit(&(snapshot::to_json(&snap)? + "\n"))?;
    } else {
        snapshot::write(&snap, &output, args.force)?;
    }
    if !global.quiet {
        say_recorded(&run, &snap, elapsed, &output);
    }
    Ok(())
}

/// `record` reads a run of the config; anything else is named with the runs there are.
fn check_config_run(config: &crate::config::Config, name: &str) -> Result<()> {
    if config.runs.contains_key(name) {
        return Ok(());
    }
    let known: Vec<&str> = config.runs.keys().map(String::as_str).collect();
    Err(Error::input(format!(
        "record needs a run defined in the config; \"{}\" is not one (config runs: {})",
        name,
        if known.is_empty() {
            "none".into()
        } else {
            known.join(", ")
        }
    )))
}

/// The snapshot of `run` from what was read of it.
fn snapshot_of(
    run: &crate::run::Run,
    data: &crate::source::RunData,
    output: std::path::PathBuf,
    url: &str,
) -> Snapshot {
    Snapshot {
        path: output,
        run: SnapshotRun {
            name: run.name.clone(),
            vars: run.vars.clone(),
            start_ms: run.start_ms,
            end_ms: run.end_ms,
            step_ms: run.step_ms,
        },
        source: Some(url.to_string()),
        recorded_at: Some(format_time(
            chrono::Utc::now().timestamp_millis() / 1000 * 1000,
        )),
        metrics: data
            .metrics
            .iter()
            .map(|(id, d)| {
                (
                    id.clone(),
                    RecordedMetric {
                        query: d.query.clone(),
                        matrix: d.matrix.clone(),
                        warnings: d.warnings.clone(),
                    },
                )
            })
            .collect(),
    }
}

/// What was recorded, in one line, and the metrics that came back empty.
fn say_recorded(
    run: &crate::run::Run,
    snap: &Snapshot,
    elapsed: std::time::Duration,
    output: &std::path::Path,
) {
    let series: usize = snap.metrics.values().map(|m| m.matrix.len()).sum();
    let points: usize = snap
        .metrics
        .values()
        .flat_map(|m| m.matrix.iter())
        .map(|s| s.points.len())
        .sum();
    let empty: Vec<&str> = snap
        .metrics
        .iter()
        .filter(|(_, m)| m.matrix.is_empty())
        .map(|(id, _)| id.as_str())
        .collect();
    super::note(&format!(
        "Recorded run {} ({} → {}): {} metrics, {series} series, {points} points in {:.2}s → {}",
        run.name,
        format_time(run.start_ms),
        format_time(run.end_ms),
        snap.metrics.len(),
        elapsed.as_secs_f64(),
        output.display()
    ));
    if !empty.is_empty() {
        super::warn(&format!(
            "no data for {} (recorded as empty)",
            empty.join(", ")
        ));
    }
}
