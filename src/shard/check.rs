//! Whether shards make up one run: the same scenario, seed and trial count, and every trial
//! in exactly one shard.

use std::ops::Range;

use super::{Part, ShardError};

/// Checks that `parts` are the parts of one run, each trial in exactly one of them, and
/// returns them in trial order.
pub fn in_trial_order(mut parts: Vec<Part>) -> Result<Vec<Part>, ShardError> {
    agree(&parts)?;
    parts.sort_by_key(|p| (p.trials().start, p.trials().end));
    cover(&parts)?;
    Ok(parts)
}

/// Every part against the first: scenario, seed and total trials.
fn agree(parts: &[Part]) -> Result<(), ShardError> {
    let Some(first) = parts.first() else {
        return Ok(());
    };
    type Field = (&'static str, fn(&Part) -> String);
    let fields: [Field; 3] = [
        ("scenario SHA-256", |p| p.header.run.scenario.sha256.clone()),
        ("seed", |p| p.header.run.seed.to_string()),
        ("total trials", |p| p.header.run.total_trials.to_string()),
    ];
    for part in &parts[1..] {
        for (what, value) in fields {
            let (a_value, b_value) = (value(first), value(part));
            if a_value != b_value {
                return Err(ShardError::Disagree {
                    what,
                    a: first.name(),
                    a_value,
                    b: part.name(),
                    b_value,
                });
            }
        }
    }
    Ok(())
}

/// Sorted parts against `[0, total)`: no gap before, between or after them, no overlap.
fn cover(parts: &[Part]) -> Result<(), ShardError> {
    let Some(first) = parts.first() else {
        return Ok(());
    };
    let total = first.header.run.total_trials;
    let mut covered: Option<&Part> = None;
    for part in parts {
        let end = covered.map_or(0, |c| c.trials().end);
        let start = part.trials().start;
        if start > end {
            let context = match covered {
                Some(c) => format!(
                    "{} ends at {end}, {} starts at {start}",
                    c.name(),
                    part.name()
                ),
                None => format!("the first shard, {}, starts at {start}", part.name()),
            };
            return Err(gap(parts, end..start, context));
        }
        if let Some(c) = covered.filter(|_| start < end) {
            return Err(ShardError::Overlap {
                both: start..end.min(part.trials().end),
                a: c.name(),
                a_trials: c.trials(),
                b: part.name(),
                b_trials: part.trials(),
            });
        }
        covered = Some(part);
    }
    let last = covered.expect("parts is not empty");
    let end = last.trials().end;
    if end < total {
        let context = format!("the last shard, {}, ends at {end}", last.name());
        return Err(gap(parts, end..total, context));
    }
    Ok(())
}

/// A gap, naming the `k/n` parts that would fill it when every shard has the same `n`.
fn gap(parts: &[Part], missing: Range<u64>, context: String) -> ShardError {
    let run = &parts[0].header.run;
    let n = run.shard.n();
    let missing_parts = if parts.iter().all(|p| p.header.run.shard.n() == n) {
        (1..=n)
            .filter_map(|k| super::ShardSpec::new(k, n).ok())
            .filter(|s| {
                s.range(run.total_trials)
                    .is_ok_and(|r| missing.start <= r.start && r.end <= missing.end)
            })
            .map(|s| s.to_string())
            .collect()
    } else {
        Vec::new()
    };
    ShardError::Gap {
        missing,
        total: run.total_trials,
        context,
        missing_parts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::{Header, Meta, Payload, ScenarioRef, ShardSpec};

    fn part(dir: &str, k: u64, n: u64, total: u64) -> Part {
        let shard = ShardSpec::new(k, n).unwrap();
        Part {
            path: format!("{dir}/shard.json").into(),
            header: Header {
                format: "seatsim-shard".into(),
                format_version: crate::shard::FORMAT_VERSION,
                run: Meta {
                    seatsim_version: "0".into(),
                    scenario: ScenarioRef {
                        name: "s".into(),
                        file: "/s.toml".into(),
                        sha256: "abc".into(),
                    },
                    seed: 7,
                    total_trials: total,
                    shard,
                    trials: shard.range(total).unwrap(),
                    threads: 1,
                    elapsed_seconds: 0.0,
                },
                payload: Payload {
                    file: "shard.bin".into(),
                    encoding: "postcard+zstd".into(),
                    bytes: 0,
                    sha256: String::new(),
                },
            },
        }
    }

    fn order(parts: Vec<Part>) -> Result<Vec<String>, String> {
        in_trial_order(parts)
            .map(|ps| ps.iter().map(|p| p.name()).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn parts_in_any_order_come_back_in_trial_order() {
        let parts = vec![
            part("c", 3, 3, 10),
            part("a", 1, 3, 10),
            part("b", 2, 3, 10),
        ];
        assert_eq!(
            order(parts).unwrap(),
            ["a/shard.json", "b/shard.json", "c/shard.json"]
        );
        // Parts of different n may tile the run too.
        let mixed = vec![
            part("a", 1, 2, 10),
            part("b", 3, 4, 10),
            part("c", 4, 4, 10),
        ];
        assert!(order(mixed).is_ok());
    }

    #[test]
    fn a_gap_names_the_trials_and_the_missing_part() {
        let middle = order(vec![
            part("a", 1, 4, 203),
            part("d", 4, 4, 203),
            part("b", 2, 4, 203),
        ]);
        assert_eq!(
            middle.unwrap_err(),
            "trials 101..152 of 203 are in no shard (is shard 3/4 missing?): \
             b/shard.json ends at 101, d/shard.json starts at 152"
        );
        let start = order(vec![part("b", 2, 2, 10)]).unwrap_err();
        assert!(start.starts_with("trials 0..5 of 10 are in no shard (is shard 1/2 missing?)"));
        let end = order(vec![part("a", 1, 3, 9)]).unwrap_err();
        assert!(
            end.contains("trials 3..9") && end.contains("shards 2/3, 3/3"),
            "{end}"
        );
    }

    #[test]
    fn an_overlap_names_both_shards_and_the_shared_trials() {
        let e = order(vec![
            part("a", 1, 2, 10),
            part("b", 2, 4, 10),
            part("c", 2, 2, 10),
        ]);
        assert_eq!(
            e.unwrap_err(),
            "trials 2..5 are in two shards: a/shard.json (trials 0..5) and b/shard.json (trials 2..5)"
        );
        let twice = order(vec![part("a", 1, 1, 10), part("a", 1, 1, 10)]).unwrap_err();
        assert!(twice.starts_with("trials 0..10 are in two shards"));
    }

    #[test]
    fn shards_of_other_runs_are_refused_naming_what_differs() {
        let mut other = part("b", 2, 2, 10);
        other.header.run.seed = 8;
        let e = order(vec![part("a", 1, 2, 10), other]).unwrap_err();
        assert_eq!(
            e,
            "a/shard.json and b/shard.json are not parts of one run: seed 7 ≠ 8"
        );
        let mut other = part("b", 2, 2, 10);
        other.header.run.scenario.sha256 = "def".into();
        let e = order(vec![part("a", 1, 2, 10), other]).unwrap_err();
        assert!(e.contains("scenario SHA-256 abc ≠ def"), "{e}");
        let e = order(vec![part("a", 1, 2, 10), part("b", 2, 2, 12)]).unwrap_err();
        assert!(e.contains("total trials 10 ≠ 12"), "{e}");
    }
}
