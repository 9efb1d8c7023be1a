//! Shapes of real production series that the statistics got wrong (issue #37), made
//! synthetically here (the real pairs, in `../shared/real-dev/`, may not be copied): each
//! test's shape failed before its fix and passes after it.
//!
//! 1. Quiet, anti-persistent noise with short seasonal lags (an EC2 CPU series with a
//!    15-minute cycle at a 5-minute step): an autoregression on block means read the cycle
//!    as persistence, with less than one degree of freedom and an interval of ±100%.
//! 2. A shape both runs share (traffic stepping down in the evening): the candidate's final
//!    level was compared with the baseline's whole day.
//! 3. One empty slot at a baseline's level step: the check of what the hole could hide failed
//!    on the step (read as stationary), not on the hole.
//! 4. A level that steps or wanders: read as an AR(1) at the unit root, no interval and no
//!    shift, where every sample of one run lies beyond every sample of the other.

mod support;

use benchcmp::compare::side::SideInput;
use benchcmp::compare::{compare_metric, MetricResult, Reason, Settings, Verdict};
use benchcmp::gate;
use benchcmp::pack::{Better, Metric};
use benchcmp::source::MetricSeries;
use support::synth::Rng;

/// Five minutes, the step of the real series.
const STEP: i64 = 300_000;

fn metric(better: Better) -> Metric {
    let mut m = support::calibrate::metric(better);
    m.unit = "%".into();
    m
}

/// A series of `values` (NaN: no sample in that slot) from time 0 at [`STEP`].
fn series(values: &[f64]) -> MetricSeries {
    benchcmp::testkit::series_with_gaps(values, STEP)
}

fn input(s: &MetricSeries) -> SideInput<'_> {
    benchcmp::testkit::input(s, STEP)
}

/// `candidate` against `baseline` under `regression <= 10%`, `better` as given.
fn judge(baseline: &[f64], candidate: &[f64], better: Better) -> MetricResult {
    let m = metric(better);
    let g = gate::parse("regression <= 10%", "%").unwrap();
    let (b, c) = (series(baseline), series(candidate));
    compare_metric(&m, Some(&g), &input(&b), &input(&c), &Settings::default())
}

/// An autoregression with coefficients `phi` around `level`, standard deviation `sd`,
/// rounded to a tenth as a CPU percentage is.
fn ar(phi: &[f64], n: usize, level: f64, sd: f64, rng: &mut Rng) -> Vec<f64> {
    let burn = 200;
    let mut x = vec![0.0; n + burn];
    for t in phi.len()..n + burn {
        x[t] = rng.normal()
            + phi
                .iter()
                .enumerate()
                .map(|(k, f)| f * x[t - 1 - k])
                .sum::<f64>();
    }
    let x = &x[burn..];
    let mean = x.iter().sum::<f64>() / n as f64;
    let spread = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    x.iter()
        .map(|v| ((level + sd * (v - mean) / spread) * 10.0).round() / 10.0)
        .collect()
}

/// Lag-1 anti-persistence with positive lags 3, 4 and 8: a cycle of about three samples on
/// quiet noise (lag-1 autocorrelation about −0.45).
const SEASONAL_LAGS: [f64; 8] = [-0.5, -0.1, 0.4, 0.35, 0.15, -0.05, -0.2, 0.3];

#[test]
fn anti_persistent_noise_with_a_short_cycle_gets_a_sane_interval() {
    // Pairs of 12-hour runs of the same noise and level: the same level, so both clauses
    // pass, on a change whose degrees of freedom are at least 2 and an interval of a few
    // percent (the real pairs' Newey–West intervals are ±0.6 to ±0.9%).
    let mut rng = Rng(37);
    for pair in 0..12 {
        let b = ar(&SEASONAL_LAGS, 144, 44.0, 3.0, &mut rng);
        let c = ar(&SEASONAL_LAGS, 144, 44.0, 3.0, &mut rng);
        for better in [Better::Lower, Better::Higher] {
            let r = judge(&b, &c, better);
            let change = r.change.expect("a change");
            let df = change.df.expect("an interval");
            assert!(df >= 2.0, "pair {pair}: {df} degrees of freedom");
            let width = change.ci_high.unwrap() - change.ci_low.unwrap();
            assert!(width < 0.1, "pair {pair}: interval {width} wide");
            assert_eq!(
                r.verdict,
                Some(Verdict::Pass),
                "pair {pair}: {:?}",
                r.reasons
            );
        }
    }
}

/// A step down in the last part of both runs, the candidate's an hour and a half earlier,
/// their means equal: no regression, where the candidate's final level against the
/// baseline's whole day failed it. The story's collapse — a step the baseline did not
/// make — still fails on its final level.
#[test]
fn a_shape_both_runs_share_is_no_regression_and_a_collapse_still_is() {
    let mut rng = Rng(38);
    let day = |step_at: usize, high: f64, low: f64, rng: &mut Rng| -> Vec<f64> {
        let noise = ar(&[0.5], 144, 0.0, 1.0, rng);
        (0..144)
            .map(|t| {
                let level = if t < step_at { high } else { low };
                (level * (1.0 + 0.08 * noise[t])).max(0.0)
            })
            .collect()
    };
    let b = day(99, 8.0, 3.2, &mut rng);
    let c = day(80, 8.6, 4.4, &mut rng);
    let r = judge(&b, &c, Better::Higher);
    assert_eq!(r.verdict, Some(Verdict::Pass), "{:?}", r.reasons);
    assert!(!r.candidate.shifts.is_empty() && !r.baseline.shifts.is_empty());
    // The same candidate against a flat baseline: its final level is a collapse.
    let flat = day(144, 6.8, 6.8, &mut rng);
    let r = judge(&flat, &c, Better::Higher);
    assert_eq!(r.verdict, Some(Verdict::Fail), "{:?}", r.reasons);
    assert!(r
        .reasons
        .iter()
        .any(|x| matches!(x, Reason::FinalLevel { .. })));
}

/// A baseline that steps up (6% → 15%) with one empty slot at the step, a candidate well
/// below it throughout: `up` passes, as it does with the slot filled — one slot of 144
/// cannot move the mean 10%.
#[test]
fn one_empty_slot_at_a_step_does_not_hide_a_clear_pass() {
    let mut rng = Rng(39);
    let noise = ar(&[0.3], 144, 0.0, 1.0, &mut rng);
    let mut b: Vec<f64> = (0..144)
        .map(|t| if t < 85 { 6.0 } else { 15.0 } * (1.0 + 0.05 * noise[t]))
        .collect();
    b[84] = 25.0;
    b[85] = f64::NAN;
    let c = ar(&[0.3], 144, 6.2, 0.4, &mut rng);
    let r = judge(&b, &c, Better::Lower);
    assert_eq!(r.verdict, Some(Verdict::Pass), "{:?}", r.reasons);
}

/// A candidate that holds 41%, drops to 34% and then steps to 3% for its last third: a
/// failure of `down`, with both steps listed as level shifts; `up` passes.
#[test]
fn a_held_step_is_a_listed_shift_and_a_clear_failure() {
    let mut rng = Rng(40);
    let b = ar(&[0.3], 144, 41.0, 1.5, &mut rng);
    let noise = ar(&[0.5], 144, 0.0, 1.0, &mut rng);
    let c: Vec<f64> = (0..144)
        .map(|t| {
            let level = match t {
                0..48 => 41.0,
                48..90 => 34.0,
                _ => 3.0,
            };
            (level + 1.2 * noise[t] * level / 41.0).max(0.0)
        })
        .collect();
    let r = judge(&b, &c, Better::Higher);
    assert_eq!(r.verdict, Some(Verdict::Fail), "{:?}", r.reasons);
    let at: Vec<usize> = r
        .candidate
        .shifts
        .iter()
        .map(|s| (s.offset_seconds / 300.0).round() as usize)
        .collect();
    assert_eq!(at, vec![48, 90], "{:?}", r.candidate.shifts);
    assert_eq!(judge(&b, &c, Better::Lower).verdict, Some(Verdict::Pass));
}

/// A baseline whose level wanders (88–101, the last part higher) and a candidate decaying
/// from 70 to 44: every candidate sample below every baseline sample. `down` fails, `up`
/// passes, on the bounds of the runs' windows (the baseline has no stable mean).
#[test]
fn complete_separation_fails_in_the_right_direction() {
    let mut rng = Rng(41);
    let wander = ar(&[0.995], 144, 0.0, 1.0, &mut rng);
    let b: Vec<f64> = (0..144)
        .map(|t| 92.0 + 2.0 * wander[t] + if t >= 100 { 6.0 } else { 0.0 })
        .collect();
    let noise = ar(&[0.7], 144, 0.0, 1.0, &mut rng);
    let c: Vec<f64> = (0..144)
        .map(|t| 44.0 + 26.0 * (-(t as f64) / 40.0).exp() + noise[t])
        .collect();
    assert!(
        c.iter().cloned().fold(f64::MIN, f64::max) < b.iter().cloned().fold(f64::MAX, f64::min)
    );
    let r = judge(&b, &c, Better::Higher);
    assert_eq!(r.verdict, Some(Verdict::Fail), "{:?}", r.reasons);
    assert!(r
        .reasons
        .iter()
        .any(|x| matches!(x, Reason::RangeBounded { .. })));
    assert!(r.clauses[0].high.is_some(), "{:?}", r.clauses[0]);
    assert_eq!(judge(&b, &c, Better::Lower).verdict, Some(Verdict::Pass));
}
