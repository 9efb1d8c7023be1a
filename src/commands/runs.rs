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
            let mut table =
                super::listing_table(&["RUN", "FROM", "START", "END", "LENGTH", "VARS"]);
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
                table.add_row(vec![
                    r.name.clone(),
                    from,
                    r.start.clone(),
                    r.end.clone(),
                    r.length.clone(),
                    vars.join(" "),
                ]);
            }
            super::emit(&format!("{table}\n"))?;
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(crate::error::Error::input(problems.join("\n")))
    }
}
