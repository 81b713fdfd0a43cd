//! Open classes by district, stage and year: existing schools plus the construction pipeline
//! as it opened in one trial (DESIGN §2.3).
//!
//! Existing schools share one pool of classes — the base-year classes plus opened expansions
//! minus opened closures — split as evenly as possible over them, the first schools taking the
//! odd classes. Each new school is a school of its own with its planned classes.

use crate::scenario::{DistrictIx, ProjectKind, Scenario, StageIx, Year};

/// The schools of one district and stage, and the projects that change them.
#[derive(Debug, Clone)]
pub struct SupplyUnit {
    /// Where.
    pub district: DistrictIx,
    /// Which stage.
    pub stage: StageIx,
    /// Existing public schools in the base year.
    pub existing_schools: u32,
    /// Their classes in the base year.
    pub base_classes: u32,
    /// Expansions (+classes) and closures (−classes): `(project index, signed classes)`.
    pub changes: Vec<(usize, i64)>,
    /// New schools: `(project index, classes)`.
    pub new_schools: Vec<(usize, u32)>,
}

impl SupplyUnit {
    /// Every district × stage of the scenario, district-major (`d · n_stages + s`).
    pub fn all(s: &Scenario) -> Vec<SupplyUnit> {
        let mut units = Vec::new();
        for (d, caps) in s.capacity.iter().enumerate() {
            for (st, cap) in caps.iter().enumerate() {
                let mine = |p: &&crate::scenario::Project| p.district.0 == d && p.stage.0 == st;
                let indexed = s.projects.iter().enumerate().filter(|(_, p)| mine(p));
                let mut unit = SupplyUnit {
                    district: DistrictIx(d),
                    stage: StageIx(st),
                    existing_schools: cap.schools,
                    base_classes: cap.classes,
                    changes: Vec::new(),
                    new_schools: Vec::new(),
                };
                for (i, p) in indexed {
                    match p.kind {
                        ProjectKind::New => unit.new_schools.push((i, p.classes)),
                        ProjectKind::Expansion => unit.changes.push((i, i64::from(p.classes))),
                        ProjectKind::Closure => unit.changes.push((i, -i64::from(p.classes))),
                    }
                }
                units.push(unit);
            }
        }
        units
    }

    /// Classes of the existing schools in `year`, given each project's opening year.
    pub fn existing_classes(&self, openings: &[Option<Year>], year: Year) -> u32 {
        let delta: i64 = self
            .changes
            .iter()
            .filter(|(p, _)| is_open(openings[*p], year))
            .map(|(_, c)| c)
            .sum();
        (i64::from(self.base_classes) + delta).max(0) as u32
    }

    /// Appends `(classes, popularity weight)` of every open school with at least one class.
    pub fn open_schools(
        &self,
        openings: &[Option<Year>],
        year: Year,
        existing_weights: &[f64],
        project_weights: &[f64],
        out: &mut Vec<(f64, f64)>,
    ) {
        let n = self.existing_schools;
        let pool = self.existing_classes(openings, year);
        if let (Some(q), Some(r)) = (pool.checked_div(n), pool.checked_rem(n)) {
            for (i, &w) in existing_weights.iter().enumerate().take(n as usize) {
                let c = q + u32::from((i as u32) < r);
                if c > 0 {
                    out.push((f64::from(c), w));
                }
            }
        }
        for &(p, c) in &self.new_schools {
            if is_open(openings[p], year) {
                out.push((f64::from(c), project_weights[p]));
            }
        }
    }
}

/// Whether a project that opens in `opening` (`None` = never) counts in `year`.
fn is_open(opening: Option<Year>, year: Year) -> bool {
    opening.is_some_and(|y| y <= year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit() -> SupplyUnit {
        SupplyUnit {
            district: DistrictIx(0),
            stage: StageIx(0),
            existing_schools: 3,
            base_classes: 10,
            changes: vec![(0, 4), (1, -2)],
            new_schools: vec![(2, 24)],
        }
    }

    #[test]
    fn classes_follow_openings() {
        let open = [Some(Year(2022)), Some(Year(2024)), None];
        let u = unit();
        assert_eq!(u.existing_classes(&open, Year(2021)), 10);
        assert_eq!(u.existing_classes(&open, Year(2022)), 14);
        assert_eq!(u.existing_classes(&open, Year(2030)), 12);
    }

    #[test]
    fn pool_is_split_evenly_and_new_schools_stand_alone() {
        let open = [Some(Year(2022)), None, Some(Year(2023))];
        let mut out = Vec::new();
        unit().open_schools(
            &open,
            Year(2023),
            &[1.0, 2.0, 3.0],
            &[0.0, 0.0, 9.0],
            &mut out,
        );
        assert_eq!(out, vec![(5.0, 1.0), (5.0, 2.0), (4.0, 3.0), (24.0, 9.0)]);
    }

    #[test]
    fn schools_left_without_classes_are_closed() {
        let mut u = unit();
        u.changes = vec![(0, -9)];
        let mut out = Vec::new();
        u.open_schools(
            &[Some(Year(2021)), None, None],
            Year(2021),
            &[1.0; 3],
            &[1.0; 3],
            &mut out,
        );
        assert_eq!(out, vec![(1.0, 1.0)]);
    }
}
