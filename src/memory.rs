//! How the process takes memory: glibc's allocator set for a comparison's pattern, and the
//! block size from which a buffer has a mapping of its own.
//!
//! A comparison allocates and frees series of a few hundred KiB on every core. By default
//! glibc gives the top of its heap back to the system whenever 128 KiB there are free, and
//! raises that threshold, and the one for mapping a block on its own, each time a large
//! mapped block is freed. On a week of samples the page faults of giving back and taking
//! again cost more than a tenth of the run, and whether a snapshot's 20 MB of text went back
//! to the system after decoding depended on the order threads ran in (peak 53 or 73 MiB
//! from one run to the next). Fixed thresholds make both predictable: blocks of a MiB or
//! more (snapshot text, chart pixels) are mapped and given back when freed, smaller ones
//! come from the heaps, which keep what is freed for the next series. Between the analysis
//! and the outputs, what the heaps hold free is given back (`give_back`).

/// Blocks at least this large are mapped on their own and unmapped when freed.
pub const OWN_MAPPING: usize = 1 << 20;

/// Free memory a heap keeps at its top instead of giving it back.
const KEPT_FREE: usize = 32 << 20;

/// Sets the allocator's thresholds; called first thing in `main`, before any thread starts.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let int = |bytes: usize| libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets two of glibc's malloc parameters; it is called before
        // any other thread exists. A refused setting (return 0) leaves glibc's defaults.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, int(OWN_MAPPING));
            libc::mallopt(libc::M_TRIM_THRESHOLD, int(KEPT_FREE));
        }
    }
}

/// Gives the heaps' free pages back to the system: called between a comparison's analysis
/// and its outputs (`compare` and the end of `watch`), whose allocations come from other
/// threads' heaps and would otherwise sit beside what the analysis freed.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of glibc's heaps to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
