//! Risk against the policy targets of `[standards]` (DESIGN §2.5): a cell counts as short,
//! or as having large classes, only when it is worse than the policy allows.

use std::path::PathBuf;

use crate::support::{extends_example, read_rows, read_summary, Fixture};

/// Runs the example with `standards` (TOML lines under `[standards]`) and `extra` options;
/// the fixture holds the output folder.
fn run(standards: &str, extra: &[&str]) -> (Fixture, PathBuf) {
    let toml = extends_example("trials = 50", &format!("[standards]\n{standards}\n"));
    let f = Fixture::new(&[("s.toml", &toml)]);
    let out = f.run("s.toml", "out", extra);
    (f, out)
}

fn p(row: &std::collections::HashMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap()
}

#[test]
fn deterministic_cells_are_short_only_beyond_the_tolerance() {
    let (_f, out) = run("shortfall_tolerance = 0.05", &["--deterministic"]);
    let s = read_summary(&out);
    let mut short = 0;
    for row in read_rows(&out.join("risk.csv")) {
        let (d, st, y) = (
            &row["district"],
            &row["stage"],
            row["year"].parse().unwrap(),
        );
        let at = |m: &str| s[&(d.clone(), st.clone(), y, m.to_string())].mean.unwrap();
        let beyond = at("shortfall") > 0.05 * at("demand");
        assert_eq!(
            p(&row, "p_shortfall"),
            f64::from(u8::from(beyond)),
            "{d} {st} {y}"
        );
        short += usize::from(beyond);
        let large = at("large_class_share") > 0.0;
        assert_eq!(p(&row, "p_large_classes"), f64::from(u8::from(large)));
    }
    assert!(short > 0, "the example has cells short beyond 5%");
}

#[test]
fn targets_of_one_tolerate_everything() {
    let (_f, out) = run(
        "shortfall_tolerance = 1\nlarge_class_target = 1\nsuper_large_class_target = 1",
        &[],
    );
    for row in read_rows(&out.join("risk.csv")) {
        for col in ["p_shortfall", "p_large_classes", "p_super_large_classes"] {
            assert_eq!(
                p(&row, col),
                0.0,
                "{col}: shortfall ≤ demand and shares ≤ 1"
            );
        }
    }
}

#[test]
fn a_large_class_target_counts_only_shares_above_it() {
    let rows = |standards: &str| read_rows(&run(standards, &[]).1.join("risk.csv"));
    let (strict, loose) = (rows(""), rows("large_class_target = 0.3"));
    let total = |rows: &[std::collections::HashMap<String, String>]| -> f64 {
        rows.iter().map(|r| p(r, "p_large_classes")).sum()
    };
    assert!(
        total(&loose) < total(&strict),
        "a tolerated share is not a risk"
    );
    for (a, b) in strict.iter().zip(&loose) {
        assert!(p(b, "p_large_classes") <= p(a, "p_large_classes"));
        assert_eq!(
            a["p_shortfall"], b["p_shortfall"],
            "same draws, same shortfall"
        );
    }
}
