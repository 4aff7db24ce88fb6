//! Importing a batch: parse and extract on every core, write to the cache from one thread,
//! in bulk transactions, and report each input in the order it was given. A bad input
//! is reported and skipped; it never stops the batch or leaves anything half-stored.

use crate::entities;
use crate::ingest::{self, Parsed};
use crate::model::{Article, Entity};
use crate::store::{Encoded, Store, Upsert};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What happened to one input.
#[derive(Debug)]
pub struct Report {
    /// The input as the user named it (path, URL, `-`, `bundled:<file>`).
    pub origin: String,
    pub outcome: Result<Imported, String>,
    pub warnings: Vec<String>,
}

#[derive(Debug)]
pub struct Imported {
    pub id: crate::model::ArticleId,
    pub title: String,
    pub status: Upsert,
}

/// Counts over a batch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
}

impl Totals {
    pub fn add(&mut self, r: &Report) {
        match &r.outcome {
            Ok(i) => match i.status {
                Upsert::Imported => self.imported += 1,
                Upsert::Updated => self.updated += 1,
                Upsert::Unchanged => self.unchanged += 1,
            },
            Err(_) => self.failed += 1,
        }
    }
}

/// An article ready to store: its entities extracted and its stored form encoded. Made on
/// the parse workers (of an import or a feed refresh), so the one thread that writes only
/// writes.
pub struct Ready {
    pub article: Article,
    pub entities: Vec<Entity>,
    pub encoded: Encoded,
}

impl Ready {
    pub fn new(article: Article) -> Ready {
        let entities = entities::extract(&article);
        Ready {
            encoded: Encoded::of(&article, &entities),
            entities,
            article,
        }
    }

    /// Stores it (in the store's open bulk, if any), as an item of `feed_id` when given.
    pub fn store_in(
        &self,
        store: &mut Store,
        feed_id: Option<i64>,
        guid: Option<&str>,
    ) -> crate::Result<Upsert> {
        store.upsert_encoded(&self.article, &self.encoded, &self.entities, feed_id, guid)
    }
}

/// A parsed input made [`Ready`], with the parser's warnings.
fn prepare(parsed: Parsed) -> (Ready, Vec<String>) {
    (Ready::new(parsed.article), parsed.warnings)
}

/// Called first on a parse worker thread: lowers its scheduling priority a little, so the
/// one thread that writes (the pipeline's bottleneck) gets a core whenever it can run
/// instead of taking turns with every worker. On a 2-core machine this took a 50,000-item
/// fetch from 11 s to 10 s. Linux only (elsewhere a no-op); failure is harmless.
pub fn yield_to_writer() {
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

/// The number of worker threads to use when the user did not say.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// How long articles may stay uncommitted while more keep arriving (imports and feed
/// refreshes alike).
pub const BULK_WINDOW: Duration = Duration::from_millis(500);
/// How many articles a bulk may hold (each is kept until its bulk commits, in case the
/// bulk must be stored again one by one).
pub const BULK_ITEMS: usize = 2000;

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
            .spawn(move || rx.into_iter().for_each(drop));
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
            // A send fails only if the thread is gone; the value then comes back to drop here.
            if let Err(mpsc::SendError(back)) = tx.send(garbage) {
                drop(back);
            }
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

/// An input whose article sits in the open bulk write: its report, and the article itself
/// in case the bulk must be stored again one by one.
struct Held {
    index: usize,
    report: Report,
    ready: Option<Ready>,
}

/// The writer's side of an import: stores articles in bulk writes committed at least every
/// [`BULK_WINDOW`] or every [`BULK_ITEMS`] articles, and when no input came for the rest of
/// the window, so nothing stays unstored for long while a slow source is read. If anything in a bulk fails (a full disk, say), the
/// bulk is rolled back and its articles stored one transaction each, so every article is
/// whole or absent and one bad article costs no other. Reports are released in input order
/// once their articles are committed, so they never claim more than was stored.
struct Writer<'s, F: FnMut(&Report)> {
    store: &'s mut Store,
    opened: Option<Instant>,
    held: Vec<Held>,
    ready: BTreeMap<usize, Report>,
    next_to_report: usize,
    totals: Totals,
    on_each: F,
    discard: Discard<Vec<Ready>>,
}

impl<'s, F: FnMut(&Report)> Writer<'s, F> {
    fn new(store: &'s mut Store, on_each: F, discard: Discard<Vec<Ready>>) -> Self {
        Writer {
            store,
            opened: None,
            held: Vec::new(),
            ready: BTreeMap::new(),
            next_to_report: 0,
            totals: Totals::default(),
            on_each,
            discard,
        }
    }

    /// Stores input `i`; `more_waiting` says whether another input is already at hand.
    fn write(
        &mut self,
        index: usize,
        origin: String,
        ready: crate::Result<(Ready, Vec<String>)>,
        more_waiting: bool,
    ) {
        match ready {
            Err(e) => self.held.push(Held {
                index,
                report: Report {
                    origin,
                    outcome: Err(e.to_string()),
                    warnings: Vec::new(),
                },
                ready: None,
            }),
            Ok((r, warnings)) => {
                if self.opened.is_none() && self.store.begin_bulk().is_ok() {
                    self.opened = Some(Instant::now());
                }
                let outcome = r.store_in(self.store, None, None);
                let failed = outcome.is_err();
                self.held.push(Held {
                    index,
                    report: Report {
                        origin,
                        outcome: self.outcome(&r.article, outcome),
                        warnings,
                    },
                    ready: Some(r),
                });
                if failed && self.opened.take().is_some() {
                    self.store.rollback_bulk();
                    self.replay();
                    // Stored now, one by one: release them, so a later bulk that fails
                    // does not store them again (they would be reported `unchanged`).
                    self.commit();
                }
            }
        }
        let window_over = self.opened.is_some_and(|t| t.elapsed() >= BULK_WINDOW);
        if !more_waiting || window_over || self.held.len() >= BULK_ITEMS {
            self.commit();
        }
    }

    fn outcome(&self, article: &Article, r: crate::Result<Upsert>) -> Result<Imported, String> {
        r.map(|status| Imported {
            id: article.id.clone(),
            title: article.title.clone(),
            status,
        })
        .map_err(|e| format!("{}: {}", article.source, self.store.explain(e)))
    }

    /// Stores the held articles again, each in a transaction of its own (after a rollback).
    fn replay(&mut self) {
        let mut held = std::mem::take(&mut self.held);
        for h in &mut held {
            if let Some(ready) = &h.ready {
                let r = ready.store_in(self.store, None, None);
                h.report.outcome = self.outcome(&ready.article, r);
            }
        }
        self.held = held;
    }

    fn commit(&mut self) {
        if self.opened.take().is_some() && self.store.end_bulk().is_err() {
            self.replay();
        }
        let mut done = Vec::with_capacity(self.held.len());
        for h in self.held.drain(..) {
            self.ready.insert(h.index, h.report);
            done.extend(h.ready);
        }
        self.discard.discard(done);
        while let Some(r) = self.ready.remove(&self.next_to_report) {
            self.totals.add(&r);
            (self.on_each)(&r);
            self.next_to_report += 1;
        }
    }

    /// Commits what is left and hands the file's free pages back.
    fn finish(mut self) -> Totals {
        self.commit();
        let _ = self.store.release_free_pages();
        self.totals
    }
}

/// Parses `items` on `jobs` threads (the caller's own thread writes), stores each in the
/// cache, and calls `on_each` once per item, in the items' order.
pub fn import_with<T: Sync>(
    store: &mut Store,
    items: &[T],
    jobs: usize,
    parse: impl Fn(&T) -> (String, crate::Result<Parsed>) + Sync,
    on_each: impl FnMut(&Report),
) -> Totals {
    if jobs <= 1 || items.len() <= 1 {
        let mut writer = Writer::new(store, on_each, Discard::in_place());
        for (i, item) in items.iter().enumerate() {
            let (origin, parsed) = parse(item);
            writer.write(i, origin, parsed.map(prepare), i + 1 < items.len());
        }
        return writer.finish();
    }
    let mut writer = Writer::new(store, on_each, Discard::on_own_thread());
    let next = AtomicUsize::new(0);
    // A bounded channel keeps parsed articles from piling up when the writer is slower.
    let (tx, rx) =
        mpsc::sync_channel::<(usize, String, crate::Result<(Ready, Vec<String>)>)>(jobs * 8);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, parse) = (&next, &parse);
            scope.spawn(move || {
                yield_to_writer();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let (origin, parsed) = parse(item);
                    if tx.send((i, origin, parsed.map(prepare))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Commit when the window is over or the bulk is full, and when no input has come
        // for the rest of the window. (Committing whenever the channel was momentarily empty
        // made bulks of one article when the writer kept up: a commit each, and an FTS5
        // segment each.)
        loop {
            let wait = writer
                .opened
                .map_or(BULK_WINDOW, |t| BULK_WINDOW.saturating_sub(t.elapsed()));
            match rx.recv_timeout(wait) {
                Ok((i, origin, ready)) => writer.write(i, origin, ready, true),
                Err(mpsc::RecvTimeoutError::Timeout) => writer.commit(),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
    });
    writer.finish()
}

/// Imports files and folders (walked recursively) as the CLI's `import` does.
pub fn import_paths(
    store: &mut Store,
    paths: &[PathBuf],
    jobs: usize,
    on_each: impl FnMut(&Report),
) -> Totals {
    let files = ingest::expand_paths(paths);
    import_with(
        store,
        &files,
        jobs,
        |p| (p.display().to_string(), ingest::parse_file(p)),
        on_each,
    )
}

/// Imports the bundled sample corpus.
pub fn import_samples(store: &mut Store, on_each: impl FnMut(&Report)) -> Totals {
    import_with(
        store,
        crate::samples::ARTICLES,
        default_jobs(),
        |(name, text)| {
            let origin = format!("bundled:{name}");
            let parsed = ingest::parse_bytes(text.as_bytes(), &origin);
            (origin, parsed)
        },
        on_each,
    )
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn workers_yield_relative_to_their_own_priority() {
        let niceness = || unsafe {
            // SAFETY: reads the calling thread's own niceness.
            libc::getpriority(libc::PRIO_PROCESS, libc::syscall(libc::SYS_gettid) as u32)
        };
        let (before, after) = std::thread::spawn(move || {
            let before = niceness();
            super::yield_to_writer();
            (before, niceness())
        })
        .join()
        .unwrap();
        assert_eq!(after, (before + 5).min(19));
    }
}

#[cfg(test)]
mod writer_tests {
    use super::*;
    use crate::model::Block;

    fn parsed(title: &str) -> crate::Result<Parsed> {
        Ok(Parsed {
            article: Article::new(
                title.to_string(),
                None,
                format!("{title}.txt"),
                vec![Block::paragraph(format!("{title} was seen in Paris."))],
            ),
            warnings: Vec::new(),
        })
    }

    #[test]
    fn each_article_is_counted_once_when_two_bulks_fail() {
        let mut store = Store::open_in_memory().unwrap();
        // Any article titled "poison" cannot be stored; each one fails its bulk, whose
        // other articles are then stored one by one.
        store
            .conn()
            .execute_batch(
                "CREATE TRIGGER poison BEFORE INSERT ON articles WHEN NEW.title = 'poison'
                 BEGIN SELECT RAISE(ABORT, 'poisoned'); END;",
            )
            .unwrap();
        let items = ["a", "poison", "b", "poison", "c"];
        let mut statuses = Vec::new();
        let totals = import_with(
            &mut store,
            &items,
            1,
            |t| (t.to_string(), parsed(t)),
            |r| statuses.push(r.outcome.as_ref().map(|i| i.status).ok()),
        );
        assert_eq!(
            statuses,
            [
                Some(Upsert::Imported),
                None,
                Some(Upsert::Imported),
                None,
                Some(Upsert::Imported)
            ]
        );
        assert_eq!(
            (totals.imported, totals.unchanged, totals.failed),
            (3, 0, 2)
        );
        assert_eq!(store.count().unwrap(), 3);
    }
}

#[cfg(test)]
mod discard_tests {
    use super::Discard;
    use std::sync::Arc;

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
