//! Faults a real Prometheus cannot produce on demand — 5xx bursts, resets, stalls, garbage —
//! from a scripted loopback server. Checks what is retried (transient faults) and what is
//! not (4xx), and that every failure reads clearly.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use benchcmp::config::SourceConfig;
use benchcmp::source::prometheus::{PrometheusClient, RangeQuery};

/// What the scripted server does with the n-th connection.
#[derive(Clone, Copy)]
enum Reply {
    Status(u16, &'static str),
    Reset,
    Stall,
}

const OK_BODY: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1751011200,"150"],[1751011230,"NaN"],[1751011260,"+Inf"]]}]}}"#;

/// Serves `script` (the last entry repeats) and counts connections.
fn serve(script: Vec<Reply>) -> (String, Arc<AtomicUsize>) {
    let (url, count, _) = serve_tracking(script);
    (url, count)
}

/// Like `serve`, also reporting the most requests ever in flight at once.
fn serve_tracking(script: Vec<Reply>) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let (seen, max) = (count.clone(), max_in_flight.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let reply = script[n.min(script.len() - 1)];
            let (in_flight, max) = (in_flight.clone(), max.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                let _ = stream.read(&mut buf);
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
                in_flight.fetch_sub(1, Ordering::SeqCst);
                match reply {
                    Reply::Status(code, body) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                    Reply::Reset => {
                        // Close without answering: the client sees the connection drop.
                        drop(stream);
                    }
                    Reply::Stall => std::thread::sleep(Duration::from_secs(5)),
                }
            });
        }
    });
    (url, count, max_in_flight)
}

fn client(url: &str, retries: u32, timeout_ms: i64) -> PrometheusClient {
    let mut source = SourceConfig::with_url(url);
    source.retries = retries;
    source.timeout_ms = timeout_ms;
    PrometheusClient::new(&source)
        .unwrap()
        .with_backoff(Duration::from_millis(10))
}

fn query() -> RangeQuery {
    RangeQuery {
        query: "up".into(),
        start_ms: 1_751_011_200_000,
        end_ms: 1_751_011_260_000,
        step_ms: 30_000,
    }
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn transient_5xx_and_resets_are_retried() {
    let unavailable = r#"{"status":"error","errorType":"unavailable","error":"starting up"}"#;
    let (url, count) = serve(vec![
        Reply::Status(503, unavailable),
        Reply::Reset,
        Reply::Status(200, OK_BODY),
    ]);
    let m = run(client(&url, 3, 2_000).query_range(&query())).unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert_eq!(m[0].points[0], (1_751_011_200_000, 150.0));
    assert!(m[0].points[1].1.is_nan());
    assert_eq!(m[0].points[2].1, f64::INFINITY);
}

#[test]
fn retries_give_up_with_the_last_error() {
    let (url, count) = serve(vec![Reply::Status(
        500,
        r#"{"status":"error","errorType":"internal","error":"boom"}"#,
    )]);
    let e = run(client(&url, 2, 2_000).query_range(&query())).unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert!(
        e.message.contains("HTTP 500")
            && e.message.contains("internal")
            && e.message.contains("boom"),
        "{e}"
    );
    assert!(e.message.contains("after 3 attempts"), "{e}");
    assert!(!e.rejected);
}

#[test]
fn client_errors_are_not_retried() {
    let bad = r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#;
    let (url, count) = serve(vec![Reply::Status(400, bad)]);
    let e = run(client(&url, 3, 2_000).query_range(&query())).unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(e.rejected);
    assert!(
        e.message.contains("bad_data") && e.message.contains("parse error"),
        "{e}"
    );
    // auth refused: not retried either
    let (url, count) = serve(vec![Reply::Status(401, "Unauthorized")]);
    let e = run(client(&url, 3, 2_000).query_range(&query())).unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(
        e.message.contains("401") && e.message.contains("Unauthorized"),
        "{e}"
    );
}

#[test]
fn stalls_time_out_and_are_retried() {
    let (url, count) = serve(vec![Reply::Stall, Reply::Status(200, OK_BODY)]);
    let m = run(client(&url, 1, 300).query_range(&query())).unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert_eq!(m.len(), 1);
    let (url, _) = serve(vec![Reply::Stall]);
    let e = run(client(&url, 0, 300).query_range(&query())).unwrap_err();
    assert!(e.message.contains("timed out"), "{e}");
}

#[test]
fn garbage_bodies_are_clear_errors() {
    let (url, _) = serve(vec![Reply::Status(200, "<html>hello</html>")]);
    let e = run(client(&url, 0, 2_000).query_range(&query())).unwrap_err();
    assert!(
        e.message.contains("not with Prometheus JSON") && e.message.contains("<html>hello</html>"),
        "{e}"
    );
    let (url, _) = serve(vec![Reply::Status(
        200,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"fast"]]}]}}"#,
    )]);
    let e = run(client(&url, 0, 2_000).query_range(&query())).unwrap_err();
    assert!(e.message.contains("bad value \"fast\""), "{e}");
    let (url, _) = serve(vec![Reply::Status(
        200,
        r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
    )]);
    let e = run(client(&url, 0, 2_000).query_range(&query())).unwrap_err();
    assert!(e.message.contains("matrix"), "{e}");
}

#[test]
fn concurrency_is_bounded_and_order_kept() {
    // Many queries through a server that answers every request: results come back in order.
    let (url, count, max_in_flight) = serve_tracking(vec![Reply::Status(200, OK_BODY)]);
    let mut source = SourceConfig::with_url(&url);
    source.concurrency = 3;
    let c = PrometheusClient::new(&source).unwrap();
    let queries: Vec<RangeQuery> = (0..20)
        .map(|i| RangeQuery {
            query: format!("q{i}"),
            ..query()
        })
        .collect();
    let done = Arc::new(AtomicUsize::new(0));
    let d = done.clone();
    let results = run(c.query_range_all(
        queries,
        Arc::new(move || {
            d.fetch_add(1, Ordering::SeqCst);
        }),
    ));
    assert_eq!(results.len(), 20);
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(done.load(Ordering::SeqCst), 20);
    assert_eq!(count.load(Ordering::SeqCst), 20);
    let max = max_in_flight.load(Ordering::SeqCst);
    assert!(
        (2..=3).contains(&max),
        "at most 3 requests in flight, saw {max}"
    );
}

#[test]
fn credentials_and_headers_are_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for _ in 0..2 {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 8192];
            let n = stream.read(&mut buf).unwrap();
            requests.push(String::from_utf8_lossy(&buf[..n]).to_lowercase());
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{OK_BODY}",
                OK_BODY.len()
            );
        }
        requests
    });
    let config = benchcmp::config::parse(
        &format!("[source]\nurl = \"{url}\"\nbearer_token_env = \"T\"\nheaders = {{ \"X-Scope-OrgID\" = \"perf\" }}\n"),
        "c.toml",
        &|_| Some("s3cret".into()),
    )
    .unwrap();
    let c = PrometheusClient::new(config.source.as_ref().unwrap()).unwrap();
    run(c.query_range(&query())).unwrap();
    let config = benchcmp::config::parse(
        &format!("[source]\nurl = \"{url}\"\nusername = \"perf\"\npassword_env = \"P\"\n"),
        "c.toml",
        &|_| Some("pw".into()),
    )
    .unwrap();
    let c = PrometheusClient::new(config.source.as_ref().unwrap()).unwrap();
    run(c.query_range(&query())).unwrap();
    let requests = handle.join().unwrap();
    assert!(
        requests[0].contains("authorization: bearer s3cret"),
        "{}",
        requests[0]
    );
    assert!(
        requests[0].contains("x-scope-orgid: perf"),
        "{}",
        requests[0]
    );
    assert!(
        requests[0].starts_with(
            "get /api/v1/query_range?query=up&start=1751011200&end=1751011260&step=30 "
        ),
        "{}",
        requests[0]
    );
    // base64("perf:pw") = cGVyZjpwdw==
    assert!(
        requests[1].contains("authorization: basic cgvyzjpwdw=="),
        "{}",
        requests[1]
    );
}

#[test]
fn ca_file_problems_are_named() {
    let dir = std::env::temp_dir().join(format!("benchcmp-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut source = SourceConfig::with_url("https://127.0.0.1:1");
    source.ca_file = Some(dir.join("missing.pem"));
    let e = PrometheusClient::new(&source).err().unwrap();
    assert!(
        e.contains("source.ca_file") && e.contains("missing.pem"),
        "{e}"
    );
    std::fs::write(dir.join("garbage.pem"), "not a certificate").unwrap();
    source.ca_file = Some(dir.join("garbage.pem"));
    let e = PrometheusClient::new(&source).err().unwrap();
    assert!(
        e.contains("garbage.pem") && (e.contains("no certificate") || e.contains("PEM")),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
