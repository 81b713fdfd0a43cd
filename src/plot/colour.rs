//! Colours: the ordered scale for probabilities (light yellow for no risk, through orange, to
//! dark red for certain risk) and the warning-level colours.

use plotters::style::RGBColor;

use super::data::Warning;

/// ColorBrewer YlOrRd, light (0) to dark red (1): a planner reads red as risk, and the scale is
/// ordered in lightness, so it stays readable in grey scale and by colour-blind readers.
const YL_OR_RD: [(u8, u8, u8); 9] = [
    (255, 255, 204),
    (255, 237, 160),
    (254, 217, 118),
    (254, 178, 76),
    (253, 141, 60),
    (252, 78, 42),
    (227, 26, 28),
    (189, 0, 38),
    (128, 0, 38),
];

/// Fill for cells and districts without data.
pub(crate) const NO_DATA: RGBColor = RGBColor(205, 205, 205);

/// The colour of probability `p` on the fixed 0–1 scale.
pub(crate) fn probability(p: f64) -> RGBColor {
    let x = p.clamp(0.0, 1.0) * (YL_OR_RD.len() - 1) as f64;
    let i = (x.floor() as usize).min(YL_OR_RD.len() - 2);
    let t = x - i as f64;
    let (a, b) = (YL_OR_RD[i], YL_OR_RD[i + 1]);
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
    fn probability_scale_darkens_monotonically_from_0_to_1_and_runs_to_red() {
        let luma = |c: RGBColor| 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
        let colours: Vec<RGBColor> = (0..=20).map(|i| probability(i as f64 / 20.0)).collect();
        let steps: Vec<f64> = colours.iter().map(|&c| luma(c)).collect();
        assert!(steps.windows(2).all(|w| w[1] < w[0]), "{steps:?}");
        // Warm all along (red the strongest channel: yellow, orange, red; never blue or navy),
        // green draining away, and red alone over the top quarter.
        assert!(colours.iter().all(|c| c.0 >= c.1.max(c.2)), "{colours:?}");
        assert!(colours.windows(2).all(|w| w[1].1 <= w[0].1), "{colours:?}");
        for c in &colours[15..] {
            let (r, g, b) = (u16::from(c.0), u16::from(c.1), u16::from(c.2));
            assert!(r > 2 * g.max(b), "{c:?} is not red");
        }
        assert_eq!(probability(-1.0), probability(0.0));
        assert_eq!(probability(2.0), RGBColor(128, 0, 38));
    }
}
