//! Colours: the ordered, colour-blind-safe scale for probabilities and the warning-level colours.

use plotters::style::RGBColor;

use super::data::Warning;

/// ColorBrewer YlGnBu, light (0) to dark (1): ordered in lightness, so readable in grey scale and
/// by colour-blind readers, and free of the reds and oranges used for warnings.
const YL_GN_BU: [(u8, u8, u8); 9] = [
    (255, 255, 217),
    (237, 248, 177),
    (199, 233, 180),
    (127, 205, 187),
    (65, 182, 196),
    (29, 145, 192),
    (34, 94, 168),
    (37, 52, 148),
    (8, 29, 88),
];

/// Fill for cells and districts without data.
pub(crate) const NO_DATA: RGBColor = RGBColor(205, 205, 205);

/// The colour of probability `p` on the fixed 0–1 scale.
pub(crate) fn probability(p: f64) -> RGBColor {
    let x = p.clamp(0.0, 1.0) * (YL_GN_BU.len() - 1) as f64;
    let i = (x.floor() as usize).min(YL_GN_BU.len() - 2);
    let t = x - i as f64;
    let (a, b) = (YL_GN_BU[i], YL_GN_BU[i + 1]);
    let mix = |u: u8, v: u8| (f64::from(u) + t * (f64::from(v) - f64::from(u))).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Black or white, whichever reads better on `background`.
pub(crate) fn ink_on(background: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = background;
    let luma = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if luma > 140.0 {
        RGBColor(0, 0, 0)
    } else {
        RGBColor(255, 255, 255)
    }
}

/// The colour of a warning level, as in a 学位预警 early-warning system.
pub(crate) fn warning(level: Warning) -> RGBColor {
    match level {
        Warning::Red => RGBColor(204, 20, 20),
        Warning::Amber => RGBColor(245, 160, 0),
        Warning::Green => RGBColor(40, 140, 70),
        Warning::Observed => RGBColor(130, 130, 130),
    }
}

/// The colour as `#rrggbb` for HTML.
pub(crate) fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_scale_darkens_monotonically_from_0_to_1() {
        let luma = |c: RGBColor| 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
        let steps: Vec<f64> = (0..=20)
            .map(|i| luma(probability(i as f64 / 20.0)))
            .collect();
        assert!(steps.windows(2).all(|w| w[1] < w[0]));
        assert_eq!(probability(-1.0), probability(0.0));
        assert_eq!(probability(2.0), RGBColor(8, 29, 88));
    }
}
