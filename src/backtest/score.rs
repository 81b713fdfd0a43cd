//! How each observation fares against the projection, and the accuracy summary by metric,
//! stage and horizon that projection programmes publish: MAPE of the median, coverage of the
//! bands, and the interval score, which also charges a band for its width so that a wide
//! band is not free (Gneiting & Raftery, JASA 2007, §6.2).
//!
//! An observation is inside a band when it lies within the band's bounds as `summary.csv`
//! writes them (10 significant digits, so an observed file written from seatsim's own output
//! is matched exactly); a band of a point mass holds only that value. The base year is
//! observed, not projected: its observations are scored for their error but always count as
//! inside the bands, whatever the rounding of the figures the scenario was built from.

use std::collections::BTreeMap;
use std::fmt;

use super::observed::Observation;
use super::proper::{self, PIT_BINS};
use crate::engine::Accumulator;
use crate::model::metrics::Metric;
use crate::report::csv::number;

/// The projection of one observed cell and how the observation compares with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The observed value, at the precision of `summary.csv`.
    pub observed: f64,
    /// P5, P25, P50, P75, P95 of the projection (`NaN` when undefined in every trial).
    pub quantiles: [f64; 5],
    /// Signed error of the median: P50 − observed.
    pub error: f64,
    /// `|error| / |observed| × 100`; `NaN` when the observed value is 0.
    pub abs_pct_error: f64,
    /// Whether P5 ≤ observed ≤ P95 (`None` when the projection is undefined).
    pub in_p05_p95: Option<bool>,
    /// Whether P25 ≤ observed ≤ P75 (`None` when the projection is undefined).
    pub in_p25_p75: Option<bool>,
    /// Interval score of the P5–P95 band (`NaN` when undefined), in the metric's unit.
    pub interval_score_90: f64,
    /// Interval score of the P25–P75 band (`NaN` when undefined), in the metric's unit.
    pub interval_score_50: f64,
    /// Share of the trials below the observation, ties half (`NaN` when undefined).
    pub pit: f64,
    /// CRPS of the trials' distribution, in the metric's unit (`NaN` when undefined).
    pub crps: f64,
    /// The reference forecasts' values and CRPS (their absolute errors).
    pub references: References,
    /// Whether the observation is of the base year, which is observed, not forecast: it
    /// counts for no skill.
    pub base_year: bool,
}

/// The point forecasts a projection is held against: its own deterministic run and
/// persistence, the base year's observed value carried forward. `NaN` where not available.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct References {
    /// The deterministic projection's value of the cell.
    pub deterministic: f64,
    /// The observed value of the same district, stage and metric in the base year.
    pub persistence: f64,
}

impl References {
    /// Neither reference available.
    pub const NONE: References = References {
        deterministic: f64::NAN,
        persistence: f64::NAN,
    };
}

impl Score {
    /// Scores `obs` against the run's statistics `acc` and its trials' defined values
    /// `sorted` (ascending), and the reference forecasts against it.
    pub fn of(
        obs: &Observation,
        acc: &Accumulator,
        sorted: &[f64],
        references: References,
    ) -> Self {
        let quantiles = acc
            .metric(obs.cell, obs.metric)
            .summary()
            .map_or([f64::NAN; 5], |s| s.quantiles.map(at_csv_precision));
        let [p05, p25, p50, p75, p95] = quantiles;
        let x = at_csv_precision(obs.value);
        let error = p50 - x;
        let base_year = obs.horizon == 0;
        let inside = |lo: f64, hi: f64| (!p50.is_nan()).then_some(base_year || lo <= x && x <= hi);
        let defined = !sorted.is_empty();
        Self {
            observed: x,
            quantiles,
            error,
            abs_pct_error: if x == 0.0 {
                f64::NAN
            } else {
                (error / x).abs() * 100.0
            },
            in_p05_p95: inside(p05, p95),
            in_p25_p75: inside(p25, p75),
            interval_score_90: interval_score(p05, p95, 0.1, x),
            interval_score_50: interval_score(p25, p75, 0.5, x),
            pit: if defined {
                proper::pit(sorted, x)
            } else {
                f64::NAN
            },
            crps: if defined {
                proper::crps(sorted, x)
            } else {
                f64::NAN
            },
            references,
            base_year,
        }
    }

    /// CRPS of the deterministic run: its absolute error (`NaN` when not available).
    pub fn crps_deterministic(&self) -> f64 {
        (self.references.deterministic - self.observed).abs()
    }

    /// CRPS of persistence: its absolute error (`NaN` when not available).
    pub fn crps_persistence(&self) -> f64 {
        (self.references.persistence - self.observed).abs()
    }
}

/// The interval score of the central `1 − alpha` band `[lo, hi]` for the observation `x`:
/// its width, plus `2/alpha` times the distance by which `x` falls outside it. Lower is
/// better; a proper score, so no band scores better on average than the true one.
pub fn interval_score(lo: f64, hi: f64, alpha: f64, x: f64) -> f64 {
    let below = (lo - x).max(0.0);
    let above = (x - hi).max(0.0);
    (hi - lo) + 2.0 / alpha * (below + above)
}

/// `x` as written to `summary.csv`.
fn at_csv_precision(x: f64) -> f64 {
    number(x).parse().unwrap_or(f64::NAN)
}

/// One origin or stage, or all of them together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// The origin or stage with this id.
    One(String),
    /// Every origin or stage.
    All,
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::One(s) => s.fmt(f),
            Group::All => f.write_str("all"),
        }
    }
}

/// Years after the base year, or all horizons after it together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Horizon {
    /// This many years after the base year.
    Years(i32),
    /// Every horizon after the base year (the base year is observed, not forecast).
    All,
}

impl fmt::Display for Horizon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Horizon::Years(h) => h.fmt(f),
            Horizon::All => f.write_str("all"),
        }
    }
}

/// A point forecast's CRPS summed beside the projection's over the observations that have it,
/// so that the skill compares like with like.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Paired {
    model: f64,
    reference: f64,
}

impl Paired {
    fn add(&mut self, model: f64, reference: f64) {
        if !reference.is_nan() {
            self.model += model;
            self.reference += reference;
        }
    }

    /// `1 − CRPS / CRPS of the reference`: 1 perfect, 0 no better than the reference,
    /// negative worse (`NaN` when the reference is never wrong or never available).
    fn skill(&self) -> f64 {
        if self.reference > 0.0 {
            1.0 - self.model / self.reference
        } else {
            f64::NAN
        }
    }
}

/// Accuracy over a group of observations whose projection is defined.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Accuracy {
    observations: u64,
    with_pct: u64,
    sum_pct: f64,
    sum_error: f64,
    sum_abs_error: f64,
    in_p05_p95: u64,
    in_p25_p75: u64,
    sum_is90_pct: f64,
    sum_is50_pct: f64,
    sum_crps: f64,
    sum_crps_pct: f64,
    deterministic: Paired,
    persistence: Paired,
    pit: [u64; PIT_BINS],
}

impl Accuracy {
    fn add(&mut self, s: &Score) {
        let (Some(wide), Some(narrow)) = (s.in_p05_p95, s.in_p25_p75) else {
            return;
        };
        self.observations += 1;
        if !s.abs_pct_error.is_nan() {
            self.with_pct += 1;
            self.sum_pct += s.abs_pct_error;
        }
        self.sum_error += s.error;
        self.sum_abs_error += s.error.abs();
        self.in_p05_p95 += u64::from(wide);
        self.in_p25_p75 += u64::from(narrow);
        if s.observed != 0.0 {
            let x = s.observed.abs();
            self.sum_is90_pct += s.interval_score_90 / x * 100.0;
            self.sum_is50_pct += s.interval_score_50 / x * 100.0;
            self.sum_crps_pct += s.crps / x * 100.0;
        }
        self.sum_crps += s.crps;
        if !s.base_year {
            self.deterministic.add(s.crps, s.crps_deterministic());
            self.persistence.add(s.crps, s.crps_persistence());
        }
        self.pit[proper::pit_bin(s.pit)] += 1;
    }

    /// Observations scored.
    pub fn observations(&self) -> u64 {
        self.observations
    }

    /// Mean absolute percentage error of the median, over observations ≠ 0 (`NaN` if none).
    pub fn mape(&self) -> f64 {
        self.sum_pct / self.with_pct as f64
    }

    /// Mean signed error of the median (P50 − observed).
    pub fn mean_error(&self) -> f64 {
        self.sum_error / self.observations as f64
    }

    /// Mean absolute error of the median.
    pub fn mean_abs_error(&self) -> f64 {
        self.sum_abs_error / self.observations as f64
    }

    /// Share of observations inside P5–P95 (nominally 0.9).
    pub fn coverage_p05_p95(&self) -> f64 {
        self.in_p05_p95 as f64 / self.observations as f64
    }

    /// Share of observations inside P25–P75 (nominally 0.5).
    pub fn coverage_p25_p75(&self) -> f64 {
        self.in_p25_p75 as f64 / self.observations as f64
    }

    /// Mean interval score of the P5–P95 band in percent of the observed value, over
    /// observations ≠ 0 (`NaN` if none): scale-free, so metrics and stages compare.
    pub fn interval_score_90_pct(&self) -> f64 {
        self.sum_is90_pct / self.with_pct as f64
    }

    /// Mean interval score of the P25–P75 band in percent of the observed value.
    pub fn interval_score_50_pct(&self) -> f64 {
        self.sum_is50_pct / self.with_pct as f64
    }

    /// Mean CRPS, in the metric's unit.
    pub fn crps(&self) -> f64 {
        self.sum_crps / self.observations as f64
    }

    /// Mean CRPS in percent of the observed value, over observations ≠ 0 (`NaN` if none).
    pub fn crps_pct(&self) -> f64 {
        self.sum_crps_pct / self.with_pct as f64
    }

    /// CRPS skill against the deterministic run (see [`Paired::skill`]), over observations
    /// after the base year (`NaN` for the base year alone).
    pub fn skill_deterministic(&self) -> f64 {
        self.deterministic.skill()
    }

    /// CRPS skill against persistence, over the observations whose base year is observed.
    pub fn skill_persistence(&self) -> f64 {
        self.persistence.skill()
    }

    /// Observations by PIT decile: bin k counts PIT values in [k/10, (k+1)/10).
    pub fn pit_histogram(&self) -> [u64; PIT_BINS] {
        self.pit
    }
}

/// The key of a summary group: origin, metric, stage and horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupKey {
    /// The origin's id, or all origins.
    pub origin: Group,
    /// Which metric.
    pub metric: Metric,
    /// The stage, or all stages.
    pub stage: Group,
    /// Years after the origin, or all after it.
    pub horizon: Horizon,
}

/// One origin's scored observations.
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    /// The origin's id.
    pub origin: &'a str,
    /// Its observations.
    pub observations: &'a [Observation],
    /// Their scores, in the same order.
    pub scores: &'a [Score],
}

/// Accuracy by origin (each, then all), metric (in [`Metric::ALL`] order), stage (by id,
/// then all) and horizon (ascending, then all after the base year), for the groups that have
/// scored observations. The origins' stages and horizons are few, so every combination is
/// listed.
pub fn summarize(origins: &[Scored]) -> Vec<(GroupKey, Accuracy)> {
    let mut groups: BTreeMap<(Group, usize, Group, Horizon), Accuracy> = BTreeMap::new();
    let many = origins.len() > 1;
    for scored in origins {
        let mut origin_groups = vec![Group::One(scored.origin.to_string())];
        if many {
            origin_groups.push(Group::All);
        }
        for (obs, score) in scored.observations.iter().zip(scored.scores) {
            let m = Metric::ALL
                .iter()
                .position(|&x| x == obs.metric)
                .expect("metric is in ALL");
            let mut horizons = vec![Horizon::Years(obs.horizon)];
            if obs.horizon > 0 {
                horizons.push(Horizon::All);
            }
            for o in &origin_groups {
                for st in [Group::One(obs.stage.clone()), Group::All] {
                    for &h in &horizons {
                        let key = (o.clone(), m, st.clone(), h);
                        groups.entry(key).or_default().add(score);
                    }
                }
            }
        }
    }
    groups
        .into_iter()
        .filter(|(_, a)| a.observations > 0)
        .map(|((origin, m, stage, horizon), a)| {
            let metric = Metric::ALL[m];
            let key = GroupKey {
                origin,
                metric,
                stage,
                horizon,
            };
            (key, a)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_score_charges_width_and_misses() {
        assert_eq!(interval_score(10.0, 20.0, 0.1, 15.0), 10.0);
        // 2 below a 90% band: width 10 + 20 × 2.
        assert_eq!(interval_score(10.0, 20.0, 0.1, 8.0), 50.0);
        assert_eq!(interval_score(10.0, 20.0, 0.5, 23.0), 22.0);
        // A point mass that holds the observation scores 0.
        assert_eq!(interval_score(5.0, 5.0, 0.1, 5.0), 0.0);
    }

    /// A hand-made score of `observed` with the given CRPS, PIT and references, inside both
    /// bands unless `miss`.
    fn score(observed: f64, crps: f64, pit: f64, references: References, miss: bool) -> Score {
        Score {
            observed,
            quantiles: [0.0; 5],
            error: 0.0,
            abs_pct_error: 0.0,
            in_p05_p95: Some(!miss),
            in_p25_p75: Some(!miss),
            interval_score_90: 0.0,
            interval_score_50: 0.0,
            pit,
            crps,
            references,
            base_year: false,
        }
    }

    fn obs(stage: &str, horizon: i32) -> Observation {
        Observation {
            line: 2,
            district: "ALL".into(),
            stage: stage.into(),
            year: crate::scenario::Year(2020 + horizon),
            horizon,
            metric: Metric::ALL[0],
            cell: 0,
            value: 0.0,
        }
    }

    #[test]
    fn skill_compares_the_crps_with_the_point_forecasts_absolute_errors() {
        let refs = |det, pers| References {
            deterministic: det,
            persistence: pers,
        };
        // Observed 100: the deterministic run said 110 (CRPS 10), persistence 80 (CRPS 20).
        let mut a = Accuracy::default();
        a.add(&score(100.0, 5.0, 0.4, refs(110.0, 80.0), false));
        assert_eq!(a.skill_deterministic(), 0.5);
        assert_eq!(a.skill_persistence(), 0.75);
        // A second observation without persistence counts only against the deterministic run.
        a.add(&score(200.0, 10.0, 0.95, refs(190.0, f64::NAN), true));
        assert_eq!(a.skill_deterministic(), 1.0 - 15.0 / 20.0);
        assert_eq!(a.skill_persistence(), 0.75);
        assert_eq!(a.crps(), 7.5);
        assert_eq!(a.crps_pct(), (5.0 + 5.0) / 2.0);
        assert_eq!(a.coverage_p05_p95(), 0.5);
        let mut pit = [0; PIT_BINS];
        (pit[4], pit[9]) = (1, 1);
        assert_eq!(a.pit_histogram(), pit);
        // A reference that is never wrong leaves the skill undefined, not infinite.
        let mut exact = Accuracy::default();
        exact.add(&score(100.0, 5.0, 0.5, refs(100.0, 100.0), false));
        assert!(exact.skill_deterministic().is_nan());
    }

    #[test]
    fn summary_groups_by_origin_stage_and_horizon_and_all_leaves_out_the_base_year() {
        let observations = [obs("primary", 0), obs("primary", 3), obs("junior", 3)];
        let scores: Vec<Score> = [false, true, false]
            .map(|miss| score(1.0, 0.0, 0.5, References::NONE, miss))
            .to_vec();
        let one = Scored {
            origin: "a",
            observations: &observations,
            scores: &scores,
        };
        let two = Scored { origin: "b", ..one };
        let summary = summarize(&[one, two]);
        let find = |origin: Group, stage: Group, horizon: Horizon| {
            summary
                .iter()
                .find(|(k, _)| k.origin == origin && k.stage == stage && k.horizon == horizon)
                .map(|(_, a)| (a.observations(), a.coverage_p05_p95()))
        };
        let a = || Group::One("a".into());
        assert_eq!(find(a(), Group::All, Horizon::All), Some((2, 0.5)));
        assert_eq!(find(a(), Group::All, Horizon::Years(0)), Some((1, 1.0)));
        assert_eq!(find(Group::All, Group::All, Horizon::All), Some((4, 0.5)));
        assert_eq!(
            find(Group::All, Group::One("junior".into()), Horizon::Years(3)),
            Some((2, 1.0))
        );
        // One origin: no `all` origin group.
        let single = summarize(&[one]);
        assert!(single.iter().all(|(k, _)| k.origin == a()));
    }
}
