//! Periodic components (GC cycles, an hourly job) found in the periodogram and regressed
//! out before the long-run variance is estimated.
//!
//! A slow oscillation is not noise at frequency zero: averaged over a window of several
//! periods it contributes almost nothing to the uncertainty of the mean, but an
//! autoregressive fit mistakes it for strong persistence and makes intervals several times
//! too wide. A component is taken when its periodogram ordinate exceeds `ln(M / α)` times
//! the larger of the median ordinates on either side of it (`M` frequencies tested,
//! α = 0.1%): against a red-noise background the side nearer frequency zero is the higher
//! one, so persistence alone does not pass for a peak. Only periods with at least three
//! cycles in the window are looked for (fewer are a drift, not a cycle), at most four
//! components (a sawtooth's harmonics). The window mean of a removed component is not zero
//! when the window holds no whole number of periods: its expected square over a random
//! phase is returned and added to the variance of the mean.

/// Family-wise level of the peak test.
const ALPHA: f64 = 0.001;
/// At most this many components are removed.
const MAX_COMPONENTS: usize = 4;
/// Periods need at least this many cycles in the window.
const MIN_CYCLES: usize = 3;
/// Neighbouring frequencies on each side that form the background.
const NEIGHBOURS: usize = 10;
/// The periodogram is computed on at most this many points (block means of longer series).
const MAX_POINTS: usize = 1024;

/// What was removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Periodic {
    /// The series with the components regressed out (same length, same mean).
    pub residual: Vec<f64>,
    /// Periods of the removed components, in samples.
    pub periods: Vec<f64>,
    /// Expected square of the removed components' window mean (a variance of the mean).
    pub mean_variance: f64,
}

/// Periodogram ordinates `I_j = |Σ d_t e^{-2πijt/n}|² / n` for `j` in `from..=to`.
fn periodogram(d: &[f64], from: usize, to: usize) -> Vec<f64> {
    // Goertzel's recurrence: one multiplication per sample, |X_j|² at the end. Each step
    // waits for the one before, so several frequencies run side by side in one pass over
    // the data (the same operations in the same order for each: the same ordinates).
    const LANES: usize = 16;
    let n = d.len();
    let frequencies: Vec<usize> = (from..=to).collect();
    let mut out = Vec::with_capacity(frequencies.len());
    for group in frequencies.chunks(LANES) {
        let mut coefficient = [0.0f64; LANES];
        for (c, &j) in coefficient.iter_mut().zip(group) {
            *c = 2.0 * (2.0 * std::f64::consts::PI * j as f64 / n as f64).cos();
        }
        let (mut s1, mut s2) = ([0.0f64; LANES], [0.0f64; LANES]);
        for &x in d {
            for k in 0..LANES {
                let s0 = x + coefficient[k] * s1[k] - s2[k];
                s2[k] = s1[k];
                s1[k] = s0;
            }
        }
        for k in 0..group.len() {
            let c = coefficient[k];
            out.push((s1[k] * s1[k] + s2[k] * s2[k] - c * s1[k] * s2[k]) / n as f64);
        }
    }
    out
}

/// The median of at most [`NEIGHBOURS`] values, sorted in a copy on the stack.
fn median_of(values: &[f64]) -> f64 {
    let mut copy = [0.0; NEIGHBOURS];
    let v = &mut copy[..values.len()];
    v.copy_from_slice(values);
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The strongest periodic peak of `d` (mean zero), as a frequency in cycles per sample.
fn strongest_peak(d: &[f64]) -> Option<f64> {
    // Block means keep the cost bounded on long runs; slow cycles survive them.
    let k = d.len().div_ceil(MAX_POINTS).max(1);
    let blocks: Vec<f64> = d
        .chunks_exact(k)
        .map(|c| c.iter().sum::<f64>() / k as f64)
        .collect();
    let m = blocks.len();
    let highest = m / 4;
    if highest < MIN_CYCLES + NEIGHBOURS.min(3) {
        return None;
    }
    let from = 1;
    let to = (m / 2).max(1);
    // Peaks are looked for up to `highest`, their backgrounds reach NEIGHBOURS further:
    // ordinates beyond are never read (computing them doubled the cost).
    let ordinates = periodogram(&blocks, from, (highest + NEIGHBOURS).min(to));
    let at = |j: usize| ordinates[j - from];
    let tested = (MIN_CYCLES..=highest).count();
    let threshold = (tested as f64 / ALPHA).ln();
    let mut best: Option<(usize, f64)> = None;
    for j in MIN_CYCLES..=highest {
        let left = j.saturating_sub(NEIGHBOURS).max(from)..j.saturating_sub(1);
        let right = j + 2..(j + NEIGHBOURS).min(to) + 1;
        if left.len() < 2 || right.len() < 3 {
            continue;
        }
        let background = median_of(&ordinates[left.start - from..left.end - from])
            .max(median_of(&ordinates[right.start - from..right.end - from]))
            / 2f64.ln();
        if background <= 0.0 {
            continue;
        }
        let ratio = at(j) / background;
        if ratio > threshold && best.is_none_or(|(_, r)| ratio > r) {
            best = Some((j, ratio));
        }
    }
    best.map(|(j, _)| j as f64 / (m * k) as f64)
}

/// Solves the small symmetric system `a x = b` by Gaussian elimination with pivoting.
pub(crate) fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 * a[pivot].iter().map(|v| v.abs()).fold(0.0, f64::max) {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (offset, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row.iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// The least-squares fit of `d` on cosines and sines at `f` and half a frequency step on
/// either side (a peak between Fourier frequencies leaks into both).
fn fit_sinusoid(d: &[f64], f: f64) -> Option<Vec<f64>> {
    let n = d.len();
    let freqs = [f - 0.5 / n as f64, f, f + 0.5 / n as f64];
    let columns: Vec<Vec<f64>> = freqs
        .iter()
        .flat_map(|&g| {
            let w = 2.0 * std::f64::consts::PI * g;
            [
                (0..n).map(|t| (w * t as f64).cos()).collect::<Vec<f64>>(),
                (0..n).map(|t| (w * t as f64).sin()).collect::<Vec<f64>>(),
            ]
        })
        .collect();
    let p = columns.len();
    let gram: Vec<Vec<f64>> = (0..p)
        .map(|i| {
            (0..p)
                .map(|j| columns[i].iter().zip(&columns[j]).map(|(a, b)| a * b).sum())
                .collect()
        })
        .collect();
    let rhs: Vec<f64> = columns
        .iter()
        .map(|c| c.iter().zip(d).map(|(a, b)| a * b).sum())
        .collect();
    let beta = solve(gram, rhs)?;
    Some(
        (0..n)
            .map(|t| (0..p).map(|i| beta[i] * columns[i][t]).sum())
            .collect(),
    )
}

/// Finds and removes periodic components of `x`.
pub fn remove_periodic(x: &[f64]) -> Periodic {
    let n = x.len();
    let mean = if n == 0 {
        0.0
    } else {
        x.iter().sum::<f64>() / n as f64
    };
    let mut d: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let mut periods = Vec::new();
    let mut mean_variance = 0.0;
    for _ in 0..MAX_COMPONENTS {
        let Some(f) = strongest_peak(&d) else { break };
        let Some(fitted) = fit_sinusoid(&d, f) else {
            break;
        };
        let fitted_mean = fitted.iter().sum::<f64>() / n as f64;
        let power = fitted
            .iter()
            .map(|v| (v - fitted_mean).powi(2))
            .sum::<f64>()
            / n as f64;
        let amplitude = (2.0 * power).sqrt();
        mean_variance += (amplitude / (n as f64 * (std::f64::consts::PI * f).sin())).powi(2) / 2.0;
        for (v, g) in d.iter_mut().zip(&fitted) {
            *v -= g - fitted_mean;
        }
        periods.push(1.0 / f);
    }
    Periodic {
        residual: d.iter().map(|v| v + mean).collect(),
        periods,
        mean_variance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<f64> {
        // a deterministic AR(0.5) sequence from splitmix64
        let mut state = seed;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let mut x = 0.0;
        (0..n)
            .map(|_| {
                x = 0.5 * x + next();
                x
            })
            .collect()
    }

    #[test]
    fn finds_and_removes_a_cycle() {
        let n = 460;
        let x: Vec<f64> = noise(n, 1)
            .iter()
            .enumerate()
            .map(|(t, e)| 100.0 + e + 0.8 * (2.0 * std::f64::consts::PI * t as f64 / 40.0).sin())
            .collect();
        let p = remove_periodic(&x);
        assert!(!p.periods.is_empty());
        assert!((p.periods[0] - 40.0).abs() < 2.0, "{:?}", p.periods);
        let before: f64 = x.iter().map(|v| (v - 100.0).powi(2)).sum();
        let after: f64 = p.residual.iter().map(|v| (v - 100.0).powi(2)).sum();
        assert!(after < before / 2.0, "{after} vs {before}");
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!((mean(&p.residual) - mean(&x)).abs() < 1e-9);
    }

    #[test]
    fn noise_and_trends_are_left_alone() {
        assert!(remove_periodic(&noise(460, 7)).periods.is_empty());
        let trend: Vec<f64> = (0..300).map(|t| t as f64 * 0.1).collect();
        assert!(remove_periodic(&trend).periods.is_empty());
        assert!(remove_periodic(&[1.0; 50]).periods.is_empty());
        assert!(remove_periodic(&[]).periods.is_empty());
    }

    #[test]
    fn periodogram_matches_numpy_fft() {
        let d = crate::stats::reference::PERIODOGRAM_SERIES;
        let got = periodogram(&d, 1, 5);
        for (j, expected) in crate::stats::reference::PERIODOGRAM_1_TO_5
            .iter()
            .enumerate()
        {
            assert!(
                (got[j] - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "I_{} = {} vs {expected}",
                j + 1,
                got[j]
            );
        }
    }
}
