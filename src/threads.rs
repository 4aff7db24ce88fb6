//! Work that can wait runs at a slightly lower priority than work that cannot, so on a
//! machine with few cores the urgent thread gets a core whenever it can run instead of
//! taking turns with the others:
//! - parse workers, beside the one thread that writes to the cache (the pipeline's
//!   bottleneck): on a 2-core machine this took a 50,000-item fetch from 11 s to 10 s;
//! - the reader's list loader, beside the thread that draws: the first frame at 100,000
//!   articles came 9 ms later when loading the whole list competed with it.
//!
//! And CPU-bound work on threads that mostly wait takes a permit per core ([`CpuPermits`]).
//! Parsed work reaches the writer through a channel bounded by the memory it holds
//! ([`weighed_channel`]), not by a count of items.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

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

/// A channel whose items, in flight, hold at most `cap` bytes between them (by the weights
/// their senders give), plus one item of any size, so none is ever refused for its size.
///
/// The writer cannot read while it commits a bulk (the search index is written then), and
/// a channel of a few hundred items filled long before a commit ended: every worker then
/// waited, about a quarter of each second of a large fetch. A budget in bytes lets the
/// workers parse through a commit and still keeps long full-text pages from piling up.
pub fn weighed_channel<T>(cap: usize) -> (WeighedSender<T>, WeighedReceiver<T>) {
    let (tx, rx) = mpsc::channel();
    let budget = Arc::new(Budget {
        state: Mutex::new(BudgetState {
            held: 0,
            closed: false,
            next: 0,
            serving: 0,
            waiting: 0,
        }),
        freed: Condvar::new(),
        cap,
    });
    (
        WeighedSender {
            tx,
            budget: Arc::clone(&budget),
        },
        WeighedReceiver { rx, budget },
    )
}

struct Budget {
    state: Mutex<BudgetState>,
    freed: Condvar,
    cap: usize,
}

struct BudgetState {
    /// The weight of the items sent and not yet received.
    held: usize,
    /// The receiver is gone: nobody will free anything, so nobody waits.
    closed: bool,
    /// Senders are let in in the order they came (`next` is the ticket the next one takes,
    /// `serving` the one whose turn it is), so a heavy item is not passed over for ever by
    /// light ones that fit.
    next: u64,
    serving: u64,
    /// Senders waiting for their turn or for room. Nobody is woken when it is 0: a wake is
    /// a system call, and waking on every item sent and received when nobody waited was
    /// about half of the 137,592 a 50,000-item fetch made (65,663 without).
    waiting: usize,
}

impl Budget {
    fn lock(&self) -> MutexGuard<'_, BudgetState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub struct WeighedSender<T> {
    tx: mpsc::Sender<(T, usize)>,
    budget: Arc<Budget>,
}

impl<T> Clone for WeighedSender<T> {
    fn clone(&self) -> Self {
        WeighedSender {
            tx: self.tx.clone(),
            budget: Arc::clone(&self.budget),
        }
    }
}

impl<T> WeighedSender<T> {
    /// Sends `item`, which holds about `weight` bytes, once the budget has room for it and
    /// the senders that came first are in. Fails (giving the item back) when the receiver
    /// is gone.
    pub fn send(&self, item: T, weight: usize) -> Result<(), T> {
        let b = &*self.budget;
        let mut st = b.lock();
        let ticket = st.next;
        st.next += 1;
        while !st.closed && (st.serving != ticket || !fits(&st, weight, b.cap)) {
            st.waiting += 1;
            st = b.freed.wait(st).unwrap_or_else(PoisonError::into_inner);
            st.waiting -= 1;
        }
        if st.closed {
            return Err(item);
        }
        st.serving += 1;
        self.admit(st, item, weight)
    }

    /// [`WeighedSender::send`] if that would not wait; else the item comes back, as `Full`.
    pub fn try_send(&self, item: T, weight: usize) -> Result<(), TrySend<T>> {
        let b = &*self.budget;
        let st = b.lock();
        if st.closed {
            return Err(TrySend::Gone(item));
        }
        if st.serving != st.next || !fits(&st, weight, b.cap) {
            return Err(TrySend::Full(item));
        }
        self.admit(st, item, weight).map_err(TrySend::Gone)
    }

    fn admit(&self, mut st: MutexGuard<'_, BudgetState>, item: T, weight: usize) -> Result<(), T> {
        st.held = st.held.saturating_add(weight);
        // The next sender in line may fit too.
        wake_waiting(&self.budget, st);
        self.tx.send((item, weight)).map_err(|e| {
            // Not sent after all: its weight goes back.
            release(&self.budget, e.0.1);
            e.0.0
        })
    }
}

/// Why [`WeighedSender::try_send`] gave the item back.
#[derive(Debug, PartialEq, Eq)]
pub enum TrySend<T> {
    /// It would have to wait.
    Full(T),
    /// The receiver is gone.
    Gone(T),
}

/// Room for `weight` more, or nothing in flight (an item heavier than the budget goes alone).
fn fits(st: &BudgetState, weight: usize, cap: usize) -> bool {
    st.held == 0 || st.held.saturating_add(weight) <= cap
}

fn release(b: &Budget, weight: usize) {
    let mut st = b.lock();
    st.held = st.held.saturating_sub(weight);
    wake_waiting(b, st);
}

/// Unlocks the budget and wakes the waiting senders, if any.
fn wake_waiting(b: &Budget, st: MutexGuard<'_, BudgetState>) {
    let waiting = st.waiting > 0;
    drop(st);
    if waiting {
        b.freed.notify_all();
    }
}

pub struct WeighedReceiver<T> {
    rx: mpsc::Receiver<(T, usize)>,
    budget: Arc<Budget>,
}

impl<T> WeighedReceiver<T> {
    /// As [`mpsc::Receiver::recv_timeout`]; the item's weight is freed for the senders.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        let (item, weight) = self.rx.recv_timeout(timeout)?;
        release(&self.budget, weight);
        Ok(item)
    }

    /// As [`mpsc::Receiver::try_recv`]; the item's weight is freed for the senders.
    pub fn try_recv(&self) -> Result<T, mpsc::TryRecvError> {
        let (item, weight) = self.rx.try_recv()?;
        release(&self.budget, weight);
        Ok(item)
    }
}

impl<T> Drop for WeighedReceiver<T> {
    fn drop(&mut self) {
        self.budget.lock().closed = true;
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod channel_tests {
    use super::weighed_channel;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    const WAIT: Duration = Duration::from_secs(10);

    #[test]
    fn senders_wait_while_the_items_in_flight_fill_the_budget() {
        let (tx, rx) = weighed_channel::<usize>(100);
        let sent = AtomicUsize::new(0);
        std::thread::scope(|s| {
            s.spawn(|| {
                for i in 0..10 {
                    tx.send(i, 40).unwrap();
                    sent.fetch_add(1, Ordering::SeqCst);
                }
            });
            // Two items of 40 fit in 100, a third does not: the sender waits for the reader.
            while sent.load(Ordering::SeqCst) < 2 {
                std::thread::yield_now();
            }
            std::thread::sleep(Duration::from_millis(50));
            assert_eq!(sent.load(Ordering::SeqCst), 2);
            let got: Vec<usize> = (0..10).map(|_| rx.recv_timeout(WAIT).unwrap()).collect();
            assert_eq!(got, (0..10).collect::<Vec<_>>());
        });
        assert_eq!(rx.budget.lock().held, 0);
    }

    #[test]
    fn an_item_heavier_than_the_budget_still_goes_through_alone() {
        let (tx, rx) = weighed_channel::<&str>(10);
        tx.send("huge", 1_000).unwrap();
        assert_eq!(rx.recv_timeout(WAIT), Ok("huge"));
        tx.send("next", 1_000).unwrap();
        assert_eq!(rx.recv_timeout(WAIT), Ok("next"));
    }

    #[test]
    fn a_waiting_sender_gives_up_when_the_receiver_goes() {
        let (tx, rx) = weighed_channel::<u8>(10);
        tx.send(1, 10).unwrap();
        std::thread::scope(|s| {
            let waiting = s.spawn(|| tx.send(2, 10));
            // It is waiting: the budget is full.
            while rx.budget.lock().next < 2 {
                std::thread::yield_now();
            }
            assert!(!waiting.is_finished());
            drop(rx);
            assert_eq!(waiting.join().unwrap(), Err(2));
        });
    }

    #[test]
    fn a_heavy_item_is_not_passed_over_by_light_ones_that_come_after_it() {
        let (tx, rx) = weighed_channel::<&str>(100);
        tx.send("light", 30).unwrap();
        std::thread::scope(|s| {
            let heavy = s.spawn(|| tx.send("heavy", 90));
            while rx.budget.lock().next < 2 {
                std::thread::yield_now();
            }
            // 30 + 30 would fit, but the heavy item came first: the light one waits its turn.
            assert_eq!(tx.try_send("late", 30), Err(super::TrySend::Full("late")));
            let late = s.spawn(|| tx.send("late", 30));
            let got: Vec<&str> = (0..3).map(|_| rx.recv_timeout(WAIT).unwrap()).collect();
            assert_eq!(got, ["light", "heavy", "late"]);
            heavy.join().unwrap().unwrap();
            late.join().unwrap().unwrap();
        });
    }

    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    /// Runs `f` on a thread; a hang becomes a panic.
    fn within(secs: u64, f: impl FnOnce() + Send + 'static) {
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let h = std::thread::spawn(move || {
            f();
            let _ = done_tx.send(());
        });
        match done_rx.recv_timeout(Duration::from_secs(secs)) {
            Ok(()) => h.join().unwrap(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => h.join().unwrap(),
            Err(_) => panic!("a sender or the reader waited for ever: a lost wake-up"),
        }
    }

    fn one_round(round: u64, cap: usize, senders: usize, per: usize, drop_early: bool) {
        let (tx, rx) = weighed_channel::<(usize, usize)>(cap);
        std::thread::scope(|s| {
            for t in 0..senders {
                let tx = tx.clone();
                s.spawn(move || {
                    let mut seed = (round * 1000 + t as u64) | 1;
                    for i in 0..per {
                        let w = (rng(&mut seed) % (cap as u64 * 2 + 1)) as usize; // 0..=2cap
                        let r = if rng(&mut seed).is_multiple_of(3) {
                            match tx.try_send((t, i), w) {
                                Ok(()) => Ok(()),
                                Err(super::TrySend::Full(item)) => tx.send(item, w),
                                Err(super::TrySend::Gone(item)) => Err(item),
                            }
                        } else {
                            tx.send((t, i), w)
                        };
                        assert!(r.is_ok() || drop_early, "send failed with a live receiver");
                        if rng(&mut seed).is_multiple_of(7) {
                            std::thread::yield_now();
                        }
                    }
                });
            }
            drop(tx);
            let mut seed = round | 1;
            let limit = if drop_early {
                senders * per / 3
            } else {
                usize::MAX
            };
            let mut n = 0;
            while n < limit {
                match rx.recv_timeout(Duration::from_secs(20)) {
                    Ok(_) => n += 1,
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        panic!(
                            "the reader waited 20 s for items while senders waited: a lost wake-up"
                        )
                    }
                }
                match rng(&mut seed) % 50 {
                    0 => std::thread::sleep(Duration::from_micros(200)),
                    1..=5 => std::thread::yield_now(),
                    _ => {}
                }
            }
            if !drop_early {
                assert_eq!(n, senders * per, "everything sent is received");
                assert_eq!(rx.budget.lock().held, 0);
                assert_eq!(rx.budget.lock().waiting, 0);
            }
            drop(rx);
        });
    }

    /// Senders of random weights (some heavier than the whole budget), some trying first,
    /// a reader that reads slowly and sometimes goes away: nobody waits for ever, and
    /// everything sent is received.
    #[test]
    fn many_senders_of_random_weights_never_wait_for_ever() {
        let rounds: u64 = 20;
        within(120, move || {
            for round in 0..rounds {
                let cap = 1 + (round as usize % 7);
                one_round(round, cap, 2 + (round as usize % 10), 300, false);
                one_round(round + 77777, cap, 2 + (round as usize % 10), 300, true);
            }
        });
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
