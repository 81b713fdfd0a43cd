//! Every portfolio of a generated problem, scored by `run` of a scenario that builds it (the
//! scenario `s.toml` plus `[[changes]]` that drop or re-time the pipeline and add the picks).

use std::collections::HashMap;
use std::path::Path;

use super::generate::Problem;
use crate::support::{read_rows, read_summary, Fixture};

/// `(district, stage, year) → (p_shortfall, p_large_classes)`.
pub type Cells = HashMap<(String, String, i32), (f64, f64)>;

/// One portfolio, as `run` scores it.
#[derive(Debug, Clone)]
pub struct Portfolio {
    /// `(project id, planned year)`, sorted.
    pub picks: Vec<(String, i32)>,
    /// Mean shortfall seat-years over every cell (district rows of district stages, `ALL`
    /// rows of city stages) and year.
    pub short: f64,
    /// Mean spare seat-years over the same cells.
    pub spare: f64,
    /// Every cell's `(p_shortfall, p_large_classes)`.
    pub cells: Cells,
    /// Cost in yuan, as the plan counts it.
    pub cost: f64,
    /// Classes built.
    pub classes: f64,
    /// Per planned year: (yuan, classes).
    pub by_year: HashMap<i32, (f64, f64)>,
}

impl Portfolio {
    /// Whether it keeps the budget `kind=limit`.
    pub fn within(&self, kind: &str, limit: f64) -> bool {
        let mut years = self.by_year.values();
        let fits = |used: f64| used <= limit * (1.0 + 1e-12);
        match kind {
            "yuan" => fits(self.cost),
            "classes" => fits(self.classes),
            "yuan_per_year" => years.all(|y| fits(y.0)),
            "classes_per_year" => years.all(|y| fits(y.1)),
            _ => unreachable!("{kind}"),
        }
    }

    /// How much of the budget kind it uses (the largest year of a per-year kind).
    pub fn usage(&self, kind: &str) -> f64 {
        let most = |f: fn(&(f64, f64)) -> f64| self.by_year.values().map(f).fold(0.0, f64::max);
        match kind {
            "yuan" => self.cost,
            "classes" => self.classes,
            "yuan_per_year" => most(|y| y.0),
            "classes_per_year" => most(|y| y.1),
            _ => unreachable!("{kind}"),
        }
    }
}

/// Every portfolio of `p`, in the fixture `f` that holds its files.
pub fn enumerate(f: &Fixture, p: &Problem) -> Vec<Portfolio> {
    let sizes: Vec<u64> = (p.choices.iter())
        .map(|c| (c.window.1 - c.window.0 + 2) as u64)
        .collect();
    (0..p.portfolios())
        .map(|mut code| {
            let mut picks = Vec::new();
            for (i, size) in sizes.iter().enumerate() {
                let choice = code % size;
                code /= size;
                if choice > 0 {
                    picks.push((i, p.choices[i].window.0 + choice as i32 - 1));
                }
            }
            score(f, p, &picks)
        })
        .collect()
}

/// The portfolio building `picks` (`(choice, planned year)`), scored by `run`.
fn score(f: &Fixture, p: &Problem, picks: &[(usize, i32)]) -> Portfolio {
    let toml = format!(
        "[scenario]\nextends = \"s.toml\"\n{}",
        p.changes_building(picks)
    );
    std::fs::write(f.path("enum.toml"), toml).unwrap();
    let run = f.run("enum.toml", "enum-out", &[]);
    let mut out = Portfolio {
        picks: Vec::new(),
        short: 0.0,
        spare: 0.0,
        cells: Cells::new(),
        cost: 0.0,
        classes: 0.0,
        by_year: HashMap::new(),
    };
    for &(c, year) in picks {
        let choice = &p.choices[c];
        out.picks.push((choice.id.clone(), year));
        out.cost += choice.cost;
        out.classes += f64::from(choice.classes);
        let y = out.by_year.entry(year).or_default();
        (y.0, y.1) = (y.0 + choice.cost, y.1 + f64::from(choice.classes));
    }
    out.picks.sort();
    (out.short, out.spare, out.cells) = measure(p, &run);
    out
}

/// Shortfall and spare seat-years of the run folder `run` over `p`'s cells (district rows of
/// district stages, `ALL` rows of city stages), and each cell's `(p_shortfall,
/// p_large_classes)`.
pub fn measure(p: &Problem, run: &Path) -> (f64, f64, Cells) {
    let is_cell = |district: &str, stage: &str| {
        let city = p.stages.iter().any(|s| s.id == stage && s.city);
        (district == "ALL") == city
    };
    let (mut short, mut spare, mut cells) = (0.0, 0.0, Cells::new());
    for ((d, st, _, metric), row) in read_summary(run) {
        if is_cell(&d, &st) {
            match metric.as_str() {
                "shortfall" => short += row.mean.unwrap_or(0.0),
                "surplus" => spare += row.mean.unwrap_or(0.0),
                _ => {}
            }
        }
    }
    for r in read_rows(&run.join("risk.csv")) {
        if is_cell(&r["district"], &r["stage"]) {
            let number = |key: &str| r[key].parse::<f64>().unwrap();
            let key = (
                r["district"].clone(),
                r["stage"].clone(),
                r["year"].parse().unwrap(),
            );
            cells.insert(key, (number("p_shortfall"), number("p_large_classes")));
        }
    }
    (short, spare, cells)
}
