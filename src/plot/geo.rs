//! District boundaries from a run's `map.geojson` (parsed as the scenario checked it):
//! projecting them to pixels, and finding points inside them.

use std::path::Path;

use crate::scenario::geojson::parse;
pub(crate) use crate::scenario::geojson::{Feature, Point, Shape};

use super::PlotError;

/// Reads the features of a GeoJSON FeatureCollection.
pub(crate) fn read(path: &Path) -> Result<Vec<Feature>, PlotError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlotError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|message| PlotError::Invalid {
        path: path.to_path_buf(),
        line: None,
        message,
    })
}

/// Maps longitude/latitude into a pixel rectangle, keeping shapes true (equirectangular at the
/// map's mid latitude, which is close enough for a city).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Projection {
    stretch: f64,
    scale: f64,
    origin: Point,
    offset: Point,
}

impl Projection {
    /// The projection that fits all `features` into `(x, y, width, height)`.
    pub fn fit(features: &[Feature], rect: (f64, f64, f64, f64)) -> Projection {
        let e = Extent::of(features);
        let (w, h) = (e.width(), e.height());
        let scale = (rect.2 / w).min(rect.3 / h);
        let offset = (
            rect.0 + (rect.2 - w * scale) / 2.0,
            rect.1 + (rect.3 - h * scale) / 2.0,
        );
        Projection {
            stretch: e.stretch,
            scale,
            origin: (e.x.0, e.y.1),
            offset,
        }
    }

    /// The pixel position of a longitude/latitude.
    pub fn point(&self, (lon, lat): Point) -> Point {
        (
            self.offset.0 + (lon * self.stretch - self.origin.0) * self.scale,
            self.offset.1 + (self.origin.1 - lat) * self.scale,
        )
    }

    /// A shape in pixels.
    pub fn shape(&self, shape: &Shape) -> Shape {
        let ring = |r: &Vec<Point>| r.iter().map(|p| self.point(*p)).collect();
        shape
            .iter()
            .map(|poly| poly.iter().map(ring).collect())
            .collect()
    }
}

/// The bounding box of features after stretching longitudes by the cosine of the mid latitude.
struct Extent {
    stretch: f64,
    x: (f64, f64),
    y: (f64, f64),
}

impl Extent {
    /// The extent of `features`.
    fn of(features: &[Feature]) -> Extent {
        let points = || {
            features
                .iter()
                .flat_map(|f| f.shape.iter().flatten().flatten())
        };
        let y = bounds(points().map(|p| p.1));
        let stretch = ((y.0 + y.1) / 2.0).to_radians().cos().max(0.1);
        let x = bounds(points().map(|p| p.0 * stretch));
        Extent { stretch, x, y }
    }

    /// Width in stretched degrees (never 0).
    fn width(&self) -> f64 {
        (self.x.1 - self.x.0).max(1e-9)
    }

    /// Height in degrees (never 0).
    fn height(&self) -> f64 {
        (self.y.1 - self.y.0).max(1e-9)
    }
}

/// Width over height of the map of `features`, as drawn.
pub(crate) fn aspect(features: &[Feature]) -> f64 {
    let e = Extent::of(features);
    e.width() / e.height()
}

/// Lowest and highest of some numbers (0, 0 for none).
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo <= hi {
        (lo, hi)
    } else {
        (0.0, 0.0)
    }
}

/// Whether `p` is inside `shape` (even–odd rule over all rings, so holes are outside).
pub(crate) fn contains(shape: &Shape, p: Point) -> bool {
    let mut inside = false;
    for ring in shape.iter().flatten() {
        for (a, b) in ring.iter().zip(ring.iter().cycle().skip(1)) {
            if (a.1 > p.1) != (b.1 > p.1) && p.0 < a.0 + (p.1 - a.1) * (b.0 - a.0) / (b.1 - a.1) {
                inside = !inside;
            }
        }
    }
    inside
}

/// The bounding box of a shape: left, top, right, bottom.
pub(crate) fn bbox(shape: &Shape) -> (f64, f64, f64, f64) {
    let points = || shape.iter().flatten().flatten();
    let (x0, x1) = bounds(points().map(|p| p.0));
    let (y0, y1) = bounds(points().map(|p| p.1));
    (x0, y0, x1, y1)
}

/// Area of a ring (shoelace formula, unsigned).
fn ring_area(ring: &[Point]) -> f64 {
    let twice: f64 = ring
        .iter()
        .zip(ring.iter().cycle().skip(1))
        .map(|(a, b)| a.0 * b.1 - b.0 * a.1)
        .sum();
    twice.abs() / 2.0
}

/// Area of a shape's outlines.
pub(crate) fn area(shape: &Shape) -> f64 {
    shape
        .iter()
        .filter_map(|poly| poly.first())
        .map(|r| ring_area(r))
        .sum()
}

/// A point well inside `shape`: `hint` if it is inside, else the middle of the widest
/// horizontal run through the largest polygon.
pub(crate) fn interior_point(shape: &Shape, hint: Option<Point>) -> Point {
    if let Some(h) = hint.filter(|h| contains(shape, *h)) {
        return h;
    }
    let largest = shape
        .iter()
        .filter_map(|poly| poly.first())
        .max_by(|a, b| ring_area(a).total_cmp(&ring_area(b)));
    let Some(ring) = largest else {
        return (0.0, 0.0);
    };
    let (y_lo, y_hi) = bounds(ring.iter().map(|p| p.1));
    (1..10)
        .map(|k| y_lo + (y_hi - y_lo) * f64::from(k) / 10.0)
        .filter_map(|y| widest_run(ring, y))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or_else(|| ring.first().copied().unwrap_or_default(), |(_, p)| p)
}

/// The width and middle of the widest inside run of `ring` along the line at height `y`.
fn widest_run(ring: &[Point], y: f64) -> Option<(f64, Point)> {
    let mut xs: Vec<f64> = ring
        .iter()
        .zip(ring.iter().cycle().skip(1))
        .filter(|(a, b)| (a.1 > y) != (b.1 > y))
        .map(|(a, b)| a.0 + (y - a.1) * (b.0 - a.0) / (b.1 - a.1))
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.chunks_exact(2)
        .map(|pair| (pair[1] - pair[0], ((pair[0] + pair[1]) / 2.0, y)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10 × 10 square with a 4 × 4 hole in the middle.
    fn square_with_hole() -> Shape {
        let outer = vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let hole = vec![(3.0, 3.0), (7.0, 3.0), (7.0, 7.0), (3.0, 7.0)];
        vec![vec![outer, hole]]
    }

    #[test]
    fn holes_are_outside() {
        let s = square_with_hole();
        assert!(contains(&s, (1.0, 1.0)));
        assert!(!contains(&s, (5.0, 5.0)));
        assert!(!contains(&s, (11.0, 5.0)));
    }

    #[test]
    fn interior_point_avoids_hole_and_honours_good_hint() {
        let s = square_with_hole();
        assert!(contains(&s, interior_point(&s, Some((5.0, 5.0)))));
        assert_eq!(interior_point(&s, Some((1.0, 2.0))), (1.0, 2.0));
    }

    #[test]
    fn projection_keeps_aspect_and_flips_north_up() {
        let f = Feature {
            keys: vec![],
            name: None,
            shape: vec![vec![vec![
                (113.0, 34.0),
                (114.0, 34.0),
                (114.0, 35.0),
                (113.0, 35.0),
            ]]],
            hint: None,
        };
        let p = Projection::fit(&[f], (0.0, 0.0, 1000.0, 1000.0));
        let (nw, se) = (p.point((113.0, 35.0)), p.point((114.0, 34.0)));
        assert!(nw.1 < se.1, "north is up");
        let ratio = (se.0 - nw.0) / (se.1 - nw.1);
        assert!((ratio - 34.5f64.to_radians().cos()).abs() < 1e-9);
    }
}
