//! Properties of the projection over random valid scenarios (proptest): small scenarios are
//! generated as files, loaded through the real loader and run one trial at a time through the
//! library, so each case costs milliseconds even in a debug build.

use std::fmt::Write as _;

use proptest::prelude::*;
use seatsim::engine::{Draws, Engine, Layout, Place};
use seatsim::model::metrics::Metric;
use seatsim::scenario::{Catchment, Scenario};

/// Cases per property: enough to find a broken invariant, few enough for a debug build.
const CASES: u32 = 24;
const BASE_YEAR: i32 = 2020;

/// A district's rates and its base-year population by age (local, migrant).
#[derive(Debug, Clone)]
struct DistrictSpec {
    births: f64,
    rate_local: f64,
    rate_migrant: f64,
    inflow: f64,
    population: Vec<(f64, f64)>,
    /// (schools, classes per school) per stage.
    capacity: Vec<(u32, u32)>,
}

/// A construction project: district, stage, kind, classes, years after the base year.
#[derive(Debug, Clone)]
struct ProjectSpec {
    district: usize,
    stage: usize,
    kind: &'static str,
    classes: u32,
    after: i32,
}

/// A small random valid scenario.
#[derive(Debug, Clone)]
struct Spec {
    years: i32,
    /// First age of the second stage (the first starts at 0, the second ends at `MAX_AGE`).
    split: usize,
    class_size: Vec<u32>,
    dispersion: Vec<Option<f64>>,
    city_last_stage: bool,
    index: Vec<f64>,
    sigma: [f64; 3],
    rho: [f64; 2],
    survival: f64,
    migrant_stay: f64,
    delay: [f64; 4],
    districts: Vec<DistrictSpec>,
    projects: Vec<ProjectSpec>,
}

const STAGES: usize = 2;
const MAX_AGE: usize = 5;

fn district() -> impl Strategy<Value = DistrictSpec> {
    (
        0.0..3000.0f64,
        -0.5..0.5f64,
        -0.5..0.5f64,
        0.0..800.0f64,
        prop::collection::vec((0.0..3000.0f64, 0.0..1000.0f64), MAX_AGE + 1),
        prop::collection::vec((0u32..6, 1u32..12), STAGES),
    )
        .prop_map(
            |(births, rate_local, rate_migrant, inflow, population, capacity)| DistrictSpec {
                births,
                rate_local,
                rate_migrant,
                inflow,
                population,
                capacity,
            },
        )
}

fn project(n_districts: usize, years: i32) -> impl Strategy<Value = ProjectSpec> {
    (
        0..n_districts,
        0..STAGES,
        prop::sample::select(vec!["new", "expansion"]),
        1u32..30,
        1..=years,
    )
        .prop_map(|(district, stage, kind, classes, after)| ProjectSpec {
            district,
            stage,
            kind,
            classes,
            after,
        })
}

/// A random valid scenario: 1–6 projection years, 1–3 districts, two stages over ages 0–5.
fn spec() -> impl Strategy<Value = Spec> {
    (1..=6i32, 1..=3usize).prop_flat_map(|(years, n_districts)| {
        (
            (
                Just(years),
                1usize..MAX_AGE,
                prop::collection::vec(5u32..50, STAGES),
                prop::collection::vec(prop::option::of(0.5..50.0f64), STAGES),
                any::<bool>(),
                prop::collection::vec(0.2..2.0f64, 3),
            ),
            (
                [0.0..0.5f64, 0.0..0.5, 0.0..0.5],
                [-0.9..0.9f64, -0.9..0.9],
                0.8..=1.0f64,
                0.0..=1.0f64,
                [0.01..1.0f64, 0.0..1.0, 0.0..1.0, 0.0..1.0],
            ),
            prop::collection::vec(district(), n_districts),
            prop::collection::vec(project(n_districts, years), 0..4),
        )
            .prop_map(|(stages, shocks, districts, projects)| {
                let (years, split, class_size, dispersion, city_last_stage, index) = stages;
                let (sigma, rho, survival, migrant_stay, delay) = shocks;
                Spec {
                    years,
                    split,
                    class_size,
                    dispersion,
                    city_last_stage,
                    index,
                    sigma,
                    rho,
                    survival,
                    migrant_stay,
                    delay: normalised(delay),
                    districts,
                    projects,
                }
            })
            .prop_map(Spec::expand_only_existing_schools)
    })
}

/// Weights scaled to sum to 1 (delay probabilities).
fn normalised(w: [f64; 4]) -> [f64; 4] {
    let total: f64 = w.iter().sum();
    w.map(|x| x / total)
}

impl Spec {
    /// The scenario TOML: years, stages, then the random shocks and rates.
    fn toml(&self) -> String {
        let mut t = format!(
            "[scenario]\nbase_year = {BASE_YEAR}\nhorizon = {}\ntrials = 1\n\n{}",
            BASE_YEAR + self.years,
            self.stages_toml()
        );
        let index: Vec<_> = self
            .index
            .iter()
            .enumerate()
            .map(|(i, x)| format!("{} = {x}", BASE_YEAR + 2 * i as i32))
            .collect();
        let [sc, sd, sm] = self.sigma;
        let [rc, rm] = self.rho;
        let [on_time, one_year, two_years, never] = self.delay;
        write!(
            t,
            "\n[births]\nindex = {{ {} }}\nsigma_city = {sc}\nrho = {rc}\nsigma_district = {sd}\n\
             [demography]\nsurvival = [{}]\n\
             [migration]\nmigrant_stay = {}\nsigma = {sm}\nrho = {rm}\n\
             [construction.delay]\non_time = {on_time}\none_year = {one_year}\ntwo_years = {two_years}\nnever = {never}\n\
             [data]\ndistricts = \"districts.csv\"\npopulation = \"population.csv\"\ncapacity = \"capacity.csv\"\nprojects = \"projects.csv\"\n",
            index.join(", "),
            vec![self.survival.to_string(); MAX_AGE + 1].join(", "),
            self.migrant_stay,
        )
        .unwrap();
        t
    }

    /// Two stages, ages `0..split` and `split..=MAX_AGE`, the second maybe city-wide.
    fn stages_toml(&self) -> String {
        let mut t = String::new();
        for (s, (first, last)) in [(0, self.split - 1), (self.split, MAX_AGE)]
            .iter()
            .enumerate()
        {
            let size = self.class_size[s];
            writeln!(
                t,
                "[stages.s{s}]\nages = [{first}, {last}]\nclass_size = {size}"
            )
            .unwrap();
            if let Some(k) = self.dispersion[s] {
                writeln!(t, "dispersion = {k}").unwrap();
            }
        }
        if self.city_last_stage {
            t += "catchment = \"city\"\n";
        }
        t
    }

    /// Turns expansions of a stage a district has no school of into new schools.
    fn expand_only_existing_schools(mut self) -> Self {
        for p in &mut self.projects {
            if self.districts[p.district].capacity[p.stage].0 == 0 {
                p.kind = "new";
            }
        }
        self
    }

    fn districts_csv(&self) -> String {
        let mut t = "id,name,births_base,rate_local,rate_migrant,inflow\n".to_string();
        for (i, d) in self.districts.iter().enumerate() {
            let (b, rl, rm, f) = (d.births, d.rate_local, d.rate_migrant, d.inflow);
            writeln!(t, "d{i},District {i},{b},{rl},{rm},{f}").unwrap();
        }
        t
    }

    fn population_csv(&self) -> String {
        let mut t = "district,age,local,migrant\n".to_string();
        for (i, d) in self.districts.iter().enumerate() {
            for (age, (local, migrant)) in d.population.iter().enumerate() {
                writeln!(t, "d{i},{age},{local},{migrant}").unwrap();
            }
        }
        t
    }

    fn capacity_csv(&self) -> String {
        let mut t = "district,stage,schools,classes\n".to_string();
        for (i, d) in self.districts.iter().enumerate() {
            for (s, (schools, per_school)) in d.capacity.iter().enumerate() {
                writeln!(t, "d{i},s{s},{schools},{}", schools * per_school).unwrap();
            }
        }
        t
    }

    fn projects_csv(&self) -> String {
        let mut t = "id,name,district,stage,kind,classes,planned_year\n".to_string();
        for (n, p) in self.projects.iter().enumerate() {
            let year = BASE_YEAR + p.after;
            let (d, s, kind, classes) = (p.district, p.stage, p.kind, p.classes);
            writeln!(t, "p{n},Project {n},d{d},s{s},{kind},{classes},{year}").unwrap();
        }
        t
    }

    /// Writes the scenario to a temp dir and loads it through the real loader.
    fn load(&self) -> Scenario {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            ("scenario.toml", self.toml()),
            ("districts.csv", self.districts_csv()),
            ("population.csv", self.population_csv()),
            ("capacity.csv", self.capacity_csv()),
            ("projects.csv", self.projects_csv()),
        ];
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Scenario::load(&dir.path().join("scenario.toml"))
            .unwrap_or_else(|e| panic!("a generated scenario is valid: {e}\n{}", self.toml()))
    }

    /// The same scenario with every shock and delay removed and equal popularity.
    fn without_randomness(&self) -> Self {
        Self {
            sigma: [0.0; 3],
            dispersion: vec![None; STAGES],
            delay: [1.0, 0.0, 0.0, 0.0],
            ..self.clone()
        }
    }
}

/// One trial's metrics of a scenario, with the layout to read them.
struct Trial {
    layout: Layout,
    catchments: Vec<Catchment>,
    values: Vec<f64>,
}

impl Trial {
    fn run(spec: &Spec, draws: Draws) -> Self {
        let scenario = spec.load();
        let catchments = scenario.stages.iter().map(|s| s.catchment).collect();
        let engine = Engine::new(scenario);
        let mut ws = engine.workspace();
        engine.run_trial(draws, &mut ws);
        Self {
            layout: engine.layout().clone(),
            catchments,
            values: ws.values,
        }
    }

    /// `metric` in every cell, with whether the cell is a sum of districts' separate markets.
    fn cells(&self, metric: Metric) -> impl Iterator<Item = (f64, bool)> + '_ {
        let m = Metric::ALL.iter().position(|&x| x == metric).unwrap();
        let years = self.layout.years.len();
        self.layout
            .rows
            .iter()
            .enumerate()
            .flat_map(move |(r, row)| {
                let summed =
                    row.place == Place::All && self.catchments[row.stage.0] == Catchment::District;
                (0..years).map(move |y| {
                    (
                        self.values[self.layout.cell(r, y) * Metric::COUNT + m],
                        summed,
                    )
                })
            })
    }

    fn of(&self, metric: Metric) -> Vec<f64> {
        self.cells(metric).map(|(x, _)| x).collect()
    }
}

fn random(trial: u64) -> Draws {
    Draws::Random { seed: 11, trial }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn pupils_are_never_negative_and_shares_stay_in_0_1(spec in spec(), trial in 0u64..1000) {
        let t = Trial::run(&spec, random(trial));
        for metric in [Metric::Enrolled, Metric::Demand, Metric::Capacity, Metric::ExtraClassesNeeded] {
            prop_assert!(t.of(metric).iter().all(|&x| x >= 0.0), "{metric:?} < 0");
        }
        for metric in [Metric::LargeClassShare, Metric::SuperLargeClassShare, Metric::MigrantShare] {
            prop_assert!(
                t.of(metric).iter().all(|x| x.is_nan() || (0.0..=1.0).contains(x)),
                "{metric:?} outside [0, 1]"
            );
        }
    }

    #[test]
    fn shortfall_and_surplus_are_never_both_positive(spec in spec(), trial in 0u64..1000) {
        // City totals of district-catchment stages add districts' separate shortfalls and
        // surpluses, so both may be positive there; every single market has one or the other.
        let t = Trial::run(&spec, random(trial));
        let both = t.cells(Metric::Shortfall).zip(t.cells(Metric::Surplus));
        for ((short, summed), (surplus, _)) in both.filter(|((_, summed), _)| !summed) {
            prop_assert!(!(short > 0.0 && surplus > 0.0), "shortfall {short} and surplus {surplus}; summed {summed}");
        }
    }

    #[test]
    fn demand_rises_with_the_births_index(spec in spec(), k in 1.01..3.0f64, trial in 0u64..1000) {
        let mut more = spec.clone();
        more.index.iter_mut().for_each(|x| *x *= k);
        for draws in [Draws::Central, random(trial)] {
            let (low, high) = (Trial::run(&spec, draws), Trial::run(&more, draws));
            for (a, b) in low.of(Metric::Demand).iter().zip(high.of(Metric::Demand)) {
                prop_assert!(b >= a - 1e-9 * a.abs(), "demand fell from {a} to {b}");
            }
        }
    }

    #[test]
    fn capacity_never_falls_when_a_project_is_added(
        spec in spec(),
        extra in (0usize..3, 0..STAGES, 1u32..30, 1..=6i32),
        trial in 0u64..1000,
    ) {
        let mut more = spec.clone();
        let (district, stage, classes, after) = extra;
        more.projects.push(ProjectSpec {
            district: district % spec.districts.len(),
            stage,
            kind: "new",
            classes,
            after: after.min(spec.years),
        });
        for draws in [Draws::Central, random(trial)] {
            let (before, after) = (Trial::run(&spec, draws), Trial::run(&more, draws));
            for (a, b) in before.of(Metric::Capacity).iter().zip(after.of(Metric::Capacity)) {
                prop_assert!(b >= *a, "capacity fell from {a} to {b}");
            }
        }
    }

    #[test]
    fn deterministic_mode_equals_one_trial_without_randomness(spec in spec(), trial in 0u64..1000) {
        let central = Trial::run(&spec, Draws::Central);
        let calm = Trial::run(&spec.without_randomness(), random(trial));
        for (a, b) in central.values.iter().zip(&calm.values) {
            prop_assert!(a == b || (a.is_nan() && b.is_nan()), "{a} vs {b}");
        }
    }
}
