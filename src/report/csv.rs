//! CSV export (`--export DIR`): the series of both runs in one tidy table (run, metric,
//! offset seconds, timestamp, value, in_window), for notebooks.

use std::path::{Path, PathBuf};

use super::Report;
use crate::config::format_time;
use crate::error::{Error, Result};
use crate::source::matrix_json::format_value as sample_text;
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
                number(&mut offset, (t - info.start_ms) as f64 / 1000.0);
                value.clear();
                number(&mut value, v);
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

/// Appends `v` exactly as `sample_text` writes it: whole numbers (offsets, counts)
/// without going through float formatting. (ryu's shortest digits were tried for the
/// rest: they differ from Rust's in the last digit where two candidates are equally near,
/// e.g. -1149636667324797.2 vs .3, so they are not used.)
fn number(out: &mut String, v: f64) {
    if v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
        let _ = write!(out, "{}", v as i64);
    } else {
        out.push_str(&sample_text(v));
    }
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
    fn fast_formatting_matches_the_reference() {
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
        for v in [
            0.0,
            -0.0,
            1.0,
            -3.0,
            15.0,
            150.5,
            1e-7,
            1e15,
            1e16,
            2.5e20,
            -42.0,
            f64::NAN,
            f64::INFINITY,
            123456789.0,
        ] {
            let mut out = String::new();
            number(&mut out, v);
            assert_eq!(out, sample_text(v), "{v}");
        }
        // random bit patterns and values around the units a series has
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let v = match i % 3 {
                0 => f64::from_bits(state),
                1 => (state >> 11) as f64 / (1u64 << 53) as f64 * 300.0,
                _ => (state >> 11) as f64 / (1u64 << 53) as f64 * 1e-3 * (i % 7) as f64,
            };
            let mut out = String::new();
            number(&mut out, v);
            assert_eq!(out, sample_text(v), "{v:e}");
        }
    }
}
