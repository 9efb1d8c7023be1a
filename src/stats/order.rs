//! Intervals for quantiles of autocorrelated samples from order statistics.
//!
//! For independent samples, the k-th smallest of n lies below the q-quantile with the
//! binomial probability `P(Bin(n, q) ≥ k)`, whatever the distribution: the classic
//! distribution-free confidence bounds. Autocorrelated samples carry less information, so
//! the binomial is taken at the effective sample size `n_eff` (from the long-run variance)
//! and its ranks are scaled back to the sample. Where even the largest (or smallest) sample
//! cannot bound the quantile at the confidence asked — a p99 from a hundred effective
//! samples — the interval is open on that side: no bound is proven.

use statrs::distribution::{Beta, ContinuousCDF};

use super::summary::quantile;

/// `P(Bin(m, q) ≤ k)` for a real number of trials `m` (regularized incomplete beta).
fn binomial_cdf(k: f64, m: f64, q: f64) -> f64 {
    if k < 0.0 {
        return 0.0;
    }
    if k >= m {
        return 1.0;
    }
    // P(Bin(m, q) ≤ k) = 1 − I_q(k + 1, m − k)
    Beta::new(k + 1.0, m - k).map_or(f64::NAN, |b| 1.0 - b.cdf(q))
}

/// The `confidence` interval of quantile `q` of `sorted` values (ascending) that carry
/// `n_eff` effective samples. A side without a bound is ±∞.
pub fn quantile_interval(sorted: &[f64], q: f64, n_eff: f64, confidence: f64) -> (f64, f64) {
    let n = sorted.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let m = n_eff.clamp(1.0, n as f64);
    let tail = (1.0 - confidence) / 2.0;
    // Largest k with P(Bin(m, q) ≤ k − 1) ≤ tail: the k-th smallest is a lower bound.
    let mut low_rank = 0.0;
    let mut k = 1.0;
    while k <= m && binomial_cdf(k - 1.0, m, q) <= tail {
        low_rank = k;
        k += 1.0;
    }
    // Smallest k with P(Bin(m, q) ≤ k − 1) ≥ 1 − tail: the k-th smallest is an upper bound.
    let mut high_rank = f64::INFINITY;
    let mut k = 1.0;
    while k <= m {
        if binomial_cdf(k - 1.0, m, q) >= 1.0 - tail {
            high_rank = k;
            break;
        }
        k += 1.0;
    }
    // Ranks among m effective samples → positions among the n samples (interpolated).
    let at = |rank: f64| quantile(sorted, ((rank - 0.5) / m).clamp(0.0, 1.0));
    let estimate = quantile(sorted, q);
    let low = if low_rank >= 1.0 {
        at(low_rank).min(estimate)
    } else {
        f64::NEG_INFINITY
    };
    let high = if high_rank.is_finite() {
        at(high_rank).max(estimate)
    } else {
        f64::INFINITY
    };
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::reference as r;

    #[test]
    fn binomial_matches_scipy() {
        for &(k, n, p, expected) in r::BINOMIAL_UPPER_TAILS {
            // P(X ≥ k) = 1 − P(X ≤ k − 1)
            let got = 1.0 - binomial_cdf(k as f64 - 1.0, n as f64, p);
            assert!((got - expected).abs() <= 1e-9, "{got} vs {expected}");
        }
    }

    #[test]
    fn median_bounds_of_independent_samples() {
        let sorted: Vec<f64> = (1..=100).map(|i| i as f64).collect();
        let (lo, hi) = quantile_interval(&sorted, 0.5, 100.0, 0.95);
        // the classic distribution-free 95% interval of a median from 100 samples is
        // between the 40th and the 61st order statistic
        assert!(
            (39.0..=41.5).contains(&lo) && (60.0..=62.5).contains(&hi),
            "{lo} {hi}"
        );
        // fewer effective samples: wider
        let (lo2, hi2) = quantile_interval(&sorted, 0.5, 25.0, 0.95);
        assert!(lo2 < lo && hi2 > hi);
    }

    #[test]
    fn an_extreme_quantile_from_few_samples_has_no_upper_bound() {
        let sorted: Vec<f64> = (1..=460).map(|i| i as f64).collect();
        let (_, hi) = quantile_interval(&sorted, 0.99, 150.0, 0.95);
        assert!(hi.is_infinite());
        // 460 independent samples do bound it: all below the p99 has probability 0.99^460
        let (lo, hi) = quantile_interval(&sorted, 0.99, 460.0, 0.95);
        assert!(lo < 455.0 && hi > 459.0 && hi.is_finite(), "{lo} {hi}");
        let big: Vec<f64> = (1..=5000).map(|i| i as f64).collect();
        let (lo, hi) = quantile_interval(&big, 0.99, 5000.0, 0.95);
        assert!(lo < 4950.0 && hi > 4950.0 && hi.is_finite(), "{lo} {hi}");
    }
}
