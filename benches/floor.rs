//! The floor: the random draws and the arithmetic one trial cannot avoid, made with the
//! engine's generator, stream keys, distributions and statistics but nothing else.
//!
//! - `floor/draws/<scenario>/<draws>`: exactly the draws of one trial, each stream seeded as
//!   the engine seeds it: a stream and one normal per projection year for each AR(1) series
//!   (city births, births and migration per district); a stream and a uniform per project
//!   (delay); a stream and a Gamma per new-school project of a stage with a dispersion; and a
//!   stream per district-stage from which each of its existing schools draws a Gamma.
//! - `floor/projection/<scenario>/<years>`: the cohort-component step over every district,
//!   origin and single-year age, once per projection year.
//! - `floor/cells/<scenario>/<cells>`: each reported cell's arithmetic, every year: a
//!   district-stage's pupils from the single-year ages, its pupils per unit of popularity,
//!   seats, shortfall, surplus and ratios, the city's sums — with the engine's functions.
//! - `floor/classes/<scenario>/<school-years>x2`: the large and missing classes of exactly
//!   the school-years over a standard (`Σ_i max(0, ⌈D_i / size⌉ − c_i)` needs each one's
//!   ceiling, and only those can have large classes) in two of the engine's trials, by the
//!   engine's own vectorised per-school loop — as if it knew which schools to skip for free.
//! - `floor/record/<scenario>/<values>x32`: a batch of 32 trials added cell-metric by
//!   cell-metric, as the engine adds them — in groups of 64, each sketch framed by the run's
//!   pilot — but to the statistics of a few groups of the run's cell-metrics, which stay in
//!   cache: each group of 64 columns is added to one of [`RECORD_GROUPS`] groups of real
//!   statistics spread over the row, with those statistics' own values. The statistics
//!   as the engine keeps them, without the cache misses of ten thousand sketches.
//! - `floor/trial/<scenario>/x32`: all of them for 32 trials in one loop, where each part's
//!   data evicts the others'. BENCHMARKS.md takes the floor as the sum of the parts timed
//!   alone, the lower figure. All report trials per second.
//!
//! The other benches time each piece alone, per draw.

mod common;

use std::sync::atomic::AtomicBool;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::Array3;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, Gamma, StandardNormal};
use seatsim::engine::pilot::{self, PILOT_TRIALS};
use seatsim::engine::{Draws as Trial, Engine, EntityKey, Place, Stream, TrialKey, Workspace};
use seatsim::model::classes::{allocate, ClassTally, OpenSchools, Split};
use seatsim::model::demand::{stage_pupils, StagePupils, StageRates};
use seatsim::model::demography::{Demography, YearDrivers};
use seatsim::model::metrics::{Metric, Tally};
use seatsim::model::supply::{SupplyUnit, TrialSchools};
use seatsim::scenario::{Catchment, DistrictIx, ProjectKind, Scenario, StageIx};
use seatsim::stats::{Frame, MetricStats, Staging, GROUP};

/// What one trial draws, stream by stream: the number of normals of each AR(1) series, and
/// for every other stream the Gamma it draws from (`None`: one uniform) and how many times.
struct Draws {
    series: usize,
    years: usize,
    streams: Vec<(Option<Gamma<f64>>, u32)>,
}

impl Draws {
    fn of(s: &Scenario) -> Self {
        let gamma = |k: f64| Gamma::new(k, 1.0 / k).expect("κ > 0");
        let mut streams: Vec<(Option<Gamma<f64>>, u32)> = vec![(None, 1); s.projects.len()];
        for p in s.projects.iter().filter(|p| p.kind == ProjectKind::New) {
            if let Some(k) = s.stages[p.stage.0].dispersion {
                streams.push((Some(gamma(k)), 1));
            }
        }
        for caps in &s.capacity {
            for (cap, stage) in caps.iter().zip(&s.stages) {
                if let Some(k) = stage.dispersion.filter(|_| cap.schools > 0) {
                    streams.push((Some(gamma(k)), cap.schools));
                }
            }
        }
        let n_d = s.districts.len();
        let sigmas = [s.births.sigma_city]
            .into_iter()
            .chain(std::iter::repeat_n(s.births.sigma_district, n_d))
            .chain(std::iter::repeat_n(s.migration.sigma, n_d));
        Self {
            series: sigmas.filter(|&sigma| sigma > 0.0).count(),
            years: s.n_years() - 1,
            streams,
        }
    }

    fn count(&self) -> usize {
        let other: u32 = self.streams.iter().map(|(_, n)| n).sum();
        self.series * self.years + other as usize
    }

    fn keys(&self) -> Vec<EntityKey> {
        (0..self.series + self.streams.len())
            .map(|i| EntityKey::new("bench", &i.to_string()))
            .collect()
    }

    /// One trial's draws, summed so that none can be optimised away.
    fn trial(&self, t: TrialKey, keys: &[EntityKey]) -> f64 {
        let (series, others) = keys.split_at(self.series);
        let mut sum = 0.0;
        for &key in series {
            let mut rng = t.stream(key);
            for _ in 0..self.years {
                let z: f64 = StandardNormal.sample(&mut rng);
                sum += z;
            }
        }
        for ((gamma, n), &key) in self.streams.iter().zip(others) {
            let mut rng = t.stream(key);
            match gamma {
                Some(g) => (0..*n).for_each(|_| sum += g.sample(&mut rng)),
                None => sum += rng.random::<f64>(),
            }
        }
        sum
    }
}

/// The cohort-component projection of one trial, without shocks.
struct Projection {
    demography: Demography,
    start: Array3<f64>,
    pop: Array3<f64>,
    drivers: Vec<(f64, f64)>,
    zeros: Vec<f64>,
}

impl Projection {
    fn of(s: &Scenario) -> Self {
        Self {
            demography: Demography::new(s),
            start: s.population.clone(),
            pop: s.population.clone(),
            drivers: s
                .years()
                .skip(1)
                .map(|y| Demography::central(s, y))
                .collect(),
            zeros: vec![0.0; s.districts.len()],
        }
    }

    /// Projects to the horizon, handing `each_year` the population of every year and its
    /// number; returns the population at the horizon.
    fn run(&mut self, mut each_year: impl FnMut(&Array3<f64>, usize)) -> f64 {
        self.pop.assign(&self.start);
        each_year(&self.pop, 0);
        for (yi, &(births_index, trend)) in self.drivers.iter().enumerate() {
            let drivers = YearDrivers {
                births_index,
                trend,
                births_shock: &self.zeros,
                migration_shock: &self.zeros,
            };
            self.demography.advance(&mut self.pop, &drivers);
            each_year(&self.pop, yi + 1);
        }
        self.pop.sum()
    }
}

/// Every reported cell's arithmetic in one year, given the population: what a trial computes
/// per cell whatever the schools, with the engine's functions. Class counts are the base
/// year's (the arithmetic is the same for any counts).
struct Cells<'a> {
    engine: &'a Engine,
    /// Rates per year number and stage.
    rates: Vec<Vec<StageRates>>,
    /// Base-year classes per district and stage.
    classes: Vec<Vec<f64>>,
    values: Vec<f64>,
}

impl<'a> Cells<'a> {
    fn of(engine: &'a Engine) -> Self {
        let s = engine.scenario();
        Self {
            engine,
            rates: s
                .years()
                .map(|y| s.stages.iter().map(|st| StageRates::of(st, y)).collect())
                .collect(),
            classes: s
                .capacity
                .iter()
                .map(|caps| caps.iter().map(|c| f64::from(c.classes)).collect())
                .collect(),
            values: vec![0.0; engine.layout().n_values()],
        }
    }

    fn count(&self) -> usize {
        self.engine.layout().n_cells()
    }

    /// Year number `yi`'s cells of population `pop`, written where the engine writes them.
    fn year(&mut self, pop: &Array3<f64>, yi: usize) {
        let s = self.engine.scenario();
        let std = &s.standards;
        for (st, stage) in s.stages.iter().enumerate() {
            let size = f64::from(stage.class_size);
            let (mut city, mut pooled) = (Tally::default(), StagePupils::default());
            for d in 0..s.districts.len() {
                let pupils = stage_pupils(pop, d, stage, self.rates[yi][st]);
                pooled += pupils;
                if stage.catchment == Catchment::City {
                    continue;
                }
                let classes = self.classes[d][st];
                std::hint::black_box(Split::new(pupils.demand / classes, size, std));
                let tally = Tally::of_catchment(pupils, size, tallied(classes));
                self.write(Place::District(DistrictIx(d)), st, yi, &tally);
                city += tally;
            }
            if stage.catchment == Catchment::City {
                let classes: f64 = self.classes.iter().map(|caps| caps[st]).sum();
                std::hint::black_box(Split::new(pooled.demand / classes, size, std));
                city = Tally::of_catchment(pooled, size, tallied(classes));
            }
            self.write(Place::All, st, yi, &city);
        }
    }

    fn write(&mut self, place: Place, st: usize, yi: usize, tally: &Tally) {
        let layout = self.engine.layout();
        let row = layout.row(place, StageIx(st)).expect("a reported cell");
        let at = layout.cell(row, yi) * Metric::COUNT;
        let stage = &self.engine.scenario().stages[st];
        self.values[at..at + Metric::COUNT].copy_from_slice(&tally.metrics(stage));
    }

    /// The demand of every cell last written, summed.
    fn demand(&self) -> f64 {
        self.values
            .iter()
            .skip(demand_slot())
            .step_by(Metric::COUNT)
            .sum()
    }
}

fn tallied(classes: f64) -> ClassTally {
    ClassTally {
        classes,
        ..ClassTally::default()
    }
}

fn demand_slot() -> usize {
    slot(Metric::Demand)
}

/// Where `metric` is in a cell's values.
fn slot(metric: Metric) -> usize {
    Metric::ALL
        .iter()
        .position(|&m| m == metric)
        .expect("a metric")
}

/// Adds the surge classes the engine added in year number `yi` (its `surge_classes`
/// metric) to the schools of the district-stages that have them.
fn add_surges(
    engine: &Engine,
    values: &[f64],
    yi: usize,
    units: &[SupplyUnit],
    schools: &mut [TrialSchools],
) {
    let (s, layout) = (engine.scenario(), engine.layout());
    for (u, t) in units.iter().zip(schools) {
        let district_stage = s.stages[u.stage.0].catchment != Catchment::City;
        let row = layout.row(Place::District(u.district), u.stage);
        if let Some(row) = row.filter(|_| district_stage && yi > 0) {
            let extra = values[layout.cell(row, yi) * Metric::COUNT + slot(Metric::SurgeClasses)];
            t.add_surge(yi, extra as u32);
        }
    }
}

/// The school-years over a standard in some of the engine's trials: per catchment-year, its
/// split and the popularity of those schools, grouped by the classes they hold.
#[derive(Default)]
struct OverStandard {
    /// `(split, classes, end in weights)` of each group, which starts where the last ends.
    groups: Vec<(Split, f64, usize)>,
    weights: Vec<f64>,
    /// Classes missing in catchments without an open school (one division each) or with a
    /// school at the admission cap (rare, and solved apart): not timed.
    unseated: f64,
}

impl OverStandard {
    /// Those of the trial the engine just ran in `ws`.
    fn add_trial(&mut self, engine: &Engine, ws: &Workspace) {
        let s = engine.scenario();
        let mut schools = ws.schools().to_vec();
        let units = SupplyUnit::all(s);
        for yi in 0..engine.layout().years.len() {
            schools.iter_mut().for_each(|u| u.set_year(yi));
            add_surges(engine, &ws.values, yi, &units, &mut schools);
            for (st, stage) in s.stages.iter().enumerate() {
                let of_stage = || units.iter().zip(&schools).filter(|(u, _)| u.stage.0 == st);
                if stage.catchment == Catchment::City {
                    let catchment: Vec<_> = of_stage().map(|(_, t)| t.open()).collect();
                    self.add_catchment(engine, &ws.values, (Place::All, st, yi), &catchment);
                } else {
                    for (u, t) in of_stage() {
                        let place = Place::District(u.district);
                        let cell = (place, st, yi);
                        self.add_catchment(engine, &ws.values, cell, &[t.open()]);
                    }
                }
            }
        }
    }

    /// Those of one catchment in one year: `cell` is where its demand is among `values`.
    fn add_catchment(
        &mut self,
        engine: &Engine,
        values: &[f64],
        (place, st, yi): (Place, usize, usize),
        catchment: &[OpenSchools<'_>],
    ) {
        let (s, layout) = (engine.scenario(), engine.layout());
        let row = layout.row(place, StageIx(st)).expect("a reported cell");
        let demand = values[layout.cell(row, yi) * Metric::COUNT + demand_slot()];
        let weighted: f64 = catchment.iter().map(|o| o.weighted()).sum();
        let size = f64::from(s.stages[st].class_size);
        if weighted <= 0.0 {
            self.unseated += (demand / size).ceil();
            return;
        }
        if let Some(cap) = s.stages[st].admission_cap {
            let most = catchment.iter().map(|o| o.max_weight()).fold(0.0, f64::max);
            if demand / weighted * most >= cap {
                let t = allocate(
                    demand,
                    catchment.iter().copied(),
                    size,
                    Some(cap),
                    &s.standards,
                );
                self.unseated += t.extra_needed;
                return;
            }
        }
        let split = Split::new(demand / weighted, size, &s.standards);
        let first = self.groups.len();
        for (c, w) in catchment.iter().flat_map(|o| o.schools()) {
            let mut one = ClassTally::default();
            split.add_group(&[w], c, &mut one);
            if one == ClassTally::default() {
                continue;
            }
            self.weights.push(w);
            match self.groups[first..].last_mut() {
                Some((_, held, end)) if *held == c => *end += 1,
                _ => self.groups.push((split, c, self.weights.len())),
            }
        }
    }

    /// The large and missing classes of every school-year over a standard.
    fn count(&self) -> ClassTally {
        let mut t = ClassTally {
            extra_needed: self.unseated,
            ..ClassTally::default()
        };
        let mut start = 0;
        for &(split, c, end) in &self.groups {
            split.add_group(&self.weights[start..end], c, &mut t);
            start = end;
        }
        t
    }
}

/// Trials per batch, as the engine adds them.
const BATCH: usize = 32;

/// Trials whose school-years over a standard are counted: the first of the batch, few enough
/// for their schools to stay in cache like the engine's one trial at a time (32 trials' would
/// not), and counted over again to make up a batch.
const CLASS_TRIALS: usize = 2;

/// Groups of real statistics the floor's batch is added to: together ≈ 250 KB, in cache.
const RECORD_GROUPS: usize = 8;

/// The statistics the floor adds a batch to: [`RECORD_GROUPS`] runs of [`GROUP`] consecutive
/// cell-metrics spread evenly over the row, each framed by the run's pilot.
struct Record {
    /// First column of each group.
    firsts: Vec<usize>,
    frames: Vec<Frame>,
    width: usize,
}

impl Record {
    fn of(engine: &Engine) -> Self {
        let width = engine.layout().n_values();
        let never = AtomicBool::new(false);
        let frames = pilot::engine_frames(engine, 1, PILOT_TRIALS, 1, &never).expect("no cancel");
        let step = width.saturating_sub(GROUP) / RECORD_GROUPS.max(1);
        let firsts = (0..RECORD_GROUPS).map(|k| k * step).collect();
        Self {
            firsts,
            frames,
            width,
        }
    }

    /// Adds `batch` (`BATCH` rows) as the engine would add its `width` columns, a group of
    /// 64 at a time, each group to the statistics of one of the few groups kept; returns how
    /// many values were defined.
    fn add(&self, batch: &[f64]) -> u64 {
        let mut stats: Vec<Vec<MetricStats>> = self
            .firsts
            .iter()
            .map(|&f| {
                (f..f + GROUP)
                    .map(|j| MetricStats::new(self.frames[j]))
                    .collect()
            })
            .collect();
        let mut staging = Staging::default();
        for g in 0..self.width.div_ceil(GROUP) {
            let k = g % self.firsts.len();
            MetricStats::add_block(
                &mut stats[k],
                batch,
                self.width,
                self.firsts[k],
                &mut staging,
            );
        }
        stats
            .iter()
            .flatten()
            .map(|s| s.summary().map_or(0, |s| s.count))
            .sum()
    }

    /// Values [`Record::add`] counts as defined in `batch`.
    fn defined(&self, batch: &[f64]) -> u64 {
        let groups = self.width.div_ceil(GROUP);
        let defined = |f: usize| -> u64 {
            let rows = batch.chunks(self.width);
            rows.map(|r| r[f..f + GROUP].iter().filter(|x| !x.is_nan()).count() as u64)
                .sum()
        };
        (0..groups)
            .map(|g| defined(self.firsts[g % self.firsts.len()]))
            .sum()
    }
}

fn floor(c: &mut Criterion) {
    let (engine, name) = common::engine();
    let s = engine.scenario();
    let draws = Draws::of(s);
    let keys = draws.keys();
    let mut projection = Projection::of(s);
    let mut cells = Cells::of(&engine);
    let (batch, over) = one_batch(&engine);
    let width = engine.layout().n_values();
    let record = Record::of(&engine);
    let defined = record.defined(&batch);
    let missing = extra_classes_needed(&engine, &batch[..CLASS_TRIALS * width]);
    let mut g = c.benchmark_group("floor");
    g.throughput(Throughput::Elements(1));
    let mut trial = 0;
    g.bench_function(format!("draws/{name}/{}", draws.count()), |b| {
        b.iter(|| {
            trial += 1;
            let sum = draws.trial(TrialKey::new(1, trial), &keys);
            assert!(sum.is_finite() && sum > 0.0);
        })
    });
    g.bench_function(format!("projection/{name}/{}", draws.years), |b| {
        b.iter(|| assert!(projection.run(|_, _| ()) > 0.0))
    });
    let pop = s.population.clone();
    g.bench_function(format!("cells/{name}/{}", cells.count()), |b| {
        b.iter(|| {
            (0..engine.layout().years.len()).for_each(|yi| cells.year(&pop, yi));
            assert!(cells.demand() > 0.0);
        })
    });
    g.throughput(Throughput::Elements(CLASS_TRIALS as u64));
    let per_trial = over.weights.len() / CLASS_TRIALS;
    g.bench_function(format!("classes/{name}/{per_trial}x{CLASS_TRIALS}"), |b| {
        b.iter(|| assert_eq!(over.count().extra_needed, missing))
    });
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function(format!("record/{name}/{width}x{BATCH}"), |b| {
        b.iter(|| assert_eq!(record.add(&batch), defined))
    });
    g.bench_function(format!("trial/{name}/x{BATCH}"), |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                trial += 1;
                let sum = draws.trial(TrialKey::new(1, trial), &keys);
                let horizon = projection.run(|pop, yi| cells.year(pop, yi));
                assert!(sum.is_finite() && horizon > 0.0 && cells.demand() > 0.0);
            }
            for _ in 0..BATCH / CLASS_TRIALS {
                assert_eq!(over.count().extra_needed, missing);
            }
            assert_eq!(record.add(&batch), defined);
        })
    });
    per_draw(&mut g);
    g.finish();
}

/// The values of `BATCH` random trials, one row per trial.
fn one_batch(engine: &Engine) -> (Vec<f64>, OverStandard) {
    let mut ws = engine.workspace();
    let mut batch = Vec::new();
    let mut over = OverStandard::default();
    for trial in 0..BATCH as u64 {
        engine.run_trial(Trial::Random { seed: 1, trial }, &mut ws);
        batch.extend_from_slice(&ws.values);
        if trial < CLASS_TRIALS as u64 {
            over.add_trial(engine, &ws);
        }
    }
    (batch, over)
}

/// Classes missing in `batch` summed over the city's cells (every catchment's, added up).
fn extra_classes_needed(engine: &Engine, batch: &[f64]) -> f64 {
    let layout = engine.layout();
    let slot = Metric::ALL
        .iter()
        .position(|&m| m == Metric::ExtraClassesNeeded)
        .expect("a metric");
    let rows =
        (0..engine.scenario().stages.len()).filter_map(|st| layout.row(Place::All, StageIx(st)));
    let cells: Vec<usize> = rows
        .flat_map(|row| (0..layout.years.len()).map(move |yi| layout.cell(row, yi)))
        .collect();
    batch
        .chunks(layout.n_values())
        .flat_map(|trial| cells.iter().map(move |&c| trial[c * Metric::COUNT + slot]))
        .sum()
}

/// Each piece alone, per draw: the generator, seeding a keyed stream, the distributions.
fn per_draw(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    const N: u64 = 1000;
    g.throughput(Throughput::Elements(N));
    let mut rng = Stream::seed_from_u64(1);
    g.bench_function("u64/splitmix64", |b| {
        b.iter(|| {
            let x = (0..N).fold(0u64, |acc, _| acc ^ rng.next_u64());
            assert_ne!(x, 0);
        })
    });
    let key = EntityKey::new("bench", "stream");
    g.bench_function("stream/seed", |b| {
        b.iter(|| {
            let x = (0..N).fold(0u64, |acc, i| {
                acc ^ TrialKey::new(1, i).stream(key).next_u64()
            });
            assert_ne!(x, 0);
        })
    });
    g.bench_function("normal", |b| {
        b.iter(|| {
            let x: f64 = (0..N)
                .map(|_| -> f64 { StandardNormal.sample(&mut rng) })
                .sum();
            assert!(x.is_finite());
        })
    });
    for k in [20.0, 48.6, 150.0] {
        let gamma = Gamma::new(k, 1.0 / k).expect("κ > 0");
        g.bench_function(BenchmarkId::new("gamma/shape", k), |b| {
            b.iter(|| {
                let x: f64 = (0..N).map(|_| gamma.sample(&mut rng)).sum();
                assert!(x > 0.0);
            })
        });
    }
}

criterion_group!(benches, floor);
criterion_main!(benches);
