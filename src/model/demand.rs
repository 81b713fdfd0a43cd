//! Pupils of a stage and the public seats they need (DESIGN §2.2).

use ndarray::Array3;

use crate::scenario::{Origin, Stage, Year};

/// Pupils of one stage in one district and year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StagePupils {
    /// All pupils, public and private: `Σ_o Σ_a P · enrol(t)`.
    pub enrolled: f64,
    /// Pupils needing a public seat: `enrolled · (1 − private(t))`.
    pub demand: f64,
    /// Migrant children of the stage's ages (before enrolment rates, which cancel in shares).
    pub migrant_children: f64,
    /// All children of the stage's ages.
    pub children: f64,
}

/// Year-specific rates of a stage, evaluated once per year rather than per district.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageRates {
    /// Gross enrolment rate `enrol[s](t)`.
    pub enrolment: f64,
    /// Private share `private[s](t)`.
    pub private_share: f64,
}

impl StageRates {
    /// The stage's rates in `year`.
    pub fn of(stage: &Stage, year: Year) -> Self {
        Self {
            enrolment: stage.enrolment.at(year),
            private_share: stage.private_share.at(year),
        }
    }
}

/// Pupils of `stage` in district `d` given the population `pop`.
#[inline]
pub fn stage_pupils(pop: &Array3<f64>, d: usize, stage: &Stage, rates: StageRates) -> StagePupils {
    let ages = pop.shape()[2];
    let flat = pop
        .as_slice()
        .expect("the population array is in standard layout");
    let sum = |o: Origin| -> f64 {
        let row = (d * 2 + o as usize) * ages;
        flat[row + stage.ages.start()..=row + stage.ages.end()]
            .iter()
            .sum()
    };
    let (local, migrant) = (sum(Origin::Local), sum(Origin::Migrant));
    let enrolled = (local + migrant) * rates.enrolment;
    StagePupils {
        enrolled,
        demand: enrolled * (1.0 - rates.private_share),
        migrant_children: migrant,
        children: local + migrant,
    }
}

impl std::ops::AddAssign for StagePupils {
    fn add_assign(&mut self, o: Self) {
        self.enrolled += o.enrolled;
        self.demand += o.demand;
        self.migrant_children += o.migrant_children;
        self.children += o.children;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Catchment, YearPath};

    #[test]
    fn enrolment_and_private_share_apply_to_both_origins() {
        let mut pop = Array3::zeros((1, 2, 4));
        pop[[0, 0, 1]] = 100.0;
        pop[[0, 0, 2]] = 50.0;
        pop[[0, 1, 2]] = 30.0;
        pop[[0, 1, 3]] = 999.0; // outside the stage
        let stage = Stage {
            id: "s".into(),
            ages: 1..=2,
            class_size: 45,
            dispersion: None,
            admission_cap: None,
            catchment: Catchment::District,
            surge: None,
            enrolment: YearPath::constant(0.9),
            private_share: YearPath::constant(0.1),
            teachers: None,
            seat_cost: None,
            housing: false,
        };
        let p = stage_pupils(&pop, 0, &stage, StageRates::of(&stage, Year(2021)));
        assert!((p.enrolled - 180.0 * 0.9).abs() < 1e-12);
        assert!((p.demand - 180.0 * 0.9 * 0.9).abs() < 1e-12);
        assert_eq!((p.migrant_children, p.children), (30.0, 180.0));
    }
}
