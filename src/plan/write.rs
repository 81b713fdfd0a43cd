//! `plan --write FILE`: a scenario that `extends` the one planned for and, by `[[changes]]`
//! applied after the original's own, drops the pipeline projects the plan does not keep and
//! adds what it builds (re-timed pipeline projects dropped and added back in their new year),
//! so that `run` and `compare` take it. Changes rather than a replaced `[data] projects`: the
//! original's own `[[changes]]` would otherwise be applied again, to a table that already
//! holds their result. `FILE`'s stem + `-projects.csv` beside it lists the projects it runs.
//! Every added project's delay profile is written out, so that its openings are drawn
//! exactly as the plan drew them.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::report::kind_name;
use crate::report::{create_dir, Batch};
use crate::scenario::{Project, Scenario, DELAY_COLUMNS, PROJECT_COLUMNS};
use crate::Error;

/// The files `--write toml` writes: `toml` and its projects table beside it.
pub fn scenario_files(toml: &Path) -> [PathBuf; 2] {
    let stem = toml
        .file_stem()
        .map_or_else(|| "plan".into(), |s| s.to_string_lossy().into_owned());
    [
        toml.to_path_buf(),
        toml.with_file_name(format!("{stem}-projects.csv")),
    ]
}

/// Writes the scenario `toml` and its projects table; returns the paths written. `projects`
/// are the fixed pipeline (the first `fixed`, a part of `original`'s in its order), then what
/// is built.
pub fn write_scenario(
    toml: &Path,
    original: &Scenario,
    projects: &[Project],
    fixed: usize,
) -> Result<Vec<PathBuf>, Error> {
    let [_, table] = scenario_files(toml);
    let parent = std::fs::canonicalize(&original.file).map_err(|source| Error::Read {
        path: original.file.clone(),
        source,
    })?;
    let mut text = format!(
        "# Written by `seatsim plan`: {} with the plan's projects ({} lists them all).\n[scenario]\nextends = {}\nname = {}\n",
        original.name,
        table.file_name().expect("a file name").to_string_lossy(),
        quote(&parent.to_string_lossy()),
        quote(&format!("{} + plan", original.name)),
    );
    let (kept, built) = projects.split_at(fixed);
    for p in &original.projects {
        if !kept.iter().any(|k| k.id == p.id) {
            text += &format!("\n[[changes]]\ndrop = {}\n", quote(&p.id));
        }
    }
    for p in built {
        text += &format!("\n[[changes]]\nadd = {}\n", added(original, p));
    }
    if let Some(dir) = toml.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    let mut batch = Batch::default();
    batch.stage(&table, |w| write_projects(w, original, projects))?;
    batch.stage(toml, |w| w.write_all(text.as_bytes()))?;
    batch.commit()
}

/// Project `p` as the inline table of an `add` change: its `projects.csv` row.
fn added(s: &Scenario, p: &Project) -> String {
    let mut cells = vec![
        format!("id = {}", quote(&p.id)),
        format!("name = {}", quote(&p.name)),
        format!("district = {}", quote(&s.districts[p.district.0].id)),
        format!("stage = {}", quote(&s.stages[p.stage.0].id)),
        format!("kind = {}", quote(kind_name(p.kind))),
        format!("classes = {}", p.classes),
        format!("planned_year = {}", p.planned_year),
    ];
    let delay = DELAY_COLUMNS.iter().zip(p.delay.probabilities());
    // `{:?}` prints the shortest text that parses back to the same number, always with a
    // decimal point, so that TOML reads a float.
    cells.extend(delay.map(|(column, x)| format!("{column} = {x:?}")));
    format!("{{ {} }}", cells.join(", "))
}

/// `s` as a TOML string, quoted and escaped.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn write_projects(w: &mut impl Write, s: &Scenario, projects: &[Project]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(PROJECT_COLUMNS.iter().chain(&DELAY_COLUMNS))?;
    for p in projects {
        let mut record = vec![
            p.id.clone(),
            p.name.clone(),
            s.districts[p.district.0].id.clone(),
            s.stages[p.stage.0].id.clone(),
            kind_name(p.kind).to_string(),
            p.classes.to_string(),
            p.planned_year.to_string(),
        ];
        // `{}` prints the shortest text that parses back to the same number.
        record.extend(p.delay.probabilities().map(|x| format!("{x}")));
        out.write_record(&record)?;
    }
    out.flush()
}
