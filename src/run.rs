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
    /// The config says `end = "now"`: the run is still going (`end_ms` is when the config
    /// was read), and a watch follows it.
    pub ends_now: bool,
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
            format!(
                "none ({} {}; --baselines DIR names the directory of snapshots)",
                baselines.display(),
                if baselines.is_dir() {
                    "holds no snapshot"
                } else {
                    "does not exist here"
                }
            )
        } else {
            known.join(", ")
        }
    )))
}

/// A source error while reading `run`, told with the snapshot that `run` shadows: a run
/// named in the config wins over `<baselines>/<name>.json` (it is what the user wrote down
/// for that name, and whether the source answers must not change which data is compared),
/// so when the source fails the message says how to compare with the snapshot instead.
pub fn with_shadowed_snapshot(error: Error, run: &Run, baselines: &Path) -> Error {
    let snapshot = baselines.join(format!("{}.json", run.name));
    match error {
        Error::Source(message) if !run.is_snapshot() && snapshot.is_file() => {
            Error::Source(format!(
                "{message}\n  run {name} is [runs.{name}] in the config, which wins over the snapshot {path} of the same name; \
                 to compare with the snapshot, name its path: {path}",
                name = run.name,
                path = snapshot.display()
            ))
        }
        other => other,
    }
}

/// Resolves a run name (see [`locate`]) and loads its snapshot if it has one.
pub fn resolve(name: &str, config: &Config, baselines: &Path) -> Result<Run> {
    let path = match locate(name, config, baselines)? {
        Location::Config => {
            let rc = &config.runs[name];
            if !rc.window_set {
                return Err(Error::input(format!(
                    "run {name} has no window: set start and end (or duration) in [runs.{name}], or follow it live with `benchcmp watch --candidate {name} --since 30m`"
                )));
            }
            return Ok(Run {
                name: name.to_string(),
                vars: rc.vars.clone(),
                start_ms: rc.start_ms,
                end_ms: rc.end_ms,
                step_ms: config.defaults.step_ms,
                origin: Origin::Config,
                ends_now: rc.ends_now,
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
        ends_now: false,
    })
}

/// A config run followed live from `now_ms − since_ms` (`watch --since`): its vars, with or
/// without a window of its own.
pub fn resolve_since(name: &str, config: &Config, since_ms: i64, now_ms: i64) -> Result<Run> {
    let Some(rc) = config.runs.get(name) else {
        return Err(Error::input(format!(
            "--since follows a run of the config: [runs.{name}] is not defined{}",
            if looks_like_path(name) {
                " (a snapshot is not live)"
            } else {
                ""
            }
        )));
    };
    // On the run's step grid, in whole seconds.
    let step = config.defaults.step_ms.max(1000);
    let start_ms = (now_ms - since_ms).div_euclid(step) * step;
    Ok(Run {
        name: name.to_string(),
        vars: rc.vars.clone(),
        start_ms,
        end_ms: start_ms,
        step_ms: config.defaults.step_ms,
        origin: Origin::Config,
        ends_now: true,
    })
}

/// One element of a glob pattern.
#[derive(Debug, Clone, PartialEq)]
enum GlobToken {
    Literal(char),
    /// `?`: one character.
    One,
    /// `*`: any run of characters.
    Any,
    /// `[...]`: one character in (or, negated with `!` or `^`, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A glob over run names, with the shell's syntax: `*`, `?`, `[abc]`, `[a-z]`, `[!a]` (or
/// `[^a]`), and `\` before a character to take it literally.
#[derive(Debug, Clone, PartialEq)]
pub struct Glob(Vec<GlobToken>);

impl Glob {
    /// Whether `text` uses glob syntax at all (else it is a plain name).
    pub fn is_glob(text: &str) -> bool {
        text.contains(['*', '?', '['])
    }

    /// Parses `pattern`, or says what is wrong with it.
    pub fn parse(pattern: &str) -> std::result::Result<Glob, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' => tokens.push(GlobToken::Any),
                '?' => tokens.push(GlobToken::One),
                '\\' => {
                    i += 1;
                    let Some(c) = chars.get(i) else {
                        return Err("ends with a lone \\ (it escapes the character after it)".into());
                    };
                    tokens.push(GlobToken::Literal(*c));
                }
                '{' => {
                    return Err(
                        "{a,b} is the shell's brace expansion, not a glob: list the runs with commas (--baseline a,b) or use [ab]".into(),
                    )
                }
                '[' => {
                    let (token, next) = Self::class(&chars, i)?;
                    tokens.push(token);
                    i = next;
                    continue;
                }
                c => tokens.push(GlobToken::Literal(c)),
            }
            i += 1;
        }
        Ok(Glob(tokens))
    }

    /// The class opening at `chars[open]` (a `[`), and the index after its `]`.
    fn class(chars: &[char], open: usize) -> std::result::Result<(GlobToken, usize), String> {
        let mut i = open + 1;
        let negated = matches!(chars.get(i), Some('!' | '^'));
        if negated {
            i += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(&c) = chars.get(i) else {
                return Err(format!(
                    "the class opened by [ at character {} is not closed with ]",
                    open + 1
                ));
            };
            // A ] right after [ (or [!) is a member, as in the shell.
            if c == ']' && !first {
                return Ok((GlobToken::Class { negated, ranges }, i + 1));
            }
            first = false;
            let c = if c == '\\' {
                i += 1;
                *chars.get(i).ok_or("ends inside a class after a \\")?
            } else {
                c
            };
            if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|e| *e != ']') {
                let end = chars[i + 2];
                if end < c {
                    return Err(format!("the range {c}-{end} runs backwards"));
                }
                ranges.push((c, end));
                i += 3;
            } else {
                ranges.push((c, c));
                i += 1;
            }
        }
    }

    /// Whether `name` matches, whole.
    pub fn matches(&self, name: &str) -> bool {
        let (p, n): (&[GlobToken], Vec<char>) = (&self.0, name.chars().collect());
        let one = |t: &GlobToken, c: char| match t {
            GlobToken::Literal(l) => *l == c,
            GlobToken::One => true,
            GlobToken::Any => false,
            GlobToken::Class { negated, ranges } => {
                ranges.iter().any(|(a, b)| (*a..=*b).contains(&c)) != *negated
            }
        };
        // Iterative matching with backtracking to the last `*`.
        let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
        while j < n.len() {
            if i < p.len() && p[i] != GlobToken::Any && one(&p[i], n[j]) {
                i += 1;
                j += 1;
            } else if i < p.len() && p[i] == GlobToken::Any {
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
        p[i..].iter().all(|t| *t == GlobToken::Any)
    }
}

/// The run names a `--baseline` value stands for: a comma list of names or snapshot paths,
/// where a name with `*`, `?` or `[...]` is a glob ([`Glob`]) over the config's runs and
/// the snapshots in `baselines` (a config run wins over a snapshot of the same name). Order
/// as given, each name once.
pub fn expand_names(spec: &str, config: &Config, baselines: &Path) -> Result<Vec<String>> {
    let mut known: Vec<String> = config.runs.keys().cloned().collect();
    known.extend(snapshot::list_names(baselines));
    known.sort();
    known.dedup();
    // Checked before the list is split at its commas, which {a,b} would be.
    if spec.contains('{') {
        return Err(Error::input(format!(
            "--baseline '{spec}': {}",
            Glob::parse(spec).expect_err("a brace is refused")
        )));
    }
    let mut out: Vec<String> = Vec::new();
    for token in spec.split(',').map(str::trim) {
        if token.is_empty() {
            return Err(Error::input(format!(
                "--baseline '{spec}': an empty name in the list"
            )));
        }
        let names: Vec<String> = if Glob::is_glob(token) {
            let glob = Glob::parse(token).map_err(|e| {
                Error::input(format!(
                    "--baseline '{token}': {e} (globs take *, ?, [abc], [a-z] and [!a])"
                ))
            })?;
            let matched: Vec<String> = known.iter().filter(|n| glob.matches(n)).cloned().collect();
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

    fn glob_match(pattern: &str, name: &str) -> bool {
        Glob::parse(pattern).unwrap().matches(name)
    }

    #[test]
    fn globs() {
        assert!(glob_match("weekly-*", "weekly-24"));
        assert!(glob_match("weekly-2?", "weekly-24"));
        assert!(!glob_match("weekly-2?", "weekly-240"));
        assert!(glob_match("*", "x"));
        assert!(glob_match("w*k*y", "weekly"));
        assert!(!glob_match("weekly-*", "rest-run"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("?", ""));
    }

    #[test]
    fn glob_classes_as_in_the_shell() {
        for week in ["wk-01", "wk-03", "wk-05"] {
            assert!(glob_match("wk-0[1-5]", week), "{week}");
        }
        for other in ["wk-06", "wk-00", "wk-1", "wk-015"] {
            assert!(!glob_match("wk-0[1-5]", other), "{other}");
        }
        assert!(glob_match("wk-[13579]*", "wk-3x"));
        assert!(glob_match("wk-[!0]*", "wk-1"));
        assert!(!glob_match("wk-[!0]*", "wk-01"));
        assert!(glob_match("wk-[^0]*", "wk-1"));
        // ] first is a member; - last is a member; \\ takes the next character literally
        assert!(glob_match("[]a]", "]"));
        assert!(glob_match("[a-]", "-"));
        assert!(glob_match("run\\*", "run*"));
        assert!(!glob_match("run\\*", "runs"));
        assert!(glob_match("[*]", "*"));
        assert!(glob_match("*-[a-c]-*", "x-b-y"));
    }

    #[test]
    fn glob_errors_say_what_is_supported() {
        assert!(Glob::parse("wk-0[1-5").unwrap_err().contains("not closed"));
        assert!(Glob::parse("wk-[5-1]").unwrap_err().contains("backwards"));
        assert!(Glob::parse("wk-{1,2}")
            .unwrap_err()
            .contains("brace expansion"));
        assert!(Glob::parse("wk\\").unwrap_err().contains("\\"));
    }
}
