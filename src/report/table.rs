//! The terminal report: one row per metric, then shifts, findings, the overall verdict and
//! both windows. Metrics are named by id everywhere (what `--only` and `--gate` take); no
//! word is ever split: at a narrow width intervals and gates wrap at spaces, and columns are
//! left out in a documented order (`DROP_ORDER`).

use comfy_table::{Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table, Width};

use super::text::{self, verdict_label};
use super::Terminal;
use super::{Report, RunInfo};
use crate::compare::Verdict;
use crate::duration;
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
        out.push_str(&wrap(&note, style, 0));
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
                Some(v) => verdict_label(v),
                None => "NOTE",
            };
            let optional = if m.result.metric.optional && m.result.verdict == Some(Verdict::NoData)
            {
                " (optional)"
            } else {
                ""
            };
            let finding = wrap(
                &format!(
                    "  {label} {}{optional}: {}",
                    m.result.metric.id,
                    lines.join("; ")
                ),
                style,
                4,
            );
            // The label is the first word: coloured after wrapping, which counts columns.
            Some(match m.result.verdict {
                Some(v) => finding.replacen(label, &paint(label, v, style), 1),
                None => finding,
            })
        })
        .collect();
    if !findings.is_empty() {
        out.push_str("\nFindings:\n");
        for f in findings {
            out.push_str(&f);
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
    // Continued lines start under the run's name.
    out.push_str(&wrap(
        &window_line("Baseline", report.baseline.newest()),
        style,
        10,
    ));
    out.push_str(&wrap(
        &window_line("Candidate", &report.candidate),
        style,
        10,
    ));
    let out = if style.ascii { ascii(&out) } else { out };
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `text` as the terminal shows it (in ASCII with `--style ascii`, where `≥` takes two
/// columns), broken to fit its width: see [`wrap_at`].
fn wrap(text: &str, style: Terminal, indent: usize) -> String {
    if style.ascii {
        wrap_at(&ascii(text), style.width as usize, indent)
    } else {
        wrap_at(text, style.width as usize, indent)
    }
}

/// `text` broken at spaces into lines of at most `width` columns, the lines after the first
/// indented by `indent` spaces (a longer word stands alone on its line). A number keeps its
/// unit (`0.1 jobs/s`, `85 restarts`). The first line keeps the text's own indentation.
fn wrap_at(text: &str, width: usize, indent: usize) -> String {
    let body = text.trim_start_matches(' ');
    let mut out = String::new();
    let mut line = text[..text.len() - body.len()].to_string();
    let mut columns = line.chars().count();
    let mut empty = true;
    for word in unbreakable_words(body) {
        let w = word.chars().count();
        if !empty && columns + 1 + w > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            columns = indent;
            empty = true;
        }
        if empty && word.is_empty() {
            // A separator of two spaces falls at the break: the new line starts at its word.
            continue;
        }
        if !empty {
            line.push(' ');
            columns += 1;
        }
        line.push_str(word);
        columns += w;
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// `text` split at spaces, except a space between a number and the word after it (its unit).
fn unbreakable_words(text: &str) -> Vec<&str> {
    let mut words: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(' ') {
        let (before, after) = (&text[start..i], &text[i + 1..]);
        let number_then_unit = before.ends_with(|c: char| c.is_ascii_digit())
            && after.starts_with(|c: char| c.is_alphabetic());
        if !number_then_unit {
            words.push(before);
            start = i + 1;
        }
    }
    words.push(&text[start..]);
    words
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_indentation_units_and_long_words() {
        // The first line keeps its indentation, the others get the hanging indent.
        assert_eq!(
            wrap_at("  FAIL m: one two three four", 14, 4),
            "  FAIL m: one\n    two three\n    four\n"
        );
        // A number and its unit break together; a word longer than the width stands alone.
        assert_eq!(
            wrap_at("mean 3.29 jobs/s > 0.1 jobs/s", 12, 2),
            "mean\n  3.29 jobs/s\n  >\n  0.1 jobs/s\n"
        );
        assert_eq!(
            wrap_at("a averyveryverylongword b", 8, 0),
            "a\naveryveryverylongword\nb\n"
        );
        // A two-space separator at a break does not indent the next line further.
        assert_eq!(
            wrap_at("Baseline  weekly  namespace=x", 17, 2),
            "Baseline  weekly\n  namespace=x\n"
        );
        assert_eq!(
            unbreakable_words("85 restarts > 0 restarts (60 s)"),
            ["85 restarts", ">", "0 restarts", "(60 s)"]
        );
    }
}
