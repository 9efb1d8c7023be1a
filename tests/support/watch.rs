//! Calibration of `watch` on synthetic runs of known truth: every poll is a look, and a run
//! counts as wrongly failed (or passed) if any look — or the verdict the watch ends with —
//! ever says so. The watch is the library's own `Session`, the verdict at the end its own
//! `settle` of `compare`'s result, as `benchcmp watch` runs them. The contrast is the
//! fixed-sample `compare` asked again at looks through the run, which is what a dashboard
//! checked every few minutes amounts to.

use benchcmp::compare::side::SideInput;
use benchcmp::compare::{compare_metric, Settings, Verdict};
use benchcmp::gate;
use benchcmp::pack::Better;
use benchcmp::watch::decide::{self, Plan, WatchSettings};
use benchcmp::watch::session::{Session, SoFar, Watched};
use benchcmp::watch::verdict::Seen;
use benchcmp::watch::State;

use super::calibrate::{as_series, metric, LEVEL, STEP_MS};
use super::synth::Rng;

/// Samples of a baseline's steady window (3h50m at 30 s).
pub const BASELINE_SAMPLES: usize = 460;
/// Looks at a candidate: one per 30 s poll for 4 hours.
pub const LOOKS: usize = 480;
/// The baseline's noise: 2% of the level.
pub const BASELINE_SD: f64 = 0.02;

/// The settings of `benchcmp watch` by default at a 30 s step over a 4 h window: a look per
/// sample, 15 minutes before a pass; `release_early` is `--stop-on-pass`.
pub fn plan(release_early: bool) -> Plan {
    Plan {
        confidence: 0.95,
        step_ms: STEP_MS,
        every_ms: STEP_MS,
        window_ms: (LOOKS as i64 - 1) * STEP_MS,
        window_known: true,
        scrape_ms: STEP_MS,
        min_steady_ms: 15 * 60_000,
        release_early,
    }
}

fn input(s: &benchcmp::source::MetricSeries) -> SideInput<'_> {
    benchcmp::testkit::input(s, STEP_MS)
}

/// How one watched run went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Watching {
    /// The first look (1-based, in samples) at which the watch failed the run.
    pub failed: Option<usize>,
    /// The first look at which it released the run as passed (`--stop-on-pass`).
    pub released: Option<usize>,
    /// The verdict it ended with (`None` when it stopped at a failure).
    pub verdict: Option<Verdict>,
}

impl Watching {
    /// Whether any look or the end called the run a failure.
    pub fn ever_failed(&self) -> bool {
        self.failed.is_some() || self.verdict == Some(Verdict::Fail)
    }

    /// Whether any look or the end called it a pass.
    pub fn ever_passed(&self) -> bool {
        self.released.is_some() || self.verdict == Some(Verdict::Pass)
    }
}

/// Watches candidate `c` against baseline `b` under `gate_text`, looking after every sample
/// as `benchcmp watch` does; with `to_end`, goes on after a failure or a release and ends
/// with the verdict of the whole window, else stops at the first decision.
pub fn watch_run(
    b: &[f64],
    c: &[f64],
    gate_text: &str,
    release_early: bool,
    to_end: bool,
) -> Watching {
    let m = metric(Better::Higher);
    let g = gate::parse(gate_text, "PI/s").unwrap();
    let settings = WatchSettings::new(&plan(release_early));
    let bs = as_series(b);
    let reference = decide::reference(&m, &[input(&bs)], None, &settings);
    let mut session = Session::new(
        vec![Watched::new(m.clone(), g.clone(), reference)],
        settings,
    );
    let mut out = Watching {
        failed: None,
        released: None,
        verdict: None,
    };
    for k in 1..=c.len() {
        let cs = as_series(&c[..k]);
        let looks = session.look(
            &[Some(&cs)],
            SoFar {
                run_start_ms: 0,
                step_ms: STEP_MS,
                scrape_ms: STEP_MS,
                steady_start_ms: 0,
                seen_to_ms: (k as i64 - 1) * STEP_MS,
                complete: k == c.len(),
            },
        );
        match looks[0].state {
            State::Fail if out.failed.is_none() => out.failed = Some(k),
            State::Pass if out.released.is_none() => out.released = Some(k),
            _ => {}
        }
        if !to_end && (out.failed.is_some() || out.released.is_some()) {
            return out;
        }
    }
    let cs = as_series(c);
    let mut result = compare_metric(&m, Some(&g), &input(&bs), &input(&cs), &Settings::default());
    let window_ms = (c.len() as i64 - 1) * STEP_MS;
    session.settle(
        &mut [&mut result],
        Seen {
            to_ms: window_ms,
            steady_ms: window_ms,
            window_ms,
            to_end: true,
        },
    );
    out.verdict = result.verdict;
    out
}

/// The same for `compare` on the first `k` samples, asked at every `every`-th look: the
/// first look at which it failed, and at which it passed.
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

/// Unit-variance AR(1) noise.
fn ar1(n: usize, phi: f64, rng: &mut Rng) -> Vec<f64> {
    let scale = (1.0 - phi * phi).sqrt();
    let mut x = rng.normal();
    (0..n)
        .map(|_| {
            let v = x;
            x = phi * x + scale * rng.normal();
            v
        })
        .collect()
}

/// A cell of the calibration: the noise of both runs. The baseline has AR(1) noise of
/// persistence `phi` at [`BASELINE_SD`] (or the shipped weekly run's); the candidate the
/// same persistence at `ratio` times that noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub phi: f64,
    pub ratio: f64,
    /// The baseline is the shipped weekly run's throughput noise (2.1%, lag-1
    /// autocorrelation 0.96), the candidate AR(`phi`) at `ratio` × 2%.
    pub example: bool,
}

impl Cell {
    pub fn ar(phi: f64, ratio: f64) -> Cell {
        Cell {
            phi,
            ratio,
            example: false,
        }
    }

    pub fn name(&self) -> String {
        if self.example {
            format!(
                "weekly's noise; candidate AR(1) φ={} at {}%",
                self.phi,
                self.ratio * BASELINE_SD * 100.0
            )
        } else {
            format!("φ={}, candidate noise ×{}", self.phi, self.ratio)
        }
    }

    /// The baseline run at `level`.
    pub fn baseline(&self, level: f64, rng: &mut Rng) -> Vec<f64> {
        let z = if self.example {
            example_noise(BASELINE_SAMPLES, rng)
        } else {
            ar1(BASELINE_SAMPLES, self.phi, rng)
        };
        let sd = if self.example { 0.021 } else { BASELINE_SD };
        z.into_iter()
            .map(|z| (level * (1.0 + sd * z)).max(0.0))
            .collect()
    }

    /// A candidate of `n` samples whose level is `level(t)`.
    pub fn candidate(&self, n: usize, level: impl Fn(usize) -> f64, rng: &mut Rng) -> Vec<f64> {
        let sd = self.ratio * BASELINE_SD;
        ar1(n, self.phi, rng)
            .into_iter()
            .enumerate()
            .map(|(t, z)| (level(t) * (1.0 + sd * z)).max(0.0))
            .collect()
    }
}

/// Error rates of one cell over `runs` simulated pairs, each watched for [`LOOKS`] looks
/// and to the verdict it ends with.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorRates {
    /// Candidates at exactly the budget (−10%), where a FAIL and a PASS are both wrong:
    /// ever failed, ever passed (by default: at the end), ever passed with early release.
    pub ever_fail_at_budget: f64,
    pub ever_pass_at_budget: f64,
    pub early_pass_at_budget: f64,
    /// Of `ever_fail_at_budget`, the share failed by a look (the rest by the verdict at
    /// the end alone).
    pub live_fail_at_budget: f64,
    /// Candidates at the baseline's level: ever failed.
    pub false_fail_no_change: f64,
}

pub fn error_rates(cell: Cell, runs: usize, seed: u64) -> ErrorRates {
    let gate_text = "regression <= 10%";
    let mut rng = Rng(seed);
    let mut out = ErrorRates::default();
    for _ in 0..runs {
        let b = cell.baseline(LEVEL, &mut rng);
        let at_budget = cell.candidate(LOOKS, |_| LEVEL * 0.9, &mut rng);
        let w = watch_run(&b, &at_budget, gate_text, false, true);
        out.ever_fail_at_budget += f64::from(u8::from(w.ever_failed()));
        out.ever_pass_at_budget += f64::from(u8::from(w.ever_passed()));
        out.live_fail_at_budget += f64::from(u8::from(w.failed.is_some()));
        let early = watch_run(&b, &at_budget, gate_text, true, false);
        out.early_pass_at_budget += f64::from(u8::from(early.released.is_some()));
        let same = cell.candidate(LOOKS, |_| LEVEL, &mut rng);
        let w = watch_run(&b, &same, gate_text, false, true);
        out.false_fail_no_change += f64::from(u8::from(w.ever_failed()));
    }
    let r = runs.max(1) as f64;
    ErrorRates {
        ever_fail_at_budget: out.ever_fail_at_budget / r,
        ever_pass_at_budget: out.ever_pass_at_budget / r,
        early_pass_at_budget: out.early_pass_at_budget / r,
        live_fail_at_budget: out.live_fail_at_budget / r,
        false_fail_no_change: out.false_fail_no_change / r,
    }
}

/// Minutes after a drop of `drop` (a share, e.g. 0.7) at steady minute `at_minute` until
/// the watch failed the run (infinite when it never did), over `runs` runs.
pub fn drop_delays(cell: Cell, drop: f64, at_minute: usize, runs: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng(seed);
    let at = at_minute * 2;
    (0..runs)
        .map(|_| {
            let b = cell.baseline(LEVEL, &mut rng);
            let c = cell.candidate(
                LOOKS,
                |t| if t >= at { LEVEL * (1.0 - drop) } else { LEVEL },
                &mut rng,
            );
            match watch_run(&b, &c, "regression <= 10%", false, false).failed {
                // the look after sample k has seen k samples: the drop's first is at + 1
                Some(k) if k > at => (k - at) as f64 / 2.0,
                Some(_) => 0.0,
                None => f64::INFINITY,
            }
        })
        .collect()
}

/// The `p` quantile of `values` (sorted in place).
pub fn quantile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}
