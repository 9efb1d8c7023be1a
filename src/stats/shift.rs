//! Sustained level shifts inside one run (a run that starts well and collapses later).
//!
//! Binary segmentation with the weighted CUSUM statistic
//! `max_k |S_k − (k/n) S_n| / √(k (n − k) / n)`, standardized by the long-run variance of
//! the residuals around the two segment means (so a real shift does not inflate the noise
//! estimate). The weighting gives changes near either end of the run the same chance as
//! one in the middle, so a collapse in the last minutes is found; segments need only
//! [`MIN_SEGMENT`] samples.
//!
//! The critical value is the 99.9% quantile of the statistic under no shift, simulated for
//! a grid of run lengths (`shift_table`), widened for the uncertainty of the estimated
//! long-run variance (see [`critical_value`]): standardizing by a noisy estimate is what
//! made the plain test raise false alarms on strongly autocorrelated runs. The noise is the
//! upward-biased variance estimate (`LongRun::lrv_upper`), and never less than the plain
//! variance (a short run's autoregression reads chance anti-persistence into a rate window),
//! the safe side for a test. Steps
//! of a `rate()` ramp are merged into one shift; changes smaller than `min_relative` are not
//! reported, and where the residuals cannot support a variance estimate nothing is.

use serde::Serialize;

use super::longrun::long_run_variance;
use super::ratio::t_quantile;
use super::shift_table::QUANTILE_999;

/// The shortest segment a shift may create.
pub const MIN_SEGMENT: usize = 5;
/// The level of each test.
pub const ALPHA: f64 = 0.001;
const MAX_DEPTH: usize = 4;
/// Extra cuts tried when the residuals of one split cannot support a noise estimate.
const MAX_REFINE: usize = 2;
/// Behind refined cuts a step must be this many residual standard deviations high.
const OBVIOUS_STEP: f64 = 4.0;
/// Segments shorter than this many minimum segments between same-direction steps are
/// the ramp of one change.
const TRANSITION: usize = 3;

/// A shift between two adjacent segments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Shift {
    /// Index of the first sample at the new level.
    pub index: usize,
    /// Mean of the segment before.
    pub before: f64,
    /// Mean of the segment after.
    pub after: f64,
    /// after / before − 1 (`None` when `before` is 0).
    pub relative: Option<f64>,
    /// The standardized statistic when it was found, and the critical value it beat.
    pub statistic: f64,
    pub critical: f64,
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// The 99.9% null quantile for a run of `n` samples (log-linear interpolation; the table
/// is made monotone first, against simulation noise).
pub fn null_quantile(n: usize) -> f64 {
    let mut table = QUANTILE_999;
    for i in 1..table.len() {
        table[i].1 = table[i].1.max(table[i - 1].1);
    }
    let x = (n.max(2) as f64).ln();
    let first = table[0];
    if x <= first.0.ln() {
        return first.1;
    }
    for w in table.windows(2) {
        let (a, b) = (w[0], w[1]);
        if x <= b.0.ln() {
            let f = (x - a.0.ln()) / (b.0.ln() - a.0.ln());
            return a.1 + f * (b.1 - a.1);
        }
    }
    table[table.len() - 1].1
}

/// The critical value for `n` samples whose variance estimate has `df` degrees of freedom:
/// the null quantile widened by Student's t at `df² / (df + 4)` degrees of freedom. Plain
/// `df` models the estimate as χ²-distributed; an autoregressive variance underestimates
/// more often than that when persistence is high (few degrees of freedom), and the
/// shrunken `df` keeps false alarms under 1% up to lag-1 autocorrelation 0.98
/// (`cargo run --release --example calibrate`), while changing little for well-estimated
/// noise.
pub fn critical_value(n: usize, df: f64) -> f64 {
    let widen = if df.is_finite() {
        let shrunk = df * df / (df + 4.0);
        t_quantile(1.0 - ALPHA, shrunk) / t_quantile(1.0 - ALPHA, f64::INFINITY)
    } else {
        1.0
    };
    null_quantile(n) * widen
}

/// The position and raw weighted CUSUM value of the best split of `x`.
fn raw_split(x: &[f64], m: usize) -> Option<(usize, f64)> {
    let n = x.len();
    if n < 2 * m {
        return None;
    }
    let total: f64 = x.iter().sum();
    let mut s = 0.0;
    let mut best: Option<(usize, f64)> = None;
    for (i, v) in x.iter().enumerate().take(n - m) {
        s += v;
        let k = i + 1;
        if k < m {
            continue;
        }
        let kf = k as f64;
        let w = (kf * (n as f64 - kf) / n as f64).sqrt();
        let value = (s - kf / n as f64 * total).abs() / w;
        if best.is_none_or(|(_, b)| value > b) {
            best = Some((k, value));
        }
    }
    best
}

/// The best split of `x` (index of the first sample after it) with its standardized
/// statistic and critical value, if `x` is long enough to split.
///
/// The noise is estimated from the residuals around the two segments. When they cannot
/// support an estimate — most often because they still hold another step — the
/// segmentation is refined greedily (up to [`MAX_REFINE`] more cuts) and the noise taken
/// from around that; a split is then only accepted as an obvious step, at least
/// [`OBVIOUS_STEP`] residual standard deviations high.
pub fn best_split(x: &[f64], min_segment: usize) -> Option<(usize, f64, f64)> {
    split_of(x, min_segment, false)
}

/// [`best_split`], where `clear` also accepts an obvious step — [`OBVIOUS_STEP`] residual
/// standard deviations high with residuals that support a noise estimate — whatever the
/// test on the noise's degrees of freedom says (its statistic is then infinite).
fn split_of(x: &[f64], min_segment: usize, clear: bool) -> Option<(usize, f64, f64)> {
    let m = min_segment.max(1);
    let n = x.len();
    let (k, raw) = raw_split(x, m)?;
    let step = (mean(&x[..k]) - mean(&x[k..])).abs();
    let mut cuts = vec![0, k, n];
    let mut refined = false;
    let noise = loop {
        let residuals = residuals_around(x, &cuts);
        let lr = long_run_variance(&residuals);
        if lr.supported || cuts.len() - 2 > MAX_REFINE {
            break lr;
        }
        // Split the segment with the strongest remaining step.
        let Some((at, _)) = cuts
            .windows(2)
            .filter_map(|w| raw_split(&x[w[0]..w[1]], m).map(|(j, v)| (w[0] + j, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
        else {
            break lr;
        };
        cuts.push(at);
        cuts.sort_unstable();
        refined = true;
    };
    if !noise.supported {
        return Some((k, 0.0, f64::INFINITY));
    }
    let obvious = step >= OBVIOUS_STEP * noise.variance.sqrt();
    if refined && !obvious {
        return Some((k, 0.0, critical_value(n, noise.df)));
    }
    if clear && obvious {
        return Some((k, f64::INFINITY, critical_value(n, noise.df)));
    }
    // Anti-persistence is rare in what is measured here, and a short run's autoregression
    // finds it by chance (an MA(3) rate window's 30 blocks of four read as persistence
    // −0.3 in some runs, a quarter of the true long-run variance): for the test, the
    // noise is at least its plain variance — the safe side.
    let noise_lrv = noise.lrv_upper.max(noise.variance);
    let statistic = if noise_lrv > 0.0 {
        raw / noise_lrv.sqrt()
    } else if step > 1e-12 * mean(x).abs().max(1e-300) {
        f64::INFINITY
    } else {
        0.0
    };
    Some((k, statistic, critical_value(n, noise.df)))
}

/// Finds the level shifts of `x` (finite values in time order).
pub fn detect_shifts(x: &[f64], min_segment: usize, min_relative: f64) -> Vec<Shift> {
    shifts_of(x, min_segment, min_relative, false)
}

/// [`detect_shifts`] that also takes every obvious step (see [`split_of`]): for a run whose
/// samples have no stable mean, where the test's noise estimate rests on too few degrees
/// of freedom to find any step, however clear.
pub fn detect_clear_shifts(x: &[f64], min_segment: usize, min_relative: f64) -> Vec<Shift> {
    shifts_of(x, min_segment, min_relative, true)
}

fn shifts_of(x: &[f64], min_segment: usize, min_relative: f64, clear: bool) -> Vec<Shift> {
    let mut cuts: Vec<(usize, f64, f64)> = Vec::new();
    split(x, 0, (min_segment, min_relative, clear), 0, &mut cuts);
    cuts.sort_by_key(|c| c.0);
    merge_transitions(x, &mut cuts, min_segment);
    // Describe each cut by the means of the final segments around it.
    let mut bounds: Vec<usize> = vec![0];
    bounds.extend(cuts.iter().map(|c| c.0));
    bounds.push(x.len());
    cuts.iter()
        .enumerate()
        .map(|(i, &(index, statistic, critical))| {
            let before = mean(&x[bounds[i]..bounds[i + 1]]);
            let after = mean(&x[bounds[i + 1]..bounds[i + 2]]);
            Shift {
                index,
                before,
                after,
                relative: relative(before, after),
                statistic,
                critical,
            }
        })
        .filter(|s| s.relative.is_none_or(|r| r.abs() >= min_relative))
        .collect()
}

/// One change seen through a `rate()` window ramps over a few samples, and segmentation
/// may cut the ramp into steps. Steps in the same direction around a segment shorter than
/// [`TRANSITION`] × the minimum segment are one shift: the intermediate cut goes.
fn merge_transitions(x: &[f64], cuts: &mut Vec<(usize, f64, f64)>, min_segment: usize) {
    loop {
        let bounds = {
            let mut b = vec![0];
            b.extend(cuts.iter().map(|c| c.0));
            b.push(x.len());
            b
        };
        let means: Vec<f64> = bounds.windows(2).map(|w| mean(&x[w[0]..w[1]])).collect();
        // A short middle segment between two steps the same way: drop its second cut.
        let merge = (1..cuts.len()).find(|&i| {
            let short = bounds[i + 1] - bounds[i] < TRANSITION * min_segment.max(1);
            let up = means[i] > means[i - 1];
            short && up == (means[i + 1] > means[i])
        });
        match merge {
            Some(i) => {
                cuts.remove(i);
            }
            None => return,
        }
    }
}

fn relative(before: f64, after: f64) -> Option<f64> {
    if before == 0.0 {
        if after == 0.0 {
            Some(0.0)
        } else {
            None
        }
    } else {
        Some(after / before - 1.0)
    }
}

fn split(
    x: &[f64],
    offset: usize,
    (min_segment, min_relative, clear): (usize, f64, bool),
    depth: usize,
    cuts: &mut Vec<(usize, f64, f64)>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    let Some((k, statistic, critical)) = split_of(x, min_segment, clear) else {
        return;
    };
    if statistic <= critical {
        return;
    }
    let (left, right) = x.split_at(k);
    let size = relative(mean(left), mean(right));
    if size.is_some_and(|r| r.abs() < min_relative) {
        // Significant but too small to matter here; a big shift inside would have
        // dominated the statistic.
        return;
    }
    cuts.push((offset + k, statistic, critical));
    let rule = (min_segment, min_relative, clear);
    split(left, offset, rule, depth + 1, cuts);
    split(right, offset + k, rule, depth + 1, cuts);
}

/// Segment boundaries `[0, cut₁, …, n]` of `n` samples for `shifts`.
pub fn segments(n: usize, shifts: &[Shift]) -> Vec<usize> {
    let mut bounds: Vec<usize> = vec![0];
    bounds.extend(shifts.iter().map(|s| s.index));
    bounds.push(n);
    bounds
}

/// `x` minus the mean of its segment: what is left once the shifts are explained.
pub fn residuals_around(x: &[f64], bounds: &[usize]) -> Vec<f64> {
    bounds
        .windows(2)
        .flat_map(|w| {
            let seg = &x[w[0]..w[1]];
            let m = mean(seg);
            seg.iter().map(move |v| v - m)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::reference as r;

    #[test]
    fn finds_a_clean_collapse() {
        let mut x = vec![150.0; 200];
        x.extend(vec![45.0; 200]);
        let s = detect_shifts(&x, MIN_SEGMENT, 0.05);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].index, 200);
        assert_eq!((s[0].before, s[0].after), (150.0, 45.0));
        assert!((s[0].relative.unwrap() + 0.7).abs() < 1e-12);
    }

    #[test]
    fn finds_two_steps() {
        let mut x = vec![100.0; 100];
        x.extend(vec![80.0; 100]);
        x.extend(vec![40.0; 100]);
        let s = detect_shifts(&x, MIN_SEGMENT, 0.05);
        let idx: Vec<usize> = s.iter().map(|s| s.index).collect();
        assert_eq!(idx, vec![100, 200]);
        assert!((s[1].relative.unwrap() + 0.5).abs() < 1e-12);
    }

    #[test]
    fn finds_a_collapse_in_the_last_minutes() {
        let noisy = |i: usize| 1.0 + 0.02 * ((i * 7919 % 101) as f64 / 50.0 - 1.0);
        let mut x: Vec<f64> = (0..460).map(|i| 150.0 * noisy(i)).collect();
        for (i, v) in x.iter_mut().enumerate().skip(450) {
            *v = 30.0 * noisy(i);
        }
        let s = detect_shifts(&x, MIN_SEGMENT, 0.05);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].index, 450);
    }

    #[test]
    fn constant_and_short_series_have_none() {
        assert!(detect_shifts(&[5.0; 300], MIN_SEGMENT, 0.05).is_empty());
        assert!(detect_shifts(&[1.0, 9.0, 1.0], MIN_SEGMENT, 0.05).is_empty());
    }

    #[test]
    fn zero_before_has_no_relative_size() {
        let mut x = vec![0.0; 50];
        x.extend(vec![3.0; 50]);
        let s = detect_shifts(&x, MIN_SEGMENT, 0.05);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].relative, None);
    }

    #[test]
    fn statistic_matches_numpy_reimplementation() {
        let (k, stat, _) = best_split(&r::SHIFT_SERIES, MIN_SEGMENT).unwrap();
        assert_eq!(k, r::SHIFT_BEST.0);
        assert!(
            (stat - r::SHIFT_BEST.1).abs() <= 1e-9 * r::SHIFT_BEST.1,
            "{stat} vs {}",
            r::SHIFT_BEST.1
        );
    }

    #[test]
    fn critical_values_grow_with_length_and_doubt() {
        assert!(null_quantile(100) < null_quantile(10_000));
        assert!((null_quantile(10) - QUANTILE_999[0].1).abs() < 1e-12);
        assert!(critical_value(460, 5.0) > critical_value(460, 50.0));
        assert!((critical_value(460, f64::INFINITY) - null_quantile(460)).abs() < 1e-12);
    }
}
