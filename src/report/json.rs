//! The JSON report (`benchcmp.report.v1`, SPEC §8): everything needed to explain a verdict —
//! statistic, n, effective n, interval, the rules that fired and the PromQL of both runs.
//!
//! The document is a set of Rust types; `schemas/benchcmp.report.v1.json` is generated from
//! them (`benchcmp schema report`), so the schema cannot drift from what is written. Every
//! key is always present: `null` when the value is unknown (a side without data, an
//! interval that does not exist, a non-finite number).

use schemars::JsonSchema;
use serde::Serialize;

use super::{text, MetricReport, Report, RunInfo};
use crate::compare::{headline, headline_name, Bound, Reason, SideResult, Verdict};
use crate::config::format_time;
use crate::duration;
use crate::pack::{Better, Kind};
use crate::template::Vars;

pub const FORMAT: &str = "benchcmp.report.v1";

/// A finite number, or nothing.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A comparison of a candidate run with a baseline run.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "benchcmp report (benchcmp.report.v1)")]
pub struct ReportDoc {
    /// Always `benchcmp.report.v1`.
    pub format: &'static str,
    /// The overall verdict.
    pub verdict: Verdict,
    /// When the report was made (RFC 3339, UTC).
    pub generated_at: String,
    /// `benchcmp <version>`.
    pub tool: &'static str,
    /// The query pack's name.
    pub pack: String,
    /// Confidence level of every interval.
    pub confidence: f64,
    pub strict: bool,
    pub accept_inconclusive: bool,
    /// Metrics with a gate.
    pub gated: usize,
    /// Gated metrics that could be judged (had data).
    pub judged: usize,
    /// The share of the steady window that must have data.
    pub min_coverage: f64,
    /// The process exit code this report maps to.
    pub exit_code: i32,
    /// The newest baseline run (the only one for a single baseline).
    pub baseline: RunDoc,
    /// Every baseline run, oldest first: several are pooled as a population.
    pub baselines: Vec<RunDoc>,
    pub candidate: RunDoc,
    pub metrics: Vec<MetricDoc>,
    pub warnings: Vec<String>,
}

/// A run and the window compared.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RunDoc {
    pub name: String,
    /// `snapshot` or `prometheus`.
    pub origin: &'static str,
    /// The snapshot file or the server URL (credentials masked).
    pub location: String,
    pub vars: Vars,
    pub start: String,
    pub end: String,
    /// The step between samples (PromQL duration).
    pub step: String,
    pub warmup: String,
    pub cooldown: String,
    pub steady_start: String,
    pub steady_end: String,
}

/// One run's data in the steady window and what the statistics found in it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SideDoc {
    /// Samples summarised (0 without data).
    pub n: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub stddev: Option<f64>,
    /// Events in the window (counts).
    pub total: Option<f64>,
    pub last: Option<f64>,
    /// Effective number of independent samples.
    pub n_eff: Option<f64>,
    /// Persistence of the noise (sum of the AR coefficients).
    pub persistence: Option<f64>,
    pub ar_order: Option<usize>,
    /// Degrees of freedom of the long-run variance.
    pub lrv_df: Option<f64>,
    /// Periodic components removed, in seconds.
    pub periods_seconds: Option<Vec<f64>>,
    /// Standard error of the mean.
    pub stderr_mean: Option<f64>,
    pub mean_df: Option<f64>,
    /// Whether the data support an interval for the mean.
    pub supported: Option<bool>,
    pub samples: Option<usize>,
    /// Slots of one step in the steady window.
    pub slots: Option<usize>,
    /// Share of the steady window with data (0 without data).
    pub coverage: f64,
    pub longest_gap_seconds: Option<f64>,
    pub leading_gap_seconds: Option<f64>,
    pub trailing_gap_seconds: Option<f64>,
    pub missing: Option<usize>,
    pub censored_share: Option<f64>,
    /// The value censored samples sit at (a histogram's top bucket).
    pub censored_at: Option<f64>,
    pub bound: Option<Bound>,
    /// The resolution of a quantized gauge.
    pub quantum: Option<f64>,
    /// The same value in every sample.
    pub stale: Option<bool>,
    pub exposure_seconds: Option<f64>,
    pub trend: Option<TrendDoc>,
    pub final_level: Option<LevelDoc>,
    /// Why this run's data cannot be used, if it cannot (a reason code).
    pub problem: Option<String>,
}

/// A linear trend through a run.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TrendDoc {
    pub per_hour: Option<f64>,
    pub per_hour_stderr: Option<f64>,
    pub df: Option<f64>,
    pub relative_per_hour: Option<f64>,
    pub end_level: Option<f64>,
    pub significant: bool,
}

/// The level a run ended at after a shift or a trend.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LevelDoc {
    pub value: Option<f64>,
    pub stderr: Option<f64>,
    pub df: Option<f64>,
    pub since_offset_seconds: f64,
    pub samples: usize,
    pub from: crate::compare::LevelFrom,
}

/// The change from baseline to candidate.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangeDoc {
    /// What is compared: `mean` (series), `total` (counts, per second of exposure) or
    /// `final_level`.
    pub statistic: &'static str,
    /// candidate / baseline − 1 (null for a zero baseline).
    pub relative: Option<f64>,
    pub relative_low: Option<f64>,
    pub relative_high: Option<f64>,
    /// The relative change signed so that positive is worse.
    pub regression: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub confidence: f64,
    pub df: Option<f64>,
    pub bound: Bound,
    /// How the interval is computed.
    pub method: &'static str,
    /// The change in the notation of every report (`-72.2% [-73.7%, -70.6%]`).
    pub text: String,
}

/// A run's headline value.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HeadlineDoc {
    /// `mean` for series, `total` for counts.
    pub statistic: &'static str,
    pub baseline: Option<f64>,
    pub candidate: Option<f64>,
    pub baseline_bound: Bound,
    pub candidate_bound: Bound,
    /// As the table shows them (`≥ 60 s`).
    pub baseline_text: String,
    pub candidate_text: String,
}

/// A reason: its code and numbers, and its message in words.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReasonDoc {
    #[serde(flatten)]
    pub reason: Reason,
    pub message: String,
}

/// One clause of a gate.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ClauseDoc {
    pub rule: String,
    pub verdict: Verdict,
    pub statistic: &'static str,
    pub estimate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub bound: Bound,
    pub reasons: Vec<ReasonDoc>,
}

/// A level shift inside a run.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ShiftDoc {
    /// `baseline` or `candidate`.
    pub run: &'static str,
    pub offset_seconds: f64,
    pub at: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub relative: Option<f64>,
}

/// The PromQL sent for each run.
#[derive(Debug, Serialize, JsonSchema)]
pub struct QueriesDoc {
    pub baseline: Option<String>,
    pub candidate: Option<String>,
}

/// One metric: its decision and everything behind it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MetricDoc {
    pub id: String,
    pub title: String,
    pub unit: String,
    pub better: Better,
    pub kind: Kind,
    pub optional: bool,
    pub saturates_at: Option<f64>,
    /// The gate as written; null for a metric that is reported, not judged.
    pub gate: Option<String>,
    /// Null for a metric without a gate.
    pub verdict: Option<Verdict>,
    /// All reasons in words, `; `-separated.
    pub reason: String,
    pub reasons: Vec<ReasonDoc>,
    pub baseline: SideDoc,
    pub candidate: SideDoc,
    pub headline: HeadlineDoc,
    pub change: Option<ChangeDoc>,
    pub final_change: Option<ChangeDoc>,
    pub clauses: Vec<ClauseDoc>,
    pub shifts: Vec<ShiftDoc>,
    pub queries: QueriesDoc,
    /// How the baseline runs were pooled; null when the baseline had no usable mean.
    pub between_run: Option<BetweenRunDoc>,
}

/// The baseline as a population of runs.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BetweenRunDoc {
    /// Baseline runs pooled.
    pub runs: usize,
    /// Baseline runs left out (no data, too little, no interval).
    pub excluded: usize,
    /// Between-run standard deviation in the metric's unit (0 when unknown).
    pub tau: Option<f64>,
    /// `tau` as a share of the pooled mean: the run-to-run variation.
    pub cv: Option<f64>,
    /// `paule_mandel` (estimated from the runs, HKSJ interval), `prior` (one run and the
    /// pack's `run_to_run`), `unknown` (one run: run-to-run variation not in the interval).
    pub method: crate::stats::pooled::TauMethod,
    /// Each pooled run's mean, oldest first.
    pub run_means: Vec<Option<f64>>,
}

fn run(r: &RunInfo) -> RunDoc {
    RunDoc {
        name: r.name.clone(),
        origin: r.origin,
        location: r.location.clone(),
        vars: r.vars.clone(),
        start: format_time(r.start_ms),
        end: format_time(r.end_ms),
        step: duration::promql(r.step_ms),
        warmup: duration::promql(r.warmup_ms),
        cooldown: duration::promql(r.cooldown_ms),
        steady_start: format_time(r.steady.0),
        steady_end: format_time(r.steady.1),
    }
}

fn side(s: &SideResult) -> SideDoc {
    let sum = s.summary.as_ref();
    let lr = s.longrun.as_ref();
    let ev = s.evidence.as_ref();
    let seconds = |ms: i64| ms as f64 / 1000.0;
    SideDoc {
        n: sum.map_or(0, |x| x.n),
        mean: sum.and_then(|x| finite(x.mean)),
        median: sum.and_then(|x| finite(x.median)),
        p90: sum.and_then(|x| finite(x.p90)),
        p95: sum.and_then(|x| finite(x.p95)),
        p99: sum.and_then(|x| finite(x.p99)),
        min: sum.and_then(|x| finite(x.min)),
        max: sum.and_then(|x| finite(x.max)),
        stddev: sum.and_then(|x| finite(x.stddev)),
        total: sum.and_then(|x| finite(x.total)),
        last: sum.and_then(|x| finite(x.last)),
        n_eff: lr.and_then(|x| finite(x.n_eff)),
        persistence: lr.and_then(|x| finite(x.persistence)),
        ar_order: lr.map(|x| x.order),
        lrv_df: lr.and_then(|x| finite(x.df)),
        // Periods are found in samples: in seconds at the run's step.
        periods_seconds: lr.map(|x| {
            let step_s = ev.map_or(f64::NAN, |e| seconds(e.step_ms));
            x.periods.iter().map(|p| p * step_s).collect()
        }),
        stderr_mean: s.mean.as_ref().and_then(|m| finite(m.variance.sqrt())),
        mean_df: s.mean.as_ref().and_then(|m| finite(m.df)),
        supported: s.mean.as_ref().map(|_| s.supported),
        samples: ev.map(|e| e.samples),
        slots: ev.map(|e| e.slots),
        coverage: ev.map_or(0.0, |e| e.coverage),
        longest_gap_seconds: ev.map(|e| seconds(e.longest_gap_ms)),
        leading_gap_seconds: ev.map(|e| seconds(e.leading_gap_ms)),
        trailing_gap_seconds: ev.map(|e| seconds(e.trailing_gap_ms)),
        missing: ev.map(|e| e.missing),
        censored_share: ev.and_then(|e| finite(e.censored_share)),
        censored_at: ev.and_then(|e| e.censored_at.and_then(finite)),
        bound: ev.map(|e| e.bound),
        quantum: ev.and_then(|e| e.quantum.and_then(finite)),
        stale: ev.map(|e| e.stale.is_some()),
        exposure_seconds: ev.and_then(|e| finite(e.exposure_s)),
        trend: s.trend.as_ref().map(|t| TrendDoc {
            per_hour: finite(t.per_hour.value),
            per_hour_stderr: finite(t.per_hour.variance.sqrt()),
            df: finite(t.per_hour.df),
            relative_per_hour: finite(t.relative_per_hour),
            end_level: finite(t.end_level),
            significant: t.significant,
        }),
        final_level: s.final_level.as_ref().map(|l| LevelDoc {
            value: finite(l.estimate.value),
            stderr: finite(l.estimate.variance.sqrt()),
            df: finite(l.estimate.df),
            since_offset_seconds: seconds(l.since_offset_ms),
            samples: l.samples,
            from: l.from,
        }),
        problem: s.problem.as_ref().map(|p| p.code().to_string()),
    }
}

fn change(c: &crate::compare::Change, statistic: &'static str, text: String) -> ChangeDoc {
    ChangeDoc {
        statistic,
        relative: c.relative.and_then(finite),
        relative_low: c.relative_low.and_then(finite),
        relative_high: c.relative_high.and_then(finite),
        regression: c.regression.and_then(finite),
        ci_low: c.ci_low.and_then(finite),
        ci_high: c.ci_high.and_then(finite),
        confidence: c.confidence,
        df: c.df.and_then(finite),
        bound: c.bound,
        method: METHOD,
        text,
    }
}

/// How the interval of a change is computed, for the record.
const METHOD: &str = "ratio of means, delta method on the log ratio; each mean's variance from an AR(p) long-run variance (order by BIC, bias-corrected persistence, periodic components removed; given the run's level shifts or trend), Student t with Welch-Satterthwaite degrees of freedom of the two variance estimates; counts: exact conditional Poisson interval, widened to that when wider";

/// A reason with its message.
pub fn reason(r: &Reason, metric: &crate::pack::Metric) -> ReasonDoc {
    ReasonDoc {
        reason: r.clone(),
        message: text::reason(r, metric),
    }
}

fn metric(m: &MetricReport) -> MetricDoc {
    let r = &m.result;
    let metric = &r.metric;
    let mut shifts = Vec::new();
    for (which, s) in [("baseline", &r.baseline), ("candidate", &r.candidate)] {
        for sh in &s.shifts {
            shifts.push(ShiftDoc {
                run: which,
                offset_seconds: sh.offset_seconds,
                at: format_time(sh.timestamp_ms),
                before: finite(sh.before),
                after: finite(sh.after),
                relative: sh.relative.and_then(finite),
            });
        }
    }
    let statistic = headline_name(metric);
    let final_text = |c: &crate::compare::Change| {
        c.relative.map_or_else(
            || "-".to_string(),
            |rel| {
                text::change_notation(
                    rel,
                    c.relative_low.zip(c.relative_high),
                    match metric.better {
                        Better::Lower => c.bound,
                        Better::Higher => c.bound.flipped(),
                    },
                    metric.better,
                )
            },
        )
    };
    MetricDoc {
        id: metric.id.clone(),
        title: metric.title.clone(),
        unit: metric.unit.clone(),
        better: metric.better,
        kind: metric.kind,
        optional: metric.optional,
        saturates_at: metric.saturates_at.and_then(finite),
        gate: r.gate.as_ref().map(|g| g.text.clone()),
        verdict: r.verdict,
        reason: text::reasons(r),
        reasons: r.reasons.iter().map(|x| reason(x, metric)).collect(),
        baseline: side(&r.baseline),
        candidate: side(&r.candidate),
        headline: HeadlineDoc {
            statistic,
            baseline: r
                .baseline
                .summary
                .as_ref()
                .and_then(|s| finite(headline(metric, s))),
            candidate: r
                .candidate
                .summary
                .as_ref()
                .and_then(|s| finite(headline(metric, s))),
            baseline_bound: r.baseline.bound(),
            candidate_bound: r.candidate.bound(),
            baseline_text: text::value(metric, &r.baseline),
            candidate_text: text::value(metric, &r.candidate),
        },
        change: r
            .change
            .as_ref()
            .map(|c| change(c, statistic, text::change(r))),
        final_change: r
            .final_change
            .as_ref()
            .map(|c| change(c, "final_level", final_text(c))),
        clauses: r
            .clauses
            .iter()
            .map(|c| ClauseDoc {
                rule: c.rule.clone(),
                verdict: c.verdict,
                statistic: c.statistic,
                estimate: c.estimate.and_then(finite),
                low: c.low.and_then(finite),
                high: c.high.and_then(finite),
                bound: c.bound,
                reasons: c.reasons.iter().map(|x| reason(x, metric)).collect(),
            })
            .collect(),
        shifts,
        queries: QueriesDoc {
            baseline: m.baseline.query.clone(),
            candidate: m.candidate.query.clone(),
        },
        between_run: r.baseline.between_run.as_ref().map(|b| BetweenRunDoc {
            runs: b.runs,
            excluded: b.excluded,
            tau: finite(b.tau),
            cv: finite(b.cv),
            method: b.method,
            run_means: b.run_means.iter().map(|v| finite(*v)).collect(),
        }),
    }
}

/// The report as a document.
pub fn document(report: &Report) -> ReportDoc {
    ReportDoc {
        format: FORMAT,
        verdict: report.verdict(),
        generated_at: format_time(report.generated_at_ms),
        tool: concat!("benchcmp ", env!("CARGO_PKG_VERSION")),
        pack: report.pack.clone(),
        confidence: report.confidence,
        strict: report.strict,
        accept_inconclusive: report.accept_inconclusive,
        gated: report.overall.gated,
        judged: report.overall.judged,
        min_coverage: report.min_coverage,
        exit_code: report.exit_code(),
        baseline: run(report.baseline.newest()),
        baselines: report.baseline.runs().iter().map(run).collect(),
        candidate: run(&report.candidate),
        metrics: report.metrics.iter().map(metric).collect(),
        warnings: report.warnings.clone(),
    }
}

/// The report as pretty JSON text.
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&document(report))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The JSON Schema of the report, generated from these types. Every key of the report's
/// own objects is required: the report writes `null` rather than leaving a key out.
pub fn schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(ReportDoc).to_value();
    let require_all = |object: &mut serde_json::Value| {
        if let Some(keys) = object
            .get("properties")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().cloned().collect::<Vec<_>>())
        {
            object["required"] = serde_json::json!(keys);
        }
    };
    let root = &mut schema;
    require_all(root);
    if let Some(defs) = root.get_mut("$defs").and_then(|d| d.as_object_mut()) {
        for (name, def) in defs.iter_mut() {
            if name.ends_with("Doc") {
                require_all(def);
            }
        }
    }
    schema
}
