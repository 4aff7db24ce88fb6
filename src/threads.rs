//! Work that can wait runs at a slightly lower priority than work that cannot, so on a
//! machine with few cores the urgent thread gets a core whenever it can run instead of
//! taking turns with the others:
//! - parse workers, beside the one thread that writes to the cache (the pipeline's
//!   bottleneck): on a 2-core machine this took a 50,000-item fetch from 11 s to 10 s;
//! - the reader's list loader, beside the thread that draws: the first frame at 100,000
//!   articles came 9 ms later when loading the whole list competed with it.

/// Lowers the calling thread's scheduling priority by five steps. Linux only (elsewhere a
/// no-op); failure is harmless.
pub fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls about the calling thread; no memory is passed.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        // Relative to the thread's current niceness (-1 is also a valid answer, so errors
        // are not told apart: the worst case is a priority left as it was).
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid, (now + 5).min(19));
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn priority_is_lowered_relative_to_the_threads_own() {
        let niceness = || unsafe {
            // SAFETY: reads the calling thread's own niceness.
            libc::getpriority(libc::PRIO_PROCESS, libc::syscall(libc::SYS_gettid) as u32)
        };
        let (before, after) = std::thread::spawn(move || {
            let before = niceness();
            super::lower_priority();
            (before, niceness())
        })
        .join()
        .unwrap();
        assert_eq!(after, (before + 5).min(19));
    }
}
