//! seatsim's integration tests: one binary (like ripgrep's), one module per subject.

// Helpers: write small scenarios to temp dirs, run the real binary, read its CSV output.
mod support;

// The deterministic projection against hand calculations, value by value.
mod golden;

// Same scenario and seed → byte-identical output, whatever the thread count.
mod reproducibility;

// `[teachers]` and `[costs]`: teachers_needed and spending by hand, delays moving the money.
mod resources;

// Monte Carlo draws against their known distributions, with tolerances from the maths.
mod statistics;

// City-wide shocks: the migration AR(1) shared by every district, delays through a copula.
mod shocks;

// `[drift]`: AR(1) drift of enrolment, private shares and the trend, growing with the horizon.
mod drift;

// `[stages.X] surge`: extra classes in existing schools by hand; off, nothing changes.
mod surge;
// New housing (DESIGN §2.8): an estate's children by hand, delays, ranged multipliers.
mod housing;

// Uncertain inputs: their draws, central values in deterministic mode, shared labels, `check`.
mod uncertain;

// Risk against the policy targets of [standards].
mod targets;

// summary.csv's quantiles against the exact trial values of `--keep-trials`.
mod quantiles;

// The command line: exit codes, error messages, nothing written on bad input.
mod cli;

// The default Zhengzhou scenario: base year against the 2020 bulletin; what-if directions.
mod zhengzhou;
// The Zhengzhou back-test from 2012: base year against the 2012 bulletin; backtest runs.
mod zhengzhou2012;
// `seatsim compare`: paired differences under common random numbers, cell matching.
mod compare;

// `seatsim plan`: enumeration, agreement with `run`, budgets, threads, bad input.
mod plan;
// `seatsim plan` against brute force on random small problems, every option of DESIGN §8.
mod plan_fuzz;

// `seatsim backtest`: observed-file checks, errors and band coverage of the projection.
mod backtest;

// Charts, map and report.html from a run folder (synthetic runs and broken files).
mod plot;
// The tornado in seats and the `[labels]` of its inputs.
mod tornado;
// report.html of a real run: the headline against the CSV files, and in a headless browser.
mod report;
// README and docs/: links resolve, no repeated heading, the glossary the pages print.
mod docs;
// `run --shard k/n` and `merge`: byte-identical to one run; gaps, overlaps, mismatches refused.
mod shard;
// `[[changes]]`: what-ifs that edit an inherited pipeline, seen through `compare`.
mod changes;
// Encodings of CSV input (GB18030, BOM) and results.xlsx read back.
mod workbook;
// Broken scenarios (tests/broken/): exit code 2, a located message, nothing written.
mod broken;

// Faults beyond the corpus: the other commands' options and files, inputs never overwritten.
mod faults;

// Ctrl-C, SIGTERM and write failures: exit 1, previous results intact, no partial file.
mod interrupt;

// The output folder holds one complete run: kills at the switch, full disks, concurrent runs.
mod output_folder;

// Invariants of the projection over random valid scenarios (proptest).
mod properties;

// `seatsim serve`: the what-if API over real HTTP, hostile requests, the saved what-if.
mod serve;
