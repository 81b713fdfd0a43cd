//! seatsim

pub mod plot;
