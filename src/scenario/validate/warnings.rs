//! `[warnings.red]` and `[warnings.amber]`: the probabilities of the policy events of
//! `risk.csv` at which a cell is flagged.

use super::{raw, Result, Validator, WarningThresholds, Warnings};

/// Default thresholds: red, amber.
const DEFAULTS: [WarningThresholds; 2] = [
    WarningThresholds {
        p_shortfall: 0.5,
        p_large_classes: 0.5,
        p_super_large_classes: 0.5,
        p_underused: 0.9,
    },
    WarningThresholds {
        p_shortfall: 0.2,
        p_large_classes: 0.2,
        p_super_large_classes: 0.2,
        p_underused: 0.5,
    },
];

impl Validator<'_> {
    pub(super) fn warnings(&self, w: Option<raw::WarningsRaw>) -> Result<Warnings> {
        let (red, amber) = w.map_or((None, None), |w| (w.red, w.amber));
        let red = self.thresholds("red", red.unwrap_or_default(), &DEFAULTS[0])?;
        let amber = self.thresholds("amber", amber.unwrap_or_default(), &DEFAULTS[1])?;
        let above = red.columns().into_iter().zip(amber.columns());
        if let Some(((name, r), (_, a))) = above.into_iter().find(|((_, r), (_, a))| a > r) {
            return Err(self.err(
                &format!("warnings.amber.{name}"),
                format!("warnings.amber.{name} = {a}: must not exceed warnings.red.{name} ({r})"),
            ));
        }
        Ok(Warnings { red, amber })
    }

    fn thresholds(
        &self,
        level: &str,
        t: raw::ThresholdsRaw,
        default: &WarningThresholds,
    ) -> Result<WarningThresholds> {
        let prob = |k: &str, v, d| {
            self.opt_num(
                &format!("warnings.{level}.{k}"),
                v,
                d,
                |x| (0.0..=1.0).contains(&x),
                "a probability between 0 and 1",
            )
        };
        Ok(WarningThresholds {
            p_shortfall: prob("p_shortfall", t.p_shortfall, default.p_shortfall)?,
            p_large_classes: prob(
                "p_large_classes",
                t.p_large_classes,
                default.p_large_classes,
            )?,
            p_super_large_classes: prob(
                "p_super_large_classes",
                t.p_super_large_classes,
                default.p_super_large_classes,
            )?,
            p_underused: prob("p_underused", t.p_underused, default.p_underused)?,
        })
    }
}
