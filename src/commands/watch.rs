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
use crate::options::{CompareOptions, WatchOptions};
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

/// How long an open window (`--since`) may stay open.
const OPEN_WINDOW_MS: i64 = 7 * 24 * 3_600_000;
/// The first retry after the source stopped answering, doubled up to [`RETRY_MAX_MS`].
const RETRY_FIRST_MS: i64 = 5_000;
const RETRY_MAX_MS: i64 = 60_000;

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
    let mut compare_args = args.compare.clone();
    if let Some(path) = &watch.replay {
        compare_args.candidate = Some(path.display().to_string());
    }
    let pack = super::load_pack(global)?;
    let setup = setup(global, &watch, &compare_args, &pack)?;
    let defaults = setup.config.defaults;
    let candidate = &setup.candidate;
    let steady_start = candidate.start_ms + defaults.warmup_ms;
    let plan = plan(&setup, &watch);
    let settings = WatchSettings::new(&plan);
    let mut session = session(&setup, &settings)?;
    let shown = Shown::of(&setup, &session);

    let mut feed = feed(global, &watch, &setup)?;
    let (interrupted, wake) = on_ctrl_c(&setup.rt);
    let mut json_lines = json_lines_file(watch.json_lines.as_ref())?;
    let mut display = Display::new(global, &setup.options);
    let mut data: Vec<Option<MetricData>> = vec![None; setup.metrics.len()];
    let mut pace = Pace::new(&setup, &watch, wake);
    let mut outage = Outage::default();
    let mut source_lost: Option<String> = None;
    let mut release = ReleaseChecks::default();
    let mut last_record: Option<PollRecord> = None;
    let mut observed_end = steady_start.min(candidate.start_ms);
    let mut complete = false;
    loop {
        let poll_started = Instant::now();
        let now_ms = chrono::Utc::now().timestamp_millis();
        let poll =
            setup
                .rt
                .block_on(feed.poll(candidate, &setup.metrics, pace.clock(now_ms), &mut data));
        let poll = match poll {
            Ok(poll) => {
                pace.polled();
                if let Some(note) = outage.over(now_ms) {
                    display.note(&note);
                }
                poll
            }
            Err(Error::Source(message)) => {
                let give_up = watch.give_up_ms;
                match outage.next(
                    now_ms,
                    give_up,
                    &message,
                    interrupted.load(Ordering::SeqCst),
                ) {
                    Err(lost) => {
                        source_lost = Some(lost);
                        break;
                    }
                    Ok((delay, note)) => {
                        display.note(&note);
                        pace.sleep(delay);
                        continue;
                    }
                }
            }
            Err(e) => return Err(e),
        };
        let seen_to = poll.observed_end_ms;
        observed_end = seen_to;
        complete = poll.complete;
        let record = shown.judge(&setup, &mut session, &data, &poll, now_ms)?;
        let (state, steady_ms) = (record.state, (seen_to - steady_start).max(0));
        let metrics: Vec<&Metric> = session.watched.iter().map(|w| &w.metric).collect();
        let gates: Vec<&Gate> = session.watched.iter().map(|w| &w.gate).collect();
        display.show(&record, &metrics, &gates);
        let all_failed = record.metrics.iter().all(|l| l.state == State::Fail);
        let released = state == State::Pass
            && release.due(steady_ms)
            && released_by_compare(
                &setup,
                &session,
                &data,
                (seen_to, poll.complete),
                started,
                &mut display,
            )?;
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
        // Wait for the next poll, or for Ctrl-C (then one last look at what is there).
        pace.sleep(pace.pause.saturating_sub(poll_started.elapsed()));
    }
    // Stdout's reader gone ends the watch as Ctrl-C does.
    let interrupted = interrupted.load(Ordering::SeqCst) || display.closed;
    let ended = Ended {
        observed_end,
        complete,
        interrupted,
        source_lost,
        last_record,
    };
    finish(
        &setup,
        &session,
        &data,
        ended,
        started,
        &mut display,
        &mut json_lines,
    )
}

/// Where each watched metric (of the session, in its order) is among the selected metrics
/// whose data the feed fills.
struct Shown {
    indexes: Vec<usize>,
}

impl Shown {
    fn of(setup: &Setup, session: &Session) -> Shown {
        let indexes = session
            .watched
            .iter()
            .map(|w| {
                setup
                    .metrics
                    .iter()
                    .position(|s| s.id == w.metric.id)
                    .expect("a watched metric is a selected one")
            })
            .collect();
        Shown { indexes }
    }

    /// One poll judged: each watched metric's series so far looked at by the session, as
    /// the poll's record.
    fn judge(
        &self,
        setup: &Setup,
        session: &mut Session,
        data: &[Option<MetricData>],
        poll: &crate::watch::feed::Poll,
        now_ms: i64,
    ) -> Result<PollRecord> {
        let judging = Instant::now();
        let (candidate, defaults) = (&setup.candidate, setup.config.defaults);
        let steady_start = candidate.start_ms + defaults.warmup_ms;
        let seen_to = poll.observed_end_ms;
        let so_far = Run {
            end_ms: seen_to.max(steady_start),
            ..candidate.clone()
        };
        let series: Vec<Option<source::MetricSeries>> = self
            .indexes
            .iter()
            .zip(&session.watched)
            .map(|(&i, w)| match &data[i] {
                Some(d) if seen_to > steady_start => {
                    source::metric_series(&so_far, &w.metric, d, &defaults).map(Some)
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
        Ok(PollRecord {
            format: watch::RECORD_FORMAT,
            at: crate::config::format_time(now_ms / 1000 * 1000),
            candidate: candidate.name.clone(),
            observed_end: crate::config::format_time(seen_to),
            steady_seconds: steady_ms as f64 / 1000.0,
            state: watch::overall(&looks, steady_ms, session.settings.min_steady_ms),
            judging_ms: judging.elapsed().as_secs_f64() * 1000.0,
            metrics: looks,
            verdict: None,
        })
    }
}

/// What the looks need to know of the watch: the confidence, the step and the poll
/// interval, the window, the minimum steady time, whether a pass releases the run.
fn plan(setup: &Setup, watch: &WatchOptions) -> Plan {
    let (candidate, defaults) = (&setup.candidate, setup.config.defaults);
    let steady_start = candidate.start_ms + defaults.warmup_ms;
    Plan {
        confidence: setup.options.confidence,
        step_ms: candidate.step_ms,
        every_ms: watch.every_ms.max(candidate.step_ms),
        window_ms: candidate.end_ms - steady_start,
        window_known: !candidate.ends_now,
        scrape_ms: defaults.scrape_interval_ms,
        min_steady_ms: watch.min_steady_ms,
        release_early: watch.stop_on_pass,
    }
}

/// Ctrl-C sets the flag and wakes the watch from its pause between polls.
fn on_ctrl_c(rt: &tokio::runtime::Runtime) -> (Arc<AtomicBool>, Arc<tokio::sync::Notify>) {
    let interrupted = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(tokio::sync::Notify::new());
    let (flag, woken) = (interrupted.clone(), wake.clone());
    rt.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            flag.store(true, Ordering::SeqCst);
            woken.notify_one();
        }
    });
    (interrupted, wake)
}

/// The `--json-lines` file, created.
fn json_lines_file(path: Option<&PathBuf>) -> Result<Option<std::io::BufWriter<std::fs::File>>> {
    path.map(|path| {
        std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .map_err(|e| Error::input(format!("--json-lines {}: {e}", path.display())))
    })
    .transpose()
}

/// When `compare` is asked whether a run every look passed may be released: at the first
/// pass, then after 10% more steady time and at least 5 minutes.
#[derive(Default)]
struct ReleaseChecks {
    last_ms: Option<i64>,
}

impl ReleaseChecks {
    /// Whether to ask now, at `steady_ms` of steady data (and count it as asked).
    fn due(&mut self, steady_ms: i64) -> bool {
        let due = self
            .last_ms
            .is_none_or(|at| steady_ms >= (at + at / 10).max(at + 300_000));
        if due {
            self.last_ms = Some(steady_ms);
        }
        due
    }
}

/// Released by the looks: `compare` on the window seen must agree, or the watch goes on
/// (its report is the verdict of record).
fn released_by_compare(
    setup: &Setup,
    session: &Session,
    data: &[Option<MetricData>],
    (seen_to, complete): (i64, bool),
    started: Instant,
    display: &mut Display,
) -> Result<bool> {
    let seen = seen_of(setup, seen_to, complete);
    let report = final_report(setup, session, data, seen, started, None)?;
    let released = report.as_ref().is_some_and(|r| r.exit_code() == 0);
    if !released {
        display.note(
            "every metric passed its live test, but compare on the window seen does not pass yet: watching on",
        );
    }
    Ok(released)
}

/// The watch's pace: the run's clock — the wall clock, or at `--speed` a replay's, from the
/// candidate's start one `--every` further at each poll, so that a replay sees the same
/// samples at every poll however fast the machine is — and the pause between polls, cut
/// short by Ctrl-C.
struct Pace<'a> {
    rt: &'a tokio::runtime::Runtime,
    wake: Arc<tokio::sync::Notify>,
    replay_from_ms: Option<i64>,
    every_ms: i64,
    pause: Duration,
    polls: i64,
}

impl<'a> Pace<'a> {
    fn new(setup: &'a Setup, watch: &WatchOptions, wake: Arc<tokio::sync::Notify>) -> Self {
        let every_ms = watch.every_ms.max(setup.candidate.step_ms);
        let speed = watch.speed.unwrap_or(1.0);
        Pace {
            rt: &setup.rt,
            wake,
            replay_from_ms: watch.speed.map(|_| setup.candidate.start_ms),
            every_ms,
            pause: Duration::from_secs_f64(every_ms as f64 / 1000.0 / speed),
            polls: 0,
        }
    }

    /// The run's time now, given the wall clock's.
    fn clock(&self, wall_ms: i64) -> i64 {
        match self.replay_from_ms {
            Some(start) => start + self.polls * self.every_ms,
            None => wall_ms,
        }
    }

    /// A poll succeeded: the replay's clock moves on.
    fn polled(&mut self) {
        self.polls += 1;
    }

    /// Waits `wait`, or until Ctrl-C.
    fn sleep(&self, wait: Duration) {
        let woken = self.wake.clone();
        self.rt.block_on(async move {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = woken.notified() => {}
            }
        });
    }
}

/// How a watch's loop ended.
struct Ended {
    observed_end: i64,
    complete: bool,
    interrupted: bool,
    source_lost: Option<String>,
    last_record: Option<PollRecord>,
}

/// The end of a watch: `compare`'s reports of the window seen with the watch's verdict,
/// the last record with it, the closing line; the exit code.
fn finish(
    setup: &Setup,
    session: &Session,
    data: &[Option<MetricData>],
    ended: Ended,
    started: Instant,
    display: &mut Display,
    json_lines: &mut Option<std::io::BufWriter<std::fs::File>>,
) -> Result<i32> {
    let Ended {
        observed_end,
        complete,
        interrupted,
        source_lost,
        mut last_record,
    } = ended;
    let candidate = &setup.candidate;
    let steady_start = candidate.start_ms + setup.config.defaults.warmup_ms;
    // The reports of `compare` for the window seen, with the watch's verdict.
    let seen = seen_of(setup, observed_end, complete);
    let report = final_report(setup, session, data, seen, started, source_lost.clone())?;
    let verdict = report.as_ref().map(|r| r.verdict());
    if let Some(record) = last_record.as_mut() {
        record.verdict = verdict;
        write_record(json_lines, record)?;
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

/// A source that stopped answering: since when, and the next retry's delay (5 s, doubled
/// up to a minute).
#[derive(Default)]
struct Outage {
    down: Option<(i64, i64)>,
}

impl Outage {
    /// The source failed again at `now_ms`: how long to wait and what to say, or — past
    /// `give_up_ms`, or interrupted — why the watch ends.
    fn next(
        &mut self,
        now_ms: i64,
        give_up_ms: i64,
        message: &str,
        interrupted: bool,
    ) -> std::result::Result<(Duration, String), String> {
        let (since, delay) = self.down.unwrap_or((now_ms, RETRY_FIRST_MS));
        let down = now_ms - since;
        if down >= give_up_ms || interrupted {
            return Err(format!(
                "the source stopped answering at {} and was still unreachable {} later: {message}",
                crate::config::format_time(since / 1000 * 1000),
                crate::duration::human(down / 1000 * 1000)
            ));
        }
        let delay = delay.min(give_up_ms - down).max(1000);
        self.down = Some((since, (delay * 2).min(RETRY_MAX_MS)));
        Ok((
            Duration::from_millis(delay as u64),
            format!(
                "source unreachable since {} ({}); next try in {}: {message}",
                crate::config::format_time(since / 1000 * 1000),
                crate::duration::human(down / 1000 * 1000),
                crate::duration::human(delay / 1000 * 1000)
            ),
        ))
    }

    /// The source answered at `now_ms`: what to say if it had been away.
    fn over(&mut self, now_ms: i64) -> Option<String> {
        self.down.take().map(|(since, _)| {
            format!(
                "source answers again after {} unreachable",
                crate::duration::human((now_ms - since).max(0) / 1000 * 1000)
            )
        })
    }
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
    let judge = Judge::new(&setup.gates, &setup.config, setup.options.confidence);
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
        let prior = judge.prior_cv(metric);
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
    let snapshots = runs
        .iter()
        .filter_map(|r| match &r.origin {
            Origin::Snapshot(s) => Some((format!("the snapshot of {}", r.name), s.path.clone())),
            Origin::Config => None,
        })
        .collect();
    let mut targets = options.targets();
    if let Some(path) = &watch.json_lines {
        targets.push(crate::output::Target {
            option: "--json-lines".into(),
            path: path.clone(),
        });
    }
    super::outputs::reserve(&targets, snapshots, config)
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
