//! The noise of a run seen so far, measured around its level structure, as a watch needs it:
//! the long-run variance of a sample for the whole run's mean, and the variance of the mean
//! of its last `w` samples for the recent-level test.
//!
//! * **Around the level structure.** A run that steps down is not a noisy run: the level
//!   shifts `compare` would find (`stats::shift`, on the series with its periodic components
//!   taken out) are segments, and the noise is what is left around their means. Read as one
//!   level, a step turned into "no stable mean" and an interval that covered −218% to +150%
//!   after a −70% collapse.
//! * **The same small-sample treatment on both sides.** A variance estimated from a few
//!   effective samples is as often too small as a t interval says: it is widened by
//!   `(t_ν / z)²` at the watch's `α`, as the baseline's is.
//! * **Short windows.** The variance of the mean of `w` consecutive samples is measured
//!   directly, from every window of `w` samples of the residuals (the periodic components
//!   kept in: a GC cycle moves a ten-sample mean), where the run holds at least four
//!   windows of that length; otherwise it is `min(γ₀, LRV / w)`, which bounds it for
//!   positively correlated noise. A window mean at `φ = 0.9` varies about half as much as
//!   `LRV / w` says at `w = 20`: measuring it is what lets a −30% drop be failed in ten
//!   minutes rather than twenty.

use crate::stats::shift::{residuals_around, segments};
use crate::stats::{self, LongRun};

/// The shortest recent window a watch judges: `compare`'s shortest final segment that can
/// fail a run on its own (5 minutes at a 30 s step).
pub const MIN_WINDOW: usize = crate::compare::MIN_FINAL_SAMPLES;
/// A window's variance is measured directly when the run holds this many such windows.
const DIRECT_FROM_WINDOWS: usize = 4;
/// ... and when that gives it this many degrees of freedom.
const DIRECT_MIN_DF: f64 = 4.0;

/// The lengths of the recent windows judged after `n` samples: [`MIN_WINDOW`] and its
/// doublings, up to half the run.
pub fn windows(n: usize) -> impl Iterator<Item = usize> {
    std::iter::successors(Some(MIN_WINDOW), |w| w.checked_mul(2)).take_while(move |w| 2 * w <= n)
}

/// The noise of one run so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Noise {
    /// Samples it was estimated from.
    pub samples: usize,
    /// Their mean.
    pub mean: f64,
    /// Long-run variance of a sample around the level structure, widened for its degrees
    /// of freedom; `None` when the residuals have no stable mean either.
    pub lrv: Option<f64>,
    /// Degrees of freedom of the long-run variance.
    pub df: f64,
    /// Plain variance of a sample around the level structure.
    pub variance: f64,
    /// The variance of the mean of `w` consecutive samples, widened, for each window
    /// length of [`windows`] at `samples`.
    pub windows: Vec<(usize, f64)>,
    /// Level shifts the structure has.
    pub shifts: usize,
    /// The spread of one step to the next (1.4826 × the median absolute deviation of the
    /// first differences): well measured however persistent the run and however short,
    /// and blind to a few steps of a collapse. A candidate whose steps spread more than the
    /// baseline's is noisier than it, even where its own variance estimates cannot tell yet.
    pub step_spread: f64,
}

/// `(t_ν / z)²` at two-sided `alpha`: how much a variance estimated with `df` degrees of
/// freedom is widened so that an interval built on it is as wide as a t interval.
pub fn widening(df: f64, alpha: f64) -> f64 {
    if !df.is_finite() || df <= 0.0 {
        return if df.is_finite() { f64::INFINITY } else { 1.0 };
    }
    let ratio = stats::t_quantile(1.0 - alpha, df) / stats::t_quantile(1.0 - alpha, f64::INFINITY);
    ratio * ratio
}

impl Noise {
    /// The noise of `values` (a run's usable samples in time order), with `alpha` for the
    /// widening; `None` with fewer than `longrun::MIN_FIT` samples.
    pub fn estimate(values: &[f64], alpha: f64) -> Option<Noise> {
        let n = values.len();
        if n < stats::longrun::MIN_FIT {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let clean = stats::periodic::remove_periodic(values).residual;
        let stationary: LongRun = stats::long_run_variance(values).with_simulated_df();
        let shifts = crate::compare::side::level_shifts(&clean, &stationary);
        let bounds = segments(n, &shifts);
        // The long-run variance as `compare` takes it: of the cleaned residuals around the
        // segments, or of the samples themselves when there are none.
        let lr: LongRun = if shifts.is_empty() {
            stationary
        } else {
            stats::long_run_variance(&residuals_around(&clean, &bounds)).with_simulated_df()
        };
        // The residuals with their periodic components, for the short windows.
        let raw = residuals_around(values, &bounds);
        let plain = raw.iter().map(|e| e * e).sum::<f64>() / n as f64;
        // A short persistent run's spread around its own mean understates a sample's
        // variance (the mean took part of it: about LRV / n per segment), and rests on few
        // degrees of freedom (about n (1 − S²) / (1 + S²) for persistence S): both are put
        // back, so that the bounds below hold early in a run too.
        let taken = if lr.supported {
            (shifts.len() + 1) as f64 * lr.lrv.max(0.0) / n as f64
        } else {
            0.0
        };
        let s = lr.persistence.clamp(0.0, 0.99);
        let variance_df = (n as f64 * (1.0 - s * s) / (1.0 + s * s)).max(1.0);
        let variance = (plain + taken.min(plain * n as f64)) * widening(variance_df, alpha);
        // Widened for its degrees of freedom, but never beyond n·γ₀: the mean of n samples
        // varies at most as much as one sample does, whatever their correlation — the
        // bound that keeps an estimate with almost no degrees of freedom (a smooth wave two
        // cycles long reads as AR(2) at a unit root, ν = 0.1) from an interval of ±100%.
        let widen = widening(lr.df, alpha);
        let lrv = lr
            .supported
            .then(|| (lr.lrv.max(0.0) * widen).min(n as f64 * variance));
        // The noise's memory in samples (LRV / γ₀), as estimated: how much longer than a
        // window a window's neighbours stay alike.
        let memory = if lr.supported && plain > 0.0 {
            (lr.lrv / plain).max(1.0)
        } else {
            n as f64
        };
        let windows = windows(n)
            .map(|w| (w, window_variance(&raw, w, variance, lrv, memory, alpha)))
            .collect();
        Some(Noise {
            samples: n,
            mean,
            lrv,
            df: lr.df,
            variance,
            windows,
            shifts: shifts.len(),
            step_spread: step_spread(values),
        })
    }

    /// The variance of a `w`-sample mean, if estimated.
    pub fn window(&self, w: usize) -> Option<f64> {
        self.windows.iter().find(|(k, _)| *k == w).map(|(_, v)| *v)
    }

    /// The same noise as shares of its mean (`None` for a zero mean): what a baseline hands
    /// to a candidate at another level.
    pub fn relative(&self) -> Option<Noise> {
        let m2 = self.mean * self.mean;
        (m2 > 0.0 && m2.is_finite()).then(|| Noise {
            lrv: self.lrv.map(|v| v / m2),
            variance: self.variance / m2,
            windows: self.windows.iter().map(|(w, v)| (*w, v / m2)).collect(),
            step_spread: self.step_spread / self.mean.abs(),
            mean: 1.0,
            ..self.clone()
        })
    }
}

/// 1.4826 × the median absolute deviation of the first differences of `values`.
fn step_spread(values: &[f64]) -> f64 {
    let mut d: Vec<f64> = values.windows(2).map(|w| w[1] - w[0]).collect();
    if d.is_empty() {
        return 0.0;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_unstable_by(f64::total_cmp);
        let k = v.len();
        if k % 2 == 1 {
            v[k / 2]
        } else {
            (v[k / 2 - 1] + v[k / 2]) / 2.0
        }
    };
    let centre = median(&mut d);
    let mut deviations: Vec<f64> = d.iter().map(|x| (x - centre).abs()).collect();
    1.4826 * median(&mut deviations)
}

/// The variance of the mean of `w` consecutive residuals: measured over every window of
/// `w` (bias-corrected for the mean taken out, widened for its degrees of freedom) where
/// there are [`DIRECT_FROM_WINDOWS`] of them and they give it at least
/// [`DIRECT_MIN_DF`] degrees of freedom, else bounded by `min(γ₀, LRV / w)`.
fn window_variance(
    residuals: &[f64],
    w: usize,
    variance: f64,
    lrv: Option<f64>,
    memory: f64,
    alpha: f64,
) -> f64 {
    let n = residuals.len();
    let bound = lrv.map_or(variance, |l| variance.min(l / w as f64));
    // Overlapping windows: about 3n / 2w degrees of freedom (batch-means theory), fewer
    // where a window is not much longer than the noise's memory.
    let direct_df = 1.5 * n as f64 / (w as f64 + memory) - 1.0;
    if n < DIRECT_FROM_WINDOWS * w || direct_df < DIRECT_MIN_DF {
        return bound;
    }
    let mut sum: f64 = residuals[..w].iter().sum();
    let mut squares = sum * sum;
    for t in w..n {
        sum += residuals[t] - residuals[t - w];
        squares += sum * sum;
    }
    let windows = (n - w + 1) as f64;
    let measured = squares / windows / (w * w) as f64;
    // Around the run's own mean, a window's mean varies less than around the truth, by
    // about the variance of the run's mean: put back.
    let measured = measured + lrv.map_or(variance, |l| l) / n as f64;
    measured * widening(direct_df, alpha)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar1(n: usize, phi: f64, sd: f64, seed: u64) -> Vec<f64> {
        let mut rng = crate::stats::rng::SplitMix(seed);
        let scale = (1.0 - phi * phi).sqrt();
        let mut x = rng.normal();
        (0..n)
            .map(|_| {
                let v = 100.0 + sd * x;
                x = phi * x + scale * rng.normal();
                v
            })
            .collect()
    }

    #[test]
    fn windows_double_up_to_half_the_run() {
        assert_eq!(windows(19).collect::<Vec<_>>(), Vec::<usize>::new());
        assert_eq!(windows(20).collect::<Vec<_>>(), vec![10]);
        assert_eq!(windows(460).collect::<Vec<_>>(), vec![10, 20, 40, 80, 160]);
    }

    #[test]
    fn a_step_is_structure_not_noise() {
        let mut x = ar1(200, 0.5, 2.0, 3);
        for v in &mut x[150..] {
            *v -= 70.0;
        }
        let noise = Noise::estimate(&x, 0.05).unwrap();
        assert_eq!(noise.shifts, 1);
        // the noise around the two levels is the AR(0.5)'s (sd 2: LRV 12), not the step's
        let lrv = noise.lrv.expect("a stable mean around the segments");
        assert!(lrv < 40.0, "{lrv}");
        assert!(noise.variance < 8.0, "{}", noise.variance);
    }

    /// The short windows' variance against the truth of an AR(1) at φ = 0.9, measured
    /// over many runs: never far below it (that would raise false alarms), and well below
    /// `LRV / w`, the bound used without enough windows.
    #[test]
    fn short_window_variance_is_measured_near_its_truth() {
        let (phi, sd, n, w) = (0.9f64, 1.0, 400, 20usize);
        // Var(mean of w) of an AR(1) with unit variance
        let truth = (1.0
            + 2.0
                * (1..w)
                    .map(|h| (1.0 - h as f64 / w as f64) * phi.powi(h as i32))
                    .sum::<f64>())
            / w as f64;
        let mut estimates: Vec<f64> = (0..200)
            .map(|s| {
                let x = ar1(n, phi, sd, 100 + s);
                Noise::estimate(&x, 0.05).unwrap().window(w).unwrap()
            })
            .collect();
        estimates.sort_by(f64::total_cmp);
        let median = estimates[estimates.len() / 2];
        let lrv_bound = (1.0 + phi) / (1.0 - phi) / w as f64;
        assert!(median > truth * 0.9, "median {median} truth {truth}");
        assert!(
            median < lrv_bound * 0.9,
            "median {median} LRV/w {lrv_bound}"
        );
        // widened for its degrees of freedom: above the truth in most runs, too small by a
        // third in few (a 20-sample mean's variance at φ = 0.9 measured over 400 samples
        // rests on about ten degrees of freedom)
        assert!(median < truth * 1.6, "median {median} truth {truth}");
        let low = estimates.iter().filter(|v| **v < truth / 1.5).count();
        assert!(low <= 24, "{low} of 200 below truth / 1.5");
    }
}
