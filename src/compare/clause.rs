//! Deciding one gate clause: the statistic it names, an interval for it, and one rule for
//! every clause — pass if the whole interval satisfies the limit, fail if none of it does,
//! otherwise inconclusive. Censored statistics are bounds, so only the side of the
//! interval that the bound proves can decide. Below the minimum number of samples nothing
//! is decided, except a limit that the samples seen already break for good (a max above a
//! ceiling, events beyond an allowed total).

use serde::Serialize;

use crate::gate::{Clause, Op, Stat};
use crate::pack::{Better, Kind, Metric};
use crate::stats::{self, count, ratio_of_means, LongRun, Summary};

use super::reason::{Bound, Outcome, Reason};
use super::side::SideResult;
use super::{Change, Settings, Verdict};

/// The outcome of one gate clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseResult {
    /// The clause as a rule (`regression <= 10%`, `p99 <= 1 s`).
    pub rule: String,
    pub verdict: Verdict,
    /// What the clause measures (`regression`, `mean`, `total`, `shift`, ...).
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

/// Evaluates one clause.
pub fn evaluate(clause: &Clause, s: &Sides) -> ClauseResult {
    let rule = rule(clause, &s.metric.unit);
    match clause {
        Clause::Regression { op, budget } => regression(rule, *op, *budget, s),
        Clause::Absolute { stat, op, bound } => absolute(rule, *stat, *op, *bound, s),
        Clause::Shift { op, budget } => shift(rule, *op, *budget, s),
    }
}

fn regression(rule: String, op: Op, budget: f64, s: &Sides) -> ClauseResult {
    let (b, c) = (s.baseline, s.candidate);
    if let Some(r) = too_few(b, s.settings).or_else(|| too_few(c, s.settings)) {
        return undecided(rule, "regression", Verdict::Inconclusive, r);
    }
    let (Some(bs), Some(cs)) = (&b.summary, &c.summary) else {
        return undecided(
            rule,
            "regression",
            Verdict::NoData,
            Reason::NotRecorded { side: b.role },
        );
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
        return match s.metric.kind {
            Kind::Count => count_from_zero(rule, budget, b, c, s.settings),
            Kind::Series => series_from_zero(rule, c, s.settings),
        };
    }
    let Some(ch) = s.change else {
        return undecided(
            rule,
            "regression",
            Verdict::NoData,
            Reason::NotRecorded { side: c.role },
        );
    };
    let (Some(est), Some(low), Some(high)) = (ch.regression, ch.ci_low, ch.ci_high) else {
        return undecided(
            rule,
            "regression",
            Verdict::Inconclusive,
            Reason::NoRatio {
                baseline: b.longrun.map_or(f64::NAN, |l| l.mean),
                candidate: c.longrun.map_or(f64::NAN, |l| l.mean),
            },
        );
    };
    let outcome = decide(op, budget, low, high, ch.bound);
    let width = high - low;
    let needed_ms = (outcome == Outcome::Undecided
        && ch.bound == Bound::Exact
        && budget > 0.0
        && width > budget
        && b.shifts.is_empty()
        && c.shifts.is_empty())
    .then(|| (s.steady_ms as f64 * (width / budget).powi(2)) as i64);
    result(
        rule,
        "regression",
        outcome,
        (est, low, high),
        ch.bound,
        Reason::Regression {
            outcome,
            estimate: est,
            low,
            high,
            op,
            budget,
            bound: ch.bound,
            needed_ms,
            have_ms: s.steady_ms,
        },
    )
}

/// Lower is better, the baseline is all zero and the candidate is not: a relative change is
/// undefined, so the question is whether the candidate is clearly above zero.
fn series_from_zero(rule: String, c: &SideResult, settings: &Settings) -> ClauseResult {
    let Some(lc) = &c.longrun else {
        return undecided(
            rule,
            "regression",
            Verdict::NoData,
            Reason::NotRecorded { side: c.role },
        );
    };
    let se = lc.variance_of_mean().sqrt();
    let t = stats::ratio::t_quantile(settings.confidence, (lc.n_eff - 1.0).max(1.0));
    let low = lc.mean - t * se;
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
            candidate: lc.mean,
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
    settings: &Settings,
) -> ClauseResult {
    let events = c.summary.map_or(0.0, |s| s.total);
    let exposure_s = c.evidence.as_ref().map_or(0.0, |e| e.exposure_s);
    let baseline_exposure_s = b.evidence.as_ref().map_or(0.0, |e| e.exposure_s);
    let p_value = count::rate_ratio_p_value(
        events.round() as u64,
        exposure_s,
        0,
        baseline_exposure_s,
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
            exposure_s,
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

fn absolute(rule: String, stat: Stat, op: Op, limit: f64, s: &Sides) -> ClauseResult {
    let c = s.candidate;
    let Some(summary) = &c.summary else {
        return undecided(
            rule,
            stat.name(),
            Verdict::NoData,
            Reason::NotRecorded { side: c.role },
        );
    };
    let value = stat_value(summary, stat);
    let bound = stat_bound(c, stat);
    let outcome = decide(op, limit, value, value, bound);
    let reason = Reason::Absolute {
        outcome,
        stat,
        estimate: value,
        low: value,
        high: value,
        op,
        limit,
        bound,
    };
    if let Some(r) = too_few(c, s.settings) {
        // More samples can only raise a max or a total and lower a min: a limit they
        // already break stays broken.
        let for_good = outcome == Outcome::Exceeds
            && matches!(
                (stat, op),
                (Stat::Max | Stat::Total, Op::Le | Op::Lt) | (Stat::Min, Op::Ge | Op::Gt)
            );
        if !for_good {
            return undecided(rule, stat.name(), Verdict::Inconclusive, r);
        }
    }
    result(
        rule,
        stat.name(),
        outcome,
        (value, value, value),
        bound,
        reason,
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

/// A mean's estimate with its variance floored at the metric's resolution: an interval is
/// never narrower than half a quantum on either side.
pub fn with_resolution(lr: &LongRun, quantum: Option<f64>, confidence: f64) -> LongRun {
    let Some(q) = quantum.filter(|q| *q > 0.0 && q.is_finite()) else {
        return *lr;
    };
    let z = stats::ratio::t_quantile(confidence, f64::INFINITY);
    let floor = lr.n as f64 * (q / 2.0 / z).powi(2);
    if lr.lrv >= floor {
        return *lr;
    }
    LongRun { lrv: floor, ..*lr }
}

/// The change from baseline to candidate with its interval, direction-adjusted, and how
/// censoring bounds it. For counts, of event rates per second of covered time.
pub fn change(
    metric: &Metric,
    b: &SideResult,
    c: &SideResult,
    settings: &Settings,
) -> Option<Change> {
    let (lb, lc) = (b.longrun.as_ref()?, c.longrun.as_ref()?);
    let flip = |x: f64| match metric.better {
        Better::Higher => -x,
        Better::Lower => x,
    };
    let bound = match metric.better {
        Better::Lower => c.bound().and(b.bound().flipped()),
        Better::Higher => c.bound().flipped().and(b.bound()),
    };
    let mut ch = Change {
        relative: None,
        relative_low: None,
        relative_high: None,
        regression: None,
        ci_low: None,
        ci_high: None,
        confidence: settings.confidence,
        df: None,
        bound,
    };
    if lb.mean <= 0.0 {
        return Some(ch);
    }
    ch.relative = Some(lc.mean / lb.mean - 1.0);
    ch.regression = ch.relative.map(flip);
    let quantum = |side: &SideResult| side.evidence.as_ref().and_then(|e| e.quantum);
    let (qb, qc) = (
        with_resolution(lb, quantum(b), settings.confidence),
        with_resolution(lc, quantum(c), settings.confidence),
    );
    let mut interval = if lc.mean == 0.0 && lc.lrv == 0.0 {
        // a candidate that is exactly zero throughout: −100%
        Some((0.0, 0.0, None))
    } else {
        ratio_of_means(&qb, &qc, settings.confidence)
            .map(|r| (r.low, r.high, r.df.is_finite().then_some(r.df)))
    };
    if metric.kind == Kind::Count {
        // Exact Poisson interval of the rate ratio, widened to the autocorrelation-aware
        // one when events come in bursts.
        let events = |side: &SideResult| side.summary.map_or(0.0, |s| s.total).round() as u64;
        let exposure = |side: &SideResult| side.evidence.as_ref().map_or(0.0, |e| e.exposure_s);
        if let Some((lo, hi)) = count::rate_ratio_interval(
            events(c),
            exposure(c),
            events(b),
            exposure(b),
            settings.confidence,
        ) {
            interval = Some(match interval {
                Some((l, h, df)) => (l.min(lo), h.max(hi), df),
                None => (lo, hi, None),
            });
        }
    }
    if let Some((low, high, df)) = interval {
        ch.relative_low = Some(low - 1.0);
        ch.relative_high = Some(high - 1.0);
        ch.df = df;
        let (a, z) = (flip(low - 1.0), flip(high - 1.0));
        ch.ci_low = Some(a.min(z));
        ch.ci_high = Some(a.max(z));
    }
    Some(ch)
}
