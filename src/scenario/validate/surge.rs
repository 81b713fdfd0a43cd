//! `[stages.X] surge = { extra_classes = f }`: extra classes in existing schools when pupils
//! outgrow the standard seats (README model note 15; an extension of DESIGN §2.3).

use super::{raw, Catchment, Result, Surge, Validator};

impl Validator<'_> {
    /// The surge at `key`, if set: `extra_classes` in [0, 1], for a district catchment only
    /// (a city-wide pool has no buildings of its own to crowd).
    pub(super) fn surge(
        &self,
        key: &str,
        surge: Option<raw::SurgeRaw>,
        catchment: Catchment,
    ) -> Result<Option<Surge>> {
        let Some(surge) = surge else { return Ok(None) };
        if catchment == Catchment::City {
            return Err(self.err(
                key,
                format!(
                    "{key}: only a stage with catchment = \"district\" can open extra classes \
                     in its schools (this stage is pooled city-wide)"
                ),
            ));
        }
        let share_key = format!("{key}.extra_classes");
        let share = surge.extra_classes.ok_or_else(|| {
            self.missing(
                &share_key,
                "the share of the existing classes a district may open again as extra \
                 classes, from 0 to 1, e.g. 0.1",
            )
        })?;
        let extra_classes = self.num(
            &share_key,
            share,
            |f| (0.0..=1.0).contains(&f),
            "a share of the existing classes from 0 to 1 (e.g. 0.1 = one extra class per ten)",
        )?;
        Ok(Some(Surge { extra_classes }))
    }
}
