//! Statistics on plain vectors: summaries, the long-run (autocorrelation-aware) variance of
//! a mean with its degrees of freedom, periodic components, intervals for ratios of means
//! and for quantiles (order statistics at the effective sample size), level shifts and
//! linear trends inside a run, exact count tests.
//!
//! No I/O and no formatting: samples in, numbers out, with the method stated in the result.
//! Reference values for the tests were computed independently with numpy, scipy and
//! statsmodels (`scripts/reference_values.py`).

pub mod changepoint;
pub mod count;
pub mod longrun;
pub mod order;
pub mod periodic;
pub mod pooled;
pub mod ratio;
pub mod rng;
pub mod sequential;
pub mod shift;
mod shift_table;
pub mod summary;
pub mod trend;

use serde::Serialize;

pub use longrun::{long_run_variance, LongRun};
pub use ratio::{ratio_of_means, t_quantile, RatioInterval};
pub use shift::{detect_shifts, Shift};
pub use summary::{quantile, Summary};
pub use trend::{fit_trend, Trend};

/// An estimate with the variance of its sampling error and the degrees of freedom of that
/// variance (infinite when it is known exactly).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub variance: f64,
    pub df: f64,
}

impl Estimate {
    /// The two-sided interval at `confidence`.
    pub fn interval(&self, confidence: f64) -> (f64, f64) {
        if self.variance <= 0.0 {
            return (self.value, self.value);
        }
        let h = t_quantile(confidence, self.df) * self.variance.sqrt();
        (self.value - h, self.value + h)
    }

    /// The same estimate with its variance at least `floor`.
    pub fn floored(self, floor: f64) -> Estimate {
        if self.variance >= floor {
            self
        } else {
            Estimate {
                variance: floor,
                // a resolution bound is not an estimate: it adds no uncertainty of its own
                df: if self.variance > 0.0 {
                    self.df
                } else {
                    f64::INFINITY
                },
                ..self
            }
        }
    }
}

impl LongRun {
    /// The mean with the variance of its sampling error.
    pub fn mean_estimate(&self) -> Estimate {
        Estimate {
            value: self.mean,
            variance: self.variance_of_mean(),
            df: self.df,
        }
    }
}

#[cfg(test)]
#[rustfmt::skip]
mod reference;
