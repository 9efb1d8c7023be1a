//! Deciding one gate clause: the statistic it names, an interval for it at the chosen
//! confidence, and one rule for every clause — pass if the whole interval satisfies the
//! limit, fail if none of it does, otherwise inconclusive. Censored statistics are bounds,
//! so only the side of the interval that the bound proves can decide. Below the minimum
//! number of samples nothing is decided, except a limit that the samples seen already break
//! for good (a max above a ceiling, events beyond an allowed total); where autocorrelation
//! is too strong for the run's length no interval is trusted at all.
//!
//! Intervals: a mean from its long-run variance (given the run's shifts or trend); the
//! change of two means by the delta method on the log ratio, and after a sustained shift
//! or along a significant trend the level the run ended at as well; quantiles from order
//! statistics at the effective sample size; `last` is
//! the level the run ended at; `min`, `max` and `total` are facts of the observed window; a
//! trend is the slope with its standard error. Every mean's interval is at least ± half the
//! metric's resolution.

use serde::Serialize;

use crate::gate::{Clause, Op, Stat};
use crate::pack::{Better, Kind, Metric};
use crate::stats::{count, order, ratio_of_means, t_quantile, Estimate, Summary};

use super::reason::{Bound, Outcome, Reason};
use super::side::SideResult;
use super::{Change, Settings, Verdict, MIN_FINAL_SAMPLES};

/// The outcome of one gate clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseResult {
    /// The clause as a rule (`regression <= 10%`, `p99 <= 1 s`).
    pub rule: String,
    pub verdict: Verdict,
    /// What the clause measures (`regression`, `mean`, `total`, `shift`, `trend`, ...).
    pub statistic: &'static str,
    pub estimate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// How the estimate relates to the truth (censoring).
    pub bound: Bound,
    pub reasons: Vec<Reason>,
}

/// Both runs of a metric, as the clauses see them.
#[derive(Debug, Clone, Copy)]
pub struct Sides<'a> {
    pub metric: &'a Metric,
    pub baseline: &'a SideResult,
    pub candidate: &'a SideResult,
    pub change: Option<&'a Change>,
    /// The change of the candidate's final level after a sustained shift.
    pub final_change: Option<&'a Change>,
    pub settings: &'a Settings,
    /// The shorter steady window of the two runs.
    pub steady_ms: i64,
}

/// Where an interval of the truth lies against `limit`, given the estimate's bound.
pub fn decide(op: Op, limit: f64, low: f64, high: f64, bound: Bound) -> Outcome {
    let (low, high) = match bound {
        Bound::Exact => (low, high),
        Bound::AtLeast => (low, f64::INFINITY),
        Bound::AtMost => (f64::NEG_INFINITY, high),
        Bound::Unknown => (f64::NEG_INFINITY, f64::INFINITY),
    };
    let (near, far) = match op {
        Op::Le | Op::Lt => (high, low),
        Op::Ge | Op::Gt => (low, high),
    };
    if op.holds(near, limit) {
        Outcome::Within
    } else if !op.holds(far, limit) {
        Outcome::Exceeds
    } else {
        Outcome::Undecided
    }
}

impl Outcome {
    pub fn verdict(self) -> Verdict {
        match self {
            Outcome::Within => Verdict::Pass,
            Outcome::Exceeds => Verdict::Fail,
            Outcome::Undecided => Verdict::Inconclusive,
        }
    }

    /// The worse of two outcomes: exceeds > undecided > within.
    pub fn worst(self, other: Outcome) -> Outcome {
        let rank = |o: Outcome| match o {
            Outcome::Within => 0,
            Outcome::Undecided => 1,
            Outcome::Exceeds => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// The canonical text of a clause.
pub fn rule(clause: &Clause, unit: &str) -> String {
    match clause {
        Clause::Regression { op, budget } => {
            format!("regression {} {}", op.symbol(), percent(*budget))
        }
        Clause::Absolute { stat, op, bound } => format!(
            "{} {} {}",
            stat.name(),
            op.symbol(),
            crate::units::format_value(*bound, unit)
        ),
        Clause::Shift { op, budget } => format!("shift {} {}", op.symbol(), percent(*budget)),
        Clause::Trend {
            op,
            limit,
            relative,
        } => format!(
            "trend {} {}/h",
            op.symbol(),
            if *relative {
                percent(*limit)
            } else {
                crate::units::format_value(*limit, unit)
            }
        ),
    }
}

fn percent(fraction: f64) -> String {
    format!("{}%", crate::units::number(fraction * 100.0))
}

fn result(
    rule: String,
    statistic: &'static str,
    outcome: Outcome,
    estimate: (f64, f64, f64),
    bound: Bound,
    reason: Reason,
) -> ClauseResult {
    ClauseResult {
        rule,
        verdict: outcome.verdict(),
        statistic,
        estimate: Some(estimate.0).filter(|v| v.is_finite()),
        low: Some(estimate.1).filter(|v| v.is_finite()),
        high: Some(estimate.2).filter(|v| v.is_finite()),
        bound,
        reasons: vec![reason],
    }
}

fn undecided(
    rule: String,
    statistic: &'static str,
    verdict: Verdict,
    reason: Reason,
) -> ClauseResult {
    ClauseResult {
        rule,
        verdict,
        statistic,
        estimate: None,
        low: None,
        high: None,
        bound: Bound::Exact,
        reasons: vec![reason],
    }
}

/// Why `side` is too thin for any decision, if it is.
fn too_few(side: &SideResult, settings: &Settings) -> Option<Reason> {
    (side.samples() < settings.min_samples).then(|| Reason::TooFewSamples {
        side: side.role,
        samples: side.samples(),
        min_samples: settings.min_samples,
    })
}

/// A supported run whose mean's interval rests on less than one degree of freedom, as the
/// reason `unsupported` gives.
fn few_df(side: &SideResult) -> Option<Reason> {
    if !side.supported || stable_mean(side) {
        return None;
    }
    too_autocorrelated(side)
}

/// Why `side` cannot support an interval of its mean, if it cannot.
fn unsupported(side: &SideResult) -> Option<Reason> {
    if side.supported {
        return None;
    }
    too_autocorrelated(side)
}

/// `autocorrelation_too_strong` with `side`'s persistence, degrees of freedom and samples.
fn too_autocorrelated(side: &SideResult) -> Option<Reason> {
    let lr = side.longrun.as_ref()?;
    Some(Reason::AutocorrelationTooStrong {
        side: side.role,
        persistence: lr.persistence,
        df: side.mean.map_or(lr.df, |m| m.df),
        samples: lr.n,
    })
}

fn no_data(rule: String, statistic: &'static str, side: &SideResult) -> ClauseResult {
    undecided(
        rule,
        statistic,
        Verdict::NoData,
        side.problem
            .clone()
            .unwrap_or(Reason::NotRecorded { side: side.role }),
    )
}

/// Evaluates one clause.
pub fn evaluate(clause: &Clause, s: &Sides) -> ClauseResult {
    let rule = rule(clause, &s.metric.unit);
    match clause {
        Clause::Regression { op, budget } => regression(rule, *op, *budget, s),
        Clause::Absolute { stat, op, bound } => absolute(rule, *stat, *op, *bound, s),
        Clause::Shift { op, budget } => shift(rule, *op, *budget, s),
        Clause::Trend {
            op,
            limit,
            relative,
        } => trend(rule, *op, *limit, *relative, s),
    }
}

fn regression(rule: String, op: Op, budget: f64, s: &Sides) -> ClauseResult {
    let (b, c) = (s.baseline, s.candidate);
    if let Some(r) = too_few(b, s.settings).or_else(|| too_few(c, s.settings)) {
        return undecided(rule, "regression", Verdict::Inconclusive, r);
    }
    let (Some(bs), Some(cs)) = (&b.summary, &c.summary) else {
        return no_data(rule, "regression", if b.summary.is_none() { b } else { c });
    };
    // A rate that should be high but was nothing in the baseline: no level to compare with.
    if s.metric.better == Better::Higher && bs.max <= 0.0 && bs.min >= 0.0 {
        return undecided(
            rule,
            "regression",
            Verdict::NoData,
            Reason::DeadBaseline {
                candidate_zero: cs.max <= 0.0 && cs.min >= 0.0,
            },
        );
    }
    let baseline_zero = bs.max == 0.0 && bs.min == 0.0;
    if baseline_zero {
        let candidate_zero = cs.max == 0.0 && cs.min == 0.0;
        if candidate_zero {
            return result(
                rule,
                "regression",
                Outcome::Within,
                (0.0, 0.0, 0.0),
                Bound::Exact,
                Reason::BothZero,
            );
        }
        return if counted(s.metric) {
            count_from_zero(rule, budget, b, c, s)
        } else {
            series_from_zero(rule, c, s.settings)
        };
    }
    // A run with no stable mean is judged on the range of its samples (`ranged_ratio`):
    // decided only where the runs' windows lie apart by more than the budget.
    let no_stable_mean = unsupported(b)
        .or_else(|| unsupported(c))
        .or_else(|| few_df(b))
        .or_else(|| few_df(c));
    let Some(mut ch) = s.change.copied() else {
        return no_data(rule, "regression", c);
    };
    // A run with no stable mean: the bounds of the runs' windows where they lie apart
    // (`ranged_ratio`), or no decision.
    let ranged = match (&no_stable_mean, s.metric.kind) {
        (Some(r), Kind::Series) => match ranged_ratio(s.metric, b, c, s.settings) {
            Some((low, high)) => {
                let flip = |x: f64| match s.metric.better {
                    Better::Higher => -x,
                    Better::Lower => x,
                };
                set_interval(&mut ch, low, high, None, flip);
                true
            }
            // Apart they are not: the usual interval where there is one (on less than a
            // degree of freedom, wide), else no decision.
            None if ch.ci_low.is_some() => false,
            None => return undecided(rule, "regression", Verdict::Inconclusive, r.clone()),
        },
        _ => false,
    };
    let (Some(est), Some(low), Some(high)) = (ch.regression, ch.ci_low, ch.ci_high) else {
        return undecided(
            rule,
            "regression",
            Verdict::Inconclusive,
            Reason::NoRatio {
                baseline: b.mean.map_or(f64::NAN, |m| m.value),
                candidate: c.mean.map_or(f64::NAN, |m| m.value),
            },
        );
    };
    // Bounds from a run's range are of its window, not of its process: they decide only by a
    // margin of one budget — a failure beyond twice the budget, a pass with no regression at
    // all — so that two persistent runs at the budget, their windows apart, decide nothing.
    let outcome = if ranged {
        match decide(op, budget, low, high, ch.bound) {
            Outcome::Exceeds if low > 2.0 * budget => Outcome::Exceeds,
            Outcome::Within if high <= 0.0 => Outcome::Within,
            _ => Outcome::Undecided,
        }
    } else {
        decide(op, budget, low, high, ch.bound)
    };
    let width = high - low;
    let moved =
        |side: &SideResult| !side.shifts.is_empty() || side.trend.is_some_and(|t| t.significant);
    // "Longer runs would do" only when noise, not a shift or a trend, widens the interval.
    // With few degrees of freedom the width is the variance estimate's own doubt, which a
    // longer run does not shrink by √n: say nothing then.
    let needed_ms = (outcome == Outcome::Undecided
        && !ranged
        && ch.bound == Bound::Exact
        && budget > 0.0
        && width > budget
        && ch.df.is_none_or(|df| df >= 4.0)
        && !moved(b)
        && !moved(c))
    .then(|| (s.steady_ms as f64 * (width / budget).powi(2)).min(i64::MAX as f64 / 2.0) as i64);
    let window = Reason::Regression {
        outcome,
        estimate: est,
        low,
        high,
        op,
        budget,
        bound: ch.bound,
        needed_ms,
        have_ms: s.steady_ms,
    };
    let mut verdict = outcome;
    let mut reasons = vec![window];
    if let (
        true,
        Some(Reason::AutocorrelationTooStrong {
            side,
            persistence,
            samples,
            ..
        }),
    ) = (ranged, no_stable_mean)
    {
        let range = if side == b.role {
            &b.summary
        } else {
            &c.summary
        };
        if let Some(r) = range {
            reasons.push(Reason::RangeBounded {
                side,
                persistence,
                samples,
                min: r.min,
                max: r.max,
            });
        }
    }
    // A run that ends collapsed is a regression even if it began well.
    if let (Some(level), Some(fc)) = (c.final_level, s.final_change) {
        if let (Some(f_est), Some(f_low), Some(f_high)) = (fc.regression, fc.ci_low, fc.ci_high) {
            let mut final_outcome = decide(op, budget, f_low, f_high, fc.bound);
            // A final segment too short to judge on its own can keep a pass from being
            // proven, but not fail the run by itself.
            if level.samples < MIN_FINAL_SAMPLES && final_outcome == Outcome::Exceeds {
                final_outcome = Outcome::Undecided;
            }
            verdict = outcome.worst(final_outcome);
            let reason = Reason::FinalLevel {
                outcome: final_outcome,
                estimate: f_est,
                low: f_low,
                high: f_high,
                op,
                budget,
                bound: fc.bound,
                level: level.estimate.value,
                since_offset_ms: level.since_offset_ms,
                from: level.from,
            };
            // The clause that decided comes first.
            if final_outcome != outcome && final_outcome == verdict {
                reasons.insert(0, reason);
            } else {
                reasons.push(reason);
            }
        }
    }
    // A collapse at the very end, too short for the shift search: no pass — judged against
    // what the baseline did over the same part of its run (a shape both share is none).
    if let Some(mean) = b.mean.map(|m| m.value) {
        let (scale, bad_above) = match s.metric.better {
            Better::Higher => (1.0 - budget, false),
            Better::Lower => (1.0 + budget, true),
        };
        let limit = |t: &crate::compare::side::TailMean| {
            b.level_over(t.since_offset_ms, t.until_offset_ms)
                .map_or(mean, |l| l.value)
                * scale
        };
        verdict = unless_it_ends_beyond(verdict, &mut reasons, c, limit, bad_above);
    }
    ClauseResult {
        rule,
        verdict: verdict.verdict(),
        statistic: "regression",
        estimate: Some(est),
        low: Some(low),
        high: Some(high),
        bound: ch.bound,
        reasons,
    }
}

/// Family-wise level of the test that the run's end lies beyond a limit, over the tail
/// lengths tried: a noise spike at the end must almost never block a pass.
const TAIL_ALPHA: f64 = 0.001;

/// Whether the candidate ends collapsed beyond `limit` (`bad_above`: higher values are the
/// bad side): its last samples dropped from the level before them by more than noise can
/// explain (one-sided, Bonferroni over the tail lengths), and they sit beyond the limit.
/// The tail length with the clearest drop is the reason that keeps a pass from being proven.
fn ends_beyond(
    c: &SideResult,
    limit: impl Fn(&crate::compare::side::TailMean) -> f64,
    bad_above: bool,
) -> Option<Reason> {
    if c.tail.is_empty() {
        return None;
    }
    // One-sided at TAIL_ALPHA over the tail lengths: a two-sided quantile at twice that.
    let z = t_quantile(1.0 - 2.0 * TAIL_ALPHA / c.tail.len() as f64, f64::INFINITY);
    c.tail
        .iter()
        .filter_map(|t| {
            let limit = limit(t);
            if !limit.is_finite() {
                return None;
            }
            let (low, high) = (t.mean - z * t.sd, t.mean + z * t.sd);
            let (dropped, beyond) = if bad_above {
                (low > t.before, t.mean > limit)
            } else {
                (high < t.before, t.mean < limit)
            };
            let drop = (t.before - t.mean).abs() / t.sd.max(f64::MIN_POSITIVE);
            (dropped && beyond).then_some((drop, t, low, high, limit))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, t, low, high, limit)| Reason::EndsBeyond {
            samples: t.samples,
            since_offset_ms: t.since_offset_ms,
            level: t.mean,
            low,
            high,
            limit,
        })
}

/// A pass of a clause that judges the run's level (`regression`, `mean`) is only proven if
/// the run does not end beyond the limit: otherwise it is undecided, with the reason first.
fn unless_it_ends_beyond(
    outcome: Outcome,
    reasons: &mut Vec<Reason>,
    c: &SideResult,
    limit: impl Fn(&crate::compare::side::TailMean) -> f64,
    bad_above: bool,
) -> Outcome {
    if outcome != Outcome::Within {
        return outcome;
    }
    match ends_beyond(c, limit, bad_above) {
        Some(reason) => {
            reasons.insert(0, reason);
            Outcome::Undecided
        }
        None => outcome,
    }
}

/// Lower is better, the baseline is all zero and the candidate is not: a relative change is
/// undefined, so the question is whether the candidate is clearly above zero.
fn series_from_zero(rule: String, c: &SideResult, settings: &Settings) -> ClauseResult {
    let Some(mean) = c.mean else {
        return no_data(rule, "regression", c);
    };
    if let Some(r) = unsupported(c) {
        return undecided(rule, "regression", Verdict::Inconclusive, r);
    }
    let (low, _) = mean.interval(settings.confidence);
    // Above zero by any amount is beyond any budget.
    let outcome = if low > 0.0 {
        Outcome::Exceeds
    } else {
        Outcome::Undecided
    };
    result(
        rule,
        "regression",
        outcome,
        (f64::INFINITY, f64::INFINITY, f64::INFINITY),
        c.bound(),
        Reason::FromZero {
            outcome,
            candidate: mean.value,
            low,
        },
    )
}

/// Lower is better, the baseline saw no event: the exact conditional test of the two
/// Poisson counts with their exposures, against a candidate rate of (1 + budget) × the
/// baseline's.
fn count_from_zero(
    rule: String,
    budget: f64,
    b: &SideResult,
    c: &SideResult,
    s: &Sides,
) -> ClauseResult {
    let settings = s.settings;
    let events = events_of(s.metric, c);
    let exposure_s = |side: &SideResult| side.evidence.as_ref().map_or(0.0, |e| e.exposure_s);
    let baseline_exposure_s = exposure_s(b);
    let p_value = count::rate_ratio_p_value(
        count::Counted::new(events.round() as u64, exposure_s(c)),
        count::Counted::new(0, baseline_exposure_s),
        1.0 + budget,
    );
    let alpha = (1.0 - settings.confidence) / 2.0;
    let outcome = if p_value < alpha {
        Outcome::Exceeds
    } else {
        Outcome::Undecided
    };
    result(
        rule,
        "regression",
        outcome,
        (f64::INFINITY, f64::INFINITY, f64::INFINITY),
        Bound::Exact,
        Reason::CountFromZero {
            outcome,
            events,
            exposure_s: exposure_s(c),
            baseline_exposure_s,
            p_value,
            budget,
        },
    )
}

/// The value of `stat` in `summary`.
pub fn stat_value(summary: &Summary, stat: Stat) -> f64 {
    match stat {
        Stat::Mean => summary.mean,
        Stat::Median | Stat::P50 => summary.median,
        Stat::Min => summary.min,
        Stat::Max => summary.max,
        Stat::P90 => summary.p90,
        Stat::P95 => summary.p95,
        Stat::P99 => summary.p99,
        Stat::Last => summary.last,
        Stat::Total => summary.total,
    }
}

/// How `stat` of a run relates to the truth, given which of its samples are censored.
fn stat_bound(side: &SideResult, stat: Stat) -> Bound {
    let Some(p) = &side.prepared else {
        return Bound::Exact;
    };
    let bound = side.bound();
    if bound == Bound::Exact {
        return bound;
    }
    let n = p.points.len();
    let mut order: Vec<(f64, bool)> = p
        .points
        .iter()
        .map(|q| q.1)
        .zip(p.censored.iter().copied())
        .collect();
    // Among equal values a censored one sits on the side its truth lies: after the others
    // when the truth is higher, before them when lower.
    let censored_last = bound != Bound::AtMost;
    order.sort_by(|a, b| {
        a.0.total_cmp(&b.0).then(if censored_last {
            a.1.cmp(&b.1)
        } else {
            b.1.cmp(&a.1)
        })
    });
    let at_quantile = |q: f64| {
        let h = (n - 1) as f64 * q;
        order[h.floor() as usize].1 || order[(h.ceil() as usize).min(n - 1)].1
    };
    let touched = match stat {
        Stat::Mean | Stat::Total => p.censored.iter().any(|c| *c),
        Stat::Median | Stat::P50 => at_quantile(0.5),
        Stat::P90 => at_quantile(0.9),
        Stat::P95 => at_quantile(0.95),
        Stat::P99 => at_quantile(0.99),
        Stat::Min => order[0].1,
        Stat::Max => order[n - 1].1,
        Stat::Last => p.censored.last().copied().unwrap_or(false),
    };
    if touched {
        bound
    } else {
        Bound::Exact
    }
}

/// The interval of `stat` of the candidate, or why there is none.
fn stat_interval(
    side: &SideResult,
    stat: Stat,
    summary: &Summary,
    s: &Sides,
) -> Result<(f64, f64, f64), Reason> {
    let confidence = s.settings.confidence;
    let value = stat_value(summary, stat);
    let quantile = |q: f64| -> Result<(f64, f64, f64), Reason> {
        let mut sorted = side
            .prepared
            .as_ref()
            .map(|p| p.values())
            .unwrap_or_default();
        sorted.sort_by(f64::total_cmp);
        let n_eff = side
            .longrun
            .as_ref()
            .map_or(sorted.len() as f64, |l| l.n_eff);
        let (low, high) = order::quantile_interval(&sorted, q, n_eff, confidence);
        Ok((value, low, high))
    };
    match stat {
        // Events one at a time: the exact Poisson interval of their rate.
        Stat::Mean if s.metric.events && !overdispersed(side) => {
            let exposure_s = side.evidence.as_ref().map_or(0.0, |e| e.exposure_s);
            if exposure_s <= 0.0 {
                return Err(Reason::NotRecorded { side: side.role });
            }
            let events = events_of(s.metric, side).round() as u64;
            let (low, high) = poisson_rate_interval(events, exposure_s, confidence);
            Ok((value, low, high))
        }
        Stat::Mean => {
            if let Some(r) = unsupported(side) {
                return Err(r);
            }
            let mean = resolved(
                side.mean.unwrap_or(Estimate {
                    value,
                    variance: 0.0,
                    df: f64::INFINITY,
                }),
                side,
                confidence,
            );
            let (low, high) = mean.interval(confidence);
            Ok((value, low, high))
        }
        Stat::Median | Stat::P50 => quantile(0.5),
        Stat::P90 => quantile(0.9),
        Stat::P95 => quantile(0.95),
        Stat::P99 => quantile(0.99),
        // Facts of the observed window (missing data is the evidence rules' concern).
        Stat::Min | Stat::Max | Stat::Total => Ok((value, value, value)),
        // The level the run ended at: its final segment, its trend line at the end, or,
        // for a run that did neither, its mean.
        Stat::Last => {
            if let Some(r) = unsupported(side) {
                return Err(r);
            }
            let level = side
                .final_level
                .map(|l| l.estimate)
                .or(side.mean)
                .unwrap_or(Estimate {
                    value,
                    variance: 0.0,
                    df: f64::INFINITY,
                });
            let level = resolved(level, side, confidence);
            let (low, high) = level.interval(confidence);
            Ok((level.value, low, high))
        }
    }
}

fn absolute(rule: String, stat: Stat, op: Op, limit: f64, s: &Sides) -> ClauseResult {
    let c = s.candidate;
    let Some(summary) = &c.summary else {
        return no_data(rule, stat.name(), c);
    };
    let bound = stat_bound(c, stat);
    let value = stat_value(summary, stat);
    // More samples can only raise a max or a total and lower a min: a limit they already
    // break stays broken, however few the samples.
    let broken_for_good = matches!(
        (stat, op),
        (Stat::Max | Stat::Total, Op::Le | Op::Lt) | (Stat::Min, Op::Ge | Op::Gt)
    ) && decide(op, limit, value, value, bound) == Outcome::Exceeds;
    if let Some(r) = too_few(c, s.settings) {
        if !broken_for_good {
            return undecided(rule, stat.name(), Verdict::Inconclusive, r);
        }
    }
    let (estimate, low, high) = match stat_interval(c, stat, summary, s) {
        Ok(i) => i,
        Err(r) => return undecided(rule, stat.name(), Verdict::Inconclusive, r),
    };
    let outcome = decide(op, limit, low, high, bound);
    let window = Reason::Absolute {
        outcome,
        stat,
        estimate,
        low,
        high,
        op,
        limit,
        bound,
    };
    // A mean that holds while the run ended beyond the limit is no pass: the level the run
    // ended at is judged too, as for a relative clause.
    let bad_above = matches!(op, Op::Le | Op::Lt);
    let level = c.final_level.filter(|_| stat == Stat::Mean);
    let Some(level) = level else {
        let mut reasons = vec![window];
        let outcome = if stat == Stat::Mean {
            unless_it_ends_beyond(outcome, &mut reasons, c, |_| limit, bad_above)
        } else {
            outcome
        };
        return ClauseResult {
            rule,
            verdict: outcome.verdict(),
            statistic: stat.name(),
            estimate: Some(estimate).filter(|v| v.is_finite()),
            low: Some(low).filter(|v| v.is_finite()),
            high: Some(high).filter(|v| v.is_finite()),
            bound,
            reasons,
        };
    };
    let end = resolved(level.estimate, c, s.settings.confidence);
    let (end_low, end_high) = end.interval(s.settings.confidence);
    let mut end_outcome = decide(op, limit, end_low, end_high, bound);
    if level.samples < MIN_FINAL_SAMPLES && end_outcome == Outcome::Exceeds {
        end_outcome = Outcome::Undecided;
    }
    let mut verdict = outcome.worst(end_outcome);
    let end_reason = Reason::Absolute {
        outcome: end_outcome,
        stat: Stat::Last,
        estimate: end.value,
        low: end_low,
        high: end_high,
        op,
        limit,
        bound,
    };
    let mut reasons = if end_outcome != outcome && end_outcome == verdict {
        vec![end_reason, window]
    } else {
        vec![window, end_reason]
    };
    verdict = unless_it_ends_beyond(verdict, &mut reasons, c, |_| limit, bad_above);
    ClauseResult {
        rule,
        verdict: verdict.verdict(),
        statistic: stat.name(),
        estimate: Some(estimate),
        low: Some(low),
        high: Some(high),
        bound,
        reasons,
    }
}

fn trend(rule: String, op: Op, limit: f64, relative: bool, s: &Sides) -> ClauseResult {
    let c = s.candidate;
    if let Some(r) = too_few(c, s.settings) {
        return undecided(rule, "trend", Verdict::Inconclusive, r);
    }
    let Some(t) = c.trend else {
        return no_data(rule, "trend", c);
    };
    if !t.supported {
        if let Some(r) = unsupported(c).or_else(|| {
            c.longrun
                .as_ref()
                .map(|lr| Reason::AutocorrelationTooStrong {
                    side: c.role,
                    persistence: lr.persistence,
                    df: t.per_hour.df,
                    samples: lr.n,
                })
        }) {
            return undecided(rule, "trend", Verdict::Inconclusive, r);
        }
    }
    let slope = t.worsening(s.metric.better, relative);
    let (low, high) = slope.interval(s.settings.confidence);
    let outcome = decide(op, limit, low, high, Bound::Exact);
    result(
        rule,
        "trend",
        outcome,
        (slope.value, low, high),
        Bound::Exact,
        Reason::TrendLimit {
            outcome,
            estimate: slope.value,
            low,
            high,
            op,
            limit,
            relative,
        },
    )
}

fn shift(rule: String, op: Op, budget: f64, s: &Sides) -> ClauseResult {
    let c = s.candidate;
    if let Some(r) = too_few(c, s.settings) {
        return undecided(rule, "shift", Verdict::Inconclusive, r);
    }
    let size = |r: Option<f64>| r.map_or(f64::INFINITY, f64::abs);
    let worst = c
        .shifts
        .iter()
        .max_by(|a, b| size(a.relative).total_cmp(&size(b.relative)));
    match worst {
        None => result(
            rule,
            "shift",
            Outcome::Within,
            (0.0, 0.0, 0.0),
            Bound::Exact,
            Reason::NoShift { budget },
        ),
        Some(w) => {
            let magnitude = size(w.relative);
            let outcome = decide(op, budget, magnitude, magnitude, Bound::Exact);
            result(
                rule,
                "shift",
                outcome,
                (magnitude, magnitude, magnitude),
                Bound::Exact,
                Reason::Shift {
                    outcome,
                    relative: w.relative,
                    offset_ms: (w.offset_seconds * 1000.0) as i64,
                    before: w.before,
                    after: w.after,
                    op,
                    budget,
                },
            )
        }
    }
}

/// `estimate` with its variance floored at the side's resolution: an interval is never
/// narrower than ± half a quantum.
pub fn resolved(estimate: Estimate, side: &SideResult, confidence: f64) -> Estimate {
    let Some(q) = side
        .evidence
        .as_ref()
        .and_then(|e| e.quantum)
        .filter(|q| *q > 0.0 && q.is_finite())
    else {
        return estimate;
    };
    let z = t_quantile(confidence, f64::INFINITY);
    estimate.floored((q / 2.0 / z).powi(2))
}

/// The change from a baseline estimate to a candidate estimate, direction-adjusted, with
/// its interval and how censoring bounds it.
fn change_of(
    metric: &Metric,
    (b, b_bound): (Estimate, Bound),
    (c, c_bound): (Estimate, Bound),
    confidence: f64,
    with_interval: bool,
) -> Change {
    let flip = |x: f64| match metric.better {
        Better::Higher => -x,
        Better::Lower => x,
    };
    let bound = match metric.better {
        Better::Lower => c_bound.and(b_bound.flipped()),
        Better::Higher => c_bound.flipped().and(b_bound),
    };
    let mut ch = Change {
        relative: None,
        relative_low: None,
        relative_high: None,
        regression: None,
        ci_low: None,
        ci_high: None,
        confidence,
        df: None,
        bound,
    };
    if b.value <= 0.0 {
        return ch;
    }
    ch.relative = Some(c.value / b.value - 1.0);
    ch.regression = ch.relative.map(flip);
    let interval = if !with_interval {
        None
    } else if c.value <= 0.0 {
        // a candidate at zero (or below, where allowed): the whole way down, no ratio to
        // spread around
        Some((c.value / b.value, c.value / b.value, None))
    } else {
        ratio_of_means(&b, &c, confidence)
            .map(|r| (r.low, r.high, r.df.is_finite().then_some(r.df)))
    };
    if let Some((low, high, df)) = interval {
        set_interval(&mut ch, low, high, df, flip);
    }
    ch
}

fn set_interval(ch: &mut Change, low: f64, high: f64, df: Option<f64>, flip: impl Fn(f64) -> f64) {
    ch.relative_low = Some(low - 1.0);
    ch.relative_high = Some(high - 1.0);
    ch.df = df;
    let (a, z) = (flip(low - 1.0), flip(high - 1.0));
    ch.ci_low = Some(a.min(z));
    ch.ci_high = Some(a.max(z));
}

/// Whether a change between the two runs gets an interval: only with the evidence a
/// decision needs. Below [`Settings::min_samples`] (or where a run's variance has no
/// support) an autoregression cannot tell a persistent run from a quiet one, and the plain
/// variance of three to five samples at lag-1 autocorrelation 0.9 gave 95% intervals that
/// covered the truth in a third of runs; 8 to 29 samples, in 83–90%.
fn with_interval(b: &SideResult, c: &SideResult, settings: &Settings) -> bool {
    b.supported && c.supported && too_few(b, settings).is_none() && too_few(c, settings).is_none()
}

/// The change of the window means from baseline to candidate. For counts, of event rates
/// per second of covered time: the exact Poisson interval of the rate ratio, widened to the
/// autocorrelation-aware one when events come in bursts.
pub fn change(
    metric: &Metric,
    b: &SideResult,
    c: &SideResult,
    settings: &Settings,
) -> Option<Change> {
    let confidence = settings.confidence;
    let (mb, mc) = (b.mean?, c.mean?);
    let mut ch = change_of(
        metric,
        (resolved(mb, b, confidence), b.bound()),
        (resolved(mc, c, confidence), c.bound()),
        confidence,
        with_interval(b, c, settings),
    );

    if counted(metric) && mb.value > 0.0 {
        let counted = |side: &SideResult| {
            count::Counted::new(
                events_of(metric, side).round() as u64,
                side.evidence.as_ref().map_or(0.0, |e| e.exposure_s),
            )
        };
        if let Some((lo, hi)) = count::rate_ratio_interval(counted(c), counted(b), confidence) {
            // Events one at a time are Poisson: the exact interval is the right width (an
            // autocorrelation-aware one was 2.5 times as wide for rare events). Only where
            // a run's events come in bursts does the wider one hold.
            let bursty = overdispersed(b) || overdispersed(c);
            let hac = (bursty && b.supported && c.supported)
                .then(|| ch.relative_low.zip(ch.relative_high))
                .flatten();
            let (low, high) = match hac {
                Some((l, h)) => (lo.min(l + 1.0), hi.max(h + 1.0)),
                None => (lo, hi),
            };
            let flip = |x: f64| match metric.better {
                Better::Higher => -x,
                Better::Lower => x,
            };
            let df = ch.df;
            set_interval(&mut ch, low, high, df, flip);
        }
    }
    Some(ch)
}

/// The bounds a run's window mean certainly lies within: for a run with no stable mean (no
/// interval, and no level structure found), the range of its samples; for the others, the
/// interval of its mean at `confidence`.
fn level_bounds(side: &SideResult, confidence: f64) -> Option<(f64, f64)> {
    if stable_mean(side) {
        return side
            .mean
            .map(|m| resolved(m, side, confidence).interval(confidence));
    }
    side.summary.as_ref().map(|s| (s.min, s.max))
}

/// Whether a run's mean has an interval worth the name: supported, on at least one degree
/// of freedom (below it Student's t quantile runs away: 12.7 at one, 60 at 0.6).
fn stable_mean(side: &SideResult) -> bool {
    side.supported && side.mean.is_some_and(|m| m.df >= 1.0)
}

/// The ratio of the window means, candidate over baseline, where a run has no stable mean
/// and every sample of one run lies beyond every sample of the other: a mean without an
/// interval certainly lies within the range of its samples, so the ratio lies within what
/// those ranges (and the other run's interval) allow — a statement about the runs'
/// windows, which a run without a stable mean cannot go beyond, and only made where the
/// runs are apart. `None` where both runs have intervals (the usual change), the runs'
/// samples overlap, a run has too few samples, or the baseline's range reaches zero.
fn ranged_ratio(
    metric: &Metric,
    b: &SideResult,
    c: &SideResult,
    settings: &Settings,
) -> Option<(f64, f64)> {
    if metric.kind != Kind::Series
        || (stable_mean(b) && stable_mean(c))
        || too_few(b, settings).is_some()
        || too_few(c, settings).is_some()
        || b.bound() != Bound::Exact
        || c.bound() != Bound::Exact
    {
        return None;
    }
    let (bs, cs) = (b.summary.as_ref()?, c.summary.as_ref()?);
    if !(cs.max < bs.min || cs.min > bs.max) {
        return None;
    }
    let (b_lo, b_hi) = level_bounds(b, settings.confidence)?;
    let (c_lo, c_hi) = level_bounds(c, settings.confidence)?;
    (b_lo > 0.0 && c_lo >= 0.0).then(|| (c_lo / b_hi, c_hi / b_lo))
}

/// Whether the metric counts events one at a time: `kind = "count"`, or a rate series the
/// pack marks `events = true`.
fn counted(metric: &Metric) -> bool {
    metric.kind == Kind::Count || metric.events
}

/// The events a run saw in its covered time: a count's total, or a rate of events times
/// the seconds it covers.
fn events_of(metric: &Metric, side: &SideResult) -> f64 {
    match (metric.kind, &side.summary, &side.evidence) {
        (Kind::Count, Some(s), _) => s.total,
        (Kind::Series, Some(s), Some(e)) => s.mean * e.exposure_s,
        _ => 0.0,
    }
}

/// The exact (Garwood) interval of a Poisson rate: `k` events in `exposure_s` seconds, per
/// second, at `confidence`.
fn poisson_rate_interval(k: u64, exposure_s: f64, confidence: f64) -> (f64, f64) {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let alpha = 1.0 - confidence;
    let low = if k == 0 {
        0.0
    } else {
        ChiSquared::new(2.0 * k as f64).map_or(0.0, |c| c.inverse_cdf(alpha / 2.0) / 2.0)
    };
    let high = ChiSquared::new(2.0 * (k + 1) as f64)
        .map_or(f64::INFINITY, |c| c.inverse_cdf(1.0 - alpha / 2.0) / 2.0);
    (low / exposure_s, high / exposure_s)
}

/// Level of the test that a run's events are more dispersed than Poisson.
const BURST_ALPHA: f64 = 0.01;

/// Whether a count run's events come in bursts: its long-run variance of events per step
/// is larger than the Poisson variance (the mean) beyond what its estimate's own spread
/// explains (χ² on the estimate's degrees of freedom, at [`BURST_ALPHA`]).
fn overdispersed(side: &SideResult) -> bool {
    let (Some(lr), Some(e)) = (&side.longrun, &side.evidence) else {
        return false;
    };
    let covered = e.slots as f64 * e.coverage;
    if lr.mean <= 0.0 || covered <= 0.0 || !lr.supported {
        return false;
    }
    // The long-run variance is of events per second; in events per step it is `lrv · step`
    // against a Poisson variance of `mean · step` per step of `step` seconds, so the ratio
    // is `lrv / mean` scaled by the step once more.
    let step_s = e.exposure_s / covered;
    let dispersion = lr.lrv * step_s / lr.mean;
    if !lr.df.is_finite() {
        return dispersion > 1.0;
    }
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    ChiSquared::new(lr.df.max(0.5))
        .map(|chi| dispersion > chi.inverse_cdf(1.0 - BURST_ALPHA) / lr.df)
        .unwrap_or(true)
}

/// The candidate's level structure is a shape the baseline shares: from its first segment to
/// its last the baseline moved the same way, at least half as far, as the candidate did
/// (two days of road traffic stepping down in the evening, two mornings declining from a
/// peak). The window's change judges such runs; the candidate's final level against the
/// baseline's is not a regression of its own. A collapse the baseline did not make is not
/// shared: the story's third run ends at −75% against a flat baseline.
fn shared_shape(b: &SideResult, c: &SideResult) -> bool {
    let moved = |side: &SideResult| {
        let (first, last) = (side.shifts.first()?, side.shifts.last()?);
        (first.before != 0.0).then(|| last.after / first.before - 1.0)
    };
    match (moved(b), moved(c)) {
        (Some(b), Some(c)) => b.signum() == c.signum() && b.abs() >= c.abs() / 2.0,
        _ => false,
    }
}

/// Below this many degrees of freedom a run's mean (or a change) has no stable interval: the
/// t quantile grows without bound, and a report says so.
pub const MIN_CHANGE_DF: f64 = 2.0;

/// The change from the baseline to the level the candidate ended at after a sustained
/// shift or along a trend — like with like: after a shift, against the baseline over the
/// same part of its run (both runs of a daily shape step down in the evening, and the
/// candidate's evening is not to be held against the baseline's whole day); along a trend,
/// against the end of the baseline's own trend where it has one. Without those (a pooled
/// baseline, a baseline run too short to cover the span), against the baseline's mean.
pub fn final_change(
    metric: &Metric,
    b: &SideResult,
    c: &SideResult,
    settings: &Settings,
) -> Option<Change> {
    let level = c.final_level?;
    if level.from == crate::compare::LevelFrom::Shift && shared_shape(b, c) {
        return None;
    }
    let confidence = settings.confidence;
    let same_part = match level.from {
        crate::compare::LevelFrom::Shift => {
            b.level_over(level.since_offset_ms, level.until_offset_ms)
        }
        crate::compare::LevelFrom::Trend => b
            .final_level
            .filter(|l| l.from == crate::compare::LevelFrom::Trend)
            .map(|l| l.estimate),
    };
    let reference = same_part.or(b.mean)?;
    Some(change_of(
        metric,
        (resolved(reference, b, confidence), b.bound()),
        (resolved(level.estimate, c, confidence), c.bound()),
        confidence,
        with_interval(b, c, settings),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::{self, Clause};
    use crate::pack::{Better, Kind};
    use crate::testkit;

    #[test]
    fn an_interval_is_within_beyond_or_across_its_limit() {
        use Outcome::*;
        // `<= 10`: the whole interval inside passes, wholly beyond fails, across is undecided.
        assert_eq!(decide(Op::Le, 10.0, 2.0, 9.0, Bound::Exact), Within);
        assert_eq!(decide(Op::Le, 10.0, 11.0, 15.0, Bound::Exact), Exceeds);
        assert_eq!(decide(Op::Le, 10.0, 8.0, 12.0, Bound::Exact), Undecided);
        // `>=` reads the interval from the other end.
        assert_eq!(decide(Op::Ge, -0.1, -0.05, 0.02, Bound::Exact), Within);
        assert_eq!(decide(Op::Ge, -0.1, -0.3, -0.2, Bound::Exact), Exceeds);
        // A strict limit: touching it is not within.
        assert_eq!(decide(Op::Lt, 10.0, 2.0, 10.0, Bound::Exact), Undecided);
        assert_eq!(decide(Op::Le, 10.0, 2.0, 10.0, Bound::Exact), Within);
    }

    #[test]
    fn a_bound_decides_only_what_it_proves() {
        use Outcome::*;
        // At a histogram ceiling the truth is at least the value: it can fail, never pass.
        assert_eq!(decide(Op::Le, 10.0, 11.0, 12.0, Bound::AtLeast), Exceeds);
        assert_eq!(decide(Op::Le, 10.0, 2.0, 3.0, Bound::AtLeast), Undecided);
        // At most the value: it can pass, never fail.
        assert_eq!(decide(Op::Le, 10.0, 2.0, 3.0, Bound::AtMost), Within);
        assert_eq!(decide(Op::Le, 10.0, 11.0, 12.0, Bound::AtMost), Undecided);
        // Censoring both ways decides nothing.
        for (low, high) in [(2.0, 3.0), (11.0, 12.0)] {
            assert_eq!(decide(Op::Le, 10.0, low, high, Bound::Unknown), Undecided);
        }
    }

    #[test]
    fn the_worse_outcome_wins_and_maps_to_its_verdict() {
        use Outcome::*;
        assert_eq!(Within.worst(Undecided), Undecided);
        assert_eq!(Undecided.worst(Exceeds), Exceeds);
        assert_eq!(Exceeds.worst(Within), Exceeds);
        assert_eq!(Within.worst(Within), Within);
        assert_eq!(Within.verdict(), Verdict::Pass);
        assert_eq!(Exceeds.verdict(), Verdict::Fail);
        assert_eq!(Undecided.verdict(), Verdict::Inconclusive);
    }

    #[test]
    fn rules_are_written_in_one_canonical_form() {
        for (text, unit, canonical) in [
            ("regression<=10%", "PI/s", "regression <= 10%"),
            ("mean <= 0.1 jobs/s", "jobs/s", "mean <= 0.1 jobs/s"),
            ("p99 < 1000ms", "s", "p99 < 1 s"),
            ("shift <= 20 %", "%", "shift <= 20%"),
            ("trend <= 5%/h", "MiB", "trend <= 5%/h"),
        ] {
            let g = gate::parse(text, unit).unwrap();
            let clauses: Vec<&Clause> = g.clauses.iter().collect();
            assert_eq!(rule(clauses[0], unit), canonical, "{text}");
        }
    }

    #[test]
    fn a_regression_clause_follows_the_change_and_its_direction() {
        let step = testkit::STEP_MS;
        let flat = |level: f64| -> Vec<f64> {
            (0..240)
                .map(|i| level * (1.0 + 0.01 * ((i % 7) as f64 - 3.0) / 3.0))
                .collect()
        };
        let judge = |better: Better, b: f64, c: f64| {
            let m = testkit::metric(better, Kind::Series);
            let g = gate::parse("regression <= 10%", &m.unit).unwrap();
            let (bs, cs) = (testkit::series(&flat(b)), testkit::series(&flat(c)));
            crate::compare::compare_metric(
                &m,
                Some(&g),
                &testkit::input(&bs, step),
                &testkit::input(&cs, step),
                &Settings::default(),
            )
            .clauses[0]
                .verdict
        };
        // Higher is better: −30% exceeds the budget, −2% and +30% are within it.
        assert_eq!(judge(Better::Higher, 100.0, 70.0), Verdict::Fail);
        assert_eq!(judge(Better::Higher, 100.0, 98.0), Verdict::Pass);
        assert_eq!(judge(Better::Higher, 100.0, 130.0), Verdict::Pass);
        // Lower is better: the same +30% is a regression.
        assert_eq!(judge(Better::Lower, 100.0, 130.0), Verdict::Fail);
    }
}
