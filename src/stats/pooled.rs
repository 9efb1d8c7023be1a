//! Several baseline runs pooled into one population (random effects): each run's mean with
//! the variance of its sampling error in, the population mean out with the variance a new
//! run's mean has around it — between-run variance τ² (Paule–Mandel) plus the uncertainty of
//! the pooled mean (Hartung–Knapp–Sidik–Jonkman, with its scale kept at least 1, and
//! Student t with at most k − 1 degrees of freedom, fewer when the runs' own noise is a
//! large part of their spread — see `spread_df`).
//!
//! With one run τ² cannot be estimated: a prior run-to-run coefficient of variation is used
//! when given (twice: the baseline run and the candidate run each deviate from their
//! population), else τ² is taken as 0 and the result says that it is unknown. With several
//! runs a prior is a floor on τ².
//! Reference values: `scripts/pooled_reference.py` (statsmodels `combine_effects`,
//! `method_re="iterated"`, which is Paule–Mandel).

use super::Estimate;

/// How τ² was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TauMethod {
    /// Estimated from two or more runs (Paule–Mandel), HKSJ variance of the pooled mean.
    PauleMandel,
    /// One run and a prior run-to-run variation from the pack or config.
    Prior,
    /// One run and no prior: run-to-run variation unknown, taken as 0.
    Unknown,
}

/// The pooled baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pooled {
    /// The population mean, with the variance of a new run's mean around it (τ² plus the
    /// pooled mean's own variance) and its degrees of freedom.
    pub estimate: Estimate,
    /// Between-run variance; when a prior was larger than the estimate, the prior.
    pub tau2: f64,
    pub runs: usize,
    pub method: TauMethod,
}

impl Pooled {
    /// τ as a share of the mean (run-to-run variation).
    pub fn cv(&self) -> f64 {
        if self.estimate.value != 0.0 {
            self.tau2.sqrt() / self.estimate.value.abs()
        } else {
            f64::NAN
        }
    }
}

/// Paule–Mandel τ²: the value at which the generalized Q statistic equals k − 1 (0 when
/// the runs agree more than their own noise says).
pub fn paule_mandel(means: &[f64], variances: &[f64]) -> f64 {
    let k = means.len();
    if k < 2 {
        return 0.0;
    }
    let q = |tau2: f64| {
        let w: Vec<f64> = variances.iter().map(|v| 1.0 / (v + tau2)).collect();
        let sw: f64 = w.iter().sum();
        let mu = w.iter().zip(means).map(|(w, m)| w * m).sum::<f64>() / sw;
        w.iter()
            .zip(means)
            .map(|(w, m)| w * (m - mu).powi(2))
            .sum::<f64>()
    };
    let target = (k - 1) as f64;
    if q(0.0) <= target {
        return 0.0;
    }
    // Q falls as τ² grows: bisect between 0 and a bound where it is below k − 1.
    let spread = {
        let mean = means.iter().sum::<f64>() / k as f64;
        means.iter().map(|m| (m - mean).powi(2)).sum::<f64>()
    };
    let mut hi = spread.max(1e-12);
    while q(hi) > target && hi < 1e300 {
        hi *= 4.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if q(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-14 * hi.max(1e-300) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Degrees of freedom of the pooled variance `variance` (τ² plus the pooled mean's
/// variance) when τ² is estimated from the runs. That variance is what remains of the
/// spread of the run means once their own noise is taken out: the spread,
/// `variance + v̄` with v̄ the mean within-run variance, is known only to k − 1 degrees
/// of freedom, and v̄ to the runs' own. Satterthwaite's rule for the difference gives
/// fewer than k − 1 — so that when the candidate's variance (about v̄) is added back
/// later, the sum is again known to about k − 1, which is what the exact pivot for k
/// runs of equal noise (Student t on k − 1 for a new run's mean) says. Counting the
/// estimated τ² as if it carried all k − 1 degrees of freedom on its own let a third
/// of its uncertainty go unseen: with three runs at 1–2% run-to-run variation the
/// interval covered 89–91%.
fn spread_df(variance: f64, runs: &[Estimate]) -> f64 {
    let k = runs.len() as f64;
    let within = runs.iter().map(|r| r.variance.max(0.0)).sum::<f64>() / k;
    let spread = variance + within;
    let within_uncertainty = runs
        .iter()
        .filter(|r| r.df.is_finite() && r.df > 0.0)
        .map(|r| r.variance * r.variance / r.df)
        .sum::<f64>()
        / (k * k);
    let denominator = spread * spread / (k - 1.0) + within_uncertainty;
    if denominator > 0.0 {
        (variance * variance / denominator).min(k - 1.0)
    } else {
        k - 1.0
    }
}

/// Pools runs' means. `runs` are the per-run estimates of the mean (value, variance of its
/// sampling error, degrees of freedom); `prior_cv` a known run-to-run variation.
pub fn pool(runs: &[Estimate], prior_cv: Option<f64>) -> Option<Pooled> {
    let k = runs.len();
    let first = runs.first()?;
    if runs
        .iter()
        .any(|r| !r.value.is_finite() || !r.variance.is_finite())
    {
        return None;
    }
    if k == 1 {
        let (tau2, method) = match prior_cv {
            Some(cv) => ((cv * first.value).powi(2), TauMethod::Prior),
            None => (0.0, TauMethod::Unknown),
        };
        // The one baseline run is off its population mean by one run's variation, and the
        // candidate run off its own by another.
        return Some(Pooled {
            estimate: Estimate {
                value: first.value,
                variance: first.variance + 2.0 * tau2,
                // a prior is taken as known
                df: first.df,
            },
            tau2,
            runs: 1,
            method,
        });
    }
    let means: Vec<f64> = runs.iter().map(|r| r.value).collect();
    let variances: Vec<f64> = runs.iter().map(|r| r.variance.max(0.0)).collect();
    let estimated = paule_mandel(&means, &variances);
    let mut tau2 = estimated;
    if let Some(cv) = prior_cv {
        // A known variation is a floor: the runs at hand may agree by chance.
        let unweighted = means.iter().sum::<f64>() / k as f64;
        tau2 = tau2.max((cv * unweighted).powi(2));
    }
    let prior_binds = tau2 > estimated;
    let w: Vec<f64> = variances.iter().map(|v| 1.0 / (v + tau2)).collect();
    let sw: f64 = w.iter().sum();
    let mu = w.iter().zip(&means).map(|(w, m)| w * m).sum::<f64>() / sw;
    // HKSJ: the pooled mean's variance scaled by the weighted spread of the runs, never
    // below the random-effects variance (the "modified" HKSJ of Röver et al. 2015).
    let scale = w
        .iter()
        .zip(&means)
        .map(|(w, m)| w * (m - mu).powi(2))
        .sum::<f64>()
        / (k - 1) as f64;
    let var_mu = scale.max(1.0) / sw;
    let variance = tau2 + var_mu;
    let df = if prior_binds {
        (k - 1) as f64
    } else {
        spread_df(variance, runs)
    };
    Some(Pooled {
        estimate: Estimate {
            value: mu,
            variance,
            df,
        },
        tau2,
        runs: k,
        method: TauMethod::PauleMandel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(means: &[f64], variances: &[f64]) -> Vec<Estimate> {
        means
            .iter()
            .zip(variances)
            .map(|(m, v)| Estimate {
                value: *m,
                variance: *v,
                df: 50.0,
            })
            .collect()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-12)
    }

    /// scripts/pooled_reference.py (statsmodels 0.15 combine_effects, method_re="iterated").
    #[test]
    fn matches_statsmodels() {
        let p = pool(
            &runs(
                &[100.0, 104.0, 97.0, 101.5, 99.0],
                &[1.0, 1.5, 0.8, 1.2, 1.1],
            ),
            None,
        )
        .unwrap();
        assert!(close(p.tau2, 5.77413641134, 1e-6), "{}", p.tau2);
        assert!(close(p.estimate.value, 100.224728377, 1e-9));
        // scale ≈ 1 at the Paule–Mandel τ²: the HKSJ variance is the RE variance
        assert!(close(
            p.estimate.variance,
            5.77413641134 + 1.37728784555,
            1e-6
        ));
        // τ² dominates the runs' noise: close to k − 1 = 4 degrees of freedom, never more
        let within = (1.0 + 1.5 + 0.8 + 1.2 + 1.1) / 5.0;
        let spread = p.estimate.variance + within;
        let uncertainty = [1.0f64, 1.5, 0.8, 1.2, 1.1]
            .iter()
            .map(|v| v * v / 50.0)
            .sum::<f64>()
            / 25.0;
        let df = p.estimate.variance.powi(2) / (spread * spread / 4.0 + uncertainty);
        assert!(
            close(p.estimate.df, df, 1e-12) && df > 2.5 && df < 4.0,
            "{df}"
        );

        let p = pool(&runs(&[100.0, 100.2, 99.9], &[4.0, 4.0, 4.0]), None).unwrap();
        assert_eq!(p.tau2, 0.0);
        assert!(close(p.estimate.value, 100.033333333, 1e-9));
        // unmodified HKSJ would give 0.00778; the scale is kept at least 1
        assert!(close(p.estimate.variance, 1.33333333333, 1e-9));
        // τ² = 0: the variance is the runs' noise over k, whose spread is known to k − 1
        // degrees of freedom only — the sum with a candidate of the same noise gets ≈ k − 1
        let (v, c) = (p.estimate.variance, 4.0);
        let sum_df = crate::stats::ratio::welch_satterthwaite(&[(v, p.estimate.df), (c, 50.0)]);
        assert!(sum_df > 1.9 && sum_df <= 2.0, "{sum_df}");

        let p = pool(&runs(&[150.0, 141.0], &[2.0, 3.0]), None).unwrap();
        assert!(close(p.tau2, 37.9999966614, 1e-5), "{}", p.tau2);
        assert!(close(p.estimate.value, 145.55555556, 1e-7));
        assert!(close(p.estimate.variance - p.tau2, 20.2469135797, 1e-5));
        assert!((p.cv() - p.tau2.sqrt() / p.estimate.value).abs() < 1e-12);
    }

    #[test]
    fn one_run_uses_the_prior_or_says_unknown() {
        let one = runs(&[200.0], &[4.0]);
        let p = pool(&one, None).unwrap();
        assert_eq!(
            (p.method, p.tau2, p.estimate.variance),
            (TauMethod::Unknown, 0.0, 4.0)
        );
        let p = pool(&one, Some(0.03)).unwrap();
        assert_eq!(p.method, TauMethod::Prior);
        assert!(close(p.tau2, 36.0, 1e-12) && close(p.estimate.variance, 76.0, 1e-12));
        // with several runs a prior is a floor on τ
        let p = pool(&runs(&[100.0, 100.2, 99.9], &[4.0, 4.0, 4.0]), Some(0.05)).unwrap();
        assert!(close(p.tau2, (0.05f64 * 100.033333333).powi(2), 1e-6));
        // equal weights: the pooled mean's variance is (v + τ²) / k
        assert!(close(
            p.estimate.variance,
            p.tau2 + (4.0 + p.tau2) / 3.0,
            1e-9
        ));
    }
}
