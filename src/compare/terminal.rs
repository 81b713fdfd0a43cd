//! The end-of-comparison table: what the change buys (and costs). For each district × stage,
//! the year in which expected shortfall, or large-class risk, falls (rises) the most; the
//! district-stages with the largest such changes are listed.

use std::fmt::Write;

use super::paired::{Comparison, Paired};
use crate::model::metrics::Metric;
use crate::report::csv::CellRisk;

/// Rows shown at most per table.
const TOP: usize = 10;

/// A risk measure shown in the tables.
struct Measure {
    /// What it is, for the table title.
    title: &'static str,
    /// Its value in one cell.
    of: fn(&CellRisk) -> f64,
    /// Decimals shown.
    decimals: usize,
    /// The metric whose paired P5–P95 difference is shown beside the change, if any.
    paired: Option<Metric>,
}

const MEASURES: [Measure; 2] = [
    Measure {
        title: "expected shortfall (seats)",
        of: |r| r.expected_shortfall,
        decimals: 0,
        paired: Some(Metric::Shortfall),
    },
    Measure {
        title: "large-class risk P(large classes)",
        of: |r| r.p_large_classes,
        decimals: 3,
        paired: None,
    },
];

/// One district-stage's largest change of a measure, at its peak year.
#[derive(Debug, Clone, Copy)]
struct Peak {
    pair: usize,
    base: f64,
    alt: f64,
}

/// The terminal report: largest reductions (and any increases) of each risk measure.
pub fn what_it_buys(c: &Comparison, paired: &Paired) -> String {
    let risks: Vec<(CellRisk, CellRisk)> = c
        .matching()
        .pairs
        .iter()
        .map(|p| {
            let base = CellRisk::of(paired.base(), p.base);
            (base, CellRisk::of(paired.alt(), p.alt))
        })
        .collect();
    let mut out = format!(
        "What ALT ({}) buys against BASE ({}), {} paired trials:\n",
        file_name(c.alt()),
        file_name(c.base()),
        paired.trials()
    );
    for m in &MEASURES {
        let down = peaks(c, &risks, m, -1.0);
        if down.is_empty() {
            let _ = writeln!(out, "\nNo district-stage sees a lower {}.", m.title);
        }
        section(&mut out, "reductions", &down, m, c, paired);
        section(
            &mut out,
            "increases",
            &peaks(c, &risks, m, 1.0),
            m,
            c,
            paired,
        );
    }
    out
}

/// Per district-stage, the year whose change has the largest `sign · change` (> 0); the
/// district-stages with the largest such changes first.
fn peaks(c: &Comparison, risks: &[(CellRisk, CellRisk)], m: &Measure, sign: f64) -> Vec<Peak> {
    let mut best: Vec<Option<Peak>> = vec![None; c.base().layout().rows.len()];
    let key = |p: &Peak| sign * (p.alt - p.base);
    for (i, (pair, (b, a))) in c.matching().pairs.iter().zip(risks).enumerate() {
        let peak = Peak {
            pair: i,
            base: (m.of)(b),
            alt: (m.of)(a),
        };
        let slot = &mut best[pair.base_row];
        if key(&peak) > 0.0 && slot.is_none_or(|old| key(&peak) > key(&old)) {
            *slot = Some(peak);
        }
    }
    let mut peaks: Vec<Peak> = best.into_iter().flatten().collect();
    peaks.sort_by(|x, y| key(y).total_cmp(&key(x)).then(x.pair.cmp(&y.pair)));
    peaks.truncate(TOP);
    peaks
}

/// Appends the table "Largest `what` in …" of `peaks`, unless there are none.
fn section(out: &mut String, what: &str, peaks: &[Peak], m: &Measure, c: &Comparison, p: &Paired) {
    if peaks.is_empty() {
        return;
    }
    let d = m.decimals;
    let band = if m.paired.is_some() {
        "paired P5 … P95"
    } else {
        ""
    };
    let title = format!("Largest {what} in {}", m.title);
    let _ = writeln!(out, "\n{title}, at each district-stage's peak year:");
    let header = format!(
        "  {:<14} {:<13} {:>5} {:>10} {:>10} {:>10}  {band}",
        "district", "stage", "year", "BASE", "ALT", "change"
    );
    let _ = writeln!(out, "{}", header.trim_end());
    for peak in peaks {
        let pair = &c.matching().pairs[peak.pair];
        let interval = m
            .paired
            .and_then(|metric| p.diff(peak.pair, metric).summary())
            .map_or(String::new(), |s| {
                format!("{:.d$} … {:.d$}", s.quantiles[0], s.quantiles[4])
            });
        let line = format!(
            "  {:<14} {:<13} {:>5} {:>10.d$} {:>10.d$} {:>+10.d$}  {interval}",
            pair.district,
            pair.stage,
            pair.year,
            peak.base,
            peak.alt,
            peak.alt - peak.base
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// The scenario's file name, to tell BASE from ALT.
fn file_name(engine: &crate::engine::Engine) -> String {
    let file = &engine.scenario().file;
    file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
