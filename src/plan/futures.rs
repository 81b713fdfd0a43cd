//! The futures a plan is scored on: for every trial, the demand and the capacity the kept
//! pipeline gives in every decision cell. Demand does not depend on what is built, so it is
//! projected once per trial; a candidate then changes capacity alone (DESIGN §8).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::AtomicBool;

use crate::engine::{run_chunks, Cancelled, Draws, Engine, Place};
use crate::model::metrics::Metric;
use crate::scenario::{Catchment, DistrictIx, Scenario, StageIx};

/// `[trial × row × year]` demand and capacity of the rows where seats are matched to pupils:
/// each district of a district-catchment stage, and `ALL` of a city-catchment stage.
#[derive(Debug, Clone)]
pub struct Futures {
    /// The seed the trials were drawn under.
    pub seed: u64,
    /// The scenario's delay correlation, so that candidates' delays are drawn as `run` draws
    /// the pipeline's (DESIGN §2.3).
    pub delay_correlation: f64,
    /// Which trials, numbered as in `run`.
    pub trials: Range<u64>,
    /// The decision rows: `(place, stage)`.
    pub rows: Vec<(Place, StageIx)>,
    /// Years per row (base year first).
    pub n_years: usize,
    /// Demand, `[trial × row × year]`.
    pub demand: Vec<f64>,
    /// Capacity of the kept pipeline, `[trial × row × year]`.
    pub capacity: Vec<f64>,
    /// Share of classes that are large, `[trial × row × year]`.
    pub large: Vec<f64>,
    /// The district-catchment stages, whose city totals are kept for the report.
    pub city_stages: Vec<StageIx>,
    /// Their city totals: demand, shortfall (the districts' summed) and large-class share,
    /// `[trial × city stage × year]`.
    pub city: Vec<[f64; 3]>,
}

/// A city total of a district-catchment stage on the trials.
#[derive(Debug, Clone)]
pub struct CityTotal {
    /// The stage.
    pub stage: StageIx,
    /// Per year, the share of trials short beyond `shortfall_tolerance × demand`.
    pub p_short: Vec<f64>,
    /// Per year, the mean shortfall.
    pub short: Vec<f64>,
    /// Per year, the share of trials with a large-class share beyond the target.
    pub p_large: Vec<f64>,
}

impl Futures {
    /// Refuses futures whose demand ran away beyond what `run` summarises exactly (the same
    /// message `run` gives, naming the first such cell): a plan scored on them would be
    /// meaningless, and its search need not end.
    pub fn check_range(&self, engine: &Engine) -> Result<(), crate::Error> {
        use crate::stats::EXACT_RANGE;
        // NaN (inf − inf on the way) is out of range too.
        let within = |x: f64| (-EXACT_RANGE..=EXACT_RANGE).contains(&x);
        let Some((i, &x)) = (self.demand.iter().enumerate()).find(|(_, &x)| !within(x)) else {
            return Ok(());
        };
        let (place, stage) = self.rows[i / self.n_years % self.rows.len()];
        let layout = engine.layout();
        let row = layout
            .row(place, stage)
            .expect("decision rows are reported");
        let cell = layout.cell(row, i % self.n_years);
        Err(crate::report::out_of_range(
            engine,
            cell,
            Metric::Demand,
            x,
            "reaches",
        ))
    }

    /// Projects trials `trials` of `engine` under `seed` on `threads` workers.
    pub fn project(
        engine: &Engine,
        seed: u64,
        trials: Range<u64>,
        threads: usize,
        cancel: &AtomicBool,
        on_progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Self, Cancelled> {
        let rows = decision_rows(engine.scenario());
        let layout = engine.layout();
        let n_years = layout.years.len();
        let slot = |m: Metric| Metric::ALL.iter().position(|&x| x == m).expect("a metric");
        let cells: Vec<usize> = rows
            .iter()
            .flat_map(|&(place, st)| {
                let row = layout.row(place, st).expect("decision rows are reported");
                (0..n_years).map(move |yi| layout.cell(row, yi) * Metric::COUNT)
            })
            .collect();
        let (demand_at, capacity_at) = (slot(Metric::Demand), slot(Metric::Capacity));
        let (large_at, short_at) = (slot(Metric::LargeClassShare), slot(Metric::Shortfall));
        let s = engine.scenario();
        let city_stages: Vec<StageIx> = (0..s.stages.len())
            .filter(|&st| s.stages[st].catchment == Catchment::District)
            .map(StageIx)
            .collect();
        let city_cells: Vec<usize> = city_stages
            .iter()
            .flat_map(|&st| {
                let row = layout
                    .row(Place::All, st)
                    .expect("city totals are reported");
                (0..n_years).map(move |yi| layout.cell(row, yi) * Metric::COUNT)
            })
            .collect();
        let per_trial = run_chunks(
            trials.clone(),
            threads,
            cancel,
            on_progress,
            || (engine.workspace(), BTreeMap::new()),
            |(ws, out), chunk| {
                for trial in chunk {
                    engine.run_trial(Draws::Random { seed, trial }, ws);
                    let v = &ws.values;
                    let at = |slots: [usize; 3]| move |&cell: &usize| slots.map(|m| v[cell + m]);
                    let values: Vec<[f64; 3]> = cells
                        .iter()
                        .map(at([demand_at, capacity_at, large_at]))
                        .collect();
                    let city: Vec<[f64; 3]> = city_cells
                        .iter()
                        .map(at([demand_at, short_at, large_at]))
                        .collect();
                    out.insert(trial, (values, city));
                }
            },
            |(_, total), (_, part)| total.extend(part),
        )?
        .1;
        let (values, city): (Vec<_>, Vec<_>) = per_trial.into_values().unzip();
        let values: Vec<[f64; 3]> = values.into_iter().flatten().collect();
        let column = |i: usize| values.iter().map(|v| v[i]).collect();
        let (demand, capacity, large) = (column(0), column(1), column(2));
        Ok(Self {
            seed,
            delay_correlation: engine.scenario().delay_correlation,
            trials,
            rows,
            n_years,
            demand,
            capacity,
            large,
            city_stages,
            city: city.into_iter().flatten().collect(),
        })
    }

    /// The city totals of the district-catchment stages, against `tolerance` (share of demand
    /// short) and the large-class `target`.
    pub fn city_totals(&self, tolerance: f64, target: f64) -> Vec<CityTotal> {
        let (n_y, n_s) = (self.n_years, self.city_stages.len());
        let n = self.n_trials().max(1) as f64;
        let mut out: Vec<CityTotal> = self
            .city_stages
            .iter()
            .map(|&stage| CityTotal {
                stage,
                p_short: vec![0.0; n_y],
                short: vec![0.0; n_y],
                p_large: vec![0.0; n_y],
            })
            .collect();
        for (i, [demand, short, large]) in self.city.iter().enumerate() {
            let (k, y) = (i / n_y % n_s, i % n_y);
            let total = &mut out[k];
            total.p_short[y] += f64::from(u8::from(*short > tolerance * demand)) / n;
            total.short[y] += short / n;
            total.p_large[y] += f64::from(u8::from(*large > target)) / n;
        }
        out
    }

    /// Per row and year, the share of trials whose large-class share exceeds `target`.
    pub fn p_large(&self, target: f64) -> Vec<Vec<f64>> {
        (0..self.rows.len())
            .map(|r| self.p_large_row(r, target))
            .collect()
    }

    /// Per year, the share of trials whose large-class share in row `r` exceeds `target`.
    pub fn p_large_row(&self, r: usize, target: f64) -> Vec<f64> {
        let (n_y, width) = (self.n_years, self.width());
        let n = self.n_trials().max(1) as f64;
        (0..n_y)
            .map(|y| {
                let over = (0..self.n_trials())
                    .filter(|t| self.large[t * width + r * n_y + y] > target)
                    .count();
                over as f64 / n
            })
            .collect()
    }

    /// Number of trials.
    pub fn n_trials(&self) -> usize {
        (self.trials.end - self.trials.start) as usize
    }

    /// Values per trial: rows × years.
    pub fn width(&self) -> usize {
        self.rows.len() * self.n_years
    }

    /// The decision row where a project of `stage` in `district` adds seats.
    pub fn row_of(&self, s: &Scenario, district: DistrictIx, stage: StageIx) -> usize {
        let place = super::place_of(s, district, stage);
        self.rows
            .iter()
            .position(|&r| r == (place, stage))
            .expect("every district-stage has a decision row")
    }
}

/// Districts × district-catchment stages, then `ALL` × city-catchment stages: every seat and
/// pupil counted once.
fn decision_rows(s: &Scenario) -> Vec<(Place, StageIx)> {
    let mut rows = Vec::new();
    for d in 0..s.districts.len() {
        for (st, stage) in s.stages.iter().enumerate() {
            if stage.catchment == Catchment::District {
                rows.push((Place::District(DistrictIx(d)), StageIx(st)));
            }
        }
    }
    for (st, stage) in s.stages.iter().enumerate() {
        if stage.catchment == Catchment::City {
            rows.push((Place::All, StageIx(st)));
        }
    }
    rows
}
