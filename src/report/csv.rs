//! CSV export (`--export DIR`): the series of both runs in one tidy table (run, metric,
//! offset seconds, timestamp, value, in_window), for notebooks.

use std::path::{Path, PathBuf};

use super::Report;
use crate::config::format_time;
use crate::error::{Error, Result};
use crate::source::matrix_json::write_value;
use std::fmt::Write as _;

/// Writes `series.csv` into `dir`; returns its path.
pub fn export(report: &Report, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::input(format!("--export {}: {e}", dir.display())))?;
    let path = dir.join("series.csv");
    let fail = |e: csv::Error| Error::input(format!("cannot write {}: {e}", path.display()));
    let mut w = csv::Writer::from_path(&path).map_err(fail)?;
    w.write_record([
        "run",
        "role",
        "metric",
        "offset_seconds",
        "timestamp",
        "value",
        "in_window",
    ])
    .map_err(fail)?;
    // Rows are written from reused buffers: a week of 15 s samples is over a million
    // numbers and timestamps, and formatting each into a new string was a third of the run.
    let (mut offset, mut value) = (String::new(), String::new());
    let mut times = TimeText::default();
    for m in &report.metrics {
        for (role, info, series) in [
            ("baseline", report.baseline.newest(), &m.baseline.series),
            ("candidate", &report.candidate, &m.candidate.series),
        ] {
            let Some(s) = series else { continue };
            for &(t, v) in s.full.points() {
                let in_window = t >= s.window.0 && t <= s.window.1;
                offset.clear();
                write_value(&mut offset, (t - info.start_ms) as f64 / 1000.0);
                value.clear();
                write_value(&mut value, v);
                w.write_record([
                    info.name.as_str(),
                    role,
                    m.result.metric.id.as_str(),
                    &offset,
                    times.text(t),
                    &value,
                    if in_window { "true" } else { "false" },
                ])
                .map_err(fail)?;
            }
        }
    }
    w.flush()
        .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
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
        let _ = write!(
            self.text,
            "{:02}:{:02}:{:02}",
            s / 3600,
            s / 60 % 60,
            s % 60
        );
        if milli != 0 {
            let _ = write!(self.text, ".{milli:03}");
        }
        self.text.push('Z');
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
