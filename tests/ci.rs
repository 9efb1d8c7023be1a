//! Made for CI: the installed binary from an empty directory with the built-in pack, `init`,
//! `-` for stdout, listings as JSON, help, completions and the man page, Markdown as a pull
//! request comment (chart URLs, size budget), GitHub annotations, JUnit checked against the
//! Jenkins junit-10.xsd with xmllint and read back by junitparser, JSON reports and
//! snapshots checked against the schemas in `schemas/` with python-jsonschema, and the
//! terminal table at 80, 100 and 160 columns.
//!
//! xmllint (libxml2-utils) and Debian's python3-junitparser and python3-jsonschema are
//! installed by `scripts/test` and `.ci/run`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::*;

/// The element of a JSON array whose `key` is `value`.
fn entry<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .and_then(|l| l.iter().find(|e| e[key] == value))
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))
}

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_benchcmp")
}

/// Runs the binary in `dir` with `args` and extra environment.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(exe());
    c.args(args)
        .current_dir(dir)
        .env_remove("BENCHCMP_PROMETHEUS_URL")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Compares two shipped snapshots from `dir` (the built-in pack unless `--queries`).
fn compare(dir: &Path, candidate: &str, extra: &[&str]) -> Output {
    let (b, c) = (snap("weekly"), snap(candidate));
    let mut args = vec!["--baseline", b.as_str(), "--candidate", c.as_str()];
    args.extend_from_slice(extra);
    run_env(dir, &args, &[])
}

/// A system tool the test needs (installed by scripts/test and .ci/run).
fn tool(path: &str) -> &str {
    assert!(
        Path::new(path).exists() || Command::new("sh").args(["-c", &format!("command -v {path}")]).output().is_ok_and(|o| o.status.success()),
        "{path} is missing: run scripts/test, which installs libxml2-utils, python3-junitparser and python3-jsonschema"
    );
    path
}

fn python(script: &str, args: &[&str]) -> Output {
    Command::new(tool("/usr/bin/python3"))
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn an_installed_binary_compares_snapshots_from_an_empty_directory() {
    // The binary alone, away from the repository: no queries/ and no baselines/ around it.
    let dir = temp_dir("installed");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let installed = bin.join("benchcmp");
    std::fs::copy(exe(), &installed).unwrap();
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::copy(snap("weekly"), empty.join("a.json")).unwrap();
    std::fs::copy(snap("rest-run"), empty.join("b.json")).unwrap();
    let out = Command::new(&installed)
        .args([
            "--baseline",
            "a.json",
            "--candidate",
            "b.json",
            "--format",
            "json",
        ])
        .current_dir(&empty)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["pack"], "zeebe");
    assert_eq!(report["metrics"].as_array().unwrap().len(), 14);
    // The embedded pack is the repository's.
    let out = run_env(&empty, &["queries", "--default"], &[]);
    assert_eq!(
        text(&out.stdout),
        std::fs::read_to_string(repo().join("queries/zeebe.toml")).unwrap()
    );
    // ... and a printed pack works as a pack directory.
    std::fs::create_dir_all(empty.join("mine")).unwrap();
    std::fs::write(empty.join("mine/pack.toml"), &out.stdout).unwrap();
    let out = run_env(
        &empty,
        &["queries", "--queries", "mine", "--format", "json"],
        &[],
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 14);
    assert_eq!(listed[0]["id"], "throughput");
}

#[test]
fn init_writes_a_starter_config_once() {
    let dir = temp_dir("init");
    let out = run_env(&dir, &["init"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.join("benchcmp.toml")).unwrap();
    assert!(written.contains("[source]") && written.contains("# "));
    // It parses, and its runs do not shadow the shipped snapshots.
    let out = run_env(
        &dir,
        &[
            "runs",
            "--format",
            "json",
            "--baselines",
            &snap("weekly").replace("/weekly.json", ""),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let runs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"my-baseline") && names.contains(&"weekly"),
        "{names:?}"
    );
    assert!(runs
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["shadowed"] == false && r["shadows"] == false));
    // A second init refuses to replace it.
    let out = run_env(&dir, &["init"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.join("benchcmp.toml")).unwrap(),
        written
    );
}

#[test]
fn dash_is_stdout_for_file_options() {
    let dir = temp_dir("dash");
    let out = compare(&dir, "rest-run", &["--json", "-"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout, no table");
    assert_eq!(report["format"], "benchcmp.report.v1");
    assert!(!dir.join("-").exists());
    let out = compare(&dir, "rest-run", &["--junit", "-", "--json", "r.json"]);
    assert!(text(&out.stdout).starts_with("<?xml"));
    assert!(dir.join("r.json").is_file());
    for bad in [
        &["--json", "-", "--markdown", "-"][..],
        &["--json", "-", "--format", "table"][..],
        &["--charts", "-"][..],
    ] {
        let out = compare(&dir, "rest-run", bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            text(&out.stderr).contains("standard output")
                || text(&out.stderr).contains("directory"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn help_completions_and_man_page() {
    let dir = temp_dir("help");
    let out = run_env(&dir, &[], &[]);
    assert_eq!(out.status.code(), Some(2));
    let help = text(&out.stderr);
    assert!(
        help.contains("Examples:") && help.contains("benchcmp --baseline"),
        "{help}"
    );
    for sub in [
        "compare",
        "record",
        "runs",
        "queries",
        "history",
        "init",
        "completions",
        "man",
        "schema",
    ] {
        let out = run_env(&dir, &[sub, "--help"], &[]);
        assert_eq!(out.status.code(), Some(0), "{sub}");
        assert!(
            text(&out.stdout).contains("Examples:"),
            "{sub} --help has examples"
        );
    }
    let out = run_env(&dir, &["compare", "--help"], &[]);
    assert!(text(&out.stdout).contains("4  inconclusive"));
    for shell in ["bash", "zsh", "fish"] {
        let out = run_env(&dir, &["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0));
        let script = text(&out.stdout);
        assert!(
            script.contains("benchcmp") && script.contains("baseline"),
            "{shell}"
        );
    }
    // bash accepts the completion script.
    let out = run_env(&dir, &["completions", "bash"], &[]);
    std::fs::write(dir.join("c.bash"), &out.stdout).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(dir.join("c.bash"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stderr));
    let out = run_env(&dir, &["man"], &[]);
    let man = text(&out.stdout);
    assert!(
        man.starts_with(".ie") || man.contains(".TH benchcmp"),
        "{man}"
    );
    assert!(man.contains("\\-\\-baseline") || man.contains("--baseline"));
}

#[test]
fn runs_and_queries_list_as_json() {
    let dir = temp_dir("listings");
    let baselines = repo().join("baselines");
    let out = run_env(
        &dir,
        &[
            "runs",
            "--format",
            "json",
            "--baselines",
            baselines.to_str().unwrap(),
        ],
        &[],
    );
    let runs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let weekly = entry(&runs, "name", "weekly");
    assert_eq!(weekly["origin"], "snapshot");
    assert_eq!(weekly["start"], "2025-06-27T08:00:00Z");
    assert_eq!(weekly["vars"]["namespace"], "medic-y-2025-cw-26-benchmark");
    let out = run_env(&dir, &["queries", "--format", "json"], &[]);
    let metrics: Value = serde_json::from_slice(&out.stdout).unwrap();
    let restarts = entry(&metrics, "id", "restarts");
    assert_eq!(restarts["kind"], "count");
    assert_eq!(restarts["gate"], "total <= 0");
}

/// A pack of 70 metrics (each of the 14 five times) and snapshots that hold them.
fn seventy_metrics(dir: &Path) -> (PathBuf, String, String) {
    let pack = std::fs::read_to_string(repo().join("queries/zeebe.toml")).unwrap();
    // Each metric five times; the histograms they derive from once.
    let mut big = String::new();
    let blocks: Vec<&str> = pack
        .split("[[metric]]")
        .skip(1)
        .map(|b| match b.split_once("[[histogram]]") {
            Some((metric, histogram)) => {
                big.push_str(&format!("[[histogram]]{histogram}"));
                metric
            }
            None => b,
        })
        .collect();
    for k in 1..=5 {
        for b in &blocks {
            let id_line = b.lines().find(|l| l.starts_with("id = ")).unwrap();
            let id = id_line.trim_start_matches("id = ").trim_matches('"');
            big.push_str("[[metric]]");
            big.push_str(&b.replacen(id_line, &format!("id = \"{id}_{k}\""), 1));
        }
    }
    let queries = dir.join("pack70");
    std::fs::create_dir_all(&queries).unwrap();
    std::fs::write(queries.join("zeebe70.toml"), big).unwrap();
    let mut names = Vec::new();
    for run in ["weekly", "rest-run"] {
        let mut s: Value =
            serde_json::from_str(&std::fs::read_to_string(snap(run)).unwrap()).unwrap();
        let metrics = s["metrics"].as_object().unwrap().clone();
        let mut out = serde_json::Map::new();
        for k in 1..=5 {
            for (id, m) in &metrics {
                out.insert(format!("{id}_{k}"), m.clone());
            }
        }
        s["metrics"] = Value::Object(out);
        let path = dir.join(format!("{run}70.json"));
        std::fs::write(&path, serde_json::to_string(&s).unwrap()).unwrap();
        names.push(path.to_string_lossy().into_owned());
    }
    (queries, names[0].clone(), names[1].clone())
}

#[test]
fn markdown_for_a_pull_request_comment() {
    let dir = temp_dir("pr-markdown");
    // Absolute --charts, --charts-url: every link is the URL, no local path anywhere.
    let charts = dir.join("out/charts");
    let out = compare(
        &dir,
        "rest-run-2",
        &[
            "--charts",
            charts.to_str().unwrap(),
            "--charts-url",
            "https://ci.example/artifacts/42/charts/",
            "--markdown",
            "out/report.md",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let md = std::fs::read_to_string(dir.join("out/report.md")).unwrap();
    assert!(
        md.contains("](https://ci.example/artifacts/42/charts/summary.png)"),
        "{md}"
    );
    assert!(md.contains("](https://ci.example/artifacts/42/charts/throughput.png)"));
    assert!(
        !md.contains(dir.to_str().unwrap()),
        "no local path in the comment"
    );
    // Without a URL: links relative to the Markdown file, also for stdout (the working
    // directory) — never absolute.
    let out = compare(
        &dir,
        "rest-run-2",
        &[
            "--charts",
            charts.to_str().unwrap(),
            "--markdown",
            "out/r2.md",
            "--format",
            "markdown",
        ],
    );
    let md = std::fs::read_to_string(dir.join("out/r2.md")).unwrap();
    assert!(md.contains("](charts/summary.png)"), "{md}");
    assert!(text(&out.stdout).contains("](out/charts/summary.png)"));
    assert!(!text(&out.stdout).contains(dir.to_str().unwrap()));

    // 70 metrics stay within the default budget of 60,000 characters, with a note.
    let (pack, b, c) = seventy_metrics(&dir);
    let markdown70 = |extra: &[&str]| {
        let mut args = vec![
            "--queries",
            pack.to_str().unwrap(),
            "--baseline",
            &b,
            "--candidate",
            &c,
            "--format",
            "markdown",
        ];
        args.extend_from_slice(extra);
        text(&run_env(&dir, &args, &[]).stdout)
    };
    let md = markdown70(&["--charts", "big", "--charts-url", "https://ci.example/c"]);
    assert!(
        md.chars().count() <= 60_000,
        "{} characters",
        md.chars().count()
    );
    assert!(
        md.contains("PromQL of each metric is left out"),
        "the cut is said"
    );
    assert!(md.contains("`throughput_5`"), "failing metrics stay");
    // Without a budget problem nothing is left out.
    let out = compare(&dir, "rest-run-2", &["--format", "markdown"]);
    assert!(!text(&out.stdout).contains("left out"));
    // A tight budget drops passing metrics, then cuts, and says so.
    let md = markdown70(&["--markdown-budget", "5000"]);
    assert!(
        md.chars().count() <= 5000 && md.contains("Cut at 5000 characters"),
        "{md}"
    );
}

#[test]
fn github_step_summary_and_annotations() {
    let dir = temp_dir("github");
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let (b, c) = (snap("weekly"), snap("rest-run"));
    let out = run_env(
        &dir,
        &["--baseline", &b, "--candidate", &c, "--github"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.starts_with("earlier step\n## benchcmp: ❌ FAIL"),
        "appended: {written}"
    );
    let stdout = text(&out.stdout);
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 10, "at most ten: {stdout}");
    assert!(
        errors[0]
            .starts_with("::error title=benchcmp throughput%3A FAIL::Completed process instances"),
        "{}",
        errors[0]
    );
    assert!(stdout.contains("::notice title=benchcmp::3 more metrics"));
}

#[test]
fn junit_validates_against_junit_10_xsd_and_reads_back() {
    let dir = temp_dir("junit-xsd");
    let xsd = repo().join("tests/schemas/junit-10.xsd");
    for candidate in ["rest-run", "rest-run-2", "weekly", "leak"] {
        let file = dir.join(format!("{candidate}.xml"));
        let out = compare(
            &dir,
            candidate,
            &[
                "--junit",
                file.to_str().unwrap(),
                "--charts",
                "charts",
                "--quiet",
            ],
        );
        assert!(out.status.code().is_some());
        let lint = Command::new(tool("xmllint"))
            .args(["--noout", "--schema"])
            .arg(&xsd)
            .arg(&file)
            .output()
            .unwrap();
        assert!(lint.status.success(), "{candidate}: {}", text(&lint.stderr));
    }
    // A real consumer reads it back: junitparser (what many CI plugins build on).
    let read = python(
        r#"
import sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    print("suite", suite.name, suite.tests, suite.failures, suite.skipped)
    for case in suite:
        kinds = [type(r).__name__ for r in case.result]
        print("case", case.classname, case.name, ",".join(kinds), case.system_out and "ATTACHMENT" in case.system_out)
"#,
        &[dir.join("rest-run-2.xml").to_str().unwrap()],
    );
    let listing = text(&read.stdout);
    assert!(read.status.success(), "{}", text(&read.stderr));
    assert!(
        listing.contains("suite benchcmp.zeebe 14 11 0"),
        "{listing}"
    );
    assert!(
        listing.contains("case benchcmp.zeebe throughput Failure True"),
        "{listing}"
    );
    assert!(
        listing.contains("case benchcmp.zeebe restarts  False"),
        "{listing}"
    );
}

#[test]
fn reports_and_snapshots_validate_against_the_committed_schemas() {
    let dir = temp_dir("schemas");
    // The committed schemas are what the types generate.
    for (doc, file) in [
        ("report", "benchcmp.report.v1.json"),
        ("snapshot", "benchcmp.snapshot.v1.json"),
        ("watch", "benchcmp.watch.v1.json"),
    ] {
        let out = run_env(&dir, &["schema", doc], &[]);
        let committed = std::fs::read_to_string(repo().join("schemas").join(file)).unwrap();
        assert_eq!(
            text(&out.stdout),
            committed,
            "schemas/{file} is stale: run `benchcmp schema {doc} > schemas/{file}`"
        );
    }
    let mut reports = Vec::new();
    for candidate in ["rest-run", "rest-run-2", "weekly", "leak"] {
        let file = dir.join(format!("{candidate}.json"));
        compare(
            &dir,
            candidate,
            &["--json", file.to_str().unwrap(), "--quiet"],
        );
        reports.push(file.to_string_lossy().into_owned());
    }
    let validate = |schema: &str, files: &[String]| {
        let mut args = vec![schema.to_string()];
        args.extend(files.iter().cloned());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        python(
            r#"
import sys, json, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
for f in sys.argv[2:]:
    errors = list(v.iter_errors(json.load(open(f))))
    for e in errors[:3]:
        print(f, list(e.absolute_path), e.message)
    print(f, "valid" if not errors else "INVALID")
"#,
            &refs,
        )
    };
    let out = validate(
        repo()
            .join("schemas/benchcmp.report.v1.json")
            .to_str()
            .unwrap(),
        &reports,
    );
    let said = text(&out.stdout);
    assert!(
        out.status.success() && !said.contains("INVALID") && said.matches("valid").count() == 4,
        "{said}{}",
        text(&out.stderr)
    );
    let snapshots: Vec<String> = ["weekly", "rest-run", "rest-run-2", "leak"]
        .iter()
        .map(|n| snap(n))
        .collect();
    let out = validate(
        repo()
            .join("schemas/benchcmp.snapshot.v1.json")
            .to_str()
            .unwrap(),
        &snapshots,
    );
    let said = text(&out.stdout);
    assert!(
        out.status.success() && !said.contains("INVALID"),
        "{said}{}",
        text(&out.stderr)
    );
    // Every record `watch --json-lines` writes, each line on its own.
    let lines = dir.join("live.jsonl");
    let out = run_env(
        &dir,
        &[
            "watch",
            "--baseline",
            &snap("weekly"),
            "--replay",
            &snap("rest-run"),
            "--speed",
            "5000",
            "--json-lines",
            lines.to_str().unwrap(),
            "--quiet",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let mut records = Vec::new();
    for (i, line) in std::fs::read_to_string(&lines).unwrap().lines().enumerate() {
        let file = dir.join(format!("record-{i}.json"));
        std::fs::write(&file, line).unwrap();
        records.push(file.to_string_lossy().into_owned());
    }
    assert!(records.len() > 100, "{} records", records.len());
    let out = validate(
        repo()
            .join("schemas/benchcmp.watch.v1.json")
            .to_str()
            .unwrap(),
        &records,
    );
    let said = text(&out.stdout);
    assert!(
        out.status.success() && !said.contains("INVALID"),
        "{said}{}",
        text(&out.stderr)
    );
    // The schema is not a rubber stamp: a report missing a key fails it.
    let mut report: Value =
        serde_json::from_str(&std::fs::read_to_string(&reports[0]).unwrap()).unwrap();
    report["metrics"][0]["baseline"]
        .as_object_mut()
        .unwrap()
        .remove("p99");
    let broken = dir.join("broken.json");
    std::fs::write(&broken, report.to_string()).unwrap();
    let out = validate(
        repo()
            .join("schemas/benchcmp.report.v1.json")
            .to_str()
            .unwrap(),
        &[broken.to_string_lossy().into_owned()],
    );
    assert!(
        text(&out.stdout).contains("INVALID"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_side_without_data_writes_every_key_as_null() {
    let dir = temp_dir("nulls");
    // rest-run without its snapshot's throughput: a snapshot edited to drop the metric.
    let mut s: Value =
        serde_json::from_str(&std::fs::read_to_string(snap("rest-run")).unwrap()).unwrap();
    s["metrics"].as_object_mut().unwrap().remove("throughput");
    let file = dir.join("cut.json");
    std::fs::write(&file, s.to_string()).unwrap();
    let b = snap("weekly");
    let out = run_env(
        &dir,
        &[
            "--baseline",
            &b,
            "--candidate",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "throughput")
        .unwrap();
    let with_data = m["baseline"].as_object().unwrap();
    let without = m["candidate"].as_object().unwrap();
    assert_eq!(
        with_data.keys().collect::<Vec<_>>(),
        without.keys().collect::<Vec<_>>(),
        "the same keys on both sides"
    );
    assert!(without["mean"].is_null() && without["n_eff"].is_null() && without["n"] == 0);
    let restarts = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "restarts")
        .unwrap();
    assert_eq!(restarts["headline"]["statistic"], "total");
    assert_eq!(restarts["change"]["statistic"], "total");
}

/// The rows of the table part of the terminal report.
fn table_lines(report: &str) -> Vec<&str> {
    report
        .lines()
        .take_while(|l| {
            !l.starts_with("Findings")
                && !l.starts_with("Level shifts")
                && !l.starts_with("Overall")
        })
        .collect()
}

#[test]
fn the_table_never_splits_a_name_and_fits_the_width() {
    let dir = temp_dir("widths");
    let listed = run_env(&dir, &["queries", "--format", "json"], &[]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 14);
    for width in ["80", "100", "160"] {
        for candidate in ["rest-run", "rest-run-2"] {
            let (b, c) = (snap("weekly"), snap(candidate));
            let out = run_env(
                &dir,
                &["--baseline", &b, "--candidate", &c],
                &[("COLUMNS", width)],
            );
            let report = text(&out.stdout);
            let rows = table_lines(&report);
            let w: usize = width.parse().unwrap();
            for l in &rows {
                assert!(l.chars().count() <= w, "{width}: {l:?}");
                assert_eq!(l.trim_end(), *l, "no trailing spaces");
            }
            for id in &ids {
                assert!(
                    rows.iter()
                        .any(|l| l.split_whitespace().next() == Some(*id)),
                    "{width} {candidate}: {id} whole at the start of a row:\n{report}"
                );
            }
            // Findings use the same names as the table.
            assert!(report.contains("FAIL throughput:"));
            // Everything under the table fits too (a word longer than the width stands
            // alone), continued findings are indented under their metric, and a number
            // keeps its unit.
            for l in report.lines() {
                assert!(
                    l.chars().count() <= w || !l.trim().contains(' '),
                    "{width}: {l:?}"
                );
                assert_eq!(l.trim_end(), l, "no trailing spaces");
            }
            let findings: Vec<&str> = report
                .lines()
                .skip_while(|l| !l.starts_with("Findings"))
                .skip(1)
                .take_while(|l| !l.is_empty())
                .collect();
            assert!(findings.len() >= 14, "{report}");
            assert!(
                findings.iter().all(|l| l.starts_with("  FAIL ")
                    || l.starts_with("  PASS ")
                    || l.starts_with("    ")),
                "{report}"
            );
            assert!(
                !findings.iter().any(|l| l.trim_start().starts_with("jobs/s")
                    || l.trim_start().starts_with("restarts")),
                "{report}"
            );
            // Gates and intervals wrap only at spaces: every verdict stays whole.
            assert!(!rows
                .iter()
                .any(|l| l.ends_with("INCONCL") || l.ends_with("FAI")));
        }
    }
}

#[test]
fn colour_follows_the_conventions_and_ascii_is_ascii() {
    let dir = temp_dir("terminal");
    let (b, c) = (snap("weekly"), snap("rest-run"));
    let args = ["--baseline", b.as_str(), "--candidate", c.as_str()];
    // Piped: no colour, unless CLICOLOR_FORCE.
    let plain = run_env(&dir, &args, &[]);
    assert!(!text(&plain.stdout).contains('\x1b'));
    let mut c1 = Command::new(exe());
    c1.args(args)
        .current_dir(&dir)
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1");
    assert!(
        text(&c1.output().unwrap().stdout).contains("\x1b["),
        "CLICOLOR_FORCE=1 colours a pipe"
    );
    // On a terminal (a pty from script(1)): colour, but not for TERM=dumb or NO_COLOR.
    let on_tty = |env: &str| {
        let cmd = format!("{env} {} --baseline {} --candidate {}", exe(), b, c);
        let out = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(&dir)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .output()
            .unwrap();
        text(&out.stdout)
    };
    assert!(
        on_tty("TERM=xterm-256color").contains("\x1b["),
        "colour on a terminal"
    );
    assert!(
        !on_tty("TERM=dumb").contains("\x1b[1;"),
        "TERM=dumb has no colour"
    );
    assert!(
        !on_tty("TERM=xterm NO_COLOR=1").contains("\x1b[1;"),
        "NO_COLOR"
    );
    // --style ascii: nothing but ASCII.
    let out = run_env(&dir, &[&args[..], &["--style", "ascii"]].concat(), &[]);
    let t = text(&out.stdout);
    assert!(
        t.is_ascii(),
        "{}",
        t.chars().filter(|c| !c.is_ascii()).collect::<String>()
    );
    assert!(t.contains(">= x") || t.contains(">= 60 s"), "{t}");
}
