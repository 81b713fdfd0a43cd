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
//! - `floor/record/<scenario>/<values>x32`: a batch of 32 trials added cell-metric by
//!   cell-metric, as the engine adds them, but all to one set of moments and one sketch that
//!   stay in cache — the statistics without the cache misses of thousands of sketches.
//! - `floor/trial/<scenario>/x32`: the three together for 32 trials, the floor
//!   BENCHMARKS.md divides by. Both report trials per second.
//!
//! The other benches time each piece alone, per draw. Not in the floor: spreading pupils
//! over schools (its per-school work depends on how the classes are counted).

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::Array3;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, Gamma, StandardNormal};
use seatsim::engine::{Draws as Trial, Engine, EntityKey, Stream, TrialKey};
use seatsim::model::demography::{Demography, YearDrivers};
use seatsim::scenario::{ProjectKind, Scenario};
use seatsim::stats::{MetricStats, Staging};

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

    /// Projects to the horizon; returns the population then.
    fn run(&mut self) -> f64 {
        self.pop.assign(&self.start);
        for &(births_index, trend) in &self.drivers {
            let drivers = YearDrivers {
                births_index,
                trend,
                births_shock: &self.zeros,
                migration_shock: &self.zeros,
            };
            self.demography.advance(&mut self.pop, &drivers);
        }
        self.pop.sum()
    }
}

/// Trials per batch, as the engine adds them.
const BATCH: usize = 32;

/// Adds a batch of trials' values (`BATCH` rows of `width`) column by column, by the
/// engine's own path, to statistics that stay in cache; returns how many values were defined.
fn record(batch: &[f64], width: usize) -> u64 {
    let mut stats = [MetricStats::default()];
    let mut staging = Staging::default();
    for j in 0..width {
        let column = |_| batch[j..].iter().step_by(width).copied();
        MetricStats::add_columns(&mut stats, column, &mut staging);
    }
    stats[0].summary().map_or(0, |s| s.count)
}

fn floor(c: &mut Criterion) {
    let (engine, name) = common::engine();
    let s = engine.scenario();
    let draws = Draws::of(s);
    let keys = draws.keys();
    let mut projection = Projection::of(s);
    let (batch, width) = (one_batch(&engine), engine.layout().n_values());
    let defined = batch.iter().filter(|x| !x.is_nan()).count() as u64;
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
        b.iter(|| assert!(projection.run() > 0.0))
    });
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function(format!("record/{name}/{width}x{BATCH}"), |b| {
        b.iter(|| assert_eq!(record(&batch, width), defined))
    });
    g.bench_function(format!("trial/{name}/x{BATCH}"), |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                trial += 1;
                let sum = draws.trial(TrialKey::new(1, trial), &keys);
                assert!(sum.is_finite() && projection.run() > 0.0);
            }
            assert_eq!(record(&batch, width), defined);
        })
    });
    per_draw(&mut g);
    g.finish();
}

/// The values of `BATCH` random trials, one row per trial.
fn one_batch(engine: &Engine) -> Vec<f64> {
    let mut ws = engine.workspace();
    let mut batch = Vec::new();
    for trial in 0..BATCH as u64 {
        engine.run_trial(Trial::Random { seed: 1, trial }, &mut ws);
        batch.extend_from_slice(&ws.values);
    }
    batch
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
