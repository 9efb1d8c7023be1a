//! Descriptive statistics of a sample: n, mean, median, quantiles, min, max, stddev.

use serde::Serialize;

/// The usual description of a sample (finite values only).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub median: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub min: f64,
    pub max: f64,
    /// Sample standard deviation (n − 1); 0 for n = 1.
    pub stddev: f64,
    /// Sum of the values (the total of a count metric).
    pub total: f64,
    /// The last value in time order.
    pub last: f64,
}

impl Summary {
    /// Summarizes `values` in time order; `None` if empty.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let mut sorted = values.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        Summary::with_sorted(values, &sorted)
    }

    /// [`Summary::of`] for a caller that has `values` sorted already (`f64::total_cmp`).
    pub fn with_sorted(values: &[f64], sorted: &[f64]) -> Option<Summary> {
        debug_assert_eq!(values.len(), sorted.len());
        if values.is_empty() {
            return None;
        }
        let n = values.len();
        let total: f64 = values.iter().sum();
        let mean = total / n as f64;
        let stddev = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Some(Summary {
            n,
            mean,
            median: quantile(sorted, 0.5),
            p90: quantile(sorted, 0.9),
            p95: quantile(sorted, 0.95),
            p99: quantile(sorted, 0.99),
            min: sorted[0],
            max: sorted[n - 1],
            stddev,
            total,
            last: values[n - 1],
        })
    }
}

/// Quantile `q` of sorted values by linear interpolation between closest ranks
/// (numpy's default, Hyndman & Fan type 7).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn matches_numpy() {
        // numpy 2.4: x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
        // np.mean, np.median, np.percentile(x, [95, 99]), np.std(x, ddof=1)
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
        let s = Summary::of(&x).unwrap();
        assert_eq!(s.n, 11);
        assert!(close(s.mean, 4.0));
        assert!(close(s.median, 4.0));
        assert!(close(s.p95, 7.5));
        assert!(close(s.p99, 8.7));
        assert!(close(s.stddev, 2.3664319132398464));
        assert_eq!((s.min, s.max, s.total, s.last), (1.0, 9.0, 44.0, 5.0));
    }

    #[test]
    fn edge_cases() {
        assert!(Summary::of(&[]).is_none());
        let one = Summary::of(&[7.0]).unwrap();
        assert_eq!(
            (one.mean, one.median, one.p99, one.stddev),
            (7.0, 7.0, 7.0, 0.0)
        );
        let ties = Summary::of(&[2.0, 2.0, 2.0]).unwrap();
        assert_eq!((ties.stddev, ties.p95), (0.0, 2.0));
        // np.percentile([0, 10], 99) = 9.9
        assert!(close(quantile(&[0.0, 10.0], 0.99), 9.9));
    }
}
