//! Sharded runs (DESIGN §8): `seatsim run --shard k/n` runs trials `[(k−1)·T/n, k·T/n)` of a
//! run's `T` and saves its exact, mergeable state; `seatsim merge` checks that shards make up
//! the run exactly once and merges them into the same results as a single run.
//!
//! # A shard folder
//!
//! - `shard.bin`: the run's [`Accumulator`](crate::engine::Accumulator) — per cell and metric
//!   the fixed-point moments (integers), the DDSketch bin counts (integers) with its min and
//!   max, the risk counts, and the sensitivity sums (integers, DESIGN §2.5) — encoded with `postcard` (varint integers, little-endian IEEE
//!   floats; a stable, documented wire format), then compressed with zstd (level 1). Merging
//!   integer state is exact in any order.
//!   The sketch also keeps a floating-point `sum`, which depends slightly on the merge order;
//!   seatsim never reports it. Shards are merged in trial order all the same.
//! - `shard.json` ([`Header`]): `format` (`"seatsim-shard"`), `format_version` (2), and
//!   `run` — `seatsim_version`, `scenario` (`name`, absolute `file`, `sha256`), `seed`,
//!   `total_trials`, `shard` (`"k/n"`), `trials` (`{"start", "end"}`, half-open), `threads`,
//!   `elapsed_seconds` — and `payload` (`file`, `encoding`, `bytes`, `sha256` of `shard.bin`).
//!
//! A shard folder holds no CSV: partial results are never mistaken for a finished run.

mod check;
mod error;
mod file;
mod spec;

pub use check::in_trial_order;
pub use error::ShardError;
pub use file::{
    write, Header, Meta, Part, Payload, ScenarioRef, FORMAT, FORMAT_VERSION, HEADER_FILE,
    PAYLOAD_FILE,
};
pub use spec::ShardSpec;
