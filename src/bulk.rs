//! The one thread that writes, for imports and feed refreshes alike: articles are stored in
//! bulk transactions (a commit per article made the cache the bottleneck), and anything that
//! fails inside a bulk costs no other article.

use crate::Result;
use crate::store::{Store, Upsert};
use crate::threads::WeighedReceiver;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long articles may stay uncommitted while more keep arriving.
pub const BULK_WINDOW: Duration = Duration::from_millis(1000);
/// How many articles a bulk may hold (each is kept until its bulk commits, in case the
/// bulk must be stored again one by one). Since bulks write the file in place, 8,000 made a
/// 50,000-item fetch 4.2–4.5 s against 4.4–4.7 s with 5,000 (4 alternating rounds), for
/// about 40 MB more at its peak; 10,000 gained nothing more.
pub const BULK_ITEMS: usize = 8000;
/// How much article text a bulk may hold: long articles (full-text pages) fill a bulk's
/// memory long before its count does.
pub const BULK_TEXT: usize = 32 << 20;

/// The fewest articles worth indexing while the writer waits (see [`receive`]).
pub const IDLE_INDEX_MIN: usize = 500;

/// The next message for the writer, waiting at most as long as the open bulk may. While
/// none is waiting, the open bulk's articles so far go into the search index: its commit
/// would otherwise index them all at once, and the last bulk's commit runs alone at the end
/// of an import, with the parse workers done. If that fails, the commit fails too, and the
/// bulk is stored again one by one.
pub fn receive<M, T: Item>(
    rx: &WeighedReceiver<M>,
    bulk: &BulkWriter<T>,
    store: &mut Store,
) -> std::result::Result<M, mpsc::RecvTimeoutError> {
    match rx.try_recv() {
        Ok(m) => Ok(m),
        Err(mpsc::TryRecvError::Disconnected) => Err(mpsc::RecvTimeoutError::Disconnected),
        Err(mpsc::TryRecvError::Empty) => {
            // Does nothing when no bulk is open; a failure fails the bulk's commit.
            let _ = store.index_bulk_so_far(IDLE_INDEX_MIN);
            rx.recv_timeout(bulk.patience())
        }
    }
}

/// Something with an article to store.
pub trait Item {
    /// Stores the article (in the store's open bulk, if any).
    fn store_in(&self, store: &mut Store) -> Result<Upsert>;
    /// How many bytes of text the article holds.
    fn text_len(&self) -> usize;
}

/// An item with what storing it did.
pub struct Done<T> {
    pub item: T,
    pub outcome: Result<Upsert>,
}

/// Items stored in the open bulk, committed together. If anything in a bulk fails (a full
/// disk, say), the bulk is rolled back and its items stored one transaction each, so every
/// article is whole or absent. Items come back from [`BulkWriter::release`] once committed,
/// in the order they came, so no report ever claims more than was stored.
pub struct BulkWriter<T> {
    opened: Option<Instant>,
    /// Items of the open bulk, not committed yet.
    open: Vec<Done<T>>,
    /// Their text, in bytes.
    open_text: usize,
    /// Items committed (or failed for good), not released yet; they came before `open`.
    settled: Vec<Done<T>>,
}

impl<T: Item> BulkWriter<T> {
    pub fn new() -> Self {
        BulkWriter {
            opened: None,
            open: Vec::new(),
            open_text: 0,
            settled: Vec::new(),
        }
    }

    /// Stores `item` in the open bulk, opening one if needed.
    pub fn write(&mut self, store: &mut Store, item: T) {
        if self.opened.is_none() && store.begin_bulk().is_ok() {
            self.opened = Some(Instant::now());
        }
        let outcome = item.store_in(store);
        let failed = outcome.is_err();
        let done = Done { item, outcome };
        if self.opened.is_none() {
            // Stored in a transaction of its own (no bulk could be opened).
            self.settled.push(done);
            return;
        }
        self.open_text += done.item.text_len();
        self.open.push(done);
        if failed {
            self.opened = None;
            store.rollback_bulk();
            self.store_one_by_one(store);
        }
    }

    /// Whether to release now: the bulk's window is over or it is full, or no bulk is
    /// open and items are waiting.
    pub fn due(&self) -> bool {
        match self.opened {
            None => !self.settled.is_empty(),
            Some(t) => {
                t.elapsed() >= BULK_WINDOW
                    || self.open.len() >= BULK_ITEMS
                    || self.open_text >= BULK_TEXT
            }
        }
    }

    /// Whether a bulk is open (its items not committed yet).
    pub fn is_open(&self) -> bool {
        self.opened.is_some()
    }

    /// How long the open bulk may still wait for more items.
    pub fn patience(&self) -> Duration {
        self.opened
            .map_or(BULK_WINDOW, |t| BULK_WINDOW.saturating_sub(t.elapsed()))
    }

    /// Commits the open bulk (storing its items one by one if the commit fails) and hands
    /// back every waiting item with its outcome, in the order they came.
    pub fn release(&mut self, store: &mut Store) -> Vec<Done<T>> {
        self.open_text = 0;
        if self.opened.take().is_some() {
            if store.end_bulk().is_err() {
                self.store_one_by_one(store);
            } else {
                self.settled.append(&mut self.open);
            }
        }
        std::mem::take(&mut self.settled)
    }

    /// Stores the open bulk's items again, each in a transaction of its own (after a
    /// rollback); they are settled then, so a later bulk that fails never stores them twice.
    fn store_one_by_one(&mut self, store: &mut Store) {
        self.open_text = 0;
        for mut d in self.open.drain(..) {
            d.outcome = d.item.store_in(store);
            self.settled.push(d);
        }
    }
}

impl<T: Item> Default for BulkWriter<T> {
    fn default() -> Self {
        BulkWriter::new()
    }
}

/// Frees what the writer is done with on a thread of its own. The articles were allocated
/// by the parse workers, and freeing them on the writer (the pipeline's bottleneck) took
/// 6 % of its time on a 50,000-item fetch, mostly in the allocator's cross-thread
/// bookkeeping. Everything sent is freed by the time this is dropped.
pub struct Discard<T: Send + 'static> {
    tx: Option<mpsc::Sender<T>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl<T: Send + 'static> Discard<T> {
    /// Frees on a new thread (or in place, if no thread can be started).
    pub fn on_own_thread() -> Self {
        let (tx, rx) = mpsc::channel::<T>();
        let spawned = std::thread::Builder::new()
            .name("dateline-free".into())
            .spawn(move || {
                // Freeing can wait; the writer cannot.
                crate::threads::lower_priority();
                rx.into_iter().for_each(drop)
            });
        match spawned {
            Ok(thread) => Discard {
                tx: Some(tx),
                thread: Some(thread),
            },
            Err(_) => Discard::in_place(),
        }
    }

    /// Frees at once, on the caller's thread.
    pub fn in_place() -> Self {
        Discard {
            tx: None,
            thread: None,
        }
    }

    pub fn discard(&self, garbage: T) {
        if let Some(tx) = &self.tx {
            // A send fails only if the thread is gone; the value then drops here.
            let _ = tx.send(garbage);
        }
    }
}

impl<T: Send + 'static> Drop for Discard<T> {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// An article of `text` bytes that stores as imported.
    struct Sized(usize);

    impl Item for Sized {
        fn store_in(&self, _: &mut Store) -> Result<Upsert> {
            Ok(Upsert::Imported)
        }
        fn text_len(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn a_bulk_is_due_when_its_count_or_its_text_is_full() {
        let mut store = Store::open_in_memory().unwrap();
        let mut bulk = BulkWriter::new();
        for _ in 0..BULK_ITEMS - 1 {
            bulk.write(&mut store, Sized(10));
        }
        assert!(!bulk.due());
        bulk.write(&mut store, Sized(10));
        assert!(bulk.due());
        assert_eq!(bulk.release(&mut store).len(), BULK_ITEMS);

        // Three long articles fill a bulk's text.
        bulk.write(&mut store, Sized(BULK_TEXT / 3));
        bulk.write(&mut store, Sized(BULK_TEXT / 3));
        assert!(!bulk.due());
        bulk.write(&mut store, Sized(BULK_TEXT - 2 * (BULK_TEXT / 3)));
        assert!(bulk.due());
        assert_eq!(bulk.release(&mut store).len(), 3);
        // A new bulk starts empty.
        bulk.write(&mut store, Sized(BULK_TEXT / 3));
        assert!(!bulk.due());
    }

    /// An article that stores itself with no entities.
    struct Plain(crate::model::Article);

    impl Item for Plain {
        fn store_in(&self, store: &mut Store) -> Result<Upsert> {
            store.upsert(&self.0, &[])
        }
        fn text_len(&self) -> usize {
            10
        }
    }

    #[test]
    fn a_bulk_that_sqlite_rolled_back_itself_is_stored_again_one_by_one() {
        let mut store = Store::open_in_memory().unwrap();
        let mut bulk = BulkWriter::new();
        let article = |title: &str| {
            let body = vec![crate::model::Block::paragraph("Text.")];
            Plain(crate::model::Article::new(
                title.into(),
                None,
                "t".into(),
                body,
            ))
        };
        bulk.write(&mut store, article("First"));
        // What SQLite does to a transaction on some errors (a full disk): rolls it back.
        store.conn().execute_batch("ROLLBACK").unwrap();
        bulk.write(&mut store, article("Second"));
        let done = bulk.release(&mut store);
        assert!(done.iter().all(|d| d.outcome.is_ok()));
        // Reported stored, and stored: the first again, after the rollback lost it.
        assert_eq!(store.count().unwrap(), 2);
    }

    #[test]
    fn everything_discarded_is_freed_when_the_discard_is_dropped() {
        for discard in [Discard::on_own_thread(), Discard::in_place()] {
            let value = Arc::new(vec![1u8; 1024]);
            for _ in 0..100 {
                discard.discard(vec![Arc::clone(&value)]);
            }
            drop(discard);
            assert_eq!(Arc::strong_count(&value), 1);
        }
    }
}
