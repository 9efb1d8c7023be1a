//! The calibration of `benchcmp watch` in README.md: on synthetic runs of known truth,
//! looked at after every 30 s poll for 4 hours, the share of runs at exactly the budget
//! ever declared FAIL and ever declared PASS (both wrong there) — for `watch`, and for
//! `compare` asked again every 5 minutes as the contrast — and how soon decisions come.
//!
//!     cargo run --release --example calibrate-watch [RUNS]
//!
//! Deterministic (fixed seeds). 2000 runs per cell take about N minutes on two cores.

#[path = "../tests/support/mod.rs"]
mod support;

use support::calibrate::LEVEL;
use support::synth::Rng;
use support::watch::{self, WatchNoise, LOOKS};

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let compare_runs = (runs / 5).max(1);
    let timing_runs = (runs / 20).max(1);
    let cells = [
        WatchNoise::Ar1(0.0),
        WatchNoise::Ar1(0.5),
        WatchNoise::Ar1(0.9),
        WatchNoise::Example,
    ];
    println!("Gate `regression <= 10%`, 95%, 5% noise, 30 s step, a look after every poll for 4 h ({LOOKS} looks), baseline 3h50m.");
    println!("Candidates at exactly the budget (−10%), where a FAIL and a PASS are both wrong: the share ever declared");
    println!("FAIL and ever declared PASS, in %: `watch` over {runs} runs per cell; `compare` asked every 5 minutes over {compare_runs} runs per cell.\n");
    println!("| noise | watch: ever FAIL | watch: ever PASS | `compare` every 5 min: ever FAIL | … ever PASS |");
    println!("|---|--:|--:|--:|--:|");
    let rates: Vec<watch::ErrorRates> = std::thread::scope(|s| {
        let handles: Vec<_> = cells
            .iter()
            .enumerate()
            .map(|(i, noise)| {
                s.spawn(move || watch::error_rates(*noise, runs, compare_runs, 10, 1000 + i as u64))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (noise, r) in cells.iter().zip(&rates) {
        println!(
            "| {} | {:.2} | {:.2} | {:.1} | {:.1} |",
            noise.name(),
            100.0 * r.ever_fail_at_budget,
            100.0 * r.ever_pass_at_budget,
            100.0 * r.compare_ever_fail_at_budget,
            100.0 * r.compare_ever_pass_at_budget
        );
    }

    // How soon: a 70% drop, and a run at the baseline's level.
    println!("\nTime to a decision (minutes of steady data, median and 95th percentile over {timing_runs} runs; `compare` asked every minute):\n");
    println!("| noise | 70% drop: FAIL | no change: PASS | `compare` first passes at | watch / compare |");
    println!("|---|--:|--:|--:|--:|");
    for (i, noise) in cells.iter().enumerate() {
        let mut rng = Rng(2000 + i as u64);
        let (mut fails, mut passes, mut compares, mut ratios) = (vec![], vec![], vec![], vec![]);
        for _ in 0..timing_runs {
            let b = noise.run(watch::BASELINE_SAMPLES, LEVEL, &mut rng);
            let drop = noise.run(LOOKS, LEVEL * 0.3, &mut rng);
            let same = noise.run(LOOKS, LEVEL, &mut rng);
            let minutes = |k: Option<usize>| k.map_or(f64::INFINITY, |k| k as f64 / 2.0);
            fails.push(minutes(watch::watch_run(&b, &drop, "regression <= 10%").0));
            let passed = minutes(watch::watch_run(&b, &same, "regression <= 10%").1);
            // compare on the first k samples, every minute: when it first passes
            let compared = minutes(watch::compare_run(&b, &same, "regression <= 10%", 2).1);
            passes.push(passed);
            compares.push(compared);
            ratios.push(passed / compared);
        }
        let q = |v: &mut Vec<f64>, p: f64| {
            v.sort_by(f64::total_cmp);
            v[((v.len() - 1) as f64 * p).round() as usize]
        };
        println!(
            "| {} | {:.1} / {:.1} | {:.1} / {:.1} | {:.1} / {:.1} | {:.2} / {:.2} |",
            noise.name(),
            q(&mut fails, 0.5),
            q(&mut fails, 0.95),
            q(&mut passes, 0.5),
            q(&mut passes, 0.95),
            q(&mut compares, 0.5),
            q(&mut compares, 0.95),
            q(&mut ratios, 0.5),
            q(&mut ratios, 0.95)
        );
    }
}
