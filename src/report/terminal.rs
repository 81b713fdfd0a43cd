//! The end-of-run table: the riskiest district-stages, each at its worst year, with the first
//! year a shortfall becomes more likely than not.

use std::fmt::Write;

use super::csv::CellRisk;
use crate::engine::{Accumulator, Engine, Place};
use crate::scenario::Catchment;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Rows shown at most.
const TOP: usize = 12;

/// One district-stage at its worst year.
struct Worst {
    row: usize,
    year_ix: usize,
    risk: CellRisk,
    first_likely: Option<usize>,
}

/// Ranking key: shortfall probability, then expected shortfall, then large-class risk.
fn key(k: &CellRisk) -> (f64, f64, f64) {
    (k.p_shortfall, k.expected_shortfall, k.p_large_classes)
}

/// The riskiest district-stages, for the terminal.
///
/// City totals of district-catchment stages are left out: a planner acts on districts, and a
/// city sum would always outrank them.
pub fn top_risks(engine: &Engine, acc: &Accumulator) -> String {
    let (s, layout) = (engine.scenario(), engine.layout());
    let actionable = |r: &usize| {
        let row = layout.rows[*r];
        row.place != Place::All || s.stages[row.stage.0].catchment == Catchment::City
    };
    let mut rows: Vec<Worst> = (0..layout.rows.len())
        .filter(actionable)
        .map(|row| {
            let risks: Vec<CellRisk> = (0..layout.years.len())
                .map(|yi| CellRisk::of(acc, layout.cell(row, yi)))
                .collect();
            let year_ix = (0..risks.len())
                .max_by(|&a, &b| {
                    key(&risks[a])
                        .partial_cmp(&key(&risks[b]))
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then(b.cmp(&a))
                })
                .unwrap_or(0);
            let first_likely = risks.iter().position(|k| k.p_shortfall >= 0.5);
            Worst {
                row,
                year_ix,
                risk: risks[year_ix],
                first_likely,
            }
        })
        .filter(|w| w.risk.p_shortfall > 0.0 || w.risk.p_large_classes > 0.0)
        .collect();
    if rows.is_empty() {
        return "No district, stage or year shows a seat shortfall or large classes.\n".to_string();
    }
    rows.sort_by(|a, b| {
        key(&b.risk)
            .partial_cmp(&key(&a.risk))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.row.cmp(&b.row))
    });
    let mut out = format!(
        "Riskiest district-stages, each at its worst year ({} trials):\n",
        acc.trials()
    );
    let _ = writeln!(
        out,
        "  {:<24} {:<13} {:>5} {:>9} {:>13} {:>12} {:>9} {:>8}",
        "district",
        "stage",
        "worst",
        "P(short)",
        "E[shortfall]",
        "short from",
        "P(large)",
        "warning"
    );
    for w in rows.iter().take(TOP) {
        let row = layout.rows[w.row];
        let place = match row.place {
            Place::District(d) => format!("{} {}", s.districts[d.0].id, s.districts[d.0].name),
            Place::All => "ALL (city-wide)".to_string(),
        };
        let from = w
            .first_likely
            .map_or("-".to_string(), |yi| layout.years[yi].to_string());
        let _ = writeln!(
            out,
            "  {} {:<13} {:>5} {:>9.3} {:>13.0} {:>12} {:>9.3} {:>8}",
            fit(&place, 24),
            s.stages[row.stage.0].id,
            layout.years[w.year_ix],
            w.risk.p_shortfall,
            w.risk.expected_shortfall,
            from,
            w.risk.p_large_classes,
            w.risk.warning(&s.warnings)
        );
    }
    if rows.len() > TOP {
        let _ = writeln!(
            out,
            "  … and {} more district-stages at risk (see risk.csv)",
            rows.len() - TOP
        );
    }
    out
}

/// `s` cut or padded to `width` terminal columns (CJK characters take two).
fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = UnicodeWidthStr::width(s);
    if used > width {
        used = 1;
        for c in s.chars() {
            let w = UnicodeWidthChar::width(c).unwrap_or(0);
            if used + w > width {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
    } else {
        out.push_str(s);
    }
    out + &" ".repeat(width.saturating_sub(used))
}
