//! GeoJSON district maps: the Polygon and MultiPolygon features of a FeatureCollection, parsed
//! once for checking a scenario's `[data] map` and again, from the run's copy, for drawing it.

use serde_json::Value;

/// A point: longitude and latitude on reading, pixels after projection.
pub type Point = (f64, f64);
/// Polygons, each a list of rings (the first is the outline, the rest are holes).
pub type Shape = Vec<Vec<Vec<Point>>>;

/// One feature of the map.
#[derive(Debug, Clone)]
pub struct Feature {
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

/// The features of the GeoJSON FeatureCollection `text`, or what keeps them from being drawn.
pub fn parse(text: &str) -> Result<Vec<Feature>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
