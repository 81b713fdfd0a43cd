//! What every bench shares: the scenario it measures.
//!
//! The benches measure the default scenario, `scenarios/zhengzhou.toml`. `SEATSIM_BENCH_SCENARIO`
//! points them at another file (e.g. a what-if); if neither exists they fall back to
//! `scenarios/example.toml` and say so, because figures from the small example are not the
//! figures BENCHMARKS.md reports.

use std::path::PathBuf;

use seatsim::engine::Engine;
use seatsim::scenario::Scenario;

/// The engine of the scenario the benches measure, and its file stem for bench ids.
pub fn engine() -> (Engine, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let chosen = std::env::var_os("SEATSIM_BENCH_SCENARIO").map(PathBuf::from);
    let default = root.join("scenarios/zhengzhou.toml");
    let path = match chosen {
        Some(p) => p,
        None if default.exists() => default,
        None => {
            eprintln!(
                "benches: scenarios/zhengzhou.toml not found; measuring scenarios/example.toml"
            );
            root.join("scenarios/example.toml")
        }
    };
    let s = Scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path
        .file_stem()
        .map_or("scenario".into(), |n| n.to_string_lossy().into_owned());
    (Engine::new(s), name)
}
