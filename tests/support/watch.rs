//! Calibration of `watch` on synthetic runs of known truth: every poll is a look, and a run
//! counts as wrongly failed (or passed) if any look ever says so. The contrast is the
//! fixed-sample `compare` asked again at looks through the run, which is what a dashboard
//! checked every few minutes amounts to.

use benchcmp::compare::side::{SideInput, NO_EDGES};
use benchcmp::compare::{compare_metric, Settings, Verdict};
use benchcmp::gate;
use benchcmp::pack::Better;
use benchcmp::watch::decide::{self, TrendLooks, WatchSettings};
use benchcmp::watch::State;

use super::calibrate::{as_series, metric, run, Noise, LEVEL, STEP_MS};
use super::synth::Rng;

/// Samples of a baseline's steady window (3h50m at 30 s).
pub const BASELINE_SAMPLES: usize = 460;
/// Looks at a candidate: one per 30 s poll for 4 hours.
pub const LOOKS: usize = 480;

/// The settings of `benchcmp watch` by default at a 30 s step: 15 minutes before a pass.
pub fn settings() -> WatchSettings {
    WatchSettings::new(0.95, 15 * 60_000, STEP_MS)
}

fn input(s: &benchcmp::source::MetricSeries) -> SideInput<'_> {
    SideInput {
        series: Some(s),
        run_start_ms: 0,
        step_ms: STEP_MS,
        window: s.window,
        edges: NO_EDGES,
        warnings: &[],
    }
}

/// The first look (1-based, in samples) at which `watch` failed, and at which it passed,
/// a candidate `c` against baseline `b` under `gate_text`, looking after every sample.
pub fn watch_run(b: &[f64], c: &[f64], gate_text: &str) -> (Option<usize>, Option<usize>) {
    let m = metric(Better::Higher);
    let g = gate::parse(gate_text, "PI/s").unwrap();
    let settings = settings();
    let bs = as_series(b);
    let reference = decide::reference(&m, &[input(&bs)], None, &settings);
    let mut trends = TrendLooks::default();
    let (mut failed, mut passed) = (None, None);
    for k in 1..=c.len() {
        let cs = as_series(&c[..k]);
        let look = decide::look(
            &m,
            &g,
            &reference,
            &input(&cs),
            &settings,
            &mut trends,
            k == c.len(),
        );
        match look.state {
            State::Fail if failed.is_none() => failed = Some(k),
            State::Pass if passed.is_none() => passed = Some(k),
            _ => {}
        }
        if failed.is_some() && passed.is_some() {
            break;
        }
    }
    (failed, passed)
}

/// The same for `compare` on the first `k` samples, asked at every `every`-th look.
pub fn compare_run(
    b: &[f64],
    c: &[f64],
    gate_text: &str,
    every: usize,
) -> (Option<usize>, Option<usize>) {
    let m = metric(Better::Higher);
    let g = gate::parse(gate_text, "PI/s").unwrap();
    let bs = as_series(b);
    let (mut failed, mut passed) = (None, None);
    for k in (every..=c.len()).step_by(every) {
        let cs = as_series(&c[..k]);
        let r = compare_metric(&m, Some(&g), &input(&bs), &input(&cs), &Settings::default());
        match r.verdict {
            Some(Verdict::Fail) if failed.is_none() => failed = Some(k),
            Some(Verdict::Pass) if passed.is_none() => passed = Some(k),
            _ => {}
        }
        if failed.is_some() && passed.is_some() {
            break;
        }
    }
    (failed, passed)
}

/// Unit-variance noise like the shipped example's: the weekly run's throughput around its
/// mean, resampled in blocks of 20 samples (10 minutes) so that its autocorrelation and
/// its bursts are kept.
pub fn example_noise(n: usize, rng: &mut Rng) -> Vec<f64> {
    let text =
        std::fs::read_to_string(super::repo().join("baselines/weekly.json")).expect("weekly.json");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let values: Vec<f64> = json["metrics"]["throughput"]["data"]["result"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .skip(20) // the warm-up
        .filter_map(|v| v[1].as_str()?.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt();
    let z: Vec<f64> = values.iter().map(|v| (v - mean) / sd).collect();
    let block = 20;
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let start = (rng.uniform() * z.len() as f64) as usize;
        for i in 0..block {
            out.push(z[(start + i) % z.len()]);
        }
    }
    out.truncate(n);
    out
}

/// A noise of the calibration: AR(1), or the example's.
#[derive(Debug, Clone, Copy)]
pub enum WatchNoise {
    Ar1(f64),
    Example,
}

impl WatchNoise {
    pub fn name(self) -> String {
        match self {
            WatchNoise::Ar1(phi) => format!("AR(1) φ={phi}"),
            WatchNoise::Example => "the example's (weekly throughput, 10-min blocks)".into(),
        }
    }

    /// A run at `level` with this noise at the calibration's 5%.
    pub fn run(self, n: usize, level: f64, rng: &mut Rng) -> Vec<f64> {
        match self {
            WatchNoise::Ar1(phi) => run(Noise::Ar1(phi), n, level, rng),
            WatchNoise::Example => example_noise(n, rng)
                .into_iter()
                .map(|z| (level * (1.0 + super::calibrate::NOISE * z)).max(0.0))
                .collect(),
        }
    }
}

/// Error rates of one noise over `runs` simulated pairs whose candidate sits at exactly the
/// budget (−10%), where both a FAIL and a PASS are wrong: the share ever failed, and ever
/// passed, for `watch` and for `compare` asked at every `compare_every`-th look (over
/// `compare_runs` pairs: it is slower).
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorRates {
    pub ever_fail_at_budget: f64,
    pub ever_pass_at_budget: f64,
    pub compare_ever_fail_at_budget: f64,
    pub compare_ever_pass_at_budget: f64,
}

pub fn error_rates(
    noise: WatchNoise,
    runs: usize,
    compare_runs: usize,
    compare_every: usize,
    seed: u64,
) -> ErrorRates {
    let gate_text = "regression <= 10%";
    let mut rng = Rng(seed);
    let mut out = ErrorRates::default();
    for i in 0..runs {
        let b = noise.run(BASELINE_SAMPLES, LEVEL, &mut rng);
        let at_budget = noise.run(LOOKS, LEVEL * 0.9, &mut rng);
        let (failed, passed) = watch_run(&b, &at_budget, gate_text);
        out.ever_fail_at_budget += f64::from(u8::from(failed.is_some()));
        out.ever_pass_at_budget += f64::from(u8::from(passed.is_some()));
        if i < compare_runs {
            let (failed, passed) = compare_run(&b, &at_budget, gate_text, compare_every);
            out.compare_ever_fail_at_budget += f64::from(u8::from(failed.is_some()));
            out.compare_ever_pass_at_budget += f64::from(u8::from(passed.is_some()));
        }
    }
    let (r, cr) = (runs.max(1) as f64, compare_runs.max(1) as f64);
    ErrorRates {
        ever_fail_at_budget: out.ever_fail_at_budget / r,
        ever_pass_at_budget: out.ever_pass_at_budget / r,
        compare_ever_fail_at_budget: out.compare_ever_fail_at_budget / cr,
        compare_ever_pass_at_budget: out.compare_ever_pass_at_budget / cr,
    }
}
