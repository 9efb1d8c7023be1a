//! `benchcmp watch`: polls the candidate run while it runs, has every gated metric judged
//! at each poll (`watch::Session`), shows the live state, and at the end writes the reports
//! `compare` writes for the window seen, with the verdict the looks decided
//! (`watch::verdict`). The exit code is the report's.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cli::{GlobalArgs, WatchArgs};
use crate::compare::SideInput;
use crate::error::{Error, Result};
use crate::gate::Gate;
use crate::options::CompareOptions;
use crate::pack::Metric;
use crate::pipeline::{self, Judge, Lineup, LoadedRun, Provenance, Windowed};
use crate::report::{self, Format, Report};
use crate::run::{self, Origin, Run};
use crate::source::{self, MetricData, Reading, RunData};
use crate::watch::decide::{self, Plan, WatchSettings};
use crate::watch::feed::Feed;
use crate::watch::session::{Session, SoFar, Watched};
use crate::watch::verdict::Seen;
use crate::watch::{self, MetricLook, PollRecord, State};

/// The poll interval without `--every`.
const EVERY_MS: i64 = 60_000;
/// Steady time before a pass without `--min-duration`.
const MIN_STEADY_MS: i64 = 15 * 60_000;
/// How long an open window (`--since`) may stay open.
const OPEN_WINDOW_MS: i64 = 7 * 24 * 3_600_000;
/// How long the source may stay unreachable without `--give-up-after`.
const GIVE_UP_MS: i64 = 5 * 60_000;
/// The first retry after the source stopped answering, doubled up to [`RETRY_MAX_MS`].
const RETRY_FIRST_MS: i64 = 5_000;
const RETRY_MAX_MS: i64 = 60_000;

/// Checked settings of a watch, beyond those of `compare`.
struct WatchOptions {
    every_ms: i64,
    min_steady_ms: i64,
    since_ms: Option<i64>,
    stop_on_fail: bool,
    stop_on_pass: bool,
    give_up_ms: i64,
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
            stop_on_pass: args.stop_on_pass,
            give_up_ms: duration_flag(&args.give_up_after, "--give-up-after")?
                .unwrap_or(GIVE_UP_MS),
            json_lines: args.json_lines.clone(),
            replay: args.replay.clone(),
            speed: args.speed.or(args.replay.as_ref().map(|_| 1.0)),
        })
    }
}

/// What stays fixed for the whole watch once it has started: the runs, the metrics, the
/// baselines' data.
struct Setup<'a> {
    options: CompareOptions,
    config: crate::config::Config,
    pack_name: String,
    metrics: Vec<&'a Metric>,
    gates: std::collections::BTreeMap<String, Gate>,
    baselines: Vec<Run>,
    baseline_windows: Vec<(i64, i64)>,
    baseline_data: Vec<RunData>,
    candidate: Run,
    client: Option<Arc<dyn crate::source::Endpoint>>,
    rt: tokio::runtime::Runtime,
}

pub fn run(global: &GlobalArgs, args: &WatchArgs) -> Result<i32> {
    let started = Instant::now();
    let watch = WatchOptions::from_args(args)?;
    if args.compare.baseline.is_none()
        || (args.compare.candidate.is_none() && watch.replay.is_none())
    {
        return Err(Error::input(
            "watch needs --baseline <RUN> and the run to watch: --candidate <RUN> (a config run, live from Prometheus) or --replay <SNAPSHOT> (see `benchcmp runs`)",
        ));
    }
    let mut compare_args = args.compare.clone();
    if let Some(path) = &watch.replay {
        compare_args.candidate = Some(path.display().to_string());
    }
    let pack = super::load_pack(global)?;
    let setup = setup(global, &watch, &compare_args, &pack)?;
    let defaults = setup.config.defaults;
    let candidate = &setup.candidate;
    let steady_start = candidate.start_ms + defaults.warmup_ms;
    let every_ms = watch.every_ms.max(candidate.step_ms);
    let plan = Plan {
        confidence: setup.options.confidence,
        step_ms: candidate.step_ms,
        every_ms,
        window_ms: candidate.end_ms - steady_start,
        window_known: !candidate.ends_now,
        scrape_ms: defaults.scrape_interval_ms,
        min_steady_ms: watch.min_steady_ms,
        release_early: watch.stop_on_pass,
    };
    let settings = WatchSettings::new(&plan);
    let mut session = session(&setup, &settings)?;
    let shown: Vec<(Metric, Gate)> = session
        .watched
        .iter()
        .map(|w| (w.metric.clone(), w.gate.clone()))
        .collect();
    let watched_metrics: Vec<&Metric> = shown.iter().map(|(m, _)| m).collect();
    let watched_gates: Vec<&Gate> = shown.iter().map(|(_, g)| g).collect();
    let indexes: Vec<usize> = watched_metrics
        .iter()
        .map(|m| {
            setup
                .metrics
                .iter()
                .position(|s| s.id == m.id)
                .expect("a watched metric is a selected one")
        })
        .collect();

    let mut feed = feed(global, &watch, &setup)?;
    let interrupted = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(tokio::sync::Notify::new());
    {
        let (interrupted, wake) = (interrupted.clone(), wake.clone());
        setup.rt.spawn(async move {
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
    let mut display = Display::new(global, &setup.options);
    let mut data: Vec<Option<MetricData>> = vec![None; setup.metrics.len()];
    let speed = watch.speed.unwrap_or(1.0);
    let pause = Duration::from_secs_f64(every_ms as f64 / 1000.0 / speed);
    // The run's clock: the wall clock, or at `--speed` a replay's, from the candidate's
    // start one `--every` further at each poll — so a replay sees the same samples at every
    // poll however fast the machine is (its pace is the pause between polls).
    let mut polls: i64 = 0;
    let clock = |wall_ms: i64, polls: i64| match watch.speed {
        Some(_) => candidate.start_ms + polls * every_ms,
        None => wall_ms,
    };
    let sleep = |wait: Duration| {
        let woken = wake.clone();
        setup.rt.block_on(async move {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = woken.notified() => {}
            }
        });
    };
    let mut unreachable: Option<(i64, i64)> = None; // (since, next retry delay)
    let mut source_lost: Option<String> = None;
    let mut release_checked_ms: Option<i64> = None;
    let mut last_record: Option<PollRecord> = None;
    let mut observed_end = steady_start.min(candidate.start_ms);
    let mut complete = false;
    loop {
        let poll_started = Instant::now();
        let now_ms = chrono::Utc::now().timestamp_millis();
        let poll = setup.rt.block_on(feed.poll(
            candidate,
            &setup.metrics,
            clock(now_ms, polls),
            &mut data,
        ));
        let poll = match poll {
            Ok(poll) => {
                polls += 1;
                if let Some((since, _)) = unreachable.take() {
                    display.note(&format!(
                        "source answers again after {} unreachable",
                        crate::duration::human((now_ms - since).max(0) / 1000 * 1000)
                    ));
                }
                poll
            }
            Err(Error::Source(message)) => {
                let (since, delay) = unreachable.unwrap_or((now_ms, RETRY_FIRST_MS));
                let down = now_ms - since;
                if down >= watch.give_up_ms || interrupted.load(Ordering::SeqCst) {
                    source_lost = Some(format!(
                        "the source stopped answering at {} and was still unreachable {} later: {message}",
                        crate::config::format_time(since / 1000 * 1000),
                        crate::duration::human(down / 1000 * 1000)
                    ));
                    break;
                }
                let delay = delay.min(watch.give_up_ms - down).max(1000);
                display.note(&format!(
                    "source unreachable since {} ({}); next try in {}: {message}",
                    crate::config::format_time(since / 1000 * 1000),
                    crate::duration::human(down / 1000 * 1000),
                    crate::duration::human(delay / 1000 * 1000)
                ));
                unreachable = Some((since, (delay * 2).min(RETRY_MAX_MS)));
                sleep(Duration::from_millis(delay as u64));
                continue;
            }
            Err(e) => return Err(e),
        };
        let judging = Instant::now();
        let seen_to = poll.observed_end_ms;
        observed_end = seen_to;
        complete = poll.complete;
        let so_far = Run {
            end_ms: seen_to.max(steady_start),
            ..candidate.clone()
        };
        let series: Vec<Option<source::MetricSeries>> = indexes
            .iter()
            .zip(&watched_metrics)
            .map(|(&i, metric)| match &data[i] {
                Some(d) if seen_to > steady_start => {
                    source::metric_series(&so_far, metric, d, &defaults).map(Some)
                }
                _ => Ok(None),
            })
            .collect::<Result<_>>()?;
        let series_refs: Vec<Option<&source::MetricSeries>> =
            series.iter().map(Option::as_ref).collect();
        let looks = session.look(
            &series_refs,
            SoFar {
                run_start_ms: candidate.start_ms,
                step_ms: candidate.step_ms,
                scrape_ms: defaults.scrape_interval_ms,
                steady_start_ms: steady_start,
                seen_to_ms: seen_to,
                complete: poll.complete,
            },
        );
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
            verdict: None,
        };
        display.show(&record, &watched_metrics, &watched_gates);
        let all_failed = record.metrics.iter().all(|l| l.state == State::Fail);
        let mut released = false;
        if state == State::Pass
            && release_checked_ms.is_none_or(|at| steady_ms >= (at + at / 10).max(at + 300_000))
        {
            // Released by the looks: `compare` on the window seen must agree, or the watch
            // goes on (its report is the verdict of record).
            release_checked_ms = Some(steady_ms);
            let seen = seen_of(&setup, seen_to, poll.complete);
            let report = final_report(&setup, &session, &data, seen, started, None)?;
            released = report.as_ref().is_some_and(|r| r.exit_code() == 0);
            if !released {
                display.note(
                    "every metric passed its live test, but compare on the window seen does not pass yet: watching on",
                );
            }
        }
        let stop = (state == State::Fail && (watch.stop_on_fail || all_failed))
            || released
            || poll.complete
            || display.closed
            || interrupted.load(Ordering::SeqCst);
        if stop {
            last_record = Some(record);
            break;
        }
        write_record(&mut json_lines, &record)?;
        last_record = Some(record);
        // Wait for the next poll, or for Ctrl-C.
        sleep(pause.saturating_sub(poll_started.elapsed()));
        if interrupted.load(Ordering::SeqCst) {
            // One last look at what is there, then the reports.
            continue;
        }
    }
    // Stdout's reader gone ends the watch as Ctrl-C does.
    let interrupted = interrupted.load(Ordering::SeqCst) || display.closed;

    // The reports of `compare` for the window seen, with the watch's verdict.
    let seen = seen_of(&setup, observed_end, complete);
    let report = final_report(&setup, &session, &data, seen, started, source_lost.clone())?;
    let verdict = report.as_ref().map(|r| r.verdict());
    if let Some(record) = last_record.as_mut() {
        record.verdict = verdict;
        write_record(&mut json_lines, record)?;
    }
    let steady_seen = (observed_end - steady_start).max(0);
    let exit = match &report {
        Some(report) => {
            // The table (below the poll lines) or the format asked for, on stdout.
            super::outputs::write_reports(report, &setup.options, true)?;
            report.exit_code()
        }
        None => {
            let why = if source_lost.is_some() {
                "the source was lost before the steady window began"
            } else if interrupted {
                "stopped during the warm-up, before any of the steady window was seen"
            } else {
                "nothing of the steady window was seen"
            };
            // Said whatever `--quiet` says: the reports asked for are not there.
            super::note(&format!("no report written: {why}"));
            if source_lost.is_some() {
                3
            } else {
                4
            }
        }
    };
    if let Some(lost) = &source_lost {
        display.note(lost);
    }
    let said = match (&report, verdict) {
        (Some(_), Some(v)) => report::text::verdict_label(v).to_string(),
        _ if interrupted => "stopped before a decision".to_string(),
        _ => "no decision".to_string(),
    };
    display.note(&format!(
        "watch {}: {said} after {} of steady data{}",
        candidate.name,
        crate::duration::human(steady_seen),
        if interrupted && report.is_some() {
            " (stopped)"
        } else {
            ""
        }
    ));
    Ok(exit)
}

/// How much of the candidate's steady window a watch has seen by `seen_to`.
fn seen_of(setup: &Setup, seen_to: i64, complete: bool) -> Seen {
    let steady_start = setup.candidate.start_ms + setup.config.defaults.warmup_ms;
    Seen {
        to_ms: seen_to,
        steady_ms: (seen_to - steady_start).max(0),
        window_ms: setup.candidate.end_ms - steady_start,
        to_end: complete,
    }
}

fn write_record(
    out: &mut Option<std::io::BufWriter<std::fs::File>>,
    record: &PollRecord,
) -> Result<()> {
    let Some(out) = out.as_mut() else {
        return Ok(());
    };
    serde_json::to_writer(&mut *out, record)
        .map_err(|e| Error::input(format!("--json-lines: {e}")))?;
    out.write_all(b"\n")
        .and_then(|_| out.flush())
        .map_err(|e| Error::input(format!("--json-lines: {e}")))
}

/// Reads the config and pack, resolves the runs, reserves the outputs and reads the
/// baselines.
fn setup<'a>(
    global: &GlobalArgs,
    watch: &WatchOptions,
    compare_args: &crate::cli::CompareArgs,
    pack: &'a crate::pack::Pack,
) -> Result<Setup<'a>> {
    let options = CompareOptions::from_args(global, compare_args)?;
    let config = super::load_config(global)?;
    let metrics = pack.select(&options.only)?;
    let gates = crate::gate::resolve(pack, &config, &options.gate_overrides)?;
    let defaults = config.defaults;
    let baselines = run::resolve_all(&options.baseline, options.last, &config, &global.baselines)?;
    let mut candidate = match watch.since_ms {
        Some(since) => run::resolve_since(
            &options.candidate,
            &config,
            since,
            chrono::Utc::now().timestamp_millis(),
        )?,
        None => run::resolve(&options.candidate, &config, &global.baselines)?,
    };
    if watch.replay.is_none() && candidate.is_snapshot() {
        return Err(Error::input(format!(
            "candidate {} is a snapshot, which is not live: name a run of the config, or replay it with --replay {}",
            candidate.name, options.candidate
        )));
    }
    if candidate.ends_now && watch.replay.is_none() {
        // A run still going (`end = "now"`, `--since`): its window stays open.
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
    reserve(&options, watch, &inputs, &config)?;
    if !metrics.iter().any(|m| gates.contains_key(&m.id)) {
        return Err(Error::input(
            "no selected metric has a gate: there is nothing to watch (set gates in the pack, the config or --gate)",
        ));
    }
    let needs_client = watch.replay.is_none() || baselines.iter().any(|b| !b.is_snapshot());
    let client = if needs_client {
        Some(super::require_endpoint(&config, global, "the watched run")?)
    } else {
        None
    };
    let rt = super::runtime()?;
    let mut baseline_data = Vec::new();
    let mut baseline_windows = Vec::new();
    for b in &baselines {
        baseline_windows.push(b.steady_window(&defaults)?);
        let data = rt
            .block_on(source::load_run(
                b,
                &metrics,
                &defaults,
                &Reading::quiet(client.as_ref(), global.verbose),
            ))
            .map_err(|e| run::with_shadowed_snapshot(e, b, &global.baselines))?;
        baseline_data.push(data);
    }
    Ok(Setup {
        options,
        pack_name: pack.name.clone(),
        metrics,
        gates,
        baselines,
        baseline_windows,
        baseline_data,
        candidate,
        client,
        rt,
        config,
    })
}

/// The session of the gated metrics, each with what its baselines say.
fn session(setup: &Setup, settings: &WatchSettings) -> Result<Session> {
    let defaults = setup.config.defaults;
    let mut watched = Vec::new();
    for metric in setup
        .metrics
        .iter()
        .filter(|m| setup.gates.contains_key(&m.id))
    {
        let series: Vec<Option<source::MetricSeries>> = setup
            .baseline_data
            .iter()
            .map(|d| d.series(metric, &defaults))
            .collect::<Result<_>>()?;
        let inputs: Vec<SideInput> = setup
            .baselines
            .iter()
            .zip(&setup.baseline_windows)
            .zip(&setup.baseline_data)
            .zip(&series)
            .map(|(((run, window), data), s)| {
                let side = Windowed {
                    run,
                    window: *window,
                };
                let data = data.metrics.get(&metric.id);
                pipeline::side_input(&side, data, s.as_ref(), defaults.scrape_interval_ms)
            })
            .collect();
        let prior =
            Judge::new(&setup.gates, &setup.config, setup.options.confidence).prior_cv(metric);
        watched.push(Watched::new(
            (*metric).clone(),
            setup.gates[&metric.id].clone(),
            decide::reference(metric, &inputs, prior, settings),
        ));
    }
    Ok(Session::new(watched, *settings))
}

/// Where the candidate's samples come from: a recording replayed, or Prometheus.
fn feed(global: &GlobalArgs, watch: &WatchOptions, setup: &Setup) -> Result<Feed> {
    let defaults = setup.config.defaults;
    match (&watch.replay, &setup.client) {
        (Some(_), _) => {
            let recorded = setup.rt.block_on(source::load_run(
                &setup.candidate,
                &setup.metrics,
                &defaults,
                &Reading::quiet(None, global.verbose),
            ))?;
            Ok(Feed::replay(
                setup
                    .metrics
                    .iter()
                    .map(|m| recorded.metrics.get(&m.id).cloned())
                    .collect(),
            ))
        }
        (None, Some(client)) => Ok(Feed::live(client.clone(), &defaults, global.verbose)),
        (None, None) => Err(crate::source::endpoint::missing("the watched run")),
    }
}

/// `compare`'s report of the window seen (to `seen_to`), its metrics settled with what the
/// looks decided; `None` when nothing of the steady window was seen.
fn final_report(
    setup: &Setup,
    session: &Session,
    data: &[Option<MetricData>],
    seen: Seen,
    started: Instant,
    source_lost: Option<String>,
) -> Result<Option<Report>> {
    let defaults = setup.config.defaults;
    let candidate = &setup.candidate;
    let steady_start = candidate.start_ms + defaults.warmup_ms;
    if seen.to_ms <= steady_start {
        return Ok(None);
    }
    let seen_run = Run {
        end_ms: seen.to_ms,
        ..candidate.clone()
    };
    let candidate_data = RunData {
        run: seen_run.clone(),
        metrics: setup
            .metrics
            .iter()
            .zip(data)
            .filter_map(|(m, d)| d.clone().map(|d| (m.id.clone(), d)))
            .collect(),
        warnings: Vec::new(),
    };
    let loaded = Lineup {
        baselines: setup
            .baselines
            .iter()
            .zip(&setup.baseline_windows)
            .zip(&setup.baseline_data)
            .map(|((run, window), data)| LoadedRun {
                run,
                window: *window,
                data,
            })
            .collect(),
        candidate: LoadedRun {
            run: &seen_run,
            window: (steady_start, seen.to_ms),
            data: &candidate_data,
        },
    };
    let judge = Judge::new(&setup.gates, &setup.config, setup.options.confidence);
    let reports = judge.loaded(&setup.metrics, &loaded)?;
    let url = setup.client.as_ref().map(|c| c.base_url().to_string());
    let from = Provenance {
        pack: &setup.pack_name,
        url: url.as_deref(),
        started,
    };
    let mut report = pipeline::assemble(from, &loaded, reports, &judge, &setup.options);
    let mut results: Vec<&mut crate::compare::MetricResult> =
        report.metrics.iter_mut().map(|m| &mut m.result).collect();
    session.settle(&mut results, seen);
    report.overall = crate::compare::overall(report.metrics.iter().map(|m| &m.result));
    if let Some(lost) = source_lost {
        report.warnings.push(lost.clone());
        report.source_lost = Some(lost);
    }
    Ok(Some(report))
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

/// What the watch shows while it runs: a table redrawn in place on a terminal, log lines
/// elsewhere, and notes (the source lost and found, the end) as lines of their own — on
/// stdout, the watch's output (`watch > log` keeps it all), or on stderr where stdout
/// carries a report format (`--format json`). Stdout closed by its reader (`| head`) ends
/// the watch as Ctrl-C does.
struct Display {
    quiet: bool,
    on_stdout: bool,
    live_table: bool,
    terminal: crate::report::Terminal,
    drawn_lines: usize,
    previous: Option<Vec<MetricLook>>,
    /// Stdout's reader has gone.
    closed: bool,
}

impl Display {
    fn new(global: &GlobalArgs, options: &CompareOptions) -> Display {
        let on_stdout = options.outputs.stdout == Format::Table;
        let terminal = if on_stdout {
            std::io::stdout().is_terminal()
        } else {
            std::io::stderr().is_terminal()
        };
        Display {
            quiet: global.quiet,
            on_stdout,
            live_table: terminal && !global.quiet,
            terminal: options.terminal,
            drawn_lines: 0,
            previous: None,
            closed: false,
        }
    }

    fn show(&mut self, record: &PollRecord, metrics: &[&Metric], gates: &[&Gate]) {
        if self.quiet {
            return;
        }
        let mut text = if self.live_table {
            report::live::table(record, metrics, gates, self.terminal)
        } else {
            report::live::lines(record, self.previous.as_deref(), metrics, gates)
        };
        let drawn = text.lines().count();
        if self.live_table && self.drawn_lines > 0 {
            // Back over the previous drawing, then clear it.
            text.insert_str(0, &format!("\x1b[{}A\x1b[J", self.drawn_lines));
        }
        self.write(&text);
        self.drawn_lines = drawn;
        self.previous = Some(record.metrics.clone());
    }

    /// A line of its own, below the table (which is then drawn afresh under it).
    fn note(&mut self, line: &str) {
        if self.quiet {
            return;
        }
        self.write(&format!("{line}\n"));
        self.drawn_lines = 0;
    }

    fn write(&mut self, text: &str) {
        if !self.on_stdout {
            super::note(text.trim_end_matches('\n'));
        } else if !self.closed {
            // Only a closed pipe is an error here, and it ends the watch (`closed`); the
            // reports are written all the same.
            self.closed = !super::emit_open(text).unwrap_or(true);
        }
    }
}
