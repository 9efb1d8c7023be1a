//! The calibration table of README.md: coverage, false pass and false fail at the budget,
//! power at half and at twice the budget against an interval of the right width, shift
//! false alarms and detection, drift — on synthetic runs with known truth.
//!
//!     cargo run --release --example calibrate [REPLICATES]
//!
//! Deterministic (fixed seeds). 1000 replicates per cell take several minutes on two cores.

#[path = "../tests/support/mod.rs"]
mod support;

use support::calibrate::{self, pct, Noise};

fn main() {
    let reps = calibrate::replicates();
    println!("Regression gate `regression <= 10%`, 95% confidence, {reps} replicate pairs per cell, 5% noise, 30 s step.");
    println!(
        "Coverage is of the intervals given; false pass/fail at a true regression of exactly 10%;"
    );
    println!(
        "power: pass at 5% and fail at 20%, against an interval of the right width (oracle) and a t interval"
    );
    println!(
        "on the true effective degrees of freedom ν = n(1−φ)/(1+φ) (t on ν; n/4 for the MA(3)). All in %.\n"
    );
    println!("| noise | n | coverage | given | false pass | false fail | pass at 5% | t on ν | oracle | fail at 20% (oracle) |");
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    let mut cells: Vec<(Noise, usize)> = Vec::new();
    for phi in [0.0, 0.5, 0.9, 0.95, 0.98, 0.99] {
        for n in [10, 20, 40, 120, 240, 460] {
            cells.push((Noise::Ar1(phi), n));
        }
    }
    for n in [120, 460] {
        cells.push((Noise::Ma3, n));
    }
    for period in [20.0, 60.0, 120.0] {
        cells.push((Noise::Sine(period), 460));
    }
    cells.push((Noise::Sawtooth(60.0), 460));
    cells.push((
        Noise::Gc {
            period: 40,
            amplitude: 0.1,
        },
        460,
    ));
    cells.push((
        Noise::Pulse {
            period: 120,
            length: 20,
            depth: 0.3,
        },
        460,
    ));
    cells.push((Noise::Spikes, 460));
    for (i, (kind, n)) in cells.iter().enumerate() {
        let c = calibrate::cell(*kind, *n, reps, 1000 + i as u64);
        println!(
            "| {} | {n} | {} | {} | {} | {} | {} | {} | {} | {} ({}) |",
            kind.name(),
            pct(c.at_budget.coverage),
            pct(c.at_budget.given),
            pct(c.at_budget.pass),
            pct(c.at_budget.fail),
            pct(c.half.pass),
            pct(c.half.t_true_pass),
            pct(c.half.oracle_pass),
            pct(c.twice.fail),
            pct(c.twice.oracle_fail),
        );
    }
    println!("\nLevel-shift false alarms on stationary runs (share of runs with any shift reported), in %:\n");
    println!("| noise | n = 120 | n = 240 | n = 460 |");
    println!("|---|--:|--:|--:|");
    for (i, kind) in [
        Noise::Ar1(0.0),
        Noise::Ar1(0.5),
        Noise::Ar1(0.9),
        Noise::Ar1(0.95),
        Noise::Ar1(0.98),
        Noise::Ma3,
        Noise::Sine(60.0),
        Noise::Gc {
            period: 40,
            amplitude: 0.1,
        },
        Noise::Pulse {
            period: 120,
            length: 20,
            depth: 0.3,
        },
        Noise::Spikes,
    ]
    .iter()
    .enumerate()
    {
        let fa: Vec<String> = [120, 240, 460]
            .iter()
            .map(|n| {
                pct(calibrate::shift_false_alarms(
                    *kind,
                    *n,
                    reps,
                    2000 + i as u64,
                ))
            })
            .collect();
        println!("| {} | {} |", kind.name(), fa.join(" | "));
    }
    println!("\nLevel shifts found (%, median distance from the true position in samples), AR(1) φ=0.9, n = 460:\n");
    println!("| change | at 50% | at 90% | in the last 5% | in the last 2% |");
    println!("|---|--:|--:|--:|--:|");
    for (i, size) in [-0.1, -0.3, -0.8].iter().enumerate() {
        let row: Vec<String> = [0.5, 0.9, 0.95, 0.98]
            .iter()
            .enumerate()
            .map(|(j, pos)| {
                let (found, delay) = calibrate::shift_detection(
                    Noise::Ar1(0.9),
                    460,
                    *size,
                    *pos,
                    reps,
                    3000 + (i * 10 + j) as u64,
                );
                format!("{} ({})", pct(found), delay)
            })
            .collect();
        println!("| {:+.0}% | {} |", size * 100.0, row.join(" | "));
    }
    println!("\nAbsolute clauses at their limit (AR(0.9) noise, n = 460), share passing in %:\n");
    println!("| clause | truth | pass |");
    println!("|---|---|--:|");
    let (mean_pass, p99_exact) = calibrate::absolute_at_limit(1.0, reps, 5000);
    let (_, p99_above) = calibrate::absolute_at_limit(1.05, reps, 5001);
    println!("| `mean <= 5%` | mean exactly 5% | {} |", pct(mean_pass));
    println!("| `p99 <= 1s` | p99 exactly 1 s | {} |", pct(p99_exact));
    println!("| `p99 <= 1s` | p99 1.05 s | {} |", pct(p99_above));
    println!("\nDrift: memory growing linearly over the window against a flat baseline (3% AR(0.9) noise, n = 460),");
    println!("gate `regression <= 20% and trend <= 5%/h`: share failing, share with a reported trend, in %:\n");
    println!("| growth over the run | fail | trend reported |");
    println!("|---|--:|--:|");
    for (i, total) in [0.0, 0.1, 0.3].iter().enumerate() {
        let (fail, trend) = calibrate::drift(
            *total,
            460,
            reps,
            4000 + i as u64,
            "regression <= 20% and trend <= 5%/h",
        );
        println!(
            "| {:+.0}% | {} | {} |",
            total * 100.0,
            pct(fail),
            pct(trend)
        );
    }
}
