//! One look at a live run: each gated metric's state from what the candidate has shown so
//! far, decided so that looking again and again does not inflate the error rates.
//!
//! * **The whole run's mean** has a confidence sequence (`stats::sequential`): valid at
//!   every look at once, with the samples' long-run variance around the run's level
//!   structure (`watch::noise`) — the larger of the candidate's own estimate and the
//!   baseline's scaled to the candidate's level, each widened for its degrees of freedom —
//!   so that neither the first minutes of a run nor a noisier candidate look quieter than
//!   they are.
//! * **The recent level** (what `compare` reports as the level a run ended at) is judged at
//!   every look too: the mean of the last `w` samples, for `w` of 10, 20, 40, … up to half
//!   the run, against the budget, with the variance of such a mean (`watch::noise`). A run
//!   that starts fine and then collapses fails within minutes of the collapse, whatever its
//!   whole-run mean says. The test spends its share of `α` over every window at every look
//!   planned for the run (Bonferroni: one-sided at `α · SCAN_SHARE / tests`), so it stays
//!   valid however often it is asked; only a failure comes of it.
//! * **The baseline is complete**: its level comes from `compare`'s engine (pooled across
//!   runs, widened by run-to-run variation) as a fixed interval at `α · BASELINE_SHARE`.
//! * **A pass is provisional**: wholly inside with `compare`'s minimum evidence and the
//!   minimum duration, a metric is "passing so far" and stays watched, so that a later
//!   collapse still fails it; it is released only when asked (`--stop-on-pass`). FAIL is
//!   final.
//! * A trend has no sequence here: it is tested at looks spaced geometrically in the number
//!   of samples, at levels that sum to its share of `α` (`spent_alpha`).
//! * Counts, maxima and minima are facts of the window observed: beyond their bound they
//!   fail at once. Statistics with no sequence (quantiles, `last`) and level shifts are
//!   decided by `compare` when the run ends.
//! * **Data that stop**: a series silent for several scrape intervals is marked so; once
//!   the slots already missing keep the window from the coverage `compare` needs, the
//!   metric has no data, as `compare` will say at the end — a failure now.
//!
//! Missing data keep every rule of `compare`: what is not there is not a sample, a pass
//! needs `compare`'s minimum samples and coverage and the minimum duration, and a
//! censored mean (at the histogram's ceiling) can fail but never pass.

use serde::Serialize;

use crate::compare::clause::decide;
use crate::compare::evidence::{self, Prepared};
use crate::compare::side::{self, SideInput};
use crate::compare::{Bound, Outcome, Reason, Role, Settings};
use crate::gate::{Clause, Gate, Op, Stat};
use crate::pack::{Better, Kind, Metric};
use crate::stats::{self, sequential};

use super::noise::{self, Noise};

/// The baseline's level is an interval at `α · BASELINE_SHARE`; the candidate's sequence
/// is at `α`. A false FAIL needs the sequence to miss on one side (about `α/2` of the
/// two-sided `α`) or the level on the other (`α · BASELINE_SHARE / 2`).
const BASELINE_SHARE: f64 = 0.5;
/// The recent-level test's share of `α` (one-sided, over all its tests).
const SCAN_SHARE: f64 = 0.2;
/// A trend's interim tests: the first after an hour of steady samples (a slope read from a
/// part of one GC cycle is no leak), then at every 1.5-fold of the samples; they spend half
/// of `α` (`α/2 · 6/(π² k²)` at the k-th), and the test when the run's window has been seen
/// to its end the other half.
const TREND_FIRST_MS: i64 = 3_600_000;
const TREND_GROWTH: f64 = 1.5;
/// The noise is estimated again at every look while the run is this short, and then each
/// time the run has grown by [`NOISE_GROWTH`].
const NOISE_EARLY: usize = 60;
const NOISE_GROWTH: f64 = 1.05;
/// A series with no sample for this many scrape intervals (or steps, if longer) has stopped.
pub const SILENT_INTERVALS: i64 = 3;

/// The sequence is tightest this far into the steady window (or at the minimum duration,
/// if later): where decisions that need more than the minimum evidence come (an hour of a
/// persistent series at a 30 s step, measured by the calibration).
pub const PLANNED_MS: i64 = 3_600_000;

/// What a watch is planned to look at: the run's step and window, how often it looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// `1 − α`.
    pub confidence: f64,
    pub step_ms: i64,
    /// Time between looks.
    pub every_ms: i64,
    /// The steady window's length (an open window: how long it may stay open).
    pub window_ms: i64,
    /// Whether the window's end is known (a pass or a missing share can be judged against
    /// it).
    pub window_known: bool,
    pub scrape_ms: i64,
    /// Steady time a pass needs.
    pub min_steady_ms: i64,
    /// Whether a metric that has passed is released (`--stop-on-pass`) rather than
    /// watched to the end.
    pub release_early: bool,
}

/// How a watch decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WatchSettings {
    /// `1 − α`.
    pub confidence: f64,
    /// Samples a pass needs (`compare`'s minimum evidence).
    pub min_samples: usize,
    /// Share of the steady window's slots a pass needs, and below which `compare` has no
    /// data.
    pub min_coverage: f64,
    /// Steady time a pass needs.
    pub min_steady_ms: i64,
    /// Samples at which the sequence is tightest (where a decision is expected).
    pub planned_samples: usize,
    /// Slots of the whole steady window, when its end is known.
    pub window_slots: Option<usize>,
    /// Tests the recent-level test makes over the whole watch (looks × windows).
    pub scan_tests: usize,
    /// A series silent this long has stopped.
    pub silence_ms: i64,
    pub release_early: bool,
}

impl WatchSettings {
    /// `watch`'s settings for `plan`: `compare`'s minimum evidence, a pass no earlier than
    /// the minimum duration, the sequence tuned for [`PLANNED_MS`], the recent-level test's
    /// α spread over every look and window the plan allows.
    pub fn new(plan: &Plan) -> WatchSettings {
        let engine = Settings::default();
        let step = plan.step_ms.max(1);
        let window_samples = (plan.window_ms / step + 1).max(1) as usize;
        let looks = (plan.window_ms / plan.every_ms.max(step) + 1).max(1) as usize;
        let windows = noise::windows(window_samples).count().max(1);
        WatchSettings {
            confidence: plan.confidence,
            min_samples: engine.min_samples,
            min_coverage: engine.min_coverage,
            min_steady_ms: plan.min_steady_ms,
            planned_samples: (PLANNED_MS.max(plan.min_steady_ms) / step).max(1) as usize,
            window_slots: plan.window_known.then_some(window_samples),
            scan_tests: looks * windows,
            silence_ms: SILENT_INTERVALS * plan.scrape_ms.max(step),
            release_early: plan.release_early,
        }
    }

    fn alpha(&self) -> f64 {
        1.0 - self.confidence
    }

    /// The one-sided normal quantile each recent-window test is held to.
    fn scan_z(&self) -> f64 {
        let alpha = self.alpha() * SCAN_SHARE / self.scan_tests.max(1) as f64;
        stats::t_quantile(1.0 - 2.0 * alpha, f64::INFINITY)
    }
}

/// What the baseline says of one metric, fixed for the whole watch.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub mean: Option<f64>,
    /// The level a run of the baseline's population has, at its share of `α`; `None` when
    /// the baseline gives none.
    pub level: Option<(f64, f64)>,
    /// The noise of its newest run with data, as shares of its mean: a floor under the
    /// candidate's own.
    pub noise: Option<Noise>,
    /// Why the baseline cannot serve, if it cannot.
    pub problem: Option<Reason>,
}

/// The baseline runs of `metric` (oldest first) as the reference of a watch.
pub fn reference(
    metric: &Metric,
    baselines: &[SideInput],
    prior_cv: Option<f64>,
    settings: &WatchSettings,
) -> Reference {
    let engine = Settings {
        confidence: settings.confidence,
        min_coverage: settings.min_coverage,
        min_samples: settings.min_samples,
    };
    let runs: Vec<side::SideResult> = baselines
        .iter()
        .map(|b| side::analyze(metric, b, &engine, Role::Baseline))
        .collect();
    let alpha = settings.alpha();
    let noise = runs
        .iter()
        .rev()
        .find_map(|r| r.prepared.as_ref().filter(|_| r.problem.is_none()))
        .and_then(|p| Noise::estimate(&p.values(), alpha))
        .and_then(|n| n.relative());
    let b = side::pool(metric, runs, prior_cv);
    let mean = b.mean.map(|m| m.value);
    let level = b.mean.filter(|_| b.supported).map(|m| {
        let (lo, hi) = m.interval(1.0 - alpha * BASELINE_SHARE);
        match b.bound() {
            Bound::Exact => (lo, hi),
            Bound::AtLeast => (lo, f64::INFINITY),
            Bound::AtMost => (f64::NEG_INFINITY, hi),
            Bound::Unknown => (f64::NEG_INFINITY, f64::INFINITY),
        }
    });
    Reference {
        mean,
        level,
        noise,
        problem: b.problem,
    }
}

/// The state of a metric or clause at one look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    /// Inside the limit with the evidence a pass needs, still watched: a later look can
    /// fail it (without `--stop-on-pass`).
    Passing,
    Pass,
    Fail,
}

/// Why a clause is where it is.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Why {
    /// The steady window has not begun: the run is in its warm-up.
    WarmUp,
    /// The candidate has nothing usable yet (or `compare` refuses what it has).
    NoData {
        reason: Option<Reason>,
    },
    /// The series stopped: the slots already missing keep the window from the coverage
    /// `compare` needs, so it will have no data.
    DataStopped {
        /// The newest sample (RFC 3339), if there was one.
        last_sample: Option<String>,
        #[serde(skip)]
        #[schemars(skip)]
        last_sample_ms: Option<i64>,
        /// The most of the window that could still be covered.
        reachable_coverage: f64,
        min_coverage: f64,
    },
    /// The baseline gives no level to compare with.
    NoReference {
        reason: Option<Reason>,
    },
    /// Too few samples for an estimate of the candidate's noise.
    TooFewSamples {
        samples: usize,
        needed: usize,
    },
    /// The candidate's samples are too autocorrelated for a stable mean so far.
    TooAutocorrelated,
    /// Wholly inside the limit, but a pass needs more evidence.
    NeedsEvidence {
        samples: usize,
        needed_samples: usize,
        steady_ms: i64,
        needed_ms: i64,
        coverage: f64,
        needed_coverage: f64,
    },
    /// The interval straddles the limit.
    Straddles,
    /// Censored on the side a pass needs (at the histogram's ceiling).
    Censored,
    Inside,
    /// The whole run's interval lies beyond the limit.
    Beyond,
    /// The recent level lies beyond the limit: the run moved there and stayed.
    RecentBeyond {
        samples: usize,
        /// Where the recent window begins (RFC 3339).
        since: String,
    },
    /// Decided by `compare` when the run ends.
    AtEnd,
}

/// The recent window that says most about a clause at one look: the one beyond the limit,
/// or else the one nearest to it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RecentLook {
    pub samples: usize,
    /// Where the window begins (RFC 3339).
    pub since: String,
    #[serde(skip)]
    #[schemars(skip)]
    pub since_ms: i64,
    /// The clause's statistic over the window (a change for a regression).
    pub estimate: f64,
    /// Its interval at the recent-level test's level; an open side is `null`.
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// One clause at one look.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ClauseLook {
    pub rule: String,
    pub state: State,
    pub why: Why,
    /// The clause's statistic: a relative change for a regression (candidate / baseline −
    /// 1), else the statistic in the metric's unit (per hour for a trend).
    pub estimate: Option<f64>,
    /// Its interval at this look (a confidence sequence's for means); in JSON an open side
    /// (censored: infinite) is `null`, as is an interval not given.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The limit in the same terms as `estimate` (a regression budget as a change).
    pub limit: f64,
    /// Milliseconds of further run until the interval would clear the limit if the
    /// estimate stays where it is.
    pub eta_ms: Option<i64>,
    /// The recent level, for clauses on a mean.
    pub recent: Option<RecentLook>,
}

/// One metric at one look.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MetricLook {
    pub id: String,
    pub state: State,
    pub samples: usize,
    /// The newest sample when the series has been silent for several scrape intervals
    /// (RFC 3339); `null` while samples arrive.
    pub silent_since: Option<String>,
    pub clauses: Vec<ClauseLook>,
}

impl MetricLook {
    /// The clause that says most about the metric: a failing one, else an undecided one,
    /// else the first.
    pub fn headline(&self) -> Option<&ClauseLook> {
        self.clauses
            .iter()
            .find(|c| c.state == State::Fail)
            .or_else(|| self.clauses.iter().find(|c| c.state == State::Pending))
            .or_else(|| self.clauses.first())
    }
}

/// A trend clause's tests so far: how many, and the last one's result, which holds until
/// the next test.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrendLooks {
    pub made: u64,
    pub last: Option<ClauseLook>,
}

/// What a watch remembers of one metric from look to look.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tracker {
    /// Each trend clause's tests so far (by clause index).
    pub trends: Vec<TrendLooks>,
    /// The candidate's noise as estimated at each refresh, oldest first: the whole run's
    /// mean uses the newest, a recent window the newest estimated before it began.
    noises: Vec<Noise>,
    /// The look at which the metric failed: a failure is final.
    pub failed: Option<MetricLook>,
    /// Whether it has passed with `--stop-on-pass`: released unless a later look fails it.
    pub passed: bool,
}

impl Tracker {
    /// Judges `metric` at one look and remembers it: a failure stays, and with early
    /// release a pass stays unless a later look fails it.
    pub fn look(
        &mut self,
        metric: &Metric,
        gate: &Gate,
        reference: &Reference,
        candidate: &SideInput,
        settings: &WatchSettings,
        last: bool,
    ) -> MetricLook {
        let mut look = look(metric, gate, reference, candidate, settings, self, last);
        match (&self.failed, look.state) {
            (Some(failed), _) => {
                // Failed before: the numbers move on, the verdict does not.
                look.state = State::Fail;
                if !look.clauses.iter().any(|c| c.state == State::Fail) {
                    look.clauses = failed.clauses.clone();
                }
            }
            (None, State::Fail) => self.failed = Some(look.clone()),
            (None, State::Pass) => self.passed = true,
            (None, _) if self.passed => look.state = State::Pass,
            (None, _) => {}
        }
        look
    }
}

/// What the candidate has shown so far, with the evidence a pass needs.
struct Shown<'a> {
    metric: &'a Metric,
    prepared: Prepared,
    values: Vec<f64>,
    mean: f64,
    /// The samples' long-run variance for the sequence (`None`: too few samples).
    sigma2: Option<f64>,
    /// The candidate's noise models (oldest first) and the baseline's, relative.
    noises: &'a [Noise],
    reference_noise: Option<&'a Noise>,
    enough: bool,
    evidence: Why,
    step_ms: i64,
}

fn rfc3339(ms: i64) -> String {
    crate::config::format_time(ms)
}

/// Each gated clause of `metric` at this look. `candidate` is the run so far, its window
/// ending at the newest slot asked for; `tracker` remembers the noise estimate and the trend
/// tests made so far; `last` says the run's window has been seen to its end.
pub fn look(
    metric: &Metric,
    gate: &Gate,
    reference: &Reference,
    candidate: &SideInput,
    settings: &WatchSettings,
    tracker: &mut Tracker,
    last: bool,
) -> MetricLook {
    let rule_of = |i: usize| crate::compare::clause::rule(&gate.clauses[i], &metric.unit);
    if candidate.window.1 <= candidate.window.0 {
        return pending_all(metric, gate, &rule_of, Why::WarmUp, None);
    }
    let prepared = candidate.series.map(|series| {
        evidence::prepare(
            metric,
            series,
            candidate.window,
            candidate.edges,
            candidate.step_ms,
            Role::Candidate,
        )
    });
    let prepared = match prepared {
        Some(Ok(prepared)) => prepared,
        other => {
            let reason = match other {
                Some(Err(reason)) => Some(reason),
                _ => None,
            };
            let why = stopped(metric, None, candidate, settings).unwrap_or(Why::NoData { reason });
            return pending_all(metric, gate, &rule_of, why, None);
        }
    };
    let last_sample_ms = prepared.points.last().map(|p| p.0);
    let silent_since = last_sample_ms
        .filter(|t| candidate.window.1 - t >= settings.silence_ms)
        .map(rfc3339);
    if let Some(why) = stopped(metric, Some(&prepared), candidate, settings) {
        return pending_all(metric, gate, &rule_of, why, silent_since);
    }
    let values = prepared.values();
    let n = values.len();
    let refresh = tracker.noises.last().is_none_or(|noise| {
        last || n < NOISE_EARLY || n as f64 >= noise.samples as f64 * NOISE_GROWTH + 1.0
    });
    if refresh && tracker.noises.last().is_none_or(|noise| noise.samples < n) {
        tracker
            .noises
            .extend(Noise::estimate(&values, settings.alpha()));
    }
    // Each recent window is measured against the noise before it: where no estimate that
    // recent exists (a watch that began late sees a long run at once), one is made.
    for w in noise::windows(n) {
        let before = n - w;
        let known = tracker
            .noises
            .iter()
            .rev()
            .find(|m| m.samples <= before)
            .is_some_and(|m| m.samples as f64 * NOISE_GROWTH * NOISE_GROWTH >= before as f64);
        if !known {
            if let Some(noise) = Noise::estimate(&values[..before], settings.alpha()) {
                let at = tracker.noises.partition_point(|m| m.samples < before);
                tracker.noises.insert(at, noise);
            }
        }
    }
    tracker
        .trends
        .resize(gate.clauses.len(), TrendLooks::default());
    let shown = shown(
        metric,
        prepared,
        values,
        &tracker.noises,
        reference,
        candidate,
        settings,
    );
    let clauses: Vec<ClauseLook> = gate
        .clauses
        .iter()
        .enumerate()
        .map(|(i, clause)| {
            let rule = rule_of(i);
            match *clause {
                Clause::Regression { op, budget } => {
                    regression(rule, op, budget, &shown, reference, settings)
                }
                Clause::Absolute { stat, op, bound } => {
                    absolute(rule, stat, op, bound, &shown, settings)
                }
                Clause::Trend {
                    op,
                    limit,
                    relative,
                } => trend(
                    rule,
                    (op, limit, relative),
                    &shown,
                    settings,
                    &mut tracker.trends[i],
                    last,
                ),
                Clause::Shift { .. } => pending(rule, Why::AtEnd, None, limit_of(metric, clause)),
            }
        })
        .collect();
    MetricLook {
        id: metric.id.clone(),
        state: combined(&clauses, settings.release_early),
        samples: shown.values.len(),
        silent_since,
        clauses,
    }
}

/// A gated metric whose missing slots already keep the window from the coverage `compare`
/// needs: it will have no data — a failure now (optional metrics are spared: their missing
/// data fail nothing).
fn stopped(
    metric: &Metric,
    prepared: Option<&Prepared>,
    candidate: &SideInput,
    settings: &WatchSettings,
) -> Option<Why> {
    if metric.optional {
        return None;
    }
    let total = settings.window_slots?;
    let step = candidate.step_ms.max(1);
    let (missing, last_sample_ms) = match prepared {
        Some(p) => (
            p.coverage.slots() - p.coverage.covered_slots(),
            p.points.last().map(|q| q.0),
        ),
        None => {
            // Nothing usable at all: every slot seen so far (but the newest, which a scrape
            // may still fill) is missing.
            let seen = ((candidate.window.1 - candidate.window.0) / step) as usize;
            (seen, None)
        }
    };
    let reachable = total.saturating_sub(missing) as f64 / total as f64;
    (reachable < settings.min_coverage).then_some(Why::DataStopped {
        last_sample: last_sample_ms.map(rfc3339),
        last_sample_ms,
        reachable_coverage: reachable,
        min_coverage: settings.min_coverage,
    })
}

/// FAIL if a clause fails; PASS (released) or passing so far if every clause passes; else
/// pending.
fn combined(clauses: &[ClauseLook], release_early: bool) -> State {
    if clauses.iter().any(|c| c.state == State::Fail) {
        State::Fail
    } else if !clauses.is_empty() && clauses.iter().all(|c| c.state == State::Pass) {
        if release_early {
            State::Pass
        } else {
            State::Passing
        }
    } else {
        State::Pending
    }
}

fn pending_all(
    metric: &Metric,
    gate: &Gate,
    rule_of: &dyn Fn(usize) -> String,
    why: Why,
    silent_since: Option<String>,
) -> MetricLook {
    let state = if matches!(why, Why::DataStopped { .. }) {
        State::Fail
    } else {
        State::Pending
    };
    MetricLook {
        id: metric.id.clone(),
        state,
        samples: 0,
        silent_since,
        clauses: gate
            .clauses
            .iter()
            .enumerate()
            .map(|(i, c)| ClauseLook {
                state,
                ..pending(rule_of(i), why.clone(), None, limit_of(metric, c))
            })
            .collect(),
    }
}

/// A clause's limit in the terms of its estimate (a regression budget as a change).
fn limit_of(metric: &Metric, clause: &Clause) -> f64 {
    match *clause {
        Clause::Regression { budget, .. } if metric.better == Better::Higher => -budget,
        Clause::Regression { budget, .. } | Clause::Shift { budget, .. } => budget,
        Clause::Absolute { bound, .. } => bound,
        Clause::Trend { limit, .. } => limit,
    }
}

fn pending(rule: String, why: Why, eta_ms: Option<i64>, limit: f64) -> ClauseLook {
    ClauseLook {
        rule,
        state: State::Pending,
        why,
        estimate: None,
        low: None,
        high: None,
        limit,
        eta_ms,
        recent: None,
    }
}

fn shown<'a>(
    metric: &'a Metric,
    prepared: Prepared,
    values: Vec<f64>,
    noises: &'a [Noise],
    reference: &'a Reference,
    candidate: &SideInput,
    settings: &WatchSettings,
) -> Shown<'a> {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n.max(1) as f64;
    let up = noises
        .last()
        .map_or(1.0, |c| noisier(c, reference.noise.as_ref()));
    let floor = reference
        .noise
        .as_ref()
        .map_or(0.0, |r| r.lrv.unwrap_or(r.variance) * mean * mean * up);
    let sigma2 = noises.last().map(|noise| match noise.lrv {
        Some(lrv) => lrv.max(floor),
        // No stable mean even around the run's level structure: the sum of n samples
        // varies at most n² times as much as one sample does, whatever their correlation,
        // so n·γ₀ per sample bounds the noise.
        None => {
            let gamma0 = reference
                .noise
                .as_ref()
                .map_or(0.0, |r| r.variance * mean * mean);
            (n as f64 * noise.variance.max(gamma0)).max(floor)
        }
    });
    let coverage = prepared.coverage.share();
    let steady_ms = candidate.window.1 - candidate.window.0;
    let enough = n >= settings.min_samples
        && steady_ms >= settings.min_steady_ms
        && coverage >= settings.min_coverage;
    let evidence = Why::NeedsEvidence {
        samples: n,
        needed_samples: settings.min_samples,
        steady_ms,
        needed_ms: settings.min_steady_ms,
        coverage,
        needed_coverage: settings.min_coverage,
    };
    Shown {
        metric,
        prepared,
        values,
        mean,
        sigma2,
        noises,
        reference_noise: reference.noise.as_ref(),
        enough,
        evidence,
        step_ms: candidate.step_ms,
    }
}

/// The state of an interval against a limit: FAIL when wholly beyond (with enough samples
/// for a noise estimate), PASS when wholly inside with the minimum evidence.
fn settle(outcome: Outcome, shown: &Shown, censored_open: bool) -> (State, Why) {
    match outcome {
        Outcome::Exceeds => (State::Fail, Why::Beyond),
        Outcome::Within if shown.enough => (State::Pass, Why::Inside),
        Outcome::Within => (State::Pending, shown.evidence.clone()),
        Outcome::Undecided if censored_open => (State::Pending, Why::Censored),
        Outcome::Undecided => (State::Pending, Why::Straddles),
    }
}

/// The noise a mean's sequence needs, if there is one yet.
fn sequence_noise(shown: &Shown) -> Option<f64> {
    shown
        .sigma2
        .filter(|_| shown.values.len() >= stats::longrun::MIN_FIT)
}

/// Why a mean's sequence has no noise yet.
fn without_noise(shown: &Shown) -> Why {
    let n = shown.values.len();
    if n < stats::longrun::MIN_FIT {
        Why::TooFewSamples {
            samples: n,
            needed: stats::longrun::MIN_FIT,
        }
    } else {
        Why::TooAutocorrelated
    }
}

/// An interval opened on the side a censored estimate does not bound.
fn opened((lo, hi): (f64, f64), bound: Bound) -> (f64, f64) {
    match bound {
        Bound::Exact => (lo, hi),
        Bound::AtLeast => (lo, f64::INFINITY),
        Bound::AtMost => (f64::NEG_INFINITY, hi),
        Bound::Unknown => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

/// A mean's interval that a metric which cannot be negative cannot leave below zero.
fn non_negative((lo, hi): (f64, f64), metric: &Metric) -> (f64, f64) {
    if evidence::non_negative(metric) {
        (lo.max(0.0), hi.max(0.0))
    } else {
        (lo, hi)
    }
}

/// The candidate mean's confidence-sequence interval (open on a censored side).
fn mean_interval(shown: &Shown, sigma2: f64, settings: &WatchSettings) -> (f64, f64) {
    let alpha = settings.alpha();
    let rho = sequential::tuned_rho(settings.planned_samples.max(1) as f64 * sigma2, alpha);
    let interval = sequential::mean_interval(shown.mean, shown.values.len(), sigma2, rho, alpha);
    opened(non_negative(interval, shown.metric), shown.prepared.bound)
}

/// How many times the baseline's variance the candidate's is at least, judged by the
/// spread of their steps (relative to their levels; `reference` is the baseline's relative
/// noise): the baseline's noise structure, scaled by that, floors the candidate's while its
/// own estimates rest on too few samples to see how persistent it is (a candidate at
/// φ = 0.9 measured over 30 samples shows a tenth of its long-run variance).
fn noisier(candidate: &Noise, reference: Option<&Noise>) -> f64 {
    let Some(r) = reference.filter(|r| r.step_spread > 0.0) else {
        return 1.0;
    };
    if candidate.mean == 0.0 {
        return 1.0;
    }
    let ratio = candidate.step_spread / candidate.mean.abs() / r.step_spread;
    (ratio * ratio).max(1.0)
}

/// The recent windows' means with their intervals at the recent-level test's level, as
/// `(samples, index of the first sample, mean, (low, high))`, shortest first.
///
/// A window's noise is the candidate's as estimated before the window began — a collapse
/// inside the window must not widen the yardstick it is measured with — scaled up to the
/// window's level where that is higher, and never below the baseline's at the higher of
/// the two levels.
fn recent_windows(shown: &Shown, settings: &WatchSettings) -> Vec<(usize, usize, f64, (f64, f64))> {
    let n = shown.values.len();
    let z = settings.scan_z();
    let mut sum = 0.0;
    let mut out = Vec::new();
    let mut taken = 0;
    for w in noise::windows(n) {
        sum += shown.values[n - w..n - taken].iter().sum::<f64>();
        taken = w;
        let Some(noise) = shown.noises.iter().rev().find(|m| m.samples + w <= n) else {
            continue;
        };
        let m = sum / w as f64;
        let own = noise.window(w).unwrap_or_else(|| {
            noise
                .lrv
                .map_or(noise.variance, |l| noise.variance.min(l / w as f64))
        });
        let level = m.abs().max(noise.mean.abs());
        let scale = if noise.mean != 0.0 {
            level / noise.mean.abs()
        } else {
            1.0
        };
        let up = noisier(noise, shown.reference_noise);
        let floor = shown.reference_noise.map_or(0.0, |r| {
            r.window(w)
                .unwrap_or_else(|| r.lrv.map_or(r.variance, |l| r.variance.min(l / w as f64)))
                * level
                * level
                * up
        });
        let sd = (own * scale * scale).max(floor).sqrt();
        let interval = opened(
            non_negative((m - z * sd, m + z * sd), shown.metric),
            shown.prepared.bound,
        );
        out.push((w, n - w, m, interval));
    }
    out
}

/// The recent window that says most about a clause: `judge` maps a window's mean and
/// interval (in the metric's unit) to its outcome, the clause's estimate and interval, and
/// how far beyond the limit it lies (positive beyond). The window furthest beyond, or the
/// nearest to it.
fn telling_recent(
    shown: &Shown,
    settings: &WatchSettings,
    judge: impl Fn(f64, (f64, f64)) -> (Outcome, f64, (f64, f64), f64),
) -> Option<(Outcome, RecentLook)> {
    let finite = |v: f64| v.is_finite().then_some(v);
    recent_windows(shown, settings)
        .into_iter()
        .map(|(w, first, m, interval)| (w, first, judge(m, interval)))
        .max_by(|a, b| a.2 .3.total_cmp(&b.2 .3))
        .map(|(w, first, (outcome, estimate, (low, high), _))| {
            (
                outcome,
                RecentLook {
                    samples: w,
                    since: rfc3339(shown.prepared.points[first].0),
                    since_ms: shown.prepared.points[first].0,
                    estimate,
                    low: finite(low),
                    high: finite(high),
                },
            )
        })
}

/// Samples until the sequence's half-width falls to `gap` (in the mean's unit), if the
/// noise stays as it is: `None` beyond a hundred times the samples so far.
fn samples_until(shown: &Shown, sigma2: f64, gap: f64, settings: &WatchSettings) -> Option<usize> {
    if gap.is_nan() || gap <= 0.0 || sigma2 <= 0.0 {
        return None;
    }
    let alpha = settings.alpha();
    let rho = sequential::tuned_rho(settings.planned_samples.max(1) as f64 * sigma2, alpha);
    let half = |n: usize| sequential::mixture_radius(n as f64 * sigma2, rho, alpha) / n as f64;
    let now = shown.values.len().max(1);
    if half(now) <= gap {
        return Some(now);
    }
    let limit = now * 100;
    let (mut lo, mut hi) = (now, now * 2);
    while half(hi) > gap {
        if hi >= limit {
            return None;
        }
        lo = hi;
        hi = (hi * 2).min(limit);
    }
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if half(mid) <= gap {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// Time until the minimum evidence is met, or until the interval would clear the limit.
fn eta(shown: &Shown, until_samples: Option<usize>, why: &Why) -> Option<i64> {
    let more = match why {
        Why::NeedsEvidence {
            samples,
            needed_samples,
            steady_ms,
            needed_ms,
            ..
        } => {
            let by_samples = needed_samples.saturating_sub(*samples) as i64 * shown.step_ms;
            return Some(by_samples.max(needed_ms - steady_ms).max(0));
        }
        Why::Straddles => until_samples?.saturating_sub(shown.values.len()),
        _ => return None,
    };
    Some(more as i64 * shown.step_ms)
}

/// The whole run's verdict on a mean overruled by its recent level where that lies beyond
/// the limit, with the window kept for the record.
fn with_recent(mut look: ClauseLook, recent: Option<(Outcome, RecentLook)>) -> ClauseLook {
    let Some((outcome, recent)) = recent else {
        return look;
    };
    if outcome == Outcome::Exceeds && look.state != State::Fail {
        look.state = State::Fail;
        look.why = Why::RecentBeyond {
            samples: recent.samples,
            since: recent.since.clone(),
        };
        look.eta_ms = None;
    }
    look.recent = Some(recent);
    look
}

fn regression(
    rule: String,
    op: Op,
    budget: f64,
    shown: &Shown,
    reference: &Reference,
    settings: &WatchSettings,
) -> ClauseLook {
    let higher_better = shown.metric.better == Better::Higher;
    // The limit as a change: `regression <= 10%` of a throughput is a change of −10%.
    let limit = if higher_better { -budget } else { budget };
    let (Some((b_lo, b_hi)), Some(b_mean)) = (reference.level, reference.mean) else {
        return pending(
            rule,
            Why::NoReference {
                reason: reference.problem.clone(),
            },
            None,
            limit,
        );
    };
    if b_lo <= 0.0 || b_mean <= 0.0 {
        return pending(rule, Why::NoReference { reason: None }, None, limit);
    }
    // A candidate's interval as a change from the baseline's level interval: the lowest
    // ratio divides the lowest candidate level by the highest baseline level (or, for a
    // negative one, by the lowest).
    let change = |(c_lo, c_hi): (f64, f64)| {
        let ratio = |c: f64, low_end: bool| {
            if (c >= 0.0) == low_end {
                c / b_hi
            } else {
                c / b_lo
            }
        };
        (ratio(c_lo, true) - 1.0, ratio(c_hi, false) - 1.0)
    };
    let outcome_of = |(lo, hi): (f64, f64)| {
        let (reg_lo, reg_hi) = if higher_better { (-hi, -lo) } else { (lo, hi) };
        decide(op, budget, reg_lo, reg_hi, Bound::Exact)
    };
    let recent = telling_recent(shown, settings, |m, interval| {
        let (lo, hi) = change(interval);
        // Positive beyond the limit: how far the interval's near side has passed it.
        let excess = if higher_better {
            limit - hi
        } else {
            lo - limit
        };
        (outcome_of((lo, hi)), m / b_mean - 1.0, (lo, hi), excess)
    });
    let Some(sigma2) = sequence_noise(shown) else {
        return with_recent(pending(rule, without_noise(shown), None, limit), recent);
    };
    let (lo, hi) = change(mean_interval(shown, sigma2, settings));
    let estimate = shown.mean / b_mean - 1.0;
    let outcome = outcome_of((lo, hi));
    let censored_open = (higher_better && shown.prepared.bound == Bound::AtMost)
        || (!higher_better && shown.prepared.bound == Bound::AtLeast);
    let (state, why) = settle(outcome, shown, censored_open);
    // Samples until the sequence's half-width (in the candidate's unit) is the distance
    // from the estimate to the limit, beyond the baseline's own uncertainty.
    let gap = ((estimate - limit).abs() - (b_hi - b_lo) / 2.0 / b_mean) * b_mean;
    let until = samples_until(shown, sigma2, gap, settings);
    let eta_ms = eta(shown, until, &why);
    with_recent(
        judged(rule, (state, why), (estimate, lo, hi), limit, eta_ms),
        recent,
    )
}

/// A clause decided on an interval: its state and why, its estimate and interval, its
/// limit, and the time a decision may still take.
fn judged(
    rule: String,
    (state, why): (State, Why),
    (estimate, low, high): (f64, f64, f64),
    limit: f64,
    eta_ms: Option<i64>,
) -> ClauseLook {
    ClauseLook {
        rule,
        state,
        why,
        estimate: Some(estimate),
        low: Some(low),
        high: Some(high),
        limit,
        eta_ms,
        recent: None,
    }
}

fn absolute(
    rule: String,
    stat: Stat,
    op: Op,
    bound: f64,
    shown: &Shown,
    settings: &WatchSettings,
) -> ClauseLook {
    let values = &shown.values;
    // Statistics of the window observed that only move one way as samples come: beyond
    // the bound is certain at once.
    let so_far = match stat {
        Stat::Total if shown.metric.kind == Kind::Count => Some(values.iter().sum::<f64>()),
        Stat::Max => values.iter().copied().reduce(f64::max),
        Stat::Min => values.iter().copied().reduce(f64::min),
        _ => None,
    };
    if let Some(value) = so_far {
        let outcome = decide(op, bound, value, value, Bound::Exact);
        let (state, why) = settle(outcome, shown, false);
        let eta_ms = eta(shown, None, &why);
        return judged(rule, (state, why), (value, value, value), bound, eta_ms);
    }
    if stat != Stat::Mean {
        return pending(rule, Why::AtEnd, None, bound);
    }
    let bad_above = matches!(op, Op::Le | Op::Lt);
    let recent = telling_recent(shown, settings, |m, (lo, hi)| {
        let excess = if bad_above { lo - bound } else { bound - hi };
        (decide(op, bound, lo, hi, Bound::Exact), m, (lo, hi), excess)
    });
    let Some(sigma2) = sequence_noise(shown) else {
        return with_recent(pending(rule, without_noise(shown), None, bound), recent);
    };
    let (lo, hi) = mean_interval(shown, sigma2, settings);
    let outcome = decide(op, bound, lo, hi, Bound::Exact);
    let censored_open = shown.prepared.bound != Bound::Exact;
    let (state, why) = settle(outcome, shown, censored_open);
    let until = samples_until(shown, sigma2, (shown.mean - bound).abs(), settings);
    let eta_ms = eta(shown, until, &why);
    with_recent(
        judged(rule, (state, why), (shown.mean, lo, hi), bound, eta_ms),
        recent,
    )
}

fn trend(
    rule: String,
    (op, limit, relative): (Op, f64, bool),
    shown: &Shown,
    settings: &WatchSettings,
    trends: &mut TrendLooks,
    last: bool,
) -> ClauseLook {
    let n = shown.values.len();
    // The tests: after an hour, then at every 1.5-fold; between them the last one holds.
    let first = settings
        .min_samples
        .max((TREND_FIRST_MS / shown.step_ms.max(1)) as usize);
    let next = (first as f64 * TREND_GROWTH.powi(trends.made as i32)).ceil() as usize;
    if n < next && !last {
        if let Some(last) = &trends.last {
            return last.clone();
        }
        return pending(
            rule,
            Why::TooFewSamples {
                samples: n,
                needed: next,
            },
            Some((next - n) as i64 * shown.step_ms),
            limit,
        );
    }
    trends.made += 1;
    let t: Vec<f64> = shown
        .prepared
        .points
        .iter()
        .map(|p| p.0 as f64 / 1000.0)
        .collect();
    // As `compare` fits it: periodic components (a GC sawtooth) are not a trend's noise.
    let clean = stats::periodic::remove_periodic(&shown.values).residual;
    let Some(fit) = stats::fit_trend(&t, &clean) else {
        return pending(rule, Why::TooAutocorrelated, None, limit);
    };
    if !fit.residual.supported {
        return pending(rule, Why::TooAutocorrelated, None, limit);
    }
    let alpha = if last {
        settings.alpha() / 2.0
    } else {
        sequential::spent_alpha(settings.alpha() / 2.0, trends.made)
    };
    let slope = fit.slope_estimate();
    let (lo, hi) = slope.interval(1.0 - alpha);
    let scale = if relative {
        3600.0 / shown.mean.abs().max(f64::MIN_POSITIVE)
    } else {
        3600.0
    };
    // Direction-adjusted: positive is worse.
    let sign = if shown.metric.better == Better::Higher {
        -1.0
    } else {
        1.0
    };
    let (a, b) = (sign * lo * scale, sign * hi * scale);
    let (lo, hi) = (a.min(b), a.max(b));
    let outcome = decide(op, limit, lo, hi, Bound::Exact);
    let (state, why) = settle(outcome, shown, false);
    let look = ClauseLook {
        eta_ms: eta(shown, None, &why),
        rule,
        state,
        why,
        estimate: Some(sign * slope.value * scale),
        low: Some(lo),
        high: Some(hi),
        limit,
        recent: None,
    };
    trends.last = Some(look.clone());
    look
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate;
    use crate::source::MetricSeries;

    const STEP: i64 = 30_000;

    fn metric(better: Better, kind: Kind, saturates_at: Option<f64>) -> Metric {
        let mut m = crate::testkit::metric_in(better, kind, "s");
        m.saturates_at = saturates_at;
        m
    }

    fn series(values: &[f64]) -> MetricSeries {
        crate::testkit::series_at(values, STEP)
    }

    fn input(s: Option<&MetricSeries>, n: usize) -> SideInput<'_> {
        crate::testkit::input_over(s, (0, (n as i64 - 1) * STEP), STEP)
    }

    fn settings() -> WatchSettings {
        WatchSettings::new(&Plan {
            confidence: 0.95,
            step_ms: STEP,
            every_ms: STEP,
            window_ms: 240 * STEP,
            window_known: true,
            scrape_ms: STEP,
            min_steady_ms: 15 * 60_000,
            release_early: true,
        })
    }

    /// One look at `candidate` with nothing looked at before.
    fn once(m: &Metric, g: &Gate, r: &Reference, candidate: &SideInput) -> MetricLook {
        look(
            m,
            g,
            r,
            candidate,
            &settings(),
            &mut Tracker::default(),
            false,
        )
    }

    /// `m` looked at once: the candidate's `c` against the baseline's `b`.
    fn look_once(m: &Metric, gate_text: &str, b: &[f64], c: &[f64]) -> MetricLook {
        let g = gate::parse(gate_text, &m.unit).unwrap();
        let bs = series(b);
        let reference = reference(m, &[input(Some(&bs), b.len())], None, &settings());
        let cs = series(c);
        once(m, &g, &reference, &input(Some(&cs), c.len()))
    }

    fn wobble(level: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| level * (1.0 + 0.02 * ((i * 7919) % 13) as f64 / 13.0))
            .collect()
    }

    #[test]
    fn a_count_beyond_its_bound_fails_at_once_and_within_it_waits_for_evidence() {
        let m = metric(Better::Lower, Kind::Count, None);
        let b = vec![0.0; 200];
        let mut c = vec![0.0; 5];
        c[3] = 1.0;
        let l = look_once(&m, "total <= 0", &b, &c);
        assert_eq!(l.state, State::Fail);
        let l = look_once(&m, "total <= 0", &b, &[0.0; 5]);
        assert_eq!(l.state, State::Pending);
        assert!(matches!(l.clauses[0].why, Why::NeedsEvidence { .. }));
        let l = look_once(&m, "total <= 0", &b, &[0.0; 40]);
        assert_eq!(l.state, State::Pass);
    }

    #[test]
    fn a_mean_at_the_histogram_ceiling_can_fail_but_never_pass() {
        let m = metric(Better::Lower, Kind::Series, Some(60.0));
        let b = wobble(0.2, 200);
        // far worse than the budget, and censored: fails
        let l = look_once(&m, "regression <= 20%", &b, &[60.0; 40]);
        assert_eq!(l.state, State::Fail);
        // a censored mean close to the baseline's: its high side is open, no pass
        let mut c = wobble(0.2, 40);
        c[10] = 60.0;
        let l = look_once(&m, "regression <= 2000000%", &b, &c);
        assert_ne!(l.state, State::Pass, "{l:?}");
        assert_eq!(l.clauses[0].high, Some(f64::INFINITY));
    }

    #[test]
    fn missing_data_and_gaps_never_pass() {
        let m = metric(Better::Higher, Kind::Series, None);
        let b = wobble(100.0, 200);
        let g = gate::parse("regression <= 10%", "s").unwrap();
        let bs = series(&b);
        let r = reference(&m, &[input(Some(&bs), b.len())], None, &settings());
        // no series at all yet: pending
        let l = once(&m, &g, &r, &input(None, 20));
        assert_eq!(l.state, State::Pending);
        assert!(matches!(l.clauses[0].why, Why::NoData { .. }));
        // none for more of the window than `compare` can do without: a failure now
        let l = once(&m, &g, &r, &input(None, 60));
        assert_eq!(l.state, State::Fail);
        assert!(
            matches!(l.clauses[0].why, Why::DataStopped { reachable_coverage, .. } if reachable_coverage < 0.8)
        );
        // the same level, but half the window missing
        let c = wobble(100.0, 60);
        let cs = series(&c[..30]);
        let l = once(&m, &g, &r, &input(Some(&cs), 60));
        assert_eq!(l.state, State::Pending, "{l:?}");
        assert!(matches!(l.clauses[0].why, Why::NeedsEvidence { coverage, .. } if coverage < 0.9));
        // all of it: passes
        let cs = series(&c);
        let l = once(&m, &g, &r, &input(Some(&cs), 60));
        assert_eq!(l.state, State::Pass, "{l:?}");
    }

    /// A run that starts at the baseline's level and collapses: the whole run's mean is
    /// still inside the budget, its recent level is not — a failure, on the recent level.
    #[test]
    fn a_collapse_after_a_good_start_fails_on_the_recent_level() {
        let m = metric(Better::Higher, Kind::Series, None);
        let b = wobble(100.0, 200);
        let mut c = wobble(100.0, 200);
        for v in &mut c[188..] {
            *v *= 0.3;
        }
        let l = look_once(&m, "regression <= 10%", &b, &c);
        assert_eq!(l.state, State::Fail, "{l:?}");
        let clause = &l.clauses[0];
        assert!(
            matches!(clause.why, Why::RecentBeyond { samples: 10, .. }),
            "{clause:?}"
        );
        // the whole run's mean alone would not fail it
        assert!(clause.estimate.unwrap() > -0.1, "{clause:?}");
        let recent = clause.recent.as_ref().unwrap();
        assert!(
            recent.estimate < -0.5 && recent.high.unwrap() < -0.1,
            "{recent:?}"
        );
    }

    /// Inside the budget with the evidence a pass needs: passing so far, watched on; with
    /// early release, a pass.
    #[test]
    fn a_pass_is_provisional_unless_released() {
        let m = metric(Better::Higher, Kind::Series, None);
        let g = gate::parse("regression <= 10%", "s").unwrap();
        let b = wobble(100.0, 200);
        let bs = series(&b);
        let held = WatchSettings {
            release_early: false,
            ..settings()
        };
        let r = reference(&m, &[input(Some(&bs), b.len())], None, &held);
        let c = wobble(100.0, 60);
        let cs = series(&c);
        let mut tracker = Tracker::default();
        let l = tracker.look(&m, &g, &r, &input(Some(&cs), 60), &held, false);
        assert_eq!(l.state, State::Passing, "{l:?}");
        let l = once(&m, &g, &r, &input(Some(&cs), 60));
        assert_eq!(l.state, State::Pass, "{l:?}");
    }

    /// A series that stops: silent after a few scrape intervals, and a failure once the
    /// missing slots keep the window from the coverage `compare` needs.
    #[test]
    fn data_that_stop_are_said_and_then_fail() {
        let m = metric(Better::Higher, Kind::Series, None);
        let g = gate::parse("regression <= 10%", "s").unwrap();
        let b = wobble(100.0, 200);
        let bs = series(&b);
        let r = reference(&m, &[input(Some(&bs), b.len())], None, &settings());
        let c = wobble(100.0, 40);
        let cs = series(&c);
        // seen to 45 slots: five silent
        let l = once(&m, &g, &r, &input(Some(&cs), 46));
        assert_eq!(l.silent_since.as_deref(), Some("1970-01-01T00:19:30Z"));
        assert_ne!(l.state, State::Fail);
        // seen to 100 slots, 60 of 241 missing
        let l = once(&m, &g, &r, &input(Some(&cs), 101));
        assert_eq!(l.state, State::Fail, "{l:?}");
        assert!(matches!(
            &l.clauses[0].why,
            Why::DataStopped { last_sample: Some(t), .. } if t == "1970-01-01T00:19:30Z"
        ));
    }
}
