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
        State::Pass => "PASS",
        State::Fail => "FAIL",
    }
}

/// A clause's estimate and interval in its own terms: a change in percent, a statistic in
/// the metric's unit, a trend per hour.
fn value(metric: &Metric, clause: &Clause, v: f64) -> String {
    match clause {
        Clause::Regression { .. } | Clause::Shift { .. } => units::change(v),
        Clause::Trend { relative: true, .. } => format!("{}/h", units::change(v)),
        Clause::Trend { .. } => format!("{}/h", units::format_value(v, &metric.unit)),
        Clause::Absolute { .. } => units::format_value(v, &metric.unit),
    }
}

fn estimate(metric: &Metric, clause: &Clause, look: &ClauseLook) -> (String, String) {
    let Some(e) = look.estimate else {
        return ("–".into(), String::new());
    };
    let interval = match (look.low, look.high) {
        (Some(lo), Some(hi)) if lo != hi => {
            let side = |v: f64| {
                if v.is_finite() {
                    value(metric, clause, v)
                } else {
                    "∞".into()
                }
            };
            format!("[{}, {}]", side(lo), side(hi))
        }
        _ => String::new(),
    };
    (value(metric, clause, e), interval)
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
        Why::NoData { .. } => "no data yet".into(),
        Why::NoReference { .. } => "baseline gives no level".into(),
        Why::TooFewSamples { samples, needed } => format!("{samples}/{needed} samples"),
        Why::TooAutocorrelated => "no stable mean yet".into(),
        Why::Censored => "at the histogram ceiling".into(),
        Why::AtEnd => "decided at the end".into(),
        Why::NeedsEvidence { .. } | Why::Straddles => eta.unwrap_or_else(|| "–".into()),
        Why::Inside | Why::Beyond => String::new(),
    }
}

/// A metric's line: id, estimate, interval, the rule that says most, state, what a
/// decision still waits for.
fn row(look: &MetricLook, metric: &Metric, gate: &crate::gate::Gate) -> [String; 6] {
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
        if look.state == State::Pending {
            waiting(headline)
        } else {
            String::new()
        },
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
        "Needs".into(),
    ]];
    for ((look, metric), gate) in record.metrics.iter().zip(metrics).zip(gates) {
        rows.push(row(look, metric, gate));
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
        let before = previous
            .and_then(|p| p.iter().find(|l| l.id == look.id))
            .map(|l| l.state);
        if before == Some(look.state) || (before.is_none() && look.state == State::Pending) {
            continue;
        }
        let [_, estimate, interval, rule, state, waiting] = row(look, metric, gate);
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
