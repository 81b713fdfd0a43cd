//! The popularity weights' Gamma(κ, 1/κ) distribution (DESIGN §2), drawn exactly as
//! `rand_distr::Gamma` draws it — the same draws from the stream, the same arithmetic, so the
//! same weights — but written out, so that the ≈ 2,000 draws of a trial are inlined into the
//! loops that make them (the library's sampler is a call per draw, behind a match on its kind
//! of shape, with the normal draw a call of its own).

use rand_distr::{Distribution, Gamma, Open01, StandardNormal};

use super::streams::Stream;

/// Gamma(κ, 1/κ): mean 1, variance 1/κ.
#[derive(Debug, Clone, Copy)]
pub enum Popularity {
    /// κ > 1: Marsaglia & Tsang's method (2000), as `rand_distr` implements it, with
    /// `d = κ − 1/3`, `c = 1/√(9d)` and the result scaled by `d/κ`.
    Large {
        /// `κ − 1/3`.
        d: f64,
        /// `1/√(9d)`.
        c: f64,
        /// `d · (1/κ)`, the factor of the unscaled draw.
        scale: f64,
    },
    /// κ ≤ 1: the library's sampler.
    Small(Gamma<f64>),
}

impl Popularity {
    /// Gamma(`kappa`, 1/`kappa`), `kappa` > 0 and finite (checked by the scenario).
    pub fn new(kappa: f64) -> Self {
        let scale = 1.0 / kappa;
        if kappa > 1.0 && kappa.is_finite() {
            // `GammaLargeShape::new_raw` and `sample` of `rand_distr` 0.6.
            let d = kappa - 1. / 3.;
            let c = 1.0 / (9.0 * d).sqrt();
            return Self::Large {
                d,
                c,
                scale: d * scale,
            };
        }
        Self::Small(Gamma::new(kappa, scale).expect("κ > 0 is checked"))
    }

    /// One weight drawn from `rng`.
    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        match *self {
            Self::Large { d, c, scale } => large(d, c, rng) * scale,
            Self::Small(gamma) => gamma.sample(rng),
        }
    }

    /// Fills `weights` with weights drawn in order from `rng`.
    #[inline]
    pub fn fill(&self, rng: &mut Stream, weights: &mut [f64]) {
        match *self {
            Self::Large { d, c, scale } => weights.iter_mut().for_each(|w| {
                *w = large(d, c, rng) * scale;
            }),
            Self::Small(gamma) => weights.iter_mut().for_each(|w| *w = gamma.sample(rng)),
        }
    }
}

/// An unscaled Gamma(d + 1/3) draw by Marsaglia & Tsang's method, line for line as
/// `rand_distr` 0.6 writes it (`GammaLargeShape::sample_unscaled`).
#[inline(always)]
fn large(d: f64, c: f64, rng: &mut Stream) -> f64 {
    loop {
        let x: f64 = StandardNormal.sample(rng);
        let v_cbrt = 1.0 + c * x;
        if v_cbrt <= 0.0 {
            continue;
        }
        let v = v_cbrt * v_cbrt * v_cbrt;
        let u: f64 = Open01.sample(rng);
        let x_sqr = x * x;
        if u < 1.0 - 0.0331 * x_sqr * x_sqr || u.ln() < 0.5 * x_sqr + d * (1.0 - v + v.ln()) {
            return v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn draws_are_those_of_the_library_bit_for_bit() {
        for kappa in [1e-6, 0.5, 1.0, 1.000_001, 2.0, 20.0, 48.6, 150.0, 1e9] {
            let (ours, theirs) = (
                Popularity::new(kappa),
                Gamma::new(kappa, 1.0 / kappa).unwrap(),
            );
            for seed in 0..200u64 {
                let mut a = Stream::seed_from_u64(seed);
                let mut b = Stream::seed_from_u64(seed);
                let mut filled = [0.0; 7];
                ours.fill(&mut a, &mut filled[..6]);
                filled[6] = ours.sample(&mut a);
                for (i, &w) in filled.iter().enumerate() {
                    let want: f64 = theirs.sample(&mut b);
                    assert_eq!(
                        w.to_bits(),
                        want.to_bits(),
                        "κ {kappa}, seed {seed}, draw {i}"
                    );
                }
            }
        }
    }
}
