//! Time series as plain sorted vectors: what a query returned (`Matrix`), and the one
//! series per metric the comparison works on (`Series`), with the few operations needed on
//! the way: combining several series, trimming to the steady-state window, turning a
//! cumulative count into per-step events, and measuring coverage.
//!
//! Timestamps are Unix milliseconds; values are `f64` and may be NaN or ±Inf as Prometheus
//! reports them.

use std::collections::BTreeMap;

use crate::pack::{Combine, Kind, Metric};

/// One `(timestamp_ms, value)` sample.
pub type Point = (i64, f64);

/// A series as returned by a query: its label set and its samples in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledSeries {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<Point>,
}

/// Everything one query returned (Prometheus's `matrix` result).
pub type Matrix = Vec<LabeledSeries>;

/// Formats a label set the way PromQL does: `{pod="a", container="b"}`.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// One series sorted by time with unique timestamps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    points: Vec<Point>,
}

impl Series {
    /// Builds a series from samples in any order; for duplicate timestamps the last wins.
    pub fn new(mut points: Vec<Point>) -> Self {
        points.sort_by_key(|p| p.0);
        // keep the last of equal timestamps
        let mut out: Vec<Point> = Vec::with_capacity(points.len());
        for p in points {
            match out.last_mut() {
                Some(last) if last.0 == p.0 => *last = p,
                _ => out.push(p),
            }
        }
        Series { points: out }
    }

    pub fn points(&self) -> &[Point] {
        &self.points
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The values in time order.
    pub fn values(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.1).collect()
    }

    /// The finite values in time order (NaN and ±Inf dropped).
    pub fn finite_values(&self) -> Vec<f64> {
        self.points
            .iter()
            .map(|p| p.1)
            .filter(|v| v.is_finite())
            .collect()
    }

    /// The samples with `start_ms <= t <= end_ms`.
    pub fn window(&self, start_ms: i64, end_ms: i64) -> Series {
        let lo = self.points.partition_point(|p| p.0 < start_ms);
        let hi = self.points.partition_point(|p| p.0 <= end_ms);
        Series {
            points: self.points[lo..hi.max(lo)].to_vec(),
        }
    }

    /// Share of the expected sample times in `[start, end]` at `step` that carry a finite value.
    pub fn coverage(&self, start_ms: i64, end_ms: i64, step_ms: i64) -> f64 {
        if end_ms < start_ms || step_ms <= 0 {
            return 0.0;
        }
        let expected = (end_ms - start_ms) / step_ms + 1;
        let present = self
            .window(start_ms, end_ms)
            .points
            .iter()
            .filter(|p| p.1.is_finite())
            .count() as i64;
        (present as f64 / expected as f64).min(1.0)
    }

    /// Turns a cumulative count into the events of each step: the positive increase since
    /// the previous sample. A drop (a pod replaced, a counter reset) counts as no events,
    /// and the first sample has no predecessor, so it is left out.
    pub fn increments(&self) -> Series {
        let mut out = Vec::with_capacity(self.points.len());
        let mut prev: Option<f64> = None;
        for &(t, v) in &self.points {
            if !v.is_finite() {
                continue;
            }
            if let Some(p) = prev {
                out.push((t, (v - p).max(0.0)));
            }
            prev = Some(v);
        }
        Series { points: out }
    }
}

/// Reduces several series to one, per timestamp. NaN values are ignored unless every
/// series is NaN at that time (then the result is NaN).
pub fn combine(series: &[LabeledSeries], how: Combine) -> Series {
    let mut by_time: BTreeMap<i64, (f64, usize, usize)> = BTreeMap::new(); // acc, finite-or-inf count, total
    for s in series {
        for &(t, v) in &s.points {
            let e = by_time.entry(t).or_insert((f64::NAN, 0, 0));
            e.2 += 1;
            if v.is_nan() {
                continue;
            }
            e.0 = if e.1 == 0 {
                v
            } else {
                match how {
                    Combine::Sum | Combine::Mean => e.0 + v,
                    Combine::Max => e.0.max(v),
                    Combine::Min => e.0.min(v),
                }
            };
            e.1 += 1;
        }
    }
    let points = by_time
        .into_iter()
        .map(|(t, (acc, n, _))| {
            let v = match (how, n) {
                (_, 0) => f64::NAN,
                (Combine::Mean, n) => acc / n as f64,
                _ => acc,
            };
            (t, v)
        })
        .collect();
    Series { points }
}

/// The single series of a metric from what its query returned: one series as is, several
/// reduced by the metric's `combine` (an error naming the label sets if it has none), and
/// a `count` metric turned into events per step.
pub fn reduce(metric: &Metric, matrix: &Matrix) -> Result<Series, String> {
    let series = match matrix.len() {
        0 => Series::default(),
        1 => Series::new(matrix[0].points.clone()),
        n => match metric.combine {
            Some(how) => combine(matrix, how),
            None => {
                let mut sets: Vec<String> = matrix
                    .iter()
                    .take(5)
                    .map(|s| format_labels(&s.labels))
                    .collect();
                if n > 5 {
                    sets.push(format!("… {} more", n - 5));
                }
                return Err(format!(
                    "metric \"{}\": the query returned {n} series but the metric declares no combine \
                     (sum | max | min | mean); aggregate in PromQL or add one. Label sets: {}",
                    metric.id,
                    sets.join(", ")
                ));
            }
        },
    };
    Ok(match metric.kind {
        Kind::Series => series,
        Kind::Count => series.increments(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::{Better, Metric};

    fn labeled(pod: &str, points: Vec<Point>) -> LabeledSeries {
        LabeledSeries {
            labels: [("pod".to_string(), pod.to_string())].into(),
            points,
        }
    }

    fn metric(combine: Option<Combine>, kind: Kind) -> Metric {
        Metric {
            id: "m".into(),
            title: "M".into(),
            unit: "".into(),
            better: Better::Lower,
            query: "x".into(),
            combine,
            gate: None,
            kind,
            optional: false,
            saturates_at: None,
            description: None,
            file: "q.toml".into(),
        }
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
        assert_eq!(sum.points()[..3], [(0, 6.0), (10, 2.0), (20, 3.0)]);
        assert!(sum.points()[3].1.is_nan());
        assert_eq!(combine(&all, Combine::Max).points()[0], (0, 5.0));
        assert_eq!(combine(&all, Combine::Min).points()[0], (0, 1.0));
        assert_eq!(combine(&all, Combine::Mean).points()[0], (0, 3.0));
        let inf = [
            labeled("a", vec![(0, f64::INFINITY)]),
            labeled("b", vec![(0, 1.0)]),
        ];
        assert_eq!(combine(&inf, Combine::Max).points(), &[(0, f64::INFINITY)]);
    }

    #[test]
    fn windows_and_coverage() {
        let s = Series::new((0..10).map(|i| (i * 10, i as f64)).collect());
        assert_eq!(s.window(20, 50).values(), vec![2.0, 3.0, 4.0, 5.0]);
        assert!(s.window(200, 300).is_empty());
        assert_eq!(s.coverage(0, 90, 10), 1.0);
        assert_eq!(s.coverage(0, 190, 10), 0.5);
        let gappy = Series::new(vec![(0, 1.0), (10, f64::NAN), (20, 1.0), (30, 1.0)]);
        assert_eq!(gappy.coverage(0, 30, 10), 0.75);
    }

    #[test]
    fn increments_count_positive_steps() {
        let s = Series::new(vec![
            (0, 2.0),
            (10, 2.0),
            (20, 3.0),
            (30, 1.0),
            (40, 4.0),
            (50, f64::NAN),
            (60, 5.0),
        ]);
        assert_eq!(
            s.increments().points(),
            &[(10, 0.0), (20, 1.0), (30, 0.0), (40, 3.0), (60, 1.0)]
        );
    }

    #[test]
    fn reduce_needs_combine_for_several_series() {
        let m = [labeled("a", vec![(0, 1.0)]), labeled("b", vec![(0, 2.0)])];
        let e = reduce(&metric(None, Kind::Series), &m.to_vec()).unwrap_err();
        assert!(
            e.contains("2 series") && e.contains("pod=\"a\"") && e.contains("pod=\"b\""),
            "{e}"
        );
        let s = reduce(&metric(Some(Combine::Sum), Kind::Series), &m.to_vec()).unwrap();
        assert_eq!(s.points(), &[(0, 3.0)]);
        assert!(reduce(&metric(None, Kind::Series), &vec![])
            .unwrap()
            .is_empty());
        let counts = vec![labeled("a", vec![(0, 1.0), (10, 1.0), (20, 4.0)])];
        assert_eq!(
            reduce(&metric(None, Kind::Count), &counts)
                .unwrap()
                .points(),
            &[(10, 0.0), (20, 3.0)]
        );
    }
}
