//! Runs: a name bound to template variables and a time window, defined in the config or
//! frozen in a snapshot, and how a name on the command line resolves to one (SPEC §3).

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
    pub vars: template::Vars,
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

/// Where a run name points, before anything is read.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// `[runs.<name>]` in the config.
    Config,
    /// A snapshot file.
    Snapshot(PathBuf),
}

/// Whether a run name is written as a path (it names a file, not a run).
fn looks_like_path(name: &str) -> bool {
    name.contains(['/', '\\']) || name.ends_with(".json")
}

/// Finds what a run name points to: `[runs.<name>]` first, then `<baselines>/<name>.json`,
/// then a path to a snapshot file.
pub fn locate(name: &str, config: &Config, baselines: &Path) -> Result<Location> {
    if config.runs.contains_key(name) {
        return Ok(Location::Config);
    }
    let in_baselines = baselines.join(format!("{name}.json"));
    if !looks_like_path(name) && in_baselines.is_file() {
        return Ok(Location::Snapshot(in_baselines));
    }
    // A file, or anything else that reads like one and is not a directory: a pipe such as
    // the shell's `<(zcat weekly.json.gz)`, a device.
    match std::fs::metadata(name) {
        Ok(m) if !m.is_dir() => return Ok(Location::Snapshot(PathBuf::from(name))),
        Ok(_) => {
            return Err(Error::input(format!(
                "{name} is a directory, not a snapshot file"
            )))
        }
        Err(e) if looks_like_path(name) => {
            return Err(Error::input(match e.kind() {
                std::io::ErrorKind::NotFound => format!("snapshot file {name} does not exist"),
                _ => format!("cannot read snapshot {name}: {e}"),
            }))
        }
        Err(_) => {}
    }
    let mut known: Vec<String> = config.runs.keys().cloned().collect();
    known.extend(snapshot::list_names(baselines));
    known.sort();
    known.dedup();
    let config_note = match &config.path {
        Some(p) => format!("[runs.{name}] in {}", p.display()),
        None => "a config file (none found: pass --config or create benchcmp.toml)".to_string(),
    };
    Err(Error::input(format!(
        "unknown run \"{name}\": not in {config_note}, not a snapshot {}. Known runs: {}",
        in_baselines.display(),
        if known.is_empty() {
            "none".into()
        } else {
            known.join(", ")
        }
    )))
}

/// Resolves a run name (see [`locate`]) and loads its snapshot if it has one.
pub fn resolve(name: &str, config: &Config, baselines: &Path) -> Result<Run> {
    let path = match locate(name, config, baselines)? {
        Location::Config => {
            let rc = &config.runs[name];
            return Ok(Run {
                name: name.to_string(),
                vars: rc.vars.clone(),
                start_ms: rc.start_ms,
                end_ms: rc.end_ms,
                step_ms: config.defaults.step_ms,
                origin: Origin::Config,
            });
        }
        Location::Snapshot(path) => path,
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

/// Whether `name` matches a glob `pattern` of `*` (any run of characters) and `?` (one).
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Iterative matching with backtracking to the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// The run names a `--baseline` value stands for: a comma list of names or snapshot paths,
/// where a name with `*` or `?` is a glob over the config's runs and the snapshots in
/// `baselines` (a config run wins over a snapshot of the same name). Order as given, each
/// name once.
pub fn expand_names(spec: &str, config: &Config, baselines: &Path) -> Result<Vec<String>> {
    let mut known: Vec<String> = config.runs.keys().cloned().collect();
    known.extend(snapshot::list_names(baselines));
    known.sort();
    known.dedup();
    let mut out: Vec<String> = Vec::new();
    for token in spec.split(',').map(str::trim) {
        if token.is_empty() {
            return Err(Error::input(format!(
                "--baseline '{spec}': an empty name in the list"
            )));
        }
        let names: Vec<String> = if token.contains(['*', '?']) {
            let matched: Vec<String> = known
                .iter()
                .filter(|n| glob_match(token, n))
                .cloned()
                .collect();
            if matched.is_empty() {
                return Err(Error::input(format!(
                    "--baseline '{token}' matches no run (runs: {})",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                )));
            }
            matched
        } else {
            vec![token.to_string()]
        };
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

/// The runs a `--baseline` value names (see [`expand_names`]), oldest first by start; with
/// `last`, the newest `last` of them.
pub fn resolve_all(
    spec: &str,
    last: Option<usize>,
    config: &Config,
    baselines: &Path,
) -> Result<Vec<Run>> {
    if last == Some(0) {
        return Err(Error::input("--last 0: keep at least one baseline run"));
    }
    let mut runs = Vec::new();
    // Snapshots are read on every core: a long run's file takes a while to parse.
    let names = expand_names(spec, config, baselines)?;
    for run in crate::parallel::map(&names, |name| resolve(name, config, baselines)) {
        let run = run?;
        // One run named twice (a name and its snapshot's path) is one run.
        if !runs
            .iter()
            .any(|r: &Run| r.name == run.name && r.start_ms == run.start_ms)
        {
            runs.push(run);
        }
    }
    runs.sort_by_key(|r| r.start_ms);
    if let Some(n) = last {
        let drop = runs.len().saturating_sub(n);
        runs.drain(..drop);
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("weekly-*", "weekly-24"));
        assert!(glob_match("weekly-2?", "weekly-24"));
        assert!(!glob_match("weekly-2?", "weekly-240"));
        assert!(glob_match("*", "x"));
        assert!(glob_match("w*k*y", "weekly"));
        assert!(!glob_match("weekly-*", "rest-run"));
    }
}
