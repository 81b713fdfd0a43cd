//! Surge classes (optional `[stages.X] surge = { extra_classes = f }`, an extension of
//! DESIGN §2.3, README model note 15): what a city does when pupils outgrow its standard seats
//! before new schools open — it opens extra classes in the buildings it has (rooms converted,
//! labs and libraries turned into classrooms), up to a limit.
//!
//! In every projected year after the base year (the base year is the observed state), a
//! district-stage whose `C` open classes (existing schools `E`, expansions and closures
//! included, plus open new schools) hold fewer standard seats than its demand `D` opens
//! `S = min(⌊f·E⌋, ⌈D / size − C⌉)` extra classes in its existing schools, spread over them as
//! the existing classes are. They count as open classes in every metric (capacity, shortfall,
//! utilization, class sizes, classes missing) and are reported as `surge_classes`: seats that
//! are there, but not standard ones. Each year is decided afresh: the classes close again when
//! new schools take the pupils.

use super::classes::ceil;
use crate::scenario::Surge;

/// Floating-point noise on `f·E` must not lose a class: 0.29 · 100 is 28.999999999999996.
const FLOOR_TOLERANCE: f64 = 1e-9;

/// Extra classes a district-stage with `open` classes of `size` pupils, `existing` of them in
/// its existing schools, opens for `demand` pupils under `surge`.
pub fn surge_classes(surge: Surge, demand: f64, size: f64, open: f64, existing: u32) -> u32 {
    let limit = (surge.extra_classes * f64::from(existing) + FLOOR_TOLERANCE).floor();
    // `ceil` is 0 for anything at or below 0: no class when the standard seats suffice.
    let missing = ceil(demand / size - open);
    missing.min(limit) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surge(f: f64) -> Surge {
        Surge { extra_classes: f }
    }

    #[test]
    fn opens_the_classes_missing_up_to_the_limit() {
        // 100 classes of 50 (90 in existing schools), 5,230 pupils: 230 over, ⌈4.6⌉ = 5
        // classes; limit ⌊0.1 · 90⌋ = 9.
        assert_eq!(surge_classes(surge(0.1), 5230.0, 50.0, 100.0, 90), 5);
        // 5,600 pupils: 12 missing, 9 allowed.
        assert_eq!(surge_classes(surge(0.1), 5600.0, 50.0, 100.0, 90), 9);
        // Exactly full, or below: none.
        assert_eq!(surge_classes(surge(0.1), 5000.0, 50.0, 100.0, 90), 0);
        assert_eq!(surge_classes(surge(0.1), 3000.0, 50.0, 100.0, 90), 0);
        // No existing school, or a zero share: none.
        assert_eq!(surge_classes(surge(0.1), 9000.0, 50.0, 100.0, 0), 0);
        assert_eq!(surge_classes(surge(0.0), 9000.0, 50.0, 100.0, 90), 0);
    }

    #[test]
    fn the_limit_survives_rounding() {
        assert_eq!(surge_classes(surge(0.29), 1e6, 45.0, 100.0, 100), 29);
        assert_eq!(surge_classes(surge(1.0), 1e6, 45.0, 7.0, 7), 7);
    }
}
