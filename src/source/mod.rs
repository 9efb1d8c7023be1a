//! Getting a run's data, live from Prometheus or from a snapshot, in one shape (`RunData`):
//! per metric, the exact PromQL and what it returned. Reducing that to one trimmed series
//! per metric is `RunData::series`.

pub mod histogram;
pub mod matrix_json;
pub mod plain_json;
pub mod prometheus;
pub mod snapshot;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::Defaults;
use crate::error::{Error, Result};
use crate::pack::{HistogramStatistic, Metric};
use crate::run::{Origin, Run};
use crate::series::{self, Matrix, Series};
use crate::template;
use prometheus::{FailureKind, PrometheusClient, QueryFailure, RangeQuery};

/// What one metric's query returned for a run.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricData {
    /// The exact PromQL sent (for a snapshot: as recorded).
    pub query: String,
    /// Shared with the snapshot it was read from, if any (a week of samples is 9 MB a run).
    pub matrix: Arc<Matrix>,
    /// Warnings the server sent with the data (e.g. a partial response).
    pub warnings: Vec<String>,
}

/// More points than this per series in one run ask for a step too small for the window.
pub const MAX_POINTS_PER_RUN: i64 = 200_000;

/// Refuses a run whose step is too small for its window, naming a step that fits.
pub fn check_points(run: &Run) -> Result<()> {
    let points = (run.end_ms - run.start_ms) / run.step_ms.max(1) + 1;
    if points <= MAX_POINTS_PER_RUN {
        return Ok(());
    }
    let needed = (run.end_ms - run.start_ms) / (MAX_POINTS_PER_RUN - 1);
    let nice = [
        1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
        1_800_000, 3_600_000,
    ]
    .into_iter()
    .find(|s| *s >= needed)
    .unwrap_or(needed);
    Err(Error::input(format!(
        "run {}: a step of {} over its {} window is {points} points per series (at most {MAX_POINTS_PER_RUN}): use [defaults] step = \"{}\" or more",
        run.name,
        crate::duration::human(run.step_ms),
        crate::duration::human(run.end_ms - run.start_ms),
        crate::duration::promql(nice)
    )))
}

/// A run's data for the metrics asked for. A metric missing from `metrics` was not in the
/// snapshot (live runs always have every metric, possibly with an empty matrix).
#[derive(Debug, Clone)]
pub struct RunData {
    pub run: Run,
    pub metrics: BTreeMap<String, MetricData>,
    /// Things the user should know (e.g. a snapshot recorded with another query).
    pub warnings: Vec<String>,
}

/// The steady-state series of one metric, ready for the comparison.
#[derive(Debug, Clone)]
pub struct MetricSeries {
    /// The whole run, reduced to one series (for charts and shift detection).
    pub full: Series,
    /// The steady window: [`MetricSeries::steady`] are the samples inside it.
    pub window: (i64, i64),
    /// The first negative sample the query returned inside the window (any series).
    pub first_negative: Option<series::Point>,
}

impl MetricSeries {
    /// The samples inside the steady window (a view of `full`, not a copy).
    pub fn steady(&self) -> &[series::Point] {
        self.full.window_points(self.window.0, self.window.1)
    }
}

impl RunData {
    /// The reduced series of `metric`, or why there is none (not recorded / bad shape).
    pub fn series(&self, metric: &Metric, defaults: &Defaults) -> Result<Option<MetricSeries>> {
        let Some(data) = self.metrics.get(&metric.id) else {
            return Ok(None);
        };
        let full = series::reduce(metric, &data.matrix, self.run.start_ms)
            .map_err(|e| Error::input(format!("run {}: {e}", self.run.name)))?;
        let window = self.run.steady_window(defaults)?;
        Ok(Some(MetricSeries {
            full,
            window,
            first_negative: series::first_negative(&data.matrix, window.0, window.1),
        }))
    }
}

/// Expands the query of `metric` for `run`; errors name the metric, the run and the position.
pub fn expand_query(metric: &Metric, run: &Run, defaults: &Defaults) -> Result<String> {
    expand_for(metric, &metric.query, run, defaults)
}

/// Expands one template of `metric` (its query, or a query of its histogram) for `run`.
fn expand_for(metric: &Metric, text: &str, run: &Run, defaults: &Defaults) -> Result<String> {
    template::expand(text, &run.template_context(defaults)).map_err(|e| {
        Error::input(format!(
            "metric \"{}\" ({}) for run {}: {e}",
            metric.id,
            metric.file.display(),
            run.name
        ))
    })
}

/// How many queries a live run of `metrics` sends: one per metric, except that metrics
/// derived from the same histogram share its fetch (buckets, plus sum and count when one
/// of them is a mean).
pub fn queries_per_run(metrics: &[&Metric]) -> usize {
    // Equal templates expand equally for one run: the text stands for the query.
    plan(metrics, |_, text| Ok::<_, ()>(text.to_string()))
        .map_or(metrics.len(), |(texts, _)| texts.len())
}

/// How one metric's data is made from the answered queries (indices into them).
enum Assembly {
    Sent(usize),
    Quantile { q: f64, buckets: usize },
    Mean { sum: usize, count: usize },
}

impl Assembly {
    /// The answers it is made from.
    fn needs(&self) -> Vec<usize> {
        match *self {
            Assembly::Sent(i) => vec![i],
            Assembly::Quantile { buckets, .. } => vec![buckets],
            Assembly::Mean { sum, count } => vec![sum, count],
        }
    }
}

/// The distinct queries `metrics` need (expanded by `expand`) and how each metric is made
/// from them. Equal queries are sent once.
fn plan<E>(
    metrics: &[&Metric],
    mut expand: impl FnMut(&Metric, &str) -> std::result::Result<String, E>,
) -> std::result::Result<(Vec<String>, Vec<Assembly>), E> {
    let mut texts: Vec<String> = Vec::new();
    let mut index = |text: String| match texts.iter().position(|t| *t == text) {
        Some(i) => i,
        None => {
            texts.push(text);
            texts.len() - 1
        }
    };
    let mut assemblies = Vec::with_capacity(metrics.len());
    for m in metrics {
        let assembly = match &m.derived {
            None => Assembly::Sent(index(expand(m, &m.query)?)),
            Some(d) => {
                let h = &d.histogram;
                match d.statistic {
                    HistogramStatistic::Quantile(q) => Assembly::Quantile {
                        q,
                        buckets: index(expand(m, &h.buckets)?),
                    },
                    HistogramStatistic::Mean => {
                        let (Some(sum), Some(count)) = (&h.sum, &h.count) else {
                            unreachable!("the pack gives a mean's histogram a sum and a count")
                        };
                        Assembly::Mean {
                            sum: index(expand(m, sum)?),
                            count: index(expand(m, count)?),
                        }
                    }
                }
            }
        };
        assemblies.push(assembly);
    }
    Ok((texts, assemblies))
}

/// Warnings for the metrics of a snapshot recorded with other queries than the pack's
/// current ones, `(id, recorded, current)`: each with both queries when there are one or two
/// (or with `verbose`), else one warning naming them — a pack changed since the recording
/// would otherwise print three lines per metric, and the JSON report has every query.
fn changed_queries(
    path: &std::path::Path,
    changed: &[(&str, String, String)],
    verbose: bool,
) -> Vec<String> {
    let path = path.display();
    if changed.len() <= 2 || verbose {
        return changed
            .iter()
            .map(|(id, recorded, current)| {
                format!(
                    "snapshot {path}: metric \"{id}\" was recorded with a different query than the pack's current one\n  recorded: {recorded}\n  current:  {current}"
                )
            })
            .collect();
    }
    let ids: Vec<&str> = changed.iter().map(|(id, ..)| *id).collect();
    vec![format!(
        "snapshot {path}: {} metrics were recorded with other queries than the pack's current ones ({}); \
         their recorded data is compared (--verbose shows each pair of queries)",
        changed.len(),
        ids.join(", ")
    )]
}

/// Loads a run's data: from its snapshot, or by querying `client` for a config run.
/// `on_done` is called after each finished query (for progress display).
pub async fn load_run(
    run: &Run,
    metrics: &[&Metric],
    defaults: &Defaults,
    client: Option<&PrometheusClient>,
    on_done: Arc<dyn Fn() + Send + Sync>,
    verbose: bool,
) -> Result<RunData> {
    match &run.origin {
        Origin::Snapshot(snap) => {
            let mut data = BTreeMap::new();
            let mut warnings = Vec::new();
            let mut changed = Vec::new();
            for m in metrics {
                let Some(recorded) = snap.metrics.get(&m.id) else {
                    continue;
                };
                match expand_query(m, run, defaults) {
                    Ok(current) if current != recorded.query => {
                        changed.push((m.id.as_str(), one_line(&recorded.query), one_line(&current)))
                    }
                    Ok(_) => {}
                    Err(e) => warnings.push(format!("snapshot {}: {e}", snap.path.display())),
                }
                data.insert(
                    m.id.clone(),
                    MetricData {
                        query: recorded.query.clone(),
                        matrix: Arc::clone(&recorded.matrix),
                        warnings: recorded.warnings.clone(),
                    },
                );
                on_done();
            }
            warnings.extend(changed_queries(&snap.path, &changed, verbose));
            Ok(RunData {
                run: run.clone(),
                metrics: data,
                warnings,
            })
        }
        Origin::Config => {
            let client = client.ok_or_else(|| {
                Error::input(format!(
                    "run {} is read from Prometheus but no source is configured: set [source] url in the config, \
                     --prometheus or BENCHCMP_PROMETHEUS_URL",
                    run.name
                ))
            })?;
            check_points(run)?;
            let (texts, assemblies) = plan(metrics, |m, text| expand_for(m, text, run, defaults))?;
            let requests = texts
                .iter()
                .map(|q| RangeQuery {
                    query: q.clone(),
                    start_ms: run.start_ms,
                    end_ms: run.end_ms,
                    step_ms: run.step_ms,
                })
                .collect();
            let mut results = client.query_range_all(requests, on_done).await;
            // How many metrics still need each answer: the last one takes it.
            let mut users = vec![0usize; texts.len()];
            for a in &assemblies {
                if let Assembly::Sent(i) = a {
                    users[*i] += 1;
                }
            }
            let mut data = BTreeMap::new();
            let mut warnings = Vec::new();
            let mut prepared_buckets: BTreeMap<usize, histogram::Buckets> = BTreeMap::new();
            // Failures grouped by cause: one unreachable source is one line, not one per metric.
            let mut causes: Vec<(QueryFailure, Vec<(String, String)>)> = Vec::new();
            for (m, assembly) in metrics.iter().zip(&assemblies) {
                let needed = assembly.needs();
                if let Some((f, i)) = needed
                    .iter()
                    .find_map(|&i| results[i].as_ref().err().map(|f| (f.clone(), i)))
                {
                    let query = texts[i].clone();
                    match causes.iter_mut().find(|(c, _)| *c == f) {
                        Some((_, metrics)) => metrics.push((m.id.clone(), query)),
                        None => causes.push((f, vec![(m.id.clone(), query)])),
                    }
                    continue;
                }
                let mut server_warnings: Vec<String> = Vec::new();
                for &i in &needed {
                    for w in &answered(&results, i).warnings {
                        if !server_warnings.contains(w) {
                            server_warnings.push(w.clone());
                        }
                    }
                }

                let (query, matrix) = match *assembly {
                    Assembly::Sent(i) => {
                        users[i] -= 1;
                        let matrix = match (users[i], &mut results[i]) {
                            (0, Ok(out)) => std::mem::take(&mut out.matrix),
                            _ => answered(&results, i).matrix.clone(),
                        };
                        (texts[i].clone(), matrix)
                    }
                    Assembly::Quantile { q, buckets } => {
                        // Prepared once per fetch, however many quantiles read it.
                        let prepared = prepared_buckets.entry(buckets).or_insert_with(|| {
                            histogram::Buckets::new(&answered(&results, buckets).matrix)
                        });
                        warnings.extend(ceiling_mismatch(m, &run.name, prepared));
                        (expand_query(m, run, defaults)?, prepared.quantiles(q))
                    }
                    Assembly::Mean { sum, count } => (
                        expand_query(m, run, defaults)?,
                        histogram::means(
                            &answered(&results, sum).matrix,
                            &answered(&results, count).matrix,
                        ),
                    ),
                };
                data.insert(
                    m.id.clone(),
                    MetricData {
                        query,
                        matrix: Arc::new(matrix),
                        warnings: server_warnings,
                    },
                );
            }
            if causes.is_empty() {
                return Ok(RunData {
                    run: run.clone(),
                    metrics: data,
                    warnings,
                });
            }
            let lines: Vec<String> = causes
                .iter()
                .map(|(f, failed)| {
                    let ids: Vec<&str> = failed.iter().map(|(id, _)| id.as_str()).collect();
                    let mut line = format!("{f}\n  metrics: {}", ids.join(", "));
                    if verbose {
                        for (id, query) in failed {
                            line.push_str(&format!("\n  {id}: {}", one_line(query)));
                        }
                    } else if failed.len() == 1 {
                        line.push_str(&format!("\n  query: {}", one_line(&failed[0].1)));
                    }
                    line
                })
                .collect();
            let message = format!(
                "cannot read run {} from {}:\n{}{}",
                run.name,
                client.base_url(),
                lines.join("\n"),
                if verbose || causes.iter().all(|(_, f)| f.len() == 1) {
                    ""
                } else {
                    "\n(-v shows each query)"
                }
            );
            // Queries the server refused as bad PromQL are a problem of the pack (exit 2);
            // anything else means the source could not be read (exit 3).
            Err(
                if causes.iter().all(|(f, _)| f.kind == FailureKind::Rejected) {
                    Error::input(message)
                } else {
                    Error::source(message)
                },
            )
        }
    }
}

/// A quantile can only be told apart from "at least the top bucket" where the pack says
/// where that is (`saturates_at`): a histogram whose top finite bucket is elsewhere would
/// have its saturated values taken as measured ones.
fn ceiling_mismatch(metric: &Metric, run: &str, buckets: &histogram::Buckets) -> Option<String> {
    let top = buckets.top_finite_bound()?;
    let unit = &metric.unit;
    let said = match metric.saturates_at {
        Some(at) if (at - top).abs() <= 1e-9 * top.abs().max(1e-300) => return None,
        Some(at) => format!("its saturates_at is {at} {unit}"),
        None => "it has no saturates_at".to_string(),
    };
    Some(format!(
        "run {run}: metric \"{}\": the histogram's top finite bucket is {top} {unit} but {said}: \
         quantiles at {top} {unit} mean \"at least {top} {unit}\" and are not treated so; \
         set saturates_at = \"{top}{unit}\" in the pack",
        metric.id
    ))
}

/// The answer to query `i`, known to have succeeded.
fn answered(
    results: &[std::result::Result<prometheus::QueryOutput, QueryFailure>],
    i: usize,
) -> &prometheus::QueryOutput {
    results[i]
        .as_ref()
        .expect("failed answers are handled first")
}

/// A query on one line, for messages.
pub fn one_line(query: &str) -> String {
    query.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_of_one_histogram_share_its_queries() {
        let pack = crate::pack::parse_files(&[(
            "q.toml".into(),
            r#"
[[histogram]]
id = "h"
buckets = 'sum by (le) (rate(h_bucket[1m]))'
sum = 'sum(rate(h_sum[1m]))'
count = 'sum(rate(h_count[1m]))'

[[metric]]
id = "p50"
title = "t"
better = "lower"
histogram = "h"
statistic = "p50"

[[metric]]
id = "p99"
title = "t"
better = "lower"
histogram = "h"
statistic = "p99"

[[metric]]
id = "mean"
title = "t"
better = "lower"
histogram = "h"
statistic = "mean"

[[metric]]
id = "plain"
title = "t"
better = "lower"
query = 'up'
"#
            .into(),
        )])
        .unwrap();
        let all: Vec<&Metric> = pack.metrics.iter().collect();
        // buckets once for both quantiles, sum and count for the mean, and the plain query
        assert_eq!(queries_per_run(&all), 4);
        // a quantile alone needs the buckets only; the mean alone its sum and count only
        assert_eq!(queries_per_run(&all[..1]), 1);
        assert_eq!(queries_per_run(&all[2..3]), 2);
    }
}
