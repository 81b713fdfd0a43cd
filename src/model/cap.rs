//! Admission caps (DESIGN §2.4): a school stops admitting at `cap` pupils per class and the
//! rest go to the catchment's schools that still have room, in proportion to `c_j w_j`.
//!
//! With `C = Σ c_i` and `W = Σ c_i w_i`, the first `min(D, cap·C)` pupils split as
//! `D_i = min(cap·c_i, λ·c_i·w_i)`, `λ` chosen so that they sum to `min(D, cap·C)`; pupils
//! beyond `cap·C` are added in proportion to `c_i w_i`. So a school of weight `w` holds
//! `min(cap, λ·w) + over·w` pupils per class, with `over = max(0, D − cap·C) / W`.
//!
//! `λ` is found without sorting: start from the uncapped `λ₀ = D / W`, and repeat
//! `λ ← (D − cap·C_S) / (W − W_S)` over the schools `S` at the cap (`λ·w_i ≥ cap`). Each
//! step's `λ` stays at or below the solution (a school counted at the cap holds at most
//! `cap`, one counted below it at most `λ·w_i`), so `S` only grows; when it stops growing,
//! `λ` is exact. Each pass also notes the most popular school below its threshold: when that
//! one stays below the new threshold too, `S` cannot grow and the search ends without the
//! pass that would confirm it — after one pass in most capped catchment-years. Only the
//! catchment-years where the most popular school reaches the cap get here (the caller checks
//! that first).

use super::classes::{for_each_lane, OpenSchools, Parts};

/// `(λ, over)` of the water-filling of `demand` over a catchment's open schools, of which
/// `weighted = Σ c_i w_i > 0`, at `cap` pupils per class: a school of weight `w` then holds
/// `min(cap, λ·w) + over·w` pupils per class (λ = ∞ when every school is at the cap).
// Kept out of line: [`split`](super::classes::split), inlined where it is called, stays small.
#[inline(never)]
pub fn water_level<'a>(
    demand: f64,
    cap: f64,
    weighted: f64,
    catchment: impl Iterator<Item = OpenSchools<'a>> + Clone,
) -> (f64, f64) {
    let classes: f64 = catchment.clone().map(|s| s.classes()).sum();
    let beyond = demand - cap * classes;
    if beyond >= 0.0 {
        return (f64::INFINITY, beyond / weighted);
    }
    let parts = catchment.map(OpenSchools::parts);
    let mut level = demand / weighted;
    let mut at_cap = 0.0;
    loop {
        let threshold = cap / level;
        // `free` is summed over the schools below the cap, not taken as `weighted` minus the
        // capped ones: with very uneven popularity (κ ≈ 0.1) the capped schools hold all but
        // 10⁻²⁰ of the weight, the difference cancels to 0 or noise, and the pupils the
        // schools with room should take were lost (DESIGN §2.4: the D_i sum to min(D, cap·C)).
        let (c, free, below) = at_least(parts.clone(), threshold);
        // `free = 0` only on rounding, with every school at the cap.
        if c <= at_cap || free <= 0.0 {
            return (level, 0.0);
        }
        at_cap = c;
        level = (demand - cap * c) / free;
        // No school below this pass's threshold reaches the new level's: the next pass would
        // find the same schools at the cap (or fewer, on rounding) and stop. Most capped
        // catchment-years end here, after one pass.
        if below < cap / level {
            return (level, 0.0);
        }
    }
}

/// `Σ c_i` over the schools of `parts` (as [`OpenSchools::parts`]) whose weight is at least
/// `w_min`, `Σ c_i w_i` over those below it, and the largest weight below `w_min` (0 if none).
fn at_least<'a>(parts: impl Iterator<Item = Parts<'a>>, w_min: f64) -> (f64, f64, f64) {
    // Arithmetic on 0 or 1 rather than branches: whether a school is over `w_min` is as good
    // as random, and the branches were mispredicted half the time.
    let hit = |w: f64| if w >= w_min { 1.0 } else { 0.0 };
    let (mut classes, mut free, mut below) = (0.0, 0.0, 0.0_f64);
    for (groups, new) in parts {
        for (weights, c) in groups {
            // Counts are whole numbers (exact in any order); weights are summed in four lanes,
            // the same order every time.
            let (mut n, mut sum, mut under) = ([0.0; 4], [0.0; 4], [0.0_f64; 4]);
            for_each_lane(weights, |lane, &w| {
                let h = hit(w);
                n[lane] += h;
                sum[lane] += (1.0 - h) * w;
                under[lane] = under[lane].max((1.0 - h) * w);
            });
            classes += c * n.iter().sum::<f64>();
            free += c * sum.iter().sum::<f64>();
            below = under.into_iter().fold(below, f64::max);
        }
        // New schools, a few per catchment, one by one: a pass of the lanes for each cost more.
        for &(c, w) in new {
            let h = hit(w);
            classes += c * h;
            free += c * ((1.0 - h) * w);
            below = below.max((1.0 - h) * w);
        }
    }
    (classes, free, below)
}

#[cfg(test)]
mod tests {
    use super::super::classes::{allocate, ClassTally, ExistingSchools, NewSums, Split};
    use super::*;
    use crate::scenario::Standards;

    fn std() -> Standards {
        Standards::DEFAULT
    }

    /// Four schools `(classes, weight)`: Σc = 50, Σcw = 20 + 10 + 10 + 15 = 55.
    const SCHOOLS: [(f64, f64); 4] = [(10.0, 2.0), (10.0, 1.0), (20.0, 0.5), (10.0, 1.5)];

    /// No existing school: the schools under test are all new.
    fn none() -> ExistingSchools {
        let mut none = ExistingSchools::default();
        none.set_weights(&[]);
        none
    }

    /// The split of `demand` over `schools` (`(classes, weight)`) at `cap`.
    fn solve(demand: f64, cap: f64, schools: &[(f64, f64)]) -> Split {
        let none = none();
        let sums = NewSums::of(schools);
        let open = std::iter::once(OpenSchools::new(&none, schools, sums));
        let (level, over) = water_level(demand, cap, sums.weighted, open);
        Split::new(0.0, 45.0, &std()).capped(level, cap, over)
    }

    /// Pupils per class of each of [`SCHOOLS`] for `demand` at `cap`.
    fn per_class(demand: f64, cap: f64) -> Vec<f64> {
        let s = solve(demand, cap, &SCHOOLS);
        SCHOOLS.iter().map(|&(_, w)| s.per_class(w)).collect()
    }

    /// `demand` over [`SCHOOLS`].
    fn tally(demand: f64, cap: Option<f64>) -> ClassTally {
        let none = none();
        let open = OpenSchools::new(&none, &SCHOOLS, NewSums::of(&SCHOOLS));
        allocate(demand, std::iter::once(open), 45.0, cap, &std())
    }

    #[test]
    fn water_filling_matches_the_hand_calculation() {
        // 2000 pupils, cap 48. Uncapped: 2000/55 = 36.36 per weight, classes of 72.7, 36.4,
        // 18.2 and 54.5. A (72.7) and D (54.5) are over 48: λ = (2000 − 48·20) / (55 − 35)
        // = 52, which puts B at 52 ≥ 48 too: λ = (2000 − 48·30) / (55 − 45) = 56; C holds
        // 56 · 0.5 = 28 < 48, so that is the solution: 480 + 480 + 560 + 480 = 2000.
        assert_eq!(per_class(2000.0, 48.0), [48.0, 48.0, 28.0, 48.0]);
        let t = tally(2000.0, Some(48.0));
        // No class of 56; missing classes at 45: A, B, D ⌈480/45⌉ − 10 = 1 each, C ⌈560/45⌉
        // = 13 ≤ 20.
        let expected = ClassTally {
            classes: 50.0,
            large: 0.0,
            super_large: 0.0,
            extra_needed: 3.0,
        };
        assert_eq!(t, expected);
        // Without the cap A's 10 classes (72.7) are super-large; D's (54.5) not even large.
        let free = tally(2000.0, None);
        assert_eq!((free.large, free.super_large), (10.0, 10.0));
    }

    #[test]
    fn a_school_of_tiny_popularity_still_takes_the_pupils_the_capped_ones_cannot() {
        // Found by benches/peer/fuzz.py (κ = 0.1 draws weights 10⁻²⁰ apart). 3516 pupils, cap
        // 55, three schools of 26 classes with weights 1, 1 and 10⁻²⁰: the first two hold
        // 55 · 26 = 1430 each, the third the other 3516 − 2860 = 656, 656/26 = 25.23 a class.
        // Taking the free weight as Σcw − Σ_capped cw gave 52 − 52 = 0: the third school kept
        // λ₀ · 10⁻²⁰ ≈ 0 pupils and 656 were lost.
        let schools = [(26.0, 1.0), (26.0, 1.0), (26.0, 1e-20)];
        let s = solve(3516.0, 55.0, &schools);
        let m: Vec<f64> = schools.iter().map(|&(_, w)| s.per_class(w)).collect();
        assert_eq!(m[..2], [55.0, 55.0]);
        assert!((m[2] - 656.0 / 26.0).abs() < 1e-9, "{m:?}");
    }

    #[test]
    fn a_catchment_over_the_cap_adds_the_rest_by_popularity() {
        // 2950 pupils, cap 48: 48 · 50 = 2400 seated at the cap, 550 more at 550/55 = 10 per
        // unit of weight: classes of 68, 58, 53 and 63.
        assert_eq!(per_class(2950.0, 48.0), [68.0, 58.0, 53.0, 63.0]);
        // Large (≥ 56): A, B, D; super-large (≥ 66): A. Missing at 45: A ⌈680/45⌉ − 10 = 6,
        // B ⌈580/45⌉ − 10 = 3, C ⌈1060/45⌉ − 20 = 4, D 630/45 = 14 − 10 = 4.
        let expected = ClassTally {
            classes: 50.0,
            large: 30.0,
            super_large: 10.0,
            extra_needed: 17.0,
        };
        assert_eq!(tally(2950.0, Some(48.0)), expected);
    }

    #[test]
    fn caps_keep_every_pupil_and_hold_below_the_district_limit() {
        // Pseudo-random weights and classes, demands from well below to above the cap.
        let schools: Vec<(f64, f64)> = (0..60)
            .map(|i| {
                let w = 0.3 + ((i * 7919 % 101) as f64) / 40.0;
                (f64::from(5 + (i * 31 % 17) as u32), w)
            })
            .collect();
        let classes: f64 = schools.iter().map(|s| s.0).sum();
        for cap in [50.0, 55.0, 65.0] {
            for fill in [0.3, 0.7, 0.95, 0.999, 1.0, 1.2] {
                let demand = fill * cap * classes;
                let s = solve(demand, cap, &schools);
                let seated: f64 = schools.iter().map(|&(c, w)| c * s.per_class(w)).sum();
                assert!(
                    (seated / demand - 1.0).abs() < 1e-12,
                    "cap {cap}, fill {fill}: {seated} of {demand}"
                );
                if fill <= 1.0 {
                    let most = schools.iter().map(|&(_, w)| s.per_class(w));
                    assert!(most.fold(0.0, f64::max) <= cap * (1.0 + 1e-12));
                }
            }
        }
    }

    #[test]
    fn the_level_is_the_one_bisection_finds() {
        // Σ c_i min(cap, λ w_i) is increasing in λ: bisection finds the same λ, slowly.
        let schools: Vec<(f64, f64)> = (0..30)
            .map(|i| (f64::from(3 + i % 7), 0.2 + f64::from((i * 37) % 29) / 10.0))
            .collect();
        let classes: f64 = schools.iter().map(|s| s.0).sum();
        let seated = |level: f64, cap: f64| -> f64 {
            schools.iter().map(|&(c, w)| c * (level * w).min(cap)).sum()
        };
        for fill in [0.5, 0.8, 0.97] {
            let (cap, demand) = (60.0, fill * 60.0 * classes);
            let (mut lo, mut hi) = (0.0, 1e4);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if seated(mid, cap) < demand {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let s = solve(demand, cap, &schools);
            for &(_, w) in &schools {
                let expected = (lo * w).min(cap);
                assert!(
                    (s.per_class(w) - expected).abs() < 1e-9,
                    "fill {fill}, w {w}"
                );
            }
        }
    }

    #[test]
    fn a_cap_no_school_reaches_changes_nothing() {
        // 1000 pupils: 18.2 per weight, the most popular school at 36.4 < 48.
        assert_eq!(tally(1000.0, Some(48.0)), tally(1000.0, None));
        assert_eq!(tally(2000.0, Some(1000.0)), tally(2000.0, None));
    }
}
