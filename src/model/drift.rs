//! Drift (`[drift]`): a stage's enrolment rate, private share or the migration trend wanders
//! away from its path as an AR(1) started at 0 in the series' `from` year, so that its spread
//! grows with the horizon — `σ√h` for a random walk, `σ·√((1−ρ^{2h})/(1−ρ²))` below it.

use crate::scenario::{DriftSeries, DriftTarget, Year};

use super::demand::StageRates;

/// Fills `out` (one value per year number, index 0 the base year `base`) with one series:
/// 0 up to `from`, then `x_t = ρ·x_{t−1} + σ·z` with `z` taken from `normal` year by year.
pub fn fill(series: &DriftSeries, base: Year, mut normal: impl FnMut() -> f64, out: &mut [f64]) {
    let start = (series.from.0 - base.0) as usize;
    let mut x = 0.0;
    for (i, slot) in out.iter_mut().enumerate() {
        if i > start {
            x = series.rho * x + series.sigma * normal();
        }
        *slot = x;
    }
}

/// Moves one year's rates and `(births index, trend)` by the series' value `x` there.
pub fn apply(target: DriftTarget, x: f64, rates: &mut [StageRates], drivers: &mut (f64, f64)) {
    match target {
        DriftTarget::Enrolment(st) => rates[st.0].enrolment *= x.exp(),
        DriftTarget::PrivateShare(st) => {
            let p = &mut rates[st.0].private_share;
            if *p > 0.0 && *p < 1.0 {
                let odds = *p / (1.0 - *p) * x.exp();
                *p = odds / (1.0 + odds);
            }
        }
        DriftTarget::Trend => drivers.1 *= x.exp(),
        // The format has no net outflow of children (DESIGN §2.1 step 4 keeps `inflow·trend` ≥ 0).
        DriftTarget::TrendLevel => drivers.1 = (drivers.1 + x).max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::StageIx;

    fn series(sigma: f64, rho: f64, from: i32) -> DriftSeries {
        DriftSeries {
            key: "enrolment.primary".into(),
            target: DriftTarget::Enrolment(StageIx(0)),
            sigma,
            rho,
            from: Year(from),
        }
    }

    #[test]
    fn a_series_is_zero_up_to_from_then_follows_the_recursion_by_hand() {
        let z = [1.0, -2.0, 0.5];
        let mut it = z.iter().copied();
        let mut out = [9.0; 6];
        fill(
            &series(0.1, 0.5, 2022),
            Year(2020),
            || it.next().unwrap(),
            &mut out,
        );
        // 2020, 2021, 2022 held; 2023 = 0.1; 2024 = 0.05 − 0.2; 2025 = −0.075 + 0.05.
        let want = [0.0, 0.0, 0.0, 0.1, 0.05 - 0.2, 0.5 * (0.05 - 0.2) + 0.05];
        for (got, want) in out.iter().zip(want) {
            assert!((got - want).abs() < 1e-15, "{out:?}");
        }
        assert!(it.next().is_none(), "one normal per year after `from`");
    }

    #[test]
    fn sd_after_h_years_is_the_ar1_sum() {
        assert!((series(0.03, 1.0, 2020).sd_after(4) - 0.06).abs() < 1e-15);
        let s = series(0.1, 0.6, 2020);
        let closed = 0.1 * ((1.0 - 0.6f64.powi(6)) / (1.0 - 0.36)).sqrt();
        assert!((s.sd_after(3) - closed).abs() < 1e-15);
        assert_eq!(s.sd_after(0), 0.0);
    }

    #[test]
    fn apply_moves_enrolment_and_trend_by_exp_and_shares_on_the_log_odds() {
        let mut rates = [StageRates {
            enrolment: 1.1,
            private_share: 0.2,
        }];
        let mut drivers = (0.9, 0.5);
        let x = 0.3f64;
        apply(
            DriftTarget::Enrolment(StageIx(0)),
            x,
            &mut rates,
            &mut drivers,
        );
        apply(
            DriftTarget::PrivateShare(StageIx(0)),
            x,
            &mut rates,
            &mut drivers,
        );
        apply(DriftTarget::Trend, x, &mut rates, &mut drivers);
        assert!((rates[0].enrolment - 1.1 * x.exp()).abs() < 1e-15);
        let logit = |p: f64| (p / (1.0 - p)).ln();
        assert!((logit(rates[0].private_share) - (logit(0.2) + x)).abs() < 1e-12);
        assert_eq!(drivers.0, 0.9);
        assert!((drivers.1 - 0.5 * x.exp()).abs() < 1e-15);
        let mut none = [StageRates::default()];
        apply(
            DriftTarget::PrivateShare(StageIx(0)),
            x,
            &mut none,
            &mut drivers,
        );
        assert_eq!(none[0].private_share, 0.0, "no private sector stays none");
    }

    #[test]
    fn a_level_trend_adds_and_stops_at_zero() {
        let mut drivers = (0.9, 0.15);
        apply(DriftTarget::TrendLevel, 0.1, &mut [], &mut drivers);
        assert!((drivers.1 - 0.25).abs() < 1e-15);
        apply(DriftTarget::TrendLevel, -0.4, &mut [], &mut drivers);
        assert_eq!(drivers, (0.9, 0.0));
    }
}
