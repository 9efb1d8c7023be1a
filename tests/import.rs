//! `benchcmp queries import`: Grafana dashboards written here in every shape the importer
//! reads (classic exports with rows, collapsed rows, several targets, variables, units,
//! thresholds, library and non-Prometheus panels; API wrappers; the v2 resource), the pack
//! it writes, and a round trip: dashboard → pack → a comparison against a real Prometheus.

mod support;

use std::path::Path;

use benchcmp::pack::{self, Better, Combine, Pack};
use serde_json::json;
use support::*;

fn write(dir: &Path, name: &str, value: &serde_json::Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

fn load(text: &str) -> Pack {
    pack::parse_files(&[("imported.toml".into(), text.to_string())]).unwrap()
}

fn panel(title: &str, kind: &str, unit: &str, targets: serde_json::Value) -> serde_json::Value {
    json!({
        "type": kind,
        "title": title,
        "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
        "fieldConfig": {"defaults": {"unit": unit}},
        "targets": targets,
    })
}

/// A Grafana 10-style export: an open row, a collapsed row with nested panels, panels of
/// every kind the importer must read or skip.
fn classic() -> serde_json::Value {
    json!({
        "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],
        "title": "Engine benchmark",
        "uid": "abc",
        "schemaVersion": 39,
        "templating": {"list": [
            {"name": "DS", "type": "datasource"},
            {"name": "namespace", "type": "query"},
            {"name": "pod", "type": "query"},
        ]},
        "panels": [
            {"type": "row", "title": "Overview", "collapsed": false, "panels": []},
            panel("Throughput", "timeseries", "ops", json!([
                {"refId": "A", "expr": "sum(rate(ops_total{namespace=~\"$namespace\"}[$__rate_interval]))"}
            ])),
            panel("Request latency", "timeseries", "s", json!([
                {"refId": "A", "legendFormat": "p99", "expr": "histogram_quantile(0.99, sum by (le) (rate(latency_seconds_bucket{namespace=~\"$namespace\"}[$__rate_interval])))"},
                {"refId": "B", "legendFormat": "p50", "expr": "histogram_quantile(0.50, sum by (le) (rate(latency_seconds_bucket{namespace=~\"$namespace\"}[$__rate_interval])))"},
                {"refId": "C", "hide": true, "expr": "histogram_quantile(0.90, sum by (le) (rate(latency_seconds_bucket[5m])))"},
            ])),
            {"type": "text", "title": "Read me", "options": {"content": "hello"}},
            {"type": "row", "title": "Resources", "collapsed": true, "panels": [
                {
                    "type": "timeseries",
                    "title": "Memory per pod",
                    "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
                    "fieldConfig": {"defaults": {"unit": "bytes", "thresholds": {"mode": "absolute", "steps": [
                        {"color": "green", "value": null}, {"color": "red", "value": 268435456.0}
                    ]}}},
                    "targets": [{"refId": "A", "legendFormat": "{{pod}}", "expr": "max by (pod) (container_memory_working_set_bytes{namespace=~\"$namespace\", pod=~\"${pod:regex}\"})"}],
                },
                panel("CPU share", "gauge", "percentunit", json!([
                    {"refId": "A", "instant": true, "expr": "avg(rate(cpu_seconds_total{namespace=~\"$namespace\"}[$__range_s]))"}
                ])),
                {"type": "logs", "title": "Logs", "datasource": {"type": "loki", "uid": "l"}, "targets": [{"expr": "{app=\"x\"}"}]},
                {"type": "timeseries", "title": "Loki rate", "datasource": {"type": "loki", "uid": "l"}, "targets": [{"refId": "A", "expr": "rate({app=\"x\"}[1m])"}]},
                {"title": "Shared panel", "libraryPanel": {"uid": "lib1", "name": "Shared"}},
            ]},
            panel("Queue length", "stat", "lengthm", json!([
                {"refId": "A", "expr": "sum(queue_length{namespace=~\"$namespace\"})"}
            ])),
            panel("Heap", "timeseries", "short", json!([
                {"refId": "A", "expr": "sum(jvm_heap{namespace=~\"$namespace\"})"}
            ])),
            panel("Throughput", "graph", "reqps", json!([
                {"refId": "A", "expr": "sum(rate(http_requests_total{namespace=~\"$namespace\"}[5m]))"}
            ])),
        ],
    })
}

#[test]
fn a_classic_dashboard_becomes_a_pack_with_every_guess_marked() {
    let dir = temp_dir("import-classic");
    let file = write(&dir, "dash.json", &classic());
    let out = benchcmp(&dir, &["queries", "import", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pack_text = text(&out.stdout);
    let p = load(&pack_text);
    let ids: Vec<&str> = p.metrics.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "throughput",
            "request_latency_p99",
            "request_latency_p50",
            "memory_per_pod",
            "cpu_share",
            "queue_length",
            "heap",
            "throughput_2",
        ]
    );
    let m = |id: &str| p.get(id).unwrap();
    // Units mapped, directions inferred only where safe, and marked.
    assert_eq!(
        (m("throughput").unit.as_str(), m("throughput").better),
        ("ops/s", Better::Higher)
    );
    assert_eq!(m("request_latency_p99").unit, "s");
    assert_eq!(m("request_latency_p99").better, Better::Lower);
    assert_eq!(m("request_latency_p99").title, "Request latency — p99");
    assert_eq!(m("cpu_share").unit, "ratio");
    assert_eq!(m("memory_per_pod").unit, "B");
    assert_eq!(m("throughput_2").unit, "req/s");
    assert_eq!(
        m("queue_length").better,
        Better::Lower,
        "the title says queue"
    );
    assert!(m("throughput").gate.is_some());
    assert!(m("heap").gate.is_none(), "nothing safe to infer: ungated");
    assert!(m("memory_per_pod").gate.is_none());
    assert!(pack_text
        .contains("better = \"higher\"  # inferred: the title says \"throughput\"; check it"));
    assert!(pack_text.contains("# better: the dashboard does not say which way is better"));
    // One series per pod needs a combine, said why; a single-series query gets none.
    assert_eq!(m("memory_per_pod").combine, Some(Combine::Max));
    assert_eq!(m("throughput").combine, None);
    assert_eq!(m("request_latency_p99").combine, None);
    // The PromQL verbatim, variables and all.
    assert_eq!(
        m("memory_per_pod").query,
        "max by (pod) (container_memory_working_set_bytes{namespace=~\"$namespace\", pod=~\"${pod:regex}\"})"
    );
    // Thresholds as a suggestion, unsupported built-ins and instant queries said, unknown
    // units kept, the run's variables listed with how to bind them.
    assert!(
        pack_text.contains("# gate = \"max <= 268435456 B\"  # the panel's first threshold step"),
        "{pack_text}"
    );
    assert!(pack_text.contains("uses $__range_s, which benchcmp does not expand"));
    assert!(pack_text.contains("# an instant query in Grafana"));
    assert!(pack_text.contains("# unit: Grafana's \"lengthm\" kept as written"));
    assert!(pack_text.contains("dashboard variables $namespace, $pod"));
    assert!(pack_text.contains("vars = { namespace = \"...\", pod = \"...\" }"));
    // Skipped: the text and logs panels, the Loki query, the library panel — one line each.
    let said = text(&out.stderr);
    for what in [
        "\"Read me\": type text",
        "\"Logs\": type logs",
        "\"Loki rate\": a loki query",
        "\"Shared panel\": a library panel",
    ] {
        assert!(said.contains(what), "{what}: {said}");
    }
}

#[test]
fn importing_twice_gives_the_same_pack_and_never_overwrites_without_force() {
    let dir = temp_dir("import-idempotent");
    let file = write(&dir, "dash.json", &classic());
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    let first = benchcmp(&dir, &["queries", "import", &file, "--out", "queries/"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let written = dir.join("queries/engine_benchmark.toml");
    let once = std::fs::read(&written).unwrap();
    let again = benchcmp(&dir, &["queries", "import", &file, "--out", "queries/"]);
    assert_refused(&again, 2, "exists; pass --force");
    assert_eq!(std::fs::read(&written).unwrap(), once, "left as it was");
    let forced = benchcmp(
        &dir,
        &["queries", "import", &file, "--out", "queries/", "--force"],
    );
    assert_eq!(forced.status.code(), Some(0));
    assert_eq!(
        std::fs::read(&written).unwrap(),
        once,
        "byte for byte the same"
    );
    let stdout = benchcmp(&dir, &["queries", "import", &file]);
    assert_eq!(stdout.stdout, once);
    // The pack in queries/ is what `queries` then lists.
    let listed = benchcmp(
        &dir,
        &["queries", "--queries", "queries", "--format", "json"],
    );
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    assert!(text(&listed.stdout).contains("request_latency_p99"));
}

#[test]
fn panels_are_selected_by_title() {
    let dir = temp_dir("import-panels");
    let file = write(&dir, "dash.json", &classic());
    let out = benchcmp(
        &dir,
        &["queries", "import", &file, "--panels", "(?i)latency|^heap$"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let p = load(&text(&out.stdout));
    let ids: Vec<&str> = p.metrics.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["request_latency_p99", "request_latency_p50", "heap"]);
    let none = benchcmp(
        &dir,
        &["queries", "import", &file, "--panels", "nothing matches"],
    );
    assert_refused(&none, 2, "no Prometheus panel selected by --panels");
    let bad = benchcmp(&dir, &["queries", "import", &file, "--panels", "(unclosed"]);
    assert_refused(&bad, 2, "--panels '(unclosed': not a regular expression");
}

#[test]
fn wrapped_and_v2_dashboards_are_read() {
    let dir = temp_dir("import-v2");
    // An API response wraps the dashboard.
    let wrapped = write(
        &dir,
        "api.json",
        &json!({"meta": {"slug": "x"}, "dashboard": classic()}),
    );
    let out = benchcmp(&dir, &["queries", "import", &wrapped]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(load(&text(&out.stdout)).metrics.len(), 8);
    // The v2 resource: elements by name, in the layout's order.
    let query = |expr: &str, legend: &str, hidden: bool| {
        json!({
            "kind": "PanelQuery",
            "spec": {"refId": "A", "hidden": hidden, "query": {
                "kind": "DataQuery", "group": "prometheus", "version": "v0",
                "spec": {"expr": expr, "legendFormat": legend}
            }}
        })
    };
    let v2 = json!({
        "apiVersion": "dashboard.grafana.app/v2beta1",
        "kind": "Dashboard",
        "metadata": {"name": "engine"},
        "spec": {
            "title": "Engine v2",
            "variables": [{"kind": "QueryVariable", "spec": {"name": "namespace"}}],
            "elements": {
                "panel-2": {"kind": "Panel", "spec": {
                    "title": "Error rate",
                    "vizConfig": {"kind": "VizConfig", "group": "timeseries", "spec": {"fieldConfig": {"defaults": {"unit": "percentunit"}}}},
                    "data": {"kind": "QueryGroup", "spec": {"queries": [
                        query("sum(rate(errors_total{namespace=\"$namespace\"}[5m])) / sum(rate(requests_total{namespace=\"$namespace\"}[5m]))", "", false),
                        query("sum(rate(errors_total[5m]))", "", true),
                    ]}}
                }},
                "panel-1": {"kind": "Panel", "spec": {
                    "title": "Completed per second",
                    "vizConfig": {"kind": "VizConfig", "group": "stat", "spec": {"fieldConfig": {"defaults": {"unit": "reqps"}}}},
                    "data": {"kind": "QueryGroup", "spec": {"queries": [
                        query("sum by (pod) (rate(done_total{namespace=\"$namespace\"}[5m]))", "{{pod}}", false),
                    ]}}
                }},
                "lib": {"kind": "LibraryPanel", "spec": {"title": "Shared", "libraryPanel": {"uid": "u"}}},
                "note": {"kind": "Panel", "spec": {"title": "Notes", "vizConfig": {"kind": "VizConfig", "group": "text", "spec": {}}, "data": {"kind": "QueryGroup", "spec": {"queries": []}}}},
            },
            "layout": {"kind": "GridLayout", "spec": {"items": [
                {"kind": "GridLayoutItem", "spec": {"element": {"kind": "ElementReference", "name": "panel-1"}}},
                {"kind": "GridLayoutItem", "spec": {"element": {"kind": "ElementReference", "name": "panel-2"}}},
            ]}}
        }
    });
    let file = write(&dir, "v2.json", &v2);
    let out = benchcmp(&dir, &["queries", "import", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let p = load(&text(&out.stdout));
    let ids: Vec<&str> = p.metrics.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["completed_per_second", "error_rate"]);
    let done = p.get("completed_per_second").unwrap();
    assert_eq!(
        (done.unit.as_str(), done.better, done.combine),
        ("req/s", Better::Higher, Some(Combine::Sum))
    );
    let errors = p.get("error_rate").unwrap();
    assert_eq!(
        (errors.unit.as_str(), errors.better),
        ("ratio", Better::Lower)
    );
    let said = text(&out.stderr);
    assert!(
        said.contains("\"Shared\": a library panel") && said.contains("\"Notes\": type text"),
        "{said}"
    );
}

#[test]
fn what_is_not_a_dashboard_is_refused_with_what_was_expected() {
    let dir = temp_dir("import-bad");
    std::fs::write(dir.join("not.json"), "{ this is not json").unwrap();
    let cases: Vec<(String, &str)> = vec![
        ("not.json".to_string(), "not JSON"),
        (
            write(&dir, "array.json", &json!([1, 2])),
            "not a Grafana dashboard: expected a JSON object with \"panels\"",
        ),
        (
            write(&dir, "other.json", &json!({"name": "x"})),
            "not a Grafana dashboard",
        ),
        (
            write(
                &dir,
                "text.json",
                &json!({"title": "Docs", "panels": [{"type": "text", "title": "t"}]}),
            ),
            "has no Prometheus panel",
        ),
        (
            write(
                &dir,
                "future.json",
                &json!({"title": "F", "schemaVersion": 99, "panels": []}),
            ),
            "schemaVersion 99 is newer",
        ),
        (
            write(
                &dir,
                "v9.json",
                &json!({"apiVersion": "dashboard.grafana.app/v9", "spec": {}}),
            ),
            "dashboard.grafana.app/v9 is not one this version of benchcmp knows",
        ),
        ("missing.json".to_string(), "missing.json"),
    ];
    for (file, words) in cases {
        let out = benchcmp(&dir, &["queries", "import", &file]);
        assert_refused(&out, 2, words);
    }
}

#[test]
fn a_large_dashboard_imports_quickly_enough_to_measure() {
    // Hundreds of panels, several MB: measured (not asserted) — the note gives the number.
    let dir = temp_dir("import-large");
    let panels: Vec<serde_json::Value> = (0..600)
        .map(|i| {
            panel(&format!("Panel {i} latency"), "timeseries", "s", json!([
                {"refId": "A", "expr": format!("histogram_quantile(0.99, sum by (le) (rate(m{i}_bucket{{namespace=~\"$namespace\"}}[$__rate_interval])))"), "legendFormat": "p99", "pad": "x".repeat(4000)},
                {"refId": "B", "expr": format!("sum(rate(m{i}_count{{namespace=~\"$namespace\"}}[$__rate_interval]))"), "legendFormat": "rate"},
            ]))
        })
        .collect();
    let file = write(
        &dir,
        "large.json",
        &json!({"title": "Large", "schemaVersion": 39, "panels": panels}),
    );
    assert!(std::fs::metadata(&file).unwrap().len() > 2_000_000);
    let started = std::time::Instant::now();
    let out = benchcmp(&dir, &["queries", "import", &file, "--out", "large.toml"]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        load(&std::fs::read_to_string(dir.join("large.toml")).unwrap())
            .metrics
            .len(),
        1200
    );
    eprintln!(
        "imported 600 panels ({} bytes) in {took:?}",
        std::fs::metadata(&file).unwrap().len()
    );
}

/// The round trip: a dashboard of the fixture's own metrics → pack → `compare` against a
/// real Prometheus: the REST run's collapse fails, two runs of one build pass.
#[test]
fn an_imported_pack_compares_runs_of_a_real_prometheus() {
    let prom = prometheus();
    let dir = temp_dir("import-roundtrip");
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&prom.url)).unwrap();
    let dashboard = json!({
        "title": "Zeebe benchmark",
        "schemaVersion": 39,
        "templating": {"list": [{"name": "namespace", "type": "query"}]},
        "panels": [
            panel("Process instances completed", "timeseries", "ops", json!([
                {"refId": "A", "expr": "sum(rate(zeebe_element_instance_events_total{namespace=~\"$namespace\", action=\"completed\", type=\"PROCESS\"}[$__rate_interval]))"}
            ])),
            panel("Worker memory", "timeseries", "bytes", json!([
                {"refId": "A", "legendFormat": "{{pod}}", "expr": "max by (pod) (container_memory_working_set_bytes{namespace=~\"$namespace\", container!=\"\", container!=\"POD\"})"}
            ])),
        ],
    });
    let file = write(&dir, "zeebe.json", &dashboard);
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    let out = benchcmp(&dir, &["queries", "import", &file, "--out", "queries/"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let check = benchcmp(&dir, &["queries", "--check", "--run", "weekly"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    assert!(
        text(&check.stdout).contains("2 ok, 0 empty, 0 errors"),
        "{}",
        text(&check.stdout)
    );
    let json_of = |args: &[&str]| -> (Option<i32>, serde_json::Value) {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let out = benchcmp(&dir, &all);
        (
            out.status.code(),
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out.stderr))),
        )
    };
    let verdict = |report: &serde_json::Value, id: &str| {
        report["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .map(|m| m["verdict"].as_str().unwrap_or("").to_string())
            .unwrap()
    };
    let (code, report) = json_of(&["--baseline", "weekly", "--candidate", "rest-run"]);
    assert_eq!(code, Some(1));
    assert_eq!(verdict(&report, "process_instances_completed"), "fail");
    // Memory has no safe direction: imported ungated, it is shown and not judged.
    assert_eq!(report["metrics"][1]["gate"], serde_json::Value::Null);
    let (code, report) = json_of(&["--baseline", "stable-a", "--candidate", "stable-b"]);
    assert_eq!(verdict(&report, "process_instances_completed"), "pass");
    assert_eq!(code, Some(0), "{report}");
}
