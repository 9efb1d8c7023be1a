//! The words of every report, rendered once from the engine's typed outcomes: verdict
//! labels, reasons, a run's headline value and the change column. Table, Markdown, JUnit,
//! JSON messages and chart labels all call these, so they say the same thing.

use crate::compare::{headline, Bound, MetricResult, Outcome, Reason, SideResult, Verdict};
use crate::config::format_time;
use crate::duration;
use crate::gate::Op;
use crate::pack::{Better, Metric};
use crate::units;

/// `PASS`, `FAIL`, `INCONCLUSIVE`, `NO DATA`.
pub fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Inconclusive => "INCONCLUSIVE",
        Verdict::NoData => "NO DATA",
    }
}

/// `≥ ` / `≤ ` in front of a bound, nothing in front of an estimate.
pub fn bound_prefix(bound: Bound) -> &'static str {
    match bound {
        Bound::AtLeast => "≥ ",
        Bound::AtMost => "≤ ",
        Bound::Exact | Bound::Unknown => "",
    }
}

/// A gap's length to the minute, or to the second under a minute (one missing 15 s step
/// is "15s", not "0s").
fn minutes(ms: i64) -> String {
    if ms < 60_000 {
        duration::human(((ms + 500) / 1000).max(1) * 1000)
    } else {
        duration::human(((ms + 30_000) / 60_000) * 60_000)
    }
}

/// A share in percent; never rounded to 0% or 100% when it is neither.
fn share(x: f64) -> String {
    let p = x * 100.0;
    if p > 0.0 && p < 1.0 {
        format!("{p:.1}%")
    } else if p > 99.0 && p < 100.0 {
        format!("{:.1}%", (p * 10.0).floor() / 10.0)
    } else {
        format!("{p:.0}%")
    }
}

fn pct(x: f64) -> String {
    units::change(x)
}

fn gaps_text(coverage: f64, longest: i64, leading: i64, trailing: i64) -> String {
    let mut parts = vec![format!("{} of the steady window has data", share(coverage))];
    if trailing > 0 {
        parts.push(format!("the last {} missing", minutes(trailing)));
    }
    if leading > 0 {
        parts.push(format!("the first {} missing", minutes(leading)));
    }
    if longest > trailing.max(leading) {
        parts.push(format!("longest gap {}", minutes(longest)));
    }
    parts.join(", ")
}

/// A value with its sign (`+12 MiB`, `-3 PI/s`).
fn signed_value(v: f64, unit: &str) -> String {
    let text = units::format_value(v, unit);
    if v > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}

fn comparison(op: Op, holds: bool) -> &'static str {
    if holds {
        op.symbol()
    } else {
        op.negation()
    }
}

/// One reason in words.
pub fn reason(r: &Reason, metric: &Metric) -> String {
    let unit = metric.unit.as_str();
    let value = |v: f64| units::format_value(v, unit);
    match r {
        Reason::NotRecorded { side } => format!("{}: not recorded in the snapshot", side.name()),
        Reason::EmptyResult { side } => format!("{}: the query returned no data", side.name()),
        Reason::NoSamplesInWindow { side } => {
            format!("{}: no samples inside the steady window", side.name())
        }
        Reason::NoFiniteSample { side, samples } => format!(
            "{}: all {samples} values in the steady window are NaN or infinite",
            side.name()
        ),
        Reason::ImpossibleValue { side, at_ms, value: v } => format!(
            "{}: impossible value {} at {} (a value in {} cannot be negative)",
            side.name(),
            units::number(*v),
            format_time(*at_ms),
            if unit.is_empty() { "events" } else { unit }
        ),
        Reason::LowCoverage {
            side,
            coverage,
            min_coverage,
            longest_gap_ms,
        } => format!(
            "{}: only {} of the steady window has data (at least {} needed; longest gap {})",
            side.name(),
            share(*coverage),
            share(*min_coverage),
            minutes(*longest_gap_ms)
        ),
        Reason::DeadBaseline { candidate_zero } => {
            if *candidate_zero {
                format!(
                    "neither run measured any {}: nothing ran, nothing to compare",
                    metric.title.to_lowercase()
                )
            } else {
                format!(
                    "the baseline measured no {}: no level to compare with",
                    metric.title.to_lowercase()
                )
            }
        }
        Reason::AutocorrelationTooStrong {
            side,
            persistence,
            df,
            samples,
        } => format!(
            "{}: too autocorrelated for its length to have a stable mean ({samples} samples, persistence {:.3}, {:.1} degrees of freedom): no interval can be trusted; a longer run would tell",
            side.name(),
            persistence,
            df
        ),
        Reason::Trend {
            side,
            per_hour,
            relative_per_hour,
            end_level,
        } => format!(
            "{}: trend {}/h ({}/h), reaching {} at the end",
            side.name(),
            signed_value(*per_hour, unit),
            pct(*relative_per_hour),
            value(*end_level)
        ),
        Reason::FinalLevel {
            outcome,
            estimate,
            low,
            high,
            op: _,
            budget,
            bound,
            level,
            since_offset_ms,
            from,
        } => {
            let better = metric.better;
            let budget = format!("budget of {}", budget_as_change(*budget, better));
            format!(
                "the candidate ended at {} ({}): change {} {}",
                value(*level),
                match from {
                    crate::compare::LevelFrom::Shift => format!("from {} on", minutes(*since_offset_ms)),
                    crate::compare::LevelFrom::Trend => "at the end of its trend".to_string(),
                },
                change_notation(
                    as_change(*estimate, better),
                    Some(as_change_interval(*low, *high, better)),
                    change_bound(*bound, better),
                    better
                ),
                match outcome {
                    Outcome::Within => format!("within the {budget}"),
                    Outcome::Exceeds => format!("beyond the {budget}"),
                    Outcome::Undecided => format!("straddles the {budget}"),
                }
            )
        }
        Reason::EndsBeyond {
            samples,
            since_offset_ms,
            level,
            low,
            high,
            limit,
        } => format!(
            "the candidate's last {} (from {} on) fell to {} [{}, {}], beyond the {} the gate allows: a collapse at the end, too short to fail the run, keeps it from passing",
            if *samples == 1 { "sample".to_string() } else { format!("{samples} samples") },
            minutes(*since_offset_ms),
            value(*level),
            value(*low),
            value(*high),
            value(*limit)
        ),
        Reason::TrendLimit {
            outcome,
            estimate,
            low,
            high,
            op,
            limit,
            relative,
        } => {
            let shown = |v: f64| {
                if *relative {
                    format!("{}/h", pct(v))
                } else {
                    format!("{}/h", signed_value(v, unit))
                }
            };
            let limit_text = if *relative {
                format!("{}%/h", units::number(limit * 100.0))
            } else {
                format!("{}/h", value(*limit))
            };
            format!(
                "candidate trend {} [{}, {}] (positive is worse), {} {limit_text}",
                shown(*estimate),
                shown(*low),
                shown(*high),
                match outcome {
                    Outcome::Within => op.symbol().to_string(),
                    Outcome::Exceeds => op.negation().to_string(),
                    Outcome::Undecided => "straddling".to_string(),
                }
            )
        }
        Reason::RangeBounded {
            side,
            persistence,
            samples,
            min,
            max,
        } => format!(
            "{}: no stable mean ({samples} samples, persistence {persistence:.3}), so its window is bounded by the range of its samples, {} to {}, and the change by that",
            side.name(),
            value(*min),
            value(*max)
        ),
        Reason::TooFewSamples {
            side,
            samples,
            min_samples,
        } => format!(
            "{}: {samples} samples, at least {min_samples} needed for a decision or an interval",
            side.name(),
        ),
        Reason::MissingDataCouldHide {
            side,
            coverage,
            longest_gap_ms,
            leading_gap_ms,
            trailing_gap_ms,
            fill,
            fill_bound,
            neighbours_only,
        } => {
            let could = if *neighbours_only {
                "its missed scrapes, each as bad as the worse of its neighbours, would keep it from passing".to_string()
            } else {
                format!(
                    "the missing part could hold {} and then it would not pass",
                    match fill_bound {
                        Bound::Exact => value(*fill),
                        Bound::AtLeast => format!("anything above {}", value(*fill)),
                        _ => format!("anything below {}", value(*fill)),
                    }
                )
            };
            format!(
                "{}: {}; {could}",
                side.name(),
                gaps_text(*coverage, *longest_gap_ms, *leading_gap_ms, *trailing_gap_ms)
            )
        }
        Reason::Gaps {
            side,
            coverage,
            longest_gap_ms,
            leading_gap_ms,
            trailing_gap_ms,
        } => format!(
            "{}: {}",
            side.name(),
            gaps_text(*coverage, *longest_gap_ms, *leading_gap_ms, *trailing_gap_ms)
        ),
        Reason::Censored { side, share: s, at } => {
            let what = if metric.saturates_at == Some(*at) {
                format!("at the histogram ceiling ({})", value(*at))
            } else {
                format!("infinite (counted as {})", value(*at))
            };
            format!(
                "{}: {} of samples {what}; the true values are higher, so its statistics are bounds",
                side.name(),
                share(*s)
            )
        }
        Reason::SourceWarning {
            side,
            message,
            partial,
        } => format!(
            "{}: the source warned: {message}{}",
            side.name(),
            if *partial {
                " — a partial response, so no pass can rest on it"
            } else {
                ""
            }
        ),
        Reason::FewDegreesOfFreedom {
            df, runs, side_df, ..
        } if *runs >= 2 => format!(
            "the change's interval rests on {df:.1} degrees of freedom: the baseline pools {runs} runs, whose spread is known to {side_df:.1} degrees of freedom; more baseline runs would narrow it"
        ),
        Reason::FewDegreesOfFreedom {
            df,
            side,
            side_df,
            persistence,
            samples,
            ..
        } => format!(
            "the change's interval rests on {df:.1} degrees of freedom: the {} is too persistent for its length to know its noise well ({samples} samples, persistence {persistence:.2}, {side_df:.1} degrees of freedom); a longer run would narrow it",
            side.name()
        ),
        Reason::Stale {
            side,
            value: v,
            samples,
        } => format!(
            "{}: the same value ({}) in all {samples} samples — is the exporter stuck?",
            side.name(),
            value(*v)
        ),
        Reason::Regression {
            outcome,
            estimate,
            low,
            high,
            op: _,
            budget,
            bound,
            needed_ms,
            have_ms,
        } => {
            let better = metric.better;
            let shown = format!(
                "change {}",
                change_notation(
                    as_change(*estimate, better),
                    Some(as_change_interval(*low, *high, better)),
                    change_bound(*bound, better),
                    better
                )
            );
            let budget = format!("budget of {}", budget_as_change(*budget, better));
            let mut text = match outcome {
                Outcome::Within => format!("{shown} within the {budget}"),
                Outcome::Exceeds => format!("{shown} beyond the {budget}"),
                Outcome::Undecided => match bound {
                    Bound::AtLeast => format!(
                        "{shown} against the {budget}: censored values make it a bound on the regression, which cannot prove a pass"
                    ),
                    Bound::AtMost => format!(
                        "{shown} against the {budget}: censored values make it a bound on the regression, which cannot prove a fail"
                    ),
                    Bound::Unknown => format!(
                        "{shown}: both runs are censored, so the change is bounded neither way"
                    ),
                    Bound::Exact => format!("{shown} straddles the {budget}"),
                },
            };
            if let Some(needed) = needed_ms {
                let runs = if *needed > 100 * have_ms {
                    "runs more than 100 times longer would be needed".to_string()
                } else {
                    format!("about {} of steady state per run would be needed", minutes(*needed))
                };
                text.push_str(&format!(
                    "; too noisy for this budget: the interval is {} wide, {runs} (have {})",
                    share(high - low),
                    minutes(*have_ms)
                ));
            }
            text
        }
        Reason::FromZero {
            outcome,
            candidate,
            low: _,
        } => format!(
            "baseline is 0 and candidate {}: a relative change is undefined; the candidate is {}",
            value(*candidate),
            if *outcome == Outcome::Exceeds {
                "clearly above 0"
            } else {
                "not clearly above 0"
            }
        ),
        Reason::CountFromZero {
            outcome,
            events,
            exposure_s,
            baseline_exposure_s,
            p_value,
            budget,
        } => format!(
            "baseline saw no events in {}, candidate {} in {}: exact test of rates {} the {}% budget (p = {})",
            minutes((*baseline_exposure_s * 1000.0) as i64),
            units::number(*events),
            minutes((*exposure_s * 1000.0) as i64),
            if *outcome == Outcome::Exceeds {
                "beyond"
            } else {
                "cannot tell from"
            },
            units::number(budget * 100.0),
            units::number(*p_value)
        ),
        Reason::BothZero => "both runs are 0: unchanged".into(),
        Reason::NoRatio {
            baseline,
            candidate,
        } => format!(
            "a relative change is undefined for means at or below 0 (baseline {}, candidate {})",
            value(*baseline),
            value(*candidate)
        ),
        Reason::Absolute {
            outcome,
            stat,
            estimate,
            low,
            high,
            op,
            limit,
            bound,
        } => {
            let interval = if value(*low) == value(*high) {
                String::new()
            } else {
                format!(" [{}, {}]", value(*low), value(*high))
            };
            let shown = format!(
                "candidate {} {}{}{interval}",
                stat.name(),
                bound_prefix(*bound),
                value(*estimate)
            );
            match outcome {
                Outcome::Within => format!("{shown} {} {}", op.symbol(), value(*limit)),
                Outcome::Exceeds => format!("{shown} {} {}", op.negation(), value(*limit)),
                Outcome::Undecided => match bound {
                    Bound::Exact => format!("{shown}: undecided against {} {}", op.symbol(), value(*limit)),
                    _ => format!(
                        "{shown}: a bound (censored values), which cannot prove {} {}",
                        op.symbol(),
                        value(*limit)
                    ),
                },
            }
        }
        Reason::Shift {
            outcome,
            relative,
            offset_ms,
            before,
            after,
            op,
            budget,
        } => format!(
            "candidate shifted {} at {} ({} → {}), {} {}%",
            relative.map_or("from 0".into(), pct),
            minutes(*offset_ms),
            value(*before),
            value(*after),
            comparison(*op, *outcome == Outcome::Within),
            units::number(budget * 100.0)
        ),
        Reason::NoShift { .. } => "no level shift inside the candidate".into(),
        Reason::FailedLive {
            rule,
            seen_to_ms,
            estimate,
            low,
            high,
            limit,
            statistic,
            recent_samples,
            recent_since_ms,
        } => {
            let shown = |v: f64| match statistic {
                crate::compare::LiveStatistic::Change => units::change(v),
                crate::compare::LiveStatistic::Value => value(v),
                crate::compare::LiveStatistic::RelativeTrend => format!("{}/h", pct(v)),
                crate::compare::LiveStatistic::Trend => format!("{}/h", signed_value(v, unit)),
            };
            let interval = match (low, high) {
                (Some(l), Some(h)) => format!(" [{}, {}]", shown(*l), shown(*h)),
                (Some(l), None) => format!(" [{}, ∞]", shown(*l)),
                (None, Some(h)) => format!(" [−∞, {}]", shown(*h)),
                (None, None) => String::new(),
            };
            let what = match (recent_samples, recent_since_ms) {
                (Some(k), Some(since)) => format!(
                    "its level over the last {k} samples (from {}) was",
                    format_time(*since)
                ),
                _ if matches!(
                    statistic,
                    crate::compare::LiveStatistic::RelativeTrend | crate::compare::LiveStatistic::Trend
                ) =>
                {
                    "its trend was".to_string()
                }
                _ => "its whole run was".to_string(),
            };
            format!(
                "failed while watched, with the run seen to {}: {what} {}{interval}, beyond the limit of {} ({rule})",
                format_time(*seen_to_ms),
                estimate.map_or("–".to_string(), shown),
                shown(*limit)
            )
        }
        Reason::DataStopped {
            side,
            last_sample_ms,
            reachable_coverage,
            min_coverage,
        } => format!(
            "{}: its data stopped{}; at most {} of the steady window could still be covered, {} is needed",
            side.name(),
            last_sample_ms.map_or(" before its first sample".to_string(), |t| format!(
                " after {}",
                format_time(t)
            )),
            share(*reachable_coverage),
            share(*min_coverage)
        ),
        Reason::NotSeenToEnd { seen_ms, window_ms } => format!(
            "watched for {} of its {} steady window: a pass needs the whole window (or --stop-on-pass)",
            minutes(*seen_ms),
            minutes(*window_ms)
        ),
    }
}

/// All reasons of a metric in one line (`; `-separated).
pub fn reasons(result: &MetricResult) -> String {
    result
        .reasons
        .iter()
        .filter(|r| !told_elsewhere(result, r))
        .map(|r| reason(r, &result.metric))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether `r` says again what another reason of `result` says: a side's gaps, when its
/// missing data could hide a failure (that reason names the gaps).
/// A finding about gaps that another reason of the same side already states (the missing
/// part that could hide a verdict, too little coverage to use the run).
fn told_elsewhere(result: &MetricResult, r: &Reason) -> bool {
    let Reason::Gaps { side, .. } = r else {
        return false;
    };
    result.reasons.iter().any(|other| {
        matches!(other, Reason::MissingDataCouldHide { side: hiding, .. }
            | Reason::LowCoverage { side: hiding, .. } if hiding == side)
    })
}

/// The reasons that explain a verdict other than pass, then the findings.
pub fn findings(result: &MetricResult) -> Vec<String> {
    result
        .reasons
        .iter()
        .filter(|r| result.verdict != Some(Verdict::Pass) || r.is_finding())
        .filter(|r| !told_elsewhere(result, r))
        .map(|r| reason(r, &result.metric))
        .collect()
}

/// A run's headline value for people: the mean (total for counts), as a bound when
/// censored samples make it one.
pub fn value(metric: &Metric, side: &SideResult) -> String {
    match &side.summary {
        None => "no data".into(),
        Some(s) => {
            let v = units::format_value(headline(metric, s), &metric.unit);
            let shown = format!("{}{v}", bound_prefix(side.bound()));
            if side.problem.is_some() {
                format!("{shown} (thin)")
            } else {
                shown
            }
        }
    }
}

/// What a change's interval says, beside its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Significance {
    /// The interval contains 0: no significant change (`~`).
    Insignificant,
    /// The interval excludes 0 in the good direction.
    Improved,
    /// The interval excludes 0 in the bad direction.
    Worse,
    /// A point, or a bound: the interval says nothing more.
    Unknown,
}

/// The one notation for a change, in every format (README, "Reading a change"): the
/// metric's own signed change of candidate over baseline with its interval in the same
/// form — `-72.2% [-73.7%, -70.6%]`; factors once either end is ten times or more —
/// `×343 [×320, ×366]`; `≥`/`≤` in front when censoring makes it a bound; `~` in front when
/// the interval contains 0; ` improved` after when it excludes 0 in the good direction.
pub fn change_notation(
    relative: f64,
    interval: Option<(f64, f64)>,
    bound: Bound,
    better: Better,
) -> String {
    let interval = interval.filter(|(lo, hi)| lo.is_finite() && hi.is_finite());
    let factors = relative >= 9.0 || interval.is_some_and(|(lo, hi)| lo >= 9.0 || hi >= 9.0);
    let one = |v: f64| {
        if factors {
            format!("×{}", units::number(((1.0 + v) * 10.0).round() / 10.0))
        } else {
            units::change(v)
        }
    };
    let mut text = format!("{}{}", bound_prefix(bound), one(relative));
    if let Some((lo, hi)) = interval {
        if one(lo) != one(hi) {
            text.push_str(&format!(" [{}, {}]", one(lo), one(hi)));
        }
    }
    match significance(relative, interval, bound, better) {
        Significance::Insignificant => format!("~ {text}"),
        Significance::Improved => format!("{text} improved"),
        Significance::Worse | Significance::Unknown => text,
    }
}

/// Whether an interval shows a change, and in which direction.
pub fn significance(
    relative: f64,
    interval: Option<(f64, f64)>,
    bound: Bound,
    better: Better,
) -> Significance {
    let Some((lo, hi)) = interval else {
        return Significance::Unknown;
    };
    if units::change(lo) == units::change(hi) || bound != Bound::Exact || !relative.is_finite() {
        return Significance::Unknown;
    }
    let good_up = better == Better::Higher;
    if lo <= 0.0 && hi >= 0.0 {
        Significance::Insignificant
    } else if (lo > 0.0) == good_up {
        Significance::Improved
    } else {
        Significance::Worse
    }
}

/// The bound of a change as a statement about the change (not the regression).
fn change_bound(regression_bound: Bound, better: Better) -> Bound {
    match better {
        Better::Lower => regression_bound,
        Better::Higher => regression_bound.flipped(),
    }
}

/// A regression (positive is worse) back as the metric's own change.
fn as_change(regression: f64, better: Better) -> f64 {
    match better {
        Better::Lower => regression,
        Better::Higher => -regression,
    }
}

/// A regression interval as the metric's own change interval.
fn as_change_interval(low: f64, high: f64, better: Better) -> (f64, f64) {
    match better {
        Better::Lower => (low, high),
        Better::Higher => (-high, -low),
    }
}

/// The budget of a regression clause as the change it allows (`-10%` when higher is better).
fn budget_as_change(budget: f64, better: Better) -> String {
    let sign = if as_change(budget, better) < 0.0 {
        "-"
    } else {
        "+"
    };
    format!("{sign}{}%", units::number(budget * 100.0))
}

/// The change column: candidate vs baseline in the one notation; `+2.43 from 0` (in the
/// metric's unit) when the baseline is zero.
pub fn change(r: &MetricResult) -> String {
    let Some(c) = &r.change else {
        return "-".into();
    };
    let Some(rel) = c.relative else {
        return match (&r.baseline.summary, &r.candidate.summary) {
            (Some(_), Some(cs)) => {
                let v = headline(&r.metric, cs);
                if v == 0.0 {
                    "both 0".into()
                } else {
                    format!("{} from 0", signed_value(v, ""))
                }
            }
            _ => "-".into(),
        };
    };
    change_notation(
        rel,
        c.relative_low.zip(c.relative_high),
        change_bound(c.bound, r.metric.better),
        r.metric.better,
    )
}

/// What the baseline is, when that matters for reading the intervals: several runs pooled
/// with each gated metric's run-to-run variation, or one run whose run-to-run variation is
/// unknown (or taken from the pack).
pub fn baselines_note(report: &super::Report) -> Option<String> {
    use crate::stats::pooled::TauMethod;
    let relative: Vec<&super::MetricReport> = report
        .metrics
        .iter()
        .filter(|m| {
            m.result
                .gate
                .as_ref()
                .is_some_and(|g| g.regression_budget().is_some())
                && m.result.baseline.between_run.is_some()
        })
        .collect();
    let variation = |m: &super::MetricReport| {
        let b = m.result.baseline.between_run.as_ref()?;
        let cv = if b.cv.is_finite() {
            format!("{:.1}%", b.cv * 100.0)
        } else {
            "n/a".into()
        };
        let mut text = format!("{} {cv}", m.result.metric.id);
        if b.excluded > 0 {
            text.push_str(&format!(" ({} of {} runs)", b.runs, b.runs + b.excluded));
        }
        Some(text)
    };
    if report.baseline.is_pooled() {
        let names: Vec<&str> = report
            .baseline
            .runs()
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        let list: Vec<String> = relative.iter().filter_map(|m| variation(m)).collect();
        return Some(format!(
            "Baseline: {} runs pooled ({}); run-to-run variation{}",
            names.len(),
            names.join(", "),
            if list.is_empty() {
                ": no relative gate".to_string()
            } else {
                format!(" (Paule–Mandel, HKSJ interval): {}", list.join(", "))
            }
        ));
    }
    let method = |wanted: TauMethod| {
        relative
            .iter()
            .filter(|m| {
                m.result
                    .baseline
                    .between_run
                    .as_ref()
                    .is_some_and(|b| b.method == wanted)
            })
            .collect::<Vec<_>>()
    };
    let prior: Vec<String> = method(TauMethod::Prior)
        .iter()
        .filter_map(|m| variation(m))
        .collect();
    let unknown = method(TauMethod::Unknown);
    let mut parts = Vec::new();
    if !unknown.is_empty() {
        parts.push(
            "One baseline run: run-to-run variation is unknown and not in the intervals; pool several (--baseline 'weekly-*') or set run_to_run in the pack".to_string(),
        );
    }
    if !prior.is_empty() {
        parts.push(format!(
            "run-to-run variation from the pack: {}",
            prior.join(", ")
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A level shift inside a run, in words: which side, the metric, when (from the run's
/// start, to the minute), the levels before and after, the change.
pub struct ShiftWords<'a> {
    pub side: &'static str,
    pub metric: &'a crate::pack::Metric,
    pub at: String,
    pub before: String,
    pub after: String,
    pub change: String,
}

/// Every level shift of every metric, baselines' first, in report order.
pub fn shifts(report: &super::Report) -> Vec<ShiftWords<'_>> {
    let mut out = Vec::new();
    for m in &report.metrics {
        let r = &m.result;
        for (side, result) in [("baseline", &r.baseline), ("candidate", &r.candidate)] {
            for s in &result.shifts {
                out.push(ShiftWords {
                    side,
                    metric: &r.metric,
                    at: crate::duration::human(((s.offset_seconds / 60.0).round() as i64) * 60_000),
                    before: crate::units::format_value(s.before, &r.metric.unit),
                    after: crate::units::format_value(s.after, &r.metric.unit),
                    change: s.relative.map_or("from 0".into(), crate::units::change),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_gaps_and_near_full_shares_are_not_rounded_away() {
        assert_eq!(minutes(15_000), "15s");
        assert_eq!(minutes(200), "1s");
        assert_eq!(minutes(90_000), "2m");
        assert_eq!(share(0.9999), "99.9%");
        assert_eq!(share(1.0), "100%");
        assert_eq!(share(0.004), "0.4%");
        assert_eq!(share(0.5), "50%");
    }
}
