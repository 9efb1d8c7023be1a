//! `benchcmp history`: a weekly history at a glance — per metric, each run's steady-state
//! mean with its interval in time order, and the change point across runs if there is one
//! (`stats::changepoint`: the best split with at least three runs on each side, so one
//! outlier week is not a change), as a table, JSON, or charts.

use std::path::Path;

use serde::Serialize;

use crate::cli::{GlobalArgs, HistoryArgs, ListFormat};
use crate::compare::{side, Role, Settings, SideInput};
use crate::config::format_time;
use crate::error::Result;
use crate::pack::Metric;
use crate::report::charts;
use crate::run::{self, Run};
use crate::source::{load_run, Reading, RunData};
use crate::stats::changepoint;
use crate::units;

/// Runs on each side of a change point, at least.
const MIN_SEGMENT: usize = 3;
/// Adjusted p-value below which a split is a change point.
const ALPHA: f64 = 0.05;

/// One run's mean of one metric.
#[derive(Debug, Serialize)]
struct Point {
    run: String,
    start: String,
    candidate: bool,
    mean: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

/// A change point across the baseline runs.
#[derive(Debug, Serialize)]
struct Change {
    /// The first run after the change.
    from_run: String,
    before: f64,
    after: f64,
    relative: Option<f64>,
    p_adjusted: f64,
}

/// One metric's history.
#[derive(Debug, Serialize)]
struct MetricHistory {
    id: String,
    title: String,
    unit: String,
    points: Vec<Point>,
    change: Option<Change>,
}

pub fn run(global: &GlobalArgs, args: &HistoryArgs) -> Result<()> {
    let config = super::load_config(global)?;
    let pack = super::load_pack(global)?;
    let metrics = pack.select(&args.only)?;
    let mut runs = run::resolve_all(&args.baseline, args.last, &config, &global.baselines)?;
    if let Some(c) = &args.candidate {
        runs.push(run::resolve(c, &config, &global.baselines)?);
    }
    reserve(args, &runs, &config)?;
    let defaults = config.defaults;
    let client = if runs.iter().all(Run::is_snapshot) {
        None
    } else {
        Some(super::require_endpoint(&config, global, "a run")?)
    };
    let rt = super::runtime()?;
    let live = runs.iter().filter(|r| !r.is_snapshot()).count();
    let progress = super::Progress::new(
        global,
        (live * crate::source::queries_per_run(&metrics)) as u64,
        "history",
        client.as_ref(),
    );
    let mut data: Vec<RunData> = Vec::new();
    for r in &runs {
        let reading = Reading {
            endpoint: client.as_ref(),
            tick: progress.ticker(client.as_ref()),
            verbose: global.verbose,
        };
        data.push(
            rt.block_on(load_run(r, &metrics, &defaults, &reading))
                .map_err(|e| run::with_shadowed_snapshot(e, r, &global.baselines))?,
        );
    }
    drop(progress);
    let settings = Settings::default();
    let mut histories = Vec::new();
    for m in &metrics {
        histories.push(history_of(
            m,
            &runs,
            &data,
            &defaults,
            &settings,
            args.candidate.is_some(),
        )?);
    }
    if let Some(dir) = &args.charts {
        let mut staging = crate::output::Staging::default();
        let staged = staging.directory("--charts", dir)?;
        let mut files = Vec::new();
        for h in &histories {
            let path = staged.join(format!("history-{}.png", h.id));
            chart(&path, h, charts::ChartFormat::Png)?;
            files.push(path);
        }
        staging.staged_in(&staged, dir, &files);
        staging.commit()?;
    }
    if let Some(path) = &args.html {
        let page = html_page(&histories, args, settings.confidence)?;
        let mut staging = crate::output::Staging::default();
        staging.text("--html", path, &page)?;
        staging.commit()?;
    }
    match args.format {
        ListFormat::Json => super::emit(&(super::to_json_text(&histories)? + "\n")),
        ListFormat::Table => super::emit(&table(&histories, settings.confidence)),
    }
}

fn history_of(
    metric: &Metric,
    runs: &[Run],
    data: &[RunData],
    defaults: &crate::config::Defaults,
    settings: &Settings,
    with_candidate: bool,
) -> Result<MetricHistory> {
    // A count's mean is events per second of covered time: shown per hour.
    let (scale, unit) = match metric.kind {
        crate::pack::Kind::Count => (3600.0, format!("{}/h", metric.unit)),
        crate::pack::Kind::Series => (1.0, metric.unit.clone()),
    };
    let mut points = Vec::new();
    for (i, (r, d)) in runs.iter().zip(data).enumerate() {
        let series = d.series(metric, defaults)?;
        let window = r.steady_window(defaults)?;
        let input = SideInput {
            series: series.as_ref(),
            run_start_ms: r.start_ms,
            step_ms: r.step_ms,
            window,
            edges: side::run_edges(r.start_ms, r.end_ms, defaults.scrape_interval_ms),
            warnings: &[],
        };
        let s = side::analyze(metric, &input, settings, Role::Baseline);
        let mean = s.mean.filter(|_| s.problem.is_none());
        let interval = mean
            .filter(|_| s.supported)
            .map(|m| m.interval(settings.confidence));
        points.push(Point {
            run: r.name.clone(),
            start: format_time(r.start_ms),
            candidate: with_candidate && i + 1 == runs.len(),
            mean: mean.map(|m| m.value * scale),
            low: interval.map(|i| i.0 * scale),
            high: interval.map(|i| i.1 * scale),
        });
    }
    // The change point among the baseline runs with a mean.
    let baseline: Vec<(usize, f64)> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.candidate)
        .filter_map(|(i, p)| p.mean.map(|m| (i, m)))
        .collect();
    let means: Vec<f64> = baseline.iter().map(|(_, m)| *m).collect();
    let change = changepoint::best_split(&means, MIN_SEGMENT)
        .filter(|s| s.p_adjusted < ALPHA)
        .map(|s| Change {
            from_run: points[baseline[s.at].0].run.clone(),
            before: s.before,
            after: s.after,
            relative: (s.before != 0.0).then(|| s.after / s.before - 1.0),
            p_adjusted: s.p_adjusted,
        });
    Ok(MetricHistory {
        id: metric.id.clone(),
        title: metric.title.clone(),
        unit,
        points,
        change,
    })
}

/// Checks, before anything is read, that `--charts` and `--html` are no input of the
/// history (a snapshot, the config) and not the same path.
fn reserve(args: &HistoryArgs, runs: &[Run], config: &crate::config::Config) -> Result<()> {
    crate::options::check_dir("--charts", args.charts.as_deref())?;
    crate::options::check_html(args.html.as_deref())?;
    let targets: Vec<crate::output::Target> = [("--charts", &args.charts), ("--html", &args.html)]
        .into_iter()
        .filter_map(|(option, path)| {
            path.as_ref().map(|p| crate::output::Target {
                option: option.into(),
                path: p.clone(),
            })
        })
        .collect();
    let snapshots = runs
        .iter()
        .filter_map(|r| match &r.origin {
            run::Origin::Snapshot(s) => {
                Some((format!("the snapshot of {}", r.name), s.path.clone()))
            }
            run::Origin::Config => None,
        })
        .collect();
    super::outputs::reserve(&targets, snapshots, config)
}

/// One run's line of a metric's history: the run, its start date, its mean with the
/// interval, and a marker (the change point's first run, the candidate).
fn rows(h: &MetricHistory) -> Vec<[String; 4]> {
    h.points
        .iter()
        .map(|p| {
            let value = match (p.mean, p.low, p.high) {
                (Some(m), Some(l), Some(hi)) => format!(
                    "{} [{}, {}]",
                    units::format_value(m, &h.unit),
                    units::format_value(l, &h.unit),
                    units::format_value(hi, &h.unit)
                ),
                (Some(m), _, _) => format!("{} (no interval)", units::format_value(m, &h.unit)),
                _ => "no data".into(),
            };
            let marker = if h.change.as_ref().is_some_and(|c| c.from_run == p.run) {
                "← change"
            } else if p.candidate {
                "(candidate)"
            } else {
                ""
            };
            [
                p.run.clone(),
                p.start[..10].to_string(),
                value,
                marker.to_string(),
            ]
        })
        .collect()
}

/// What the history says of a change point: where and how large, or why there is none.
fn change_line(h: &MetricHistory) -> String {
    match &h.change {
        Some(c) => format!(
            "change from {} on: {} → {} ({}), p = {} (adjusted for the splits tried)",
            c.from_run,
            units::format_value(c.before, &h.unit),
            units::format_value(c.after, &h.unit),
            c.relative.map_or("from 0".into(), units::change),
            units::number(c.p_adjusted)
        ),
        None => {
            let runs = h
                .points
                .iter()
                .filter(|p| !p.candidate && p.mean.is_some())
                .count();
            if runs < 2 * MIN_SEGMENT {
                format!(
                    "no change point sought: it needs {} baseline runs with a mean ({MIN_SEGMENT} on each side), {runs} here",
                    2 * MIN_SEGMENT
                )
            } else {
                format!("no change point among the {runs} baseline runs (p ≥ {ALPHA} for every split with {MIN_SEGMENT} or more on each side)")
            }
        }
    }
}

fn table(histories: &[MetricHistory], confidence: f64) -> String {
    let mut out = String::new();
    for h in histories {
        out.push_str(&format!(
            "{} ({}): steady-state mean, {:.0}% interval\n",
            h.id,
            h.title,
            confidence * 100.0
        ));
        let width = h.points.iter().map(|p| p.run.len()).max().unwrap_or(0);
        for [run, date, value, marker] in rows(h) {
            let marker = if marker.is_empty() {
                String::new()
            } else {
                format!("  {marker}")
            };
            out.push_str(&format!("  {run:<width$}  {date}  {value}{marker}\n"));
        }
        out.push_str(&format!("  {}\n\n", change_line(h)));
    }
    out
}

/// `--html`: every metric's history with its chart, as one page.
fn html_page(histories: &[MetricHistory], args: &HistoryArgs, confidence: f64) -> Result<String> {
    let scratch =
        std::env::temp_dir().join(format!("benchcmp-history-html-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .map_err(|e| crate::error::Error::input(format!("--html: {}: {e}", scratch.display())))?;
    let sections: Result<Vec<crate::report::html::HistorySection>> = histories
        .iter()
        .map(|h| {
            let path = scratch.join(format!("history-{}.svg", h.id));
            chart(&path, h, charts::ChartFormat::Svg)?;
            let drawn = crate::report::html::read_charts(std::slice::from_ref(&path))?;
            Ok(crate::report::html::HistorySection {
                id: h.id.clone(),
                title: h.title.clone(),
                rows: rows(h),
                change: change_line(h),
                svg: drawn.into_iter().map(|c| c.svg).collect(),
            })
        })
        .collect();
    let _ = std::fs::remove_dir_all(&scratch);
    let heading = match &args.candidate {
        Some(c) => format!("{} and {c}", args.baseline),
        None => args.baseline.clone(),
    };
    Ok(crate::report::html::history_page(
        &heading, confidence, &sections?,
    ))
}

/// `history-<id>.png` (or `.svg`) of `h` ([`charts::history`]).
fn chart(path: &Path, h: &MetricHistory, format: charts::ChartFormat) -> Result<()> {
    let change = h.change.as_ref().map(|c| charts::history::ChangePoint {
        from: h
            .points
            .iter()
            .position(|p| p.run == c.from_run)
            .unwrap_or(0),
        before: c.before,
        after: c.after,
        label: format!(
            "change {} (p = {})",
            c.relative.map_or("from 0".into(), units::change),
            units::number(c.p_adjusted)
        ),
    });
    charts::history::write(
        path,
        format,
        &charts::history::History {
            title: format!("{} ({}) across runs", h.title, h.id),
            unit: &h.unit,
            runs: h
                .points
                .iter()
                .map(|p| charts::history::Run {
                    name: &p.run,
                    candidate: p.candidate,
                    mean: p.mean,
                    low: p.low,
                    high: p.high,
                })
                .collect(),
            change,
        },
    )
}
