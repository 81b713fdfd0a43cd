//! District boundaries from a GeoJSON file (`map.geojson`): reading Polygon and MultiPolygon
//! features, projecting them to pixels, and finding points inside them.

use std::path::Path;

use serde_json::Value;

use super::PlotError;

/// A point: longitude and latitude on reading, pixels after projection.
pub(crate) type Point = (f64, f64);
/// Polygons, each a list of rings (the first is the outline, the rest are holes).
pub(crate) type Shape = Vec<Vec<Vec<Point>>>;

/// One feature of the map.
#[derive(Debug, Clone)]
pub(crate) struct Feature {
    /// Strings a district's `map_feature` may match: `properties.adcode`, the feature `id`,
    /// `properties.name`.
    pub keys: Vec<String>,
    /// `properties.name`, if any.
    pub name: Option<String>,
    /// The boundary.
    pub shape: Shape,
    /// A suggested label point (`properties.centroid` or `center`), if any.
    pub hint: Option<Point>,
}

impl Feature {
    /// Whether `key` names this feature.
    pub fn matches(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }
}

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

/// The features of the GeoJSON FeatureCollection `text`, or what keeps them from being drawn.
pub(crate) fn parse(text: &str) -> Result<Vec<Feature>, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let features = json["features"]
        .as_array()
        .ok_or("no `features` array: not a GeoJSON FeatureCollection")?;
    let features: Vec<Feature> = features
        .iter()
        .enumerate()
        .map(|(i, f)| feature(f).map_err(|m| format!("feature {i}: {m}")))
        .collect::<Result<_, _>>()?;
    if features.is_empty() {
        return Err("has no features".into());
    }
    Ok(features)
}

/// One GeoJSON feature.
fn feature(f: &Value) -> Result<Feature, String> {
    let props = &f["properties"];
    let name = props["name"].as_str().map(str::to_string);
    let keys = [&props["adcode"], &f["id"], &props["name"]]
        .into_iter()
        .filter_map(scalar_text)
        .collect();
    let geometry = &f["geometry"];
    let coordinates = &geometry["coordinates"];
    let shape = match geometry["type"].as_str() {
        Some("Polygon") => vec![polygon(coordinates)?],
        Some("MultiPolygon") => array(coordinates)?
            .iter()
            .map(polygon)
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "geometry type {other:?}: expected Polygon or MultiPolygon"
            ))
        }
    };
    let hint = [&props["centroid"], &props["center"]]
        .into_iter()
        .find_map(|v| position(v).ok());
    Ok(Feature {
        keys,
        name,
        shape,
        hint,
    })
}

/// A JSON string or number as text.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON array, or an error.
fn array(v: &Value) -> Result<&Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("expected an array of coordinates, found {v}"))
}

/// A polygon: a non-empty array of rings of at least three positions each.
fn polygon(v: &Value) -> Result<Vec<Vec<Point>>, String> {
    let rings: Vec<Vec<Point>> = array(v)?
        .iter()
        .map(|ring| array(ring)?.iter().map(position).collect())
        .collect::<Result<_, String>>()?;
    match rings.iter().find(|r| r.len() < 3) {
        _ if rings.is_empty() => Err("a polygon without rings".to_string()),
        Some(r) => Err(format!("a ring of {} positions: needs at least 3", r.len())),
        None => Ok(rings),
    }
}

/// A `[longitude, latitude, …]` position.
fn position(v: &Value) -> Result<Point, String> {
    match v.as_array().map(Vec::as_slice) {
        Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok((x, y)),
            _ => Err(format!("position {v} is not two numbers")),
        },
        _ => Err(format!("position {v} is not [longitude, latitude]")),
    }
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
    fn degenerate_geometry_is_an_error_not_a_panic() {
        let bad = |coordinates: &str| {
            let json = format!(
                r#"{{"properties":{{"adcode":1}},"geometry":{{"type":"Polygon","coordinates":{coordinates}}}}}"#
            );
            feature(&serde_json::from_str(&json).expect("test JSON")).unwrap_err()
        };
        assert!(bad("[]").contains("without rings"));
        assert!(bad("[[]]").contains("0 positions"));
        assert!(bad("[[[1,2],[3]]]").contains("not [longitude, latitude]"));
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
