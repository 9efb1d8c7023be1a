//! CSV export (`--export DIR`): the series of both runs in one tidy table (run, metric,
//! offset seconds, timestamp, value, in_window), for notebooks.

use std::path::{Path, PathBuf};

use super::Report;
use crate::config::format_time;
use crate::error::{Error, Result};
use crate::source::matrix_json::format_value as sample_text;

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
    for m in &report.metrics {
        for (role, info, series) in [
            ("baseline", report.baseline.newest(), &m.baseline.series),
            ("candidate", &report.candidate, &m.candidate.series),
        ] {
            let Some(s) = series else { continue };
            for &(t, v) in s.full.points() {
                let in_window = t >= s.window.0 && t <= s.window.1;
                w.write_record([
                    info.name.as_str(),
                    role,
                    m.result.metric.id.as_str(),
                    &sample_text((t - info.start_ms) as f64 / 1000.0),
                    &format_time(t),
                    &sample_text(v),
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
