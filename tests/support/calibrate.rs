//! Calibration of the verdicts on synthetic runs with known truth, shared by the fast test
//! (`tests/calibration.rs`, fixed seeds, a few cells) and the full table
//! (`cargo run --release --example calibrate`).
//!
//! A cell is a noise process and a run length. Runs are a level of 150 (higher is better,
//! 5% relative noise) sampled every 30 s; the candidate's true regression is set exactly.
//! Every verdict comes from the engine (`compare_metric` with `regression <= 10%`), and
//! every interval is compared with an oracle of the right width: the estimate ± z times the
//! standard deviation of the estimates across the cell's replicates.

#![allow(dead_code)]

use benchcmp::compare::{compare_metric, MetricResult, Settings, SideInput, Verdict};
use benchcmp::gate;
use benchcmp::pack::{Better, Kind, Metric};
use benchcmp::source::MetricSeries;
use benchcmp::testkit;

use super::synth::Rng;

pub const STEP_MS: i64 = 30_000;
pub const LEVEL: f64 = 150.0;
pub const NOISE: f64 = 0.05;
pub const BUDGET: f64 = 0.10;
const Z: f64 = 1.959963984540054;

/// The noise of a run, scaled to unit variance before the 5% is applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Noise {
    /// AR(1) with this lag-1 coefficient.
    Ar1(f64),
    /// A rate over four scrapes of independent counts: a moving average of four.
    Ma3,
    /// AR(0.5) plus a sine of this period (samples) carrying half the variance.
    Sine(f64),
    /// AR(0.5) plus a sawtooth of this period (samples) carrying half the variance.
    Sawtooth(f64),
    /// AR(0.5) of Student-t(3) innovations: heavy-tailed spikes.
    Spikes,
    /// AR(0.5) noise under a job that takes `depth` (a share, e.g. 0.3) of the level for
    /// `length` samples of every `period`: an hourly batch job, not a sine.
    Pulse {
        period: usize,
        length: usize,
        depth: f64,
    },
    /// AR(0.5) noise on a sawtooth of ± `amplitude` (a share of the level) with this period
    /// in samples: GC cycles that build up and drop at once.
    Gc { period: usize, amplitude: f64 },
}

impl Noise {
    pub fn name(&self) -> String {
        match self {
            Noise::Ar1(phi) => format!("AR(1) φ={phi}"),
            Noise::Ma3 => "MA(3) (rate window)".into(),
            Noise::Sine(p) => format!("sine {} min + AR(0.5)", p / 2.0),
            Noise::Sawtooth(p) => format!("sawtooth {} min + AR(0.5)", p / 2.0),
            Noise::Spikes => "t(3) spikes, AR(0.5)".into(),
            Noise::Pulse {
                period,
                length,
                depth,
            } => format!(
                "job: −{:.0}% for {} min every {} min",
                depth * 100.0,
                *length as f64 / 2.0,
                *period as f64 / 2.0
            ),
            Noise::Gc { period, amplitude } => format!(
                "GC sawtooth ±{:.0}% every {} min",
                amplitude * 100.0,
                *period as f64 / 2.0
            ),
        }
    }
}

fn ar1(rng: &mut Rng, n: usize, phi: f64, innovation: &mut dyn FnMut(&mut Rng) -> f64) -> Vec<f64> {
    let scale = (1.0 - phi * phi).sqrt();
    let mut x = innovation(rng);
    (0..n)
        .map(|_| {
            let v = x;
            x = phi * x + scale * innovation(rng);
            v
        })
        .collect()
}

fn student_t3(rng: &mut Rng) -> f64 {
    let z = rng.normal();
    let chi: f64 = (0..3).map(|_| rng.normal().powi(2)).sum();
    // t(3) has variance 3
    z / (chi / 3.0).sqrt() / 3f64.sqrt()
}

/// Unit-variance noise of `kind`, `n` samples.
pub fn noise(kind: Noise, n: usize, rng: &mut Rng) -> Vec<f64> {
    let mut normal = |r: &mut Rng| r.normal();
    match kind {
        Noise::Ar1(phi) => ar1(rng, n, phi, &mut normal),
        Noise::Ma3 => {
            let e: Vec<f64> = (0..n + 3).map(|_| rng.normal()).collect();
            (0..n)
                .map(|t| (e[t] + e[t + 1] + e[t + 2] + e[t + 3]) / 2.0)
                .collect()
        }
        Noise::Sine(period) => {
            let phase = rng.uniform() * std::f64::consts::TAU;
            let base = ar1(rng, n, 0.5, &mut normal);
            (0..n)
                .map(|t| {
                    let s = (std::f64::consts::TAU * t as f64 / period + phase).sin();
                    (base[t] + 2f64.sqrt() * s) / 2f64.sqrt()
                })
                .collect()
        }
        Noise::Sawtooth(period) => {
            let phase = rng.uniform() * period;
            let base = ar1(rng, n, 0.5, &mut normal);
            (0..n)
                .map(|t| {
                    // a sawtooth in [-1, 1) has variance 1/3
                    let s = 2.0 * (((t as f64 + phase) % period) / period) - 1.0;
                    (base[t] + 3f64.sqrt() * s) / 2f64.sqrt()
                })
                .collect()
        }
        Noise::Spikes => ar1(rng, n, 0.5, &mut student_t3),
        // The shapes are in units of the 5% noise, so that `run` scales them to a share.
        Noise::Pulse {
            period,
            length,
            depth,
        } => {
            let phase = (rng.uniform() * period as f64) as usize;
            let base = ar1(rng, n, 0.5, &mut normal);
            (0..n)
                .map(|t| {
                    let job = (t + phase) % period < length;
                    base[t] - if job { depth / NOISE } else { 0.0 }
                })
                .collect()
        }
        Noise::Gc { period, amplitude } => {
            let phase = rng.uniform() * period as f64;
            let base = ar1(rng, n, 0.5, &mut normal);
            (0..n)
                .map(|t| {
                    let s = 2.0 * (((t as f64 + phase) % period as f64) / period as f64) - 1.0;
                    base[t] + amplitude / NOISE * s
                })
                .collect()
        }
    }
}

/// A run at `level` with `kind` noise.
pub fn run(kind: Noise, n: usize, level: f64, rng: &mut Rng) -> Vec<f64> {
    noise(kind, n, rng)
        .into_iter()
        .map(|z| (level * (1.0 + NOISE * z)).max(0.0))
        .collect()
}

pub fn metric(better: Better) -> Metric {
    let mut m = testkit::metric_in(better, Kind::Series, "PI/s");
    m.id = "throughput".into();
    m.title = "Throughput".into();
    m.query = "x".into();
    m
}

pub fn as_series(values: &[f64]) -> MetricSeries {
    testkit::series_at(values, STEP_MS)
}

fn input(s: &MetricSeries) -> SideInput<'_> {
    testkit::input(s, STEP_MS)
}

/// Compares two runs of a higher-is-better metric against `gate_text`.
pub fn judge(b: &[f64], c: &[f64], gate_text: &str) -> MetricResult {
    let m = metric(Better::Higher);
    let g = gate::parse(gate_text, "PI/s").unwrap();
    let (bs, cs) = (as_series(b), as_series(c));
    compare_metric(&m, Some(&g), &input(&bs), &input(&cs), &Settings::default())
}

/// Verdict shares and interval quality at one true regression.
#[derive(Debug, Clone, Copy, Default)]
pub struct AtTruth {
    pub pass: f64,
    pub fail: f64,
    pub inconclusive: f64,
    /// Share of replicates with an interval.
    pub given: f64,
    /// Share of given intervals that contain the truth.
    pub coverage: f64,
    /// Pass and fail shares of the oracle interval.
    pub oracle_pass: f64,
    pub oracle_fail: f64,
    /// Median width of the given intervals over the oracle's width.
    pub width_ratio: f64,
    /// Pass share of a t interval on the true effective degrees of freedom (NaN where the
    /// noise has no such number here): the estimate ± t(ν) times the true standard error
    /// scaled by √(χ²_ν / ν), as an interval whose variance estimate had ν degrees of freedom.
    pub t_true_pass: f64,
}

impl Noise {
    /// The effective degrees of freedom `ν = n(1−φ)/(1+φ)` of a run of `n` samples (the
    /// rate window's MA(3) of four equal terms: `n / 4`), where the noise has one.
    pub fn true_df(&self, n: usize) -> Option<f64> {
        match self {
            Noise::Ar1(phi) => Some(n as f64 * (1.0 - phi) / (1.0 + phi)),
            Noise::Ma3 => Some(n as f64 / 4.0),
            _ => None,
        }
    }
}

/// Runs `reps` replicate pairs of `kind` noise, `n` samples, true regression `truth`.
pub fn at_truth(kind: Noise, n: usize, truth: f64, reps: usize, seed: u64) -> AtTruth {
    let mut rng = Rng(seed);
    let mut out = AtTruth::default();
    let mut logs = Vec::with_capacity(reps);
    let mut covered = 0usize;
    let mut widths = Vec::new();
    for _ in 0..reps {
        let b = run(kind, n, LEVEL, &mut rng);
        let c = run(kind, n, LEVEL * (1.0 - truth), &mut rng);
        let r = judge(&b, &c, "regression <= 10%");
        match r.verdict {
            Some(Verdict::Pass) => out.pass += 1.0,
            Some(Verdict::Fail) => out.fail += 1.0,
            _ => out.inconclusive += 1.0,
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        logs.push((mean(&c) / mean(&b)).ln());
        // The change's interval, as the report's table shows it: a clause judged on the
        // range of a run without a stable mean has bounds of the runs' windows, which say
        // nothing of the processes and are not counted here.
        let change = r.change.as_ref();
        if let (Some(lo), Some(hi)) = (
            change.and_then(|c| c.ci_low),
            change.and_then(|c| c.ci_high),
        ) {
            out.given += 1.0;
            widths.push(((1.0 - lo) / (1.0 - hi)).ln());
            if lo <= truth && truth <= hi {
                covered += 1;
            }
        }
    }
    let m = logs.iter().sum::<f64>() / reps as f64;
    let sd = (logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / (reps as f64 - 1.0)).sqrt();
    widths.sort_by(f64::total_cmp);
    out.width_ratio = widths
        .get(widths.len() / 2)
        .map_or(f64::NAN, |w| w / (2.0 * Z * sd));
    let limit = (1.0 - BUDGET).ln();
    for l in &logs {
        if l - Z * sd >= limit {
            out.oracle_pass += 1.0;
        } else if l + Z * sd < limit {
            out.oracle_fail += 1.0;
        }
    }
    // P(l − t(ν)·sd·√(χ²_ν/ν) ≥ limit) for each replicate's estimate, averaged.
    out.t_true_pass = kind.true_df(n).map_or(f64::NAN, |nu| {
        use statrs::distribution::{ChiSquared, ContinuousCDF, StudentsT};
        let t = StudentsT::new(0.0, 1.0, nu).unwrap().inverse_cdf(0.975);
        let chi = ChiSquared::new(nu).unwrap();
        logs.iter()
            .map(|l| {
                if *l <= limit {
                    0.0
                } else {
                    chi.cdf(nu * ((l - limit) / (t * sd)).powi(2))
                }
            })
            .sum::<f64>()
            / reps as f64
    });
    out.coverage = if out.given > 0.0 {
        covered as f64 / out.given
    } else {
        f64::NAN
    };
    let r = reps as f64;
    out.pass /= r;
    out.fail /= r;
    out.inconclusive /= r;
    out.given /= r;
    out.oracle_pass /= r;
    out.oracle_fail /= r;
    out
}

/// One cell of the table: at the budget, at half and at twice the budget.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub at_budget: AtTruth,
    pub half: AtTruth,
    pub twice: AtTruth,
}

pub fn cell(kind: Noise, n: usize, reps: usize, seed: u64) -> Cell {
    Cell {
        at_budget: at_truth(kind, n, BUDGET, reps, seed),
        half: at_truth(kind, n, BUDGET / 2.0, reps, seed ^ 0x5A5A),
        twice: at_truth(kind, n, BUDGET * 2.0, reps, seed ^ 0xA5A5),
    }
}

/// Share of stationary runs in which a level shift is reported.
pub fn shift_false_alarms(kind: Noise, n: usize, reps: usize, seed: u64) -> f64 {
    let mut rng = Rng(seed);
    let mut alarms = 0;
    for _ in 0..reps {
        let b = run(kind, n, LEVEL, &mut rng);
        let c = run(kind, n, LEVEL, &mut rng);
        if !judge(&b, &c, "regression <= 10%")
            .candidate
            .shifts
            .is_empty()
        {
            alarms += 1;
        }
    }
    alarms as f64 / reps as f64
}

/// Detection of a level shift of `size` (relative) at `position` (share of the run): the
/// share found, and the median distance of the reported position in samples.
pub fn shift_detection(
    kind: Noise,
    n: usize,
    size: f64,
    position: f64,
    reps: usize,
    seed: u64,
) -> (f64, f64) {
    let mut rng = Rng(seed);
    let at = (position * n as f64) as usize;
    let mut found = 0;
    let mut delays = Vec::new();
    for _ in 0..reps {
        let b = run(kind, n, LEVEL, &mut rng);
        let mut c = run(kind, n, LEVEL, &mut rng);
        for v in c.iter_mut().skip(at) {
            *v *= 1.0 + size;
        }
        let r = judge(&b, &c, "regression <= 10%");
        let target_ms = at as i64 * STEP_MS;
        if let Some(s) = r
            .candidate
            .shifts
            .iter()
            .min_by_key(|s| (s.timestamp_ms - target_ms).abs())
        {
            found += 1;
            delays.push((s.timestamp_ms - target_ms).abs() as f64 / STEP_MS as f64);
        }
    }
    delays.sort_by(f64::total_cmp);
    let median = delays.get(delays.len() / 2).copied().unwrap_or(f64::NAN);
    (found as f64 / reps as f64, median)
}

/// A run that drifts linearly by `total` (relative) over the window, as lower-is-better
/// memory against a flat baseline: the share failing `gate_text` and the share with a
/// reported trend.
pub fn drift(total: f64, n: usize, reps: usize, seed: u64, gate_text: &str) -> (f64, f64) {
    let mut rng = Rng(seed);
    let mut m = metric(Better::Lower);
    m.unit = "B".into();
    let g = gate::parse(gate_text, "B").unwrap();
    let level = 180.0 * 1048576.0;
    let (mut fails, mut trends) = (0, 0);
    for _ in 0..reps {
        let b: Vec<f64> = noise(Noise::Ar1(0.9), n, &mut rng)
            .iter()
            .map(|z| level * (1.0 + 0.03 * z))
            .collect();
        let c: Vec<f64> = noise(Noise::Ar1(0.9), n, &mut rng)
            .iter()
            .enumerate()
            .map(|(t, z)| level * (1.0 + total * t as f64 / (n - 1) as f64) * (1.0 + 0.03 * z))
            .collect();
        let (bs, cs) = (as_series(&b), as_series(&c));
        let r = compare_metric(&m, Some(&g), &input(&bs), &input(&cs), &Settings::default());
        if r.verdict == Some(Verdict::Fail) {
            fails += 1;
        }
        if r.candidate.trend.is_some_and(|t| t.significant) {
            trends += 1;
        }
        let _ = &r.candidate.shifts;
    }
    (fails as f64 / reps as f64, trends as f64 / reps as f64)
}

/// Absolute clauses at their limit: a lower-is-better share with true mean 5% against
/// `mean <= 5%`, and a latency whose true p99 is `p99_truth` seconds against `p99 <= 1s`.
/// Returns the pass shares.
pub fn absolute_at_limit(p99_truth: f64, reps: usize, seed: u64) -> (f64, f64) {
    let mut rng = Rng(seed);
    let mut share = metric(Better::Lower);
    share.unit = "%".into();
    let mut latency = metric(Better::Lower);
    latency.unit = "s".into();
    let (g_mean, g_p99) = (
        gate::parse("mean <= 5%", "%").unwrap(),
        gate::parse("p99 <= 1s", "s").unwrap(),
    );
    // A latency with a lognormal spread: p99 = median · e^(2.326 σ) with σ = 0.3.
    let sigma: f64 = 0.3;
    let median = p99_truth / (2.326 * sigma).exp();
    let (mut mean_pass, mut p99_pass) = (0, 0);
    for _ in 0..reps {
        let b = vec![5.0; 460];
        let c: Vec<f64> = noise(Noise::Ar1(0.9), 460, &mut rng)
            .iter()
            .map(|z| (5.0 * (1.0 + 0.2 * z)).max(0.0))
            .collect();
        let (bs, cs) = (as_series(&b), as_series(&c));
        let r = compare_metric(
            &share,
            Some(&g_mean),
            &input(&bs),
            &input(&cs),
            &Settings::default(),
        );
        if r.verdict == Some(Verdict::Pass) {
            mean_pass += 1;
        }
        let l: Vec<f64> = noise(Noise::Ar1(0.5), 460, &mut rng)
            .iter()
            .map(|z| median * (sigma * z).exp())
            .collect();
        let ls = as_series(&l);
        let r = compare_metric(
            &latency,
            Some(&g_p99),
            &input(&ls),
            &input(&ls),
            &Settings::default(),
        );
        if r.verdict == Some(Verdict::Pass) {
            p99_pass += 1;
        }
    }
    (
        mean_pass as f64 / reps as f64,
        p99_pass as f64 / reps as f64,
    )
}

/// Verdicts and interval coverage for a candidate judged against `k` baseline runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pooled {
    pub coverage: f64,
    pub pass: f64,
    pub fail: f64,
    pub inconclusive: f64,
}

/// Weekly histories: `k` baseline runs and a candidate, each run's level drawn around the
/// population level with between-run variation `between_cv`, AR(1) φ 0.5 noise inside each
/// run of `n` samples; the candidate's population at a true regression of `regression`
/// (`BUDGET` for false pass and fail, half of it for power). Coverage is of the population
/// regression; `prior_cv` is given to the engine as known run-to-run variation.
pub fn pooled_at(
    regression: f64,
    between_cv: f64,
    k: usize,
    n: usize,
    reps: usize,
    seed: u64,
    prior_cv: Option<f64>,
) -> Pooled {
    let m = metric(Better::Higher);
    let g = gate::parse("regression <= 10%", "PI/s").unwrap();
    let mut rng = Rng(seed);
    let mut out = Pooled::default();
    let (mut given, mut covered) = (0usize, 0usize);
    for _ in 0..reps {
        let level = |population: f64, rng: &mut Rng| population * (1.0 + between_cv * rng.normal());
        let runs: Vec<MetricSeries> = (0..k)
            .map(|_| {
                let l = level(LEVEL, &mut rng);
                as_series(&run(Noise::Ar1(0.5), n, l, &mut rng))
            })
            .collect();
        let l = level(LEVEL * (1.0 - regression), &mut rng);
        let c = as_series(&run(Noise::Ar1(0.5), n, l, &mut rng));
        let inputs: Vec<SideInput> = runs.iter().map(input).collect();
        let r = benchcmp::compare::compare_metric_runs(
            &m,
            Some(&g),
            &inputs,
            &input(&c),
            &Settings::default(),
            prior_cv,
        );
        match r.verdict {
            Some(Verdict::Pass) => out.pass += 1.0,
            Some(Verdict::Fail) => out.fail += 1.0,
            _ => out.inconclusive += 1.0,
        }
        if let (Some(lo), Some(hi)) = (r.clauses[0].low, r.clauses[0].high) {
            given += 1;
            if lo <= regression && regression <= hi {
                covered += 1;
            }
        }
    }
    let r = reps as f64;
    out.pass /= r;
    out.fail /= r;
    out.inconclusive /= r;
    out.coverage = covered as f64 / given.max(1) as f64;
    out
}

/// A share in percent with one decimal (`–` when undefined), for the tables.
pub fn pct(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else {
        format!("{:.1}", x * 100.0)
    }
}

/// Replicates per cell: the first command-line argument, else 1000.
pub fn replicates() -> usize {
    std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000)
}

/// A Poisson draw (inversion; for the small means event counts per step have here).
pub fn poisson(mean: f64, rng: &mut Rng) -> f64 {
    let limit = (-mean).exp();
    let (mut k, mut p) = (0.0, rng.uniform());
    while p > limit {
        k += 1.0;
        p *= rng.uniform();
    }
    k
}

/// Events per 30 s step at `rate` per second: one at a time (Poisson), or in bursts — a
/// rate that drifts as exp of an AR(0.9) with unit variance, so events cluster in time.
pub fn events(rate: f64, bursty: bool, n: usize, rng: &mut Rng) -> Vec<f64> {
    let step_s = STEP_MS as f64 / 1000.0;
    let latent = if bursty {
        noise(Noise::Ar1(0.9), n, rng)
    } else {
        vec![0.0; n]
    };
    // exp(z − ½) has mean 1 for a unit-variance normal z.
    latent
        .iter()
        .map(|z| poisson(rate * step_s * (z - 0.5).exp(), rng))
        .collect()
}

/// Event counts compared as rates (`kind = "count"`, lower is better) with the candidate's
/// true rate `1 + truth` times the baseline's: the coverage of the change's interval, and
/// the median width of its log-interval over the exact Poisson ratio interval's.
pub fn counts_at(
    rate: f64,
    bursty: bool,
    n: usize,
    truth: f64,
    reps: usize,
    seed: u64,
) -> (f64, f64) {
    let mut m = metric(Better::Lower);
    m.unit = "events".into();
    m.kind = Kind::Count;
    let g = gate::parse("regression <= 50%", "events").unwrap();
    let mut rng = Rng(seed);
    let (mut given, mut covered) = (0usize, 0usize);
    let mut widths = Vec::new();
    for _ in 0..reps {
        let b = events(rate, bursty, n, &mut rng);
        let c = events(rate * (1.0 + truth), bursty, n, &mut rng);
        let (bs, cs) = (as_series(&b), as_series(&c));
        let r = compare_metric(&m, Some(&g), &input(&bs), &input(&cs), &Settings::default());
        let Some(ch) = r.change else { continue };
        let (Some(lo), Some(hi)) = (ch.relative_low, ch.relative_high) else {
            continue;
        };
        given += 1;
        if lo <= truth && truth <= hi {
            covered += 1;
        }
        let exposure = n as f64 * STEP_MS as f64 / 1000.0;
        let total = |v: &[f64]| v.iter().sum::<f64>() as u64;
        if let Some((elo, ehi)) = benchcmp::stats::count::rate_ratio_interval(
            benchcmp::stats::count::Counted::new(total(&c), exposure),
            benchcmp::stats::count::Counted::new(total(&b), exposure),
            0.95,
        ) {
            if elo > 0.0 && ehi.is_finite() {
                widths.push(((1.0 + hi) / (1.0 + lo)).ln() / (ehi / elo).ln());
            }
        }
    }
    widths.sort_by(f64::total_cmp);
    (
        covered as f64 / given.max(1) as f64,
        widths.get(widths.len() / 2).copied().unwrap_or(f64::NAN),
    )
}
