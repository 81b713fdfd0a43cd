//! Uncertain inputs in the engine (DESIGN §2.6): each trial draws one uniform per label from
//! stream `(seed, trial, "input", label)`, sets every uncertain number to its distribution's
//! quantile there, and re-evaluates the per-year tables the model reads, in buffers reused
//! from trial to trial. A scenario without uncertain inputs draws nothing and keeps the
//! central tables. `[drift]` series are drawn after them, from stream `(seed, trial, "drift",
//! key)`, and move the evaluated tables year by year.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::streams::{EntityKey, TrialKey};
use crate::model::demand::StageRates;
use crate::model::demography::Demography;
use crate::model::drift;
use crate::model::housing::Yields;
use crate::scenario::{Dist, PathId, Scenario, Target, YearPath};

/// The scenario's uncertain numbers, located in the tables they set.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Distinct labels in order of first use.
    labels: Vec<String>,
    keys: Vec<EntityKey>,
    slots: Vec<Slot>,
    /// The stream of each `[drift]` series, in scenario order.
    drift_keys: Vec<EntityKey>,
}

/// One uncertain number: which label's uniform it takes, its distribution, where it goes.
#[derive(Debug, Clone)]
struct Slot {
    label: usize,
    dist: Dist,
    at: At,
}

/// A number of [`TrialInputs`].
#[derive(Debug, Clone, Copy)]
enum At {
    BirthsIndex(usize),
    Trend(usize),
    Enrolment(usize, usize),
    PrivateShare(usize, usize),
    MigrantStay,
    InflowScale,
    RateScale,
    HousingYield(usize),
    HousingType(usize),
}

/// The numbers one trial runs with, and the per-year tables evaluated from them.
#[derive(Debug, Clone)]
pub struct TrialInputs {
    /// This trial's uniform per label.
    u: Vec<f64>,
    births_index: YearPath,
    trend: YearPath,
    enrolment: Vec<YearPath>,
    private_share: Vec<YearPath>,
    migration: [f64; 3],
    /// `(births index, migration trend)` per year number.
    pub drivers: Vec<(f64, f64)>,
    /// Stage rates per year number and stage.
    pub rates: Vec<Vec<StageRates>>,
    /// Demographic parameters with this trial's migration numbers.
    pub demography: Demography,
    /// Each `[drift]` series' value by year number, `[series × year number]`.
    drift: Vec<f64>,
    /// This trial's housing yields and type multipliers.
    pub housing: Yields,
}

impl Inputs {
    /// Locates every uncertain input of a checked scenario.
    pub fn new(s: &Scenario) -> Self {
        let labels = s.input_labels();
        let slots = s
            .inputs
            .iter()
            .map(|input| {
                let label = labels.iter().position(|l| *l == input.label);
                Slot {
                    label: label.expect("every input's label is listed"),
                    dist: input.dist,
                    at: locate(s, &input.target),
                }
            })
            .collect();
        let keys = labels.iter().map(|l| EntityKey::new("input", l)).collect();
        let drift_keys = s
            .drift
            .iter()
            .map(|d| EntityKey::new("drift", &d.key))
            .collect();
        Self {
            labels,
            keys,
            slots,
            drift_keys,
        }
    }

    /// The labels drawn each trial, in the order of [`TrialInputs::draws`].
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The tables at every input's central value.
    pub fn central(&self, s: &Scenario) -> TrialInputs {
        let mut t = TrialInputs {
            u: vec![0.5; self.labels.len()],
            births_index: s.births.index.clone(),
            trend: s.migration.trend.clone(),
            enrolment: s.stages.iter().map(|st| st.enrolment.clone()).collect(),
            private_share: s.stages.iter().map(|st| st.private_share.clone()).collect(),
            migration: [
                s.migration.migrant_stay,
                s.migration.inflow_scale,
                s.migration.rate_scale,
            ],
            drivers: Vec::with_capacity(s.n_years()),
            rates: Vec::with_capacity(s.n_years()),
            demography: Demography::new(s),
            drift: vec![0.0; s.drift.len() * s.n_years()],
            housing: Yields::central(&s.housing),
        };
        t.drivers.extend(s.years().map(|_| (0.0, 0.0)));
        t.rates.extend(
            s.years()
                .map(|_| vec![StageRates::default(); s.stages.len()]),
        );
        t.evaluate(s);
        t
    }

    /// Sets `t` for a trial: each input at its quantile of its label's uniform of trial key
    /// `key`, or at its central value when `key` is `None`; then the drift of `key` (none
    /// when `None`).
    pub fn set(&self, s: &Scenario, key: Option<TrialKey>, t: &mut TrialInputs) {
        if self.slots.is_empty() && self.drift_keys.is_empty() {
            return;
        }
        for (u, &k) in t.u.iter_mut().zip(&self.keys) {
            *u = key.map_or(0.5, |key| open_uniform(key.stream(k).next_u64()));
        }
        for slot in &self.slots {
            let x = match key {
                Some(_) => slot.dist.quantile(t.u[slot.label]),
                None => slot.dist.central(),
            };
            t.put(slot.at, x);
        }
        t.evaluate(s);
        match key {
            Some(key) => self.drift(s, key, t),
            None => t.drift.fill(0.0),
        }
    }

    /// Draws every `[drift]` series of trial `key` and moves the evaluated tables by it.
    fn drift(&self, s: &Scenario, key: TrialKey, t: &mut TrialInputs) {
        let n_y = s.n_years();
        let series = s.drift.iter().zip(&self.drift_keys);
        for ((d, &k), levels) in series.zip(t.drift.chunks_exact_mut(n_y)) {
            let mut rng = key.stream(k);
            drift::fill(d, s.base_year, || StandardNormal.sample(&mut rng), levels);
            let years = t.rates.iter_mut().zip(&mut t.drivers);
            for (&x, (rates, drivers)) in levels.iter().zip(years) {
                drift::apply(d.target, x, rates, drivers);
            }
        }
    }
}

impl Inputs {
    /// Sets `t` to every input's central value except those of label number `label`, which
    /// take their quantile `q` (a tornado's low or high end); returns the first of those.
    pub fn set_moved(&self, s: &Scenario, label: usize, q: f64, t: &mut TrialInputs) -> f64 {
        let mut first = None;
        for (i, u) in t.u.iter_mut().enumerate() {
            *u = if i == label { q } else { 0.5 };
        }
        for slot in &self.slots {
            let moved = slot.label == label;
            let x = if moved {
                slot.dist.quantile(q)
            } else {
                slot.dist.central()
            };
            if moved && first.is_none() {
                first = Some(x);
            }
            t.put(slot.at, x);
        }
        t.evaluate(s);
        first.unwrap_or(f64::NAN)
    }

    /// Holds `[drift]` series `k` at the quantile `z` (a standard normal's) of its spread in
    /// every year — `sd_after(h)·z`, h years after its `from` — and moves the evaluated tables
    /// by it; returns its value in the last year. The other series stay as `t` has them.
    pub fn set_drift_moved(&self, s: &Scenario, k: usize, z: f64, t: &mut TrialInputs) -> f64 {
        let (n_y, d) = (s.n_years(), &s.drift[k]);
        let start = (d.from.0 - s.base_year.0).max(0) as u32;
        let levels = &mut t.drift[k * n_y..(k + 1) * n_y];
        for (i, x) in (0u32..).zip(levels.iter_mut()) {
            *x = d.sd_after(i.saturating_sub(start)) * z;
        }
        let years = t.rates.iter_mut().zip(&mut t.drivers);
        for (&x, (rates, drivers)) in levels.iter().zip(years) {
            drift::apply(d.target, x, rates, drivers);
        }
        levels.last().copied().unwrap_or(0.0)
    }
}

impl TrialInputs {
    /// This trial's uniform of each label of [`Inputs::labels`].
    pub fn draws(&self) -> &[f64] {
        &self.u
    }

    /// This trial's value of each `[drift]` series, `[series × year number]`.
    pub fn drift_levels(&self) -> &[f64] {
        &self.drift
    }

    fn put(&mut self, at: At, x: f64) {
        match at {
            At::BirthsIndex(k) => self.births_index.set_knot(k, x),
            At::Trend(k) => self.trend.set_knot(k, x),
            At::Enrolment(st, k) => self.enrolment[st].set_knot(k, x),
            At::PrivateShare(st, k) => self.private_share[st].set_knot(k, x),
            At::MigrantStay => self.migration[0] = x,
            At::InflowScale => self.migration[1] = x,
            At::RateScale => self.migration[2] = x,
            At::HousingYield(a) => self.housing.by_age[a] = x,
            At::HousingType(k) => self.housing.multipliers[k] = x,
        }
    }

    /// Re-evaluates the per-year tables from the numbers.
    fn evaluate(&mut self, s: &Scenario) {
        for ((year, d), rates) in s.years().zip(&mut self.drivers).zip(&mut self.rates) {
            *d = (self.births_index.at(year), self.trend.at(year));
            for ((r, e), p) in rates
                .iter_mut()
                .zip(&self.enrolment)
                .zip(&self.private_share)
            {
                *r = StageRates {
                    enrolment: e.at(year),
                    private_share: p.at(year),
                };
            }
        }
        let [stay, inflow, rate] = self.migration;
        self.demography.set_migration(s, stay, inflow, rate);
    }
}

/// Where `target` lives in [`TrialInputs`].
fn locate(s: &Scenario, target: &Target) -> At {
    let stage = |id: &str| s.stage_ix(id).expect("an input's stage exists").0;
    let knot = |path: &YearPath, year| path.knot(year).expect("an input's knot exists");
    match target {
        Target::Path(PathId::BirthsIndex, y) => At::BirthsIndex(knot(&s.births.index, *y)),
        Target::Path(PathId::Trend, y) => At::Trend(knot(&s.migration.trend, *y)),
        Target::Path(PathId::Enrolment(id), y) => {
            let st = stage(id);
            At::Enrolment(st, knot(&s.stages[st].enrolment, *y))
        }
        Target::Path(PathId::PrivateShare(id), y) => {
            let st = stage(id);
            At::PrivateShare(st, knot(&s.stages[st].private_share, *y))
        }
        Target::MigrantStay => At::MigrantStay,
        Target::InflowScale => At::InflowScale,
        Target::RateScale => At::RateScale,
        Target::HousingYield(a) => At::HousingYield(*a),
        Target::HousingType(k) => At::HousingType(*k),
    }
}

/// A uniform in (0, 1) from 64 random bits, on a grid of 2⁻⁵², never 0 or 1, so that every
/// quantile is finite.
fn open_uniform(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) * f64::EPSILON
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{U_MAX, U_MIN};

    #[test]
    fn open_uniforms_stay_strictly_inside_zero_and_one() {
        assert_eq!((open_uniform(0), open_uniform(u64::MAX)), (U_MIN, U_MAX));
        const { assert!(U_MAX < 1.0 && U_MIN > 0.0) };
    }
}
