//! One run's side of a comparison for one metric: its evidence (coverage in time, censored
//! share, resolution, staleness), the summary of its samples, the estimate of its mean, and
//! the level shifts inside it.

use serde::Serialize;

use crate::pack::{Kind, Metric};
use crate::source::MetricSeries;
use crate::stats::{self, long_run_variance, LongRun, Summary};

use super::evidence::{self, Prepared};
use super::reason::{Bound, Reason, Role};
use super::{Settings, MIN_SHIFT};

/// One run's data for one metric, as the comparison needs it.
#[derive(Debug, Clone, Copy)]
pub struct SideInput<'a> {
    /// `None`: the metric is not in this run's snapshot.
    pub series: Option<&'a MetricSeries>,
    pub run_start_ms: i64,
    pub step_ms: i64,
    /// The steady window (after warm-up and cool-down).
    pub window: (i64, i64),
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
}

/// What one run shows for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct SideResult {
    pub role: Role,
    /// `None` when the run's data cannot be used at all (see `problem`).
    pub evidence: Option<Evidence>,
    pub summary: Option<Summary>,
    /// The mean with its long-run variance; for counts, of events per second.
    pub longrun: Option<LongRun>,
    pub shifts: Vec<ShiftAt>,
    /// Why this run's data cannot be used, if it cannot.
    pub problem: Option<Reason>,
    /// The usable samples (kept for the worst-case fill of the sensitivity check).
    pub(crate) prepared: Option<Prepared>,
}

impl SideResult {
    fn unusable(role: Role, problem: Reason) -> Self {
        SideResult {
            role,
            evidence: None,
            summary: None,
            longrun: None,
            shifts: Vec::new(),
            problem: Some(problem),
            prepared: None,
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

    /// Whether part of the window has no data.
    pub fn has_gaps(&self) -> bool {
        self.prepared
            .as_ref()
            .is_some_and(|p| !p.coverage.is_complete())
    }
}

/// Analyses one run's series of a metric.
pub fn analyze(metric: &Metric, input: &SideInput, settings: &Settings, role: Role) -> SideResult {
    let Some(series) = input.series else {
        return SideResult::unusable(role, Reason::NotRecorded { side: role });
    };
    match evidence::prepare(metric, series, input.window, input.step_ms, role) {
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
    let exact: Vec<f64> = values
        .iter()
        .zip(&prepared.censored)
        .filter(|(_, c)| !**c)
        .map(|(v, _)| *v)
        .collect();
    let constant = values.iter().all(|v| *v == values[0]);
    let quantum = match metric.kind {
        // Events are counted exactly: there is nothing to round.
        Kind::Count => None,
        Kind::Series => evidence::quantum(&exact).or_else(|| {
            exact
                .first()
                .filter(|v| **v != 0.0)
                .map(|v| evidence::last_digit(*v))
        }),
    };
    let stale = (metric.kind == Kind::Series
        && constant
        && values[0] != 0.0
        && prepared.censored_count() == 0
        && values.len() >= settings.min_samples)
        .then_some(values[0]);
    let longrun = match metric.kind {
        Kind::Count => {
            let rates: Vec<f64> = values.iter().map(|v| v / step_s).collect();
            long_run_variance(&rates)
        }
        Kind::Series => long_run_variance(&values),
    };
    let shifts = match metric.kind {
        Kind::Series => {
            let min_segment = (values.len() / 20).max(10);
            stats::detect_shifts(&values, min_segment, MIN_SHIFT)
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
                .collect()
        }
        Kind::Count => Vec::new(),
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
    };
    SideResult {
        role,
        evidence: Some(evidence),
        summary: Summary::of(&values),
        longrun: Some(longrun),
        shifts,
        problem: None,
        prepared: Some(prepared),
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
    if let Some(value) = e.stale {
        out.push(Reason::Stale {
            side: side.role,
            value,
            samples: e.samples,
        });
    }
    out
}
