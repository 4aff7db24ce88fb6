//! Work that can wait runs at a slightly lower priority than work that cannot, so on a
//! machine with few cores the urgent thread gets a core whenever it can run instead of
//! taking turns with the others:
//! - parse workers, beside the one thread that writes to the cache (the pipeline's
//!   bottleneck): on a 2-core machine this took a 50,000-item fetch from 11 s to 10 s;
//! - the reader's list loader, beside the thread that draws: the first frame at 100,000
//!   articles came 9 ms later when loading the whole list competed with it.
//!
//! And CPU-bound work on threads that mostly wait takes a permit per core ([`CpuPermits`]).

use std::sync::{Condvar, Mutex, PoisonError};

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

/// A counting semaphore for CPU-bound work done on threads that also wait on the network:
/// a feed refresh fetches with many threads (most of a fetch is waiting), but parsing and
/// extraction on more threads than there are cores only take turns on them (a 50,000-item
/// fetch on 2 cores used 6 % more CPU with 8 threads parsing at once).
pub struct CpuPermits {
    free: Mutex<usize>,
    freed: Condvar,
}

/// A permit held; given back when dropped.
pub struct Permit<'a>(&'a CpuPermits);

impl CpuPermits {
    /// As many permits as the machine has cores (at least one).
    pub fn per_core() -> CpuPermits {
        CpuPermits::new(crate::import::default_jobs())
    }

    pub fn new(n: usize) -> CpuPermits {
        CpuPermits {
            free: Mutex::new(n.max(1)),
            freed: Condvar::new(),
        }
    }

    /// Waits for a permit.
    pub fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod permit_tests {
    use super::CpuPermits;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn no_more_than_the_permits_run_at_once() {
        let permits = CpuPermits::new(2);
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..50 {
                        let _p = permits.acquire();
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        running.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert!(most.load(Ordering::SeqCst) <= 2);
        assert_eq!(running.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn every_permit_can_be_held_at_once_and_comes_back() {
        let permits = CpuPermits::new(2);
        let (a, b) = (permits.acquire(), permits.acquire());
        assert_eq!(*permits.free.lock().unwrap(), 0);
        drop((a, b));
        assert_eq!(*permits.free.lock().unwrap(), 2);
    }

    #[test]
    fn a_zero_count_still_lets_work_through() {
        let permits = CpuPermits::new(0);
        drop(permits.acquire());
        drop(permits.acquire());
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
