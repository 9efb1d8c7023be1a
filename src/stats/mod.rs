//! Statistics on plain vectors: summaries, the long-run (autocorrelation-aware) variance of
//! a mean, intervals for the ratio of two means, and level shifts inside a run.
//!
//! No I/O and no formatting: samples in, numbers out, with the method stated in the result.
//! Reference values for the tests were computed independently with numpy, scipy and
//! statsmodels (`scripts/reference_values.py`).

pub mod count;
pub mod longrun;
pub mod ratio;
pub mod shift;
pub mod summary;

pub use longrun::{long_run_variance, LongRun};
pub use ratio::{ratio_of_means, RatioInterval};
pub use shift::{detect_shifts, Shift};
pub use summary::{quantile, Summary};

#[cfg(test)]
#[rustfmt::skip]
mod reference;
