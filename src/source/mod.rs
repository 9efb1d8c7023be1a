//! Getting a run's data, live from Prometheus or from a snapshot, in one shape (`RunData`):
//! per metric, the exact PromQL and what it returned. Reducing that to one trimmed series
//! per metric is `RunData::series`.

pub mod endpoint;
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
pub use endpoint::{Endpoint, Queries, Tick};
use prometheus::{FailureKind, QueryFailure, RangeQuery};

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
    pub fn steady(&self) -> series::PointSlice<'_> {
        self.full.window_points(self.window.0, self.window.1)
    }
}

impl RunData {
    /// The reduced series of `metric`, or why there is none (not recorded / bad shape).
    pub fn series(&self, metric: &Metric, defaults: &Defaults) -> Result<Option<MetricSeries>> {
        self.metrics
            .get(&metric.id)
            .map(|data| metric_series(&self.run, metric, data, defaults))
            .transpose()
    }
}

/// `data` of `metric` in `run`, reduced to one series with its steady window.
pub fn metric_series(
    run: &Run,
    metric: &Metric,
    data: &MetricData,
    defaults: &Defaults,
) -> Result<MetricSeries> {
    let full = series::reduce(metric, &data.matrix, run.start_ms)
        .map_err(|e| Error::input(format!("run {}: {e}", run.name)))?;
    let window = run.steady_window(defaults)?;
    Ok(MetricSeries {
        full,
        window,
        first_negative: series::first_negative(&data.matrix, window.0, window.1),
    })
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

/// Hands on each metric of a run as soon as its data is assembled: its index in the
/// metrics asked for, and the data (also kept in the run's `RunData`).
pub type Deliver = Box<dyn FnMut(usize, &MetricData) + Send>;

/// How runs are read: the endpoint for live runs, a tick per finished query (progress),
/// and whether a failure lists every query.
#[derive(Clone)]
pub struct Reading<'a> {
    pub endpoint: Option<&'a Arc<dyn Endpoint>>,
    pub tick: Tick,
    pub verbose: bool,
}

impl<'a> Reading<'a> {
    /// Reading through `endpoint` with no progress shown.
    pub fn quiet(endpoint: Option<&'a Arc<dyn Endpoint>>, verbose: bool) -> Self {
        Reading {
            endpoint,
            tick: Arc::new(|| {}),
            verbose,
        }
    }
}

/// Loads a run's data: from its snapshot, or by querying the endpoint for a config run.
pub async fn load_run(
    run: &Run,
    metrics: &[&Metric],
    defaults: &Defaults,
    reading: &Reading<'_>,
) -> Result<RunData> {
    let ignore: Deliver = Box::new(|_, _| {});
    load_run_streaming(run, metrics, defaults, reading, ignore).await
}

/// [`load_run`], handing each metric to `deliver` as soon as its answers are in: a
/// snapshot's metrics at once, a live run's as Prometheus answers, in whatever order
/// they arrive. The `RunData` returned at the end is the same whatever the order.
pub async fn load_run_streaming(
    run: &Run,
    metrics: &[&Metric],
    defaults: &Defaults,
    reading: &Reading<'_>,
    deliver: Deliver,
) -> Result<RunData> {
    let window = (run.start_ms, run.end_ms);
    load(run, window, metrics, defaults, reading, deliver).await
}

/// Part of a live run: its samples from `from_ms` to `to_ms` only, queried as the whole run
/// is (the same PromQL: `$__range` is still the run's). What `watch` asks at each poll.
pub async fn load_run_part(
    run: &Run,
    window: (i64, i64),
    metrics: &[&Metric],
    defaults: &Defaults,
    reading: &Reading<'_>,
) -> Result<RunData> {
    let ignore: Deliver = Box::new(|_, _| {});
    let live = Run {
        origin: Origin::Config,
        ..run.clone()
    };
    load(&live, window, metrics, defaults, reading, ignore).await
}

async fn load(
    run: &Run,
    (from_ms, to_ms): (i64, i64),
    metrics: &[&Metric],
    defaults: &Defaults,
    reading: &Reading<'_>,
    mut deliver: Deliver,
) -> Result<RunData> {
    let (client, verbose) = (reading.endpoint, reading.verbose);
    match &run.origin {
        Origin::Snapshot(snap) => Ok(from_snapshot(
            run, snap, metrics, defaults, reading, deliver,
        )),
        Origin::Config => {
            let client = client.ok_or_else(|| endpoint::missing(&format!("run {}", run.name)))?;
            check_points(run)?;
            let (texts, assemblies) = plan(metrics, |m, text| expand_for(m, text, run, defaults))?;
            let requests = texts
                .iter()
                .map(|q| RangeQuery {
                    query: q.clone(),
                    start_ms: from_ms,
                    end_ms: to_ms,
                    step_ms: run.step_ms,
                })
                .collect();
            let mut answers = client.query_range_each(requests, reading.tick.clone());
            let mut assembler = Assembler::new(run, defaults, &texts, metrics, &assemblies);
            let mut results: Vec<
                Option<std::result::Result<prometheus::QueryOutput, QueryFailure>>,
            > = (0..texts.len()).map(|_| None).collect();
            let mut failed = false;
            while let Some((i, result)) = answers.recv().await {
                failed |= result.is_err();
                results[i] = Some(result);
                // After a failure the run fails: the other answers are only awaited to
                // name every cause.
                if !failed {
                    for m in assembler.answered(i, &mut results)? {
                        deliver(m, assembler.data(m));
                    }
                }
            }
            let results: Vec<_> = results
                .into_iter()
                .map(|r| r.unwrap_or_else(|| Err(prometheus::not_run())))
                .collect();
            match failures(metrics, &assemblies, &texts, &results) {
                None => Ok(assembler.finish()),
                Some(causes) => Err(unreadable(run, client.base_url(), &causes, verbose)),
            }
        }
    }
}

/// A snapshot's run: each metric recorded for it, with a warning where the pack's query
/// has changed since it was recorded.
fn from_snapshot(
    run: &Run,
    snap: &snapshot::Snapshot,
    metrics: &[&Metric],
    defaults: &Defaults,
    reading: &Reading<'_>,
    mut deliver: Deliver,
) -> RunData {
    let mut data = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut changed = Vec::new();
    for (index, m) in metrics.iter().enumerate() {
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
        let metric = MetricData {
            query: recorded.query.clone(),
            matrix: Arc::clone(&recorded.matrix),
            warnings: recorded.warnings.clone(),
        };
        deliver(index, &metric);
        data.insert(m.id.clone(), metric);
        (reading.tick)();
    }
    warnings.extend(changed_queries(&snap.path, &changed, reading.verbose));
    RunData {
        run: run.clone(),
        metrics: data,
        warnings,
    }
}

/// A failure and the metrics it cost, with the query each sent.
type Cause = (QueryFailure, Vec<(String, String)>);

/// The failed queries grouped by cause (one unreachable source is one cause, not one per
/// metric); `None` when every metric has its answers.
fn failures(
    metrics: &[&Metric],
    assemblies: &[Assembly],
    texts: &[String],
    results: &[std::result::Result<prometheus::QueryOutput, QueryFailure>],
) -> Option<Vec<Cause>> {
    let mut causes: Vec<Cause> = Vec::new();
    for (m, assembly) in metrics.iter().zip(assemblies) {
        if let Some((f, i)) = assembly
            .needs()
            .iter()
            .find_map(|&i| results[i].as_ref().err().map(|f| (f.clone(), i)))
        {
            let query = texts[i].clone();
            match causes.iter_mut().find(|(c, _)| *c == f) {
                Some((_, metrics)) => metrics.push((m.id.clone(), query)),
                None => causes.push((f, vec![(m.id.clone(), query)])),
            }
        }
    }
    (!causes.is_empty()).then_some(causes)
}

/// The error of a run that could not be read: each cause on its line with its metrics.
/// Queries the server refused as bad PromQL are a problem of the pack (exit 2); anything
/// else means the source could not be read (exit 3).
fn unreadable(run: &Run, url: &str, causes: &[Cause], verbose: bool) -> Error {
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
        "cannot read run {} from {url}:\n{}{}",
        run.name,
        lines.join("\n"),
        if verbose || causes.iter().all(|(_, f)| f.len() == 1) {
            ""
        } else {
            "\n(-v shows each query)"
        }
    );
    if causes.iter().all(|(f, _)| f.kind == FailureKind::Rejected) {
        Error::input(message)
    } else {
        Error::source(message)
    }
}

type Answers = [Option<std::result::Result<prometheus::QueryOutput, QueryFailure>>];

/// Answer `i`, known to have succeeded.
fn answer(results: &Answers, i: usize) -> &prometheus::QueryOutput {
    results[i]
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .expect("a metric is assembled from successful answers only")
}

/// Makes a live run's metrics from its answers as they arrive: a metric is assembled when
/// the last answer it needs is in (a quantile from its prepared histogram, a mean from its
/// sum and count); an answer only one metric uses is moved into it, not copied.
struct Assembler<'a> {
    run: &'a Run,
    defaults: &'a Defaults,
    texts: &'a [String],
    metrics: &'a [&'a Metric],
    assemblies: &'a [Assembly],
    /// The metrics each answer is needed by.
    needed_by: Vec<Vec<usize>>,
    /// Answers each metric still waits for.
    waiting: Vec<usize>,
    /// Metrics made from each plain answer that are not assembled yet.
    users: Vec<usize>,
    prepared_buckets: BTreeMap<usize, histogram::Buckets>,
    data: Vec<Option<MetricData>>,
    warnings: Vec<Vec<String>>,
}

impl<'a> Assembler<'a> {
    fn new(
        run: &'a Run,
        defaults: &'a Defaults,
        texts: &'a [String],
        metrics: &'a [&'a Metric],
        assemblies: &'a [Assembly],
    ) -> Self {
        let mut needed_by = vec![Vec::new(); texts.len()];
        let mut waiting = vec![0; metrics.len()];
        let mut users = vec![0; texts.len()];
        for (m, a) in assemblies.iter().enumerate() {
            let mut needs = a.needs();
            needs.sort_unstable();
            needs.dedup();
            waiting[m] = needs.len();
            for i in needs {
                needed_by[i].push(m);
            }
            if let Assembly::Sent(i) = a {
                users[*i] += 1;
            }
        }
        Assembler {
            run,
            defaults,
            texts,
            metrics,
            assemblies,
            needed_by,
            waiting,
            users,
            prepared_buckets: BTreeMap::new(),
            data: (0..metrics.len()).map(|_| None).collect(),
            warnings: vec![Vec::new(); metrics.len()],
        }
    }

    /// Answer `i` (successful) is in: assembles the metrics it completes, returning them.
    fn answered(&mut self, i: usize, results: &mut Answers) -> Result<Vec<usize>> {
        let mut complete = Vec::new();
        for &m in &self.needed_by[i] {
            self.waiting[m] -= 1;
            if self.waiting[m] == 0 {
                complete.push(m);
            }
        }
        for &m in &complete {
            let data = self.assemble(m, results)?;
            self.data[m] = Some(data);
        }
        Ok(complete)
    }

    fn data(&self, m: usize) -> &MetricData {
        self.data[m].as_ref().expect("an assembled metric")
    }

    fn assemble(&mut self, m: usize, results: &mut Answers) -> Result<MetricData> {
        let metric = self.metrics[m];
        let mut server_warnings: Vec<String> = Vec::new();
        for i in self.assemblies[m].needs() {
            for w in &answer(results, i).warnings {
                if !server_warnings.contains(w) {
                    server_warnings.push(w.clone());
                }
            }
        }
        let (query, matrix) = match self.assemblies[m] {
            Assembly::Sent(i) => {
                self.users[i] -= 1;
                let matrix = match (self.users[i], &mut results[i]) {
                    (0, Some(Ok(out))) => std::mem::take(&mut out.matrix),
                    _ => answer(results, i).matrix.clone(),
                };
                (self.texts[i].clone(), matrix)
            }
            Assembly::Quantile { q, buckets } => {
                // Prepared once per fetch, however many quantiles read it.
                let prepared = self
                    .prepared_buckets
                    .entry(buckets)
                    .or_insert_with(|| histogram::Buckets::new(&answer(results, buckets).matrix));
                self.warnings[m].extend(ceiling_mismatch(metric, &self.run.name, prepared));
                (
                    expand_query(metric, self.run, self.defaults)?,
                    prepared.quantiles(q),
                )
            }
            Assembly::Mean { sum, count } => (
                expand_query(metric, self.run, self.defaults)?,
                histogram::means(&answer(results, sum).matrix, &answer(results, count).matrix),
            ),
        };
        Ok(MetricData {
            query,
            matrix: Arc::new(matrix),
            warnings: server_warnings,
        })
    }

    /// The run's data, in the order of the metrics whatever the order of the answers.
    fn finish(self) -> RunData {
        let mut metrics = BTreeMap::new();
        for (m, data) in self.metrics.iter().zip(self.data) {
            if let Some(data) = data {
                metrics.insert(m.id.clone(), data);
            }
        }
        RunData {
            run: self.run.clone(),
            metrics,
            warnings: self.warnings.into_iter().flatten().collect(),
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
