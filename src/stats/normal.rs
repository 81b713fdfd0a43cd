//! The standard normal distribution's CDF Φ and quantile Φ⁻¹, for inverse-CDF draws that
//! several numbers share (uncertain inputs) and for the delay copula's thresholds.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Φ(x), to within a few ulps (through `erfc`, accurate in both tails).
pub fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
}

/// Φ⁻¹(p) for p in [0, 1]: −∞ at 0, +∞ at 1, NaN outside.
///
/// Acklam's rational approximation (relative error 1.2e-9) refined by one Halley step on
/// `cdf`, which brings it to about full double precision; the upper half is taken by symmetry
/// (`1 − p` is exact there), so the refinement never works on a rounded-away tail.
pub fn quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p > 0.5 {
        return -lower_quantile(1.0 - p);
    }
    lower_quantile(p)
}

/// Φ⁻¹(p) for p in [0, 0.5].
fn lower_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    let poly = |c: &[f64], x: f64| c.iter().fold(0.0, |acc, &k| acc * x + k);
    let x = if p < 0.024_25 {
        let q = (-2.0 * p.ln()).sqrt();
        poly(&C, q) / (poly(&D, q) * q + 1.0)
    } else {
        let q = p - 0.5;
        let r = q * q;
        poly(&A, r) * q / (poly(&B, r) * r + 1.0)
    };
    let e = cdf(x) - p;
    let u = e * (2.0 * PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdf_matches_tabulated_values() {
        for (x, p) in [
            (0.0, 0.5),
            (1.0, 0.841_344_746_068_542_9),
            (-1.959_963_984_540_054, 0.025),
            (-5.0, 2.866_515_718_791_939e-7),
        ] {
            assert!(
                (cdf(x) - p).abs() <= 1e-15 + 1e-12 * p,
                "Φ({x}) = {}",
                cdf(x)
            );
        }
    }

    #[test]
    fn quantile_inverts_the_cdf_in_the_middle_and_both_tails() {
        for p in [
            1e-300,
            1e-12,
            1e-5,
            0.01,
            0.024_25,
            0.2,
            0.5,
            0.7,
            0.975,
            1.0 - 1e-10,
        ] {
            let x = quantile(p);
            let back = cdf(x);
            assert!(
                (back - p).abs() <= 1e-13 * p.min(1.0 - p),
                "p {p}: x {x}, Φ(x) {back}"
            );
        }
        assert!((quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert_eq!(quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(quantile(1.0), f64::INFINITY);
        assert!(quantile(1.5).is_nan());
    }
}
