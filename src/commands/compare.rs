//! `benchcmp compare` (the default): load both runs, compare every metric of the pack
//! against its gate, print the report and return the exit code CI needs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cli::{CompareArgs, Format, GlobalArgs};
use crate::compare::{self, Settings, SideInput};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::gate::{self, Gate};
use crate::options::{ChartLinks, CompareOptions};
use crate::output;
use crate::pack::{Kind, Metric, Pack};
use crate::report::{self, MetricReport, Presentation, Report, RunInfo, SideData, SideRuns};
use crate::run::{self, Run};
use crate::source::{load_run_streaming, MetricData, MetricSeries, RunData};
use std::sync::{Arc, Mutex};

/// The pack's metric ids, comma-separated, for messages.
fn metric_ids(pack: &Pack) -> String {
    pack.metrics
        .iter()
        .map(|m| m.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Gates per metric id: the pack's, then `[gates]` of the config, then `--gate`.
pub fn resolve_gates(
    pack: &Pack,
    config: &Config,
    overrides: &[String],
) -> Result<BTreeMap<String, Gate>> {
    let mut texts: BTreeMap<String, (String, String)> = BTreeMap::new(); // id → (text, origin)
    for m in &pack.metrics {
        if let Some(g) = &m.gate {
            texts.insert(
                m.id.clone(),
                (g.clone(), format!("{} (metric {})", m.file.display(), m.id)),
            );
        }
    }
    let config_name = config
        .path
        .as_ref()
        .map_or("config".to_string(), |p| p.display().to_string());
    for (id, g) in &config.gates {
        if pack.get(id).is_none() {
            return Err(Error::input(format!(
                "{config_name}: [gates] names metric \"{id}\", which is not in the query pack (metrics: {})",
                metric_ids(pack)
            )));
        }
        texts.insert(
            id.clone(),
            (g.clone(), format!("{config_name} [gates] {id}")),
        );
    }
    let mut overridden: Vec<String> = Vec::new();
    for o in overrides {
        let Some((id, rule)) = o.split_once(':') else {
            return Err(Error::input(format!(
                "--gate '{o}': expected '<metric>: <rule>', e.g. 'throughput: regression <= 5%'"
            )));
        };
        let id = id.trim();
        if pack.get(id).is_none() {
            return Err(Error::input(format!(
                "--gate '{o}': no metric \"{id}\" in the query pack (metrics: {})",
                metric_ids(pack)
            )));
        }
        if overridden.iter().any(|x| x == id) {
            return Err(Error::input(format!(
                "--gate is given twice for \"{id}\": join the clauses with \"and\" in one --gate"
            )));
        }
        overridden.push(id.to_string());
        texts.insert(
            id.to_string(),
            (rule.trim().to_string(), format!("--gate '{o}'")),
        );
    }
    let mut gates = BTreeMap::new();
    for (id, (text, origin)) in texts {
        let Some(metric) = pack.get(&id) else {
            continue;
        };
        let g = gate::parse(&text, &metric.unit)
            .map_err(|e| Error::input(format!("bad gate in {origin}: {e}")))?;
        // `total` adds events up; over a rate or a level it means nothing.
        if metric.kind == Kind::Series
            && g.clauses.iter().any(|c| {
                matches!(
                    c,
                    gate::Clause::Absolute {
                        stat: gate::Stat::Total,
                        ..
                    }
                )
            })
        {
            return Err(Error::input(format!(
                "bad gate in {origin}: total adds up events and applies to kind = \"count\" metrics; \"{id}\" is a level or a rate (use mean, max, p99, ...)"
            )));
        }
        // Shifts and trends are looked for in levels, not in event counts: such a clause
        // could never fail.
        if metric.kind == Kind::Count {
            if let Some(word) = g.clauses.iter().find_map(|c| match c {
                gate::Clause::Shift { .. } => Some("shift"),
                gate::Clause::Trend { .. } => Some("trend"),
                _ => None,
            }) {
                return Err(Error::input(format!(
                    "bad gate in {origin}: \"{id}\" counts events (kind = \"count\"); a {word} clause applies to series metrics only"
                )));
            }
        }
        // Higher is better: a budget of 100% lets the metric fall to zero and still pass.
        if metric.better == crate::pack::Better::Higher {
            if let Some(budget) = g.regression_budget().filter(|b| *b >= 1.0) {
                return Err(Error::input(format!(
                    "bad gate in {origin}: \"{id}\" is better when higher, so a regression budget of {}% can never fail \
                     (it allows a drop to zero); use a budget below 100%",
                    crate::units::number(budget * 100.0)
                )));
            }
        }
        gates.insert(id, g);
    }
    Ok(gates)
}

/// The metrics `--only` selects (all when empty).
pub fn select<'p>(pack: &'p Pack, only: &[String]) -> Result<Vec<&'p Metric>> {
    if only.is_empty() {
        return Ok(pack.metrics.iter().collect());
    }
    let mut out = Vec::new();
    for id in only.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let m = pack.get(id).ok_or_else(|| {
            Error::input(format!(
                "--only: no metric \"{id}\" in the query pack (metrics: {})",
                metric_ids(pack)
            ))
        })?;
        if !out.iter().any(|x: &&Metric| x.id == m.id) {
            out.push(m);
        }
    }
    if out.is_empty() {
        return Err(Error::input("--only names no metric"));
    }
    Ok(out)
}

pub fn run(global: &GlobalArgs, args: &CompareArgs) -> Result<i32> {
    let started = std::time::Instant::now();
    let options = CompareOptions::from_args(global, args)?;
    let config = super::load_config(global)?;
    let pack = super::load_pack(global)?;
    let metrics = select(&pack, &options.only)?;
    let gates = resolve_gates(&pack, &config, &options.gate_overrides)?;
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
    write_reports(&report, &options, true)?;
    Ok(report.exit_code())
}

/// Checks, before anything is read, that no output is also an input (a snapshot or the
/// config) and no two outputs share a path.
fn reserve_outputs(options: &CompareOptions, config: &Config, global: &GlobalArgs) -> Result<()> {
    let mut inputs: Vec<(String, PathBuf)> = Vec::new();
    let mut names: Vec<(&str, String)> =
        run::expand_names(&options.baseline, config, &global.baselines)?
            .into_iter()
            .map(|n| ("baseline", n))
            .collect();
    names.push(("candidate", options.candidate.clone()));
    for (role, name) in &names {
        if let run::Location::Snapshot(path) = run::locate(name, config, &global.baselines)? {
            inputs.push((format!("the {role} snapshot"), path));
        }
    }
    if let Some(path) = &config.path {
        inputs.push(("the config file".into(), path.clone()));
    }
    output::check_distinct(&options.targets(), &inputs)
}

/// Loads both runs and decides every metric.
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
    let (baselines, candidate) = (baselines?, candidate?);
    if let Some(same) = baselines
        .iter()
        .find(|b| b.name == candidate.name && b.start_ms == candidate.start_ms)
        .filter(|_| baselines.len() > 1)
    {
        return Err(Error::input(format!(
            "run {} is both a baseline and the candidate: leave it out of --baseline",
            same.name
        )));
    }
    let defaults = config.defaults;
    let mut baseline_windows = Vec::new();
    for b in &baselines {
        baseline_windows.push(b.steady_window(&defaults)?);
    }
    let candidate_window = candidate.steady_window(&defaults)?;
    let all: Vec<&Run> = baselines.iter().chain([&candidate]).collect();
    let client = if all.iter().all(|r| r.is_snapshot()) {
        None
    } else {
        let live = all
            .iter()
            .find(|r| !r.is_snapshot())
            .expect("a run that is not a snapshot");
        Some(super::client(config, global)?.ok_or_else(|| {
            let shadowed = global.baselines.join(format!("{}.json", live.name));
            Error::input(format!(
                "run {} is read from Prometheus ([runs.{}] in the config), but no source is configured: set [source] url, --prometheus or BENCHCMP_PROMETHEUS_URL{}",
                live.name,
                live.name,
                if shadowed.is_file() {
                    format!("; or, to compare with the snapshot of the same name, name its path: {}", shadowed.display())
                } else {
                    String::new()
                }
            ))
        })?)
    };
    let rt = super::runtime()?;
    let live = all.iter().filter(|r| !r.is_snapshot()).count();
    let progress = super::Progress::new(
        global,
        (live * crate::source::queries_per_run(metrics)) as u64,
        "comparing",
        client.as_ref(),
    );
    let settings = Settings {
        confidence: options.confidence,
        ..Settings::default()
    };
    let windows: Vec<(i64, i64)> = baseline_windows
        .iter()
        .copied()
        .chain([candidate_window])
        .collect();
    // Each metric is analysed as soon as every run's data for it is in, while the other
    // queries are in flight; the report is assembled in pack order whatever the order of
    // the answers.
    let (jobs_in, jobs) = std::sync::mpsc::sync_channel(metrics.len());
    let arrivals = Arc::new(Mutex::new(Arrivals::new(metrics.len(), all.len(), jobs_in)));
    let analyse = |m: usize| {
        let data = lock(&arrivals).take(m);
        let data: Vec<Option<&MetricData>> = data.iter().map(Option::as_ref).collect();
        compare_across(
            metrics[m], &all, &windows, &data, gates, config, &defaults, &settings,
        )
    };
    let (loaded, analysed) = crate::parallel::as_they_arrive(jobs, metrics.len(), analyse, || {
        let loaded = load_all(
            &rt,
            &all,
            metrics,
            &defaults,
            client.as_ref(),
            &progress,
            &arrivals,
            global.verbose,
        );
        // No metric arrives any more: the analyses still waiting end.
        lock(&arrivals).close();
        loaded
    });
    drop(progress);
    let mut data: Vec<RunData> = Vec::new();
    for (d, r) in loaded.into_iter().zip(&all) {
        data.push(d.map_err(|e| run::with_shadowed_snapshot(e, r, &global.baselines))?);
    }
    let reports = analysed
        .into_iter()
        .map(|r| r.expect("every metric arrived from every run that loaded"))
        .collect::<Result<Vec<_>>>()?;
    let url = client.as_ref().map(|c| c.base_url().to_string());
    Ok(assemble(
        &pack.name,
        &all,
        &windows,
        &data,
        reports,
        &defaults,
        url.as_deref(),
        options,
        &settings,
        started,
    ))
}

/// Every metric compared on runs already loaded (`all`: the baselines, then the
/// candidate; `data` and `windows` in the same order), in pack order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn analyse_loaded(
    all: &[&Run],
    windows: &[(i64, i64)],
    data: &[RunData],
    metrics: &[&Metric],
    gates: &BTreeMap<String, Gate>,
    config: &Config,
    defaults: &crate::config::Defaults,
    settings: &Settings,
) -> Result<Vec<MetricReport>> {
    crate::parallel::map(metrics, |metric| {
        let of_metric: Vec<Option<&MetricData>> =
            data.iter().map(|d| d.metrics.get(&metric.id)).collect();
        compare_across(
            metric, all, windows, &of_metric, gates, config, defaults, settings,
        )
    })
    .into_iter()
    .collect()
}

/// One metric compared across the runs (`all`: the baselines, then the candidate), given
/// each run's window and data of it.
#[allow(clippy::too_many_arguments)]
fn compare_across(
    metric: &Metric,
    all: &[&Run],
    windows: &[(i64, i64)],
    data: &[Option<&MetricData>],
    gates: &BTreeMap<String, Gate>,
    config: &Config,
    defaults: &crate::config::Defaults,
    settings: &Settings,
) -> Result<MetricReport> {
    let sides: Vec<RunSide> = all
        .iter()
        .zip(windows)
        .zip(data)
        .map(|((run, window), data)| RunSide {
            run,
            window: *window,
            data: *data,
        })
        .collect();
    let (candidate, baselines) = sides.split_last().expect("a candidate");
    let prior = config
        .run_to_run
        .get(&metric.id)
        .copied()
        .or(metric.run_to_run);
    compare_one(
        metric,
        gates.get(&metric.id),
        prior,
        baselines,
        candidate,
        defaults,
        settings,
    )
}

/// The report of a comparison from its metrics' results: the runs described, warnings of
/// the sources and of the comparison itself, the overall verdict.
#[allow(clippy::too_many_arguments)]
pub(crate) fn assemble(
    pack: &str,
    all: &[&Run],
    windows: &[(i64, i64)],
    data: &[RunData],
    reports: Vec<MetricReport>,
    defaults: &crate::config::Defaults,
    url: Option<&str>,
    options: &CompareOptions,
    settings: &Settings,
    started: std::time::Instant,
) -> Report {
    let overall = compare::overall(reports.iter().map(|r| &r.result));
    let mut warnings: Vec<String> = data
        .iter()
        .flat_map(|d| d.warnings.iter().cloned())
        .collect();
    let (candidate, baselines) = all.split_last().expect("a candidate");
    let (candidate_window, baseline_windows) = windows.split_last().expect("a candidate");
    let baseline = baselines.last().expect("at least one baseline");
    if baseline.name == candidate.name && baseline.start_ms == candidate.start_ms {
        warnings.push(format!(
            "baseline and candidate are the same run ({})",
            baseline.name
        ));
    }
    if overall.nothing_judged() {
        warnings.push(if overall.gated == 0 {
            "no compared metric has a gate: nothing was judged, so nothing can pass".into()
        } else {
            "no gated metric has data: nothing was judged, so nothing can pass".into()
        });
    }
    Report {
        pack: pack.to_string(),
        baseline: SideRuns::new(
            baselines
                .iter()
                .zip(baseline_windows)
                .map(|(b, w)| RunInfo::new(b, defaults, *w, url))
                .collect(),
        )
        .expect("at least one baseline"),
        candidate: RunInfo::new(candidate, defaults, *candidate_window, url),
        metrics: reports,
        overall,
        confidence: options.confidence,
        strict: options.strict,
        accept_inconclusive: options.accept_inconclusive,
        min_coverage: settings.min_coverage,
        warnings,
        source_lost: None,
        generated_at_ms: chrono::Utc::now().timestamp_millis() / 1000 * 1000,
        elapsed_seconds: started.elapsed().as_secs_f64(),
    }
}

/// What has come in of each metric from each run, and the analyses waiting for it: a
/// metric is handed to the analysis (its index sent on `ready`) once every run has
/// delivered it, or finished without it (a snapshot that did not record it).
struct Arrivals {
    /// `[metric][run]`: the data, until the analysis takes it.
    data: Vec<Vec<Option<MetricData>>>,
    /// `[metric][run]`: whether that run is done with that metric.
    done: Vec<Vec<bool>>,
    /// Runs each metric still waits for.
    waiting: Vec<usize>,
    ready: Option<std::sync::mpsc::SyncSender<usize>>,
}

impl Arrivals {
    fn new(metrics: usize, runs: usize, ready: std::sync::mpsc::SyncSender<usize>) -> Self {
        Arrivals {
            data: vec![vec![None; runs]; metrics],
            done: vec![vec![false; runs]; metrics],
            waiting: vec![runs; metrics],
            ready: Some(ready),
        }
    }

    /// Run `run` delivered metric `m` (`None`: it has none).
    fn arrived(&mut self, m: usize, run: usize, data: Option<MetricData>) {
        if std::mem::replace(&mut self.done[m][run], true) {
            return;
        }
        self.data[m][run] = data;
        self.waiting[m] -= 1;
        if self.waiting[m] == 0 {
            if let Some(ready) = &self.ready {
                // Room for every metric: never blocks the fetch.
                let _ = ready.try_send(m);
            }
        }
    }

    /// Run `run` has finished: the metrics it did not deliver it does not have.
    fn run_finished(&mut self, run: usize) {
        for m in 0..self.done.len() {
            self.arrived(m, run, None);
        }
    }

    /// Metric `m`'s data from every run, taken for its analysis.
    fn take(&mut self, m: usize) -> Vec<Option<MetricData>> {
        std::mem::take(&mut self.data[m])
    }

    fn close(&mut self) {
        self.ready = None;
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Loads every run together (the client bounds the requests in flight), handing each
/// metric to `arrivals` as it is assembled; the runs' data in the order of `all`.
#[allow(clippy::too_many_arguments)]
fn load_all(
    rt: &tokio::runtime::Runtime,
    all: &[&Run],
    metrics: &[&Metric],
    defaults: &crate::config::Defaults,
    client: Option<&crate::source::prometheus::PrometheusClient>,
    progress: &super::Progress,
    arrivals: &Arc<Mutex<Arrivals>>,
    verbose: bool,
) -> Vec<Result<RunData>> {
    rt.block_on(async {
        let tick = progress.ticker(client);
        let mut tasks = tokio::task::JoinSet::new();
        for (i, r) in all.iter().enumerate() {
            let (run, metrics, client, tick, defaults) = (
                (*r).clone(),
                metrics
                    .iter()
                    .map(|m| (*m).clone())
                    .collect::<Vec<Metric>>(),
                client.cloned(),
                tick.clone(),
                *defaults,
            );
            let arrivals = Arc::clone(arrivals);
            tasks.spawn(async move {
                let refs: Vec<&Metric> = metrics.iter().collect();
                let to = Arc::clone(&arrivals);
                let deliver: crate::source::Deliver =
                    Box::new(move |m, data| lock(&to).arrived(m, i, Some(data.clone())));
                let loaded = load_run_streaming(
                    &run,
                    &refs,
                    &defaults,
                    client.as_ref(),
                    tick,
                    verbose,
                    deliver,
                )
                .await;
                if loaded.is_ok() {
                    lock(&arrivals).run_finished(i);
                }
                (i, loaded)
            });
        }
        let mut out: Vec<Option<Result<RunData>>> = (0..all.len()).map(|_| None).collect();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok((i, data)) => out[i] = Some(data),
                Err(e) => return vec![Err(Error::input(format!("loading a run failed: {e}")))],
            }
        }
        out.into_iter()
            .map(|d| d.expect("every run loaded"))
            .collect()
    })
}

/// One run's part in the comparison of one metric.
struct RunSide<'a> {
    run: &'a Run,
    window: (i64, i64),
    /// What the run has of the metric (`None`: not recorded).
    data: Option<&'a MetricData>,
}

/// Writes every report: charts and CSV into staged directories, report files staged, all
/// committed only when everything rendered; then stdout, GitHub's outputs and warnings.
pub(crate) fn write_reports(
    report: &Report,
    options: &CompareOptions,
    with_stdout: bool,
) -> Result<()> {
    // What the analysis freed goes back to the system before the outputs allocate.
    crate::memory::give_back();
    let outputs = &options.outputs;
    let mut staging = output::Staging::default();
    let charts = match &outputs.charts {
        Some(dir) => Some((dir, staging.directory("--charts", dir)?)),
        None => None,
    };
    let export = match &outputs.export {
        Some(dir) => Some((dir, staging.directory("--export", dir)?)),
        None => None,
    };
    // The CSV is written while the charts are drawn (on long runs both take a while).
    let (charts_done, export_done) = crate::parallel::join(
        || {
            charts.as_ref().map(|(_, staged)| {
                report::charts::render_all(report, staged, &outputs.chart_options)
            })
        },
        || {
            export
                .as_ref()
                .map(|(_, staged)| report::csv::export(report, staged))
        },
    );
    if let (Some((dir, staged)), Some(files)) = (&charts, charts_done) {
        staging.staged_in(staged, dir, &files?);
    }
    if let (Some((dir, staged)), Some(file)) = (&export, export_done) {
        staging.staged_in(staged, dir, &[file?]);
    }
    // Markdown links charts by URL, or relative to where the Markdown goes; never by an
    // absolute local path.
    let presentation_for = |target: Option<&Path>| Presentation {
        terminal: options.terminal,
        chart_links: outputs
            .charts
            .as_ref()
            .map(|dir| match &outputs.chart_links {
                Some(ChartLinks::Url(url)) => url.clone(),
                _ => {
                    let from = target
                        .and_then(Path::parent)
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(Path::new("."));
                    report::markdown::relative_path(from, dir)
                        .to_string_lossy()
                        .into_owned()
                }
            }),
        charts_dir: outputs
            .charts
            .as_ref()
            .map(|d| d.to_string_lossy().into_owned()),
        chart_ext: outputs.chart_options.format.extension(),
        markdown_budget: outputs.markdown_budget,
    };
    // Each format is rendered once; Markdown once per chart-link base (it depends on where
    // the file goes).
    let mut rendered: Vec<((Format, Option<String>), String)> = Vec::new();
    let mut render = |format: Format, target: Option<&Path>| -> String {
        let presentation = presentation_for(target);
        let key = (
            format,
            (format == Format::Markdown)
                .then(|| presentation.chart_links.clone())
                .flatten(),
        );
        if let Some((_, text)) = rendered.iter().find(|(k, _)| *k == key) {
            return text.clone();
        }
        let text = report::render(format, report, &presentation);
        rendered.push((key, text.clone()));
        text
    };
    for (format, path) in &outputs.files {
        let text = render(*format, Some(path));
        staging.text(format.option(), path, &text)?;
    }
    let stdout = with_stdout.then(|| render(outputs.stdout, None));
    staging.commit()?;
    if let Some(stdout) = stdout {
        super::emit(&stdout)?;
    }
    if let Some(github) = &outputs.github {
        let summary = github
            .step_summary
            .as_deref()
            .map(|path| (path, render(Format::Markdown, Some(path))));
        write_github(report, summary, outputs.stdout)?;
    }
    for w in &report.warnings {
        super::warn(w);
    }
    Ok(())
}

/// `--github`: the Markdown summary appended to `$GITHUB_STEP_SUMMARY`, annotations for
/// failed and inconclusive metrics (on stdout with the table, else on stderr so a JSON or
/// XML stdout stays clean).
fn write_github(
    report: &Report,
    step_summary: Option<(&Path, String)>,
    stdout: Format,
) -> Result<()> {
    match step_summary {
        Some((path, markdown)) => {
            output::append(path, &markdown).map_err(|e| {
                Error::input(format!("--github: GITHUB_STEP_SUMMARY {}: {e}", path.display()))
            })?;
        }
        None => super::warn("--github: GITHUB_STEP_SUMMARY is not set, so no step summary was written (outside GitHub Actions?)"),
    }
    let annotations = report::github::annotations(report);
    if stdout == Format::Table {
        super::emit(&annotations)
    } else {
        super::note(annotations.trim_end_matches('\n'));
        Ok(())
    }
}

/// One metric compared across the runs: each run's series reduced, the verdict, and what
/// the reports show of the newest baseline and the candidate.
fn compare_one(
    metric: &Metric,
    gate: Option<&Gate>,
    prior_cv: Option<f64>,
    baselines: &[RunSide],
    candidate: &RunSide,
    defaults: &crate::config::Defaults,
    settings: &Settings,
) -> Result<MetricReport> {
    let started = std::time::Instant::now();
    let series = |side: &RunSide| -> Result<Option<MetricSeries>> {
        side.data
            .map(|data| crate::source::metric_series(side.run, metric, data, defaults))
            .transpose()
    };
    let mut b_series = Vec::new();
    for side in baselines {
        b_series.push(series(side)?);
    }
    let c_series = series(candidate)?;
    let scrape_ms = defaults.scrape_interval_ms;
    fn input<'a>(
        side: &RunSide<'a>,
        series: Option<&'a MetricSeries>,
        scrape_ms: i64,
    ) -> SideInput<'a> {
        SideInput {
            series,
            run_start_ms: side.run.start_ms,
            step_ms: side.run.step_ms,
            window: side.window,
            edges: compare::side::run_edges(side.run.start_ms, side.run.end_ms, scrape_ms),
            warnings: side.data.map_or(&[][..], |d| d.warnings.as_slice()),
        }
    }
    let inputs: Vec<SideInput> = baselines
        .iter()
        .zip(&b_series)
        .map(|(side, series)| input(side, series.as_ref(), scrape_ms))
        .collect();
    let result = compare::compare_metric_runs(
        metric,
        gate,
        &inputs,
        &input(candidate, c_series.as_ref(), scrape_ms),
        settings,
        prior_cv,
    );
    let newest = baselines.last().expect("at least one baseline");
    let band_runs: Vec<(i64, &MetricSeries)> = baselines
        .iter()
        .zip(&b_series)
        .filter_map(|(side, s)| s.as_ref().map(|s| (side.run.start_ms, s)))
        .collect();
    let band = if metric.kind == crate::pack::Kind::Series {
        report::band(&band_runs, newest.run.step_ms)
    } else {
        Vec::new()
    };
    Ok(MetricReport {
        result,
        baseline: SideData {
            query: newest.data.map(|d| d.query.clone()),
            series: b_series.pop().flatten(),
            band,
        },
        candidate: SideData {
            query: candidate.data.map(|d| d.query.clone()),
            series: c_series,
            band: Vec::new(),
        },
        analysis_seconds: started.elapsed().as_secs_f64(),
    })
}
