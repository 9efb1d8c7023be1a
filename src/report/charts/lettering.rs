//! Text on charts: measured and laid out with the embedded DejaVu Sans through ab_glyph —
//! each glyph placed at the previous one's advance plus the pair's kerning, at quarters of a
//! pixel along the line, on a baseline at a whole pixel — and, for bitmaps, rasterized here
//! with anti-aliasing, once per glyph, size and place within a pixel. plotters' own bitmap
//! text rounds every glyph to whole pixels from its bounding box, which breaks letter
//! spacing ("min utes"); SVG gets `<text>` elements and the viewer's layout.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;
use plotters_backend::{BackendColor, BackendCoord, DrawingErrorKind};

/// The family name the SVG backend writes; viewers fall back to their sans-serif.
pub const FAMILY: &str = "DejaVu Sans";

fn font(bold: bool) -> &'static FontRef<'static> {
    static REGULAR: OnceLock<FontRef<'static>> = OnceLock::new();
    static BOLD: OnceLock<FontRef<'static>> = OnceLock::new();
    let (cell, bytes) = if bold {
        (&BOLD, dejavu::sans::bold())
    } else {
        (&REGULAR, dejavu::sans::regular())
    };
    cell.get_or_init(|| FontRef::try_from_slice(bytes).expect("the embedded DejaVu Sans parses"))
}

/// Registers the embedded font with plotters under [`FAMILY`], for SVG text measurement.
pub fn register() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// The box a piece of text covers, in pixels of the whole canvas: what the checks of a
/// chart's layout look at ([`seen`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TextBox {
    pub text: String,
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

thread_local! {
    /// The text drawn on this thread while [`seen`] collects it.
    static SEEN: std::cell::RefCell<Option<Vec<TextBox>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `draw` and returns, with its result, the boxes of every piece of text it drew on
/// this thread.
pub fn seen<R>(draw: impl FnOnce() -> R) -> (R, Vec<TextBox>) {
    let outer = SEEN.with(|s| s.borrow_mut().replace(Vec::new()));
    let result = draw();
    let boxes = SEEN.with(|s| std::mem::replace(&mut *s.borrow_mut(), outer));
    (result, boxes.unwrap_or_default())
}

/// How a piece of text looks.
#[derive(Debug, Clone, Copy)]
pub struct Type {
    /// Size in pixels (the em height).
    pub size: f64,
    pub bold: bool,
    pub color: RGBColor,
}

/// Where the anchor point sits on the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// Vertical anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    Top,
    Middle,
    Bottom,
}

/// Width of `text` in pixels, with advances and kerning.
pub fn width(text: &str, t: Type) -> f64 {
    let scaled = font(t.bold).as_scaled(PxScale::from(t.size as f32));
    let mut x = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        x += scaled.h_advance(id);
        prev = Some(id);
    }
    x as f64
}

/// `label` shortened with `…` to fit `room` pixels.
pub fn fit(label: &str, t: Type, room: f64) -> String {
    if width(label, t) <= room {
        return label.to_string();
    }
    let mut s: String = label.to_string();
    while !s.is_empty() && width(&format!("{s}…"), t) > room {
        s.pop();
    }
    format!("{}…", s.trim_end())
}

/// Height of a line of text (ascent + descent) in pixels.
pub fn line_height(t: Type) -> f64 {
    let scaled = font(t.bold).as_scaled(PxScale::from(t.size as f32));
    (scaled.ascent() - scaled.descent()) as f64
}

/// Draws `text` anchored at `at` (pixels of `area`). `raster` draws the glyphs here
/// (bitmaps); otherwise plotters emits text elements (SVG).
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    at: (f64, f64),
    t: Type,
    align: Align,
    baseline: Baseline,
    raster: bool,
) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    let w = width(text, t);
    let scaled = font(t.bold).as_scaled(PxScale::from(t.size as f32));
    let (ascent, descent) = (scaled.ascent() as f64, scaled.descent() as f64);
    let left = match align {
        Align::Left => at.0,
        Align::Center => at.0 - w / 2.0,
        Align::Right => at.0 - w,
    };
    // The baseline's y.
    let base_y = match baseline {
        Baseline::Top => at.1 + ascent,
        Baseline::Middle => at.1 + (ascent + descent) / 2.0,
        Baseline::Bottom => at.1 + descent,
    };
    SEEN.with(|s| {
        if let Some(seen) = s.borrow_mut().as_mut() {
            let origin = area.get_base_pixel();
            seen.push(TextBox {
                text: text.to_string(),
                left: origin.0 as f64 + left,
                top: origin.1 as f64 + base_y - ascent,
                right: origin.0 as f64 + left + w,
                bottom: origin.1 as f64 + base_y - descent,
            });
        }
    });
    if !raster {
        // SVG: a text element anchored at the left end of its top line; the viewer lays
        // the glyphs out.
        let style = TextStyle::from(
            (
                FAMILY,
                t.size,
                if t.bold {
                    FontStyle::Bold
                } else {
                    FontStyle::Normal
                },
            )
                .into_font(),
        )
        .color(&t.color)
        .pos(Pos::new(HPos::Left, VPos::Top));
        return area
            .draw(&Text::new(
                text.to_string(),
                (left.round() as i32, (base_y - ascent).round() as i32),
                style,
            ))
            .map_err(|e| format!("{e:?}"));
    }
    let mut x = left as f32;
    let mut prev = None;
    let mut inked = Inked {
        glyphs: Vec::with_capacity(text.len()),
        color: t.color,
    };
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        // Glyphs sit at a whole-pixel offset plus one of four places within the pixel
        // along the line; the baseline is on a whole pixel. (Eighths in both directions
        // rasterized 1,790 glyphs for the medium benchmark set's charts instead of 974,
        // for no difference one can see.)
        let quarters = (x as f64 * PLACES as f64).round() as i64;
        let key = GlyphKey {
            bold: t.bold,
            size: (t.size as f32).to_bits(),
            id: id.0,
            within: quarters.rem_euclid(PLACES) as u8,
        };
        let whole = (quarters.div_euclid(PLACES) as i32, base_y.round() as i32);
        x += scaled.h_advance(id);
        prev = Some(id);
        inked.glyphs.push((whole, rasterized(key)));
    }
    area.draw(&inked).map_err(|e| format!("{e:?}"))
}

/// A rasterized glyph's pixels with their coverage, relative to its place.
type Pixels = std::sync::Arc<[(i32, i32, f32)]>;

/// A line of text's glyphs, each at its whole-pixel place with the pixels it covers: drawn
/// pixel by pixel as one element, so the drawing area (a borrow, a preparation check and a
/// translation per call) is entered once per line and not once per pixel.
struct Inked {
    glyphs: Vec<((i32, i32), Pixels)>,
    color: RGBColor,
}

impl<'a> PointCollection<'a, (i32, i32)> for &'a Inked {
    type Point = (i32, i32);
    type IntoIter = std::iter::Once<(i32, i32)>;

    /// The area's origin: the glyphs' places are relative to it.
    fn point_iter(self) -> std::iter::Once<(i32, i32)> {
        std::iter::once((0, 0))
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Inked {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut origin: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((ox, oy)) = origin.next() else {
            return Ok(());
        };
        let rgb = self.color.rgb();
        for ((gx, gy), pixels) in &self.glyphs {
            for &(px, py, coverage) in pixels.iter() {
                // What `draw_pixel` with the colour mixed to the coverage hands the backend.
                let color = BackendColor {
                    alpha: coverage as f64,
                    rgb,
                };
                backend.draw_pixel((ox + gx + px, oy + gy + py), color)?;
            }
        }
        Ok(())
    }
}

/// Places a glyph can take within a pixel, along the line.
const PLACES: i64 = 4;

/// A glyph at a size and a place within a pixel along the line (in quarters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GlyphKey {
    bold: bool,
    size: u32,
    id: u16,
    within: u8,
}

/// The pixels a glyph covers when placed within the pixel at the origin, with their
/// coverage. The charts of a comparison letter the same few sizes of the same characters
/// thousands of times: each is rasterized once per place and drawn from here after.
fn rasterized(key: GlyphKey) -> Pixels {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    type Cache = Mutex<HashMap<GlyphKey, Pixels>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let lock = || {
        cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some(pixels) = lock().get(&key) {
        return Arc::clone(pixels);
    }
    let glyph = ab_glyph::GlyphId(key.id).with_scale_and_position(
        PxScale::from(f32::from_bits(key.size)),
        ab_glyph::point(key.within as f32 / PLACES as f32, 0.0),
    );
    let mut pixels = Vec::new();
    if let Some(outline) = font(key.bold).outline_glyph(glyph) {
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            if coverage > 0.003 {
                pixels.push((
                    bounds.min.x as i32 + gx as i32,
                    bounds.min.y as i32 + gy as i32,
                    coverage.min(1.0),
                ));
            }
        });
    }
    let pixels: Pixels = pixels.into();
    lock().insert(key, Arc::clone(&pixels));
    pixels
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders `text` at `size` and returns, per pixel column, whether it has ink.
    fn columns(text: &str, size: f64) -> Vec<bool> {
        let (w, h) = (600u32, 60u32);
        let mut buffer = vec![255u8; (w * h * 3) as usize];
        {
            let area = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
            let t = Type {
                size,
                bold: false,
                color: BLACK,
            };
            draw(
                &area,
                text,
                (10.0, 10.0),
                t,
                Align::Left,
                Baseline::Top,
                true,
            )
            .unwrap();
            area.present().unwrap();
        }
        (0..w)
            .map(|x| (0..h).any(|y| buffer[((y * w + x) * 3) as usize] < 160))
            .collect()
    }

    /// The widest run of empty columns between the first and last inked column.
    fn widest_gap(cols: &[bool]) -> usize {
        let first = cols.iter().position(|c| *c).unwrap();
        let last = cols.iter().rposition(|c| *c).unwrap();
        let (mut widest, mut run) = (0, 0);
        for c in &cols[first..=last] {
            if *c {
                run = 0;
            } else {
                run += 1;
                widest = widest.max(run);
            }
        }
        widest
    }

    /// The pixels of `text` drawn with its top left at `at`, on a 300 × 60 canvas.
    fn pixels(text: &str, at: (f64, f64)) -> Vec<u8> {
        let (w, h) = (300u32, 60u32);
        let mut buffer = vec![255u8; (w * h * 3) as usize];
        {
            let area = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
            let t = Type {
                size: 13.0,
                bold: true,
                color: BLACK,
            };
            draw(&area, text, at, t, Align::Left, Baseline::Top, true).unwrap();
            area.present().unwrap();
        }
        buffer
    }

    #[test]
    fn a_glyph_drawn_again_elsewhere_is_the_same_glyph_moved() {
        // whole pixels apart: the same pixels, moved
        let row = 300 * 3;
        let differing = |a: &[u8], b: &[u8]| a.iter().zip(b).filter(|(x, y)| x != y).count();
        for glyph in ["≥", "g", "W"] {
            let here = pixels(glyph, (20.25, 20.5));
            assert!(here.iter().any(|&v| v < 128), "{glyph} drawn");
            let right_down = pixels(glyph, (57.25, 31.5));
            let shift = 11 * row + 37 * 3;
            assert_eq!(
                differing(&here[..here.len() - shift], &right_down[shift..]),
                0
            );
            let up_left = pixels(glyph, (3.25, 9.5));
            let shift = 11 * row + 17 * 3;
            assert_eq!(
                differing(&here[shift..], &up_left[..up_left.len() - shift]),
                0
            );
            // half a pixel apart: drawn differently (anti-aliased at the new place)
            assert!(differing(&here, &pixels(glyph, (20.75, 20.5))) > 0);
        }
    }

    #[test]
    fn letters_of_a_word_sit_closer_than_words() {
        // plotters' own bitmap text broke "minutes" into "min utes".
        for size in [11.0, 13.0, 15.0, 22.0] {
            let word = widest_gap(&columns("minutes", size));
            let words = widest_gap(&columns("run start", size));
            assert!(
                word < words,
                "size {size}: gap in a word {word}, between words {words}"
            );
            assert!(
                (word as f64) <= size * 0.2,
                "size {size}: {word} px inside \"minutes\""
            );
        }
    }

    #[test]
    fn width_follows_advances_and_kerning() {
        let t = Type {
            size: 20.0,
            bold: false,
            color: BLACK,
        };
        let (a, b) = (width("AV", t), width("A", t) + width("V", t));
        assert!(a < b, "AV is kerned: {a} vs {b}");
        assert!(
            (width("minutes", t) - 72.0).abs() < 12.0,
            "{}",
            width("minutes", t)
        );
        let drawn = columns("minutes", 20.0);
        let inked =
            drawn.iter().rposition(|c| *c).unwrap() - drawn.iter().position(|c| *c).unwrap();
        assert!(
            (inked as f64 - width("minutes", t)).abs() < 4.0,
            "{inked} drawn vs {} measured",
            width("minutes", t)
        );
    }
}
