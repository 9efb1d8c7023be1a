//! Shared test support: the synthetic data generator, the real-Prometheus harness, and the
//! fixture runs with known values that the integration tests check against.

#![allow(dead_code)]

pub mod calibrate;
pub mod exporter;
pub mod prom;
pub mod synth;
pub mod tls;
pub mod watch;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use synth::{Level, OpenMetrics, RunSpec};

/// 2025-06-27T08:00:00Z
pub const WEEKLY_START: i64 = 1_751_011_200;
/// 2025-06-30T10:00:00Z
pub const REST_START: i64 = 1_751_277_600;
/// 2025-07-02T00:00:00Z, a 24 h window for split queries.
pub const DAY_START: i64 = 1_751_414_400;
pub const WEEKLY_NS: &str = "medic-y-2025-cw-26-benchmark";
pub const REST_NS: &str = "ck-bojan-rest-benchmark";
pub const HOURS_4: i64 = 4 * 3600;

/// Worker restart offsets of the REST run: every worker restarts at 20 min, then every 30 min.
pub fn rest_restart_offsets(worker: usize) -> Vec<i64> {
    (0..8)
        .map(|k| 1200 + k * 1800 + worker as i64 * 60)
        .collect()
}

/// The healthy gRPC baseline: constant, exactly known values.
pub fn weekly_spec() -> RunSpec {
    let mut s = RunSpec::healthy(WEEKLY_NS, WEEKLY_START, HOURS_4);
    // a CronJob pod restart that the pack must ignore
    s.leader_balancer_restarts = vec![3600, 7200];
    s
}

/// The REST run: throughput down 70%, latency at the ceiling (legacy metric names), OOM
/// restarts, rejections and timeouts, backpressure still 0%.
pub fn rest_spec() -> RunSpec {
    let mut s = RunSpec::healthy(REST_NS, REST_START, HOURS_4);
    s.throughput = Level::constant(45.0);
    s.created = Level::constant(60.0);
    s.latency_values = vec![(75.0, 1.0)];
    s.legacy_histogram = true;
    s.job_push = false;
    s.job_timeouts = Level::constant(2.0);
    s.rejections = Level::constant(500.0);
    s.worker_restarts = (0..3).map(rest_restart_offsets).collect();
    s.oom = true;
    s.worker_memory = Level::constant(250.0 * 1024.0 * 1024.0);
    s.throttling = Level::constant(0.65);
    s
}

/// 2025-07-03T08:00:00Z and 2025-07-04T08:00:00Z: two noisy runs of the same distribution.
pub const STABLE_A_START: i64 = 1_751_529_600;
pub const STABLE_B_START: i64 = 1_751_616_000;
/// 2025-07-05T08:00:00Z: a run at 150 PI/s that collapses to 45 PI/s after 2 h.
pub const COLLAPSE_START: i64 = 1_751_702_400;

/// A noisy healthy run; `seed` makes it a different sample of the same distribution.
pub fn stable_spec(namespace: &str, start: i64, seed: u64) -> RunSpec {
    let mut s = RunSpec::healthy(namespace, start, HOURS_4);
    s.seed = seed;
    s.throughput = Level::noisy(150.0, 0.03, 0.9);
    s.created = Level::noisy(150.0, 0.02, 0.9);
    s.latency_scale = Level::noisy(1.0, 0.02, 0.8);
    s.worker_memory = Level::noisy(180.0 * 1024.0 * 1024.0, 0.02, 0.95);
    s.throttling = Level::noisy(0.05, 0.3, 0.8);
    s
}

/// 2025-07-06T08:00:00Z: a healthy run whose exporters all stop 3h20m in (an outage to
/// the end that the query results show as missing data).
pub const STALLED_START: i64 = 1_751_788_800;
/// 2025-07-07T08:00:00Z: a healthy run in which one OOMKilled worker pod is replaced at
/// 1 h by a pod that had already restarted once when it was first scraped — summed in
/// PromQL the two pods' counts do not change at all.
pub const REPLACED_START: i64 = 1_751_875_200;

pub fn stalled_spec() -> RunSpec {
    let mut s = stable_spec("stalled", STALLED_START, 303);
    s.stop_at = Some(3 * 3600 + 20 * 60);
    s
}

pub fn replaced_spec() -> RunSpec {
    let mut s = RunSpec::healthy("replaced", REPLACED_START, HOURS_4);
    // pod 0 restarted (OOM) during the warm-up, leaves at 1 h; pod 3 takes its place with
    // one restart already behind it
    s.worker_restarts = vec![vec![300], vec![], vec![], vec![3600]];
    s.worker_alive = vec![(0, 3600), (0, i64::MAX), (0, i64::MAX), (3600, i64::MAX)];
    s.oom = true;
    s
}

pub fn collapse_spec() -> RunSpec {
    let mut s = RunSpec::healthy("collapse", COLLAPSE_START, HOURS_4);
    s.throughput = Level::constant(150.0).shifted(7200, 45.0);
    s
}

/// 2025-07-09T08:00:00Z: two runs at the same time in namespaces a regex would confuse:
/// `a.b` at 100 PI/s and `axb` at 200 PI/s (an unescaped `a.b` matches both).
pub const REGEX_START: i64 = 1_752_048_000;

pub fn regex_namespace_spec(namespace: &str, throughput: f64) -> RunSpec {
    let mut s = RunSpec::healthy(namespace, REGEX_START, 3600);
    s.throughput = Level::constant(throughput);
    s
}

/// The fixture data set: the runs above and a 24 h staircase.
pub fn fixture_openmetrics() -> String {
    let mut om = OpenMetrics::new();
    synth::add_run(&mut om, &weekly_spec());
    synth::add_run(&mut om, &rest_spec());
    synth::add_run(&mut om, &stable_spec("stable-a", STABLE_A_START, 101));
    synth::add_run(&mut om, &stable_spec("stable-b", STABLE_B_START, 202));
    synth::add_run(&mut om, &collapse_spec());
    synth::add_run(&mut om, &stalled_spec());
    synth::add_run(&mut om, &replaced_spec());
    synth::add_run(&mut om, &regex_namespace_spec("a.b", 100.0));
    synth::add_run(&mut om, &regex_namespace_spec("axb", 200.0));
    synth::add_staircase(&mut om, "day", DAY_START, 86_400, 30);
    om.finish()
}

/// One Prometheus per test binary, filled with the fixture.
pub fn prometheus() -> &'static prom::Prometheus {
    static SERVER: OnceLock<prom::Prometheus> = OnceLock::new();
    SERVER.get_or_init(|| prom::start(&fixture_openmetrics(), &work_dir()))
}

/// Scratch space under cargo's target directory.
pub fn work_dir() -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = base.join("benchcmp-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh empty directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = work_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The repository's root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A shipped snapshot, `baselines/<name>.json`, as an argument.
pub fn snap(name: &str) -> String {
    repo()
        .join("baselines")
        .join(format!("{name}.json"))
        .to_string_lossy()
        .into_owned()
}

/// The repository's query pack.
pub fn queries_dir() -> PathBuf {
    repo().join("queries")
}

/// A config for the fixture runs against `url`.
pub fn fixture_config(url: &str) -> String {
    format!(
        r#"[source]
url = "{url}"
timeout = "20s"

[defaults]
step = "30s"
scrape_interval = "30s"
warmup = "10m"

[runs.weekly]
vars = {{ namespace = "{WEEKLY_NS}" }}
start = "2025-06-27T08:00:00Z"
end = "2025-06-27T12:00:00Z"

[runs.rest-run]
vars = {{ namespace = "{REST_NS}" }}
start = "2025-06-30T10:00:00Z"
duration = "4h"

[runs.day]
vars = {{ namespace = "day" }}
start = "2025-07-02T00:00:00Z"
duration = "24h"

[runs.stable-a]
vars = {{ namespace = "stable-a" }}
start = "2025-07-03T08:00:00Z"
duration = "4h"

[runs.stable-b]
vars = {{ namespace = "stable-b" }}
start = "2025-07-04T08:00:00Z"
duration = "4h"

[runs.collapse]
vars = {{ namespace = "collapse" }}
start = "2025-07-05T08:00:00Z"
duration = "4h"

[runs.stalled]
vars = {{ namespace = "stalled" }}
start = "2025-07-06T08:00:00Z"
duration = "4h"

[runs.replaced]
vars = {{ namespace = "replaced" }}
start = "2025-07-07T08:00:00Z"
duration = "4h"
"#
    )
}

/// Runs the benchcmp binary in `dir` with `args`, without inheriting a Prometheus URL.
pub fn benchcmp(dir: &Path, args: &[&str]) -> Output {
    let Some(exe) = option_env!("CARGO_BIN_EXE_benchcmp") else {
        panic!("only integration tests run the benchcmp binary");
    };
    Command::new(exe)
        .args(args)
        .current_dir(dir)
        .env_remove("BENCHCMP_PROMETHEUS_URL")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// Asserts that a command was refused with exit `code` and an error containing `words`.
pub fn assert_refused(out: &Output, code: i32, words: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(words), "{}", text(&out.stderr));
}

/// Restart offsets (seconds) of one worker pod in the example REST run: OOMKilled about
/// every 8 minutes (26–34 times in 4 h), with jitter from `rng`.
fn oom_restarts(rng: &mut synth::Rng, duration_s: i64) -> Vec<i64> {
    let mut t = 240 + (rng.uniform() * 240.0) as i64;
    let mut out = Vec::new();
    while t < duration_s {
        out.push(t);
        t += 380 + (rng.uniform() * 200.0) as i64;
    }
    out
}

/// Example data modelled on the gRPC-vs-REST experiment, with realistic noise: the weekly
/// gRPC baseline, the first REST attempt (collapsed from the start), and a second REST attempt
/// that ran near the baseline for a while and then collapsed. Returns (run name, spec).
pub fn example_runs() -> Vec<(&'static str, RunSpec)> {
    let mut weekly = RunSpec::healthy("medic-y-2025-cw-26-benchmark", WEEKLY_START, HOURS_4);
    weekly.seed = 202526;
    weekly.throughput = Level::noisy(150.0, 0.03, 0.9);
    weekly.created = Level::noisy(150.0, 0.02, 0.9);
    weekly.latency_values = vec![
        (0.12, 0.15),
        (0.17, 0.25),
        (0.21, 0.3),
        (0.23, 0.2),
        (0.245, 0.1),
    ];
    weekly.latency_scale = Level::noisy(1.0, 0.01, 0.8);
    weekly.backpressure = Level::noisy(0.0005, 0.5, 0.7);
    weekly.worker_memory = Level::noisy(180.0 * 1024.0 * 1024.0, 0.03, 0.98);
    weekly.throttling = Level::noisy(0.06, 0.4, 0.8);
    weekly.leader_balancer_restarts = vec![3600, 7200, 10800];

    let mut rest = weekly.clone();
    rest.namespace = "ck-bojan-rest-benchmark".into();
    rest.start = REST_START;
    rest.seed = 202527;
    rest.throughput = Level::noisy(42.0, 0.08, 0.9);
    rest.created = Level::noisy(44.0, 0.06, 0.9);
    rest.latency_values = vec![(50.0, 0.2), (70.0, 0.8)];
    rest.latency_scale = Level::noisy(1.0, 0.05, 0.8);
    rest.backpressure = Level::constant(0.0);
    // Workers still received pushed jobs while their COMPLETE/FAIL commands were rejected.
    rest.job_push = true;
    rest.job_timeouts = Level::noisy(3.0, 0.3, 0.8);
    rest.rejections = Level::noisy(450.0, 0.2, 0.8);
    let mut rng = synth::Rng(7);
    rest.worker_restarts = (0..3).map(|_| oom_restarts(&mut rng, HOURS_4)).collect();
    rest.oom = true;
    rest.worker_memory = Level::noisy(245.0 * 1024.0 * 1024.0, 0.02, 0.9);
    rest.throttling = Level::noisy(0.65, 0.15, 0.8);

    // Second attempt, more worker memory: near the baseline for 1h40m, then timeouts and
    // rejections take over.
    let collapse = 100 * 60;
    let mut second = weekly.clone();
    second.namespace = "ck-bojan-rest-benchmark-2".into();
    second.start = 1_751_360_400; // 2025-07-01T09:00:00Z
    second.seed = 202528;
    second.job_push = true;
    second.throughput = Level::noisy(146.0, 0.03, 0.9).shifted(collapse, 38.0);
    second.created = Level::noisy(147.0, 0.02, 0.9).shifted(collapse, 40.0);
    second.latency_scale = Level::noisy(1.05, 0.01, 0.8).shifted(collapse, 250.0);
    second.job_timeouts = Level::constant(0.0).shifted(collapse, 4.0);
    second.rejections = Level::constant(0.0).shifted(collapse, 380.0);
    second.worker_memory = Level::noisy(300.0 * 1024.0 * 1024.0, 0.03, 0.98);
    second.throttling = Level::noisy(0.1, 0.4, 0.8).shifted(collapse, 0.5);

    // A gRPC run like the weekly one whose workers leak: memory climbs from 180 MiB to
    // about 250 MiB over the 4 hours, everything else healthy.
    let mut leak = weekly.clone();
    leak.namespace = "medic-y-2025-cw-27-leak".into();
    leak.start = 1_751_616_000 + 86_400 * 4; // 2025-07-08T08:00:00Z
    leak.seed = 202529;
    leak.worker_memory =
        Level::noisy(180.0 * 1024.0 * 1024.0, 0.02, 0.9).growing(70.0 * 1024.0 * 1024.0);

    // The weeks before: the same code, with the run-to-run variation of a shared cluster
    // (other nodes, neighbours, data growth).
    let mut runs = Vec::new();
    for (name, weeks_before, factor, seed) in [
        ("weekly-cw22", 4, 1.02, 202522),
        ("weekly-cw23", 3, 0.985, 202523),
        ("weekly-cw24", 2, 1.01, 202524),
        ("weekly-cw25", 1, 0.975, 202525),
    ] {
        let mut w = weekly.clone();
        w.namespace = format!(
            "medic-y-2025-{}-benchmark",
            name.trim_start_matches("weekly-").replace("cw", "cw-")
        );
        w.start = WEEKLY_START - weeks_before * 7 * 86_400;
        w.seed = seed;
        w.throughput = Level::noisy(150.0 * factor, 0.03, 0.9);
        w.created = Level::noisy(150.0 * factor, 0.02, 0.9);
        w.latency_scale = Level::noisy(1.0 / factor, 0.01, 0.8);
        w.worker_memory = Level::noisy(180.0 * 1024.0 * 1024.0 * (2.0 - factor), 0.03, 0.98);
        runs.push((name, w));
    }
    runs.extend([
        ("weekly", weekly),
        ("rest-run", rest),
        ("rest-run-2", second),
        ("leak", leak),
    ]);
    runs
}

/// A config naming the example runs, against `url`.
pub fn example_config(url: &str) -> String {
    let mut text = format!("[source]\nurl = \"{url}\"\n\n[defaults]\nstep = \"30s\"\nscrape_interval = \"30s\"\nwarmup = \"10m\"\n");
    for (name, spec) in example_runs() {
        text.push_str(&format!(
            "\n[runs.{name}]\nvars = {{ namespace = \"{}\" }}\nstart = \"{}\"\nduration = \"{}s\"\n",
            spec.namespace,
            benchcmp::config::format_time(spec.start * 1000),
            spec.duration_s
        ));
    }
    text
}
