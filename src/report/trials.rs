//! `trials.csv` (`run --keep-trials CELLS`): the exact value of chosen cells and metrics in
//! every trial, for researchers who want their own statistics.
//!
//! One row per trial × cell × metric — `trial,district,stage,year,metric,value` — ordered by
//! trial, then as in `summary.csv`; values are written in full (the shortest decimal that
//! reads back as the same number), empty where undefined. Workers stream their trials to
//! binary part files beside the results while the run goes on, so memory stays flat; the
//! parts, each in trial order, are merged into the CSV at the end.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::csv::place_id;
use crate::engine::{Engine, Keep};
use crate::model::metrics::Metric;
use crate::Error;

/// Column names of `trials.csv`, in order.
pub const TRIALS_HEADER: [&str; 6] = ["trial", "district", "stage", "year", "metric", "value"];

/// The values a run keeps: positions in a trial's `[cell × metric]` buffer and their labels.
#[derive(Debug, Clone)]
pub struct Selection {
    /// `(position, [district, stage, year, metric])`, in buffer order.
    values: Vec<(usize, [String; 4])>,
}

impl Selection {
    /// Parses `spec`: comma-separated `DISTRICT/STAGE/YEAR[/METRIC]` patterns, each part a
    /// name of the run or `*`, e.g. `ALL/*/*,jinshui/primary/2025/demand`.
    pub fn parse(spec: &str, engine: &Engine) -> Result<Self, Error> {
        let patterns = spec
            .split(',')
            .map(|p| Pattern::parse(p.trim(), engine))
            .collect::<Result<Vec<_>, _>>()?;
        let (s, layout) = (engine.scenario(), engine.layout());
        let mut values = Vec::new();
        let mut matched = vec![false; patterns.len()];
        for (r, row) in layout.rows.iter().enumerate() {
            let (place, stage) = (place_id(s, row.place), &s.stages[row.stage.0].id);
            for (yi, year) in layout.years.iter().enumerate() {
                for (m, metric) in Metric::ALL.iter().enumerate() {
                    if !metric.listed_when_undefined()
                        && !metric.defined_for(&s.stages[row.stage.0])
                    {
                        continue;
                    }
                    let label = [place, stage, &year.to_string(), metric.name()];
                    let hits = patterns.iter().map(|p| p.matches(&label));
                    let mut any = false;
                    for (seen, hit) in matched.iter_mut().zip(hits) {
                        *seen |= hit;
                        any |= hit;
                    }
                    if any {
                        let pos = layout.cell(r, yi) * Metric::COUNT + m;
                        values.push((pos, label.map(str::to_string)));
                    }
                }
            }
        }
        if let Some(i) = matched.iter().position(|&m| !m) {
            return Err(Error::Usage(format!(
                "--keep-trials {}: no reported cell matches it (a city-wide stage is reported \
                 for ALL only)",
                patterns[i].text
            )));
        }
        values.sort_by_key(|(pos, _)| *pos);
        Ok(Self { values })
    }

    /// Number of values kept per trial.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// One `DISTRICT/STAGE/YEAR[/METRIC]` pattern: each part a name, or `None` for `*`.
#[derive(Debug)]
struct Pattern {
    text: String,
    parts: [Option<String>; 4],
}

impl Pattern {
    fn parse(text: &str, engine: &Engine) -> Result<Self, Error> {
        let fields: Vec<&str> = text.split('/').collect();
        if !(3..=4).contains(&fields.len()) {
            return Err(Error::Usage(format!(
                "--keep-trials {text:?}: expected DISTRICT/STAGE/YEAR or \
                 DISTRICT/STAGE/YEAR/METRIC, each a name or *, e.g. ALL/primary/*"
            )));
        }
        let s = engine.scenario();
        let districts: Vec<&str> = s.districts.iter().map(|d| d.id.as_str()).collect();
        let valid: [Vec<String>; 4] = [
            districts
                .iter()
                .chain(&["ALL"])
                .map(|d| d.to_string())
                .collect(),
            s.stages.iter().map(|st| st.id.clone()).collect(),
            engine
                .layout()
                .years
                .iter()
                .map(|y| y.to_string())
                .collect(),
            Metric::ALL.iter().map(|m| m.name().to_string()).collect(),
        ];
        const WHAT: [&str; 4] = ["district", "stage", "year", "metric"];
        let mut parts: [Option<String>; 4] = Default::default();
        for (i, field) in fields.iter().enumerate() {
            if *field == "*" {
                continue;
            }
            if !valid[i].iter().any(|v| v == field) {
                return Err(Error::Usage(format!(
                    "--keep-trials {text:?}: {} {field:?} is not in the run; valid: {}, or *",
                    WHAT[i],
                    short_list(&valid[i])
                )));
            }
            parts[i] = Some(field.to_string());
        }
        Ok(Self {
            text: text.to_string(),
            parts,
        })
    }

    fn matches(&self, label: &[&str; 4]) -> bool {
        self.parts
            .iter()
            .zip(label)
            .all(|(p, l)| p.as_deref().is_none_or(|p| p == *l))
    }
}

/// `values` joined by commas, the middle of a long list left out.
fn short_list(values: &[String]) -> String {
    if values.len() <= 12 {
        return values.join(", ");
    }
    format!(
        "{}, …, {}",
        values[..5].join(", "),
        values[values.len() - 3..].join(", ")
    )
}

/// The part files a run's workers stream their kept trials to.
pub struct TrialParts<'a> {
    selection: &'a Selection,
    dir: PathBuf,
    made: AtomicUsize,
}

/// One worker's part file: for each trial, its number then the kept values, as little-endian
/// 8-byte numbers. Removed when dropped.
pub struct Part {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    error: Option<io::Error>,
}

impl Drop for Part {
    fn drop(&mut self) {
        self.out = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

impl<'a> TrialParts<'a> {
    /// Part files for `selection`, in folder `dir` (which must exist).
    pub fn new(selection: &'a Selection, dir: &Path) -> Self {
        Self {
            selection,
            dir: dir.to_path_buf(),
            made: AtomicUsize::new(0),
        }
    }

    /// Writes the CSV of the workers' `parts` to `w`, in trial order.
    pub fn write_csv(&self, parts: Vec<Part>, w: &mut impl Write) -> io::Result<()> {
        let width = 1 + self.selection.len();
        let mut heads = Vec::with_capacity(parts.len());
        for mut part in parts {
            let mut read = part.reopen()?;
            let mut row = vec![0.0; width];
            if next_row(&mut read, &mut row)? {
                heads.push((part, read, row));
            }
        }
        let mut out = csv::Writer::from_writer(w);
        out.write_record(TRIALS_HEADER)?;
        // Each part holds increasing trials: take the smallest head each time.
        while let Some(i) = (0..heads.len()).min_by_key(|&i| heads[i].2[0].to_bits()) {
            let (_, read, row) = &mut heads[i];
            let trial = row[0].to_bits().to_string();
            for ((_, label), &x) in self.selection.values.iter().zip(&row[1..]) {
                let value = if x.is_nan() {
                    String::new()
                } else {
                    x.to_string()
                };
                out.write_record([&trial, &label[0], &label[1], &label[2], &label[3], &value])?;
            }
            if !next_row(read, row)? {
                heads.swap_remove(i);
            }
        }
        out.flush()
    }
}

impl Part {
    /// Flushes the part and opens it for reading from the start; an error met while writing
    /// is reported now.
    fn reopen(&mut self) -> io::Result<BufReader<File>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(out) = self.out.take() {
            out.into_inner().map_err(|e| e.into_error())?;
        }
        Ok(BufReader::new(File::open(&self.path)?))
    }
}

/// Reads the next trial of a part into `row` (its number's bits, then its values); `false`
/// at the end of the part.
fn next_row(read: &mut impl Read, row: &mut [f64]) -> io::Result<bool> {
    let mut bytes = [0u8; 8];
    for (i, x) in row.iter_mut().enumerate() {
        match read.read_exact(&mut bytes) {
            Ok(()) => *x = f64::from_le_bytes(bytes),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && i == 0 => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

impl Keep for TrialParts<'_> {
    type Part = Part;

    fn part(&self) -> Part {
        let n = self.made.fetch_add(1, Ordering::Relaxed);
        let path = self
            .dir
            .join(format!(".trials-{}-{n}.part", std::process::id()));
        match File::create(&path) {
            Ok(f) => Part {
                path,
                out: Some(BufWriter::new(f)),
                error: None,
            },
            Err(e) => Part {
                path,
                out: None,
                error: Some(e),
            },
        }
    }

    fn keep(&self, part: &mut Part, trial: u64, values: &[f64]) {
        let Some(out) = part.out.as_mut() else {
            return;
        };
        // The trial number travels as the bits of an f64, so a row is one kind of number.
        let head = f64::from_bits(trial).to_le_bytes();
        let written = out.write_all(&head).and_then(|()| {
            self.selection
                .values
                .iter()
                .try_for_each(|&(pos, _)| out.write_all(&values[pos].to_le_bytes()))
        });
        if let Err(e) = written {
            part.error = Some(e);
            part.out = None;
        }
    }
}
