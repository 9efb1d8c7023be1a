//! `benchcmp compare` (the default): load both runs, compare every metric of the pack
//! against its gate, print the report and return the exit code CI needs.

use std::collections::BTreeMap;

use crate::cli::{CompareArgs, GlobalArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::gate::Gate;
use crate::options::CompareOptions;
use crate::pack::{Metric, Pack};
use crate::pipeline::fetch;
use crate::pipeline::{self, Judge, Lineup, LoadedRun, Provenance, Windowed};
use crate::report::Report;
use crate::run::{self, Run};
use crate::source::Reading;

pub fn run(global: &GlobalArgs, args: &CompareArgs) -> Result<i32> {
    let started = std::time::Instant::now();
    let options = CompareOptions::from_args(global, args)?;
    let config = super::load_config(global)?;
    let pack = super::load_pack(global)?;
    let metrics = pack.select(&options.only)?;
    let gates = crate::gate::resolve(&pack, &config, &options.gate_overrides)?;
    if let Some(id) = config.run_to_run.keys().find(|id| pack.get(id).is_none()) {
        return Err(Error::input(format!(
            "{}: [run_to_run] names metric \"{id}\", which is not in the query pack",
            config
                .path
                .as_ref()
                .map_or("config".to_string(), |p| p.display().to_string())
        )));
    }
    reserve_outputs(&options, &config, global)?;
    let report = compare_runs(global, &options, &config, &pack, &metrics, &gates, started)?;
    super::outputs::write_reports(&report, &options, true)?;
    Ok(report.exit_code())
}

/// Checks, before anything is read, that no output is also an input (a snapshot or the
/// config) and no two outputs share a path.
fn reserve_outputs(options: &CompareOptions, config: &Config, global: &GlobalArgs) -> Result<()> {
    let mut names: Vec<(&str, String)> =
        run::expand_names(&options.baseline, config, &global.baselines)?
            .into_iter()
            .map(|n| ("baseline", n))
            .collect();
    names.push(("candidate", options.candidate.clone()));
    let mut snapshots = Vec::new();
    for (role, name) in &names {
        if let run::Location::Snapshot(path) = run::locate(name, config, &global.baselines)? {
            snapshots.push((format!("the {role} snapshot"), path));
        }
    }
    super::outputs::reserve(&options.targets(), snapshots, config)
}

/// Resolves the runs and decides every metric as its data arrive.
fn compare_runs(
    global: &GlobalArgs,
    options: &CompareOptions,
    config: &Config,
    pack: &Pack,
    metrics: &[&Metric],
    gates: &BTreeMap<String, Gate>,
    started: std::time::Instant,
) -> Result<Report> {
    // The candidate's snapshot is read while the baselines' are.
    let (baselines, candidate) = crate::parallel::join(
        || run::resolve_all(&options.baseline, options.last, config, &global.baselines),
        || run::resolve(&options.candidate, config, &global.baselines),
    );
    let runs = Lineup {
        baselines: baselines?,
        candidate: candidate?,
    };
    if let Some(same) = runs
        .baselines
        .iter()
        .find(|b| b.name == runs.candidate.name && b.start_ms == runs.candidate.start_ms)
        .filter(|_| runs.baselines.len() > 1)
    {
        return Err(Error::input(format!(
            "run {} is both a baseline and the candidate: leave it out of --baseline",
            same.name
        )));
    }
    let mut windows = Vec::new();
    for run in runs.iter() {
        windows.push(Windowed {
            run,
            window: run.steady_window(&config.defaults)?,
        });
    }
    let windowed = Lineup::from_ordered(windows).expect("a candidate");
    let endpoint = match runs.iter().find(|r| !r.is_snapshot()) {
        None => None,
        Some(live) => Some(live_endpoint(config, global, live)?),
    };
    let live = runs.iter().filter(|r| !r.is_snapshot()).count();
    let progress = super::Progress::new(
        global,
        (live * crate::source::queries_per_run(metrics)) as u64,
        "comparing",
        endpoint.as_ref(),
    );
    let judge = Judge::new(gates, config, options.confidence);
    let reading = Reading {
        endpoint: endpoint.as_ref(),
        tick: progress.ticker(endpoint.as_ref()),
        verbose: global.verbose,
    };
    let fetched =
        fetch::compare_as_they_arrive(&super::runtime()?, &windowed, metrics, &judge, reading);
    drop(progress);
    let mut data = Vec::new();
    for (d, r) in fetched
        .data
        .baselines
        .into_iter()
        .chain([fetched.data.candidate])
        .zip(runs.iter())
    {
        data.push(d.map_err(|e| run::with_shadowed_snapshot(e, r, &global.baselines))?);
    }
    let reports = fetched
        .reports
        .into_iter()
        .map(|r| r.expect("every metric arrived from every run that loaded"))
        .collect::<Result<Vec<_>>>()?;
    let loaded = Lineup::from_ordered(
        windowed
            .iter()
            .zip(&data)
            .map(|(w, data)| LoadedRun {
                run: w.run,
                window: w.window,
                data,
            })
            .collect(),
    )
    .expect("a candidate");
    let url = endpoint.as_ref().map(|e| e.base_url().to_string());
    let from = Provenance {
        pack: &pack.name,
        url: url.as_deref(),
        started,
    };
    Ok(pipeline::assemble(from, &loaded, reports, &judge, options))
}

/// The endpoint a live run is read from; with none configured, the error says how to
/// configure one, or how to compare with a snapshot of the same name instead.
fn live_endpoint(
    config: &Config,
    global: &GlobalArgs,
    live: &Run,
) -> Result<std::sync::Arc<dyn crate::source::Endpoint>> {
    super::require_endpoint(
        config,
        global,
        &format!("run {} ([runs.{}] in the config)", live.name, live.name),
    )
    .map_err(|e| {
        let shadowed = global.baselines.join(format!("{}.json", live.name));
        if shadowed.is_file() {
            Error::input(format!(
                "{e}; or, to compare with the snapshot of the same name, name its path: {}",
                shadowed.display()
            ))
        } else {
            e
        }
    })
}
