//! Which cells two scenarios share: rows are matched by district id (or `ALL`) and stage id,
//! years by calendar year. Whatever only one scenario reports is listed in [`LeftOut`].

use std::collections::HashMap;

use serde::Serialize;

use crate::engine::{Engine, Place, Row};
use crate::report::csv::place_id;
use crate::scenario::Year;

/// One district (or `ALL`) × stage × year reported by both scenarios.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellPair {
    /// District id, or `ALL`.
    pub district: String,
    /// Stage id.
    pub stage: String,
    /// The year.
    pub year: Year,
    /// Row number in the base scenario's layout (pairs of one row are consecutive).
    pub base_row: usize,
    /// Cell number in the base scenario's layout.
    pub base: usize,
    /// Cell number in the alternative scenario's layout.
    pub alt: usize,
}

/// What one scenario reports that the other does not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Side {
    /// District ids missing from the other scenario.
    pub districts: Vec<String>,
    /// Stage ids missing from the other scenario.
    pub stages: Vec<String>,
    /// Years outside the other scenario's base year ..= horizon.
    pub years: Vec<i32>,
    /// `district/stage` rows whose district and stage the other has but does not report
    /// (the stage's catchment differs: district-level in one, city-wide in the other).
    pub rows: Vec<String>,
}

/// What the comparison leaves out, per side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// Only in the base scenario.
    pub base_only: Side,
    /// Only in the alternative scenario.
    pub alt_only: Side,
}

impl LeftOut {
    /// One human-readable line per thing left out (empty when the scenarios match).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for (name, side) in [("BASE", &self.base_only), ("ALT", &self.alt_only)] {
            let mut note = |what: &str, items: Vec<String>| {
                if !items.is_empty() {
                    notes.push(format!(
                        "{what} only in {name}, left out: {}",
                        items.join(", ")
                    ));
                }
            };
            note("districts", side.districts.clone());
            note("stages", side.stages.clone());
            note("years", side.years.iter().map(i32::to_string).collect());
            note("rows (catchment differs)", side.rows.clone());
        }
        if !self.base_only.districts.is_empty() || !self.alt_only.districts.is_empty() {
            notes.push("city totals (ALL) are compared but cover different districts".into());
        }
        notes
    }
}

/// The shared cells of two scenarios, in the base scenario's output order.
#[derive(Debug, Clone)]
pub struct Matching {
    /// Cells reported by both.
    pub pairs: Vec<CellPair>,
    /// What only one of them reports.
    pub left_out: LeftOut,
}

impl Matching {
    /// Matches the cells of `base` and `alt`.
    pub fn new(base: &Engine, alt: &Engine) -> Self {
        let alt_rows = row_index(alt);
        let alt_years = year_index(alt);
        let mut pairs = Vec::new();
        for (r, row) in base.layout().rows.iter().enumerate() {
            let (district, stage) = row_key(base, row);
            let Some(&ar) = alt_rows.get(&(district.clone(), stage.clone())) else {
                continue;
            };
            for (yi, &year) in base.layout().years.iter().enumerate() {
                if let Some(&ayi) = alt_years.get(&year) {
                    pairs.push(CellPair {
                        district: district.clone(),
                        stage: stage.clone(),
                        year,
                        base_row: r,
                        base: base.layout().cell(r, yi),
                        alt: alt.layout().cell(ar, ayi),
                    });
                }
            }
        }
        let left_out = LeftOut {
            base_only: only_in(base, alt),
            alt_only: only_in(alt, base),
        };
        Self { pairs, left_out }
    }
}

/// `(district id or ALL, stage id)` of a layout row.
fn row_key(engine: &Engine, row: &Row) -> (String, String) {
    let s = engine.scenario();
    (
        place_id(s, row.place).to_string(),
        s.stages[row.stage.0].id.clone(),
    )
}

fn row_index(engine: &Engine) -> HashMap<(String, String), usize> {
    let rows = engine.layout().rows.iter();
    rows.enumerate()
        .map(|(r, row)| (row_key(engine, row), r))
        .collect()
}

fn year_index(engine: &Engine) -> HashMap<Year, usize> {
    let years = engine.layout().years.iter();
    years.enumerate().map(|(yi, &y)| (y, yi)).collect()
}

/// What `this` reports that `other` does not.
fn only_in(this: &Engine, other: &Engine) -> Side {
    let (s, o) = (this.scenario(), other.scenario());
    let other_rows = row_index(other);
    let rows = this
        .layout()
        .rows
        .iter()
        .map(|row| (row, row_key(this, row)));
    let has_place = |row: &Row| match row.place {
        Place::District(d) => o.district_ix(&s.districts[d.0].id).is_some(),
        Place::All => true,
    };
    let unmatched: Vec<String> = rows
        .filter(|(row, key)| !other_rows.contains_key(key) && has_place(row))
        .filter(|(row, _)| o.stage_ix(&s.stages[row.stage.0].id).is_some())
        .map(|(_, (d, st))| format!("{d}/{st}"))
        .collect();
    Side {
        districts: s
            .districts
            .iter()
            .filter(|d| o.district_ix(&d.id).is_none())
            .map(|d| d.id.clone())
            .collect(),
        stages: s
            .stages
            .iter()
            .filter(|st| o.stage_ix(&st.id).is_none())
            .map(|st| st.id.clone())
            .collect(),
        years: s
            .years()
            .filter(|y| !(o.base_year..=o.horizon).contains(y))
            .map(|y| y.0)
            .collect(),
        rows: unmatched,
    }
}
