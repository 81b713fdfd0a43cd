//! Piecewise-linear paths over years (`{ 2020 = 1.0, 2025 = 0.72 }`).

use super::Year;

/// A value that varies by year: linear between the given years, constant beyond them.
#[derive(Debug, Clone, PartialEq)]
pub struct YearPath {
    /// Knots sorted by year, at least one, years distinct.
    knots: Vec<(Year, f64)>,
}

impl YearPath {
    /// A path that is `value` in every year.
    pub fn constant(value: f64) -> Self {
        Self {
            knots: vec![(Year(0), value)],
        }
    }

    /// A path through `knots`; the caller has checked they are non-empty, finite and distinct.
    pub(crate) fn from_knots(mut knots: Vec<(Year, f64)>) -> Self {
        debug_assert!(!knots.is_empty());
        knots.sort_by_key(|&(y, _)| y);
        Self { knots }
    }

    /// Position of the knot of `year` (`Year(0)` for a constant path), if there is one.
    pub fn knot(&self, year: Year) -> Option<usize> {
        self.knots.iter().position(|&(y, _)| y == year)
    }

    /// Sets the value of knot number `i` (an uncertain input's draw, DESIGN §2.6).
    pub fn set_knot(&mut self, i: usize, value: f64) {
        self.knots[i].1 = value;
    }

    /// The value in `year`.
    pub fn at(&self, year: Year) -> f64 {
        let k = &self.knots;
        let i = k.partition_point(|&(y, _)| y <= year);
        match i {
            0 => k[0].1,
            i if i == k.len() => k[i - 1].1,
            i => {
                let ((y0, v0), (y1, v1)) = (k[i - 1], k[i]);
                let w = f64::from(year.0 - y0.0) / f64::from(y1.0 - y0.0);
                v0 + w * (v1 - v0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_knots_and_holds_beyond() {
        let p = YearPath::from_knots(vec![
            (Year(2025), 0.72),
            (Year(2020), 1.0),
            (Year(2022), 0.8),
        ]);
        assert_eq!(p.at(Year(2019)), 1.0);
        assert_eq!(p.at(Year(2020)), 1.0);
        assert!((p.at(Year(2021)) - 0.9).abs() < 1e-12);
        assert_eq!(p.at(Year(2022)), 0.8);
        assert!((p.at(Year(2024)) - (0.8 - 2.0 * 0.08 / 3.0)).abs() < 1e-12);
        assert_eq!(p.at(Year(2040)), 0.72);
        assert_eq!(YearPath::constant(0.3).at(Year(1990)), 0.3);
    }
}
