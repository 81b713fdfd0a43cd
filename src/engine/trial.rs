//! One trial: draw the trial's random quantities, project the population year by year and
//! write every cell's metrics into a reusable buffer. Nothing here allocates once the
//! workspace has warmed up.

use ndarray::Array3;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use super::inputs::{Inputs, TrialInputs};
use super::layout::{Layout, Place};
use super::popularity::Popularity;
use super::sensitivity::{Drivers, Shock};
use super::streams::{EntityKey, TrialKey};
use crate::model::classes::{allocate, ClassTally};
use crate::model::demand::{stage_pupils, StagePupils};
use crate::model::demography::YearDrivers;
use crate::model::metrics::{Metric, Tally, YUAN_PER_SPENDING};
use crate::model::supply::{SupplyUnit, TrialSchools};
use crate::model::yearly::YearSplits;
use crate::scenario::{
    Catchment, DelayProfile, DistrictIx, ProjectKind, Scenario, Stage, StageIx, Year,
};
use crate::stats::{normal, prefetch::prefetch};

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
    /// What `sensitivity.csv` splits the variance by.
    drivers: Drivers,
    /// Popularity distribution per stage (`None` = all weights 1).
    popularity: Vec<Option<Popularity>>,
    /// Per project: its supply unit and capital cost in spending units (0 where its stage
    /// has no `[costs]`).
    project_costs: Vec<(usize, f64)>,
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
    /// Per estate: its delay, `(seed, trial, "housing-delay", id)`.
    housing_delay: Vec<EntityKey>,
    /// The common factor of the estates' own delay copula.
    housing_common: EntityKey,
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
    /// The city births and migration log shocks `ε_city`, `ξ_city` by year number.
    births_city: Vec<f64>,
    migration_city: Vec<f64>,
    /// This trial's sensitivity drivers, `[driver × year number]`, fixed-point
    /// ([`Drivers::fill`]).
    pub drivers: Vec<i64>,
    /// The delay copula's common factor `Z` in this trial.
    delay_common: f64,
    openings: Vec<Option<Year>>,
    school_weights: Vec<Vec<f64>>,
    project_weights: Vec<f64>,
    /// Per supply unit: its schools as this trial drew them.
    schools: Vec<TrialSchools>,
    /// `[supply unit × year number]`: cost of the projects opening there that year.
    spending: Vec<f64>,
    /// How each year spread the pupils of the district-stage being tallied, for its class
    /// tallies of all years at once after the projection: one, reused district-stage after
    /// district-stage (one per district-stage missed the cache on a nation's 11,200).
    splits: YearSplits,
    /// `[supply unit × year number]`: the pupils of district catchments.
    pupils: Vec<StagePupils>,
    /// `[supply unit × year number]`: the surge classes of district catchments.
    surge: Vec<f64>,
    /// One supply unit's class tallies, by year number.
    class_tallies: Vec<ClassTally>,
    /// One stage's city totals, by year number.
    city: Vec<Tally>,
    /// This trial's metrics, `[cell × metric]` (see [`Layout`]).
    pub values: Vec<f64>,
    /// This trial's uncertain inputs and the tables evaluated from them.
    inputs: TrialInputs,
    /// The children who arrived with an estate, `[district, origin, age]` (DESIGN §2.8).
    cohort: Array3<f64>,
    /// Per estate: the year it completes in this trial (`None` = never).
    completions: Vec<Option<Year>>,
    /// `[supply unit × year number]`: the demand of the housing cohort.
    housing_demand: Vec<f64>,
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
            .map(|st| st.dispersion.map(Popularity::new))
            .collect();
        let keys = Keys::new(s, &units);
        let project_costs = s
            .projects
            .iter()
            .map(|p| {
                let unit = p.district.0 * s.stages.len() + p.stage.0;
                (unit, s.cost_of(p).unwrap_or(0.0) / YUAN_PER_SPENDING)
            })
            .collect();
        Self {
            layout: Layout::new(s),
            units,
            inputs,
            central,
            drivers: Drivers::of(s),
            popularity,
            project_costs,
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
            births_city: vec![0.0; s.n_years()],
            migration_city: vec![0.0; s.n_years()],
            drivers: vec![0; self.drivers.names.len() * s.n_years()],
            delay_common: 0.0,
            openings: vec![None; s.projects.len()],
            school_weights: self
                .units
                .iter()
                .map(|u| vec![1.0; u.existing_schools as usize])
                .collect(),
            project_weights: vec![1.0; s.projects.len()],
            schools: vec![TrialSchools::default(); self.units.len()],
            spending: vec![0.0; self.units.len() * s.n_years()],
            splits: YearSplits::default(),
            pupils: vec![StagePupils::default(); self.units.len() * s.n_years()],
            surge: vec![0.0; self.units.len() * s.n_years()],
            class_tallies: Vec::with_capacity(s.n_years()),
            city: vec![Tally::default(); s.n_years()],
            values: vec![0.0; self.layout.n_values()],
            inputs: self.central.clone(),
            cohort: Array3::zeros(s.population.raw_dim()),
            completions: vec![None; s.housing.estates.len()],
            housing_demand: vec![0.0; self.units.len() * s.n_years()],
        }
    }

    /// Labels of the uncertain inputs' draws, in the order of [`Workspace::input_draws`].
    pub fn input_labels(&self) -> &[String] {
        self.inputs.labels()
    }

    /// Runs one trial, leaving its metrics in `ws.values`.
    pub fn run_trial(&self, draws: Draws, ws: &mut Workspace) {
        self.draw(draws, ws);
        self.project_own(ws);
    }

    /// Runs one trial, writing its metrics into `values` (`[cell × metric]`,
    /// [`Layout::n_values`] long) rather than `ws.values`: a round's trials go straight into
    /// its block, without a copy of each.
    pub fn run_trial_into(&self, draws: Draws, ws: &mut Workspace, values: &mut [f64]) {
        self.draw(draws, ws);
        self.project(ws, values);
    }

    /// Sets the trial's random quantities and the inputs evaluated from them.
    fn draw(&self, draws: Draws, ws: &mut Workspace) {
        let key = match draws {
            Draws::Central => None,
            Draws::Random { seed, trial } => Some(TrialKey::new(seed, trial)),
        };
        match key {
            None => self.central_draws(ws),
            Some(t) => self.random_draws(t, ws),
        }
        self.inputs.set(&self.scenario, key, &mut ws.inputs);
    }

    /// Runs the deterministic projection with one driver of [`Drivers`] (an uncertain input's
    /// label, or a city shock series) at its quantile `q` and everything else central, leaving
    /// the metrics in `ws.values`; returns the driver's value there (the first number of an
    /// input's label; a shock's log shock, or the copula's `Z`).
    pub fn run_moved(&self, driver: usize, q: f64, ws: &mut Workspace) -> f64 {
        self.central_draws(ws);
        let value = match self.drivers.shock(driver) {
            None => self
                .inputs
                .set_moved(&self.scenario, driver, q, &mut ws.inputs),
            Some(shock) => {
                self.inputs.set(&self.scenario, None, &mut ws.inputs);
                self.move_shock(shock, q, ws)
            }
        };
        self.project_own(ws);
        value
    }

    /// Sets city shock series `shock` at its quantile `q` in every projection year, the other
    /// shocks central; returns its value.
    fn move_shock(&self, shock: Shock, q: f64, ws: &mut Workspace) -> f64 {
        let s = &self.scenario;
        let z = normal::quantile(q);
        let (sigma, series, district) = match shock {
            Shock::BirthsCity => (
                s.births.sigma_city,
                &mut ws.births_city,
                &mut ws.births_shock,
            ),
            Shock::MigrationCity => (
                s.migration.sigma_city,
                &mut ws.migration_city,
                &mut ws.migration_shock,
            ),
            Shock::DelayCommon => {
                let common = s.delay_correlation.sqrt() * z;
                ws.delay_common = z;
                for (open, p) in ws.openings.iter_mut().zip(&s.projects) {
                    *open = p.delay.delay_for_normal(common).map(|l| p.planned_year + l);
                }
                return z;
            }
            Shock::Drift(k) => return self.inputs.set_drift_moved(s, k, z, &mut ws.inputs),
        };
        // The AR(1) is stationary with marginal σ: its quantile q held in every year.
        let x = sigma * z;
        series[1..].fill(x);
        let n_d = s.districts.len();
        district[n_d..].fill(x);
        x
    }

    /// [`Engine::project`] into `ws.values`.
    fn project_own(&self, ws: &mut Workspace) {
        let mut values = std::mem::take(&mut ws.values);
        self.project(ws, &mut values);
        ws.values = values;
    }

    /// Projects the population year by year from the draws in `ws` and writes every cell
    /// into `values`.
    fn project(&self, ws: &mut Workspace, values: &mut [f64]) {
        self.drivers.fill(
            ws.inputs.draws(),
            [&ws.births_city, &ws.migration_city],
            ws.delay_common,
            ws.inputs.drift_levels(),
            &mut ws.drivers,
        );
        self.book_spending(ws);
        // The schools of city catchments now; those of district catchments just before their
        // tallies, while they are in cache (`record_district_catchments`).
        for (u, unit) in self.units.iter().enumerate() {
            if self.scenario.stages[unit.stage.0].catchment == Catchment::City {
                self.prepare(u, ws);
            }
        }
        ws.pop.assign(&self.scenario.population);
        ws.cohort.fill(0.0);
        let housing = &self.scenario.housing;
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
                if !housing.estates.is_empty() {
                    let demography = &ws.inputs.demography;
                    demography.advance_cohort(&mut ws.cohort, &drivers);
                    let year = self.layout.years[yi];
                    let (pop, cohort) = (&mut ws.pop, &mut ws.cohort);
                    ws.inputs
                        .housing
                        .settle(housing, &ws.completions, year, pop, cohort);
                }
            }
            self.record_year(yi, ws, values);
        }
        self.record_district_catchments(ws, values);
    }

    /// Lays out the schools of supply unit `u` for the trial's draws.
    fn prepare(&self, u: usize, ws: &mut Workspace) {
        let (years, p) = (&self.layout.years, &ws.project_weights);
        let weights = &ws.school_weights[u];
        self.units[u].prepare(&ws.openings, weights, p, years, &mut ws.schools[u]);
    }

    fn central_draws(&self, ws: &mut Workspace) {
        ws.births_shock.fill(0.0);
        ws.migration_shock.fill(0.0);
        ws.births_city.fill(0.0);
        ws.migration_city.fill(0.0);
        ws.delay_common = 0.0;
        for (open, p) in ws.openings.iter_mut().zip(&self.scenario.projects) {
            *open = Some(p.planned_year);
        }
        ws.school_weights.iter_mut().for_each(|w| w.fill(1.0));
        ws.project_weights.fill(1.0);
        for (done, e) in ws
            .completions
            .iter_mut()
            .zip(&self.scenario.housing.estates)
        {
            *done = Some(e.completion_year);
        }
    }

    fn random_draws(&self, t: TrialKey, ws: &mut Workspace) {
        let s = &self.scenario;
        let n_d = s.districts.len();
        let (b, m) = (&s.births, &s.migration);
        let births_city = (self.keys.births_city, b.sigma_city, b.rho);
        city_shock(t, births_city, &mut ws.births_city, &mut ws.births_shock);
        let migration_city = (self.keys.migration_city, m.sigma_city, m.rho_city);
        city_shock(
            t,
            migration_city,
            &mut ws.migration_city,
            &mut ws.migration_shock,
        );
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
        let copula = DelayCopula::of(t, self.keys.delay_common, s.delay_correlation);
        ws.delay_common = copula.z;
        for (i, p) in s.projects.iter().enumerate() {
            let late = project_delay(t, self.keys.delay[i], &p.delay, &copula);
            ws.openings[i] = late.map(|late| p.planned_year + late);
            if p.kind == ProjectKind::New {
                ws.project_weights[i] = self.weight(t, p.stage, self.keys.project_school[i]);
            }
        }
        for (u, weights) in ws.school_weights.iter_mut().enumerate() {
            self.existing_popularity(t, u, weights);
        }
        self.estate_delays(t, ws);
    }

    /// Popularity of the existing schools of supply unit `u` (district-major, `d · n_stages +
    /// stage`) in trial `t`, school by school into `weights` (all 1 without a dispersion).
    /// `seatsim plan` sizes classes with these draws too.
    pub fn existing_popularity(&self, t: TrialKey, u: usize, weights: &mut [f64]) {
        match &self.popularity[self.units[u].stage.0] {
            Some(gamma) => {
                gamma.fill(&mut t.stream(self.keys.existing_schools[u]), weights);
            }
            None => weights.fill(1.0),
        }
    }

    /// Popularity of the school a new-school project with id `id` of `stage` opens in trial
    /// `t`, as `run` draws it for a project of that id (`seatsim plan` draws its candidates'
    /// here).
    pub fn new_school_popularity(&self, t: TrialKey, stage: StageIx, id: &str) -> f64 {
        self.weight(t, stage, school_key(id))
    }

    /// Draws the year each estate completes: its own stream keyed by its id, coupled to the
    /// other estates (not to the school programme) by `[housing.delay] correlation`.
    fn estate_delays(&self, t: TrialKey, ws: &mut Workspace) {
        let h = &self.scenario.housing;
        if h.estates.is_empty() {
            return;
        }
        let copula = DelayCopula::of(t, self.keys.housing_common, h.delay_correlation);
        let keys = self.keys.housing_delay.iter();
        for ((done, e), &key) in ws.completions.iter_mut().zip(&h.estates).zip(keys) {
            let late = project_delay(t, key, &h.delay, &copula);
            *done = late.map(|late| e.completion_year + late);
        }
    }

    /// Books each project's cost in its district-stage and the year it opens (DESIGN §2.7):
    /// a delay moves the money, a project that never opens (or opens after the horizon)
    /// spends nothing in the projection.
    fn book_spending(&self, ws: &mut Workspace) {
        let n_y = self.layout.years.len();
        ws.spending.fill(0.0);
        for (open, &(unit, cost)) in ws.openings.iter().zip(&self.project_costs) {
            let yi = open.map(|y| (y.0 - self.scenario.base_year.0) as usize);
            if let Some(yi) = yi.filter(|&yi| yi < n_y) {
                ws.spending[unit * n_y + yi] += cost;
            }
        }
    }

    /// Popularity weight of one school of `stage`.
    fn weight(&self, t: TrialKey, stage: StageIx, key: EntityKey) -> f64 {
        match &self.popularity[stage.0] {
            Some(gamma) => gamma.sample(&mut t.stream(key)),
            None => 1.0,
        }
    }

    /// Writes the cells of city catchments in year number `yi`, and keeps the pupils of
    /// district catchments for [`Engine::record_district_catchments`].
    fn record_year(&self, yi: usize, ws: &mut Workspace, values: &mut [f64]) {
        let s = &self.scenario;
        let n_s = s.stages.len();
        let n_y = self.layout.years.len();
        for (st, stage) in s.stages.iter().enumerate() {
            let rates = ws.inputs.rates[yi][st];
            let size = f64::from(stage.class_size);
            let unit = |d: usize| d * n_s + st;
            let mut pooled = StagePupils::default();
            for d in 0..s.districts.len() {
                let pupils = stage_pupils(&ws.pop, d, stage, rates);
                let u = unit(d);
                let arrived = if stage.housing {
                    stage_pupils(&ws.cohort, d, stage, rates).demand
                } else {
                    0.0
                };
                ws.housing_demand[u * n_y + yi] = arrived;
                if stage.catchment == Catchment::City {
                    ws.schools[u].set_year(yi);
                    pooled += pupils;
                } else {
                    ws.pupils[u * n_y + yi] = pupils;
                }
            }
            if stage.catchment == Catchment::City {
                let districts = (0..s.districts.len()).map(|d| ws.schools[unit(d)].open());
                let classes = allocate(
                    pooled.demand,
                    districts,
                    size,
                    stage.admission_cap,
                    &s.standards,
                );
                let mut city = Tally::of_catchment(pooled, size, classes);
                city.housing = (0..s.districts.len())
                    .map(|d| ws.housing_demand[unit(d) * n_y + yi])
                    .sum();
                city.spending = (0..s.districts.len())
                    .map(|d| ws.spending[unit(d) * n_y + yi])
                    .sum();
                self.write(Place::All, StageIx(st), yi, &city, values);
            }
        }
    }

    /// District-stage `u`'s surge classes and the split of its pupils over its schools, year
    /// by year. Done one district-stage at a time after the projection, not year by year
    /// across them all, so that its schools stay in cache through the years (a nation's
    /// 11,000 district-stages visited each year missed the cache on every one).
    fn split_years(&self, stage: &Stage, u: usize, ws: &mut Workspace) {
        let n_y = self.layout.years.len();
        let pupils = &ws.pupils[u * n_y..(u + 1) * n_y];
        ws.schools[u].split_years(
            stage,
            &self.scenario.standards,
            |yi| pupils[yi].demand,
            &mut ws.splits,
            &mut ws.surge[u * n_y..(u + 1) * n_y],
        );
    }

    /// Writes every cell of the stages with district catchments, each district-stage's
    /// classes tallied for all years at once, and their city totals.
    fn record_district_catchments(&self, ws: &mut Workspace, values: &mut [f64]) {
        let s = &self.scenario;
        let n_s = s.stages.len();
        let n_y = self.layout.years.len();
        for (st, stage) in s.stages.iter().enumerate() {
            if stage.catchment == Catchment::City {
                continue;
            }
            let size = f64::from(stage.class_size);
            ws.city.iter_mut().for_each(|t| *t = Tally::default());
            prefetch(&values[self.cells(Place::All, StageIx(st))]);
            for d in 0..s.districts.len() {
                let u = d * n_s + st;
                // The district-stage's cells, missing from the cache in a round's block, are
                // fetched while its classes are tallied rather than when each is written.
                prefetch(&values[self.cells(Place::District(DistrictIx(d)), StageIx(st))]);
                self.prepare(u, ws);
                self.split_years(stage, u, ws);
                ws.schools[u].tally_years(&ws.splits, &mut ws.class_tallies);
                for (yi, &classes) in ws.class_tallies.iter().enumerate() {
                    let mut tally = Tally::of_catchment(ws.pupils[u * n_y + yi], size, classes);
                    tally.spending = ws.spending[u * n_y + yi];
                    tally.surge = ws.surge[u * n_y + yi];
                    tally.housing = ws.housing_demand[u * n_y + yi];
                    let place = Place::District(DistrictIx(d));
                    self.write(place, StageIx(st), yi, &tally, values);
                    ws.city[yi] += tally;
                }
            }
            for (yi, city) in ws.city.iter().enumerate() {
                self.write(Place::All, StageIx(st), yi, city, values);
            }
        }
    }

    fn write(&self, place: Place, stage: StageIx, yi: usize, tally: &Tally, values: &mut [f64]) {
        let at = self.cells(place, stage).start + yi * Metric::COUNT;
        let metrics = tally.metrics(&self.scenario.stages[stage.0]);
        values[at..at + Metric::COUNT].copy_from_slice(&metrics);
    }

    /// Where the values of every year of `place` × `stage` lie in a trial's values.
    fn cells(&self, place: Place, stage: StageIx) -> std::ops::Range<usize> {
        let row = self
            .layout
            .row(place, stage)
            .expect("every computed cell is reported");
        let n_y = self.layout.years.len();
        self.layout.cell(row, 0) * Metric::COUNT..self.layout.cell(row, n_y) * Metric::COUNT
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
            delay_common: delay_common_key(),
            delay: s.projects.iter().map(|p| delay_key(&p.id)).collect(),
            existing_schools,
            project_school: s.projects.iter().map(|p| school_key(&p.id)).collect(),
            housing_delay: (s.housing.estates.iter())
                .map(|e| EntityKey::new("housing-delay", &e.id))
                .collect(),
            housing_common: EntityKey::new("housing-delay-common", ""),
        }
    }
}

/// Draws a city-wide AR(1) `(key, σ, ρ)` into `series` and starts every district's shock of
/// `shock` (`[year number × district]`) from it.
fn city_shock(
    t: TrialKey,
    (key, sigma, rho): (EntityKey, f64, f64),
    series: &mut [f64],
    shock: &mut [f64],
) {
    ar1(t, key, sigma, rho, series);
    let n_d = shock.len() / series.len();
    for (district_shocks, &city) in shock.chunks_exact_mut(n_d).zip(series.iter()) {
        district_shocks.fill(city);
    }
}

/// Years of delay of one project in trial `t` (`None` = it never opens), drawn from the
/// project's own stream `key` (see [`delay_key`]) and the trial's delay copula. `seatsim plan` draws its candidates' delays
/// here too, so that `run` of the scenario it writes sees the openings it planned on.
pub fn project_delay(
    t: TrialKey,
    key: EntityKey,
    profile: &DelayProfile,
    copula: &DelayCopula,
) -> Option<i32> {
    let mut rng = t.stream(key);
    // Independent projects keep the uniform draw they have always had; coupled ones compare
    // √ρ·Z + √(1−ρ)·ε_i on the normal scale (u_i = Φ of it, DESIGN §2.3).
    if copula.rho == 0.0 {
        return profile.delay_for(rng.random());
    }
    let e: f64 = StandardNormal.sample(&mut rng);
    profile.delay_for_normal(copula.common + copula.own * e)
}

/// The stream key of the delay of the project with id `id`.
pub fn delay_key(id: &str) -> EntityKey {
    EntityKey::new("delay", id)
}

/// The stream key of the popularity of the school a new-school project with id `id` opens.
fn school_key(id: &str) -> EntityKey {
    EntityKey::new("popularity", &format!("project/{id}"))
}

/// The stream key of the delay copula's common factor `Z`.
pub fn delay_common_key() -> EntityKey {
    EntityKey::new("delay-common", "")
}

/// One trial's delay copula (DESIGN §2.3): the correlation ρ and the common factor `Z`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DelayCopula {
    rho: f64,
    /// `Z ~ N(0, 1)`, shared by every project of the trial (0 when ρ = 0: nothing is drawn).
    pub z: f64,
    /// `√ρ · Z`.
    common: f64,
    /// `√(1 − ρ)`, the weight of each project's own draw: once a trial, not once a project.
    own: f64,
}

impl DelayCopula {
    /// The copula of trial `t` under correlation `rho`, `Z` drawn from stream `key`
    /// ([`delay_common_key`]).
    pub fn of(t: TrialKey, key: EntityKey, rho: f64) -> Self {
        let z = if rho == 0.0 {
            0.0
        } else {
            StandardNormal.sample(&mut t.stream(key))
        };
        Self {
            rho,
            z,
            common: rho.sqrt() * z,
            own: (1.0 - rho).sqrt(),
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
    fn project_delay_gives_the_openings_of_a_trial_with_correlated_delays() {
        let mut s = example();
        s.delay_correlation = 0.6;
        let engine = Engine::new(s);
        let mut ws = engine.workspace();
        for trial in 0..20 {
            engine.run_trial(Draws::Random { seed: 5, trial }, &mut ws);
            let t = TrialKey::new(5, trial);
            let copula = DelayCopula::of(t, delay_common_key(), 0.6);
            for (p, open) in engine.scenario.projects.iter().zip(&ws.openings) {
                let late = project_delay(t, delay_key(&p.id), &p.delay, &copula);
                assert_eq!(*open, late.map(|l| p.planned_year + l), "{}", p.id);
            }
        }
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
