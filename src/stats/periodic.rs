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
//! components.
//!
//! Periodic load is rarely a sine: an hourly job that takes 30% of the throughput for ten
//! minutes is a square pulse, GC cycles a sawtooth. So the period found is refined by the
//! power of its harmonics together, and shapes at that period are fitted — a sinusoid (at
//! the peak and half a frequency step either side, six coefficients), a harmonic series of
//! one to twenty harmonics (two coefficients each), and the mean of each phase of the cycle
//! (as many coefficients as phases: any shape) — and the one with the smallest BIC is
//! removed. Every coefficient removed is counted (`parameters`): the residual
//! noise is that much smaller than the noise itself, which the long-run variance corrects.
//! The window mean of a removed component is not zero when the window holds no whole number
//! of periods: its expected square over a random phase is returned and added to the
//! variance of the mean.

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

/// Harmonics whose power refines a period (the fundamental and those above it).
const HARMONICS: usize = 8;

/// What was removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Periodic {
    /// The series with the components regressed out (same length, same mean).
    pub residual: Vec<f64>,
    /// Periods of the removed components, in samples.
    pub periods: Vec<f64>,
    /// Expected square of the removed components' window mean (a variance of the mean).
    pub mean_variance: f64,
    /// Coefficients fitted to remove them (degrees of freedom the residuals lost).
    pub parameters: usize,
}

/// The frequency near `f` (within a Fourier step either way) where the fundamental and its
/// harmonics together carry the most power: a square pulse or a sawtooth spreads its power
/// over harmonics, which pin the period down more finely than the fundamental alone.
fn refine(d: &[f64], f: f64) -> f64 {
    const GRID: usize = 40;
    let n = d.len() as f64;
    let best_within = |centre: f64, reach: f64| {
        let grid: Vec<f64> = (0..=GRID)
            .map(|i| centre + (i as f64 / GRID as f64 * 2.0 - 1.0) * reach)
            .filter(|g| *g > 0.0)
            .collect();
        // Every grid frequency's harmonics below the Nyquist frequency, in one pass of lanes.
        let harmonics = |g: f64| (1..=HARMONICS).take_while(move |h| *h as f64 * g < 0.5);
        let coefficients: Vec<f64> = grid
            .iter()
            .flat_map(|&g| harmonics(g).map(move |h| goertzel_coefficient(h as f64 * g)))
            .collect();
        let ordinates = goertzel(d, &coefficients);
        let mut at = 0;
        grid.iter()
            .map(|&g| {
                let count = harmonics(g).count();
                let power: f64 = ordinates[at..at + count].iter().sum();
                at += count;
                (g, power)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(centre, |(g, _)| g)
    };
    // A Fourier step either way, then the best grid step either way of the best.
    let coarse = best_within(f, 1.0 / n);
    best_within(coarse, 2.0 / (GRID as f64 * n))
}

/// The mean of each phase of a cycle of frequency `f`: the cycle is cut into as many phases
/// as it has samples (rounded), and every sample belongs to the phase its time falls in.
/// Returns the fitted values (centred on the phases' common mean) and the number of
/// coefficients (phases with samples, less the one the centring takes).
fn fit_phases(d: &[f64], f: f64) -> Option<(Vec<f64>, usize)> {
    let phases = (1.0 / f).round() as usize;
    if phases < 2 {
        return None;
    }
    // The phase's index, with a little slack so that `t / period` landing a hair below a
    // whole number (120 · (1/120) = 0.99999…) does not put the cycle's first sample last.
    let phase_of = |t: usize| ((t as f64 * f * phases as f64 + 1e-6).floor() as usize) % phases;
    let (mut sum, mut count) = (vec![0.0; phases], vec![0usize; phases]);
    for (t, v) in d.iter().enumerate() {
        sum[phase_of(t)] += v;
        count[phase_of(t)] += 1;
    }
    let used = count.iter().filter(|c| **c > 0).count();
    // Each phase needs at least two samples, or its mean is the sample itself.
    if count.contains(&1) || used < 2 {
        return None;
    }
    let means: Vec<f64> = sum
        .iter()
        .zip(&count)
        .map(|(s, c)| if *c > 0 { s / *c as f64 } else { 0.0 })
        .collect();
    // Centred so that a whole cycle averages to zero (each phase weighted equally).
    let centre = means.iter().sum::<f64>() / used as f64;
    Some((
        (0..d.len()).map(|t| means[phase_of(t)] - centre).collect(),
        used - 1,
    ))
}

/// Most harmonics a fitted harmonic series has.
const MAX_HARMONICS: usize = 20;

/// `Σ_{t<n} cos(ωt)` and `Σ_{t<n} sin(ωt)`, in closed form: the sum of `e^{iωt}` is
/// `e^{iω(n−1)/2} · sin(nω/2) / sin(ω/2)` (Dirichlet's kernel), and `n` at `ω = 0`.
fn trig_sums(omega: f64, n: usize) -> (f64, f64) {
    let half = omega / 2.0;
    if half.sin() == 0.0 {
        return (n as f64 * (half * 2.0).cos(), 0.0);
    }
    let kernel = (n as f64 * half).sin() / half.sin();
    let centre = half * (n as f64 - 1.0);
    (centre.cos() * kernel, centre.sin() * kernel)
}

/// A regressor `cos(ωt)` or `sin(ωt)`.
#[derive(Clone, Copy)]
enum Wave {
    Cos(f64),
    Sin(f64),
}

/// The cross products `Σ_{t<n} a(t) b(t)` of the regressors, from the product-to-sum
/// identities and [`trig_sums`]: a few operations each instead of a pass over the series
/// (and as exact, the sums being summed in closed form rather than term by term).
fn gram(waves: &[Wave], n: usize) -> Vec<Vec<f64>> {
    let cross = |a: Wave, b: Wave| -> f64 {
        let (x, y, product_of_sines) = match (a, b) {
            (Wave::Cos(x), Wave::Cos(y)) => (x, y, false),
            (Wave::Sin(x), Wave::Sin(y)) => (x, y, true),
            // sin(xt)·cos(yt) = ½[sin((x+y)t) + sin((x−y)t)]
            (Wave::Sin(x), Wave::Cos(y)) | (Wave::Cos(y), Wave::Sin(x)) => {
                return (trig_sums(x + y, n).1 + trig_sums(x - y, n).1) / 2.0;
            }
        };
        // cos·cos = ½[cos((x−y)t) + cos((x+y)t)], sin·sin = ½[cos((x−y)t) − cos((x+y)t)]
        let (difference, sum) = (trig_sums(x - y, n).0, trig_sums(x + y, n).0);
        if product_of_sines {
            (difference - sum) / 2.0
        } else {
            (difference + sum) / 2.0
        }
    };
    let p = waves.len();
    let mut gram = vec![vec![0.0; p]; p];
    for i in 0..p {
        for j in i..p {
            let c = cross(waves[i], waves[j]);
            gram[i][j] = c;
            gram[j][i] = c;
        }
    }
    gram
}

/// The harmonic regressors at time `t`: `cos(hθ), sin(hθ)` for `h = 1, 2, …` into `out`
/// (`θ = 2πft`), the higher harmonics by rotation from the fundamental.
fn harmonic_values(f: f64, t: usize, out: &mut [f64]) {
    let theta = 2.0 * std::f64::consts::PI * f * t as f64;
    let (c1, s1) = (theta.cos(), theta.sin());
    let (mut c, mut s) = (c1, s1);
    for pair in out.chunks_exact_mut(2) {
        pair[0] = c;
        pair[1] = s;
        (c, s) = (c * c1 - s * s1, s * c1 + c * s1);
    }
}

/// Least-squares fits of harmonic series at one frequency, fewest harmonics first.
struct HarmonicSeries {
    f: f64,
    fits: Vec<HarmonicFit>,
}

/// The fit of `k / 2` harmonics (`cos, sin` at `f, 2f, …`).
struct HarmonicFit {
    k: usize,
    beta: Vec<f64>,
    rss: f64,
}

impl HarmonicSeries {
    /// The fitted values of `fit`.
    fn fitted(&self, fit: &HarmonicFit, n: usize) -> Vec<f64> {
        harmonic_fitted(self.f, &fit.beta, n).collect()
    }
}

/// The values at `t = 0, 1, …, n − 1` of the harmonic series at `f` with coefficients
/// `beta` (`cos, sin` at `f, 2f, …`).
fn harmonic_fitted(f: f64, beta: &[f64], n: usize) -> impl Iterator<Item = f64> + '_ {
    let mut basis = vec![0.0; beta.len()];
    (0..n).map(move |t| {
        harmonic_values(f, t, &mut basis);
        beta.iter().zip(&basis).map(|(b, x)| b * x).sum()
    })
}

/// Harmonic series at frequency `f`: for each number of harmonics `h` (1 to the most that
/// fit below the Nyquist frequency, at most `at_most` and [`MAX_HARMONICS`]), the
/// least-squares fit. The cross products of the regressors are in closed form ([`gram`]),
/// their products with the data take one pass, and each fit solves the leading block of
/// the normal equations. A fit's residual sum of squares is `d'd − β'X'd`, summed
/// directly only where that difference loses more than six digits to cancellation.
fn fit_harmonics(d: &[f64], f: f64, at_most: usize) -> HarmonicSeries {
    let n = d.len();
    let most = ((0.5 / f).ceil() as usize)
        .saturating_sub(1)
        .min(at_most)
        .min(n / 8);
    let mut series = HarmonicSeries {
        f,
        fits: Vec::new(),
    };
    if most == 0 {
        return series;
    }
    let p = 2 * most;
    let w = 2.0 * std::f64::consts::PI * f;
    let waves: Vec<Wave> = (1..=most)
        .flat_map(|h| [Wave::Cos(w * h as f64), Wave::Sin(w * h as f64)])
        .collect();
    let gram = gram(&waves, n);
    let (mut rhs, mut basis) = (vec![0.0; p], vec![0.0; p]);
    for (t, v) in d.iter().enumerate() {
        harmonic_values(f, t, &mut basis);
        for (r, x) in rhs.iter_mut().zip(&basis) {
            *r += v * x;
        }
    }
    let squares: f64 = d.iter().map(|v| v * v).sum();
    for h in 1..=most {
        let k = 2 * h;
        let sub: Vec<Vec<f64>> = gram[..k].iter().map(|row| row[..k].to_vec()).collect();
        let Some(beta) = solve(sub, rhs[..k].to_vec()) else {
            continue;
        };
        let explained: f64 = beta.iter().zip(&rhs).map(|(b, r)| b * r).sum();
        let mut rss = squares - explained;
        // Cancellation leaves too few digits in the difference when the fit explains
        // nearly all (or a NaN spoils it): sum the residuals directly then.
        let cancelled = rss.partial_cmp(&(1e-6 * squares)) != Some(std::cmp::Ordering::Greater);
        if cancelled {
            rss = d
                .iter()
                .zip(harmonic_fitted(f, &beta, n))
                .map(|(v, fitted)| (v - fitted).powi(2))
                .sum();
        }
        series.fits.push(HarmonicFit { k, beta, rss });
    }
    series
}

/// Expected square, over a uniformly random phase of the cycle, of the window mean of a
/// component with one cycle's values `cycle` (zero mean), seen for `n` samples. Whole cycles
/// average to zero; what is left over is the part of a cycle at the end.
fn window_mean_square(cycle: &[f64], n: usize) -> f64 {
    let p = cycle.len();
    if p == 0 || n == 0 {
        return 0.0;
    }
    let rest = n % p;
    // At most 64 starting phases, evenly spread.
    let starts = p.min(64);
    (0..starts)
        .map(|k| {
            let s = k * p / starts;
            let partial: f64 = (0..rest).map(|t| cycle[(s + t) % p]).sum();
            (partial / n as f64).powi(2)
        })
        .sum::<f64>()
        / starts as f64
}

/// Goertzel's coefficient `2 cos(2πf)` for frequency `f` (cycles per sample).
fn goertzel_coefficient(f: f64) -> f64 {
    2.0 * (2.0 * std::f64::consts::PI * f).cos()
}

/// Periodogram ordinates `|Σ d_t e^{-2πift}|² / n`, one for each Goertzel coefficient
/// `2 cos(2πf)`. The recurrence takes one multiplication per sample, but each step waits
/// for the one before, so several frequencies run side by side in one pass over the data
/// (the same operations in the same order for each as one at a time: the same ordinates).
fn goertzel(d: &[f64], coefficients: &[f64]) -> Vec<f64> {
    const LANES: usize = 16;
    let n = d.len();
    let mut out = Vec::with_capacity(coefficients.len());
    for group in coefficients.chunks(LANES) {
        let mut coefficient = [0.0f64; LANES];
        coefficient[..group.len()].copy_from_slice(group);
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

/// Periodogram ordinates `I_j = |Σ d_t e^{-2πijt/n}|² / n` for `j` in `from..=to`.
fn periodogram(d: &[f64], from: usize, to: usize) -> Vec<f64> {
    let n = d.len() as f64;
    let coefficients: Vec<f64> = (from..=to)
        .map(|j| 2.0 * (2.0 * std::f64::consts::PI * j as f64 / n).cos())
        .collect();
    goertzel(d, &coefficients)
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

/// The frequency (cycles per sample) of the most significant cycle in `d` (mean zero).
///
/// An ordinate is significant when it exceeds `ln(M / α)` times its background (M
/// frequencies tried): the larger of the medians of the neighbouring ordinates on either
/// side (the side nearer zero is higher under red noise, so persistence does not pass for a
/// cycle), leaving out the bands of the candidate and its harmonics — a pulse or a sawtooth
/// puts much of its power there, and counting it as background raised the bar the
/// fundamental had to clear (an hourly job that takes 30% of the throughput for ten minutes
/// was found in 44% of 3 h 50 min runs; now in 92%). The strongest ordinate may be a
/// harmonic of a weaker fundamental (a pulse of a sixth of its period has nearly as much
/// power in its second harmonic as in its first): the cycle is the lowest significant
/// frequency it is a multiple of.
fn strongest_peak(d: &[f64]) -> Option<f64> {
    // Block means keep the cost bounded on long runs; slow cycles survive them.
    let k = d.len().div_ceil(MAX_POINTS).max(1);
    let blocks: Vec<f64> = d
        .chunks_exact(k)
        .map(|c| c.iter().sum::<f64>() / k as f64)
        .collect();
    let m = blocks.len();
    // Samples as they are: every period above two samples (a job every 15 minutes at a
    // 5-minute step is a period of 3, and an autoregression reads such a cycle's lags as
    // persistence). Block means: periods of four blocks and more (shorter ones are what
    // the averaging attenuates and folds onto other frequencies).
    let highest = if k == 1 {
        m.saturating_sub(1) / 2
    } else {
        m / 4
    };
    if highest < MIN_CYCLES + NEIGHBOURS.min(3) {
        return None;
    }
    let to = (m / 2).max(1);
    // Peaks are looked for up to `highest`, their backgrounds reach NEIGHBOURS further:
    // ordinates beyond are never read; beyond the Nyquist frequency they are its mirror.
    let ordinates = periodogram(&blocks, 1, (highest + NEIGHBOURS).min(to));
    let at = |i: usize| ordinates[if i > to { m - i } else { i } - 1];
    // Whether bin `i` lies in the band of bin `j` or of one of its harmonics.
    let harmonic_of =
        |i: usize, j: usize| (1..=i / j + 1).any(|h| (i as i64 - (h * j) as i64).abs() <= 1);
    let median_without = |range: std::ops::Range<usize>, j: usize| -> Option<(f64, usize)> {
        let mut values = [0.0; NEIGHBOURS];
        let mut len = 0;
        for i in range.filter(|i| !harmonic_of(*i, j)) {
            values[len] = at(i);
            len += 1;
        }
        (len > 0).then(|| (median_of(&values[..len]), len))
    };
    let threshold = ((MIN_CYCLES..=highest).count() as f64 / ALPHA).ln();
    // (bin, ordinate over background) of every significant bin.
    let significant: Vec<(usize, f64)> = (MIN_CYCLES..=highest)
        .filter_map(|j| {
            let left = j.saturating_sub(NEIGHBOURS).max(1)..j.saturating_sub(1).max(1);
            let right = j + 2..(j + NEIGHBOURS).min(m - 1) + 1;
            let (l, nl) = median_without(left, j)?;
            let (r, nr) = median_without(right, j)?;
            if nl < 2 || nr < 3 || l.max(r) <= 0.0 {
                return None;
            }
            Some((j, at(j) / (l.max(r) / 2f64.ln())))
        })
        .filter(|(_, ratio)| *ratio > threshold)
        .collect();
    let (best, _) = significant
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let fundamental = significant
        .iter()
        .map(|(j, _)| *j)
        .filter(|j| (1..=4).any(|h| (best as i64 - (h * j) as i64).abs() <= (h as i64 - 1).min(1)))
        .min()
        .unwrap_or(best);
    Some(fundamental as f64 / (m * k) as f64)
}

/// Solves the small symmetric system `a x = b` by Gaussian elimination with pivoting.
pub(crate) fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let mut x = vec![0.0; b.len()];
    solve_into(&mut a, &mut b, &mut x)?;
    Some(x)
}

/// [`solve`] on rows of any kind, of which the first `b.len()` entries of the first
/// `b.len()` rows are the system: `a` and `b` are overwritten and the solution written to
/// `x`. Rows of a fixed size keep the many small systems of order selection off the heap.
pub(crate) fn solve_into<R: AsRef<[f64]> + AsMut<[f64]>>(
    a: &mut [R],
    b: &mut [f64],
    x: &mut [f64],
) -> Option<()> {
    let n = b.len();
    let a = &mut a[..n];
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| {
            a[i].as_ref()[col]
                .abs()
                .total_cmp(&a[j].as_ref()[col].abs())
        })?;
        let pivot_row = &a[pivot].as_ref()[..n];
        if pivot_row[col].abs() < 1e-12 * pivot_row.iter().map(|v| v.abs()).fold(0.0, f64::max) {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col].as_ref()[..n];
        for (offset, row) in rest.iter_mut().enumerate() {
            let row = &mut row.as_mut()[..n];
            let f = row[col] / pivot_row[col];
            for (x, p) in row.iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            b[col + 1 + offset] -= f * b[col];
        }
    }
    for row in (0..n).rev() {
        let r = &a[row].as_ref()[..n];
        let s: f64 = (row + 1..n).map(|k| r[k] * x[k]).sum();
        x[row] = (b[row] - s) / r[row];
    }
    Some(())
}

/// The least-squares fit of `d` on cosines and sines at `f` and half a frequency step on
/// either side (a peak between Fourier frequencies leaks into both).
fn fit_sinusoid(d: &[f64], f: f64) -> Option<Vec<f64>> {
    let n = d.len();
    let angular =
        [f - 0.5 / n as f64, f, f + 0.5 / n as f64].map(|g| 2.0 * std::f64::consts::PI * g);
    let waves: Vec<Wave> = angular
        .iter()
        .flat_map(|&w| [Wave::Cos(w), Wave::Sin(w)])
        .collect();
    let values = |t: usize| -> [f64; 6] {
        let t = t as f64;
        let [a, b, c] = angular.map(|w| (w * t).sin_cos());
        [a.1, a.0, b.1, b.0, c.1, c.0]
    };
    let mut rhs = vec![0.0; 6];
    for (t, v) in d.iter().enumerate() {
        for (r, x) in rhs.iter_mut().zip(values(t)) {
            *r += v * x;
        }
    }
    let beta = solve(gram(&waves, n), rhs)?;
    Some(
        (0..n)
            .map(|t| beta.iter().zip(values(t)).map(|(b, x)| b * x).sum())
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
    let mut parameters = 0;
    for _ in 0..MAX_COMPONENTS {
        let Some(peak) = strongest_peak(&d) else {
            break;
        };
        let rss =
            |fitted: &[f64]| -> f64 { d.iter().zip(fitted).map(|(a, b)| (a - b).powi(2)).sum() };
        // Cycles of whole samples (a job every hour at a 30 s step) are the usual case: the
        // refined period or a whole number of samples near it, whichever a harmonic series
        // fits best.
        let refined = refine(&d, peak);
        let whole = (1.0 / refined).round();
        let f = [
            refined,
            1.0 / (whole - 1.0),
            1.0 / whole,
            1.0 / (whole + 1.0),
        ]
        .into_iter()
        .filter(|g| g.is_finite() && *g > 0.0 && *g < 0.5)
        .filter_map(|g| Some((g, fit_harmonics(&d, g, HARMONICS).fits.last()?.rss)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(refined, |(g, _)| g);
        let bic = |rss: f64, k: usize| {
            n as f64 * (rss.max(f64::MIN_POSITIVE) / n as f64).ln() + k as f64 * (n as f64).ln()
        };
        // The candidates' fitted values, made only for the one chosen.
        enum Shape<'a> {
            Made(Vec<f64>),
            Harmonics(&'a HarmonicFit),
        }
        let sine = fit_sinusoid(&d, f).map(|fitted| {
            let m = fitted.iter().sum::<f64>() / n as f64;
            let centred: Vec<f64> = fitted.iter().map(|v| v - m).collect();
            (bic(rss(&centred), 6), Shape::Made(centred), 6)
        });
        let phases =
            fit_phases(&d, f).map(|(fitted, k)| (bic(rss(&fitted), k), Shape::Made(fitted), k));
        let harmonics = fit_harmonics(&d, f, MAX_HARMONICS);
        let series = harmonics
            .fits
            .iter()
            .map(|fit| (bic(fit.rss, fit.k), Shape::Harmonics(fit), fit.k));
        let Some((_, shape, k)) = [sine, phases]
            .into_iter()
            .flatten()
            .chain(series)
            .min_by(|a, b| a.0.total_cmp(&b.0))
        else {
            break;
        };
        let fitted = match shape {
            Shape::Made(fitted) => fitted,
            Shape::Harmonics(fit) => harmonics.fitted(fit, n),
        };
        // One cycle of the removed component, sampled from the fit (its first whole cycle).
        let p = (1.0 / f).round() as usize;
        let cycle: Vec<f64> = fitted.iter().take(p.min(n)).copied().collect();
        let cycle_mean = cycle.iter().sum::<f64>() / cycle.len().max(1) as f64;
        let cycle: Vec<f64> = cycle.iter().map(|v| v - cycle_mean).collect();
        mean_variance += window_mean_square(&cycle, n);
        for (v, g) in d.iter_mut().zip(&fitted) {
            *v -= g;
        }
        periods.push(1.0 / f);
        parameters += k;
    }
    if periods.is_empty() {
        // Nothing removed: the series as it is (not as `x − mean + mean`, which turns the
        // zeros of an idle rate into 1e-15).
        return Periodic {
            residual: x.to_vec(),
            periods,
            mean_variance,
            parameters,
        };
    }
    // The components are removed around zero: the residual keeps the series' mean.
    let shift = d.iter().sum::<f64>() / n.max(1) as f64;
    Periodic {
        residual: d.iter().map(|v| v - shift + mean).collect(),
        periods,
        mean_variance,
        parameters,
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
    fn a_job_that_is_not_a_sine_is_removed_whole() {
        // An hourly job at a 30 s step takes 30% for ten minutes: 20 samples low in every
        // 120, 3.8 cycles in 460 samples, on AR(0.5) noise with a tenth of the job's depth.
        let n = 460;
        let x: Vec<f64> = noise(n, 3)
            .iter()
            .enumerate()
            .map(|(t, e)| 100.0 + e - if (t + 37) % 120 < 20 { 30.0 } else { 0.0 })
            .collect();
        let p = remove_periodic(&x);
        assert_eq!(p.periods.len(), 1, "{:?}", p.periods);
        assert!((p.periods[0] - 120.0).abs() < 0.5, "{:?}", p.periods);
        // Its harmonics went with it (a sine would leave most of the pulse), each counted.
        assert!(p.parameters > 6, "{}", p.parameters);
        let noise_var = {
            let e = noise(n, 3);
            let m = e.iter().sum::<f64>() / n as f64;
            e.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n as f64
        };
        let mean = x.iter().sum::<f64>() / n as f64;
        let left = p.residual.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(left < 1.5 * noise_var, "{left} vs the noise's {noise_var}");
        // and so the noise is read as the noise (the job read as persistence 0.9 before),
        // with the job's partial cycle in the window as the only extra doubt on the mean.
        let lr = crate::stats::long_run_variance(&x);
        let plain = crate::stats::long_run_variance(&noise(n, 3));
        assert!(
            (lr.persistence - plain.persistence).abs() < 0.15,
            "{} vs {}",
            lr.persistence,
            plain.persistence
        );
        let expected = plain.lrv + n as f64 * p.mean_variance;
        assert!(
            lr.lrv < 1.5 * expected && lr.lrv > 0.5 * expected,
            "{} vs {expected}",
            lr.lrv
        );
    }

    #[test]
    fn a_sine_stays_a_sine() {
        let x: Vec<f64> = noise(460, 4)
            .iter()
            .enumerate()
            .map(|(t, e)| e + 2.0 * (2.0 * std::f64::consts::PI * t as f64 / 60.0).sin())
            .collect();
        let p = remove_periodic(&x);
        assert_eq!((p.periods.len(), p.parameters), (1, 6), "{:?}", p.periods);
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
    fn closed_form_cross_products_equal_the_sums() {
        let n = 997;
        let waves = [
            Wave::Cos(0.0123),
            Wave::Sin(0.0123),
            Wave::Cos(0.0246),
            Wave::Sin(0.0246),
            Wave::Cos(0.0123 + std::f64::consts::PI / n as f64),
            Wave::Sin(3.1),
        ];
        let value = |w: Wave, t: usize| match w {
            Wave::Cos(x) => (x * t as f64).cos(),
            Wave::Sin(x) => (x * t as f64).sin(),
        };
        let closed = gram(&waves, n);
        for (i, a) in waves.iter().enumerate() {
            for (j, b) in waves.iter().enumerate() {
                let summed: f64 = (0..n).map(|t| value(*a, t) * value(*b, t)).sum();
                assert!(
                    (closed[i][j] - summed).abs() < 1e-9 * n as f64,
                    "({i}, {j}): {} vs {summed}",
                    closed[i][j]
                );
            }
        }
    }

    #[test]
    fn harmonic_fits_residuals_equal_the_direct_sums() {
        // A pulse on noise (the difference d'd − β'X'd is used) and a pure sine (it cancels,
        // and the residuals are summed directly).
        let pulse: Vec<f64> = noise(600, 9)
            .iter()
            .enumerate()
            .map(|(t, e)| e + if t % 50 < 10 { 4.0 } else { -1.0 })
            .collect();
        let sine: Vec<f64> = (0..600)
            .map(|t| 3.0 * (2.0 * std::f64::consts::PI * t as f64 / 50.0).sin())
            .collect();
        for d in [pulse, sine] {
            let series = fit_harmonics(&d, 1.0 / 50.0, MAX_HARMONICS);
            assert_eq!(series.fits.len(), MAX_HARMONICS);
            for fit in &series.fits {
                let fitted = series.fitted(fit, d.len());
                let direct: f64 = d.iter().zip(&fitted).map(|(a, b)| (a - b).powi(2)).sum();
                assert!(
                    (fit.rss - direct).abs() <= 1e-9 * direct.max(1e-12),
                    "{} harmonics: {} vs {direct}",
                    fit.k / 2,
                    fit.rss
                );
            }
        }
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
