//! `benchcmp compare` end to end: on the shipped snapshots, against a real Prometheus with
//! known data, and with the bad inputs and faults a CI pipeline must tell apart by exit code.

mod support;

use std::path::Path;

use serde_json::Value;
use support::*;

fn live_dir(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&prometheus().url)).unwrap();
    dir
}

fn compare_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let q = queries_dir();
    let mut all = vec!["--queries", q.to_str().unwrap(), "--format", "json"];
    all.extend_from_slice(args);
    let out = benchcmp(dir, &all);
    let stdout = text(&out.stdout);
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{}", text(&out.stderr)));
    (out.status.code().unwrap(), json, text(&out.stderr))
}

/// A shipped snapshot as JSON, to change and write elsewhere.
fn shipped_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(snap(name)).unwrap()).unwrap()
}

fn metric<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no metric {id}"))
}

/// A snapshot read from a pipe (what the shell's `<(zcat weekly.json.gz)` passes) decides
/// as the file does; a pipe is not "a file that does not exist".
#[cfg(unix)]
#[test]
fn a_snapshot_can_come_through_a_pipe() {
    let dir = temp_dir("pipe");
    let fifo = dir.join("weekly.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let bytes = std::fs::read(snap("weekly")).unwrap();
            // Opening a pipe for writing waits for its reader.
            std::fs::write(&fifo, bytes).unwrap();
        })
    };
    let through_pipe = compare_json(
        &dir,
        &[
            "--baseline",
            fifo.to_str().unwrap(),
            "--candidate",
            &snap("rest-run"),
        ],
    );
    writer.join().unwrap();
    let from_file = compare_json(
        &dir,
        &[
            "--baseline",
            &snap("weekly"),
            "--candidate",
            &snap("rest-run"),
        ],
    );
    assert_eq!(through_pipe.0, 1, "{}", through_pipe.2);
    assert_eq!(through_pipe.0, from_file.0);
    assert_eq!(through_pipe.1["metrics"], from_file.1["metrics"]);
    assert_eq!(through_pipe.1["verdict"], "fail");
    assert_eq!(through_pipe.1["metrics"].as_array().map(Vec::len), Some(14));
}

#[test]
fn the_shipped_story_fails_with_exit_1() {
    let out = benchcmp(repo(), &["--baseline", "weekly", "--candidate", "rest-run"]);
    let table = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}\n{}", text(&out.stderr));
    let row = |id: &str| {
        table
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("no row {id}:\n{table}"))
            .to_string()
    };
    assert!(
        row("throughput").contains("FAIL") && row("throughput").contains("-72"),
        "{table}"
    );
    assert!(
        row("latency_p99").contains("≥ 60 s") && row("latency_p99").contains("FAIL"),
        "{table}"
    );
    assert!(
        row("backpressure").contains("PASS"),
        "backpressure stayed at 0%: {table}"
    );
    assert!(
        row("restarts").contains("FAIL") && row("oom_kills").contains("FAIL"),
        "{table}"
    );
    // Each count in its own unit, as the pack gives it: OOM kills are not "restarts".
    assert!(row("oom_kills").contains("85 kills"), "{table}");
    assert!(!row("oom_kills").contains("restarts"), "{table}");
    assert!(row("restarts").contains("85 restarts"), "{table}");
    assert!(row("rejections").contains("FAIL"), "{table}");
    assert!(table.contains("Overall: FAIL"), "{table}");
    assert!(
        table.contains("Baseline  weekly") && table.contains("Candidate rest-run"),
        "{table}"
    );
    for line in table.lines() {
        assert!(
            line.chars().count() <= 100
                || line.starts_with("  FAIL")
                || line.starts_with("Baseline")
                || line.starts_with("Candidate"),
            "table wider than 100 columns: {line}"
        );
    }
}

#[test]
fn the_json_report_has_every_documented_field() {
    let (code, r, _) = compare_json(
        repo(),
        &["--baseline", "weekly", "--candidate", "rest-run-2"],
    );
    assert_eq!(code, 1);
    assert_eq!(r["format"], "benchcmp.report.v1");
    assert_eq!(r["verdict"], "fail");
    for side in ["baseline", "candidate"] {
        for field in [
            "name",
            "vars",
            "start",
            "end",
            "step",
            "steady_start",
            "steady_end",
            "origin",
            "location",
        ] {
            assert!(!r[side][field].is_null(), "{side}.{field}");
        }
    }
    assert_eq!(r["baseline"]["name"], "weekly");
    assert_eq!(
        r["candidate"]["vars"]["namespace"],
        "ck-bojan-rest-benchmark-2"
    );
    let metrics = r["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 14);
    for m in metrics {
        for field in [
            "id", "title", "unit", "better", "gate", "verdict", "reason", "change", "shifts",
            "queries",
        ] {
            assert!(m.get(field).is_some(), "{} lacks {field}", m["id"]);
        }
        for side in ["baseline", "candidate"] {
            for field in [
                "n", "mean", "median", "p95", "p99", "min", "max", "stddev", "n_eff",
            ] {
                assert!(
                    m[side][field].is_number(),
                    "{}.{side}.{field} = {}",
                    m["id"],
                    m[side][field]
                );
            }
        }
        assert!(m["queries"]["baseline"]
            .as_str()
            .unwrap()
            .contains("medic-y-2025-cw-26-benchmark"));
        assert!(m["queries"]["candidate"]
            .as_str()
            .unwrap()
            .contains("ck-bojan-rest-benchmark-2"));
    }
    let t = metric(&r, "throughput");
    let change = &t["change"];
    for field in ["relative", "regression", "ci_low", "ci_high", "confidence"] {
        assert!(change[field].is_number(), "change.{field}");
    }
    assert!(
        (change["relative"].as_f64().unwrap() + change["regression"].as_f64().unwrap()).abs()
            < 1e-12,
        "higher is better: regression = -relative"
    );
    assert!(change["ci_low"].as_f64().unwrap() <= change["regression"].as_f64().unwrap());
    assert!(change["regression"].as_f64().unwrap() <= change["ci_high"].as_f64().unwrap());
    assert_eq!(change["confidence"], 0.95);
    // The second REST attempt collapsed after 1h40m: a shift in the candidate, none in the baseline.
    let shifts = t["shifts"].as_array().unwrap();
    let s = shifts
        .iter()
        .find(|s| s["run"] == "candidate")
        .expect("a candidate shift");
    for field in ["run", "offset_seconds", "before", "after", "relative"] {
        assert!(!s[field].is_null(), "shift.{field}");
    }
    let offset = s["offset_seconds"].as_f64().unwrap();
    assert!((offset - 6000.0).abs() <= 180.0, "shift offset {offset}");
    assert!(s["relative"].as_f64().unwrap() < -0.6);
    assert!(
        shifts.iter().all(|s| s["run"] != "baseline"),
        "the baseline is stable: {shifts:?}"
    );
}

#[test]
fn a_same_distribution_pair_passes() {
    let dir = live_dir("same");
    let (code, r, stderr) =
        compare_json(&dir, &["--baseline", "stable-a", "--candidate", "stable-b"]);
    assert_eq!(code, 0, "{r:#}\n{stderr}");
    assert_eq!(r["verdict"], "pass");
    for m in r["metrics"].as_array().unwrap() {
        assert_eq!(m["verdict"], "pass", "{}: {}", m["id"], m["reason"]);
    }
    let t = metric(&r, "throughput");
    assert!(
        t["baseline"]["n_eff"].as_f64().unwrap() < t["baseline"]["n"].as_f64().unwrap() / 3.0,
        "autocorrelation is accounted for"
    );
}

#[test]
fn a_70_percent_throughput_drop_fails_live() {
    let dir = live_dir("drop");
    let (code, r, _) = compare_json(&dir, &["--baseline", "weekly", "--candidate", "rest-run"]);
    assert_eq!(code, 1);
    let t = metric(&r, "throughput");
    assert_eq!(t["verdict"], "fail");
    assert!((t["change"]["regression"].as_f64().unwrap() - 0.7).abs() < 1e-9);
    assert_eq!(t["baseline"]["mean"], 150.0);
    assert_eq!(metric(&r, "restarts")["candidate"]["total"], 24.0);
    assert_eq!(
        metric(&r, "latency_p99")["candidate"]["censored_share"],
        1.0
    );
    assert_eq!(
        metric(&r, "latency_p99")["headline"]["candidate_bound"],
        "at_least"
    );
    assert_eq!(r["baseline"]["origin"], "prometheus");
}

#[test]
fn a_run_that_collapses_halfway_reports_its_shift() {
    let dir = live_dir("collapse");
    let (code, r, _) = compare_json(
        &dir,
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "collapse",
            "--only",
            "throughput",
            "--gate",
            "throughput: regression <= 50% and shift <= 20%",
        ],
    );
    assert_eq!(code, 1);
    let t = metric(&r, "throughput");
    let s = &t["shifts"][0];
    assert_eq!(s["run"], "candidate");
    // collapse at 2 h; rate() over 2m smooths the edge by a few samples
    let offset = s["offset_seconds"].as_f64().unwrap();
    assert!((offset - 7200.0).abs() <= 120.0, "offset {offset}");
    assert!((s["before"].as_f64().unwrap() - 150.0).abs() < 3.0);
    assert!((s["after"].as_f64().unwrap() - 45.0).abs() < 3.0);
    assert_eq!(t["verdict"], "fail");
    assert!(
        t["reason"].as_str().unwrap().contains("candidate shifted"),
        "{}",
        t["reason"]
    );
    let clauses = t["clauses"].as_array().unwrap();
    assert_eq!(clauses.len(), 2);
    assert_eq!(
        r["metrics"].as_array().unwrap().len(),
        1,
        "--only limits the comparison"
    );
}

#[test]
fn a_metric_missing_from_the_candidate_is_no_data_and_exit_1() {
    let dir = temp_dir("missing");
    let mut snap = shipped_json("rest-run");
    snap["metrics"]
        .as_object_mut()
        .unwrap()
        .remove("throughput");
    // the execution-time exporter was off: the query came back empty
    snap["metrics"]["latency_p99"]["data"]["result"] = Value::Array(vec![]);
    let path = dir.join("partial.json");
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();
    let weekly = repo().join("baselines/weekly.json");
    let (code, r, _) = compare_json(
        &dir,
        &[
            "--baseline",
            weekly.to_str().unwrap(),
            "--candidate",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    let t = metric(&r, "throughput");
    assert_eq!(t["verdict"], "no_data");
    assert!(
        t["reason"]
            .as_str()
            .unwrap()
            .contains("not recorded in the snapshot"),
        "{}",
        t["reason"]
    );
    let l = metric(&r, "latency_p99");
    assert_eq!(l["verdict"], "no_data");
    assert!(
        l["reason"].as_str().unwrap().contains("returned no data"),
        "{}",
        l["reason"]
    );

    // Only these two metrics: everything else is fine, still exit 1.
    let (code, r, _) = compare_json(
        &dir,
        &[
            "--baseline",
            weekly.to_str().unwrap(),
            "--candidate",
            weekly.to_str().unwrap(),
            "--only",
            "throughput",
        ],
    );
    assert_eq!((code, r["verdict"].as_str()), (0, Some("pass")));
}

#[test]
fn inconclusive_exits_4_unless_accepted_or_strict() {
    let dir = live_dir("strict");
    let args = [
        "--baseline",
        "stable-a",
        "--candidate",
        "stable-b",
        "--only",
        "throughput",
        "--gate",
        "throughput: regression <= 0.1%",
    ];
    let (code, r, _) = compare_json(&dir, &args);
    let t = metric(&r, "throughput");
    assert_eq!(t["verdict"], "inconclusive", "{}", t["reason"]);
    assert!(
        t["reason"].as_str().unwrap().contains("would be needed"),
        "{}",
        t["reason"]
    );
    assert_eq!((code, r["verdict"].as_str()), (4, Some("inconclusive")));
    assert_eq!(r["exit_code"], 4);
    let mut strict = args.to_vec();
    strict.push("--strict");
    let (code, _, _) = compare_json(&dir, &strict);
    assert_eq!(code, 1);
    let mut accept = args.to_vec();
    accept.push("--accept-inconclusive");
    let (code, r, _) = compare_json(&dir, &accept);
    assert_eq!((code, r["exit_code"].as_i64()), (0, Some(0)));
    let mut both = strict.clone();
    both.push("--accept-inconclusive");
    let out = benchcmp(&dir, &both);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn bad_gates_exit_2_with_a_caret() {
    let out = benchcmp(
        repo(),
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--gate",
            "throughput: regresion <= 10%",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let e = text(&out.stderr);
    assert!(
        e.contains("unknown statistic \"regresion\"") && e.contains("    regresion <= 10%\n    ^"),
        "{e}"
    );
    let out = benchcmp(
        repo(),
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--gate",
            "latency_p99: p99 <= 1 parsec",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = benchcmp(
        repo(),
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--gate",
            "nope: max <= 1",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no metric \"nope\""));
    let out = benchcmp(
        repo(),
        &["--baseline", "weekly", "--candidate", "nonexistent"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown run \"nonexistent\"")
            && text(&out.stderr).contains("rest-run-2")
    );
    let out = benchcmp(
        repo(),
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--confidence",
            "95",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = benchcmp(repo(), &["--baseline", "weekly"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--candidate"));
}

#[test]
fn an_unreachable_source_exits_3() {
    let dir = temp_dir("unreachable");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let cfg = fixture_config(&format!("http://{closed}"))
        .replace("timeout = \"20s\"", "timeout = \"2s\"\nretries = 0");
    std::fs::write(dir.join("benchcmp.toml"), cfg).unwrap();
    let q = queries_dir();
    let weekly = repo().join("baselines/weekly.json");
    let out = benchcmp(
        &dir,
        &[
            "--queries",
            q.to_str().unwrap(),
            "--baseline",
            weekly.to_str().unwrap(),
            "--candidate",
            "rest-run",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("cannot connect"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "no report on a broken pipeline");
}

#[test]
fn json_file_is_written_alongside_the_table() {
    let dir = temp_dir("jsonfile");
    let out_path = dir.join("out/report.json");
    let out = benchcmp(
        repo(),
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--json",
            out_path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("Overall: FAIL"));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    assert_eq!(r["verdict"], "fail");
    // A bad path fails before any work.
    let out = benchcmp(
        repo(),
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--json",
            "/proc/nope/report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn promql_the_server_rejects_exits_2_with_its_error_text() {
    let dir = live_dir("rejected");
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    std::fs::write(
        dir.join("queries/bad.toml"),
        "[[metric]]\nid = \"broken\"\ntitle = \"Broken\"\nbetter = \"lower\"\nquery = 'sum(rate(x[$__rate_interval])'\ngate = \"max <= 1\"\n",
    )
    .unwrap();
    let out = benchcmp(&dir, &["--baseline", "weekly", "--candidate", "rest-run"]);
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(
        e.contains("metrics: broken")
            && e.contains("bad_data")
            && e.contains("query: sum(rate(x[2m])"),
        "{e}"
    );
}

#[test]
fn a_snapshot_recorded_with_another_query_warns() {
    let dir = temp_dir("mismatch");
    let mut snap = shipped_json("weekly");
    snap["metrics"]["throughput"]["query"] =
        Value::String("sum(rate(old_metric_total[5m]))".into());
    let path = dir.join("old.json");
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();
    let rest = repo().join("baselines/rest-run.json");
    let q = queries_dir();
    let out = benchcmp(
        &dir,
        &[
            "--queries",
            q.to_str().unwrap(),
            "--baseline",
            path.to_str().unwrap(),
            "--candidate",
            rest.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert!(
        e.contains("warning:")
            && e.contains("metric \"throughput\" was recorded with a different query"),
        "{e}"
    );
    assert!(
        e.contains("recorded: sum(rate(old_metric_total[5m]))"),
        "{e}"
    );
    // The JSON report carries the warning too.
    let (_, r, _) = compare_json(
        &dir,
        &[
            "--baseline",
            path.to_str().unwrap(),
            "--candidate",
            rest.to_str().unwrap(),
        ],
    );
    assert!(r["warnings"][0]
        .as_str()
        .unwrap()
        .contains("different query"));
    assert_eq!(
        metric(&r, "throughput")["queries"]["baseline"],
        "sum(rate(old_metric_total[5m]))"
    );
}

/// A pack changed since many metrics were recorded: one warning names them (three lines per
/// metric buried everything else), `--verbose` shows each pair of queries.
#[test]
fn many_metrics_recorded_with_other_queries_warn_once() {
    let dir = temp_dir("mismatch-many");
    let mut snap = shipped_json("weekly");
    for id in ["throughput", "created", "backpressure"] {
        snap["metrics"][id]["query"] = Value::String(format!("old_{id}_query"));
    }
    let path = dir.join("old.json");
    std::fs::write(&path, serde_json::to_string(&snap).unwrap()).unwrap();
    let rest = repo().join("baselines/rest-run.json");
    let args = |verbose: bool| {
        let mut a = vec![
            "--baseline",
            path.to_str().unwrap(),
            "--candidate",
            rest.to_str().unwrap(),
        ];
        if verbose {
            a.push("--verbose");
        }
        text(&benchcmp(&dir, &a).stderr)
    };
    let e = args(false);
    let warnings: Vec<&str> = e.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{e}");
    assert!(
        warnings[0].contains("3 metrics")
            && warnings[0].contains("throughput, created, backpressure")
            && warnings[0].contains("--verbose"),
        "{e}"
    );
    assert!(!e.contains("old_throughput_query"), "{e}");
    let e = args(true);
    for id in ["throughput", "created", "backpressure"] {
        assert!(e.contains(&format!("recorded: old_{id}_query")), "{e}");
    }
}

#[test]
fn a_closed_stdout_pipe_is_not_a_panic() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_benchcmp"))
        .args(["--baseline", "weekly", "--candidate", "rest-run"])
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -0`
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the verdict still decides the exit code"
    );
}

#[test]
fn a_stdout_that_cannot_be_written_is_an_error() {
    use std::process::{Command, Stdio};
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    for format in ["table", "json", "markdown", "junit"] {
        let out = Command::new(env!("CARGO_BIN_EXE_benchcmp"))
            .args([
                "--baseline",
                "weekly",
                "--candidate",
                "rest-run",
                "--format",
                format,
            ])
            .current_dir(repo())
            .stdout(Stdio::from(full.try_clone().unwrap()))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format}: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{format}: {stderr}"
        );
    }
}

#[test]
fn a_failed_comparison_leaves_earlier_reports_as_they_were() {
    let dir = live_dir("earlier-reports");
    let (json, md, charts) = (dir.join("r.json"), dir.join("r.md"), dir.join("charts"));
    std::fs::write(&json, "earlier json").unwrap();
    std::fs::write(&md, "earlier markdown").unwrap();
    std::fs::create_dir_all(&charts).unwrap();
    std::fs::write(charts.join("throughput.png"), "earlier chart").unwrap();
    let q = queries_dir();
    let args = |candidate: &'static str| {
        vec![
            "--queries",
            q.to_str().unwrap(),
            "--baseline",
            "weekly",
            "--candidate",
            candidate,
            "--json",
            "r.json",
            "--markdown",
            "r.md",
            "--charts",
            "charts",
        ]
    };
    // The candidate is read from a source that is not there: exit 3, nothing touched.
    let mut broken = fixture_config(&prometheus().url);
    broken.push_str("\n[runs.gone]\nvars = { namespace = \"x\" }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n");
    let broken = broken.replacen(&prometheus().url, "http://127.0.0.1:9", 1);
    std::fs::write(dir.join("benchcmp.toml"), broken).unwrap();
    std::fs::create_dir_all(dir.join("baselines")).unwrap();
    std::fs::copy(
        repo().join("baselines/weekly.json"),
        dir.join("baselines/weekly.json"),
    )
    .unwrap();
    let out = benchcmp(&dir, &args("gone"));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&json).unwrap(), "earlier json");
    assert_eq!(std::fs::read_to_string(&md).unwrap(), "earlier markdown");
    assert_eq!(
        std::fs::read_to_string(charts.join("throughput.png")).unwrap(),
        "earlier chart"
    );
    // Nothing staged is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A comparison that completes replaces them.
    std::fs::write(dir.join("benchcmp.toml"), fixture_config(&prometheus().url)).unwrap();
    let out = benchcmp(&dir, &args("rest-run"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(std::fs::read_to_string(&json).unwrap().starts_with('{'));
    assert!(std::fs::read(charts.join("throughput.png"))
        .unwrap()
        .starts_with(b"\x89PNG"));
}

#[test]
fn global_options_go_before_or_after_the_subcommand() {
    let before = benchcmp(repo(), &["--baselines", "baselines", "runs"]);
    let after = benchcmp(repo(), &["runs", "--baselines", "baselines"]);
    assert_eq!(before.status.code(), Some(0), "{}", text(&before.stderr));
    assert_eq!(text(&before.stdout), text(&after.stdout));
    assert!(text(&before.stdout).contains("rest-run-2"));
    let missing = benchcmp(repo(), &["--config", "nope.toml", "runs"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("config file nope.toml does not exist"),
        "{}",
        text(&missing.stderr)
    );
    let explicit = benchcmp(
        repo(),
        &[
            "compare",
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--only",
            "throughput",
        ],
    );
    assert_eq!(explicit.status.code(), Some(1));
    let misplaced = benchcmp(repo(), &["--baseline", "weekly", "runs"]);
    assert_eq!(misplaced.status.code(), Some(2));
}

#[test]
fn nothing_to_judge_is_never_a_silent_pass() {
    let dir = temp_dir("nothing");
    // --only that selects nothing
    let out = benchcmp(
        repo(),
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--only",
            ",",
        ],
    );
    assert_refused(&out, 2, "--only names no metric");
    // a pack without metrics
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(dir.join("empty/a.toml"), "# no metrics yet\n").unwrap();
    let (w, r) = (snap("weekly"), snap("rest-run"));
    let out = benchcmp(
        &dir,
        &["--queries", "empty", "--baseline", &w, "--candidate", &r],
    );
    assert_refused(&out, 2, "defines no [[metric]]");
    // a shift clause on an event count could never fail
    let out = benchcmp(
        repo(),
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--gate",
            "restarts: shift <= 10%",
        ],
    );
    assert_refused(&out, 2, "shift clause applies to series metrics only");
    // no gate at all: said out loud
    std::fs::create_dir_all(dir.join("ungated")).unwrap();
    std::fs::write(
        dir.join("ungated/a.toml"),
        "[[metric]]\nid = \"throughput\"\ntitle = \"T\"\nbetter = \"higher\"\nquery = 'sum(rate(zeebe_element_instance_events_total{namespace=~\"$namespace\", action=\"completed\", type=\"PROCESS\"}[$__rate_interval]))'\n",
    )
    .unwrap();
    let out = benchcmp(
        &dir,
        &["--queries", "ungated", "--baseline", &w, "--candidate", &r],
    );
    assert!(
        text(&out.stderr).contains("nothing was judged"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("no gated metrics"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_run_whose_exporters_stop_is_never_a_pass() {
    let dir = live_dir("stalled");
    let (code, r, _) = compare_json(&dir, &["--baseline", "stable-a", "--candidate", "stalled"]);
    assert_eq!(
        (code, r["verdict"].as_str()),
        (4, Some("inconclusive")),
        "{r:#}"
    );
    for m in r["metrics"].as_array().unwrap() {
        // Even a share, bounded at 100%: the mean would stay under its 30% limit, but the
        // run could have ended throttled at 100%, and where a run ends counts too.
        assert_ne!(m["verdict"], "pass", "{}: {}", m["id"], m["reason"]);
    }
    // The outage shows as a missing tail of about 40 minutes, named in the reason.
    let t = metric(&r, "throughput");
    let trailing = t["candidate"]["trailing_gap_seconds"].as_f64().unwrap();
    assert!(
        (2100.0..2700.0).contains(&trailing),
        "trailing gap {trailing}"
    );
    // The event metrics' fallback to 0 ("measured, no events") ends where the rates end:
    // no zeros are invented into the outage.
    for id in ["job_push", "job_timeouts", "rejections", "oom_kills"] {
        assert_eq!(
            metric(&r, id)["candidate"]["trailing_gap_seconds"].as_f64(),
            Some(trailing),
            "{id}"
        );
    }
    assert!(
        t["reasons"].as_array().unwrap().iter().any(
            |x| x["code"] == "gaps" && x["trailing_gap_ms"].as_f64() == Some(trailing * 1000.0)
        ),
        "{:#}",
        t["reasons"]
    );
    // Where the observed part alone would pass, the missing tail is what stops it.
    assert!(
        r["metrics"].as_array().unwrap().iter().any(|m| m["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "missing_data_could_hide" && x["side"] == "candidate")),
        "{r:#}"
    );
    let restarts = metric(&r, "restarts");
    assert_eq!(
        restarts["verdict"], "inconclusive",
        "{}",
        restarts["reason"]
    );
}

#[test]
fn restarts_hidden_by_a_pod_replacement_are_counted() {
    let dir = live_dir("replaced");
    let (code, r, _) = compare_json(
        &dir,
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "replaced",
            "--only",
            "restarts,oom_kills",
        ],
    );
    assert_eq!(code, 1, "{r:#}");
    for id in ["restarts", "oom_kills"] {
        let m = metric(&r, id);
        assert_eq!(m["candidate"]["total"], 1.0, "{id}: {m:#}");
        assert_eq!(m["verdict"], "fail", "{id}");
    }
}

#[test]
fn a_budget_that_cannot_fail_is_refused() {
    let out = benchcmp(
        repo(),
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--gate",
            "throughput: regression <= 100%",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let e = text(&out.stderr);
    assert!(
        e.contains("can never fail") && e.contains("throughput"),
        "{e}"
    );
}

/// Writes `<dir>/baselines/<name>.json`: the shipped weekly run `weeks` weeks later with
/// every value scaled by `factor`.
fn weekly_copy(dir: &Path, name: &str, weeks: i64, factor: f64) {
    let mut s: Value =
        serde_json::from_str(&std::fs::read_to_string(snap("weekly")).unwrap()).unwrap();
    let shift = weeks * 7 * 86_400;
    let moved = |t: &str| {
        let secs = chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp() + shift;
        chrono::DateTime::from_timestamp(secs, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    s["run"]["name"] = Value::from(name);
    for key in ["start", "end"] {
        let t = s["run"][key].as_str().unwrap().to_string();
        s["run"][key] = Value::from(moved(&t));
    }
    for (_, m) in s["metrics"].as_object_mut().unwrap() {
        for series in m["data"]["result"].as_array_mut().unwrap() {
            for v in series["values"].as_array_mut().unwrap() {
                let t = v[0].as_i64().unwrap() + shift;
                let x: f64 = v[1].as_str().unwrap().parse().unwrap();
                v[0] = Value::from(t);
                v[1] = Value::from(format!("{}", x * factor));
            }
        }
    }
    let out = dir.join("baselines");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join(format!("{name}.json")), s.to_string()).unwrap();
}

#[test]
fn several_baselines_are_pooled_with_their_run_to_run_variation() {
    let dir = temp_dir("pooled");
    for (i, f) in [1.0, 0.97, 1.03, 0.99].iter().enumerate() {
        weekly_copy(&dir, &format!("wk-{}", i + 1), i as i64 + 1, *f);
    }
    // The candidate: 6% below the weekly level, a week after the last baseline.
    weekly_copy(&dir, "cand", 6, 0.94);
    let (code, single, _) = compare_json(
        &dir,
        &[
            "--baseline",
            "wk-4",
            "--candidate",
            "cand",
            "--only",
            "throughput",
        ],
    );
    let (code_pooled, pooled, _) = compare_json(
        &dir,
        &[
            "--baseline",
            "wk-*",
            "--candidate",
            "cand",
            "--only",
            "throughput",
        ],
    );
    assert_eq!(pooled["baselines"].as_array().unwrap().len(), 4);
    assert_eq!(
        pooled["baseline"]["name"], "wk-4",
        "the newest describes the baseline"
    );
    let tp = metric(&pooled, "throughput");
    let between = &tp["between_run"];
    assert_eq!(between["runs"], 4);
    assert_eq!(between["method"], "paule_mandel");
    let cv = between["cv"].as_f64().unwrap();
    assert!((0.015..0.04).contains(&cv), "run-to-run variation {cv}");
    let means: Vec<f64> = between["run_means"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        means[1] < means[3] && means[3] < means[0] && means[0] < means[2],
        "oldest first: {means:?}"
    );
    // Run-to-run variation widens the interval a single baseline gives.
    let width = |m: &Value| {
        m["change"]["ci_high"].as_f64().unwrap() - m["change"]["ci_low"].as_f64().unwrap()
    };
    let single_tp = metric(&single, "throughput");
    assert_eq!(single_tp["between_run"]["method"], "unknown");
    assert!(
        width(tp) > 2.0 * width(single_tp),
        "{} vs {}",
        width(tp),
        width(single_tp)
    );
    // A 6% drop against a 10% budget: a single tight baseline passes it; the pooled
    // comparison cannot tell within the run-to-run variation, or passes.
    assert_eq!(code, 0);
    assert!(matches!(code_pooled, 0 | 4), "{code_pooled}");

    // A class as in the shell: wk-1 to wk-3, not wk-4.
    let (_, class, err) = compare_json(
        &dir,
        &[
            "--baseline",
            "wk-[1-3]",
            "--candidate",
            "cand",
            "--only",
            "throughput",
        ],
    );
    let names: Vec<&str> = class["baselines"]
        .as_array()
        .unwrap_or_else(|| panic!("{err}"))
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["wk-1", "wk-2", "wk-3"]);

    // Comma lists, --last, and the table's note.
    let (_, two, _) = compare_json(
        &dir,
        &[
            "--baseline",
            "wk-1,wk-2,wk-3,wk-4",
            "--last",
            "2",
            "--candidate",
            "cand",
            "--only",
            "throughput",
        ],
    );
    let names: Vec<&str> = two["baselines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["wk-3", "wk-4"]);
    let q = queries_dir();
    let out = benchcmp(
        &dir,
        &[
            "--queries",
            q.to_str().unwrap(),
            "--baseline",
            "wk-*",
            "--candidate",
            "cand",
            "--charts",
            "charts",
        ],
    );
    let table = text(&out.stdout);
    // The chart draws the baseline runs as a band (the baseline colour at 16% over white).
    let png = image::open(dir.join("charts/throughput.png"))
        .unwrap()
        .to_rgb8();
    let band = png
        .pixels()
        .filter(|p| {
            p.0.iter()
                .zip([214u8, 232, 243])
                .all(|(a, b)| (*a as i32 - b as i32).abs() <= 3)
        })
        .count();
    assert!(band > 2_000, "band pixels: {band}");
    assert!(
        table.contains("Baseline: 4 runs pooled (wk-1, wk-2, wk-3, wk-4)")
            && table.contains("throughput"),
        "{table}"
    );
    let out = benchcmp(
        &dir,
        &[
            "--queries",
            q.to_str().unwrap(),
            "--baseline",
            "wk-4",
            "--candidate",
            "cand",
        ],
    );
    assert!(text(&out.stdout).contains("run-to-run variation is unknown"));
    // Known run-to-run variation from the config, for a single baseline.
    std::fs::write(
        dir.join("benchcmp.toml"),
        "[run_to_run]\nthroughput = \"4%\"\n",
    )
    .unwrap();
    let (_, prior, _) = compare_json(
        &dir,
        &[
            "--baseline",
            "wk-4",
            "--candidate",
            "cand",
            "--only",
            "throughput",
        ],
    );
    let b = &metric(&prior, "throughput")["between_run"];
    assert_eq!(b["method"], "prior");
    assert!((b["cv"].as_f64().unwrap() - 0.04).abs() < 1e-9, "{b}");
    assert!(width(metric(&prior, "throughput")) > 2.0 * width(single_tp));
    std::fs::write(
        dir.join("benchcmp.toml"),
        "[run_to_run]\nthroughput = \"4\"\n",
    )
    .unwrap();
    let out = benchcmp(
        &dir,
        &[
            "--queries",
            q.to_str().unwrap(),
            "--baseline",
            "wk-4",
            "--candidate",
            "cand",
        ],
    );
    assert_refused(&out, 2, "[run_to_run] throughput");
    std::fs::remove_file(dir.join("benchcmp.toml")).unwrap();
    // A candidate among its baselines, a glob that matches nothing: usage errors.
    for (spec, words) in [
        ("wk-*,cand", "both a baseline and the candidate"),
        ("nope-*", "matches no run"),
    ] {
        let out = benchcmp(
            &dir,
            &[
                "--queries",
                q.to_str().unwrap(),
                "--baseline",
                spec,
                "--candidate",
                "cand",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{spec}");
        assert!(text(&out.stderr).contains(words), "{}", text(&out.stderr));
    }
}

#[test]
fn history_finds_a_planted_step_and_not_an_outlier_week() {
    let q = queries_dir();
    let step = [
        1.0, 0.99, 1.01, 1.0, 0.995, 1.005, 1.0, 0.92, 0.925, 0.915, 0.92, 0.93,
    ];
    let outlier = [
        1.0, 0.99, 1.01, 1.0, 0.995, 0.85, 1.0, 1.005, 0.99, 1.0, 1.01, 0.995,
    ];
    for (name, factors, want) in [
        ("history-step", step, Some("wk-08")),
        ("history-outlier", outlier, None),
    ] {
        let dir = temp_dir(name);
        for (i, f) in factors.iter().enumerate() {
            weekly_copy(&dir, &format!("wk-{:02}", i + 1), i as i64 + 1, *f);
        }
        let out = benchcmp(
            &dir,
            &[
                "--queries",
                q.to_str().unwrap(),
                "history",
                "--baseline",
                "wk-*",
                "--only",
                "throughput",
                "--format",
                "json",
                "--charts",
                "charts",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let h: Value = serde_json::from_slice(&out.stdout).unwrap();
        let tp = &h[0];
        assert_eq!(tp["points"].as_array().unwrap().len(), 12);
        match want {
            Some(run) => {
                assert_eq!(tp["change"]["from_run"], run, "{tp}");
                let rel = tp["change"]["relative"].as_f64().unwrap();
                assert!((rel + 0.08).abs() < 0.01, "{rel}");
            }
            None => assert!(
                tp["change"].is_null(),
                "one outlier week is not a change: {tp}"
            ),
        }
        let png = image::open(dir.join("charts/history-throughput.png")).unwrap();
        assert_eq!((png.width(), png.height()), (1000, 480));
        // The table says the same.
        let out = benchcmp(
            &dir,
            &[
                "--queries",
                q.to_str().unwrap(),
                "history",
                "--baseline",
                "wk-*",
                "--only",
                "throughput",
            ],
        );
        let table = text(&out.stdout);
        assert_eq!(
            table.contains("change from wk-08 on"),
            want.is_some(),
            "{table}"
        );
    }
}

#[test]
fn every_metric_is_shown_in_the_unit_its_pack_gives() {
    // A pack whose OOM count has a unit of its own: the table, Findings and JSON follow the
    // pack, never a neighbouring count's unit.
    let dir = temp_dir("own-units");
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    let pack = std::fs::read_to_string(queries_dir().join("zeebe.toml"))
        .unwrap()
        .replace("unit = \"kills\"", "unit = \"OOMs\"");
    assert!(pack.contains("unit = \"OOMs\""));
    std::fs::write(dir.join("queries/zeebe.toml"), pack).unwrap();
    let out = benchcmp(
        &dir,
        &[
            "--baselines",
            repo().join("baselines").to_str().unwrap(),
            "--baseline",
            "weekly",
            "--candidate",
            "rest-run",
            "--only",
            "restarts,oom_kills",
        ],
    );
    let table = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    let oom: Vec<&str> = table.lines().filter(|l| l.contains("oom_kills")).collect();
    assert!(oom.len() >= 2, "{table}");
    for line in oom {
        assert!(line.contains("85 OOMs"), "{line}");
        assert!(!line.contains("restarts"), "{line}");
    }
}

#[test]
fn a_run_read_from_its_first_second_has_no_missing_first_slot() {
    // warmup = "0s": the steady window starts where the run does, where a rate() has no value
    // yet (it needs two scrapes). That slot is the run's edge, not missing data: before, it
    // made every rate, histogram and count inconclusive ("the missing part could hold
    // anything above ...").
    let dir = temp_dir("warmup-zero");
    std::fs::write(
        dir.join("benchcmp.toml"),
        fixture_config(&prometheus().url).replace("warmup = \"10m\"", "warmup = \"0s\""),
    )
    .unwrap();
    let (_, r, err) = compare_json(&dir, &["--baseline", "stable-a", "--candidate", "stable-b"]);
    for m in r["metrics"].as_array().unwrap() {
        for side in ["baseline", "candidate"] {
            assert_eq!(
                m[side]["leading_gap_seconds"].as_f64(),
                Some(0.0),
                "{} {side}: {err}",
                m["id"]
            );
        }
        let hiding: Vec<&Value> = m["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["code"] == "missing_data_could_hide")
            .collect();
        assert!(hiding.is_empty(), "{}: {hiding:?}", m["id"]);
    }
    let tp = metric(&r, "throughput");
    assert_eq!(tp["verdict"], "pass", "{:#}", tp["reasons"]);
}
