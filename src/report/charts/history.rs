//! `history-<metric>.png`: every run's steady-state mean with its interval in time order
//! (baseline runs blue, a candidate orange), the means before and after a change point
//! across the baseline runs with the change and its adjusted p-value, round ticks in the
//! metric's unit, a legend, and run names thinned where they would run into each other.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::lettering::{self, Align, Baseline};
use super::{
    axes, axis_lines, dashed, fill, grid_line, polyline, Frame, Look, BASELINE, CANDIDATE, FAIL,
    INK, MUTED,
};
use crate::units;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 480.0;

/// One run of the history.
pub struct Run<'a> {
    pub name: &'a str,
    pub candidate: bool,
    pub mean: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// A change point across the baseline runs.
pub struct ChangePoint {
    /// Index of the first run after the change.
    pub from: usize,
    pub before: f64,
    pub after: f64,
    /// `change -12.0% (p = 0.003)`.
    pub label: String,
}

/// One metric's history to draw.
pub struct History<'a> {
    pub title: String,
    pub unit: &'a str,
    pub runs: Vec<Run<'a>>,
    pub change: Option<ChangePoint>,
}

/// Writes the PNG of `h` to `path`.
pub fn write(path: &Path, format: super::ChartFormat, h: &History) -> crate::error::Result<()> {
    let options = super::ChartOptions {
        format,
        ..super::ChartOptions::default()
    };
    lettering::register();
    super::with_backend!(
        path,
        (WIDTH as u32, HEIGHT as u32),
        options,
        |area, look| { draw(&area, look, h) }
    )
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    h: &History,
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    look.write(
        area,
        &h.title,
        (px(20.0), px(14.0)),
        look.text(21.0, true, INK),
        Align::Left,
        Baseline::Top,
    )?;
    legend(area, look, h, (px(20.0), px(56.0)))?;
    let values: Vec<f64> = h
        .runs
        .iter()
        .flat_map(|p| [p.mean, p.low, p.high])
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        return look.write(
            area,
            "no data in any run",
            (px(WIDTH / 2.0), px(HEIGHT / 2.0)),
            look.text(20.0, true, super::NO_DATA),
            Align::Center,
            Baseline::Middle,
        );
    }
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let pad = ((hi - lo) * 0.12).max(hi.abs() * 0.02).max(1e-9);
    // A quantity that cannot be negative keeps its axis at or above zero.
    let y0 = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    let y1 = hi + pad;
    let ticks = axes::linear_ticks(y0, y1, 5);
    let small = look.text(14.0, false, MUTED);
    let tick_text = |t: f64| units::format_value(t, h.unit);
    let widest = ticks
        .iter()
        .map(|t| lettering::width(&tick_text(*t), small))
        .fold(0.0, f64::max);
    let n = h.runs.len() as f64;
    let frame = Frame {
        left: px(20.0) + widest + px(10.0),
        top: px(90.0),
        right: px(WIDTH - 20.0),
        bottom: px(HEIGHT - 46.0),
        x: (-0.5, n - 0.5),
        y: (y0, y1),
    };
    for t in &ticks {
        grid_line(area, &frame, *t, px(1.0))?;
        let y = frame.y_px(*t);
        look.write(
            area,
            &tick_text(*t),
            (frame.left - px(8.0), y),
            small,
            Align::Right,
            Baseline::Middle,
        )?;
    }
    marks(area, look, h, &frame)?;
    if let Some(c) = &h.change {
        change_point(area, look, h, c, &frame)?;
    }
    axis_lines(area, &frame, px(1.0))
}

/// Each run's mean and interval, and the run names under them, thinned so that none runs
/// into the next.
fn marks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    h: &History,
    frame: &Frame,
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    let small = look.text(14.0, false, MUTED);
    let mut last_right = f64::NEG_INFINITY;
    for (i, p) in h.runs.iter().enumerate() {
        let x = frame.x_px(i as f64);
        let color = if p.candidate { CANDIDATE } else { BASELINE };
        if let (Some(l), Some(hh)) = (p.low, p.high) {
            polyline(
                area,
                vec![
                    (x as i32, frame.y_px(l) as i32),
                    (x as i32, frame.y_px(hh) as i32),
                ],
                color.to_rgba(),
                px(3.0),
            )?;
        }
        if let Some(m) = p.mean {
            area.draw(&Circle::new(
                (x as i32, frame.y_px(m) as i32),
                px(5.0) as i32,
                color.filled(),
            ))
            .map_err(super::describe)?;
        }
        let w = lettering::width(p.name, small);
        let (left, right) = (x - w / 2.0, x + w / 2.0);
        let last = i + 1 == h.runs.len();
        if left > last_right + px(8.0) && left >= 0.0 && right <= px(WIDTH) {
            look.write(
                area,
                p.name,
                (x, frame.bottom + px(8.0)),
                small,
                Align::Center,
                Baseline::Top,
            )?;
            last_right = right;
        } else if last && p.candidate {
            // The candidate always keeps its name: it replaces the label before it.
            look.write(
                area,
                p.name,
                (x.min(px(WIDTH) - w / 2.0), frame.bottom + px(26.0)),
                small,
                Align::Center,
                Baseline::Top,
            )?;
        }
    }
    Ok(())
}

/// The means before and after a change point across the baseline runs, a dashed line
/// where it is, and its label.
fn change_point<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    h: &History,
    c: &ChangePoint,
    frame: &Frame,
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    let at = c.from as f64;
    let last_baseline = h.runs.iter().rposition(|p| !p.candidate).unwrap_or(0) as f64;
    let level = RGBColor(90, 90, 90);
    for (from, to, v) in [
        (-0.4, at - 0.6, c.before),
        (at - 0.4, last_baseline + 0.4, c.after),
    ] {
        let y = frame.y_px(v);
        polyline(
            area,
            vec![
                (frame.x_px(from) as i32, y as i32),
                (frame.x_px(to) as i32, y as i32),
            ],
            level.mix(0.9),
            px(2.0),
        )?;
    }
    let x = frame.x_px(at - 0.5);
    dashed(
        area,
        (x, frame.top),
        (x, frame.bottom),
        FAIL.mix(0.9),
        px(2.0),
        px(6.0),
    )?;
    let t = look.text(15.0, true, FAIL);
    let w = lettering::width(&c.label, t);
    let (anchor, align) = if x + px(6.0) + w <= frame.right {
        (x + px(6.0), Align::Left)
    } else {
        (x - px(6.0), Align::Right)
    };
    let top = frame.top + px(4.0);
    let left = if align == Align::Left {
        anchor
    } else {
        anchor - w
    };
    fill(
        area,
        (left - px(2.0), top),
        (left + w + px(2.0), top + lettering::line_height(t)),
        WHITE.mix(0.85),
    )?;
    look.write(area, &c.label, (anchor, top), t, align, Baseline::Top)
}

/// What the marks mean: a dot and bar per run, in the colours of baseline and candidate,
/// and the means of a change point's segments.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    h: &History,
    at: (f64, f64),
) -> Result<(), String> {
    let px = |v: f64| look.px(v);
    let t = look.text(15.0, false, INK);
    let (mut x, y) = at;
    let mut items: Vec<(String, RGBColor, bool)> = vec![(
        "baseline run: mean and 95% interval".to_string(),
        BASELINE,
        true,
    )];
    if h.runs.iter().any(|r| r.candidate) {
        items.push(("candidate".to_string(), CANDIDATE, true));
    }
    if h.change.is_some() {
        items.push((
            "means before and after the change point".to_string(),
            RGBColor(90, 90, 90),
            false,
        ));
    }
    for (label, color, dot) in items {
        if dot {
            polyline(
                area,
                vec![
                    (x as i32 + px(8.0) as i32, (y - px(9.0)) as i32),
                    (x as i32 + px(8.0) as i32, (y + px(9.0)) as i32),
                ],
                color.to_rgba(),
                px(3.0),
            )?;
            area.draw(&Circle::new(
                ((x + px(8.0)) as i32, y as i32),
                px(5.0) as i32,
                color.filled(),
            ))
            .map_err(super::describe)?;
        } else {
            polyline(
                area,
                vec![(x as i32, y as i32), ((x + px(22.0)) as i32, y as i32)],
                color.mix(0.9),
                px(2.0),
            )?;
        }
        look.write(
            area,
            &label,
            (x + px(28.0), y),
            t,
            Align::Left,
            Baseline::Middle,
        )?;
        x += px(28.0) + lettering::width(&label, t) + px(28.0);
    }
    Ok(())
}
