//! One run's side of a comparison for one metric: its evidence (coverage in time, censored
//! share, resolution, staleness), the summary of its samples, the estimate of its mean, and
//! the level shifts inside it.

use serde::Serialize;

use crate::pack::{Better, Kind, Metric};
use crate::source::MetricSeries;
use crate::stats::shift::{residuals_around, segments, MIN_SEGMENT};
use crate::stats::{self, fit_trend, long_run_variance, Estimate, LongRun, Summary};

use super::evidence::{self, Prepared};
use super::reason::{Bound, LevelFrom, Reason, Role};
use super::{Settings, MIN_FINAL_SAMPLES, MIN_SHIFT};

/// One run's data for one metric, as the comparison needs it.
#[derive(Debug, Clone, Copy)]
pub struct SideInput<'a> {
    /// `None`: the metric is not in this run's snapshot.
    pub series: Option<&'a MetricSeries>,
    pub run_start_ms: i64,
    pub step_ms: i64,
    /// The steady window (after warm-up and cool-down).
    pub window: (i64, i64),
    /// The run's edges in time: slots without data at the window's start before `edges.0`,
    /// and at its end after `edges.1`, lie outside what the run could record — a `rate()`
    /// has no value before the run's second scrape, and the last scrape may fall short of
    /// the run's end — so they are not missing data ([`run_edges`]; [`NO_EDGES`] for none).
    pub edges: (i64, i64),
    /// Warnings the source sent with the data.
    pub warnings: &'a [String],
}

/// No edges: every slot of the window is the run's.
pub const NO_EDGES: (i64, i64) = (i64::MIN, i64::MAX);

/// The edges of a run from `start_ms` to `end_ms` scraped every `scrape_ms`: a rate's first
/// value needs two scrapes, the first of which may come up to a scrape interval after the
/// start; the last scrape may come up to a scrape interval before the end.
pub fn run_edges(start_ms: i64, end_ms: i64, scrape_ms: i64) -> (i64, i64) {
    let scrape = scrape_ms.max(0);
    (
        start_ms.saturating_add(2 * scrape),
        end_ms.saturating_sub(scrape),
    )
}

/// A level shift found inside a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ShiftAt {
    /// Seconds from the run's start.
    pub offset_seconds: f64,
    pub timestamp_ms: i64,
    pub before: f64,
    pub after: f64,
    /// after / before − 1; `None` when before is 0.
    pub relative: Option<f64>,
}

/// Where a run ended up: the last segment's mean after a level shift, or the trend line's
/// value at the last sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FinalLevel {
    pub estimate: Estimate,
    /// Where the final segment begins (the shift), or the window's start (a trend).
    pub since_ms: i64,
    /// The same, as milliseconds from the run's start.
    pub since_offset_ms: i64,
    /// Milliseconds from the run's start to its last sample: the final level's span ends
    /// there.
    pub until_offset_ms: i64,
    pub samples: usize,
    pub from: LevelFrom,
}

/// A run's linear trend over time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendAt {
    /// Change per hour in the metric's unit, with its sampling variance.
    pub per_hour: Estimate,
    /// `per_hour` as a fraction of the run's mean.
    pub relative_per_hour: f64,
    /// The line's value at the run's last sample.
    pub end_level: f64,
    /// Significant and large enough to explain the run (then it is reported instead of
    /// level shifts).
    pub significant: bool,
    /// Whether the residuals support an interval for the slope.
    pub supported: bool,
}

impl TrendAt {
    /// The slope direction-adjusted, positive meaning worse: per hour in the metric's unit,
    /// or as a fraction of the mean when `relative`.
    pub fn worsening(&self, better: Better, relative: bool) -> Estimate {
        let sign = match better {
            Better::Lower => 1.0,
            Better::Higher => -1.0,
        };
        let scale = if relative {
            let mean = self.per_hour.value / self.relative_per_hour;
            if mean.is_finite() && mean != 0.0 {
                1.0 / mean.abs()
            } else {
                f64::NAN
            }
        } else {
            1.0
        };
        Estimate {
            value: sign * self.per_hour.value * scale,
            variance: self.per_hour.variance * scale * scale,
            df: self.per_hour.df,
        }
    }
}

/// What the samples of one run can prove.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Usable samples in the steady window.
    pub samples: usize,
    /// Slots of the run's step in the steady window.
    pub slots: usize,
    /// Share of slots holding a usable sample.
    pub coverage: f64,
    pub longest_gap_ms: i64,
    pub leading_gap_ms: i64,
    pub trailing_gap_ms: i64,
    /// NaN samples (missing).
    pub missing: usize,
    pub censored: usize,
    pub censored_share: f64,
    /// The value censored samples sit at (the histogram ceiling, or the worst value).
    pub censored_at: Option<f64>,
    /// How the run's mean relates to the truth.
    pub bound: Bound,
    /// The resolution of the values (smallest step between distinct values).
    pub quantum: Option<f64>,
    /// The value repeated over the whole window, if the series never moved.
    pub stale: Option<f64>,
    /// Seconds of covered time: the exposure of an event count.
    pub exposure_s: f64,
    /// The run's step.
    pub step_ms: i64,
}

/// The mean of a run's last `samples` values, with a conservative standard deviation of
/// such a mean under the noise of the rest of the run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TailMean {
    pub samples: usize,
    pub mean: f64,
    /// `√min(γ₀, LRV / k)` of the samples before the tail — the upward-biased LRV, and at
    /// least γ₀: never less than the spread of a `k`-sample mean of positively correlated
    /// noise (it lies below both).
    pub sd: f64,
    /// The mean of the samples before the longest tail: the level the end is compared with.
    pub before: f64,
    /// Milliseconds from the run's start to the tail's first sample, and to its last.
    pub since_offset_ms: i64,
    pub until_offset_ms: i64,
}

/// Longest tail looked at: beyond it the shift search finds a collapse on its own.
pub const TAIL: usize = 30;

/// The means of the run's last 1 to [`TAIL`] samples (at most a quarter of the run), each
/// with the spread of such a mean measured on the samples before the longest tail, so that
/// a collapse at the very end does not inflate the noise it is measured against.
fn tail_means(prepared: &Prepared, values: &[f64], run_start_ms: i64) -> Vec<TailMean> {
    let n = values.len();
    let longest = TAIL.min(n / 4);
    if longest == 0 {
        return Vec::new();
    }
    let body = long_run_variance(&values[..n - longest]);
    (1..=longest)
        .map(|k| {
            let tail = &values[n - k..];
            TailMean {
                samples: k,
                mean: tail.iter().sum::<f64>() / k as f64,
                sd: body
                    .variance
                    .min(body.lrv_upper.max(body.variance) / k as f64)
                    .max(0.0)
                    .sqrt(),
                before: body.mean,
                since_offset_ms: prepared.points[n - k].0 - run_start_ms,
                until_offset_ms: prepared.points[n - 1].0 - run_start_ms,
            }
        })
        .collect()
}

/// What one run shows for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct SideResult {
    pub role: Role,
    /// `None` when the run's data cannot be used at all (see `problem`).
    pub evidence: Option<Evidence>,
    pub summary: Option<Summary>,
    /// The long-run variance of the samples as they are; for counts, of events per second.
    pub longrun: Option<LongRun>,
    /// The window mean with the variance of its sampling error — given the run's level
    /// shifts or trend when it has them (the noise around them, not the steps themselves).
    pub mean: Option<Estimate>,
    /// Whether the data support an interval for the mean at all.
    pub supported: bool,
    pub shifts: Vec<ShiftAt>,
    /// The linear trend (fitted for every series run; `significant` says whether it counts).
    pub trend: Option<TrendAt>,
    /// Where the run ended up, when it shifted or trended.
    pub final_level: Option<FinalLevel>,
    /// Means of the run's last samples (series only): a collapse too short for the shift
    /// search still keeps a pass from being proven.
    pub tail: Vec<TailMean>,
    /// Why this run's data cannot be used, if it cannot.
    pub problem: Option<Reason>,
    /// For the baseline side: how its runs were pooled into one population (`None` when
    /// it has no usable mean; always `None` for the candidate's single run).
    pub between_run: Option<super::BetweenRun>,
    /// The usable samples (kept for the worst-case fill of the sensitivity check).
    pub(crate) prepared: Option<Prepared>,
    /// The run's start, the origin of offsets into it.
    pub run_start_ms: i64,
}

impl SideResult {
    fn unusable(role: Role, problem: Reason) -> Self {
        SideResult {
            role,
            evidence: None,
            summary: None,
            longrun: None,
            mean: None,
            supported: false,
            shifts: Vec::new(),
            trend: None,
            final_level: None,
            tail: Vec::new(),
            problem: Some(problem),
            prepared: None,
            between_run: None,
            run_start_ms: 0,
        }
    }

    /// Share of samples censored (0 without evidence).
    pub fn censored_share(&self) -> f64 {
        self.evidence.as_ref().map_or(0.0, |e| e.censored_share)
    }

    /// How the headline statistic relates to the truth.
    pub fn bound(&self) -> Bound {
        self.evidence.as_ref().map_or(Bound::Exact, |e| e.bound)
    }

    /// Usable samples in the window.
    pub fn samples(&self) -> usize {
        self.evidence.as_ref().map_or(0, |e| e.samples)
    }

    /// The same run read as stationary: its mean and variance from the samples as they
    /// are, no shifts, trend or final level. The check of filled holes uses it too, so the
    /// clean constant of a fill cannot pass for a structure that narrows the interval.
    pub fn stationary(&self) -> SideResult {
        let mut side = self.clone();
        if let Some(lr) = &self.longrun {
            side.mean = Some(lr.mean_estimate());
            side.supported = lr.supported;
        }
        side.shifts.clear();
        side.final_level = None;
        if let Some(t) = side.trend.as_mut() {
            t.significant = false;
        }
        side
    }

    /// The run's level over the offsets `from_ms..=to_ms` from its start — over at least
    /// the last [`MIN_FINAL_SAMPLES`] samples up to `to_ms` — with the variance of such a
    /// mean under the run's noise (around its level structure): what the run was doing over
    /// the same part of the run as another's. `None` without the samples (a pooled side),
    /// or when the run has fewer samples up to `to_ms`.
    pub fn level_over(&self, from_ms: i64, to_ms: i64) -> Option<Estimate> {
        let prepared = self.prepared.as_ref()?;
        let mean = self.mean?;
        let n = prepared.points.len();
        let offset = |p: &crate::series::Point| p.0 - self.run_start_ms;
        let end = prepared.points.partition_point(|p| offset(p) <= to_ms);
        let start = prepared.points.partition_point(|p| offset(p) < from_ms);
        let start = start.min(end.checked_sub(MIN_FINAL_SAMPLES)?);
        let k = end - start;
        let values = &prepared.points[start..end];
        Some(Estimate {
            value: values.iter().map(|p| p.1).sum::<f64>() / k as f64,
            // The noise per sample (the variance of the mean times n), over k samples.
            variance: mean.variance * n as f64 / k as f64,
            df: mean.df,
        })
    }

    /// Whether part of the window has no data.
    pub fn has_gaps(&self) -> bool {
        self.prepared
            .as_ref()
            .is_some_and(|p| !p.coverage.is_complete())
    }
}

/// Pools the analysed baseline runs (oldest first) into one baseline side: with one run,
/// that run (its mean's variance widened by a prior run-to-run variation when given);
/// with several, the usable ones — data, enough of it, no missing slots, an interval —
/// pooled by random effects (`stats::pooled`), described by the newest. Runs left out are
/// counted; with none usable the newest run stands alone, with its problem or its gaps
/// (and so the single-run rules, the missing-data check among them).
pub fn pool(metric: &Metric, mut runs: Vec<SideResult>, prior_cv: Option<f64>) -> SideResult {
    use crate::stats::pooled;
    let between = |p: &pooled::Pooled, excluded: usize, means: Vec<f64>| super::BetweenRun {
        runs: p.runs,
        excluded,
        tau: p.tau2.sqrt(),
        cv: p.cv(),
        method: p.method,
        run_means: means,
    };
    if runs.len() <= 1 {
        let Some(mut b) = runs.pop() else {
            return SideResult::unusable(
                Role::Baseline,
                Reason::NotRecorded {
                    side: Role::Baseline,
                },
            );
        };
        let Some(mean) = b.mean.filter(|_| b.problem.is_none()) else {
            return b;
        };
        let Some(p) = pooled::pool(&[mean], prior_cv) else {
            return b;
        };
        b.mean = Some(p.estimate);
        b.between_run = Some(between(&p, 0, vec![mean.value]));
        return b;
    }
    let total = runs.len();
    // Runs with missing slots stay out: the pooled side is judged without the per-run
    // worst-case fill, so only complete runs may speak for the population.
    let usable: Vec<SideResult> = runs
        .iter()
        .filter(|r| r.problem.is_none() && r.supported && r.mean.is_some() && !r.has_gaps())
        .cloned()
        .collect();
    let Some(newest) = usable.last() else {
        // Nothing to pool: the newest run speaks for the baseline, with its problem.
        return runs.pop().expect("several runs");
    };
    let means: Vec<crate::stats::Estimate> = usable.iter().filter_map(|r| r.mean).collect();
    let Some(p) = pooled::pool(&means, prior_cv) else {
        return newest.clone();
    };
    let mut b = newest.clone();
    b.mean = Some(p.estimate);
    if let Some(s) = b.summary.as_mut() {
        s.mean = p.estimate.value;
        // Counts: the events and exposure of every pooled run, for the exact rate test.
        if metric.kind == Kind::Count {
            s.total = usable
                .iter()
                .filter_map(|r| r.summary.map(|x| x.total))
                .sum();
        }
    }
    if let Some(e) = b.evidence.as_mut() {
        e.exposure_s = usable
            .iter()
            .filter_map(|r| r.evidence.as_ref().map(|x| x.exposure_s))
            .sum();
    }
    // The pooled side is a population, not a run: no run's own noise model, shifts or
    // missing slots stand for it.
    b.longrun = None;
    b.prepared = None;
    b.tail.clear();
    b.shifts.clear();
    b.trend = None;
    b.final_level = None;
    b.supported = true;
    let run_means = means.iter().map(|m| m.value).collect();
    b.between_run = Some(between(&p, total - usable.len(), run_means));
    b
}

/// Analyses one run's series of a metric.
pub fn analyze(metric: &Metric, input: &SideInput, settings: &Settings, role: Role) -> SideResult {
    let Some(series) = input.series else {
        return SideResult::unusable(role, Reason::NotRecorded { side: role });
    };
    match evidence::prepare(
        metric,
        series,
        input.window,
        input.edges,
        input.step_ms,
        role,
    ) {
        Err(problem) => SideResult::unusable(role, problem),
        Ok(prepared) => {
            let mut side = analyze_prepared(metric, prepared, input.run_start_ms, settings, role);
            if let Some(e) = &side.evidence {
                if e.coverage < settings.min_coverage {
                    side.problem = Some(Reason::LowCoverage {
                        side: role,
                        coverage: e.coverage,
                        min_coverage: settings.min_coverage,
                        longest_gap_ms: e.longest_gap_ms,
                    });
                }
            }
            side
        }
    }
}

/// The resolution of a value seen only once: its last digit's place value (none for 0).
fn resolution_of_one(value: Option<&f64>) -> Option<f64> {
    value
        .filter(|v| **v != 0.0)
        .map(|v| evidence::last_digit(*v))
}

/// Analyses usable samples (as prepared, or filled for the sensitivity check).
pub fn analyze_prepared(
    metric: &Metric,
    prepared: Prepared,
    run_start_ms: i64,
    settings: &Settings,
    role: Role,
) -> SideResult {
    let values = prepared.values();
    let coverage = &prepared.coverage;
    let step_s = coverage.step_ms as f64 / 1000.0;
    // Sorted once for the summary's quantiles and, when nothing is censored, the quantum.
    let mut sorted = values.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let constant = values.iter().all(|v| *v == values[0]);
    let quantum = match metric.kind {
        // Events are counted exactly: there is nothing to round.
        Kind::Count => None,
        // The resolution of what was measured exactly (a censored value is a bound).
        Kind::Series if prepared.censored_count() == 0 => {
            evidence::quantum_of_sorted(&sorted).or_else(|| resolution_of_one(values.first()))
        }
        Kind::Series => {
            let exact: Vec<f64> = values
                .iter()
                .zip(&prepared.censored)
                .filter(|(_, c)| !**c)
                .map(|(v, _)| *v)
                .collect();
            evidence::quantum(&exact).or_else(|| resolution_of_one(exact.first()))
        }
    };
    let stale = (metric.kind == Kind::Series
        && constant
        && values[0] != 0.0
        && prepared.censored_count() == 0
        && values.len() >= settings.min_samples)
        .then_some(values[0]);
    let (longrun, dynamics) = match metric.kind {
        Kind::Count => {
            let rates: Vec<f64> = values.iter().map(|v| v / step_s).collect();
            (long_run_variance(&rates).with_simulated_df(), None)
        }
        Kind::Series => {
            let lr = long_run_variance(&values).with_simulated_df();
            // A cycle (GC, an hourly job) is neither a shift, a trend nor a collapse at the
            // end: look past it.
            let clean = stats::periodic::remove_periodic(&values).residual;
            let dynamics = dynamics(&prepared, &clean, &lr, run_start_ms);
            (lr, Some((dynamics, clean)))
        }
    };
    let tail = match &dynamics {
        Some((_, clean)) => tail_means(&prepared, clean, run_start_ms),
        None => Vec::new(),
    };
    let (mean, supported, shifts, trend, final_level) = match dynamics.map(|d| d.0) {
        Some(d) => (d.mean, d.supported, d.shifts, d.trend, d.final_level),
        None => (
            longrun.mean_estimate(),
            longrun.supported,
            Vec::new(),
            None,
            None,
        ),
    };
    let evidence = Evidence {
        samples: values.len(),
        slots: coverage.slots(),
        coverage: coverage.share(),
        longest_gap_ms: coverage.longest_gap_ms(),
        leading_gap_ms: coverage.leading_gap_ms(),
        trailing_gap_ms: coverage.trailing_gap_ms(),
        missing: prepared.missing,
        censored: prepared.censored_count(),
        censored_share: prepared.censored_share(),
        censored_at: prepared.censored_at,
        bound: prepared.bound,
        quantum,
        stale,
        exposure_s: coverage.covered_seconds(),
        step_ms: coverage.step_ms,
    };
    SideResult {
        role,
        evidence: Some(evidence),
        summary: Summary::with_sorted(&values, &sorted),
        tail,
        longrun: Some(longrun),
        mean: Some(mean),
        supported,
        shifts,
        trend,
        final_level,
        problem: None,
        prepared: Some(prepared),
        between_run: None,
        run_start_ms,
    }
}

/// The level shifts of a run (its samples with periodic components taken out), given the
/// long-run variance of the samples as they are. Where that gives the run no stable mean —
/// no interval, or one on fewer than two degrees of freedom — a wandering or stepping level
/// is not an AR(1) at the unit root: every clear step is looked for (`stats::shift`'s
/// obvious steps, four residual standard deviations high), so that the noise around the
/// steps can give the run an interval.
pub fn level_shifts(clean: &[f64], lr: &LongRun) -> Vec<stats::Shift> {
    let found = stats::detect_shifts(clean, MIN_SEGMENT, MIN_SHIFT);
    let stable = lr.supported && lr.df >= super::clause::MIN_CHANGE_DF;
    if stable || !found.is_empty() {
        return found;
    }
    // The steps are structure only where they leave clean noise behind: a persistent
    // wander cut into segments still wanders inside them (its residuals stay persistent),
    // and taking its segments for steps would make its noise look small.
    let clear = stats::shift::detect_clear_shifts(clean, MIN_SEGMENT, MIN_SHIFT);
    if clear.is_empty() {
        return clear;
    }
    let around = long_run_variance(&residuals_around(clean, &segments(clean.len(), &clear)));
    let clean_noise =
        around.supported && around.persistence < CLEAN_PERSISTENCE && around.df >= CLEAN_DF;
    if clean_noise {
        clear
    } else {
        found
    }
}

/// The noise left around clear steps must be this little persistent, on this many degrees
/// of freedom, for the steps to count as the run's structure (an AR(0.98) wander cut into
/// segments leaves residuals of persistence 0.6–0.9; steps on noise of persistence 0.5
/// leave that).
const CLEAN_PERSISTENCE: f64 = 0.5;
const CLEAN_DF: f64 = 4.0;

/// How a series run moved: its level shifts or trend, and the mean, support and final
/// level that follow from them.
struct Dynamics {
    mean: Estimate,
    supported: bool,
    shifts: Vec<ShiftAt>,
    trend: Option<TrendAt>,
    final_level: Option<FinalLevel>,
}

/// Shifts and a trend both explain a moving run; the one that leaves less unexplained wins,
/// so a steady drift is not reported as a staircase of shifts nor a collapse as a slope.
fn dynamics(prepared: &Prepared, clean: &[f64], lr: &LongRun, run_start_ms: i64) -> Dynamics {
    let n = clean.len();
    let times: Vec<f64> = prepared
        .points
        .iter()
        .map(|p| (p.0 - run_start_ms) as f64 / 1000.0)
        .collect();
    let shifts = level_shifts(clean, lr);
    let fit = fit_trend(&times, clean);
    let span_s = times.last().copied().unwrap_or(0.0) - times.first().copied().unwrap_or(0.0);
    let trend_matters = fit
        .as_ref()
        .is_some_and(|f| f.significant && (f.slope * span_s).abs() >= MIN_SHIFT * lr.mean.abs());
    let bounds = segments(n, &shifts);
    let segment_residuals = residuals_around(clean, &bounds);
    let use_trend = trend_matters
        && (shifts.is_empty()
            || fit
                .as_ref()
                .is_some_and(|f| f.rss < segment_residuals.iter().map(|e| e * e).sum::<f64>()));
    let trend = fit.as_ref().map(|f| TrendAt {
        per_hour: {
            let e = f.slope_estimate();
            Estimate {
                value: e.value * 3600.0,
                variance: e.variance * 3600.0 * 3600.0,
                df: e.df,
            }
        },
        relative_per_hour: f.slope * 3600.0 / lr.mean.abs(),
        end_level: f.level_at(times[n - 1]),
        significant: use_trend,
        supported: f.residual.supported,
    });
    if use_trend {
        let f = fit.as_ref().expect("a trend that matters was fitted");
        return Dynamics {
            mean: Estimate {
                value: lr.mean,
                variance: f.residual.variance_of_mean(),
                df: f.residual.df,
            },
            supported: f.residual.supported,
            shifts: Vec::new(),
            trend,
            final_level: Some(FinalLevel {
                estimate: f.level_estimate(times[n - 1]),
                since_ms: prepared.points[0].0,
                since_offset_ms: prepared.points[0].0 - run_start_ms,
                until_offset_ms: prepared.points[n - 1].0 - run_start_ms,
                samples: n,
                from: LevelFrom::Trend,
            }),
        };
    }
    if shifts.is_empty() {
        return Dynamics {
            mean: lr.mean_estimate(),
            supported: lr.supported,
            shifts: Vec::new(),
            trend,
            final_level: None,
        };
    }
    // Given the segmentation, the noise is what is left around the segment means.
    let noise = long_run_variance(&segment_residuals).with_simulated_df();
    let last = bounds[bounds.len() - 2];
    let tail = &clean[last..];
    let final_level = Some(FinalLevel {
        estimate: Estimate {
            value: tail.iter().sum::<f64>() / tail.len() as f64,
            variance: noise.lrv / tail.len() as f64,
            df: noise.df,
        },
        since_ms: prepared.points[last].0,
        since_offset_ms: prepared.points[last].0 - run_start_ms,
        until_offset_ms: prepared.points[n - 1].0 - run_start_ms,
        samples: tail.len(),
        from: LevelFrom::Shift,
    });
    Dynamics {
        mean: Estimate {
            value: lr.mean,
            variance: noise.variance_of_mean(),
            df: noise.df,
        },
        supported: noise.supported,
        shifts: shifts
            .into_iter()
            .map(|s| {
                let t = prepared.points[s.index].0;
                ShiftAt {
                    offset_seconds: (t - run_start_ms) as f64 / 1000.0,
                    timestamp_ms: t,
                    before: s.before,
                    after: s.after,
                    relative: s.relative,
                }
            })
            .collect(),
        trend,
        final_level,
    }
}

/// The findings about one run's data: gaps, censoring, staleness.
pub fn findings(side: &SideResult) -> Vec<Reason> {
    let Some(e) = &side.evidence else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if e.coverage < 1.0 {
        out.push(Reason::Gaps {
            side: side.role,
            coverage: e.coverage,
            longest_gap_ms: e.longest_gap_ms,
            leading_gap_ms: e.leading_gap_ms,
            trailing_gap_ms: e.trailing_gap_ms,
        });
    }
    if e.censored > 0 {
        out.push(Reason::Censored {
            side: side.role,
            share: e.censored_share,
            at: e.censored_at.unwrap_or(f64::NAN),
        });
    }
    if let Some(t) = side.trend.filter(|t| t.significant) {
        out.push(Reason::Trend {
            side: side.role,
            per_hour: t.per_hour.value,
            relative_per_hour: t.relative_per_hour,
            end_level: t.end_level,
        });
    }
    if let Some(value) = e.stale {
        out.push(Reason::Stale {
            side: side.role,
            value,
            samples: e.samples,
        });
    }
    out
}
