//! Same scenario, seed and trial count → byte-identical summary.csv, risk.csv and
//! sensitivity.csv, whatever `--threads` is and however often it is rerun (DESIGN §3).

use crate::support::Fixture;

pub fn example() -> Fixture {
    let f = Fixture::new(&[]);
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    std::fs::copy(src.join("example.toml"), f.path("example.toml")).unwrap();
    std::fs::create_dir(f.path("example")).unwrap();
    for entry in std::fs::read_dir(src.join("example")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, f.path("example").join(p.file_name().unwrap())).unwrap();
    }
    f
}

#[test]
fn outputs_are_byte_identical_across_thread_counts_and_reruns() {
    let f = example();
    let runs = [("t1", "1"), ("t2", "2"), ("t2again", "2"), ("t3", "3")];
    let dirs: Vec<_> = runs
        .iter()
        .map(|(out, threads)| {
            f.run(
                "example.toml",
                out,
                &["--trials", "300", "--seed", "11", "--threads", threads],
            )
        })
        .collect();
    for file in ["summary.csv", "risk.csv", "sensitivity.csv"] {
        let first = std::fs::read(dirs[0].join(file)).unwrap();
        assert!(first.len() > 1000, "{file} has content");
        for d in &dirs[1..] {
            assert!(
                std::fs::read(d.join(file)).unwrap() == first,
                "{file} differs in {}",
                d.display()
            );
        }
    }
}

#[test]
fn a_different_seed_gives_different_results() {
    let f = example();
    let a = f.run("example.toml", "a", &["--trials", "100", "--seed", "1"]);
    let b = f.run("example.toml", "b", &["--trials", "100", "--seed", "2"]);
    assert_ne!(
        std::fs::read(a.join("summary.csv")).unwrap(),
        std::fs::read(b.join("summary.csv")).unwrap()
    );
}
