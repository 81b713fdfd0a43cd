//! One trial: draw the trial's random quantities, project the population year by year and
//! write every cell's metrics into a reusable buffer. Nothing here allocates once the
//! workspace has warmed up.

use ndarray::Array3;
use rand::RngExt;
use rand_distr::{Distribution, Gamma, StandardNormal};

use super::inputs::{Inputs, TrialInputs};
use super::layout::{Layout, Place};
use super::streams::{EntityKey, TrialKey};
use crate::model::classes::allocate;
use crate::model::demand::{stage_pupils, StagePupils};
use crate::model::demography::YearDrivers;
use crate::model::metrics::{Metric, Tally};
use crate::model::supply::{SupplyUnit, TrialSchools};
use crate::scenario::{Catchment, DistrictIx, ProjectKind, Scenario, StageIx, Year};

/// How a trial's random quantities are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draws {
    /// Every shock at its central value: no shocks, projects on time, equal popularity.
    Central,
    /// Keyed random draws of trial `trial` under `seed`.
    Random {
        /// The run's seed.
        seed: u64,
        /// The trial number (0-based).
        trial: u64,
    },
}

/// A scenario prepared for running trials: parameters laid out, stream keys derived.
pub struct Engine {
    scenario: Scenario,
    layout: Layout,
    units: Vec<SupplyUnit>,
    /// The uncertain inputs, and the tables at their central values.
    inputs: Inputs,
    central: TrialInputs,
    /// Popularity distribution per stage (`None` = all weights 1).
    popularity: Vec<Option<Gamma<f64>>>,
    keys: Keys,
}

/// Entity keys of every stream, derived once.
struct Keys {
    births_city: EntityKey,
    births: Vec<EntityKey>,
    migration_city: EntityKey,
    migration: Vec<EntityKey>,
    delay_common: EntityKey,
    delay: Vec<EntityKey>,
    /// Per supply unit: the stream its existing schools' popularity is drawn from, school by
    /// school in order.
    existing_schools: Vec<EntityKey>,
    /// Per project: the school a new-school project opens.
    project_school: Vec<EntityKey>,
}

/// Per-worker buffers, reused from trial to trial.
pub struct Workspace {
    pop: Array3<f64>,
    /// `[year number × district]`: `ε_city + ε_d`.
    births_shock: Vec<f64>,
    /// `[year number × district]`: `ξ_city + ξ'_d`.
    migration_shock: Vec<f64>,
    /// Scratch for one AR(1) series.
    series: Vec<f64>,
    /// The delay copula's common factor `Z` in this trial.
    delay_common: f64,
    openings: Vec<Option<Year>>,
    school_weights: Vec<Vec<f64>>,
    project_weights: Vec<f64>,
    /// Per supply unit: its schools as this trial drew them.
    schools: Vec<TrialSchools>,
    /// This trial's metrics, `[cell × metric]` (see [`Layout`]).
    pub values: Vec<f64>,
    /// This trial's uncertain inputs and the tables evaluated from them.
    inputs: TrialInputs,
}

impl Engine {
    /// Prepares a checked scenario for running.
    pub fn new(scenario: Scenario) -> Self {
        let s = &scenario;
        let units = SupplyUnit::all(s);
        let inputs = Inputs::new(s);
        let central = inputs.central(s);
        let popularity = s
            .stages
            .iter()
            .map(|st| {
                st.dispersion
                    .map(|k| Gamma::new(k, 1.0 / k).expect("κ > 0 is checked"))
            })
            .collect();
        let keys = Keys::new(s, &units);
        Self {
            layout: Layout::new(s),
            units,
            inputs,
            central,
            popularity,
            keys,
            scenario,
        }
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Where each cell's values live.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Fresh buffers for one worker.
    pub fn workspace(&self) -> Workspace {
        let s = &self.scenario;
        let n = s.n_years() * s.districts.len();
        Workspace {
            pop: s.population.clone(),
            births_shock: vec![0.0; n],
            migration_shock: vec![0.0; n],
            series: vec![0.0; s.n_years()],
            delay_common: 0.0,
            openings: vec![None; s.projects.len()],
            school_weights: self
                .units
                .iter()
                .map(|u| vec![1.0; u.existing_schools as usize])
                .collect(),
            project_weights: vec![1.0; s.projects.len()],
            schools: vec![TrialSchools::default(); self.units.len()],
            values: vec![0.0; self.layout.n_values()],
            inputs: self.central.clone(),
        }
    }

    /// Labels of the uncertain inputs' draws, in the order of [`Workspace::input_draws`].
    pub fn input_labels(&self) -> &[String] {
        self.inputs.labels()
    }

    /// Runs one trial, leaving its metrics in `ws.values`.
    pub fn run_trial(&self, draws: Draws, ws: &mut Workspace) {
        let key = match draws {
            Draws::Central => None,
            Draws::Random { seed, trial } => Some(TrialKey::new(seed, trial)),
        };
        match key {
            None => self.central_draws(ws),
            Some(t) => self.random_draws(t, ws),
        }
        self.inputs.set(&self.scenario, key, &mut ws.inputs);
        for ((unit, schools), weights) in self
            .units
            .iter()
            .zip(&mut ws.schools)
            .zip(&ws.school_weights)
        {
            let (years, p) = (&self.layout.years, &ws.project_weights);
            unit.prepare(&ws.openings, weights, p, years, schools);
        }
        ws.pop.assign(&self.scenario.population);
        let n_d = self.scenario.districts.len();
        for yi in 0..self.layout.years.len() {
            if yi > 0 {
                let (births_index, trend) = ws.inputs.drivers[yi];
                let span = yi * n_d..(yi + 1) * n_d;
                let drivers = YearDrivers {
                    births_index,
                    trend,
                    births_shock: &ws.births_shock[span.clone()],
                    migration_shock: &ws.migration_shock[span],
                };
                ws.inputs.demography.advance(&mut ws.pop, &drivers);
            }
            self.record_year(yi, ws);
        }
    }

    fn central_draws(&self, ws: &mut Workspace) {
        ws.births_shock.fill(0.0);
        ws.migration_shock.fill(0.0);
        ws.delay_common = 0.0;
        for (open, p) in ws.openings.iter_mut().zip(&self.scenario.projects) {
            *open = Some(p.planned_year);
        }
        ws.school_weights.iter_mut().for_each(|w| w.fill(1.0));
        ws.project_weights.fill(1.0);
    }

    fn random_draws(&self, t: TrialKey, ws: &mut Workspace) {
        let s = &self.scenario;
        let n_d = s.districts.len();
        let (b, m) = (&s.births, &s.migration);
        ar1(
            t,
            self.keys.births_city,
            b.sigma_city,
            b.rho,
            &mut ws.series,
        );
        for (yi, &city) in ws.series.iter().enumerate() {
            ws.births_shock[yi * n_d..(yi + 1) * n_d].fill(city);
        }
        ar1(
            t,
            self.keys.migration_city,
            m.sigma_city,
            m.rho_city,
            &mut ws.series,
        );
        for (yi, &city) in ws.series.iter().enumerate() {
            ws.migration_shock[yi * n_d..(yi + 1) * n_d].fill(city);
        }
        for d in 0..n_d {
            ar1(
                t,
                self.keys.births[d],
                b.sigma_district,
                0.0,
                &mut ws.series,
            );
            for (yi, &e) in ws.series.iter().enumerate() {
                ws.births_shock[yi * n_d + d] += e;
            }
            ar1(t, self.keys.migration[d], m.sigma, m.rho, &mut ws.series);
            for (yi, &x) in ws.series.iter().enumerate() {
                ws.migration_shock[yi * n_d + d] += x;
            }
        }
        ws.delay_common = self.delay_common(t);
        let rho = s.delay_correlation;
        let (common, own) = (rho.sqrt() * ws.delay_common, (1.0 - rho).sqrt());
        for (i, p) in s.projects.iter().enumerate() {
            let mut rng = t.stream(self.keys.delay[i]);
            // Independent projects keep the uniform draw they have always had; coupled ones
            // compare √ρ·Z + √(1−ρ)·ε_i on the normal scale (u_i = Φ of it, DESIGN §2.3).
            let late = if rho == 0.0 {
                p.delay.delay_for(rng.random())
            } else {
                let e: f64 = StandardNormal.sample(&mut rng);
                p.delay.delay_for_normal(common + own * e)
            };
            ws.openings[i] = late.map(|late| Year(p.planned_year.0 + late));
            if p.kind == ProjectKind::New {
                ws.project_weights[i] = self.weight(t, p.stage, self.keys.project_school[i]);
            }
        }
        for ((unit, weights), &key) in self
            .units
            .iter()
            .zip(&mut ws.school_weights)
            .zip(&self.keys.existing_schools)
        {
            if let Some(gamma) = &self.popularity[unit.stage.0] {
                let mut rng = t.stream(key);
                weights.iter_mut().for_each(|w| *w = gamma.sample(&mut rng));
            }
        }
    }

    /// The delay copula's common factor `Z ~ N(0, 1)` of this trial (0 without correlation).
    fn delay_common(&self, t: TrialKey) -> f64 {
        if self.scenario.delay_correlation == 0.0 {
            return 0.0;
        }
        StandardNormal.sample(&mut t.stream(self.keys.delay_common))
    }

    /// Popularity weight of one school of `stage`.
    fn weight(&self, t: TrialKey, stage: StageIx, key: EntityKey) -> f64 {
        match &self.popularity[stage.0] {
            Some(gamma) => gamma.sample(&mut t.stream(key)),
            None => 1.0,
        }
    }

    /// Writes every cell of year number `yi`.
    fn record_year(&self, yi: usize, ws: &mut Workspace) {
        let s = &self.scenario;
        let n_s = s.stages.len();
        for (st, stage) in s.stages.iter().enumerate() {
            let rates = ws.inputs.rates[yi][st];
            let size = f64::from(stage.class_size);
            let unit = |d: usize| d * n_s + st;
            let mut city = Tally::default();
            let mut pooled = StagePupils::default();
            for d in 0..s.districts.len() {
                let pupils = stage_pupils(&ws.pop, d, stage, rates);
                let u = unit(d);
                ws.schools[u].set_year(yi);
                if stage.catchment == Catchment::City {
                    pooled += pupils;
                    continue;
                }
                let open = std::iter::once(ws.schools[u].open());
                let classes = allocate(pupils.demand, open, size, &s.standards);
                let tally = Tally::of_catchment(pupils, size, classes);
                self.write(
                    Place::District(DistrictIx(d)),
                    StageIx(st),
                    yi,
                    &tally,
                    &mut ws.values,
                );
                city += tally;
            }
            if stage.catchment == Catchment::City {
                let districts = (0..s.districts.len()).map(|d| ws.schools[unit(d)].open());
                let classes = allocate(pooled.demand, districts, size, &s.standards);
                city = Tally::of_catchment(pooled, size, classes);
            }
            self.write(Place::All, StageIx(st), yi, &city, &mut ws.values);
        }
    }

    fn write(&self, place: Place, stage: StageIx, yi: usize, tally: &Tally, values: &mut [f64]) {
        let row = self
            .layout
            .row(place, stage)
            .expect("every computed cell is reported");
        let at = self.layout.cell(row, yi) * Metric::COUNT;
        values[at..at + Metric::COUNT].copy_from_slice(&tally.metrics());
    }
}

impl Workspace {
    /// The last trial's uniform of each uncertain input's label ([`Engine::input_labels`]).
    pub fn input_draws(&self) -> &[f64] {
        self.inputs.draws()
    }

    /// Each district-stage's schools as the last trial drew them, in [`SupplyUnit::all`] order.
    pub fn schools(&self) -> &[TrialSchools] {
        &self.schools
    }
}

impl Keys {
    fn new(s: &Scenario, units: &[SupplyUnit]) -> Self {
        let per_district = |purpose| {
            s.districts
                .iter()
                .map(|d| EntityKey::new(purpose, &d.id))
                .collect()
        };
        // The existing schools of a district-stage have no identity but their number, so they
        // share one stream, drawn in order: school i's weight is the i-th draw whatever the
        // number of schools, as a stream per school would give, for one seeding instead of
        // one per school (a seeding costs as much as a Gamma draw).
        let existing_schools = units
            .iter()
            .map(|u| {
                let (d, st) = (&s.districts[u.district.0].id, &s.stages[u.stage.0].id);
                EntityKey::new("popularity-existing", &format!("{d}/{st}"))
            })
            .collect();
        Self {
            births_city: EntityKey::new("births-city", ""),
            migration_city: EntityKey::new("migration-city", ""),
            births: per_district("births"),
            migration: per_district("migration"),
            delay_common: EntityKey::new("delay-common", ""),
            delay: s
                .projects
                .iter()
                .map(|p| EntityKey::new("delay", &p.id))
                .collect(),
            existing_schools,
            project_school: s
                .projects
                .iter()
                .map(|p| EntityKey::new("popularity", &format!("project/{}", p.id)))
                .collect(),
        }
    }
}

/// Fills `out[1..]` with a stationary AR(1) series of marginal sd `sigma` (`out[0]`, the base
/// year, is 0): `x₁ ~ N(0, σ²)`, `x_t = ρ·x_{t−1} + √(1−ρ²)·N(0, σ²)`.
fn ar1(t: TrialKey, key: EntityKey, sigma: f64, rho: f64, out: &mut [f64]) {
    out.fill(0.0);
    if sigma == 0.0 {
        return;
    }
    let mut rng = t.stream(key);
    let innovation = (1.0 - rho * rho).sqrt() * sigma;
    let mut x = 0.0;
    for (i, slot) in out.iter_mut().enumerate().skip(1) {
        let z: f64 = StandardNormal.sample(&mut rng);
        x = if i == 1 {
            sigma * z
        } else {
            rho * x + innovation * z
        };
        *slot = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
        Scenario::load(&path).expect("the example scenario loads")
    }

    /// The popularity weights of every existing school in trial 3 of seed 11.
    fn weights(s: Scenario) -> Vec<Vec<f64>> {
        let engine = Engine::new(s);
        let mut ws = engine.workspace();
        engine.run_trial(Draws::Random { seed: 11, trial: 3 }, &mut ws);
        ws.school_weights
    }

    #[test]
    fn one_more_existing_school_leaves_every_other_schools_popularity_unchanged() {
        let mut more = example();
        let base = weights(more.clone());
        more.capacity[0][1].schools += 1;
        let grown = weights(more);
        let unit = 1; // district 0, stage 1: units are district-major
        for (u, (a, b)) in base.iter().zip(&grown).enumerate() {
            assert_eq!(a.as_slice(), &b[..a.len()], "unit {u}");
            assert_eq!(b.len(), a.len() + usize::from(u == unit), "unit {u}");
        }
        assert!(
            base.iter().flatten().any(|&w| w != 1.0),
            "weights are drawn"
        );
    }
}
