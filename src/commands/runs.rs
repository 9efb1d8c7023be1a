//! `benchcmp runs`: the runs of the config and the snapshots in the baselines directory.

use crate::cli::GlobalArgs;
use crate::config::format_time;
use crate::duration;
use crate::error::Result;
use crate::source::snapshot;

pub fn run(global: &GlobalArgs) -> Result<()> {
    let config = super::load_config(global)?;
    let mut table = super::listing_table(&["RUN", "FROM", "START", "END", "LENGTH", "VARS"]);
    let vars_text = |vars: &crate::template::Vars| {
        vars.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut rows = 0;
    let config_name = config
        .path
        .as_ref()
        .map_or_else(|| "config".to_string(), |p| p.display().to_string());
    let snapshots = snapshot::list_names(&global.baselines);
    for (name, rc) in &config.runs {
        // A config run wins over a snapshot of the same name: say so.
        let from = if snapshots.contains(name) {
            format!(
                "{config_name} (shadows {})",
                global.baselines.join(format!("{name}.json")).display()
            )
        } else {
            config_name.clone()
        };
        table.add_row(vec![
            name.clone(),
            from,
            format_time(rc.start_ms),
            format_time(rc.end_ms),
            duration::human(rc.end_ms - rc.start_ms),
            vars_text(&rc.vars),
        ]);
        rows += 1;
    }
    let mut problems = Vec::new();
    for name in snapshots {
        let path = global.baselines.join(format!("{name}.json"));
        match snapshot::load(&path) {
            Ok(s) => {
                let from = if config.runs.contains_key(&name) {
                    format!("{} (shadowed by the config)", path.display())
                } else {
                    path.display().to_string()
                };
                table.add_row(vec![
                    name.clone(),
                    from,
                    format_time(s.run.start_ms),
                    format_time(s.run.end_ms),
                    duration::human(s.run.end_ms - s.run.start_ms),
                    vars_text(&s.run.vars),
                ]);
                rows += 1;
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    if rows == 0 {
        super::emit(&format!(
            "No runs: define [runs.<name>] in benchcmp.toml (or --config) or record snapshots into {}/.\n",
            global.baselines.display()
        ))?;
    } else {
        super::emit(&format!("{table}\n"))?;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(crate::error::Error::input(problems.join("\n")))
    }
}
