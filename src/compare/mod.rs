//! The comparison of one metric between two runs, and the overall verdict (SPEC §7).
//!
//! Pure functions: series in, typed outcomes out. `side` analyses one run (evidence,
//! summary, mean estimate, shifts), `clause` decides each gate clause on an interval,
//! `evidence` owns what data can prove (coverage in time, censoring, resolution, the
//! worst plausible fill), `reason` the typed causes. The rule that makes "no evidence, no
//! pass" a property of the engine lives here: a pass must survive the missing part of the
//! window filled with the worst plausible values, or it becomes inconclusive.

pub mod clause;
pub mod evidence;
#[cfg(test)]
mod properties;
pub mod reason;
pub mod side;

use serde::Serialize;

use crate::gate::{Clause, Gate};
use crate::pack::{Kind, Metric};
use crate::stats::Summary;

pub use clause::ClauseResult;
pub use reason::{Bound, Outcome, Reason, Role};
pub use reason::{LevelFrom, LiveStatistic};
pub use side::{Evidence, FinalLevel, ShiftAt, SideInput, SideResult, TrendAt};

/// Share of the steady window that must carry data for a run to be used at all.
pub const MIN_COVERAGE: f64 = 0.8;
/// No pass or fail from fewer samples than this (15 minutes at a 30 s step): below it even
/// the autoregressive interval cannot tell a persistent run from a quiet one (calibration:
/// 5% false passes at n = 20 with lag-1 autocorrelation 0.99).
pub const MIN_SAMPLES: usize = 30;
/// Level shifts (and trends over the window) smaller than this (relative) are not reported.
pub const MIN_SHIFT: f64 = 0.05;
/// A final segment needs this many samples (5 minutes at a 30 s step) before its level can
/// fail a run on its own; a shorter one can only keep a pass from being proven.
pub const MIN_FINAL_SAMPLES: usize = 10;

/// The verdict of a metric or of the whole comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    Inconclusive,
    NoData,
}

impl Verdict {
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
    pub min_samples: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            confidence: 0.95,
            min_coverage: MIN_COVERAGE,
            min_samples: MIN_SAMPLES,
        }
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
    /// How censoring bounds the regression.
    pub bound: Bound,
}

/// Everything decided about one metric.
#[derive(Debug, Clone)]
pub struct MetricResult {
    pub metric: Metric,
    pub gate: Option<Gate>,
    /// `None` for a metric without a gate (reported, not judged).
    pub verdict: Option<Verdict>,
    /// Why: what decided the verdict first, then findings about the data.
    pub reasons: Vec<Reason>,
    pub baseline: SideResult,
    pub candidate: SideResult,
    pub change: Option<Change>,
    /// After a sustained shift in the candidate: the change of the level it ended at.
    pub final_change: Option<Change>,
    pub clauses: Vec<ClauseResult>,
}

impl MetricResult {
    /// The result without the samples its sides kept for the clauses and the missing-data
    /// check: once the verdict is decided, a long run's result does not carry another copy.
    fn without_samples(mut self) -> Self {
        self.baseline.prepared = None;
        self.candidate.prepared = None;
        self
    }
}

/// The baseline as a population of runs: how many, how much they vary, how that was
/// estimated.
#[derive(Debug, Clone, PartialEq)]
pub struct BetweenRun {
    /// Runs pooled (usable ones).
    pub runs: usize,
    /// Baseline runs left out: no data, too little, too autocorrelated.
    pub excluded: usize,
    /// Between-run standard deviation, in the metric's unit.
    pub tau: f64,
    /// `tau` as a share of the pooled mean.
    pub cv: f64,
    pub method: crate::stats::pooled::TauMethod,
    /// Each pooled run's mean, oldest first.
    pub run_means: Vec<f64>,
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

/// Compares one metric and decides its verdict.
pub fn compare_metric(
    metric: &Metric,
    gate: Option<&Gate>,
    baseline: &SideInput,
    candidate: &SideInput,
    settings: &Settings,
) -> MetricResult {
    compare_metric_runs(
        metric,
        gate,
        std::slice::from_ref(baseline),
        candidate,
        settings,
        None,
    )
}

/// Compares one metric of a candidate with a baseline of one or more runs (oldest first)
/// and decides its verdict. Several runs are pooled (`side::pool`): the candidate is judged
/// as one more run of their population, so run-to-run variation widens its interval;
/// `prior_cv` is a known run-to-run variation (used with one run, a floor with several).
pub fn compare_metric_runs(
    metric: &Metric,
    gate: Option<&Gate>,
    baselines: &[SideInput],
    candidate: &SideInput,
    settings: &Settings,
    prior_cv: Option<f64>,
) -> MetricResult {
    let Some(newest) = baselines.last() else {
        let none = SideInput {
            series: None,
            ..*candidate
        };
        return compare_metric_runs(metric, gate, &[none], candidate, settings, prior_cv);
    };
    let runs: Vec<SideResult> = baselines
        .iter()
        .map(|b| side::analyze(metric, b, settings, Role::Baseline))
        .collect();
    let b = side::pool(metric, runs, prior_cv);
    let warnings: Vec<String> = baselines
        .iter()
        .flat_map(|b| b.warnings.iter().cloned())
        .collect();
    let baseline = &SideInput {
        warnings: &warnings,
        ..*newest
    };
    let c = side::analyze(metric, candidate, settings, Role::Candidate);
    let (change, final_change) = if b.problem.is_none() && c.problem.is_none() {
        (
            clause::change(metric, &b, &c, settings),
            clause::final_change(metric, &b, &c, settings),
        )
    } else {
        (None, None)
    };
    let mut findings = side::findings(&b);
    findings.extend(side::findings(&c));
    findings.extend(few_degrees_of_freedom(change.as_ref(), &b, &c));
    let warnings: Vec<Reason> = [(Role::Baseline, baseline), (Role::Candidate, candidate)]
        .iter()
        .flat_map(|(role, input)| {
            input.warnings.iter().map(|w| Reason::SourceWarning {
                side: *role,
                message: w.clone(),
                partial: w.to_lowercase().contains("partial"),
            })
        })
        .collect();
    findings.extend(warnings.iter().cloned());
    let mut result = MetricResult {
        metric: metric.clone(),
        gate: gate.cloned(),
        verdict: None,
        reasons: Vec::new(),
        baseline: b,
        candidate: c,
        change,
        final_change,
        clauses: Vec::new(),
    };
    let Some(gate) = gate else {
        result.reasons = findings;
        return result.without_samples();
    };
    let needs_baseline = gate
        .clauses
        .iter()
        .any(|c| matches!(c, Clause::Regression { .. }));
    let mut problems: Vec<Reason> = result.candidate.problem.iter().cloned().collect();
    // An absolute gate judges the candidate alone; where both runs lack data, both are
    // named all the same (the query, not the run, is then the likely cause).
    if needs_baseline || !problems.is_empty() {
        problems.extend(result.baseline.problem.iter().cloned());
    }
    if !problems.is_empty() {
        result.verdict = Some(Verdict::NoData);
        problems.extend(findings);
        result.reasons = problems;
        return result.without_samples();
    }
    let steady_ms =
        (baseline.window.1 - baseline.window.0).min(candidate.window.1 - candidate.window.0);
    let sides = clause::Sides {
        metric,
        baseline: &result.baseline,
        candidate: &result.candidate,
        change: result.change.as_ref(),
        final_change: result.final_change.as_ref(),
        settings,
        steady_ms,
    };
    let mut clauses: Vec<ClauseResult> = gate
        .clauses
        .iter()
        .map(|cl| clause::evaluate(cl, &sides))
        .collect();
    check_missing_data(gate, &mut clauses, &sides, (baseline, candidate));
    // A partial response is data the source knows it did not send: no pass on it.
    for (cl, res) in gate.clauses.iter().zip(clauses.iter_mut()) {
        let uses_baseline = matches!(cl, Clause::Regression { .. });
        let partial = warnings.iter().find(|w| {
            matches!(w, Reason::SourceWarning { side, partial: true, .. }
                if *side == Role::Candidate || uses_baseline)
        });
        if let (Verdict::Pass, Some(w)) = (res.verdict, partial) {
            res.verdict = Verdict::Inconclusive;
            res.reasons.insert(0, w.clone());
        }
    }
    let verdict = clauses
        .iter()
        .map(|c| c.verdict)
        .max_by_key(|v| v.severity())
        .unwrap_or(Verdict::Pass);
    let mut reasons: Vec<Reason> = clauses
        .iter()
        .filter(|c| verdict == Verdict::Pass || c.verdict != Verdict::Pass)
        .flat_map(|c| c.reasons.iter().cloned())
        .collect();
    reasons.extend(findings);
    result.clauses = clauses;
    result.verdict = Some(verdict);
    result.reasons = reasons;
    result.without_samples()
}

/// A change whose interval rests on fewer than [`clause::MIN_CHANGE_DF`] degrees of
/// freedom says so, naming the run whose variance estimate has the fewest.
fn few_degrees_of_freedom(
    change: Option<&Change>,
    b: &SideResult,
    c: &SideResult,
) -> Option<Reason> {
    let df = change?.df.filter(|df| *df < clause::MIN_CHANGE_DF)?;
    let own = |s: &SideResult| s.mean.map_or(f64::INFINITY, |m| m.df);
    let side = if own(b) < own(c) { b } else { c };
    let lr = side.longrun.as_ref();
    Some(Reason::FewDegreesOfFreedom {
        df,
        side: side.role,
        side_df: own(side),
        persistence: lr.map_or(f64::NAN, |l| l.persistence),
        samples: side.samples(),
        runs: side.between_run.as_ref().map_or(1, |p| p.runs),
    })
}

/// No evidence, no pass: every passing clause is decided again with the missing slots of
/// each run filled by the worst plausible values (the candidate's leaning worse, the
/// baseline's better) — once as analysed, once read as stationary — and where either
/// changes the verdict, the clause is inconclusive. The reasons name the side whose holes
/// do it (each that does alone; both when only the two together do).
fn check_missing_data(
    gate: &Gate,
    clauses: &mut [ClauseResult],
    sides: &clause::Sides,
    inputs: (&SideInput, &SideInput),
) {
    let (b, c) = (sides.baseline, sides.candidate);
    if !clauses.iter().any(|r| r.verdict == Verdict::Pass) || !(b.has_gaps() || c.has_gaps()) {
        return;
    }
    let metric = sides.metric;
    let refill = |side: &SideResult, lean: evidence::Lean, input: &SideInput| {
        let prepared = side.prepared.as_ref()?;
        let filled = evidence::fill(metric, prepared, lean)?;
        let fill = evidence::plausible_extreme(metric, prepared, lean);
        Some((
            side::analyze_prepared(
                metric,
                filled,
                input.run_start_ms,
                sides.settings,
                side.role,
            ),
            fill,
        ))
    };
    let bf = refill(b, evidence::Lean::Better, inputs.0);
    let cf = refill(c, evidence::Lean::Worse, inputs.1);
    let filled_b = bf.as_ref().map_or(b, |f| &f.0);
    let filled_c = cf.as_ref().map_or(c, |f| &f.0);
    let both = Reading::of(sides, filled_b, filled_c);
    // What the runs as recorded give when read as stationary: a filled run must pass that
    // reading only where the recorded one does — a run with level shifts fails it whatever
    // its holes hold, and that is no doing of theirs.
    let recorded = Reading::of(sides, b, c);
    for (cl, res) in gate.clauses.iter().zip(clauses.iter_mut()) {
        let still_matters = recorded.passes_still(cl, sides);
        let holds = |r: &Reading| {
            r.passes_analysed(cl, sides) && (!still_matters || r.passes_still(cl, sides))
        };
        if res.verdict != Verdict::Pass || holds(&both) {
            continue;
        }
        res.verdict = Verdict::Inconclusive;
        let uses_baseline = matches!(cl, Clause::Regression { .. });
        // The sides whose holes turn the verdict alone; none when only both together do.
        let alone: Vec<Role> = if uses_baseline && bf.is_some() && cf.is_some() {
            [
                (Role::Candidate, b, filled_c),
                (Role::Baseline, filled_b, c),
            ]
            .into_iter()
            .filter(|&(_, bs, cs)| !holds(&Reading::of(sides, bs, cs)))
            .map(|(role, ..)| role)
            .collect()
        } else {
            Vec::new()
        };
        let named = |role: Role| alone.is_empty() || alone.contains(&role);
        let mut hiding = Vec::new();
        for (side, filled) in [(c, &cf), (b, &bf)] {
            if (side.role == Role::Baseline && !uses_baseline) || !named(side.role) {
                continue;
            }
            if let (Some(e), Some((_, fill))) = (&side.evidence, filled) {
                hiding.push(Reason::MissingDataCouldHide {
                    side: side.role,
                    coverage: e.coverage,
                    longest_gap_ms: e.longest_gap_ms,
                    leading_gap_ms: e.leading_gap_ms,
                    trailing_gap_ms: e.trailing_gap_ms,
                    fill: fill.value,
                    fill_bound: fill.bound,
                    neighbours_only: side
                        .prepared
                        .as_ref()
                        .is_some_and(|p| p.coverage.holes_are_short()),
                });
            }
        }
        hiding.append(&mut res.reasons);
        res.reasons = hiding;
    }
}

/// Two sides as a clause reads them: as analysed, and read as stationary — a fill is a
/// clean constant, which segmentation would happily take for a step and leave out of the
/// noise.
struct Reading<'a> {
    baseline: &'a SideResult,
    candidate: &'a SideResult,
    change: Option<Change>,
    final_change: Option<Change>,
    still: (SideResult, SideResult),
    still_change: Option<Change>,
}

impl<'a> Reading<'a> {
    fn of(sides: &clause::Sides, baseline: &'a SideResult, candidate: &'a SideResult) -> Self {
        let (metric, settings) = (sides.metric, sides.settings);
        let still = (baseline.stationary(), candidate.stationary());
        Reading {
            baseline,
            candidate,
            change: clause::change(metric, baseline, candidate, settings),
            final_change: clause::final_change(metric, baseline, candidate, settings),
            still_change: clause::change(metric, &still.0, &still.1, settings),
            still,
        }
    }

    /// Whether `cl` passes the sides as analysed.
    fn passes_analysed(&self, cl: &Clause, sides: &clause::Sides) -> bool {
        let analysed = clause::Sides {
            baseline: self.baseline,
            candidate: self.candidate,
            change: self.change.as_ref(),
            final_change: self.final_change.as_ref(),
            ..*sides
        };
        clause::evaluate(cl, &analysed).verdict == Verdict::Pass
    }

    /// Whether `cl` passes the sides read as stationary.
    fn passes_still(&self, cl: &Clause, sides: &clause::Sides) -> bool {
        let still = clause::Sides {
            baseline: &self.still.0,
            candidate: &self.still.1,
            change: self.still_change.as_ref(),
            final_change: None,
            ..*sides
        };
        clause::evaluate(cl, &still).verdict == Verdict::Pass
    }
}

/// The overall verdict of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Overall {
    pub verdict: Verdict,
    /// Metrics with a gate.
    pub gated: usize,
    /// Gated metrics that were judged (optional metrics without data are not).
    pub judged: usize,
}

impl Overall {
    /// No gated metric was judged: nothing can pass.
    pub fn nothing_judged(&self) -> bool {
        self.judged == 0
    }
}

/// The overall verdict: fail if any gated metric fails or has no data (unless optional),
/// inconclusive if any is inconclusive or nothing was judged, else pass.
pub fn overall<'a>(results: impl IntoIterator<Item = &'a MetricResult>) -> Overall {
    let mut verdict = Verdict::Pass;
    let (mut gated, mut judged) = (0, 0);
    for r in results {
        let Some(v) = r.verdict else { continue };
        gated += 1;
        let v = match v {
            Verdict::NoData if r.metric.optional => continue,
            Verdict::NoData => Verdict::Fail,
            v => v,
        };
        judged += 1;
        if v.severity() > verdict.severity() {
            verdict = v;
        }
    }
    if judged == 0 {
        verdict = Verdict::Inconclusive;
    }
    Overall {
        verdict,
        gated,
        judged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate;
    use crate::pack::{Better, Kind, Metric};
    use crate::series::Series;
    use crate::source::MetricSeries;

    const STEP: i64 = 30_000;

    fn metric(better: Better, kind: Kind) -> Metric {
        crate::testkit::metric(better, kind)
    }

    fn series(values: &[f64]) -> MetricSeries {
        crate::testkit::series_at(values, STEP)
    }

    fn input(s: Option<&MetricSeries>, n: usize) -> SideInput<'_> {
        crate::testkit::input_over(s, (0, (n as i64 - 1) * STEP), STEP)
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

    fn has(r: &MetricResult, code: &str) -> bool {
        r.reasons.iter().any(|x| x.code() == code)
    }

    /// A noisy level: `level` with 2% AR(0.5) noise from a fixed seed.
    fn level(n: usize, level: f64) -> Vec<f64> {
        let mut state = (level * 1000.0) as u64 ^ n as u64;
        let mut x = 0.0;
        (0..n)
            .map(|_| {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                let u = ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                x = 0.5 * x + u * 0.06;
                level * (1.0 + x)
            })
            .collect()
    }

    #[test]
    fn zero_baseline_is_reported_not_divided_by() {
        let m = metric(Better::Lower, Kind::Series);
        let r = run(&m, "regression <= 10%", &[0.0; 100], &[5.0; 100]);
        assert_eq!(r.verdict, Some(Verdict::Fail));
        assert!(has(&r, "from_zero"), "{:?}", r.reasons);
        let ch = r.change.unwrap();
        assert_eq!((ch.relative, ch.regression), (None, None));
    }

    #[test]
    fn both_zero_lower_is_better_is_unchanged() {
        let r = run(
            &metric(Better::Lower, Kind::Series),
            "regression <= 10%",
            &[0.0; 100],
            &[0.0; 100],
        );
        assert_eq!(r.verdict, Some(Verdict::Pass));
        assert!(has(&r, "both_zero"));
    }

    #[test]
    fn a_dead_baseline_is_no_data_never_unchanged() {
        let m = metric(Better::Higher, Kind::Series);
        let r = run(&m, "regression <= 10%", &[0.0; 100], &[0.0; 100]);
        assert_eq!(r.verdict, Some(Verdict::NoData));
        assert_eq!(
            r.reasons[0],
            Reason::DeadBaseline {
                candidate_zero: true
            }
        );
        let r = run(&m, "regression <= 10%", &[0.0; 100], &[5.0; 100]);
        assert_eq!(r.verdict, Some(Verdict::NoData));
    }

    #[test]
    fn missing_thin_and_nan_data_are_no_data() {
        let m = metric(Better::Higher, Kind::Series);
        let g = gate::parse("regression <= 10%", "x/s").unwrap();
        let b = series(&level(100, 150.0));
        let r = compare_metric(
            &m,
            Some(&g),
            &input(Some(&b), 100),
            &input(None, 100),
            &Settings::default(),
        );
        assert_eq!(r.verdict, Some(Verdict::NoData));
        assert_eq!(
            r.reasons[0],
            Reason::NotRecorded {
                side: Role::Candidate
            }
        );
        let nan = series(&[f64::NAN; 100]);
        let r = compare_metric(
            &m,
            Some(&g),
            &input(Some(&b), 100),
            &input(Some(&nan), 100),
            &Settings::default(),
        );
        assert!(matches!(
            r.reasons[0],
            Reason::NoFiniteSample { samples: 100, .. }
        ));
        let thin = series(&level(40, 150.0));
        let r = compare_metric(
            &m,
            Some(&g),
            &input(Some(&b), 100),
            &input(Some(&thin), 100),
            &Settings::default(),
        );
        assert_eq!(r.verdict, Some(Verdict::NoData));
        assert!(
            matches!(r.reasons[0], Reason::LowCoverage { coverage, .. } if (coverage - 0.4).abs() < 1e-12)
        );
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
    fn a_missing_tail_turns_a_pass_inconclusive_scattered_scrapes_do_not() {
        let m = metric(Better::Higher, Kind::Series);
        let b = level(460, 150.0);
        // the last 19% missing: no finding would show it before
        let mut c = level(460, 150.0);
        for v in c.iter_mut().skip(373) {
            *v = f64::NAN;
        }
        let r = run(&m, "regression <= 10%", &b, &c);
        assert_eq!(r.verdict, Some(Verdict::Inconclusive), "{:?}", r.reasons);
        assert!(matches!(
            r.reasons[0],
            Reason::MissingDataCouldHide { side: Role::Candidate, trailing_gap_ms, fill, fill_bound: Bound::Exact, .. }
                if trailing_gap_ms == 87 * STEP && fill == 0.0
        ));
        // The candidate's gaps are a typed reason of their own, but the words name them once.
        assert!(has(&r, "gaps"), "{:?}", r.reasons);
        let words = crate::report::text::findings(&r).join("; ");
        assert_eq!(
            words.matches("of the steady window has data").count(),
            1,
            "{words}"
        );
        assert_eq!(crate::report::text::reasons(&r), words);
        // a tail of +Inf on a lower-is-better metric is the worst value, not missing
        let lower = metric(Better::Lower, Kind::Series);
        let mut inf = level(460, 1.0);
        for v in inf.iter_mut().skip(373) {
            *v = f64::INFINITY;
        }
        let r = run(&lower, "regression <= 10%", &level(460, 1.0), &inf);
        assert_ne!(r.verdict, Some(Verdict::Pass), "{:?}", r.reasons);
        assert!(has(&r, "censored"));
        // one missing scrape in twenty, scattered: still a clear pass
        let mut scattered = level(460, 150.0);
        for v in scattered.iter_mut().step_by(20) {
            *v = f64::NAN;
        }
        let r = run(&m, "regression <= 10%", &b, &scattered);
        assert_eq!(r.verdict, Some(Verdict::Pass), "{:?}", r.reasons);
        assert!(has(&r, "gaps"));
    }

    #[test]
    fn missing_data_is_blamed_on_the_side_whose_holes_turn_the_verdict() {
        // Both runs miss their first slot. For a rate that should be high the candidate's
        // hole can hold no worse than 0 — one slot of 460, harmless — while the baseline's
        // has no upper limit, so only the baseline's hole keeps the pass from being proven.
        let m = metric(Better::Higher, Kind::Series);
        let (mut b, mut c) = (level(460, 150.0), level(460, 148.0));
        b[0] = f64::NAN;
        c[0] = f64::NAN;
        let r = run(&m, "regression <= 10%", &b, &c);
        assert_eq!(r.verdict, Some(Verdict::Inconclusive), "{:?}", r.reasons);
        let blamed: Vec<Role> = r
            .reasons
            .iter()
            .filter_map(|x| match x {
                Reason::MissingDataCouldHide { side, .. } => Some(*side),
                _ => None,
            })
            .collect();
        assert_eq!(blamed, [Role::Baseline], "{:?}", r.reasons);
        // The candidate's gap is still told, as a note of its own.
        assert!(
            r.reasons.iter().any(|x| matches!(
                x,
                Reason::Gaps {
                    side: Role::Candidate,
                    ..
                }
            )),
            "{:?}",
            r.reasons
        );
    }

    #[test]
    fn too_short_a_run_gets_no_interval_and_says_why() {
        // Four samples of a persistent run: their plain variance covered the truth in a
        // third of runs. The change is shown as a number, without an interval.
        let m = metric(Better::Higher, Kind::Series);
        let r = run(&m, "regression <= 10%", &level(4, 150.0), &level(4, 140.0));
        let ch = r.change.unwrap();
        assert!(ch.relative.is_some());
        assert_eq!((ch.ci_low, ch.ci_high, ch.relative_low), (None, None, None));
        let words = crate::report::text::reasons(&r);
        assert!(
            words.contains("needed for a decision or an interval"),
            "{words}"
        );
        // From the minimum evidence on, the interval is there.
        let r = run(
            &m,
            "regression <= 10%",
            &level(30, 150.0),
            &level(30, 140.0),
        );
        assert!(r.change.unwrap().ci_low.is_some());
    }

    #[test]
    fn a_run_that_ends_collapsed_never_passes() {
        // The last 1 to 30 samples of a 460-sample run fall by 40%: too short for the shift
        // search (or for the final level to fail the run), but never a pass.
        let m = metric(Better::Higher, Kind::Series);
        let b = level(460, 150.0);
        for tail in [1, 2, 3, 4, 5, 8, 12, 20, 30] {
            let mut c = level(460, 150.0);
            for v in c.iter_mut().skip(460 - tail) {
                *v *= 0.6;
            }
            let r = run(&m, "regression <= 10%", &b, &c);
            assert_ne!(
                r.verdict,
                Some(Verdict::Pass),
                "tail {tail}: {:?}",
                r.reasons
            );
            assert!(
                r.reasons
                    .iter()
                    .any(|x| matches!(x, Reason::EndsBeyond { .. } | Reason::FinalLevel { .. })),
                "tail {tail}: {:?}",
                r.reasons
            );
        }
        // The same against an absolute mean: no pass either.
        let mut c = level(460, 150.0);
        for v in c.iter_mut().skip(457) {
            *v *= 0.6;
        }
        let r = run(&m, "mean >= 140", &b, &c);
        assert_eq!(r.verdict, Some(Verdict::Inconclusive), "{:?}", r.reasons);
        assert!(
            matches!(
                r.reasons[0],
                Reason::EndsBeyond { samples: 3, .. }
                    | Reason::Absolute {
                        stat: crate::gate::Stat::Last,
                        ..
                    }
            ),
            "{:?}",
            r.reasons
        );
        // A run at its level to the end passes as before.
        assert_eq!(
            run(&m, "regression <= 10%", &b, &level(460, 149.0)).verdict,
            Some(Verdict::Pass)
        );
    }

    #[test]
    fn rare_events_get_the_exact_poisson_interval() {
        // A rate of timeouts, 0.01 per second in both runs: a rate() over four 30 s steps.
        let mut m = metric(Better::Lower, Kind::Series);
        m.unit = "jobs/s".into();
        let rates = |seed: u64| -> Vec<f64> {
            let mut state = seed;
            let mut uniform = move || {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
            };
            // Poisson(0.3) events per step by inversion
            let events: Vec<f64> = (0..463)
                .map(|_| {
                    let (mut k, mut p) = (0.0, uniform());
                    while p > (-0.3f64).exp() {
                        k += 1.0;
                        p *= uniform();
                    }
                    k
                })
                .collect();
            (0..460)
                .map(|t| events[t..t + 4].iter().sum::<f64>() / 120.0)
                .collect()
        };
        let (b, c) = (rates(1), rates(2));
        let as_rate = run(&m, "regression <= 50%", &b, &c).change.unwrap();
        m.events = true;
        let r = run(&m, "regression <= 50%", &b, &c);
        let ch = r.change.unwrap();
        let total = |v: &[f64]| (v.iter().sum::<f64>() * 30.0).round() as u64;
        let exposure = 460.0 * 30.0;
        let (lo, hi) = crate::stats::count::rate_ratio_interval(
            crate::stats::count::Counted::new(total(&c), exposure),
            crate::stats::count::Counted::new(total(&b), exposure),
            0.95,
        )
        .unwrap();
        assert!(
            (ch.relative_low.unwrap() - (lo - 1.0)).abs() < 1e-9,
            "{ch:?} vs {lo}"
        );
        assert!(
            (ch.relative_high.unwrap() - (hi - 1.0)).abs() < 1e-9,
            "{ch:?} vs {hi}"
        );
        let width =
            |c: &Change| ((1.0 + c.relative_high.unwrap()) / (1.0 + c.relative_low.unwrap())).ln();
        assert!(
            width(&as_rate) > 1.5 * width(&ch),
            "{} vs {}",
            width(&as_rate),
            width(&ch)
        );
        // The absolute mean of events: the exact (Garwood) interval of their rate.
        let r = run(&m, "mean <= 0.1", &b, &c);
        let k = total(&c);
        let clause = &r.clauses[0];
        use statrs::distribution::{ChiSquared, ContinuousCDF};
        let high = ChiSquared::new(2.0 * (k + 1) as f64)
            .unwrap()
            .inverse_cdf(0.975)
            / 2.0
            / exposure;
        assert!(
            (clause.high.unwrap() - high).abs() < 1e-12,
            "{clause:?} vs {high}"
        );
        assert_eq!(r.verdict, Some(Verdict::Pass));
    }

    #[test]
    fn minimum_evidence() {
        let m = metric(Better::Higher, Kind::Series);
        let r = run(&m, "regression <= 10%", &[150.0; 4], &[150.0; 4]);
        assert_eq!(r.verdict, Some(Verdict::Inconclusive));
        assert_eq!(
            r.reasons[0],
            Reason::TooFewSamples {
                side: Role::Baseline,
                samples: 4,
                min_samples: MIN_SAMPLES
            }
        );
        let r = run(&m, "mean >= 100", &[150.0; 1], &[150.0; 1]);
        assert_eq!(r.verdict, Some(Verdict::Inconclusive));
        // an event seen is an event, however short the run
        let count = metric(Better::Lower, Kind::Count);
        let r = run(&count, "total <= 0", &[0.0; 4], &[0.0, 1.0, 0.0, 0.0]);
        assert_eq!(r.verdict, Some(Verdict::Fail));
        let r = run(&count, "total <= 0", &[0.0; 4], &[0.0; 4]);
        assert_eq!(r.verdict, Some(Verdict::Inconclusive));
    }

    #[test]
    fn censored_latency_is_decided_only_as_far_as_the_bound_proves() {
        let mut m = metric(Better::Lower, Kind::Series);
        m.unit = "s".into();
        m.saturates_at = Some(60.0);
        // both runs at the ceiling: "+0.0%" is no pass
        let r = run(&m, "regression <= 20%", &[60.0; 100], &[60.0; 100]);
        assert_eq!(r.verdict, Some(Verdict::Inconclusive), "{:?}", r.reasons);
        assert_eq!(r.change.unwrap().bound, Bound::Unknown);
        // p99 <= 1min with every sample at the ceiling: the truth is above, unverifiable
        let r = run(&m, "p99 <= 1min", &[60.0; 100], &[60.0; 100]);
        assert_eq!(r.verdict, Some(Verdict::Inconclusive), "{:?}", r.reasons);
        // candidate censored and already beyond the budget: fail
        let r = run(&m, "regression <= 20%", &[0.2; 100], &[60.0; 100]);
        assert_eq!(r.verdict, Some(Verdict::Fail), "{:?}", r.reasons);
        assert_eq!(r.change.unwrap().bound, Bound::AtLeast);
        // 45% of the candidate at the ceiling: flagged at its share, the change a bound
        let c: Vec<f64> = (0..100)
            .map(|i| if i % 20 < 9 { 60.0 } else { 0.3 })
            .collect();
        let r = run(&m, "regression <= 20%", &[0.2; 100], &c);
        assert!(r.reasons.iter().any(
            |x| matches!(x, Reason::Censored { side: Role::Candidate, share, .. } if (*share - 0.45).abs() < 1e-12)
        ));
        assert_eq!(r.verdict, Some(Verdict::Fail));
        // candidate slightly censored but otherwise as good: cannot pass
        let mut c = level(100, 0.2);
        c[50] = 60.0;
        let r = run(&m, "regression <= 500%", &level(100, 0.2), &c);
        assert_ne!(r.verdict, Some(Verdict::Pass), "{:?}", r.reasons);
    }

    #[test]
    fn impossible_values_are_no_data() {
        let m = metric(Better::Higher, Kind::Series);
        let mut c = level(100, 150.0);
        c[30] = -5.0;
        let r = run(&m, "mean >= 100", &level(100, 150.0), &c);
        assert_eq!(r.verdict, Some(Verdict::NoData));
        assert_eq!(
            r.reasons[0],
            Reason::ImpossibleValue {
                side: Role::Candidate,
                at_ms: 30 * STEP,
                value: -5.0
            }
        );
    }

    #[test]
    fn quantized_gauges_are_not_certainties() {
        // true 170 → 220 MiB, reported in 64 MiB steps
        let mib = 1024.0 * 1024.0;
        let mut m = metric(Better::Lower, Kind::Series);
        m.unit = "B".into();
        let b: Vec<f64> = (0..200)
            .map(|i| if i % 3 == 0 { 128.0 } else { 192.0 } * mib)
            .collect();
        let c: Vec<f64> = (0..200)
            .map(|i| if i % 2 == 0 { 192.0 } else { 256.0 } * mib)
            .collect();
        let r = run(&m, "regression <= 20%", &b, &c);
        assert_eq!(
            r.candidate.evidence.as_ref().unwrap().quantum,
            Some(64.0 * mib)
        );
        assert_ne!(r.verdict, Some(Verdict::Pass), "{:?}", r.reasons);
        // a stale series is reported and keeps half a quantum of doubt
        let r = run(
            &m,
            "regression <= 20%",
            &[150.0 * mib; 100],
            &[150.0 * mib; 100],
        );
        assert!(has(&r, "stale"));
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
        assert!(matches!(
            r.reasons[0],
            Reason::Absolute { estimate, limit, .. } if estimate == 3.0 && limit == 0.0
        ));
        assert_eq!(r.candidate.summary.unwrap().total, 3.0);
        let r = run(&m, "max <= 0", &[0.0; 100], &[0.0; 100]);
        assert_eq!(r.verdict, Some(Verdict::Pass));
    }

    #[test]
    fn zero_baseline_counts_take_the_exact_test() {
        let m = metric(Better::Lower, Kind::Count);
        let with = |events: usize| {
            let mut c = vec![0.0; 460];
            for i in 0..events {
                c[i * 7] = 1.0;
            }
            run(&m, "regression <= 10%", &[0.0; 460], &c)
        };
        // equal exposures: p = (1.1 / 2.1)^k; 5 events are not enough at 2.5%, 6 are
        assert_eq!(with(0).verdict, Some(Verdict::Pass));
        assert_eq!(with(5).verdict, Some(Verdict::Inconclusive));
        assert_eq!(with(6).verdict, Some(Verdict::Fail));
        assert!(matches!(
            with(6).reasons[0],
            Reason::CountFromZero { p_value, .. } if (p_value - (1.1f64 / 2.1).powi(6)).abs() < 1e-12
        ));
    }

    #[test]
    fn count_rates_do_not_depend_on_the_step() {
        // the same event rate (1 per 5 min) recorded at 30 s and at 60 s steps
        let m = metric(Better::Lower, Kind::Count);
        let g = gate::parse("regression <= 50%", "x/s").unwrap();
        let at = |step: i64, n: usize| {
            let per = (300_000 / step) as usize;
            let values: Vec<f64> = (0..n)
                .map(|i| if i % per == 0 { 1.0 } else { 0.0 })
                .collect();
            let s = Series::new(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i as i64 * step, *v))
                    .collect(),
            );
            MetricSeries {
                first_negative: None,
                full: s,
                window: (0, (n as i64 - 1) * step),
            }
        };
        let (b, c) = (at(30_000, 480), at(60_000, 240));
        fn input(s: &MetricSeries, step: i64) -> SideInput<'_> {
            SideInput {
                series: Some(s),
                run_start_ms: -step,
                step_ms: step,
                window: s.window,
                edges: crate::compare::side::NO_EDGES,
                warnings: &[],
            }
        }
        let r = compare_metric(
            &m,
            Some(&g),
            &input(&b, 30_000),
            &input(&c, 60_000),
            &Settings::default(),
        );
        let rel = r.change.unwrap().relative.unwrap();
        assert!(rel.abs() < 0.01, "same rate, different steps: {rel}");
    }

    #[test]
    fn overall_verdict_rules() {
        let m = metric(Better::Higher, Kind::Series);
        let pass = run(
            &m,
            "regression <= 10%",
            &level(50, 100.0),
            &level(50, 100.0),
        );
        assert_eq!(pass.verdict, Some(Verdict::Pass));
        let fail = run(&m, "regression <= 10%", &level(50, 100.0), &level(50, 50.0));
        let g = gate::parse("regression <= 10%", "x/s").unwrap();
        let b = series(&level(50, 1.0));
        let mut no_data = compare_metric(
            &m,
            Some(&g),
            &input(Some(&b), 50),
            &input(None, 50),
            &Settings::default(),
        );
        assert_eq!(overall(std::slice::from_ref(&pass)).verdict, Verdict::Pass);
        assert_eq!(overall(&[pass.clone(), fail]).verdict, Verdict::Fail);
        assert_eq!(
            overall(&[pass.clone(), no_data.clone()]).verdict,
            Verdict::Fail
        );
        no_data.metric.optional = true;
        assert_eq!(
            overall(&[pass.clone(), no_data.clone()]).verdict,
            Verdict::Pass
        );
        // only optional metrics without data: nothing was judged
        let o = overall(std::slice::from_ref(&no_data));
        assert_eq!(
            (o.verdict, o.judged, o.gated),
            (Verdict::Inconclusive, 0, 1)
        );
        let mut ungated = pass.clone();
        ungated.verdict = None;
        assert!(overall(&[ungated]).nothing_judged());
        let mut inconclusive = pass;
        inconclusive.verdict = Some(Verdict::Inconclusive);
        assert_eq!(overall(&[inconclusive]).verdict, Verdict::Inconclusive);
    }

    #[test]
    fn direction_adjusts_the_regression() {
        let up = run(
            &metric(Better::Lower, Kind::Series),
            "regression <= 10%",
            &level(50, 100.0),
            &level(50, 130.0),
        );
        let ch = up.change.unwrap();
        assert!(
            (ch.relative.unwrap() - 0.3).abs() < 0.02
                && (ch.regression.unwrap() - ch.relative.unwrap()).abs() < 1e-12
        );
        assert_eq!(up.verdict, Some(Verdict::Fail));
        let up_good = run(
            &metric(Better::Higher, Kind::Series),
            "regression <= 10%",
            &level(50, 100.0),
            &level(50, 130.0),
        );
        let ch = up_good.change.unwrap();
        assert!((ch.regression.unwrap() + ch.relative.unwrap()).abs() < 1e-12);
        assert_eq!(up_good.verdict, Some(Verdict::Pass));
    }
}
