//! Writing and reading one shard folder: `shard.json` (the header) and `shard.bin` (the
//! accumulator). The payload is written first and the header last, each atomically, so a
//! folder with a header holds a complete shard; the header's SHA-256 of the payload catches a
//! payload from another run.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{ShardError, ShardSpec};
use crate::engine::{Accumulator, Layout};
use crate::model::metrics::Metric;
use crate::report::{create_dir, write_atomic, RunSettings};
use crate::scenario::Scenario;
use crate::Error;

/// Value of `format` in every header.
pub const FORMAT: &str = "seatsim-shard";
/// The header layout and payload encoding this seatsim writes and reads.
/// Version 2 added the sensitivity sums to the payload.
pub const FORMAT_VERSION: u32 = 2;
/// Name of the header file in a shard folder.
pub const HEADER_FILE: &str = "shard.json";
/// Name of the payload file in a shard folder.
pub const PAYLOAD_FILE: &str = "shard.bin";
/// How the payload encodes the accumulator.
const ENCODING: &str = "postcard+zstd";
/// zstd level: the fastest, within 15% of the best size for this data.
const ZSTD_LEVEL: i32 = 1;

/// `shard.json`: what a shard ran and how to check its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`] for files this seatsim reads.
    pub format_version: u32,
    /// The run the shard is part of.
    pub run: Meta,
    /// The payload file.
    pub payload: Payload,
}

/// The run a shard belongs to and the part of it that the shard ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Version of the seatsim that ran it.
    pub seatsim_version: String,
    /// The scenario it ran.
    pub scenario: ScenarioRef,
    /// The run's seed.
    pub seed: u64,
    /// Trials of the whole run (`T`).
    pub total_trials: u64,
    /// Which part this is.
    pub shard: ShardSpec,
    /// The trials it ran, `[(k−1)·T/n, k·T/n)`.
    pub trials: Range<u64>,
    /// Worker threads it used.
    pub threads: usize,
    /// Wall-clock seconds of its projection.
    pub elapsed_seconds: f64,
}

/// The scenario a shard ran: enough to find it again and to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRef {
    /// Its name.
    pub name: String,
    /// Absolute path of its TOML file on the machine that ran the shard.
    pub file: PathBuf,
    /// SHA-256 over its TOML chain and tables ([`Scenario::sha256`]).
    pub sha256: String,
}

/// The payload file and its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// File name in the shard folder ([`PAYLOAD_FILE`]).
    pub file: String,
    /// Encoding of the accumulator: `postcard+zstd`.
    pub encoding: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 (hex) of the file.
    pub sha256: String,
}

impl Meta {
    /// Describes part `shard` of a run of `s` with `total` trials, run with `settings`.
    pub fn new(
        s: &Scenario,
        shard: ShardSpec,
        total: u64,
        settings: &RunSettings,
    ) -> Result<Self, Error> {
        let file = std::fs::canonicalize(&s.file).map_err(|source| Error::Read {
            path: s.file.clone(),
            source,
        })?;
        Ok(Self {
            seatsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: ScenarioRef {
                name: s.name.clone(),
                file,
                sha256: s.sha256.clone(),
            },
            seed: settings.seed,
            total_trials: total,
            shard,
            trials: shard.range(total).map_err(Error::Usage)?,
            threads: settings.threads,
            elapsed_seconds: (settings.elapsed_seconds * 1000.0).round() / 1000.0,
        })
    }
}

/// Writes a shard of `meta` holding `acc` into `dir` (the fresh staging folder of an
/// [`crate::report::OutputFolder`], so that the previous shard stays whole until this one is);
/// returns the header's path.
pub fn write(dir: &Path, meta: &Meta, acc: &Accumulator) -> Result<PathBuf, Error> {
    create_dir(dir)?;
    let header_path = dir.join(HEADER_FILE);
    let payload = write_payload(&dir.join(PAYLOAD_FILE), acc)?;
    let header = Header {
        format: FORMAT.to_string(),
        format_version: FORMAT_VERSION,
        run: meta.clone(),
        payload,
    };
    let json = serde_json::to_string_pretty(&header).expect("a shard header serializes");
    write_atomic(&header_path, |w| writeln!(w, "{json}"))?;
    Ok(header_path)
}

/// Streams `acc` into `path`, compressed, hashing and counting the bytes written.
fn write_payload(path: &Path, acc: &Accumulator) -> Result<Payload, Error> {
    let mut fingerprint = (Sha256::new(), 0u64);
    write_atomic(path, |w| {
        let failure = std::cell::Cell::new(None);
        let hashing = Hashing {
            inner: w,
            state: &mut fingerprint,
            failure: &failure,
        };
        let zstd = zstd::Encoder::new(hashing, ZSTD_LEVEL)?;
        // postcard reports any failed write as "serialize buffer full": the cause (a full
        // disk, say) is the error the writer saw.
        let zstd = postcard::to_io(acc, zstd)
            .map_err(|e| failure.take().unwrap_or_else(|| std::io::Error::other(e)))?;
        zstd.finish().map(drop)
    })?;
    Ok(Payload {
        file: PAYLOAD_FILE.to_string(),
        encoding: ENCODING.to_string(),
        bytes: fingerprint.1,
        sha256: hex(&fingerprint.0.finalize()),
    })
}

/// A writer that hashes and counts the bytes it passes on, and keeps the last error it met.
struct Hashing<'a, W> {
    inner: W,
    state: &'a mut (Sha256, u64),
    failure: &'a std::cell::Cell<Option<std::io::Error>>,
}

impl<W: Write> Write for Hashing<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf).inspect_err(|e| {
            self.failure
                .set(Some(std::io::Error::new(e.kind(), e.to_string())));
        })?;
        self.state.0.update(&buf[..n]);
        self.state.1 += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Lower-case hex of a digest.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A shard folder whose header has been read and checked.
#[derive(Debug, Clone)]
pub struct Part {
    /// Path of its `shard.json`.
    pub path: PathBuf,
    /// Its header.
    pub header: Header,
}

impl Part {
    /// Reads and checks the header in shard folder `dir`.
    pub fn read(dir: &Path) -> Result<Self, ShardError> {
        let path = dir.join(HEADER_FILE);
        let bad = |message: String| ShardError::File {
            path: path.clone(),
            message,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            bad(format!(
                "cannot read ({e}); a shard folder is written by `seatsim run --shard K/N`"
            ))
        })?;
        let header = parse_header(&text).map_err(bad)?;
        Ok(Self { path, header })
    }

    /// How messages name this shard: its header path.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// The trials it ran.
    pub fn trials(&self) -> Range<u64> {
        self.header.run.trials.clone()
    }

    /// Reads its payload, checks it against the header and decodes the accumulator, which
    /// must have the shape of `layout` (the scenario's cells and metrics).
    pub fn load(&self, layout: &Layout) -> Result<Accumulator, ShardError> {
        let p = &self.header.payload;
        let path = self.path.with_file_name(PAYLOAD_FILE);
        let bad = |message: String| ShardError::File {
            path: path.clone(),
            message,
        };
        let bytes = std::fs::read(&path).map_err(|e| bad(format!("cannot read ({e})")))?;
        let sha256 = hex(&Sha256::digest(&bytes));
        if bytes.len() as u64 != p.bytes || sha256 != p.sha256 {
            return Err(bad(format!(
                "{} bytes with SHA-256 {sha256}, but {} expects {} bytes with SHA-256 {}: the \
                 file is incomplete, damaged or from another run",
                bytes.len(),
                self.name(),
                p.bytes,
                p.sha256
            )));
        }
        let acc: Accumulator = zstd::decode_all(bytes.as_slice())
            .map_err(|e| e.to_string())
            .and_then(|raw| postcard::from_bytes(&raw).map_err(|e| e.to_string()))
            .map_err(|e| bad(format!("cannot decode: {e}")))?;
        let expected = self.trials().end - self.trials().start;
        if acc.trials() != expected {
            return Err(bad(format!(
                "holds {} trials, but {} says {expected}",
                acc.trials(),
                self.name()
            )));
        }
        let (values, cells) = acc.shape();
        if (values, cells) != (layout.n_values(), layout.n_cells()) {
            return Err(bad(format!(
                "holds statistics of {cells} cells and {values} cell-metric values, but the                  scenario has {} cells (district-stages × years) of {} metrics each: the                  payload is from another scenario",
                layout.n_cells(),
                Metric::COUNT
            )));
        }
        Ok(acc)
    }
}

/// Parses a header, refusing other formats and inconsistent trial ranges.
fn parse_header(text: &str) -> Result<Header, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if value["format"] != FORMAT {
        return Err(format!("not a seatsim shard header (format ≠ {FORMAT:?})"));
    }
    if value["format_version"] != FORMAT_VERSION {
        return Err(format!(
            "shard format version {}, this seatsim reads version {FORMAT_VERSION}",
            value["format_version"]
        ));
    }
    let header: Header = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let payload = &header.payload;
    if (payload.file.as_str(), payload.encoding.as_str()) != (PAYLOAD_FILE, ENCODING) {
        return Err(format!(
            "payload {:?} encoded {:?}; this seatsim reads {PAYLOAD_FILE:?} encoded {ENCODING:?}",
            payload.file, payload.encoding
        ));
    }
    let run = &header.run;
    if run.shard.range(run.total_trials).as_ref() != Ok(&run.trials) {
        return Err(format!(
            "trials {}..{} are not part {} of {} trials",
            run.trials.start, run.trials.end, run.shard, run.total_trials
        ));
    }
    if run.seatsim_version != env!("CARGO_PKG_VERSION") {
        return Err(format!(
            "written by seatsim {}; this is seatsim {}: merge with the version that ran it",
            run.seatsim_version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    Ok(header)
}
