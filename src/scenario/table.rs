//! CSV tables of a scenario: header checks, and typed field access whose errors name the
//! file, line, column, bad value and what is valid.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use csv::StringRecord;
use sha2::{Digest, Sha256};

use super::encoding::{decode, TableFile};
use super::error::quoted;
use super::ScenarioError;

/// What reading a scenario's files gathers: the fingerprint of their text, in load order, and
/// how each table was decoded.
#[derive(Default)]
pub struct Reads {
    /// SHA-256 over every file read.
    pub hasher: Sha256,
    /// Every table read, in order.
    pub tables: Vec<TableFile>,
}

/// A CSV table read whole, its header checked against the expected columns.
pub struct CsvTable {
    path: PathBuf,
    columns: HashMap<&'static str, usize>,
    records: Vec<(usize, StringRecord)>,
}

impl CsvTable {
    /// Reads `path`, requiring every column of `required` and allowing those of `optional`.
    pub fn read(
        path: &Path,
        required: &[&'static str],
        optional: &[&'static str],
        reads: &mut Reads,
    ) -> Result<Self, ScenarioError> {
        Self::read_with(path, required, optional, Others::Refused, reads)
    }

    /// Reads `path`, requiring every column of `required` and ignoring any other (a file
    /// seatsim reads alongside what its maker keeps in it, e.g. a `source`).
    pub fn read_among_others(
        path: &Path,
        required: &[&'static str],
        reads: &mut Reads,
    ) -> Result<Self, ScenarioError> {
        Self::read_with(path, required, &[], Others::Ignored, reads)
    }

    fn read_with(
        path: &Path,
        required: &[&'static str],
        optional: &[&'static str],
        others: Others,
        reads: &mut Reads,
    ) -> Result<Self, ScenarioError> {
        let (text, encoding) = decode(path, super::load::read_bytes(path)?)?;
        reads.hasher.update(text.as_bytes());
        reads.hasher.update([0u8]);
        reads.tables.push(TableFile {
            path: path.to_path_buf(),
            encoding,
        });
        let expected = || {
            let opt = optional.iter().map(|c| format!("[{c}]"));
            required
                .iter()
                .map(|c| c.to_string())
                .chain(opt)
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| csv_error(path, &text, &e))?
            .clone();
        if header.iter().all(str::is_empty) {
            return Err(ScenarioError::at_line(
                path,
                1,
                format!("the file is empty: expected a header row `{}`", expected()),
            ));
        }
        let columns = check_header(path, &header, (required, optional, others), &expected())?;
        let mut records = Vec::new();
        let mut lines = Lines::new(&text);
        for result in reader.records() {
            let record = result.map_err(|e| csv_error(path, &text, &e))?;
            let line = record.position().map_or(0, |p| lines.line_of(p));
            if record.iter().all(str::is_empty) {
                continue;
            }
            records.push((line, record));
        }
        Ok(Self {
            path: path.to_path_buf(),
            columns,
            records,
        })
    }

    /// The data rows, in file order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(|(line, record)| Row {
            table: self,
            line: *line,
            record,
        })
    }
}

/// What a table's header may hold beyond its required and optional columns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Others {
    /// Nothing: an unknown column is an error (a typo must not pass unseen).
    Refused,
    /// Anything: the file is also its maker's.
    Ignored,
}

fn check_header(
    path: &Path,
    header: &StringRecord,
    (required, optional, others): (&[&'static str], &[&'static str], Others),
    expected: &str,
) -> Result<HashMap<&'static str, usize>, ScenarioError> {
    let mut columns = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let known = required.iter().chain(optional).find(|c| **c == name);
        let Some(&known) = known else {
            if others == Others::Ignored {
                continue;
            }
            return Err(ScenarioError::at_line(
                path,
                1,
                format!(
                    "unknown column `{}`: expected columns {expected}{}",
                    quoted(name),
                    separator_hint(header)
                ),
            ));
        };
        if columns.insert(known, i).is_some() {
            return Err(ScenarioError::at_line(
                path,
                1,
                format!("column `{name}` appears twice"),
            ));
        }
    }
    if let Some(missing) = required.iter().find(|c| !columns.contains_key(*c)) {
        return Err(ScenarioError::at_line(
            path,
            1,
            format!("missing column `{missing}`: expected columns {expected}"),
        ));
    }
    Ok(columns)
}

/// The 1-based line on which the record at `pos` starts.
///
/// `csv` miscounts lines in files with CRLF endings or blank lines (as spreadsheets write
/// them), and its byte offset points at the end of the previous record, so the line is
/// counted here from the text itself.
fn line_of(text: &str, pos: &csv::Position) -> usize {
    Lines::new(text).line_of(pos)
}

/// Line numbers of positions met in increasing order, each counted from the last: counting
/// from the start of the file for every row made a nation's tables quadratic to read.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Where the last count ended, and the newlines before it.
    at: usize,
    newlines: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            at: 0,
            newlines: 0,
        }
    }

    /// The 1-based line of `pos`, where a record's line breaks before it are skipped.
    fn line_of(&mut self, pos: &csv::Position) -> usize {
        let bytes = self.bytes;
        let mut at = (pos.byte() as usize).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        if at < self.at {
            (self.at, self.newlines) = (0, 0);
        }
        self.newlines += bytes[self.at..at].iter().filter(|&&b| b == b'\n').count();
        self.at = at;
        1 + self.newlines
    }
}

/// A hint when a one-column header looks separated by `;` or tabs (a spreadsheet's export).
fn separator_hint(header: &StringRecord) -> &'static str {
    match header.iter().collect::<Vec<_>>()[..] {
        [one] if one.contains(';') || one.contains('\t') => {
            " (the file seems to use `;` or tabs between columns: save it as comma-separated CSV)"
        }
        _ => "",
    }
}

/// Why a row came out short when a `"` opened in it is never closed: the reader took the rest
/// of the file as one field, which the count of fields alone does not tell.
fn unclosed_quote_hint(text: &str, e: &csv::Error) -> &'static str {
    let rest = e.position().and_then(|p| text.get(p.byte() as usize..));
    match rest.is_some_and(|rest| rest.matches('"').count() % 2 == 1) {
        true => " (a quote `\"` opened in this row is never closed, so the rest of the file was read as one field)",
        false => "",
    }
}

fn csv_error(path: &Path, text: &str, e: &csv::Error) -> ScenarioError {
    let line = e.position().map(|p| line_of(text, p));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "this row has {len} fields but the header has {expected_len}{}",
            unclosed_quote_hint(text, e)
        ),
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8 (save it as UTF-8)".into(),
        _ => e.to_string(),
    };
    match line {
        Some(line) => ScenarioError::at_line(path, line, message),
        None => ScenarioError::in_file(path, message),
    }
}

/// One data row, with typed accessors that produce located errors.
pub struct Row<'a> {
    table: &'a CsvTable,
    line: usize,
    record: &'a StringRecord,
}

impl Row<'_> {
    /// The 1-based line the row starts on.
    pub fn line(&self) -> usize {
        self.line
    }
}

impl Fields for Row<'_> {
    fn error(&self, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at_line(&self.table.path, self.line, message)
    }

    fn raw(&self, column: &str) -> &str {
        self.table
            .columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }
}

/// Named text fields — a CSV row, or a project row of `[[changes]] add` — with typed
/// accessors whose errors name the field, the bad value and what is valid.
pub trait Fields {
    /// An error located at these fields.
    fn error(&self, message: impl Into<String>) -> ScenarioError;

    /// The raw text of `column` (empty when the optional column is absent).
    fn raw(&self, column: &str) -> &str;

    /// The non-empty text of `column`.
    fn text(&self, column: &str) -> Result<&str, ScenarioError> {
        match self.raw(column) {
            "" => Err(self.error(format!("{column} is empty: a value is required"))),
            s => Ok(s),
        }
    }

    /// An ASCII identifier (letters, digits, `_`, `-`, `.`) in `column`.
    fn ident(&self, column: &str) -> Result<&str, ScenarioError> {
        let s = self.text(column)?;
        if s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        {
            Ok(s)
        } else {
            Err(self.error(format!(
                "{column} = \"{}\": ids may use only ASCII letters, digits, `_`, `-` and `.`",
                quoted(s)
            )))
        }
    }

    /// A finite number in `column` that satisfies `ok`, described by `valid` (e.g. "≥ 0").
    fn number_where(
        &self,
        column: &str,
        ok: impl Fn(f64) -> bool,
        valid: &str,
    ) -> Result<f64, ScenarioError> {
        let raw = self.text(column)?;
        let s = quoted(raw);
        match raw.parse::<f64>() {
            Ok(x) if x.is_finite() && ok(x) => Ok(x),
            Ok(x) if x.is_finite() => Err(self.error(format!("{column} = {s}: must be {valid}"))),
            Ok(_) => Err(self.error(format!(
                "{column} = {s}: not a finite number; must be {valid}"
            ))),
            // A spreadsheet's "2,400", "30%" or full-width digits: say how to write it.
            Err(_) => Err(self.error(format!(
                "{column} = {s}: not a number (write digits with an optional decimal point, \
                 without thousands separators, units or spaces); must be {valid}"
            ))),
        }
    }

    /// A whole number in `min..=max` in `column`.
    fn whole(&self, column: &str, min: i64, max: i64) -> Result<i64, ScenarioError> {
        let raw = self.text(column)?;
        let s = quoted(raw);
        match raw.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(self.error(format!(
                "{column} = {s}: must be a whole number from {min} to {max}"
            ))),
        }
    }
}
