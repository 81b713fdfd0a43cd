//! Class-size allocation for one district-stage-year: setting a district's schools'
//! popularity (once per trial) and spreading a year's pupils over them (once per year), at
//! school counts from a small district (25) to a city-wide senior-high pool (400).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::SeedableRng;
use rand_distr::{Distribution, Gamma};
use rand_xoshiro::Xoshiro256PlusPlus;
use seatsim::model::classes::{allocate, ExistingSchools, NewSums, OpenSchools};
use seatsim::scenario::Standards;

const SCHOOLS: [usize; 3] = [25, 100, 400];
/// Classes per school and pupils per class: Zhengzhou's primary schools in 2020 (≈ 28 classes
/// of 46 pupils for 45 seats), popularity κ = 48.6 as calibrated.
const CLASSES_PER_SCHOOL: u32 = 28;
const PUPILS_PER_CLASS: f64 = 46.0;
const KAPPA: f64 = 48.6;

fn weights(n: usize) -> Vec<f64> {
    let gamma = Gamma::new(KAPPA, 1.0 / KAPPA).expect("valid shape");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(n as u64);
    (0..n).map(|_| gamma.sample(&mut rng)).collect()
}

fn classes(c: &mut Criterion) {
    let std = Standards::DEFAULT;
    let mut g = c.benchmark_group("classes");
    for n in SCHOOLS {
        let w = weights(n);
        let pool = CLASSES_PER_SCHOOL * n as u32 + 7; // a few odd classes
        let demand = f64::from(pool) * PUPILS_PER_CLASS;
        g.throughput(Throughput::Elements(n as u64));
        let mut schools = ExistingSchools::default();
        g.bench_function(BenchmarkId::new("weights/schools", n), |b| {
            b.iter(|| {
                schools.set_weights(&w);
                schools.hold(pool);
                let open = OpenSchools::new(&schools, &[], NewSums::default());
                assert_eq!(open.classes(), f64::from(pool));
            })
        });
        schools.set_weights(&w);
        schools.hold(pool);
        g.bench_function(BenchmarkId::new("allocate/schools", n), |b| {
            b.iter(|| {
                let open = std::iter::once(OpenSchools::new(&schools, &[], NewSums::default()));
                let t = allocate(demand, open, 45.0, None, &std);
                // Classes of 46 on average with κ = 48.6: some large, some missing classes.
                assert_eq!(t.classes, f64::from(pool));
                assert!(t.large > 0.0 && t.large < t.classes && t.extra_needed > 0.0);
            })
        });
        // A cap of 50 that the most popular schools reach: the water-filling path.
        g.bench_function(BenchmarkId::new("allocate_capped/schools", n), |b| {
            b.iter(|| {
                let open = std::iter::once(OpenSchools::new(&schools, &[], NewSums::default()));
                let t = allocate(demand, open, 45.0, Some(50.0), &std);
                assert_eq!((t.classes, t.large), (f64::from(pool), 0.0));
                assert!(t.extra_needed > 0.0);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, classes);
criterion_main!(benches);
