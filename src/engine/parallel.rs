//! Running trials on a rayon pool: fixed-size chunks handed out through an atomic counter,
//! one state per worker, merged at the end (the pilots of paired runs, calibration and
//! planning; a run itself goes in rounds, `super::rounds`). Because the states merge
//! exactly, the result does not depend on which worker ran which chunk.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Trials per chunk: small enough to balance two cores, large enough to make the counter cheap.
const CHUNK: u64 = 64;

/// Why a parallel run did not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// Runs `work` over every chunk of `trials` on `threads` workers and merges their states.
///
/// `on_progress(done)` is called from the calling thread about ten times a second; setting
/// `cancel` stops the run after the chunks under way.
pub fn run_chunks<A: Send>(
    trials: Range<u64>,
    threads: usize,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(u64) + Sync),
    init: impl Fn() -> A + Sync,
    work: impl Fn(&mut A, Range<u64>) + Sync,
    merge: impl Fn(&mut A, A),
) -> Result<A, Cancelled> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .expect("a thread pool can be built");
    let next = AtomicU64::new(trials.start);
    let done = AtomicU64::new(0);
    let caller = std::thread::current();
    let states = std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            let states = pool.broadcast(|_| {
                let mut state = init();
                while !cancel.load(Ordering::Relaxed) {
                    let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if start >= trials.end {
                        break;
                    }
                    let end = (start + CHUNK).min(trials.end);
                    work(&mut state, start..end);
                    done.fetch_add(end - start, Ordering::Relaxed);
                }
                state
            });
            caller.unpark();
            states
        });
        // Polling the handle rather than a flag: a worker that panics ends the run with its
        // panic instead of leaving the caller waiting for ever.
        while !handle.is_finished() {
            on_progress(done.load(Ordering::Relaxed));
            std::thread::park_timeout(Duration::from_millis(100));
        }
        on_progress(done.load(Ordering::Relaxed));
        handle.join().expect("worker threads do not panic")
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    let mut states = states.into_iter();
    let mut total = states.next().expect("at least one worker");
    for s in states {
        merge(&mut total, s);
    }
    Ok(total)
}
