//! Drawing primitives shared by the charts: text styles, titles, wrapped notes, legends, the
//! probability colour bar, warning badges and functional-zone markers.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colour;
use super::data::Warning;
use super::font::{text_width, wrap, FAMILY};
use super::labels::percent;
use super::output::DrawResult;

/// Body text size in pixels.
pub(crate) const TEXT: f64 = 16.0;
/// Dark grey for secondary text and axes.
pub(crate) const GREY: RGBColor = RGBColor(90, 90, 90);

/// A text style of `size` pixels in `colour`, anchored at `h`/`v`.
pub(crate) fn style(size: f64, colour: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    face(size, FontStyle::Normal, colour, Pos::new(h, v))
}

/// The bold version of [`style`].
pub(crate) fn bold(size: f64, colour: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    face(size, FontStyle::Bold, colour, Pos::new(h, v))
}

/// A text style of the embedded family.
fn face(size: f64, weight: FontStyle, colour: RGBColor, pos: Pos) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size, weight).into_font(),
        color: colour.to_backend_color(),
        pos,
    }
}

/// Draws `text` at `at` (pixels in `area`).
pub(crate) fn text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    style: &TextStyle,
) -> DrawResult<DB> {
    area.draw(&Text::new(text.to_string(), at, style.clone()))
}

/// Draws a bold title and a grey subtitle at the top left of `area`.
pub(crate) fn title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> DrawResult<DB> {
    let width = f64::from(area.dim_in_pixel().0) - 40.0;
    let size = fit(title, width * 0.88, 24.0);
    text(
        area,
        title,
        (20, 14),
        &bold(size, BLACK, HPos::Left, VPos::Top),
    )?;
    paragraph(area, subtitle, (20, 48), width, TEXT, GREY).map(drop)
}

/// The largest font size up to `size` at which `text` fits in `width` pixels (at least 10).
pub(crate) fn fit(text: &str, width: f64, size: f64) -> f64 {
    let full = text_width(text, size);
    if full <= width {
        size
    } else {
        (size * width / full).max(10.0)
    }
}

/// Draws `body` wrapped to `width` pixels from `at` downwards; returns the y below it.
pub(crate) fn paragraph<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    body: &str,
    at: (i32, i32),
    width: f64,
    size: f64,
    colour: RGBColor,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let line_height = (size * 1.3).round() as i32;
    let mut y = at.1;
    for line in wrap(body, width, size) {
        text(
            area,
            &line,
            (at.0, y),
            &style(size, colour, HPos::Left, VPos::Top),
        )?;
        y += line_height;
    }
    Ok(y)
}

/// The symbol of a legend entry.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key {
    /// A filled box, for bands and areas.
    Fill(RGBAColor),
    /// A line of the given width.
    Line(RGBColor, u32),
    /// A warning badge.
    Badge(Warning),
    /// A functional-zone circle.
    Zone(RGBColor),
    /// No symbol: a note.
    Note,
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The symbol.
    pub key: Key,
    /// The explanation, wrapped to the legend's width.
    pub text: String,
}

impl Item {
    /// An entry with symbol `key` and explanation `text`.
    pub fn new(key: Key, text: impl Into<String>) -> Item {
        Item {
            key,
            text: text.into(),
        }
    }
}

/// Draws legend `items` in a column `width` pixels wide from `at`; returns the y below them.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[Item],
    at: (i32, i32),
    width: f64,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let (x, mut y) = at;
    for item in items {
        let indent = match item.key {
            Key::Note => 0,
            _ => 40,
        };
        symbol(area, item.key, (x, y + 10))?;
        let colour = match item.key {
            Key::Note => GREY,
            _ => BLACK,
        };
        y = paragraph(
            area,
            &item.text,
            (x + indent, y),
            width - f64::from(indent),
            TEXT,
            colour,
        )?;
        y += 10;
    }
    Ok(y)
}

/// Draws the symbol of `key` with its left edge at `at.0`, centred vertically on `at.1`.
fn symbol<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    key: Key,
    at: (i32, i32),
) -> DrawResult<DB> {
    let (x, y) = at;
    match key {
        Key::Fill(c) => area.draw(&Rectangle::new([(x, y - 8), (x + 30, y + 8)], c.filled())),
        Key::Line(c, w) => area.draw(&PathElement::new(
            vec![(x, y), (x + 30, y)],
            c.stroke_width(w),
        )),
        Key::Badge(level) => badge(area, (x + 15, y), level),
        Key::Zone(c) => zone_marker(area, (x + 15, y), 10, c),
        Key::Note => Ok(()),
    }
}

/// Draws a vertical colour bar for probabilities 0–100% with `heading` above it; returns the y
/// below it.
pub(crate) fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: &str,
    at: (i32, i32),
    width: f64,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let (x, top) = at;
    let top = paragraph(area, heading, (x, top), width, TEXT, BLACK)? + 8;
    let height = 200;
    for i in 0..height {
        let p = 1.0 - f64::from(i) / f64::from(height - 1);
        let fill = colour::probability(p).filled();
        area.draw(&Rectangle::new([(x, top + i), (x + 28, top + i + 1)], fill))?;
    }
    area.draw(&Rectangle::new([(x, top), (x + 28, top + height)], GREY))?;
    for step in 0..=5 {
        let p = f64::from(step) / 5.0;
        let y = top + ((1.0 - p) * f64::from(height - 1)).round() as i32;
        area.draw(&PathElement::new(vec![(x + 28, y), (x + 34, y)], GREY))?;
        let label = style(TEXT, BLACK, HPos::Left, VPos::Center);
        text(area, &percent(p), (x + 38, y), &label)?;
    }
    Ok(top + height + 16)
}

/// Draws a warning badge centred at `at`: a circle in the level's colour with its initial.
pub(crate) fn badge<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    level: Warning,
) -> DrawResult<DB> {
    let fill = colour::warning(level);
    area.draw(&Circle::new(at, 9, fill.filled()))?;
    area.draw(&Circle::new(at, 9, BLACK.stroke_width(1)))?;
    let letter = match level {
        Warning::Red => "R",
        Warning::Amber => "A",
        Warning::Green => "G",
        Warning::Observed => "O",
    };
    let ink = colour::ink_on(fill);
    text(
        area,
        letter,
        (at.0, at.1 + 1),
        &bold(13.0, ink, HPos::Center, VPos::Center),
    )
}

/// Draws a functional zone: a circle of `radius` filled with `fill`, ringed in white and black.
pub(crate) fn zone_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    radius: i32,
    fill: RGBColor,
) -> DrawResult<DB> {
    area.draw(&Circle::new(at, radius + 4, BLACK.filled()))?;
    area.draw(&Circle::new(at, radius + 2, WHITE.filled()))?;
    area.draw(&Circle::new(at, radius, fill.filled()))
}
