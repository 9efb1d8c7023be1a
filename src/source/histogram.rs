//! Statistics of a Prometheus histogram computed here from its bucket rates, so one fetch
//! of `sum by (le) (rate(<name>_bucket[...]))` serves every quantile and the mean a pack
//! derives from it (SPEC §5, `[[histogram]]`).
//!
//! [`quantile`] is Prometheus's `histogram_quantile` interpolation for classic histograms
//! (buckets sorted by `le`, equal bounds merged, counts made monotone, linear within the
//! bucket that holds the rank, the top finite bound when the rank falls in the `+Inf`
//! bucket), so the series equal what the server would have returned for
//! `histogram_quantile(q, <buckets query>)` — checked against a real Prometheus in
//! tests/data_path.rs. [`derive`] applies it per label group and per timestamp of a bucket
//! matrix, and gives the mean as PromQL's `sum / count` would (matched on labels and
//! timestamps).

use std::collections::BTreeMap;

use crate::pack::HistogramStatistic as Statistic;
use crate::series::{LabeledSeries, Matrix, Point};

/// One bucket at one timestamp: upper bound and cumulative count (or rate).
type Bucket = (f64, f64);

/// Prometheus's `histogram_quantile` for one set of classic buckets (any order, `+Inf`
/// among them). NaN where Prometheus gives NaN: no `+Inf` bucket, fewer than two buckets,
/// no observations.
pub fn quantile(q: f64, buckets: &mut Vec<Bucket>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    if !prepare(buckets) {
        return f64::NAN;
    }
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
/// monotone, as Prometheus does; false when there is no `+Inf` bucket or fewer than two.
fn prepare(buckets: &mut Vec<Bucket>) -> bool {
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    if buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
        return false;
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
    buckets.len() >= 2
}

/// The label set of a bucket series without `le`: the group it belongs to.
fn group_of(series: &LabeledSeries) -> BTreeMap<String, String> {
    let mut labels = series.labels.clone();
    labels.remove("le");
    labels.remove("__name__");
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

/// The buckets of each label group at each timestamp.
fn grouped(buckets: &Matrix) -> BTreeMap<BTreeMap<String, String>, BTreeMap<i64, Vec<Bucket>>> {
    let mut groups: BTreeMap<_, BTreeMap<i64, Vec<Bucket>>> = BTreeMap::new();
    for series in buckets {
        let Some(le) = upper_bound(series) else {
            continue;
        };
        let at = groups.entry(group_of(series)).or_default();
        for &(t, v) in &series.points {
            at.entry(t).or_default().push((le, v));
        }
    }
    groups
}

/// The highest finite bucket bound among `buckets`: where every quantile saturates (a
/// quantile there only says "at least this").
pub fn top_finite_bound(buckets: &Matrix) -> Option<f64> {
    buckets
        .iter()
        .filter_map(upper_bound)
        .filter(|b| b.is_finite())
        .max_by(f64::total_cmp)
}

/// The quantile `q` of the histogram whose bucket rates are `buckets` (one series per `le`
/// and label group), as `histogram_quantile(q, <buckets>)`: one series per label group, at
/// every timestamp where the group has buckets.
pub fn quantiles(q: f64, buckets: &Matrix) -> Matrix {
    grouped(buckets)
        .into_iter()
        .map(|(labels, at)| LabeledSeries {
            labels,
            points: at
                .into_iter()
                .map(|(t, mut b)| (t, quantile(q, &mut b)))
                .collect(),
        })
        .collect()
}

/// `sums / counts` as PromQL divides two instant vectors at each step: series matched on
/// identical label sets (the metric name dropped), points on identical timestamps.
pub fn means(sums: &Matrix, counts: &Matrix) -> Matrix {
    sums.iter()
        .filter_map(|sum| {
            let labels = without_name(sum);
            let count = counts.iter().find(|c| without_name(c) == labels)?;
            let mut j = 0;
            let mut points: Vec<Point> = Vec::new();
            for &(t, s) in &sum.points {
                while j < count.points.len() && count.points[j].0 < t {
                    j += 1;
                }
                if let Some(&(tc, c)) = count.points.get(j) {
                    if tc == t {
                        points.push((t, s / c));
                    }
                }
            }
            (!points.is_empty()).then_some(LabeledSeries { labels, points })
        })
        .collect()
}

/// What one metric is, from its histogram's fetched series (`sums`/`counts` only needed
/// for the mean).
pub fn derive(statistic: Statistic, buckets: &Matrix, sums: &Matrix, counts: &Matrix) -> Matrix {
    match statistic {
        Statistic::Quantile(q) => quantiles(q, buckets),
        Statistic::Mean => means(sums, counts),
    }
}

fn without_name(series: &LabeledSeries) -> BTreeMap<String, String> {
    let mut labels = series.labels.clone();
    labels.remove("__name__");
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(pairs: &[(f64, f64)]) -> Vec<Bucket> {
        pairs.to_vec()
    }

    const INF: f64 = f64::INFINITY;

    #[test]
    fn interpolates_inside_the_bucket_of_the_rank() {
        // 10 observations ≤ 0.1, 30 ≤ 0.5, 40 in all: the median (rank 20) is halfway
        // through (0.1, 0.5].
        let mut x = b(&[(0.5, 30.0), (0.1, 10.0), (INF, 40.0)]);
        assert!((quantile(0.5, &mut x) - 0.3).abs() < 1e-15);
        // The first bucket starts at 0.
        let mut x = b(&[(0.1, 10.0), (0.5, 30.0), (INF, 40.0)]);
        assert!((quantile(0.125, &mut x) - 0.05).abs() < 1e-15);
    }

    #[test]
    fn a_rank_above_the_top_bucket_gives_the_top_bound() {
        let mut x = b(&[(60.0, 5.0), (30.0, 2.0), (INF, 100.0)]);
        assert_eq!(quantile(0.99, &mut x), 60.0);
    }

    #[test]
    fn prometheus_edge_cases() {
        assert!(quantile(0.5, &mut b(&[(1.0, 1.0)])).is_nan(), "no +Inf");
        assert!(quantile(0.5, &mut b(&[(INF, 1.0)])).is_nan(), "one bucket");
        assert!(
            quantile(0.5, &mut b(&[(1.0, 0.0), (INF, 0.0)])).is_nan(),
            "empty"
        );
        assert_eq!(quantile(-0.1, &mut b(&[(1.0, 1.0), (INF, 1.0)])), -INF);
        assert_eq!(quantile(1.1, &mut b(&[(1.0, 1.0), (INF, 1.0)])), INF);
        assert_eq!(quantile(0.5, &mut b(&[(-1.0, 1.0), (INF, 1.0)])), -1.0);
        // Equal bounds merge; a count that falls (a scrape of a restarting exporter) is
        // raised to the one below it.
        let mut x = b(&[(1.0, 5.0), (1.0, 5.0), (2.0, 20.0), (INF, 20.0)]);
        assert!((quantile(0.5, &mut x) - 1.0).abs() < 1e-15);
        let mut x = b(&[(1.0, 10.0), (2.0, 8.0), (INF, 20.0)]);
        // monotone: (1, 10), (2, 10), (inf, 20); rank 15 lies in +Inf → top bound 2
        assert_eq!(quantile(0.75, &mut x), 2.0);
    }

    #[test]
    fn derives_per_group_and_timestamp_with_the_mean_from_the_inf_bucket() {
        let series = |le: &str, points: Vec<Point>| LabeledSeries {
            labels: [("le".to_string(), le.to_string())].into_iter().collect(),
            points,
        };
        let buckets = vec![
            series("0.5", vec![(1000, 2.0), (2000, 4.0)]),
            series("1", vec![(1000, 4.0), (2000, 4.0)]),
            series("+Inf", vec![(1000, 4.0), (2000, 8.0)]),
            series("not-a-number", vec![(1000, 100.0)]),
        ];
        assert_eq!(top_finite_bound(&buckets), Some(1.0));
        let p50 = derive(Statistic::Quantile(0.5), &buckets, &vec![], &vec![]);
        assert_eq!(p50.len(), 1);
        assert!(p50[0].labels.is_empty());
        assert_eq!(p50[0].points, vec![(1000, 0.5), (2000, 0.5)]);
        let plain = |points: Vec<Point>| LabeledSeries {
            labels: BTreeMap::new(),
            points,
        };
        let sums = vec![plain(vec![(1000, 2.0), (2000, 12.0), (3000, 1.0)])];
        let counts = vec![plain(vec![(1000, 4.0), (2000, 8.0), (2500, 1.0)])];
        let mean = derive(Statistic::Mean, &buckets, &sums, &counts);
        assert_eq!(mean[0].points, vec![(1000, 0.5), (2000, 1.5)]);
        // No count series with the same labels: no mean, as in PromQL.
        let other = vec![LabeledSeries {
            labels: [("partition".to_string(), "1".to_string())]
                .into_iter()
                .collect(),
            points: vec![(1000, 4.0)],
        }];
        assert!(derive(Statistic::Mean, &buckets, &sums, &other).is_empty());
    }
}
