//! seatsim's integration tests: one binary (like ripgrep's), one module per subject.

// Helpers: write small scenarios to temp dirs, run the real binary, read its CSV output.
mod support;

// The deterministic projection against hand calculations, value by value.
mod golden;

// Same scenario and seed → byte-identical output, whatever the thread count.
mod reproducibility;

// Monte Carlo draws against their known distributions, with tolerances from the maths.
mod statistics;

// The command line: exit codes, error messages, nothing written on bad input.
mod cli;

// Broken scenarios (tests/broken/): exit code 2, a located message, nothing written.
mod broken;

// Ctrl-C, SIGTERM and write failures: exit 1, previous results intact, no partial file.
mod interrupt;

// Invariants of the projection over random valid scenarios (proptest).
mod properties;
