//! HTTP client for the Prometheus API (`/api/v1/query_range`, `/api/v1/status/buildinfo`).
//!
//! Owns the wire: authentication, timeouts, retries with backoff on transient faults
//! (connection errors, timeouts, 5xx; never 4xx, never a certificate or protocol mismatch),
//! responses read as they stream in and refused beyond a size cap, splitting windows longer
//! than Prometheus's 11,000-points-per-series limit and stitching the parts, and many
//! queries concurrently under a bound. Every failure says what kind it is, so the caller can
//! tell a bad query (exit 2) from a source that could not be read (exit 3). It knows nothing
//! about metrics or runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

use super::endpoint::{Answers, Endpoint, Pending, Tick};
use super::matrix_json::MatrixData;
use crate::config::{Auth, SourceConfig};
use crate::series::{LabeledSeries, Matrix, Series};

/// Prometheus refuses range queries with more points per series than this.
pub const MAX_POINTS_PER_QUERY: i64 = 11_000;

/// A range query: PromQL and a window sampled every `step_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeQuery {
    pub query: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub step_ms: i64,
}

/// What a range query returned: the series and the server's warnings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryOutput {
    pub matrix: Matrix,
    /// Prometheus's `warnings` (e.g. a partial response from a federated store).
    pub warnings: Vec<String>,
}

/// What went wrong with a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The server refused the query as bad PromQL (HTTP 400): a problem of the pack.
    Rejected,
    /// The server hit a limit running it (HTTP 422: a timeout, too many samples), or the
    /// answer was larger than `max_response_bytes`.
    Limit,
    /// The credentials were refused (HTTP 401, 403).
    Refused,
    /// No usable connection: unreachable, timed out, a certificate or TLS problem, http
    /// spoken to https or the other way round, a redirect to another origin.
    Transport,
    /// The server failed (5xx after retries) or did not answer like Prometheus.
    Server,
}

/// Why a query failed.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryFailure {
    pub message: String,
    pub kind: FailureKind,
}

impl std::fmt::Display for QueryFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A configured client for one server.
#[derive(Clone)]
pub struct PrometheusClient {
    http: reqwest::Client,
    base_url: String,
    auth: Auth,
    retries: u32,
    concurrency: usize,
    max_response_bytes: u64,
    /// First retry delay; doubles each attempt.
    backoff: Duration,
    /// Retries made so far (for progress display).
    retried: Arc<AtomicUsize>,
    /// Held by the one response at a time whose body grows beyond [`SMALL_BODY`]: however
    /// many requests are in flight, at most one large body is buffered (with the others'
    /// small ones), so memory stays near one `max_response_bytes`. Never waited for while
    /// holding it, so no two readers can block each other.
    large_body: Arc<tokio::sync::Mutex<()>>,
}

/// A body this size is read by every response in flight at once; beyond it, one at a
/// time (`large_body`). A range query of a 4 h run at 30 s is some 30 KB per series.
const SMALL_BODY: usize = 4 << 20;

#[derive(Deserialize)]
struct ApiResponse<T> {
    status: String,
    data: Option<T>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
struct BuildInfo {
    version: String,
}

/// What an API call answers with: decoded by serde, and first by a byte reader where
/// there is one for its usual shape (a long run's range query is megabytes of samples).
trait Answer: serde::de::DeserializeOwned {
    /// The data and warnings of a successful answer read without serde, if this text is
    /// one in the usual shape.
    fn plain(_text: &str) -> Option<(Self, Vec<String>)> {
        None
    }
}

impl Answer for BuildInfo {}

impl Answer for MatrixData {
    fn plain(text: &str) -> Option<(Self, Vec<String>)> {
        super::plain_json::success(text)
    }
}

/// Installs the process-wide TLS crypto provider (ring) once; later calls are no-ops.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// `scheme://host:port` of a URL, for telling origins apart.
fn origin(url: &reqwest::Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// One attempt's failure, and whether trying again may help.
struct Attempt {
    failure: QueryFailure,
    transient: bool,
}

fn attempt(message: String, kind: FailureKind, transient: bool) -> Attempt {
    Attempt {
        failure: QueryFailure { message, kind },
        transient,
    }
}

impl PrometheusClient {
    pub fn new(source: &SourceConfig) -> Result<Self, String> {
        install_crypto_provider();
        crate::config::check_url(&source.url).map_err(|e| format!("source url: {e}"))?;
        let mut headers = HeaderMap::new();
        for (k, v) in &source.headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| format!("source.headers: bad header name {k:?}"))?;
            let mut value = HeaderValue::from_str(v)
                .map_err(|_| format!("source.headers: bad value for header {k}"))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        // Credentials and custom headers go to the configured server only: a redirect to
        // another origin would carry them along, so it is an error instead.
        let guarded = source.auth != Auth::None || !source.headers.is_empty();
        // A plain-http source needs no certificate authorities: the system's are not loaded
        // (reading and parsing them took 2–3 ms before the first query, and a machine
        // without them could not build the client at all). A redirect to https then has
        // nothing to check the certificate against, and says so.
        let plain = reqwest::Url::parse(&source.url).is_ok_and(|u| u.scheme() == "http")
            && source.ca_file.is_none();
        let redirects = reqwest::redirect::Policy::custom(move |a| {
            let first = a.previous().first().map(origin);
            if a.previous().len() > 5 {
                a.error("more than 5 redirects")
            } else if plain && a.url().scheme() == "https" {
                let to = origin(a.url());
                a.error(format!(
                    "redirected to https ({to}): use that URL as the source, so that its certificate is checked"
                ))
            } else if guarded && first.is_some_and(|f| f != origin(a.url())) {
                let to = origin(a.url());
                a.error(format!(
                    "redirected to another origin ({to}); credentials and headers are not sent there — point the source URL at the server that answers"
                ))
            } else {
                a.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_millis(source.timeout_ms as u64))
            .connect_timeout(Duration::from_millis(
                (source.timeout_ms as u64).min(10_000),
            ))
            .default_headers(headers)
            .redirect(redirects)
            .user_agent(concat!("benchcmp/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &source.ca_file {
            let pem =
                std::fs::read(ca).map_err(|e| format!("source.ca_file {}: {e}", ca.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                format!(
                    "source.ca_file {}: not a PEM certificate: {e}",
                    ca.display()
                )
            })?;
            if certs.is_empty() {
                return Err(format!(
                    "source.ca_file {}: no certificate found",
                    ca.display()
                ));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if plain {
            builder = builder.tls_certs_only(Vec::new());
        }
        let http = builder.build().map_err(|e| {
            let chain = error_chain(&e);
            let advice = if chain.contains("No CA certificates") {
                ": install the system's certificate authorities (Debian: ca-certificates) or set [source] ca_file"
            } else {
                ""
            };
            format!("cannot build HTTP client: {chain}{advice}")
        })?;
        Ok(PrometheusClient {
            http,
            base_url: source.url.trim_end_matches('/').to_string(),
            auth: source.auth.clone(),
            retries: source.retries,
            concurrency: source.concurrency.max(1),
            max_response_bytes: source.max_response_bytes,
            backoff: Duration::from_millis(250),
            retried: Arc::new(AtomicUsize::new(0)),
            large_body: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Sets the first retry delay (tests use a short one).
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    async fn query_range_part(
        &self,
        query: &str,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<QueryOutput, QueryFailure> {
        let params = [
            ("query", query.to_string()),
            ("start", seconds(start_ms)),
            ("end", seconds(end_ms)),
            ("step", seconds(step_ms)),
        ];
        let (data, warnings): (MatrixData, _) =
            self.get_api("/api/v1/query_range", &params).await?;
        let matrix = data
            .into_matrix("query_range response")
            .map_err(|message| QueryFailure {
                message,
                kind: FailureKind::Server,
            })?;
        Ok(QueryOutput { matrix, warnings })
    }

    /// GET an API path with retries; decodes Prometheus's envelope.
    async fn get_api<T: Answer>(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<(T, Vec<String>), QueryFailure> {
        let url = format!("{}{}", self.base_url, path);
        let mut tries = 0u32;
        loop {
            match self.get_once::<T>(&url, params).await {
                Ok(v) => return Ok(v),
                Err(Attempt { failure, transient }) => {
                    if !transient || tries >= self.retries {
                        let message = if transient && tries > 0 {
                            format!("{} (after {} attempts)", failure.message, tries + 1)
                        } else {
                            failure.message
                        };
                        return Err(QueryFailure {
                            message,
                            kind: failure.kind,
                        });
                    }
                    let delay = self
                        .backoff
                        .saturating_mul(1 << tries.min(5))
                        .min(Duration::from_secs(8));
                    tokio::time::sleep(delay).await;
                    self.retried.fetch_add(1, Ordering::Relaxed);
                    tries += 1;
                }
            }
        }
    }

    /// What a failed request means, from the error and its causes (without the request's
    /// URL, which would make every query's failure read differently).
    fn request_failure(&self, e: reqwest::Error) -> Attempt {
        let e = e.without_url();
        let chain = error_chain(&e);
        let lower = chain.to_lowercase();
        if lower.contains("redirected to another origin")
            || lower.contains("redirected to https")
            || lower.contains("redirects")
        {
            return attempt(
                format!("{}: {chain}", self.base_url),
                FailureKind::Transport,
                false,
            );
        }
        if lower.contains("invalidcontenttype") || lower.contains("corrupt message") {
            return attempt(
                format!(
                    "{} does not speak TLS: it answered https with plain http — use http:// ({chain})",
                    self.base_url
                ),
                FailureKind::Transport,
                false,
            );
        }
        if lower.contains("certificate") || lower.contains("unknownissuer") {
            let hint = if lower.contains("expired") {
                "the server's certificate has expired"
            } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
                "the server's certificate does not name this host"
            } else {
                "the server's certificate is not trusted: set [source] ca_file to the CA that signed it"
            };
            return attempt(
                format!("TLS to {} failed: {hint} ({chain})", self.base_url),
                FailureKind::Transport,
                false,
            );
        }
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "cannot connect"
        } else {
            "request failed"
        };
        attempt(
            format!("{what}: {} ({chain})", self.base_url),
            FailureKind::Transport,
            true,
        )
    }

    /// One attempt.
    async fn get_once<T: Answer>(
        &self,
        url: &str,
        params: &[(&str, String)],
    ) -> Result<(T, Vec<String>), Attempt> {
        let mut request = self.http.get(url).query(params);
        request = match &self.auth {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Basic { username, password } => request.basic_auth(username, Some(password)),
        };
        let mut response = request.send().await.map_err(|e| self.request_failure(e))?;
        let status = response.status();
        let too_large = |size: u64| {
            attempt(
                format!(
                    "the answer from {} is larger than max_response_bytes ({} MiB, {} MiB or more): aggregate in PromQL, query a shorter window or a longer step, or raise [source] max_response_bytes",
                    self.base_url,
                    self.max_response_bytes / 1048576,
                    size / 1048576
                ),
                FailureKind::Limit,
                false,
            )
        };
        let mut large = None;
        if let Some(length) = response.content_length() {
            if length > self.max_response_bytes {
                return Err(too_large(length));
            }
            if length as usize > SMALL_BODY {
                large = Some(self.large_body.lock().await);
            }
        }
        // Read as it streams in, and stop at the cap: memory stays bounded.
        let mut body: Vec<u8> = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > self.max_response_bytes {
                        return Err(too_large((body.len() + chunk.len()) as u64));
                    }
                    if large.is_none() && body.len() + chunk.len() > SMALL_BODY {
                        large = Some(self.large_body.lock().await);
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(attempt(
                        format!(
                            "reading the response from {} failed: {}",
                            self.base_url,
                            error_chain(&e.without_url())
                        ),
                        FailureKind::Transport,
                        true,
                    ))
                }
            }
        }
        let transient = status.is_server_error();
        let snippet = || {
            let text: String = String::from_utf8_lossy(&body).chars().take(200).collect();
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(attempt(
                format!(
                    "{} refused the request (HTTP {status}: {}): check bearer_token_env or username/password_env in [source]",
                    self.base_url,
                    snippet()
                ),
                FailureKind::Refused,
                false,
            ));
        }
        if status.as_u16() == 400 && snippet().contains("HTTP request to an HTTPS server") {
            return Err(attempt(
                format!(
                    "{} speaks https: use https:// in the source URL (it answered: {})",
                    self.base_url,
                    snippet()
                ),
                FailureKind::Transport,
                false,
            ));
        }
        if status.is_success() {
            if let Some(answer) = std::str::from_utf8(&body).ok().and_then(T::plain) {
                return Ok(answer);
            }
        }
        let envelope: ApiResponse<T> = match serde_json::from_slice(&body) {
            Ok(env) => env,
            Err(parse_error) => {
                let message = if status.is_success() {
                    format!(
                        "{url} answered HTTP {status} but not with Prometheus JSON ({parse_error}): {:?}",
                        snippet()
                    )
                } else {
                    format!(
                        "{url} answered HTTP {status}: {:?} — is this a Prometheus API URL?",
                        snippet()
                    )
                };
                return Err(attempt(message, FailureKind::Server, transient));
            }
        };
        if envelope.status == "success" && status.is_success() {
            return match envelope.data {
                Some(data) => Ok((data, envelope.warnings)),
                None => Err(attempt(
                    format!("{url}: response has no data"),
                    FailureKind::Server,
                    false,
                )),
            };
        }
        let error_type = envelope.error_type.unwrap_or_else(|| "unknown".into());
        let error = envelope.error.unwrap_or_else(|| "no error text".into());
        let (kind, advice) = match status.as_u16() {
            400 => (FailureKind::Rejected, ""),
            422 => (
                FailureKind::Limit,
                " — the server could not run it within its limits: use a longer step or a shorter window, or raise the server's query.timeout / query.max-samples",
            ),
            _ => (FailureKind::Server, ""),
        };
        Err(attempt(
            format!("Prometheus answered HTTP {status} ({error_type}): {error}{advice}"),
            kind,
            transient,
        ))
    }
}

impl Endpoint for PrometheusClient {
    fn base_url(&self) -> &str {
        &self.base_url
    }

    fn retries_made(&self) -> usize {
        self.retried.load(Ordering::Relaxed)
    }

    /// Runs many range queries with at most `concurrency` requests in flight and hands each
    /// answer on as it arrives, with its index in `queries`: the caller can work on one
    /// while the others are in flight. A query whose task died (a bug) never arrives; the
    /// channel closes when every task has ended.
    fn query_range_each(&self, queries: Vec<RangeQuery>, on_done: Tick) -> Answers {
        let semaphore = Arc::new(tokio::sync::Semaphore::new(self.concurrency));
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        for (index, q) in queries.into_iter().enumerate() {
            let client = self.clone();
            let semaphore = semaphore.clone();
            let on_done = on_done.clone();
            let sender = sender.clone();
            tokio::spawn(async move {
                // Parts of one query share the bound with everything else.
                let mut parts = Vec::new();
                let mut warnings: Vec<String> = Vec::new();
                let mut failure = None;
                for (start, end) in split_window(q.start_ms, q.end_ms, q.step_ms) {
                    let Ok(_permit) = semaphore.acquire().await else {
                        break;
                    };
                    match client
                        .query_range_part(&q.query, start, end, q.step_ms)
                        .await
                    {
                        Ok(out) => {
                            parts.push(out.matrix);
                            for w in out.warnings {
                                if !warnings.contains(&w) {
                                    warnings.push(w);
                                }
                            }
                        }
                        Err(e) => {
                            failure = Some(e);
                            break;
                        }
                    }
                }
                on_done();
                let result = failure.map_or_else(
                    || {
                        Ok(QueryOutput {
                            matrix: stitch(parts),
                            warnings,
                        })
                    },
                    Err,
                );
                // The receiver may have gone (the caller failed on another query).
                let _ = sender.send((index, result));
            });
        }
        receiver
    }

    /// From `/api/v1/status/buildinfo` (not every compatible server has it).
    fn version(&self) -> Pending<'_, Result<String, QueryFailure>> {
        Box::pin(async move {
            let (info, _): (BuildInfo, _) = self.get_api("/api/v1/status/buildinfo", &[]).await?;
            Ok(info.version)
        })
    }
}

/// The failure of a query whose task ended without an answer (a bug, surfaced instead of
/// losing the query).
pub fn not_run() -> QueryFailure {
    QueryFailure {
        message: "internal error: a query task ended without an answer".into(),
        kind: FailureKind::Server,
    }
}

/// Splits `[start, end]` at `step` into windows of at most `MAX_POINTS_PER_QUERY` points
/// that together hit exactly the same sample times.
pub fn split_window(start_ms: i64, end_ms: i64, step_ms: i64) -> Vec<(i64, i64)> {
    let step = step_ms.max(1);
    let span = (MAX_POINTS_PER_QUERY - 1) * step;
    let mut parts = Vec::new();
    let mut s = start_ms;
    loop {
        let e = (s + span).min(end_ms);
        parts.push((s, e));
        if e >= end_ms {
            break;
        }
        s = e + step;
        if s > end_ms {
            break;
        }
    }
    parts
}

/// Joins the parts of a split query, series by series (same label set).
fn stitch(parts: Vec<Matrix>) -> Matrix {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    let mut joined: Vec<LabeledSeries> = Vec::new();
    for part in parts {
        for s in part {
            match joined.iter_mut().find(|j| j.labels == s.labels) {
                Some(j) => j.points.extend(s.points.iter()),
                None => joined.push(s),
            }
        }
    }
    // The parts do not overlap: joined in order they are in time order. Otherwise (a
    // broken server) sorted, the last sample of a time kept.
    for s in joined.iter_mut().filter(|s| !s.points.in_time_order()) {
        s.points = Series::new(s.points.to_vec()).into_points();
    }
    joined
}

fn seconds(ms: i64) -> String {
    if ms % 1000 == 0 {
        (ms / 1000).to_string()
    } else {
        format!("{:.3}", ms as f64 / 1000.0)
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_windows_are_one_part() {
        assert_eq!(
            split_window(0, 4 * 3_600_000, 30_000),
            vec![(0, 4 * 3_600_000)]
        );
        // exactly 11,000 points
        assert_eq!(split_window(0, 10_999 * 5_000, 5_000).len(), 1);
    }

    #[test]
    fn long_windows_split_on_the_step_grid() {
        let day = 86_400_000;
        let parts = split_window(0, day, 5_000);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], (0, 10_999 * 5_000));
        assert_eq!(parts[1], (11_000 * 5_000, day));
        // every sample time once
        let points: i64 = parts.iter().map(|(s, e)| (e - s) / 5_000 + 1).sum();
        assert_eq!(points, day / 5_000 + 1);
        for (s, e) in parts {
            assert!((e - s) / 5_000 < MAX_POINTS_PER_QUERY);
            assert_eq!(s % 5_000, 0);
        }
    }

    #[test]
    fn stitching_joins_by_labels() {
        let a = LabeledSeries {
            labels: [("p".into(), "a".into())].into(),
            points: vec![(0, 1.0)].into(),
        };
        let b = LabeledSeries {
            labels: [("p".into(), "b".into())].into(),
            points: vec![(0, 2.0)].into(),
        };
        let a2 = LabeledSeries {
            labels: a.labels.clone(),
            points: vec![(10, 3.0)].into(),
        };
        let m = stitch(vec![vec![a.clone(), b.clone()], vec![a2]]);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].points, vec![(0, 1.0), (10, 3.0)]);
        assert_eq!(m[1], b);
    }

    #[test]
    fn seconds_keep_milliseconds() {
        assert_eq!(seconds(1_751_011_200_000), "1751011200");
        assert_eq!(seconds(1_500), "1.500");
    }
}
