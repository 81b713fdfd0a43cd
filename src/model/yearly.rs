//! The class tallies of one district-stage in every projection year at once (DESIGN §2.4).
//!
//! A year's tally visits each school of a district-stage once — about thirty in Zhengzhou —
//! and its fixed costs (the call, setting up running sums and adding them up) cost as much as
//! the visits: taking the tallies out of a run made it 40% faster. Here the years are the
//! lanes: each school is visited once for eight years at a time, each with its own split,
//! classes and new schools open, so the fixed costs are paid once per district-stage and eight
//! years. Counts and classes missing are whole numbers, exact in any order, and every
//! school-year is sized by the same products as [`Split`] sizes it, so each year's tally is
//! the one [`allocate`](super::classes::allocate) gives.

use super::classes::{ceil, ClassTally, Split};

/// Years visited together: one 512-bit vector of `f64` (AVX-512). Eight ran 4% faster than
/// four on the AVX-512 machine that builds (BENCHMARKS.md, "2026-12-07, afternoon").
const LANES: usize = 8;

/// [`LANES`] years' splits and the classes each school holds in them.
#[derive(Debug, Clone, Copy)]
struct Lanes {
    per_weight: [f64; LANES],
    cap: [f64; LANES],
    over: [f64; LANES],
    /// Whether the year's split is capped: its classes are then sized from their pupils.
    capped: [bool; LANES],
    /// Classes of every existing school, and one more for those numbered below `odd`.
    each: [f64; LANES],
    odd: [f64; LANES],
    /// New schools open (the first ones in order of opening).
    opened: [f64; LANES],
}

impl Default for Lanes {
    /// Years without a split: no pupil, no class.
    fn default() -> Self {
        Self {
            per_weight: [0.0; LANES],
            cap: [f64::INFINITY; LANES],
            over: [0.0; LANES],
            capped: [false; LANES],
            each: [0.0; LANES],
            odd: [0.0; LANES],
            opened: [0.0; LANES],
        }
    }
}

/// What the classes of a district-stage hold in one year: how many the existing schools
/// have (`each`, one more for the first `odd`) and how many new schools are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// Classes of every existing school.
    pub each: u32,
    /// Existing schools, the lowest numbers, with one class more.
    pub odd: u32,
    /// New schools open, the first ones in order of opening.
    pub opened: usize,
}

/// One district-stage's splits, year by year, for [`YearSplits::tally`]; reused.
#[derive(Debug, Clone, Default)]
pub struct YearSplits {
    lanes: Vec<Lanes>,
    /// Per year: the open classes, or the tally of a year with no school open.
    classes: Vec<Result<f64, ClassTally>>,
    /// `1 / class_size`, the large and super-large sizes: the stage's, from any split.
    sizes: Option<[f64; 3]>,
}

impl YearSplits {
    /// Empties the splits for `years` years.
    pub fn reset(&mut self, years: usize) {
        self.lanes.clear();
        self.lanes.resize(years.div_ceil(LANES), Lanes::default());
        self.classes.clear();
        self.classes.resize(years, Ok(0.0));
        self.sizes = None;
    }

    /// Sets year number `yi`, once after [`YearSplits::reset`]: its `split` over `classes` open
    /// classes held as `held`, or, with no school open, its `unseated` tally.
    pub fn set(&mut self, yi: usize, split: Result<&Split, ClassTally>, held: Held, classes: f64) {
        let split = match split {
            Ok(split) => split,
            Err(unseated) => {
                // Its lanes stay as reset: no pupil, no class.
                self.classes[yi] = Err(unseated);
                return;
            }
        };
        let (lanes, y) = (&mut self.lanes[yi / LANES], yi % LANES);
        lanes.per_weight[y] = split.per_weight;
        lanes.cap[y] = split.cap;
        lanes.over[y] = split.over;
        lanes.capped[y] = split.cap.is_finite();
        lanes.each[y] = f64::from(held.each);
        lanes.odd[y] = f64::from(held.odd);
        lanes.opened[y] = held.opened as f64;
        self.classes[yi] = Ok(classes);
        self.sizes = Some([split.per_class_size, split.large, split.super_large]);
    }

    /// Every year's tally of the existing schools of popularity `weights` (by school number)
    /// and the `new` schools, `(classes, weight)` each in order of opening, into `out`.
    pub fn tally(&self, weights: &[f64], new: &[(f64, f64)], out: &mut Vec<ClassTally>) {
        out.clear();
        let Some(sizes) = self.sizes else {
            out.extend(self.classes.iter().map(|c| c.err().unwrap_or_default()));
            return;
        };
        for (k, lanes) in self.lanes.iter().enumerate() {
            let sums = if lanes.capped.contains(&true) {
                Sums::of::<true>(lanes, sizes, weights, new)
            } else {
                Sums::of::<false>(lanes, sizes, weights, new)
            };
            let years = &self.classes[k * LANES..((k + 1) * LANES).min(self.classes.len())];
            out.extend(years.iter().enumerate().map(|(y, open)| match open {
                Ok(classes) => ClassTally {
                    classes: *classes,
                    large: sums.large[y],
                    super_large: sums.super_large[y],
                    extra_needed: sums.extra[y],
                },
                Err(unseated) => *unseated,
            }));
        }
    }
}

/// Running sums of [`LANES`] years' tallies.
#[derive(Debug, Default)]
struct Sums {
    large: [f64; LANES],
    super_large: [f64; LANES],
    extra: [f64; LANES],
}

/// What a school holding `c` classes in each of [`LANES`] years contributes per pupil: `c`,
/// `c / class_size` and `per_weight · c / class_size`, multiplied in the order
/// [`Split::count`](super::classes::Split) multiplies them, so that each year's products are
/// the same numbers.
#[derive(Debug, Clone, Copy)]
struct Held8 {
    classes: [f64; LANES],
    per_size: [f64; LANES],
    seats_per_weight: [f64; LANES],
}

impl Held8 {
    /// Those of `c` classes in each year of `lanes`, classes of `1 / per_class_size`.
    #[inline(always)]
    fn of(lanes: &Lanes, per_class_size: f64, c: [f64; LANES]) -> Self {
        Self {
            classes: c,
            per_size: std::array::from_fn(|y| c[y] * per_class_size),
            seats_per_weight: std::array::from_fn(|y| lanes.per_weight[y] * c[y] * per_class_size),
        }
    }

    /// Year by year, `more`'s where `pick[y]`, else `fewer`'s.
    #[inline(always)]
    fn pick(pick: [bool; LANES], more: &Self, fewer: &Self) -> Self {
        let choose = |a: &[f64; LANES], b: &[f64; LANES]| {
            std::array::from_fn(|y| if pick[y] { a[y] } else { b[y] })
        };
        Self {
            classes: choose(&more.classes, &fewer.classes),
            per_size: choose(&more.per_size, &fewer.per_size),
            seats_per_weight: choose(&more.seats_per_weight, &fewer.seats_per_weight),
        }
    }
}

impl Sums {
    /// The sums of [`LANES`] years over the existing schools of popularity `weights` and the `new`
    /// schools; `CAPPED`: whether any of the years is capped.
    #[inline(always)]
    fn of<const CAPPED: bool>(
        lanes: &Lanes,
        sizes: [f64; 3],
        weights: &[f64],
        new: &[(f64, f64)],
    ) -> Self {
        let mut sums = Sums::default();
        // An existing school holds `each` classes, or one more if numbered below `odd`: the
        // products of both are worked out once here and picked school by school.
        let per_class_size = sizes[0];
        let more = Held8::of(lanes, per_class_size, lanes.each.map(|e| e + 1.0));
        let fewer = Held8::of(lanes, per_class_size, lanes.each);
        for (i, &w) in weights.iter().enumerate() {
            let number = i as f64;
            let held = Held8::pick(lanes.odd.map(|odd| number < odd), &more, &fewer);
            sums.visit::<CAPPED>(lanes, sizes, w, &held);
        }
        // New schools open in order: those none of the years has opened add nothing.
        let opened = lanes.opened.iter().fold(0.0_f64, |m, &o| m.max(o)) as usize;
        for (j, &(classes, w)) in new[..opened.min(new.len())].iter().enumerate() {
            let order = j as f64;
            let c = lanes
                .opened
                .map(|opened| if order < opened { classes } else { 0.0 });
            sums.visit::<CAPPED>(lanes, sizes, w, &Held8::of(lanes, per_class_size, c));
        }
        sums
    }

    /// Adds a school of weight `w` holding `held` in each of the years.
    #[inline(always)]
    fn visit<const CAPPED: bool>(&mut self, lanes: &Lanes, sizes: [f64; 3], w: f64, held: &Held8) {
        let [_, large, super_large] = sizes;
        for y in 0..LANES {
            let c = held.classes[y];
            // `Split::per_class`: without a cap (∞, and 0 beyond it) this is `per_weight · w`.
            let below = lanes.per_weight[y] * w;
            let pupils = if CAPPED {
                (if below < lanes.cap[y] {
                    below
                } else {
                    lanes.cap[y]
                }) + lanes.over[y] * w
            } else {
                below
            };
            // A masked add: the counts are the same whole numbers as `c · 1` and `c · 0` added.
            self.large[y] = if pupils >= large {
                self.large[y] + c
            } else {
                self.large[y]
            };
            self.super_large[y] = if pupils >= super_large {
                self.super_large[y] + c
            } else {
                self.super_large[y]
            };
            // The products of `Split::count`, capped and not, for the same roundings.
            let seats = if CAPPED && lanes.capped[y] {
                pupils * held.per_size[y]
            } else {
                w * held.seats_per_weight[y]
            };
            self.extra[y] += ceil(seats - c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::classes::{allocate, split, unseated, ExistingSchools, NewSums, OpenSchools};
    use crate::scenario::Standards;

    #[test]
    fn every_years_tally_is_the_one_allocate_gives() {
        let std = Standards::DEFAULT;
        let (size, cap) = (45.0, Some(65.0));
        let weights: Vec<f64> = (0..23)
            .map(|i| 0.6 + ((i * 7919 % 101) as f64) / 120.0)
            .collect();
        let new = [(24.0, 1.3), (12.0, 0.8), (18.0, 1.05)];
        // (classes of the existing schools, new schools open, demand): uncapped, capped, no
        // school open, capped, over the cap everywhere, uncapped, then the same again — two
        // chunks of years, the second one short.
        let years = [
            (500, 0, 15_000.0),
            (505, 1, 26_000.0),
            (0, 0, 900.0),
            (510, 2, 24_000.0),
            (515, 3, 40_000.0),
            (515, 3, 20_000.0),
            (500, 0, 15_000.0),
            (505, 1, 26_000.0),
            (0, 0, 900.0),
            (510, 2, 24_000.0),
            (515, 3, 40_000.0),
        ];
        let mut existing = ExistingSchools::default();
        existing.set_weights(&weights);
        let mut splits = YearSplits::default();
        splits.reset(years.len());
        let mut expected = Vec::new();
        for (yi, &(pool, opened, demand)) in years.iter().enumerate() {
            existing.hold(pool);
            let open = OpenSchools::new(&existing, &new[..opened], NewSums::of(&new[..opened]));
            let once = std::iter::once(open);
            expected.push(allocate(demand, once.clone(), size, cap, &std));
            let spread = split(demand, once, size, cap, &std);
            let (each, odd) = existing.held();
            let held = Held { each, odd, opened };
            let split = spread.as_ref().ok_or_else(|| unseated(demand, size));
            splits.set(yi, split, held, open.classes());
        }
        assert!(expected[1].large > 0.0 && expected[9].large > 0.0 && expected[2].classes == 0.0);
        let mut got = Vec::new();
        splits.tally(&weights, &new, &mut got);
        assert_eq!(got, expected);
    }
}
