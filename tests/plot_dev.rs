//! Tests of the plot module (`seatsim::plot`): a synthetic run folder drawn end to end.

use std::path::PathBuf;

use seatsim::plot::{draw_run, PlotOptions};

/// Redraws the run folder named by `SEATSIM_PLOT_RUN_DIR`, for looking at the charts by eye:
/// `SEATSIM_PLOT_RUN_DIR=output/x cargo test --test plot_dev -- --ignored`.
#[test]
#[ignore = "draws the run folder named by SEATSIM_PLOT_RUN_DIR"]
fn redraw_run_dir_from_env() {
    let dir = PathBuf::from(std::env::var("SEATSIM_PLOT_RUN_DIR").expect("SEATSIM_PLOT_RUN_DIR"));
    let written = draw_run(&dir, &PlotOptions::default()).expect("run folder draws");
    println!("{} files written", written.len());
}
