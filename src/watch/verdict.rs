//! The one verdict a watch ends with, and the report that carries it: `compare`'s report of
//! the window seen, with what the looks decided on the way.
//!
//! * A metric failed at a look stays failed (its interval was valid at every look); a
//!   series that stopped has no data. Their reasons come first.
//! * Otherwise `compare` decides what it alone can see: a failure or no data in the window
//!   seen is that.
//! * Seen to the end of its window, a metric has `compare`'s verdict: the fixed-sample
//!   verdict of record, asked once, at the end.
//! * Stopped before (interrupted, the source lost, another metric's failure with
//!   `--stop-on-fail`), a metric passes only where it was released (`--stop-on-pass`) and
//!   `compare` agrees; otherwise it is inconclusive: what was seen cannot prove a pass.
//!
//! The watch's exit code is its report's.

use crate::compare::{LiveStatistic, MetricResult, Reason, Role, Verdict};
use crate::gate::{Clause, Gate};

use super::decide::{ClauseLook, MetricLook, State, Why};

/// How much of the candidate's window a watch saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seen {
    /// The newest slot seen.
    pub to_ms: i64,
    /// Steady time seen, and the steady window's length.
    pub steady_ms: i64,
    pub window_ms: i64,
    /// Whether the window was seen to its end.
    pub to_end: bool,
}

/// What a clause's estimate is.
fn statistic(clause: &Clause) -> LiveStatistic {
    match clause {
        Clause::Regression { .. } | Clause::Shift { .. } => LiveStatistic::Change,
        Clause::Absolute { .. } => LiveStatistic::Value,
        Clause::Trend { relative: true, .. } => LiveStatistic::RelativeTrend,
        Clause::Trend { .. } => LiveStatistic::Trend,
    }
}

/// The reason a failed look gives.
fn failed_live(clause: &ClauseLook, kind: LiveStatistic, seen_to_ms: i64) -> Reason {
    let recent = match &clause.why {
        Why::RecentBeyond { .. } => clause.recent.as_ref(),
        _ => None,
    };
    let (estimate, low, high) = match recent {
        Some(r) => (Some(r.estimate), r.low, r.high),
        None => (clause.estimate, finite(clause.low), finite(clause.high)),
    };
    Reason::FailedLive {
        rule: clause.rule.clone(),
        seen_to_ms,
        estimate,
        low,
        high,
        limit: clause.limit,
        statistic: kind,
        recent_samples: recent.map(|r| r.samples),
        recent_since_ms: recent.map(|r| r.since_ms),
    }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// `result` (`compare`'s, for the window seen) with what the watch's last look at it
/// (under `gate`) decided. `failed_at_ms` is how far the run had been seen when a failed
/// look was made.
pub fn settle(
    result: &mut MetricResult,
    gate: &Gate,
    look: &MetricLook,
    failed_at_ms: i64,
    seen: Seen,
) {
    let Some(compared) = result.verdict else {
        return;
    };
    let findings = || -> Vec<Reason> {
        result
            .reasons
            .iter()
            .filter(|r| r.is_finding())
            .cloned()
            .collect()
    };
    if look.state == State::Fail {
        let failing = look.clauses.iter().position(|c| c.state == State::Fail);
        let (verdict, first) = match failing.map(|i| (&look.clauses[i].why, i)) {
            Some((
                Why::DataStopped {
                    last_sample_ms,
                    reachable_coverage,
                    min_coverage,
                    ..
                },
                _,
            )) => (
                Verdict::NoData,
                Reason::DataStopped {
                    side: Role::Candidate,
                    last_sample_ms: *last_sample_ms,
                    reachable_coverage: *reachable_coverage,
                    min_coverage: *min_coverage,
                },
            ),
            Some((_, i)) => {
                let kind = gate.clauses.get(i).map_or(LiveStatistic::Value, statistic);
                (
                    Verdict::Fail,
                    failed_live(&look.clauses[i], kind, failed_at_ms),
                )
            }
            None => return,
        };
        let mut reasons = vec![first];
        if matches!(compared, Verdict::Fail | Verdict::NoData) {
            reasons.append(&mut result.reasons);
        } else {
            reasons.extend(findings());
        }
        result.verdict = Some(verdict);
        result.reasons = reasons;
        return;
    }
    if matches!(compared, Verdict::Fail | Verdict::NoData) || seen.to_end {
        return;
    }
    if look.state == State::Pass && compared == Verdict::Pass {
        return;
    }
    let mut reasons = vec![Reason::NotSeenToEnd {
        seen_ms: seen.steady_ms,
        window_ms: seen.window_ms,
    }];
    if compared == Verdict::Pass {
        reasons.extend(findings());
    } else {
        reasons.append(&mut result.reasons);
    }
    result.verdict = Some(Verdict::Inconclusive);
    result.reasons = reasons;
}
