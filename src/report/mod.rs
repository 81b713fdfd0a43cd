//! Writing a run's results: `summary.csv`, `risk.csv`, `run.json` (and the map it needs), each
//! atomically, and the terminal summary.

mod atomic;
pub mod csv;
mod json;
mod terminal;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use atomic::{create_dir, write_atomic};
pub use json::{RunJson, RunSettings};
pub use terminal::top_risks;

use crate::engine::{Accumulator, Engine};
use crate::Error;

/// Writes every result file of a run into `dir`; returns the paths written.
pub fn write_run(
    dir: &Path,
    engine: &Engine,
    acc: &Accumulator,
    settings: &RunSettings,
) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    let s = engine.scenario();
    let mut written = Vec::new();
    let mut write = |name: &str, fill: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| {
        let path = dir.join(name);
        write_atomic(&path, |w| fill(w))?;
        written.push(path);
        Ok::<_, Error>(())
    };
    write("summary.csv", &|w| {
        csv::write_summary(&mut { w }, engine, acc)
    })?;
    write("risk.csv", &|w| csv::write_risk(&mut { w }, engine, acc))?;
    let mut settings = settings.clone();
    if let Some(map) = &s.map {
        let bytes = std::fs::read(map).map_err(|source| Error::Read {
            path: map.clone(),
            source,
        })?;
        write("map.geojson", &|w| w.write_all(&bytes))?;
        settings.map_copied = true;
    }
    let json =
        serde_json::to_string_pretty(&RunJson::new(s, &settings)).expect("run.json serializes");
    write("run.json", &|w| writeln!(w, "{json}"))?;
    Ok(written)
}
