//! `[drift]`: per-stage enrolment and private-share drift and the migration trend's, each
//! `{ sigma, rho = 1, from = base year }`, the trend's with `scale = "log"` or `"level"`.

use std::collections::BTreeMap;

use super::super::drift::{DriftSeries, DriftTarget};
use super::{raw, Result, Stage, Validator, Year};

impl Validator<'_> {
    /// The drift series of `d`, stages by age then the trend; none without the table.
    pub(super) fn drift(
        &self,
        d: Option<raw::DriftRaw>,
        stages: &[Stage],
        (base, horizon): (Year, Year),
    ) -> Result<Vec<DriftSeries>> {
        let Some(d) = d else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        let per_stage: [(_, fn(_) -> _, _); 2] = [
            ("enrolment", DriftTarget::Enrolment, d.enrolment),
            ("private_share", DriftTarget::PrivateShare, d.private_share),
        ];
        for (table, target, specs) in per_stage {
            let mut specs: BTreeMap<String, raw::DriftSpecRaw> = specs.unwrap_or_default();
            for (st, stage) in stages.iter().enumerate() {
                if let Some(spec) = specs.remove(&stage.id) {
                    let key = format!("{table}.{}", stage.id);
                    if let Some(scale) = &spec.scale {
                        return Err(self.err(
                            &format!("drift.{key}.scale"),
                            format!("drift.{key}.scale = \"{scale}\": only [drift] trend takes a scale (a stage's series is on the log or log-odds scale)"),
                        ));
                    }
                    out.push(self.drift_series(
                        key,
                        target(super::StageIx(st)),
                        spec,
                        (base, horizon),
                    )?);
                }
            }
            if let Some(id) = specs.keys().next() {
                return Err(self.err(
                    &format!("drift.{table}.{id}"),
                    format!("[drift.{table}] {id}: no stage `{id}` is defined in [stages]"),
                ));
            }
        }
        if let Some(spec) = d.trend {
            let target = match spec.scale.as_deref() {
                None | Some("log") => DriftTarget::Trend,
                Some("level") => DriftTarget::TrendLevel,
                Some(other) => {
                    return Err(self.err(
                        "drift.trend.scale",
                        format!("drift.trend.scale = \"{other}\": must be \"log\" (trend · e^x, the default) or \"level\" (max(0, trend + x))"),
                    ))
                }
            };
            out.push(self.drift_series("trend".into(), target, spec, (base, horizon))?);
        }
        Ok(out)
    }

    fn drift_series(
        &self,
        key: String,
        target: DriftTarget,
        spec: raw::DriftSpecRaw,
        (base, horizon): (Year, Year),
    ) -> Result<DriftSeries> {
        let k = |name: &str| format!("drift.{key}.{name}");
        let sigma = spec
            .sigma
            .ok_or_else(|| self.missing(&k("sigma"), "sd of one year's change, e.g. 0.02"))?;
        let sigma = self.num(
            &k("sigma"),
            sigma,
            |x| (0.0..=2.0).contains(&x),
            "between 0 and 2",
        )?;
        let rho = self.opt_num(
            &k("rho"),
            spec.rho,
            1.0,
            |x| (0.0..=1.0).contains(&x),
            "between 0 and 1 (1 = random walk)",
        )?;
        let from = match spec.from {
            None => base,
            Some(y) if (i64::from(base.0)..i64::from(horizon.0)).contains(&y) => Year(y as i32),
            Some(y) => {
                return Err(self.err(
                    &k("from"),
                    format!(
                        "{} = {y}: must be a year from the base year {base} to {}",
                        k("from"),
                        horizon.0 - 1
                    ),
                ))
            }
        };
        Ok(DriftSeries {
            key,
            target,
            sigma,
            rho,
            from,
        })
    }
}
