//! One look at a live run: each gated metric's state from what the candidate has shown so
//! far, decided so that looking again and again does not inflate the error rates.
//!
//! * The candidate's mean has a **confidence sequence** (`stats::sequential`): valid at
//!   every look at once, with the samples' long-run variance — the larger of the
//!   candidate's own estimate and the baseline's, scaled to the candidate's level and
//!   widened for its degrees of freedom — so that the first minutes of a run cannot look quieter
//!   than the baseline shows the metric to be.
//! * The baseline is complete: its level comes from `compare`'s engine (pooled across
//!   runs, widened by run-to-run variation) as a fixed interval.
//! * The error rate is split between the two (the candidate's sequence at `α`, the
//!   baseline's level at `α/2`; each kind of error needs one of them to miss on one side):
//!   P(ever FAIL a run that is within its budget) and P(ever PASS a run beyond it) are
//!   each kept below `α`, which the calibration measures.
//! * A trend has no sequence here: it is tested at looks spaced geometrically in the
//!   number of samples, at levels that sum to its share of `α` (`spent_alpha`).
//! * Counts, maxima and minima are judged over the window observed: beyond their bound
//!   they fail at once (counted, not estimated); within it they pass on the minimum
//!   evidence. Statistics with no sequence (quantiles of the series, `last`) and level
//!   shifts are decided by `compare` when the run ends.
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
use crate::stats::{self, sequential, LongRun};

/// The baseline's level is an interval at `α · BASELINE_SHARE`; the candidate's sequence
/// is at `α`. A false FAIL needs the sequence to miss on one side (about `α/2` of the
/// two-sided `α`) or the level on the other (`α · BASELINE_SHARE / 2`), so each kind of
/// error stays near `3α/4` and below `α`; the calibration measures it.
const BASELINE_SHARE: f64 = 0.5;
/// A trend's interim tests: the first after an hour of steady samples (a slope read from a
/// part of one GC cycle is no leak), then at every 1.5-fold of the samples; they spend half
/// of `α` (`α/2 · 6/(π² k²)` at the k-th), and the test when the run's window has been seen
/// to its end the other half.
const TREND_FIRST_MS: i64 = 3_600_000;
const TREND_GROWTH: f64 = 1.5;

/// How a watch decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WatchSettings {
    /// `1 − α`.
    pub confidence: f64,
    /// Samples a pass needs (`compare`'s minimum evidence).
    pub min_samples: usize,
    /// Share of the steady window's slots a pass needs.
    pub min_coverage: f64,
    /// Steady time a pass needs.
    pub min_steady_ms: i64,
    /// Samples at which the sequence is tightest (where a decision is expected).
    pub planned_samples: usize,
}

/// The sequence is tightest this far into the steady window (or at the minimum duration,
/// if later): where decisions that need more than the minimum evidence come (an hour of a
/// persistent series at a 30 s step, measured by the calibration).
pub const PLANNED_MS: i64 = 3_600_000;

impl WatchSettings {
    /// `watch`'s settings: `compare`'s minimum evidence, a pass no earlier than
    /// `min_steady_ms`, the sequence tuned for [`PLANNED_MS`] at `step_ms`.
    pub fn new(confidence: f64, min_steady_ms: i64, step_ms: i64) -> WatchSettings {
        let engine = Settings::default();
        WatchSettings {
            confidence,
            min_samples: engine.min_samples,
            min_coverage: engine.min_coverage,
            min_steady_ms,
            planned_samples: (PLANNED_MS.max(min_steady_ms) / step_ms.max(1)).max(1) as usize,
        }
    }

    fn alpha(&self) -> f64 {
        1.0 - self.confidence
    }

    fn sequence_alpha(&self) -> f64 {
        self.alpha()
    }
}

/// What the baseline says of one metric, fixed for the whole watch.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub mean: Option<f64>,
    /// The level a run of the baseline's population has, at its share of `α`; `None` when
    /// the baseline gives none.
    pub level: Option<(f64, f64)>,
    /// The samples' long-run variance over the mean squared, widened for its degrees of
    /// freedom ([`noise_bound`]).
    pub relative_noise: Option<f64>,
    /// The samples' plain variance over the mean squared.
    pub relative_variance: Option<f64>,
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
    let runs = baselines
        .iter()
        .map(|b| side::analyze(metric, b, &engine, Role::Baseline))
        .collect();
    let b = side::pool(metric, runs, prior_cv);
    let alpha = settings.alpha();
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
    let relative_noise = b
        .longrun
        .as_ref()
        .filter(|lr| lr.supported && lr.mean.abs() > 0.0)
        .map(|lr| noise_bound(lr, alpha) / (lr.mean * lr.mean));
    let relative_variance = b
        .longrun
        .as_ref()
        .filter(|lr| lr.mean.abs() > 0.0)
        .map(|lr| lr.variance / (lr.mean * lr.mean));
    Reference {
        mean,
        level,
        relative_noise,
        relative_variance,
        problem: b.problem,
    }
}

/// A long-run variance widened for its own uncertainty the way `compare` widens an
/// interval for it: by the square of Student's t quantile on its degrees of freedom over
/// the normal one (at `1 − alpha`), so that a sequence with this variance is as wide as a t
/// interval would be.
fn noise_bound(lr: &LongRun, alpha: f64) -> f64 {
    if !lr.df.is_finite() || lr.lrv <= 0.0 {
        return lr.lrv.max(0.0);
    }
    let ratio =
        stats::t_quantile(1.0 - alpha, lr.df) / stats::t_quantile(1.0 - alpha, f64::INFINITY);
    lr.lrv * ratio * ratio
}

/// The state of a metric or clause at one look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Pass,
    Fail,
}

/// Why a clause is where it is.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Why {
    /// The candidate has nothing usable yet (or `compare` refuses what it has).
    NoData {
        reason: Option<Reason>,
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
    Beyond,
    /// Decided by `compare` when the run ends.
    AtEnd,
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
}

/// One metric at one look.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MetricLook {
    pub id: String,
    pub state: State,
    pub samples: usize,
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

/// What the candidate has shown so far, with the evidence a pass needs.
struct Shown<'a> {
    metric: &'a Metric,
    prepared: Prepared,
    values: Vec<f64>,
    mean: f64,
    /// The samples' long-run variance for the sequence (`None`: too few samples).
    sigma2: Option<f64>,
    enough: bool,
    evidence: Why,
    step_ms: i64,
    look_samples: usize,
}

/// A trend clause's tests so far: how many, and the last one's result, which holds until
/// the next test.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrendLooks {
    pub made: u64,
    pub last: Option<ClauseLook>,
}

/// Each gated clause of `metric` at this look. `candidate` is the run so far, its window
/// ending at the newest sample asked for; `trends` remembers the trend tests made so far.
pub fn look(
    metric: &Metric,
    gate: &Gate,
    reference: &Reference,
    candidate: &SideInput,
    settings: &WatchSettings,
    trends: &mut TrendLooks,
    last: bool,
) -> MetricLook {
    let rule_of = |i: usize| crate::compare::clause::rule(&gate.clauses[i], &metric.unit);
    let shown = match candidate.series.map(|series| {
        evidence::prepare(
            metric,
            series,
            candidate.window,
            candidate.edges,
            candidate.step_ms,
            Role::Candidate,
        )
    }) {
        Some(Ok(prepared)) => Some(shown(metric, prepared, reference, candidate, settings)),
        Some(Err(reason)) => {
            return pending_all(
                metric,
                gate,
                &rule_of,
                Why::NoData {
                    reason: Some(reason),
                },
            )
        }
        None => None,
    };
    let Some(shown) = shown else {
        return pending_all(metric, gate, &rule_of, Why::NoData { reason: None });
    };
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
                } => trend(rule, op, limit, relative, &shown, settings, trends, last),
                Clause::Shift { .. } => pending(rule, Why::AtEnd, None, limit_of(metric, clause)),
            }
        })
        .collect();
    MetricLook {
        id: metric.id.clone(),
        state: combined(&clauses),
        samples: shown.values.len(),
        clauses,
    }
}

/// FAIL if a clause fails, PASS if every clause passes, else pending.
fn combined(clauses: &[ClauseLook]) -> State {
    if clauses.iter().any(|c| c.state == State::Fail) {
        State::Fail
    } else if !clauses.is_empty() && clauses.iter().all(|c| c.state == State::Pass) {
        State::Pass
    } else {
        State::Pending
    }
}

fn pending_all(
    metric: &Metric,
    gate: &Gate,
    rule_of: &dyn Fn(usize) -> String,
    why: Why,
) -> MetricLook {
    MetricLook {
        id: metric.id.clone(),
        state: State::Pending,
        samples: 0,
        clauses: gate
            .clauses
            .iter()
            .enumerate()
            .map(|(i, c)| pending(rule_of(i), why.clone(), None, limit_of(metric, c)))
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
    }
}

fn shown<'a>(
    metric: &'a Metric,
    prepared: Prepared,
    reference: &Reference,
    candidate: &SideInput,
    settings: &WatchSettings,
) -> Shown<'a> {
    let values = prepared.values();
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n.max(1) as f64;
    let own = (n >= stats::longrun::MIN_FIT).then(|| stats::long_run_variance(&values));
    let scaled = |relative: Option<f64>| relative.map_or(0.0, |rel| rel * mean * mean);
    let sigma2 = own.map(|lr| {
        if lr.supported {
            lr.lrv.max(scaled(reference.relative_noise))
        } else {
            // No stable mean in the samples so far (a short, persistent start): the sum
            // of n samples varies at most as n² times one sample does, whatever their
            // correlation, so n·γ₀ per sample bounds the noise.
            let gamma0 = lr.variance.max(scaled(reference.relative_variance));
            (n as f64 * gamma0).max(scaled(reference.relative_noise))
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
        enough,
        evidence,
        step_ms: candidate.step_ms,
        look_samples: n,
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

/// The noise a mean's sequence needs, or why there is none yet.
fn noise(shown: &Shown) -> Result<f64, Why> {
    let n = shown.values.len();
    if n < stats::longrun::MIN_FIT {
        return Err(Why::TooFewSamples {
            samples: n,
            needed: stats::longrun::MIN_FIT,
        });
    }
    shown.sigma2.ok_or(Why::TooAutocorrelated)
}

/// The candidate mean's confidence-sequence interval (open on a censored side).
fn mean_interval(shown: &Shown, sigma2: f64, settings: &WatchSettings) -> (f64, f64) {
    let alpha = settings.sequence_alpha();
    let rho = sequential::tuned_rho(settings.planned_samples.max(1) as f64 * sigma2, alpha);
    let (lo, hi) = sequential::mean_interval(shown.mean, shown.values.len(), sigma2, rho, alpha);
    match shown.prepared.bound {
        Bound::Exact => (lo, hi),
        Bound::AtLeast => (lo, f64::INFINITY),
        Bound::AtMost => (f64::NEG_INFINITY, hi),
        Bound::Unknown => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

/// Samples until the sequence's half-width falls to `gap` (in the mean's unit), if the
/// noise stays as it is: `None` beyond a hundred times the samples so far.
fn samples_until(shown: &Shown, sigma2: f64, gap: f64, settings: &WatchSettings) -> Option<usize> {
    if gap.is_nan() || gap <= 0.0 || sigma2 <= 0.0 {
        return None;
    }
    let alpha = settings.sequence_alpha();
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
        Why::Straddles => until_samples?.saturating_sub(shown.look_samples),
        _ => return None,
    };
    Some(more as i64 * shown.step_ms)
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
    let sigma2 = match noise(shown) {
        Ok(sigma2) => sigma2,
        Err(why) => return pending(rule, why, None, limit),
    };
    let (c_lo, c_hi) = mean_interval(shown, sigma2, settings);
    let ratio = |c: f64, low_end: bool| {
        // The lowest ratio divides the lowest candidate level by the highest baseline
        // level (or, for a negative one, by the lowest).
        if (c >= 0.0) == low_end {
            c / b_hi
        } else {
            c / b_lo
        }
    };
    let (lo, hi) = (ratio(c_lo, true) - 1.0, ratio(c_hi, false) - 1.0);
    let estimate = shown.mean / b_mean - 1.0;
    let (reg_lo, reg_hi) = if higher_better { (-hi, -lo) } else { (lo, hi) };
    let outcome = decide(op, budget, reg_lo, reg_hi, Bound::Exact);
    let censored_open = (higher_better && shown.prepared.bound == Bound::AtMost)
        || (!higher_better && shown.prepared.bound == Bound::AtLeast);
    let (state, why) = settle(outcome, shown, censored_open);
    // Samples until the sequence's half-width (in the candidate's unit) is the distance
    // from the estimate to the limit, beyond the baseline's own uncertainty.
    let gap = ((estimate - limit).abs() - (b_hi - b_lo) / 2.0 / b_mean) * b_mean;
    let until = samples_until(shown, sigma2, gap, settings);
    ClauseLook {
        eta_ms: eta(shown, until, &why),
        rule,
        state,
        why,
        estimate: Some(estimate),
        low: Some(lo),
        high: Some(hi),
        limit,
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
        return ClauseLook {
            eta_ms: eta(shown, None, &why),
            rule,
            state,
            why,
            estimate: Some(value),
            low: Some(value),
            high: Some(value),
            limit: bound,
        };
    }
    if stat != Stat::Mean {
        return pending(rule, Why::AtEnd, None, bound);
    }
    let sigma2 = match noise(shown) {
        Ok(sigma2) => sigma2,
        Err(why) => return pending(rule, why, None, bound),
    };
    let (lo, hi) = mean_interval(shown, sigma2, settings);
    let outcome = decide(op, bound, lo, hi, Bound::Exact);
    let censored_open = shown.prepared.bound != Bound::Exact;
    let (state, why) = settle(outcome, shown, censored_open);
    let until = samples_until(shown, sigma2, (shown.mean - bound).abs(), settings);
    ClauseLook {
        eta_ms: eta(shown, until, &why),
        rule,
        state,
        why,
        estimate: Some(shown.mean),
        low: Some(lo),
        high: Some(hi),
        limit: bound,
    }
}

#[allow(clippy::too_many_arguments)]
fn trend(
    rule: String,
    op: Op,
    limit: f64,
    relative: bool,
    shown: &Shown,
    settings: &WatchSettings,
    trends: &mut TrendLooks,
    last: bool,
) -> ClauseLook {
    let n = shown.values.len();
    // The tests: after an hour, then at every doubling; between them the last one holds.
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
    };
    trends.last = Some(look.clone());
    look
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate;
    use crate::series::Series;
    use crate::source::MetricSeries;

    const STEP: i64 = 30_000;

    fn metric(better: Better, kind: Kind, saturates_at: Option<f64>) -> Metric {
        Metric {
            id: "m".into(),
            title: "M".into(),
            unit: "s".into(),
            better,
            query: "q".into(),
            combine: None,
            gate: None,
            kind,
            optional: false,
            saturates_at,
            allow_negative: false,
            description: None,
            axis: None,
            run_to_run: None,
            max_by: None,
            derived: None,
            events: false,
            file: "q.toml".into(),
        }
    }

    fn series(values: &[f64]) -> MetricSeries {
        let s = Series::new(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as i64 * STEP, *v))
                .collect(),
        );
        MetricSeries {
            first_negative: None,
            full: s,
            window: (0, (values.len() as i64 - 1) * STEP),
        }
    }

    fn input(s: Option<&MetricSeries>, n: usize) -> SideInput<'_> {
        SideInput {
            series: s,
            run_start_ms: 0,
            step_ms: STEP,
            window: (0, (n as i64 - 1) * STEP),
            edges: crate::compare::side::NO_EDGES,
            warnings: &[],
        }
    }

    fn settings() -> WatchSettings {
        WatchSettings {
            confidence: 0.95,
            min_samples: 30,
            min_coverage: 0.9,
            min_steady_ms: 15 * 60_000,
            planned_samples: 120,
        }
    }

    /// One look at `candidate` with no trend test made before.
    fn once(m: &Metric, g: &Gate, r: &Reference, candidate: &SideInput) -> MetricLook {
        look(
            m,
            g,
            r,
            candidate,
            &settings(),
            &mut TrendLooks::default(),
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
        // no series at all
        let l = once(&m, &g, &r, &input(None, 60));
        assert_eq!(l.state, State::Pending);
        assert!(matches!(l.clauses[0].why, Why::NoData { .. }));
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
}
