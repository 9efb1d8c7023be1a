//! The comparison pipeline that `compare` and `watch` share: the runs of a
//! comparison (a [`Lineup`] of baselines and one candidate, each in its steady window), every
//! metric compared across them by a [`Judge`] — as the data arrive ([`fetch`]) or on data
//! already read ([`Judge::loaded`]) — and the [`Report`] assembled from the results. It
//! knows nothing of the command line or of where the outputs go.

pub mod fetch;

use std::collections::BTreeMap;

use crate::compare::{self, side, Settings, SideInput};
use crate::config::{Config, Defaults};
use crate::error::Result;
use crate::gate::Gate;
use crate::options::CompareOptions;
use crate::pack::{Kind, Metric};
use crate::report::{self, MetricReport, Report, RunInfo, SideData, SideRuns};
use crate::run::Run;
use crate::source::{MetricData, MetricSeries, RunData};

/// The runs of one comparison: one or more baselines, oldest first, and the candidate.
#[derive(Debug, Clone)]
pub struct Lineup<T> {
    pub baselines: Vec<T>,
    pub candidate: T,
}

impl<T> Lineup<T> {
    /// Every run, the baselines first and the candidate last.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.baselines
            .iter()
            .chain(std::iter::once(&self.candidate))
    }

    /// How many runs there are, the candidate included.
    pub fn len(&self) -> usize {
        self.baselines.len() + 1
    }

    /// Never: a lineup always has its candidate.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The newest baseline (the last): what the reports draw and quote.
    pub fn newest(&self) -> &T {
        self.baselines.last().unwrap_or(&self.candidate)
    }

    /// The same lineup with `f` applied to each run.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Lineup<U> {
        Lineup {
            baselines: self.baselines.iter().map(&mut f).collect(),
            candidate: f(&self.candidate),
        }
    }

    /// A lineup from every run in lineup order (the candidate last); `None` when empty.
    pub fn from_ordered(mut all: Vec<T>) -> Option<Lineup<T>> {
        let candidate = all.pop()?;
        Some(Lineup {
            baselines: all,
            candidate,
        })
    }
}

/// A run and its steady window.
#[derive(Debug, Clone, Copy)]
pub struct Windowed<'a> {
    pub run: &'a Run,
    pub window: (i64, i64),
}

/// A run, its steady window and everything read of it.
#[derive(Debug, Clone, Copy)]
pub struct LoadedRun<'a> {
    pub run: &'a Run,
    pub window: (i64, i64),
    pub data: &'a RunData,
}

/// What decides every metric of one comparison: the gates, the known run-to-run
/// variations, the config's defaults and the engine's settings.
#[derive(Debug, Clone, Copy)]
pub struct Judge<'a> {
    pub gates: &'a BTreeMap<String, Gate>,
    pub run_to_run: &'a BTreeMap<String, f64>,
    pub defaults: Defaults,
    pub settings: Settings,
}

impl<'a> Judge<'a> {
    pub fn new(gates: &'a BTreeMap<String, Gate>, config: &'a Config, confidence: f64) -> Self {
        Judge {
            gates,
            run_to_run: &config.run_to_run,
            defaults: config.defaults,
            settings: Settings {
                confidence,
                ..Settings::default()
            },
        }
    }

    /// The run-to-run variation known for `metric`: the config's, else the pack's.
    pub fn prior_cv(&self, metric: &Metric) -> Option<f64> {
        self.run_to_run
            .get(&metric.id)
            .copied()
            .or(metric.run_to_run)
    }

    /// Every metric compared on runs already read, in pack order.
    pub fn loaded(
        &self,
        metrics: &[&Metric],
        runs: &Lineup<LoadedRun>,
    ) -> Result<Vec<MetricReport>> {
        crate::parallel::map(metrics, |metric| {
            let of_metric = runs.map(|r| {
                (
                    Windowed {
                        run: r.run,
                        window: r.window,
                    },
                    r.data.metrics.get(&metric.id),
                )
            });
            self.metric(metric, &of_metric)
        })
        .into_iter()
        .collect()
    }

    /// One metric compared across the runs, given what each has of it (`None`: not
    /// recorded): each run's series reduced, the verdict, and what the reports show of the
    /// newest baseline and the candidate.
    pub fn metric(
        &self,
        metric: &Metric,
        runs: &Lineup<(Windowed, Option<&MetricData>)>,
    ) -> Result<MetricReport> {
        let started = std::time::Instant::now();
        let series = |(side, data): &(Windowed, Option<&MetricData>)| {
            data.map(|d| crate::source::metric_series(side.run, metric, d, &self.defaults))
                .transpose()
        };
        let mut b_series = Vec::new();
        for run in &runs.baselines {
            b_series.push(series(run)?);
        }
        let c_series = series(&runs.candidate)?;
        let scrape_ms = self.defaults.scrape_interval_ms;
        let inputs: Vec<SideInput> = runs
            .baselines
            .iter()
            .zip(&b_series)
            .map(|((side, data), s)| side_input(side, *data, s.as_ref(), scrape_ms))
            .collect();
        let (candidate, candidate_data) = &runs.candidate;
        let result = compare::compare_metric_runs(
            metric,
            self.gates.get(&metric.id),
            &inputs,
            &side_input(candidate, *candidate_data, c_series.as_ref(), scrape_ms),
            &self.settings,
            self.prior_cv(metric),
        );
        let (newest, newest_data) = runs.newest();
        let band = if metric.kind == Kind::Series {
            let band_runs: Vec<(i64, &MetricSeries)> = runs
                .baselines
                .iter()
                .zip(&b_series)
                .filter_map(|((side, _), s)| s.as_ref().map(|s| (side.run.start_ms, s)))
                .collect();
            report::band(&band_runs, newest.run.step_ms)
        } else {
            Vec::new()
        };
        Ok(MetricReport {
            result,
            baseline: SideData {
                query: newest_data.map(|d| d.query.clone()),
                series: b_series.pop().flatten(),
                band,
            },
            candidate: SideData {
                query: candidate_data.map(|d| d.query.clone()),
                series: c_series,
                band: Vec::new(),
            },
            analysis_seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// What the engine reads of one run for one metric.
pub fn side_input<'a>(
    side: &Windowed,
    data: Option<&'a MetricData>,
    series: Option<&'a MetricSeries>,
    scrape_ms: i64,
) -> SideInput<'a> {
    SideInput {
        series,
        run_start_ms: side.run.start_ms,
        step_ms: side.run.step_ms,
        window: side.window,
        edges: side::run_edges(side.run.start_ms, side.run.end_ms, scrape_ms),
        warnings: data.map_or(&[][..], |d| d.warnings.as_slice()),
    }
}

/// What a report says of where it came from besides its runs and metrics.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    /// The query pack's name.
    pub pack: &'a str,
    /// The source's URL, when a run was read live.
    pub url: Option<&'a str>,
    pub started: std::time::Instant,
}

/// The report of a comparison from its metrics' results: the runs described, warnings of
/// the sources and of the comparison itself, the overall verdict.
pub fn assemble(
    from: Provenance,
    runs: &Lineup<LoadedRun>,
    reports: Vec<MetricReport>,
    judge: &Judge,
    options: &CompareOptions,
) -> Report {
    let overall = compare::overall(reports.iter().map(|r| &r.result));
    let mut warnings: Vec<String> = runs
        .iter()
        .flat_map(|r| r.data.warnings.iter().cloned())
        .collect();
    let (baseline, candidate) = (runs.newest().run, runs.candidate.run);
    if baseline.name == candidate.name && baseline.start_ms == candidate.start_ms {
        warnings.push(format!(
            "baseline and candidate are the same run ({})",
            baseline.name
        ));
    }
    if overall.nothing_judged() {
        warnings.push(if overall.gated == 0 {
            "no compared metric has a gate: nothing was judged, so nothing can pass".into()
        } else {
            "no gated metric has data: nothing was judged, so nothing can pass".into()
        });
    }
    let info = |r: &LoadedRun| RunInfo::new(r.run, &judge.defaults, r.window, from.url);
    Report {
        pack: from.pack.to_string(),
        baseline: SideRuns::new(runs.baselines.iter().map(info).collect())
            .expect("at least one baseline"),
        candidate: info(&runs.candidate),
        metrics: reports,
        overall,
        confidence: options.confidence,
        strict: options.strict,
        accept_inconclusive: options.accept_inconclusive,
        min_coverage: judge.settings.min_coverage,
        warnings,
        source_lost: None,
        generated_at_ms: chrono::Utc::now().timestamp_millis() / 1000 * 1000,
        elapsed_seconds: from.started.elapsed().as_secs_f64(),
    }
}
