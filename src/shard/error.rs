//! Why a set of shards cannot be merged: each message names the files and the trials.

use std::ops::Range;
use std::path::PathBuf;

/// A shard that cannot be read, or shards that do not make up one run exactly once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// One shard file is missing, unreadable or malformed.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// Two shards were run differently (scenario, seed, version or total trials).
    #[error("{a} and {b} are not parts of one run: {what} {a_value} ≠ {b_value}")]
    Disagree {
        /// What differs, e.g. `seed`.
        what: &'static str,
        /// The first shard's header.
        a: String,
        /// Its value.
        a_value: String,
        /// The other shard's header.
        b: String,
        /// Its value.
        b_value: String,
    },
    /// Trials that no shard ran.
    #[error("trials {}..{} of {total} are in no shard{}: {context}", missing.start, missing.end, hint(.missing_parts))]
    Gap {
        /// The trials missing.
        missing: Range<u64>,
        /// The run's trial count.
        total: u64,
        /// Which neighbouring shards end and start around the gap.
        context: String,
        /// The `k/n` parts that would have held them, when every shard has the same `n`.
        missing_parts: Vec<String>,
    },
    /// Trials that two shards both ran.
    #[error("trials {}..{} are in two shards: {a} (trials {}..{}) and {b} (trials {}..{})",
        both.start, both.end, a_trials.start, a_trials.end, b_trials.start, b_trials.end)]
    Overlap {
        /// The trials run twice.
        both: Range<u64>,
        /// One shard's header.
        a: String,
        /// Its trials.
        a_trials: Range<u64>,
        /// The other's.
        b: String,
        /// Its trials.
        b_trials: Range<u64>,
    },
    /// The scenario file is not the one the shards were run on.
    #[error("{scenario} (SHA-256 {actual}) is not the scenario {shard} was run on (SHA-256 {expected}); pass the scenario it was run on with --scenario")]
    Scenario {
        /// The scenario file.
        scenario: String,
        /// Its SHA-256.
        actual: String,
        /// The shard header naming the expected one.
        shard: String,
        /// The SHA-256 the shard records.
        expected: String,
    },
}

/// ` (shard 3/4 missing?)` when the missing parts are known.
fn hint(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => format!(" (is shard {one} missing?)"),
        many => format!(" (are shards {} missing?)", many.join(", ")),
    }
}

impl From<ShardError> for crate::Error {
    fn from(e: ShardError) -> Self {
        crate::Error::Usage(e.to_string())
    }
}
