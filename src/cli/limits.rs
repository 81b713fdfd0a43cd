//! Refusing, before anything runs, a run whose statistics would not fit in the machine's
//! memory: better one clear message than the operating system killing the process an hour in.

use std::mem::size_of;

use crate::engine::{Layout, BATCH_TRIALS};
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

/// Bytes a run holds per reported value and worker: its statistics, its batch of trials
/// waiting to be added, and its trial buffer.
fn bytes_per_value() -> u64 {
    let buffered = (BATCH_TRIALS + 1) * size_of::<f64>();
    (size_of::<MetricStats>() + TYPICAL_BINS * BIN_BYTES + buffered) as u64
}

/// Estimated memory of a run: one accumulator and one workspace per worker thread.
pub fn estimate(layout: &Layout, threads: usize) -> u64 {
    layout.n_values() as u64 * bytes_per_value() * threads as u64
}

/// Refuses (as a usage error) a run whose estimated memory exceeds the machine's.
pub fn check_memory(layout: &Layout, threads: usize) -> Result<(), Error> {
    let (limit, source) = match total_memory() {
        Some(bytes) => (bytes, "this machine's memory"),
        None => (FALLBACK_MEMORY, "the assumed memory (no /proc/meminfo)"),
    };
    let need = estimate(layout, threads);
    if need <= limit {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "this run would need about {} of memory ({} values × {threads} thread(s) × ~{} bytes), \
         more than {source}, {}: use fewer --threads, a shorter horizon or fewer districts",
        gib(need),
        layout.n_values(),
        bytes_per_value(),
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
