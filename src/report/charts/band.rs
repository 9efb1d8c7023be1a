//! Tall PNG charts painted a band of rows at a time: only one band's pixels are held, and
//! the pixels are those of the whole canvas drawn at once.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, DrawingErrorKind};

use super::{paint, png, with_pixels, write_chart, write_error, Look};
use crate::error::Result;

/// A PNG chart painted band by band, top to bottom: `bands` are the bands' heights and
/// `width` the chart's (logical units, whole pixels at `scale`), and `draw(area, look, i)`
/// draws what lies in band `i`, in the whole chart's coordinates ([`Band`]). Only one
/// band's pixels are held, in the buffer of the chart this thread drew before: a tall chart
/// (the overview of many metrics) neither faults in nor clears a canvas of its whole size.
pub fn paint_bands(
    path: &Path,
    width: f64,
    bands: &[f64],
    scale: f64,
    draw: impl Fn(&DrawingArea<Band<'_>, Shift>, Look, usize) -> Result<(), String>,
) -> Result<()> {
    let fail = |e| write_error(path, e);
    let w = (width * scale).round() as u32;
    let heights: Vec<u32> = bands.iter().map(|h| (h * scale).round() as u32).collect();
    let size = (w, heights.iter().sum());
    let mut rows = png::Rows::new(size).map_err(fail)?;
    let mut top = 0;
    for (i, &h) in heights.iter().enumerate() {
        with_pixels(w as usize * h as usize * 3, |pixels| {
            {
                let band = Band {
                    pixels: BitMapBackend::with_buffer(pixels, (w, h)),
                    top: top as i32,
                    size,
                };
                let area = band.into_drawing_area();
                let look = Look {
                    scale,
                    raster: true,
                };
                paint(path, &area, || draw(&area, look, i))?;
            }
            rows.push(pixels).map_err(fail)
        })?;
        top += h;
    }
    write_chart(path, |out| rows.finish(out))
}

/// Rows `top..` of a taller canvas of `size`: drawn on in the whole canvas's coordinates,
/// it keeps what falls in its rows. The bitmap backend's own ways of drawing (spans and
/// rectangles filled directly, bitmaps copied) are used moved up by `top`, whole pixels;
/// everything else is rasterized against the whole canvas, as on it, pixel by pixel. So a
/// band holds exactly the pixels of the canvas drawn at once.
pub struct Band<'a> {
    pixels: BitMapBackend<'a>,
    top: i32,
    size: (u32, u32),
}

impl Band<'_> {
    fn moved(&self, (x, y): BackendCoord) -> BackendCoord {
        (x, y - self.top)
    }
}

type BandError<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

impl<'a> DrawingBackend for Band<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> std::result::Result<(), BandError<'a>> {
        self.pixels.ensure_prepared()
    }

    fn present(&mut self) -> std::result::Result<(), BandError<'a>> {
        self.pixels.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> std::result::Result<(), BandError<'a>> {
        let point = self.moved(point);
        self.pixels.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> std::result::Result<(), BandError<'a>> {
        // the spans the bitmap backend fills directly; other lines pixel by pixel
        if (from.0 == to.0 || from.1 == to.1) && style.stroke_width() == 1 {
            let (from, to) = (self.moved(from), self.moved(to));
            self.pixels.draw_line(from, to, style)
        } else {
            plotters_backend::rasterizer::draw_line(self, from, to, style)
        }
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> std::result::Result<(), BandError<'a>> {
        if fill {
            let (upper_left, bottom_right) = (self.moved(upper_left), self.moved(bottom_right));
            self.pixels.draw_rect(upper_left, bottom_right, style, true)
        } else {
            plotters_backend::rasterizer::draw_rect(self, upper_left, bottom_right, style, false)
        }
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> std::result::Result<(), BandError<'a>> {
        let pos = self.moved(pos);
        self.pixels.blit_bitmap(pos, size, src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::lettering::{self, Align, Baseline};
    use crate::report::charts::{describe, write_png, INK};

    /// Shapes of every kind the charts draw, several across the rows 40 and 70 where the
    /// bands of the test below meet.
    fn shapes<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, look: Look) -> Result<(), String> {
        let shade = |c: RGBColor, a: f64| ShapeStyle::from(&c.mix(a)).filled();
        let drawn = [
            area.draw(&Rectangle::new([(10, 30), (60, 80)], shade(BLUE, 1.0))),
            area.draw(&Rectangle::new([(40, 35), (90, 75)], shade(RED, 0.4))),
            area.draw(&Rectangle::new([(5, 38), (95, 72)], BLACK)),
            area.draw(&PathElement::new(vec![(3, 3), (97, 107)], GREEN)),
            area.draw(&PathElement::new(vec![(0, 66), (99, 44)], RED.mix(0.6))),
            area.draw(&PathElement::new(vec![(50, 0), (50, 109)], BLUE.mix(0.5))),
            area.draw(&PathElement::new(
                vec![(5, 90), (30, 20), (70, 100), (95, 10)],
                ShapeStyle::from(&BLACK).stroke_width(3),
            )),
            area.draw(&Circle::new((70, 55), 20, shade(GREEN, 0.5))),
            area.draw(&Circle::new((30, 55), 17, BLUE)),
        ];
        drawn.into_iter().try_for_each(|d| d.map_err(describe))?;
        let ink = look.text(15.0, true, INK);
        look.write(
            area,
            "Band 70 ms",
            (8.0, 62.5),
            ink,
            Align::Left,
            Baseline::Middle,
        )
    }

    #[test]
    fn a_chart_painted_in_bands_is_the_chart_painted_at_once() {
        lettering::register();
        let dir = std::env::temp_dir().join(format!("benchcmp-bands-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let look = Look {
            scale: 1.0,
            raster: true,
        };
        let (w, h) = (100u32, 110u32);
        let mut pixels = vec![0u8; (w * h * 3) as usize];
        let at_once = dir.join("at-once.png");
        {
            let area = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
            paint(&at_once, &area, || shapes(&area, look)).unwrap();
        }
        write_png(&at_once, (w, h), &pixels).unwrap();
        let in_bands = dir.join("in-bands.png");
        // every shape in every band: what falls outside a band is left out of it
        paint_bands(
            &in_bands,
            100.0,
            &[40.0, 30.0, 40.0],
            1.0,
            |area, look, _| shapes(area, look),
        )
        .unwrap();
        let (once, bands) = (
            std::fs::read(at_once).unwrap(),
            std::fs::read(in_bands).unwrap(),
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(once == bands, "the files differ");
        // and the drawing is there: not a blank image on both sides
        assert!(pixels.iter().filter(|b| **b != 255).count() > 1000);
    }
}
