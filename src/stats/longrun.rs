//! The long-run variance of a mean of autocorrelated samples.
//!
//! Samples of a `rate()` series overlap and drift, so neighbours are strongly correlated and
//! `s² / n` badly understates the variance of their mean. We use the Newey–West estimator
//! with Bartlett weights, prewhitened by an AR(1) fit (Andrews & Monahan 1992) and with the
//! bandwidth from Andrews' (1991) AR(1) plug-in rule, so the number of lags follows the
//! dependence actually present. The effective sample size `n · γ₀ / LRV` says how many
//! independent samples the series is worth.

use serde::Serialize;

/// AR(1) coefficients are clamped to this to keep prewhitening stable.
const MAX_RHO: f64 = 0.97;

/// The long-run variance estimate of one series and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LongRun {
    pub n: usize,
    pub mean: f64,
    /// Plain variance γ₀ (divisor n).
    pub variance: f64,
    /// Long-run variance: n · Var(mean).
    pub lrv: f64,
    /// Lag-1 autocorrelation used to prewhiten.
    pub rho: f64,
    /// Number of Bartlett lags on the prewhitened residuals.
    pub lags: usize,
    /// Effective number of independent samples, at most n.
    pub n_eff: f64,
}

impl LongRun {
    /// Variance of the sample mean.
    pub fn variance_of_mean(&self) -> f64 {
        self.lrv / self.n as f64
    }
}

/// Autocovariance at `lag` with divisor n (the usual biased estimator).
fn autocovariance(d: &[f64], lag: usize) -> f64 {
    if lag >= d.len() {
        return 0.0;
    }
    d[lag..].iter().zip(d).map(|(a, b)| a * b).sum::<f64>() / d.len() as f64
}

/// Lag-1 autocorrelation of a centred series (0 when the series is constant).
pub fn lag1_autocorrelation(d: &[f64]) -> f64 {
    let g0 = autocovariance(d, 0);
    if g0 <= 0.0 {
        0.0
    } else {
        autocovariance(d, 1) / g0
    }
}

/// Newey–West long-run variance of a centred series with `lags` Bartlett lags
/// (weights 1 − j/(lags + 1)); equals statsmodels' HAC with `maxlags = lags`.
pub fn bartlett_lrv(d: &[f64], lags: usize) -> f64 {
    let mut lrv = autocovariance(d, 0);
    for j in 1..=lags.min(d.len().saturating_sub(1)) {
        lrv += 2.0 * (1.0 - j as f64 / (lags as f64 + 1.0)) * autocovariance(d, j);
    }
    lrv
}

/// Andrews' (1991) plug-in bandwidth for the Bartlett kernel under an AR(1) approximation,
/// as a whole number of lags.
pub fn andrews_lags(rho: f64, n: usize) -> usize {
    let rho = rho.clamp(-MAX_RHO, MAX_RHO);
    let alpha = 4.0 * rho * rho / ((1.0 - rho).powi(2) * (1.0 + rho).powi(2));
    let bandwidth = 1.1447 * (alpha * n as f64).cbrt();
    (bandwidth.floor() as usize).min(n.saturating_sub(1))
}

/// Long-run variance of `x` (finite values in time order).
pub fn long_run_variance(x: &[f64]) -> LongRun {
    let n = x.len();
    let mean = if n == 0 {
        f64::NAN
    } else {
        x.iter().sum::<f64>() / n as f64
    };
    let d: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let variance = autocovariance(&d, 0);
    if n < 4 || variance <= 0.0 {
        return LongRun {
            n,
            mean,
            variance: variance.max(0.0),
            lrv: variance.max(0.0),
            rho: 0.0,
            lags: 0,
            n_eff: n as f64,
        };
    }
    let rho = lag1_autocorrelation(&d).clamp(-MAX_RHO, MAX_RHO);
    // Prewhiten: residuals of the AR(1) fit, then recolour their long-run variance.
    let e: Vec<f64> = d.windows(2).map(|w| w[1] - rho * w[0]).collect();
    let lags = andrews_lags(lag1_autocorrelation(&e), e.len());
    let lrv_e = bartlett_lrv(&e, lags);
    let lrv = (lrv_e / (1.0 - rho).powi(2)).max(0.0);
    let n_eff = if lrv > 0.0 {
        (n as f64 * variance / lrv).min(n as f64)
    } else {
        n as f64
    };
    LongRun {
        n,
        mean,
        variance,
        lrv,
        rho,
        lags,
        n_eff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    /// Reference series: AR(1) with phi = 0.8, n = 200, from numpy's default_rng(42)
    /// (see scripts/reference_values.py, which prints it and every value below).
    pub(crate) fn ar1_reference() -> Vec<f64> {
        crate::stats::reference::AR1_PHI08_N200.to_vec()
    }

    #[test]
    fn bartlett_matches_statsmodels_hac() {
        // statsmodels 0.15: OLS(x, ones).fit(cov_type="HAC", cov_kwds={"maxlags": L,
        // "use_correction": False}).cov_params()[0,0] * n
        let x = ar1_reference();
        let mean = x.iter().sum::<f64>() / x.len() as f64;
        let d: Vec<f64> = x.iter().map(|v| v - mean).collect();
        for (lags, expected) in crate::stats::reference::HAC_LRV_BY_LAGS {
            let got = bartlett_lrv(&d, lags);
            assert!(
                close(got, expected, 1e-10),
                "lags {lags}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn prewhitened_estimate_matches_numpy_reimplementation() {
        let lr = long_run_variance(&ar1_reference());
        let r = crate::stats::reference::PREWHITENED;
        assert!(close(lr.mean, r.mean, 1e-12));
        assert!(close(lr.variance, r.variance, 1e-12));
        assert!(close(lr.rho, r.rho, 1e-12));
        assert_eq!(lr.lags, r.lags);
        assert!(close(lr.lrv, r.lrv, 1e-10), "{} vs {}", lr.lrv, r.lrv);
        // AR(1) with phi 0.8: theoretical LRV/var = (1 + phi)/(1 - phi) = 9
        assert!(lr.n_eff < 200.0 / 4.0, "n_eff {}", lr.n_eff);
    }

    #[test]
    fn edge_cases() {
        let c = long_run_variance(&[5.0; 50]);
        assert_eq!((c.lrv, c.n_eff, c.mean), (0.0, 50.0, 5.0));
        let short = long_run_variance(&[1.0, 2.0]);
        assert_eq!(short.lrv, 0.25);
        let empty = long_run_variance(&[]);
        assert!(empty.mean.is_nan());
        assert_eq!(andrews_lags(0.0, 500), 0);
        // alpha(0.5) = 4·0.25 / (0.25 · 2.25) = 1.777…; 1.1447 · (1.777… · 500)^(1/3) = 11.0…
        assert_eq!(andrews_lags(0.5, 500), 11);
    }
}
