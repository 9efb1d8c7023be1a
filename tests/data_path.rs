//! The data path against a real Prometheus filled with known data: values of the default
//! pack, split long windows, `queries --check`, `record` → load round trip, `runs`, and
//! the source errors a user can meet.

mod support;

use std::sync::Arc;

use benchcmp::config::{self, Config};
use benchcmp::pack::{self, Pack};
use benchcmp::run;
use benchcmp::series::Series;
use benchcmp::source::prometheus::{PrometheusClient, RangeQuery};
use benchcmp::source::{load_run, snapshot, Endpoint, Queries, Reading, RunData};
use support::*;

fn setup() -> (Config, Pack, Arc<dyn Endpoint>) {
    let prom = prometheus();
    let config = config::parse(&fixture_config(&prom.url), "test.toml", &|_| None).unwrap();
    let pack = pack::load_dir(&queries_dir()).unwrap();
    let client: Arc<dyn Endpoint> =
        Arc::new(PrometheusClient::new(config.source.as_ref().unwrap()).unwrap());
    (config, pack, client)
}

/// Reads every metric of `pack` for the config run `name` from the server.
fn fetch(config: &Config, pack: &Pack, client: &Arc<dyn Endpoint>, name: &str) -> RunData {
    let run = run::resolve(name, config, &work_dir().join("no-baselines")).unwrap();
    let metrics: Vec<_> = pack.metrics.iter().collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(load_run(
        &run,
        &metrics,
        &config.defaults,
        &Reading::quiet(Some(client), false),
    ))
    .unwrap()
}

fn live(name: &str) -> (Config, Pack, RunData) {
    let (config, pack, client) = setup();
    let data = fetch(&config, &pack, &client, name);
    (config, pack, data)
}

fn steady(config: &Config, pack: &Pack, data: &RunData, id: &str) -> Series {
    let series = data
        .series(pack.get(id).unwrap(), &config.defaults)
        .unwrap()
        .unwrap();
    Series::new(series.steady().to_vec())
}

fn assert_all(series: &Series, expected: f64, what: &str) {
    assert!(series.len() >= 450, "{what}: only {} points", series.len());
    for (t, v) in series.points() {
        assert!(
            (v - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{what} at {t}: {v} != {expected}"
        );
    }
}

fn total(series: &Series) -> f64 {
    series.values().iter().sum()
}

#[test]
fn weekly_values_come_back_as_generated() {
    let (c, p, d) = live("weekly");
    assert_all(&steady(&c, &p, &d, "throughput"), 150.0, "throughput");
    assert_all(&steady(&c, &p, &d, "created"), 150.0, "created");
    assert_all(
        &steady(&c, &p, &d, "job_completion"),
        150.0,
        "job completion",
    );
    assert_all(&steady(&c, &p, &d, "job_push"), 150.0, "job push");
    // 40% of observations at 0.2 s (bucket 0.25), 60% at 0.4 s (bucket 0.5):
    // p50 = 0.25 + (0.5 - 0.4) / 0.6 * 0.25, p99 = 0.25 + (0.99 - 0.4) / 0.6 * 0.25
    assert_all(
        &steady(&c, &p, &d, "latency_p50"),
        0.25 + 0.1 / 0.6 * 0.25,
        "p50",
    );
    assert_all(
        &steady(&c, &p, &d, "latency_p99"),
        0.25 + 0.59 / 0.6 * 0.25,
        "p99",
    );
    assert_all(
        &steady(&c, &p, &d, "latency_mean"),
        0.4 * 0.2 + 0.6 * 0.4,
        "mean latency",
    );
    assert_all(&steady(&c, &p, &d, "backpressure"), 0.0, "backpressure");
    // Series that only exist once an event happened read 0 in a healthy run.
    assert_all(&steady(&c, &p, &d, "job_timeouts"), 0.0, "timeouts");
    assert_all(&steady(&c, &p, &d, "rejections"), 0.0, "rejections");
    assert_all(&steady(&c, &p, &d, "cpu_throttling"), 5.0, "throttling");
    assert_all(
        &steady(&c, &p, &d, "worker_memory"),
        180.0 * 1024.0 * 1024.0,
        "memory",
    );
    // The leader-balancer restarted twice: not counted.
    assert_eq!(total(&steady(&c, &p, &d, "restarts")), 0.0);
    assert_eq!(total(&steady(&c, &p, &d, "oom_kills")), 0.0);
    assert!(
        steady(&c, &p, &d, "oom_kills").len() >= 450,
        "OOM kills must read 0, not be empty"
    );
}

#[test]
fn rest_run_values_come_back_as_generated() {
    let (c, p, d) = live("rest-run");
    assert_all(&steady(&c, &p, &d, "throughput"), 45.0, "throughput");
    assert_all(&steady(&c, &p, &d, "created"), 60.0, "created");
    // Legacy histogram names, every observation above the top bucket: the ceiling.
    assert_all(&steady(&c, &p, &d, "latency_p99"), 60.0, "p99");
    assert_all(&steady(&c, &p, &d, "latency_p50"), 60.0, "p50");
    assert_all(&steady(&c, &p, &d, "latency_mean"), 75.0, "mean latency");
    assert_all(&steady(&c, &p, &d, "backpressure"), 0.0, "backpressure");
    assert_all(&steady(&c, &p, &d, "job_push"), 0.0, "job push");
    assert_all(&steady(&c, &p, &d, "job_timeouts"), 2.0, "timeouts");
    assert_all(&steady(&c, &p, &d, "rejections"), 500.0, "rejections");
    assert_all(&steady(&c, &p, &d, "cpu_throttling"), 65.0, "throttling");
    // 3 workers × 8 restarts, all after the 10 min warm-up.
    assert_eq!(total(&steady(&c, &p, &d, "restarts")), 24.0);
    assert_eq!(total(&steady(&c, &p, &d, "oom_kills")), 24.0);
}

/// Quantiles and means computed from one fetch of the histogram equal what Prometheus
/// returns for the equivalent PromQL (`histogram_quantile(q, <buckets>)`, `<sum> / <count>`)
/// at every timestamp: current and pre-8.7 names, ceilings, noise, collapses, outages.
#[test]
fn histogram_statistics_equal_prometheus_own() {
    let (config, pack, client) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let derived: Vec<_> = pack
        .metrics
        .iter()
        .filter(|m| m.derived.is_some())
        .collect();
    assert_eq!(
        derived.len(),
        3,
        "the default pack derives p50, p99 and the mean"
    );
    let mut compared = 0;
    let mut distinct = std::collections::BTreeSet::new();
    for name in config.runs.keys() {
        let data = fetch(&config, &pack, &client, name);
        let run = &data.run;
        for m in &derived {
            let ours = &data.metrics[&m.id];
            let theirs = rt
                .block_on(client.query_range(&RangeQuery {
                    query: ours.query.clone(),
                    start_ms: run.start_ms,
                    end_ms: run.end_ms,
                    step_ms: run.step_ms,
                }))
                .unwrap()
                .matrix;
            assert_eq!(ours.matrix.len(), theirs.len(), "{name} {}", m.id);
            for (a, b) in ours.matrix.iter().zip(&theirs) {
                assert_eq!(a.labels, b.labels, "{name} {}", m.id);
                assert_eq!(a.points.len(), b.points.len(), "{name} {}", m.id);
                for ((ta, va), (tb, vb)) in a.points.iter().zip(&b.points) {
                    assert_eq!(ta, tb, "{name} {}", m.id);
                    let same = (va.is_nan() && vb.is_nan())
                        || va == vb
                        || (va - vb).abs() <= 1e-9 * vb.abs().max(1e-300);
                    assert!(
                        same,
                        "{name} {} at {ta}: {va} here, {vb} from Prometheus",
                        m.id
                    );
                    compared += 1;
                    distinct.insert(va.to_bits());
                }
            }
        }
    }
    // The pack's saturates_at is checked against the histogram's top bucket.
    assert!(
        fetch(&config, &pack, &client, "weekly").warnings.is_empty(),
        "the default pack's 60 s ceiling is the fixtures' top bucket"
    );
    let mut wrong = pack.clone();
    for m in &mut wrong.metrics {
        if m.id == "latency_p99" {
            m.saturates_at = Some(30.0);
        }
        if m.id == "latency_p50" {
            m.saturates_at = None;
        }
    }
    let warnings = fetch(&config, &wrong, &client, "weekly")
        .warnings
        .join("\n");
    assert!(
        warnings.contains("\"latency_p99\": the histogram's top finite bucket is 60 s but its saturates_at is 30 s")
            && warnings.contains("\"latency_p50\": the histogram's top finite bucket is 60 s but it has no saturates_at")
            && warnings.contains("saturates_at = \"60s\""),
        "{warnings}"
    );
    // Noisy runs interpolate all over their buckets: not a handful of exact values.
    assert!(
        compared > 5_000 && distinct.len() > 1_000,
        "only {compared} points, {} distinct values, compared",
        distinct.len()
    );
}

/// `max_by` done here gives the series PromQL's `max by (...)` gives on the server, and so
/// the same restart counts: replaced pods, restarts, OOM kills.
#[test]
fn max_by_here_equals_max_by_in_promql() {
    let (config, pack, client) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let restarts = pack.get("restarts").unwrap();
    let labels = restarts
        .max_by
        .clone()
        .expect("the pack groups restarts here");
    let mut in_promql = restarts.clone();
    in_promql.max_by = None;
    let mut events = 0.0;
    for name in config.runs.keys() {
        let data = fetch(&config, &pack, &client, name);
        let run = &data.run;
        let ours = &data.metrics["restarts"];
        let theirs = rt
            .block_on(client.query_range(&RangeQuery {
                query: format!("max by ({}) ({})", labels.join(", "), ours.query),
                start_ms: run.start_ms,
                end_ms: run.end_ms,
                step_ms: run.step_ms,
            }))
            .unwrap()
            .matrix;
        let mut grouped = benchcmp::series::max_by(&ours.matrix, &labels);
        let mut theirs = theirs;
        grouped.sort_by(|a, b| a.labels.cmp(&b.labels));
        theirs.sort_by(|a, b| a.labels.cmp(&b.labels));
        assert_eq!(grouped, theirs, "{name}");
        let here = benchcmp::series::reduce(restarts, &ours.matrix, run.start_ms).unwrap();
        let there =
            benchcmp::series::reduce(&in_promql, &std::sync::Arc::new(theirs), run.start_ms)
                .unwrap();
        assert_eq!(here, there, "{name}");
        events += total(&here);
    }
    assert!(events > 0.0, "no restarts in the fixtures to count");
}

#[test]
fn a_namespace_without_data_is_empty_not_zero() {
    let (config, pack, client) = setup();
    let mut config = config;
    let mut ghost = config.runs["weekly"].clone();
    ghost
        .vars
        .insert("namespace".into(), "no-such-namespace".into());
    config.runs.insert("ghost".into(), ghost);
    let data = fetch(&config, &pack, &client, "ghost");
    for m in &pack.metrics {
        let s = data.series(m, &config.defaults).unwrap().unwrap();
        assert!(
            s.full.is_empty(),
            "{} reads data for a namespace that does not exist",
            m.id
        );
    }
}

#[test]
fn template_values_are_escaped_inside_regex_matchers() {
    let (config, pack, client) = setup();
    let mut config = config;
    let run = |ns: benchcmp::template::VarValue| config::RunConfig {
        vars: [("namespace".to_string(), ns)].into_iter().collect(),
        start_ms: REGEX_START * 1000,
        end_ms: (REGEX_START + 3600) * 1000,
        window_set: true,
        ends_now: false,
    };
    config.runs.insert("dotted".into(), run("a.b".into()));
    config.runs.insert(
        "both".into(),
        run(benchcmp::template::VarValue::Many(vec![
            "a.b".into(),
            "axb".into(),
        ])),
    );
    let throughput = |config: &Config, pack: &Pack, name: &str| -> Vec<f64> {
        let data = fetch(config, pack, &client, name);
        steady(config, pack, &data, "throughput").values().to_vec()
    };
    // `namespace=~"$namespace"` with a.b: only a.b, not axb as well
    let dotted = throughput(&config, &pack, "dotted");
    assert!(
        dotted.len() >= 60 && dotted.iter().all(|v| (v - 100.0).abs() < 1e-9),
        "{dotted:?}"
    );
    // two values: a|b inside the matcher, both runs summed
    let both = throughput(&config, &pack, "both");
    assert!(
        both.len() >= 60 && both.iter().all(|v| (v - 300.0).abs() < 1e-9),
        "{both:?}"
    );
    // ${namespace:raw} asks for the value as a regex: a.b matches axb too
    let raw_text = std::fs::read_to_string(queries_dir().join("zeebe.toml"))
        .unwrap()
        .replace(
            "namespace=~\"$namespace\"",
            "namespace=~\"${namespace:raw}\"",
        );
    let raw = pack::parse_files(&[("raw.toml".into(), raw_text)]).unwrap();
    let summed = throughput(&config, &raw, "dotted");
    assert!(
        summed.iter().all(|v| (v - 300.0).abs() < 1e-9),
        "{summed:?}"
    );
}

#[test]
fn long_windows_are_split_and_stitched() {
    let (_, _, client) = setup();
    let q = RangeQuery {
        query: "max(benchcmp_test_staircase{namespace=\"day\"})".into(),
        start_ms: DAY_START * 1000,
        end_ms: (DAY_START + 86_400) * 1000,
        step_ms: 5_000,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let matrix = rt.block_on(client.query_range(&q)).unwrap().matrix;
    assert_eq!(matrix.len(), 1);
    let points = &matrix[0].points;
    assert_eq!(points.len(), 17_281, "24 h at 5 s is 17,281 points");
    for (i, (t, v)) in points.iter().enumerate() {
        assert_eq!(t, (DAY_START + 5 * i as i64) * 1000);
        // the gauge holds the index of the latest 30 s scrape
        assert_eq!(v, ((5 * i) / 30) as f64, "at {t}");
    }
}

#[test]
fn record_then_load_is_exactly_equal() {
    let prom = prometheus();
    let dir = temp_dir("record");
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&prom.url)).unwrap();
    let queries = queries_dir();
    let q = queries.to_str().unwrap();
    let out = benchcmp(&dir, &["record", "weekly", "--queries", q]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("Recorded run weekly"),
        "{}",
        text(&out.stderr)
    );
    let path = dir.join("baselines/weekly.json");
    let snap = snapshot::load(&path).unwrap();

    let (_, pack, live_data) = live("weekly");
    assert_eq!(snap.metrics.len(), pack.metrics.len());
    for (id, recorded) in &snap.metrics {
        let fetched = &live_data.metrics[id];
        assert_eq!(recorded.query, fetched.query, "{id}");
        assert_eq!(recorded.matrix.len(), fetched.matrix.len(), "{id}");
        for (a, b) in recorded.matrix.iter().zip(fetched.matrix.iter()) {
            assert_eq!(a.labels, b.labels);
            let bits = |s: &benchcmp::series::LabeledSeries| {
                s.points
                    .iter()
                    .map(|p| (p.0, p.1.to_bits()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(bits(a), bits(b), "{id}");
        }
    }
    assert_eq!(snap.run.name, "weekly");
    assert_eq!(snap.run.vars["namespace"], WEEKLY_NS.into());
    assert_eq!(snap.source.as_deref(), Some(prom.url.as_str()));

    // Never overwritten silently.
    let again = benchcmp(&dir, &["record", "weekly", "--queries", q]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );
    let forced = benchcmp(&dir, &["record", "weekly", "--queries", q, "--force"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));

    // `runs` lists the config runs and the snapshot.
    let runs = benchcmp(&dir, &["runs"]);
    assert!(runs.status.success(), "{}", text(&runs.stderr));
    let listing = text(&runs.stdout);
    assert!(
        listing.contains("rest-run") && listing.contains("benchcmp.toml"),
        "{listing}"
    );
    assert!(
        listing.contains("baselines/weekly.json") && listing.contains("2025-06-27 08:00"),
        "{listing}"
    );
    assert!(listing.contains(WEEKLY_NS), "{listing}");

    // A snapshot resolves by name when no config run has that name.
    let snap_only = benchcmp::config::Config::default();
    let resolved = run::resolve("weekly", &snap_only, &dir.join("baselines")).unwrap();
    assert!(resolved.is_snapshot());
}

#[test]
fn queries_check_reports_every_default_metric() {
    let prom = prometheus();
    let dir = temp_dir("check");
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&prom.url)).unwrap();
    let q = queries_dir();
    let out = benchcmp(
        &dir,
        &[
            "queries",
            "--check",
            "--run",
            "weekly",
            "--queries",
            q.to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("Prometheus 2."), "{stdout}");
    let pack = pack::load_dir(&q).unwrap();
    for m in &pack.metrics {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(m.id.as_str()))
            .unwrap();
        assert!(line.trim_start().starts_with("ok"), "{line}");
        if m.kind == pack::Kind::Count {
            // Counters come one series per container: 3 workers, 3 brokers and the starter
            // (the leader-balancer CronJob is left out).
            assert!(line.contains(" series, "), "{line}");
            continue;
        }
        // 481 sample times; rate() needs two samples, so rates start one step late.
        assert!(
            line.contains("1 series, 481 points") || line.contains("1 series, 480 points"),
            "{line}"
        );
    }
    assert!(
        stdout.contains(&format!("{} ok, 0 empty, 0 errors", pack.metrics.len())),
        "{stdout}"
    );
}

#[test]
fn queries_check_shows_empty_results_and_server_errors() {
    let prom = prometheus();
    let dir = temp_dir("check-bad");
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&prom.url)).unwrap();
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    std::fs::write(
        dir.join("queries/bad.toml"),
        r#"
[[metric]]
id = "good"
title = "Good"
better = "higher"
query = 'sum(rate(zeebe_job_events_total{namespace="$namespace"}[$__rate_interval]))'

[[metric]]
id = "nothing"
title = "Nothing"
better = "lower"
query = 'sum(no_such_metric{namespace="$namespace"})'

[[metric]]
id = "broken"
title = "Broken"
better = "lower"
query = 'sum(rate(x[$__rate_interval])'

[[metric]]
id = "typo"
title = "Typo"
better = "lower"
query = 'up{namespace="$namespce"}'
"#,
    )
    .unwrap();
    let out = benchcmp(&dir, &["queries", "--check", "--run", "weekly"]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let line = |id: &str| {
        stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(id))
            .unwrap()
            .to_string()
    };
    assert!(line("good").contains("ok"), "{stdout}");
    assert!(line("nothing").contains("EMPTY"), "{stdout}");
    let broken = line("broken");
    assert!(
        broken.contains("ERROR") && broken.contains("bad_data") && broken.contains("parse error"),
        "{stdout}"
    );
    assert!(
        stdout.contains("query: sum(rate(x[2m])"),
        "expanded query shown: {stdout}"
    );
    assert!(
        line("typo").contains("unknown variable $namespce"),
        "{stdout}"
    );
    assert!(stdout.contains("1 ok, 1 empty, 2 errors"), "{stdout}");
}

#[test]
fn source_faults_exit_3_with_clear_messages() {
    let prom = prometheus();
    let dir = temp_dir("faults");
    let q = queries_dir();
    let q = q.to_str().unwrap();
    // A closed port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let cfg = fixture_config(&format!("http://{closed}"))
        .replace("timeout = \"20s\"", "timeout = \"2s\"\nretries = 1");
    std::fs::write(dir.join("benchcmp.toml"), cfg).unwrap();
    let out = benchcmp(
        &dir,
        &["record", "weekly", "--queries", q, "--output", "x.json"],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cannot connect") && stderr.contains(&closed.to_string()),
        "{stderr}"
    );
    assert!(
        stderr.contains("after 2 attempts") && stderr.contains("metrics: throughput, created,"),
        "{stderr}"
    );
    // One cause for all 14 metrics is one line, not 14 with their queries.
    assert_eq!(stderr.matches("cannot connect").count(), 1, "{stderr}");
    assert!(stderr.lines().count() <= 5, "{stderr}");
    let verbose = benchcmp(
        &dir,
        &[
            "record",
            "weekly",
            "--queries",
            q,
            "--output",
            "x.json",
            "-v",
        ],
    );
    assert!(
        text(&verbose.stderr)
            .contains("  throughput: sum(rate(zeebe_element_instance_events_total"),
        "{}",
        text(&verbose.stderr)
    );
    assert!(
        !dir.join("x.json").exists(),
        "no snapshot is written on failure"
    );

    // A URL that is not the API root: Prometheus answers 404 with a non-JSON page.
    let out = benchcmp(
        &dir,
        &[
            "record",
            "weekly",
            "--queries",
            q,
            "--output",
            "x.json",
            "--prometheus",
            &format!("{}/not-prometheus", prom.url),
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("404") && stderr.contains("is this a Prometheus API URL"),
        "{stderr}"
    );
}

#[test]
fn several_series_without_combine_is_an_error_naming_labels() {
    let (config, _, client) = setup();
    let dir = temp_dir("combine");
    std::fs::write(
        dir.join("p.toml"),
        r#"
[[metric]]
id = "per_pod"
title = "Per pod"
better = "lower"
query = 'max by (pod) (container_memory_working_set_bytes{namespace="$namespace"})'
"#,
    )
    .unwrap();
    let pack = pack::load_dir(&dir).unwrap();
    let data = fetch(&config, &pack, &client, "weekly");
    let e = data
        .series(&pack.metrics[0], &config.defaults)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("per_pod")
            && e.contains("3 series")
            && e.contains("benchmark-worker-5d8f7c-abcde"),
        "{e}"
    );
}
