//! Importing a batch: parse and extract on every core, write to the cache from one thread,
//! in bulk transactions, and report each input in the order it was given. A bad input
//! is reported and skipped; it never stops the batch or leaves anything half-stored.

use crate::bulk::{self, BulkWriter, Discard, Done, Item};
use crate::entities;
use crate::ingest::{self, Parsed};
use crate::model::{Article, ArticleId, Entity, Mention};
use crate::store::{Digest, Encoded, Lookup, Origin, Store, Upsert};
use std::collections::{BTreeMap, HashMap};
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
    /// Of the unchanged, those found stored before their entities were extracted.
    pub skipped: usize,
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

/// How many bytes of parsed articles may wait for the writer (by [`Ready::weight`]): enough
/// for the workers to go on parsing while the writer commits a bulk. At the 9.3 KB an item
/// of the generated feeds weighs on average, that is about 3,500 items (256, as before,
/// made the workers wait through every commit: a 50,000-item fetch took 6.9–7.3 s, and
/// 6.1–6.8 s with this).
pub(crate) const IN_FLIGHT_BYTES: usize = 32 << 20;

/// An article ready to store: its entities extracted and its stored form encoded. Made on
/// the parse workers (of an import or a feed refresh), so the one thread that writes only
/// writes.
pub struct Ready {
    /// The article, without its blocks: they live on in the stored form.
    pub article: Article,
    // Private, so the two always describe the same entities (`encoded` holds their
    // stored form).
    entities: Vec<Entity>,
    encoded: Encoded,
}

impl Ready {
    pub fn new(article: Article) -> Ready {
        let digest = Digest::of(&article);
        Ready::digested(article, digest)
    }

    /// [`Ready::new`] with the article's digest already taken (`Digest::of(&article)`; for a
    /// feed item, of the item before its section was set, so the stored hash stays what
    /// caches from before categories hold: see `FeedItem::section`).
    pub fn digested(mut article: Article, digest: Digest) -> Ready {
        let entities = entities::extract(&article);
        let encoded = Encoded::of_digested(&article, digest, &entities);
        // Freed here, on the worker that made them, rather than held in the bulk and freed
        // across threads later.
        article.blocks = Vec::new();
        Ready {
            encoded,
            entities,
            article,
        }
    }

    /// How many bytes of text it holds (its stored body, which is nearly all of it).
    pub fn text_len(&self) -> usize {
        self.encoded.text_len() + self.article.title.len()
    }

    /// Roughly the bytes of memory it holds, to bound how many wait for the writer. Its
    /// entities' mentions weigh about as much as its text.
    pub fn weight(&self) -> usize {
        use std::mem::size_of;
        let a = &self.article;
        let texts = [&a.section, &a.standfirst, &a.byline, &a.published, &a.link]
            .iter()
            .filter_map(|t| t.as_ref().map(String::len))
            .sum::<usize>()
            + a.title.len()
            + a.source.len()
            + a.id.as_str().len();
        let entities: usize = self
            .entities
            .iter()
            .map(|e| {
                size_of::<Entity>()
                    + e.name.len()
                    + e.aliases
                        .iter()
                        .map(|x| size_of::<String>() + x.len())
                        .sum::<usize>()
                    + e.mentions
                        .iter()
                        .map(|m| size_of::<Mention>() + m.text.len())
                        .sum::<usize>()
            })
            .sum();
        size_of::<Ready>() + texts + self.encoded.weight() + entities
    }

    /// Stores it (in the store's open bulk, if any), from `origin`.
    pub fn store_in(&self, store: &mut Store, origin: &Origin) -> crate::Result<Upsert> {
        store.upsert_encoded(&self.article, &self.encoded, &self.entities, origin)
    }
}

/// A parsed input on its way to the writer.
enum Prepared {
    /// To store: its entities extracted and its stored form encoded.
    Ready(Box<Ready>),
    /// Found stored already, just as it is: nothing to extract or write, unless an earlier
    /// input of this import wrote another version of it first. The article comes along for
    /// that case only, and the writer drops it otherwise.
    Stored(Box<Article>),
}

/// What the writer does with a prepared input, given the other inputs with its article.
enum Settled {
    Write(Box<Ready>),
    /// Nothing to write: stored already (`superseded` false), or a later input of this
    /// import has the same article and wins.
    Skip {
        id: ArticleId,
        title: String,
        superseded: bool,
    },
}

/// A parsed input made [`Ready`] (or found stored already, when `lookup` can tell), with
/// the parser's warnings. The lookup sees only what was committed; another input of this
/// import with the same article is settled by the writer ([`Writer::settle`]).
fn prepare(parsed: Parsed, lookup: Option<&Lookup>) -> (Prepared, Vec<String>) {
    let article = parsed.article;
    let digest = Digest::of(&article);
    let prepared = if lookup.is_some_and(|l| l.holds(&article.id, &digest)) {
        Prepared::Stored(Box::new(article))
    } else {
        Prepared::Ready(Box::new(Ready::digested(article, digest)))
    };
    (prepared, parsed.warnings)
}

/// The number of worker threads to use when the user did not say.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// An input whose article is on its way to the cache, with its report so far.
struct Input {
    index: usize,
    origin: String,
    warnings: Vec<String>,
    ready: Box<Ready>,
}

impl Item for Input {
    fn store_in(&self, store: &mut Store) -> crate::Result<Upsert> {
        self.ready.store_in(store, &Origin::default())
    }

    fn text_len(&self) -> usize {
        self.ready.text_len()
    }
}

/// The writer's side of an import: articles go into the cache in bulk writes
/// ([`BulkWriter`]), committed at least every [`crate::bulk::BULK_WINDOW`] or
/// [`crate::bulk::BULK_ITEMS`] articles, and when no input came for the rest of the window,
/// so nothing stays unstored for long while a slow source is read. Reports are released in
/// input order once their articles are committed, so they never claim more than was stored.
struct Writer<'s, F: FnMut(&Report)> {
    store: &'s mut Store,
    bulk: BulkWriter<Input>,
    /// Per article, the last input of this import that had it, and whether this import
    /// wrote the article. Inputs arrive in the order they are ready, not given; with this,
    /// the article ends as its last input gave it (as it would, one input after another),
    /// whichever arrives first.
    last_input: HashMap<ArticleId, (usize, bool)>,
    waiting: BTreeMap<usize, Report>,
    next_to_report: usize,
    totals: Totals,
    on_each: F,
    // Boxed as they came through the channel: unboxing would free each box on the writer.
    #[allow(clippy::vec_box)]
    discard: Discard<Vec<Box<Ready>>>,
}

impl<'s, F: FnMut(&Report)> Writer<'s, F> {
    #[allow(clippy::vec_box)]
    fn new(store: &'s mut Store, on_each: F, discard: Discard<Vec<Box<Ready>>>) -> Self {
        Writer {
            store,
            bulk: BulkWriter::new(),
            last_input: HashMap::new(),
            waiting: BTreeMap::new(),
            next_to_report: 0,
            totals: Totals::default(),
            on_each,
            discard,
        }
    }

    /// Stores input `index`; `more_waiting` says whether another input is already at hand.
    fn write(
        &mut self,
        index: usize,
        origin: String,
        ready: crate::Result<(Prepared, Vec<String>)>,
        more_waiting: bool,
    ) {
        match ready.map(|(prepared, warnings)| (self.settle(index, prepared), warnings)) {
            Ok((Settled::Write(ready), warnings)) => self.bulk.write(
                self.store,
                Input {
                    index,
                    origin,
                    warnings,
                    ready,
                },
            ),
            Ok((
                Settled::Skip {
                    id,
                    title,
                    superseded,
                },
                mut warnings,
            )) => {
                if superseded {
                    warnings.push(
                        "a later input of this import has the same article; that one wins"
                            .to_string(),
                    );
                } else {
                    self.totals.skipped += 1;
                }
                let outcome = Ok(Imported {
                    id,
                    title,
                    status: Upsert::Unchanged,
                });
                self.waiting.insert(
                    index,
                    Report {
                        origin,
                        outcome,
                        warnings,
                    },
                );
            }
            Err(e) => {
                let report = Report {
                    origin,
                    outcome: Err(e.to_string()),
                    warnings: Vec::new(),
                };
                self.waiting.insert(index, report);
            }
        }
        if !more_waiting || self.bulk.due() {
            self.commit();
        } else {
            self.report_in_order();
        }
    }

    /// What to do with input `index` given the other inputs of this import with the same
    /// article: an input that a later one supersedes is not written; a later input found
    /// stored already is written after all when an earlier one has replaced it.
    fn settle(&mut self, index: usize, prepared: Prepared) -> Settled {
        let (id, title) = match &prepared {
            Prepared::Ready(r) => (&r.article.id, &r.article.title),
            Prepared::Stored(a) => (&a.id, &a.title),
        };
        let earlier = self.last_input.get(id).copied();
        if earlier.is_some_and(|(last, _)| last > index) {
            return Settled::Skip {
                id: id.clone(),
                title: title.clone(),
                superseded: true,
            };
        }
        // An earlier input wrote its version: this one, stored before the import, must be
        // written again to end as the article's last version.
        let rewrite = earlier.is_some_and(|(_, written)| written);
        let writes = rewrite || matches!(prepared, Prepared::Ready(_));
        self.last_input.insert(id.clone(), (index, writes));
        match prepared {
            Prepared::Ready(ready) => Settled::Write(ready),
            // Rare, so made ready here, on the writer, rather than on a worker.
            Prepared::Stored(article) if rewrite => Settled::Write(Box::new(Ready::new(*article))),
            Prepared::Stored(article) => Settled::Skip {
                id: article.id,
                title: article.title,
                superseded: false,
            },
        }
    }

    /// Commits the open bulk and reports, in input order, every input that is done.
    fn commit(&mut self) {
        let done = self.bulk.release(self.store);
        let mut articles = Vec::with_capacity(done.len());
        for Done { item, outcome } in done {
            let ready = item.ready;
            let outcome = outcome
                .map(|status| Imported {
                    id: ready.article.id.clone(),
                    title: ready.article.title.clone(),
                    status,
                })
                .map_err(|e| format!("{}: {}", ready.article.source, self.store.explain(e)));
            articles.push(ready);
            let report = Report {
                origin: item.origin,
                outcome,
                warnings: item.warnings,
            };
            self.waiting.insert(item.index, report);
        }
        self.discard.discard(articles);
        self.report_in_order();
    }

    /// Reports every input whose turn has come: reports go out in input order, and an
    /// article's only once it is committed.
    fn report_in_order(&mut self) {
        while let Some(r) = self.waiting.remove(&self.next_to_report) {
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
    // An input stored already, just as it is, is skipped before extraction: a folder
    // imported again costs little more than reading it.
    if jobs <= 1 || items.len() <= 1 {
        let lookup = store.lookup();
        let mut writer = Writer::new(store, on_each, Discard::in_place());
        for (i, item) in items.iter().enumerate() {
            let (origin, parsed) = parse(item);
            let prepared = parsed.map(|p| prepare(p, lookup.as_ref()));
            writer.write(i, origin, prepared, i + 1 < items.len());
        }
        return writer.finish();
    }
    let path = store.path().map(PathBuf::from);
    let mut writer = Writer::new(store, on_each, Discard::on_own_thread());
    let next = AtomicUsize::new(0);
    // Bounded by memory, so parsed articles neither pile up when the writer is slower nor
    // stop the workers while it commits.
    let (tx, rx) =
        crate::threads::weighed_channel::<(usize, String, crate::Result<(Prepared, Vec<String>)>)>(
            IN_FLIGHT_BYTES,
        );
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, parse, path) = (&next, &parse, &path);
            scope.spawn(move || {
                crate::threads::lower_priority();
                let lookup = path.as_deref().and_then(|p| Lookup::open(p).ok());
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let (origin, parsed) = parse(item);
                    let prepared = parsed.map(|p| prepare(p, lookup.as_ref()));
                    let weight = origin.len()
                        + match &prepared {
                            Ok((Prepared::Ready(r), _)) => r.weight(),
                            Ok((Prepared::Stored(a), _)) => a.text_len(),
                            Err(_) => 0,
                        };
                    if tx.send((i, origin, prepared), weight).is_err() {
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
            match bulk::receive(&rx, &writer.bulk, writer.store) {
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
    fn a_ready_article_weighs_its_text_and_its_entities() {
        let plain = Ready::new(parsed("Ferry").unwrap().article);
        let text = "Angela Merkel met Emmanuel Macron in Paris. Merkel and Macron spoke. ";
        let mut named = parsed("Ferry").unwrap().article;
        named.blocks = vec![Block::paragraph(text.repeat(20))];
        let named = Ready::new(named);
        assert!(plain.weight() > plain.text_len());
        // Twenty times the text and some eighty mentions: much heavier.
        assert!(named.weight() > plain.weight() + 20 * text.len());
        let mentions: usize = named.entities.iter().map(|e| e.mentions.len()).sum();
        assert!(mentions >= 80, "{mentions} mentions: {:?}", named.entities);
        // The mentions count, beyond the text they sit in.
        let text = named.text_len() + named.article.id.as_str().len() + named.article.source.len();
        assert!(named.weight() > text + mentions * std::mem::size_of::<Mention>());
    }

    #[test]
    fn an_input_stored_already_just_as_it_is_skips_extraction() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db")).unwrap();
        let is_stored = |store: &Store, title: &str| {
            let lookup = store.lookup().expect("a cache file can be looked into");
            let (prepared, _) = prepare(parsed(title).unwrap(), Some(&lookup));
            matches!(prepared, Prepared::Stored { .. })
        };
        assert!(!is_stored(&store, "a"));
        let items = ["a", "b", "c"];
        for (round, jobs) in [(0, 1), (1, 2), (2, 1)] {
            let mut reports = Vec::new();
            let totals = import_with(
                &mut store,
                &items,
                jobs,
                |t| (t.to_string(), parsed(t)),
                |r| {
                    let i = r.outcome.as_ref().unwrap();
                    reports.push((i.title.clone(), i.status));
                },
            );
            let status = if round == 0 {
                Upsert::Imported
            } else {
                Upsert::Unchanged
            };
            assert_eq!(
                reports,
                items.map(|t| (t.to_string(), status)),
                "round {round}"
            );
            // Found stored by the lookup, so never extracted or written.
            let skipped = if round == 0 { 0 } else { 3 };
            assert_eq!((totals.unchanged, totals.skipped), (skipped, skipped));
        }
        assert!(is_stored(&store, "a"));
        // Changed since: extracted and written again.
        let mut changed = parsed("a").unwrap();
        changed
            .article
            .blocks
            .push(Block::paragraph("More from Paris."));
        let lookup = store.lookup().unwrap();
        assert!(matches!(
            prepare(changed, Some(&lookup)).0,
            Prepared::Ready(_)
        ));
        assert!(Store::open_in_memory().unwrap().lookup().is_none());
    }

    #[test]
    fn an_article_given_twice_in_one_import_ends_as_its_last_version() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db")).unwrap();
        let version = |text: &str| -> crate::Result<Parsed> {
            let mut p = parsed("Ferry")?;
            p.article.blocks = vec![Block::paragraph(text)];
            Ok(p)
        };
        let run = |store: &mut Store, items: &[&str], jobs| {
            let mut statuses = Vec::new();
            import_with(
                store,
                items,
                jobs,
                |t| (t.to_string(), version(t)),
                |r| statuses.push(r.outcome.as_ref().map(|i| i.status).ok()),
            );
            statuses
        };
        run(&mut store, &["Old text."], 1);
        // The second input is stored already as far as a lookup made before the first was
        // written can tell; it must still be written after the first.
        let statuses = run(&mut store, &["New text.", "Old text."], 1);
        assert_eq!(statuses, [Some(Upsert::Updated), Some(Upsert::Updated)]);
        let id = parsed("Ferry").unwrap().article.id;
        let stored = store.article(&id).unwrap().unwrap();
        assert_eq!(stored.blocks[0].text, "Old text.");
    }

    /// Imports `items` (the article's text, all one article) on two workers, the first input
    /// parsed slowly so that the later ones reach the writer first; gives each input's
    /// status and warnings and the text stored at the end.
    fn import_late_first(store: &mut Store, items: &[&str]) -> (Vec<(Upsert, usize)>, String) {
        let mut reports = Vec::new();
        import_with(
            store,
            items,
            2,
            |t| {
                if std::ptr::eq(*t, items[0]) {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                }
                let mut p = parsed("Ferry").unwrap();
                p.article.blocks = vec![Block::paragraph(*t)];
                (t.to_string(), Ok(p))
            },
            |r| {
                let i = r.outcome.as_ref().expect("every input stores");
                reports.push((i.status, r.warnings.len()));
            },
        );
        let id = parsed("Ferry").unwrap().article.id;
        let text = store.article(&id).unwrap().unwrap().blocks[0].text.clone();
        (reports, text)
    }

    #[test]
    fn on_several_workers_an_article_given_twice_still_ends_as_its_last_version() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db")).unwrap();
        // The later input reaches the writer first; the earlier one must not replace it.
        let (reports, text) = import_late_first(&mut store, &["First.", "Second."]);
        assert_eq!(text, "Second.");
        // The earlier input is reported, unchanged, with a warning that says why.
        assert_eq!(reports, [(Upsert::Unchanged, 1), (Upsert::Imported, 0)]);

        // The last input is the version stored already: it is skipped, and so is the
        // earlier one that arrives after it.
        let (reports, text) = import_late_first(&mut store, &["Third.", "Second."]);
        assert_eq!(text, "Second.");
        assert_eq!(reports, [(Upsert::Unchanged, 1), (Upsert::Unchanged, 0)]);
    }

    #[test]
    fn a_last_input_found_stored_is_written_again_when_an_earlier_one_replaced_it() {
        let mut store = Store::open_in_memory().unwrap();
        let version = |text: &str| {
            let mut a = parsed("Ferry").unwrap().article;
            a.blocks = vec![Block::paragraph(text)];
            a
        };
        import_with(
            &mut store,
            &["Old."],
            1,
            |t| {
                (
                    t.to_string(),
                    Ok(Parsed {
                        article: version(t),
                        warnings: Vec::new(),
                    }),
                )
            },
            |_| {},
        );
        // Input 1 was found stored ("Old.") before input 0 claimed the article, but input 0
        // reached the writer first and replaced it.
        let mut statuses = Vec::new();
        let mut writer = Writer::new(
            &mut store,
            |r: &Report| statuses.push(r.outcome.as_ref().map(|i| i.status).ok()),
            Discard::in_place(),
        );
        let new = Prepared::Ready(Box::new(Ready::new(version("New."))));
        writer.write(0, "new".into(), Ok((new, Vec::new())), true);
        let old = Prepared::Stored(Box::new(version("Old.")));
        writer.write(1, "old".into(), Ok((old, Vec::new())), false);
        writer.finish();
        assert_eq!(statuses, [Some(Upsert::Updated), Some(Upsert::Updated)]);
        let id = parsed("Ferry").unwrap().article.id;
        assert_eq!(store.article(&id).unwrap().unwrap().blocks[0].text, "Old.");
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
