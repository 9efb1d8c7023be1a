//! Calibration of the verdicts on synthetic runs with known truth: a fast subset of the full
//! table (`cargo run --release --example calibrate`, in README.md), with fixed seeds.
//!
//! Runs are like a `rate()` at a 30 s step: a level of 150 with 5% noise of the named
//! kind, and a candidate whose true regression is set exactly (`support/calibrate.rs`).
//! The targets of the full table are asserted here with room for the Monte-Carlo error of
//! the fewer replicates: false passes at exactly the budget stay under 5% everywhere, the
//! intervals cover, power at half the budget is near an interval of the right width,
//! level shifts are found where they happen — also in the last minutes — and not where
//! they do not, and a leak fails its trend clause.

mod support;

use support::calibrate::{self, Noise};
use support::synth::Rng;

const REPS: usize = 150;

#[test]
fn false_passes_at_the_budget_stay_rare_even_under_strong_autocorrelation() {
    for (i, (kind, n)) in [
        (Noise::Ar1(0.9), 460),
        (Noise::Ar1(0.98), 240),
        (Noise::Ar1(0.99), 40),
        (Noise::Ar1(0.5), 30),
        (Noise::Spikes, 460),
    ]
    .into_iter()
    .enumerate()
    {
        let at = calibrate::at_truth(kind, n, calibrate::BUDGET, REPS, 10 + i as u64);
        println!(
            "{} n={n}: pass {:.1}% fail {:.1}% coverage {:.1}% (given {:.0}%)",
            kind.name(),
            at.pass * 100.0,
            at.fail * 100.0,
            at.coverage * 100.0,
            at.given * 100.0
        );
        assert!(
            at.pass <= 0.07,
            "{} n={n}: false pass {}",
            kind.name(),
            at.pass
        );
        assert!(
            at.fail <= 0.07,
            "{} n={n}: false fail {}",
            kind.name(),
            at.fail
        );
        if at.given > 0.5 {
            assert!(
                at.coverage >= 0.88,
                "{} n={n}: coverage {}",
                kind.name(),
                at.coverage
            );
        }
    }
}

#[test]
fn power_is_near_an_interval_of_the_right_width() {
    for (i, kind) in [
        Noise::Ar1(0.9),
        Noise::Ma3,
        Noise::Sine(60.0),
        Noise::Sawtooth(60.0),
    ]
    .into_iter()
    .enumerate()
    {
        let half = calibrate::at_truth(kind, 460, calibrate::BUDGET / 2.0, REPS, 20 + i as u64);
        println!(
            "{}: pass at half the budget {:.1}% (oracle {:.1}%)",
            kind.name(),
            half.pass * 100.0,
            half.oracle_pass * 100.0
        );
        assert!(
            half.pass >= half.oracle_pass - 0.15,
            "{}: {} vs oracle {}",
            kind.name(),
            half.pass,
            half.oracle_pass
        );
    }
}

#[test]
fn power_under_strong_autocorrelation_is_near_a_t_interval_on_the_true_degrees_of_freedom() {
    // The target of the full table: within 10 points of a t interval on ν = n(1−φ)/(1+φ)
    // at half the budget (φ ≤ 0.9, n ≥ 120); here with room for 300 replicates.
    let half = calibrate::at_truth(Noise::Ar1(0.9), 120, calibrate::BUDGET / 2.0, 300, 60);
    println!(
        "φ 0.9, n 120: pass at half the budget {:.1}% (t on ν {:.1}%, oracle {:.1}%)",
        half.pass * 100.0,
        half.t_true_pass * 100.0,
        half.oracle_pass * 100.0
    );
    assert!(half.pass >= half.t_true_pass - 0.15, "{half:?}");
}

#[test]
fn periodic_load_that_is_not_a_sine_costs_neither_power_nor_false_shifts() {
    // An hourly job taking 30% for ten minutes, in a 3 h 50 min run: found and removed
    // whole, the interval is as wide as it needs to be (before: 3.5 times, 38% power).
    let job = Noise::Pulse {
        period: 120,
        length: 20,
        depth: 0.3,
    };
    let half = calibrate::at_truth(job, 460, calibrate::BUDGET / 2.0, REPS, 61);
    println!(
        "{}: pass at half the budget {:.1}%, width {:.2} of the oracle's",
        job.name(),
        half.pass * 100.0,
        half.width_ratio
    );
    assert!(half.pass >= 0.75, "{half:?}");
    assert!(half.width_ratio < 1.5, "{half:?}");
    let at = calibrate::at_truth(job, 460, calibrate::BUDGET, REPS, 62);
    assert!(at.pass <= 0.07, "false pass {:?}", at);
    let fa = calibrate::shift_false_alarms(job, 460, 300, 63);
    let gc = calibrate::shift_false_alarms(
        Noise::Gc {
            period: 40,
            amplitude: 0.1,
        },
        460,
        300,
        64,
    );
    println!(
        "false shifts: job {:.1}%, GC {:.1}%",
        fa * 100.0,
        gc * 100.0
    );
    assert!(fa <= 0.05 && gc <= 0.02, "{fa} {gc}");
}

#[test]
fn shifts_are_found_where_they_happen_and_not_elsewhere() {
    let fa = calibrate::shift_false_alarms(Noise::Ar1(0.98), 240, 300, 30);
    println!("false alarms at φ 0.98, n 240: {:.1}%", fa * 100.0);
    assert!(fa <= 0.03, "false alarms {fa}");
    let fa = calibrate::shift_false_alarms(Noise::Sine(60.0), 460, 100, 31);
    assert!(fa <= 0.03, "a cycle is not a shift: {fa}");
    // A rate window's MA(3) in an hour of samples (1.07–1.3% before the noise was floored
    // at its plain variance for the test).
    let fa = calibrate::shift_false_alarms(Noise::Ma3, 120, 1000, 34);
    println!("false alarms, MA(3) n 120: {:.2}%", fa * 100.0);
    assert!(fa <= 0.015, "false alarms {fa}");
    // an 80% collapse in the last 2% of the run (9 samples, 4.5 minutes) is found
    let (found, delay) = calibrate::shift_detection(Noise::Ar1(0.9), 460, -0.8, 0.98, 100, 32);
    println!(
        "collapse in the last 2%: found {:.0}%, median delay {delay}",
        found * 100.0
    );
    assert!(found >= 0.8 && delay <= 1.0, "{found} {delay}");
    let (found, _) = calibrate::shift_detection(Noise::Ar1(0.9), 460, -0.3, 0.5, 100, 33);
    assert!(found >= 0.9, "{found}");
}

#[test]
fn a_collapse_is_a_regression_and_a_leak_fails_its_trend_clause() {
    // half the run at the baseline level, then −80%: fail, on the final level
    let mut rng = support::synth::Rng(40);
    let mut fails = 0;
    for _ in 0..50 {
        let b = calibrate::run(Noise::Ar1(0.9), 460, calibrate::LEVEL, &mut rng);
        let mut c = calibrate::run(Noise::Ar1(0.9), 460, calibrate::LEVEL, &mut rng);
        for v in c.iter_mut().skip(230) {
            *v *= 0.2;
        }
        let r = calibrate::judge(&b, &c, "regression <= 10%");
        if r.verdict == Some(benchcmp::compare::Verdict::Fail) {
            fails += 1;
        }
        assert!(r.final_change.is_some(), "the final level is judged");
    }
    assert_eq!(fails, 50);
    // A collapse of 40% in the last 1 to 30 samples: never a pass (it passed in up to all
    // runs when it was shorter than the shift search's segments).
    for tail in [1, 2, 4, 8, 15, 30] {
        let mut passes = 0;
        for _ in 0..40 {
            let b = calibrate::run(Noise::Ar1(0.9), 460, calibrate::LEVEL, &mut rng);
            let mut c = calibrate::run(Noise::Ar1(0.9), 460, calibrate::LEVEL, &mut rng);
            for v in c.iter_mut().skip(460 - tail) {
                *v *= 0.6;
            }
            if calibrate::judge(&b, &c, "regression <= 10%").verdict
                == Some(benchcmp::compare::Verdict::Pass)
            {
                passes += 1;
            }
        }
        assert_eq!(passes, 0, "tail {tail}");
    }
    let (fail, trend) = calibrate::drift(0.3, 460, 50, 41, "regression <= 20% and trend <= 5%/h");
    assert!(fail >= 0.9 && trend >= 0.9, "{fail} {trend}");
    let (fail, _) = calibrate::drift(0.0, 460, 50, 42, "regression <= 20% and trend <= 5%/h");
    assert!(fail <= 0.04, "{fail}");
}

/// Several baselines: the candidate is judged as one more run of the baselines'
/// population, so run-to-run variation does not read as a regression, and a candidate
/// exactly at the budget rarely passes (`cargo run --release --example calibrate-baselines`
/// has the full table).
#[test]
fn pooled_baselines_keep_coverage_with_run_to_run_variation() {
    for (i, (cv, k, prior)) in [(0.04, 3, None), (0.08, 5, None), (0.04, 1, Some(0.04))]
        .into_iter()
        .enumerate()
    {
        let p = calibrate::pooled_at(calibrate::BUDGET, cv, k, 240, REPS, 90 + i as u64, prior);
        println!(
            "CV {:.0}%, {k} baselines, prior {prior:?}: coverage {:.1}% pass {:.1}% fail {:.1}%",
            cv * 100.0,
            p.coverage * 100.0,
            p.pass * 100.0,
            p.fail * 100.0
        );
        assert!(p.pass <= 0.08, "false pass {:.3}", p.pass);
        assert!(p.coverage >= 0.86, "coverage {:.3}", p.coverage);
    }
    // One baseline without a prior cannot see run-to-run variation: said, not hidden.
    let p = calibrate::pooled_at(calibrate::BUDGET, 0.04, 1, 240, REPS, 95, None);
    assert!(
        p.coverage < 0.6,
        "one run cannot cover what it cannot see: {:.3}",
        p.coverage
    );
}

/// `watch` looked at after every poll: at exactly the budget, where a FAIL and a PASS are
/// both wrong, with a candidate 2.5 times as noisy as its baseline at lag-1 autocorrelation
/// 0.9 (where it failed 12% of runs before its noise got the baseline's small-sample
/// treatment and its steps' spread), no look fails a run; `compare` asked every 5 minutes
/// errs far more often. A fixed-seed subset of `cargo run --release --example
/// calibrate-watch`.
#[test]
fn watch_stays_right_however_often_it_is_looked_at_where_repeated_compare_does_not() {
    use support::watch::{compare_run, error_rates, Cell, LOOKS};
    let cell = Cell::ar(0.9, 2.5);
    let r = error_rates(cell, 30, 11);
    assert!(r.live_fail_at_budget <= 1.0 / 30.0, "{r:?}");
    assert!(
        r.ever_fail_at_budget + r.ever_pass_at_budget <= 3.0 / 30.0,
        "{r:?}"
    );
    assert!(r.false_fail_no_change == 0.0, "{r:?}");
    let mut rng = Rng(12);
    let wrong = (0..20)
        .filter(|_| {
            let b = cell.baseline(calibrate::LEVEL, &mut rng);
            let c = cell.candidate(LOOKS, |_| calibrate::LEVEL * 0.9, &mut rng);
            let (failed, passed) = compare_run(&b, &c, "regression <= 10%", 10);
            failed.is_some() || passed.is_some()
        })
        .count();
    assert!(wrong >= 2, "{wrong} of 20");
}

/// A 70% drop an hour into a good run is failed within 5 minutes, a 30% drop within 15
/// (lag-1 autocorrelation 0.9, the candidate as noisy as the baseline); a run at the
/// baseline's level released early passes, not before the minimum duration (15 minutes).
#[test]
fn watch_fails_a_collapse_in_minutes_and_passes_a_healthy_run() {
    use support::watch::{drop_delays, quantile, watch_run, Cell, LOOKS};
    let cell = Cell::ar(0.9, 1.0);
    let mut delays = drop_delays(cell, 0.7, 60, 10, 5);
    assert!(quantile(&mut delays, 1.0) <= 5.0, "{delays:?}");
    let mut delays = drop_delays(cell, 0.3, 60, 10, 6);
    assert!(quantile(&mut delays, 0.5) <= 15.0, "{delays:?}");
    let mut rng = Rng(5);
    for _ in 0..5 {
        let b = cell.baseline(calibrate::LEVEL, &mut rng);
        let same = cell.candidate(LOOKS, |_| calibrate::LEVEL, &mut rng);
        let w = watch_run(&b, &same, "regression <= 10%", true, false);
        assert!(w.failed.is_none());
        assert!(w.released.is_some_and(|k| k >= 30), "{w:?}");
    }
}
