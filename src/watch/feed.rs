//! Where a watched candidate's samples come from: Prometheus, asked at each poll for the
//! samples since the previous one only, or a snapshot replayed as if it were being
//! recorded (`--replay FILE --speed N`). Either way each poll gives every metric's data
//! from the run's start to the newest slot seen.

use std::sync::Arc;

use crate::config::Defaults;
use crate::error::Result;
use crate::pack::Metric;
use crate::run::Run;
use crate::series::{LabeledSeries, Matrix};
use crate::source::Endpoint;
use crate::source::{self, MetricData};

/// What one poll saw.
#[derive(Debug, Clone)]
pub struct Poll {
    /// The newest slot of the run asked for (its data may still be missing: a gap).
    pub observed_end_ms: i64,
    /// Slots asked for at this poll (0: nothing new since the last).
    pub new_slots: usize,
    /// Whether the run's window has been seen to its end.
    pub complete: bool,
}

/// A source of the candidate's samples.
pub enum Feed {
    Live {
        client: Arc<dyn Endpoint>,
        defaults: Defaults,
        verbose: bool,
        /// How far behind the present the newest slot is asked for: the last scrape must
        /// have arrived before a rate over it is read.
        lag_ms: i64,
        fetched_to: Option<i64>,
    },
    Replay {
        /// The whole recorded run, revealed as the run's clock passes.
        recorded: Vec<Option<MetricData>>,
        shown_to: Option<i64>,
    },
}

impl Feed {
    /// A live feed: polls Prometheus through `client`.
    pub fn live(client: Arc<dyn Endpoint>, defaults: &Defaults, verbose: bool) -> Feed {
        Feed::Live {
            client,
            defaults: *defaults,
            verbose,
            lag_ms: defaults.scrape_interval_ms,
            fetched_to: None,
        }
    }

    /// A replay of `recorded` (the metrics in order).
    pub fn replay(recorded: Vec<Option<MetricData>>) -> Feed {
        Feed::Replay {
            recorded,
            shown_to: None,
        }
    }

    /// Brings `data` (one entry per metric) up to `now_ms` on the run's clock: the newest
    /// slot on the run's step grid that the run has reached, no later than its end.
    pub async fn poll(
        &mut self,
        run: &Run,
        metrics: &[&Metric],
        now_ms: i64,
        data: &mut [Option<MetricData>],
    ) -> Result<Poll> {
        let slot = |t: i64| run.start_ms + (t - run.start_ms).div_euclid(run.step_ms) * run.step_ms;
        match self {
            Feed::Live {
                client,
                defaults,
                verbose,
                lag_ms,
                fetched_to,
            } => {
                let to = slot((now_ms - *lag_ms).min(run.end_ms));
                let from = fetched_to.map_or(run.start_ms, |t| t + run.step_ms);
                if to < from {
                    return Ok(Poll {
                        // Nothing fetched yet: seen to just before the run's start.
                        observed_end_ms: fetched_to.unwrap_or(run.start_ms - run.step_ms),
                        new_slots: 0,
                        complete: fetched_to.is_some_and(|t| t + run.step_ms > run.end_ms),
                    });
                }
                let reading = source::Reading::quiet(Some(client), *verbose);
                let part =
                    source::load_run_part(run, (from, to), metrics, defaults, &reading).await?;
                for (m, slot) in metrics.iter().zip(data.iter_mut()) {
                    if let Some(new) = part.metrics.get(&m.id) {
                        merge(slot, new);
                    }
                }
                *fetched_to = Some(to);
                Ok(Poll {
                    observed_end_ms: to,
                    new_slots: ((to - from) / run.step_ms + 1) as usize,
                    complete: to + run.step_ms > run.end_ms,
                })
            }
            Feed::Replay { recorded, shown_to } => {
                let to = slot(now_ms.min(run.end_ms));
                let from = shown_to.map_or(run.start_ms, |t| t + run.step_ms);
                if to >= from {
                    for (slot, full) in data.iter_mut().zip(recorded.iter()) {
                        *slot = full.as_ref().map(|full| up_to(full, to));
                    }
                    *shown_to = Some(to);
                }
                Ok(Poll {
                    observed_end_ms: to.max(from - run.step_ms),
                    new_slots: if to >= from {
                        ((to - from) / run.step_ms + 1) as usize
                    } else {
                        0
                    },
                    complete: to + run.step_ms > run.end_ms,
                })
            }
        }
    }
}

/// A recorded metric's samples up to `to_ms`.
fn up_to(full: &MetricData, to_ms: i64) -> MetricData {
    MetricData {
        query: full.query.clone(),
        matrix: Arc::new(
            full.matrix
                .iter()
                .map(|s| {
                    let all = s.points.as_slice();
                    LabeledSeries {
                        labels: s.labels.clone(),
                        points: all.slice(0..all.partition_time(|t| t <= to_ms)).to_points(),
                    }
                })
                .collect(),
        ),
        warnings: full.warnings.clone(),
    }
}

/// Appends `new` samples to what a metric had: each series to the series of the same
/// labels, new series added.
fn merge(slot: &mut Option<MetricData>, new: &MetricData) {
    let Some(old) = slot else {
        *slot = Some(new.clone());
        return;
    };
    let matrix: &mut Matrix = Arc::make_mut(&mut old.matrix);
    for series in new.matrix.iter() {
        match matrix.iter_mut().find(|s| s.labels == series.labels) {
            Some(s) => {
                let last = s.points.last().map_or(i64::MIN, |p| p.0);
                s.points.extend(series.points.iter().filter(|p| p.0 > last));
            }
            None => matrix.push(series.clone()),
        }
    }
    for w in &new.warnings {
        if !old.warnings.contains(w) {
            old.warnings.push(w.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn series(label: &str, points: &[(i64, f64)]) -> LabeledSeries {
        LabeledSeries {
            labels: BTreeMap::from([("pod".to_string(), label.to_string())]),
            points: points.to_vec().into(),
        }
    }

    #[test]
    fn new_samples_extend_their_series_and_new_series_are_added() {
        let mut slot = Some(MetricData {
            query: "q".into(),
            matrix: Arc::new(vec![series("a", &[(1, 1.0), (2, 2.0)])]),
            warnings: vec![],
        });
        merge(
            &mut slot,
            &MetricData {
                query: "q".into(),
                matrix: Arc::new(vec![
                    series("a", &[(2, 2.0), (3, 3.0)]),
                    series("b", &[(3, 9.0)]),
                ]),
                warnings: vec!["partial".into()],
            },
        );
        let data = slot.unwrap();
        assert_eq!(data.matrix[0].points, vec![(1, 1.0), (2, 2.0), (3, 3.0)]);
        assert_eq!(data.matrix[1].points, vec![(3, 9.0)]);
        assert_eq!(data.warnings, vec!["partial".to_string()]);
    }
}
