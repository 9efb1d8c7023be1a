//! Builders for tests, unit and integration alike: a metric, a run's series of values at a
//! fixed step, and what the engine reads of a run. Kept in one place so that fixtures
//! cannot drift apart (a series' first negative sample is found as the source finds it).
//! Not part of benchcmp's interface.

use crate::compare::{side, SideInput};
use crate::pack::{Better, Kind, Metric};
use crate::series::Series;
use crate::source::MetricSeries;

/// The step of the test series unless one is given: 30 s.
pub const STEP_MS: i64 = 30_000;

/// A metric with neutral defaults (id `m`, unit `x/s`, no gate, no ceiling); tests set the
/// fields they are about.
pub fn metric(better: Better, kind: Kind) -> Metric {
    Metric {
        id: "m".into(),
        title: "M".into(),
        unit: "x/s".into(),
        better,
        query: "q".into(),
        combine: None,
        gate: None,
        kind,
        optional: false,
        saturates_at: None,
        allow_negative: false,
        description: None,
        axis: None,
        run_to_run: None,
        derived: None,
        max_by: None,
        events: false,
        file: "q.toml".into(),
    }
}

/// [`metric`] with its unit set.
pub fn metric_in(better: Better, kind: Kind, unit: &str) -> Metric {
    let mut m = metric(better, kind);
    m.unit = unit.into();
    m
}

/// A run's series: `values[i]` at `i × step_ms` from time 0 (a NaN reads NaN), its window
/// the whole run.
pub fn series_at(values: &[f64], step_ms: i64) -> MetricSeries {
    let points = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as i64 * step_ms, *v))
        .collect();
    whole(Series::new(points), values.len(), step_ms)
}

/// [`series_at`] at [`STEP_MS`].
pub fn series(values: &[f64]) -> MetricSeries {
    series_at(values, STEP_MS)
}

/// [`series_at`] where a value that is not finite means no sample in that slot (a gap).
pub fn series_with_gaps(values: &[f64], step_ms: i64) -> MetricSeries {
    let points = values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, v)| (i as i64 * step_ms, *v))
        .collect();
    whole(Series::new(points), values.len(), step_ms)
}

fn whole(full: Series, slots: usize, step_ms: i64) -> MetricSeries {
    MetricSeries {
        first_negative: full.points().iter().find(|p| p.1 < 0.0),
        full,
        window: (0, (slots as i64 - 1) * step_ms),
    }
}

/// What the engine reads of a run that starts at 0 with `series` (or none) over `window`,
/// no edges and no warnings.
pub fn input_over(
    series: Option<&MetricSeries>,
    window: (i64, i64),
    step_ms: i64,
) -> SideInput<'_> {
    SideInput {
        series,
        run_start_ms: 0,
        step_ms,
        window,
        edges: side::NO_EDGES,
        warnings: &[],
    }
}

/// [`input_over`] the series' own window.
pub fn input(series: &MetricSeries, step_ms: i64) -> SideInput<'_> {
    input_over(Some(series), series.window, step_ms)
}
