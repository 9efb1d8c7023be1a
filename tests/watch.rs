//! `benchcmp watch` end to end: a recorded run replayed as if live (`--replay`), runs read
//! from a real Prometheus poll by poll, each poll asking only for the samples since the
//! previous one (`--speed` runs the run's clock from its start), and a real Prometheus
//! scraping a live exporter in real time. In every test the exit code is the report's.

mod support;

/// Everything a watch said: its lines and table on stdout, diagnostics on stderr.
fn said(out: &std::process::Output) -> String {
    support::text(&out.stdout) + &support::text(&out.stderr)
}

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::exporter::Exporter;
use support::*;

/// The JSON report `name` in `dir`.
fn report(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{name} was not written: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The exit code is the report's, and the last JSON-lines record carries its verdict.
fn exits_as_reported(out: &std::process::Output, report: &Value, records: Option<&[Value]>) {
    assert_eq!(
        out.status.code(),
        report["exit_code"].as_i64().map(|c| c as i32),
        "{}",
        said(out)
    );
    if let Some(records) = records {
        assert_eq!(records.last().unwrap()["verdict"], report["verdict"]);
    }
}

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn metric_of<'a>(record: &'a Value, id: &str) -> &'a Value {
    record["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {record}"))
}

/// Minutes of steady data when `id` was first FAIL.
fn failed_after(records: &[Value], id: &str) -> Option<f64> {
    records
        .iter()
        .find(|r| metric_of(r, id)["state"] == "fail")
        .map(|r| r["steady_seconds"].as_f64().unwrap() / 60.0)
}

fn watch(dir: &Path, args: &[&str]) -> std::process::Output {
    let q = queries_dir();
    let mut all = vec!["watch", "--queries", q.to_str().unwrap()];
    all.extend_from_slice(args);
    benchcmp(dir, &all)
}

/// `candidate`'s snapshot replayed against the weekly baseline at `speed`, with `extra`.
fn replay(dir: &Path, candidate: &str, speed: &str, extra: &[&str]) -> std::process::Output {
    let (weekly, recorded) = (snap("weekly"), snap(candidate));
    let mut args = vec![
        "--baseline",
        &weekly,
        "--replay",
        &recorded,
        "--speed",
        speed,
    ];
    args.extend_from_slice(extra);
    watch(dir, &args)
}

/// `benchcmp watch args` in `dir`, interrupted (SIGINT) after `after`.
#[cfg(unix)]
fn interrupted(dir: &Path, args: &[&str], after: Duration) -> std::process::Output {
    let q = queries_dir();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_benchcmp"))
        .args(["watch", "--queries", q.to_str().unwrap()])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait_with_output().unwrap()
}

#[test]
fn the_rest_run_replayed_fails_within_minutes_of_steady_state() {
    let dir = temp_dir("watch-rest");
    let out = replay(
        &dir,
        "rest-run",
        "3000",
        &[
            "--stop-on-fail",
            "--only",
            "throughput,created,latency_p99,backpressure",
            "--json-lines",
            "live.jsonl",
            "--json",
            "report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let records = records(&dir.join("live.jsonl"));
    let last = records.last().unwrap();
    assert_eq!(last["format"], "benchcmp.watch.v1");
    assert_eq!(last["state"], "fail");
    // The 70% throughput drop: FAIL within 10 minutes of steady data (it is in 4).
    let minutes = failed_after(&records, "throughput").expect("throughput failed");
    assert!(minutes <= 10.0, "throughput failed after {minutes} min");
    // It stopped there: far from the end of the 4 h run.
    assert!(last["steady_seconds"].as_f64().unwrap() < 1800.0);
    // Backpressure at 0% never failed; the censored latency failed as a lower bound.
    assert_ne!(metric_of(last, "backpressure")["state"], "fail");
    assert_eq!(metric_of(last, "latency_p99")["state"], "fail");
    // The report of the window seen is compare's, for the minutes watched.
    let report = report(&dir, "report.json");
    assert_eq!(report["format"], "benchcmp.report.v1");
    assert_eq!(report["candidate"]["name"], "rest-run");
    assert!(report["candidate"]["end"].as_str().unwrap() < "2025-06-30T10:30:00Z");
    assert!(said(&out).contains("FAIL throughput"), "{}", said(&out));
    exits_as_reported(&out, &report, Some(&records));
}

/// The story's third run: fine for an hour and a half, then throughput collapses by 75%.
/// Watched with default options it fails within minutes of the collapse, on its recent
/// level (the whole run's mean is still inside the budget then), and ends with exit 1.
#[test]
fn a_run_that_starts_fine_and_then_collapses_fails_within_minutes_of_the_collapse() {
    let dir = temp_dir("watch-collapse");
    let out = replay(
        &dir,
        "rest-run-2",
        "20000",
        &[
            "--only",
            "throughput",
            "--json-lines",
            "live.jsonl",
            "--json",
            "report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let records = records(&dir.join("live.jsonl"));
    // The collapse begins 89.5 minutes into the steady window.
    let minutes = failed_after(&records, "throughput").expect("throughput failed");
    assert!(
        (89.5..=99.5).contains(&minutes),
        "failed after {minutes} min"
    );
    let report = report(&dir, "report.json");
    let reason = &report["metrics"][0]["reasons"][0];
    assert_eq!(reason["code"], "failed_live");
    assert!(reason["recent_samples"].as_u64().is_some(), "{reason}");
    exits_as_reported(&out, &report, Some(&records));
    // The whole pack too.
    let out = replay(&dir, "rest-run-2", "20000", &["--json", "all.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let all: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("all.json")).unwrap()).unwrap();
    exits_as_reported(&out, &all, None);
}

/// A healthy run passing so far is watched to the end of its window (a later collapse
/// would still fail it), then passes with `compare`'s verdict of the whole window.
#[test]
fn a_healthy_run_is_watched_to_its_end_and_passes() {
    let dir = temp_dir("watch-pass");
    let out = replay(
        &dir,
        "weekly-cw24",
        "4000",
        &[
            "--only",
            "throughput,created,latency_p50,backpressure,restarts",
            "--json-lines",
            "live.jsonl",
            "--junit",
            "junit.xml",
            "--markdown",
            "report.md",
            "--json",
            "report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let records = records(&dir.join("live.jsonl"));
    let last = records.last().unwrap();
    // Passing so far, to the end of the window: 3h50m of steady data.
    assert_eq!(last["state"], "passing");
    assert_eq!(last["steady_seconds"].as_f64(), Some(13_800.0));
    assert!(records.iter().all(|r| r["state"] != "pass"));
    // Never a FAIL on the way.
    assert!(records.iter().all(|r| r["state"] != "fail"));
    assert!(records[..records.len() - 1]
        .iter()
        .all(|r| r["verdict"].is_null()));
    assert!(std::fs::read_to_string(dir.join("junit.xml"))
        .unwrap()
        .contains("<testsuite"));
    assert!(std::fs::read_to_string(dir.join("report.md"))
        .unwrap()
        .contains("weekly-cw24"));
    let report = report(&dir, "report.json");
    assert_eq!(report["verdict"], "pass");
    exits_as_reported(&out, &report, Some(&records));
}

/// `--stop-on-pass` releases a healthy run as soon as every metric has passed (and
/// `compare` on the window seen agrees): not before the minimum duration, long before the
/// window's end.
#[test]
fn stop_on_pass_releases_a_healthy_run_early() {
    let dir = temp_dir("watch-release");
    let out = replay(
        &dir,
        "weekly-cw24",
        "4000",
        &[
            "--stop-on-pass",
            "--only",
            "throughput,created,latency_p50,backpressure,restarts",
            "--json-lines",
            "live.jsonl",
            "--json",
            "report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let records = records(&dir.join("live.jsonl"));
    let last = records.last().unwrap();
    assert_eq!(last["state"], "pass");
    let steady = last["steady_seconds"].as_f64().unwrap();
    assert!((900.0..7200.0).contains(&steady), "passed after {steady} s");
    let report = report(&dir, "report.json");
    assert_eq!(report["verdict"], "pass");
    assert!(report["candidate"]["end"].as_str().unwrap() < "2025-06-13T10:00:00Z");
    exits_as_reported(&out, &report, Some(&records));
}

/// Against the real Prometheus: the REST run read poll by poll (its window is in the past;
/// `--speed` runs its clock from its start), each poll asking for the new samples only.
#[test]
fn a_live_run_is_read_poll_by_poll_and_fails_early() {
    let dir = temp_dir("watch-live");
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&prometheus().url)).unwrap();
    let out = watch(
        &dir,
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--speed",
            "1500",
            "--every",
            "30s",
            "--stop-on-fail",
            "--only",
            "throughput,job_completion",
            "--json-lines",
            "live.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let records = records(&dir.join("live.jsonl"));
    // Many polls, each seeing further into the run.
    assert!(records.len() >= 10, "{} polls", records.len());
    let seen: Vec<&str> = records
        .iter()
        .map(|r| r["observed_end"].as_str().unwrap())
        .collect();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    let minutes = failed_after(&records, "throughput").expect("throughput failed");
    assert!(minutes <= 10.0, "throughput failed after {minutes} min");
}

#[test]
fn two_live_runs_of_one_distribution_pass() {
    let dir = temp_dir("watch-live-pass");
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&prometheus().url)).unwrap();
    let out = watch(
        &dir,
        &[
            "--baseline",
            "stable-a",
            "--candidate",
            "stable-b",
            "--speed",
            "3000",
            "--every",
            "2m",
            "--only",
            "throughput,created",
            "--json-lines",
            "live.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let records = records(&dir.join("live.jsonl"));
    assert_eq!(records.last().unwrap()["verdict"], "pass");
    assert!(records.iter().all(|r| r["state"] != "fail"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_with_the_reports_of_what_was_seen_and_exit_4() {
    let dir = temp_dir("watch-interrupt");
    let (weekly, cw24) = (snap("weekly"), snap("weekly-cw24"));
    // Let it poll through the warm-up into the steady window (at 60× a minute a second).
    let out = interrupted(
        &dir,
        &[
            "--baseline",
            &weekly,
            "--replay",
            &cw24,
            "--speed",
            "60",
            "--only",
            "throughput",
            "--json",
            "report.json",
            "--json-lines",
            "live.jsonl",
        ],
        Duration::from_millis(12_000),
    );
    assert_eq!(out.status.code(), Some(4), "{}", said(&out));
    assert!(
        said(&out).contains("INCONCLUSIVE") && said(&out).contains("(stopped)"),
        "{}",
        said(&out)
    );
    let report = report(&dir, "report.json");
    assert_eq!(report["candidate"]["name"], "weekly-cw24");
    assert_eq!(
        report["metrics"][0]["reasons"][0]["code"],
        "not_seen_to_end"
    );
    let records = records(&dir.join("live.jsonl"));
    exits_as_reported(&out, &report, Some(&records));
}

/// Ctrl-C before the steady window has begun: nothing to report, said in one line.
#[cfg(unix)]
#[test]
fn ctrl_c_in_the_warm_up_says_why_there_is_no_report() {
    let dir = temp_dir("watch-interrupt-early");
    let (weekly, leak) = (snap("weekly"), snap("leak"));
    let out = interrupted(
        &dir,
        &[
            "--baseline",
            &weekly,
            "--replay",
            &leak,
            "--speed",
            "60",
            "--json",
            "x.json",
            "--markdown",
            "x.md",
        ],
        Duration::from_millis(3_000),
    );
    assert_eq!(out.status.code(), Some(4), "{}", said(&out));
    let said = said(&out);
    assert!(
        said.contains("no report written") && said.contains("warm-up"),
        "{said}"
    );
    assert!(!dir.join("x.json").exists() && !dir.join("x.md").exists());
}

#[test]
fn bad_watch_options_are_usage_errors() {
    let dir = temp_dir("watch-bad");
    let weekly = snap("weekly");
    let weekly = weekly.as_str();
    for (args, words) in [
        (
            vec!["--baseline", weekly, "--replay", weekly, "--candidate", "x"],
            "leave out --candidate",
        ),
        (
            vec!["--baseline", weekly, "--replay", weekly, "--speed", "0"],
            "--speed 0",
        ),
        (
            vec!["--baseline", weekly, "--replay", weekly, "--every", "soon"],
            "--every soon",
        ),
        (
            vec!["--baseline", weekly, "--candidate", weekly],
            "not live",
        ),
        (
            vec![
                "--baseline",
                weekly,
                "--replay",
                weekly,
                "--json-lines",
                weekly,
            ],
            "--json-lines",
        ),
    ] {
        let out = watch(&dir, &args);
        assert_refused(&out, 2, words);
    }
}

/// A baseline snapshot of `namespace`'s throughput at `level` (±1%), `samples` samples
/// `step_s` apart from `start` (epoch seconds).
fn throughput_snapshot(
    path: &Path,
    namespace: &str,
    start: i64,
    samples: i64,
    step_s: i64,
    level: f64,
) {
    let values: Vec<Value> = (1..=samples)
        .map(|k| {
            let wobble = 1.0 + 0.01 * ((k * 7919 % 13) as f64 / 6.0 - 1.0);
            serde_json::json!([start + k * step_s, format!("{}", level * wobble)])
        })
        .collect();
    let time = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let doc = serde_json::json!({
        "format": "benchcmp.snapshot.v1",
        "run": {
            "name": "base",
            "vars": {"namespace": namespace},
            "start": time(start),
            "end": time(start + samples * step_s),
            "step": format!("{step_s}s"),
        },
        "source": "test",
        "recorded_at": time(start + samples * step_s),
        "metrics": {
            "throughput": {
                "query": format!("sum(rate(zeebe_element_instance_events_total{{namespace=~\"{namespace}\", action=\"completed\", type=\"PROCESS\"}}[6s]))"),
                "data": {"resultType": "matrix", "result": [{"metric": {}, "values": values}]},
            }
        }
    });
    std::fs::write(path, serde_json::to_string(&doc).unwrap()).unwrap();
}

/// A config reading `live` from `url` at a 5 s step, scraped every second, from `start`
/// (epoch seconds) for `minutes`.
fn live_config(url: &str, start: i64, minutes: i64) -> String {
    let start = chrono::DateTime::from_timestamp(start, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    format!(
        "[source]\nurl = \"{url}\"\ntimeout = \"5s\"\n\n[defaults]\nstep = \"5s\"\nscrape_interval = \"1s\"\nwarmup = \"10s\"\n\n[runs.live]\nvars = {{ namespace = \"live-run\" }}\nstart = \"{start}\"\nduration = \"{minutes}m\"\n"
    )
}

/// The arguments of a watch of the live run, polled every 5 s.
const LIVE_WATCH: [&str; 12] = [
    "--baseline",
    "base.json",
    "--candidate",
    "live",
    "--every",
    "5s",
    "--only",
    "throughput",
    "--json-lines",
    "live.jsonl",
    "--json",
    "report.json",
];

/// A live exporter counting at `rate`, a real Prometheus scraping it every second, and in
/// `dir` a baseline snapshot at 150 PI/s and a config whose run `live` began with the
/// exporter and lasts `minutes`.
fn live_setup(
    dir: &Path,
    rate: impl Fn(f64) -> f64 + Send + 'static,
    minutes: i64,
) -> (Exporter, prom::Prometheus) {
    let exporter = Exporter::start("live-run", rate);
    let prom = prom::start_scraping(&[&exporter.address], "1s", &work_dir());
    let start = exporter::epoch_seconds_at(exporter.started, 0.0, 5);
    throughput_snapshot(&dir.join("base.json"), "base", start - 1200, 120, 5, 150.0);
    std::fs::write(
        dir.join("benchcmp.toml"),
        live_config(&prom.url, start, minutes),
    )
    .unwrap();
    (exporter, prom)
}

/// Seconds from `at` (an RFC 3339 time) back to `since` (epoch seconds).
fn seconds_after(at: &str, since: f64) -> f64 {
    chrono::DateTime::parse_from_rfc3339(at)
        .unwrap()
        .timestamp() as f64
        - since
}

/// A real Prometheus scraping a live exporter every second: throughput falls by 70% after
/// a good start, and the watch, polling every 5 s, fails it within minutes of the drop
/// (in about a minute: the recent level of 10 samples).
#[test]
fn a_live_exporter_that_collapses_after_a_good_start_is_failed_within_minutes() {
    let dir = temp_dir("watch-exporter-collapse");
    let drop_at = 80.0;
    let collapse = move |t: f64| {
        let level = if t < drop_at { 150.0 } else { 45.0 };
        level * (1.0 + 0.02 * (t / 3.7).sin())
    };
    let (exporter, _prom) = live_setup(&dir, collapse, 6);
    let out = watch(&dir, &LIVE_WATCH);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let records = records(&dir.join("live.jsonl"));
    let dropped = exporter::epoch_seconds_at(exporter.started, drop_at, 1) as f64;
    let failed = records
        .iter()
        .find(|r| metric_of(r, "throughput")["state"] == "fail")
        .expect("throughput failed");
    let after = seconds_after(failed["at"].as_str().unwrap(), dropped);
    eprintln!("failed {after} s after the drop");
    assert!(
        (0.0..=300.0).contains(&after),
        "failed {after} s after the drop"
    );
    // Not before it: the good start passed no failure.
    assert!(records
        .iter()
        .take_while(|r| seconds_after(r["at"].as_str().unwrap(), dropped) < 0.0)
        .all(|r| r["state"] != "fail"));
    exits_as_reported(&out, &report(&dir, "report.json"), Some(&records));
}

/// The exporter dies: the series stops, the watch says so, and once the window can no
/// longer be covered as `compare` needs, the metric fails with no data — exit 1, the
/// message naming the metric and when its data stopped.
#[test]
fn a_scrape_target_that_dies_fails_with_no_data() {
    let dir = temp_dir("watch-exporter-dies");
    let steady = |t: f64| 150.0 * (1.0 + 0.02 * (t / 3.7).sin());
    let (exporter, _prom) = live_setup(&dir, steady, 3);
    let killer = {
        let started = exporter.started;
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(60).saturating_sub(started.elapsed()));
        })
    };
    let begun = Instant::now();
    let child = std::thread::spawn({
        let dir = dir.clone();
        move || watch(&dir, &LIVE_WATCH)
    });
    killer.join().unwrap();
    exporter.kill();
    let out = child.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    // It failed before the window's end (3 minutes), not at it.
    assert!(
        begun.elapsed() < Duration::from_secs(170),
        "{:?}",
        begun.elapsed()
    );
    let said = said(&out);
    assert!(
        said.contains("FAIL throughput") && said.contains("data stopped at"),
        "{said}"
    );
    let report = report(&dir, "report.json");
    let metric = &report["metrics"][0];
    assert_eq!(metric["verdict"], "no_data");
    assert_eq!(metric["reasons"][0]["code"], "data_stopped");
    assert!(
        metric["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("its data stopped after"),
        "{metric}"
    );
    let records = records(&dir.join("live.jsonl"));
    assert!(records
        .iter()
        .any(|r| !metric_of(r, "throughput")["silent_since"].is_null()));
    exits_as_reported(&out, &report, Some(&records));
}

/// Prometheus goes away mid-watch and comes back: the watch says so, retries with backoff,
/// and goes on to its verdict.
#[test]
fn a_watch_survives_a_prometheus_restart() {
    let dir = temp_dir("watch-restart");
    let mut server = prom::start(&fixture_openmetrics(), &work_dir());
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&server.url)).unwrap();
    let outage = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(5));
        server.stop();
        std::thread::sleep(Duration::from_secs(8));
        server.restart();
        server
    });
    let out = watch(
        &dir,
        &[
            "--baseline",
            "stable-a",
            "--candidate",
            "stable-b",
            "--speed",
            "600",
            "--every",
            "1m",
            "--only",
            "throughput",
            "--give-up-after",
            "1m",
            "--json-lines",
            "live.jsonl",
            "--json",
            "report.json",
        ],
    );
    let _server = outage.join().unwrap();
    let said = said(&out);
    assert!(said.contains("source unreachable since"), "{said}");
    assert!(said.contains("source answers again"), "{said}");
    assert_eq!(out.status.code(), Some(0), "{said}");
    let report = report(&dir, "report.json");
    exits_as_reported(&out, &report, Some(&records(&dir.join("live.jsonl"))));
}

/// Prometheus goes away and stays away: the watch gives up after `--give-up-after`, writes
/// the reports of what it saw, and exits 3 — as its report says.
#[test]
fn a_watch_gives_up_on_a_source_that_stays_away_with_the_reports_of_what_it_saw() {
    let dir = temp_dir("watch-give-up");
    let mut server = prom::start(&fixture_openmetrics(), &work_dir());
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&server.url)).unwrap();
    let outage = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(4));
        server.stop();
    });
    let out = watch(
        &dir,
        &[
            "--baseline",
            "stable-a",
            "--candidate",
            "stable-b",
            "--speed",
            "300",
            "--every",
            "1m",
            "--only",
            "throughput",
            "--give-up-after",
            "10s",
            "--json",
            "report.json",
        ],
    );
    outage.join().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", said(&out));
    let report = report(&dir, "report.json");
    assert_eq!(report["exit_code"], 3);
    assert!(report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("stopped answering")));
}

/// `--since` follows a config run by its vars alone: no window needed in the config.
#[test]
fn since_follows_a_run_that_has_only_vars() {
    let dir = temp_dir("watch-since");
    let prom = prometheus();
    std::fs::write(
        dir.join("benchcmp.toml"),
        format!(
            "[source]\nurl = \"{}\"\n\n[runs.now]\nvars = {{ namespace = \"nothing-here\" }}\n",
            prom.url
        ),
    )
    .unwrap();
    let exe = env!("CARGO_BIN_EXE_benchcmp");
    let child = std::process::Command::new(exe)
        .args([
            "watch",
            "--queries",
            queries_dir().to_str().unwrap(),
            "--baseline",
            &snap("weekly"),
            "--candidate",
            "now",
            "--since",
            "20m",
            "--every",
            "30s",
            "--only",
            "throughput",
            "--json-lines",
            "live.jsonl",
        ])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", said(&out));
    let records = records(&dir.join("live.jsonl"));
    // A window opened 20 minutes ago, on whole seconds.
    let first = records[0]["observed_end"].as_str().unwrap();
    assert!(!first.contains('.'), "{first}");
}
