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

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

pub(crate) use atomic::temp_name;
pub use atomic::{create_dir, write_atomic, Batch};
pub use folder::{file_above, refuse_file_in_the_way, OutputFolder};
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
///
/// `results.xlsx` is built on a thread of its own from each table as soon as that is staged,
/// while the next is written: built after them, it had been a third of a short run.
pub fn write_run(
    dir: &Path,
    engine: &Engine,
    acc: &Accumulator,
    settings: &RunSettings,
) -> Result<Vec<PathBuf>, Error> {
    create_dir(dir)?;
    let names = xlsx::DistrictNames::of(engine.scenario());
    let book_path = dir.join(xlsx::WORKBOOK);
    let mut batch = Batch::default();
    let (staged, book) = std::thread::scope(|scope| {
        let (sheets, tables) = std::sync::mpsc::channel();
        let book = scope.spawn(|| xlsx::workbook(&book_path, tables, &names));
        let staged = stage_run(&mut batch, dir, engine, acc, settings, &sheets);
        // Ends the workbook's list of tables.
        drop(sheets);
        let book = book
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (staged, book)
    });
    staged?;
    let book = book?;
    batch.stage(&book_path, |w| w.write_all(&book))?;
    batch.commit()
}

/// A table's CSV writer.
type Table = fn(&mut BufWriter<File>, &Engine, &Accumulator) -> std::io::Result<()>;

/// Stages a run's files but the workbook into `batch`, handing each table to `sheets` (its
/// name and where it is staged) once written: in the order of the workbook's sheets.
fn stage_run(
    batch: &mut Batch,
    dir: &Path,
    engine: &Engine,
    acc: &Accumulator,
    settings: &RunSettings,
    sheets: &Sender<(String, PathBuf)>,
) -> Result<(), Error> {
    let tables: [(&str, Table); 4] = [
        ("risk", csv::write_risk),
        ("summary", csv::write_summary),
        ("sensitivity", sensitivity::write_sensitivity),
        ("tornado", tornado::write_tornado),
    ];
    for (name, write) in tables {
        let staged = batch.stage(&dir.join(format!("{name}.csv")), |w| write(w, engine, acc))?;
        // Fails only once the workbook has failed, which its own result reports.
        let _ = sheets.send((name.to_string(), staged));
    }
    let s = engine.scenario();
    let mut settings = settings.clone();
    if let Some(map) = &s.map {
        batch.stage(&dir.join("map.geojson"), |w| w.write_all(&map.bytes))?;
        settings.map_copied = true;
    }
    let json =
        serde_json::to_string_pretty(&RunJson::new(s, &settings)).expect("run.json serializes");
    batch.stage(&dir.join("run.json"), |w| writeln!(w, "{json}"))?;
    Ok(())
}
