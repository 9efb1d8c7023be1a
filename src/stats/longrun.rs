//! The variance of a mean of autocorrelated samples, and how much the data support it.
//!
//! Samples of a `rate()` series overlap (a rate over four scrapes is a moving average of
//! four increments), drift and oscillate, so `s² / n` badly understates the variance of
//! their mean. The estimator here is parametric and says what it assumed:
//!
//! 1. Periodic components are regressed out first (`periodic`): a slow cycle would
//!    otherwise read as strong persistence.
//! 2. An autoregression AR(p) is fitted by least squares, with the order chosen by BIC from
//!    1 to `min(8, n / 10)` (den Haan & Levin's VARHAC). Where the samples need more than
//!    two coefficients — the moving-average shape of overlapping `rate()` windows — the
//!    model is fitted to block means of 2, 4 or 8 samples instead (see `autoregression`).
//! 3. The persistence `S = Σ φ_k` is corrected for its small-sample bias (Kendall's
//!    `(1 + 3S) / n`), and the long-run variance is `σ² / (1 − S)²`, divided by
//!    `1 + 3 Var(Ŝ) / (1 − S)²`: the function is convex in S, so even an unbiased Ŝ
//!    overstates it by that factor on average (second-order expansion).
//! 4. Its uncertainty gives the degrees of freedom: by the delta method the relative
//!    variance of the estimate is `2 / (m − p) + 4 Var(Ŝ) / (1 − S)²`, and `ν = 2 / that`.
//!    With strong persistence ν is small — about half the effective sample size — and
//!    Student's t with ν degrees of freedom keeps intervals honest.
//! 5. When the data cannot support an interval — a persistence at the edge of a unit root,
//!    so there is no stable mean to estimate — `supported` is false and no verdict may rest
//!    on it. Few degrees of freedom alone do not make an interval narrow: below about 2 the
//!    t quantile grows without bound, so only effects far beyond any plausible variance are
//!    decided.
//!
//! Reference values for the tests were computed independently with numpy and statsmodels
//! (`scripts/reference_values.py`).

use serde::Serialize;

use super::periodic::{self, solve_into};

/// Persistence beyond which a series is treated as having no stable mean.
pub const MAX_PERSISTENCE: f64 = 0.995;
/// Highest autoregressive order tried.
const MAX_ORDER: usize = 8;
/// Below this many samples no autoregression is fitted, and no interval is supported: the
/// plain variance of three to five samples of a run with lag-1 autocorrelation 0.9 gave
/// 95% intervals that covered the truth in a third of runs.
pub const MIN_FIT: usize = 8;
/// A fit with at most this many coefficients and a persistence below [`SETTLED`] needs no
/// coarser blocks.
const LOW_ORDER: usize = 2;
const SETTLED: f64 = 0.95;
/// Block means are only used while at least this many remain.
const MIN_BLOCKS: usize = 30;
/// A fit to block means is used only with at least this share's inverse of the degrees of
/// freedom of the finer fits tried before it: an overlapping window's shape makes the
/// unblocked estimate at most about twice as uncertain (the rate window's MA(3) in the
/// calibration: 0.9–1.4 times the blocked fit's), aliasing many times more.
const BLOCKED_DF_SHARE: f64 = 4.0;

/// The long-run variance estimate of one series and how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LongRun {
    pub n: usize,
    pub mean: f64,
    /// Plain variance γ₀ (divisor n).
    pub variance: f64,
    /// Long-run variance: n · Var(mean).
    pub lrv: f64,
    /// The same before the convexity correction: biased upward, for tests where
    /// overstating the noise is the safe side (level shifts, trends).
    pub lrv_upper: f64,
    /// Autoregressive order chosen by BIC (0: none fitted).
    pub order: usize,
    /// Samples per block mean the autoregression was fitted to (1: the samples).
    pub block: usize,
    /// Bias-corrected persistence Σ φ_k.
    pub persistence: f64,
    /// Degrees of freedom of `lrv` (infinite when it is exactly known, e.g. zero).
    pub df: f64,
    /// Effective number of independent samples, at most n.
    pub n_eff: f64,
    /// Periods (in samples) of the periodic components taken out.
    pub periods: Vec<f64>,
    /// Whether the data support an interval at all.
    pub supported: bool,
    /// The fitted autoregression, for [`LongRun::with_simulated_df`].
    #[serde(skip)]
    pub model: Option<ArModel>,
}

/// A fitted autoregression as a model to simulate from.
#[derive(Debug, Clone, PartialEq)]
pub struct ArModel {
    /// Coefficients, scaled to sum to the bias-corrected persistence.
    pub phi: Vec<f64>,
    /// Length of the series fitted (samples, or block means).
    pub m: usize,
}

/// Below this many degrees of freedom the delta-method value is refined by simulation.
const SIMULATE_BELOW_DF: f64 = 30.0;
/// Simulation needs at least this many fitted values (and is not worth more than the upper
/// limit: by then the degrees of freedom are many anyway).
const SIMULATE_FROM: usize = 100;
const SIMULATE_UP_TO: usize = 2000;
/// Simulated series per refinement: 64 put the refined value within about 18% of its
/// limit (200 within 10%, for three times the CPU: two thirds of a comparison's analysis),
/// and the result is held between the delta method's value and twice it.
const SIMULATIONS: usize = 64;

impl LongRun {
    /// Variance of the sample mean.
    pub fn variance_of_mean(&self) -> f64 {
        self.lrv / self.n.max(1) as f64
    }

    /// The same estimate with its degrees of freedom refined by simulation, for the
    /// intervals a verdict rests on.
    ///
    /// The delta method's `ν = 2 / (2/(m−p) + 4 Var(Ŝ)/(1−S)²)` understates how steady the
    /// estimate really is when the persistence is strong and the run short (measured: 2.3
    /// against 3.6 at lag-1 autocorrelation 0.9 and 120 samples), which made intervals wider
    /// than the data need. The estimator's own spread under the fitted model — `2 E[V]² /
    /// Var[V]` over simulated series of the same length, from a fixed seed — says how many
    /// degrees of freedom it has. The fitted persistence is lowest exactly where the estimate
    /// is too small, and the simulation then overstates the steadiness, so the refined value
    /// is held between the delta method's and twice it, and only with at least 100 fitted
    /// values; the calibration table shows the coverage and false passes this keeps.
    pub fn with_simulated_df(mut self) -> LongRun {
        let Some(model) = &self.model else {
            return self;
        };
        if !self.supported
            || self.df.is_nan()
            || self.df >= SIMULATE_BELOW_DF
            || self.persistence >= SETTLED
            || !(SIMULATE_FROM..=SIMULATE_UP_TO).contains(&model.m)
        {
            return self;
        }
        if let Some(simulated) = simulated_df(&model.phi, model.m) {
            self.df = simulated.clamp(self.df, 2.0 * self.df);
        }
        self
    }
}

/// An autoregression fitted by least squares (no intercept: the series is centred).
#[derive(Debug, Clone, PartialEq)]
pub struct ArFit {
    pub phi: Vec<f64>,
    /// Residual variance (divisor: number of residuals).
    pub sigma2: f64,
    /// Variance of Σ φ̂_k.
    pub persistence_variance: f64,
    pub residuals: Vec<f64>,
}

/// The cross products `C(a, b) = Σ_t x[t − a] x[t − b]` over `t` in `from..n`, for every `b`
/// in `bs`, in one pass over the data. Each sum is added in time order from −0.0, as
/// `Iterator::sum` would (the results are bit for bit those of one `sum` per product: tested);
/// several independent sums in flight at once keep the pass from waiting on each addition
/// (fitting AR(8) computed 64 products in 64 passes; a day's run at 15 s spent a seventh of
/// its analysis there).
fn crosses(d: &[f64], a: usize, bs: std::ops::RangeInclusive<usize>, from: usize) -> Vec<f64> {
    let first = *bs.start();
    // The usual counts (orders up to MAX_ORDER, and the lag-0 row) keep their sums in
    // registers: a count known when compiling lets them out of memory.
    macro_rules! fixed {
        ($($n:literal)*) => {
            match bs.count() {
                $($n => crosses_of::<$n>(d, a, first, from).to_vec(),)*
                count => crosses_in_memory(d, a, first, count, from),
            }
        };
    }
    fixed!(1 2 3 4 5 6 7 8 9)
}

/// [`crosses`] for any number of products, their sums in a vector.
fn crosses_in_memory(d: &[f64], a: usize, first: usize, count: usize, from: usize) -> Vec<f64> {
    let mut sums = vec![-0.0f64; count];
    if count == 0 {
        return sums;
    }
    for t in from..d.len() {
        let x = d[t - a];
        let lagged = &d[t + 1 - first - count..=t - first];
        for (sum, y) in sums.iter_mut().zip(lagged.iter().rev()) {
            *sum += x * y;
        }
    }
    sums
}

/// [`crosses`] for `N` products `C(a, first + k)`, `k < N`.
fn crosses_of<const N: usize>(d: &[f64], a: usize, first: usize, from: usize) -> [f64; N] {
    let mut sums = [-0.0f64; N];
    for t in from..d.len() {
        let x = d[t - a];
        // d[t − first − k] for k = 0, 1, …: a slice read backwards, without a bounds check
        // per product
        let lagged: &[f64; N] = d[t + 1 - first - N..=t - first]
            .try_into()
            .expect("the slice holds N values");
        for k in 0..N {
            sums[k] += x * lagged[N - 1 - k];
        }
    }
    sums
}

/// Fits AR(`p`) to `d` on `t` in `from..n` (`from ≥ p`).
pub fn fit_ar(d: &[f64], p: usize, from: usize) -> Option<ArFit> {
    let n = d.len();
    if p == 0 || from < p || n <= from + p {
        return None;
    }
    // C(i, j) = C(j, i): each row's products from its diagonal on, in one pass.
    let mut gram = vec![vec![0.0; p]; p];
    for i in 1..=p {
        for (j, c) in (i..=p).zip(crosses(d, i, i..=p, from)) {
            gram[i - 1][j - 1] = c;
            gram[j - 1][i - 1] = c;
        }
    }
    let rhs = crosses(d, 0, 1..=p, from);
    let phi = solve_gram(p, |i, j| gram[i][j], &rhs)?;
    let residuals: Vec<f64> = (from..n)
        .map(|t| d[t] - (1..=p).map(|k| phi[k - 1] * d[t - k]).sum::<f64>())
        .collect();
    let m = residuals.len() as f64;
    let sigma2 = residuals.iter().map(|e| e * e).sum::<f64>() / m;
    // Var(Σφ̂) = σ² · 1ᵀ (XᵀX)⁻¹ 1
    let z = solve_gram(p, |i, j| gram[i][j], &vec![1.0; p])?;
    let persistence_variance = sigma2 * z.iter().sum::<f64>();
    Some(ArFit {
        phi,
        sigma2,
        persistence_variance,
        residuals,
    })
}

/// Solves `G x = rhs` for the `p × p` matrix with entries `gram(i, j)`; on the stack up to
/// [`MAX_ORDER`] unknowns (order selection solves eight such systems per series, and the
/// refinement of the degrees of freedom selects an order for each of its 64 series).
fn solve_gram(p: usize, gram: impl Fn(usize, usize) -> f64, rhs: &[f64]) -> Option<Vec<f64>> {
    let mut x = vec![0.0; p];
    if p <= MAX_ORDER {
        let mut a = [[0.0; MAX_ORDER]; MAX_ORDER];
        let mut b = [0.0; MAX_ORDER];
        for (i, (row, b)) in a.iter_mut().zip(&mut b).take(p).enumerate() {
            *b = rhs[i];
            for (j, entry) in row.iter_mut().take(p).enumerate() {
                *entry = gram(i, j);
            }
        }
        solve_into(&mut a, &mut b[..p], &mut x)?;
    } else {
        let mut a: Vec<Vec<f64>> = (0..p)
            .map(|i| (0..p).map(|j| gram(i, j)).collect())
            .collect();
        solve_into(&mut a, &mut rhs.to_vec(), &mut x)?;
    }
    Some(x)
}

/// The order in `1..=max` with the smallest BIC, all fitted on the same samples.
///
/// Every candidate order regresses on lags of the same samples, so the cross products
/// `C(a, b) = Σ_t x[t − a] x[t − b]` are computed once: the lag-0 row in one pass over the
/// data, the rest by shifting it (`C(a + 1, b + 1)` is `C(a, b)` with one product entering
/// at the start of the range and one leaving at its end), and each order's residual sum of
/// squares is `C(0, 0) − φ̂ · C(0, 1..=p)`. Fitting each order from the data instead cost
/// O(n·max³) and was most of a week-long run's analysis.
pub fn select_order(d: &[f64], max: usize) -> usize {
    let n = d.len();
    let from = max;
    if max == 0 || n <= from + max {
        return 1;
    }
    let m = (n - from) as f64;
    let size = max + 1;
    let mut c = vec![vec![0.0; size]; size];
    c[0] = crosses(d, 0, 0..=max, from);
    for a in 0..max {
        for b in a..max {
            c[a + 1][b + 1] =
                c[a][b] + d[from - 1 - a] * d[from - 1 - b] - d[n - 1 - a] * d[n - 1 - b];
        }
    }

    (1..=max)
        .filter_map(|p| {
            // only the upper triangle is filled: C is symmetric
            let gram = |i: usize, j: usize| c[i.min(j) + 1][i.max(j) + 1];
            let rhs = &c[0][1..=p];
            let phi = solve_gram(p, gram, rhs)?;
            let ssr = c[0][0] - phi.iter().zip(rhs).map(|(f, r)| f * r).sum::<f64>();
            let sigma2 = ssr / m;
            (sigma2 > 0.0).then(|| (p, m * sigma2.ln() + p as f64 * m.ln()))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(1, |(p, _)| p)
}

/// The autoregressive estimate of a centred series' long-run variance.
struct Autoregression {
    /// The coefficients, scaled to sum to the bias-corrected persistence.
    phi: Vec<f64>,
    /// Series length the model was fitted to (samples or block means).
    m: usize,
    /// Samples per block mean the model was fitted to.
    block: usize,
    order: usize,
    /// Σφ̂ as fitted, and bias-corrected (clamped).
    raw: f64,
    persistence: f64,
    df: f64,
    /// Long-run variance of the block means (divide by nothing: multiply by `block`).
    lrv: f64,
    lrv_upper: f64,
}

/// Fits the autoregression, to block means of 2, 4 or 8 samples when the samples
/// themselves need a high order: a `rate()` over k scrapes is a moving average of k
/// increments, whose zeros on the unit circle an autoregression can only chase with many
/// coefficients (and a persistence near 1). Block means the size of the window break the
/// overlap; their mean is the same, and their long-run variance times the block size is
/// the samples'. The smallest block whose fit needs at most [`LOW_ORDER`] coefficients and
/// stays clear of a unit root is used; where none does, the fit with the most degrees of
/// freedom.
///
/// `lost` is the share of the samples' degrees of freedom already spent on removing periodic
/// components: the residual variance is that much smaller than the noise's, and the variance
/// estimate rests on that many fewer residuals.
fn autoregression(d: &[f64], lost: f64) -> Option<Autoregression> {
    let kept = (1.0 - lost).clamp(0.05, 1.0);
    let mut tried: Vec<Autoregression> = Vec::new();
    for block in [1usize, 2, 4, 8] {
        let m = d.len() / block;
        if block > 1 && m < MIN_BLOCKS {
            break;
        }
        let series: Vec<f64> = if block == 1 {
            d.to_vec()
        } else {
            d[d.len() - m * block..]
                .chunks_exact(block)
                .map(|c| c.iter().sum::<f64>() / block as f64)
                .collect()
        };
        let mean = series.iter().sum::<f64>() / m as f64;
        let series: Vec<f64> = series.iter().map(|v| v - mean).collect();
        let max_order = (m / 10).clamp(1, MAX_ORDER);
        let order = select_order(&series, max_order);
        let fit = fit_ar(&series, order, order)?;
        let raw = fit.phi.iter().sum::<f64>();
        let persistence = (raw + (1.0 + 3.0 * raw) / m as f64).min(MAX_PERSISTENCE);
        let residuals = fit.residuals.len() as f64 * kept;
        let sigma2 = fit.sigma2 / kept;
        let relative_variance = 2.0 / (residuals - order as f64).max(1.0)
            + 4.0 * fit.persistence_variance / (1.0 - persistence).powi(2);
        // σ²/(1 − S)² is convex in S: even an unbiased persistence overstates it on average
        // by 1 + 3 Var(Ŝ)/(1 − S)² (second-order Taylor expansion), which is divided out.
        let jensen = 1.0 + 3.0 * fit.persistence_variance / (1.0 - persistence).powi(2);
        let lrv_upper = sigma2 / (1.0 - persistence).powi(2);
        let df = 2.0 / relative_variance;
        let scale = if raw.abs() > 1e-9 {
            persistence / raw
        } else {
            1.0
        };
        let fit = Autoregression {
            phi: fit.phi.iter().map(|p| p * scale).collect(),
            m,
            block,
            order,
            raw,
            persistence,
            df,
            lrv: lrv_upper / jensen,
            lrv_upper,
        };
        if order <= LOW_ORDER && persistence < SETTLED {
            // Block means remove an overlapping window's shape, but they also fold a cycle
            // shorter than a few blocks onto low frequencies — a 3-sample cycle in blocks of
            // 8 reads as persistence 0.85, with less than one degree of freedom. A blocked
            // fit that rests on a small share of a finer fit's degrees of freedom made
            // structure instead of removing it: the finer fit is used.
            let finest = tried.iter().map(|f| f.df).fold(0.0, f64::max);
            if fit.df * BLOCKED_DF_SHARE >= finest {
                return Some(fit);
            }
            tried.push(fit);
            break;
        }
        tried.push(fit);
    }
    tried.into_iter().max_by(|a, b| a.df.total_cmp(&b.df))
}

/// The long-run variance an AR fit of `x` gives, as [`autoregression`] computes it for
/// samples (no blocks, no periodic components).
fn ar_lrv(x: &[f64]) -> Option<f64> {
    let m = x.len();
    let mean = x.iter().sum::<f64>() / m as f64;
    let series: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let order = select_order(&series, (m / 10).clamp(1, MAX_ORDER));
    let fit = fit_ar(&series, order, order)?;
    let raw = fit.phi.iter().sum::<f64>();
    let persistence = (raw + (1.0 + 3.0 * raw) / m as f64).min(MAX_PERSISTENCE);
    let jensen = 1.0 + 3.0 * fit.persistence_variance / (1.0 - persistence).powi(2);
    Some(fit.sigma2 / (1.0 - persistence).powi(2) / jensen)
}

/// Samples simulated before those used, so the series start in their stationary state.
const BURN_IN: usize = 200;
/// Series lengths whose innovations are kept ([`innovations`]).
const KEPT_LENGTHS: usize = 4;

/// The standard normal innovations of the [`SIMULATIONS`] series of length `m` (with their
/// burn-in), from a seed fixed by `m`: the same for every model, so they are drawn once per
/// length and kept (the metrics of one comparison mostly share a length; drawing them was
/// most of the refinement's time — a `cos` and a `log` per value).
fn innovations(m: usize) -> std::sync::Arc<Vec<f64>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static KEPT: OnceLock<Mutex<HashMap<usize, Arc<Vec<f64>>>>> = OnceLock::new();
    let kept = KEPT.get_or_init(Default::default);
    if let Some(found) = kept
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&m)
    {
        return Arc::clone(found);
    }
    let mut rng = super::rng::SplitMix(0x5EED_u64 ^ (m as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let drawn: Arc<Vec<f64>> = Arc::new(
        (0..SIMULATIONS * (m + BURN_IN))
            .map(|_| rng.normal())
            .collect(),
    );
    let mut kept = kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if kept.len() >= KEPT_LENGTHS {
        kept.clear();
    }
    kept.insert(m, Arc::clone(&drawn));
    drawn
}

/// Paths simulated side by side (the simulations are groups of this many).
const LANES: usize = 8;
const _: () = assert!(SIMULATIONS % LANES == 0);

/// [`LANES`] AR paths at once, path `l` driven by `draws[l]`, into `out[t][l]`: `x[t] =
/// draws[t] + φ₁ x[t−1] + φ₂ x[t−2] + …`, the terms added in that order, with the lags there
/// are at the start. Each path's additions are its own, but the paths' chains of additions,
/// each waiting on the step before, run interleaved.
fn simulate_side_by_side(phi: &[f64], draws: [&[f64]; LANES], out: &mut Vec<[f64; LANES]>) {
    out.clear();
    for t in 0..draws[0].len() {
        let mut v: [f64; LANES] = std::array::from_fn(|l| draws[l][t]);
        for (k, f) in phi[..phi.len().min(t)].iter().enumerate() {
            let past = &out[t - 1 - k];
            for l in 0..LANES {
                v[l] += f * past[l];
            }
        }
        out.push(v);
    }
}

/// Degrees of freedom of the long-run variance estimate from its own spread under an
/// autoregression with coefficients `phi`: `2 E[V]² / Var[V]` over [`SIMULATIONS`] series of
/// length `m` (after a burn-in), each estimated as [`ar_lrv`] does, from a fixed seed.
fn simulated_df(phi: &[f64], m: usize) -> Option<f64> {
    let innovations = innovations(m);
    let length = m + BURN_IN;
    let mut values = Vec::with_capacity(SIMULATIONS);
    let mut side_by_side = Vec::with_capacity(length);
    let mut path = vec![0.0; m];
    for group in innovations.chunks_exact(LANES * length) {
        let draws = std::array::from_fn(|l| &group[l * length..(l + 1) * length]);
        simulate_side_by_side(phi, draws, &mut side_by_side);
        for l in 0..LANES {
            for (x, lanes) in path.iter_mut().zip(&side_by_side[BURN_IN..]) {
                *x = lanes[l];
            }
            values.push(ar_lrv(&path)?);
        }
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var > 0.0).then(|| 2.0 * mean * mean / var)
}

/// Long-run variance of `x` (finite values in time order).
pub fn long_run_variance(x: &[f64]) -> LongRun {
    let n = x.len();
    let mean = if n == 0 {
        f64::NAN
    } else {
        x.iter().sum::<f64>() / n as f64
    };
    let variance = if n == 0 {
        0.0
    } else {
        x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64
    };
    let plain = |supported: bool| LongRun {
        n,
        mean,
        variance,
        lrv: variance,
        lrv_upper: variance,
        order: 0,
        block: 1,
        persistence: 0.0,
        df: if variance > 0.0 {
            (n as f64 - 1.0).max(0.0)
        } else {
            f64::INFINITY
        },
        n_eff: n as f64,
        periods: Vec::new(),
        supported,
        model: None,
    };
    // Constant up to rounding: nothing to estimate.
    if variance <= (1e-12 * mean.abs()).powi(2) {
        return LongRun {
            variance: 0.0,
            lrv: 0.0,
            lrv_upper: 0.0,
            df: f64::INFINITY,
            ..plain(n > 0)
        };
    }
    if n < MIN_FIT {
        return plain(false);
    }
    let periodic = periodic::remove_periodic(x);
    let u_mean = periodic.residual.iter().sum::<f64>() / n as f64;
    let d: Vec<f64> = periodic.residual.iter().map(|v| v - u_mean).collect();
    let rest = d.iter().map(|v| v * v).sum::<f64>() / n as f64;
    if rest <= 1e-12 * variance {
        // Nothing but the periodic components: their window mean is all the uncertainty.
        let lrv = n as f64 * periodic.mean_variance;
        return LongRun {
            lrv,
            lrv_upper: lrv,
            df: f64::INFINITY,
            n_eff: if lrv > 0.0 {
                (n as f64 * variance / lrv).min(n as f64)
            } else {
                n as f64
            },
            periods: periodic.periods,
            ..plain(true)
        };
    }
    let Some(ar) = autoregression(&d, periodic.parameters as f64 / n as f64) else {
        return plain(false);
    };
    let periodic_part = n as f64 * periodic.mean_variance;
    let (persistence, raw, order, df) = (ar.persistence, ar.raw, ar.order, ar.df);
    let lrv_upper = ar.block as f64 * ar.lrv_upper + periodic_part;
    let lrv = ar.block as f64 * ar.lrv + periodic_part;
    let supported = persistence < MAX_PERSISTENCE && raw < 1.0;
    LongRun {
        n,
        mean,
        variance,
        lrv,
        lrv_upper,
        order,
        block: ar.block,
        persistence,
        df,
        n_eff: if lrv > 0.0 {
            (n as f64 * variance / lrv).min(n as f64)
        } else {
            n as f64
        },
        periods: periodic.periods,
        supported,
        model: Some(ArModel {
            phi: ar.phi,
            m: ar.m,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::reference as r;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn cross_products_in_one_pass_equal_one_sum_each() {
        let d: Vec<f64> = (0..997)
            .map(|t| ((t * 7919) % 1013) as f64 / 101.3 - 5.0 + (t as f64 * 0.37).sin())
            .collect();
        // every count with its sums in registers (1 to 9) and one without (10)
        for (first, last) in [(1, 8), (0, 8), (2, 2), (3, 5), (1, 10)] {
            for a in 0..=last {
                let got = crosses(&d, a, first..=last, 10);
                assert_eq!(got.len(), last + 1 - first);
                for (b, c) in (first..=last).zip(got) {
                    let one: f64 = (10..d.len()).map(|t| d[t - a] * d[t - b]).sum();
                    assert_eq!(c.to_bits(), one.to_bits(), "C({a}, {b})");
                }
            }
        }
        // products that are all −0.0 keep the sign `sum` gives them
        let zeros: Vec<f64> = (0..12)
            .map(|t| if t % 2 == 0 { 0.0 } else { -0.0 })
            .collect();
        let one: f64 = (2..12).map(|t| zeros[t] * zeros[t - 1]).sum();
        assert_eq!(crosses(&zeros, 0, 1..=1, 2)[0].to_bits(), one.to_bits());
    }

    /// The order selection by fitting every order from the data, as `select_order` did
    /// before it shared the cross products.
    fn select_order_by_fitting(d: &[f64], max: usize) -> usize {
        let m = (d.len() - max) as f64;
        (1..=max)
            .filter_map(|p| {
                let fit = fit_ar(d, p, max)?;
                (fit.sigma2 > 0.0).then(|| (p, m * fit.sigma2.ln() + p as f64 * m.ln()))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(1, |(p, _)| p)
    }

    /// On the stack or on the heap, the systems are solved with the same operations in the
    /// same order as by `solve`: the same bits, and the same refusals of singular systems.
    #[test]
    fn small_systems_are_solved_bit_for_bit_as_before() {
        let mut rng = crate::stats::rng::SplitMix(20261205);
        let mut next = move || rng.uniform() - 0.5;
        let mut singular = 0;
        for p in 1..=MAX_ORDER + 2 {
            for round in 0..50 {
                let mut m: Vec<Vec<f64>> =
                    (0..p).map(|_| (0..p).map(|_| next()).collect()).collect();
                if round % 10 == 0 && p > 1 {
                    // a repeated row: singular
                    m[p - 1] = m[0].clone();
                }
                let rhs: Vec<f64> = (0..p).map(|_| next()).collect();
                let heap = periodic::solve(m.clone(), rhs.clone());
                let stack = solve_gram(p, |i, j| m[i][j], &rhs);
                let bits = |x: &Option<Vec<f64>>| {
                    x.as_ref()
                        .map(|x| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
                };
                assert_eq!(bits(&stack), bits(&heap), "order {p}, round {round}");
                singular += usize::from(heap.is_none());
            }
        }
        assert!(singular > 0, "the singular systems were refused");
    }

    #[test]
    fn order_selection_matches_fitting_every_order() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        for (phi, n, max) in [
            (0.0, 60, 6),
            (0.5, 240, 24),
            (0.9, 460, 46),
            (0.3, 2000, 50),
        ] {
            for ma in [false, true] {
                let e: Vec<f64> = (0..n + 3).map(|_| uniform()).collect();
                let mut x = 0.0;
                let d: Vec<f64> = (0..n)
                    .map(|t| {
                        let shock = if ma {
                            e[t..t + 4].iter().sum::<f64>()
                        } else {
                            e[t]
                        };
                        x = phi * x + shock;
                        x
                    })
                    .collect();
                let mean = d.iter().sum::<f64>() / n as f64;
                let d: Vec<f64> = d.iter().map(|v| v - mean).collect();
                assert_eq!(
                    select_order(&d, max),
                    select_order_by_fitting(&d, max),
                    "φ {phi}, n {n}, MA {ma}"
                );
            }
        }
    }

    #[test]
    fn ar_coefficients_match_statsmodels_autoreg() {
        // statsmodels 0.15: AutoReg(d, lags=p, trend="n").fit().params on the centred series
        let x = r::AR1_PHI08_N200;
        let mean = x.iter().sum::<f64>() / x.len() as f64;
        let d: Vec<f64> = x.iter().map(|v| v - mean).collect();
        for (p, expected) in [(1, &r::AUTOREG_P1[..]), (3, &r::AUTOREG_P3[..])] {
            let fit = fit_ar(&d, p, p).unwrap();
            for (got, want) in fit.phi.iter().zip(expected) {
                assert!(close(*got, *want, 1e-9), "AR({p}): {got} vs {want}");
            }
        }
    }

    #[test]
    fn long_run_variance_matches_numpy_reimplementation() {
        for (x, e) in [
            (&r::AR1_PHI08_N200[..], r::LONGRUN_AR1),
            (&r::MA3_N300[..], r::LONGRUN_MA3),
        ] {
            let lr = long_run_variance(x);
            assert_eq!((lr.order, lr.block), (e.order, e.block));
            assert!(
                close(lr.persistence, e.persistence, 1e-9),
                "{} vs {}",
                lr.persistence,
                e.persistence
            );
            assert!(close(lr.lrv, e.lrv, 1e-9), "{} vs {}", lr.lrv, e.lrv);
            assert!(close(lr.df, e.df, 1e-9), "{} vs {}", lr.df, e.df);
            assert!(lr.supported);
        }
    }

    /// One AR path by the plain recursion, as the simulation made it before paths ran side
    /// by side.
    fn simulate(phi: &[f64], draws: &[f64], x: &mut [f64]) {
        for (t, &draw) in draws.iter().enumerate() {
            let lags = phi.len().min(t);
            let mut v = draw;
            for (f, past) in phi[..lags].iter().zip(x[t - lags..t].iter().rev()) {
                v += f * past;
            }
            x[t] = v;
        }
    }

    #[test]
    fn simulated_paths_are_the_plain_recursion_bit_for_bit() {
        let mut rng = crate::stats::rng::SplitMix(20261206);
        for order in 1..=9 {
            for length in [0, 1, order - 1, order, order + 1, 300] {
                let phi: Vec<f64> = (0..order).map(|_| rng.uniform() * 0.6 - 0.3).collect();
                let draws: Vec<f64> = (0..length).map(|_| rng.normal()).collect();
                let lanes: Vec<Vec<f64>> = (0..LANES)
                    .map(|l| draws.iter().map(|d| d * (1.0 + l as f64 / 3.0)).collect())
                    .collect();
                let mut side_by_side = vec![[5.0; LANES]; 3];
                simulate_side_by_side(
                    &phi,
                    std::array::from_fn(|l| lanes[l].as_slice()),
                    &mut side_by_side,
                );
                assert_eq!(side_by_side.len(), length);
                for (l, draws) in lanes.iter().enumerate() {
                    let mut alone = vec![9.0; length];
                    simulate(&phi, draws, &mut alone);
                    let bits =
                        |v: &mut dyn Iterator<Item = f64>| v.map(f64::to_bits).collect::<Vec<_>>();
                    assert_eq!(
                        bits(&mut side_by_side.iter().map(|v| v[l])),
                        bits(&mut alone.into_iter()),
                        "order {order}, length {length}, lane {l}"
                    );
                }
            }
        }
    }

    #[test]
    fn simulated_degrees_of_freedom_stay_between_the_delta_method_and_twice_it() {
        let ar = |phi: f64, n: usize, seed: u64| -> Vec<f64> {
            let mut state = seed;
            let mut x = 0.0;
            (0..n)
                .map(|_| {
                    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let mut z = state;
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                    x = phi * x + ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                    x
                })
                .collect()
        };
        let x = ar(0.9, 120, 5);
        let delta = long_run_variance(&x);
        let refined = delta.clone().with_simulated_df();
        assert!(delta.df < 30.0, "{}", delta.df);
        assert!(
            refined.df > delta.df && refined.df <= 2.0 * delta.df,
            "{} vs {}",
            refined.df,
            delta.df
        );
        // Everything else is the estimate as it was, and the refinement is repeatable.
        assert_eq!(
            (refined.lrv, refined.persistence),
            (delta.lrv, delta.persistence)
        );
        assert_eq!(refined.df, delta.clone().with_simulated_df().df);
        // Too short to simulate, or steady enough already: unchanged.
        let short = long_run_variance(&ar(0.9, 60, 6));
        assert_eq!(short.clone().with_simulated_df().df, short.df);
        let steady = long_run_variance(&ar(0.2, 460, 7));
        assert!(steady.df >= 30.0);
        assert_eq!(steady.clone().with_simulated_df().df, steady.df);
    }

    #[test]
    fn edge_cases() {
        let c = long_run_variance(&[5.0; 50]);
        assert_eq!((c.lrv, c.n_eff, c.mean), (0.0, 50.0, 5.0));
        assert!(c.supported && c.df.is_infinite());
        let short = long_run_variance(&[1.0, 2.0]);
        assert_eq!((short.lrv, short.df), (0.25, 1.0));
        let empty = long_run_variance(&[]);
        assert!(empty.mean.is_nan() && !empty.supported);
        // a random walk has no stable mean
        let mut state = 42u64;
        let walk: Vec<f64> = (0..300)
            .scan(0.0, |s, _| {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                *s += ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                Some(*s)
            })
            .collect();
        assert!(!long_run_variance(&walk).supported);
    }
}
