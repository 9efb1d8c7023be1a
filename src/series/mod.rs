//! Time series as plain sorted vectors: what a query returned (`Matrix`), and the one
//! series per metric the comparison works on (`Series`), with the few operations needed on
//! the way: combining several series, trimming to the steady-state window, and turning
//! cumulative counters into per-step events with Prometheus's counter-reset rule. A metric
//! read from one series in time order shares that series with the run's data instead of
//! copying it.
//!
//! Timestamps are Unix milliseconds; values are `f64` and may be NaN or ±Inf as Prometheus
//! reports them.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::pack::{Combine, Kind, Metric};

pub mod points;
pub use points::{PointSlice, Points};

/// One `(timestamp_ms, value)` sample.
pub type Point = (i64, f64);

/// A series as returned by a query: its label set and its samples in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledSeries {
    pub labels: BTreeMap<String, String>,
    pub points: Points,
}

/// Everything one query returned (Prometheus's `matrix` result).
pub type Matrix = Vec<LabeledSeries>;

/// Formats a label set the way PromQL does: `{pod="a", container="b"}`.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// One series sorted by time with unique timestamps.
#[derive(Debug, Clone, Default)]
pub struct Series {
    points: Store,
}

/// Where a series' samples are kept.
#[derive(Debug, Clone)]
enum Store {
    /// Its own.
    Own(Points),
    /// The series at this index of a query's answer, shared with the run's data: a metric
    /// read from one series is the commonest case, and a week of samples is 9 MB a run.
    Answer(Arc<Matrix>, usize),
}

impl Default for Store {
    fn default() -> Self {
        Store::Own(Points::new())
    }
}

impl PartialEq for Series {
    /// The same samples, wherever they are kept.
    fn eq(&self, other: &Self) -> bool {
        self.points() == other.points()
    }
}

impl Series {
    /// Builds a series from samples in any order; for duplicate timestamps the last wins.
    pub fn new(mut points: Vec<Point>) -> Self {
        if points.windows(2).all(|w| w[0].0 < w[1].0) {
            return Series::from_sorted(points.into());
        }
        points.sort_by_key(|p| p.0);
        // keep the last of equal timestamps
        let mut out: Vec<Point> = Vec::with_capacity(points.len());
        for p in points {
            match out.last_mut() {
                Some(last) if last.0 == p.0 => *last = p,
                _ => out.push(p),
            }
        }
        Series::from_sorted(out.into())
    }

    /// Series `index` of `answer`: a view of it, not a copy, when it is in time order
    /// without repeated timestamps (as Prometheus answers); sorted into a copy otherwise.
    pub fn of_answer(answer: &Arc<Matrix>, index: usize) -> Self {
        if answer[index].points.in_time_order() {
            Series {
                points: Store::Answer(Arc::clone(answer), index),
            }
        } else {
            Series::new(answer[index].points.to_vec())
        }
    }

    /// Samples already in time order with unique times.
    fn from_sorted(points: Points) -> Self {
        Series {
            points: Store::Own(points),
        }
    }

    pub fn points(&self) -> PointSlice<'_> {
        match &self.points {
            Store::Own(points) => points.as_slice(),
            Store::Answer(answer, index) => answer[*index].points.as_slice(),
        }
    }

    pub fn len(&self) -> usize {
        self.points().len()
    }

    pub fn is_empty(&self) -> bool {
        self.points().is_empty()
    }

    /// The values in time order, without a copy.
    pub fn values(&self) -> &[f64] {
        self.points().values()
    }

    /// The finite values in time order (NaN and ±Inf dropped).
    pub fn finite_values(&self) -> Vec<f64> {
        self.values()
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect()
    }

    /// The samples with `start_ms <= t <= end_ms`.
    pub fn window(&self, start_ms: i64, end_ms: i64) -> Series {
        Series::from_sorted(self.window_points(start_ms, end_ms).to_points())
    }

    /// The samples with `start_ms <= t <= end_ms`, without a copy.
    pub fn window_points(&self, start_ms: i64, end_ms: i64) -> PointSlice<'_> {
        let points = self.points();
        let lo = points.partition_time(|t| t < start_ms);
        let hi = points.partition_time(|t| t <= end_ms);
        points.slice(lo..hi.max(lo))
    }

    /// Turns a cumulative counter into the events of each step, the way Prometheus's
    /// `increase()` reads counters: the increase since the previous finite sample, and after
    /// a drop (a counter reset, a restarted process) the new value itself, because a reset
    /// counter starts again from zero. The first sample has no predecessor: it counts as
    /// events only when the series was born after `run_start_ms` (a pod that appeared
    /// during the run started its counter at zero); otherwise it is left out.
    pub fn increments(&self, run_start_ms: i64) -> Series {
        let mut out = Points::with_capacity(self.len());
        let mut prev: Option<f64> = None;
        for (t, v) in self.points() {
            if !v.is_finite() {
                continue;
            }
            match prev {
                Some(p) if v >= p => out.push((t, v - p)),
                Some(_) => out.push((t, v)),
                None if t > run_start_ms => out.push((t, v)),
                None => {}
            }
            prev = Some(v);
        }
        Series::from_sorted(out)
    }

    /// The samples, taken out (copied only if they are shared).
    pub fn into_points(self) -> Points {
        match self.points {
            Store::Own(points) => points,
            Store::Answer(answer, index) => answer[index].points.clone(),
        }
    }
}

/// Reduces several series to one, per timestamp. NaN values are ignored unless every
/// series is NaN at that time (then the result is NaN).
pub fn combine<'a>(series: impl IntoIterator<Item = &'a LabeledSeries>, how: Combine) -> Series {
    let series: Vec<PointSlice> = series.into_iter().map(|s| s.points.as_slice()).collect();
    // A range query's series are each in time order: their times are merged into one
    // sorted list and each value added to its time's slot, series by series — at every
    // time the same operations in the same order as through a map from time to slot,
    // which takes series out of order.
    let ordered = series.iter().all(PointSlice::in_time_order);
    if !ordered {
        return combine_through_map(&series, how);
    }
    let mut times: Vec<i64> = Vec::new();
    for points in &series {
        if let Some(merged) = merged_times(&times, points.iter()) {
            times = merged;
        }
    }
    let mut slots: Vec<(f64, usize)> = vec![(f64::NAN, 0); times.len()]; // acc, values
    for points in &series {
        let mut at = 0;
        for (t, v) in points {
            while times[at] < t {
                at += 1;
            }
            add(&mut slots[at], v, how);
        }
    }
    Series::from_sorted(
        times
            .into_iter()
            .zip(slots)
            .map(|(t, slot)| (t, result(slot, how)))
            .collect(),
    )
}

/// The union of sorted `times` and the times of sorted `points`, if it is not `times`.
fn merged_times(times: &[i64], points: points::Iter) -> Option<Vec<i64>> {
    if times.len() == points.len() && times.iter().zip(points.clone()).all(|(a, b)| *a == b.0) {
        return None;
    }
    let mut out = Vec::with_capacity(times.len().max(points.len()));
    let mut times = times.iter().copied().peekable();
    let mut points = points.map(|p| p.0).peekable();
    loop {
        let next = match (times.peek(), points.peek()) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        times.next_if_eq(&next);
        points.next_if_eq(&next);
        out.push(next);
    }
    Some(out)
}

/// `combine` for series whose points are not in time order.
fn combine_through_map(series: &[PointSlice], how: Combine) -> Series {
    let mut by_time: BTreeMap<i64, (f64, usize)> = BTreeMap::new();
    for points in series {
        for (t, v) in points {
            add(by_time.entry(t).or_insert((f64::NAN, 0)), v, how);
        }
    }
    Series::from_sorted(
        by_time
            .into_iter()
            .map(|(t, slot)| (t, result(slot, how)))
            .collect(),
    )
}

/// Adds `v` to a time's slot (its accumulator and how many values it holds).
fn add(slot: &mut (f64, usize), v: f64, how: Combine) {
    if v.is_nan() {
        return;
    }
    slot.0 = if slot.1 == 0 {
        v
    } else {
        match how {
            Combine::Sum | Combine::Mean => slot.0 + v,
            Combine::Max => slot.0.max(v),
            Combine::Min => slot.0.min(v),
        }
    };
    slot.1 += 1;
}

/// A time's combined value: NaN where no series had a value.
fn result((acc, n): (f64, usize), how: Combine) -> f64 {
    match (how, n) {
        (_, 0) => f64::NAN,
        (Combine::Mean, n) => acc / n as f64,
        _ => acc,
    }
}

/// PromQL's `max by (<labels>)` over `matrix`: series with equal values of `labels` (an
/// absent label counts as empty, and is left out) become one, their maximum at each
/// timestamp (NaN only where all are NaN).
pub fn max_by(matrix: &Matrix, labels: &[String]) -> Matrix {
    let mut groups: BTreeMap<BTreeMap<String, String>, Vec<&LabeledSeries>> = BTreeMap::new();
    for s in matrix {
        let key: BTreeMap<String, String> = labels
            .iter()
            .filter_map(|l| {
                s.labels
                    .get(l)
                    .filter(|v| !v.is_empty())
                    .map(|v| (l.clone(), v.clone()))
            })
            .collect();
        groups.entry(key).or_default().push(s);
    }
    groups
        .into_iter()
        .map(|(labels, members)| LabeledSeries {
            labels,
            points: match members[..] {
                [one] => one.points.clone(),
                _ => combine(members, Combine::Max).into_points(),
            },
        })
        .collect()
}

/// The single series of a metric from what its query returned: one series as is, several
/// reduced by the metric's `combine` (an error naming the label sets if it has none).
/// A `count` metric is turned into events per step series by series first (so a reset or a
/// replaced pod loses no events), then the events are added up (or combined as declared).
/// A single series in time order is shared with `answer`, not copied.
pub fn reduce(metric: &Metric, answer: &Arc<Matrix>, run_start_ms: i64) -> Result<Series, String> {
    let grouped;
    let matrix = match &metric.max_by {
        Some(labels) => {
            grouped = Arc::new(max_by(answer, labels));
            &grouped
        }
        None => answer,
    };
    if metric.kind == Kind::Count {
        let mut events: Vec<LabeledSeries> = matrix
            .iter()
            .enumerate()
            .map(|(i, s)| LabeledSeries {
                labels: s.labels.clone(),
                points: Series::of_answer(matrix, i)
                    .increments(run_start_ms)
                    .into_points(),
            })
            .collect();
        return Ok(match events.len() {
            0 => Series::default(),
            1 => Series::from_sorted(std::mem::take(&mut events[0].points)),
            _ => combine(&events, metric.combine.unwrap_or(Combine::Sum)),
        });
    }
    match matrix.len() {
        0 => Ok(Series::default()),
        1 => Ok(Series::of_answer(matrix, 0)),
        n => match metric.combine {
            Some(how) => Ok(combine(matrix.iter(), how)),
            None => {
                let mut sets: Vec<String> = matrix
                    .iter()
                    .take(5)
                    .map(|s| format_labels(&s.labels))
                    .collect();
                if n > 5 {
                    sets.push(format!("… {} more", n - 5));
                }
                Err(format!(
                    "metric \"{}\": the query returned {n} series but the metric declares no combine \
                     (sum | max | min | mean); aggregate in PromQL or add one. Label sets: {}",
                    metric.id,
                    sets.join(", ")
                ))
            }
        },
    }
}

/// The first sample of `matrix` inside `[start_ms, end_ms]` that is negative (−Inf
/// included), in time order: what a metric whose unit cannot be negative must never show.
pub fn first_negative(matrix: &Matrix, start_ms: i64, end_ms: i64) -> Option<Point> {
    matrix
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| p.0 >= start_ms && p.0 <= end_ms && p.1 < 0.0)
        .min_by_key(|p| p.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::{Better, Metric};

    fn labeled(pod: &str, points: Vec<Point>) -> LabeledSeries {
        LabeledSeries {
            labels: [("pod".to_string(), pod.to_string())].into(),
            points: points.into(),
        }
    }

    fn metric(combine: Option<Combine>, kind: Kind) -> Metric {
        let mut m = crate::testkit::metric_in(Better::Lower, kind, "");
        m.query = "x".into();
        m.combine = combine;
        m
    }

    #[test]
    fn max_by_groups_like_promql_so_a_replaced_exporter_is_not_a_new_counter() {
        let series = |instance: &str, points: Vec<Point>| LabeledSeries {
            labels: [
                ("pod".to_string(), "w".to_string()),
                ("instance".to_string(), instance.to_string()),
            ]
            .into(),
            points: points.into(),
        };
        // kube-state-metrics replaced at t=20: the same counter (3 restarts, then 4) comes
        // under a new instance label, overlapping for one sample (the lookback).
        let matrix = vec![
            series("ksm-a", vec![(0, 3.0), (10, 3.0), (20, 3.0)]),
            series("ksm-b", vec![(20, 3.0), (30, 4.0)]),
        ];
        let grouped = max_by(&matrix, &["pod".to_string(), "namespace".to_string()]);
        assert_eq!(grouped.len(), 1);
        assert_eq!(
            grouped[0].labels,
            [("pod".to_string(), "w".to_string())].into()
        );
        assert_eq!(
            grouped[0].points,
            vec![(0, 3.0), (10, 3.0), (20, 3.0), (30, 4.0)]
        );
        let mut m = metric(Some(Combine::Sum), Kind::Count);
        m.max_by = Some(vec!["pod".to_string()]);
        assert_eq!(
            reduce(&m, &Arc::new(matrix.clone()), 0)
                .unwrap()
                .values()
                .iter()
                .sum::<f64>(),
            1.0
        );
        // Without the grouping the second series would count from zero: 4 more.
        m.max_by = None;
        assert_eq!(
            reduce(&m, &Arc::new(matrix.clone()), 0)
                .unwrap()
                .values()
                .iter()
                .sum::<f64>(),
            4.0 + 0.0
        );
    }

    #[test]
    fn new_sorts_and_dedups() {
        let s = Series::new(vec![(30, 3.0), (10, 1.0), (20, 2.0), (20, 2.5)]);
        assert_eq!(s.points(), &[(10, 1.0), (20, 2.5), (30, 3.0)]);
    }

    #[test]
    fn combines_per_timestamp_ignoring_nan() {
        let a = labeled("a", vec![(0, 1.0), (10, f64::NAN), (20, 3.0)]);
        let b = labeled("b", vec![(0, 5.0), (10, 2.0)]);
        let c = labeled("c", vec![(10, f64::NAN), (30, f64::NAN)]);
        let all = [a, b, c];
        let sum = combine(&all, Combine::Sum);
        assert_eq!(sum.points().slice(0..3), [(0, 6.0), (10, 2.0), (20, 3.0)]);
        assert!(sum.points().value(3).is_nan());
        assert_eq!(combine(&all, Combine::Max).points().first(), Some((0, 5.0)));
        assert_eq!(combine(&all, Combine::Min).points().first(), Some((0, 1.0)));
        assert_eq!(
            combine(&all, Combine::Mean).points().first(),
            Some((0, 3.0))
        );
        let inf = [
            labeled("a", vec![(0, f64::INFINITY)]),
            labeled("b", vec![(0, 1.0)]),
        ];
        assert_eq!(combine(&inf, Combine::Max).points(), &[(0, f64::INFINITY)]);
    }

    /// Series in time order go through the merge of their times, others through a map:
    /// both give the same points, bit for bit, whatever the gaps, NaNs and infinities.
    #[test]
    fn the_merge_of_times_gives_what_the_map_gives() {
        use proptest::prelude::*;
        let value = prop_oneof![
            6 => -1e3f64..1e3,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
            1 => Just(0.1),
        ];
        // series on a grid of 15 s with gaps, or anywhere
        let series = prop::collection::btree_map(
            prop_oneof![3 => (0i64..40).prop_map(|i| i * 15_000), 1 => -5i64..700_000],
            value,
            0..30,
        )
        .prop_map(|points| LabeledSeries {
            labels: BTreeMap::new(),
            points: points.into_iter().collect(),
        });
        let how = prop::sample::select(vec![
            Combine::Sum,
            Combine::Mean,
            Combine::Max,
            Combine::Min,
        ]);
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 1024,
            rng_seed: proptest::test_runner::RngSeed::Fixed(20261128),
            failure_persistence: None,
            ..Default::default()
        });
        runner
            .run(&(prop::collection::vec(series, 0..6), how), |(all, how)| {
                let bits = |s: &Series| -> Vec<(i64, u64)> {
                    s.points().iter().map(|(t, v)| (t, v.to_bits())).collect()
                };
                let slices: Vec<PointSlice> = all.iter().map(|s| s.points.as_slice()).collect();
                prop_assert_eq!(
                    bits(&combine(&all, how)),
                    bits(&combine_through_map(&slices, how))
                );
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn windows() {
        let s = Series::new((0..10).map(|i| (i * 10, i as f64)).collect());
        assert_eq!(s.window(20, 50).values(), vec![2.0, 3.0, 4.0, 5.0]);
        assert!(s.window(200, 300).is_empty());
    }

    #[test]
    fn increments_follow_the_counter_reset_rule() {
        let s = Series::new(vec![
            (0, 2.0),
            (10, 2.0),
            (20, 3.0),
            (30, 1.0),
            (40, 4.0),
            (50, f64::NAN),
            (60, 5.0),
        ]);
        // after the drop 3 → 1 the counter restarted: 1 event, not 0
        assert_eq!(
            s.increments(0).points(),
            &[(10, 0.0), (20, 1.0), (30, 1.0), (40, 3.0), (60, 1.0)]
        );
        // a series born after the run started counted from zero
        let born = Series::new(vec![(20, 1.0), (30, 1.0), (40, 2.0)]);
        assert_eq!(
            born.increments(0).points(),
            &[(20, 1.0), (30, 0.0), (40, 1.0)]
        );
        assert_eq!(born.increments(20).points(), &[(30, 0.0), (40, 1.0)]);
    }

    #[test]
    fn a_replaced_pod_keeps_every_event() {
        // pod a restarts twice and is replaced by pod b, which restarts once; summed in
        // PromQL the drop 2 → 0 would hide a's restarts, per series nothing is lost
        let a = labeled("a", vec![(0, 0.0), (10, 1.0), (20, 2.0)]);
        let b = labeled("b", vec![(30, 0.0), (40, 1.0)]);
        let m = metric(Some(Combine::Sum), Kind::Count);
        let events = reduce(&m, &Arc::new(vec![a, b]), 0).unwrap();
        assert_eq!(events.values().iter().sum::<f64>(), 3.0);
    }

    #[test]
    fn one_series_in_time_order_is_shared_with_the_answer() {
        let m = metric(None, Kind::Series);
        let answer = Arc::new(vec![labeled("a", vec![(0, 1.0), (10, 2.0), (20, 3.0)])]);
        let s = reduce(&m, &answer, 0).unwrap();
        assert_eq!(s.values().as_ptr(), answer[0].points.values().as_ptr());
        assert_eq!(s, Series::new(answer[0].points.to_vec()));
        // out of order or with a repeated time: sorted into a copy, the last of a time wins
        let answer = Arc::new(vec![labeled("a", vec![(10, 2.0), (0, 1.0), (10, 5.0)])]);
        let s = reduce(&m, &answer, 0).unwrap();
        assert_ne!(s.values().as_ptr(), answer[0].points.values().as_ptr());
        assert_eq!(s.points(), &[(0, 1.0), (10, 5.0)]);
        assert_eq!(s.clone().into_points(), vec![(0, 1.0), (10, 5.0)]);
    }

    #[test]
    fn reduce_needs_combine_for_several_series() {
        let m = [labeled("a", vec![(0, 1.0)]), labeled("b", vec![(0, 2.0)])];
        let e = reduce(&metric(None, Kind::Series), &Arc::new(m.to_vec()), 0).unwrap_err();
        assert!(
            e.contains("2 series") && e.contains("pod=\"a\"") && e.contains("pod=\"b\""),
            "{e}"
        );
        let s = reduce(
            &metric(Some(Combine::Sum), Kind::Series),
            &Arc::new(m.to_vec()),
            0,
        )
        .unwrap();
        assert_eq!(s.points(), &[(0, 3.0)]);
        assert!(reduce(&metric(None, Kind::Series), &Arc::default(), 0)
            .unwrap()
            .is_empty());
        let counts = vec![labeled("a", vec![(0, 1.0), (10, 1.0), (20, 4.0)])];
        assert_eq!(
            reduce(&metric(None, Kind::Count), &Arc::new(counts), 0)
                .unwrap()
                .points(),
            &[(10, 0.0), (20, 3.0)]
        );
        // several count series add up without a declared combine
        let two = vec![
            labeled("a", vec![(0, 0.0), (10, 1.0)]),
            labeled("b", vec![(0, 0.0), (10, 2.0)]),
        ];
        assert_eq!(
            reduce(&metric(None, Kind::Count), &Arc::new(two), 0)
                .unwrap()
                .points(),
            &[(10, 3.0)]
        );
    }
}
