//! The scenario's district map (`[data] map`): read once at load, checked to be a GeoJSON
//! FeatureCollection that the charts can draw, and covered by the scenario's SHA-256, so that
//! the map a run copies into its folder is the one it was checked and fingerprinted with,
//! however the file changes during the run.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ScenarioError;

/// A district map: where it was read from and its contents as read at load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapFile {
    /// The file named by `[data] map`.
    pub path: PathBuf,
    /// Its bytes, read once at load.
    pub bytes: Vec<u8>,
    /// How many features it has (at least one).
    pub features: usize,
    /// The keys each feature answers to (adcode, id, name), for checking `map_feature`.
    pub keys: Vec<Vec<String>>,
}

impl MapFile {
    /// Whether some feature answers to `key`.
    pub fn has_feature(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k.iter().any(|k| k == key))
    }
}

/// Reads and checks the map at `path`, if the scenario names one, adding its bytes to `hasher`.
pub(super) fn read(
    path: Option<&Path>,
    hasher: &mut Sha256,
) -> Result<Option<MapFile>, ScenarioError> {
    let Some(path) = path else {
        return Ok(None);
    };
    let refuse = |message: String| ScenarioError::in_file(path, message);
    let bytes =
        std::fs::read(path).map_err(|e| refuse(format!("cannot read the map file: {e}")))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        refuse(format!(
            "[data] map: not UTF-8 text ({e}); expected GeoJSON"
        ))
    })?;
    let keys: Vec<Vec<String>> = super::geojson::parse(text)
        .map(|f| f.into_iter().map(|f| f.keys).collect())
        .map_err(|m| {
            refuse(format!(
                "[data] map: not a GeoJSON map the charts can draw: {m}"
            ))
        })?;
    hasher.update(&bytes);
    Ok(Some(MapFile {
        path: path.to_path_buf(),
        bytes,
        features: keys.len(),
        keys,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Option<MapFile>, ScenarioError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("map.geojson");
        std::fs::write(&path, text).unwrap();
        read(Some(&path), &mut Sha256::new())
    }

    #[test]
    fn a_map_that_is_not_json_or_has_no_features_is_refused() {
        let err = check("<svg/>").unwrap_err().to_string();
        assert!(
            err.contains("map.geojson: [data] map: not a GeoJSON map"),
            "{err}"
        );
        assert!(err.contains("not JSON"), "{err}");
        let err = check(r#"{"type":"FeatureCollection","features":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no features"), "{err}");
    }

    #[test]
    fn a_good_map_is_kept_as_read() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
            "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
        let map = check(text).unwrap().unwrap();
        assert_eq!(map.bytes, text.as_bytes());
        assert_eq!(map.features, 1);
    }
}
