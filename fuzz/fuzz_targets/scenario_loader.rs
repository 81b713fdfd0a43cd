//! Fuzzes the scenario loader: the TOML text and one CSV table of the corpus's base scenario
//! (`tests/broken/base/`) are replaced by the fuzzer's bytes, written to a temp folder and
//! loaded. Loading must return `Ok` or a located `ScenarioError`, never panic; a scenario it
//! accepts must run one central and one random trial without panicking.
//!
//! Input: `<table selector byte> <TOML bytes> [0x00 <CSV bytes>]`. Without a NUL byte only the
//! TOML is replaced. See `fuzz/README.md` for how to run it.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use seatsim::engine::{Draws, Engine};
use seatsim::scenario::Scenario;

/// The base scenario's tables: (file name, contents).
const TABLES: [(&str, &str); 4] = [
    ("districts.csv", include_str!("../../tests/broken/base/districts.csv")),
    ("population.csv", include_str!("../../tests/broken/base/population.csv")),
    ("capacity.csv", include_str!("../../tests/broken/base/capacity.csv")),
    ("projects.csv", include_str!("../../tests/broken/base/projects.csv")),
];

/// One temp folder per fuzzing process, kept for its whole life.
fn workdir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| create_workdir().expect("a temp folder can be created"))
}

fn create_workdir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("seatsim-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Writes the base tables, then the fuzzed TOML and (if any) the fuzzed table.
fn write_inputs(dir: &Path, which: u8, toml: &[u8], csv: Option<&[u8]>) -> std::io::Result<()> {
    for (name, text) in TABLES {
        std::fs::write(dir.join(name), text)?;
    }
    std::fs::write(dir.join("scenario.toml"), toml)?;
    if let Some(csv) = csv {
        std::fs::write(dir.join(TABLES[usize::from(which) % TABLES.len()].0), csv)?;
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let (toml, csv) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let dir = workdir();
    write_inputs(dir, which, toml, csv).expect("the temp folder is writable");
    if let Ok(scenario) = Scenario::load(&dir.join("scenario.toml")) {
        let engine = Engine::new(scenario);
        let mut ws = engine.workspace();
        engine.run_trial(Draws::Central, &mut ws);
        engine.run_trial(Draws::Random { seed: 1, trial: 0 }, &mut ws);
    }
});
