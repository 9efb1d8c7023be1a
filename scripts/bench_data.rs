//! Writes a benchmark data set for a real Prometheus: two runs of the default pack's
//! metrics as OpenMetrics text (for `promtool tsdb create-blocks-from openmetrics`) and a
//! benchcmp config naming them, with the project's own generator (tests/support/synth.rs).
//!
//! ```text
//! cargo run --release --example bench-data -- OUT_DIR [--hours H] [--scrape S]
//!     [--brokers B] [--partitions P] [--workers W] [--starters S]
//! ```
//!
//! Writes `OUT_DIR/base.om`, `OUT_DIR/cand.om` (one file per run, so only one run is held
//! in memory at a time) and `OUT_DIR/benchcmp.toml` with the runs `bench-base` and `bench-cand`
//! (the source URL comes from `--prometheus`). The runs have AR(1) noise on every level;
//! the candidate runs 3% slower, with 10% more latency.

#[path = "../tests/support/synth.rs"]
mod synth;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use benchcmp::config::format_time;
use synth::{add_run, Level, OpenMetrics, RunSpec};

struct Shape {
    hours: i64,
    scrape_s: i64,
    brokers: usize,
    partitions: usize,
    workers: usize,
    starters: usize,
}

fn parse_args() -> Result<(PathBuf, Shape), String> {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let mut shape = Shape {
        hours: 24,
        scrape_s: 15,
        brokers: 3,
        partitions: 9,
        workers: 10,
        starters: 10,
    };
    while let Some(arg) = args.next() {
        if !arg.starts_with("--") {
            out = Some(PathBuf::from(arg));
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        let number: i64 = value
            .parse()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| format!("{arg} needs a positive whole number, not {value:?}"))?;
        match arg.as_str() {
            "--hours" => shape.hours = number,
            "--scrape" => shape.scrape_s = number,
            "--brokers" => shape.brokers = number as usize,
            "--partitions" => shape.partitions = number as usize,
            "--workers" => shape.workers = number as usize,
            "--starters" => shape.starters = number as usize,
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    let out = out.ok_or("usage: bench-data OUT_DIR [--hours H] [--scrape S] [--brokers B] [--partitions P] [--workers W] [--starters S]")?;
    Ok((out, shape))
}

fn spec(namespace: &str, start: i64, seed: u64, slower: f64, shape: &Shape) -> RunSpec {
    let mut s = RunSpec::healthy(namespace, start, shape.hours * 3600);
    s.seed = seed;
    s.scrape_s = shape.scrape_s;
    s.brokers = shape.brokers;
    s.partitions = shape.partitions;
    s.starters = shape.starters;
    s.record_chatter = true;
    s.worker_restarts = vec![vec![]; shape.workers];
    s.throughput = Level::noisy(150.0 * slower, 0.03, 0.9);
    s.created = Level::noisy(150.0 * slower, 0.02, 0.9);
    s.latency_scale = Level::noisy(2.0 - slower, 0.05, 0.9);
    s.backpressure = Level::noisy(0.01, 0.2, 0.5);
    s.worker_memory = Level::noisy(180.0 * 1024.0 * 1024.0, 0.02, 0.95);
    s.throttling = Level::noisy(0.05, 0.1, 0.8);
    s
}

fn write_run(path: &Path, spec: &RunSpec) -> std::io::Result<()> {
    let mut om = OpenMetrics::new();
    add_run(&mut om, spec);
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    om.write(&mut out)?;
    out.flush()
}

fn main() {
    if let Err(message) = parse_args().and_then(|(out, shape)| write_set(&out, &shape)) {
        eprintln!("bench-data: {message}");
        std::process::exit(2);
    }
}

/// Both runs and their config into `out`.
fn write_set(out: &Path, shape: &Shape) -> Result<(), String> {
    let fail = |what: &Path, e: std::io::Error| format!("cannot write {}: {e}", what.display());
    std::fs::create_dir_all(out).map_err(|e| fail(out, e))?;
    // Runs on consecutive days ending a week ago, so blocks never overlap.
    let duration = shape.hours * 3600;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| format!("the clock reads before 1970: {e}"))?
        .as_secs() as i64;
    let base_start = (now - 7 * 86_400 - 2 * duration).div_euclid(3600) * 3600;
    let cand_start = base_start + duration + 3600;
    let runs = [
        ("base", spec("bench-base", base_start, 11, 1.0, shape)),
        ("cand", spec("bench-cand", cand_start, 12, 0.97, shape)),
    ];
    let mut config = format!(
        "# Written by `cargo run --release --example bench-data`.\n\
         [defaults]\nstep = \"{s}s\"\nscrape_interval = \"{s}s\"\nwarmup = \"10m\"\n",
        s = shape.scrape_s
    );
    for (file, run) in &runs {
        let path = out.join(format!("{file}.om"));
        write_run(&path, run).map_err(|e| fail(&path, e))?;
        config.push_str(&format!(
            "\n[runs.{ns}]\nvars = {{ namespace = \"{ns}\" }}\nstart = \"{}\"\nend = \"{}\"\n",
            format_time(run.start * 1000),
            format_time((run.start + run.duration_s) * 1000),
            ns = run.namespace,
        ));
    }
    let path = out.join("benchcmp.toml");
    std::fs::write(&path, config).map_err(|e| fail(&path, e))
}
