//! Open classes by district, stage and year: existing schools plus the construction pipeline
//! as it opened in one trial (DESIGN §2.3).
//!
//! Existing schools share one pool of classes — the base-year classes plus opened expansions
//! minus opened closures — split as evenly as possible over them, the first schools taking the
//! odd classes. Each new school is a school of its own with its planned classes.

use super::classes::{split, unseated, ClassTally, ExistingSchools, NewSums, OpenSchools};
use super::surge::surge_classes;
use super::yearly::{Held, YearSplits};
use crate::scenario::{DistrictIx, ProjectKind, Scenario, Stage, StageIx, Standards, Year};

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

    /// Lays out this unit's schools for one trial and `years`: existing schools with
    /// popularity `existing_weights` (one per school), new-school projects opening at
    /// `openings` with popularity `project_weights` (both indexed by project).
    pub fn prepare(
        &self,
        openings: &[Option<Year>],
        existing_weights: &[f64],
        project_weights: &[f64],
        years: &[Year],
        out: &mut TrialSchools,
    ) {
        out.existing.set_weights(existing_weights);
        out.order.clear();
        out.order.extend(
            self.new_schools
                .iter()
                .filter_map(|&(p, c)| openings[p].map(|y| (y, p, c))),
        );
        // Project order breaks ties, so the layout is the same however the sort works.
        out.order.sort_unstable_by_key(|&(y, p, _)| (y, p));
        out.new.clear();
        out.new_sums.clear();
        let mut sums = NewSums::default();
        out.new_sums.push(sums);
        for &(_, p, c) in &out.order {
            let school = (f64::from(c), project_weights[p]);
            out.new.push(school);
            sums = sums.and(school);
            out.new_sums.push(sums);
        }
        // Each year's pool and new schools open, worked out once per trial rather than
        // searched for every year; a change counts from the first year it is open in (a pass
        // over the changes each year was half of this function).
        out.changes.clear();
        out.changes.resize(years.len(), 0);
        for &(p, c) in &self.changes {
            let from = openings[p].map(|open| years.partition_point(|&y| y < open));
            if let Some(change) = from.and_then(|yi| out.changes.get_mut(yi)) {
                *change += c;
            }
        }
        out.timeline.resize(years.len(), (0, 0));
        let (mut pool, mut opened) = (i64::from(self.base_classes), 0);
        let each_year = years.iter().zip(&out.changes).zip(&mut out.timeline);
        for ((&year, &change), slot) in each_year {
            pool += change;
            while out.order.get(opened).is_some_and(|&(y, _, _)| y <= year) {
                opened += 1;
            }
            *slot = (pool.max(0) as u32, opened);
        }
    }
}

/// One district-stage's schools as one trial drew them: existing schools with their
/// popularity, new schools in order of opening, and what is open year by year. Reused from
/// trial to trial.
#[derive(Debug, Clone, Default)]
pub struct TrialSchools {
    existing: ExistingSchools,
    /// `(classes, weight)` of the new schools that open, in order of opening.
    new: Vec<(f64, f64)>,
    /// `new_sums[k]`: the sums over the first `k` new schools.
    new_sums: Vec<NewSums>,
    /// New schools open in the current year (the first ones of `new`).
    opened: usize,
    /// Per year number: classes of the existing schools, and new schools open.
    timeline: Vec<(u32, usize)>,
    /// Scratch for sorting: `(opening year, project index, classes)`.
    order: Vec<(Year, usize, u32)>,
    /// Scratch: per year number, the classes the expansions and closures opening that year
    /// add.
    changes: Vec<i64>,
}

impl TrialSchools {
    /// Moves to year number `year_ix` of those [`SupplyUnit::prepare`] was given.
    pub fn set_year(&mut self, year_ix: usize) {
        let (pool, opened) = self.timeline[year_ix];
        self.existing.hold(pool);
        self.opened = opened;
    }

    /// Classes of the existing schools in the year set by [`TrialSchools::set_year`] (none
    /// without an existing school: a pool with nowhere to go is lost).
    pub fn existing_classes(&self) -> u32 {
        let (each, odd) = self.existing.held();
        each * self.existing.weights().len() as u32 + odd
    }

    /// Opens `extra` surge classes (see [`super::surge`]) in the existing schools of year
    /// number `year_ix`, as set by [`TrialSchools::set_year`], on top of the pipeline's.
    pub fn add_surge(&mut self, year_ix: usize, extra: u32) {
        let (pool, _) = self.timeline[year_ix];
        self.existing.hold(pool + extra);
    }

    /// What the schools hold in the year set by [`TrialSchools::set_year`].
    pub fn held(&self) -> Held {
        let (each, odd) = self.existing.held();
        Held {
            each,
            odd,
            opened: self.opened,
        }
    }

    /// Opens each year's surge classes (into `surge`, by year number) and sets `splits` to
    /// how each year spreads `demand(year number)` pupils over the schools of this district
    /// catchment of `stage`, for [`TrialSchools::tally_years`]. `run` and `seatsim plan`
    /// both size a district-stage's classes here.
    pub fn split_years(
        &mut self,
        stage: &Stage,
        standards: &Standards,
        demand: impl Fn(usize) -> f64,
        splits: &mut YearSplits,
        surge: &mut [f64],
    ) {
        let size = f64::from(stage.class_size);
        splits.reset(self.timeline.len());
        for (yi, surge) in surge.iter_mut().enumerate().take(self.timeline.len()) {
            self.set_year(yi);
            let demand = demand(yi);
            *surge = match stage.surge {
                // The base year is the observed state.
                Some(rule) if yi > 0 => {
                    let (open, existing) = (self.open().classes(), self.existing_classes());
                    let extra = surge_classes(rule, demand, size, open, existing);
                    self.add_surge(yi, extra);
                    f64::from(extra)
                }
                _ => 0.0,
            };
            let (open, held) = (self.open(), self.held());
            let catchment = std::iter::once(open);
            let spread = split(demand, catchment, size, stage.admission_cap, standards);
            let split = spread.as_ref().ok_or_else(|| unseated(demand, size));
            splits.set(yi, split, held, open.classes());
        }
    }

    /// Every year's class tally under `splits`, into `out`.
    pub fn tally_years(&self, splits: &YearSplits, out: &mut Vec<ClassTally>) {
        splits.tally(self.existing.weights(), &self.new, out);
    }

    /// The schools open in the year set by [`TrialSchools::set_year`].
    pub fn open(&self) -> OpenSchools<'_> {
        OpenSchools::new(
            &self.existing,
            &self.new[..self.opened],
            self.new_sums[self.opened],
        )
    }
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
        let years = [2021, 2022, 2023, 2024, 2030].map(Year);
        let mut schools = TrialSchools::default();
        unit().prepare(&open, &[1.0; 3], &[1.0; 3], &years, &mut schools);
        let classes: Vec<u32> = (0..years.len())
            .map(|yi| {
                schools.set_year(yi);
                schools.existing_classes()
            })
            .collect();
        assert_eq!(classes, [10, 14, 14, 12, 12]);
    }

    #[test]
    fn closures_beyond_the_pool_leave_no_class_and_late_openings_none_in_the_projection() {
        let mut u = unit();
        u.changes = vec![(0, -12), (1, 5), (2, 7)];
        let open = [Some(Year(2022)), Some(Year(2023)), Some(Year(2040))];
        let years = [2021, 2022, 2023].map(Year);
        let mut schools = TrialSchools::default();
        u.prepare(&open, &[1.0; 3], &[1.0; 3], &years, &mut schools);
        let pools: Vec<u32> = schools.timeline.iter().map(|&(pool, _)| pool).collect();
        assert_eq!(pools, [10, 0, 3]);
    }

    #[test]
    fn new_schools_open_in_their_year_in_project_order() {
        let mut u = unit();
        u.new_schools = vec![(2, 24), (3, 12), (4, 6)];
        let open = [
            Some(Year(2022)),
            None,
            Some(Year(2025)),
            None,
            Some(Year(2023)),
        ];
        let mut schools = TrialSchools::default();
        let years = [Year(2021), Year(2022), Year(2023), Year(2030)];
        u.prepare(
            &open,
            &[1.0; 3],
            &[0.0, 0.0, 9.0, 8.0, 7.0],
            &years,
            &mut schools,
        );
        // Existing classes: 10, +4 from 2022 (project 0); new: 6 from 2023, 24 from 2025.
        let mut classes = Vec::new();
        for yi in 0..years.len() {
            schools.set_year(yi);
            classes.push(schools.open().classes());
        }
        assert_eq!(classes, vec![10.0, 14.0, 20.0, 44.0]);
        assert_eq!(schools.new[..schools.opened], [(6.0, 7.0), (24.0, 9.0)]);
    }
}
