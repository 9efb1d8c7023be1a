//! How the process takes memory: glibc's allocator set for a comparison's pattern, and the
//! block size from which a buffer has a mapping of its own.
//!
//! A comparison allocates and frees series of a few hundred KiB on every core. By default
//! glibc gives the top of its heap back to the system whenever 128 KiB there are free, and
//! adjusts that threshold and the one for mapping a block on its own as large blocks come
//! and go; on a week of samples the resulting page faults were a sixth of the CPU time, and
//! whether a snapshot's 20 MB of text went back to the system after decoding depended on
//! the order threads ran in (peak memory 53 or 73 MiB from one run to the next). Fixed
//! thresholds make both predictable.

/// Blocks at least this large are mapped on their own and unmapped when freed; the heap
/// keeps up to this much free memory at its top rather than trimming it.
pub const OWN_MAPPING: usize = 32 << 20;

/// Sets the allocator's thresholds; called first thing in `main`, before any thread starts.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let threshold = libc::c_int::try_from(OWN_MAPPING).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets two of glibc's malloc parameters; it is called before
        // any other thread exists. A refused setting (return 0) leaves glibc's defaults.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, threshold);
            libc::mallopt(libc::M_TRIM_THRESHOLD, threshold);
        }
    }
}
