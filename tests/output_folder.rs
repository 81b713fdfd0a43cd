//! The output folder holds exactly one complete run whatever happens: a run killed before or
//! after its switch, a disk that fills while charts are drawn, two runs into one folder, a
//! redraw for another map year. Kills land at exact points through the `SEATSIM_TEST_PAUSE`
//! hook (`<point>:<seconds>`), which pauses a commit after saying so on stderr.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::support::Fixture;

/// Every file under `dir` (hidden ones included, folders recursed) with its contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Starts `seatsim <args>` in `fx` paused (a minute) at hook `point`; returns once it is there.
fn paused_at(fx: &Fixture, point: &str, args: &[&str]) -> Child {
    paused_for(fx, point, 60.0, args)
}

/// Starts `seatsim <args>` in `fx` paused `seconds` at hook `point`; returns once it is there.
fn paused_for(fx: &Fixture, point: &str, seconds: f64, args: &[&str]) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seatsim"))
        .args(args)
        .current_dir(fx.dir.path())
        .env("SEATSIM_TEST_PAUSE", format!("{point}:{seconds}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("test hook: paused at") {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            child.kill().ok();
            panic!("seatsim ended before the hook {point}");
        }
    }
    // Handed back (nothing follows the hook's line until the pause ends), so that what the
    // command says after the pause can still be read.
    child.stderr = Some(stderr.into_inner());
    child
}

/// Kills `child` outright (SIGKILL: no handler, no clean-up) and reaps it.
fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

const RUN: [&str; 5] = ["run", "scenario.toml", "--quiet", "--out", "out"];

/// `RUN` followed by `extra`.
fn run_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    RUN.iter().copied().chain(extra.iter().copied()).collect()
}

#[test]
fn a_run_killed_before_its_switch_leaves_the_previous_run_whole() {
    let fx = Fixture::copy_of("tests/broken/base");
    fx.run("scenario.toml", "out", &["--trials", "20"]);
    let before = snapshot(&fx.path("out"));
    let child = paused_at(&fx, "staged", &run_args(&["--trials", "30", "--no-plots"]));
    kill(child);
    assert_eq!(snapshot(&fx.path("out")), before);
    // The killed run's staging folder and lock are left; the next run clears them.
    fx.run("scenario.toml", "out", &["--trials", "20"]);
    assert_eq!(
        names(fx.dir.path())
            .iter()
            .filter(|n| n.starts_with(".out"))
            .count(),
        0
    );
    assert_eq!(
        snapshot(&fx.path("out")).get(Path::new("summary.csv")),
        before.get(Path::new("summary.csv"))
    );
}

#[test]
fn a_run_killed_after_its_switch_leaves_the_new_run_whole() {
    let fx = Fixture::copy_of("tests/broken/base");
    fx.run("scenario.toml", "out", &["--trials", "20"]);
    fx.run("scenario.toml", "reference", &["--trials", "30"]);
    let child = paused_at(
        &fx,
        "switched",
        &run_args(&["--trials", "30", "--no-plots"]),
    );
    kill(child);
    let (after, reference) = (snapshot(&fx.path("out")), snapshot(&fx.path("reference")));
    for file in ["summary.csv", "risk.csv"] {
        assert_eq!(
            after.get(Path::new(file)),
            reference.get(Path::new(file)),
            "{file}"
        );
    }
    assert_eq!(names(&fx.path("out")), names(&fx.path("reference")));
}

#[test]
fn a_run_without_plots_leaves_no_report_or_chart_of_the_previous_run() {
    let fx = Fixture::copy_of("tests/broken/base");
    let o = fx.seatsim(&run_args(&["--trials", "20"]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(fx.path("out/report.html").is_file() && fx.path("out/plots").is_dir());
    fx.run("scenario.toml", "out", &["--trials", "30"]);
    fx.run("scenario.toml", "reference", &["--trials", "30"]);
    assert_eq!(names(&fx.path("out")), names(&fx.path("reference")));
    assert!(!names(&fx.path("out")).contains(&"report.html".to_string()));
}

#[test]
fn a_second_run_into_a_busy_folder_is_refused_and_a_killed_ones_lock_taken_over() {
    let fx = Fixture::copy_of("tests/broken/base");
    fx.run("scenario.toml", "out", &["--trials", "20"]);
    let before = snapshot(&fx.path("out"));
    let first = paused_at(&fx, "staged", &run_args(&["--trials", "30", "--no-plots"]));
    let pid = first.id();
    let o = fx.seatsim(&run_args(&["--trials", "40", "--no-plots"]));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot write out: another seatsim (pid {pid}) is writing this folder"
        )),
        "{stderr}"
    );
    kill(first);
    assert_eq!(
        snapshot(&fx.path("out")),
        before,
        "the refused run changed the folder"
    );

    let o = fx.seatsim(&run_args(&["--trials", "40", "--no-plots"]));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("taking over the lock of seatsim pid {pid}")),
        "{stderr}"
    );
    let json = std::fs::read_to_string(fx.path("out/run.json")).unwrap();
    assert!(json.contains("\"trials\": 40"), "{json}");
}

/// Three squares, one per district of `tests/broken/base`.
const MAP: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"adcode":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
 {"type":"Feature","properties":{"adcode":2},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}},
 {"type":"Feature","properties":{"adcode":3},"geometry":{"type":"Polygon","coordinates":[[[2,0],[3,0],[3,1],[2,1],[2,0]]]}}]}"#;

/// The broken-input base scenario with a district map (`map.geojson` holding `map`).
pub fn base_with_map(map: &str) -> Fixture {
    let fx = Fixture::copy_of("tests/broken/base");
    let districts = std::fs::read_to_string(fx.path("districts.csv")).unwrap();
    let mut lines = districts.lines();
    let mut text = format!("{},map_feature,map_kind\n", lines.next().unwrap());
    for (i, line) in lines.enumerate() {
        text += &format!("{line},{},polygon\n", i + 1);
    }
    std::fs::write(fx.path("districts.csv"), text).unwrap();
    let toml = std::fs::read_to_string(fx.path("scenario.toml")).unwrap();
    let toml = toml.replace("[data]\n", "[data]\nmap = \"map.geojson\"\n");
    std::fs::write(fx.path("scenario.toml"), toml).unwrap();
    std::fs::write(fx.path("map.geojson"), map).unwrap();
    fx
}

#[test]
fn two_runs_started_together_leave_one_complete_run() {
    let fx = Fixture::copy_of("tests/broken/base");
    for trials in ["30", "40"] {
        fx.run(
            "scenario.toml",
            &format!("ref{trials}"),
            &["--trials", trials],
        );
    }
    let start = |trials: &str| {
        Command::new(env!("CARGO_BIN_EXE_seatsim"))
            .args(run_args(&["--trials", trials, "--no-plots"]))
            .current_dir(fx.dir.path())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start("30"), start("40"));
    let outputs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    for o in outputs.iter().filter(|o| !o.status.success()) {
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains("is writing this folder"), "{stderr}");
    }
    assert!(outputs.iter().any(|o| o.status.success()));
    let json = std::fs::read_to_string(fx.path("out/run.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let reference = fx.path(&format!("ref{}", json["trials"]));
    for file in ["summary.csv", "risk.csv"] {
        let read = |dir: &Path| std::fs::read(dir.join(file)).unwrap();
        assert!(
            read(&fx.path("out")) == read(&reference),
            "{file} is not of the run in run.json"
        );
    }
    assert_eq!(names(&fx.path("out")), names(&reference));
}

#[test]
fn a_redraw_for_another_year_leaves_no_map_of_the_first() {
    let fx = base_with_map(MAP);
    let o = fx.seatsim(&run_args(&["--trials", "20"]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv_before = std::fs::read(fx.path("out/summary.csv")).unwrap();
    let o = fx.seatsim(&["plot", "out", "--map-year", "2022"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let plots = names(&fx.path("out/plots"));
    let maps: Vec<_> = plots.iter().filter(|n| n.starts_with("map_")).collect();
    assert!(
        !maps.is_empty() && maps.iter().all(|n| n.contains("_2022.")),
        "{maps:?}"
    );
    assert_eq!(
        std::fs::read(fx.path("out/summary.csv")).unwrap(),
        csv_before
    );
    let o = fx.seatsim(&["plot", "out", "--map-year", "1900"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--map-year 1900"), "{stderr}");
    assert_eq!(names(&fx.path("out/plots")), plots);
}

#[test]
fn a_map_edited_during_a_run_is_copied_as_it_was_checked_at_load() {
    let fx = base_with_map(MAP);
    let child = paused_for(
        &fx,
        "opened",
        1.0,
        &run_args(&["--trials", "20", "--no-plots"]),
    );
    std::fs::write(fx.path("map.geojson"), "edited: not JSON").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(fx.path("out/map.geojson")).unwrap(),
        MAP
    );
    // The map is part of the scenario's fingerprint: another map, another SHA-256.
    let sha = |fx: &Fixture| {
        let json = std::fs::read_to_string(fx.path("out/run.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        json["scenario"]["sha256"].as_str().unwrap().to_string()
    };
    let other = base_with_map(&MAP.replace("[[0,0],", "[[0,0.5],"));
    other.run("scenario.toml", "out", &["--trials", "20"]);
    assert_ne!(sha(&fx), sha(&other));
}

#[test]
fn an_unwritable_output_folder_is_refused_before_the_projection() {
    let fx = Fixture::copy_of("tests/broken/base");
    std::fs::write(fx.path("taken"), "a file, not a folder").unwrap();
    // Ten million trials would run for many minutes: only a refusal up front ends this soon.
    let o = fx.seatsim(&[
        "run",
        "scenario.toml",
        "--quiet",
        "--trials",
        "10000000",
        "--out",
        "taken/run",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: taken/run: taken is a file, not a folder"),
        "{stderr}"
    );
}

#[test]
fn a_run_refused_after_its_folder_was_opened_leaves_no_folder_behind() {
    let fx = Fixture::copy_of("tests/broken/base");
    let o = fx.seatsim(&[
        "run",
        "scenario.toml",
        "--keep-trials",
        "nowhere/*/*",
        "--out",
        "new/deep/out",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(!fx.path("new").exists(), "{:?}", names(fx.dir.path()));
}

/// A small tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    /// Mounts `size` of tmpfs, or None (and says why) where this test may not mount.
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!("skipped: cannot mount a tmpfs here (needs root and `mount`)");
        }
        mounted.then_some(Self(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn a_disk_that_fills_while_charts_are_drawn_leaves_the_previous_run_whole() {
    // Room for the CSVs (≈ 60 KB) and the free-space check's lower bound (≈ 0.8 MB), not for
    // the charts (≈ 4.8 MB).
    let Some(disk) = Tmpfs::mount("2m") else {
        return;
    };
    let fx = Fixture::copy_of("tests/broken/base");
    let out = disk.0.path().join("out");
    let out = out.to_str().unwrap();
    fx.run("scenario.toml", out, &["--trials", "20"]);
    let before = snapshot(Path::new(out));
    let o = fx.seatsim(&[
        "run",
        "scenario.toml",
        "--quiet",
        "--trials",
        "30",
        "--out",
        out,
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_eq!(snapshot(Path::new(out)), before);
    assert_eq!(names(disk.0.path()), ["out"]);
}

#[test]
fn a_shard_that_fills_the_disk_says_so_and_keeps_the_previous_shard() {
    let fx = Fixture::copy_of("tests/broken/base");
    const ARGS: [&str; 7] = [
        "run",
        "scenario.toml",
        "--quiet",
        "--trials",
        "200",
        "--shard",
        "1/2",
    ];
    // Room for one shard of this scenario (its files in whole 4 KiB pages) but not for two.
    let sizing = fx.run("scenario.toml", "sizing", &ARGS[3..]);
    let pages: u64 = ["shard.bin", "shard.json"]
        .iter()
        .map(|f| {
            std::fs::metadata(sizing.join(f))
                .unwrap()
                .len()
                .div_ceil(4096)
        })
        .sum();
    let Some(disk) = Tmpfs::mount(&format!("{}k", pages * 4 * 3 / 2)) else {
        return;
    };
    let out = disk.0.path().join("shard");
    let out = out.to_str().unwrap();
    fx.run("scenario.toml", out, &ARGS[3..]);
    let before = snapshot(Path::new(out));
    let o = fx.seatsim(&[&ARGS[..], &["--out", out]].concat());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(!stderr.contains("serialize buffer"), "{stderr}");
    assert_eq!(snapshot(Path::new(out)), before);
    assert_eq!(names(disk.0.path()), ["shard"]);
}

#[test]
fn an_output_folder_replaced_by_a_file_during_the_run_keeps_the_file_and_fails() {
    let fx = Fixture::copy_of("tests/broken/base");
    fx.run("scenario.toml", "out", &["--trials", "20"]);
    let child = paused_for(
        &fx,
        "staged",
        2.0,
        &run_args(&["--trials", "30", "--no-plots"]),
    );
    // The user saves a file under the folder's name while the run is writing.
    std::fs::remove_dir_all(fx.path("out")).unwrap();
    std::fs::write(fx.path("out"), "my notes").unwrap();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write out: it was replaced by a file"),
        "{stderr}"
    );
    assert!(!stderr.contains("seatsim-new"), "{stderr}");
    assert_eq!(std::fs::read(fx.path("out")).unwrap(), b"my notes");
    // Nothing is left beside it: no staging folder, no lock.
    assert_eq!(
        names(fx.dir.path())
            .iter()
            .filter(|n| n.starts_with(".out"))
            .count(),
        0
    );
}
