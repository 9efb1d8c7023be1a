//! A newcomer's first hour (issue #38): closed pipes end quietly with the documented code,
//! `watch` writes its output where people look, Ctrl-C leaves nothing half-written, the
//! tables fit 80 columns, chart text neither overlaps nor leaves its canvas, the man page
//! is one page, and the messages say what to do.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{repo, snap, temp_dir, text};

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_benchcmp")
}

/// Runs benchcmp in the repository (its `baselines/` and `queries/`) with `env`.
fn run_in_repo(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(exe());
    cmd.args(args)
        .current_dir(repo())
        .env_remove("BENCHCMP_PROMETHEUS_URL")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// The shipped example runs, each compared against `weekly`.
const SHIPPED_CANDIDATES: [&str; 5] = ["rest-run", "rest-run-2", "leak", "weekly", "weekly-cw24"];

/// `watch` replaying rest-run-2 (which collapses at 1h41m) as fast as it goes, with `extra`.
fn watch_rest_run_2(extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "watch",
        "--baseline",
        "weekly",
        "--replay",
        "baselines/rest-run-2.json",
        "--speed",
        "100000",
        "--stop-on-fail",
    ];
    args.extend_from_slice(extra);
    run_in_repo(&args, &[])
}

/// Exit code of `args` with stdout and stderr closed before it writes a byte.
fn with_closed_pipes(args: &[&str], dir: &Path) -> Option<i32> {
    let mut child = Command::new(exe())
        .args(args)
        .current_dir(dir)
        .env_remove("BENCHCMP_PROMETHEUS_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().unwrap().code()
}

#[test]
fn a_closed_pipe_ends_every_command_quietly_with_its_code() {
    let dir = temp_dir("closed-pipes");
    for linked in ["baselines", "queries"] {
        std::os::unix::fs::symlink(repo().join(linked), dir.join(linked)).unwrap();
    }
    let cases: &[(&[&str], i32)] = &[
        (&["--baseline", "weekly", "--candidate", "rest-run"], 1),
        (&["--baseline", "weekly", "--candidate", "weekly"], 0),
        (
            &[
                "--baseline",
                "weekly",
                "--candidate",
                "rest-run",
                "--format",
                "json",
            ],
            1,
        ),
        (&["runs"], 0),
        (&["queries"], 0),
        (&["queries", "--default"], 0),
        (&["history", "--baseline", "weekly*"], 0),
        (&["man"], 0),
        (&["completions", "bash"], 0),
        (&["schema", "report"], 0),
        (&["init", "-"], 0),
        (&["--help"], 0),
        (&["watch", "--help"], 0),
        (&[], 2),
        (&["--baseline", "nonesuch", "--candidate", "weekly"], 2),
        // A watch whose reader has gone stops as Ctrl-C does, at its first poll: the window
        // was not seen to its end and nothing has failed yet (4).
        (
            &[
                "watch",
                "--baseline",
                "weekly",
                "--replay",
                "baselines/leak.json",
                "--speed",
                "100000",
            ],
            4,
        ),
        (
            &[
                "watch",
                "--baseline",
                "weekly",
                "--replay",
                "baselines/rest-run.json",
                "--speed",
                "100000",
            ],
            4,
        ),
    ];
    for (args, code) in cases {
        assert_eq!(
            with_closed_pipes(args, &dir),
            Some(*code),
            "benchcmp {} with stdout and stderr closed",
            args.join(" ")
        );
    }
}

#[test]
fn watch_writes_its_lines_and_the_final_table_on_stdout() {
    let out = watch_rest_run_2(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("seen to 2025-07-01T09:00:00Z"), "{stdout}");
    assert!(
        stdout.contains("Overall: FAIL"),
        "the final table: {stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("of steady data"),
        "the verdict line last: {stdout}"
    );
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
    // With a report format on stdout the lines go to stderr.
    let out = watch_rest_run_2(&["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "fail");
    assert!(
        text(&out.stderr).contains("seen to"),
        "{}",
        text(&out.stderr)
    );
    // A replay sees the same samples at every poll, however fast the machine.
    let again = watch_rest_run_2(&[]);
    let without_clock = |o: &std::process::Output| -> Vec<String> {
        text(&o.stdout)
            .lines()
            .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest).to_string())
            .collect()
    };
    let first = watch_rest_run_2(&[]);
    assert_eq!(without_clock(&first), without_clock(&again));
}

/// Sends SIGINT to `child` after `after`.
fn interrupt(child: &std::process::Child, after: Duration) {
    std::thread::sleep(after);
    // SAFETY: kill(2) with a pid this test started and still waits for.
    let r = unsafe { libc_kill(child.id() as i32, 2) };
    assert_eq!(r, 0);
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn ctrl_c_leaves_nothing_half_written() {
    // Charts at 4× take long enough to be interrupted while they are drawn.
    let dir = temp_dir("ctrl-c");
    let mut interrupted = 0;
    for attempt in 0..6 {
        let out = dir.join(format!("out-{attempt}"));
        let child = Command::new(exe())
            .args([
                "--queries",
                repo().join("queries").to_str().unwrap(),
                "--baseline",
                &snap("weekly"),
                "--candidate",
                &snap("rest-run"),
                "--charts",
                out.join("charts").to_str().unwrap(),
                "--chart-scale",
                "4",
                "--json",
                out.join("r.json").to_str().unwrap(),
            ])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        interrupt(&child, Duration::from_millis(150 + 50 * attempt));
        let result = child.wait_with_output().unwrap();
        let left: Vec<String> = std::fs::read_dir(&out)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        match result.status.code() {
            Some(130) => {
                interrupted += 1;
                assert!(
                    text(&result.stderr).contains("Ctrl-C"),
                    "{}",
                    text(&result.stderr)
                );
                assert!(
                    left.iter().all(|f| !f.contains(".benchcmp-")),
                    "staged files left behind: {left:?}"
                );
            }
            // Finished before the signal: everything in place.
            Some(1) => assert!(left.contains(&"r.json".to_string()), "{left:?}"),
            other => panic!("exit {other:?}: {}", text(&result.stderr)),
        }
    }
    assert!(interrupted > 0, "no attempt was interrupted while it ran");
}

#[test]
fn ctrl_c_in_a_watchs_warm_up_says_why_there_is_no_report() {
    let dir = temp_dir("watch-warmup");
    let child = Command::new(exe())
        .args([
            "--queries",
            repo().join("queries").to_str().unwrap(),
            "watch",
            "--baseline",
            &snap("weekly"),
            "--replay",
            &snap("leak"),
            "--speed",
            "60",
            "--json",
            "x.json",
        ])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    interrupt(&child, Duration::from_millis(1500));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = text(&out.stderr);
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("no report written"))
            .count(),
        1,
        "{err}"
    );
    assert!(!dir.join("x.json").exists());
}

fn widths(out: &str) -> Vec<usize> {
    out.lines().map(|l| l.chars().count()).collect()
}

#[test]
fn every_table_fits_80_columns() {
    let columns = [("COLUMNS", "80")];
    for args in [&["runs"][..], &["queries"][..]] {
        let out = run_in_repo(args, &columns);
        assert_eq!(out.status.code(), Some(0));
        let stdout = text(&out.stdout);
        assert!(
            widths(&stdout).iter().all(|w| *w <= 80),
            "{args:?}:\n{stdout}"
        );
        assert!(
            stdout.lines().all(|l| l == l.trim_end()),
            "trailing spaces: {stdout}"
        );
        assert!(
            stdout.lines().next().is_some_and(|l| !l.starts_with(' ')),
            "no leading space: {stdout}"
        );
    }
    for candidate in SHIPPED_CANDIDATES {
        for style in ["unicode", "ascii"] {
            let out = run_in_repo(
                &[
                    "--baseline",
                    "weekly",
                    "--candidate",
                    candidate,
                    "--style",
                    style,
                ],
                &columns,
            );
            let stdout = text(&out.stdout);
            assert!(
                widths(&stdout).iter().all(|w| *w <= 80),
                "{candidate}, {style}:\n{stdout}"
            );
            // Rows: between the header's rule and the closing rule; each starts with its
            // metric's id, its continuation lines with spaces: never more than two lines.
            let lines: Vec<&str> = stdout.lines().collect();
            let start = lines
                .iter()
                .position(|l| l.starts_with('═') || l.starts_with('='))
                .unwrap();
            let end = start
                + 1
                + lines[start + 1..]
                    .iter()
                    .position(|l| l.starts_with('─') || l.starts_with('-'))
                    .unwrap();
            let mut run = 0;
            for l in &lines[start + 1..end] {
                run = if l.starts_with(' ') { run + 1 } else { 1 };
                assert!(run <= 2, "{candidate}: a row of three lines:\n{stdout}");
            }
        }
    }
}

#[test]
fn ascii_rows_are_one_width() {
    for columns in ["80", "100", "140"] {
        let out = run_in_repo(
            &[
                "--baseline",
                "weekly",
                "--candidate",
                "rest-run",
                "--style",
                "ascii",
            ],
            &[("COLUMNS", columns)],
        );
        let stdout = text(&out.stdout);
        assert!(stdout.is_ascii(), "{stdout}");
        // Every column starts where its header starts, in every row.
        let lines: Vec<&str> = stdout.lines().collect();
        let header = lines[1];
        let starts: Vec<usize> = ["Baseline", "Verdict"]
            .iter()
            .filter_map(|h| header.find(h))
            .collect();
        let verdict = header.find("Verdict").unwrap();
        for row in lines[3..].iter().take_while(|l| !l.starts_with('-')) {
            if row.starts_with(' ') {
                continue;
            }
            let label = row[verdict..].trim_end();
            assert!(
                ["PASS", "FAIL", "INCONCLUSIVE", "NO DATA", "-"].contains(&label),
                "COLUMNS={columns}: verdict column out of line in {row:?}\n{stdout}"
            );
            assert!(!starts.is_empty());
        }
    }
}

#[test]
fn chart_text_never_overlaps_or_leaves_the_canvas() {
    let dir = temp_dir("chart-text");
    let boxes = dir.join("boxes.jsonl");
    let env = [("BENCHCMP_TEXT_BOXES", boxes.to_str().unwrap())];
    let charts = |name: &str| dir.join(name).to_string_lossy().into_owned();
    for candidate in SHIPPED_CANDIDATES {
        for format in ["png", "svg"] {
            let out = run_in_repo(
                &[
                    "--baseline",
                    "weekly",
                    "--candidate",
                    candidate,
                    "--charts",
                    &charts(&format!("{candidate}-{format}")),
                    "--chart-format",
                    format,
                    "--quiet",
                ],
                &env,
            );
            assert!(out.status.code().is_some_and(|c| c <= 4));
        }
    }
    let pooled = charts("pooled");
    run_in_repo(
        &[
            "--baseline",
            "weekly*",
            "--candidate",
            "leak",
            "--charts",
            &pooled,
            "--quiet",
        ],
        &env,
    );
    let history = charts("history");
    run_in_repo(
        &[
            "history",
            "--baseline",
            "weekly*",
            "--candidate",
            "rest-run",
            "--charts",
            &history,
        ],
        &env,
    );
    let text = std::fs::read_to_string(&boxes).unwrap();
    let mut by_chart: std::collections::BTreeMap<String, (f64, f64, Vec<serde_json::Value>)> =
        Default::default();
    for line in text.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let entry = by_chart
            .entry(r["chart"].as_str().unwrap().to_string())
            .or_insert((
                r["width"].as_f64().unwrap(),
                r["height"].as_f64().unwrap(),
                Vec::new(),
            ));
        entry.2.push(r["box"].clone());
    }
    assert!(by_chart.len() > 100, "{} charts", by_chart.len());
    let mut problems = Vec::new();
    for (chart, (w, h, boxes)) in &by_chart {
        let edge = |b: &serde_json::Value, k: &str| b[k].as_f64().unwrap();
        for b in boxes {
            let label = b["text"].as_str().unwrap();
            if edge(b, "left") < -0.5
                || edge(b, "top") < -0.5
                || edge(b, "right") > w + 0.5
                || edge(b, "bottom") > h + 0.5
            {
                problems.push(format!("{chart}: {label:?} leaves the canvas"));
            }
            if label.contains('…') {
                problems.push(format!("{chart}: {label:?} is cut"));
            }
        }
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let x =
                    edge(a, "right").min(edge(b, "right")) - edge(a, "left").max(edge(b, "left"));
                let y =
                    edge(a, "bottom").min(edge(b, "bottom")) - edge(a, "top").max(edge(b, "top"));
                if x > 1.0 && y > 1.0 {
                    problems.push(format!("{chart}: {} runs into {}", a["text"], b["text"]));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_man_page_is_one_page_with_every_command() {
    let out = run_in_repo(&["man"], &[]);
    let page = text(&out.stdout);
    assert!(!page.contains("benchcmp\\-compare(1)") && !page.contains("benchcmp-compare(1)"));
    for command in [
        "compare", "watch", "record", "runs", "queries", "history", "init",
    ] {
        assert!(
            page.contains(&format!(".SS \"benchcmp {command}\""))
                || page.contains(&format!(".SS benchcmp {command}")),
            "{command}"
        );
    }
    // Examples as typed: in no-fill blocks, hyphenation off for the whole page.
    assert!(page.contains("\n.nf\n") && page.contains("\n.nh\n"));
    assert!(page.contains("\\-\\-stop\\-on\\-fail"), "options of watch");
    assert!(page.contains("130"), "exit codes");
}

#[test]
fn messages_say_what_to_do() {
    let refused = |args: &[&str], words: &[&str]| {
        let out = run_in_repo(args, &[]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        for w in words {
            assert!(err.contains(w), "{args:?}: {err}");
        }
        assert!(!err.contains("(at ?)"), "{err}");
    };
    refused(
        &["watch", "--baseline", "weekly"],
        &["watch needs", "--replay"],
    );
    refused(
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "leak",
            "--gate",
            "thruput: regression <= 5%",
        ],
        &["thruput", "metrics: throughput, created"],
    );
    let dir = temp_dir("messages");
    std::fs::write(dir.join("c.toml"), "[defaults]\nwarmup = \"10 minutes\"\n").unwrap();
    refused(
        &[
            "--config",
            dir.join("c.toml").to_str().unwrap(),
            "--baseline",
            "weekly",
            "--candidate",
            "leak",
        ],
        &["write 10m"],
    );
    let weekly = std::fs::read(snap("weekly")).unwrap();
    std::fs::write(dir.join("cut.json"), &weekly[..10]).unwrap();
    refused(
        &[
            "--baseline",
            dir.join("cut.json").to_str().unwrap(),
            "--candidate",
            "leak",
        ],
        &["truncated"],
    );
    // From a directory without baselines/: the message says where it looked.
    let out = Command::new(exe())
        .args(["--baseline", "weekly", "--candidate", "leak"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("--baselines DIR"),
        "{}",
        text(&out.stderr)
    );
    // A compressed snapshot is read as it is.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &std::fs::read(snap("leak")).unwrap()).unwrap();
    std::fs::write(dir.join("leak.json.gz"), gz.finish().unwrap()).unwrap();
    let out = run_in_repo(
        &[
            "--baseline",
            "weekly",
            "--candidate",
            dir.join("leak.json.gz").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // One gated metric is one.
    let out = run_in_repo(
        &[
            "--baseline",
            "weekly",
            "--candidate",
            "leak",
            "--only",
            "throughput",
        ],
        &[],
    );
    assert!(
        text(&out.stdout).contains("(1 gated metric: 1 pass)"),
        "{}",
        text(&out.stdout)
    );
}
