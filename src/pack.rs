//! The query pack: every `*.toml` in `queries/` → checked metric definitions (SPEC §5).
//!
//! Owns the metric model (id, title, unit, direction, template, combine, kind, gate) and its
//! validation. Expanding a template for a run is `template`'s job; gates are parsed by the
//! comparison engine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{line_col, Error, Result};
use crate::{template, units};

/// Which direction of change is an improvement.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

/// How several series returned by one query are reduced to one, per timestamp.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    Sum,
    Max,
    Min,
    Mean,
}

/// What the values of a metric mean.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A level sampled over time (a rate, a latency, a ratio, a gauge).
    #[default]
    Series,
    /// A cumulative count of events (restarts, OOM kills); compared as the total
    /// increase over the window.
    Count,
}

/// One metric of the pack.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub id: String,
    pub title: String,
    pub unit: String,
    pub better: Better,
    pub query: String,
    pub combine: Option<Combine>,
    pub gate: Option<String>,
    pub kind: Kind,
    pub optional: bool,
    /// The histogram's top bucket in the metric's unit: values there are "≥ ceiling".
    pub saturates_at: Option<f64>,
    /// Negative values are real for this metric (otherwise a negative rate, duration, size
    /// or share makes the run's data unusable).
    pub allow_negative: bool,
    pub description: Option<String>,
    /// The chart's value axis, when the pack fixes it (else chosen from the data).
    pub axis: Option<Axis>,
    /// Known run-to-run variation of the metric's mean, as a fraction (`run_to_run =
    /// "3%"`): used in the interval with one baseline run, a floor with several.
    pub run_to_run: Option<f64>,
    /// The pack file that defined it.
    pub file: PathBuf,
}

/// A chart's value axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    Linear,
    Log,
}

/// The metrics of a pack, in file order (files sorted by name).
#[derive(Debug, Clone, Default)]
pub struct Pack {
    /// The pack's name: its file stems joined by `+` (`zeebe`). Reports use it where a
    /// name must stay the same across runs (JUnit's suite and class names).
    pub name: String,
    pub metrics: Vec<Metric>,
}

/// The default pack, compiled into the binary so an installed `benchcmp` works from any
/// directory. `queries/zeebe.toml` in the repository is the same file.
pub const BUILT_IN: &str = include_str!("../queries/zeebe.toml");

/// The name the built-in pack's file goes by in messages.
pub const BUILT_IN_FILE: &str = "(built-in) zeebe.toml";

/// Parses the built-in pack.
pub fn built_in() -> Result<Pack> {
    parse_files(&[(PathBuf::from(BUILT_IN_FILE), BUILT_IN.to_string())])
}

impl Pack {
    pub fn get(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    metric: Vec<toml::Spanned<RawMetric>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    id: String,
    title: String,
    #[serde(default)]
    unit: String,
    better: Better,
    query: toml::Spanned<String>,
    combine: Option<Combine>,
    gate: Option<String>,
    #[serde(default)]
    kind: Kind,
    #[serde(default)]
    optional: bool,
    saturates_at: Option<toml::Spanned<String>>,
    #[serde(default)]
    allow_negative: bool,
    description: Option<String>,
    axis: Option<Axis>,
    run_to_run: Option<String>,
}

/// Loads every `*.toml` in `dir` (sorted by file name).
pub fn load_dir(dir: &Path) -> Result<Pack> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::input(format!(
            "cannot read query pack directory {}: {e}",
            dir.display()
        ))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::input(format!(
            "query pack directory {} has no *.toml files",
            dir.display()
        )));
    }
    let mut sources = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| {
            Error::input(format!("cannot read query pack file {}: {e}", f.display()))
        })?;
        sources.push((f, text));
    }
    parse_files(&sources)
}

/// Parses pack files given as `(path, text)`; ids must be unique across all of them.
pub fn parse_files(files: &[(PathBuf, String)]) -> Result<Pack> {
    let mut metrics: Vec<Metric> = Vec::new();
    let mut seen: BTreeMap<String, (PathBuf, usize)> = BTreeMap::new();
    for (path, text) in files {
        let origin = path.display().to_string();
        let raw: RawFile = toml::from_str(text)
            .map_err(|e| Error::input(format!("{origin}: {}", e.to_string().trim_end())))?;
        for spanned in raw.metric {
            let (line, _) = line_col(text, spanned.span().start);
            let at = format!("{origin}:{line}");
            let m = spanned.into_inner();
            let metric = check_metric(m, path, text, &at)?;
            if let Some((other, other_line)) = seen.get(&metric.id) {
                return Err(Error::input(format!(
                    "duplicate metric id \"{}\": defined in {}:{} and in {at}",
                    metric.id,
                    other.display(),
                    other_line
                )));
            }
            seen.insert(metric.id.clone(), (path.clone(), line));
            metrics.push(metric);
        }
    }
    if metrics.is_empty() {
        let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        return Err(Error::input(format!(
            "the query pack ({}) defines no [[metric]]: nothing to compare",
            names.join(", ")
        )));
    }
    let name = files
        .iter()
        .filter_map(|(p, _)| {
            p.file_stem().map(|s| {
                s.to_string_lossy()
                    .trim_start_matches("(built-in) ")
                    .to_string()
            })
        })
        .collect::<Vec<_>>()
        .join("+");
    Ok(Pack { name, metrics })
}

fn check_metric(m: RawMetric, path: &Path, text: &str, at: &str) -> Result<Metric> {
    let fail = |msg: String| Error::input(format!("{at}: metric \"{}\": {msg}", m.id));
    if m.id.is_empty()
        || !m
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Error::input(format!(
            "{at}: metric id \"{}\" may only contain letters, digits, '_' and '-'",
            m.id
        )));
    }
    if m.title.trim().is_empty() {
        return Err(fail("title is empty".into()));
    }
    if m.query.get_ref().trim().is_empty() {
        return Err(fail("query is empty".into()));
    }
    if let Err(e) = template::check(m.query.get_ref()) {
        // Point into the file: the query string starts after its opening quote(s).
        let (line, col) = line_col(text, m.query.span().start);
        return Err(fail(format!(
            "query (starting at line {line}, column {col}): {e}"
        )));
    }
    let saturates_at = match &m.saturates_at {
        None => None,
        Some(s) => Some(
            units::parse_quantity(s.get_ref(), &m.unit)
                .map_err(|e| fail(format!("saturates_at: {e}")))?,
        ),
    };
    let run_to_run = match &m.run_to_run {
        None => None,
        Some(text) => {
            Some(units::parse_percentage(text).map_err(|e| fail(format!("run_to_run = {e}")))?)
        }
    };
    if m.kind == Kind::Count && saturates_at.is_some() {
        return Err(fail(
            "saturates_at applies to histogram quantiles, not to kind = \"count\"".into(),
        ));
    }
    Ok(Metric {
        id: m.id.clone(),
        title: m.title.trim().to_string(),
        unit: m.unit.clone(),
        better: m.better,
        query: m.query.get_ref().trim().to_string(),
        combine: m.combine,
        gate: m.gate.clone(),
        kind: m.kind,
        optional: m.optional,
        saturates_at,
        allow_negative: m.allow_negative,
        description: m.description.clone(),
        axis: m.axis,
        run_to_run,
        file: path.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(files: &[(&str, &str)]) -> Result<Pack> {
        let owned: Vec<(PathBuf, String)> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        parse_files(&owned)
    }

    const ONE: &str = r#"
[[metric]]
id = "throughput"
title = "Completed process instances"
unit = "PI/s"
better = "higher"
query = 'sum(rate(x{namespace=~"$namespace"}[$__rate_interval]))'
combine = "sum"
gate = "regression <= 10%"

[[metric]]
id = "latency_p99"
title = "PI execution time p99"
unit = "s"
better = "lower"
query = 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[$__rate_interval])))'
saturates_at = "60s"

[[metric]]
id = "restarts"
title = "Pod restarts"
unit = "restarts"
better = "lower"
kind = "count"
optional = true
query = "sum(r)"
"#;

    #[test]
    fn parses_metrics_with_defaults() {
        let pack = parse(&[("queries/a.toml", ONE)]).unwrap();
        assert_eq!(pack.metrics.len(), 3);
        let t = pack.get("throughput").unwrap();
        assert_eq!(t.better, Better::Higher);
        assert_eq!(t.combine, Some(Combine::Sum));
        assert_eq!(t.kind, Kind::Series);
        assert!(!t.optional);
        assert_eq!(t.gate.as_deref(), Some("regression <= 10%"));
        let l = pack.get("latency_p99").unwrap();
        assert_eq!(l.saturates_at, Some(60.0));
        assert_eq!(l.combine, None);
        let r = pack.get("restarts").unwrap();
        assert_eq!(r.kind, Kind::Count);
        assert!(r.optional);
    }

    #[test]
    fn duplicate_ids_name_both_files() {
        let dup =
            "[[metric]]\nid = \"throughput\"\ntitle = \"t\"\nbetter = \"higher\"\nquery = \"x\"\n";
        let e = parse(&[("queries/a.toml", ONE), ("queries/b.toml", dup)])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("queries/a.toml:2")
                && e.contains("queries/b.toml:1")
                && e.contains("throughput"),
            "{e}"
        );
    }

    #[test]
    fn bad_metrics_are_named() {
        let e = parse(&[(
            "q.toml",
            "[[metric]]\nid = \"x\"\ntitle = \"t\"\nbetter = \"up\"\nquery = \"x\"\n",
        )])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("q.toml") && e.contains("line 4") && e.contains("up"),
            "{e}"
        );
        let e = parse(&[("q.toml", "[[metric]]\nid = \"x\"\ntitle = \"t\"\nbetter = \"lower\"\nquery = \"x\"\nunits = \"s\"\n")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("units") && e.contains("line 6"), "{e}");
        let e = parse(&[(
            "q.toml",
            "[[metric]]\nid = \"x\"\ntitle = \"t\"\nbetter = \"lower\"\nquery = 'x{a=\"${ns'\n",
        )])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("q.toml:1") && e.contains("metric \"x\"") && e.contains("unclosed ${"),
            "{e}"
        );
        let e = parse(&[("q.toml", "[[metric]]\nid = \"x\"\ntitle = \"t\"\nbetter = \"lower\"\nunit = \"s\"\nquery = \"x\"\nsaturates_at = \"60MiB\"\n")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("saturates_at") && e.contains("does not apply"),
            "{e}"
        );
        let e = parse(&[(
            "q.toml",
            "[[metric]]\nid = \"a b\"\ntitle = \"t\"\nbetter = \"lower\"\nquery = \"x\"\n",
        )])
        .unwrap_err()
        .to_string();
        assert!(e.contains("may only contain"), "{e}");
        let e = parse(&[("q.toml", "[[metric]]\nid = \"x\"\ntitle = \"t\"\nbetter = \"lower\"\nquery = \"x\"\ncombine = \"median\"\n")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("median") && e.contains("line 6"), "{e}");
        let e = parse(&[(
            "q.toml",
            "[[metric]]\nid = \"x\"\nbetter = \"lower\"\nquery = \"x\"\n",
        )])
        .unwrap_err()
        .to_string();
        assert!(e.contains("title"), "{e}");
    }

    #[test]
    fn the_shipped_pack_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
        let pack = load_dir(&dir).unwrap();
        for id in [
            "throughput",
            "created",
            "latency_p50",
            "latency_p99",
            "latency_mean",
            "backpressure",
            "job_completion",
            "job_push",
            "job_timeouts",
            "rejections",
            "restarts",
            "oom_kills",
            "worker_memory",
            "cpu_throttling",
        ] {
            let m = pack
                .get(id)
                .unwrap_or_else(|| panic!("default pack lacks {id}"));
            assert!(m.gate.is_some(), "{id} has no default gate");
            assert_eq!(template::variables(&m.query), vec!["namespace"], "{id}");
        }
    }
}
