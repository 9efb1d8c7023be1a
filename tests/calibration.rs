//! Calibration of the statistics on synthetic runs with known truth.
//!
//! Runs are AR(1) series like a `rate()` at a 30 s step over a 3h50m steady window
//! (n = 460, lag-1 autocorrelation 0.9, 5% relative noise). With true regressions well
//! inside the budget the verdict must almost never be FAIL; well beyond it, almost never
//! PASS; at the budget itself the interval's coverage decides, so PASS and FAIL must each
//! stay near the nominal 2.5%. Error rates are printed (`cargo test --test calibration --
//! --nocapture`) and asserted with slack for Monte Carlo error.

mod support;

use benchcmp::compare::{compare_metric, Settings, SideInput, Verdict};
use benchcmp::gate;
use benchcmp::pack::{Better, Kind, Metric};
use benchcmp::series::Series;
use benchcmp::source::MetricSeries;
use benchcmp::stats::{detect_shifts, long_run_variance, ratio_of_means};
use support::synth::Rng;

const N: usize = 460;
const STEP_MS: i64 = 30_000;
const REPLICATES: usize = 1000;

fn ar1(rng: &mut Rng, n: usize, mean: f64, rel_sd: f64, phi: f64) -> Vec<f64> {
    let innovation = (1.0 - phi * phi).sqrt();
    let mut x = rng.normal();
    (0..n)
        .map(|_| {
            let v = mean * (1.0 + rel_sd * x);
            x = phi * x + innovation * rng.normal();
            v
        })
        .collect()
}

fn metric(better: Better) -> Metric {
    Metric {
        id: "throughput".into(),
        title: "Throughput".into(),
        unit: "PI/s".into(),
        better,
        query: "x".into(),
        combine: None,
        gate: None,
        kind: Kind::Series,
        optional: false,
        saturates_at: None,
        allow_negative: false,
        description: None,
        file: "q.toml".into(),
    }
}

fn as_series(values: &[f64]) -> MetricSeries {
    let s = Series::new(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as i64 * STEP_MS, *v))
            .collect(),
    );
    let end = (values.len() as i64 - 1) * STEP_MS;
    MetricSeries {
        first_negative: None,
        full: s.clone(),
        steady: s,
        window: (0, end),
    }
}

/// Verdict counts over replicates for a true regression (higher is better: candidate mean
/// = 150 × (1 − regression)).
fn verdicts(true_regression: f64, seed: u64) -> (usize, usize, usize) {
    let m = metric(Better::Higher);
    let g = gate::parse("regression <= 10%", "PI/s").unwrap();
    let mut rng = Rng(seed);
    let (mut pass, mut fail, mut inconclusive) = (0, 0, 0);
    for _ in 0..REPLICATES {
        let b = as_series(&ar1(&mut rng, N, 150.0, 0.05, 0.9));
        let c = as_series(&ar1(
            &mut rng,
            N,
            150.0 * (1.0 - true_regression),
            0.05,
            0.9,
        ));
        let input = |s| SideInput {
            series: Some(s),
            run_start_ms: 0,
            step_ms: STEP_MS,
            window: (0, (N as i64 - 1) * STEP_MS),
        };
        let r = compare_metric(&m, Some(&g), &input(&b), &input(&c), &Settings::default());
        match r.verdict.unwrap() {
            Verdict::Pass => pass += 1,
            Verdict::Fail => fail += 1,
            Verdict::Inconclusive => inconclusive += 1,
            Verdict::NoData => panic!("no data on complete series"),
        }
    }
    println!(
        "true regression {:>5.1}%: pass {:.1}%, fail {:.1}%, inconclusive {:.1}%",
        true_regression * 100.0,
        pass as f64 * 100.0 / REPLICATES as f64,
        fail as f64 * 100.0 / REPLICATES as f64,
        inconclusive as f64 * 100.0 / REPLICATES as f64
    );
    (pass, fail, inconclusive)
}

#[test]
fn well_inside_the_budget_almost_never_fails() {
    let (pass, fail, _) = verdicts(0.0, 11);
    assert!(
        fail <= REPLICATES / 100,
        "fail rate {fail}/{REPLICATES} with no regression"
    );
    assert!(
        pass >= REPLICATES * 9 / 10,
        "pass rate {pass}/{REPLICATES} with no regression"
    );
    let (_, fail, _) = verdicts(0.03, 12);
    assert!(
        fail <= REPLICATES / 100,
        "fail rate {fail}/{REPLICATES} at 3%"
    );
}

#[test]
fn well_beyond_the_budget_almost_never_passes() {
    let (pass, fail, _) = verdicts(0.20, 13);
    assert!(
        pass <= REPLICATES / 100,
        "pass rate {pass}/{REPLICATES} at 20%"
    );
    assert!(
        fail >= REPLICATES * 9 / 10,
        "fail rate {fail}/{REPLICATES} at 20%"
    );
    let (pass, _, _) = verdicts(0.70, 14);
    assert_eq!(pass, 0);
}

#[test]
fn at_the_budget_errors_stay_near_nominal() {
    // One-sided error at the boundary: nominal 2.5% each way for a 95% interval.
    let (pass, fail, _) = verdicts(0.10, 15);
    assert!(
        pass <= REPLICATES * 6 / 100,
        "pass rate {pass}/{REPLICATES} at exactly the budget"
    );
    assert!(
        fail <= REPLICATES * 6 / 100,
        "fail rate {fail}/{REPLICATES} at exactly the budget"
    );
}

/// Coverage of the 95% interval for the ratio, against the naive iid interval.
#[test]
fn interval_coverage_accounts_for_autocorrelation() {
    for (phi, seed) in [(0.0, 21), (0.5, 22), (0.9, 23), (0.95, 24)] {
        let mut rng = Rng(seed);
        let (mut covered, mut naive_covered) = (0, 0);
        for _ in 0..REPLICATES {
            let b = ar1(&mut rng, N, 100.0, 0.05, phi);
            let c = ar1(&mut rng, N, 90.0, 0.05, phi);
            let (lb, lc) = (long_run_variance(&b), long_run_variance(&c));
            let r = ratio_of_means(&lb, &lc, 0.95).unwrap();
            if r.low <= 0.9 && 0.9 <= r.high {
                covered += 1;
            }
            // naive: treat samples as independent
            let naive_se = ((lb.variance / N as f64) / lb.mean.powi(2)
                + (lc.variance / N as f64) / lc.mean.powi(2))
            .sqrt();
            let lr = (lc.mean / lb.mean).ln();
            if (lr - 1.96 * naive_se).exp() <= 0.9 && 0.9 <= (lr + 1.96 * naive_se).exp() {
                naive_covered += 1;
            }
        }
        let cov = covered as f64 / REPLICATES as f64;
        let naive = naive_covered as f64 / REPLICATES as f64;
        println!(
            "phi {phi}: coverage of the 95% interval {:.1}% (naive iid interval {:.1}%)",
            cov * 100.0,
            naive * 100.0
        );
        assert!(cov >= 0.90, "coverage {cov} at phi {phi}");
        if phi >= 0.9 {
            assert!(
                naive < 0.6,
                "the naive interval should be badly overconfident at phi {phi}: {naive}"
            );
        }
    }
}

#[test]
fn shifts_are_found_and_noise_is_not_a_shift() {
    let mut rng = Rng(31);
    let mut false_alarms = 0;
    for _ in 0..REPLICATES {
        let x = ar1(&mut rng, N, 150.0, 0.05, 0.9);
        if !detect_shifts(&x, N / 20, 0.05).is_empty() {
            false_alarms += 1;
        }
    }
    let mut found = 0;
    let mut offsets_ok = 0;
    for _ in 0..REPLICATES {
        let mut x = ar1(&mut rng, N, 150.0, 0.05, 0.9);
        for v in &mut x[N / 2..] {
            *v *= 0.7;
        }
        let s = detect_shifts(&x, N / 20, 0.05);
        if let Some(big) = s.iter().find(|s| s.relative.is_some_and(|r| r < -0.2)) {
            found += 1;
            // within 10 minutes (20 samples) of the true change
            if (big.index as i64 - (N / 2) as i64).abs() <= 20 {
                offsets_ok += 1;
            }
        }
    }
    println!(
        "shifts: false alarms {:.1}% on stable runs; a -30% collapse found in {:.1}%, located within 10 min in {:.1}%",
        false_alarms as f64 * 100.0 / REPLICATES as f64,
        found as f64 * 100.0 / REPLICATES as f64,
        offsets_ok as f64 * 100.0 / REPLICATES as f64
    );
    assert!(
        false_alarms <= REPLICATES * 5 / 100,
        "false alarms {false_alarms}/{REPLICATES}"
    );
    assert!(found >= REPLICATES * 95 / 100, "found {found}/{REPLICATES}");
    assert!(
        offsets_ok >= REPLICATES * 90 / 100,
        "located {offsets_ok}/{REPLICATES}"
    );
}
