//! The embedded DejaVu Sans font: registering it with plotters, deciding which text it can draw,
//! and measuring text for layout.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, ScaleFont};
use plotters::style::{register_font, FontStyle};

use super::PlotError;

/// Family name the charts ask plotters for; SVG viewers read it as their own sans-serif font.
pub(crate) const FAMILY: &str = "sans-serif";

/// The parsed regular face, for glyph look-ups and widths.
fn regular() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(dejavu::sans::regular()).ok())
        .as_ref()
}

/// Registers the embedded regular and bold faces with plotters, once per process.
pub(crate) fn register() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    ok.then_some(()).ok_or(PlotError::Font)
}

/// Whether the embedded font has a glyph for every character of `text` (no missing-glyph boxes).
pub(crate) fn can_draw(text: &str) -> bool {
    regular().is_some_and(|font| text.chars().all(|c| font.glyph_id(c).0 != 0))
}

/// Estimated width in pixels of `text` at font size `size`; a character the font lacks
/// (e.g. CJK, drawn by the SVG viewer's own font) counts as one full em.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    let Some(font) = regular() else {
        return size * text.chars().count() as f64;
    };
    let scaled = font.as_scaled(size as f32);
    text.chars()
        .map(|c| match font.glyph_id(c) {
            id if id.0 == 0 => size,
            id => f64::from(scaled.h_advance(id)),
        })
        .sum()
}

/// Splits `text` at spaces into lines no wider than `max_width` pixels at font size `size`.
pub(crate) fn wrap(text: &str, max_width: f64, size: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), size) <= max_width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_and_punctuation_are_drawable_cjk_is_not() {
        assert!(can_draw("Zhongyuan – P(shortfall) ≥ 0.5, 90% range"));
        assert!(!can_draw("中原区"));
        assert!(!can_draw("Zhongyuan 中原区"));
    }

    #[test]
    fn wrap_keeps_lines_within_width() {
        let lines = wrap("one two three four five six seven eight", 80.0, 14.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, 14.0) <= 80.0));
        assert_eq!(lines.join(" "), "one two three four five six seven eight");
    }
}
