//! Writing a run's results: `summary.csv`, `risk.csv`, `sensitivity.csv`, `tornado.csv`,
//! `run.json` (and the map it needs) into the staging folder of an [`OutputFolder`], which replaces the whole
//! result set at once; and the terminal summary.

mod atomic;
pub mod csv;
mod folder;
mod json;
mod lock;
mod range;
pub mod rank;
pub mod rules;
pub mod sensitivity;
mod space;
mod terminal;
pub mod tornado;
pub mod trials;
pub mod xlsx;

use std::io::Write;
use std::path::{Path, PathBuf};

pub(crate) use atomic::temp_name;
pub use atomic::{create_dir, write_atomic, Batch};
pub use folder::{refuse_file_in_the_way, OutputFolder};
pub use json::{DistrictJson, RunJson, RunSettings};
pub use range::{check_range, out_of_range};
pub use terminal::top_risks;

use crate::engine::{Accumulator, Engine};
use crate::Error;

/// Bytes per `summary.csv` row, per `risk.csv` row and per district-stage's charts, rounded
/// down from the Zhengzhou scenario's files so that the estimate never refuses a run that fits.
const ROW_BYTES: (u64, u64, u64) = (80, 80, 50_000);

/// A rough lower bound on the size of a run's result set (with its charts if `plots`), for the
/// free-space check before the run starts.
pub fn size_estimate(layout: &crate::engine::Layout, plots: bool) -> u64 {
    let (summary, risk, charts) = ROW_BYTES;
    let rows = layout.rows.len() as u64;
    let tables = layout.n_values() as u64 * summary + layout.n_cells() as u64 * risk;
    tables + if plots { rows * charts } else { 0 }
}

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
    batch.stage(&dir.join("sensitivity.csv"), |w| {
        sensitivity::write_sensitivity(w, engine, acc)
    })?;
    batch.stage(&dir.join("tornado.csv"), |w| {
        tornado::write_tornado(w, engine, acc)
    })?;
    let mut settings = settings.clone();
    if let Some(map) = &s.map {
        batch.stage(&dir.join("map.geojson"), |w| w.write_all(&map.bytes))?;
        settings.map_copied = true;
    }
    let json =
        serde_json::to_string_pretty(&RunJson::new(s, &settings)).expect("run.json serializes");
    batch.stage(&dir.join("run.json"), |w| writeln!(w, "{json}"))?;
    let mut written = batch.commit()?;
    xlsx::write_workbook(dir, &xlsx::DistrictNames::of(s))?;
    written.push(dir.join(xlsx::WORKBOOK));
    Ok(written)
}
