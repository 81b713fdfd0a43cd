//! `summary.csv` and `risk.csv` (DESIGN §6).
//!
//! `summary.csv`: one row per district × stage × year × metric —
//! `district,stage,year,metric,mean,sd,p05,p25,p50,p75,p95,min,max`. Districts in scenario
//! order then `ALL`; stages by age; years ascending; metrics in [`Metric::ALL`] order, leaving
//! out those a stage does not have ([`Metric::defined_for`]: `teachers_needed`, `spending`
//! without `[teachers]`, `[costs]`). Numbers keep 10 significant digits, whatever their scale
//! (see [`number`]); a metric undefined in any trial is empty — `utilization` (demand ÷
//! capacity) of a cell with no seat open in some trial: no school there, so no ratio, and a
//! statistic of the trials that had one would misdescribe the cell (the `capacity` row shows
//! how often there was none).
//!
//! `risk.csv`: one row per district × stage × year —
//! `district,stage,year,p_shortfall,p_large_classes,p_super_large_classes,p_underused,expected_shortfall,warning,seats_for_p10,severity,rank`:
//! the probabilities of events worse than the `[standards]` targets; `warning` ∈
//! `green | amber | red` from the scenario's `[warnings]` thresholds, `observed` for the base
//! year; `seats_for_p10` the P90 of the shortfall (seats that bring P(shortfall) under 10%);
//! `severity` and `rank` as in [`super::rank`] (rank empty where a cell is not ranked).

use std::io::Write;

use rayon::prelude::*;

use super::rank::Ranking;
use crate::engine::{Accumulator, Engine, Place};
use crate::model::metrics::Metric;
use crate::scenario::{Scenario, WarningThresholds, Warnings};

/// Significant digits of every number written: a city total of a million pupils keeps its
/// units and tenths, a share's standard deviation of 1e-5 keeps its own digits.
const SIGNIFICANT_DIGITS: usize = 10;

/// Formats a number for CSV: rounded to [`SIGNIFICANT_DIGITS`], written as the shortest
/// decimal that reads back as that (no exponent), empty for undefined.
///
/// The shortest decimal that reads back as the rounded number is the rounded decimal's own
/// digits without trailing zeros: two decimals of ten significant digits are too far apart
/// to read back as one `f64`. So the digits are placed rather than parsed and formatted again
/// (a nation's `summary.csv` spent a fifth of its writing there).
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    // A whole number of at most ten digits — a count of pupils, seats or classes, half of
    // what a run writes — is its own rounding.
    if x.fract() == 0.0 && x.abs() < 1e10 {
        return format!("{}", x as i64);
    }
    let sci = format!("{x:.*e}", SIGNIFICANT_DIGITS - 1);
    let (mantissa, exponent) = sci.split_once('e').expect("`{:e}` writes an exponent");
    let exponent: i32 = exponent.parse().expect("an integer exponent");
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        // Zero, and −0 written as 0.
        return "0".into();
    }
    let mut out = String::with_capacity(digits.len() + 24);
    if negative {
        out.push('-');
    }
    place_point(digits, exponent, &mut out);
    out
}

/// Writes `0.d₁d₂… × 10^(exponent + 1)` in plain decimal notation into `out`.
fn place_point(digits: &str, exponent: i32, out: &mut String) {
    let whole = exponent + 1;
    if whole <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', whole.unsigned_abs() as usize));
        out.push_str(digits);
    } else if whole as usize >= digits.len() {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', whole as usize - digits.len()));
    } else {
        let (int, frac) = digits.split_at(whole as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
}

/// The `district` column value of a row.
pub fn place_id(s: &Scenario, place: Place) -> &str {
    match place {
        Place::District(d) => &s.districts[d.0].id,
        Place::All => "ALL",
    }
}

/// Column names of `summary.csv`, in order.
pub const SUMMARY_HEADER: [&str; 13] = [
    "district", "stage", "year", "metric", "mean", "sd", "p05", "p25", "p50", "p75", "p95", "min",
    "max",
];

/// Column names of `risk.csv`, in order.
pub const RISK_HEADER: [&str; 12] = [
    "district",
    "stage",
    "year",
    "p_shortfall",
    "p_large_classes",
    "p_super_large_classes",
    "p_underused",
    "expected_shortfall",
    "warning",
    "seats_for_p10",
    "severity",
    "rank",
];

/// District-stages of `summary.csv` formatted side by side before they are written in
/// order: a nation's 2.4 million rows took longer to format than its trials to run, and
/// this many rows (≈ 5 MB of text a block) keep memory flat.
const SUMMARY_BLOCK: usize = 256;

/// Writes `summary.csv`.
pub fn write_summary(
    w: &mut impl Write,
    engine: &Engine,
    acc: &Accumulator,
) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(SUMMARY_HEADER)?;
    out.flush()?;
    let w = out.into_inner().map_err(|e| e.into_error())?;
    let rows = engine.layout().rows.len();
    for start in (0..rows).step_by(SUMMARY_BLOCK) {
        let texts: Vec<std::io::Result<Vec<u8>>> = (start..(start + SUMMARY_BLOCK).min(rows))
            .into_par_iter()
            .map(|r| summary_rows(engine, acc, r))
            .collect();
        for text in texts {
            w.write_all(&text?)?;
        }
    }
    w.flush()
}

/// The `summary.csv` lines of layout row `r` (one district-stage, every year and metric).
fn summary_rows(engine: &Engine, acc: &Accumulator, r: usize) -> std::io::Result<Vec<u8>> {
    let (s, layout) = (engine.scenario(), engine.layout());
    let row = &layout.rows[r];
    let (place, stage) = (place_id(s, row.place), &s.stages[row.stage.0]);
    let mut out = csv::Writer::from_writer(Vec::new());
    for (yi, year) in layout.years.iter().enumerate() {
        let cell = layout.cell(r, yi);
        for metric in Metric::ALL.into_iter().filter(|m| m.defined_for(stage)) {
            let mut record = vec![
                place.to_string(),
                stage.id.clone(),
                year.to_string(),
                metric.name().to_string(),
            ];
            let stats = acc.metric(cell, metric);
            // Undefined in some trials (utilization where some trial has pupils but no
            // school): statistics of the other trials alone would read as the cell's.
            let summary = stats.summary().filter(|_| stats.count() == acc.trials());
            match summary {
                Some(sum) => {
                    record.extend([number(sum.mean), number(sum.sd)]);
                    record.extend(sum.quantiles.map(number));
                    record.extend([number(sum.min), number(sum.max)]);
                }
                None => record.extend(std::iter::repeat_n(String::new(), 9)),
            }
            out.write_record(&record)?;
        }
    }
    out.into_inner().map_err(|e| e.into_error())
}

/// Risk probabilities of one cell: events worse than the `[standards]` targets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellRisk {
    /// P(shortfall > `shortfall_tolerance` × demand).
    pub p_shortfall: f64,
    /// P(large-class share > `large_class_target`).
    pub p_large_classes: f64,
    /// P(super-large-class share > `super_large_class_target`).
    pub p_super_large_classes: f64,
    /// P(utilization < threshold).
    pub p_underused: f64,
    /// Mean shortfall.
    pub expected_shortfall: f64,
    /// Seats that would bring P(shortfall) under 10%: the shortfall's P90.
    pub seats_for_p10: f64,
}

impl CellRisk {
    /// The risk of cell number `cell`.
    pub fn of(acc: &Accumulator, cell: usize) -> Self {
        let counts = acc.risk(cell);
        let n = acc.trials().max(1) as f64;
        let shortfall = acc.metric(cell, Metric::Shortfall);
        Self {
            p_shortfall: counts.shortfall as f64 / n,
            p_large_classes: counts.large_classes as f64 / n,
            p_super_large_classes: counts.super_large_classes as f64 / n,
            p_underused: counts.underused as f64 / n,
            expected_shortfall: shortfall.summary().map_or(0.0, |s| s.mean),
            seats_for_p10: shortfall.quantile(0.9).unwrap_or(0.0),
        }
    }

    /// Expected seat-years short: what the ranking orders by first.
    pub fn severity(&self) -> f64 {
        self.expected_shortfall
    }

    /// Warning level under `w`: any policy event at least as likely as a level's threshold
    /// reaches that level; a base-year cell is `observed`, not warned.
    pub fn warning(&self, w: &Warnings, base_year: bool) -> &'static str {
        let at = |t: &WarningThresholds| {
            self.p_shortfall >= t.p_shortfall
                || self.p_large_classes >= t.p_large_classes
                || self.p_super_large_classes >= t.p_super_large_classes
                || self.p_underused >= t.p_underused
        };
        if base_year {
            "observed"
        } else if at(&w.red) {
            "red"
        } else if at(&w.amber) {
            "amber"
        } else {
            "green"
        }
    }
}

/// Writes `risk.csv`.
pub fn write_risk(w: &mut impl Write, engine: &Engine, acc: &Accumulator) -> std::io::Result<()> {
    let (s, layout) = (engine.scenario(), engine.layout());
    let ranking = Ranking::new(engine, acc);
    let mut out = csv::Writer::from_writer(w);
    out.write_record(RISK_HEADER)?;
    for (r, row) in layout.rows.iter().enumerate() {
        for (yi, year) in layout.years.iter().enumerate() {
            let cell = layout.cell(r, yi);
            let risk = ranking.risk(cell);
            out.write_record([
                place_id(s, row.place).to_string(),
                s.stages[row.stage.0].id.clone(),
                year.to_string(),
                number(risk.p_shortfall),
                number(risk.p_large_classes),
                number(risk.p_super_large_classes),
                number(risk.p_underused),
                number(risk.expected_shortfall),
                risk.warning(&s.warnings, yi == 0).to_string(),
                number(risk.seats_for_p10),
                number(risk.severity()),
                ranking.rank(cell).map_or(String::new(), |k| k.to_string()),
            ])?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::{number, CellRisk};
    use crate::scenario::{WarningThresholds, Warnings};

    #[test]
    fn any_policy_event_at_its_threshold_sets_the_level_and_the_base_year_is_observed() {
        let level = |p: f64| WarningThresholds {
            p_shortfall: p,
            p_large_classes: p,
            p_super_large_classes: p,
            p_underused: p,
        };
        let w = Warnings {
            red: level(0.5),
            amber: level(0.2),
        };
        let calm = CellRisk {
            p_shortfall: 0.1,
            p_large_classes: 0.1,
            p_super_large_classes: 0.1,
            p_underused: 0.1,
            expected_shortfall: 0.0,
            seats_for_p10: 0.0,
        };
        assert_eq!(calm.warning(&w, false), "green");
        let amber = CellRisk {
            p_underused: 0.2,
            ..calm
        };
        assert_eq!(amber.warning(&w, false), "amber");
        let red = CellRisk {
            p_super_large_classes: 0.6,
            ..calm
        };
        assert_eq!(red.warning(&w, false), "red");
        assert_eq!(red.warning(&w, true), "observed");
    }

    #[test]
    fn numbers_are_the_shortest_decimal_of_the_value_rounded_to_ten_digits() {
        // The definition, written the slow way: round, read back, write the shortest.
        let slow = |x: f64| {
            let rounded: f64 = format!("{x:.9e}").parse().unwrap();
            format!("{}", rounded + 0.0)
        };
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let bits = state >> 11;
            let scale = 10f64.powi((state % 40) as i32 - 20);
            let x = (bits as f64 / (1u64 << 53) as f64 - 0.5) * scale;
            let whole = (x * 1000.0).round();
            for v in [x, whole, whole / 8.0, -x] {
                assert_eq!(number(v), slow(v), "{v:e}");
            }
        }
        for v in [
            1e-300,
            -1e300,
            999_999_999_950.0,
            0.099_999_999_99,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(number(v), slow(v), "{v:e}");
        }
    }

    #[test]
    fn numbers_are_compact_and_stable() {
        assert_eq!(number(438680.0), "438680");
        assert_eq!(number(0.0888), "0.0888");
        assert_eq!(number(1.0 / 3.0), "0.3333333333");
        assert_eq!(number(1_139_884.287_109_375), "1139884.287");
        assert_eq!(number(-0.000_012_345_678_9), "-0.0000123456789");
        assert_eq!(number(2.5e12), "2500000000000");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(f64::NAN), "");
    }
}
