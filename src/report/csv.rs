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
    let file = std::fs::File::create(&path).map_err(fail)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 18, file);
    out.write_all(b"run,role,metric,offset_seconds,timestamp,value,in_window\n")
        .map_err(fail)?;
    // A week of 15 s samples is over a million rows. The fields that may need quoting
    // (run and metric names) are the same for a whole series and go through the CSV
    // writer once; the rest of a row are numbers, a timestamp and a boolean, formatted
    // into one reused buffer.
    let mut row = String::new();
    let mut times = TimeText::default();
    for m in &report.metrics {
        for (role, info, series) in [
            ("baseline", report.baseline.newest(), &m.baseline.series),
            ("candidate", &report.candidate, &m.candidate.series),
        ] {
            let Some(s) = series else { continue };
            let prefix = quoted_prefix(&[&info.name, role, &m.result.metric.id]);
            for &(t, v) in s.full.points() {
                row.clear();
                row.push_str(&prefix);
                write_value(&mut row, (t - info.start_ms) as f64 / 1000.0);
                row.push(',');
                row.push_str(times.text(t));
                row.push(',');
                write_value(&mut row, v);
                let in_window = t >= s.window.0 && t <= s.window.1;
                row.push_str(if in_window { ",true\n" } else { ",false\n" });
                out.write_all(row.as_bytes()).map_err(fail)?;
            }
        }
    }
    out.flush().map_err(fail)?;
    Ok(path)
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
    text: String,
}

impl TimeText {
    fn text(&mut self, ms: i64) -> &str {
        let day = ms.div_euclid(86_400_000);
        let in_day = ms.rem_euclid(86_400_000);
        if !(0..=253_402_300_799_000).contains(&ms) {
            // outside years 0000–9999 (chrono's own rules apply)
            self.text = format_time(ms);
            return &self.text;
        }
        if self.day != Some(day) {
            let midnight = format_time(day * 86_400_000);
            self.date = midnight[..11].to_string(); // "YYYY-MM-DDT"
            self.day = Some(day);
        }
        self.text.clear();
        self.text.push_str(&self.date);
        let (s, milli) = (in_day / 1000, in_day % 1000);
        let digit = |d: i64| char::from(b'0' + d as u8);
        for (i, part) in [s / 3600, s / 60 % 60, s % 60].into_iter().enumerate() {
            if i > 0 {
                self.text.push(':');
            }
            self.text.push(digit(part / 10));
            self.text.push(digit(part % 10));
        }
        if milli != 0 {
            self.text.push('.');
            for d in [milli / 100, milli / 10 % 10, milli % 10] {
                self.text.push(digit(d));
            }
        }
        self.text.push('Z');
        &self.text
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
            assert_eq!(times.text(ms), format_time(ms), "{ms}");
        }
    }
}
