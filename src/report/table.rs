//! The terminal report: one row per metric, then shifts, findings, the overall verdict and
//! both windows. Metrics are named by id everywhere (what `--only` and `--gate` take); no
//! word is ever split: at a narrow width intervals and gates wrap at spaces, and columns are
//! left out in a documented order (`DROP_ORDER`).

use comfy_table::{Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table, Width};

use super::text::{self, verdict_label};
use super::{Report, RunInfo};
use crate::compare::Verdict;
use crate::duration;
use crate::options::Terminal;
use crate::units;

/// The columns, in the order they are left out when the terminal is too narrow for all of
/// them without splitting a word: the gate first (Findings name it for every metric that
/// did not pass), then the baseline value, then the candidate value. Metric, change and
/// verdict always stay.
const DROP_ORDER: [Column; 3] = [Column::Gate, Column::Baseline, Column::Candidate];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Metric,
    Baseline,
    Candidate,
    Change,
    Gate,
    Verdict,
}

fn verdict_color(v: Verdict) -> Color {
    match v {
        Verdict::Pass => Color::Green,
        Verdict::Fail => Color::Red,
        Verdict::Inconclusive => Color::Yellow,
        Verdict::NoData => Color::Magenta,
    }
}

fn paint(text: &str, v: Verdict, style: Terminal) -> String {
    if !style.color {
        return text.to_string();
    }
    let color = match v {
        Verdict::Pass => anstyle::AnsiColor::Green,
        Verdict::Fail => anstyle::AnsiColor::Red,
        Verdict::Inconclusive => anstyle::AnsiColor::Yellow,
        Verdict::NoData => anstyle::AnsiColor::Magenta,
    };
    let s = anstyle::Style::new().bold().fg_color(Some(color.into()));
    format!("{s}{text}{s:#}")
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

/// Columns of the widest line, colour codes aside.
fn widest_line(text: &str) -> usize {
    text.lines()
        .map(|l| {
            let mut width = 0;
            let mut in_escape = false;
            for c in l.chars() {
                match (in_escape, c) {
                    (false, '\x1b') => in_escape = true,
                    (true, c) if c.is_ascii_alphabetic() => in_escape = false,
                    (true, _) => {}
                    (false, _) => width += 1,
                }
            }
            width
        })
        .max()
        .unwrap_or(0)
}

/// Display width of the longest word (space-separated) of a cell.
fn longest_word(s: &str) -> usize {
    s.split(' ').map(|w| w.chars().count()).max().unwrap_or(0)
}

/// Renders the whole terminal report.
pub fn render(report: &Report, style: Terminal) -> String {
    let change_header = format!("Change [{:.0}% CI]", report.confidence * 100.0);
    let rows: Vec<[(Column, String); 6]> = report
        .metrics
        .iter()
        .map(|m| {
            let r = &m.result;
            let mut gate = r.gate.as_ref().map_or("-".to_string(), |g| g.text.clone());
            if r.metric.optional {
                gate.push_str(" (opt.)");
            }
            [
                (Column::Metric, r.metric.id.clone()),
                (Column::Baseline, text::value(&r.metric, &r.baseline)),
                (Column::Candidate, text::value(&r.metric, &r.candidate)),
                (Column::Change, text::change(r)),
                (Column::Gate, gate),
                (
                    Column::Verdict,
                    r.verdict.map_or("-", verdict_label).to_string(),
                ),
            ]
        })
        .collect();
    let header = [
        (Column::Metric, "Metric".to_string()),
        (Column::Baseline, "Baseline".to_string()),
        (Column::Candidate, "Candidate".to_string()),
        (Column::Change, change_header),
        (Column::Gate, "Gate".to_string()),
        (Column::Verdict, "Verdict".to_string()),
    ];
    // The narrowest each column can be without splitting a word; the values of a run stay
    // on one line.
    const PADDING: usize = 2;
    let min_width = |c: Column| {
        let cells = std::iter::once(&header).chain(&rows).map(|row| {
            let (_, text) = &row[c as usize];
            match c {
                Column::Baseline | Column::Candidate | Column::Metric | Column::Verdict => {
                    text.chars().count()
                }
                _ => longest_word(text),
            }
        });
        cells.max().unwrap_or(0)
    };
    let all = vec![
        Column::Metric,
        Column::Baseline,
        Column::Candidate,
        Column::Change,
        Column::Gate,
        Column::Verdict,
    ];
    let build = |columns: &[Column]| {
        let mut table = Table::new();
        table.load_style(if style.ascii {
            comfy_table::presets::ASCII_HORIZONTAL_ONLY
        } else {
            comfy_table::presets::UTF8_HORIZONTAL_ONLY
        });
        table.style_mut().row_separator = comfy_table::LineStyle::none();
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.set_width(style.width);
        if style.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(columns.iter().map(|c| header[*c as usize].1.clone()));
        for (m, row) in report.metrics.iter().zip(&rows) {
            table.add_row(columns.iter().map(|c| {
                let cell = Cell::new(&row[*c as usize].1);
                match c {
                    Column::Baseline | Column::Candidate => {
                        cell.set_alignment(CellAlignment::Right)
                    }
                    Column::Verdict => match m.result.verdict {
                        Some(v) if style.color => cell
                            .fg(verdict_color(v))
                            .add_attribute(comfy_table::Attribute::Bold),
                        _ => cell,
                    },
                    _ => cell,
                }
            }));
        }
        let last = columns.len().saturating_sub(1);
        for (i, (column, kind)) in table.column_iter_mut().zip(columns).enumerate() {
            // No padding after the last column: it would only be trailing space.
            let padding = if i == last { 0 } else { PADDING };
            column.set_padding((0, padding as u16));
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                (min_width(*kind) + padding) as u16,
            )));
        }
        table.to_string()
    };
    // Leave columns out, in the documented order, until the table fits.
    let mut columns = all.clone();
    let mut table = build(&columns);
    for drop in DROP_ORDER {
        if widest_line(&table) <= style.width as usize {
            break;
        }
        columns.retain(|c| *c != drop);
        table = build(&columns);
    }
    let mut out = format!("{table}\n");
    if columns.len() < 6 {
        let left: Vec<&str> = DROP_ORDER
            .iter()
            .filter(|c| !columns.contains(c))
            .map(|c| match c {
                Column::Gate => "gate",
                Column::Baseline => "baseline",
                _ => "candidate",
            })
            .collect();
        out.push_str(&format!(
            "({} left out to fit {} columns)\n",
            left.join(", "),
            style.width
        ));
    }

    if let Some(note) = text::baselines_note(report) {
        out.push('\n');
        out.push_str(&wrap(&note, style.width as usize));
    }

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
    out.push_str(&window_line("Baseline", report.baseline.newest()));
    out.push('\n');
    out.push_str(&window_line("Candidate", &report.candidate));
    out.push('\n');
    let out = if style.ascii { ascii(&out) } else { out };
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `text` broken at spaces into lines of at most `width` columns (a longer word stands
/// alone on its line).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The report's Unicode in ASCII, for logs that mangle it (`--style ascii`).
pub fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '→' => out.push_str("->"),
            '≥' => out.push_str(">="),
            '≤' => out.push_str("<="),
            '×' => out.push('x'),
            '—' | '–' | '−' => out.push('-'),
            '·' => out.push('-'),
            '±' => out.push_str("+/-"),
            'µ' | 'μ' => out.push('u'),
            '…' => out.push_str("..."),
            '“' | '”' => out.push('"'),
            '‘' | '’' => out.push('\''),
            '\u{a0}' => out.push(' '),
            c if c.is_ascii() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}
