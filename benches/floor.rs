//! The floor: the random draws one trial cannot avoid, made with the engine's generator,
//! stream keys and distributions but nothing else — no projection, no classes, no statistics.
//!
//! `floor/draws/<scenario>` makes exactly the draws of one trial of the scenario: a keyed
//! stream and a uniform per project (delay), a stream and a Gamma per school and per new-school
//! project of a stage with a dispersion (popularity), and a stream and one normal per
//! projection year for each AR(1) series (city births, births and migration per district).
//! The other benches time each piece alone, per draw.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, Gamma, StandardNormal};
use seatsim::engine::{EntityKey, Stream, TrialKey};
use seatsim::scenario::{ProjectKind, Scenario};

/// What one trial draws: the popularity dispersion of each school drawn, the number of delay
/// draws, and the number of AR(1) series and their length.
struct Draws {
    gammas: Vec<Gamma<f64>>,
    delays: usize,
    series: usize,
    years: usize,
}

impl Draws {
    fn of(s: &Scenario) -> Self {
        let gamma = |k: f64| Gamma::new(k, 1.0 / k).expect("κ > 0");
        let mut gammas = Vec::new();
        for caps in &s.capacity {
            for (cap, stage) in caps.iter().zip(&s.stages) {
                if let Some(k) = stage.dispersion {
                    gammas.extend((0..cap.schools).map(|_| gamma(k)));
                }
            }
        }
        for p in s.projects.iter().filter(|p| p.kind == ProjectKind::New) {
            if let Some(k) = s.stages[p.stage.0].dispersion {
                gammas.push(gamma(k));
            }
        }
        let n_d = s.districts.len();
        let sigmas = [s.births.sigma_city]
            .into_iter()
            .chain(std::iter::repeat_n(s.births.sigma_district, n_d))
            .chain(std::iter::repeat_n(s.migration.sigma, n_d));
        Self {
            gammas,
            delays: s.projects.len(),
            series: sigmas.filter(|&sigma| sigma > 0.0).count(),
            years: s.n_years() - 1,
        }
    }

    fn count(&self) -> usize {
        self.gammas.len() + self.delays + self.series * self.years
    }

    /// One trial's draws, summed so that none can be optimised away.
    fn trial(&self, t: TrialKey, keys: &[EntityKey]) -> f64 {
        let mut keys = keys.iter().copied();
        let mut next = || t.stream(keys.next().expect("a key per stream"));
        let mut sum = 0.0;
        for _ in 0..self.series {
            let mut rng = next();
            for _ in 0..self.years {
                let z: f64 = StandardNormal.sample(&mut rng);
                sum += z;
            }
        }
        for _ in 0..self.delays {
            sum += next().random::<f64>();
        }
        for g in &self.gammas {
            sum += g.sample(&mut next());
        }
        sum
    }
}

fn floor(c: &mut Criterion) {
    let (engine, name) = common::engine();
    let draws = Draws::of(engine.scenario());
    let streams = draws.series + draws.delays + draws.gammas.len();
    let keys: Vec<EntityKey> = (0..streams)
        .map(|i| EntityKey::new("bench", &i.to_string()))
        .collect();
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
    per_draw(&mut g);
    g.finish();
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
