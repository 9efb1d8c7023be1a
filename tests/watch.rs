//! `benchcmp watch` end to end: a recorded run replayed as if live (`--replay`), and runs
//! read from a real Prometheus poll by poll, each poll asking only for the samples since
//! the previous one (`--speed` runs the run's clock from its start).

mod support;

use std::path::Path;

use serde_json::Value;
use support::*;

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

#[test]
fn the_rest_run_replayed_fails_within_minutes_of_steady_state() {
    let dir = temp_dir("watch-rest");
    let out = watch(
        &dir,
        &[
            "--baseline",
            &snap("weekly"),
            "--replay",
            &snap("rest-run"),
            "--speed",
            "3000",
            "--stop-on-fail",
            "--only",
            "throughput,created,latency_p99,backpressure",
            "--json-lines",
            "live.jsonl",
            "--json",
            "report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
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
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["format"], "benchcmp.report.v1");
    assert_eq!(report["candidate"]["name"], "rest-run");
    assert!(report["candidate"]["end"].as_str().unwrap() < "2025-06-30T10:30:00Z");
    assert!(
        text(&out.stderr).contains("FAIL throughput"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_healthy_run_replayed_passes_and_writes_the_reports() {
    let dir = temp_dir("watch-pass");
    let out = watch(
        &dir,
        &[
            "--baseline",
            &snap("weekly"),
            "--replay",
            &snap("weekly-cw24"),
            "--speed",
            "4000",
            "--only",
            "throughput,created,latency_p50,backpressure,restarts",
            "--json-lines",
            "live.jsonl",
            "--junit",
            "junit.xml",
            "--markdown",
            "report.md",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let records = records(&dir.join("live.jsonl"));
    let last = records.last().unwrap();
    assert_eq!(last["state"], "pass");
    // Not before the minimum duration, and well before the end of the run.
    let steady = last["steady_seconds"].as_f64().unwrap();
    assert!((900.0..7200.0).contains(&steady), "passed after {steady} s");
    // Never a FAIL on the way.
    assert!(records.iter().all(|r| r["state"] != "fail"));
    assert!(std::fs::read_to_string(dir.join("junit.xml"))
        .unwrap()
        .contains("<testsuite"));
    assert!(std::fs::read_to_string(dir.join("report.md"))
        .unwrap()
        .contains("weekly-cw24"));
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
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
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
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let records = records(&dir.join("live.jsonl"));
    assert_eq!(records.last().unwrap()["state"], "pass");
    assert!(records.iter().all(|r| r["state"] != "fail"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_with_the_reports_of_what_was_seen_and_exit_4() {
    let dir = temp_dir("watch-interrupt");
    let exe = env!("CARGO_BIN_EXE_benchcmp");
    let q = queries_dir();
    let child = std::process::Command::new(exe)
        .args([
            "watch",
            "--queries",
            q.to_str().unwrap(),
            "--baseline",
            &snap("weekly"),
            "--replay",
            &snap("weekly-cw24"),
            "--speed",
            "60",
            "--only",
            "throughput",
            "--json",
            "report.json",
            "--json-lines",
            "live.jsonl",
        ])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Let it poll through the warm-up into the steady window (at 60× a minute a second).
    std::thread::sleep(std::time::Duration::from_millis(12_000));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("stopped before a decision"));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["candidate"]["name"], "weekly-cw24");
    assert!(!records(&dir.join("live.jsonl")).is_empty());
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
