//! The model of DESIGN §2: how the school-age population moves from year to year
//! ([`demography`]), who needs a public seat ([`demand`]), which classes are open
//! ([`supply`]), how pupils spread over schools and classes ([`classes`], with admission caps in [`cap`],
//! and all years of a district-stage at once in [`yearly`]), and the metrics
//! reported per district × stage × year ([`metrics`]); [`surge`] opens extra classes in
//! existing schools when pupils outgrow them; [`drift`] moves the rates and the
//! migration trend of a trial away from their paths; [`housing`] adds the children of new
//! estates.
//!
//! Everything here is plain arithmetic on checked scenario data and on draws handed in by the
//! engine; no randomness is generated in this module.

pub mod cap;
pub mod classes;
pub mod demand;
pub mod demography;
pub mod drift;
pub mod housing;
pub mod metrics;
pub mod supply;
pub mod surge;
pub mod yearly;
