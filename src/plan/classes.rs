//! Large classes under a portfolio (DESIGN §2.4, §8's `target_p_large_classes`): whether a
//! class is large depends on demand *and* on which schools are open — a new school is a
//! school of its own with its own popularity, an expansion spreads over the existing schools,
//! surge classes and admission caps move pupils — so, unlike capacity, it cannot be added up
//! from seats. [`ClassModel`] keeps, per trial, what the engine drew for the schools a row's
//! class split depends on (existing schools' popularity, the kept pipeline's openings and new
//! schools' popularity) and re-sizes the row's classes for a portfolio with the engine's own
//! code ([`SupplyUnit::prepare`], [`TrialSchools::split_years`], [`allocate`]), demand taken
//! from the futures. A candidate's new school takes the popularity `run` gives a project of
//! its id, so `run` of the written scenario sizes the same classes. The classes it opens give
//! the row's capacity too: with surge classes (which close as new seats open) capacity is not
//! the kept pipeline's plus the seats built.
//!
//! The large-class share is not monotone in what is built: more classes lower every school's
//! pupils per class, but a new school's own classes may be large. Nothing in the search
//! assumes it is (see [`super::solve`]).

use super::futures::Futures;
use super::score::{delays, Opened};
use crate::engine::{Engine, Place, TrialKey};
use crate::model::classes::allocate;
use crate::model::supply::{SupplyUnit, TrialSchools};
use crate::model::yearly::YearSplits;
use crate::scenario::{Catchment, DistrictIx, ProjectKind, Scenario, Stage, StageIx, Year};

/// What the class split of every decision row depends on besides demand, trial by trial.
pub struct ClassModel<'a> {
    engine: &'a Engine,
    futures: &'a Futures,
    years: Vec<Year>,
    rows: Vec<RowSchools>,
}

/// The district-stages whose schools take a decision row's pupils (one, or every district of
/// a city-wide stage).
struct RowSchools {
    stage: StageIx,
    units: Vec<UnitSchools>,
}

/// One district-stage: its existing schools and kept pipeline, and their draws per trial.
struct UnitSchools {
    district: DistrictIx,
    schools: u32,
    base_classes: u32,
    /// The kept pipeline's projects here: kind and classes.
    fixed: Vec<(ProjectKind, u32)>,
    /// `[trial × fixed project]`: its opening year (`None` = never).
    opens: Vec<Option<Year>>,
    /// `[trial × (school, then fixed project)]`: popularity of each existing school, then of
    /// each fixed project's new school (1 for the others).
    weights: Vec<f64>,
}

/// A decision row's classes under a portfolio, `[trial × year]` each.
#[derive(Debug, Clone, PartialEq)]
pub struct RowClasses {
    /// The large-class share.
    pub shares: Vec<f64>,
    /// Open classes × standard size (surge classes included), as `run` reports capacity.
    pub capacity: Vec<f64>,
}

/// Reused buffers of one evaluation.
#[derive(Default)]
struct Scratch {
    openings: Vec<Option<Year>>,
    weights: Vec<f64>,
    schools: Vec<TrialSchools>,
    splits: YearSplits,
    surge: Vec<f64>,
    tallies: Vec<crate::model::classes::ClassTally>,
}

impl<'a> ClassModel<'a> {
    /// The draws of `engine` (the scenario with the kept pipeline, as the futures were
    /// projected) on the trials of `futures`.
    pub fn new(engine: &'a Engine, futures: &'a Futures) -> Self {
        let s = engine.scenario();
        let rows = futures
            .rows
            .iter()
            .map(|&(place, stage)| {
                let districts: Vec<usize> = match place {
                    Place::District(d) => vec![d.0],
                    _ => (0..s.districts.len()).collect(),
                };
                RowSchools {
                    stage,
                    units: districts
                        .into_iter()
                        .map(|d| unit_schools(engine, futures, DistrictIx(d), stage))
                        .collect(),
                }
            })
            .collect();
        Self {
            engine,
            futures,
            years: s.years().collect(),
            rows,
        }
    }

    /// Popularity of the school a new-school copy with id `id` of `stage` opens, per trial.
    pub fn new_school_weights(&self, stage: StageIx, id: &str) -> Vec<f64> {
        let f = self.futures;
        f.trials
            .clone()
            .map(|t| {
                self.engine
                    .new_school_popularity(TrialKey::new(f.seed, t), stage, id)
            })
            .collect()
    }

    /// The classes of decision row `row` in every trial and year with `added` built on top of
    /// the kept pipeline (in the order the written scenario lists them).
    pub fn classes(&self, row: usize, added: &[Opened<'_>]) -> RowClasses {
        let f = self.futures;
        let s = self.engine.scenario();
        let r = &self.rows[row];
        let stage = &s.stages[r.stage.0];
        let units: Vec<SupplyUnit> = r.units.iter().map(|u| u.supply(r.stage, added)).collect();
        let mine: Vec<Vec<&Opened<'_>>> = r
            .units
            .iter()
            .map(|u| added.iter().filter(|a| a.district == u.district).collect())
            .collect();
        let n_y = f.n_years;
        let mut scratch = Scratch {
            schools: vec![TrialSchools::default(); units.len()],
            surge: vec![0.0; n_y],
            ..Scratch::default()
        };
        let mut out = RowClasses {
            shares: vec![0.0; f.n_trials() * n_y],
            capacity: vec![0.0; f.n_trials() * n_y],
        };
        let size = f64::from(stage.class_size);
        let rows = out.shares.chunks_exact_mut(n_y);
        for (t, (shares, seats)) in rows.zip(out.capacity.chunks_exact_mut(n_y)).enumerate() {
            for (k, (u, unit)) in r.units.iter().zip(&units).enumerate() {
                u.fill(t, &mine[k], &mut scratch);
                let existing = &u.weights[t * u.width()..][..u.schools as usize];
                let (openings, weights) = (&scratch.openings, &scratch.weights);
                unit.prepare(
                    openings,
                    existing,
                    weights,
                    &self.years,
                    &mut scratch.schools[k],
                );
            }
            let demand = |y: usize| f.demand[t * f.width() + row * n_y + y];
            match stage.catchment {
                Catchment::District => district_tallies(s, stage, demand, &mut scratch),
                Catchment::City => {
                    scratch.tallies.clear();
                    for y in 0..n_y {
                        scratch.schools.iter_mut().for_each(|x| x.set_year(y));
                        let open = scratch.schools.iter().map(TrialSchools::open);
                        let cap = stage.admission_cap;
                        let tally = allocate(demand(y), open, size, cap, &s.standards);
                        scratch.tallies.push(tally);
                    }
                }
            }
            for ((share, seats), tally) in shares.iter_mut().zip(seats).zip(&scratch.tallies) {
                *share = tally.large_share();
                *seats = tally.classes * size;
            }
        }
        out
    }
}

/// Per year, the share of trials of `shares` (`[trial × year]`) above `target`.
pub fn p_over(shares: &[f64], f: &Futures, target: f64) -> Vec<f64> {
    let n = f.n_trials().max(1) as f64;
    let mut p = vec![0.0; f.n_years];
    for trial in shares.chunks_exact(f.n_years) {
        for (p, &x) in p.iter_mut().zip(trial) {
            *p += f64::from(u8::from(x > target));
        }
    }
    p.iter_mut().for_each(|p| *p /= n);
    p
}

/// The class tallies of a district catchment's years into `scratch.tallies`, as `run` sizes
/// them (surge classes included).
fn district_tallies(
    s: &Scenario,
    stage: &Stage,
    demand: impl Fn(usize) -> f64,
    scratch: &mut Scratch,
) {
    let schools = &mut scratch.schools[0];
    schools.split_years(
        stage,
        &s.standards,
        demand,
        &mut scratch.splits,
        &mut scratch.surge,
    );
    schools.tally_years(&scratch.splits, &mut scratch.tallies);
}

/// District `d`'s schools of `stage` in `engine`'s scenario, with their draws on `f`'s trials.
fn unit_schools(engine: &Engine, f: &Futures, d: DistrictIx, stage: StageIx) -> UnitSchools {
    let s = engine.scenario();
    let cap = s.capacity[d.0][stage.0];
    let projects: Vec<_> = s
        .projects
        .iter()
        .filter(|p| p.district == d && p.stage == stage)
        .collect();
    let u = d.0 * s.stages.len() + stage.0;
    let width = cap.schools as usize + projects.len();
    let late: Vec<_> = (projects.iter())
        .map(|p| delays(f, &p.id, &p.delay))
        .collect();
    let mut opens = Vec::with_capacity(f.n_trials() * projects.len());
    let mut weights = vec![1.0; f.n_trials() * width];
    let trials = f.trials.clone().zip(weights.chunks_exact_mut(width));
    for (i, (t, w)) in trials.enumerate() {
        let key = TrialKey::new(f.seed, t);
        let (existing, own) = w.split_at_mut(cap.schools as usize);
        engine.existing_popularity(key, u, existing);
        for ((p, late), w) in projects.iter().zip(&late).zip(own) {
            opens.push(late[i].map(|l| p.planned_year + l));
            if p.kind == ProjectKind::New {
                *w = engine.new_school_popularity(key, stage, &p.id);
            }
        }
    }
    UnitSchools {
        district: d,
        schools: cap.schools,
        base_classes: cap.classes,
        fixed: projects.iter().map(|p| (p.kind, p.classes)).collect(),
        opens,
        weights,
    }
}

impl UnitSchools {
    /// Draws per trial: the existing schools, then the fixed projects.
    fn width(&self) -> usize {
        self.schools as usize + self.fixed.len()
    }

    /// This district-stage's supply with the copies of `added` that are its own, numbered
    /// after the fixed projects.
    fn supply(&self, stage: StageIx, added: &[Opened<'_>]) -> SupplyUnit {
        let mine = added.iter().filter(|a| a.district == self.district);
        let kinds = self
            .fixed
            .iter()
            .copied()
            .chain(mine.map(|a| (a.kind, a.classes)));
        let mut unit = SupplyUnit {
            district: self.district,
            stage,
            existing_schools: self.schools,
            base_classes: self.base_classes,
            changes: Vec::new(),
            new_schools: Vec::new(),
        };
        for (i, (kind, classes)) in kinds.enumerate() {
            match kind {
                ProjectKind::New => unit.new_schools.push((i, classes)),
                ProjectKind::Expansion => unit.changes.push((i, i64::from(classes))),
                ProjectKind::Closure => unit.changes.push((i, -i64::from(classes))),
            }
        }
        unit
    }

    /// Trial `t`'s openings and new schools' popularity of the fixed projects and `mine`, in
    /// the numbering of [`UnitSchools::supply`].
    fn fill(&self, t: usize, mine: &[&Opened<'_>], scratch: &mut Scratch) {
        let n = self.fixed.len();
        scratch.openings.clear();
        scratch
            .openings
            .extend_from_slice(&self.opens[t * n..(t + 1) * n]);
        scratch.weights.clear();
        let own = &self.weights[t * self.width()..(t + 1) * self.width()];
        scratch
            .weights
            .extend_from_slice(&own[self.schools as usize..]);
        for a in mine {
            scratch
                .openings
                .push(a.draws.delays[t].map(|late| a.year + late));
            scratch
                .weights
                .push(a.draws.weights.get(t).copied().unwrap_or(1.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::plan::score::{delays, CopyDraws};
    use crate::scenario::{Project, Surge};

    /// The example city with surge classes in primary, an admission cap in junior and
    /// correlated delays: every path of the class split.
    fn example() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
        let mut s = Scenario::load(&path).expect("the example scenario loads");
        s.stages[1].surge = Some(Surge {
            extra_classes: 0.05,
        });
        s.stages[2].admission_cap = Some(52.0);
        s.delay_correlation = 0.4;
        s
    }

    fn futures(s: &Scenario) -> (Engine, Futures) {
        let engine = Engine::new(s.clone());
        let f = Futures::project(&engine, 9, 0..24, 1, &AtomicBool::new(false), &|_| {});
        (engine, f.expect("not cancelled"))
    }

    /// The classes of row `r` of `f` as the engine gave them.
    fn column(f: &Futures, r: usize) -> RowClasses {
        let n_y = f.n_years;
        let at = |v: &[f64]| -> Vec<f64> {
            (0..f.n_trials())
                .flat_map(|t| (0..n_y).map(move |y| (t, y)))
                .map(|(t, y)| v[t * f.width() + r * n_y + y])
                .collect()
        };
        RowClasses {
            shares: at(&f.large),
            capacity: at(&f.capacity),
        }
    }

    fn project(
        id: &str,
        d: usize,
        st: usize,
        kind: ProjectKind,
        classes: u32,
        year: i32,
    ) -> Project {
        Project {
            id: id.into(),
            name: id.into(),
            district: DistrictIx(d),
            stage: StageIx(st),
            kind,
            classes,
            planned_year: Year(year),
            delay: crate::scenario::DelayProfile::new(0.6, 0.2, 0.1, 0.1).unwrap(),
        }
    }

    #[test]
    fn the_kept_pipeline_alone_gives_the_shares_run_gives() {
        let s = example();
        let (engine, f) = futures(&s);
        let model = ClassModel::new(&engine, &f);
        for r in 0..f.rows.len() {
            assert_eq!(model.classes(r, &[]), column(&f, r), "row {r}");
        }
    }

    #[test]
    fn built_copies_give_the_shares_run_of_the_scenario_with_them_gives() {
        let s = example();
        let (engine, f) = futures(&s);
        let model = ClassModel::new(&engine, &f);
        // A new primary school where surge classes run, two junior expansions under the cap,
        // a new junior school, and new senior schools (a city-wide stage) in two districts.
        let added = [
            project("a", 2, 1, ProjectKind::New, 24, 2023),
            project("b", 0, 2, ProjectKind::Expansion, 8, 2022),
            project("c", 0, 2, ProjectKind::New, 18, 2025),
            project("d", 0, 2, ProjectKind::Expansion, 6, 2022),
            project("e", 1, 3, ProjectKind::New, 20, 2024),
            project("f", 2, 3, ProjectKind::New, 12, 2022),
        ];
        let mut with = s.clone();
        with.projects.extend(added.iter().cloned());
        let (_, g) = futures(&with);
        let draws: Vec<CopyDraws> = added
            .iter()
            .map(|p| CopyDraws {
                delays: delays(&f, &p.id, &p.delay),
                weights: model.new_school_weights(p.stage, &p.id),
            })
            .collect();
        let mut changed = 0;
        for r in 0..f.rows.len() {
            let opened: Vec<Opened<'_>> = added
                .iter()
                .zip(&draws)
                .filter(|(p, _)| f.row_of(&s, p.district, p.stage) == r)
                .map(|(p, d)| Opened {
                    district: p.district,
                    kind: p.kind,
                    classes: p.classes,
                    year: p.planned_year,
                    draws: d,
                })
                .collect();
            let classes = model.classes(r, &opened);
            assert_eq!(classes, column(&g, r), "row {r}");
            changed += usize::from(classes.shares != column(&f, r).shares);
        }
        assert!(
            changed >= 2,
            "what is built moves the shares: {changed} rows"
        );
        // Surge classes close as new seats open: capacity is not the pipeline's plus the seats.
        let r = f.row_of(&s, DistrictIx(2), StageIx(1));
        let (before, after) = (column(&f, r).capacity, column(&g, r).capacity);
        let seats = 24.0 * f64::from(s.stages[1].class_size);
        assert!(before
            .iter()
            .zip(&after)
            .any(|(b, a)| *a != *b && *a != b + seats));
    }
}
