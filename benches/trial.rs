//! The per-trial step: draws, population projection and every cell's metrics for one trial.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use seatsim::engine::Draws;

fn trial(c: &mut Criterion) {
    let (engine, name) = common::engine();
    let mut ws = engine.workspace();
    let mut g = c.benchmark_group("trial");
    g.throughput(Throughput::Elements(1));
    let mut trial = 0;
    g.bench_function(format!("step/{name}"), |b| {
        b.iter(|| {
            engine.run_trial(Draws::Random { seed: 1, trial }, &mut ws);
            trial += 1;
            // Every trial fills every cell: demand is never negative, enrolled never NaN.
            assert!(ws.values.iter().step_by(10).all(|x| *x >= 0.0));
        })
    });
    g.finish();
}

criterion_group!(benches, trial);
criterion_main!(benches);
