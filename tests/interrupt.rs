//! Interruptions and write faults: a run stopped by SIGINT or SIGTERM, or unable to write its
//! folder, says so, exits with code 1, and leaves the previous complete results untouched with
//! no partial or temporary file beside them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Fixture;

/// Trials enough to keep a debug build busy for minutes: only a signal ends the run.
const ENDLESS_TRIALS: &str = "10000000";
/// Time for the run to load its scenario and start its trials before the signal.
const START_UP: Duration = Duration::from_secs(2);
/// How soon after the signal the run must have stopped.
const PROMPTLY: Duration = Duration::from_secs(10);

/// Every file of `dir` (hidden ones included) with its contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// Runs a long `seatsim run` into `out` of `fx`, sends it `signal`, and returns its exit code,
/// its stderr and how long it took to stop after the signal.
fn interrupt(fx: &Fixture, signal: &str) -> (Option<i32>, String, Duration) {
    let args = [
        "run",
        "scenario.toml",
        "--out",
        "out",
        "--quiet",
        "--no-plots",
    ];
    interrupt_command(fx, &args, signal)
}

/// Runs `seatsim <args> --trials ENDLESS_TRIALS` in `fx`, sends it `signal`, and returns its
/// exit code, its stderr and how long it took to stop after the signal.
fn interrupt_command(fx: &Fixture, args: &[&str], signal: &str) -> (Option<i32>, String, Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seatsim"))
        .args(args)
        .args(["--trials", ENDLESS_TRIALS])
        .current_dir(fx.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(START_UP);
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{signal} failed");
    let signalled = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if signalled.elapsed() > PROMPTLY {
            child.kill().unwrap();
            panic!("seatsim did not stop within {PROMPTLY:?} of SIG{signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr, signalled.elapsed())
}

/// A complete run into `out`, then an interrupted one into the same folder.
fn previous_results_survive(signal: &str) {
    let fx = Fixture::copy_of("tests/broken/base");
    let out = fx.run("scenario.toml", "out", &["--trials", "20"]);
    let before = snapshot(&out);
    assert!(before.contains_key("summary.csv") && before.contains_key("run.json"));

    let (code, stderr, took) = interrupt(&fx, signal);
    assert_eq!(code, Some(1), "SIG{signal}: exit code; stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "SIG{signal}: {stderr}");
    assert!(took < PROMPTLY, "SIG{signal}: stopped after {took:?}");
    assert_eq!(
        snapshot(&out),
        before,
        "SIG{signal} changed the previous results"
    );
}

#[test]
fn ctrl_c_stops_the_run_and_keeps_the_previous_results() {
    previous_results_survive("INT");
}

#[test]
fn sigterm_stops_the_run_and_keeps_the_previous_results() {
    previous_results_survive("TERM");
}

#[test]
fn ctrl_c_stops_a_calibration_like_a_run() {
    let fx = Fixture::copy_of("tests/broken/base");
    let args = ["calibrate", "scenario.toml", "--stage", "primary"];
    let (code, stderr, took) = interrupt_command(
        &fx,
        &[&args[..], &["--large-class-share", "0.05"]].concat(),
        "INT",
    );
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(took < PROMPTLY, "stopped after {took:?}");
}

#[test]
fn calibrate_refuses_more_trials_than_a_run_may_have() {
    let fx = Fixture::copy_of("tests/broken/base");
    let o = fx.seatsim(&[
        "calibrate",
        "scenario.toml",
        "--stage",
        "primary",
        "--large-class-share",
        "0.05",
        "--trials",
        "1000000000000000",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--trials 1000000000000000: must be between 1 and 100000000"),
        "{stderr}"
    );
}

#[test]
fn a_file_where_the_output_folder_should_be_is_a_bad_command_line() {
    let fx = Fixture::copy_of("tests/broken/base");
    std::fs::write(fx.path("taken"), "a file, not a folder").unwrap();
    for (out, expected) in [
        (
            "taken/run",
            "error: taken/run: taken is a file, not a folder; give a new",
        ),
        (
            "taken",
            "error: taken: is a file, not a folder; give a new or empty folder",
        ),
    ] {
        let args = [
            "run",
            "scenario.toml",
            "--out",
            out,
            "--quiet",
            "--no-plots",
        ];
        let o = fx.seatsim(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with(expected), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert_eq!(
        std::fs::read(fx.path("taken")).unwrap(),
        b"a file, not a folder"
    );
}
