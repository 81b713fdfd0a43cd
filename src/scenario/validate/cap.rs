//! `[stages.X] admission_cap`: the class size at which schools stop admitting (DESIGN §2.4).

use super::{Result, Validator};

/// Largest accepted cap, as for the class size: anything above is a slipped digit.
const MAX_CAP: f64 = 1000.0;

impl Validator<'_> {
    /// The cap at `key`, if set: pupils per class, from the stage's `class_size` (a school
    /// below its standard size still has room) to [`MAX_CAP`].
    pub(super) fn admission_cap(
        &self,
        key: &str,
        cap: Option<f64>,
        class_size: i64,
    ) -> Result<Option<f64>> {
        let lo = class_size as f64;
        cap.map(|m| {
            self.num(
                key,
                m,
                |m| (lo..=MAX_CAP).contains(&m),
                &format!(
                    "pupils per class from class_size ({class_size}) to {MAX_CAP} \
                     (e.g. 65: no super-large class of 66)"
                ),
            )
        })
        .transpose()
    }
}
