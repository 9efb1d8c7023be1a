//! A change point in a sequence of run means (a weekly history): the split into a before
//! and an after of at least `min_segment` runs each whose means differ most by Welch's t,
//! with its p-value Bonferroni-adjusted for the splits tried — the t-test split of
//! Hunter/Otava, kept to one split. A minimum segment of three runs means one outlier week
//! is never a change point. Reference values: scipy `ttest_ind(equal_var=False)`.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The best split of a sequence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split {
    /// Index of the first run after the change.
    pub at: usize,
    pub before: f64,
    pub after: f64,
    /// Welch's t of after against before.
    pub t: f64,
    /// Two-sided p-value of that split alone.
    pub p: f64,
    /// `p` times the number of splits tried (at most 1).
    pub p_adjusted: f64,
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v)
}

/// Welch's t (b against a) and its two-sided p-value.
pub fn welch(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let ((ma, va), (mb, vb)) = (mean_var(a), mean_var(b));
    let (sa, sb) = (va / a.len() as f64, vb / b.len() as f64);
    let se2 = sa + sb;
    if se2 <= 0.0 {
        // Identical runs on each side: any difference is exact.
        return Some(if ma == mb {
            (0.0, 1.0)
        } else {
            ((mb - ma).signum() * f64::INFINITY, 0.0)
        });
    }
    let t = (mb - ma) / se2.sqrt();
    let df = se2 * se2 / (sa * sa / (a.len() as f64 - 1.0) + sb * sb / (b.len() as f64 - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((t, 2.0 * (1.0 - dist.cdf(t.abs()))))
}

/// The split with the smallest p-value among those leaving `min_segment` runs on each side.
pub fn best_split(means: &[f64], min_segment: usize) -> Option<Split> {
    let min = min_segment.max(2);
    if means.len() < 2 * min {
        return None;
    }
    let splits = means.len() - 2 * min + 1;
    (min..=means.len() - min)
        .filter_map(|at| {
            let (a, b) = means.split_at(at);
            let (t, p) = welch(a, b)?;
            Some(Split {
                at,
                before: mean_var(a).0,
                after: mean_var(b).0,
                t,
                p,
                p_adjusted: (p * splits as f64).min(1.0),
            })
        })
        .min_by(|x, y| x.p.total_cmp(&y.p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_matches_scipy() {
        let a = [150.0, 151.0, 149.0, 150.5, 149.5, 150.2, 150.1];
        let b = [138.0, 139.0, 137.5, 138.4, 138.9];
        let (t, p) = welch(&b, &a).unwrap();
        assert!((t - 31.334943337873256).abs() < 1e-9, "{t}");
        assert!((p - 1.7618769705976178e-10).abs() < 1e-15, "{p}");
        let a = [150.0, 151.0, 149.0];
        let b = [150.5, 135.0, 150.2, 150.1, 149.8, 150.3];
        let (t, p) = welch(&b, &a).unwrap();
        assert!((t - 0.9049736107834611).abs() < 1e-9 && (p - 0.40340178218041645).abs() < 1e-9);
    }

    #[test]
    fn a_step_is_found_and_an_outlier_is_not() {
        let step = [
            150.0, 151.0, 149.0, 150.5, 149.5, 150.2, 150.1, 138.0, 139.0, 137.5, 138.4, 138.9,
        ];
        let s = best_split(&step, 3).unwrap();
        assert_eq!(s.at, 7);
        assert!(s.p_adjusted < 0.001);
        let outlier = [
            150.0, 151.0, 149.0, 150.5, 149.5, 135.0, 150.2, 150.1, 149.8, 150.3, 150.6, 149.7,
        ];
        let s = best_split(&outlier, 3).unwrap();
        assert!(s.p_adjusted > 0.05, "{s:?}");
        assert!(best_split(&step[..5], 3).is_none());
    }
}
