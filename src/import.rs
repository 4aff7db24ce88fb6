//! Importing a batch: parse and extract on every core, write to the cache from one thread,
//! one transaction per article, and report each input in the order it was given. A bad input
//! is reported and skipped; it never stops the batch or leaves anything half-stored.

use crate::entities;
use crate::ingest::{self, Parsed};
use crate::model::{Article, Entity};
use crate::store::{Store, Upsert};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

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

/// An article ready to store: parsed, with its entities extracted.
pub fn prepare(parsed: Parsed) -> (Article, Vec<Entity>, Vec<String>) {
    let entities = entities::extract(&parsed.article);
    (parsed.article, entities, parsed.warnings)
}

/// The number of worker threads to use when the user did not say.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Parses `items` on `jobs` threads (the caller's own thread writes), stores each in the
/// cache, and calls `on_each` once per item, in the items' order.
pub fn import_with<T: Sync>(
    store: &mut Store,
    items: &[T],
    jobs: usize,
    parse: impl Fn(&T) -> (String, crate::Result<Parsed>) + Sync,
    mut on_each: impl FnMut(&Report),
) -> Totals {
    let mut totals = Totals::default();
    let mut store_one = |origin: String, parsed: crate::Result<Parsed>| -> Report {
        match parsed {
            Err(e) => Report {
                origin,
                outcome: Err(e.to_string()),
                warnings: Vec::new(),
            },
            Ok(p) => {
                let (article, ents, warnings) = prepare(p);
                let outcome = store
                    .upsert(&article, &ents)
                    .map(|status| Imported {
                        id: article.id.clone(),
                        title: article.title.clone(),
                        status,
                    })
                    .map_err(|e| format!("{origin}: {}", store.explain(e)));
                Report {
                    origin,
                    outcome,
                    warnings,
                }
            }
        }
    };
    if jobs <= 1 || items.len() <= 1 {
        for item in items {
            let (origin, parsed) = parse(item);
            let r = store_one(origin, parsed);
            totals.add(&r);
            on_each(&r);
        }
        return totals;
    }
    let next = AtomicUsize::new(0);
    // A bounded channel keeps parsed articles from piling up when the writer is slower.
    let (tx, rx) = mpsc::sync_channel::<(usize, String, crate::Result<Parsed>)>(jobs * 8);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, parse) = (&next, &parse);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let (origin, parsed) = parse(item);
                    if tx.send((i, origin, parsed)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Store as results arrive (so a crash loses nothing already stored), report in order.
        let mut waiting: BTreeMap<usize, Report> = BTreeMap::new();
        let mut reported = 0;
        for (i, origin, parsed) in rx {
            let r = store_one(origin, parsed);
            totals.add(&r);
            waiting.insert(i, r);
            while let Some(r) = waiting.remove(&reported) {
                on_each(&r);
                reported += 1;
            }
        }
    });
    totals
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
