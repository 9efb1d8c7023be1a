//! The terminal report: one row per metric, then shifts, findings, the overall verdict and
//! both windows.

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table};

use super::text::{self, verdict_label};
use super::{Report, RunInfo};
use crate::compare::Verdict;
use crate::duration;
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
                let cell = Cell::new(verdict_label(v));
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
            Cell::new(text::value(&r.metric, &r.baseline)).set_alignment(CellAlignment::Right),
            Cell::new(text::value(&r.metric, &r.candidate)).set_alignment(CellAlignment::Right),
            Cell::new(text::change(r)),
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
                    s.relative.map_or("from 0".into(), units::change)
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

    // Findings: why anything is not a pass, and what the data of a pass leaves open.
    let findings: Vec<String> = report
        .metrics
        .iter()
        .filter_map(|m| {
            let lines = text::findings(&m.result);
            if lines.is_empty() {
                return None;
            }
            let label = match m.result.verdict {
                Some(v) => paint(verdict_label(v), v, style),
                None => "NOTE".to_string(),
            };
            let optional = if m.result.metric.optional && m.result.verdict == Some(Verdict::NoData)
            {
                " (optional)"
            } else {
                ""
            };
            Some(format!(
                "  {label} {}{optional}: {}",
                m.result.metric.id,
                lines.join("; ")
            ))
        })
        .collect();
    if !findings.is_empty() {
        out.push_str("\nFindings:\n");
        for f in findings {
            out.push_str(&f);
            out.push('\n');
        }
    }

    let tally = report.tally(&["PASS", "FAIL", "NO DATA", "INCONCLUSIVE"]);
    let verdict = report.verdict();
    out.push_str(&format!(
        "\nOverall: {}  ({tally}{})\n",
        paint(verdict_label(verdict), verdict, style),
        if report.strict {
            "; --strict"
        } else if report.accept_inconclusive {
            "; --accept-inconclusive"
        } else {
            ""
        }
    ));
    out.push_str(&window_line("Baseline", &report.baseline));
    out.push('\n');
    out.push_str(&window_line("Candidate", &report.candidate));
    out.push('\n');
    out
}
