//! The JSON report (`benchcmp.report.v1`, SPEC §8): everything needed to explain a verdict —
//! statistic, n, effective n, interval, the rules that fired and the PromQL of both runs.

use serde::Serialize;
use serde_json::{json, Value};

use super::{text, MetricReport, Report, RunInfo};
use crate::compare::{headline, headline_name, Reason, SideResult};
use crate::config::format_time;
use crate::duration;
use crate::pack::Metric;

pub const FORMAT: &str = "benchcmp.report.v1";

/// A finite number, or null.
fn num(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, num)
}

fn run(r: &RunInfo) -> Value {
    json!({
        "name": r.name,
        "origin": r.origin,
        "location": r.location,
        "vars": r.vars,
        "start": format_time(r.start_ms),
        "end": format_time(r.end_ms),
        "step": duration::promql(r.step_ms),
        "warmup": duration::promql(r.warmup_ms),
        "cooldown": duration::promql(r.cooldown_ms),
        "steady_start": format_time(r.steady.0),
        "steady_end": format_time(r.steady.1),
    })
}

fn side(s: &SideResult) -> Value {
    let mut v = match &s.summary {
        Some(sum) => json!({
            "n": sum.n,
            "mean": num(sum.mean),
            "median": num(sum.median),
            "p90": num(sum.p90),
            "p95": num(sum.p95),
            "p99": num(sum.p99),
            "min": num(sum.min),
            "max": num(sum.max),
            "stddev": num(sum.stddev),
            "total": num(sum.total),
            "last": num(sum.last),
        }),
        None => json!({ "n": 0 }),
    };
    let obj = v.as_object_mut().expect("object literal");
    if let Some(lr) = &s.longrun {
        obj.insert("n_eff".into(), num(lr.n_eff));
        obj.insert("persistence".into(), num(lr.persistence));
        obj.insert("ar_order".into(), json!(lr.order));
        obj.insert("lrv_df".into(), num(lr.df));
        obj.insert("periods_seconds".into(), json!(lr.periods));
    }
    if let Some(m) = &s.mean {
        obj.insert("stderr_mean".into(), num(m.variance.sqrt()));
        obj.insert("mean_df".into(), num(m.df));
        obj.insert("supported".into(), json!(s.supported));
    }
    match &s.evidence {
        Some(e) => {
            obj.insert("samples".into(), json!(e.samples));
            obj.insert("slots".into(), json!(e.slots));
            obj.insert("coverage".into(), num(e.coverage));
            obj.insert(
                "longest_gap_seconds".into(),
                json!(e.longest_gap_ms as f64 / 1000.0),
            );
            obj.insert(
                "leading_gap_seconds".into(),
                json!(e.leading_gap_ms as f64 / 1000.0),
            );
            obj.insert(
                "trailing_gap_seconds".into(),
                json!(e.trailing_gap_ms as f64 / 1000.0),
            );
            obj.insert("missing".into(), json!(e.missing));
            obj.insert("censored_share".into(), num(e.censored_share));
            obj.insert("censored_at".into(), opt(e.censored_at));
            obj.insert("bound".into(), json!(e.bound));
            obj.insert("quantum".into(), opt(e.quantum));
            obj.insert("stale".into(), json!(e.stale.is_some()));
            obj.insert("exposure_seconds".into(), num(e.exposure_s));
        }
        None => {
            obj.insert("coverage".into(), json!(0.0));
        }
    }
    obj.insert(
        "trend".into(),
        s.trend.as_ref().map_or(Value::Null, |t| {
            json!({
                "per_hour": num(t.per_hour.value),
                "per_hour_stderr": num(t.per_hour.variance.sqrt()),
                "df": num(t.per_hour.df),
                "relative_per_hour": num(t.relative_per_hour),
                "end_level": num(t.end_level),
                "significant": t.significant,
            })
        }),
    );
    obj.insert(
        "final_level".into(),
        s.final_level.as_ref().map_or(Value::Null, |l| {
            json!({
                "value": num(l.estimate.value),
                "stderr": num(l.estimate.variance.sqrt()),
                "df": num(l.estimate.df),
                "since_offset_seconds": l.since_offset_ms as f64 / 1000.0,
                "samples": l.samples,
                "from": l.from,
            })
        }),
    );
    obj.insert(
        "problem".into(),
        s.problem.as_ref().map_or(Value::Null, |p| json!(p.code())),
    );
    v
}

fn change(c: &crate::compare::Change, statistic: &str) -> Value {
    json!({
        "statistic": statistic,
        "relative": opt(c.relative),
        "relative_low": opt(c.relative_low),
        "relative_high": opt(c.relative_high),
        "regression": opt(c.regression),
        "ci_low": opt(c.ci_low),
        "ci_high": opt(c.ci_high),
        "confidence": c.confidence,
        "df": opt(c.df),
        "bound": c.bound,
        "method": METHOD,
    })
}

/// How the interval of a change is computed, for the record.
const METHOD: &str = "ratio of means, delta method on the log ratio; each mean's variance from an AR(p) long-run variance (order by BIC, bias-corrected persistence, periodic components removed; given the run's level shifts or trend), Student t with Welch-Satterthwaite degrees of freedom of the two variance estimates; counts: exact conditional Poisson interval, widened to that when wider";

/// A reason as JSON: its code and numbers, and its message in words.
pub fn reason(r: &Reason, metric: &Metric) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or_else(|_| json!({ "code": r.code() }));
    if let Some(obj) = v.as_object_mut() {
        for value in obj.values_mut() {
            if value.as_f64().is_some_and(|f| !f.is_finite()) {
                *value = Value::Null;
            }
        }
        obj.insert("message".into(), json!(text::reason(r, metric)));
    }
    v
}

#[derive(Serialize)]
struct ShiftJson<'a> {
    run: &'a str,
    offset_seconds: f64,
    at: String,
    before: Value,
    after: Value,
    relative: Value,
}

fn metric(m: &MetricReport) -> Value {
    let r = &m.result;
    let metric = &r.metric;
    let mut shifts = Vec::new();
    for (which, s) in [("baseline", &r.baseline), ("candidate", &r.candidate)] {
        for sh in &s.shifts {
            shifts.push(ShiftJson {
                run: which,
                offset_seconds: sh.offset_seconds,
                at: format_time(sh.timestamp_ms),
                before: num(sh.before),
                after: num(sh.after),
                relative: opt(sh.relative),
            });
        }
    }
    let statistic = headline_name(metric);
    let change_value = r
        .change
        .as_ref()
        .map_or(Value::Null, |c| change(c, statistic));
    let final_change = r
        .final_change
        .as_ref()
        .map_or(Value::Null, |c| change(c, "final_level"));
    json!({
        "id": metric.id,
        "title": metric.title,
        "unit": metric.unit,
        "better": metric.better,
        "kind": metric.kind,
        "optional": metric.optional,
        "saturates_at": opt(metric.saturates_at),
        "gate": r.gate.as_ref().map(|g| g.text.clone()),
        "verdict": r.verdict,
        "reason": text::reasons(r),
        "reasons": r.reasons.iter().map(|x| reason(x, metric)).collect::<Vec<_>>(),
        "baseline": side(&r.baseline),
        "candidate": side(&r.candidate),
        "headline": {
            "statistic": headline_name(metric),
            "baseline": r.baseline.summary.as_ref().map_or(Value::Null, |s| num(headline(metric, s))),
            "candidate": r.candidate.summary.as_ref().map_or(Value::Null, |s| num(headline(metric, s))),
            "baseline_bound": r.baseline.bound(),
            "candidate_bound": r.candidate.bound(),
        },
        "change": change_value,
        "final_change": final_change,
        "clauses": r.clauses.iter().map(|c| json!({
            "rule": c.rule,
            "verdict": c.verdict,
            "statistic": c.statistic,
            "estimate": opt(c.estimate),
            "low": opt(c.low),
            "high": opt(c.high),
            "bound": c.bound,
            "reasons": c.reasons.iter().map(|x| reason(x, metric)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "shifts": shifts,
        "queries": {
            "baseline": m.baseline_query,
            "candidate": m.candidate_query,
        },
    })
}

/// The report as a JSON value.
pub fn to_value(report: &Report) -> Value {
    json!({
        "format": FORMAT,
        "verdict": report.verdict(),
        "generated_at": format_time(report.generated_at_ms),
        "tool": concat!("benchcmp ", env!("CARGO_PKG_VERSION")),
        "confidence": report.confidence,
        "strict": report.strict,
        "accept_inconclusive": report.accept_inconclusive,
        "gated": report.overall.gated,
        "judged": report.overall.judged,
        "min_coverage": report.min_coverage,
        "exit_code": report.exit_code(),
        "baseline": run(&report.baseline),
        "candidate": run(&report.candidate),
        "metrics": report.metrics.iter().map(metric).collect::<Vec<_>>(),
        "warnings": report.warnings,
    })
}

/// The report as pretty JSON text.
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(report))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
