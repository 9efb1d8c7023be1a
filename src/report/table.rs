//! The terminal report: one row per metric, then shifts, findings, the overall verdict and
//! both windows. Metrics are named by id everywhere (what `--only` and `--gate` take); no
//! word is ever split: at a narrow width intervals and gates wrap at spaces, and columns are
//! left out in a documented order (`DROP_ORDER`).

use comfy_table::{Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width};

use super::layout::{self, wrap_at};
use super::text::{self, verdict_label};
use super::Terminal;
use super::{Report, RunInfo};
use crate::compare::Verdict;

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

/// Renders the whole terminal report.
pub fn render(report: &Report, style: Terminal) -> String {
    let mut out = verdict_table(report, style);

    if let Some(note) = text::baselines_note(report) {
        out.push('\n');
        out.push_str(&wrap(&note, style, 0));
    }

    out.push_str(&shifts(report));

    let findings = findings(report, style);
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

/// The table of every metric, fitted to the terminal, with a line naming the columns left
/// out to fit.
fn verdict_table(report: &Report, style: Terminal) -> String {
    let change_header = format!("Change [{:.0}% CI]", report.confidence * 100.0);
    // ASCII before the layout: `≥` becomes `>=`, a column wider.
    let shown = |text: String| if style.ascii { ascii(&text) } else { text };
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
                (Column::Baseline, shown(text::value(&r.metric, &r.baseline))),
                (
                    Column::Candidate,
                    shown(text::value(&r.metric, &r.candidate)),
                ),
                (Column::Change, shown(text::change(r))),
                (Column::Gate, shown(gate)),
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
    let cells: Vec<[String; 6]> = std::iter::once(&header)
        .chain(&rows)
        .map(|row| row.clone().map(|(_, text)| text))
        .collect();
    let (columns, widths) = layout(&cells, style.width as usize);
    let mut table = Table::new();
    table.load_style(if style.ascii {
        comfy_table::presets::ASCII_HORIZONTAL_ONLY
    } else {
        comfy_table::presets::UTF8_HORIZONTAL_ONLY
    });
    table.style_mut().row_separator = comfy_table::LineStyle::none();
    // The cells come wrapped (`layout`): the table only pads them.
    table.set_content_arrangement(ContentArrangement::Disabled);
    table.force_no_tty();
    let cell_text = |row: &[String; 6], c: Column| wrap_at(&row[c as usize], widths[c as usize], 0);
    table.set_header(
        columns
            .iter()
            .map(|c| cell_text(&cells[0], *c).trim_end().to_string()),
    );
    for row in &cells[1..] {
        table.add_row(columns.iter().map(|c| {
            let cell = Cell::new(cell_text(row, *c).trim_end());
            match c {
                Column::Baseline | Column::Candidate => cell.set_alignment(CellAlignment::Right),
                _ => cell,
            }
        }));
    }
    let last = columns.len().saturating_sub(1);
    for (i, (column, kind)) in table.column_iter_mut().zip(&columns).enumerate() {
        // No padding after the last column: it would only be trailing space.
        let padding = if i == last { 0 } else { PADDING };
        column.set_padding((0, padding as u16));
        column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(
            (widths[*kind as usize] + padding) as u16,
        )));
    }
    let table = paint_verdicts(&table.to_string(), report, &columns, style);
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
    out
}

/// The level shifts inside the runs, one line each under a heading (nothing without any).
fn shifts(report: &Report) -> String {
    let shifts: Vec<String> = text::shifts(report)
        .into_iter()
        .map(|s| {
            format!(
                "  {:<9} {:<16} at {:>6}: {} → {} ({})",
                s.side, s.metric.id, s.at, s.before, s.after, s.change
            )
        })
        .collect();
    if shifts.is_empty() {
        return String::new();
    }
    let mut out = "\nLevel shifts inside the runs (offset from the run's start):\n".to_string();
    for s in shifts {
        out.push_str(&s);
        out.push('\n');
    }
    out
}

/// Findings: why anything is not a pass, and what the data of a pass leaves open; the
/// verdict label of each coloured.
fn findings(report: &Report, style: Terminal) -> Vec<String> {
    report
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
        .collect()
}

/// Space after each column but the last, and the (blank) vertical border between columns.
const PADDING: usize = 2;
const BORDER: usize = 1;

/// The columns to show and the width of each (indexed by [`Column`]) for a table of
/// `cells` (the header first) in `width` columns: every column its widest cell; where that
/// is too wide, the gate and then the change on two lines, and where even that is too
/// wide, columns left out in [`DROP_ORDER`] (see [`layout::fit`]).
fn layout(cells: &[[String; 6]], width: usize) -> (Vec<Column>, [usize; 6]) {
    let all = [
        Column::Metric,
        Column::Baseline,
        Column::Candidate,
        Column::Change,
        Column::Gate,
        Column::Verdict,
    ];
    let rows: Vec<Vec<String>> = cells.iter().map(|r| r.to_vec()).collect();
    let fitted = layout::fit(
        &rows,
        width,
        PADDING + BORDER,
        &[Column::Gate as usize, Column::Change as usize],
        &DROP_ORDER.map(|c| c as usize),
    );
    let mut widths = [0; 6];
    for (i, w) in fitted.widths.iter().enumerate() {
        widths[i] = *w;
    }
    let columns = all
        .into_iter()
        .filter(|c| fitted.kept.contains(&(*c as usize)))
        .collect();
    (columns, widths)
}

/// The verdict labels of `table` (rendered without colour) painted: the label ends the
/// first line of its row, and the colour spans the label alone.
fn paint_verdicts(table: &str, report: &Report, columns: &[Column], style: Terminal) -> String {
    if !style.color || !columns.contains(&Column::Verdict) {
        return table.to_string();
    }
    let mut verdicts = report.metrics.iter().map(|m| m.result.verdict);
    let mut in_body = false;
    let mut out = Vec::new();
    for line in table.lines() {
        let line = line.trim_end();
        let border = line.starts_with(['─', '═', '-', '=']);
        if border {
            in_body = !in_body && (line.starts_with('═') || line.starts_with('='));
            out.push(line.to_string());
            continue;
        }
        // A row starts with its metric's id; its continuation lines with spaces.
        if in_body && !line.starts_with(' ') {
            if let Some(Some(v)) = verdicts.next() {
                let label = verdict_label(v);
                if let Some(head) = line.strip_suffix(label) {
                    out.push(format!("{head}{}", paint(label, v, style)));
                    continue;
                }
            }
        }
        out.push(line.to_string());
    }
    out.join("\n")
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
