//! The metrics of DESIGN §2.4, derived from additive tallies so that city totals (district
//! `ALL`) are computed per trial from the districts' tallies.

use super::classes::ClassTally;
use super::demand::StagePupils;
use crate::scenario::Stage;

/// Yuan per unit of the `spending` metric: a city's yearly building bill (billions of yuan)
/// in millions stays within the range the statistics sum exactly (±1e9).
pub const YUAN_PER_SPENDING: f64 = 1e6;

/// One reported metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// All pupils of the stage, public and private.
    Enrolled,
    /// Pupils needing a public seat.
    Demand,
    /// Open classes × standard class size.
    Capacity,
    /// `max(0, demand − capacity)`; for `ALL` of a district stage, the districts' sum.
    Shortfall,
    /// `max(0, capacity − demand)`; for `ALL` of a district stage, the districts' sum.
    Surplus,
    /// `demand / capacity`; undefined (empty in the CSV) when capacity is 0.
    Utilization,
    /// Share of classes with at least `large_class` pupils.
    LargeClassShare,
    /// Share of classes with at least `super_large_class` pupils.
    SuperLargeClassShare,
    /// Classes to add so that no class exceeds the standard size.
    ExtraClassesNeeded,
    /// Migrant pupils / all pupils of the stage.
    MigrantShare,
    /// `demand / pupils per teacher`; only for stages in `[teachers]`.
    TeachersNeeded,
    /// Capital cost of the projects that open in the cell that year, in millions of yuan
    /// ([`YUAN_PER_SPENDING`]); only for stages in `[costs]`.
    Spending,
    /// Extra classes opened in existing schools beyond their standard classes (counted in
    /// `capacity`); only for stages with a `surge`.
    SurgeClasses,
    /// Public-seat pupils who arrived with a new estate (DESIGN §2.8) and are still of the
    /// stage's ages: the demand of the housing cohort; only in scenarios with estates.
    HousingPupils,
}

impl Metric {
    /// Every metric, in output order.
    pub const ALL: [Metric; 14] = [
        Metric::Enrolled,
        Metric::Demand,
        Metric::Capacity,
        Metric::Shortfall,
        Metric::Surplus,
        Metric::Utilization,
        Metric::LargeClassShare,
        Metric::SuperLargeClassShare,
        Metric::ExtraClassesNeeded,
        Metric::MigrantShare,
        Metric::TeachersNeeded,
        Metric::Spending,
        Metric::SurgeClasses,
        Metric::HousingPupils,
    ];
    /// Number of metrics.
    pub const COUNT: usize = Self::ALL.len();

    /// Name used in `summary.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Enrolled => "enrolled",
            Metric::Demand => "demand",
            Metric::Capacity => "capacity",
            Metric::Shortfall => "shortfall",
            Metric::Surplus => "surplus",
            Metric::Utilization => "utilization",
            Metric::LargeClassShare => "large_class_share",
            Metric::SuperLargeClassShare => "super_large_class_share",
            Metric::ExtraClassesNeeded => "extra_classes_needed",
            Metric::MigrantShare => "migrant_share",
            Metric::TeachersNeeded => "teachers_needed",
            Metric::Spending => "spending",
            Metric::SurgeClasses => "surge_classes",
            Metric::HousingPupils => "housing_pupils",
        }
    }

    /// Whether `stage` has this metric: `teachers_needed` and `spending` only where the
    /// scenario gives a ratio or a cost, `housing_pupils` only where it lists estates
    /// (summary.csv has no row otherwise).
    pub fn defined_for(self, stage: &Stage) -> bool {
        match self {
            Metric::TeachersNeeded => stage.teachers.is_some(),
            Metric::Spending => stage.seat_cost.is_some(),
            Metric::SurgeClasses => stage.surge.is_some(),
            Metric::HousingPupils => stage.housing,
            _ => true,
        }
    }

    /// Whether files that list every metric of a cell (`trials.csv`, `compare.csv`) list this
    /// one where the stage does not have it: `teachers_needed` and `spending` are listed
    /// empty; `surge_classes` and `housing_pupils`, added later, are not, so those files of a
    /// scenario without a surge or estates are as they were.
    pub fn listed_when_undefined(self) -> bool {
        !matches!(self, Metric::SurgeClasses | Metric::HousingPupils)
    }

    /// The metric called `name`, if any.
    pub fn from_name(name: &str) -> Option<Metric> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// Additive components of one cell (district or pool × stage × year) in one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Pupils and demand.
    pub pupils: StagePupils,
    /// Public seats.
    pub capacity: f64,
    /// Seats missing.
    pub shortfall: f64,
    /// Seats unused.
    pub surplus: f64,
    /// Classes and large classes.
    pub classes: ClassTally,
    /// Capital cost of the projects opening this year, millions of yuan.
    pub spending: f64,
    /// Surge classes open (counted in `classes`).
    pub surge: f64,
    /// Public-seat pupils of the housing cohort.
    pub housing: f64,
}

impl Tally {
    /// The tally of one catchment: its pupils, seats and classes.
    pub fn of_catchment(pupils: StagePupils, class_size: f64, classes: ClassTally) -> Self {
        let capacity = classes.classes * class_size;
        Self {
            pupils,
            capacity,
            shortfall: (pupils.demand - capacity).max(0.0),
            surplus: (capacity - pupils.demand).max(0.0),
            classes,
            spending: 0.0,
            surge: 0.0,
            housing: 0.0,
        }
    }

    /// Every metric of a cell of `stage` in [`Metric::ALL`] order; `NaN` marks an undefined
    /// value.
    pub fn metrics(&self, stage: &Stage) -> [f64; Metric::COUNT] {
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
        let c = &self.classes;
        [
            self.pupils.enrolled,
            self.pupils.demand,
            self.capacity,
            self.shortfall,
            self.surplus,
            if self.capacity > 0.0 {
                self.pupils.demand / self.capacity
            } else {
                f64::NAN
            },
            c.large_share(),
            ratio(c.super_large, c.classes),
            c.extra_needed,
            ratio(self.pupils.migrant_children, self.pupils.children),
            stage.teachers.map_or(f64::NAN, |r| self.pupils.demand / r),
            if stage.seat_cost.is_some() {
                self.spending
            } else {
                f64::NAN
            },
            if stage.surge.is_some() {
                self.surge
            } else {
                f64::NAN
            },
            if stage.housing {
                self.housing
            } else {
                f64::NAN
            },
        ]
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Self) {
        self.pupils += o.pupils;
        self.capacity += o.capacity;
        self.shortfall += o.shortfall;
        self.surplus += o.surplus;
        self.classes += o.classes;
        self.spending += o.spending;
        self.surge += o.surge;
        self.housing += o.housing;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Catchment, SeatCost, YearPath};

    fn stage(teachers: Option<f64>, seat_cost: Option<SeatCost>) -> Stage {
        Stage {
            id: "s".into(),
            ages: 6..=11,
            class_size: 45,
            dispersion: None,
            admission_cap: None,
            catchment: Catchment::District,
            surge: None,
            enrolment: YearPath::constant(1.0),
            private_share: YearPath::constant(0.0),
            teachers,
            seat_cost,
            housing: false,
        }
    }

    fn pupils(demand: f64) -> StagePupils {
        StagePupils {
            enrolled: demand,
            demand,
            migrant_children: demand / 4.0,
            children: demand,
        }
    }

    #[test]
    fn city_total_adds_district_shortfalls_not_net_balance() {
        let classes = |n| ClassTally {
            classes: n,
            ..ClassTally::default()
        };
        let mut all = Tally::of_catchment(pupils(1000.0), 50.0, classes(10.0)); // short 500
        all += Tally::of_catchment(pupils(100.0), 50.0, classes(10.0)); // surplus 400
        let m = all.metrics(&stage(None, None));
        assert_eq!(m[3], 500.0);
        assert_eq!(m[4], 400.0);
        assert!((m[5] - 1100.0 / 1000.0).abs() < 1e-12);
        assert_eq!(m[9], 0.25);
    }

    #[test]
    fn utilization_is_undefined_without_capacity() {
        let t = Tally::of_catchment(pupils(10.0), 45.0, ClassTally::default());
        let m = t.metrics(&stage(None, None));
        assert!(m[5].is_nan());
        assert_eq!(m[6], 0.0);
    }

    #[test]
    fn teachers_and_spending_exist_only_where_the_stage_has_a_ratio_or_a_cost() {
        let mut t = Tally::of_catchment(pupils(190.0), 45.0, ClassTally::default());
        t.spending = 1.5e6;
        let cost = SeatCost {
            new: 1.0,
            expansion: 1.0,
        };
        let [.., teachers, spending, _, _] = t.metrics(&stage(Some(19.0), Some(cost)));
        assert_eq!((teachers, spending), (10.0, 1.5e6));
        let [.., teachers, spending, _, _] = t.metrics(&stage(None, None));
        assert!(teachers.is_nan() && spending.is_nan());
        assert!(!Metric::Spending.defined_for(&stage(Some(19.0), None)));
        assert!(Metric::TeachersNeeded.defined_for(&stage(Some(19.0), None)));
    }

    #[test]
    fn housing_pupils_exist_only_in_scenarios_with_estates() {
        let mut t = Tally::of_catchment(pupils(190.0), 45.0, ClassTally::default());
        t.housing = 12.5;
        let mut with = stage(None, None);
        with.housing = true;
        assert_eq!(t.metrics(&with)[Metric::COUNT - 1], 12.5);
        assert!(t.metrics(&stage(None, None))[Metric::COUNT - 1].is_nan());
        let m = Metric::HousingPupils;
        assert!(m.defined_for(&with) && !m.defined_for(&stage(None, None)));
        assert!(!m.listed_when_undefined() && Metric::TeachersNeeded.listed_when_undefined());
    }

    #[test]
    fn metric_names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
        }
    }
}
