//! A linear trend inside one run (a memory leak, a slow degradation): the least-squares
//! slope over time, tested with a variance that respects autocorrelation.
//!
//! The residuals around the line get the same autoregressive long-run variance as a mean
//! does (`longrun`), and the slope's variance is `LRV / Σ(t − t̄)²` (the large-sample
//! variance of a trend coefficient under stationary errors), with the residual estimate's
//! degrees of freedom. A trend is significant at the same 0.1% level as a level shift, so
//! persistence alone rarely passes for one.

use serde::Serialize;

use super::longrun::{long_run_variance, LongRun};
use super::ratio::t_quantile;
use super::Estimate;

/// The level of the significance test.
pub const ALPHA: f64 = 0.001;

/// A fitted line `intercept + slope · (t − t₀)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// Change per second.
    pub slope: f64,
    /// The line's value at the first sample's time.
    pub intercept: f64,
    /// Standard error of the slope.
    pub se: f64,
    pub df: f64,
    /// slope / se.
    pub statistic: f64,
    /// Significant at [`ALPHA`] (and supported by the data).
    pub significant: bool,
    /// Residual sum of squares around the line.
    pub rss: f64,
    /// The long-run variance of the residuals (the noise once the trend is explained).
    pub residual: LongRun,
    t_first: f64,
    t_mean: f64,
    sxx: f64,
}

impl Trend {
    /// The line's value at time `t` (seconds, same origin as the fit).
    pub fn level_at(&self, t: f64) -> f64 {
        self.intercept + self.slope * (t - self.t_first)
    }

    /// The line's value at `t` with its variance and degrees of freedom.
    pub fn level_estimate(&self, t: f64) -> Estimate {
        let n = self.residual.n as f64;
        Estimate {
            value: self.level_at(t),
            variance: self.residual.lrv * (1.0 / n + (t - self.t_mean).powi(2) / self.sxx),
            df: self.residual.df,
        }
    }

    /// The slope with its variance and degrees of freedom.
    pub fn slope_estimate(&self) -> Estimate {
        Estimate {
            value: self.slope,
            variance: self.se * self.se,
            df: self.df,
        }
    }
}

/// Fits a line to values `x` at times `t` (seconds); `None` with fewer than 3 distinct times.
pub fn fit_trend(t: &[f64], x: &[f64]) -> Option<Trend> {
    let n = x.len();
    if n < 3 || t.len() != n {
        return None;
    }
    let t_mean = t.iter().sum::<f64>() / n as f64;
    let x_mean = x.iter().sum::<f64>() / n as f64;
    let sxx: f64 = t.iter().map(|v| (v - t_mean).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = t
        .iter()
        .zip(x)
        .map(|(a, b)| (a - t_mean) * (b - x_mean))
        .sum();
    let slope = sxy / sxx;
    let residuals: Vec<f64> = t
        .iter()
        .zip(x)
        .map(|(a, b)| b - x_mean - slope * (a - t_mean))
        .collect();
    let rss = residuals.iter().map(|e| e * e).sum();
    let residual = long_run_variance(&residuals).with_simulated_df();
    let se = (residual.lrv / sxx).sqrt();
    let df = residual.df;
    let statistic = if se > 0.0 {
        slope / se
    } else if slope != 0.0 {
        f64::INFINITY * slope.signum()
    } else {
        0.0
    };
    let significant = residual.supported && statistic.abs() > t_quantile(1.0 - ALPHA, df);
    Some(Trend {
        slope,
        intercept: x_mean + slope * (t[0] - t_mean),
        se,
        df,
        statistic,
        significant,
        rss,
        residual,
        t_first: t[0],
        t_mean,
        sxx,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::reference as r;

    #[test]
    fn slope_matches_numpy_polyfit() {
        let t: Vec<f64> = (0..r::TREND_SERIES.len())
            .map(|i| i as f64 * 30.0)
            .collect();
        let fit = fit_trend(&t, &r::TREND_SERIES).unwrap();
        assert!((fit.slope - r::TREND_FIT.0).abs() <= 1e-12 * r::TREND_FIT.0.abs());
        assert!((fit.intercept - r::TREND_FIT.1).abs() <= 1e-9 * r::TREND_FIT.1.abs());
        assert!(
            (fit.se - r::TREND_FIT.2).abs() <= 1e-9 * r::TREND_FIT.2,
            "{} vs {}",
            fit.se,
            r::TREND_FIT.2
        );
        assert!(fit.significant);
    }

    #[test]
    fn no_trend_in_flat_noise() {
        let x: Vec<f64> = (0..400)
            .map(|i| 10.0 + ((i * 7919 % 97) as f64 / 97.0 - 0.5))
            .collect();
        let t: Vec<f64> = (0..400).map(|i| i as f64).collect();
        assert!(!fit_trend(&t, &x).unwrap().significant);
        assert!(fit_trend(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_none());
    }
}
