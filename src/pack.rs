//! The query pack: every `*.toml` in `queries/` → checked metric definitions (SPEC §5).
//!
//! Owns the metric model (id, title, unit, direction, template, combine, kind, gate) and its
//! validation, including metrics derived from a shared `[[histogram]]` (one fetch of its
//! bucket rates serves every quantile and the mean). Expanding a template for a run is
//! `template`'s job; gates are parsed by the comparison engine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Computed here from a histogram's fetched series instead of sent as `query` (which
    /// then holds the equivalent PromQL, for reports, snapshots and `queries --check`).
    pub derived: Option<Derived>,
    /// `max by (<labels>)` applied here to what the query returned, before anything else
    /// (`max_by = ["namespace", "pod", "container"]`): the same series PromQL's aggregation
    /// would give, without its cost on the server.
    pub max_by: Option<Vec<String>>,
    /// A series that is a per-second rate of events happening one at a time (`rate()` of a
    /// counter of timeouts, rejections): its intervals are exact Poisson intervals of the
    /// events it implies (mean × covered seconds), unless the events come in bursts.
    pub events: bool,
    /// The pack file that defined it.
    pub file: PathBuf,
}

/// A histogram several metrics are derived from (`[[histogram]]`): the queries fetched once
/// per run.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub id: String,
    /// The bucket rates, one series per `le` (per label group).
    pub buckets: String,
    /// The rate of the observations' sum, for the mean.
    pub sum: Option<String>,
    /// The rate of the observations' count, for the mean.
    pub count: Option<String>,
}

/// What a metric takes from a histogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HistogramStatistic {
    /// Prometheus's `histogram_quantile(q, ...)`, `0 < q < 1`.
    Quantile(f64),
    /// The observations' sum over their count.
    Mean,
}

/// A metric computed from a histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub histogram: Arc<Histogram>,
    pub statistic: HistogramStatistic,
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

    /// The metric ids, comma-separated, for messages.
    pub fn metric_ids(&self) -> String {
        self.metrics
            .iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The metrics `--only` selects (all when empty).
    pub fn select(&self, only: &[String]) -> Result<Vec<&Metric>> {
        if only.is_empty() {
            return Ok(self.metrics.iter().collect());
        }
        let mut out = Vec::new();
        for id in only.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let m = self.get(id).ok_or_else(|| {
                Error::input(format!(
                    "--only: no metric \"{id}\" in the query pack (metrics: {})",
                    self.metric_ids()
                ))
            })?;
            if !out.iter().any(|x: &&Metric| x.id == m.id) {
                out.push(m);
            }
        }
        if out.is_empty() {
            return Err(Error::input("--only names no metric"));
        }
        Ok(out)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    metric: Vec<toml::Spanned<RawMetric>>,
    #[serde(default)]
    histogram: Vec<toml::Spanned<RawHistogram>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistogram {
    id: String,
    buckets: toml::Spanned<String>,
    sum: Option<toml::Spanned<String>>,
    count: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    id: String,
    title: String,
    #[serde(default)]
    unit: String,
    better: Better,
    query: Option<toml::Spanned<String>>,
    /// `[[histogram]]` id to derive the metric from, with `statistic`.
    histogram: Option<String>,
    statistic: Option<String>,
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
    max_by: Option<Vec<String>>,
    #[serde(default)]
    events: bool,
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
    let mut raws = Vec::new();
    for (path, text) in files {
        let origin = path.display().to_string();
        let raw: RawFile = toml::from_str(text)
            .map_err(|e| Error::input(format!("{origin}: {}", e.to_string().trim_end())))?;
        raws.push(raw);
    }
    // Histograms first: a metric in any file may derive from one in any other.
    let mut histograms: BTreeMap<String, (Arc<Histogram>, String)> = BTreeMap::new();
    for ((path, text), raw) in files.iter().zip(&mut raws) {
        for spanned in std::mem::take(&mut raw.histogram) {
            let (line, _) = line_col(text, spanned.span().start);
            let at = format!("{}:{line}", path.display());
            let h = check_histogram(spanned.into_inner(), text, &at)?;
            if let Some((_, other)) = histograms.get(&h.id) {
                return Err(Error::input(format!(
                    "duplicate histogram id \"{}\": defined in {other} and in {at}",
                    h.id
                )));
            }
            histograms.insert(h.id.clone(), (Arc::new(h), at));
        }
    }
    for ((path, text), raw) in files.iter().zip(raws) {
        let origin = path.display().to_string();
        for spanned in raw.metric {
            let (line, _) = line_col(text, spanned.span().start);
            let at = format!("{origin}:{line}");
            let m = spanned.into_inner();
            let metric = check_metric(m, path, text, &at, &histograms)?;
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

/// Checks one template field of the pack: not empty, and well-formed, with errors pointing
/// into the file.
fn check_template(
    field: &toml::Spanned<String>,
    name: &str,
    text: &str,
) -> std::result::Result<(), String> {
    if field.get_ref().trim().is_empty() {
        return Err(format!("{name} is empty"));
    }
    template::check(field.get_ref()).map_err(|e| {
        // Point into the file: the string starts after its opening quote(s).
        let (line, col) = line_col(text, field.span().start);
        format!("{name} (starting at line {line}, column {col}): {e}")
    })
}

fn check_histogram(h: RawHistogram, text: &str, at: &str) -> Result<Histogram> {
    let fail = |msg: String| Error::input(format!("{at}: histogram \"{}\": {msg}", h.id));
    if !valid_id(&h.id) {
        return Err(Error::input(format!(
            "{at}: histogram id \"{}\" may only contain letters, digits, '_' and '-'",
            h.id
        )));
    }
    check_template(&h.buckets, "buckets", text).map_err(fail)?;
    for (field, name) in [(&h.sum, "sum"), (&h.count, "count")] {
        if let Some(f) = field {
            check_template(f, name, text).map_err(fail)?;
        }
    }
    let trimmed = |f: &toml::Spanned<String>| f.get_ref().trim().to_string();
    Ok(Histogram {
        id: h.id.clone(),
        buckets: trimmed(&h.buckets),
        sum: h.sum.as_ref().map(trimmed),
        count: h.count.as_ref().map(trimmed),
    })
}

/// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
fn valid_label(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `p50`, `p99.9` → the quantile; `mean`.
fn parse_statistic(text: &str) -> Option<HistogramStatistic> {
    if text == "mean" {
        return Some(HistogramStatistic::Mean);
    }
    // Shift the decimal point as text, so p99.9 is exactly the double nearest 0.999 (the
    // number a user would write in PromQL), not 99.9 / 100.
    let percent = text.strip_prefix('p')?;
    let (whole, fraction) = percent.split_once('.').unwrap_or((percent, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 2 || !digits(whole) || !digits(fraction) {
        return None;
    }
    let q: f64 = format!("0.{whole:0>2}{fraction}").parse().ok()?;
    (q > 0.0).then_some(HistogramStatistic::Quantile(q))
}

/// The metric's query, sent or (for a derived metric) its PromQL equivalent, and how it is
/// derived.
fn metric_query(
    m: &RawMetric,
    text: &str,
    histograms: &BTreeMap<String, (Arc<Histogram>, String)>,
) -> std::result::Result<(String, Option<Derived>), String> {
    match (&m.query, &m.histogram) {
        (Some(query), None) => {
            if m.statistic.is_some() {
                return Err("statistic applies to metrics with histogram = \"<id>\"".into());
            }
            check_template(query, "query", text)?;
            Ok((query.get_ref().trim().to_string(), None))
        }
        (None, Some(id)) => {
            let (histogram, _) = histograms.get(id).ok_or_else(|| {
                let known: Vec<&str> = histograms.keys().map(String::as_str).collect();
                format!(
                    "histogram \"{id}\" is not defined (the pack's [[histogram]] ids: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )
            })?;
            let name = m
                .statistic
                .as_deref()
                .ok_or("a metric with histogram = \"<id>\" needs statistic = \"p99\" (any pNN) or \"mean\"")?;
            let statistic = parse_statistic(name).ok_or_else(|| {
                format!(
                    "statistic = \"{name}\" is not pNN (0 < NN < 100, e.g. p99 or p99.9) or mean"
                )
            })?;
            if m.kind == Kind::Count {
                return Err("a histogram statistic is a level, not kind = \"count\"".into());
            }
            let query = match statistic {
                HistogramStatistic::Quantile(q) => {
                    format!("histogram_quantile({q}, {})", histogram.buckets)
                }
                HistogramStatistic::Mean => match (&histogram.sum, &histogram.count) {
                    (Some(sum), Some(count)) => format!("({sum})\n/\n({count})"),
                    _ => {
                        return Err(format!(
                        "statistic = \"mean\" needs the histogram \"{id}\" to define sum and count"
                    ))
                    }
                },
            };
            Ok((
                query,
                Some(Derived {
                    histogram: histogram.clone(),
                    statistic,
                }),
            ))
        }
        (Some(_), Some(_)) => {
            Err("has both query and histogram: a metric is one or the other".into())
        }
        (None, None) => Err("needs a query (or histogram = \"<id>\" with a statistic)".into()),
    }
}

fn check_metric(
    m: RawMetric,
    path: &Path,
    text: &str,
    at: &str,
    histograms: &BTreeMap<String, (Arc<Histogram>, String)>,
) -> Result<Metric> {
    let fail = |msg: String| Error::input(format!("{at}: metric \"{}\": {msg}", m.id));
    if !valid_id(&m.id) {
        return Err(Error::input(format!(
            "{at}: metric id \"{}\" may only contain letters, digits, '_' and '-'",
            m.id
        )));
    }
    if m.title.trim().is_empty() {
        return Err(fail("title is empty".into()));
    }
    let (query, derived) = metric_query(&m, text, histograms).map_err(fail)?;
    if let Some(labels) = &m.max_by {
        if let Some(bad) = labels.iter().find(|l| !valid_label(l)) {
            return Err(fail(format!("max_by: \"{bad}\" is not a label name")));
        }
        if derived.is_some() {
            return Err(fail(
                "max_by applies to queried metrics, not to histogram statistics".into(),
            ));
        }
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
    if m.events && m.kind == Kind::Count {
        return Err(fail(
            "events = true marks a rate series of events; kind = \"count\" is counted as events already".into(),
        ));
    }
    if m.events && derived.is_some() {
        return Err(fail(
            "events = true marks a rate of events, not a histogram statistic".into(),
        ));
    }
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
        query,
        combine: m.combine,
        gate: m.gate.clone(),
        kind: m.kind,
        optional: m.optional,
        saturates_at,
        allow_negative: m.allow_negative,
        description: m.description.clone(),
        axis: m.axis,
        run_to_run,
        derived,
        max_by: m.max_by.clone(),
        events: m.events,
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

    const HISTOGRAM: &str = r#"
[[histogram]]
id = "exec"
buckets = 'sum by (le) (rate(h_bucket{ns="$ns"}[$__rate_interval]))'
sum = 'sum(rate(h_sum{ns="$ns"}[$__rate_interval]))'
count = 'sum(rate(h_count{ns="$ns"}[$__rate_interval]))'

[[metric]]
id = "p999"
title = "t"
unit = "s"
better = "lower"
histogram = "exec"
statistic = "p99.9"

[[metric]]
id = "mean"
title = "t"
unit = "s"
better = "lower"
histogram = "exec"
statistic = "mean"
"#;

    #[test]
    fn metrics_derive_from_a_histogram_with_equivalent_promql() {
        let pack = parse(&[("q.toml", HISTOGRAM)]).unwrap();
        let p = pack.get("p999").unwrap();
        let d = p.derived.as_ref().unwrap();
        assert_eq!(d.statistic, HistogramStatistic::Quantile(0.999));
        assert_eq!(d.histogram.id, "exec");
        assert_eq!(
            p.query,
            r#"histogram_quantile(0.999, sum by (le) (rate(h_bucket{ns="$ns"}[$__rate_interval])))"#
        );
        let m = pack.get("mean").unwrap();
        assert_eq!(
            m.derived.as_ref().unwrap().statistic,
            HistogramStatistic::Mean
        );
        assert_eq!(
            m.query,
            "(sum(rate(h_sum{ns=\"$ns\"}[$__rate_interval])))\n/\n(sum(rate(h_count{ns=\"$ns\"}[$__rate_interval])))"
        );
        // A histogram in one file serves metrics in another.
        let (defs, uses) = HISTOGRAM.split_at(HISTOGRAM.find("[[metric]]").unwrap());
        let pack = parse(&[("a.toml", uses), ("b.toml", defs)]).unwrap();
        assert!(pack.get("p999").unwrap().derived.is_some());
    }

    #[test]
    fn bad_histogram_use_is_named() {
        let with = |replace: &str, by: &str| {
            parse(&[("q.toml", &HISTOGRAM.replacen(replace, by, 1))])
                .unwrap_err()
                .to_string()
        };
        let e = with(
            "histogram = \"exec\"\nstatistic = \"p99.9\"",
            "histogram = \"nope\"\nstatistic = \"p99\"",
        );
        assert!(
            e.contains("q.toml:8") && e.contains("\"nope\" is not defined") && e.contains("exec"),
            "{e}"
        );
        for bad in ["p100", "p0", "p", "p-5", "p5e1", "median"] {
            let e = with("statistic = \"p99.9\"", &format!("statistic = \"{bad}\""));
            assert!(e.contains(bad) && e.contains("pNN"), "{e}");
        }
        assert_eq!(
            parse_statistic("p5"),
            Some(HistogramStatistic::Quantile(0.05))
        );
        assert_eq!(
            parse_statistic("p50"),
            Some(HistogramStatistic::Quantile(0.5))
        );
        let e = with("statistic = \"p99.9\"\n", "");
        assert!(e.contains("needs statistic"), "{e}");
        let e = with(
            "statistic = \"p99.9\"",
            "statistic = \"p99\"\nquery = \"x\"",
        );
        assert!(e.contains("both query and histogram"), "{e}");
        let e = with("count = ", "# count = ");
        assert!(
            e.contains("metric \"mean\"") && e.contains("sum and count"),
            "{e}"
        );
        let e = with(
            "[[metric]]",
            "[[histogram]]\nid = \"exec\"\nbuckets = \"x\"\n\n[[metric]]",
        );
        assert!(e.contains("duplicate histogram id \"exec\""), "{e}");
        let e = with("buckets = 'sum", "buckets = '${sum");
        assert!(
            e.contains("histogram \"exec\"") && e.contains("buckets (starting at line 4"),
            "{e}"
        );
        let e = with(
            "statistic = \"mean\"",
            "statistic = \"mean\"\nkind = \"count\"",
        );
        assert!(e.contains("not kind = \"count\""), "{e}");
        let e = with(
            "statistic = \"mean\"",
            "statistic = \"mean\"\nmax_by = [\"pod\"]",
        );
        assert!(e.contains("max_by applies to queried metrics"), "{e}");
    }

    #[test]
    fn max_by_takes_label_names() {
        let pack = parse(&[(
            "q.toml",
            &format!("{ONE}max_by = [\"namespace\", \"pod\"]\n"),
        )])
        .unwrap();
        assert_eq!(
            pack.get("restarts").unwrap().max_by.as_deref(),
            Some(&["namespace".to_string(), "pod".to_string()][..])
        );
        let e = parse(&[("q.toml", &format!("{ONE}max_by = [\"pod-name\"]\n"))])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"pod-name\" is not a label name") && e.contains("restarts"),
            "{e}"
        );
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
