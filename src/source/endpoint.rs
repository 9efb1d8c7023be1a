//! The seam between benchcmp and a metrics endpoint: what the rest of the code needs of a
//! server that answers PromQL range queries over Prometheus's HTTP API. Prometheus itself
//! is [`PrometheusClient`](super::prometheus::PrometheusClient); VictoriaMetrics, Thanos and
//! Mimir speak the same API with their own quirks (tenant headers, partial responses,
//! other limits) and would be implementations of their own. Tests implement it to produce
//! faults a real server cannot produce on demand.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::prometheus::{QueryFailure, QueryOutput, RangeQuery};

/// Called once per finished query (progress display).
pub type Tick = Arc<dyn Fn() + Send + Sync>;

/// Answers handed on as they arrive, each with its index in the queries asked; the channel
/// closes when every query has ended.
pub type Answers = tokio::sync::mpsc::UnboundedReceiver<(usize, Result<QueryOutput, QueryFailure>)>;

/// A future an endpoint returns.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The error for a live run read with no endpoint configured: `what` ("run nightly", "the
/// watched run") and how to configure one.
pub fn missing(what: &str) -> crate::error::Error {
    crate::error::Error::input(format!(
        "{what} is read from Prometheus, but no source is configured: set [source] url in the config, --prometheus or BENCHCMP_PROMETHEUS_URL"
    ))
}

/// A PromQL endpoint.
pub trait Endpoint: Send + Sync {
    /// Where it is, as reports name it (credentials never part of it).
    fn base_url(&self) -> &str;

    /// Retries made so far (progress shows them).
    fn retries_made(&self) -> usize;

    /// Runs range queries, at most as many in flight as the endpoint allows, handing each
    /// answer on as it arrives; `on_done` is called as each query finishes.
    fn query_range_each(&self, queries: Vec<RangeQuery>, on_done: Tick) -> Answers;

    /// The server's version, where it tells it.
    fn version(&self) -> Pending<'_, Result<String, QueryFailure>>;
}

/// What every endpoint answers by way of [`Endpoint::query_range_each`].
pub trait Queries: Endpoint {
    /// Runs range queries; the results in the order of `queries`.
    fn query_range_all(
        &self,
        queries: Vec<RangeQuery>,
        on_done: Tick,
    ) -> impl Future<Output = Vec<Result<QueryOutput, QueryFailure>>> + Send {
        async move {
            let count = queries.len();
            let mut answers = self.query_range_each(queries, on_done);
            let mut results: Vec<Option<Result<QueryOutput, QueryFailure>>> =
                (0..count).map(|_| None).collect();
            while let Some((index, result)) = answers.recv().await {
                results[index] = Some(result);
            }
            results
                .into_iter()
                .map(|r| r.unwrap_or_else(|| Err(super::prometheus::not_run())))
                .collect()
        }
    }

    /// Runs one range query.
    fn query_range(
        &self,
        q: &RangeQuery,
    ) -> impl Future<Output = Result<QueryOutput, QueryFailure>> + Send {
        let q = q.clone();
        async move {
            self.query_range_all(vec![q], Arc::new(|| {}))
                .await
                .pop()
                .unwrap_or_else(|| Err(super::prometheus::not_run()))
        }
    }
}

impl<E: Endpoint + ?Sized> Queries for E {}
