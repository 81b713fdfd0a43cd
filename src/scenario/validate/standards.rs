//! `[standards]`: the class sizes that count as large, and the policy targets a cell's risk
//! is measured against (DESIGN §2.5).

use super::{raw, Result, Standards, Validator};

impl Validator<'_> {
    pub(super) fn standards(&self, s: Option<raw::StandardsRaw>) -> Result<Standards> {
        let s = s.unwrap_or_default();
        let large = self.opt_num(
            "standards.large_class",
            s.large_class,
            Standards::DEFAULT.large_class,
            |x| x > 0.0,
            "> 0",
        )?;
        let super_large = self.opt_num(
            "standards.super_large_class",
            s.super_large_class,
            Standards::DEFAULT.super_large_class,
            |x| x >= large,
            &format!("≥ large_class ({large})"),
        )?;
        let share = |key: &str, value: Option<f64>, what: &str| {
            self.opt_num(
                &format!("standards.{key}"),
                value,
                0.0, // every target of Standards::DEFAULT: none tolerated
                |x| (0.0..=1.0).contains(&x),
                &format!("{what} between 0 and 1 (0 = none tolerated)"),
            )
        };
        Ok(Standards {
            large_class: large,
            super_large_class: super_large,
            underuse_threshold: self.opt_num(
                "standards.underuse_threshold",
                s.underuse_threshold,
                Standards::DEFAULT.underuse_threshold,
                |x| (0.0..=1.0).contains(&x),
                "between 0 and 1",
            )?,
            large_class_target: share(
                "large_class_target",
                s.large_class_target,
                "a share of classes",
            )?,
            super_large_class_target: share(
                "super_large_class_target",
                s.super_large_class_target,
                "a share of classes",
            )?,
            shortfall_tolerance: share(
                "shortfall_tolerance",
                s.shortfall_tolerance,
                "a share of demand",
            )?,
        })
    }
}
