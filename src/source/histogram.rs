//! Statistics of a Prometheus histogram computed here from its bucket rates, so one fetch
//! of `sum by (le) (rate(<name>_bucket[...]))` serves every quantile and the mean a pack
//! derives from it (SPEC §5, `[[histogram]]`).
//!
//! [`quantile`] is Prometheus's `histogram_quantile` interpolation for classic histograms
//! (buckets sorted by `le`, equal bounds merged, counts made monotone, linear within the
//! bucket that holds the rank, the top finite bound when the rank falls in the `+Inf`
//! bucket), so the series equal what the server would have returned for
//! `histogram_quantile(q, <buckets query>)` — checked against a real Prometheus in
//! tests/data_path.rs. [`Buckets`] holds a fetched bucket matrix prepared once per label
//! group and timestamp, whatever number of quantiles is read from it; [`means`] divides the
//! sum by the count as PromQL's `sum / count` would (matched on labels and timestamps).

use std::collections::BTreeMap;

use crate::series::{LabeledSeries, Matrix, Points};

/// One bucket at one timestamp: upper bound and cumulative count (or rate).
type Bucket = (f64, f64);

/// A label group's prepared buckets at each timestamp (`None`: no usable buckets then).
type GroupBuckets = Vec<(i64, Option<Vec<Bucket>>)>;

/// Prometheus's `histogram_quantile` for one set of classic buckets as [`prepare`] leaves
/// them (`None` where it found no `+Inf` bucket or fewer than two). NaN where Prometheus
/// gives NaN: no usable buckets, no observations.
pub fn quantile(q: f64, buckets: Option<&[Bucket]>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    let Some(buckets) = buckets else {
        return f64::NAN;
    };
    let observations = buckets[buckets.len() - 1].1;
    if observations == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * observations;
    // The first bucket (not counting +Inf) whose cumulative count reaches the rank.
    let b = buckets[..buckets.len() - 1].partition_point(|&(_, count)| count < rank);
    if b == buckets.len() - 1 {
        return buckets[buckets.len() - 2].0;
    }
    if b == 0 && buckets[0].0 <= 0.0 {
        return buckets[0].0;
    }
    let bucket_end = buckets[b].0;
    let mut count = buckets[b].1;
    let mut bucket_start = 0.0;
    if b > 0 {
        bucket_start = buckets[b - 1].0;
        count -= buckets[b - 1].1;
        rank -= buckets[b - 1].1;
    }
    bucket_start + (bucket_end - bucket_start) * (rank / count)
}

/// Sorts by bound, merges equal bounds (adding their counts) and makes the counts
/// monotone, as Prometheus does; `None` when there is no `+Inf` bucket or fewer than two.
fn prepare(mut buckets: Vec<Bucket>) -> Option<Vec<Bucket>> {
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    if buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
        return None;
    }
    buckets.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 += later.1;
        }
        same
    });
    let mut max = f64::NEG_INFINITY;
    for bucket in buckets.iter_mut() {
        if bucket.1 > max {
            max = bucket.1;
        } else if bucket.1 < max {
            bucket.1 = max;
        }
    }
    (buckets.len() >= 2).then_some(buckets)
}

/// The label set of a bucket series without `le`: the group it belongs to.
fn group_of(series: &LabeledSeries) -> BTreeMap<String, String> {
    let mut labels = without_name(series);
    labels.remove("le");
    labels
}

/// Parses `le` the way Prometheus does (`+Inf`, `Inf`, numbers); series without a usable
/// `le` are left out, as `histogram_quantile` leaves them out.
fn upper_bound(series: &LabeledSeries) -> Option<f64> {
    let text = series.labels.get("le")?.trim();
    match text {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        _ => text.parse::<f64>().ok(),
    }
}

/// A fetched bucket matrix prepared for `histogram_quantile`: per label group and
/// timestamp, the buckets sorted, merged and made monotone once.
pub struct Buckets {
    groups: Vec<(BTreeMap<String, String>, GroupBuckets)>,
    top_finite: Option<f64>,
}

impl Buckets {
    /// `matrix`: the bucket rates, one series per `le` and label group. Series without a
    /// usable `le` are left out, as `histogram_quantile` leaves them out.
    pub fn new(matrix: &Matrix) -> Self {
        let mut groups: BTreeMap<_, BTreeMap<i64, Vec<Bucket>>> = BTreeMap::new();
        let mut top_finite: Option<f64> = None;
        for series in matrix {
            let Some(le) = upper_bound(series) else {
                continue;
            };
            if le.is_finite() {
                top_finite = Some(top_finite.map_or(le, |t| t.max(le)));
            }
            let at = groups.entry(group_of(series)).or_default();
            for (t, v) in &series.points {
                at.entry(t).or_default().push((le, v));
            }
        }
        let groups = groups
            .into_iter()
            .map(|(labels, at)| {
                let at = at.into_iter().map(|(t, b)| (t, prepare(b))).collect();
                (labels, at)
            })
            .collect();
        Buckets { groups, top_finite }
    }

    /// The highest finite bucket bound: where every quantile saturates (a quantile there
    /// only says "at least this").
    pub fn top_finite_bound(&self) -> Option<f64> {
        self.top_finite
    }

    /// `histogram_quantile(q, <buckets>)`: one series per label group, at every timestamp
    /// where the group has buckets.
    pub fn quantiles(&self, q: f64) -> Matrix {
        self.groups
            .iter()
            .map(|(labels, at)| LabeledSeries {
                labels: labels.clone(),
                points: at
                    .iter()
                    .map(|(t, b)| (*t, quantile(q, b.as_deref())))
                    .collect(),
            })
            .collect()
    }
}

/// `sums / counts` as PromQL divides two instant vectors at each step: series matched on
/// identical label sets (the metric name dropped), points on identical timestamps.
pub fn means(sums: &Matrix, counts: &Matrix) -> Matrix {
    sums.iter()
        .filter_map(|sum| {
            let labels = without_name(sum);
            let count = counts.iter().find(|c| without_name(c) == labels)?;
            let mut counts_at = count.points.iter().peekable();
            let mut points = Points::new();
            for (t, s) in &sum.points {
                while counts_at.next_if(|c| c.0 < t).is_some() {}
                if let Some(&(tc, c)) = counts_at.peek() {
                    if tc == t {
                        points.push((t, s / c));
                    }
                }
            }
            (!points.is_empty()).then_some(LabeledSeries { labels, points })
        })
        .collect()
}

fn without_name(series: &LabeledSeries) -> BTreeMap<String, String> {
    let mut labels = series.labels.clone();
    labels.remove("__name__");
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quantile of buckets given in any order, prepared as [`Buckets`] prepares them.
    fn q_of(q: f64, pairs: &[(f64, f64)]) -> f64 {
        quantile(q, prepare(pairs.to_vec()).as_deref())
    }

    const INF: f64 = f64::INFINITY;

    #[test]
    fn interpolates_inside_the_bucket_of_the_rank() {
        // 10 observations ≤ 0.1, 30 ≤ 0.5, 40 in all: the median (rank 20) is halfway
        // through (0.1, 0.5].
        let x = &[(0.5, 30.0), (0.1, 10.0), (INF, 40.0)];
        assert!((q_of(0.5, x) - 0.3).abs() < 1e-15);
        // The first bucket starts at 0.
        let x = &[(0.1, 10.0), (0.5, 30.0), (INF, 40.0)];
        assert!((q_of(0.125, x) - 0.05).abs() < 1e-15);
    }

    #[test]
    fn a_rank_above_the_top_bucket_gives_the_top_bound() {
        let x = &[(60.0, 5.0), (30.0, 2.0), (INF, 100.0)];
        assert_eq!(q_of(0.99, x), 60.0);
    }

    #[test]
    fn prometheus_edge_cases() {
        assert!(q_of(0.5, &[(1.0, 1.0)]).is_nan(), "no +Inf");
        assert!(q_of(0.5, &[(INF, 1.0)]).is_nan(), "one bucket");
        assert!(q_of(0.5, &[(1.0, 0.0), (INF, 0.0)]).is_nan(), "empty");
        assert_eq!(q_of(-0.1, &[(1.0, 1.0), (INF, 1.0)]), -INF);
        assert_eq!(q_of(1.1, &[(1.0, 1.0), (INF, 1.0)]), INF);
        assert_eq!(q_of(0.5, &[(-1.0, 1.0), (INF, 1.0)]), -1.0);
        // Equal bounds merge; a count that falls (a scrape of a restarting exporter) is
        // raised to the one below it.
        let x = &[(1.0, 5.0), (1.0, 5.0), (2.0, 20.0), (INF, 20.0)];
        assert!((q_of(0.5, x) - 1.0).abs() < 1e-15);
        let x = &[(1.0, 10.0), (2.0, 8.0), (INF, 20.0)];
        // monotone: (1, 10), (2, 10), (inf, 20); rank 15 lies in +Inf → top bound 2
        assert_eq!(q_of(0.75, x), 2.0);
    }

    #[test]
    fn derives_per_group_and_timestamp_with_the_mean_from_the_inf_bucket() {
        let series = |le: &str, points: Vec<(i64, f64)>| LabeledSeries {
            labels: [("le".to_string(), le.to_string())].into_iter().collect(),
            points: points.into(),
        };
        let buckets = vec![
            series("0.5", vec![(1000, 2.0), (2000, 4.0)]),
            series("1", vec![(1000, 4.0), (2000, 4.0)]),
            series("+Inf", vec![(1000, 4.0), (2000, 8.0)]),
            series("not-a-number", vec![(1000, 100.0)]),
        ];
        let prepared = Buckets::new(&buckets);
        assert_eq!(prepared.top_finite_bound(), Some(1.0));
        let p50 = prepared.quantiles(0.5);
        assert_eq!(p50.len(), 1);
        assert!(p50[0].labels.is_empty());
        assert_eq!(p50[0].points, vec![(1000, 0.5), (2000, 0.5)]);
        let plain = |points: Vec<(i64, f64)>| LabeledSeries {
            labels: BTreeMap::new(),
            points: points.into(),
        };
        let sums = vec![plain(vec![(1000, 2.0), (2000, 12.0), (3000, 1.0)])];
        let counts = vec![plain(vec![(1000, 4.0), (2000, 8.0), (2500, 1.0)])];
        let mean = means(&sums, &counts);
        assert_eq!(mean[0].points, vec![(1000, 0.5), (2000, 1.5)]);
        // No count series with the same labels: no mean, as in PromQL.
        let other = vec![LabeledSeries {
            labels: [("partition".to_string(), "1".to_string())]
                .into_iter()
                .collect(),
            points: vec![(1000, 4.0)].into(),
        }];
        assert!(means(&sums, &other).is_empty());
    }
}
