//! The progress bar on stderr: shown only for runs longer than a second, on a terminal, and
//! not with `--quiet`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Delay before the bar appears, so that short runs stay silent.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A progress bar over trials that appears only when worth it.
pub struct Progress {
    bar: ProgressBar,
    enabled: bool,
    started: Instant,
}

impl Progress {
    /// A bar over `total` trials; `quiet` disables it, as does a stderr that is no terminal.
    pub fn new(total: u64, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} trials  {per_sec}  eta {eta}")
                .expect("the template is valid"),
        );
        Self {
            bar,
            enabled: !quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
        }
    }

    /// Reports `done` trials.
    pub fn update(&self, done: u64) {
        if self.enabled && self.bar.is_hidden() && self.started.elapsed() >= SHOW_AFTER {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.set_position(done);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
