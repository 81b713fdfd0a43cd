//! New housing (DESIGN §2.8): in each projection year, after step 4 of §2.1, every estate
//! completing that year adds `dwellings · multiplier(type) · yield[a]` children at each age `a`
//! to its district and the scenario's origin. The same children are added to a separate
//! *housing cohort* that the engine advances with [`Demography::advance_cohort`]
//! (ageing, survival, senior-high return and migration growth, no births, no inflow): because
//! step 4's `max(0, Q · growth)` is linear in `Q` wherever it is not 0 for both, the housing
//! cohort is exactly the part of the population that arrived with an estate, and its demand is
//! the `housing_pupils` metric.
//!
//! [`Demography::advance_cohort`]: super::demography::Demography::advance_cohort

use ndarray::Array3;

use crate::scenario::{Housing, Year};

/// One trial's yields by age and type multipliers (central, or drawn from their ranges).
#[derive(Debug, Clone, PartialEq)]
pub struct Yields {
    /// Children per dwelling at each age `0..=max_age`.
    pub by_age: Vec<f64>,
    /// Multiplier of each type of [`Housing::types`].
    pub multipliers: Vec<f64>,
}

impl Yields {
    /// The central yields and multipliers of `h`.
    pub fn central(h: &Housing) -> Self {
        Self {
            by_age: h.yields.clone(),
            multipliers: h.types.iter().map(|(_, m)| *m).collect(),
        }
    }

    /// Adds the children of every estate of `h` completing in `year` (by `completions`, one
    /// per estate, `None` = never) to `pop` and to the housing cohort `cohort`, both
    /// `[district, origin, age]`.
    pub fn settle(
        &self,
        h: &Housing,
        completions: &[Option<Year>],
        year: Year,
        pop: &mut Array3<f64>,
        cohort: &mut Array3<f64>,
    ) {
        let o = h.origin as usize;
        for (e, _) in (h.estates.iter().zip(completions)).filter(|(_, &c)| c == Some(year)) {
            let homes = e.dwellings * e.kind.map_or(1.0, |k| self.multipliers[k]);
            for (a, &y) in self.by_age.iter().enumerate() {
                let at = [e.district.0, o, a];
                pop[at] += homes * y;
                cohort[at] += homes * y;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{DelayProfile, DistrictIx, Estate, Origin};

    fn housing() -> Housing {
        let estate = |id: &str, d, dwellings, year, kind| Estate {
            id: id.into(),
            district: DistrictIx(d),
            dwellings,
            completion_year: Year(year),
            kind,
        };
        Housing {
            estates: vec![
                estate("a", 0, 100.0, 2022, None),
                estate("b", 1, 200.0, 2022, Some(0)),
                estate("c", 1, 50.0, 2023, None),
            ],
            yields: vec![0.1, 0.2, 0.05],
            types: vec![("flat".into(), 0.5)],
            origin: Origin::Local,
            delay: DelayProfile::on_time(),
            delay_correlation: 0.0,
            persons_per_dwelling: None,
        }
    }

    #[test]
    fn estates_completing_in_the_year_add_dwellings_times_multiplier_times_yield() {
        let h = housing();
        let y = Yields::central(&h);
        let mut pop = Array3::from_elem((2, 2, 3), 1.0);
        let mut cohort = Array3::zeros((2, 2, 3));
        let on_time: Vec<_> = h.estates.iter().map(|e| Some(e.completion_year)).collect();
        y.settle(&h, &on_time, Year(2022), &mut pop, &mut cohort);
        // a: 100 · 1 · yield; b: 200 · 0.5 · yield; c completes in 2023
        assert_eq!(cohort[[0, 0, 1]], 100.0 * 0.2);
        assert_eq!(cohort[[1, 0, 0]], 100.0 * 0.1);
        assert_eq!(pop[[1, 0, 2]], 1.0 + 100.0 * 0.05);
        assert_eq!(
            cohort.slice(ndarray::s![.., 1, ..]).sum(),
            0.0,
            "local only"
        );
        let late = [Some(Year(2023)), None, Some(Year(2023))];
        let mut cohort = Array3::zeros((2, 2, 3));
        y.settle(&h, &late, Year(2023), &mut pop, &mut cohort);
        assert_eq!(cohort[[0, 0, 0]], 10.0, "a moved to 2023");
        assert_eq!(cohort[[1, 0, 0]], 5.0, "b never completes; c on time");
    }
}
