//! Bad input, table-driven: each case writes its files into a fresh directory (next to copies
//! of the shipped pack and two snapshots), runs the binary, and checks the exit code and the
//! words of the message. No case may panic, and no case may change an input file.
//!
//! `BENCHCMP_SHOW_MESSAGES=1 cargo test --test bad_inputs -- --nocapture` prints every
//! message, which is how they are reviewed.

mod support;

use std::path::{Path, PathBuf};

use support::*;

struct Case {
    name: &'static str,
    /// (path relative to the case directory, contents)
    files: Vec<(&'static str, String)>,
    args: Vec<String>,
    exit: i32,
    /// Every one of these must appear in stderr (case-insensitive).
    says: Vec<&'static str>,
}

fn case(name: &'static str, args: &str, exit: i32, says: &[&'static str]) -> Case {
    Case {
        name,
        files: Vec::new(),
        args: args.split_whitespace().map(String::from).collect(),
        exit,
        says: says.to_vec(),
    }
}

impl Case {
    fn file(mut self, path: &'static str, contents: impl Into<String>) -> Self {
        self.files.push((path, contents.into()));
        self
    }

    /// Replaces the whitespace-split arguments (for arguments that contain spaces).
    fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// A port nothing listens on: cases that must stop before any request use it as the source.
const DEAD_URL: &str = "http://127.0.0.1:9";

fn config(body: &str) -> String {
    format!("[source]\nurl = \"{DEAD_URL}\"\n\n{body}")
}

fn run_config(run: &str) -> String {
    config(&format!(
        "[runs.{run}]\nvars = {{ namespace = \"ns\" }}\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n"
    ))
}

fn pack(extra: &str) -> String {
    format!(
        "[[metric]]\nid = \"throughput\"\ntitle = \"Throughput\"\nunit = \"PI/s\"\nbetter = \"higher\"\nquery = 'sum(rate(x{{namespace=~\"$namespace\"}}[$__rate_interval]))'\ncombine = \"sum\"\ngate = \"regression <= 10%\"\n{extra}"
    )
}

/// A one-metric snapshot with `values` as the throughput's points.
fn snapshot(values: &str) -> String {
    format!(
        r#"{{"format":"benchcmp.snapshot.v1","run":{{"name":"s","vars":{{"namespace":"ns"}},"start":"2025-06-27T08:00:00Z","end":"2025-06-27T12:00:00Z","step":"30s"}},"source":"test","recorded_at":"2025-06-28T00:00:00Z","metrics":{{"throughput":{{"query":"q","data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":[{values}]}}]}}}}}}}}"#
    )
}

fn cases() -> Vec<Case> {
    let w = "--baseline weekly --candidate rest-run";
    vec![
        // ---- config ----
        case("config: TOML syntax", w, 2, &["benchcmp.toml", "line 2"])
            .file("benchcmp.toml", "[source]\nurl = \"http://x\n"),
        case("config: unknown key", w, 2, &["benchcmp.toml", "unknown field", "timout"])
            .file("benchcmp.toml", config("[defaults]\ntimout = \"5s\"\n")),
        case("config: URL scheme", w, 2, &["ftp://prom", "http"])
            .file("benchcmp.toml", "[source]\nurl = \"ftp://prom\"\n"),
        case("config: duration unit", w, 2, &["10 parsecs"])
            .file("benchcmp.toml", "[source]\nurl = \"http://x\"\ntimeout = \"10 parsecs\"\n"),
        case("config: negative retries", w, 2, &["retries"])
            .file("benchcmp.toml", "[source]\nurl = \"http://x\"\nretries = -1\n"),
        case("config: zero concurrency", w, 2, &["concurrency"])
            .file("benchcmp.toml", "[source]\nurl = \"http://x\"\nconcurrency = 0\n"),
        case("config: end and duration", w, 2, &["runs.r", "end", "duration"])
            .file("benchcmp.toml", config("[runs.r]\nvars = { namespace = \"ns\" }\nstart = \"2025-06-27T08:00:00Z\"\nend = \"2025-06-27T12:00:00Z\"\nduration = \"4h\"\n")),
        case("config: end before start", w, 2, &["runs.r", "end is not after start"])
            .file("benchcmp.toml", config("[runs.r]\nvars = { namespace = \"ns\" }\nstart = \"2025-06-27T08:00:00Z\"\nend = \"2025-06-27T07:00:00Z\"\n")),
        case("config: unreadable time", w, 2, &["runs.r", "yesterday noon"])
            .file("benchcmp.toml", config("[runs.r]\nvars = { namespace = \"ns\" }\nstart = \"yesterday noon\"\nduration = \"4h\"\n")),
        case("config: run name with a slash", w, 2, &["a/b"])
            .file("benchcmp.toml", config("[runs.\"a/b\"]\nvars = { namespace = \"ns\" }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n")),
        case("config: password variable unset", w, 2, &["BENCHCMP_TEST_UNSET_PASSWORD"])
            .file("benchcmp.toml", "[source]\nurl = \"http://x\"\nusername = \"u\"\npassword_env = \"BENCHCMP_TEST_UNSET_PASSWORD\"\n"),
        case("config: response cap unreadable", w, 2, &["max_response_bytes", "lots"])
            .file("benchcmp.toml", "[source]\nurl = \"http://x\"\nmax_response_bytes = \"lots\"\n"),
        case("config: zero step", w, 2, &["step"])
            .file("benchcmp.toml", config("[defaults]\nstep = \"0s\"\n")),
        case("config: empty multi-valued variable", w, 2, &["namespace", "empty"])
            .file("benchcmp.toml", config("[runs.r]\nvars = { namespace = [] }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n")),
        case("config: a directory", "--config . --baseline weekly --candidate rest-run", 2, &["is a directory"]),
        case("config: missing file", "--config nope.toml --baseline weekly --candidate rest-run", 2, &["nope.toml", "does not exist"]),
        case("config: headers not a table", w, 2, &["headers"])
            .file("benchcmp.toml", "[source]\nurl = \"http://x\"\nheaders = \"X-Api-Key: k\"\n"),
        // ---- query pack ----
        case("pack: TOML syntax", w, 2, &["q.toml"])
            .file("queries/q.toml", "[[metric]\nid = \"x\"\n"),
        case("pack: duplicate id", w, 2, &["throughput", "duplicate"])
            .file("queries/q.toml", format!("{}\n{}", pack(""), pack(""))),
        case("pack: better", w, 2, &["better", "upwards"])
            .file("queries/q.toml", pack("").replace("better = \"higher\"", "better = \"upwards\"")),
        case("pack: no query", w, 2, &["query"])
            .file("queries/q.toml", "[[metric]]\nid = \"x\"\ntitle = \"X\"\nunit = \"s\"\nbetter = \"lower\"\n"),
        case("pack: unknown key", w, 2, &["q.toml", "gates"])
            .file("queries/q.toml", pack("gates = \"mean >= 1\"\n")),
        case("pack: bad gate", w, 2, &["q.toml", "throughput", "regresion"])
            .file("queries/q.toml", pack("").replace("gate = \"regression <= 10%\"", "gate = \"regresion <= 10%\"")),
        case("pack: unknown combine", w, 2, &["combine", "average"])
            .file("queries/q.toml", pack("").replace("combine = \"sum\"", "combine = \"average\"")),
        case("pack: saturates_at unreadable", w, 2, &["saturates_at"])
            .file("queries/q.toml", pack("saturates_at = \"high\"\n")),
        case("pack: empty directory", w, 2, &["no *.toml"]).file("queries/README", ""),
        case("pack: missing directory", "--queries nowhere --baseline weekly --candidate rest-run", 2, &["nowhere"]),
        case("pack: undefined variable", "queries --check --run r", 2, &["$cluster"])
            .file("benchcmp.toml", run_config("r"))
            .file("queries/q.toml", pack("").replace("$namespace", "$cluster")),
        case("pack: several values outside a regex matcher", "queries --check --run r", 2, &["namespace", "=~"])
            .file("benchcmp.toml", config("[runs.r]\nvars = { namespace = [\"a\", \"b\"] }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n"))
            .file("queries/q.toml", pack("").replace("namespace=~", "namespace=")),
        case("pack: unknown variable format", "queries --check --run r", 2, &["json", "raw", "regex"])
            .file("benchcmp.toml", run_config("r"))
            .file("queries/q.toml", pack("").replace("$namespace", "${namespace:json}")),
        // ---- gates ----
        case("gate: unknown metric", "", 2, &["latency_p95"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "latency_p95: regression <= 5%"]),
        case("gate: no colon", "", 2, &["<metric>: <rule>"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "throughput regression <= 5%"]),
        case("gate: bad number", "", 2, &["ten%", "^"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "throughput: regression <= ten%"]),
        case("gate: unit of another quantity", "", 2, &["PI/s", "latency_p99", "s"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "latency_p99: p99 <= 5 PI/s"]),
        case("gate: twice for one metric", "", 2, &["throughput", "twice"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "throughput: regression <= 5%", "--gate", "throughput: regression <= 90%"]),
        case("gate: total of a rate", "", 2, &["total", "throughput"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "throughput: total <= 5"]),
        case("gate: trend of a count", "", 2, &["trend", "restarts"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "restarts: trend <= 5%/h"]),
        case("gate: budget that cannot fail", "", 2, &["100%"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "throughput: regression <= 150%"]),
        case("gate: unknown statistic", "", 2, &["avg"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "latency_p99: avg <= 3s"]),
        case("gate: trailing words", "", 2, &["banana", "and"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "throughput: regression <= 5% banana"]),
        case("gate: negative budget", "", 2, &["-5%"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "throughput: regression <= -5%"]),
        case("gate: empty rule", "", 2, &["throughput"]).args(&["--baseline", "weekly", "--candidate", "rest-run", "--gate", "throughput:"]),
        // ---- run names ----
        case("run: unknown", "--baseline weekly --candidate nightly", 2, &["nightly", "runs"]),
        case("run: path-like, missing", "--baseline weekly --candidate ./snaps/nope.json", 2, &["./snaps/nope.json", "does not exist"]),
        case("run: no baseline", "--candidate rest-run", 2, &["--baseline"]),
        case("run: no candidate", "--baseline weekly", 2, &["--candidate"]),
        case("run: config run without a source", "--baseline weekly --candidate r", 2, &["source", "url"])
            .file("benchcmp.toml", "[runs.r]\nvars = { namespace = \"ns\" }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n"),
        case("run: config run shadowing a snapshot, source down", w, 3, &["weekly", "baselines/weekly.json", "wins over"])
            .file("benchcmp.toml", format!("[source]\nurl = \"{DEAD_URL}\"\nretries = 0\n\n[runs.weekly]\nvars = {{ namespace = \"ns\" }}\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n")),
        case("run: glob class not closed", "--baseline weekly-cw2[2-4 --candidate rest-run", 2, &["weekly-cw2[2-4", "not closed", "[a-z]"]),
        case("run: brace expansion", "--baseline weekly-cw{22,23} --candidate rest-run", 2, &["brace expansion", "commas"]),
        // ---- windows ----
        case("window: record in the future", "record r", 2, &["future"])
            .file("benchcmp.toml", config("[runs.r]\nvars = { namespace = \"ns\" }\nstart = \"2099-01-01T00:00:00Z\"\nduration = \"4h\"\n")),
        case("window: step too small for the window", "queries --check --run r", 2, &["points", "step"])
            .file("benchcmp.toml", config("[defaults]\nstep = \"1ms\"\n\n[runs.r]\nvars = { namespace = \"ns\" }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n")),
        case("window: negative duration", w, 2, &["runs.r", "-4h"])
            .file("benchcmp.toml", config("[runs.r]\nvars = { namespace = \"ns\" }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"-4h\"\n")),
        case("window: warm-up longer than the run", "queries --check --run r", 2, &["warm"])
            .file("benchcmp.toml", config("[defaults]\nwarmup = \"5h\"\n\n[runs.r]\nvars = { namespace = \"ns\" }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n")),
        // ---- variables ----
        case("variables: not a string", w, 2, &["namespace"])
            .file("benchcmp.toml", config("[runs.r]\nvars = { namespace = 42 }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n")),
        case("variables: reserved name", w, 2, &["__rate_interval"])
            .file("benchcmp.toml", config("[runs.r]\nvars = { __rate_interval = \"5m\" }\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n")),
        // ---- snapshots ----
        case("snapshot: truncated", "--baseline weekly --candidate baselines/cut.json", 2, &["cut.json", "line"])
            .file("baselines/cut.json", snapshot("[1751011200,\"150\"]")[..200].to_string()),
        case("snapshot: conflicting duplicate timestamps", "--baseline weekly --candidate baselines/dup.json", 2, &["dup.json", "2025-06-27T08:00:00Z", "150", "90"])
            .file("baselines/dup.json", snapshot("[1751011200,\"150\"],[1751011200,\"90\"]")),
        case("snapshot: unknown format", "--baseline weekly --candidate baselines/v9.json", 2, &["v9.json", "benchcmp.snapshot.v9"])
            .file("baselines/v9.json", snapshot("[1751011200,\"150\"]").replace("snapshot.v1", "snapshot.v9")),
        case("snapshot: value not a number", "--baseline weekly --candidate baselines/word.json", 2, &["word.json", "fast"])
            .file("baselines/word.json", snapshot("[1751011200,\"fast\"]")),
        case("snapshot: empty file", "--baseline weekly --candidate baselines/empty.json", 2, &["empty.json", "empty"])
            .file("baselines/empty.json", ""),
        case("snapshot: a JSON array", "--baseline weekly --candidate baselines/arr.json", 2, &["arr.json", "array", "an object", "format"])
            .file("baselines/arr.json", "[1, 2]"),
        case("snapshot: JSON null", "--baseline weekly --candidate baselines/null.json", 2, &["null.json", "null", "an object", "metrics"])
            .file("baselines/null.json", "null\n"),
        case("snapshot: run not an object", "--baseline weekly --candidate baselines/run5.json", 2, &["run5.json", "at run", "an object", "start"])
            .file("baselines/run5.json", snapshot("").replace(r#""run":{"name":"s","vars":{"namespace":"ns"},"start":"2025-06-27T08:00:00Z","end":"2025-06-27T12:00:00Z","step":"30s"}"#, r#""run":5"#)),
        case("snapshot: data a list", "--baseline weekly --candidate baselines/datalist.json", 2, &["datalist.json", "metrics.throughput.data", "resulttype"])
            .file("baselines/datalist.json", snapshot("").replace(r#""data":{"resultType":"matrix","result":[{"metric":{},"values":[]}]}"#, r#""data":[]"#)),
        case("snapshot: series without its labels", "--baseline weekly --candidate baselines/nolabels.json", 2, &["nolabels.json", "metrics.throughput.data.result[0]", "metric"])
            .file("baselines/nolabels.json", snapshot("[1751011200,\"150\"]").replace(r#"{"metric":{},"values""#, r#"{"values""#)),
        case("snapshot: samples out of time order", "--baseline weekly --candidate baselines/order.json", 2, &["order.json", "throughput", "series 0, sample 2", "time order"])
            .file("baselines/order.json", snapshot("[1751011200,\"150\"],[1751011260,\"150\"],[1751011230,\"150\"]")),
        case("snapshot: a directory", "--baseline weekly --candidate baselines", 2, &["baselines", "directory"]),
        case("snapshot: binary garbage", "--baseline weekly --candidate baselines/bin.json", 2, &["bin.json"])
            .file("baselines/bin.json", "\u{0}\u{1}\u{2}PK\u{3}\u{4}"),
        case("snapshot: metrics not a table", "--baseline weekly --candidate baselines/list.json", 2, &["list.json", "metrics"])
            .file("baselines/list.json", snapshot("").replace("\"metrics\":{", "\"metrics\":[{").replace("}}}}}}", "}}}}}]}")),
        // ---- CLI flags ----
        case("flag: confidence above 1", "--baseline weekly --candidate rest-run --confidence 1.5", 2, &["confidence", "1.5"]),
        case("flag: confidence not a number", "--baseline weekly --candidate rest-run --confidence high", 2, &["high"]),
        case("flag: strict and accept-inconclusive", "--baseline weekly --candidate rest-run --strict --accept-inconclusive", 2, &["--strict", "--accept-inconclusive"]),
        case("flag: unknown format", "--baseline weekly --candidate rest-run --format xml", 2, &["xml", "json"]),
        case("flag: unknown option", "--baseline weekly --candidate rest-run --colour never", 2, &["--colour", "--color"]),
        case("flag: --only an unknown metric", "--baseline weekly --candidate rest-run --only thruput", 2, &["thruput", "throughput"]),
        case("flag: --prometheus not a URL", "queries --check --run r --prometheus prom:9090", 2, &["prom:9090", "http"])
            .file("benchcmp.toml", run_config("r")),
        case("flag: record without a run", "record", 2, &["RUN"]),
        // ---- output paths ----
        case("output: report over the baseline", "--baseline baselines/weekly.json --candidate rest-run --json baselines/weekly.json", 2, &["weekly.json", "input"]),
        case("output: two reports to one file", "--baseline weekly --candidate rest-run --json out.txt --markdown out.txt", 2, &["out.txt", "--json", "--markdown"]),
        case("output: charts into a file", "--baseline weekly --candidate rest-run --charts plain.txt", 2, &["plain.txt", "not a directory"])
            .file("plain.txt", "keep"),
        case("output: report into a directory", "--baseline weekly --candidate rest-run --json baselines", 2, &["baselines", "directory"]),
        case("output: charts and export in one directory", "--baseline weekly --candidate rest-run --charts out --export out", 2, &["out", "--charts", "--export"]),
        case("output: record over a snapshot", "record r", 2, &["exists", "--force"])
            .file("benchcmp.toml", run_config("r"))
            .file("baselines/r.json", snapshot("[1751011200,\"150\"]")),
        case("output: report into a full disk", "--baseline weekly --candidate rest-run --json /dev/full", 2, &["/dev/full", "space"]),
        case("output: report where a file blocks the directory", "--baseline weekly --candidate rest-run --json plain.txt/r.json", 2, &["plain.txt"])
            .file("plain.txt", "keep"),
        case("output: markdown over the candidate", "--baseline weekly --candidate baselines/rest-run.json --markdown ./baselines/../baselines/rest-run.json", 2, &["rest-run.json", "input"]),
    ]
}

/// A directory with the shipped pack and two shipped snapshots, then the case's files.
fn prepare(case: &Case, index: usize) -> PathBuf {
    let dir = temp_dir(&format!("bad-input-{index}"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let own_pack = case.files.iter().any(|(p, _)| p.starts_with("queries/"));
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    if !own_pack {
        std::fs::copy(
            repo.join("queries/zeebe.toml"),
            dir.join("queries/zeebe.toml"),
        )
        .unwrap();
    }
    std::fs::create_dir_all(dir.join("baselines")).unwrap();
    for run in ["weekly", "rest-run"] {
        let name = format!("baselines/{run}.json");
        std::fs::copy(repo.join(&name), dir.join(&name)).unwrap();
    }
    for (path, contents) in &case.files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

/// Every regular file under `dir` with its contents.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_bad_input_names_the_problem_with_the_documented_exit_code() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let show = std::env::var_os("BENCHCMP_SHOW_MESSAGES").is_some();
    let mut failures = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let dir = prepare(case, index);
        let before = contents(&dir);
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let out = benchcmp(&dir, &args);
        // queries --check reports each query's problem in its table on stdout
        let stderr = text(&out.stderr) + &text(&out.stdout);
        if show {
            println!("--- {} ({:?})\n{stderr}", case.name, out.status.code());
        }
        let lower = stderr.to_lowercase();
        let missing: Vec<_> = case
            .says
            .iter()
            .filter(|s| !lower.contains(&s.to_lowercase()))
            .collect();
        if out.status.code() != Some(case.exit) || !missing.is_empty() {
            failures.push(format!(
                "{}: exit {:?} (want {}), missing {missing:?}\n{stderr}",
                case.name,
                out.status.code(),
                case.exit
            ));
        }
        // Messages speak of the files' fields, never of the types that read them.
        if lower.contains("struct ") {
            failures.push(format!("{}: names a Rust type\n{stderr}", case.name));
        }
        if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
            failures.push(format!("{}: panicked\n{stderr}", case.name));
        }
        let after = contents(&dir);
        if before != after {
            let changed: Vec<_> = after
                .iter()
                .filter(|f| !before.contains(f))
                .map(|(p, _)| p.display().to_string())
                .chain(
                    before
                        .iter()
                        .filter(|f| !after.contains(f))
                        .map(|(p, _)| format!("{} (removed or changed)", p.display())),
                )
                .collect();
            failures.push(format!("{}: files changed: {changed:?}", case.name));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Every option and argument that takes one of a fixed set of values, on every subcommand:
/// a value outside the set is a usage error (exit 2) that names the option and the values it
/// takes, never a silent default.
#[test]
fn an_unknown_value_of_any_enumerated_option_is_a_usage_error() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, clap::Arg)>) {
        for arg in cmd.get_arguments() {
            if !arg.get_possible_values().is_empty() && arg.get_id() != "help" {
                out.push((path.clone(), arg.clone()));
            }
        }
        for sub in cmd.get_subcommands() {
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            walk(sub, p, out);
        }
    }
    let mut options = Vec::new();
    walk(&benchcmp::cli::Cli::command(), Vec::new(), &mut options);
    let dir = temp_dir("enum-options");
    let mut checked = 0;
    for (path, arg) in options {
        // Flags that take no value (a bool's true/false) are not enumerated options.
        if matches!(
            arg.get_action(),
            clap::ArgAction::SetTrue | clap::ArgAction::SetFalse
        ) {
            continue;
        }
        let mut args: Vec<String> = path.clone();
        let name = match arg.get_long() {
            Some(long) => {
                args.push(format!("--{long}"));
                format!("--{long}")
            }
            None => arg.get_id().to_string().to_uppercase(),
        };
        args.push("no-such-value".into());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = benchcmp(&dir, &refs);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("no-such-value") && err.to_lowercase().contains("possible values"),
            "{args:?} ({name}): {err}"
        );
        checked += 1;
    }
    // --format of compare, queries, runs and history; --color, --style, --chart-format,
    // --chart-axis; completions' shell and schema's document at least.
    assert!(checked >= 10, "only {checked} enumerated options found");
}
