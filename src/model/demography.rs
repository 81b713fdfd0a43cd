//! Population projection, one year at a time (DESIGN §2.1, steps 1–4 in that order).

use ndarray::Array3;

use crate::scenario::{Origin, Scenario, Year};

/// Year-independent demographic parameters, laid out for the projection step.
#[derive(Debug, Clone)]
pub struct Demography {
    survival: Vec<f64>,
    /// First age of the oldest stage, where migrant children may return home.
    senior_age: usize,
    migrant_stay: f64,
    profile: Vec<f64>,
    births_base: Vec<f64>,
    rates: Vec<[f64; 2]>,
    inflow: Vec<f64>,
}

/// What varies by year and trial: central paths and the trial's shocks.
#[derive(Debug, Clone, Copy)]
pub struct YearDrivers<'a> {
    /// Births index relative to the base year, `index(t)`.
    pub births_index: f64,
    /// Migration trend multiplier, `trend(t)`.
    pub trend: f64,
    /// Per district: `ε_city(t) + ε_d(t)`, the births log shock.
    pub births_shock: &'a [f64],
    /// Per district: `ξ_d(t)`, the migration log shock.
    pub migration_shock: &'a [f64],
}

impl Demography {
    /// Collects the parameters from a checked scenario (uncertain inputs at their central
    /// values).
    pub fn new(s: &Scenario) -> Self {
        let oldest = s.stages.last().expect("a checked scenario has a stage");
        let m = &s.migration;
        let mut d = Self {
            survival: s.survival.clone(),
            senior_age: *oldest.ages.start(),
            migrant_stay: 0.0,
            profile: m.age_profile.clone(),
            births_base: s.districts.iter().map(|d| d.births_base).collect(),
            rates: vec![[0.0; 2]; s.districts.len()],
            inflow: vec![0.0; s.districts.len()],
        };
        d.set_migration(s, m.migrant_stay, m.inflow_scale, m.rate_scale);
        d
    }

    /// Sets `migrant_stay` and every district's inflow and migrant rate times `inflow_scale`
    /// and `rate_scale` (a trial's draws of these uncertain inputs).
    pub fn set_migration(
        &mut self,
        s: &Scenario,
        migrant_stay: f64,
        inflow_scale: f64,
        rate_scale: f64,
    ) {
        self.migrant_stay = migrant_stay;
        for ((rates, inflow), d) in self
            .rates
            .iter_mut()
            .zip(&mut self.inflow)
            .zip(&s.districts)
        {
            *rates = [d.rate_local, d.rate_migrant * rate_scale];
            *inflow = d.inflow * inflow_scale;
        }
    }

    /// Central (shock-free) drivers of `year` — the births index and migration trend.
    pub fn central(s: &Scenario, year: Year) -> (f64, f64) {
        (s.births.index.at(year), s.migration.trend.at(year))
    }

    /// Advances `pop` (`[district, origin, age]`) from year t−1 to year t, in place.
    pub fn advance(&self, pop: &mut Array3<f64>, y: &YearDrivers<'_>) {
        self.step(pop, y, true);
    }

    /// Advances the housing cohort (DESIGN §2.8; [`super::housing`]) like [`Self::advance`]
    /// but without births or inflow: the children who arrived with an estate age, survive,
    /// return home for senior high and migrate like everyone else, and nobody joins them.
    pub fn advance_cohort(&self, pop: &mut Array3<f64>, y: &YearDrivers<'_>) {
        self.step(pop, y, false);
    }

    /// Steps 1–4; births and inflow only when `sources`.
    fn step(&self, pop: &mut Array3<f64>, y: &YearDrivers<'_>, sources: bool) {
        let ages = pop.shape()[2];
        debug_assert_eq!(ages, self.survival.len(), "one survival rate per age");
        let flat = pop
            .as_slice_mut()
            .expect("the population array is in standard layout");
        for (d, district) in flat.chunks_exact_mut(2 * ages).enumerate() {
            // Origins in array order: local, then migrant.
            const _: () = assert!(Origin::Local as usize == 0 && Origin::Migrant as usize == 1);
            let (local, migrant) = district.split_at_mut(ages);
            // Step 1: ageing with survival.
            self.age(local);
            self.age(migrant);
            // Step 2: migrant children returning home for senior high.
            migrant[self.senior_age] *= self.migrant_stay;
            // Step 3: births (local by definition).
            if sources {
                local[0] = self.births_base[d] * y.births_index * y.births_shock[d].exp();
            }
            // Step 4: migration of both origins, and migrant inflow.
            let factor = y.trend * y.migration_shock[d].exp();
            let [rate_local, rate_migrant] = self.rates[d];
            self.migrate(local, 1.0 + rate_local * factor, 0.0);
            let inflow = if sources {
                self.inflow[d] * factor
            } else {
                0.0
            };
            self.migrate(migrant, 1.0 + rate_migrant * factor, inflow);
        }
    }

    /// Step 1 for one origin: everyone a year older, newborns not yet added.
    fn age(&self, pop: &mut [f64]) {
        // Oldest first, so the update can be in place.
        for a in (1..pop.len()).rev() {
            pop[a] = pop[a - 1] * self.survival[a - 1];
        }
        pop[0] = 0.0;
    }

    /// Step 4 for one origin: growth by net migration, then arrivals spread by age.
    fn migrate(&self, pop: &mut [f64], growth: f64, inflow: f64) {
        for (p, &share) in pop.iter_mut().zip(&self.profile) {
            *p = (*p * growth).max(0.0) + inflow * share;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demography() -> Demography {
        Demography {
            survival: vec![0.9, 0.8, 0.5],
            senior_age: 2,
            migrant_stay: 0.5,
            profile: vec![0.2, 0.3, 0.5],
            births_base: vec![100.0],
            rates: vec![[0.1, -0.2]],
            inflow: vec![10.0],
        }
    }

    #[test]
    fn one_step_follows_the_four_steps_by_hand() {
        let mut pop = Array3::zeros((1, 2, 3));
        pop[[0, 0, 0]] = 50.0;
        pop[[0, 0, 1]] = 40.0;
        pop[[0, 1, 0]] = 20.0;
        pop[[0, 1, 1]] = 30.0;
        let drivers = YearDrivers {
            births_index: 0.9,
            trend: 0.5,
            births_shock: &[0.0],
            migration_shock: &[0.0],
        };
        demography().advance(&mut pop, &drivers);
        // local: ages 0,1,2 = births 90, 50·0.9, 40·0.8; then × (1 + 0.1·0.5)
        assert!((pop[[0, 0, 0]] - 90.0 * 1.05).abs() < 1e-12);
        assert!((pop[[0, 0, 1]] - 45.0 * 1.05).abs() < 1e-12);
        assert!((pop[[0, 0, 2]] - 32.0 * 1.05).abs() < 1e-12);
        // migrant: 0, 20·0.9, 30·0.8·0.5 (return); × (1 − 0.2·0.5) + 10·0.5·profile
        assert!((pop[[0, 1, 0]] - (0.0 + 5.0 * 0.2)).abs() < 1e-12);
        assert!((pop[[0, 1, 1]] - (18.0 * 0.9 + 5.0 * 0.3)).abs() < 1e-12);
        assert!((pop[[0, 1, 2]] - (12.0 * 0.9 + 5.0 * 0.5)).abs() < 1e-12);
    }

    #[test]
    fn shocks_multiply_births_and_migration() {
        let mut pop = Array3::zeros((1, 2, 3));
        let drivers = YearDrivers {
            births_index: 1.0,
            trend: 1.0,
            births_shock: &[0.1],
            migration_shock: &[-0.3],
        };
        demography().advance(&mut pop, &drivers);
        let f = (-0.3f64).exp();
        assert!((pop[[0, 0, 0]] - 100.0 * 0.1f64.exp() * (1.0 + 0.1 * f)).abs() < 1e-9);
        assert!((pop[[0, 1, 2]] - 10.0 * f * 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_cohort_and_the_rest_add_up_to_the_whole_population() {
        let d = demography();
        let mut whole = Array3::from_elem((1, 2, 3), 10.0);
        let mut cohort = Array3::from_elem((1, 2, 3), 4.0);
        let drivers = YearDrivers {
            births_index: 0.9,
            trend: 0.5,
            births_shock: &[0.1],
            migration_shock: &[0.2],
        };
        let mut rest = &whole - &cohort;
        d.advance(&mut whole, &drivers);
        d.advance(&mut rest, &drivers);
        d.advance_cohort(&mut cohort, &drivers);
        for (w, (r, c)) in whole.iter().zip(rest.iter().zip(&cohort)) {
            assert!((w - (r + c)).abs() < 1e-12, "{w} ≠ {r} + {c}");
        }
        assert_eq!(cohort[[0, 0, 0]], 0.0, "no births join the cohort");
    }

    #[test]
    fn strong_out_migration_never_makes_population_negative() {
        let mut d = demography();
        d.rates = vec![[-0.9, -0.9]];
        let mut pop = Array3::from_elem((1, 2, 3), 10.0);
        let drivers = YearDrivers {
            births_index: 1.0,
            trend: 3.0,
            births_shock: &[0.0],
            migration_shock: &[0.0],
        };
        d.advance(&mut pop, &drivers);
        assert!(pop.iter().all(|&x| x >= 0.0));
        assert_eq!(pop[[0, 0, 1]], 0.0);
    }
}
