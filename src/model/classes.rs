//! Pupils over schools and classes: large-class shares and classes missing (DESIGN §2.4).
//!
//! School `i` with `c_i` classes and popularity `w_i` receives `D_i = D · c_i w_i / Σ c_j w_j`
//! pupils; its classes hold `m_i = D_i / c_i = p · w_i` each, with the same pupils per unit of
//! weight `p = D / Σ c_j w_j` for every school.
//!
//! The existing schools of a district-stage share its classes evenly, so they hold `q + 1`
//! (the first `r` schools) or `q` classes each, and `Σ c_j w_j` comes from one prefix sum of
//! the weights. Every school is then visited once a year, without a branch: in a crowded city
//! most schools are over the standard size and must be visited anyway for the classes they
//! miss, and a scan that stops at a threshold — over schools kept ranked by popularity —
//! spent more on ranking and on the mispredicted exit than it saved (measured again in
//! December 2026: 45% of Zhengzhou's school-years must be visited, and ranking made runs 25%
//! slower). The engine tallies a district-stage's years together ([`super::yearly`]) from the
//! [`split`] of each year; [`allocate`] tallies one catchment-year, as the city-wide pools do.

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

impl ClassTally {
    /// The `large_class_share` metric: large classes over open classes (0 with none open).
    pub fn large_share(&self) -> f64 {
        if self.classes > 0.0 {
            self.large / self.classes
        } else {
            0.0
        }
    }
}

impl std::ops::AddAssign for ClassTally {
    fn add_assign(&mut self, o: Self) {
        self.classes += o.classes;
        self.large += o.large;
        self.super_large += o.super_large;
        self.extra_needed += o.extra_needed;
    }
}

/// The existing schools of one district-stage in one trial, and the classes they hold in the
/// current year.
#[derive(Debug, Clone, Default)]
pub struct ExistingSchools {
    /// Popularity of each school, by school number.
    weights: Vec<f64>,
    /// `prefix[k]`: the weight of the first `k` schools.
    prefix: Vec<f64>,
    /// The largest weight (0 with no school): whether any school can reach a cap.
    max_weight: f64,
    /// Classes this year: `each + 1` for the first `odd` schools, `each` for the others.
    each: u32,
    odd: u32,
}

impl ExistingSchools {
    /// Sets the schools' weights for a trial (school `i` has `weights[i]`, all ≥ 0), reusing
    /// this value's buffers. [`ExistingSchools::hold`] must follow.
    pub fn set_weights(&mut self, weights: &[f64]) {
        self.weights.clear();
        self.weights.extend_from_slice(weights);
        // One pass into a buffer of the right length: pushes checked the capacity and stored
        // the length at every school, and the maximum waited for the sums' chain of adds.
        self.prefix.resize(weights.len() + 1, 0.0);
        let (mut sum, mut most) = (0.0, 0.0_f64);
        for (prefix, &w) in self.prefix[1..].iter_mut().zip(weights) {
            sum += w;
            *prefix = sum;
            most = most.max(w);
        }
        self.max_weight = most;
    }

    /// Sets the classes the schools hold this year: `pool`, split as evenly as possible, the
    /// schools with the lowest numbers taking the odd ones (lost if there is no school).
    pub fn hold(&mut self, pool: u32) {
        let n = self.weights.len() as u32;
        (self.each, self.odd) = match (pool.checked_div(n), pool.checked_rem(n)) {
            (Some(q), Some(r)) => (q, r),
            _ => (0, 0),
        };
    }

    /// Popularity of each school, by school number.
    pub(super) fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// `(each, odd)` this year: every school holds `each` classes, the first `odd` one more.
    pub(super) fn held(&self) -> (u32, u32) {
        (self.each, self.odd)
    }

    /// The schools holding `each + 1` classes and those holding `each`, with those numbers.
    fn groups(&self) -> [(&[f64], f64); 2] {
        let (more, fewer) = self.weights.split_at(self.odd as usize);
        let each = f64::from(self.each);
        [(more, each + 1.0), (fewer, each)]
    }

    /// Classes held this year.
    fn classes(&self) -> f64 {
        f64::from(self.each * self.weights.len() as u32 + self.odd)
    }

    /// `Σ c_i w_i` this year.
    fn weighted(&self) -> f64 {
        let total = self.prefix.last().copied().unwrap_or(0.0);
        f64::from(self.each) * total + self.prefix[self.odd as usize]
    }
}

/// A catchment's open schools as [`OpenSchools::parts`] gives them: the existing schools in
/// two groups of equal classes, `(weights, classes each)`, and the new schools,
/// `(classes, weight)` each.
pub type Parts<'a> = ([(&'a [f64], f64); 2], &'a [(f64, f64)]);

/// The open schools of one district-stage in one year.
#[derive(Debug, Clone, Copy)]
pub struct OpenSchools<'a> {
    existing: &'a ExistingSchools,
    new: &'a [(f64, f64)],
    sums: NewSums,
}

/// Sums over the new schools open in a catchment-year, kept per trial as running sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NewSums {
    /// `Σ classes`.
    pub classes: f64,
    /// `Σ classes · weight`.
    pub weighted: f64,
    /// The largest weight (0 with none).
    pub most: f64,
}

impl NewSums {
    /// The sums over `schools`, `(classes, weight)` each.
    pub fn of(schools: &[(f64, f64)]) -> Self {
        schools
            .iter()
            .fold(Self::default(), |s, &school| s.and(school))
    }

    /// These sums with one more school, `(classes, weight)`.
    pub fn and(self, (c, w): (f64, f64)) -> Self {
        Self {
            classes: self.classes + c,
            weighted: self.weighted + c * w,
            most: self.most.max(w),
        }
    }
}

impl<'a> OpenSchools<'a> {
    /// The `existing` schools with the classes they hold this year, and the `new` schools
    /// open, `(classes, weight)` each, with their `sums`.
    pub fn new(existing: &'a ExistingSchools, new: &'a [(f64, f64)], sums: NewSums) -> Self {
        Self {
            existing,
            new,
            sums,
        }
    }

    /// `Σ c_i w_i` over the open schools.
    pub fn weighted(&self) -> f64 {
        self.existing.weighted() + self.sums.weighted
    }

    /// Every open school's `(classes, weight)`: the existing schools by number, then the new.
    pub fn schools(self) -> impl Iterator<Item = (f64, f64)> + Clone + 'a {
        let (groups, new) = self.parts();
        groups
            .into_iter()
            .flat_map(|(weights, c)| weights.iter().map(move |&w| (c, w)))
            .chain(new.iter().copied())
    }

    /// The existing schools in groups of equal classes, `(weights, classes each)`, and the
    /// new schools, `(classes, weight)` each.
    pub fn parts(self) -> Parts<'a> {
        (self.existing.groups(), self.new)
    }

    /// Open classes.
    pub fn classes(&self) -> f64 {
        self.existing.classes() + self.sums.classes
    }

    /// At least the largest weight of an open school (an existing school left without a
    /// class may count): a school below it, at the same pupils per weight, is below the cap.
    pub fn max_weight(&self) -> f64 {
        self.sums.most.max(self.existing.max_weight)
    }

    /// Large classes and classes missing, at `split`'s pupils per unit of weight.
    // Inlined, so that the tally reaches [`allocate`]'s sum in registers: returned through
    // memory, its two middle fields were written one by one and read back as one 16-byte
    // load, which the processor cannot forward from the two stores (a stall of each call).
    #[inline(always)]
    fn tally(self, split: &Split) -> ClassTally {
        let mut t = ClassTally {
            classes: self.classes(),
            ..ClassTally::default()
        };
        let (groups, new) = self.parts();
        for (weights, c) in groups {
            split.add_group(weights, c, &mut t);
        }
        // The new schools in one loop: a pass of the lanes for each cost more.
        split.add_new(new, &mut t);
        t
    }
}

/// How pupils spread in one catchment and year, and the class sizes that count: a school
/// of weight `w` holds `min(cap, per_weight · w) + over · w` pupils per class (no cap: ∞ and
/// 0, and the plain `per_weight · w`).
#[derive(Debug, Clone, Copy)]
pub struct Split {
    /// Pupils per class of a school of weight 1 (below the cap).
    pub(super) per_weight: f64,
    /// Admission cap, pupils per class (∞ without one).
    pub(super) cap: f64,
    /// Pupils per class per unit of weight beyond the cap.
    pub(super) over: f64,
    /// `1 / class_size`: a multiplication instead of a division (the ceiling's tolerance
    /// absorbs the different rounding).
    pub(super) per_class_size: f64,
    pub(super) large: f64,
    pub(super) super_large: f64,
}

impl Split {
    /// `per_weight` pupils per class of a school of weight 1, classes of `class_size`.
    pub fn new(per_weight: f64, class_size: f64, std: &Standards) -> Self {
        Self {
            per_weight,
            cap: f64::INFINITY,
            over: 0.0,
            per_class_size: 1.0 / class_size,
            large: std.large_class,
            super_large: std.super_large_class,
        }
    }

    /// This split with schools stopping at `cap` pupils per class: `level` per unit of
    /// weight below it (∞: every school at it) and `over` beyond it.
    pub fn capped(self, level: f64, cap: f64, over: f64) -> Self {
        Self {
            per_weight: level,
            cap,
            over,
            ..self
        }
    }

    /// Pupils per class of a school of weight `w`.
    #[inline]
    pub fn per_class(&self, w: f64) -> f64 {
        // A comparison rather than `f64::min`, which is slower for its NaN rule; ∞ · 0 = NaN
        // (every school at the cap, one of weight 0) gives `cap` all the same.
        let below = self.per_weight * w;
        (if below < self.cap { below } else { self.cap }) + self.over * w
    }

    /// Counts the large and missing classes of schools of `c` classes each and popularity
    /// `weights`.
    #[inline]
    pub fn add_group(&self, weights: &[f64], c: f64, t: &mut ClassTally) {
        // Schools counted as 1 each and multiplied by `c` once: a loop that adds a constant
        // runs a third faster than one that adds `c`.
        let scaled = self.scaled(c);
        let mut group = ClassTally::default();
        self.add_schools(weights, |&w| (w, 1.0, scaled), &mut group);
        t.large += c * group.large;
        t.super_large += c * group.super_large;
        t.extra_needed += group.extra_needed;
    }

    /// Counts the large and missing classes of new schools, `(classes, weight)` each.
    #[inline]
    pub fn add_new(&self, schools: &[(f64, f64)], t: &mut ClassTally) {
        self.add_schools(schools, |&(c, w)| (w, c, self.scaled(c)), t);
    }

    /// `[c, c / class_size, per_weight · c / class_size]` for a school of `c` classes.
    #[inline(always)]
    fn scaled(&self, c: f64) -> [f64; 3] {
        [
            c,
            c * self.per_class_size,
            self.per_weight * c * self.per_class_size,
        ]
    }

    /// Counts the large and missing classes of `schools`, of which `school` gives the weight,
    /// what each large class adds, and [`Split::scaled`] of its classes.
    #[inline(always)]
    fn add_schools<T>(
        &self,
        schools: &[T],
        school: impl Fn(&T) -> (f64, f64, [f64; 3]),
        t: &mut ClassTally,
    ) {
        // The uncapped loop stays as lean as it was: most catchment-years have no cap in reach.
        if self.cap.is_finite() {
            self.count::<true, T>(schools, school, t);
        } else {
            self.count::<false, T>(schools, school, t);
        }
    }

    #[inline(always)]
    fn count<const CAPPED: bool, T>(
        &self,
        schools: &[T],
        school: impl Fn(&T) -> (f64, f64, [f64; 3]),
        t: &mut ClassTally,
    ) {
        // Counts and missing classes are whole numbers, so four running sums of each give the
        // exact totals in any order; independent lanes let the loop use vector instructions.
        let (mut large, mut super_large, mut extra) = ([0.0; 4], [0.0; 4], [0.0; 4]);
        let mut visit = |lane: usize, s: &T| {
            let (w, unit, [c, classes_per_class_size, pupils_per_class_size]) = school(s);
            let pupils = if CAPPED {
                self.per_class(w)
            } else {
                self.per_weight * w
            };
            large[lane] += if pupils >= self.large { unit } else { 0.0 };
            super_large[lane] += if pupils >= self.super_large {
                unit
            } else {
                0.0
            };
            // max(0, ⌈pupils · c / size − tolerance⌉ − c): 0 for classes within the standard.
            let seats = if CAPPED {
                pupils * classes_per_class_size
            } else {
                w * pupils_per_class_size
            };
            extra[lane] += ceil(seats - c);
        };
        for_each_lane(schools, &mut visit);
        let sum = |lanes: [f64; 4]| lanes.iter().sum::<f64>();
        t.large += sum(large);
        t.super_large += sum(super_large);
        t.extra_needed += sum(extra);
    }
}

/// Calls `visit(lane, item)` for every item, spreading them over four lanes so that running
/// sums kept per lane are independent.
#[inline(always)]
pub(super) fn for_each_lane<T>(items: &[T], mut visit: impl FnMut(usize, &T)) {
    let chunks = items.chunks_exact(4);
    for item in chunks.remainder() {
        visit(0, item);
    }
    for chunk in chunks {
        for (lane, item) in chunk.iter().enumerate() {
            visit(lane, item);
        }
    }
}

/// Spreads `demand` over the open schools of a catchment (one district-stage, or the
/// district-stages of a city-wide pool) and counts large classes and classes missing; with
/// an admission `cap` (pupils per class), schools at it send the rest elsewhere ([`cap`]).
///
/// With no open school, all demand is unseated: it needs `⌈demand / class_size⌉` classes.
///
/// [`cap`]: super::cap
pub fn allocate<'a>(
    demand: f64,
    catchment: impl Iterator<Item = OpenSchools<'a>> + Clone,
    class_size: f64,
    cap: Option<f64>,
    std: &Standards,
) -> ClassTally {
    match split(demand, catchment.clone(), class_size, cap, std) {
        Some(split) => {
            let mut t = ClassTally::default();
            for schools in catchment {
                t += schools.tally(&split);
            }
            t
        }
        None => unseated(demand, class_size),
    }
}

/// How [`allocate`] spreads `demand` over the catchment's open schools; `None` when no school
/// is open ([`unseated`]).
// Inlined (the water-filling of capped years is not), so that the split reaches its caller
// in registers: returned through memory, it was read back with a load wider than the stores
// that wrote it, which stalls (BENCHMARKS.md, "2026-12-07, late night").
#[inline(always)]
pub fn split<'a>(
    demand: f64,
    catchment: impl Iterator<Item = OpenSchools<'a>> + Clone,
    class_size: f64,
    cap: Option<f64>,
    std: &Standards,
) -> Option<Split> {
    let weighted: f64 = catchment.clone().map(|s| s.weighted()).sum();
    if weighted <= 0.0 {
        return None;
    }
    let per_weight = demand / weighted;
    let split = Split::new(per_weight, class_size, std);
    // Most catchment-years have no school at the cap: one look at the most popular school
    // keeps them on the uncapped split.
    if let Some(cap) = cap {
        let most = catchment
            .clone()
            .map(|s| s.max_weight())
            .fold(0.0, f64::max);
        if per_weight * most >= cap {
            let (level, over) = super::cap::water_level(demand, cap, weighted, catchment);
            return Some(split.capped(level, cap, over));
        }
    }
    Some(split)
}

/// The tally of a catchment with no open school: all `demand` needs classes.
pub fn unseated(demand: f64, class_size: f64) -> ClassTally {
    ClassTally {
        extra_needed: ceil(demand / class_size),
        ..ClassTally::default()
    }
}

/// `max(0, ⌈x − tolerance⌉)` for `x < 2⁵²`.
#[inline]
pub(super) fn ceil(x: f64) -> f64 {
    round_up((x - CEIL_TOLERANCE).max(0.0))
}

/// `⌈x⌉` for `0 ≤ x < 2⁵²`: one rounding instruction where the processor has one (SSE4.1's
/// `roundpd`, AVX-512's `vrndscalepd`; the build targets the building machine) in place of
/// the five of the sum below, in the class tallies' inner loop (BENCHMARKS.md, "2026-12-07,
/// late night").
#[cfg(any(target_feature = "sse4.1", target_arch = "aarch64"))]
#[inline(always)]
fn round_up(x: f64) -> f64 {
    x.ceil()
}

/// `⌈x⌉` for `0 ≤ x < 2⁵²` without the library call `f64::ceil` becomes on baseline x86-64
/// (it was a tenth of a trial's time): adding and removing 2⁵² rounds a non-negative number
/// to the nearest integer, which is then moved up if it fell short.
#[cfg(not(any(target_feature = "sse4.1", target_arch = "aarch64")))]
#[inline(always)]
fn round_up(x: f64) -> f64 {
    round_up_by_adding(x)
}

/// `⌈x⌉` for `0 ≤ x < 2⁵²` by adding and removing 2⁵² (see [`round_up`]).
#[cfg_attr(any(target_feature = "sse4.1", target_arch = "aarch64"), cfg(test))]
#[inline(always)]
fn round_up_by_adding(x: f64) -> f64 {
    const ROUNDER: f64 = (1u64 << 52) as f64;
    let nearest = (x + ROUNDER) - ROUNDER;
    nearest + if nearest < x { 1.0 } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std() -> Standards {
        Standards::DEFAULT
    }

    /// Existing schools of `weights` holding `pool` classes.
    fn held(weights: &[f64], pool: u32) -> ExistingSchools {
        let mut r = ExistingSchools::default();
        r.set_weights(weights);
        r.hold(pool);
        r
    }

    /// Those schools and the `new` ones, open.
    fn open<'a>(existing: &'a ExistingSchools, new: &'a [(f64, f64)]) -> OpenSchools<'a> {
        OpenSchools::new(existing, new, NewSums::of(new))
    }

    /// `demand` over existing schools of `weights` sharing `pool` classes, and new schools.
    fn one(demand: f64, weights: &[f64], pool: u32, new: &[(f64, f64)]) -> ClassTally {
        let existing = held(weights, pool);
        allocate(
            demand,
            std::iter::once(open(&existing, new)),
            45.0,
            None,
            &std(),
        )
    }

    #[test]
    fn equal_weights_give_equal_classes() {
        // 1000 pupils over 20 classes: 50 each, none large, none missing at size 45:
        // each school needs ⌈500/45⌉ = 12 classes, has 10.
        let t = one(1000.0, &[1.0, 1.0], 20, &[]);
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
        let t = one(1200.0, &[2.0, 0.5], 20, &[]);
        assert_eq!(t.large, 10.0);
        assert_eq!(t.super_large, 10.0);
        // A holds 960 pupils: ⌈960/45⌉ = 22 → 12 more classes; B holds 240: 6 ≤ 10.
        assert_eq!(t.extra_needed, 12.0);
    }

    #[test]
    fn odd_classes_go_to_the_first_schools_whatever_their_rank() {
        // 7 classes over 3 schools: 3, 2, 2. Weights 1, 1, 4: Σcw = 3 + 2 + 8 = 13.
        // 13 · 50 pupils: per weight 50; school 2 has 200 per class (large), the others 50.
        let t = one(650.0, &[1.0, 1.0, 4.0], 7, &[]);
        assert_eq!((t.classes, t.large, t.super_large), (7.0, 2.0, 2.0));
        // School 2: ⌈400/45⌉ − 2 = 7; schools 0 and 1: ⌈150/45⌉ − 3 = 1, ⌈100/45⌉ − 2 = 1.
        assert_eq!(t.extra_needed, 9.0);
    }

    #[test]
    fn new_schools_stand_alone_and_pools_add_up() {
        // District A: 2 schools of weight 1 sharing 10 classes. District B: 1 school of weight
        // 2 with 4 classes, and a new school of 6 classes, weight 1. Σcw = 5 + 5 + 8 + 6 = 24;
        // 2400 pupils → 100 per unit of weight: classes of 100, 100, 200 and 100 pupils.
        let (a, b) = (held(&[1.0, 1.0], 10), held(&[2.0], 4));
        let parts = [open(&a, &[]), open(&b, &[(6.0, 1.0)])];
        let t = allocate(2400.0, parts.iter().copied(), 45.0, None, &std());
        assert_eq!((t.classes, t.large, t.super_large), (20.0, 20.0, 20.0));
        // Missing: A 2·(⌈500/45⌉ − 5) = 14; B ⌈800/45⌉ − 4 = 14; new ⌈600/45⌉ − 6 = 8.
        assert_eq!(t.extra_needed, 36.0);
    }

    #[test]
    fn the_first_schools_hold_the_odd_classes() {
        let mut r = held(&[1.5, 3.0, 2.0], 4);
        // 4 classes over 3 schools: school 0 holds 2, schools 1 and 2 hold 1.
        assert_eq!(r.groups(), [(&[1.5][..], 2.0), (&[3.0, 2.0][..], 1.0)]);
        assert_eq!((r.classes(), r.weighted()), (4.0, 2.0 * 1.5 + 5.0));
        let open = OpenSchools::new(&r, &[(6.0, 0.5)], NewSums::of(&[(6.0, 0.5)]));
        let listed: Vec<_> = open.schools().collect();
        assert_eq!(listed, [(2.0, 1.5), (1.0, 3.0), (1.0, 2.0), (6.0, 0.5)]);
        assert_eq!(open.weighted(), 2.0 * 1.5 + 5.0 + 3.0);
        r.hold(5);
        assert_eq!((r.classes(), r.weighted()), (5.0, 2.0 * 4.5 + 2.0));
    }

    #[test]
    fn exact_multiples_need_no_extra_class() {
        let t = one(900.0, &[1.0], 20, &[]);
        assert_eq!(t.extra_needed, 0.0);
        let t = one(56.0 * 3.0, &[1.0], 3, &[]);
        assert_eq!(t.large, 3.0);
    }

    #[test]
    fn ceil_matches_the_standard_library_with_its_tolerance() {
        for x in [
            0.0,
            -3.0,
            1e-10,
            0.5,
            1.0,
            1.0 + 1e-12,
            1.5,
            2.5,
            2.000_001,
            1e6 + 0.3,
            1e15,
        ] {
            let expected = (x - CEIL_TOLERANCE).ceil().max(0.0);
            assert_eq!(ceil(x), expected, "{x}");
        }
    }

    #[test]
    fn both_ways_of_rounding_up_agree_bit_for_bit() {
        // Whole numbers, halves, values a few ulps either side of them, and a spread of
        // fractions up to 2⁵²: the instruction and the sum with 2⁵² give the same bits.
        let mut xs = vec![
            0.0,
            f64::MIN_POSITIVE,
            0.5,
            1.0,
            2.5,
            3.5,
            4_503_599_627_370_495.0,
        ];
        for k in 0..2_000u32 {
            let whole = f64::from(k) * 7.0;
            xs.extend([whole, whole + 0.5, whole + 0.25, whole + 0.75]);
            xs.extend([whole.next_up(), whole.next_down().max(0.0)]);
            xs.push(f64::from(k).powi(4) * 1.000_1 + 0.3);
        }
        for x in xs {
            assert_eq!(round_up_by_adding(x).to_bits(), x.ceil().to_bits(), "{x}");
            assert_eq!(round_up(x).to_bits(), x.ceil().to_bits(), "{x}");
        }
    }

    #[test]
    fn no_open_school_leaves_all_demand_unseated() {
        let t = one(100.0, &[], 10, &[]);
        assert_eq!(
            t,
            ClassTally {
                extra_needed: 3.0,
                ..ClassTally::default()
            }
        );
    }

    #[test]
    fn schools_left_without_classes_take_no_pupils() {
        // 1 class over 3 schools: only school 0 is open, and takes all 100 pupils.
        let t = one(100.0, &[1.0, 5.0, 5.0], 1, &[]);
        assert_eq!((t.classes, t.large, t.super_large), (1.0, 1.0, 1.0));
        assert_eq!(t.extra_needed, 2.0);
    }

    #[test]
    fn the_tally_matches_the_definition_school_by_school() {
        // Pseudo-random weights: compare with the definition, school by school.
        let weights: Vec<f64> = (0..40)
            .map(|i| 0.5 + ((i * 7919 % 101) as f64) / 100.0)
            .collect();
        for (demand, pool) in [(40_000.0, 800), (30_000.0, 805), (10_000.0, 333)] {
            let t = one(demand, &weights, pool, &[(30.0, 1.2)]);
            let (q, r) = (pool / 40, pool % 40);
            let mut schools: Vec<(f64, f64)> = weights
                .iter()
                .enumerate()
                .map(|(i, &w)| (f64::from(q + u32::from((i as u32) < r)), w))
                .collect();
            schools.push((30.0, 1.2));
            let per_weight = demand / schools.iter().map(|(c, w)| c * w).sum::<f64>();
            let mut expected = ClassTally::default();
            for (c, w) in schools {
                let m = per_weight * w;
                expected.classes += c;
                expected.large += if m >= 56.0 { c } else { 0.0 };
                expected.super_large += if m >= 66.0 { c } else { 0.0 };
                expected.extra_needed += ((m * c / 45.0 - 1e-9).ceil().max(0.0) - c).max(0.0);
            }
            assert_eq!(t, expected, "demand {demand}, pool {pool}");
        }
    }
}
