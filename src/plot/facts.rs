//! What the pages say about one place (a district or the city) and stage, computed from the
//! run's files with the rules of [`crate::report::rules`]: when it is first at risk and why,
//! when it is first short, its worst year and expected shortfall there, the seats, classes,
//! money and teachers that would bring P(shortfall) under 10%, and the pipeline's spending.

use super::data::{Quantiles, RiskRow, Run, StageInfo, ALL};
use super::labels::{percent, thousands};
use crate::report::rules::{self, MILLIONS_PER_YI};

/// Where P90 lies between P75 and P95 when it has to be interpolated: (0.90 − 0.75) / (0.95 − 0.75).
const P90_BETWEEN_P75_AND_P95: f64 = 0.75;
/// Yuan in one 亿元.
const YUAN_PER_YI: f64 = 1e8;

/// Seats to add so that P(shortfall) falls under 10%: the 90th percentile of the shortfall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Seats {
    /// `seats_for_p10` of `risk.csv`.
    Exact(f64),
    /// Interpolated between P75 and P95 of `summary.csv`, for runs whose `risk.csv` lacks it.
    Estimated(f64),
}

impl Seats {
    /// The number of seats.
    pub fn value(self) -> f64 {
        match self {
            Seats::Exact(v) | Seats::Estimated(v) => v,
        }
    }

    /// The number as text, with "≈" when interpolated.
    pub fn text(self) -> String {
        match self {
            Seats::Exact(v) => thousands(v),
            Seats::Estimated(v) => format!("≈{}", thousands(v)),
        }
    }
}

/// The seats that bring P(shortfall) of a place-stage-year under 10%.
pub(crate) fn seats_for_p10(run: &Run, place: &str, stage: &str, year: i32) -> Option<Seats> {
    let exact = run
        .risk_at(place, stage, year)
        .and_then(|r| r.seats_for_p10);
    exact.map(Seats::Exact).or_else(|| {
        let q = run.metric(place, stage, year, "shortfall")?;
        Some(Seats::Estimated(
            q.p75 + P90_BETWEEN_P75_AND_P95 * (q.p95 - q.p75),
        ))
    })
}

/// The projected years.
pub(crate) fn projected(run: &Run) -> std::ops::RangeInclusive<i32> {
    run.info.base_year + 1..=run.info.horizon
}

/// The worst year of a place-stage ([`rules::worst_year`] over `risk.csv`'s expected shortfall).
pub(crate) fn worst_year_of(run: &Run, place: &str, stage: &str) -> Option<i32> {
    rules::worst_year(
        projected(run).filter_map(|y| Some((y, run.risk_at(place, stage, y)?.expected_shortfall?))),
    )
}

/// The worst year of a stage for the city as a whole.
pub(crate) fn worst_year(run: &Run, stage: &str) -> Option<i32> {
    worst_year_of(run, ALL, stage)
}

/// Why a cell is at risk: the first of its probabilities to reach its amber threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Trigger {
    /// The Chinese name of the event.
    pub zh: &'static str,
    /// The English name of the event.
    pub en: &'static str,
    /// Its probability.
    pub p: f64,
}

impl Trigger {
    /// Why `row` is at risk, if it is ([`rules::is_at_risk`]).
    pub fn of(run: &Run, row: &RiskRow) -> Option<Trigger> {
        if !rules::is_at_risk(row.warning.name()) {
            return None;
        }
        let amber = run.info.warnings.as_ref().and_then(|w| w.get("amber"));
        let events = [
            ("缺口", "shortfall", "p_shortfall", row.p_shortfall),
            (
                "大班额",
                "large classes",
                "p_large_classes",
                row.p_large_classes,
            ),
            (
                "超大班额",
                "super-large classes",
                "p_super_large_classes",
                row.p_super_large_classes,
            ),
            ("闲置", "under-used", "p_underused", row.p_underused),
        ];
        let reached = |column: &str, p: f64| {
            amber
                .and_then(|t| t.get(column))
                .is_none_or(|&threshold| p >= threshold)
        };
        events
            .into_iter()
            .filter_map(|(zh, en, column, p)| Some((zh, en, column, p?)))
            .find(|&(_, _, column, p)| reached(column, p))
            .map(|(zh, en, _, p)| Trigger { zh, en, p })
    }

    /// "缺口 shortfall 86%" (both names) or "shortfall 86%".
    pub fn text(&self, chinese: bool) -> String {
        if chinese {
            format!("{} {} {}", self.zh, self.en, percent(self.p))
        } else {
            format!("{} {}", self.en, percent(self.p))
        }
    }
}

/// What the pages say about one place and stage.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    /// The first projected year at risk, and why.
    pub first_at_risk: Option<(i32, Trigger)>,
    /// The first projected year short.
    pub first_short: Option<i32>,
    /// The worst year, with the quantiles of its shortfall.
    pub worst: Option<(i32, Quantiles)>,
    /// Seats for P(shortfall) < 10% in the worst year.
    pub seats: Option<Seats>,
    /// Teachers needed in the worst year (else the horizon).
    pub teachers: Option<(i32, Quantiles)>,
    /// The pipeline's expected capital spending over the projected years, millions of yuan.
    pub spending: Option<f64>,
}

impl Facts {
    /// The facts of `place` (a district id or `ALL`) and `stage`.
    pub fn of(run: &Run, place: &str, stage: &StageInfo) -> Facts {
        let id = stage.id.as_str();
        let rows = || projected(run).filter_map(|y| run.risk_at(place, id, y));
        let first_at_risk = rows().find_map(|r| Some((r.year, Trigger::of(run, r)?)));
        let first_short =
            rules::first_short_year(rows().filter_map(|r| Some((r.year, r.p_shortfall?))));
        let worst_year = worst_year_of(run, place, id);
        let worst = worst_year.and_then(|y| Some((y, run.metric(place, id, y, "shortfall")?)));
        let teachers_year = worst_year.unwrap_or(run.info.horizon);
        let spent: Vec<f64> = projected(run)
            .filter_map(|y| run.metric(place, id, y, "spending").map(|q| q.mean))
            .collect();
        Facts {
            first_at_risk,
            first_short,
            worst,
            seats: worst_year.and_then(|y| seats_for_p10(run, place, id, y)),
            teachers: run
                .metric(place, id, teachers_year, "teachers_needed")
                .map(|q| (teachers_year, q)),
            spending: (!spent.is_empty()).then(|| spent.iter().sum()),
        }
    }

    /// Classes of the stage's size holding the seats, rounded up.
    pub fn classes(&self, stage: &StageInfo) -> Option<f64> {
        classes(stage, self.seats?.value())
    }

    /// What the seats cost in new schools, 亿元.
    pub fn seats_cost_yi(&self, stage: &StageInfo) -> Option<f64> {
        Some(self.seats?.value() * stage.seat_cost_new? / YUAN_PER_YI)
    }

    /// The teachers the seats need.
    pub fn seats_teachers(&self, stage: &StageInfo) -> Option<f64> {
        Some((self.seats?.value() / stage.pupils_per_teacher?).ceil())
    }

    /// The pipeline's spending, 亿元.
    pub fn spending_yi(&self) -> Option<f64> {
        self.spending.map(|m| m / MILLIONS_PER_YI)
    }
}

/// Classes of the stage's size holding `seats`, rounded up.
pub(crate) fn classes(stage: &StageInfo, seats: f64) -> Option<f64> {
    stage.class_size.map(|n| (seats / f64::from(n)).ceil())
}

/// 亿元 with one decimal ("12.3").
pub(crate) fn yi(v: f64) -> String {
    format!("{:.1}", (v * 10.0).round() / 10.0 + 0.0)
}

/// The places a stage is reported for: its districts, or the city for a city-wide stage.
pub(crate) fn places<'r>(run: &'r Run, stage: &StageInfo) -> Vec<&'r str> {
    if stage.is_city_wide() {
        vec![ALL]
    } else {
        run.info.districts.iter().map(|d| d.id.as_str()).collect()
    }
}

/// The first projected year any place of a stage is at risk, with the places at risk then.
pub(crate) fn first_at_risk<'r>(
    run: &'r Run,
    stage: &StageInfo,
) -> Option<(i32, Vec<(&'r str, Trigger)>)> {
    let places = places(run, stage);
    projected(run).find_map(|y| {
        let mut at: Vec<(&str, Trigger)> = places
            .iter()
            .filter_map(|&p| Some((p, Trigger::of(run, run.risk_at(p, &stage.id, y)?)?)))
            .collect();
        // Most probable first; among equally probable places, the largest expected shortfall.
        let expected = |p: &str| {
            run.risk_at(p, &stage.id, y)
                .and_then(|r| r.expected_shortfall)
                .unwrap_or(0.0)
        };
        at.sort_by(|a, b| (b.1.p.total_cmp(&a.1.p)).then(expected(b.0).total_cmp(&expected(a.0))));
        (!at.is_empty()).then_some((y, at))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yi_rounds_to_one_decimal() {
        assert_eq!(yi(12.345), "12.3");
        assert_eq!(yi(-0.01), "0.0");
    }
}
