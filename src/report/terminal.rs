//! The end-of-run table: for each stage, its most severe district-stages in the run's one
//! ranking ([`Ranking`]), each at its best-ranked year (its worst year), with the first year it
//! is short ([`rules::first_short_year`]).

use std::fmt::Write;

use super::rank::Ranking;
use super::rules;
use crate::engine::{Accumulator, Engine, Place};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// District-stages shown at most per stage, so that every stage is represented.
const PER_STAGE: usize = 3;

/// The most severe district-stages of each stage, for the terminal, in rank order.
pub fn top_risks(engine: &Engine, acc: &Accumulator) -> String {
    let (s, layout) = (engine.scenario(), engine.layout());
    let ranking = Ranking::new(engine, acc);
    let n_years = layout.years.len();
    let mut shown: Vec<usize> = Vec::new();
    let mut per_stage = vec![0; s.stages.len()];
    for &cell in ranking.ranked() {
        let row = cell / n_years;
        let stage = layout.rows[row].stage.0;
        let seen = shown.iter().any(|&c| c / n_years == row);
        if !seen && per_stage[stage] < PER_STAGE {
            per_stage[stage] += 1;
            shown.push(cell);
        }
    }
    if shown.is_empty() {
        return "No projected year to rank.\n".to_string();
    }
    let mut out = format!(
        "Most severe district-stages by stage, each at its worst year ({} trials; rank as in risk.csv):\n",
        acc.trials()
    );
    let _ = writeln!(
        out,
        "  {:>4} {:<24} {:<13} {:>5} {:>13} {:>11} {:>10} {:>9} {:>9} {:>9} {:>8}",
        "rank",
        "district",
        "stage",
        "year",
        "E[shortfall]",
        "seats→P10",
        "short from",
        "P(short)",
        "P(large)",
        "P(super)",
        "warning"
    );
    for &cell in &shown {
        let (r, yi) = (cell / n_years, cell % n_years);
        let row = layout.rows[r];
        let risk = ranking.risk(cell);
        let place = match row.place {
            Place::District(d) => format!("{} {}", s.districts[d.0].id, s.districts[d.0].name),
            Place::All => "ALL (city-wide)".to_string(),
        };
        let from = rules::first_short_year((1..n_years).map(|y| {
            (
                layout.years[y].0,
                ranking.risk(layout.cell(r, y)).p_shortfall,
            )
        }))
        .map_or("-".to_string(), |y| y.to_string());
        let _ = writeln!(
            out,
            "  {:>4} {} {:<13} {:>5} {:>13.0} {:>11.0} {:>10} {:>9.3} {:>9.3} {:>9.3} {:>8}",
            ranking.rank(cell).unwrap_or(0),
            fit(&place, 24),
            s.stages[row.stage.0].id,
            layout.years[yi],
            risk.expected_shortfall,
            risk.seats_for_p10,
            from,
            risk.p_shortfall,
            risk.p_large_classes,
            risk.p_super_large_classes,
            risk.warning(&s.warnings, false)
        );
    }
    let _ = writeln!(
        out,
        "  (all {} ranked cells in risk.csv: rank, severity, seats_for_p10, warning)",
        ranking.ranked().len()
    );
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
