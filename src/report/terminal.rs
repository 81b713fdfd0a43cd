//! The end-of-run table of the riskiest district-stage-years, for the terminal.

use std::fmt::Write;

use super::csv::CellRisk;
use crate::engine::{Accumulator, Engine, Place};

/// Rows shown at most.
const TOP: usize = 12;

/// The riskiest cells by shortfall probability, then expected shortfall, then large-class risk.
pub fn top_risks(engine: &Engine, acc: &Accumulator) -> String {
    let (s, layout) = (engine.scenario(), engine.layout());
    let mut cells: Vec<(usize, usize, CellRisk)> = (0..layout.rows.len())
        .flat_map(|r| (0..layout.years.len()).map(move |yi| (r, yi)))
        .map(|(r, yi)| (r, yi, CellRisk::of(acc, layout.cell(r, yi))))
        .filter(|(_, _, k)| k.p_shortfall > 0.0 || k.p_large_classes > 0.0)
        .collect();
    let mut out = String::new();
    if cells.is_empty() {
        out.push_str("No district, stage or year shows a seat shortfall or large classes.\n");
        return out;
    }
    cells.sort_by(|a, b| {
        let key = |k: &CellRisk| (k.p_shortfall, k.expected_shortfall, k.p_large_classes);
        let (ka, kb) = (key(&a.2), key(&b.2));
        kb.partial_cmp(&ka)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then((a.0, a.1).cmp(&(b.0, b.1)))
    });
    let _ = writeln!(
        out,
        "Riskiest district-stage-years ({} trials):",
        acc.trials()
    );
    let _ = writeln!(
        out,
        "  {:<22} {:<13} {:>5} {:>11} {:>14} {:>9} {:>8}",
        "district", "stage", "year", "P(short)", "E[shortfall]", "P(large)", "warning"
    );
    for (r, yi, k) in cells.into_iter().take(TOP) {
        let row = layout.rows[r];
        let place = match row.place {
            Place::District(d) => format!("{} ({})", s.districts[d.0].id, s.districts[d.0].name),
            Place::All => "ALL (city)".to_string(),
        };
        let _ = writeln!(
            out,
            "  {:<22} {:<13} {:>5} {:>11.3} {:>14.0} {:>9.3} {:>8}",
            truncate(&place, 22),
            s.stages[row.stage.0].id,
            layout.years[yi],
            k.p_shortfall,
            k.expected_shortfall,
            k.p_large_classes,
            k.warning(&s.warnings)
        );
    }
    out
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        s.chars().take(width - 1).chain(['…']).collect()
    }
}
