//! `candidates.csv` of `seatsim plan` (DESIGN §8): the columns of `projects.csv` plus
//! `earliest_year, latest_year, cost`, checked against the scenario it plans for.

use std::collections::HashSet;
use std::path::Path;

use super::table::{CsvTable, Fields, Reads};
use super::validate::{district_of, project_delay, stage_of, PROJECT_COLUMNS};
use super::{DelayProfile, DistrictIx, ProjectKind, Scenario, ScenarioError, StageIx, Year};

/// Columns a candidates file must have: those of `projects.csv` but `planned_year`, and the
/// window.
const REQUIRED: [&str; 8] = [
    PROJECT_COLUMNS[0],
    PROJECT_COLUMNS[1],
    PROJECT_COLUMNS[2],
    PROJECT_COLUMNS[3],
    PROJECT_COLUMNS[4],
    PROJECT_COLUMNS[5],
    "earliest_year",
    "latest_year",
];
/// Largest accepted cost of one candidate, yuan.
const MAX_COST: f64 = 1e12;

/// A project the plan may build, in a year of its window.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Unique ASCII id, distinct from the pipeline's; a built copy is `id` (or `id-k`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Where.
    pub district: DistrictIx,
    /// Which stage.
    pub stage: StageIx,
    /// New school or expansion (never a closure).
    pub kind: ProjectKind,
    /// Classes it adds (≥ 1).
    pub classes: u32,
    /// First and last planned year it may take, base year < earliest ≤ latest ≤ horizon.
    pub window: (Year, Year),
    /// Capital cost, yuan (≥ 0).
    pub cost: f64,
    /// Its delay profile.
    pub delay: DelayProfile,
    /// Whether it may be built more than once (a standard school, not a named site).
    pub repeatable: bool,
}

impl Scenario {
    /// Reads a candidates file for this scenario; each row may be built at most once.
    pub fn read_candidates(&self, path: &Path) -> Result<Vec<Candidate>, ScenarioError> {
        let table = CsvTable::read(
            path,
            &REQUIRED,
            &[
                "cost",
                "planned_year",
                "status",
                "on_time",
                "one_year",
                "two_years",
                "never",
            ],
            &mut Reads::default(),
        )?;
        let mut seen: HashSet<String> = self.projects.iter().map(|p| p.id.clone()).collect();
        let mut out = Vec::new();
        for row in table.rows() {
            let id = row.ident("id")?;
            if !seen.insert(id.to_string()) {
                return Err(row.error(format!(
                    "id = {id}: already a candidate or a project of the pipeline; ids must be unique"
                )));
            }
            let (district, stage) = (district_of(self, &row)?, stage_of(self, &row)?);
            let kind = match row.text("kind")? {
                "new" => ProjectKind::New,
                "expansion" => ProjectKind::Expansion,
                other => return Err(row.error(format!("kind = {other}: must be new or expansion"))),
            };
            if kind == ProjectKind::Expansion && self.capacity[district.0][stage.0].schools == 0 {
                return Err(row.error(format!(
                    "kind = expansion: district {} has no existing {} school to expand (use kind = new)",
                    self.districts[district.0].id, self.stages[stage.0].id
                )));
            }
            let (b, h) = (i64::from(self.base_year.0), i64::from(self.horizon.0));
            let earliest = row.whole("earliest_year", b + 1, h)?;
            let latest = row.whole("latest_year", earliest, h)?;
            if !row.raw("planned_year").is_empty() {
                row.whole("planned_year", earliest, latest)?;
            }
            let classes = row.whole("classes", 1, 100_000)? as u32;
            let delay = project_delay(&row, self.delay)?;
            let cost = match row.raw("cost") {
                "" => {
                    let seats = f64::from(classes) * f64::from(self.stages[stage.0].class_size);
                    let per_seat = self.stages[stage.0].seat_cost.map(|c| c.per_seat(kind));
                    per_seat.map(|c| c * seats).ok_or_else(|| {
                        row.error(format!(
                            "cost is empty and stage {} has no [costs.{}]: give the cost in yuan or the stage's cost per seat",
                            self.stages[stage.0].id, self.stages[stage.0].id
                        ))
                    })?
                }
                _ => row.number_where(
                    "cost",
                    |x| (0.0..=MAX_COST).contains(&x),
                    "yuan, from 0 to 1e12",
                )?,
            };
            out.push(Candidate {
                id: id.to_string(),
                name: row.text("name")?.to_string(),
                district,
                stage,
                kind,
                classes,
                window: (Year(earliest as i32), Year(latest as i32)),
                cost,
                delay,
                repeatable: false,
            });
        }
        if out.is_empty() {
            return Err(ScenarioError::in_file(
                path,
                "no candidates: add at least one row",
            ));
        }
        Ok(out)
    }
}
