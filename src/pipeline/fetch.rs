//! Reading every run of a comparison together and comparing each metric as soon as every
//! run has delivered it, while the other queries are still in flight; the results come
//! back in pack order whatever the order of the answers.

use std::sync::{Arc, Mutex};

use super::{Judge, Lineup, Windowed};
use crate::error::{Error, Result};
use crate::pack::Metric;
use crate::report::MetricReport;
use crate::source::{self, MetricData, Reading, RunData};

/// What the fetch gives: each run's data (or why it could not be read), and each metric's
/// report in pack order (`None`: a run it needed failed before delivering it).
pub struct Fetched {
    pub data: Lineup<Result<RunData>>,
    pub reports: Vec<Option<Result<MetricReport>>>,
}

/// Reads every run of `runs` and compares each of `metrics` as it arrives.
pub fn compare_as_they_arrive(
    rt: &tokio::runtime::Runtime,
    runs: &Lineup<Windowed>,
    metrics: &[&Metric],
    judge: &Judge,
    reading: Reading,
) -> Fetched {
    let all: Vec<Windowed> = runs.iter().copied().collect();
    let (jobs_in, jobs) = std::sync::mpsc::sync_channel(metrics.len());
    let arrivals = Arc::new(Mutex::new(Arrivals::new(metrics.len(), all.len(), jobs_in)));
    let analyse = |m: usize| {
        let data = lock(&arrivals).take(m);
        let of_metric = Lineup::from_ordered(
            all.iter()
                .zip(&data)
                .map(|(side, d)| (*side, d.as_ref()))
                .collect(),
        )
        .expect("a candidate");
        judge.metric(metrics[m], &of_metric)
    };
    let (loaded, reports) = crate::parallel::as_they_arrive(jobs, metrics.len(), analyse, || {
        let loaded = read_all(rt, &all, metrics, judge, &reading, &arrivals);
        // No metric arrives any more: the analyses still waiting end.
        lock(&arrivals).close();
        loaded
    });
    Fetched {
        data: Lineup::from_ordered(loaded).expect("a candidate"),
        reports,
    }
}

/// What has come in of each metric from each run, and the analyses waiting for it: a
/// metric is handed to the analysis (its index sent on `ready`) once every run has
/// delivered it, or finished without it (a snapshot that did not record it).
struct Arrivals {
    /// `[metric][run]`: the data, until the analysis takes it.
    data: Vec<Vec<Option<MetricData>>>,
    /// `[metric][run]`: whether that run is done with that metric.
    done: Vec<Vec<bool>>,
    /// Runs each metric still waits for.
    waiting: Vec<usize>,
    ready: Option<std::sync::mpsc::SyncSender<usize>>,
}

impl Arrivals {
    fn new(metrics: usize, runs: usize, ready: std::sync::mpsc::SyncSender<usize>) -> Self {
        Arrivals {
            data: vec![vec![None; runs]; metrics],
            done: vec![vec![false; runs]; metrics],
            waiting: vec![runs; metrics],
            ready: Some(ready),
        }
    }

    /// Run `run` delivered metric `m` (`None`: it has none).
    fn arrived(&mut self, m: usize, run: usize, data: Option<MetricData>) {
        if std::mem::replace(&mut self.done[m][run], true) {
            return;
        }
        self.data[m][run] = data;
        self.waiting[m] -= 1;
        if self.waiting[m] == 0 {
            if let Some(ready) = &self.ready {
                // Room for every metric: never blocks the fetch.
                let _ = ready.try_send(m);
            }
        }
    }

    /// Run `run` has finished: the metrics it did not deliver it does not have.
    fn run_finished(&mut self, run: usize) {
        for m in 0..self.done.len() {
            self.arrived(m, run, None);
        }
    }

    /// Metric `m`'s data from every run, taken for its analysis.
    fn take(&mut self, m: usize) -> Vec<Option<MetricData>> {
        std::mem::take(&mut self.data[m])
    }

    fn close(&mut self) {
        self.ready = None;
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads every run together (the endpoint bounds the requests in flight), handing each
/// metric to `arrivals` as it is assembled; the runs' data in the order of `all`.
fn read_all(
    rt: &tokio::runtime::Runtime,
    all: &[Windowed],
    metrics: &[&Metric],
    judge: &Judge,
    reading: &Reading<'_>,
    arrivals: &Arc<Mutex<Arrivals>>,
) -> Vec<Result<RunData>> {
    rt.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, r) in all.iter().enumerate() {
            let run = r.run.clone();
            let metrics: Vec<Metric> = metrics.iter().map(|m| (*m).clone()).collect();
            let endpoint = reading.endpoint.cloned();
            let (tick, verbose, defaults) = (reading.tick.clone(), reading.verbose, judge.defaults);

            let arrivals = Arc::clone(arrivals);
            tasks.spawn(async move {
                let refs: Vec<&Metric> = metrics.iter().collect();
                let to = Arc::clone(&arrivals);
                let deliver: source::Deliver =
                    Box::new(move |m, data| lock(&to).arrived(m, i, Some(data.clone())));
                let reading = Reading {
                    endpoint: endpoint.as_ref(),
                    tick,
                    verbose,
                };
                let loaded =
                    source::load_run_streaming(&run, &refs, &defaults, &reading, deliver).await;
                if loaded.is_ok() {
                    lock(&arrivals).run_finished(i);
                }
                (i, loaded)
            });
        }
        let mut out: Vec<Option<Result<RunData>>> = (0..all.len()).map(|_| None).collect();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok((i, data)) => out[i] = Some(data),
                Err(e) => return vec![Err(Error::input(format!("loading a run failed: {e}")))],
            }
        }
        out.into_iter()
            .map(|d| d.expect("every run loaded"))
            .collect()
    })
}
