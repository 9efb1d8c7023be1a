//! Text laid out for a terminal of a given width: lines broken at spaces (never inside a
//! word, a number kept with its unit, an interval kept whole), and table columns fitted to
//! the width — wrapped onto a second line, or left out, in an order the caller gives.

/// `text` broken at spaces into lines of at most `width` columns, the lines after the first
/// indented by `indent` spaces (a longer word stands alone on its line). A number keeps its
/// unit (`0.1 jobs/s`, `85 restarts`). The first line keeps the text's own indentation.
pub fn wrap_at(text: &str, width: usize, indent: usize) -> String {
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

/// `text` split at spaces, except a space between a number and the word after it (its unit)
/// and a space inside brackets (an interval `[-72.7%, -71.6%]` stays whole).
pub fn unbreakable_words(text: &str) -> Vec<&str> {
    let mut words: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ' ' if depth <= 0 => {
                let (before, after) = (&text[start..i], &text[i + 1..]);
                let number_then_unit = before.ends_with(|c: char| c.is_ascii_digit())
                    && after.starts_with(|c: char| c.is_alphabetic());
                if !number_then_unit {
                    words.push(before);
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    words.push(&text[start..]);
    words
}

/// Columns fitted to a width by [`fit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    /// Indexes of the columns kept, in order.
    pub kept: Vec<usize>,
    /// The width of every column (by index; a column left out keeps its widest cell).
    pub widths: Vec<usize>,
}

/// Fits the columns of `cells` (rows of equal length, the header first) into `width`
/// columns, `gap` columns between two: every column its widest cell; where the total is
/// too wide, the columns of `wrap` (in that order) narrowed as far as two lines per cell
/// allow (the header may take two lines anywhere); where even that is too wide, the columns
/// of `drop` left out one by one (in that order) and the widths tried again.
pub fn fit(
    cells: &[Vec<String>],
    width: usize,
    gap: usize,
    wrap: &[usize],
    drop: &[usize],
) -> Fitted {
    let columns = cells.first().map_or(0, Vec::len);
    // The narrowest width at which every cell of `c` takes at most `lines` lines (the
    // header `header_lines`).
    let fitting_with = |c: usize, lines: usize, header_lines: usize| {
        let widest = cells
            .iter()
            .map(|r| r[c].chars().count())
            .max()
            .unwrap_or(0);
        let longest_word = cells
            .iter()
            .flat_map(|r| unbreakable_words(&r[c]))
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        (longest_word..=widest)
            .find(|&w| {
                cells.iter().enumerate().all(|(row, r)| {
                    let allowed = if row == 0 { header_lines } else { lines };
                    wrap_at(&r[c], w, 0).lines().count() <= allowed
                })
            })
            .unwrap_or(widest)
    };
    let total = |kept: &[usize], widths: &[usize]| {
        kept.iter().map(|c| widths[*c]).sum::<usize>() + gap * kept.len().saturating_sub(1)
    };
    let mut kept: Vec<usize> = (0..columns).collect();
    // Everything on one line, the header too, where that fits.
    let whole: Vec<usize> = (0..columns).map(|c| fitting_with(c, 1, 1)).collect();
    if total(&kept, &whole) <= width {
        return Fitted {
            kept,
            widths: whole,
        };
    }
    let one_line: Vec<usize> = (0..columns).map(|c| fitting_with(c, 1, 2)).collect();
    let two_lines: Vec<usize> = (0..columns).map(|c| fitting_with(c, 2, 2)).collect();
    let mut widths = one_line.clone();
    for left_out in std::iter::once(None).chain(drop.iter().copied().map(Some)) {
        if let Some(c) = left_out {
            kept.retain(|k| *k != c);
        }
        widths = one_line.clone();
        for &c in wrap.iter().filter(|c| kept.contains(c)) {
            let excess = total(&kept, &widths).saturating_sub(width);
            widths[c] = widths[c].saturating_sub(excess).max(two_lines[c]);
        }
        if total(&kept, &widths) <= width {
            break;
        }
    }
    Fitted { kept, widths }
}

/// A plain listing (`runs`, `queries`): an upper-case header, columns two spaces apart,
/// fitted to `width` by [`fit`], no space before the first column or after the last; a
/// note under it names the columns left out.
pub fn listing(
    header: &[&str],
    rows: &[Vec<String>],
    width: usize,
    wrap: &[usize],
    drop: &[usize],
) -> String {
    const GAP: usize = 2;
    let cells: Vec<Vec<String>> = std::iter::once(header.iter().map(|h| h.to_string()).collect())
        .chain(rows.iter().cloned())
        .collect();
    let fitted = fit(&cells, width, GAP, wrap, drop);
    let mut out = String::new();
    for row in &cells {
        let wrapped: Vec<Vec<String>> = fitted
            .kept
            .iter()
            .map(|&c| {
                wrap_at(&row[c], fitted.widths[c], 0)
                    .lines()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..lines {
            let mut text = String::new();
            for (i, (&c, cell)) in fitted.kept.iter().zip(&wrapped).enumerate() {
                let part = cell.get(line).map_or("", String::as_str);
                if i > 0 {
                    text.push_str(&" ".repeat(GAP));
                }
                text.push_str(part);
                text.push_str(&" ".repeat(fitted.widths[c].saturating_sub(part.chars().count())));
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
    let left: Vec<String> = (0..header.len())
        .filter(|c| !fitted.kept.contains(c))
        .map(|c| {
            header[c]
                .split(" (")
                .next()
                .unwrap_or(header[c])
                .to_lowercase()
        })
        .collect();
    if !left.is_empty() {
        out.push_str(&format!(
            "({} left out to fit {width} columns; --format json has every field)\n",
            left.join(", ")
        ));
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
        // An interval is not broken.
        assert_eq!(
            unbreakable_words("-72.2% [-72.7%, -71.6%] beyond"),
            ["-72.2%", "[-72.7%, -71.6%]", "beyond"]
        );
    }

    #[test]
    fn columns_wrap_then_leave_out_in_order() {
        let cells: Vec<Vec<String>> = [
            ["ID", "TITLE", "GATE"],
            ["a", "one two three", "regression <= 10%"],
            ["bb", "four", "mean <= 5%"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        // Everything on one line where it fits.
        let wide = fit(&cells, 80, 2, &[2, 1], &[1]);
        assert_eq!(
            (wide.kept.clone(), wide.widths.clone()),
            (vec![0, 1, 2], vec![2, 13, 17])
        );
        // Narrower: the gate wraps first, as far as two lines allow, then the title.
        let narrow = fit(&cells, 27, 2, &[2, 1], &[1]);
        assert_eq!(narrow.kept, vec![0, 1, 2]);
        assert_eq!(narrow.widths[2], 10, "regression / <= 10%");
        assert_eq!(narrow.widths[1], 11, "27 - 2 - 10 - 2 × 2");
        // Narrower still: the title is left out, the gate as wide as the width allows.
        let narrower = fit(&cells, 16, 2, &[2, 1], &[1]);
        assert_eq!(narrower.kept, vec![0, 2]);
        assert_eq!(narrower.widths[2], 12);
        let text = listing(&["ID", "TITLE", "GATE"], &cells[1..], 16, &[2, 1], &[1]);
        assert_eq!(
            text,
            "ID  GATE\na   regression\n    <= 10%\nbb  mean <= 5%\n(title left out to fit 16 columns; --format json has every field)\n"
        );
    }
}
