//! The limits every command that runs trials goes through: trials and worker threads within
//! bounds; before anything runs, a run whose statistics would not fit in the machine's memory
//! refused (better one clear message than the operating system killing the process an hour
//! in). Results that outgrew the statistics are refused by [`crate::report::check_range`].

use std::mem::size_of;

use crate::engine::round_trials;
use crate::scenario::MAX_TRIALS;
use crate::stats::MetricStats;
use crate::Error;

/// Quantile-sketch bins assumed per value. A store takes 256 bins when it first grows
/// (`stats::sketch`) and a little more as trials reach into the tails: ≈ 1.2 KB a value with
/// its statistics and buffers, measured on the Zhengzhou scenario at 100,000 trials.
const TYPICAL_BINS: usize = 400;
/// Bytes per sketch bin: the low and middle bytes of its count.
const BIN_BYTES: usize = 2;
/// Memory assumed where `/proc/meminfo` cannot be read (not Linux).
const FALLBACK_MEMORY: u64 = 8 << 30;

/// Most worker threads a command may ask for.
const MAX_THREADS: usize = 1024;

/// Worker threads to use: the request, or every available core.
pub fn threads(requested: Option<usize>) -> Result<usize, Error> {
    match requested {
        Some(0) => Err(Error::Usage("--threads 0: use at least 1 thread".into())),
        Some(t) if t > MAX_THREADS => Err(Error::Usage(format!(
            "--threads {t}: at most {MAX_THREADS}"
        ))),
        Some(t) => Ok(t),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Trials to run: the request, or the scenario's default; between 1 and [`MAX_TRIALS`].
pub fn trials(requested: Option<u64>, default: u64) -> Result<u64, Error> {
    let trials = requested.unwrap_or(default);
    if (1..=MAX_TRIALS).contains(&trials) {
        Ok(trials)
    } else {
        Err(Error::Usage(format!(
            "--trials {trials}: must be between 1 and {MAX_TRIALS}"
        )))
    }
}

/// Bytes of one set of statistics per reported value.
fn stats_bytes() -> u64 {
    (size_of::<MetricStats>() + TYPICAL_BINS * BIN_BYTES) as u64
}

/// Estimated memory of a command whose every worker holds statistics of `values` values
/// and a trial's buffer (one accumulator and workspace per scenario it runs, and any paired
/// differences).
pub fn estimate(values: usize, threads: usize) -> u64 {
    values as u64 * (stats_bytes() + size_of::<f64>() as u64) * threads as u64
}

/// Estimated memory of a run of `values` values on `threads` workers: its one set of
/// statistics, the block of a round of trials and each worker's trial buffer.
pub fn run_estimate(values: usize, threads: usize) -> u64 {
    let buffered = (round_trials(values, threads) + threads) * size_of::<f64>();
    values as u64 * (stats_bytes() + buffered as u64)
}

/// Refuses (as a usage error) a command that would need `need` bytes (`values` values on
/// `threads` workers) when that exceeds the machine's memory.
pub fn check_memory(need: u64, values: usize, threads: usize) -> Result<(), Error> {
    let (limit, source) = match total_memory() {
        Some(bytes) => (bytes, "this machine's memory"),
        None => (FALLBACK_MEMORY, "the assumed memory (no /proc/meminfo)"),
    };
    if need <= limit {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "this run would need about {} of memory ({} values on {threads} thread(s), ~{} bytes \
         each), more than {source}, {}: use fewer --threads, a shorter horizon or fewer \
         districts",
        gib(need),
        values,
        need / values.max(1) as u64,
        gib(limit)
    )))
}

/// Total memory from `/proc/meminfo` (Linux), in bytes.
fn total_memory() -> Option<u64> {
    parse_mem_total(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

/// The `MemTotal:` line of a meminfo text, in bytes.
fn parse_mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_total_memory_from_meminfo() {
        let text = "MemTotal:       24551136 kB\nMemFree:        23000000 kB\n";
        assert_eq!(parse_mem_total(text), Some(24_551_136 * 1024));
        assert_eq!(parse_mem_total("MemFree: 1 kB\n"), None);
        assert_eq!(parse_mem_total("MemTotal: lots kB\n"), None);
    }

    #[test]
    fn formats_gibibytes() {
        assert_eq!(gib(3 << 29), "1.5 GiB");
    }
}
