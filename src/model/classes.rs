//! Pupils over schools and classes: large-class shares and classes missing (DESIGN §2.4).
//!
//! School `i` with `c_i` classes and popularity `w_i` receives `D_i = D · c_i w_i / Σ c_j w_j`
//! pupils; its classes hold `m_i = D_i / c_i` each.

use crate::scenario::Standards;

/// Guard against `⌈x⌉` jumping up on floating-point noise when `x` is a whole number.
const CEIL_TOLERANCE: f64 = 1e-9;

/// Class counts of one district-stage (or pool) in one year; they add across districts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClassTally {
    /// Open classes.
    pub classes: f64,
    /// Classes with at least `large_class` pupils.
    pub large: f64,
    /// Classes with at least `super_large_class` pupils.
    pub super_large: f64,
    /// `Σ_i max(0, ⌈D_i / class_size⌉ − c_i)`.
    pub extra_needed: f64,
}

impl std::ops::AddAssign for ClassTally {
    fn add_assign(&mut self, o: Self) {
        self.classes += o.classes;
        self.large += o.large;
        self.super_large += o.super_large;
        self.extra_needed += o.extra_needed;
    }
}

/// Spreads `demand` over `schools` (`(classes, weight)`) and counts large classes.
///
/// With no open school, all demand is unseated: it needs `⌈demand / class_size⌉` classes.
pub fn allocate(
    demand: f64,
    schools: &[(f64, f64)],
    class_size: f64,
    std: &Standards,
) -> ClassTally {
    let weighted: f64 = schools.iter().map(|(c, w)| c * w).sum();
    if weighted <= 0.0 {
        return ClassTally {
            extra_needed: ceil(demand / class_size),
            ..ClassTally::default()
        };
    }
    let per_weight = demand / weighted;
    let mut t = ClassTally::default();
    for &(c, w) in schools {
        let class_pupils = per_weight * w;
        t.classes += c;
        if class_pupils >= std.large_class {
            t.large += c;
        }
        if class_pupils >= std.super_large_class {
            t.super_large += c;
        }
        t.extra_needed += (ceil(class_pupils * c / class_size) - c).max(0.0);
    }
    t
}

fn ceil(x: f64) -> f64 {
    (x - CEIL_TOLERANCE).ceil().max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std() -> Standards {
        Standards {
            large_class: 56.0,
            super_large_class: 66.0,
            underuse_threshold: 0.7,
        }
    }

    #[test]
    fn equal_weights_give_equal_classes() {
        // 1000 pupils over 20 classes: 50 each, none large, none missing at size 45:
        // each school needs ⌈500/45⌉ = 12 classes, has 10.
        let t = allocate(1000.0, &[(10.0, 1.0), (10.0, 1.0)], 45.0, &std());
        assert_eq!(
            t,
            ClassTally {
                classes: 20.0,
                large: 0.0,
                super_large: 0.0,
                extra_needed: 4.0
            }
        );
    }

    #[test]
    fn popular_schools_get_large_classes() {
        // Σcw = 10·2 + 10·0.5 = 25; per weight 1200/25 = 48: school A 96/class, B 24/class.
        let t = allocate(1200.0, &[(10.0, 2.0), (10.0, 0.5)], 45.0, &std());
        assert_eq!(t.large, 10.0);
        assert_eq!(t.super_large, 10.0);
        // A holds 960 pupils: ⌈960/45⌉ = 22 → 12 more classes; B holds 240: 6 ≤ 10.
        assert_eq!(t.extra_needed, 12.0);
    }

    #[test]
    fn exact_multiples_need_no_extra_class() {
        let t = allocate(900.0, &[(20.0, 1.0)], 45.0, &std());
        assert_eq!(t.extra_needed, 0.0);
        let t = allocate(56.0 * 3.0, &[(3.0, 1.0)], 50.0, &std());
        assert_eq!(t.large, 3.0);
    }

    #[test]
    fn no_open_school_leaves_all_demand_unseated() {
        let t = allocate(100.0, &[], 45.0, &std());
        assert_eq!(
            t,
            ClassTally {
                extra_needed: 3.0,
                ..ClassTally::default()
            }
        );
    }
}
