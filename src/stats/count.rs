//! Two event counts (`Counted`) observed over different exposures (seconds of covered time): exact
//! inference on the ratio of their Poisson rates, conditional on the total.
//!
//! Given `k_c + k_b = n` events, `k_c` is Binomial(n, p) with
//! `p = λ_c T_c / (λ_c T_c + λ_b T_b)`, so the rate ratio `R = λ_c / λ_b` is
//! `p / (1 − p) · T_b / T_c`. The Clopper–Pearson interval for `p` gives an exact interval
//! for `R`; the one-sided binomial tail gives an exact test of `R ≤ R₀`.

use statrs::distribution::{Beta, ContinuousCDF};

/// P(X ≥ k) for X ~ Binomial(n, p).
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    // P(X ≥ k) = I_p(k, n − k + 1), the regularized incomplete beta function.
    Beta::new(k as f64, (n - k + 1) as f64).map_or(f64::NAN, |b| b.cdf(p))
}

/// Events counted over an exposure (seconds of covered time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counted {
    pub events: u64,
    pub exposure_s: f64,
}

impl Counted {
    pub fn new(events: u64, exposure_s: f64) -> Counted {
        Counted { events, exposure_s }
    }
}

/// The exact one-sided p-value of `λ_over / λ_base ≤ ratio` against "the rate of `over` is
/// higher".
pub fn rate_ratio_p_value(over: Counted, base: Counted, ratio: f64) -> f64 {
    let n = over.events + base.events;
    let p0 = ratio * over.exposure_s / (ratio * over.exposure_s + base.exposure_s);
    binomial_upper_tail(over.events, n, p0)
}

/// The Clopper–Pearson interval of a binomial proportion `k / n` at `confidence`.
pub fn clopper_pearson(k: u64, n: u64, confidence: f64) -> (f64, f64) {
    let alpha = 1.0 - confidence;
    let (kf, nf) = (k as f64, n as f64);
    let low = if k == 0 {
        0.0
    } else {
        Beta::new(kf, nf - kf + 1.0).map_or(0.0, |b| b.inverse_cdf(alpha / 2.0))
    };
    let high = if k >= n {
        1.0
    } else {
        Beta::new(kf + 1.0, nf - kf).map_or(1.0, |b| b.inverse_cdf(1.0 - alpha / 2.0))
    };
    (low, high)
}

/// The exact interval of the rate ratio `λ_over / λ_base`; `None` without any event.
pub fn rate_ratio_interval(over: Counted, base: Counted, confidence: f64) -> Option<(f64, f64)> {
    let n = over.events + base.events;
    if n == 0 || over.exposure_s <= 0.0 || base.exposure_s <= 0.0 {
        return None;
    }
    let (pl, ph) = clopper_pearson(over.events, n, confidence);
    let scale = base.exposure_s / over.exposure_s;
    let ratio = |p: f64| {
        if p >= 1.0 {
            f64::INFINITY
        } else {
            p / (1.0 - p) * scale
        }
    };
    Some((ratio(pl), ratio(ph)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::reference as r;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn tails_match_scipy() {
        for &(k, n, p, expected) in r::BINOMIAL_UPPER_TAILS {
            let got = binomial_upper_tail(k, n, p);
            assert!(
                close(got, expected, 1e-9),
                "P(X ≥ {k} | {n}, {p}) = {got} vs {expected}"
            );
        }
    }

    #[test]
    fn clopper_pearson_matches_statsmodels() {
        for &(k, n, conf, lo, hi) in r::CLOPPER_PEARSON {
            let (l, h) = clopper_pearson(k, n, conf);
            assert!(
                close(l, lo, 1e-8) || (lo == 0.0 && l == 0.0),
                "{k}/{n}: {l} vs {lo}"
            );
            assert!(close(h, hi, 1e-8), "{k}/{n}: {h} vs {hi}");
        }
    }

    #[test]
    fn zero_baseline_test() {
        // equal exposures, no baseline events: p = 0.5^k
        let p = rate_ratio_p_value(Counted::new(6, 100.0), Counted::new(0, 100.0), 1.0);
        assert!(close(p, 0.5f64.powi(6), 1e-12), "{p}");
        // a 10% budget makes the null rate a little higher
        let p = rate_ratio_p_value(Counted::new(6, 100.0), Counted::new(0, 100.0), 1.1);
        assert!(close(p, (110.0f64 / 210.0).powi(6), 1e-12), "{p}");
        assert_eq!(
            rate_ratio_p_value(Counted::new(0, 100.0), Counted::new(0, 100.0), 1.0),
            1.0
        );
        assert!(rate_ratio_interval(Counted::new(0, 1.0), Counted::new(0, 1.0), 0.95).is_none());
        let (lo, hi) =
            rate_ratio_interval(Counted::new(20, 100.0), Counted::new(10, 50.0), 0.95).unwrap();
        assert!(lo < 1.0 && hi > 1.0, "{lo} {hi}");
    }
}
