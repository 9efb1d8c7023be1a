//! Sustained level shifts inside one run (a run that starts well and collapses later).
//!
//! Binary segmentation with the CUSUM statistic: the split that maximizes the cumulative
//! deviation from the mean is kept if `max|S_k| / √(n · LRV)` exceeds the 0.1% critical
//! value of the supremum of a Brownian bridge (1.95), where the long-run variance comes from
//! the residuals around the two segment means, so autocorrelation does not pass for a shift
//! and a real shift does not inflate the noise estimate. Segments shorter than
//! `min_segment` samples and changes smaller than `min_relative` are not reported.

use serde::Serialize;

use super::longrun::long_run_variance;

/// Critical value of sup|B(t)| for a Brownian bridge at the 0.1% level
/// (Kolmogorov distribution: P(K > 1.95) ≈ 0.001).
pub const CRITICAL_VALUE: f64 = 1.95;
const MAX_DEPTH: usize = 4;

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
    /// The standardized CUSUM statistic when it was found.
    pub statistic: f64,
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// The best split of `x` (index of the first sample after it) and its statistic.
pub fn best_split(x: &[f64], min_segment: usize) -> Option<(usize, f64)> {
    let n = x.len();
    if n < 2 * min_segment.max(2) {
        return None;
    }
    let m = mean(x);
    let mut cusum = 0.0;
    let mut best: Option<(usize, f64)> = None;
    for (i, v) in x.iter().enumerate().take(n - min_segment) {
        cusum += v - m;
        let k = i + 1;
        if k >= min_segment.max(1) && best.is_none_or(|(_, b)| cusum.abs() > b) {
            best = Some((k, cusum.abs()));
        }
    }
    let (k, s) = best?;
    let (left, right) = x.split_at(k);
    let (ml, mr) = (mean(left), mean(right));
    let residuals: Vec<f64> = left
        .iter()
        .map(|v| v - ml)
        .chain(right.iter().map(|v| v - mr))
        .collect();
    let lrv = long_run_variance(&residuals).lrv;
    let statistic = if lrv > 0.0 {
        s / (n as f64 * lrv).sqrt()
    } else if s > 1e-12 * m.abs().max(1e-300) * n as f64 {
        f64::INFINITY
    } else {
        0.0
    };
    Some((k, statistic))
}

/// Finds the level shifts of `x` (finite values in time order).
pub fn detect_shifts(x: &[f64], min_segment: usize, min_relative: f64) -> Vec<Shift> {
    let mut cuts: Vec<(usize, f64)> = Vec::new();
    split(x, 0, min_segment, min_relative, 0, &mut cuts);
    cuts.sort_by_key(|c| c.0);
    // Describe each cut by the means of the final segments around it.
    let mut bounds: Vec<usize> = vec![0];
    bounds.extend(cuts.iter().map(|c| c.0));
    bounds.push(x.len());
    cuts.iter()
        .enumerate()
        .map(|(i, &(index, statistic))| {
            let before = mean(&x[bounds[i]..bounds[i + 1]]);
            let after = mean(&x[bounds[i + 1]..bounds[i + 2]]);
            Shift {
                index,
                before,
                after,
                relative: relative(before, after),
                statistic,
            }
        })
        .filter(|s| s.relative.is_none_or(|r| r.abs() >= min_relative))
        .collect()
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
    min_segment: usize,
    min_relative: f64,
    depth: usize,
    cuts: &mut Vec<(usize, f64)>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    let Some((k, statistic)) = best_split(x, min_segment) else {
        return;
    };
    if statistic <= CRITICAL_VALUE {
        return;
    }
    let (left, right) = x.split_at(k);
    let size = relative(mean(left), mean(right));
    if size.is_some_and(|r| r.abs() < min_relative) {
        // Significant but too small to matter here; smaller pieces may still hold a big one.
        // Stop: a big shift inside would have dominated the CUSUM.
        return;
    }
    cuts.push((offset + k, statistic));
    split(left, offset, min_segment, min_relative, depth + 1, cuts);
    split(
        right,
        offset + k,
        min_segment,
        min_relative,
        depth + 1,
        cuts,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::reference as r;

    #[test]
    fn finds_a_clean_collapse() {
        let mut x = vec![150.0; 200];
        x.extend(vec![45.0; 200]);
        let s = detect_shifts(&x, 10, 0.05);
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
        let s = detect_shifts(&x, 10, 0.05);
        let idx: Vec<usize> = s.iter().map(|s| s.index).collect();
        assert_eq!(idx, vec![100, 200]);
        assert!((s[1].relative.unwrap() + 0.5).abs() < 1e-12);
    }

    #[test]
    fn constant_and_short_series_have_none() {
        assert!(detect_shifts(&[5.0; 300], 10, 0.05).is_empty());
        assert!(detect_shifts(&[1.0, 9.0, 1.0], 10, 0.05).is_empty());
    }

    #[test]
    fn zero_before_has_no_relative_size() {
        let mut x = vec![0.0; 50];
        x.extend(vec![3.0; 50]);
        let s = detect_shifts(&x, 10, 0.05);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].relative, None);
    }

    #[test]
    fn cusum_statistic_matches_numpy_reimplementation() {
        let (k, stat) = best_split(&r::SHIFT_SERIES, 10).unwrap();
        assert_eq!(k, r::SHIFT_BEST.0);
        assert!(
            (stat - r::SHIFT_BEST.1).abs() <= 1e-9 * r::SHIFT_BEST.1,
            "{stat} vs {}",
            r::SHIFT_BEST.1
        );
    }
}
