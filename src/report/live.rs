//! What `watch` shows while the run goes on: a table redrawn in place on a terminal (one
//! line per gated metric: estimate, interval, gate, state, time to a decision), and on
//! anything else one line per poll plus a line for each metric whose state changed.

use crate::duration;
use crate::gate::Clause;
use crate::pack::Metric;
use crate::units;
use crate::watch::decide::{ClauseLook, Why};
use crate::watch::{MetricLook, PollRecord, State};

use super::Terminal;

pub fn state_label(s: State) -> &'static str {
    match s {
        State::Pending => "pending",
        State::Passing => "passing",
        State::Pass => "PASS",
        State::Fail => "FAIL",
    }
}

/// A clause's estimate and interval in its own terms: a change in percent (or, when any of
/// the three is ten times or more, all three as factors, as every report writes them), a
/// statistic in the metric's unit, a trend per hour.
fn value(metric: &Metric, clause: &Clause, v: f64, factors: bool) -> String {
    match clause {
        Clause::Regression { .. } | Clause::Shift { .. } if factors => {
            format!("×{}", units::number(((1.0 + v) * 10.0).round() / 10.0))
        }
        Clause::Regression { .. } | Clause::Shift { .. } => units::change(v),
        Clause::Trend { relative: true, .. } => format!("{}/h", units::change(v)),
        Clause::Trend { .. } => format!("{}/h", units::format_value(v, &metric.unit)),
        Clause::Absolute { .. } => units::format_value(v, &metric.unit),
    }
}

fn estimate(metric: &Metric, clause: &Clause, look: &ClauseLook) -> (String, String) {
    // A clause failed on its recent level shows that level: it is what failed.
    let (estimate, low, high) = match (&look.why, &look.recent) {
        (Why::RecentBeyond { .. }, Some(r)) => (
            Some(r.estimate),
            Some(r.low.unwrap_or(f64::NEG_INFINITY)),
            Some(r.high.unwrap_or(f64::INFINITY)),
        ),
        _ => (look.estimate, look.low, look.high),
    };
    let Some(e) = estimate else {
        return ("–".into(), String::new());
    };
    let factors = [Some(e), low, high]
        .into_iter()
        .flatten()
        .any(|v| v.is_finite() && v >= 9.0);
    let interval = match (low, high) {
        (Some(lo), Some(hi)) if lo != hi => {
            let side = |v: f64| {
                if v.is_finite() {
                    value(metric, clause, v, factors)
                } else if v > 0.0 {
                    "∞".into()
                } else {
                    "−∞".into()
                }
            };
            format!("[{}, {}]", side(lo), side(hi))
        }
        _ => String::new(),
    };
    (value(metric, clause, e, factors), interval)
}

/// A time as the live display shows it: the time of day (UTC) of an RFC 3339 time.
fn clock(rfc3339: &str) -> &str {
    rfc3339
        .split_once('T')
        .map_or(rfc3339, |(_, t)| t.trim_end_matches('Z'))
}

/// What is still needed, in words.
fn waiting(look: &ClauseLook) -> String {
    let eta = look.eta_ms.map(|ms| {
        format!(
            "~{}",
            duration::human(((ms + 59_999) / 60_000).max(1) * 60_000)
        )
    });
    match &look.why {
        Why::WarmUp => "warm-up".into(),
        Why::NoData { .. } => "no data yet".into(),
        Why::DataStopped { last_sample, .. } => match last_sample {
            Some(t) => format!("data stopped at {}", clock(t)),
            None => "no data".into(),
        },
        Why::RecentBeyond { since, .. } => format!("level since {}", clock(since)),
        Why::NoReference { .. } => "baseline gives no level".into(),
        // A trend's next test: when, not how many samples.
        Why::TooFewSamples { .. } if eta.is_some() => eta.unwrap_or_default(),
        Why::TooFewSamples { samples, needed } => format!("{samples}/{needed} samples"),
        Why::TooAutocorrelated => "no stable mean yet".into(),
        Why::Censored => "at the histogram ceiling".into(),
        Why::AtEnd => "decided at the end".into(),
        Why::NeedsEvidence { .. } | Why::Straddles => eta.unwrap_or_else(|| "–".into()),
        Why::Inside | Why::Beyond => String::new(),
    }
}

/// What a metric's line says beyond its state: what a pending decision waits for, why a
/// failure came (a recent level, data that stopped), and a series gone silent.
fn note(look: &MetricLook, headline: &ClauseLook, seen_to: &str) -> String {
    let mut note = match (look.state, &headline.why) {
        (State::Pending, _) | (State::Fail, Why::RecentBeyond { .. } | Why::DataStopped { .. }) => {
            waiting(headline)
        }
        _ => String::new(),
    };
    if let (Some(since), false) = (
        &look.silent_since,
        matches!(headline.why, Why::DataStopped { .. }),
    ) {
        let silent = match (
            crate::config::parse_time(since, None),
            crate::config::parse_time(seen_to, None),
        ) {
            (Ok(a), Ok(b)) => format!(" ({})", duration::human((b - a).max(0))),
            _ => String::new(),
        };
        let text = format!("no samples since {}{silent}", clock(since));
        note = if note.is_empty() || note == "–" {
            text
        } else {
            format!("{text}; {note}")
        };
    }
    note
}

/// A metric's line: id, estimate, interval, the rule that says most, state, what a
/// decision still waits for.
fn row(look: &MetricLook, metric: &Metric, gate: &crate::gate::Gate, seen_to: &str) -> [String; 6] {
    let Some(headline) = look.headline() else {
        return [
            look.id.clone(),
            String::new(),
            String::new(),
            gate.text.clone(),
            state_label(look.state).into(),
            String::new(),
        ];
    };
    let index = look
        .clauses
        .iter()
        .position(|c| std::ptr::eq(c, headline))
        .unwrap_or(0);
    let (e, interval) = estimate(metric, &gate.clauses[index], headline);
    [
        look.id.clone(),
        e,
        interval,
        headline.rule.clone(),
        state_label(look.state).to_string(),
        note(look, headline, seen_to),
    ]
}

/// The live table: one line per gated metric (`metrics` and `gates` in the order of
/// `looks`), with a header naming the run and how much of it has been seen.
pub fn table(
    record: &PollRecord,
    metrics: &[&Metric],
    gates: &[&crate::gate::Gate],
    terminal: Terminal,
) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "Metric".into(),
        "Estimate".into(),
        "Interval".into(),
        "Gate".into(),
        "State".into(),
        "Note".into(),
    ]];
    for ((look, metric), gate) in record.metrics.iter().zip(metrics).zip(gates) {
        rows.push(row(look, metric, gate, &record.observed_end));
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!(
        "watch {}: seen to {} ({} steady) · {}\n",
        record.candidate,
        record.observed_end,
        duration::human((record.steady_seconds * 1000.0) as i64),
        state_label(record.state)
    );
    for (i, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            let cell = if c == 4 && i > 0 && terminal.color {
                paint(cell)
            } else {
                cell.clone()
            };
            // numbers right-aligned, words left
            if c == 1 {
                line.push_str(&" ".repeat(pad));
                line.push_str(&cell);
            } else {
                line.push_str(&cell);
                line.push_str(&" ".repeat(pad));
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn paint(state: &str) -> String {
    let style = match state {
        "FAIL" => anstyle::AnsiColor::Red.on_default().bold(),
        "PASS" => anstyle::AnsiColor::Green.on_default(),
        _ => anstyle::Style::new().dimmed(),
    };
    format!("{style}{state}{style:#}")
}

/// The lines for a log: one per poll, and one for each metric whose state changed since
/// `previous` (every metric at the first poll that is not pending).
pub fn lines(
    record: &PollRecord,
    previous: Option<&[MetricLook]>,
    metrics: &[&Metric],
    gates: &[&crate::gate::Gate],
) -> String {
    let count = |s: State| record.metrics.iter().filter(|l| l.state == s).count();
    let mut out = format!(
        "{} seen to {} ({} steady): {} · {} fail, {} pass, {} pending\n",
        record.at,
        record.observed_end,
        duration::human((record.steady_seconds * 1000.0) as i64),
        state_label(record.state),
        count(State::Fail),
        count(State::Pass),
        count(State::Pending)
    );
    for ((look, metric), gate) in record.metrics.iter().zip(metrics).zip(gates) {
        let before = previous.and_then(|p| p.iter().find(|l| l.id == look.id));
        let fell_silent = look.silent_since.is_some()
            && before.is_none_or(|b| b.silent_since != look.silent_since);
        let changed = match before {
            Some(b) => b.state != look.state,
            None => look.state != State::Pending,
        };
        if !changed && !fell_silent {
            continue;
        }
        let [_, estimate, interval, rule, state, waiting] =
            row(look, metric, gate, &record.observed_end);
        let shown: Vec<&str> = [estimate.as_str(), interval.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        let mut line = format!("  {state} {}: {} against {rule}", look.id, shown.join(" "));
        if !waiting.is_empty() {
            line.push_str(&format!(" ({waiting})"));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
