//! The terminal report: one row per metric, then shifts, findings, the overall verdict and
//! both windows.

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table};

use super::{MetricReport, Report, RunInfo};
use crate::compare::{headline, SideResult, Verdict};
use crate::duration;
use crate::pack::Metric;
use crate::units;

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Total width to fit, in columns. From 130 columns on, metrics are shown by title,
    /// below by id (what `--only` and `--gate` take).
    pub width: u16,
}

/// Width from which the table has room for metric titles.
pub const TITLES_FROM: u16 = 130;

fn verdict_color(v: Verdict) -> Color {
    match v {
        Verdict::Pass => Color::Green,
        Verdict::Fail => Color::Red,
        Verdict::Inconclusive => Color::Yellow,
        Verdict::NoData => Color::Magenta,
    }
}

fn paint(text: &str, v: Verdict, style: Style) -> String {
    if !style.color {
        return text.to_string();
    }
    let code = match v {
        Verdict::Pass => "32",
        Verdict::Fail => "31",
        Verdict::Inconclusive => "33",
        Verdict::NoData => "35",
    };
    format!("\x1b[1;{code}m{text}\x1b[0m")
}

/// A run's headline value for people: the mean (total for counts), "≥ ceiling" when saturated.
pub fn value_text(metric: &Metric, side: &SideResult) -> String {
    match &side.summary {
        None => "no data".into(),
        Some(s) => {
            if side.is_saturated() {
                if let Some(ceiling) = metric.saturates_at {
                    return format!("≥ {}", units::format_value(ceiling, &metric.unit));
                }
            }
            let v = units::format_value(headline(metric, s), &metric.unit);
            if side.problem.is_some() {
                format!("{v} (thin)")
            } else {
                v
            }
        }
    }
}

fn signed_pct(v: f64) -> String {
    units::change(v)
}

/// The change column: relative change of candidate vs baseline with its interval,
/// `-70.0% [-71.2, -68.9]` (the interval is left out when it is a point).
pub fn change_text(m: &MetricReport) -> String {
    let r = &m.result;
    let Some(c) = &r.change else {
        return "-".into();
    };
    // A saturated candidate hides how much worse it is: the change is a bound.
    let bound = if r.candidate.is_saturated() && !r.baseline.is_saturated() {
        match r.metric.better {
            crate::pack::Better::Lower => "≥ ",
            crate::pack::Better::Higher => "≤ ",
        }
    } else {
        ""
    };
    let Some(rel) = c.relative else {
        return match (&r.baseline.summary, &r.candidate.summary) {
            (Some(b), Some(cs)) => format!(
                "{} → {}",
                units::number(headline(&r.metric, b)),
                units::number(headline(&r.metric, cs))
            ),
            _ => "-".into(),
        };
    };
    let mut text = format!("{bound}{}", signed_pct(rel));
    if let (Some(lo), Some(hi)) = (c.relative_low, c.relative_high) {
        if signed_pct(lo) != signed_pct(hi) {
            // Both bounds in one notation: factors once either is ten times or more.
            let factors = lo >= 9.0 || hi >= 9.0;
            let bare = |v: f64| {
                if factors {
                    format!("×{}", units::number(((1.0 + v) * 10.0).round() / 10.0))
                } else {
                    signed_pct(v).trim_end_matches('%').to_string()
                }
            };
            text.push_str(&format!(" [{}, {}]", bare(lo), bare(hi)));
        }
    }
    text
}

fn window_line(label: &str, r: &RunInfo) -> String {
    let vars: Vec<String> = r.vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "{label:<9} {}  {}  {}  [{}: {}]",
        r.name,
        r.window_text(),
        vars.join(" "),
        r.origin,
        r.location
    )
}

/// Renders the whole terminal report.
pub fn render(report: &Report, style: Style) -> String {
    let mut table = Table::new();
    table.load_style(comfy_table::presets::UTF8_HORIZONTAL_ONLY);
    table.style_mut().row_separator = comfy_table::LineStyle::none();
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_width(style.width);
    if style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let change_header = format!("Change [{:.0}% CI]", report.confidence * 100.0);
    table.set_header(vec![
        "Metric",
        "Baseline",
        "Candidate",
        &change_header,
        "Gate",
        "Verdict",
    ]);
    for m in &report.metrics {
        let r = &m.result;
        let verdict_cell = match r.verdict {
            Some(v) => {
                let cell = Cell::new(v.label());
                if style.color {
                    cell.fg(verdict_color(v))
                        .add_attribute(comfy_table::Attribute::Bold)
                } else {
                    cell
                }
            }
            None => Cell::new("-"),
        };
        let mut gate = r.gate.as_ref().map_or("-".to_string(), |g| g.text.clone());
        if r.metric.optional {
            gate.push_str(" (opt.)");
        }
        table.add_row(vec![
            Cell::new(if style.width >= TITLES_FROM {
                &r.metric.title
            } else {
                &r.metric.id
            }),
            Cell::new(value_text(&r.metric, &r.baseline)).set_alignment(CellAlignment::Right),
            Cell::new(value_text(&r.metric, &r.candidate)).set_alignment(CellAlignment::Right),
            Cell::new(change_text(m)),
            Cell::new(gate),
            verdict_cell,
        ]);
    }
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let mut out = format!("{table}\n");

    // Shifts inside the runs.
    let mut shifts = Vec::new();
    for m in &report.metrics {
        let r = &m.result;
        for (which, side) in [("baseline", &r.baseline), ("candidate", &r.candidate)] {
            for s in &side.shifts {
                shifts.push(format!(
                    "  {which:<9} {:<16} at {:>6}: {} → {} ({})",
                    r.metric.id,
                    duration::human(((s.offset_seconds / 60.0).round() as i64) * 60_000),
                    units::format_value(s.before, &r.metric.unit),
                    units::format_value(s.after, &r.metric.unit),
                    s.relative.map_or("from 0".into(), signed_pct)
                ));
            }
        }
    }
    if !shifts.is_empty() {
        out.push_str("\nLevel shifts inside the runs (offset from the run's start):\n");
        for s in shifts {
            out.push_str(&s);
            out.push('\n');
        }
    }

    // Findings: why anything is not a pass.
    let findings: Vec<String> = report
        .metrics
        .iter()
        .filter_map(|m| {
            let v = m.result.verdict?;
            (v != Verdict::Pass).then(|| {
                let optional = if m.result.metric.optional && v == Verdict::NoData {
                    " (optional)"
                } else {
                    ""
                };
                format!(
                    "  {} {}{optional}: {}",
                    paint(v.label(), v, style),
                    m.result.metric.id,
                    m.result.reason
                )
            })
        })
        .collect();
    if !findings.is_empty() {
        out.push_str("\nFindings:\n");
        for f in findings {
            out.push_str(&f);
            out.push('\n');
        }
    }

    let counts = report.counts();
    let gated: usize = counts.values().sum();
    let summary: Vec<String> = ["PASS", "FAIL", "NO DATA", "INCONCLUSIVE"]
        .iter()
        .filter_map(|k| counts.get(k).map(|n| format!("{n} {}", k.to_lowercase())))
        .collect();
    let tally = if gated == 0 {
        "no gated metrics: nothing was judged".to_string()
    } else {
        format!("{gated} gated metrics: {}", summary.join(", "))
    };
    out.push_str(&format!(
        "\nOverall: {}  ({tally}{})\n",
        paint(report.verdict.label(), report.verdict, style),
        if report.strict { "; --strict" } else { "" }
    ));
    out.push_str(&window_line("Baseline", &report.baseline));
    out.push('\n');
    out.push_str(&window_line("Candidate", &report.candidate));
    out.push('\n');
    out
}
