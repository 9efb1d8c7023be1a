//! Charts for write-ups (`--charts DIR`): one chart per metric (`<id>.png`), a summary of
//! every gated metric against its gate (`summary.png`) and an overview of the metrics that
//! matter most (`overview.png`), and the history of runs (`history-<id>.png`); PNG (at `--chart-scale` for HiDPI) or SVG
//! (`--chart-format svg`, text as `<text>`).
//!
//! Everything is drawn in pixels of a [`Frame`] rather than through plotters' chart
//! builder, so that text (laid out in [`lettering`]), ticks and labels are placed by one set
//! of rules in both backends. Text uses the embedded DejaVu Sans (license in
//! `fonts/DejaVu-LICENSE.txt`). Runs are Okabe–Ito blue and orange; verdicts use colours
//! that neither run uses (Paul Tol's green, purple and ochre), so a FAIL never reads as
//! "the candidate".

mod axes;
mod band;
pub mod history;
pub mod lettering;
mod metric;
mod overview;
mod png;
mod summary;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::compare::Verdict;
use crate::error::{Error, Result};
use lettering::{Align, Baseline, Type};

pub use crate::pack::Axis;

pub const BASELINE: RGBColor = RGBColor(0, 114, 178); // Okabe–Ito blue
pub const CANDIDATE: RGBColor = RGBColor(230, 159, 0); // Okabe–Ito orange
pub const PASS: RGBColor = RGBColor(34, 136, 51); // Tol green
pub const FAIL: RGBColor = RGBColor(170, 51, 119); // Tol purple
pub const INCONCLUSIVE: RGBColor = RGBColor(153, 119, 0); // ochre, dark enough for text
pub const NO_DATA: RGBColor = RGBColor(120, 120, 120);
const GRID: RGBColor = RGBColor(228, 228, 228);
const SHADE: RGBColor = RGBColor(240, 240, 240);
const GATE: RGBColor = RGBColor(90, 90, 90);
const INK: RGBColor = RGBColor(35, 35, 35);
const MUTED: RGBColor = RGBColor(100, 100, 100);

/// Image format of the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChartFormat {
    Png,
    Svg,
}

impl ChartFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ChartFormat::Png => "png",
            ChartFormat::Svg => "svg",
        }
    }
}

/// How charts are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartOptions {
    pub format: ChartFormat,
    /// Pixel density of PNGs (2 for HiDPI); SVG is drawn at 1.
    pub scale: f64,
    /// Value axes: chosen per metric, or forced.
    pub axis: Option<Axis>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            format: ChartFormat::Png,
            scale: 1.0,
            axis: None,
        }
    }
}

/// Sizes at the chart's scale and whether text is rasterized here.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    pub scale: f64,
    pub raster: bool,
}

impl Look {
    /// A length in pixels at this scale.
    pub fn px(&self, v: f64) -> f64 {
        v * self.scale
    }

    pub fn text(&self, size: f64, bold: bool, color: RGBColor) -> Type {
        Type {
            size: size * self.scale,
            bold,
            color,
        }
    }

    /// Draws text at pixel coordinates of `area`.
    pub fn write<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        text: &str,
        at: (f64, f64),
        t: Type,
        align: Align,
        baseline: Baseline,
    ) -> Result<(), String> {
        lettering::draw(area, text, at, t, align, baseline, self.raster)
    }
}

pub fn verdict_color(v: Option<Verdict>) -> RGBColor {
    match v {
        Some(Verdict::Pass) => PASS,
        Some(Verdict::Fail) => FAIL,
        Some(Verdict::Inconclusive) => INCONCLUSIVE,
        Some(Verdict::NoData) | None => NO_DATA,
    }
}

/// A plotting rectangle in pixels with the data ranges it shows.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Frame {
    pub fn x_px(&self, x: f64) -> f64 {
        self.left + (x - self.x.0) / (self.x.1 - self.x.0) * (self.right - self.left)
    }

    pub fn y_px(&self, y: f64) -> f64 {
        self.bottom - (y - self.y.0) / (self.y.1 - self.y.0) * (self.bottom - self.top)
    }

    /// The pixel position of a point, its value held inside the frame.
    pub fn at(&self, x: f64, y: f64) -> (f64, f64) {
        (self.x_px(x), self.y_px(y.clamp(self.y.0, self.y.1)))
    }

    pub fn width(&self) -> f64 {
        self.right - self.left
    }
}

/// A plotters error in one readable line. Its bitmap errors only render as debug dumps
/// (`BackendError(DrawingError(ImageError(IoError(Os { ... message: "Is a directory" }))))`):
/// the operating system's message is what a user needs.
pub fn describe<E: std::fmt::Debug>(e: E) -> String {
    let debug = format!("{e:?}");
    if let Some(start) = debug.find("message: \"") {
        let rest = &debug[start + 10..];
        if let Some(end) = rest.find('"') {
            return rest[..end].to_string();
        }
    }
    match debug.find('(') {
        Some(i) if debug.len() > 120 => debug[..i].to_string(),
        _ => debug,
    }
}

/// Thins a line to what `width` pixel columns can show: per column the first, lowest,
/// highest and last point, in time order (M4), so the drawn line is the same as with every
/// point while a 7-day run draws thousands of points instead of hundreds of thousands.
/// The `n` points are `at(0)`, `at(1)`, …, made as they are read.
pub fn thin_by(n: usize, at: impl Fn(usize) -> (f64, f64), frame: &Frame) -> Vec<(f64, f64)> {
    let columns = frame.width().max(1.0);
    if n as f64 <= columns * 4.0 {
        return (0..n).map(at).collect();
    }
    let mut out = Vec::with_capacity(columns as usize * 4);
    let mut i = 0;
    while i < n {
        let first = at(i);
        let column = frame.x_px(first.0).floor();
        let mut j = i;
        let (mut lo, mut hi) = ((i, first), (i, first));
        let mut last = (i, first);
        while j < n {
            let point = at(j);
            if frame.x_px(point.0).floor() != column {
                break;
            }
            if point.1 < lo.1 .1 {
                lo = (j, point);
            }
            if point.1 > hi.1 .1 {
                hi = (j, point);
            }
            last = (j, point);
            j += 1;
        }
        let mut picks = [(i, first), lo, hi, last];
        picks.sort_unstable_by_key(|p| p.0);
        let mut previous = usize::MAX;
        for (p, point) in picks {
            if p != previous {
                out.push(point);
                previous = p;
            }
        }
        i = j;
    }
    out
}

/// One chart to write.
enum Job<'a> {
    Metric(&'a super::MetricReport),
    Summary,
    Overview,
}

/// Writes every chart into `dir` (two at a time); returns the files written.
pub fn render_all(
    report: &super::Report,
    dir: &Path,
    options: &ChartOptions,
) -> Result<Vec<PathBuf>> {
    lettering::register();
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::input(format!("--charts {}: {e}", dir.display())))?;
    let ext = options.format.extension();
    // The overview (every metric again, on a larger canvas) takes as long as several metric
    // charts: it goes first, so that no thread is left drawing it alone at the end.
    let mut jobs: Vec<(PathBuf, Job)> = vec![
        (dir.join(format!("overview.{ext}")), Job::Overview),
        (dir.join(format!("summary.{ext}")), Job::Summary),
    ];
    jobs.extend(report.metrics.iter().map(|m| {
        (
            dir.join(format!("{}.{ext}", m.result.metric.id)),
            Job::Metric(m),
        )
    }));
    crate::parallel::map(&jobs, |(path, job)| match job {
        Job::Metric(m) => metric::write(path, m, report, options),
        Job::Summary => summary::write(path, report, options),
        Job::Overview => overview::write(path, report, options),
    })
    .into_iter()
    .collect::<Result<Vec<()>>>()?;
    Ok(jobs.into_iter().map(|(p, _)| p).collect())
}

/// Fills `area` white, runs `draw`, presents the result: the part every chart shares,
/// whatever the backend.
pub fn paint<DB: DrawingBackend>(
    path: &Path,
    area: &DrawingArea<DB, Shift>,
    draw: impl FnOnce() -> Result<(), String>,
) -> Result<()> {
    let fail = |e: String| Error::input(format!("cannot draw chart {}: {e}", path.display()));
    area.fill(&WHITE).map_err(|e| fail(describe(e)))?;
    match text_boxes_file() {
        None => draw().map_err(fail)?,
        Some(file) => {
            let (drawn, boxes) = lettering::seen(draw);
            drawn.map_err(fail)?;
            record_text_boxes(file, path, area.dim_in_pixel(), &boxes);
        }
    }
    area.present().map_err(|e| fail(describe(e)))
}

/// Where the layout checks want every chart's text boxes: the file named by the
/// environment variable `BENCHCMP_TEXT_BOXES` (a test seam: `tests/reports.rs` checks
/// that no text leaves its canvas or runs into other text).
fn text_boxes_file() -> Option<&'static Path> {
    static FILE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    FILE.get_or_init(|| std::env::var_os("BENCHCMP_TEXT_BOXES").map(PathBuf::from))
        .as_deref()
}

/// Appends one JSON line per piece of text of the chart at `path` (of `size` pixels).
fn record_text_boxes(file: &Path, path: &Path, size: (u32, u32), boxes: &[lettering::TextBox]) {
    use std::io::Write;
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let lines: String = boxes
        .iter()
        .map(|b| {
            serde_json::json!({"chart": path.display().to_string(), "width": size.0, "height": size.1, "box": b})
                .to_string()
                + "\n"
        })
        .collect();
    let _held = LOCK.lock();
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
    {
        let _ = f.write_all(lines.as_bytes());
    }
}

/// Writes RGB `pixels` as a PNG file ([`png`]).
pub fn write_png(path: &Path, size: (u32, u32), pixels: &[u8]) -> Result<()> {
    write_chart(path, |out| png::encode(out, size, pixels))
}

/// A chart file that could not be written.
pub(crate) fn write_error(path: &Path, e: std::io::Error) -> Error {
    Error::input(format!("cannot write chart {}: {e}", path.display()))
}

/// Writes a chart's file with `encode`.
pub(crate) fn write_chart(
    path: &Path,
    encode: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let fail = |e| write_error(path, e);
    let file = std::fs::File::create(path).map_err(fail)?;
    let mut out = std::io::BufWriter::new(file);
    encode(&mut out).map_err(fail)?;
    // Dropping a buffered writer would swallow the last write's error (a full disk): flush
    // it here so a truncated chart is an error, not a file.
    std::io::Write::flush(&mut out).map_err(fail)
}

/// `f` on a pixel buffer of `len` bytes with any content ([`paint`] fills it first): the
/// buffer of the chart this thread drew before, so that each chart does not clear and
/// fault in megabytes of fresh memory.
pub fn with_pixels<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    thread_local! {
        static PIXELS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    PIXELS.with(|cell| {
        let mut pixels = cell.take();
        pixels.resize(len, 0);
        let result = f(&mut pixels);
        cell.replace(pixels);
        result
    })
}

/// Opens the backend for `path` in the chosen format (PNG at its scale, or SVG) and paints
/// `body` on it. A macro so that one drawing function body serves both backend types.
macro_rules! with_backend {
    ($path:expr, $size:expr, $options:expr, |$area:ident, $look:ident| $body:expr) => {{
        let path: &std::path::Path = $path;
        let (w, h): (u32, u32) = $size;
        match $options.format {
            $crate::report::charts::ChartFormat::Png => {
                let s = $options.scale;
                let size = ((w as f64 * s).round() as u32, (h as f64 * s).round() as u32);
                let len = size.0 as usize * size.1 as usize * 3;
                $crate::report::charts::with_pixels(len, |pixels| {
                    let painted = {
                        let $area = plotters::drawing::IntoDrawingArea::into_drawing_area(
                            plotters::prelude::BitMapBackend::with_buffer(pixels, size),
                        );
                        let $look = $crate::report::charts::Look {
                            scale: s,
                            raster: true,
                        };
                        $crate::report::charts::paint(path, &$area, || $body)
                    };
                    painted.and_then(|()| $crate::report::charts::write_png(path, size, pixels))
                })
            }
            $crate::report::charts::ChartFormat::Svg => {
                let $area = plotters::drawing::IntoDrawingArea::into_drawing_area(
                    plotters::prelude::SVGBackend::new(path, (w, h)),
                );
                let $look = $crate::report::charts::Look {
                    scale: 1.0,
                    raster: false,
                };
                $crate::report::charts::paint(path, &$area, || $body)
            }
        }
    }};
}
pub(crate) use with_backend;

/// Draws a line through points (already in pixels), `width` pixels wide.
pub fn polyline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: Vec<(i32, i32)>,
    color: RGBAColor,
    width: f64,
) -> Result<(), String> {
    if points.len() < 2 {
        return Ok(());
    }
    area.draw(&PathElement::new(
        points,
        ShapeStyle::from(&color).stroke_width(width.round().max(1.0) as u32),
    ))
    .map_err(describe)
}

/// A horizontal grid line across `frame` at value `y`, `width` pixels wide.
pub fn grid_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    y: f64,
    width: f64,
) -> Result<(), String> {
    let y = frame.y_px(y) as i32;
    polyline(
        area,
        vec![(frame.left as i32, y), (frame.right as i32, y)],
        GRID.to_rgba(),
        width,
    )
}

/// The left and bottom axis lines of `frame`, `width` pixels wide.
pub fn axis_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    width: f64,
) -> Result<(), String> {
    polyline(
        area,
        vec![
            (frame.left as i32, frame.top as i32),
            (frame.left as i32, frame.bottom as i32),
            (frame.right as i32, frame.bottom as i32),
        ],
        INK.mix(0.6),
        width,
    )
}

/// A run's line through points in pixels, in time order. Where there is a point for every
/// pixel column or more (a week at 15 s is 30 to a column), the stroke is filled column by
/// column: one rectangle, as wide as the stroke, from the lowest to the highest point in
/// the column and the join from the column before — what the thick path covers there,
/// without rasterizing thousands of nearly vertical segments as polygons (that was half the
/// CPU of a week's charts). A sparser line is an ordinary path.
pub fn run_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[(f64, f64)],
    color: RGBAColor,
    width: f64,
) -> Result<(), String> {
    let rounded = |&(x, y): &(f64, f64)| (x.round() as i32, y.round() as i32);
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Ok(());
    };
    if (points.len() as f64) < (last.0 - first.0).abs() {
        return polyline(area, points.iter().map(rounded).collect(), color, width);
    }
    let stroke = width.round().max(1.0) as i32;
    let style = ShapeStyle::from(&color).filled();
    let mut before: Option<(i32, f64)> = None; // the last column drawn, its last point
    let mut i = 0;
    while i < points.len() {
        let column = points[i].0.round() as i32;
        let (mut low, mut high) = (points[i].1, points[i].1);
        let mut j = i;
        while j < points.len() && points[j].0.round() as i32 == column {
            low = low.min(points[j].1);
            high = high.max(points[j].1);
            j += 1;
        }
        match before {
            Some((x, y)) if column - x > 1 => {
                let join = vec![rounded(&(x as f64, y)), rounded(&points[i])];
                polyline(area, join, color, width)?;
            }
            Some((_, y)) => {
                low = low.min(y);
                high = high.max(y);
            }
            None => {}
        }
        // a filled rectangle covers its first corner's row and column, not its second's
        let left = column - stroke / 2;
        let top = (low - width / 2.0).round() as i32;
        let bottom = ((high + width / 2.0).round() as i32).max(top + 1);
        area.draw(&Rectangle::new(
            [(left, top), (left + stroke, bottom)],
            style,
        ))
        .map_err(describe)?;
        before = Some((column, points[j - 1].1));
        i = j;
    }
    Ok(())
}

/// A dashed horizontal or vertical line in pixels.
pub fn dashed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (f64, f64),
    to: (f64, f64),
    color: RGBAColor,
    width: f64,
    dash: f64,
) -> Result<(), String> {
    let length = ((to.0 - from.0).powi(2) + (to.1 - from.1).powi(2)).sqrt();
    if length <= 0.0 {
        return Ok(());
    }
    let (dx, dy) = ((to.0 - from.0) / length, (to.1 - from.1) / length);
    let mut t = 0.0;
    while t < length {
        let end = (t + dash).min(length);
        polyline(
            area,
            vec![
                (
                    (from.0 + dx * t).round() as i32,
                    (from.1 + dy * t).round() as i32,
                ),
                (
                    (from.0 + dx * end).round() as i32,
                    (from.1 + dy * end).round() as i32,
                ),
            ],
            color,
            width,
        )?;
        t += dash * 1.8;
    }
    Ok(())
}

/// A filled rectangle in pixels.
pub fn fill<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (f64, f64),
    b: (f64, f64),
    color: RGBAColor,
) -> Result<(), String> {
    area.draw(&Rectangle::new(
        [
            (a.0.round() as i32, a.1.round() as i32),
            (b.0.round() as i32, b.1.round() as i32),
        ],
        ShapeStyle::from(&color).filled(),
    ))
    .map_err(describe)
}

/// The legend strip: a swatch and name per run, and the warm-up's shade where the runs have
/// one.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: Look,
    report: &super::Report,
    at: (f64, f64),
) -> Result<(), String> {
    let t = look.text(15.0, false, INK);
    let mut x = at.0;
    let y = at.1;
    let baseline = if report.baseline.is_pooled() {
        format!(
            "baseline {} (band: {} runs)",
            report.baseline.newest().name,
            report.baseline.runs().len()
        )
    } else {
        format!("baseline {}", report.baseline.newest().name)
    };
    for (label, color) in [
        (baseline, BASELINE),
        (format!("candidate {}", report.candidate.name), CANDIDATE),
    ] {
        fill(
            area,
            (x, y - look.px(2.0)),
            (x + look.px(28.0), y + look.px(2.0)),
            color.to_rgba(),
        )?;
        look.write(
            area,
            &label,
            (x + look.px(36.0), y),
            t,
            Align::Left,
            Baseline::Middle,
        )?;
        x += look.px(36.0) + lettering::width(&label, t) + look.px(28.0);
    }
    // the shade of the warm-up, where the runs have one
    if report.baseline.newest().warmup_ms > 0 {
        fill(
            area,
            (x, y - look.px(8.0)),
            (x + look.px(22.0), y + look.px(8.0)),
            SHADE.to_rgba(),
        )?;
        look.write(
            area,
            "warm-up, not compared",
            (x + look.px(30.0), y),
            t,
            Align::Left,
            Baseline::Middle,
        )?;
    }
    Ok(())
}

/// Spreads labels wanted at pixel heights `ys` so no two are closer than `gap`, within
/// `top..bottom`; returns their new heights in the same order.
pub fn spread(ys: &[f64], gap: f64, top: f64, bottom: f64) -> Vec<f64> {
    spread_sized(ys, &vec![gap; ys.len()], top, bottom)
}

/// [`spread`] for labels of different heights (`sizes`): the centres of two neighbours
/// are at least half their heights apart.
pub fn spread_sized(ys: &[f64], sizes: &[f64], top: f64, bottom: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|a, b| ys[*a].total_cmp(&ys[*b]));
    let mut placed = vec![0.0; ys.len()];
    let mut last: Option<usize> = None;
    for &i in &order {
        let mut y = ys[i].clamp(top, bottom);
        if let Some(j) = last {
            y = y.max(placed[j] + (sizes[i] + sizes[j]) / 2.0);
        }
        placed[i] = y;
        last = Some(i);
    }
    // Pushed past the bottom: shift the stack up.
    if let Some(&i) = order.last() {
        let over = placed[i] - bottom;
        if over > 0.0 {
            for y in placed.iter_mut() {
                *y -= over;
            }
        }
    }
    placed
}

/// `label` in at most two lines of `room` pixels: as it is where it fits, else broken
/// between words (a number kept with its unit) — after a colon where that fits — and
/// shortened with `…` only where no break fits.
pub fn two_lines(label: &str, t: Type, room: f64) -> Vec<String> {
    if lettering::width(label, t) <= room {
        return vec![label.to_string()];
    }
    let words = crate::report::layout::unbreakable_words(label);
    let splits: Vec<(String, String)> = (1..words.len())
        .map(|k| (words[..k].join(" "), words[k..].join(" ")))
        .collect();
    let fits = |(a, b): &(String, String)| {
        lettering::width(a, t) <= room && lettering::width(b, t) <= room
    };
    let widest = |(a, b): &(String, String)| lettering::width(a, t).max(lettering::width(b, t));
    let chosen = splits
        .iter()
        .filter(|s| fits(s))
        .find(|(a, _)| a.ends_with(':'))
        .or_else(|| {
            splits
                .iter()
                .filter(|s| fits(s))
                .min_by(|x, y| widest(x).total_cmp(&widest(y)))
        });
    match chosen {
        Some((a, b)) => vec![a.clone(), b.clone()],
        None => match splits.iter().min_by(|x, y| widest(x).total_cmp(&widest(y))) {
            Some((a, b)) => vec![lettering::fit(a, t, room), lettering::fit(b, t, room)],
            None => vec![lettering::fit(label, t, room)],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_extremes_of_every_column() {
        let frame = Frame {
            left: 0.0,
            top: 0.0,
            right: 100.0,
            bottom: 100.0,
            x: (0.0, 1000.0),
            y: (0.0, 1.0),
        };
        let points: Vec<(f64, f64)> = (0..100_000)
            .map(|i| (i as f64 / 100.0, ((i * 7919) % 1000) as f64 / 1000.0))
            .collect();
        let thin = thin_by(points.len(), |i| points[i], &frame);
        assert!(thin.len() <= 400, "{}", thin.len());
        let max = points.iter().map(|p| p.1).fold(0.0, f64::max);
        assert!(thin.iter().any(|p| p.1 == max));
        assert!(thin.windows(2).all(|w| w[0].0 <= w[1].0), "time order");
        assert_eq!(thin.first(), points.first());
        assert_eq!(thin.last(), points.last());
    }

    /// Pixels of `color` in each row of a 200 × 100 drawing of `points` by `run_line`.
    fn drawn_rows(points: &[(f64, f64)], width: f64) -> Vec<usize> {
        let (w, h) = (200u32, 100u32);
        let mut buffer = vec![255u8; (w * h * 3) as usize];
        {
            let area = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
            run_line(&area, points, RED.to_rgba(), width).unwrap();
            area.present().unwrap();
        }
        (0..h as usize)
            .map(|row| {
                buffer[row * w as usize * 3..(row + 1) * w as usize * 3]
                    .chunks(3)
                    .filter(|p| p == &[255, 0, 0])
                    .count()
            })
            .collect()
    }

    #[test]
    fn a_dense_line_covers_its_columns_and_nothing_beyond_its_values() {
        // a flat line, 5 points a column from x 10 to 190: two rows, from column 9 to 190
        let flat: Vec<(f64, f64)> = (0..901).map(|i| (10.0 + i as f64 / 5.0, 50.0)).collect();
        let rows = drawn_rows(&flat, 2.0);
        assert_eq!(rows[49], 182, "{rows:?}");
        assert_eq!(rows[50], 182, "{rows:?}");
        assert_eq!(rows.iter().sum::<usize>(), 2 * 182, "{rows:?}");
        // one pixel wide: one row
        assert_eq!(drawn_rows(&flat, 1.0).iter().sum::<usize>(), 181);
        // noise between 30 and 70: drawn from 29 to 70 (half the stroke beyond), no further
        let noisy: Vec<(f64, f64)> = (0..900)
            .map(|i| (10.0 + i as f64 / 5.0, 30.0 + ((i * 7919) % 41) as f64))
            .collect();
        let rows = drawn_rows(&noisy, 2.0);
        assert!(rows[..29].iter().all(|&n| n == 0), "{rows:?}");
        assert!(rows[71..].iter().all(|&n| n == 0), "{rows:?}");
        assert!(rows[29..=70].iter().all(|&n| n > 0), "{rows:?}");
    }

    #[test]
    fn labels_are_spread_apart() {
        let placed = spread(&[50.0, 51.0, 52.0], 10.0, 0.0, 100.0);
        assert_eq!(placed, vec![50.0, 60.0, 70.0]);
        let placed = spread(&[95.0, 99.0], 10.0, 0.0, 100.0);
        assert_eq!(placed, vec![90.0, 100.0]);
    }
}
