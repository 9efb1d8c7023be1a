//! Faults a real Prometheus cannot produce on demand — 5xx bursts, resets, stalls, garbage —
//! from a scripted loopback server. Checks what is retried (transient faults) and what is
//! not (4xx), and that every failure reads clearly.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use benchcmp::config::SourceConfig;
use benchcmp::source::prometheus::{FailureKind, PrometheusClient, RangeQuery};
use benchcmp::source::{Endpoint, Queries};

/// What the scripted server does with the n-th connection.
#[derive(Clone)]
enum Reply {
    Status(u16, &'static str),
    Reset,
    Stall,
    /// The body in `chunks` pieces with `delay` between them.
    Slow(&'static str, usize, Duration),
    /// Announces more bytes than it sends, then closes.
    Truncated(&'static str),
    /// `bytes` of a JSON document without a length, until the client stops reading.
    Huge(usize),
    /// A redirect to `location`.
    Redirect(String),
}

const OK_BODY: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1751011200,"150"],[1751011230,"NaN"],[1751011260,"+Inf"]]}]}}"#;

/// Serves `script` (the last entry repeats) and counts connections.
fn serve(script: Vec<Reply>) -> (String, Arc<AtomicUsize>) {
    let (url, count, _, _) = serve_recording(script);
    (url, count)
}

fn serve_tracking(script: Vec<Reply>) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (url, count, max, _) = serve_recording(script);
    (url, count, max)
}

type Requests = Arc<std::sync::Mutex<Vec<String>>>;

/// Like `serve`, also reporting the most requests ever in flight at once and the text of
/// every request (lowercase).
fn serve_recording(script: Vec<Reply>) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>, Requests) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let requests: Requests = Arc::default();
    let (seen, max, recorded) = (count.clone(), max_in_flight.clone(), requests.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let reply = script[n.min(script.len() - 1)].clone();
            let (in_flight, max, recorded) = (in_flight.clone(), max.clone(), recorded.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                let n = stream.read(&mut buf).unwrap_or(0);
                recorded
                    .lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).to_lowercase());
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
                    Reply::Slow(body, chunks, delay) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let size = body.len().div_ceil(chunks);
                        for piece in body.as_bytes().chunks(size) {
                            std::thread::sleep(delay);
                            if stream
                                .write_all(piece)
                                .and_then(|_| stream.flush())
                                .is_err()
                            {
                                break;
                            }
                        }
                    }
                    Reply::Truncated(body) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                            body.len() * 2,
                            body
                        );
                    }
                    Reply::Huge(bytes) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{{\"status\":\"success\","
                        );
                        let block = vec![b' '; 1 << 20];
                        let mut sent = 0;
                        while sent < bytes {
                            if stream.write_all(&block).is_err() {
                                break;
                            }
                            sent += block.len();
                        }
                    }
                    Reply::Redirect(location) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        );
                    }
                }
            });
        }
    });
    (url, count, max_in_flight, requests)
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
    let m = run(client(&url, 3, 2_000).query_range(&query()))
        .unwrap()
        .matrix;
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let points = m[0].points.to_vec();
    assert_eq!(points[0], (1_751_011_200_000, 150.0));
    assert!(points[1].1.is_nan());
    assert_eq!(points[2].1, f64::INFINITY);
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
    assert_eq!(e.kind, FailureKind::Server);
}

#[test]
fn client_errors_are_not_retried() {
    let bad = r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#;
    let (url, count) = serve(vec![Reply::Status(400, bad)]);
    let e = run(client(&url, 3, 2_000).query_range(&query())).unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(e.kind, FailureKind::Rejected);
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
    let m = run(client(&url, 1, 300).query_range(&query()))
        .unwrap()
        .matrix;
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
fn answers_in_other_shapes_read_the_same() {
    // The usual answer, and the same with its fields in another order or pretty-printed,
    // are read by the client's byte reader; with a field the reader does not know
    // (`infos`, from newer servers) it goes through serde. All give the same series and
    // warnings.
    let usual = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"a\"b"},"values":[[1751011200,"150"],[1751011230,"NaN"],[1751011260,"+Inf"]]}]},"warnings":["w1","w2"]}"#;
    let expected = {
        let (url, _) = serve(vec![Reply::Status(200, usual)]);
        run(client(&url, 0, 2_000).query_range(&query())).unwrap()
    };
    assert_eq!(expected.warnings, ["w1", "w2"]);
    assert_eq!(expected.matrix[0].labels["pod"], "a\"b");
    assert_eq!(expected.matrix[0].points.len(), 3);
    for body in [
        r#"{"warnings":["w1","w2"],"data":{"result":[{"values":[[1751011200,"150"],[1751011230,"NaN"],[1751011260,"+Inf"]],"metric":{"pod":"a\"b"}}],"resultType":"matrix"},"status":"success"}"#,
        "{\n  \"status\": \"success\",\n  \"data\": {\n    \"resultType\": \"matrix\",\n    \"result\": [{\"metric\": {\"pod\": \"a\\\"b\"}, \"values\": [[1751011200, \"150\"], [1751011230, \"NaN\"], [1751011260, \"+Inf\"]]}]\n  },\n  \"warnings\": [\"w1\", \"w2\"]\n}",
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"a\u0022b"},"values":[[1751011200,"150"],[1751011230,"NaN"],[1751011260,"+Inf"]]}]},"warnings":["w1","w\u0032"],"infos":["i"]}"#,
    ] {
        let (url, _) = serve(vec![Reply::Status(200, body)]);
        let got = run(client(&url, 0, 2_000).query_range(&query())).unwrap();
        // (compared as text: a NaN equals nothing)
        assert_eq!(format!("{got:?}"), format!("{expected:?}"), "{body}");
    }
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

#[test]
fn slow_bodies_are_read_and_stalled_bodies_time_out() {
    let (url, _) = serve(vec![Reply::Slow(OK_BODY, 5, Duration::from_millis(40))]);
    let m = run(client(&url, 0, 2_000).query_range(&query()))
        .unwrap()
        .matrix;
    assert_eq!(m[0].points.len(), 3);
    // 10 pieces 200 ms apart never finish within 500 ms
    let (url, count) = serve(vec![Reply::Slow(OK_BODY, 10, Duration::from_millis(200))]);
    let e = run(client(&url, 1, 500).query_range(&query())).unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 2, "a timeout is retried");
    assert!(e.message.contains("timed out"), "{e}");
    assert_eq!(e.kind, FailureKind::Transport);
}

#[test]
fn truncated_bodies_are_retried_and_named() {
    let (url, count) = serve(vec![Reply::Truncated(OK_BODY), Reply::Status(200, OK_BODY)]);
    let m = run(client(&url, 2, 2_000).query_range(&query()))
        .unwrap()
        .matrix;
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert_eq!(m[0].points.len(), 3);
    let (url, count) = serve(vec![Reply::Truncated(OK_BODY)]);
    let e = run(client(&url, 1, 2_000).query_range(&query())).unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert!(
        e.message.contains("reading the response") && e.message.contains("after 2 attempts"),
        "{e}"
    );
}

#[test]
fn answers_without_the_expected_fields_are_named() {
    for (body, says) in [
        (r#"{"status":"success"}"#, "no data"),
        (
            r#"{"status":"success","data":{"resultType":"matrix"}}"#,
            "result",
        ),
        (
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}}"#,
            "expected a tuple of size 2",
        ),
        (r#"{"data":{"resultType":"matrix","result":[]}}"#, "status"),
        (r#"[]"#, "not with Prometheus JSON"),
    ] {
        let (url, count) = serve(vec![Reply::Status(200, body)]);
        let e = run(client(&url, 2, 2_000).query_range(&query())).unwrap_err();
        assert!(e.message.contains(says), "{body}: {e}");
        assert_eq!(
            count.load(Ordering::SeqCst),
            1,
            "{body}: a malformed answer is not retried"
        );
    }
}

#[test]
fn a_422_is_a_limit_of_the_source_with_the_fix_named() {
    let body = r#"{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}"#;
    let (url, count) = serve(vec![Reply::Status(422, body)]);
    let e = run(client(&url, 3, 2_000).query_range(&query())).unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 1, "not retried");
    assert_eq!(e.kind, FailureKind::Limit);
    assert!(
        e.message.contains("too many samples")
            && e.message.contains("longer step")
            && e.message.contains("shorter window"),
        "{e}"
    );
}

#[test]
fn warnings_come_back_with_the_data() {
    let body = r#"{"status":"success","warnings":["partial data: store 2 unavailable"],"data":{"resultType":"matrix","result":[{"metric":{},"values":[[1751011200,"150"]]}]}}"#;
    let (url, _) = serve(vec![Reply::Status(200, body)]);
    let out = run(client(&url, 0, 2_000).query_range(&query())).unwrap();
    assert_eq!(
        out.warnings,
        vec!["partial data: store 2 unavailable".to_string()]
    );
    assert_eq!(out.matrix[0].points, vec![(1_751_011_200_000, 150.0)]);
}

#[test]
fn an_oversized_answer_stops_at_the_cap() {
    let (url, _) = serve(vec![Reply::Huge(64 << 20)]);
    let mut source = SourceConfig::with_url(&url);
    source.max_response_bytes = 4 << 20;
    source.retries = 2;
    let c = PrometheusClient::new(&source).unwrap();
    let e = run(c.query_range(&query())).unwrap_err();
    assert_eq!(e.kind, FailureKind::Limit);
    assert!(e.message.contains("max_response_bytes (4 MiB"), "{e}");
    assert_eq!(c.retries_made(), 0, "a limit is not retried");
}

#[test]
fn a_redirect_to_another_port_never_carries_credentials_or_headers() {
    let (target, target_count, _, target_requests) =
        serve_recording(vec![Reply::Status(200, OK_BODY)]);
    let location = format!("{target}/api/v1/query_range?query=up&start=1&end=2&step=1");
    let (url, _) = serve(vec![Reply::Redirect(location)]);
    // with a custom header configured: refused, nothing reaches the other port
    let config = benchcmp::config::parse(
        &format!(
            "[source]\nurl = \"{url}\"\nretries = 0\nheaders = {{ \"X-Api-Key\" = \"k-123\" }}\n"
        ),
        "c.toml",
        &|_| None,
    )
    .unwrap();
    let c = PrometheusClient::new(config.source.as_ref().unwrap()).unwrap();
    let e = run(c.query_range(&query())).unwrap_err();
    assert!(e.message.contains("another origin"), "{e}");
    assert_eq!(target_count.load(Ordering::SeqCst), 0);
    // with basic auth: the same
    let config = benchcmp::config::parse(
        &format!(
            "[source]\nurl = \"{url}\"\nretries = 0\nusername = \"u\"\npassword_env = \"P\"\n"
        ),
        "c.toml",
        &|_| Some("pw".into()),
    )
    .unwrap();
    let c = PrometheusClient::new(config.source.as_ref().unwrap()).unwrap();
    let e = run(c.query_range(&query())).unwrap_err();
    assert_eq!(e.kind, FailureKind::Transport);
    assert_eq!(target_count.load(Ordering::SeqCst), 0);
    // nothing to protect: followed
    let out = run(client(&url, 0, 2_000).query_range(&query())).unwrap();
    assert_eq!(out.matrix[0].points.len(), 3);
    let requests = target_requests.lock().unwrap();
    assert_eq!(requests.len(), 1);
    assert!(!requests[0].contains("x-api-key") && !requests[0].contains("authorization"));
}

#[test]
fn a_plain_http_source_is_not_redirected_to_https() {
    // An http source is read without the system's certificate authorities; a redirect to
    // https is refused with the fix named instead of failing on an unchecked certificate.
    let (target, target_count, _, _) = serve_recording(vec![Reply::Status(200, OK_BODY)]);
    let location = format!(
        "{}/api/v1/query_range?query=up&start=1&end=2&step=1",
        target.replace("http://", "https://")
    );
    let (url, count) = serve(vec![Reply::Redirect(location)]);
    let e = run(client(&url, 2, 2_000).query_range(&query())).unwrap_err();
    assert_eq!(e.kind, FailureKind::Transport);
    assert!(
        e.message.contains("redirected to https") && e.message.contains("use that URL"),
        "{e}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1, "not retried");
    assert_eq!(
        target_count.load(Ordering::SeqCst),
        0,
        "https never attempted"
    );
}

/// Peak resident memory (VmHWM, KiB) of a running process, from /proc.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Runs `queries --check` against a server answering 200 MB to every query, with the pack
/// in `dir`: the peak memory (MiB) and everything it printed.
fn check_against_huge_answers(dir: &Path, url: &str) -> (u64, Option<i32>, String) {
    std::fs::write(
        dir.join("benchcmp.toml"),
        format!("[source]\nurl = \"{url}\"\n\n[runs.r]\nvars = {{ namespace = \"ns\" }}\nstart = \"2025-06-27T08:00:00Z\"\nduration = \"4h\"\n"),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_benchcmp"))
        .args(["queries", "--check", "--run", "r"])
        .current_dir(dir)
        .env_remove("BENCHCMP_PROMETHEUS_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        peak = peak.max(peak_kib(pid).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (peak / 1024, out.status.code(), all)
}

#[test]
fn a_200_mb_answer_is_refused_in_bounded_memory() {
    let (url, _) = serve(vec![Reply::Huge(200 << 20)]);
    let dir = std::env::temp_dir().join(format!("benchcmp-huge-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    std::fs::write(
        dir.join("queries/q.toml"),
        "[[metric]]\nid = \"throughput\"\ntitle = \"T\"\nunit = \"PI/s\"\nbetter = \"higher\"\nquery = 'sum(x{namespace=\"$namespace\"})'\n",
    )
    .unwrap();
    let (peak, code, all) = check_against_huge_answers(&dir, &url);
    println!("peak memory reading a 200 MB answer with the default 64 MiB cap: {peak} MiB");
    assert_eq!(code, Some(3), "{all}");
    assert!(all.contains("max_response_bytes (64 MiB"), "{all}");
    assert!(peak > 0, "no memory reading");
    // The cap bounds the body; the rest is the program itself.
    assert!(peak < 160, "peak {peak} MiB");
    std::fs::remove_dir_all(&dir).unwrap();

    // The default pack: 14 queries, 8 in flight, each answered with 200 MB. Only one body
    // grows past a few MiB at a time, so the peak stays near one cap, not eight.
    let dir = std::env::temp_dir().join(format!("benchcmp-huge-pack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (peak, code, all) = check_against_huge_answers(&dir, &url);
    println!("peak memory, default pack, every answer 200 MB: {peak} MiB");
    assert_eq!(code, Some(3), "{all}");
    assert!(all.contains("max_response_bytes (64 MiB"), "{all}");
    assert!(peak < 256, "peak {peak} MiB");
    std::fs::remove_dir_all(&dir).unwrap();
}
