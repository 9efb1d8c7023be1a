//! What one run's samples can prove: which of them are usable, how much of the steady
//! window they cover in time, which are censored, how finely the metric is resolved, and
//! what the missing part could hide.
//!
//! - **Coverage in time.** The steady window is divided into slots of the run's step; a
//!   slot is covered when it holds a usable sample. Dense samples in a short stretch do not
//!   make up for an empty rest.
//! - **Usable samples.** NaN is missing. An infinite value on the bad side (+Inf for a
//!   lower-is-better metric) is the worst value, censored at the histogram ceiling or the
//!   worst finite value; on the good side it is missing. A negative value of a metric
//!   whose unit cannot be negative makes the run unusable.
//! - **Censoring.** Values at or above `saturates_at` are censored: the truth is there or
//!   higher.
//! - **Worst plausible fill.** For the sensitivity check of a pass: holes of at most
//!   [`SHORT_GAP_SLOTS`] slots inside the window take the worse of their two neighbours;
//!   longer holes and open ends take the most extreme value the metric can take: 0 for a
//!   rate that should be high, 100 for a share that should be low; where the metric has no
//!   limit on the bad side (a latency, a size), the hole is unbounded — filled censored at
//!   the most extreme value seen (the histogram ceiling if there is one), so no statistic
//!   it touches can prove a pass. Counters lose no events in a hole (the next increase
//!   holds them), so only open ends are filled for counts.

use crate::pack::{Better, Kind, Metric};
use crate::series::Point;
use crate::source::MetricSeries;
use crate::units;

use super::reason::{Bound, Reason, Role};

/// Holes of at most this many slots inside the window count as scattered missing scrapes.
pub const SHORT_GAP_SLOTS: usize = 2;

/// Relative tolerance for "at the ceiling": `histogram_quantile` returns the bucket bound.
const AT_CEILING: f64 = 1e-9;

/// How the steady window is covered by usable samples, in slots of the run's step.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub window: (i64, i64),
    pub step_ms: i64,
    /// Whether each slot holds a usable sample.
    covered: Vec<bool>,
}

impl Coverage {
    /// The coverage of `window` by samples at `times` (sorted), at `step_ms`.
    pub fn of(times: &[i64], window: (i64, i64), step_ms: i64) -> Coverage {
        let step = step_ms.max(1);
        let slots = ((window.1 - window.0).max(0) / step + 1) as usize;
        let mut covered = vec![false; slots];
        for &t in times {
            if t < window.0 || t > window.1 {
                continue;
            }
            let k = (((t - window.0) / step) as usize).min(slots - 1);
            covered[k] = true;
        }
        Coverage {
            window,
            step_ms: step,
            covered,
        }
    }

    pub fn slots(&self) -> usize {
        self.covered.len()
    }

    pub fn covered_slots(&self) -> usize {
        self.covered.iter().filter(|c| **c).count()
    }

    /// Share of slots covered.
    pub fn share(&self) -> f64 {
        self.covered_slots() as f64 / self.slots().max(1) as f64
    }

    pub fn is_complete(&self) -> bool {
        self.covered.iter().all(|c| *c)
    }

    /// The holes as `(first slot, length)`, in time order.
    pub fn gaps(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for (k, c) in self.covered.iter().enumerate() {
            match (c, start) {
                (false, None) => start = Some(k),
                (true, Some(s)) => {
                    out.push((s, k - s));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, self.covered.len() - s));
        }
        out
    }

    /// Milliseconds of the longest hole.
    pub fn longest_gap_ms(&self) -> i64 {
        self.gaps().iter().map(|g| g.1).max().unwrap_or(0) as i64 * self.step_ms
    }

    /// Milliseconds missing before the first covered slot.
    pub fn leading_gap_ms(&self) -> i64 {
        self.covered.iter().take_while(|c| !**c).count() as i64 * self.step_ms
    }

    /// Milliseconds missing after the last covered slot.
    pub fn trailing_gap_ms(&self) -> i64 {
        if self.covered_slots() == 0 {
            return 0;
        }
        self.covered.iter().rev().take_while(|c| !**c).count() as i64 * self.step_ms
    }

    /// The same coverage without the uncovered slots at the window's start that lie before
    /// `edges.0` and those at its end after `edges.1`: outside the run, not missing.
    pub fn within_edges(mut self, edges: (i64, i64)) -> Coverage {
        // A window without any data keeps its slots: nothing to trim it to.
        if self.covered_slots() == 0 {
            return self;
        }
        let lead = self
            .covered
            .iter()
            .enumerate()
            .take_while(|&(k, c)| !*c && self.slot_time(k) < edges.0)
            .count();
        let slots = self.covered.len();
        let trail = self
            .covered
            .iter()
            .enumerate()
            .rev()
            .take_while(|&(k, c)| !*c && k >= lead && self.slot_time(k) > edges.1)
            .count();
        self.covered.truncate(slots - trail);
        self.covered.drain(..lead);
        self.window = (
            self.window.0 + lead as i64 * self.step_ms,
            self.window.1 - trail as i64 * self.step_ms,
        );
        self
    }

    /// Time of slot `k`.
    pub fn slot_time(&self, k: usize) -> i64 {
        self.window.0 + k as i64 * self.step_ms
    }

    /// Whether every hole is short and inside the window: missed scrapes, filled with
    /// their neighbours rather than with an extreme.
    pub fn holes_are_short(&self) -> bool {
        let slots = self.slots();
        self.gaps()
            .iter()
            .all(|&(start, len)| start > 0 && start + len < slots && len <= SHORT_GAP_SLOTS)
    }

    /// Seconds of covered time (the exposure of an event count).
    pub fn covered_seconds(&self) -> f64 {
        self.covered_slots() as f64 * self.step_ms as f64 / 1000.0
    }
}

/// The usable samples of one run in the steady window.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Usable samples in time order; censored ones at their censoring point.
    pub points: Vec<Point>,
    /// Whether each point is censored.
    pub censored: Vec<bool>,
    pub coverage: Coverage,
    /// NaN samples (and infinite ones on the good side) in the window: missing.
    pub missing: usize,
    /// The censoring point, if any sample was censored.
    pub censored_at: Option<f64>,
    /// How the run's mean relates to the truth, given its censored samples.
    pub bound: Bound,
}

impl Prepared {
    pub fn values(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.1).collect()
    }

    pub fn censored_count(&self) -> usize {
        self.censored.iter().filter(|c| **c).count()
    }

    pub fn censored_share(&self) -> f64 {
        self.censored_count() as f64 / self.points.len().max(1) as f64
    }
}

/// Whether values of `metric` can never be negative: event counts, durations, sizes,
/// shares, and rates (`…/s`), unless the pack allows negatives.
pub fn non_negative(metric: &Metric) -> bool {
    if metric.allow_negative {
        return false;
    }
    metric.kind == Kind::Count
        || units::is_unit(&metric.unit)
        || ["/s", "/min", "/h"]
            .iter()
            .any(|suffix| metric.unit.ends_with(suffix))
}

/// The usable samples of `series` for `metric`, or why the run cannot be used. Slots
/// without data at the window's ends that lie beyond the run's `edges` are not counted.
pub fn prepare(
    metric: &Metric,
    series: &MetricSeries,
    window: (i64, i64),
    edges: (i64, i64),
    step_ms: i64,
    side: Role,
) -> Result<Prepared, Reason> {
    if series.full.is_empty() {
        return Err(Reason::EmptyResult { side });
    }
    if series.steady().is_empty() {
        return Err(Reason::NoSamplesInWindow { side });
    }
    if non_negative(metric) {
        if let Some((at_ms, value)) = series.first_negative {
            return Err(Reason::ImpossibleValue { side, at_ms, value });
        }
    }
    let bad_infinity = match metric.better {
        Better::Lower => f64::INFINITY,
        Better::Higher => f64::NEG_INFINITY,
    };
    let points = series.steady();
    let worst_finite = points
        .values()
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .reduce(|a, b| match metric.better {
            Better::Lower => a.max(b),
            Better::Higher => a.min(b),
        });
    let ceiling = metric.saturates_at.filter(|_| metric.kind == Kind::Series);
    let mut out = Prepared {
        points: Vec::with_capacity(points.len()),
        censored: Vec::with_capacity(points.len()),
        coverage: Coverage::of(&[], window, step_ms),
        missing: 0,
        censored_at: None,
        bound: Bound::Exact,
    };
    for (t, v) in points.iter() {
        if v.is_nan() || (v.is_infinite() && v != bad_infinity) {
            out.missing += 1;
            continue;
        }
        if v.is_infinite() {
            // The worst value: censored at the ceiling, else at the worst finite value.
            let Some(at) = ceiling.or(worst_finite) else {
                out.missing += 1;
                continue;
            };
            out.points.push((t, at));
            out.censored.push(true);
            out.censored_at = Some(at);
            out.bound = out.bound.and(match metric.better {
                Better::Lower => Bound::AtLeast,
                Better::Higher => Bound::AtMost,
            });
            continue;
        }
        let at_ceiling = ceiling.is_some_and(|c| v >= c * (1.0 - AT_CEILING));
        out.points.push((t, v));
        out.censored.push(at_ceiling);
        if at_ceiling {
            out.censored_at = ceiling;
            out.bound = out.bound.and(Bound::AtLeast);
        }
    }
    if out.points.is_empty() {
        return Err(Reason::NoFiniteSample {
            side,
            samples: points.len(),
        });
    }
    let times: Vec<i64> = out.points.iter().map(|p| p.0).collect();
    out.coverage = Coverage::of(&times, window, step_ms).within_edges(edges);
    Ok(out)
}

/// The smallest positive difference between distinct values: the resolution the metric is
/// reported at. `None` with fewer than two distinct values.
pub fn quantum(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    quantum_of_sorted(&sorted)
}

/// [`quantum`] of values sorted by `f64::total_cmp` (non-finite ones are skipped).
pub fn quantum_of_sorted(sorted: &[f64]) -> Option<f64> {
    let mut finite = sorted.iter().filter(|v| v.is_finite());
    let mut previous = *finite.next()?;
    let mut smallest: Option<f64> = None;
    for &v in finite {
        let d = v - previous;
        if d > 0.0 {
            smallest = Some(smallest.map_or(d, |s| s.min(d)));
        }
        previous = v;
    }
    smallest
}

/// The place value of the last digit of `v` as written by its shortest decimal form
/// (`150` → 1, `0.25` → 0.01): the resolution of a value seen only once.
pub fn last_digit(v: f64) -> f64 {
    let text = format!("{}", v.abs());
    match text.split_once('.') {
        Some((_, decimals)) => 10f64.powi(-(decimals.len() as i32)),
        None => 1.0,
    }
}

/// Which way a fill leans: the candidate's holes are filled with bad values, the
/// baseline's with good ones, so that what is missing can only hurt the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lean {
    Worse,
    Better,
}

/// What a long hole (or an open end) of a run could hold, at worst for the verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extreme {
    pub value: f64,
    /// `Exact`: a limit of the metric itself (0 for a rate, 100 for a share). Otherwise the
    /// metric has no such limit on that side: `value` is the most extreme value seen and
    /// the truth may lie beyond it (the filled samples are censored there).
    pub bound: Bound,
}

/// The most extreme value `metric` could take in a hole of this run, leaning `lean`.
/// Only limits the metric really has are used: zero for what cannot be negative, 100 for a
/// share, the histogram ceiling (itself a censoring point). Where there is none, the hole
/// is unbounded: censored at the most extreme value seen.
pub fn plausible_extreme(metric: &Metric, prepared: &Prepared, lean: Lean) -> Extreme {
    let values = prepared.values();
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = lean_high(metric, lean);
    if high {
        if let Some(c) = metric.saturates_at.filter(|_| metric.kind == Kind::Series) {
            return Extreme {
                value: c.max(max),
                bound: Bound::AtLeast,
            };
        }
        if let Some(limit) = share_limit(metric) {
            return Extreme {
                value: limit,
                bound: Bound::Exact,
            };
        }
        Extreme {
            value: if metric.kind == Kind::Count {
                max.max(1.0)
            } else {
                max
            },
            bound: Bound::AtLeast,
        }
    } else if non_negative(metric) {
        Extreme {
            value: 0.0,
            bound: Bound::Exact,
        }
    } else {
        Extreme {
            value: min,
            bound: Bound::AtMost,
        }
    }
}

/// Whether leaning `lean` on `metric` means high values (worse for lower-is-better, better
/// for higher-is-better).
fn lean_high(metric: &Metric, lean: Lean) -> bool {
    matches!(
        (metric.better, lean),
        (Better::Lower, Lean::Worse) | (Better::Higher, Lean::Better)
    )
}

/// The upper limit of a share: 100 for `%`, 1 for `ratio`.
fn share_limit(metric: &Metric) -> Option<f64> {
    match metric.unit.as_str() {
        "%" if !metric.allow_negative => Some(100.0),
        "ratio" if !metric.allow_negative => Some(1.0),
        _ => None,
    }
}

/// `prepared` with its missing slots filled by plausible values leaning `lean`; `None` when
/// nothing is missing (or nothing would be filled).
pub fn fill(metric: &Metric, prepared: &Prepared, lean: Lean) -> Option<Prepared> {
    let coverage = &prepared.coverage;
    if coverage.is_complete() {
        return None;
    }
    let extreme = plausible_extreme(metric, prepared, lean);
    let extreme_censored = extreme.bound != Bound::Exact;
    let high = lean_high(metric, lean);
    let pick = |a: f64, b: f64| if high { a.max(b) } else { a.min(b) };
    let slots = coverage.slots();
    let value_at = |t: i64| {
        let i = prepared.points.partition_point(|p| p.0 < t);
        prepared.points.get(i).map(|p| p.1)
    };
    let before_slot = |k: usize| {
        let t = coverage.slot_time(k);
        let i = prepared.points.partition_point(|p| p.0 < t);
        i.checked_sub(1).map(|j| prepared.points[j].1)
    };
    let mut added: Vec<(Point, bool)> = Vec::new();
    for (first, len) in coverage.gaps() {
        let open_end = first == 0 || first + len == slots;
        if metric.kind == Kind::Count && !open_end {
            continue;
        }
        let short = !open_end && len <= SHORT_GAP_SLOTS;
        let neighbours = if short {
            before_slot(first).zip(value_at(coverage.slot_time(first + len)))
        } else {
            None
        };
        let (value, censored) = match neighbours {
            Some((a, b)) => (pick(a, b), false),
            None => (extreme.value, extreme_censored),
        };
        for k in first..first + len {
            added.push(((coverage.slot_time(k), value), censored));
        }
    }
    if added.is_empty() {
        return None;
    }
    let filled_censored = added.iter().any(|(_, c)| *c);
    let mut merged: Vec<(Point, bool)> = prepared
        .points
        .iter()
        .copied()
        .zip(prepared.censored.iter().copied())
        .chain(added)
        .collect();
    merged.sort_by_key(|(p, _)| p.0);
    let bound = if filled_censored {
        prepared.bound.and(extreme.bound)
    } else {
        prepared.bound
    };
    let times: Vec<i64> = merged.iter().map(|(p, _)| p.0).collect();
    Some(Prepared {
        coverage: Coverage::of(&times, coverage.window, coverage.step_ms),
        points: merged.iter().map(|(p, _)| *p).collect(),
        censored: merged.iter().map(|(_, c)| *c).collect(),
        missing: 0,
        censored_at: prepared
            .censored_at
            .or(filled_censored.then_some(extreme.value)),
        bound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP: i64 = 30_000;

    fn metric(better: Better, kind: Kind, unit: &str) -> Metric {
        crate::testkit::metric_in(better, kind, unit)
    }

    fn prep(metric: &Metric, values: &[f64], side: Role) -> Result<Prepared, Reason> {
        let s = series(values);
        prepare(
            metric,
            &s,
            s.window,
            crate::compare::side::NO_EDGES,
            STEP,
            side,
        )
    }

    fn series(values: &[f64]) -> MetricSeries {
        crate::testkit::series_at(values, STEP)
    }

    #[test]
    fn coverage_counts_time_not_points() {
        // 23 samples crammed into the first minute of a 10-slot window
        let times: Vec<i64> = (0..23).map(|i| i * 2_000).collect();
        let c = Coverage::of(&times, (0, 9 * STEP), STEP);
        assert_eq!((c.slots(), c.covered_slots()), (10, 2));
        assert_eq!(c.trailing_gap_ms(), 8 * STEP);
        assert_eq!(c.leading_gap_ms(), 0);
        assert_eq!(c.gaps(), vec![(2, 8)]);
        let holes = Coverage::of(&[0, STEP, 4 * STEP, 9 * STEP], (0, 9 * STEP), STEP);
        assert_eq!(holes.gaps(), vec![(2, 2), (5, 4)]);
        assert_eq!(holes.longest_gap_ms(), 4 * STEP);
    }

    #[test]
    fn empty_slots_beyond_the_run_edges_are_not_missing() {
        // slots 0..10; data from slot 1 to slot 8
        let times: Vec<i64> = (1..9).map(|k| k * STEP).collect();
        let window = (0, 9 * STEP);
        let c = Coverage::of(&times, window, STEP).within_edges((2 * STEP, 8 * STEP));
        assert_eq!((c.slots(), c.covered_slots()), (8, 8));
        assert_eq!(c.window, (STEP, 8 * STEP));
        assert!(c.is_complete());
        // Edges before the hole: the hole is missing data.
        let c = Coverage::of(&times, window, STEP).within_edges((0, 9 * STEP));
        assert_eq!(
            (c.slots(), c.leading_gap_ms(), c.trailing_gap_ms()),
            (10, STEP, STEP)
        );
        // Only empty slots at the ends go, never a covered one, and only before the edge.
        let late: Vec<i64> = (4..10).map(|k| k * STEP).collect();
        let c = Coverage::of(&late, window, STEP).within_edges((2 * STEP, i64::MAX));
        assert_eq!((c.slots(), c.leading_gap_ms()), (8, 2 * STEP));
        // A window without data keeps its slots.
        let c = Coverage::of(&[], window, STEP).within_edges((5 * STEP, 5 * STEP));
        assert_eq!(c.slots(), 10);
    }

    #[test]
    fn infinities_and_nan() {
        let lower = metric(Better::Lower, Kind::Series, "");
        let p = prep(
            &lower,
            &[1.0, f64::NAN, f64::INFINITY, 2.0, f64::NEG_INFINITY],
            Role::Candidate,
        )
        .unwrap();
        // NaN and -Inf (the good side) are missing; +Inf is the worst finite value, censored
        assert_eq!(p.points, vec![(0, 1.0), (2 * STEP, 2.0), (3 * STEP, 2.0)]);
        assert_eq!(p.censored, vec![false, true, false]);
        assert_eq!(p.bound, Bound::AtLeast);
        assert_eq!(p.missing, 2);
        assert_eq!(p.coverage.covered_slots(), 3);
        // -Inf where values cannot be negative is impossible
        let seconds = metric(Better::Lower, Kind::Series, "s");
        assert!(matches!(
            prep(&seconds, &[1.0, f64::NEG_INFINITY], Role::Baseline),
            Err(Reason::ImpossibleValue { at_ms: STEP, .. })
        ));
        // +Inf on the good side of a rate is missing
        let rate = metric(Better::Higher, Kind::Series, "PI/s");
        let p = prep(&rate, &[1.0, f64::INFINITY], Role::Baseline).unwrap();
        assert_eq!((p.points.len(), p.missing), (1, 1));
        let e = prep(&lower, &[f64::NAN, f64::NAN], Role::Baseline).unwrap_err();
        assert_eq!(
            e,
            Reason::NoFiniteSample {
                side: Role::Baseline,
                samples: 2
            }
        );
    }

    #[test]
    fn impossible_values_name_the_first_sample() {
        let rate = metric(Better::Higher, Kind::Series, "PI/s");
        let e = prep(&rate, &[5.0, -1.0, -2.0], Role::Candidate).unwrap_err();
        assert_eq!(
            e,
            Reason::ImpossibleValue {
                side: Role::Candidate,
                at_ms: STEP,
                value: -1.0
            }
        );
        let mut signed = metric(Better::Higher, Kind::Series, "°C");
        assert!(prep(&signed, &[5.0, -1.0], Role::Candidate).is_ok());
        signed.unit = "%".into();
        signed.allow_negative = true;
        assert!(prep(&signed, &[5.0, -1.0], Role::Candidate).is_ok());
    }

    #[test]
    fn ceiling_values_are_censored() {
        let mut m = metric(Better::Lower, Kind::Series, "s");
        m.saturates_at = Some(60.0);
        let p = prep(&m, &[0.2, 60.0, 59.9], Role::Candidate).unwrap();
        assert_eq!(p.censored, vec![false, true, false]);
        assert!((p.censored_share() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(p.censored_at, Some(60.0));
    }

    #[test]
    fn resolution() {
        let q = quantum(&[192.0, 256.0, 192.0, 320.0]).unwrap();
        assert_eq!(q, 64.0);
        assert_eq!(quantum(&[5.0, 5.0]), None);
        // Non-finite values have no place in the resolution, wherever the sort put them.
        let with_holes = [
            f64::NAN,
            3.0,
            f64::INFINITY,
            1.0,
            f64::NEG_INFINITY,
            1.5,
            -f64::NAN,
        ];
        assert_eq!(quantum(&with_holes), Some(0.5));
        assert_eq!(quantum(&[f64::NAN, 2.0, f64::INFINITY]), None);
        assert_eq!(last_digit(150.0), 1.0);
        assert_eq!(last_digit(0.25), 0.01);
        assert_eq!(last_digit(188_743_680.0), 1.0);
    }

    #[test]
    fn fills_lean_against_the_verdict() {
        let m = metric(Better::Higher, Kind::Series, "PI/s");
        // a short hole inside (slot 2), a trailing hole of 3 slots
        let mut values = vec![150.0, 140.0, f64::NAN, 160.0, 150.0, 150.0];
        values.extend([f64::NAN; 3]);
        let p = prep(&m, &values, Role::Candidate).unwrap();
        let worse = fill(&m, &p, Lean::Worse).unwrap();
        assert_eq!(worse.points.len(), 9);
        assert_eq!(worse.points[2], (2 * STEP, 140.0), "the worse neighbour");
        assert_eq!(&worse.values()[6..], &[0.0, 0.0, 0.0], "0 for a rate");
        let better = fill(&m, &p, Lean::Better).unwrap();
        assert_eq!(better.points[2].1, 160.0);
        // a rate has no upper limit: the hole is censored at the best value seen
        assert_eq!(better.values()[8], 160.0);
        assert!(better.censored[8] && better.bound == Bound::AtLeast);
        let complete = prep(&m, &[1.0, 2.0], Role::Candidate).unwrap();
        assert!(fill(&m, &complete, Lean::Worse).is_none());
        // latency with a ceiling: an open end is filled at the ceiling, censored
        let mut lat = metric(Better::Lower, Kind::Series, "s");
        lat.saturates_at = Some(60.0);
        let p = prep(&lat, &[0.2, 0.3, f64::NAN], Role::Candidate).unwrap();
        let worse = fill(&lat, &p, Lean::Worse).unwrap();
        assert_eq!(worse.points[2], (2 * STEP, 60.0));
        assert_eq!(worse.bound, Bound::AtLeast);
        // counters keep inner holes (the next increase holds the events), fill open ends
        let count = metric(Better::Lower, Kind::Count, "restarts");
        let p = prep(&count, &[0.0, f64::NAN, 0.0, f64::NAN], Role::Candidate).unwrap();
        let worse = fill(&count, &p, Lean::Worse).unwrap();
        assert_eq!(
            worse.points,
            vec![(0, 0.0), (2 * STEP, 0.0), (3 * STEP, 1.0)]
        );
    }
}
