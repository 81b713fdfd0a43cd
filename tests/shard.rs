//! Sharded runs: `run --shard k/n` then `merge` gives byte-identical results to one run, in any
//! order; missing, overlapping and foreign shards are refused with a message saying which.

use std::path::Path;

use crate::support::Fixture;

/// Trials of the example runs: not a multiple of 4, so the shards differ in size.
const TRIALS: &str = "203";

/// The example scenario, run whole into `one/` and as shards 1/4..4/4 into `s1/`..`s4/`
/// (on alternating thread counts).
fn example_in_shards() -> Fixture {
    let f = Fixture::scenario("example");
    f.run(
        "example.toml",
        "one",
        &["--trials", TRIALS, "--threads", "2"],
    );
    for k in 1..=4 {
        shard(&f, &format!("s{k}"), &format!("{k}/4"), &[]);
    }
    f
}

/// Runs shard `part` of the example into `out`, with `extra` options.
fn shard(f: &Fixture, out: &str, part: &str, extra: &[&str]) {
    let threads = if out.len() % 2 == 0 { "2" } else { "1" };
    let mut args = vec!["--trials", TRIALS, "--shard", part, "--threads", threads];
    args.extend_from_slice(extra);
    f.run("example.toml", out, &args);
}

/// Runs `seatsim merge <dirs> --out <out> --quiet --no-plots` and asserts success.
fn merge(f: &Fixture, dirs: &[&str], out: &str) {
    let o = f.seatsim(&merge_args(dirs, out));
    assert!(
        o.status.success(),
        "merge failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn merge_args<'a>(dirs: &[&'a str], out: &'a str) -> Vec<&'a str> {
    let mut args = vec!["merge", "--out", out, "--quiet", "--no-plots"];
    args.extend_from_slice(dirs);
    args
}

#[track_caller]
fn assert_same_results(a: &Path, b: &Path) {
    for file in ["summary.csv", "risk.csv", "sensitivity.csv"] {
        let (x, y) = (
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
        );
        assert!(
            x == y,
            "{file} of {} and {} differ",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn four_shards_merged_in_any_order_equal_one_run_byte_for_byte() {
    let f = example_in_shards();
    merge(&f, &["s3", "s1", "s4", "s2"], "shuffled");
    merge(&f, &["s1", "s2", "s3", "s4"], "ordered");
    assert_same_results(&f.path("one"), &f.path("shuffled"));
    assert_same_results(&f.path("one"), &f.path("ordered"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.path("shuffled/run.json")).unwrap()).unwrap();
    assert_eq!(
        (json["trials"].as_u64(), json["seed"].as_u64()),
        (Some(203), Some(7))
    );
    // A shard folder holds its state, not results that could pass for a finished run.
    assert!(f.path("s1/shard.bin").is_file() && !f.path("s1/summary.csv").exists());
}

#[test]
fn shards_of_different_sizes_that_tile_the_run_merge_exactly() {
    let f = example_in_shards();
    shard(&f, "half", "1/2", &[]);
    merge(&f, &["s4", "half", "s3"], "mixed");
    assert_same_results(&f.path("one"), &f.path("mixed"));
}

#[test]
fn a_missing_shard_is_refused_naming_the_trials_and_the_part() {
    let f = example_in_shards();
    let err = f.refused(&merge_args(&["s1", "s2", "s4"], "m"));
    assert!(
        err.contains("trials 101..152 of 203 are in no shard (is shard 3/4 missing?)")
            && err.contains("s2/shard.json ends at 101")
            && err.contains("s4/shard.json starts at 152"),
        "{err}"
    );
    let err = f.refused(&merge_args(&["s2", "s3", "s1"], "m"));
    assert!(
        err.contains("trials 152..203 of 203") && err.contains("4/4"),
        "{err}"
    );
    let err = f.refused(&merge_args(&["s1", "s2", "s3", "s4", "nowhere"], "m"));
    assert!(err.contains("nowhere/shard.json: cannot read"), "{err}");
    assert!(!f.path("m").exists(), "nothing is written");
}

#[test]
fn overlapping_shards_are_refused_naming_both_files_and_the_trials() {
    let f = example_in_shards();
    shard(&f, "half", "1/2", &[]);
    let err = f.refused(&merge_args(&["half", "s2", "s3", "s4"], "m"));
    assert!(
        err.contains("trials 50..101 are in two shards")
            && err.contains("half/shard.json (trials 0..101)")
            && err.contains("s2/shard.json (trials 50..101)"),
        "{err}"
    );
    let err = f.refused(&merge_args(&["s1", "s2", "s2", "s3", "s4"], "m"));
    assert!(err.contains("trials 50..101 are in two shards"), "{err}");
    assert!(!f.path("m").exists());
}

#[test]
fn shards_of_another_seed_or_trial_count_are_refused() {
    let f = example_in_shards();
    shard(&f, "seed8", "4/4", &["--seed", "8"]);
    let err = f.refused(&merge_args(&["s1", "s2", "s3", "seed8"], "m"));
    assert!(
        err.contains("seed8/shard.json are not parts of one run: seed 7 ≠ 8"),
        "{err}"
    );
    f.run(
        "example.toml",
        "more",
        &["--trials", "204", "--shard", "4/4"],
    );
    let err = f.refused(&merge_args(&["s1", "s2", "s3", "more"], "m"));
    assert!(err.contains("total trials 203 ≠ 204"), "{err}");
}

#[test]
fn a_changed_scenario_another_version_or_a_damaged_payload_is_refused() {
    let f = example_in_shards();
    let all = ["s1", "s2", "s3", "s4"];
    let toml = f.path("example.toml");
    let original = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, original.replace("seed = 7", "seed = 7 # edited")).unwrap();
    let err = f.refused(&merge_args(&all, "m"));
    assert!(
        err.contains("is not the scenario s1/shard.json was run on"),
        "{err}"
    );
    std::fs::write(&toml, &original).unwrap();

    let header = f.path("s3/shard.json");
    let text = std::fs::read_to_string(&header).unwrap();
    let version = format!("\"seatsim_version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    std::fs::write(
        &header,
        text.replace(&version, "\"seatsim_version\": \"0.0.1\""),
    )
    .unwrap();
    let err = f.refused(&merge_args(&all, "m"));
    assert!(
        err.contains("s3/shard.json: written by seatsim 0.0.1"),
        "{err}"
    );
    std::fs::write(&header, text).unwrap();

    let payload = f.path("s2/shard.bin");
    let bytes = std::fs::read(&payload).unwrap();
    std::fs::write(&payload, &bytes[..bytes.len() / 2]).unwrap();
    let err = f.refused(&merge_args(&all, "m"));
    assert!(
        err.contains("s2/shard.bin:") && err.contains("incomplete, damaged or from another run"),
        "{err}"
    );
    assert!(!f.path("m").exists());
}

#[test]
fn a_payload_of_another_scenario_under_a_forged_header_is_refused() {
    let f = example_in_shards();
    // Shard 4/4 of a scenario with a shorter horizon: fewer cells than the example's.
    let toml = std::fs::read_to_string(f.path("example.toml")).unwrap();
    let short = toml.replace("horizon = 2030", "horizon = 2028");
    assert_ne!(short, toml, "the example's horizon moved");
    std::fs::write(f.path("short.toml"), short).unwrap();
    f.run("short.toml", "t4", &["--trials", TRIALS, "--shard", "4/4"]);
    // The header of s4 rewritten to vouch for that payload: its size and SHA-256 match.
    let forged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.path("t4/shard.json")).unwrap()).unwrap();
    let header = f.path("s4/shard.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&header).unwrap()).unwrap();
    json["payload"] = forged["payload"].clone();
    std::fs::write(&header, json.to_string()).unwrap();
    std::fs::copy(f.path("t4/shard.bin"), f.path("s4/shard.bin")).unwrap();
    let err = f.refused(&merge_args(&["s1", "s2", "s3", "s4"], "m"));
    assert!(
        err.contains("s4/shard.bin: holds statistics of") && err.contains("from another scenario"),
        "{err}"
    );
    assert!(!f.path("m").exists());
}

#[test]
fn a_moved_scenario_is_found_with_the_scenario_option() {
    let f = example_in_shards();
    std::fs::rename(f.path("example.toml"), f.path("moved.toml")).unwrap();
    let all = ["s1", "s2", "s3", "s4"];
    let err = f.refused(&merge_args(&all, "m"));
    assert!(err.contains("pass its path with --scenario"), "{err}");
    let mut args = merge_args(&all, "m");
    args.extend(["--scenario", "moved.toml"]);
    let o = f.seatsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same_results(&f.path("one"), &f.path("m"));
}

#[test]
fn bad_shard_options_are_refused_before_running() {
    let f = Fixture::scenario("example");
    for part in ["0/4", "5/4", "2", "a/b"] {
        let err = f.refused(&["run", "example.toml", "--shard", part, "--out", "x"]);
        assert!(err.contains("--shard"), "{part}: {err}");
    }
    let err = f.refused(&["run", "example.toml", "--trials", "3", "--shard", "1/4"]);
    assert!(
        err.contains("--shard 1/4: 4 shards need at least 4 trials, the run has 3"),
        "{err}"
    );
    f.refused(&["run", "example.toml", "--deterministic", "--shard", "1/2"]);
    assert!(!f.path("x").exists() && !f.path("output").exists());
}

#[test]
fn synth_writes_the_same_labelled_scenario_for_a_seed_and_it_runs_sharded() {
    let f = Fixture::new(&[]);
    for (out, seed) in [("a", "3"), ("b", "3"), ("c", "4")] {
        let o = f.seatsim(&["synth", "--units", "12", "--seed", seed, "--out", out]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let read = |p: &str| std::fs::read(f.path(p)).unwrap();
    for file in [
        "national.toml",
        "national/population.csv",
        "national/projects.csv",
    ] {
        assert_eq!(
            read(&format!("a/{file}")),
            read(&format!("b/{file}")),
            "{file}"
        );
    }
    assert_ne!(
        read("a/national/population.csv"),
        read("c/national/population.csv")
    );
    let toml = String::from_utf8(read("a/national.toml")).unwrap();
    assert!(
        toml.contains("name = \"SYNTHETIC national scale (12 invented"),
        "{toml}"
    );
    assert_eq!(
        String::from_utf8(read("a/national/districts.csv"))
            .unwrap()
            .lines()
            .count(),
        13
    );
    for (out, part) in [("p1", "1/2"), ("p2", "2/2")] {
        f.run("a/national.toml", out, &["--trials", "10", "--shard", part]);
    }
    merge(&f, &["p2", "p1"], "merged");
    f.run("a/national.toml", "whole", &["--trials", "10"]);
    assert_same_results(&f.path("whole"), &f.path("merged"));
}
