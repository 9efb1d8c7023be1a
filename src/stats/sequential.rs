//! Inference that stays valid however often it is looked at: confidence sequences for a
//! mean that grows with every sample, and an α spent over looks for statistics that have no
//! such sequence.
//!
//! **The normal mixture** (Robbins 1970; Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform,
//! nonparametric, nonasymptotic confidence sequences", Ann. Statist. 2021). For a sum
//! `S_t = Σ (x_i − μ)` of increments whose variance is `σ²` each, `V_t = t σ²`, the mixture
//! over `λ ~ N(0, 1/ρ)` of `exp(λ S_t − λ² V_t / 2)` is a nonnegative supermartingale, so by
//! Ville's inequality
//!
//! ```text
//! P( ∃ t : |S_t| ≥ sqrt( (V_t + ρ) · ln( (V_t + ρ) / (ρ α²) ) ) ) ≤ α
//! ```
//!
//! and `x̄_t ± that / t` covers `μ` at every `t` at once with probability `1 − α`. `ρ` sets
//! where the sequence is tightest: [`tuned_rho`] makes it tightest at a planned number of
//! samples. Autocorrelated samples enter with their long-run variance as `σ²` (the sum of
//! a stationary series is asymptotically a Brownian motion with that variance per sample;
//! `Var(S_t) ≤ t σ²_LR` for positive autocorrelation, the safe side early in a run).
//!
//! **Spending α over looks** (a union bound): a statistic tested at look `k` at level
//! `α · 6 / (π² k²)` has, over all looks together, at most `α` chance of any false
//! decision — for what has no mixture sequence here (a trend's slope).

/// The radius of the two-sided normal-mixture boundary on the sum: `|S_t|` stays below it at
/// every `t` with probability `1 − alpha`, where `v = t σ²` is the sum's variance.
pub fn mixture_radius(v: f64, rho: f64, alpha: f64) -> f64 {
    if v <= 0.0 {
        return 0.0;
    }
    let w = v + rho;
    (w * (w / (rho * alpha * alpha)).ln()).sqrt()
}

/// The mixing parameter `ρ` that makes the boundary tightest at the sum's variance
/// `v_star`: `ρ = r · v_star` with `r` minimising `(1 + r) ln((1 + r) / (r α²))` (golden
/// section; about 0.1 at α = 5%).
pub fn tuned_rho(v_star: f64, alpha: f64) -> f64 {
    let g = |r: f64| (1.0 + r) * ((1.0 + r) / (r * alpha * alpha)).ln();
    let (mut lo, mut hi) = (1e-6_f64.ln(), 10f64.ln());
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..100 {
        let a = hi - phi * (hi - lo);
        let b = lo + phi * (hi - lo);
        if g(a.exp()) < g(b.exp()) {
            hi = b;
        } else {
            lo = a;
        }
    }
    ((lo + hi) / 2.0).exp() * v_star
}

/// A confidence sequence's interval for a mean after `n` samples of mean `mean`, each with
/// (long-run) variance `sigma2`: `(low, high)`, valid at every `n` at once.
pub fn mean_interval(mean: f64, n: usize, sigma2: f64, rho: f64, alpha: f64) -> (f64, f64) {
    if n == 0 {
        return (f64::NEG_INFINITY, f64::INFINITY);
    }
    let r = mixture_radius(n as f64 * sigma2, rho, alpha) / n as f64;
    (mean - r, mean + r)
}

/// The level at which look `look` (1, 2, …) tests, so that all looks together spend at most
/// `alpha`: `alpha · 6 / (π² look²)`.
pub fn spent_alpha(alpha: f64, look: u64) -> f64 {
    let k = look.max(1) as f64;
    alpha * 6.0 / (std::f64::consts::PI * std::f64::consts::PI * k * k)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from Python (`math` only): the boundary formula evaluated directly,
    /// and ρ from scipy.optimize.minimize_scalar on the same objective
    /// (`scripts/reference_values.py`, section "sequential").
    #[test]
    fn the_boundary_matches_its_formula_and_rho_its_optimum() {
        // sqrt((100 + 10) * ln(110 / (10 * 0.05²))) = 101.35...
        let r = mixture_radius(100.0, 10.0, 0.05);
        assert!((r - (110.0f64 * (110.0f64 / 0.025).ln()).sqrt()).abs() < 1e-12);
        let rho = tuned_rho(1.0, 0.05);
        assert!(
            (rho - crate::stats::reference::MIXTURE_RHO_AT_5_PERCENT).abs() < 1e-6,
            "{rho}"
        );
        // the tuned boundary is tighter at v* than ρ = v* and ρ = v*/100
        let at = |rho: f64| mixture_radius(1.0, rho, 0.05);
        assert!(at(rho) < at(1.0) && at(rho) < at(0.01));
        let total: f64 = (1..100_000).map(|k| spent_alpha(0.05, k)).sum();
        assert!(total < 0.05 && total > 0.0499, "{total}");
    }

    /// Looked at after every sample, the sequence misses the truth of independent normal
    /// samples in at most α of runs (measured well below it: the bound is conservative).
    #[test]
    fn independent_samples_cross_in_at_most_alpha_of_runs() {
        let mut rng = crate::stats::rng::SplitMix(7);
        let (runs, steps, alpha) = (2000, 500, 0.05);
        let rho = tuned_rho(60.0, alpha);
        let mut crossed = 0;
        for _ in 0..runs {
            let mut sum = 0.0;
            for n in 1..=steps {
                sum += rng.normal();
                let (lo, hi) = mean_interval(sum / n as f64, n, 1.0, rho, alpha);
                if lo > 0.0 || hi < 0.0 {
                    crossed += 1;
                    break;
                }
            }
        }
        let rate = crossed as f64 / runs as f64;
        assert!(rate <= alpha, "{rate}");
        // and not vacuous: a fixed 95% interval looked at 500 times crosses far more often
        assert!(rate > 0.005, "{rate}");
    }
}
