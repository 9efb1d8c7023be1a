//! CSV export (`--export DIR`): the series of both runs in one tidy table (run, metric,
//! offset seconds, timestamp, value, in_window), for notebooks.

use std::path::{Path, PathBuf};

use super::Report;
use crate::config::format_time;
use crate::error::{Error, Result};
use crate::source::matrix_json::write_value;
use std::io::Write as _;

/// Writes `series.csv` into `dir`; returns its path.
pub fn export(report: &Report, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::input(format!("--export {}: {e}", dir.display())))?;
    let path = dir.join("series.csv");
    let fail = |e: std::io::Error| Error::input(format!("cannot write {}: {e}", path.display()));
    let mut file = std::fs::File::create(&path).map_err(fail)?;
    file.write_all(b"run,role,metric,offset_seconds,timestamp,value,in_window\n")
        .map_err(fail)?;
    // A week of 15 s samples is over a million rows: they are formatted on every core in
    // pieces of at most `PIECE` rows (~300 KiB), and written in order as they are done, a
    // few pieces ahead at most (the whole text is not held).
    const PIECE: usize = 1 << 12;
    let mut pieces: Vec<Piece> = Vec::new();
    for m in &report.metrics {
        for (role, info, series) in [
            ("baseline", report.baseline.newest(), &m.baseline.series),
            ("candidate", &report.candidate, &m.candidate.series),
        ] {
            let Some(s) = series else { continue };
            // The fields that may need quoting are the same for a whole series.
            let prefix = quoted_prefix(&[&info.name, role, &m.result.metric.id]);
            for rows in s.full.points().chunks(PIECE) {
                pieces.push(Piece {
                    prefix: prefix.clone(),
                    run_start_ms: info.start_ms,
                    window: s.window,
                    rows,
                });
            }
        }
    }
    let ahead = 2 * std::thread::available_parallelism().map_or(1, |n| n.get());
    crate::parallel::each_in_order(&pieces, ahead, Piece::text, |text| {
        file.write_all(text.as_bytes())
    })
    .map_err(fail)?;
    Ok(path)
}

/// Consecutive rows of one series.
struct Piece<'a> {
    /// The run, role and metric fields, quoted, with the separator after them.
    prefix: String,
    run_start_ms: i64,
    window: (i64, i64),
    rows: crate::series::PointSlice<'a>,
}

impl Piece<'_> {
    /// The rows as CSV: the prefix, then numbers, a timestamp and a boolean.
    fn text(&self) -> String {
        let mut text = String::with_capacity(self.rows.len() * (self.prefix.len() + 56));
        let mut times = TimeText::default();
        for (t, v) in self.rows.iter() {
            text.push_str(&self.prefix);
            write_value(&mut text, (t - self.run_start_ms) as f64 / 1000.0);
            text.push(',');
            times.write(t, &mut text);
            text.push(',');
            write_value(&mut text, v);
            let in_window = t >= self.window.0 && t <= self.window.1;
            text.push_str(if in_window { ",true\n" } else { ",false\n" });
        }
        text
    }
}

/// The leading fields of a row, quoted by the CSV writer's rules, with the separator
/// after them.
fn quoted_prefix(fields: &[&str]) -> String {
    // The record is written as a whole row, with the writer's own terminator (the quoting
    // rules look for it inside fields), and its terminator becomes the separator.
    let mut w = csv::Writer::from_writer(Vec::new());
    // writing into memory cannot fail
    let _ = w.write_record(fields);
    let mut text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    text.pop();
    text.push(',');
    text
}

/// `format_time` for timestamps in order: the date part is formatted once per day, the
/// time of day by arithmetic.
#[derive(Default)]
struct TimeText {
    day: Option<i64>,
    date: String,
}

impl TimeText {
    /// Appends `format_time(ms)` to `out`.
    fn write(&mut self, ms: i64, out: &mut String) {
        let day = ms.div_euclid(86_400_000);
        let in_day = ms.rem_euclid(86_400_000);
        if !(0..=253_402_300_799_000).contains(&ms) {
            // outside years 0000–9999 (chrono's own rules apply)
            out.push_str(&format_time(ms));
            return;
        }
        if self.day != Some(day) {
            let midnight = format_time(day * 86_400_000);
            self.date = midnight[..11].to_string(); // "YYYY-MM-DDT"
            self.day = Some(day);
        }
        out.push_str(&self.date);
        let (s, milli) = (in_day / 1000, in_day % 1000);
        let two = |n: i64| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        let [h0, h1] = two(s / 3600);
        let [m0, m1] = two(s / 60 % 60);
        let [s0, s1] = two(s % 60);
        let clock = [h0, h1, b':', m0, m1, b':', s0, s1];
        // ASCII digits and colons
        out.push_str(std::str::from_utf8(&clock).unwrap_or_default());
        if milli != 0 {
            let [_, c1] = two(milli / 100);
            let [t0, t1] = two(milli % 100);
            let fraction = [b'.', c1, t0, t1];
            out.push_str(std::str::from_utf8(&fraction).unwrap_or_default());
        }
        out.push('Z');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_by_the_csv_rules() {
        assert_eq!(
            quoted_prefix(&["weekly", "baseline", "throughput"]),
            "weekly,baseline,throughput,"
        );
        assert_eq!(
            quoted_prefix(&["run, \"b\"", "candidate", "p99\nx"]),
            "\"run, \"\"b\"\"\",candidate,\"p99\nx\","
        );
    }

    #[test]
    fn timestamps_match_format_time() {
        let mut times = TimeText::default();
        for ms in [
            0,
            1_751_011_200_000,
            1_751_011_215_000,
            1_751_011_215_250,
            1_751_097_599_999,
            1_751_097_600_000,
            951_782_400_000, // 2000-02-29
            -1_000,
        ] {
            let mut text = String::from("before,");
            times.write(ms, &mut text);
            assert_eq!(text, format!("before,{}", format_time(ms)), "{ms}");
        }
    }
}
