//! The logarithmic index mapping of a sketch's tails: bins whose width is a fixed share α of
//! their distance from the centre, read from a table instead of computed with a `ln`.

/// Relative accuracy α of a tail bin: its representative is within α of every value in it.
pub const TAIL_RELATIVE_ERROR: f64 = 0.005;

/// The index mapping: the key of `v > 0` is its binary exponent times
/// [`Mapping::PER_OCTAVE`] plus its bin within the octave.
///
/// The top 12 bits of the mantissa cut an octave `[2^e, 2^(e+1))` into 4,096 slices of equal
/// width. A table built at compile time groups consecutive slices into bins, each as wide as it
/// can be while its upper edge stays within a factor `γ = (1 + α)/(1 − α)` of its lower edge:
/// its representative `2·lo·hi/(lo + hi)` is then within `(hi − lo)/(hi + lo) ≤ α` of every
/// value in it. A logarithmic mapping needs `log₂ 2 / log₂ γ = 69.3` bins per octave; the
/// table has [`Mapping::PER_OCTAVE`].
pub(super) struct Mapping;

/// Slices per octave: `2^FINE_BITS`.
const FINE_BITS: u32 = 12;
const FINE: usize = 1 << FINE_BITS;

/// The table of [`Mapping`]: the bin of each slice, the first slice of each bin (the last
/// entry in use is `FINE`), and the number of bins.
struct Table {
    bin_of_slice: [u8; FINE],
    first_slice: [u16; 256],
    bins: usize,
}

impl Table {
    const fn build() -> Table {
        // γ shrunk by one part in 10¹² so that rounding in the representative cannot push it
        // past α.
        let alpha = TAIL_RELATIVE_ERROR;
        let gamma = (1.0 + alpha) / (1.0 - alpha) * (1.0 - 1e-12);
        let mut t = Table {
            bin_of_slice: [0; FINE],
            first_slice: [0; 256],
            bins: 0,
        };
        let mut start = 0;
        while start < FINE {
            // Slice `i` spans [1 + i/FINE, 1 + (i+1)/FINE) times 2^e.
            let mut end = start + 1;
            while end < FINE && (FINE + end + 1) as f64 / (FINE + start) as f64 <= gamma {
                end += 1;
            }
            let mut i = start;
            while i < end {
                t.bin_of_slice[i] = t.bins as u8;
                i += 1;
            }
            t.first_slice[t.bins] = start as u16;
            t.bins += 1;
            start = end;
        }
        t.first_slice[t.bins] = FINE as u16;
        t
    }
}

impl Mapping {
    const TABLE: Table = Table::build();
    /// Bins per octave.
    const PER_OCTAVE: i32 = Self::TABLE.bins as i32;

    /// Key of a positive normal value.
    #[inline]
    pub(super) fn key(v: f64) -> i32 {
        let bits = v.to_bits();
        let exponent = (bits >> 52) as i32; // biased, below 2¹¹: keys stay below 2¹⁸
        let slice = (bits >> (52 - FINE_BITS)) as usize & (FINE - 1);
        exponent * Self::PER_OCTAVE + i32::from(Self::TABLE.bin_of_slice[slice])
    }

    /// The value reported for every member of bin `key`.
    pub(super) fn representative(key: i32) -> f64 {
        let (exponent, bin) = (key / Self::PER_OCTAVE, key % Self::PER_OCTAVE);
        let edge = |slice: u16| {
            let bits = ((exponent as u64) << 52) + ((slice as u64) << (52 - FINE_BITS));
            f64::from_bits(bits) // slice FINE carries into the next octave: 2^(e+1)
        };
        let lo = edge(Self::TABLE.first_slice[bin as usize]);
        let hi = edge(Self::TABLE.first_slice[bin as usize + 1]);
        2.0 * lo * hi / (lo + hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_about_as_wide_as_the_accuracy_allows() {
        assert!(
            (70..=72).contains(&Mapping::PER_OCTAVE),
            "{}",
            Mapping::PER_OCTAVE
        );
    }

    #[test]
    fn every_bin_is_within_the_stated_relative_error() {
        // Sweep 18 decades finely: each value's bin representative is within α of it.
        let mut v = 1e-9;
        while v < 1e9 {
            let r = Mapping::representative(Mapping::key(v));
            assert!(
                (r - v).abs() <= TAIL_RELATIVE_ERROR * v,
                "{v} reported as {r}"
            );
            v *= 1.000_37;
        }
    }

    #[test]
    fn keys_increase_with_the_value_across_octaves() {
        let vs = [0.99, 1.0, 1.5, 1.999_999, 2.0, 3.0, 1e6];
        for w in vs.windows(2) {
            assert!(Mapping::key(w[0]) <= Mapping::key(w[1]));
        }
    }
}
