//! `benchcmp watch`: polls the candidate run while it runs, judges every gated metric at
//! each poll (`watch::decide`), shows the live state, and at the end writes the reports
//! `compare` writes for the window seen.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::{GlobalArgs, WatchArgs};
use crate::compare::side::{run_edges, SideInput};
use crate::compare::Settings;
use crate::error::{Error, Result};
use crate::gate::Gate;
use crate::options::CompareOptions;
use crate::pack::Metric;
use crate::report::{self, Format};
use crate::run::{self, Origin, Run};
use crate::source::{self, MetricData, RunData};
use crate::watch::decide::{self, Reference, TrendLooks, WatchSettings};
use crate::watch::feed::Feed;
use crate::watch::{self, MetricLook, PollRecord, State};

/// The poll interval without `--every`.
const EVERY_MS: i64 = 60_000;
/// Steady time before a pass without `--min-duration`.
const MIN_STEADY_MS: i64 = 15 * 60_000;
/// How long an open window (`--since`) may stay open.
const OPEN_WINDOW_MS: i64 = 7 * 24 * 3_600_000;

/// Checked settings of a watch, beyond those of `compare`.
struct WatchOptions {
    every_ms: i64,
    min_steady_ms: i64,
    since_ms: Option<i64>,
    stop_on_fail: bool,
    json_lines: Option<PathBuf>,
    replay: Option<PathBuf>,
    /// The clock's speed from the candidate's start (`None`: the wall clock).
    speed: Option<f64>,
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
    fn from_args(args: &WatchArgs) -> Result<WatchOptions> {
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
            json_lines: args.json_lines.clone(),
            replay: args.replay.clone(),
            speed: args.speed.or(args.replay.as_ref().map(|_| 1.0)),
        })
    }
}

/// Everything fixed for the whole watch of one gated metric.
struct Watched<'a> {
    metric: &'a Metric,
    /// Its place among the selected metrics (and in the feed's data).
    index: usize,
    gate: &'a Gate,
    reference: Reference,
    trends: TrendLooks,
    /// The first look at which it failed: a failure stays.
    failed: Option<MetricLook>,
    /// Whether it has passed: a pass stays unless a later look fails it.
    passed: bool,
}

pub fn run(global: &GlobalArgs, args: &WatchArgs) -> Result<i32> {
    let started = Instant::now();
    let watch = WatchOptions::from_args(args)?;
    let mut compare_args = args.compare.clone();
    if let Some(path) = &watch.replay {
        compare_args.candidate = Some(path.display().to_string());
    }
    let options = CompareOptions::from_args(global, &compare_args)?;
    let config = super::load_config(global)?;
    let pack = super::load_pack(global)?;
    let metrics = super::compare::select(&pack, &options.only)?;
    let gates = super::compare::resolve_gates(&pack, &config, &options.gate_overrides)?;
    let defaults = config.defaults;

    let baselines = run::resolve_all(&options.baseline, options.last, &config, &global.baselines)?;
    let mut candidate = run::resolve(&options.candidate, &config, &global.baselines)?;
    if watch.replay.is_none() && candidate.is_snapshot() {
        return Err(Error::input(format!(
            "candidate {} is a snapshot, which is not live: name a run of the config, or replay it with --replay {}",
            candidate.name, options.candidate
        )));
    }
    let now_ms = chrono::Utc::now().timestamp_millis();
    if let Some(since) = watch.since_ms {
        candidate.start_ms = now_ms - since;
        candidate.end_ms = candidate.start_ms + OPEN_WINDOW_MS;
    }
    if candidate.start_ms + defaults.warmup_ms >= candidate.end_ms {
        return Err(Error::input(format!(
            "run {}: its window is not longer than the warm-up ({})",
            candidate.name,
            crate::duration::human(defaults.warmup_ms)
        )));
    }
    let mut inputs = vec![candidate.clone()];
    inputs.extend(baselines.iter().cloned());
    reserve(&options, &watch, &inputs, &config)?;

    let watched_metrics: Vec<&Metric> = metrics
        .iter()
        .copied()
        .filter(|m| gates.contains_key(&m.id))
        .collect();
    if watched_metrics.is_empty() {
        return Err(Error::input(
            "no selected metric has a gate: there is nothing to watch (set gates in the pack, the config or --gate)",
        ));
    }
    let every_ms = watch.every_ms.max(candidate.step_ms);
    let settings = WatchSettings::new(options.confidence, watch.min_steady_ms, candidate.step_ms);

    // The baselines, read once.
    let needs_client = watch.replay.is_none() || baselines.iter().any(|b| !b.is_snapshot());
    let client = if needs_client {
        super::client(&config, global)?
    } else {
        None
    };
    if needs_client && client.is_none() {
        return Err(Error::input(
            "watching a live run needs Prometheus: set [source] url, --prometheus or BENCHCMP_PROMETHEUS_URL",
        ));
    }
    let rt = super::runtime()?;
    let quiet: Arc<dyn Fn() + Send + Sync> = Arc::new(|| {});
    let mut baseline_data = Vec::new();
    let mut baseline_windows = Vec::new();
    for b in &baselines {
        baseline_windows.push(b.steady_window(&defaults)?);
        let data = rt
            .block_on(source::load_run(
                b,
                &metrics,
                &defaults,
                client.as_ref(),
                quiet.clone(),
                global.verbose,
            ))
            .map_err(|e| run::with_shadowed_snapshot(e, b, &global.baselines))?;
        baseline_data.push(data);
    }
    let mut watched: Vec<Watched> = Vec::new();
    for metric in &watched_metrics {
        let series: Vec<Option<source::MetricSeries>> = baseline_data
            .iter()
            .map(|d| d.series(metric, &defaults))
            .collect::<Result<_>>()?;
        let inputs: Vec<SideInput> = baselines
            .iter()
            .zip(&baseline_data)
            .zip(&series)
            .zip(&baseline_windows)
            .map(|(((b, d), s), w)| SideInput {
                series: s.as_ref(),
                run_start_ms: b.start_ms,
                step_ms: b.step_ms,
                window: *w,
                edges: run_edges(b.start_ms, b.end_ms, defaults.scrape_interval_ms),
                warnings: d
                    .metrics
                    .get(&metric.id)
                    .map_or(&[][..], |m| m.warnings.as_slice()),
            })
            .collect();
        let prior = config
            .run_to_run
            .get(&metric.id)
            .copied()
            .or(metric.run_to_run);
        watched.push(Watched {
            metric,
            index: metrics
                .iter()
                .position(|m| m.id == metric.id)
                .expect("a watched metric is a selected one"),
            gate: &gates[&metric.id],
            reference: decide::reference(metric, &inputs, prior, &settings),
            trends: TrendLooks::default(),
            failed: None,
            passed: false,
        });
    }

    // The candidate's feed.
    let mut feed = match (&watch.replay, &client) {
        (Some(_), _) => {
            let recorded = rt.block_on(source::load_run(
                &candidate,
                &metrics,
                &defaults,
                None,
                quiet.clone(),
                global.verbose,
            ))?;
            Feed::replay(
                metrics
                    .iter()
                    .map(|m| recorded.metrics.get(&m.id).cloned())
                    .collect(),
            )
        }
        (None, Some(client)) => Feed::live(client.clone(), &defaults),
        (None, None) => unreachable!("a live watch has a client"),
    };
    let interrupted = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(tokio::sync::Notify::new());
    {
        let (interrupted, wake) = (interrupted.clone(), wake.clone());
        rt.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupted.store(true, Ordering::SeqCst);
                wake.notify_one();
            }
        });
    }
    let mut json_lines = match &watch.json_lines {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| Error::input(format!("--json-lines {}: {e}", path.display())))?,
        )),
        None => None,
    };
    let terminal = options.terminal;
    let live_table = std::io::stderr().is_terminal() && !global.quiet;
    let mut drawn_lines = 0usize;
    let mut previous: Option<Vec<MetricLook>> = None;
    let mut data: Vec<Option<MetricData>> = vec![None; metrics.len()];
    let steady_start = candidate.start_ms + defaults.warmup_ms;
    let speed = watch.speed.unwrap_or(1.0);
    let pause = Duration::from_secs_f64(every_ms as f64 / 1000.0 / speed);
    // The run's clock: the wall clock, or from the candidate's start at `--speed`.
    let clock_started = Instant::now();
    let clock = |wall_ms: i64| match watch.speed {
        Some(speed) => {
            candidate.start_ms + (clock_started.elapsed().as_secs_f64() * 1000.0 * speed) as i64
        }
        None => wall_ms,
    };
    let final_state;
    let observed_end;
    loop {
        let poll_started = Instant::now();
        let now_ms = chrono::Utc::now().timestamp_millis();
        let poll = rt.block_on(feed.poll(
            &candidate,
            &metrics,
            &defaults,
            clock(now_ms),
            global.verbose,
            &mut data,
        ))?;
        let judging = Instant::now();
        let seen_to = poll.observed_end_ms;
        let so_far = Run {
            end_ms: seen_to.max(steady_start),
            ..candidate.clone()
        };
        let window = (steady_start, seen_to.max(steady_start));
        let mut looks = Vec::with_capacity(watched.len());
        for w in watched.iter_mut() {
            let slot = &data[w.index];
            let series = match slot {
                Some(d) if seen_to > steady_start => {
                    Some(source::metric_series(&so_far, w.metric, d, &defaults)?)
                }
                _ => None,
            };
            let input = SideInput {
                series: series.as_ref(),
                run_start_ms: candidate.start_ms,
                step_ms: candidate.step_ms,
                window,
                edges: run_edges(candidate.start_ms, seen_to, defaults.scrape_interval_ms),
                warnings: slot.as_ref().map_or(&[][..], |d| d.warnings.as_slice()),
            };
            let mut look = decide::look(
                w.metric,
                w.gate,
                &w.reference,
                &input,
                &settings,
                &mut w.trends,
                poll.complete,
            );
            match (&w.failed, look.state) {
                (Some(_), _) => look.state = State::Fail,
                (None, State::Fail) => w.failed = Some(look.clone()),
                (None, State::Pass) => w.passed = true,
                (None, State::Pending) if w.passed => look.state = State::Pass,
                (None, State::Pending) => {}
            }
            looks.push(look);
        }
        let steady_ms = (seen_to - steady_start).max(0);
        let state = watch::overall(&looks, steady_ms, settings.min_steady_ms);
        let record = PollRecord {
            format: watch::RECORD_FORMAT,
            at: crate::config::format_time(now_ms / 1000 * 1000),
            candidate: candidate.name.clone(),
            observed_end: crate::config::format_time(seen_to),
            steady_seconds: steady_ms as f64 / 1000.0,
            state,
            judging_ms: judging.elapsed().as_secs_f64() * 1000.0,
            metrics: looks,
        };
        if let Some(out) = json_lines.as_mut() {
            serde_json::to_writer(&mut *out, &record)
                .map_err(|e| Error::input(format!("--json-lines: {e}")))?;
            out.write_all(b"\n")
                .and_then(|_| out.flush())
                .map_err(|e| Error::input(format!("--json-lines: {e}")))?;
        }
        let gates_of: Vec<&Gate> = watched.iter().map(|w| w.gate).collect();
        if !global.quiet {
            let text = if live_table {
                report::live::table(&record, &watched_metrics, &gates_of, terminal)
            } else {
                report::live::lines(&record, previous.as_deref(), &watched_metrics, &gates_of)
            };
            let mut err = std::io::stderr().lock();
            if live_table && drawn_lines > 0 {
                // Back over the previous drawing, then clear it.
                let _ = write!(err, "\x1b[{drawn_lines}A\x1b[J");
            }
            let _ = err.write_all(text.as_bytes());
            let _ = err.flush();
            drawn_lines = text.lines().count();
        }
        previous = Some(record.metrics);
        let stop = (state == State::Fail && watch.stop_on_fail)
            || state == State::Pass
            || poll.complete
            || interrupted.load(Ordering::SeqCst);
        if stop {
            final_state = state;
            observed_end = seen_to;
            break;
        }
        // Wait for the next poll, or for Ctrl-C.
        let wait = pause.saturating_sub(poll_started.elapsed());
        let woken = wake.clone();
        rt.block_on(async move {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = woken.notified() => {}
            }
        });
        if interrupted.load(Ordering::SeqCst) {
            // One last look at what is there, then the reports.
            continue;
        }
    }
    let interrupted = interrupted.load(Ordering::SeqCst);

    // The reports of `compare` for the window seen.
    if observed_end > steady_start {
        let seen = Run {
            end_ms: observed_end,
            ..candidate.clone()
        };
        let candidate_data = RunData {
            run: seen.clone(),
            metrics: metrics
                .iter()
                .zip(&data)
                .filter_map(|(m, d)| d.clone().map(|d| (m.id.clone(), d)))
                .collect(),
            warnings: Vec::new(),
        };
        let mut all: Vec<&Run> = baselines.iter().collect();
        all.push(&seen);
        let mut windows = baseline_windows.clone();
        windows.push((steady_start, observed_end));
        let mut loaded = baseline_data;
        loaded.push(candidate_data);
        let engine = Settings {
            confidence: options.confidence,
            ..Settings::default()
        };
        let reports = super::compare::analyse_loaded(
            &all, &windows, &loaded, &metrics, &gates, &config, &defaults, &engine,
        )?;
        let url = client.as_ref().map(|c| c.base_url().to_string());
        let report = super::compare::assemble(
            &pack.name,
            &all,
            &windows,
            &loaded,
            reports,
            &defaults,
            url.as_deref(),
            &options,
            &engine,
            started,
        );
        // The live display took the terminal's place: stdout only when asked for a format.
        super::compare::write_reports(&report, &options, options.outputs.stdout != Format::Table)?;
    }
    let verdict = match final_state {
        State::Fail => "FAIL",
        State::Pass => "PASS",
        State::Pending if interrupted => "stopped before a decision",
        State::Pending => "no decision by the end of the window",
    };
    if !global.quiet {
        eprintln!(
            "watch {}: {verdict} after {} of steady data",
            candidate.name,
            crate::duration::human((observed_end - steady_start).max(0))
        );
    }
    Ok(match final_state {
        State::Fail => 1,
        State::Pass => 0,
        State::Pending if options.strict => 1,
        State::Pending if options.accept_inconclusive => 0,
        State::Pending => 4,
    })
}

/// Checks, before anything is read, that no output (reports, `--json-lines`) is an input.
fn reserve(
    options: &CompareOptions,
    watch: &WatchOptions,
    runs: &[Run],
    config: &crate::config::Config,
) -> Result<()> {
    let mut inputs: Vec<(String, PathBuf)> = runs
        .iter()
        .filter_map(|r| match &r.origin {
            Origin::Snapshot(s) => Some((format!("the snapshot of {}", r.name), s.path.clone())),
            Origin::Config => None,
        })
        .collect();
    if let Some(path) = &config.path {
        inputs.push(("the config file".into(), path.clone()));
    }
    let mut targets = options.targets();
    if let Some(path) = &watch.json_lines {
        targets.push(crate::output::Target {
            option: "--json-lines".into(),
            path: path.clone(),
        });
    }
    crate::output::check_distinct(&targets, &inputs)
}
