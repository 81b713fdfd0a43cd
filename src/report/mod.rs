//! Writing a run's results: `summary.csv`, `risk.csv`, `run.json` (and the map it needs), all
//! replaced together (see [`Batch`]), and the terminal summary.

mod atomic;
pub mod csv;
mod json;
mod terminal;
pub mod trials;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use atomic::{create_dir, write_atomic, Batch};
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
    let mut batch = Batch::default();
    batch.stage(&dir.join("summary.csv"), |w| {
        csv::write_summary(w, engine, acc)
    })?;
    batch.stage(&dir.join("risk.csv"), |w| csv::write_risk(w, engine, acc))?;
    let mut settings = settings.clone();
    if let Some(map) = &s.map {
        let bytes = std::fs::read(map).map_err(|source| Error::Read {
            path: map.clone(),
            source,
        })?;
        batch.stage(&dir.join("map.geojson"), |w| w.write_all(&bytes))?;
        settings.map_copied = true;
    }
    let json =
        serde_json::to_string_pretty(&RunJson::new(s, &settings)).expect("run.json serializes");
    batch.stage(&dir.join("run.json"), |w| writeln!(w, "{json}"))?;
    batch.commit()
}
