//! A watch in progress: the gated metrics with what the baseline says of each and what each
//! look has decided so far. One look judges every metric from the candidate's data up to
//! the newest slot seen; failures stay, passes stay provisional unless released. The
//! command brings the data and shows the looks; everything decided lives here.

use crate::compare::side::{run_edges, SideInput};
use crate::compare::MetricResult;
use crate::gate::Gate;
use crate::pack::Metric;
use crate::source::MetricSeries;

use super::decide::{Reference, Tracker, WatchSettings};
use super::verdict::{self, Seen};
use super::{MetricLook, State};

/// One gated metric being watched.
#[derive(Debug, Clone)]
pub struct Watched {
    pub metric: Metric,
    pub gate: Gate,
    pub reference: Reference,
    tracker: Tracker,
    /// How far the run had been seen when the metric failed.
    failed_at_ms: Option<i64>,
    last: Option<MetricLook>,
}

impl Watched {
    pub fn new(metric: Metric, gate: Gate, reference: Reference) -> Watched {
        Watched {
            metric,
            gate,
            reference,
            tracker: Tracker::default(),
            failed_at_ms: None,
            last: None,
        }
    }
}

/// The candidate's run as far as it has been seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SoFar {
    pub run_start_ms: i64,
    pub step_ms: i64,
    pub scrape_ms: i64,
    /// The steady window's start.
    pub steady_start_ms: i64,
    /// The newest slot seen.
    pub seen_to_ms: i64,
    /// Whether the run's window has been seen to its end.
    pub complete: bool,
}

/// A watch of several metrics.
#[derive(Debug, Clone)]
pub struct Session {
    pub watched: Vec<Watched>,
    pub settings: WatchSettings,
}

impl Session {
    pub fn new(watched: Vec<Watched>, settings: WatchSettings) -> Session {
        Session { watched, settings }
    }

    /// Judges every watched metric from its series so far (`series`, in the order of
    /// `watched`; `None`: nothing yet) and remembers what each decided.
    pub fn look(&mut self, series: &[Option<&MetricSeries>], so_far: SoFar) -> Vec<MetricLook> {
        let window = (
            so_far.steady_start_ms,
            so_far.seen_to_ms.max(so_far.steady_start_ms),
        );
        let edges = run_edges(so_far.run_start_ms, so_far.seen_to_ms, so_far.scrape_ms);
        self.watched
            .iter_mut()
            .zip(series)
            .map(|(w, series)| {
                let input = SideInput {
                    series: *series,
                    run_start_ms: so_far.run_start_ms,
                    step_ms: so_far.step_ms,
                    window,
                    edges,
                    warnings: &[],
                };
                let look = w.tracker.look(
                    &w.metric,
                    &w.gate,
                    &w.reference,
                    &input,
                    &self.settings,
                    so_far.complete,
                );
                if look.state == State::Fail && w.failed_at_ms.is_none() {
                    w.failed_at_ms = Some(so_far.seen_to_ms);
                }
                w.last = Some(look.clone());
                look
            })
            .collect()
    }

    /// `compare`'s results for the window seen, settled with what the looks decided
    /// (`watch::verdict`): the verdicts the watch ends with.
    pub fn settle(&self, results: &mut [&mut MetricResult], seen: Seen) {
        for result in results.iter_mut() {
            let Some(w) = self
                .watched
                .iter()
                .find(|w| w.metric.id == result.metric.id)
            else {
                continue;
            };
            let Some(look) = &w.last else { continue };
            verdict::settle(
                result,
                &w.gate,
                look,
                w.failed_at_ms.unwrap_or(seen.to_ms),
                seen,
            );
        }
    }
}
