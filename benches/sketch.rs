//! The statistics of one cell-metric: adding a batch of trials' values to its moments and
//! quantile sketch, and merging two workers' sketches.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use seatsim::stats::{MetricStats, QuantileSketch};

/// Values per run: the engine adds a cell-metric's values 16 trials at a time.
const BATCH: usize = 16;
const VALUES: usize = 10_000;

/// A metric's values over trials: demand-like (≈ 30,000 ± 10%) or shortfall-like, spanning
/// four orders of magnitude with many zeros.
fn values(wide: bool) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let (mu, sigma) = if wide { (3.0, 2.5) } else { (10.3, 0.1) };
    let d = LogNormal::new(mu, sigma).expect("valid parameters");
    (0..VALUES)
        .map(|i| d.sample(&mut rng) * f64::from(u8::from(!wide || i % 3 > 0)))
        .collect()
}

fn sketch(c: &mut Criterion) {
    let mut g = c.benchmark_group("sketch");
    for (name, wide) in [("narrow", false), ("wide", true)] {
        let xs = values(wide);
        g.throughput(Throughput::Elements(VALUES as u64));
        g.bench_function(
            BenchmarkId::new(format!("insert/{name}/batch={BATCH}"), VALUES),
            |b| {
                b.iter(|| {
                    let mut s = MetricStats::default();
                    xs.chunks(BATCH)
                        .for_each(|batch| s.add_all(batch.iter().copied()));
                    let sum = s.summary().expect("values were added");
                    assert_eq!(sum.count, VALUES as u64);
                    assert!(
                        sum.quantiles[0] <= sum.quantiles[2]
                            && sum.quantiles[2] <= sum.quantiles[4]
                    );
                })
            },
        );
        let half = |part: &[f64]| {
            let mut s = QuantileSketch::default();
            s.add_slice(part);
            s
        };
        let (a, b) = (half(&xs[..VALUES / 2]), half(&xs[VALUES / 2..]));
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::new(format!("merge/{name}"), VALUES), |bench| {
            bench.iter(|| {
                let mut m = a.clone();
                m.merge(&b);
                assert!(m.constant().is_none());
            })
        });
    }
    g.finish();
}

criterion_group!(benches, sketch);
criterion_main!(benches);
