//! seatsim
