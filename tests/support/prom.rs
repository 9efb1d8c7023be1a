//! A real Prometheus on loopback for tests (SPEC §10): OpenMetrics text → `promtool tsdb
//! create-blocks-from openmetrics` → a fresh copy of the blocks served by `prometheus` on
//! 127.0.0.1 with a port the kernel picks. The server is stopped when it is dropped or when
//! the test process exits (a watchdog shell waits for it), and only that server.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL_HINT: &str = "benchcmp's integration tests need a real Prometheus 2.x: \
    install it with `apt-get update && apt-get install -y --no-install-recommends prometheus` \
    (gives `prometheus` and `promtool`), or run `.ci/run`, which does so";

/// A running server.
pub struct Prometheus {
    pub url: String,
    child: Child,
    pub dir: PathBuf,
    /// What it was started with, to start it again on the same address and storage.
    args: Vec<String>,
    log: PathBuf,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require(tool: &str) {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(found, Ok(s) if s.success()) {
        panic!("`{tool}` was not found. {INSTALL_HINT}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// Backfills `openmetrics` (cached by content under `work`) and starts a server on it.
pub fn start(openmetrics: &str, work: &Path) -> Prometheus {
    start_with(openmetrics, work, None)
}

/// Like [`start`], with a `--web.config.file` (TLS, basic auth): `web_config` is its YAML,
/// with relative file names resolved in the server's directory.
pub fn start_with(openmetrics: &str, work: &Path, web_config: Option<&str>) -> Prometheus {
    require("promtool");
    require("prometheus");
    let hash = format!("{:016x}", fnv1a(openmetrics));
    let blocks = work.join(format!("blocks-{hash}"));
    if !blocks.join(".complete").exists() {
        let _ = std::fs::remove_dir_all(&blocks);
        std::fs::create_dir_all(&blocks).unwrap();
        let data = work.join(format!("data-{hash}.om"));
        std::fs::write(&data, openmetrics).unwrap();
        let out = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&data)
            .arg(&blocks)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(blocks.join(".complete"), "").unwrap();
    }
    // Prometheus writes into its storage: serve a private copy.
    let dir = work.join(format!("serve-{hash}-{}-{}", std::process::id(), unique()));
    let storage = dir.join("data");
    copy_dir(&blocks, &storage);
    let _ = std::fs::remove_file(storage.join(".complete"));
    serve(
        dir,
        "global:\n  scrape_interval: 30s\nscrape_configs: []\n",
        web_config,
    )
}

/// A server with no data of its own that scrapes `targets` (`host:port`) every
/// `interval` (e.g. `1s`) into a fresh storage under `work`.
pub fn start_scraping(targets: &[&str], interval: &str, work: &Path) -> Prometheus {
    require("prometheus");
    let dir = work.join(format!("scrape-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let list = targets
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(", ");
    serve(
        dir,
        &format!(
            "global:\n  scrape_interval: {interval}\n  scrape_timeout: {interval}\nscrape_configs:\n  - job_name: exporter\n    static_configs:\n      - targets: [{list}]\n"
        ),
        None,
    )
}

/// Starts `prometheus` on `dir/data` with `config` (YAML) and an optional web config, on a
/// port the kernel picks, and waits until it is ready.
fn serve(dir: PathBuf, config: &str, web_config: Option<&str>) -> Prometheus {
    let storage = dir.join("data");
    let config_path = dir.join("prometheus.yml");
    std::fs::write(&config_path, config).unwrap();
    let log = dir.join("prometheus.log");
    let mut args = Vec::new();
    if let Some(web) = web_config {
        let path = dir.join("web.yml");
        std::fs::write(&path, web).unwrap();
        args.push(format!("--web.config.file={}", path.display()));
    }
    let tls = web_config.is_some_and(|w| w.contains("tls_server_config"));
    args.extend([
        format!("--config.file={}", config_path.display()),
        format!("--storage.tsdb.path={}", storage.display()),
        "--storage.tsdb.retention.time=3650d".into(),
        "--log.level=info".into(),
    ]);
    let mut address_arg = args.clone();
    address_arg.push("--web.listen-address=127.0.0.1:0".into());
    let child = spawn(&address_arg, &log);
    let started = Instant::now();
    let address = listening(&log, started);
    args.push(format!("--web.listen-address={address}"));
    let prom = Prometheus {
        url: format!("{}://{address}", if tls { "https" } else { "http" }),
        child,
        dir,
        args,
        log,
    };
    prom.wait_ready(started);
    prom
}

/// Starts `prometheus` with `args`, its output into `log`, with a watchdog that ends it
/// when this process is gone without dropping it (a static in a test binary is never
/// dropped), and ends itself when the server is gone.
fn spawn(args: &[String], log: &Path) -> Child {
    let log_file = std::fs::File::create(log).unwrap();
    let child = Command::new("prometheus")
        .args(args)
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .spawn()
        .unwrap();
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "while kill -0 {0} 2>/dev/null && kill -0 {1} 2>/dev/null; do sleep 0.5; done; kill {1} 2>/dev/null",
            std::process::id(),
            child.id()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    child
}

/// The address in the "Listening on" line of `log`.
fn listening(log: &Path, started: Instant) -> String {
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(line) = text.lines().rev().find(|l| l.contains("Listening on")) {
            if let Some(addr) = line.split("address=").nth(1) {
                return addr
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_matches('"')
                    .to_string();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "prometheus did not start:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Prometheus {
    /// Waits until the server says it is ready (works behind TLS and auth too).
    fn wait_ready(&self, started: Instant) {
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            if text.contains("Server is ready to receive web requests") {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "prometheus did not become ready:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (as a crash or a restart would).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same address and storage, and waits until it is ready.
    pub fn restart(&mut self) {
        self.stop();
        let started = Instant::now();
        loop {
            self.child = spawn(&self.args, &self.log);
            std::thread::sleep(Duration::from_millis(300));
            match self.child.try_wait() {
                // the port may not be free yet
                Ok(Some(_)) if started.elapsed() < Duration::from_secs(20) => continue,
                _ => break,
            }
        }
        self.wait_ready(started);
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A minimal HTTP/1.0 GET: (status, body).
pub fn http_get(address: &str, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}
