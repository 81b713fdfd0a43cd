//! A whole run: trials on a rayon pool, accumulated and merged, at 1 and 2 threads.

mod common;

use std::sync::atomic::AtomicBool;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use seatsim::engine::{self, Mode};

const TRIALS: u64 = 1000;

fn run(c: &mut Criterion) {
    let (engine, name) = common::engine();
    let mode = Mode::MonteCarlo {
        seed: 1,
        range: 0..TRIALS,
        total: TRIALS,
    };
    let mut g = c.benchmark_group(format!("run/{name}/trials={TRIALS}"));
    g.throughput(Throughput::Elements(TRIALS));
    g.sample_size(10);
    for threads in [1, 2] {
        g.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| {
                let acc = engine::run(&engine, &mode, threads, &AtomicBool::new(false), &|_| {})
                    .expect("not cancelled");
                assert_eq!(acc.trials(), TRIALS);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, run);
criterion_main!(benches);
