//! `benchcmp runs`: the runs of the config and the snapshots in the baselines directory, as
//! a table or as JSON.

use serde::Serialize;

use crate::cli::{GlobalArgs, ListFormat, RunsArgs};
use crate::config::format_time;
use crate::duration;
use crate::error::Result;
use crate::source::snapshot;
use crate::template::Vars;

/// One run as `runs` lists it.
#[derive(Debug, Serialize)]
struct RunRow {
    name: String,
    /// "config" or "snapshot".
    origin: &'static str,
    /// The config file or the snapshot file.
    location: String,
    start: String,
    end: String,
    length: String,
    vars: Vars,
    /// A config run shadows a snapshot of the same name (and the snapshot is shadowed).
    shadowed: bool,
    shadows: bool,
}

pub fn run(global: &GlobalArgs, args: &RunsArgs) -> Result<()> {
    let config = super::load_config(global)?;
    let config_name = config
        .path
        .as_ref()
        .map_or_else(|| "config".to_string(), |p| p.display().to_string());
    let snapshots = snapshot::list_names(&global.baselines);
    let mut rows = Vec::new();
    for (name, rc) in &config.runs {
        rows.push(RunRow {
            name: name.clone(),
            origin: "config",
            location: config_name.clone(),
            start: if rc.window_set {
                format_time(rc.start_ms)
            } else {
                "–".into()
            },
            end: match (rc.window_set, rc.ends_now) {
                (false, _) => "–".into(),
                (true, true) => "now".into(),
                (true, false) => format_time(rc.end_ms),
            },
            length: if rc.window_set {
                duration::human(rc.end_ms - rc.start_ms)
            } else {
                "watch --since".into()
            },
            vars: rc.vars.clone(),
            shadowed: false,
            shadows: snapshots.contains(name),
        });
    }
    let mut problems = Vec::new();
    for name in snapshots {
        let path = global.baselines.join(format!("{name}.json"));
        match snapshot::load(&path) {
            Ok(s) => rows.push(RunRow {
                shadowed: config.runs.contains_key(&name),
                name,
                origin: "snapshot",
                location: path.display().to_string(),
                start: format_time(s.run.start_ms),
                end: format_time(s.run.end_ms),
                length: duration::human(s.run.end_ms - s.run.start_ms),
                vars: s.run.vars.clone(),
                shadows: false,
            }),
            Err(e) => problems.push(e.to_string()),
        }
    }
    match args.format {
        ListFormat::Json => super::emit(&(super::to_json_text(&rows)? + "\n"))?,
        ListFormat::Table if rows.is_empty() => super::emit(&format!(
            "No runs: define [runs.<name>] in benchcmp.toml (or --config, or `benchcmp init`) or record snapshots into {}/.\n",
            global.baselines.display()
        ))?,
        ListFormat::Table => {
            let mut lines = Vec::new();
            for r in &rows {
                let from = if r.shadows {
                    format!(
                        "{} (shadows {})",
                        r.location,
                        global.baselines.join(format!("{}.json", r.name)).display()
                    )
                } else if r.shadowed {
                    format!("{} (shadowed by the config)", r.location)
                } else {
                    r.location.clone()
                };
                let vars: Vec<String> = r.vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
                lines.push(vec![
                    r.name.clone(),
                    from,
                    short_time(&r.start),
                    short_time(&r.end),
                    r.length.clone(),
                    vars.join(" "),
                ]);
            }
            // At a narrow width the variables and the origin wrap; the end (start and
            // length say it) and then the origin are left out before a line takes three.
            let width = crate::options::terminal(global).width as usize;
            super::emit(&crate::report::layout::listing(
                &["RUN", "FROM", "START (UTC)", "END (UTC)", "LENGTH", "VARS"],
                &lines,
                width,
                &[5, 1],
                &[3, 1],
            ))?;
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(crate::error::Error::input(problems.join("\n")))
    }
}

/// `2025-06-27T08:00:00Z` as the table shows it: `2025-06-27 08:00` (seconds where there
/// are any).
fn short_time(rfc3339: &str) -> String {
    let t = rfc3339.trim_end_matches('Z').replacen('T', " ", 1);
    t.strip_suffix(":00").map_or(t.clone(), str::to_string)
}
