//! Software prefetch: asking the processor to bring memory into its cache ahead of use.
//!
//! The statistics visit thousands of sketches per batch of trials, each a short run of bytes
//! the hardware prefetchers do not see coming; naming those runs while other work is under
//! way puts their cache misses in flight together (BENCHMARKS.md, "Now"); the engine so
//! fetches the cells a trial is about to write in a round's block. The only unsafe
//! code of the crate: the intrinsic takes a raw pointer, but a prefetch reads nothing the
//! program sees and never faults, whatever the address.

/// Bytes per cache line.
const LINE: usize = 64;

/// Asks for every cache line holding part of `data` (nothing if it is empty).
#[inline]
#[allow(unsafe_code)]
pub(crate) fn prefetch<T>(data: &[T]) {
    let Some(bytes) = std::mem::size_of_val(data).checked_sub(1) else {
        return;
    };
    let misalign = data.as_ptr() as usize % LINE;
    let start = data.as_ptr().cast::<u8>().wrapping_sub(misalign);
    for line in 0..=(misalign + bytes) / LINE {
        let at = start.wrapping_add(line * LINE);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: see the module comment; `wrapping_` arithmetic keeps the address defined.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(at.cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefetching_any_slice_is_harmless() {
        let v: Vec<u64> = (0..1000).collect();
        prefetch(&v);
        prefetch(&v[3..4]);
        prefetch(&v[..0]);
        prefetch::<u8>(&[]);
        assert_eq!(v.iter().sum::<u64>(), 499_500);
    }
}
