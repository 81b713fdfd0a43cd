//! A PNG backend that draws text itself, from [`super::font::layout`]: each glyph at its own
//! bearing (plotters' own drawing drops it, so "Jinshui" read "Jnshui") and each character from
//! the embedded face that has it, Chinese included. Everything else goes to the inner backend.

use ab_glyph::Font;
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
};

use super::font::layout;

/// Height of a line of text at font size `size`, as plotters measures it.
fn line_height(size: f64) -> f64 {
    size / 1.24
}

/// A backend whose text is drawn by seatsim's own layout.
pub(crate) struct Glyphs<B>(pub B);

impl<B: DrawingBackend> DrawingBackend for Glyphs<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let (_, width) = layout(text, style.size(), is_bold(style));
        Ok((width as u32, line_height(style.size()) as u32))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let size = style.size();
        let (placed, width) = layout(text, size, is_bold(style));
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Right => -width,
            HPos::Center => -width / 2.0,
        };
        // The baseline where plotters' SVG backend puts it (dy 0.76em, 0.5ex, −0.5ex with its
        // font size of size / 1.24), so that a PNG lays out like its SVG; plotters' own PNG
        // text sits higher and Chinese glyphs then rose out of their label boxes.
        let em = line_height(size);
        let (ox, oy) = match anchor.v_pos {
            VPos::Top => (dx, 0.76 * em),
            VPos::Center => (dx, 0.25 * em),
            VPos::Bottom => (dx, -0.25 * em),
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        let mut pixels = Vec::new();
        for p in &placed {
            let Some(outline) = p.face.outline_glyph(p.glyph.clone()) else {
                continue;
            };
            let bounds = outline.px_bounds();
            outline.draw(|x, y, coverage| {
                let gx = (f64::from(bounds.min.x) + f64::from(x) + ox).round() as i32;
                let gy = (f64::from(bounds.min.y) + f64::from(y) + oy).round() as i32;
                pixels.push((transform.transform(gx, gy), coverage));
            });
        }
        for ((x, y), coverage) in pixels {
            let (x, y) = (pos.0 + x, pos.1 + y);
            if coverage > 0.0 && x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                let alpha = color.alpha * f64::from(coverage.min(1.0));
                self.0.draw_pixel(
                    (x, y),
                    BackendColor {
                        alpha,
                        rgb: color.rgb,
                    },
                )?;
            }
        }
        Ok(())
    }
}

/// Whether a text style asks for the bold face.
fn is_bold<S: BackendTextStyle>(style: &S) -> bool {
    matches!(style.style(), FontStyle::Bold)
}

#[cfg(test)]
mod tests {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};

    use super::*;
    use crate::plot::font::{register, FAMILY};

    /// `text` drawn black on white at size 40 in a 200 × 60 image, as RGB bytes.
    fn render(text: &str) -> Vec<u8> {
        register().unwrap();
        let mut buffer = vec![255u8; 200 * 60 * 3];
        {
            let root =
                Glyphs(BitMapBackend::with_buffer(&mut buffer, (200, 60))).into_drawing_area();
            let style = TextStyle::from((FAMILY, 40.0).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Top));
            root.draw(&Text::new(text.to_string(), (10, 10), style))
                .unwrap();
            root.present().unwrap();
        }
        buffer
    }

    /// Pixels darker than mid-grey.
    fn ink(image: &[u8]) -> usize {
        image.chunks(3).filter(|p| p[0] < 128).count()
    }

    #[test]
    fn cjk_glyphs_are_drawn_not_left_blank_nor_as_missing_glyph_boxes() {
        let (jia, yi, zhong) = (render("甲"), render("乙"), render("中"));
        let missing = render("東"); // in no scenario: not in the subset
        for (name, image) in [("甲", &jia), ("乙", &yi), ("中", &zhong)] {
            assert!(ink(image) > 100, "{name} is drawn");
            assert!(image != &missing, "{name} is not the missing-glyph box");
        }
        assert!(jia != yi && yi != zhong, "each character has its own glyph");
    }

    #[test]
    fn each_glyph_keeps_its_bearing_so_narrow_letters_sit_where_the_font_puts_them() {
        // The pixels "Ji" has and "J" lacks are the "i": its first column is where its outline
        // starts (pen position + left bearing), which plotters' own drawing misses by the bearing.
        let (ji, j) = (render("Ji"), render("J"));
        let first_column = (0..ji.len() / 3)
            .filter(|&i| ji[i * 3] < 128 && j[i * 3] >= 128)
            .map(|i| i % 200)
            .min()
            .unwrap();
        let (placed, _) = layout("Ji", 40.0, false);
        let i = &placed[1];
        let outline = i.face.outline_glyph(i.glyph.clone()).unwrap();
        let expected = 10.0 + f64::from(outline.px_bounds().min.x);
        assert!(
            (first_column as f64 - expected).abs() <= 1.0,
            "{first_column} vs {expected}"
        );
    }
}
