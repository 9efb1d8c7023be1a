//! Runs: a name bound to template variables and a time window, defined in the config or
//! frozen in a snapshot, and how a name on the command line resolves to one (SPEC §3).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, Defaults};
use crate::error::{Error, Result};
use crate::source::snapshot::{self, Snapshot};
use crate::{duration, template};

/// Where a run's data comes from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// `[runs.<name>]` in the config: read live from the source.
    Config,
    /// A snapshot file: read offline. Shared, so cloning a run does not copy its series.
    Snapshot(Arc<Snapshot>),
}

/// A resolved run.
#[derive(Debug, Clone)]
pub struct Run {
    pub name: String,
    pub vars: BTreeMap<String, String>,
    pub start_ms: i64,
    pub end_ms: i64,
    pub step_ms: i64,
    pub origin: Origin,
}

impl Run {
    /// The window after trimming warm-up and cool-down, or an error if nothing is left.
    pub fn steady_window(&self, defaults: &Defaults) -> Result<(i64, i64)> {
        let start = self.start_ms + defaults.warmup_ms;
        let end = self.end_ms - defaults.cooldown_ms;
        if end <= start {
            return Err(Error::input(format!(
                "run {}: its window ({}) is not longer than warmup + cooldown ({} + {})",
                self.name,
                duration::human(self.end_ms - self.start_ms),
                duration::human(defaults.warmup_ms),
                duration::human(defaults.cooldown_ms)
            )));
        }
        Ok((start, end))
    }

    /// The template context of this run.
    pub fn template_context<'a>(&'a self, defaults: &Defaults) -> template::Context<'a> {
        template::Context {
            vars: &self.vars,
            step_ms: self.step_ms,
            scrape_interval_ms: defaults.scrape_interval_ms,
            range_ms: self.end_ms - self.start_ms,
        }
    }

    pub fn is_snapshot(&self) -> bool {
        matches!(self.origin, Origin::Snapshot(_))
    }
}

/// Resolves a run name: `[runs.<name>]` first, then `<baselines>/<name>.json`, then a path
/// to a snapshot file.
pub fn resolve(name: &str, config: &Config, baselines: &Path) -> Result<Run> {
    if let Some(rc) = config.runs.get(name) {
        return Ok(Run {
            name: name.to_string(),
            vars: rc.vars.clone(),
            start_ms: rc.start_ms,
            end_ms: rc.end_ms,
            step_ms: config.defaults.step_ms,
            origin: Origin::Config,
        });
    }
    let in_baselines = baselines.join(format!("{name}.json"));
    let path: PathBuf = if !name.contains(['/', '\\']) && in_baselines.is_file() {
        in_baselines
    } else if Path::new(name).is_file() {
        PathBuf::from(name)
    } else {
        let mut known: Vec<String> = config.runs.keys().cloned().collect();
        known.extend(snapshot::list_names(baselines));
        known.sort();
        known.dedup();
        let config_note = match &config.path {
            Some(p) => format!("[runs.{name}] in {}", p.display()),
            None => "a config file (none found: pass --config or create benchcmp.toml)".to_string(),
        };
        return Err(Error::input(format!(
            "unknown run \"{name}\": not in {config_note}, not a snapshot {}, not a file. Known runs: {}",
            in_baselines.display(),
            if known.is_empty() { "none".into() } else { known.join(", ") }
        )));
    };
    let snap = snapshot::load(&path)?;
    Ok(Run {
        name: snap.run.name.clone(),
        vars: snap.run.vars.clone(),
        start_ms: snap.run.start_ms,
        end_ms: snap.run.end_ms,
        step_ms: snap.run.step_ms,
        origin: Origin::Snapshot(Arc::new(snap)),
    })
}
