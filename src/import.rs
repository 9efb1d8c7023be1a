//! `benchcmp queries import`: a query pack from a Grafana dashboard export. Reads the
//! dashboard as Grafana writes it — the classic JSON of Grafana 8 to 12 (`panels`, rows and
//! collapsed rows, `templating`, `__inputs`), the same wrapped as an API response or a v1
//! resource, and the v2 resource schema (`spec.elements`) — and writes one metric per
//! visible Prometheus target of each panel, the PromQL verbatim. What a dashboard cannot
//! say (whether higher is better, the budget) is inferred only where the unit or title
//! makes it safe, and every inferred or suggested value is marked with a comment.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::error::{Error, Result};

/// Classic schema versions this importer knows (Grafana 8 has 30–36, 12 has 41–42).
const MAX_SCHEMA_VERSION: u64 = 45;

/// Grafana's built-in variables benchcmp expands.
const BUILT_INS: [&str; 3] = ["__rate_interval", "__interval", "__range"];

/// Panel types whose Prometheus targets become metrics.
const GRAPH_TYPES: [&str; 6] = ["timeseries", "graph", "stat", "gauge", "bargauge", "table"];

/// What an import made: the pack's text, the metrics in it, and a line for each panel or
/// target left out (for stderr).
#[derive(Debug)]
pub struct Imported {
    pub pack: String,
    pub metrics: usize,
    pub skipped: Vec<String>,
    /// The dashboard's title.
    pub title: String,
    /// A file name for the pack, from the dashboard's title (`<slug>.toml`).
    pub file_name: String,
}

/// One target of one panel, as read from either schema.
#[derive(Debug, Clone)]
struct Target {
    expr: String,
    /// The variables the query refers to, built-ins included (`template::names`).
    variables: Vec<String>,
    legend: Option<String>,
    ref_id: Option<String>,
    instant: bool,
}

impl Target {
    /// A target whose query benchcmp can read as a template; else a line saying why it
    /// is skipped.
    fn new(
        panel: &str,
        expr: &str,
        legend: Option<String>,
        ref_id: Option<String>,
        instant: bool,
    ) -> std::result::Result<Target, String> {
        let variables = crate::template::names(expr)
            .map_err(|e| format!("panel \"{panel}\": a query benchcmp cannot read ({e})"))?;
        Ok(Target {
            expr: expr.to_string(),
            variables,
            legend: legend.filter(|l| !l.is_empty() && l != "__auto"),
            ref_id,
            instant,
        })
    }
}

/// One panel, as read from either schema.
#[derive(Debug, Clone)]
struct Panel {
    title: String,
    kind: String,
    unit: Option<String>,
    /// The first threshold step with a value (Grafana's "above this is bad", usually).
    threshold: Option<f64>,
    targets: Vec<Target>,
}

/// The dashboard reduced to what the pack needs.
struct Dashboard {
    title: String,
    variables: Vec<String>,
    panels: Vec<Panel>,
    skipped: Vec<String>,
}

/// Imports `text` (a dashboard's JSON, from `source` for messages), keeping the panels whose
/// title `keep` accepts.
pub fn import(text: &str, source: &str, keep: &dyn Fn(&str) -> bool) -> Result<Imported> {
    let json: Value = serde_json::from_str(text).map_err(|e| {
        Error::input(format!(
            "{source}: not JSON ({e}); expected a Grafana dashboard export (Share → Export → Save to file)"
        ))
    })?;
    let mut dashboard = read_dashboard(&json, source)?;
    let read = dashboard.panels.len();
    let panels: Vec<Panel> = std::mem::take(&mut dashboard.panels)
        .into_iter()
        .filter(|p| keep(&p.title))
        .collect();
    if panels.iter().all(|p| p.targets.is_empty()) {
        return Err(Error::input(format!(
            "{source}: the dashboard \"{}\" has no Prometheus panel{} (panel types read: {})",
            dashboard.title,
            if panels.len() < read {
                " selected by --panels"
            } else {
                ""
            },
            GRAPH_TYPES.join(", ")
        )));
    }
    // Named by its file only: the pack does not change when the export moves.
    let name = std::path::Path::new(source)
        .file_name()
        .map_or(source.to_string(), |n| n.to_string_lossy().into_owned());
    let pack = write_pack(&dashboard, &panels, &name);
    // What is written must load as a pack: a check of this importer, not of the dashboard.
    crate::pack::parse_files(&[("imported.toml".into(), pack.text.clone())]).map_err(|e| {
        Error::input(format!(
            "{source}: the imported pack does not load ({e}); please report this dashboard"
        ))
    })?;
    Ok(Imported {
        pack: pack.text,
        metrics: pack.metrics,
        skipped: dashboard.skipped,
        file_name: format!("{}.toml", slug(&dashboard.title)),
        title: dashboard.title,
    })
}

/// Finds the dashboard in an export, an API response (`{"dashboard": …}`) or a resource
/// (`{"apiVersion": "dashboard.grafana.app/…", "spec": …}`).
fn read_dashboard(json: &Value, source: &str) -> Result<Dashboard> {
    let not_a_dashboard = || {
        Error::input(format!(
            "{source}: not a Grafana dashboard: expected a JSON object with \"panels\" (a Grafana 8–12 export), \"dashboard\" (an API response) or \"spec.elements\" (schema v2)"
        ))
    };
    let object = json.as_object().ok_or_else(not_a_dashboard)?;
    if let Some(inner) = object.get("dashboard").filter(|d| d.is_object()) {
        return read_dashboard(inner, source);
    }
    if let Some(api) = object.get("apiVersion").and_then(Value::as_str) {
        let version = api
            .strip_prefix("dashboard.grafana.app/")
            .ok_or_else(not_a_dashboard)?;
        let spec = object.get("spec").ok_or_else(not_a_dashboard)?;
        return match version {
            "v0alpha1" | "v1alpha1" | "v1beta1" | "v1" => classic(spec, json, source),
            "v2alpha1" | "v2beta1" | "v2" => v2(spec, source),
            other => Err(Error::input(format!(
                "{source}: dashboard schema {api} is not one this version of benchcmp knows (known: the classic JSON, v1 and v2 resources: dashboard.grafana.app/v1beta1, v2alpha1, v2beta1, v2); {other} may be newer than benchcmp"
            ))),
        };
    }
    if object.contains_key("elements") {
        return v2(json, source);
    }
    if object.contains_key("panels") || object.contains_key("rows") {
        return classic(json, json, source);
    }
    Err(not_a_dashboard())
}

/// The classic schema; `root` holds `__inputs` (an export's data-source placeholders).
fn classic(d: &Value, root: &Value, source: &str) -> Result<Dashboard> {
    if let Some(version) = d.get("schemaVersion").and_then(Value::as_u64) {
        if version > MAX_SCHEMA_VERSION {
            return Err(Error::input(format!(
                "{source}: dashboard schemaVersion {version} is newer than this version of benchcmp knows (up to {MAX_SCHEMA_VERSION}, Grafana 12)"
            )));
        }
    }
    let inputs: BTreeMap<String, String> = root
        .get("__inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| {
            Some((
                i.get("name")?.as_str()?.to_string(),
                i.get("pluginId")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let mut dashboard = Dashboard {
        title: text(d, "title").unwrap_or_else(|| "dashboard".into()),
        variables: variables(d.pointer("/templating/list")),
        panels: Vec::new(),
        skipped: Vec::new(),
    };
    let mut top: Vec<&Value> = array(d.get("panels"));
    // Dashboards of before Grafana 5 keep their panels in `rows[].panels`.
    for row in array(d.get("rows")) {
        top.extend(array(row.get("panels")));
    }
    for p in top {
        if text(p, "type").as_deref() == Some("row") {
            // A collapsed row keeps its panels inside; an open row's follow it at the top.
            for inner in array(p.get("panels")) {
                classic_panel(inner, &inputs, &mut dashboard);
            }
        } else {
            classic_panel(p, &inputs, &mut dashboard);
        }
    }
    Ok(dashboard)
}

fn classic_panel(p: &Value, inputs: &BTreeMap<String, String>, d: &mut Dashboard) {
    let title = text(p, "title").unwrap_or_else(|| "untitled".into());
    if p.get("libraryPanel").is_some() {
        d.skipped.push(format!(
            "panel \"{title}\": a library panel (its queries live in Grafana's library, not in the export)"
        ));
        return;
    }
    let kind = text(p, "type").unwrap_or_default();
    if !GRAPH_TYPES.contains(&kind.as_str()) {
        d.skipped.push(format!(
            "panel \"{title}\": type {kind}, not a graph of values"
        ));
        return;
    }
    let panel_source = datasource_type(p.get("datasource"), inputs);
    let mut targets = Vec::new();
    for t in array(p.get("targets")) {
        let expr = text(t, "expr").unwrap_or_default();
        let target_source = datasource_type(t.get("datasource"), inputs).or(panel_source.clone());
        if target_source.as_deref().is_some_and(|s| s != "prometheus") {
            d.skipped.push(format!(
                "panel \"{title}\": a {} query, not Prometheus",
                target_source.unwrap_or_default()
            ));
            continue;
        }
        if t.get("hide").and_then(Value::as_bool) == Some(true) || expr.trim().is_empty() {
            continue;
        }
        match Target::new(
            &title,
            &expr,
            text(t, "legendFormat"),
            text(t, "refId"),
            t.get("instant").and_then(Value::as_bool) == Some(true),
        ) {
            Ok(target) => targets.push(target),
            Err(why) => d.skipped.push(why),
        }
    }
    d.panels.push(Panel {
        title,
        kind,
        unit: p
            .pointer("/fieldConfig/defaults/unit")
            .or_else(|| p.pointer("/yaxes/0/format"))
            .and_then(Value::as_str)
            .map(String::from),
        threshold: threshold(p.pointer("/fieldConfig/defaults/thresholds/steps")),
        targets,
    });
}

/// The schema v2 resource's `spec`: panels are `elements`, queries `PanelQuery`s.
fn v2(spec: &Value, source: &str) -> Result<Dashboard> {
    let elements = spec
        .get("elements")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::input(format!("{source}: a v2 dashboard without \"elements\"")))?;
    let vars = array(spec.get("variables"))
        .into_iter()
        .filter_map(|v| v.pointer("/spec/name").and_then(Value::as_str))
        .map(String::from)
        .collect();
    let mut d = Dashboard {
        title: text(spec, "title").unwrap_or_else(|| "dashboard".into()),
        variables: vars,
        panels: Vec::new(),
        skipped: Vec::new(),
    };
    // Elements are a map: in the layout's order where it lists them, else by key.
    let mut order: Vec<String> = Vec::new();
    collect_layout(spec.get("layout"), &mut order);
    for key in elements.keys() {
        if !order.contains(key) {
            order.push(key.clone());
        }
    }
    for key in order {
        let Some(e) = elements.get(&key) else {
            continue;
        };
        let s = e.get("spec").cloned().unwrap_or(Value::Null);
        let title = text(&s, "title").unwrap_or_else(|| key.clone());
        if text(e, "kind").as_deref() == Some("LibraryPanel") {
            d.skipped.push(format!(
                "panel \"{title}\": a library panel (its queries live in Grafana's library, not in the export)"
            ));
            continue;
        }
        let viz = s.get("vizConfig");
        let kind = viz
            .and_then(|v| text(v, "group").or_else(|| text(v, "kind").filter(|k| k != "VizConfig")))
            .unwrap_or_default();
        if !GRAPH_TYPES.contains(&kind.as_str()) {
            d.skipped.push(format!(
                "panel \"{title}\": type {kind}, not a graph of values"
            ));
            continue;
        }
        let mut targets = Vec::new();
        for q in array(s.pointer("/data/spec/queries")) {
            let qs = q.get("spec").cloned().unwrap_or(Value::Null);
            let query = qs.get("query").cloned().unwrap_or(Value::Null);
            let group = text(&query, "group")
                .or_else(|| text(&query, "kind").filter(|k| k != "DataQuery"))
                .unwrap_or_else(|| "prometheus".into());
            if group != "prometheus" {
                d.skipped.push(format!(
                    "panel \"{title}\": a {group} query, not Prometheus"
                ));
                continue;
            }
            let expr = query
                .pointer("/spec/expr")
                .and_then(Value::as_str)
                .unwrap_or("");
            if qs.get("hidden").and_then(Value::as_bool) == Some(true) || expr.trim().is_empty() {
                continue;
            }
            match Target::new(
                &title,
                expr,
                query
                    .pointer("/spec/legendFormat")
                    .and_then(Value::as_str)
                    .map(String::from),
                text(&qs, "refId"),
                query.pointer("/spec/instant").and_then(Value::as_bool) == Some(true),
            ) {
                Ok(target) => targets.push(target),
                Err(why) => d.skipped.push(why),
            }
        }
        d.panels.push(Panel {
            title,
            kind,
            unit: viz
                .and_then(|v| v.pointer("/spec/fieldConfig/defaults/unit"))
                .and_then(Value::as_str)
                .map(String::from),
            threshold: threshold(
                viz.and_then(|v| v.pointer("/spec/fieldConfig/defaults/thresholds/steps")),
            ),
            targets,
        });
    }
    Ok(d)
}

/// Element names in a v2 layout, in the order it shows them (grids, rows, tabs, nested).
fn collect_layout(layout: Option<&Value>, out: &mut Vec<String>) {
    match layout {
        Some(Value::Object(o)) => {
            if o.get("kind").and_then(Value::as_str) == Some("ElementReference") {
                let name = o
                    .get("name")
                    .or_else(|| o.get("spec").and_then(|s| s.get("name")))
                    .and_then(Value::as_str);
                if let Some(name) = name {
                    out.push(name.to_string());
                }
            }
            for v in o.values() {
                collect_layout(Some(v), out);
            }
        }
        Some(Value::Array(a)) => {
            for v in a {
                collect_layout(Some(v), out);
            }
        }
        _ => {}
    }
}

fn array(v: Option<&Value>) -> Vec<&Value> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(String::from)
}

/// The type of a panel's or target's data source: `{"type": …}`, a name that is an
/// export's `${DS_…}` placeholder, or `None` when it does not say (the default source).
fn datasource_type(ds: Option<&Value>, inputs: &BTreeMap<String, String>) -> Option<String> {
    let placeholder = |s: &str| {
        let name = s
            .trim_start_matches("${")
            .trim_start_matches('$')
            .trim_end_matches('}');
        inputs.get(name).cloned()
    };
    match ds? {
        Value::Object(o) => {
            let kind = o.get("type").and_then(Value::as_str);
            match kind {
                Some("datasource") | Some("-- Mixed --") | None => {
                    o.get("uid").and_then(Value::as_str).and_then(placeholder)
                }
                Some(t) if t.starts_with("${") || t.starts_with('$') => placeholder(t),
                Some(t) => Some(t.to_string()),
            }
        }
        Value::String(s) if s.starts_with('$') => placeholder(s),
        // A data source named without its type (old exports): Prometheus when its queries
        // are PromQL, which is what `expr` holds.
        _ => None,
    }
}

fn variables(list: Option<&Value>) -> Vec<String> {
    array(list)
        .into_iter()
        .filter(|v| {
            !matches!(
                v.get("type").and_then(Value::as_str),
                Some("datasource" | "constant" | "interval")
            )
        })
        .filter_map(|v| v.get("name").and_then(Value::as_str).map(String::from))
        .collect()
}

fn threshold(steps: Option<&Value>) -> Option<f64> {
    array(steps)
        .into_iter()
        .filter_map(|s| s.get("value").and_then(Value::as_f64))
        .next()
}

/// benchcmp's unit for a Grafana unit id, and whether it was mapped (else kept as written).
pub fn unit(grafana: &str) -> (String, bool) {
    let mapped = match grafana {
        "s" => "s",
        "ms" => "ms",
        "µs" | "us" => "µs",
        "ns" => "ns",
        "m" => "min",
        "h" => "h",
        "d" => "d",
        "dtdurations" | "dtdurationms" => "s",
        "percent" => "%",
        "percentunit" => "ratio",
        "bytes" | "decbytes" => "B",
        "kbytes" => "KiB",
        "mbytes" => "MiB",
        "gbytes" => "GiB",
        "bits" | "decbits" => "bit",
        "Bps" | "binBps" => "B/s",
        "bps" | "binbps" => "bit/s",
        "reqps" | "rps" => "req/s",
        "ops" | "opm" => "ops/s",
        "wps" => "writes/s",
        "rpm" => "req/min",
        "cps" => "counts/s",
        "iops" => "io/s",
        "celsius" => "°C",
        "short" | "none" | "" => "",
        other => return (other.to_string(), false),
    };
    (mapped.to_string(), true)
}

/// Which way is better, when the unit or the title makes it safe to say.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Direction {
    Higher,
    Lower,
}

const LOWER_WORDS: [&str; 21] = [
    "latency",
    "duration",
    "response time",
    "error",
    "fail",
    "reject",
    "restart",
    "oom",
    "timeout",
    "time out",
    "dropped",
    "drops",
    "throttl",
    "backpressure",
    "back pressure",
    "lag",
    "pending",
    "queue",
    "wait",
    "retries",
    "evict",
];
const HIGHER_WORDS: [&str; 10] = [
    "throughput",
    "ops",
    "req/s",
    "requests per",
    "qps",
    "tps",
    "completed",
    "processed",
    "success",
    "rate of",
];

/// The direction and the reason, or `None` where the dashboard does not say safely.
fn direction(title: &str, unit: &str) -> Option<(Direction, String)> {
    // Keywords match at the start of a word: "queue" in "Queued jobs", never "oom" in
    // "Room temperature", "ops" in "Stops" or "tps" in "Outputs".
    let words: Vec<String> = title
        .to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '/'))
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    let t = format!(" {} ", words.join(" "));
    let said = |w: &&&str| t.contains(&format!(" {w}"));
    let lower = LOWER_WORDS.iter().find(said);
    let higher = HIGHER_WORDS.iter().find(said);
    let time = matches!(unit, "s" | "ms" | "µs" | "ns" | "min" | "h");
    let rate = matches!(unit, "req/s" | "ops/s" | "req/min");
    match (lower, higher) {
        (Some(w), None) => Some((Direction::Lower, format!("the title says \"{w}\""))),
        (None, Some(w)) if !time => Some((Direction::Higher, format!("the title says \"{w}\""))),
        (None, None) if time => Some((Direction::Lower, format!("a duration ({unit})"))),
        (None, None) if rate => Some((Direction::Higher, format!("a rate of work ({unit})"))),
        _ => None,
    }
}

/// Whether a query returns one series per label group: a legend naming labels, an
/// aggregation `by (…)`/`without (…)` other than a histogram's `by (le)`, or no aggregation
/// at the top (a selector or a `rate()` of one returns a series per label set).
fn many_series(expr: &str, legend: Option<&str>) -> bool {
    if legend.is_some_and(|l| l.contains("{{")) {
        return true;
    }
    let e = expr.trim();
    let name: String = e
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    match name.as_str() {
        "sum" | "max" | "min" | "avg" | "count" | "stddev" | "stdvar" | "group" => {
            groupings(e).iter().any(|labels| labels != "le")
        }
        "histogram_quantile" => groupings(e).iter().any(|labels| labels != "le"),
        "scalar" | "vector" | "time" => false,
        _ => true,
    }
}

/// The label lists of every `by (…)` and `without (…)` in `e`, spaces removed.
fn groupings(e: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in ["by", "without"] {
        let mut from = 0;
        while let Some(i) = e[from..].find(word) {
            let at = from + i;
            from = at + word.len();
            let before_ok = at == 0
                || !e.as_bytes()[at - 1].is_ascii_alphanumeric() && e.as_bytes()[at - 1] != b'_';
            let rest = e[from..].trim_start();
            if before_ok && rest.starts_with('(') {
                if let Some(close) = rest.find(')') {
                    out.push(rest[1..close].replace(' ', ""));
                }
            }
        }
    }
    out
}

/// A metric id from a title: lower case, words joined by `_`.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    match out.chars().next() {
        None => "panel".into(),
        Some(c) if c.is_ascii_digit() => format!("m_{out}"),
        Some(_) => out,
    }
}

/// A TOML string for `s`: a literal string where it can be one (PromQL is full of double
/// quotes), else a basic string with escapes.
fn toml_string(s: &str) -> String {
    if !s.contains('\'') && !s.chars().any(|c| c.is_control()) {
        return format!("'{s}'");
    }
    if !s.contains("'''") && !s.chars().any(|c| c.is_control() && c != '\n') && !s.ends_with('\'') {
        return format!("'''\n{s}'''");
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Written {
    text: String,
    metrics: usize,
}

fn write_pack(d: &Dashboard, panels: &[Panel], source: &str) -> Written {
    use std::fmt::Write;
    let mut body = String::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut metrics = 0;
    for p in panels {
        let several = p.targets.len() > 1;
        for t in &p.targets {
            let vars = &t.variables;
            used.extend(vars.iter().cloned());
            let suffix = t
                .legend
                .as_deref()
                .or(t.ref_id.as_deref())
                .filter(|_| several);
            let mut id = slug(&match suffix {
                Some(s) => format!("{} {}", p.title, s.replace("{{", "").replace("}}", "")),
                None => p.title.clone(),
            });
            if ids.contains(&id) {
                let base = id.clone();
                let mut n = 2;
                while ids.contains(&format!("{base}_{n}")) {
                    n += 1;
                }
                id = format!("{base}_{n}");
            }
            ids.insert(id.clone());
            let title = match suffix {
                Some(s) => format!("{} — {s}", p.title),
                None => p.title.clone(),
            };
            let (unit, mapped) = p.unit.as_deref().map_or((String::new(), true), unit);
            let _ = writeln!(body, "[[metric]]");
            let _ = writeln!(body, "id = {}", toml_string(&id));
            let _ = writeln!(body, "title = {}", toml_string(&title));
            if !mapped {
                let _ = writeln!(body, "# unit: Grafana's \"{unit}\" kept as written (benchcmp converts s, ms, B, KiB, MiB, GiB, %)");
            }
            let _ = writeln!(body, "unit = {}", toml_string(&unit));
            match direction(&title, &unit) {
                Some((dir, why)) => {
                    let word = if dir == Direction::Higher {
                        "higher"
                    } else {
                        "lower"
                    };
                    let _ = writeln!(body, "better = \"{word}\"  # inferred: {why}; check it");
                    let _ = writeln!(
                        body,
                        "gate = \"regression <= 10%\"  # a starting budget: set your own"
                    );
                }
                None => {
                    let _ = writeln!(body, "# better: the dashboard does not say which way is better; set it and a gate");
                    let _ = writeln!(body, "better = \"lower\"  # a placeholder: the metric has no gate, so nothing is judged");
                }
            }
            if let Some(v) = p.threshold {
                let shown = if v.fract() == 0.0 && v.abs() < 1e15 {
                    format!("{}", v as i64)
                } else {
                    format!("{v}")
                };
                let _ = writeln!(
                    body,
                    "# gate = \"max <= {shown}{}\"  # the panel's first threshold step, as a suggestion",
                    if unit.is_empty() || unit.contains('/') || !crate::units::is_unit(&unit) {
                        String::new()
                    } else {
                        format!(" {unit}")
                    }
                );
            }
            if many_series(&t.expr, t.legend.as_deref()) {
                let rate = unit.ends_with("/s")
                    || t.expr.contains("rate(")
                        && !matches!(unit.as_str(), "%" | "ratio" | "s" | "ms");
                let (combine, why) = if rate {
                    ("sum", "a rate: the series are added up")
                } else {
                    ("max", "the worst series counts; or mean, min")
                };
                let _ = writeln!(body, "combine = \"{combine}\"  # the query returns one series per label group; {why}");
            }
            let unknown: Vec<&str> = vars
                .iter()
                .map(String::as_str)
                .filter(|v| v.starts_with("__") && !BUILT_INS.contains(v))
                .collect();
            if !unknown.is_empty() {
                let _ = writeln!(
                    body,
                    "# uses ${}, which benchcmp does not expand ($__rate_interval, $__interval and $__range it does): edit the query",
                    unknown.join(", $")
                );
            }
            if t.instant {
                let _ = writeln!(
                    body,
                    "# an instant query in Grafana: benchcmp reads it over the whole run"
                );
            }
            let _ = writeln!(body, "query = {}", toml_string(&t.expr));
            let _ = writeln!(
                body,
                "description = {}",
                toml_string(&format!(
                    "Panel \"{}\" ({}) of the dashboard \"{}\".",
                    p.title, p.kind, d.title
                ))
            );
            body.push('\n');
            metrics += 1;
        }
    }
    let mut head = String::new();
    let _ = writeln!(head, "# Query pack imported from the Grafana dashboard \"{}\" ({source}) by `benchcmp queries import`:", d.title);
    let _ = writeln!(head, "# {metrics} metrics, one per visible Prometheus query of each panel, the PromQL as the dashboard has it.");
    let _ = writeln!(head, "# Lines marked \"inferred\", \"suggestion\" or \"placeholder\" are guesses: check `better` and set the gates.");
    let run_vars: Vec<&String> = used.iter().filter(|v| !v.starts_with("__")).collect();
    if !run_vars.is_empty() {
        let declared: Vec<&String> = run_vars
            .iter()
            .copied()
            .filter(|v| d.variables.contains(v))
            .collect();
        let _ = writeln!(head, "#");
        let _ = writeln!(
            head,
            "# The queries use the dashboard variables {}: a run binds them in benchcmp.toml, e.g.",
            run_vars
                .iter()
                .map(|v| format!("${v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(head, "#   [runs.nightly]");
        let _ = writeln!(
            head,
            "#   vars = {{ {} }}",
            run_vars
                .iter()
                .map(|v| format!("{v} = \"...\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(head, "#   start = \"2026-01-01T08:00:00Z\"");
        let _ = writeln!(head, "#   duration = \"4h\"");
        if declared.len() < run_vars.len() {
            let undeclared: Vec<String> = run_vars
                .iter()
                .filter(|v| !d.variables.contains(v))
                .map(|v| format!("${v}"))
                .collect();
            let _ = writeln!(
                head,
                "# ({} not declared in the dashboard's variables)",
                undeclared.join(", ")
            );
        }
    }
    head.push('\n');
    Written {
        text: head + body.trim_end() + "\n",
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_come_from_whole_words_of_the_title() {
        let dir = |title: &str, unit: &str| direction(title, unit).map(|(d, _)| d);
        assert_eq!(dir("Queued jobs", ""), Some(Direction::Lower));
        assert_eq!(dir("OOMKilled containers", ""), Some(Direction::Lower));
        assert_eq!(dir("Requests per second", "req/s"), Some(Direction::Higher));
        // Parts of other words say nothing.
        assert_eq!(dir("Room temperature", "°C"), None);
        assert_eq!(dir("Stops", ""), None);
        assert_eq!(dir("Outputs", ""), None);
        assert_eq!(dir("Feature flags", ""), None);
        // A duration is lower-is-better; a title saying both ways decides nothing.
        assert_eq!(dir("Request handling", "s"), Some(Direction::Lower));
        assert_eq!(dir("Throughput errors", ""), None);
    }
}
