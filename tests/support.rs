//! Test helpers: scenario fixtures in temp dirs and the real `seatsim` binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scenario written into its own temporary folder.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// Writes `files` (name → contents) into a fresh temp dir.
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self { dir }
    }

    /// Path of a file in the fixture.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `seatsim` in the fixture's folder.
    pub fn seatsim(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_seatsim"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    /// Runs `seatsim run <scenario> --quiet --no-plots --out <out> <extra>` and asserts success.
    pub fn run(&self, scenario: &str, out: &str, extra: &[&str]) -> PathBuf {
        let mut args = vec!["run", scenario, "--quiet", "--no-plots", "--out", out];
        args.extend_from_slice(extra);
        let o = self.seatsim(&args);
        assert!(
            o.status.success(),
            "seatsim failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        self.path(out)
    }
}

/// One row of summary.csv: mean, sd and the five quantiles (None where empty).
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub q: [Option<f64>; 5],
}

/// summary.csv keyed by (district, stage, year, metric).
pub fn read_summary(dir: &Path) -> Summary {
    let mut out = HashMap::new();
    let mut r = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let num = |i: usize| rec[i].parse::<f64>().ok();
        out.insert(
            (
                rec[0].to_string(),
                rec[1].to_string(),
                rec[2].parse().unwrap(),
                rec[3].to_string(),
            ),
            SummaryRow {
                mean: num(4),
                sd: num(5),
                q: [num(6), num(7), num(8), num(9), num(10)],
            },
        );
    }
    out
}

/// The mean of one summary cell.
pub fn mean(s: &Summary, d: &str, st: &str, y: i32, m: &str) -> f64 {
    s.get(&(d.into(), st.into(), y, m.into()))
        .unwrap_or_else(|| panic!("no summary row {d},{st},{y},{m}"))
        .mean
        .unwrap_or(f64::NAN)
}

/// Asserts `a ≈ b` to 1e-6 relative (the CSV keeps 6 decimals).
#[track_caller]
pub fn close(a: f64, b: f64, what: &str) {
    let tol = 1e-6 * b.abs().max(1.0);
    assert!((a - b).abs() <= tol, "{what}: got {a}, expected {b}");
}

/// summary.csv as a map from (district, stage, year, metric) to its row.
pub type Summary = HashMap<(String, String, i32, String), SummaryRow>;

/// The example scenario shipped in `scenarios/`.
pub fn example_toml() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml")
}

/// A data table of the example scenario (`scenarios/example/<name>`), as text.
pub fn example_table(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example");
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// A scenario TOML that extends the example: `scenario_keys` go under `[scenario]`, `rest`
/// after it.
pub fn extends_example(scenario_keys: &str, rest: &str) -> String {
    format!(
        "[scenario]\nextends = {:?}\n{scenario_keys}\n{rest}",
        example_toml().display().to_string()
    )
}

/// Every row of a CSV file as column → value, in file order.
pub fn read_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .map(String::from)
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

impl Fixture {
    /// Runs `seatsim` in the fixture's folder and asserts success.
    pub fn seatsim_ok(&self, args: &[&str]) -> Output {
        let o = self.seatsim(args);
        assert!(
            o.status.success(),
            "seatsim {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }
}

/// Copies of repository scenarios, and commands expected to fail.
impl Fixture {
    /// A copy of `scenarios/<name>.toml` and its folder `scenarios/<name>/`.
    pub fn scenario(name: &str) -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let toml = format!("{name}.toml");
        let mut files = vec![(
            toml.clone(),
            std::fs::read_to_string(src.join(&toml)).unwrap(),
        )];
        for entry in std::fs::read_dir(src.join(name)).unwrap() {
            let path = entry.unwrap().path();
            let rel = format!("{name}/{}", path.file_name().unwrap().to_string_lossy());
            files.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        Self::new(&refs)
    }

    /// Runs `seatsim`, asserts it exits with code 2 (bad input), and returns its stderr.
    #[track_caller]
    pub fn refused(&self, args: &[&str]) -> String {
        let o = self.seatsim(args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?} should be refused: {err}"
        );
        err
    }
}

impl Fixture {
    /// A fixture holding a copy of the files of folder `dir` (relative to the crate root).
    pub fn copy_of(dir: &str) -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let fixture = Self::new(&[]);
        for entry in std::fs::read_dir(&src).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(
                    entry.path(),
                    fixture.path(&entry.file_name().to_string_lossy()),
                )
                .unwrap();
            }
        }
        fixture
    }
}

/// "12,345" for a whole number, as the report writes it.
pub fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v.round() < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}
