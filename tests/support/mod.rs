//! Shared test support: the synthetic data generator, the real-Prometheus harness, and the
//! fixture runs with known values that the integration tests check against.

#![allow(dead_code)]

pub mod prom;
pub mod synth;

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

/// The fixture data set: both runs and a 24 h staircase.
pub fn fixture_openmetrics() -> String {
    let mut om = OpenMetrics::new();
    synth::add_run(&mut om, &weekly_spec());
    synth::add_run(&mut om, &rest_spec());
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
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("benchcmp-tests");
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

/// The repository's query pack.
pub fn queries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("queries")
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
"#
    )
}

/// Runs the benchcmp binary in `dir` with `args`, without inheriting a Prometheus URL.
pub fn benchcmp(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_benchcmp"))
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
