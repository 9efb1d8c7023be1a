//! The path from query to verdict analyses each metric as soon as every run's answers for
//! it are in. Whatever order the answers arrive in, the reports are the same byte for byte
//! (apart from the time the comparison took): a loopback server answers the default pack's
//! queries with data made from the query text, each after a delay drawn from a seed, so
//! that every seed gives another order of arrival.

mod support;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::*;

fn hash(parts: &[&dyn Fn(&mut DefaultHasher)]) -> u64 {
    let mut h = DefaultHasher::new();
    for p in parts {
        p(&mut h);
    }
    h.finish()
}

/// `%XX` and `+` decoded (the query string of a GET).
fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// A Prometheus answer for `query` over `[start, end]` at `step` (seconds): a level and a
/// wave that depend on the query's text (which names the run's namespace), buckets with
/// `le` labels for a histogram's bucket query, counters for restarts.
fn answer(query: &str, start: i64, end: i64, step: i64) -> String {
    let seed = hash(&[&|h| query.hash(h)]);
    let level = 50.0 + (seed % 100) as f64;
    let phase = (seed % 628) as f64 / 100.0;
    let value = |t: i64, k: f64| {
        let noise = (hash(&[&|h| (seed, t).hash(h)]) % 1000) as f64 / 1000.0 - 0.5;
        k * level * (1.0 + 0.02 * ((t as f64) / 120.0 + phase).sin() + 0.04 * noise)
    };
    let values = |k: f64| {
        (0..=(end - start) / step)
            .map(|i| {
                let t = start + i * step;
                format!("[{t},\"{}\"]", value(t, k))
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let series: Vec<String> = if query.contains("_bucket") {
        [
            ("0.1", 0.2),
            ("0.5", 0.6),
            ("1", 0.9),
            ("60", 0.99),
            ("+Inf", 1.0),
        ]
        .iter()
        .map(|(le, share)| {
            format!(
                r#"{{"metric":{{"le":"{le}"}},"values":[{}]}}"#,
                values(*share)
            )
        })
        .collect()
    } else if query.contains("restarts_total") || query.contains("last_terminated") {
        // Counters that never move: no restarts.
        vec![format!(
            r#"{{"metric":{{"pod":"w-1","container":"worker"}},"values":[{}]}}"#,
            (0..=(end - start) / step)
                .map(|i| format!("[{},\"0\"]", start + i * step))
                .collect::<Vec<_>>()
                .join(",")
        )]
    } else {
        vec![format!(r#"{{"metric":{{}},"values":[{}]}}"#, values(1.0))]
    };
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{}]}}}}"#,
        series.join(",")
    )
}

/// Serves range queries, each answered after 0–60 ms drawn from the seed (which the test
/// sets) and the query; returns the URL, the seed and the queries in the order they were
/// answered.
fn serve() -> (String, Arc<AtomicU64>, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let order: Arc<Mutex<Vec<String>>> = Arc::default();
    let seed = Arc::new(AtomicU64::new(0));
    let (answered, seeded) = (order.clone(), seed.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (answered, seeded) = (answered.clone(), seeded.clone());
            std::thread::spawn(move || loop {
                // Keep-alive: one request after another on the connection.
                let mut request = Vec::new();
                let mut buf = [0u8; 65536];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).into_owned();
                let target = text.split_whitespace().nth(1).unwrap_or("").to_string();
                let (path, params) = target.split_once('?').unwrap_or((&target, ""));
                let param = |name: &str| {
                    params
                        .split('&')
                        .find_map(|p| p.strip_prefix(&format!("{name}=")))
                        .map(form_decode)
                        .unwrap_or_default()
                };
                let body = if path.ends_with("/query_range") {
                    let query = param("query");
                    let secs = |v: String| v.parse::<f64>().unwrap() as i64;
                    let (start, end, step) = (
                        secs(param("start")),
                        secs(param("end")),
                        secs(param("step")),
                    );
                    let seed = seeded.load(Ordering::SeqCst);
                    let delay = hash(&[&|h| (seed, &query, start).hash(h)]) % 60;
                    std::thread::sleep(Duration::from_millis(delay));
                    answered.lock().unwrap().push(query.clone());
                    answer(&query, start, end, step)
                } else {
                    r#"{"status":"success","data":{"version":"2.42.0"}}"#.to_string()
                };
                if write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .is_err()
                {
                    return;
                }
            });
        }
    });
    (url, seed, order)
}

fn config(url: &str) -> String {
    format!(
        r#"[source]
url = "{url}"
concurrency = 8

[defaults]
step = "30s"
scrape_interval = "30s"
warmup = "10m"

[runs.base-1]
vars = {{ namespace = "base-1" }}
start = "2025-06-20T08:00:00Z"
duration = "2h"

[runs.base-2]
vars = {{ namespace = "base-2" }}
start = "2025-06-27T08:00:00Z"
duration = "2h"

[runs.base-3]
vars = {{ namespace = "base-3" }}
start = "2025-07-04T08:00:00Z"
duration = "2h"

[runs.cand]
vars = {{ namespace = "cand" }}
start = "2025-07-05T08:00:00Z"
duration = "2h"
"#
    )
}

/// Every report of one comparison, with the seconds it took taken out.
fn reports(dir: &Path, baseline: &str) -> (i32, Vec<String>) {
    let out = benchcmp(
        dir,
        &[
            "--baseline",
            baseline,
            "--candidate",
            "cand",
            "--json",
            "r.json",
            "--markdown",
            "r.md",
            "--junit",
            "r.xml",
        ],
    );
    let code = out.status.code().unwrap();
    assert!(code == 0 || code == 1 || code == 4, "{}", text(&out.stderr));
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
    json.as_object_mut().unwrap().remove("elapsed_seconds");
    json.as_object_mut().unwrap().remove("generated_at");
    for m in json["metrics"].as_array_mut().unwrap() {
        m.as_object_mut().unwrap().remove("analysis_seconds");
    }
    let junit = std::fs::read_to_string(dir.join("r.xml")).unwrap();
    // JUnit's times are the time taken.
    let junit: String = junit
        .split(' ')
        .filter(|w| !w.starts_with("time=") && !w.starts_with("timestamp="))
        .collect::<Vec<_>>()
        .join(" ");
    (
        code,
        vec![
            text(&out.stdout),
            text(&out.stderr),
            serde_json::to_string_pretty(&json).unwrap(),
            // The Markdown's footer says when it was generated.
            std::fs::read_to_string(dir.join("r.md"))
                .unwrap()
                .lines()
                .filter(|l| !l.contains(" · generated "))
                .collect::<Vec<_>>()
                .join("\n"),
            junit,
        ],
    )
}

#[test]
fn reports_are_identical_whatever_order_the_answers_arrive_in() {
    let mut seen: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let (url, seeded, order) = serve();
    let dir = temp_dir("pipeline-order");
    std::fs::write(dir.join("benchcmp.toml"), config(&url)).unwrap();
    for seed in [1, 2, 3] {
        seeded.store(seed, Ordering::SeqCst);
        order.lock().unwrap().clear();
        // One baseline and three pooled: the same path, with one run or several.
        let (_, one) = reports(&dir, "base-3");
        let (_, three) = reports(&dir, "base-1,base-2,base-3");
        assert!(
            one[2].contains("\"base-3\"") && three[2].contains("\"base-1\""),
            "{}",
            three[2]
        );
        let order = order.lock().unwrap().clone();
        seen.push(([one, three].concat(), order));
    }
    let (first, first_order) = &seen[0];
    for (i, (reports, order)) in seen.iter().enumerate().skip(1) {
        // The answers did come in another order ...
        assert_ne!(
            order,
            first_order,
            "seed {} answered in the same order",
            i + 1
        );
        // ... and every report is the same.
        for (a, b) in first.iter().zip(reports) {
            assert_eq!(a, b, "seed {} gave another report", i + 1);
        }
    }
}
