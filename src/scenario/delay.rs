//! `[construction.delay] correlation`: how strongly the delays of one programme move together
//! (DESIGN §2.3, a Gaussian copula).

use super::raw::DelayRaw;
use super::validate::Validator;
use super::ScenarioError;

impl Validator<'_> {
    /// The copula's ρ: 0 (independent projects, the default) up to but excluding 1 (every
    /// project the same draw, which would leave each project's own draw no weight).
    pub(super) fn delay_correlation(&self, d: Option<&DelayRaw>) -> Result<f64, ScenarioError> {
        self.opt_num(
            "construction.delay.correlation",
            d.and_then(|d| d.correlation),
            0.0,
            |x| (0.0..1.0).contains(&x),
            "from 0 (independent projects) up to but not including 1",
        )
    }
}
