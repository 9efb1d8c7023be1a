//! The ratio of two means (candidate / baseline) with a confidence interval that accounts
//! for autocorrelation: the delta method on the log ratio, each mean's variance from its
//! long-run variance, and Student's t with the Welch–Satterthwaite combination of the two
//! variance estimates' own degrees of freedom.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::Estimate;

/// Candidate/baseline ratio of means with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatioInterval {
    /// candidate mean / baseline mean
    pub ratio: f64,
    pub low: f64,
    pub high: f64,
    /// Standard error of ln(ratio).
    pub se_log: f64,
    pub df: f64,
    pub confidence: f64,
}

/// Two-sided Student-t quantile for `confidence` at `df` degrees of freedom.
pub fn t_quantile(confidence: f64, df: f64) -> f64 {
    let p = 1.0 - (1.0 - confidence) / 2.0;
    if !df.is_finite() || df > 1e6 {
        // normal limit
        return statrs::distribution::Normal::new(0.0, 1.0)
            .map(|n| n.inverse_cdf(p))
            .unwrap_or(1.96);
    }
    // Below half a degree of freedom the quantile is astronomically large anyway.
    StudentsT::new(0.0, 1.0, df.max(0.5))
        .map(|t| t.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

/// Welch–Satterthwaite degrees of freedom of a sum of variance estimates `(v, df)`.
pub fn welch_satterthwaite(terms: &[(f64, f64)]) -> f64 {
    let total: f64 = terms.iter().map(|t| t.0).sum();
    let denominator: f64 = terms
        .iter()
        .filter(|(v, df)| *v > 0.0 && df.is_finite())
        .map(|(v, df)| v * v / df.max(1e-3))
        .sum();
    if denominator > 0.0 {
        total * total / denominator
    } else {
        f64::INFINITY
    }
}

/// The interval for candidate/baseline, or `None` unless both means are positive.
pub fn ratio_of_means(
    baseline: &Estimate,
    candidate: &Estimate,
    confidence: f64,
) -> Option<RatioInterval> {
    if !(baseline.value > 0.0 && candidate.value > 0.0) {
        return None;
    }
    let var_b = baseline.variance / (baseline.value * baseline.value);
    let var_c = candidate.variance / (candidate.value * candidate.value);
    let var = var_b + var_c;
    let log_ratio = (candidate.value / baseline.value).ln();
    let ratio = log_ratio.exp();
    if var <= 0.0 {
        return Some(RatioInterval {
            ratio,
            low: ratio,
            high: ratio,
            se_log: 0.0,
            df: f64::INFINITY,
            confidence,
        });
    }
    let df = welch_satterthwaite(&[(var_b, baseline.df), (var_c, candidate.df)]);
    let se = var.sqrt();
    let t = t_quantile(confidence, df);
    Some(RatioInterval {
        ratio,
        low: (log_ratio - t * se).exp(),
        high: (log_ratio + t * se).exp(),
        se_log: se,
        df,
        confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::longrun::long_run_variance;
    use crate::stats::reference as r;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn t_quantiles_match_scipy() {
        for (conf, df, expected) in r::T_QUANTILES {
            let got = t_quantile(conf, df);
            assert!(
                close(got, expected, 1e-8),
                "t({conf}, {df}) = {got} vs {expected}"
            );
        }
    }

    #[test]
    fn interval_matches_numpy_reimplementation() {
        let b = long_run_variance(&r::RATIO_BASELINE).mean_estimate();
        let c = long_run_variance(&r::RATIO_CANDIDATE).mean_estimate();
        let got = ratio_of_means(&b, &c, 0.95).unwrap();
        let e = r::RATIO_RESULT;
        assert!(close(got.ratio, e.ratio, 1e-12));
        assert!(
            close(got.se_log, e.se_log, 1e-9),
            "{} vs {}",
            got.se_log,
            e.se_log
        );
        assert!(close(got.df, e.df, 1e-9), "{} vs {}", got.df, e.df);
        assert!(close(got.low, e.low, 1e-9), "{} vs {}", got.low, e.low);
        assert!(close(got.high, e.high, 1e-9), "{} vs {}", got.high, e.high);
    }

    #[test]
    fn constant_series_give_a_point_interval() {
        let b = long_run_variance(&[150.0; 100]).mean_estimate();
        let c = long_run_variance(&[45.0; 100]).mean_estimate();
        let i = ratio_of_means(&b, &c, 0.95).unwrap();
        assert!(close(i.ratio, 0.3, 1e-12));
        assert_eq!((i.low, i.high), (i.ratio, i.ratio));
    }

    #[test]
    fn non_positive_means_have_no_ratio() {
        let z = long_run_variance(&[0.0; 10]).mean_estimate();
        let p = long_run_variance(&[1.0; 10]).mean_estimate();
        assert!(ratio_of_means(&z, &p, 0.95).is_none());
        assert!(ratio_of_means(&p, &z, 0.95).is_none());
    }
}
