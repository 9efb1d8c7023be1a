//! The comparison of one metric between two runs, and the overall verdict (SPEC §7).
//!
//! Pure functions: series in, summaries, the change with its interval, level shifts, and a
//! verdict with the reason that decided it out. Missing or thin data is `no_data`, never a
//! pass; a zero baseline is reported, never divided by.

use serde::Serialize;

use crate::duration;
use crate::gate::{Clause, Gate, Stat};
use crate::pack::{Better, Kind, Metric};
use crate::source::MetricSeries;
use crate::stats::{self, long_run_variance, ratio_of_means, LongRun, Summary};
use crate::units;

/// Share of the steady window that must carry finite values.
pub const MIN_COVERAGE: f64 = 0.8;
/// Level shifts smaller than this (relative) are not reported.
pub const MIN_SHIFT: f64 = 0.05;
/// Share of samples at the histogram ceiling from which a value is shown as "≥ ceiling".
pub const SATURATED_SHARE: f64 = 0.5;

/// The verdict of a metric or of the whole comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    Inconclusive,
    NoData,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Inconclusive => "INCONCLUSIVE",
            Verdict::NoData => "NO DATA",
        }
    }

    /// fail > no data > inconclusive > pass, for combining clauses.
    fn severity(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Inconclusive => 1,
            Verdict::NoData => 2,
            Verdict::Fail => 3,
        }
    }
}

/// Settings of the statistics.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub confidence: f64,
    pub min_coverage: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            confidence: 0.95,
            min_coverage: MIN_COVERAGE,
        }
    }
}

/// One run's data for one metric, as the comparison needs it.
#[derive(Debug, Clone, Copy)]
pub struct SideInput<'a> {
    /// `None`: the metric is not in this run's snapshot.
    pub series: Option<&'a MetricSeries>,
    pub run_start_ms: i64,
    pub step_ms: i64,
    /// The steady window (after warm-up and cool-down).
    pub window: (i64, i64),
}

/// A level shift found inside a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ShiftAt {
    /// Seconds from the run's start.
    pub offset_seconds: f64,
    pub timestamp_ms: i64,
    pub before: f64,
    pub after: f64,
    /// after / before − 1; `None` when before is 0.
    pub relative: Option<f64>,
}

/// What one run shows for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct SideResult {
    pub summary: Option<Summary>,
    pub longrun: Option<LongRun>,
    /// Share of the steady window with finite values.
    pub coverage: f64,
    /// Share of samples at the histogram ceiling (0 without one).
    pub saturated_share: f64,
    pub shifts: Vec<ShiftAt>,
    /// Why this side cannot be used, if it cannot.
    pub problem: Option<String>,
}

impl SideResult {
    pub fn is_saturated(&self) -> bool {
        self.saturated_share >= SATURATED_SHARE
    }
}

/// The change from baseline to candidate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// candidate / baseline − 1 of the means (`None` for a zero baseline).
    pub relative: Option<f64>,
    pub relative_low: Option<f64>,
    pub relative_high: Option<f64>,
    /// `relative` direction-adjusted: positive means worse.
    pub regression: Option<f64>,
    /// Interval of the regression.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub confidence: f64,
    /// Degrees of freedom of the t interval (`None` when the interval is a point).
    pub df: Option<f64>,
}

/// The outcome of one gate clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseResult {
    pub rule: String,
    pub verdict: Verdict,
    pub detail: String,
}

/// Everything decided about one metric.
#[derive(Debug, Clone)]
pub struct MetricResult {
    pub metric: Metric,
    pub gate: Option<Gate>,
    /// `None` for a metric without a gate (reported, not judged).
    pub verdict: Option<Verdict>,
    pub reason: String,
    pub baseline: SideResult,
    pub candidate: SideResult,
    pub change: Option<Change>,
    pub clauses: Vec<ClauseResult>,
}

/// Analyses one run's series of a metric.
pub fn analyze_side(metric: &Metric, input: &SideInput, settings: &Settings) -> SideResult {
    let mut side = SideResult {
        summary: None,
        longrun: None,
        coverage: 0.0,
        saturated_share: 0.0,
        shifts: Vec::new(),
        problem: None,
    };
    let Some(series) = input.series else {
        side.problem = Some("not recorded in the snapshot".into());
        return side;
    };
    let finite: Vec<(i64, f64)> = series
        .steady
        .points()
        .iter()
        .copied()
        .filter(|p| p.1.is_finite())
        .collect();
    side.coverage = series
        .steady
        .coverage(input.window.0, input.window.1, input.step_ms);
    if finite.is_empty() {
        side.problem = Some(if series.full.is_empty() {
            "the query returned no data".into()
        } else if series.steady.is_empty() {
            "no samples inside the steady window".into()
        } else {
            format!(
                "all {} values in the steady window are NaN or infinite",
                series.steady.len()
            )
        });
        return side;
    }
    let values: Vec<f64> = finite.iter().map(|p| p.1).collect();
    side.summary = Summary::of(&values);
    side.longrun = Some(long_run_variance(&values));
    if let Some(ceiling) = metric.saturates_at {
        side.saturated_share = values
            .iter()
            .filter(|v| **v >= ceiling * (1.0 - 1e-9))
            .count() as f64
            / values.len() as f64;
    }
    if metric.kind == Kind::Series {
        let min_segment = (values.len() / 20).max(10);
        side.shifts = stats::detect_shifts(&values, min_segment, MIN_SHIFT)
            .into_iter()
            .map(|s| {
                let t = finite[s.index].0;
                ShiftAt {
                    offset_seconds: (t - input.run_start_ms) as f64 / 1000.0,
                    timestamp_ms: t,
                    before: s.before,
                    after: s.after,
                    relative: s.relative,
                }
            })
            .collect();
    }
    if side.coverage < settings.min_coverage {
        side.problem = Some(format!(
            "only {:.0}% of the steady window has data (at least {:.0}% needed)",
            side.coverage * 100.0,
            settings.min_coverage * 100.0
        ));
    }
    side
}

/// The statistic a metric is shown and compared by: the total for counts, else the mean.
pub fn headline(metric: &Metric, s: &Summary) -> f64 {
    match metric.kind {
        Kind::Count => s.total,
        Kind::Series => s.mean,
    }
}

/// The name of `headline`'s statistic for `metric`.
pub fn headline_name(metric: &Metric) -> &'static str {
    match metric.kind {
        Kind::Count => "total",
        Kind::Series => "mean",
    }
}

fn stat_value(s: &Summary, stat: Stat) -> f64 {
    match stat {
        Stat::Mean => s.mean,
        Stat::Median | Stat::P50 => s.median,
        Stat::Min => s.min,
        Stat::Max => s.max,
        Stat::P90 => s.p90,
        Stat::P95 => s.p95,
        Stat::P99 => s.p99,
        Stat::Last => s.last,
        Stat::Total => s.total,
    }
}

fn pct(v: f64) -> String {
    units::change(v)
}

/// The change of the means with its interval, direction-adjusted.
pub fn change(metric: &Metric, b: &LongRun, c: &LongRun, confidence: f64) -> Change {
    let flip = |x: f64| match metric.better {
        Better::Higher => -x,
        Better::Lower => x,
    };
    let mut ch = Change {
        relative: None,
        relative_low: None,
        relative_high: None,
        regression: None,
        ci_low: None,
        ci_high: None,
        confidence,
        df: None,
    };
    if b.mean == 0.0 {
        if c.mean == 0.0 {
            // both zero: unchanged
            ch.relative = Some(0.0);
            ch.relative_low = Some(0.0);
            ch.relative_high = Some(0.0);
            ch.regression = Some(0.0);
            ch.ci_low = Some(0.0);
            ch.ci_high = Some(0.0);
        }
        return ch;
    }
    ch.relative = Some(c.mean / b.mean - 1.0);
    ch.regression = ch.relative.map(flip);
    if b.mean > 0.0 && c.mean == 0.0 && c.lrv == 0.0 {
        // a constant zero candidate: exactly −100%
        ch.relative_low = Some(-1.0);
        ch.relative_high = Some(-1.0);
    } else if let Some(r) = ratio_of_means(b, c, confidence) {
        ch.relative_low = Some(r.low - 1.0);
        ch.relative_high = Some(r.high - 1.0);
        ch.df = r.df.is_finite().then_some(r.df);
    }
    if let (Some(lo), Some(hi)) = (ch.relative_low, ch.relative_high) {
        let (a, z) = (flip(lo), flip(hi));
        ch.ci_low = Some(a.min(z));
        ch.ci_high = Some(a.max(z));
    }
    ch
}

/// Compares one metric and decides its verdict.
pub fn compare_metric(
    metric: &Metric,
    gate: Option<&Gate>,
    baseline: &SideInput,
    candidate: &SideInput,
    settings: &Settings,
) -> MetricResult {
    let b = analyze_side(metric, baseline, settings);
    let c = analyze_side(metric, candidate, settings);
    let change = match (&b.longrun, &c.longrun) {
        (Some(lb), Some(lc)) if b.problem.is_none() && c.problem.is_none() => {
            Some(change(metric, lb, lc, settings.confidence))
        }
        _ => None,
    };
    let mut result = MetricResult {
        metric: metric.clone(),
        gate: gate.cloned(),
        verdict: None,
        reason: String::new(),
        baseline: b,
        candidate: c,
        change,
        clauses: Vec::new(),
    };
    let Some(gate) = gate else {
        result.reason = "no gate: reported only".into();
        return result;
    };
    // Which runs does the gate need?
    let needs_baseline = gate
        .clauses
        .iter()
        .any(|c| matches!(c, Clause::Regression { .. }));
    let mut missing = Vec::new();
    if let Some(p) = &result.candidate.problem {
        missing.push(format!("candidate: {p}"));
    }
    if needs_baseline {
        if let Some(p) = &result.baseline.problem {
            missing.push(format!("baseline: {p}"));
        }
    }
    if !missing.is_empty() {
        result.verdict = Some(Verdict::NoData);
        result.reason = format!("no data — {}", missing.join("; "));
        return result;
    }
    let steady_ms =
        (baseline.window.1 - baseline.window.0).min(candidate.window.1 - candidate.window.0);
    for clause in &gate.clauses {
        let outcome = evaluate_clause(metric, clause, &result, steady_ms, settings);
        result.clauses.push(outcome);
    }
    let verdict = result
        .clauses
        .iter()
        .map(|c| c.verdict)
        .max_by_key(|v| v.severity())
        .unwrap_or(Verdict::Pass);
    let mut reasons: Vec<String> = result
        .clauses
        .iter()
        .filter(|c| verdict == Verdict::Pass || c.verdict != Verdict::Pass)
        .map(|c| c.detail.clone())
        .collect();
    if result.candidate.is_saturated() {
        let ceiling = metric.saturates_at.unwrap_or(f64::NAN);
        reasons.push(format!(
            "candidate at the histogram ceiling ({:.0}% of samples ≥ {}): the true value and change are larger",
            result.candidate.saturated_share * 100.0,
            units::format_value(ceiling, &metric.unit)
        ));
    }
    result.verdict = Some(verdict);
    result.reason = reasons.join("; ");
    result
}

fn evaluate_clause(
    metric: &Metric,
    clause: &Clause,
    r: &MetricResult,
    steady_ms: i64,
    settings: &Settings,
) -> ClauseResult {
    let unit = &metric.unit;
    let c = r.candidate.summary.as_ref();
    match clause {
        Clause::Regression { op, budget } => {
            let rule = format!(
                "regression {} {}",
                op.symbol(),
                pct(*budget).trim_start_matches('+')
            );
            let budget_text = format!("{:.0}%", budget * 100.0);
            // `compare_metric` returns no data before any clause unless both runs have data,
            // so the change is there.
            let (Some(lb), Some(lc), Some(ch)) = (
                r.baseline.longrun.as_ref(),
                r.candidate.longrun.as_ref(),
                r.change,
            ) else {
                return ClauseResult {
                    rule,
                    verdict: Verdict::NoData,
                    detail: "no data".into(),
                };
            };
            if lb.mean == 0.0 && lc.mean == 0.0 {
                return ClauseResult {
                    rule,
                    verdict: Verdict::Pass,
                    detail: "both runs are 0: unchanged".into(),
                };
            }
            if lb.mean == 0.0 {
                let worse = match metric.better {
                    Better::Lower => lc.mean > 0.0,
                    Better::Higher => lc.mean < 0.0,
                };
                let shown = units::format_value(lc.mean, unit);
                if !worse {
                    return ClauseResult {
                        rule,
                        verdict: Verdict::Pass,
                        detail: format!("baseline is 0, candidate {shown}: better"),
                    };
                }
                // Is the candidate's level distinguishable from 0?
                let se = lc.variance_of_mean().sqrt();
                let t = stats::ratio::t_quantile(settings.confidence, (lc.n_eff - 1.0).max(1.0));
                let significant = lc.mean.abs() - t * se > 0.0;
                return ClauseResult {
                    rule,
                    verdict: if significant {
                        Verdict::Fail
                    } else {
                        Verdict::Inconclusive
                    },
                    detail: format!(
                        "baseline is 0 and candidate {shown}: a relative change is undefined{}",
                        if significant {
                            "; the candidate is clearly above 0"
                        } else {
                            "; the candidate is not clearly above 0"
                        }
                    ),
                };
            }
            let (Some(reg), Some(lo), Some(hi)) = (ch.regression, ch.ci_low, ch.ci_high) else {
                return ClauseResult {
                    rule,
                    verdict: Verdict::Inconclusive,
                    detail: "relative change undefined for values at or below 0".into(),
                };
            };
            let interval = format!("regression {} [{}, {}]", pct(reg), pct(lo), pct(hi));
            let (verdict, detail) = if op.holds(hi, *budget) {
                (
                    Verdict::Pass,
                    format!("{interval} within the {budget_text} budget"),
                )
            } else if !op.holds(lo, *budget) {
                (
                    Verdict::Fail,
                    format!("{interval} exceeds the {budget_text} budget"),
                )
            } else {
                let width = hi - lo;
                let mut d = format!("{interval} straddles the {budget_text} budget");
                if width > *budget && *budget > 0.0 {
                    let factor = (width / budget).powi(2);
                    let needed = (steady_ms as f64 * factor) as i64;
                    d.push_str(&format!(
                        "; too noisy for this budget: the interval is {:.0}% wide, about {} of steady state per run would be needed (have {})",
                        width * 100.0,
                        duration::human(round_minutes(needed)),
                        duration::human(round_minutes(steady_ms))
                    ));
                }
                (Verdict::Inconclusive, d)
            };
            ClauseResult {
                rule,
                verdict,
                detail,
            }
        }
        Clause::Absolute { stat, op, bound } => {
            let rule = format!(
                "{} {} {}",
                stat.name(),
                op.symbol(),
                units::format_value(*bound, unit)
            );
            let Some(s) = c else {
                return ClauseResult {
                    rule,
                    verdict: Verdict::NoData,
                    detail: "no data".into(),
                };
            };
            let value = stat_value(s, *stat);
            let holds = op.holds(value, *bound);
            ClauseResult {
                rule,
                verdict: if holds { Verdict::Pass } else { Verdict::Fail },
                detail: format!(
                    "candidate {} {} {} {}",
                    stat.name(),
                    units::format_value(value, unit),
                    if holds { op.symbol() } else { op.negation() },
                    units::format_value(*bound, unit)
                ),
            }
        }
        Clause::Shift { op, budget } => {
            let rule = format!("shift {} {:.0}%", op.symbol(), budget * 100.0);
            let worst = r
                .candidate
                .shifts
                .iter()
                .max_by(|a, b| shift_size(a).total_cmp(&shift_size(b)));
            match worst {
                None => ClauseResult {
                    rule,
                    verdict: Verdict::Pass,
                    detail: "no level shift inside the candidate".into(),
                },
                Some(s) => {
                    let holds = op.holds(shift_size(s), *budget);
                    ClauseResult {
                        rule,
                        verdict: if holds { Verdict::Pass } else { Verdict::Fail },
                        detail: format!(
                            "candidate shifted {} at {} ({} → {})",
                            s.relative.map_or("from 0".to_string(), pct),
                            duration::human(round_minutes((s.offset_seconds * 1000.0) as i64)),
                            units::format_value(s.before, unit),
                            units::format_value(s.after, unit)
                        ),
                    }
                }
            }
        }
    }
}

fn shift_size(s: &ShiftAt) -> f64 {
    s.relative.map_or(f64::INFINITY, f64::abs)
}

fn round_minutes(ms: i64) -> i64 {
    ((ms + 30_000) / 60_000) * 60_000
}

/// The overall verdict: fail if any gated metric fails or has no data (unless optional),
/// inconclusive if any is inconclusive, else pass.
pub fn overall<'a>(results: impl IntoIterator<Item = &'a MetricResult>) -> Verdict {
    let mut verdict = Verdict::Pass;
    for r in results {
        let v = match r.verdict {
            None => continue,
            Some(Verdict::NoData) if r.metric.optional => continue,
            Some(Verdict::NoData) => Verdict::Fail,
            Some(v) => v,
        };
        if v.severity() > verdict.severity() {
            verdict = v;
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate;
    use crate::pack::{Better, Kind, Metric};
    use crate::series::Series;

    const STEP: i64 = 30_000;

    fn metric(better: Better, kind: Kind) -> Metric {
        Metric {
            id: "m".into(),
            title: "M".into(),
            unit: "x/s".into(),
            better,
            query: "q".into(),
            combine: None,
            gate: None,
            kind,
            optional: false,
            saturates_at: None,
            description: None,
            file: "q.toml".into(),
        }
    }

    fn series(values: &[f64]) -> MetricSeries {
        let s = Series::new(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as i64 * STEP, *v))
                .collect(),
        );
        MetricSeries {
            full: s.clone(),
            steady: s,
            window: (0, (values.len() as i64 - 1) * STEP),
        }
    }

    fn input(s: Option<&MetricSeries>, n: usize) -> SideInput<'_> {
        SideInput {
            series: s,
            run_start_ms: 0,
            step_ms: STEP,
            window: (0, (n as i64 - 1) * STEP),
        }
    }

    fn run(m: &Metric, gate_text: &str, b: &[f64], c: &[f64]) -> MetricResult {
        let g = gate::parse(gate_text, &m.unit).unwrap();
        let (bs, cs) = (series(b), series(c));
        compare_metric(
            m,
            Some(&g),
            &input(Some(&bs), b.len()),
            &input(Some(&cs), c.len()),
            &Settings::default(),
        )
    }

    #[test]
    fn zero_baseline_is_reported_not_divided_by() {
        let m = metric(Better::Lower, Kind::Series);
        let r = run(&m, "regression <= 10%", &[0.0; 100], &[5.0; 100]);
        assert_eq!(r.verdict, Some(Verdict::Fail));
        assert!(
            r.reason.contains("baseline is 0") && r.reason.contains("undefined"),
            "{}",
            r.reason
        );
        let ch = r.change.unwrap();
        assert_eq!((ch.relative, ch.regression), (None, None));
        // an improvement from 0 for a higher-is-better metric passes
        let r = run(
            &metric(Better::Higher, Kind::Series),
            "regression <= 10%",
            &[0.0; 100],
            &[5.0; 100],
        );
        assert_eq!(r.verdict, Some(Verdict::Pass));
    }

    #[test]
    fn both_zero_is_unchanged() {
        let r = run(
            &metric(Better::Lower, Kind::Series),
            "regression <= 10%",
            &[0.0; 100],
            &[0.0; 100],
        );
        assert_eq!(r.verdict, Some(Verdict::Pass));
        assert!(r.reason.contains("unchanged"));
        assert_eq!(r.change.unwrap().regression, Some(0.0));
    }

    #[test]
    fn missing_thin_and_nan_data_are_no_data() {
        let m = metric(Better::Higher, Kind::Series);
        let g = gate::parse("regression <= 10%", "x/s").unwrap();
        let b = series(&[150.0; 100]);
        let r = compare_metric(
            &m,
            Some(&g),
            &input(Some(&b), 100),
            &input(None, 100),
            &Settings::default(),
        );
        assert_eq!(r.verdict, Some(Verdict::NoData));
        assert!(r.reason.contains("candidate: not recorded"), "{}", r.reason);
        let nan = series(&[f64::NAN; 100]);
        let r = compare_metric(
            &m,
            Some(&g),
            &input(Some(&b), 100),
            &input(Some(&nan), 100),
            &Settings::default(),
        );
        assert!(
            r.reason.contains("all 100 values") && r.reason.contains("NaN"),
            "{}",
            r.reason
        );
        let thin = series(&[150.0; 40]);
        let r = compare_metric(
            &m,
            Some(&g),
            &input(Some(&b), 100),
            &input(Some(&thin), 100),
            &Settings::default(),
        );
        assert_eq!(r.verdict, Some(Verdict::NoData));
        assert!(
            r.reason.contains("only 40% of the steady window"),
            "{}",
            r.reason
        );
        let empty = MetricSeries {
            full: Series::default(),
            steady: Series::default(),
            window: (0, 99 * STEP),
        };
        let r = compare_metric(
            &m,
            Some(&g),
            &input(Some(&b), 100),
            &input(Some(&empty), 100),
            &Settings::default(),
        );
        assert!(r.reason.contains("returned no data"), "{}", r.reason);
        // an absolute gate does not need the baseline
        let g = gate::parse("mean >= 100", "x/s").unwrap();
        let r = compare_metric(
            &m,
            Some(&g),
            &input(None, 100),
            &input(Some(&b), 100),
            &Settings::default(),
        );
        assert_eq!(r.verdict, Some(Verdict::Pass));
    }

    #[test]
    fn absolute_gates_and_counts() {
        let m = metric(Better::Lower, Kind::Count);
        // count metrics arrive as per-step increments: total = events in the window
        let mut c = vec![0.0; 100];
        c[10] = 1.0;
        c[50] = 2.0;
        let r = run(&m, "total <= 0", &[0.0; 100], &c);
        assert_eq!(r.verdict, Some(Verdict::Fail));
        assert!(
            r.reason.contains("total 3") && r.reason.contains("> 0"),
            "{}",
            r.reason
        );
        assert_eq!(r.candidate.summary.unwrap().total, 3.0);
        let r = run(&m, "max <= 0", &[0.0; 100], &[0.0; 100]);
        assert_eq!(r.verdict, Some(Verdict::Pass));
    }

    #[test]
    fn saturation_is_flagged() {
        let mut m = metric(Better::Lower, Kind::Series);
        m.unit = "s".into();
        m.saturates_at = Some(60.0);
        let r = run(&m, "regression <= 20%", &[0.2; 100], &[60.0; 100]);
        assert!(r.candidate.is_saturated());
        assert!(r.reason.contains("ceiling"), "{}", r.reason);
        assert_eq!(r.verdict, Some(Verdict::Fail));
    }

    #[test]
    fn overall_verdict_rules() {
        let m = metric(Better::Higher, Kind::Series);
        let pass = run(&m, "regression <= 10%", &[100.0; 50], &[100.0; 50]);
        let fail = run(&m, "regression <= 10%", &[100.0; 50], &[50.0; 50]);
        let g = gate::parse("regression <= 10%", "x/s").unwrap();
        let b = series(&[1.0; 50]);
        let mut no_data = compare_metric(
            &m,
            Some(&g),
            &input(Some(&b), 50),
            &input(None, 50),
            &Settings::default(),
        );
        assert_eq!(overall(std::slice::from_ref(&pass)), Verdict::Pass);
        assert_eq!(overall(&[pass.clone(), fail]), Verdict::Fail);
        assert_eq!(overall(&[pass.clone(), no_data.clone()]), Verdict::Fail);
        no_data.metric.optional = true;
        assert_eq!(overall(&[pass.clone(), no_data]), Verdict::Pass);
        let mut inconclusive = pass;
        inconclusive.verdict = Some(Verdict::Inconclusive);
        assert_eq!(overall(&[inconclusive]), Verdict::Inconclusive);
    }

    #[test]
    fn direction_adjusts_the_regression() {
        let up = run(
            &metric(Better::Lower, Kind::Series),
            "regression <= 10%",
            &[100.0; 50],
            &[130.0; 50],
        );
        let ch = up.change.unwrap();
        assert!(
            (ch.relative.unwrap() - 0.3).abs() < 1e-12
                && (ch.regression.unwrap() - 0.3).abs() < 1e-12
        );
        assert_eq!(up.verdict, Some(Verdict::Fail));
        let up_good = run(
            &metric(Better::Higher, Kind::Series),
            "regression <= 10%",
            &[100.0; 50],
            &[130.0; 50],
        );
        assert!((up_good.change.unwrap().regression.unwrap() + 0.3).abs() < 1e-12);
        assert_eq!(up_good.verdict, Some(Verdict::Pass));
    }
}
