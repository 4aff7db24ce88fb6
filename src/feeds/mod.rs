//! Subscriptions: which URLs may be feeds ([`check_url`]), refreshing feeds into the cache
//! ([`refresh`]), single pages ([`fetch_page`]) and OPML ([`opml`]). Fetch and parse threads
//! send finished items over a channel to the one thread that holds the [`Store`], which stores
//! each as it arrives (so an interruption loses nothing already fetched). The network itself
//! lives in [`crate::ingest::fetch`]; nothing here touches a terminal.

pub mod opml;

use crate::bulk::{self, BulkWriter, Discard, Done, Item};
use crate::error::{Error, Result};
use crate::import::Ready;
use crate::ingest::fetch::{Client, FetchOptions, Fetched};
use crate::ingest::{Parsed, charset, feed, html};
use crate::model::Article;
use crate::sanitize::{clean_line, clean_text};
use crate::store::{Digest, Feed, FetchState, Origin, Store, Upsert};
use crate::threads::{CpuPermits, TrySend, WeighedSender};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Checks that `raw` may be subscribed to: an `http`, `https` or local `file` URL. Commands
/// (`|cmd`, `exec:`, `filter:`) and other schemes are refused with a reason. Returns the URL
/// sanitised.
pub fn check_url(raw: &str) -> Result<String> {
    let url = clean_line(raw);
    if url.is_empty() {
        return Err(Error::bad_input(raw, "empty URL"));
    }
    let lower = url.to_ascii_lowercase();
    if url.starts_with('|') {
        return Err(Error::bad_input(
            &url,
            "refused: piped command feeds are never run; only http, https and file URLs",
        ));
    }
    if lower.starts_with("exec:") || lower.starts_with("filter:") {
        return Err(Error::bad_input(
            &url,
            "refused: command feeds (exec:, filter:) are never run; only http, https and file URLs",
        ));
    }
    if url.contains(char::is_whitespace) {
        return Err(Error::bad_input(&url, "a URL cannot contain spaces"));
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let host = crate::ingest::fetch::host_of(&url);
        if host.is_empty() {
            return Err(Error::bad_input(&url, "the URL has no host"));
        }
        return Ok(url);
    }
    if lower.starts_with("file://") {
        return match crate::ingest::fetch::file_path(&url) {
            Some(_) => Ok(url),
            None => Err(Error::bad_input(
                &url,
                "a file URL must name a local absolute path (file:///path/feed.xml)",
            )),
        };
    }
    let scheme = url.split_once(':').map_or("", |(s, _)| s);
    Err(Error::bad_input(
        &url,
        format!("unsupported URL scheme `{scheme}`: only http, https and file feeds"),
    ))
}

/// A feed that could not be refreshed, and why, in a few words.
#[derive(Debug, Clone)]
pub struct Failure {
    pub feed_id: i64,
    pub label: String,
    pub reason: String,
}

/// What a refresh did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub feeds: usize,
    pub new_articles: usize,
    pub updated_articles: usize,
    pub not_modified: usize,
    pub failures: Vec<Failure>,
    /// Problems that did not fail a feed (a full-text page that could not be extracted).
    pub warnings: Vec<String>,
}

/// One feed finished; sent to the caller's progress callback.
#[derive(Debug, Clone)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub feed_id: i64,
    pub label: String,
    /// New articles from this feed; `None` when it failed.
    pub new_articles: Option<usize>,
}

enum Msg {
    Item {
        feed_id: i64,
        item: Box<Ready>,
        guid: Option<String>,
        digest: i64,
    },
    Warning(String),
    Done {
        feed_id: i64,
        outcome: std::result::Result<FeedOk, String>,
    },
}

struct FeedOk {
    not_modified: bool,
    etag: Option<String>,
    last_modified: Option<String>,
    title: Option<String>,
    /// The feed's new URL, when it moved for good.
    moved_to: Option<String>,
}

/// Refreshes the feeds with these ids (all feeds when empty) and stores their items.
pub fn refresh(
    store: &mut Store,
    feed_ids: &[i64],
    opts: &FetchOptions,
    mut on_progress: impl FnMut(&Progress),
) -> Result<Summary> {
    let feeds: Vec<Feed> = if feed_ids.is_empty() {
        store.feeds()?
    } else {
        let mut v = Vec::new();
        for id in feed_ids {
            v.push(
                store
                    .feed(*id)?
                    .ok_or_else(|| Error::bad_input(id.to_string(), "no such feed"))?,
            );
        }
        v
    };
    // The items each feed has stored already, as they were: those a refresh finds again
    // are skipped before their entities are extracted (and their pages fetched).
    let known: Vec<HashMap<String, i64>> = feeds
        .iter()
        .map(|f| store.feed_item_digests(f))
        .collect::<Result<_>>()?;
    // A story another feed brought first stays that feed's: it is not written again from
    // this one (the two versions would take turns, one each refresh).
    let owners = store.feed_owners()?;
    let client = Client::new(opts.clone());
    let mut summary = Summary {
        feeds: feeds.len(),
        ..Summary::default()
    };
    let mut new_per_feed = HashMap::<i64, usize>::new();
    let next = AtomicUsize::new(0);
    let workers = opts.jobs.clamp(1, feeds.len().max(1));
    let cpu = CpuPermits::per_core();
    let (tx, rx) = crate::threads::weighed_channel::<Msg>(crate::import::IN_FLIGHT_BYTES);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, feeds, client, cpu) = (&next, &feeds, &client, &cpu);
            let (known, owners) = (&known, &owners);
            scope.spawn(move || {
                crate::threads::lower_priority();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(f) = feeds.get(i) else { break };
                    let seen = Seen {
                        own: &known[i],
                        owners,
                    };
                    let outcome = fetch_feed(client, f, seen, cpu, &tx);
                    let done = Msg::Done {
                        feed_id: f.id,
                        outcome,
                    };
                    if tx.send(done, 0).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut writer = FeedWriter {
            store: &mut *store,
            feeds: &feeds,
            summary: &mut summary,
            new_per_feed: &mut new_per_feed,
            on_progress: &mut on_progress,
            bulk: BulkWriter::new(),
            finished: Vec::new(),
            unstored: HashMap::new(),
            claimed: HashMap::new(),
            done: 0,
            discard: Discard::on_own_thread(),
        };
        loop {
            match bulk::receive(&rx, &writer.bulk, writer.store) {
                Ok(msg) => writer.take(msg),
                // Nothing arrived for a while: store what is waiting rather than sit on it.
                Err(mpsc::RecvTimeoutError::Timeout) => writer.commit(),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if writer.bulk.due() {
                writer.commit();
            }
        }
        writer.commit();
    });
    // Free pages left by FTS5's merges go back to the file system; failing is harmless.
    let _ = store.release_free_pages();
    Ok(summary)
}

/// A feed's item on its way to the cache.
struct Written {
    feed_id: i64,
    item: Box<Ready>,
    guid: Option<String>,
    /// The item's [`Digest::short`] as the feed gave it.
    digest: i64,
    /// See [`Origin::take_over`].
    take_over: bool,
}

impl Item for Written {
    fn store_in(&self, store: &mut Store) -> Result<Upsert> {
        let origin = Origin {
            feed_id: Some(self.feed_id),
            guid: self.guid.as_deref(),
            item_digest: Some(self.digest),
            take_over: self.take_over,
        };
        self.item.store_in(store, &origin)
    }

    fn text_len(&self) -> usize {
        self.item.text_len()
    }
}

/// The one thread that holds the store during a refresh: items go into the cache in bulk
/// writes ([`BulkWriter`]). A feed's fetch state (ETag, Last-Modified) is recorded only
/// after its items are committed, so a crash never leaves a 304 hiding items that were lost.
struct FeedWriter<'a, P: FnMut(&Progress)> {
    store: &'a mut Store,
    feeds: &'a [Feed],
    summary: &'a mut Summary,
    new_per_feed: &'a mut HashMap<i64, usize>,
    on_progress: &'a mut P,
    bulk: BulkWriter<Written>,
    finished: Vec<(i64, std::result::Result<FeedOk, String>)>,
    /// Per feed, how many of its items could not be stored in this refresh.
    unstored: HashMap<i64, usize>,
    /// The feed each article written in this refresh came from.
    claimed: HashMap<crate::model::ArticleId, i64>,
    done: usize,
    // Boxed as they came through the channel: unboxing would free each box on the writer.
    #[allow(clippy::vec_box)]
    discard: Discard<Vec<Box<Ready>>>,
}

impl<P: FnMut(&Progress)> FeedWriter<'_, P> {
    fn take(&mut self, msg: Msg) {
        match msg {
            Msg::Item {
                feed_id,
                item,
                guid,
                digest,
            } => {
                // A story new to the cache that two feeds bring in one refresh is the
                // first-subscribed feed's, whichever arrives first.
                let first = self
                    .claimed
                    .entry(item.article.id.clone())
                    .or_insert(feed_id);
                if *first < feed_id {
                    self.discard.discard(vec![item]);
                    return;
                }
                // A later feed wrote it first in this refresh: the story moves over even
                // if its text is the same.
                let take_over = *first > feed_id;
                *first = feed_id;
                self.bulk.write(
                    self.store,
                    Written {
                        feed_id,
                        item,
                        guid,
                        digest,
                        take_over,
                    },
                )
            }
            Msg::Warning(w) => self.summary.warnings.push(w),
            Msg::Done { feed_id, outcome } => {
                self.finished.push((feed_id, outcome));
                if !self.bulk.is_open() {
                    self.commit();
                }
            }
        }
    }

    /// Commits the open bulk, counts its items, and records the fetch of every feed whose
    /// items are all committed.
    fn commit(&mut self) {
        let released = self.bulk.release(self.store);
        let mut done = Vec::with_capacity(released.len());
        for Done { item: w, outcome } in released {
            match outcome {
                Ok(Upsert::Imported) => {
                    self.summary.new_articles += 1;
                    *self.new_per_feed.entry(w.feed_id).or_default() += 1;
                }
                Ok(Upsert::Updated) => self.summary.updated_articles += 1,
                Ok(Upsert::Unchanged) => {}
                Err(e) => {
                    *self.unstored.entry(w.feed_id).or_default() += 1;
                    let title = &w.item.article.title;
                    self.summary.warnings.push(format!(
                        "feed {}: {title}: cannot store: {}",
                        w.feed_id,
                        self.store.explain(e)
                    ));
                }
            }
            done.push(w.item);
        }
        self.discard.discard(done);
        // One transaction records every feed finished by now, rather than one each.
        let finished = std::mem::take(&mut self.finished);
        let mut states = Vec::with_capacity(finished.len());
        let mut progress = Vec::with_capacity(finished.len());
        for (feed_id, outcome) in finished {
            let label = self
                .feeds
                .iter()
                .find(|f| f.id == feed_id)
                .map_or_else(|| feed_id.to_string(), |f| f.label().to_string());
            states.push((feed_id, self.settle_feed(feed_id, &label, &outcome)));
            progress.push((feed_id, label, outcome.is_ok()));
        }
        if let Err(e) = self.store.set_fetch_states(&states) {
            let e = self.store.explain(e);
            for (feed_id, _) in &states {
                self.summary
                    .warnings
                    .push(format!("feed {feed_id}: cannot record the fetch: {e}"));
            }
        }
        for (feed_id, label, ok) in progress {
            self.done += 1;
            (self.on_progress)(&Progress {
                done: self.done,
                total: self.feeds.len(),
                feed_id,
                label,
                new_articles: ok.then(|| self.new_per_feed.get(&feed_id).copied().unwrap_or(0)),
            });
        }
    }

    /// Counts a finished feed in the summary, records its move if it moved for good, and
    /// gives the fetch state to record for it.
    fn settle_feed(
        &mut self,
        feed_id: i64,
        label: &str,
        outcome: &std::result::Result<FeedOk, String>,
    ) -> FetchState {
        let state = match outcome {
            Ok(ok) => {
                if ok.not_modified {
                    self.summary.not_modified += 1;
                }
                match self.unstored.remove(&feed_id) {
                    None => FetchState {
                        etag: ok.etag.clone(),
                        last_modified: ok.last_modified.clone(),
                        error: None,
                        title: ok.title.clone(),
                    },
                    // The new validators would make the next fetch a 304 and hide the items
                    // that could not be stored: keep the old ones, so they are sent again.
                    Some(n) => FetchState {
                        error: Some(format!("{n} items could not be stored")),
                        title: ok.title.clone(),
                        ..FetchState::default()
                    },
                }
            }
            Err(reason) => {
                self.summary.failures.push(Failure {
                    feed_id,
                    label: label.to_string(),
                    reason: reason.clone(),
                });
                FetchState {
                    error: Some(reason.clone()),
                    ..FetchState::default()
                }
            }
        };
        if let Ok(FeedOk {
            moved_to: Some(to), ..
        }) = outcome
        {
            // Another subscription has that URL: this one stays where it is.
            let note = if matches!(self.store.feed_by_url(to), Ok(Some(_))) {
                format!(
                    "feed {feed_id} ({label}): moved for good to {to}, which is subscribed already"
                )
            } else if let Err(e) = self.store.set_feed_url(feed_id, to) {
                format!(
                    "feed {feed_id} ({label}): moved for good to {to}, but the move cannot be \
                     recorded: {}",
                    self.store.explain(e)
                )
            } else {
                format!("feed {feed_id} ({label}): moved for good; now fetched from {to}")
            };
            self.summary.warnings.push(note);
        }
        state
    }
}

/// The reason part of an error (the caller names the feed itself).
fn reason_of(e: Error) -> String {
    match e {
        Error::BadInput { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// What a refresh knows of a feed's items before fetching it.
#[derive(Clone, Copy)]
struct Seen<'a> {
    /// The feed's own stored items, with their digests ([`Store::feed_item_digests`]).
    own: &'a HashMap<String, i64>,
    /// Every feed-borne article's feed ([`Store::feed_owners`]).
    owners: &'a HashMap<String, i64>,
}

/// Fetches and parses one feed on a worker thread, sending each item as soon as it is ready.
/// Parsing and extracting hold a `cpu` permit; waiting on the network does not. Waiting for
/// room in the channel does: the writer is behind then, and giving the permit to another
/// feed would only hold more parsed feeds in memory.
fn fetch_feed(
    client: &Client,
    f: &Feed,
    seen: Seen,
    cpu: &CpuPermits,
    tx: &WeighedSender<Msg>,
) -> std::result::Result<FeedOk, String> {
    let fetched = client
        .get(&f.url, f.etag.as_deref(), f.last_modified.as_deref())
        .map_err(reason_of)?;
    let body = match fetched {
        Fetched::NotModified => {
            return Ok(FeedOk {
                not_modified: true,
                etag: None,
                last_modified: None,
                title: None,
                moved_to: None,
            });
        }
        Fetched::Body(b) => b,
    };
    let charset = body.charset();
    let source = format!("feed:{}", f.id);
    let mut permit = cpu.acquire();
    let doc = feed::parse(&body.bytes, &f.url, &f.id_url, charset.as_deref(), &source)
        .map_err(reason_of)?;
    // An id twice in one feed: the last item with it wins, as it would if both were
    // stored (skipping the one that matches the stored row would store the other).
    let last: HashMap<&str, usize> = doc
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.article.id.as_str(), i))
        .collect();
    let wanted: Vec<bool> = (0..doc.items.len())
        .map(|i| last.get(doc.items[i].article.id.as_str()) == Some(&i))
        .collect();
    for (item, wanted) in doc.items.into_iter().zip(wanted) {
        let mut article = item.article;
        let digest = Digest::of(&article);
        // After the digest: see `FeedItem::section`.
        article.section = item.section;
        let stored = seen.own.get(article.id.as_str());
        if !wanted || stored == Some(&digest.short()) {
            // Stored already, just as it is now: nothing to extract, encode or write.
            continue;
        }
        if seen
            .owners
            .get(article.id.as_str())
            .is_some_and(|&owner| owner != f.id)
        {
            // Another feed's story: it stays as that feed gives it.
            continue;
        }
        let ready = match article.link.clone().filter(|_| f.full_text) {
            Some(link) => {
                drop(permit);
                let page = fetch_page(client, &link, &source);
                permit = cpu.acquire();
                match page {
                    Ok(page) => merge_full_text(&mut article, page),
                    Err(e) => {
                        let w = format!("feed {} ({}): full text: {e}", f.id, f.label());
                        let weight = w.len();
                        if tx.send(Msg::Warning(w), weight).is_err() {
                            break;
                        }
                        // The stored article keeps its page's text; the next refresh tries
                        // the page again, as its item still differs.
                        if stored.is_some() {
                            continue;
                        }
                    }
                }
                Ready::new(article)
            }
            None => Ready::digested(article, digest),
        };
        let weight = ready.weight();
        let msg = Msg::Item {
            feed_id: f.id,
            item: Box::new(ready),
            guid: item.guid,
            digest: digest.short(),
        };
        match tx.try_send(msg, weight) {
            Ok(()) => {}
            Err(TrySend::Gone(_)) => break,
            // Waiting for the writer, the core is another worker's meanwhile.
            Err(TrySend::Full(msg)) => {
                drop(permit);
                if tx.send(msg, weight).is_err() {
                    break;
                }
                permit = cpu.acquire();
            }
        }
    }
    Ok(FeedOk {
        not_modified: false,
        etag: body.etag,
        last_modified: body.last_modified,
        title: doc.title,
        moved_to: body.moved_to,
    })
}

/// The page's extracted body replaces the feed's excerpt; the item keeps its identity.
pub fn merge_full_text(article: &mut Article, page: Article) {
    article.blocks = page.blocks;
    if article.byline.is_none() {
        article.byline = page.byline;
    }
    if article.published.is_none() {
        article.published = page.published;
    }
    if article.standfirst.is_none() {
        article.standfirst = page.standfirst;
    }
    article.section = page.section.or(article.section.take());
}

/// Fetches one web page and extracts its article (Readability). Errors name the URL.
pub fn fetch_page(client: &Client, url: &str, source: &str) -> Result<Article> {
    match client.get(url, None, None)? {
        Fetched::NotModified => Err(Error::bad_input(url, "unexpected 304 Not Modified")),
        Fetched::Body(b) => {
            let charset = b.charset();
            let (text, _) = charset::decode_markup(&b.bytes, charset.as_deref());
            let text = clean_text(&text);
            html::parse_page(&text, Some(url), source)
        }
    }
}

/// `dateline import URL`: one page, fetched and extracted, ready for the import batch.
pub fn import_page(url: &str, opts: &FetchOptions) -> Result<Parsed> {
    let url = check_url(url)?;
    let client = Client::new(opts.clone());
    let article = fetch_page(&client, &url, &url)?;
    Ok(Parsed {
        article,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_file_urls() {
        assert!(check_url(" https://e.com/rss ").is_ok());
        assert!(check_url("file:///tmp/f.xml").is_ok());
        for bad in [
            "|~/fetch.py",
            "exec:~/bin/x",
            "filter:a:b",
            "ftp://e.com/x",
            "javascript:alert(1)",
            "https:///x",
            "file://host/x",
            "",
        ] {
            let e = check_url(bad).unwrap_err().to_string();
            assert!(!e.is_empty(), "{bad}");
        }
        assert!(
            check_url("|cmd")
                .unwrap_err()
                .to_string()
                .contains("never run")
        );
    }

    #[test]
    fn refresh_stores_file_feeds_without_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.xml");
        std::fs::write(&path, r#"<rss version="2.0"><channel><title>Local</title>
            <item><title>A</title><link>https://e.com/a</link><description>Alpha text.</description></item>
            <item><title>B</title><guid>b-1</guid><description>Beta text.</description></item>
            </channel></rss>"#).unwrap();
        let mut s = Store::open_in_memory().unwrap();
        let url = format!("file://{}", path.display());
        let (f, _) = s.add_feed(&url, None, false).unwrap();
        let sum = refresh(&mut s, &[], &FetchOptions::default(), |_| {}).unwrap();
        assert_eq!((sum.feeds, sum.new_articles, sum.failures.len()), (1, 2, 0));
        assert_eq!(s.feed(f.id).unwrap().unwrap().label(), "Local");
        let ids = s.list_ids(&crate::store::ListFilter::Feed(f.id)).unwrap();
        s.set_starred(&ids[0], true).unwrap();
        let again = refresh(&mut s, &[f.id], &FetchOptions::default(), |_| {}).unwrap();
        assert_eq!(again.new_articles, 0);
        assert_eq!(s.count().unwrap(), 2);
        assert!(s.article(&ids[0]).unwrap().unwrap().starred);
    }

    #[test]
    fn a_story_two_feeds_carry_belongs_to_the_first_and_stays_put() {
        let dir = tempfile::tempdir().unwrap();
        let feed = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!(r#"<rss version="2.0"><channel><title>{name}</title>
                <item><title>Storm</title><guid>https://e.com/storm</guid><description>{text}</description></item>
                <item><title>Own {name}</title><guid>https://e.com/{name}</guid><description>Only here.</description></item>
                </channel></rss>"#)).unwrap();
            format!("file://{}", path.display())
        };
        let mut s = Store::open_in_memory().unwrap();
        // The same story (the same guid URL), a summary in one feed and more in the other.
        let (first, _) = s
            .add_feed(&feed("top", "A storm hit."), None, false)
            .unwrap();
        let (second, _) = s
            .add_feed(
                &feed("world", "A storm hit the coast overnight."),
                None,
                false,
            )
            .unwrap();
        let storm = |s: &Store| {
            let ids = s
                .list_ids(&crate::store::ListFilter::Feed(first.id))
                .unwrap();
            ids.iter()
                .filter_map(|id| s.article(id).unwrap())
                .filter(|a| a.title == "Storm")
                .map(|a| a.blocks[0].text.clone())
                .collect::<Vec<String>>()
        };
        for round in 0..4 {
            let sum = refresh(&mut s, &[], &FetchOptions::default(), |_| {}).unwrap();
            assert_eq!(s.count().unwrap(), 3, "round {round}");
            // Whichever feed's worker finishes last, the story is the first feed's.
            assert_eq!(storm(&s), ["A storm hit."], "round {round}");
            if round > 0 {
                // Nothing flips back and forth between the feeds' versions.
                assert_eq!(
                    (sum.new_articles, sum.updated_articles),
                    (0, 0),
                    "round {round}"
                );
            }
        }
        let own = s
            .list_ids(&crate::store::ListFilter::Feed(second.id))
            .unwrap();
        assert_eq!(own.len(), 1, "the second feed keeps its own item");
    }

    #[test]
    fn the_same_story_from_a_later_feed_first_still_goes_to_the_first_feed() {
        let dir = tempfile::tempdir().unwrap();
        let feed = |name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, r#"<rss version="2.0"><channel><title>T</title>
                <item><title>Storm</title><guid>https://e.com/storm</guid><description>Same text.</description></item>
                </channel></rss>"#).unwrap();
            format!("file://{}", path.display())
        };
        let mut s = Store::open_in_memory().unwrap();
        let (first, _) = s.add_feed(&feed("a"), None, false).unwrap();
        let (second, _) = s.add_feed(&feed("b"), None, false).unwrap();
        // One worker, the later feed first: its copy is written, then the first feed's, the
        // same text, takes the story over.
        let opts = FetchOptions {
            jobs: 1,
            ..FetchOptions::default()
        };
        refresh(&mut s, &[second.id, first.id], &opts, |_| {}).unwrap();
        let owned = |s: &Store, id| {
            s.list_ids(&crate::store::ListFilter::Feed(id))
                .unwrap()
                .len()
        };
        assert_eq!((owned(&s, first.id), owned(&s, second.id)), (1, 0));
        let again = refresh(&mut s, &[second.id, first.id], &opts, |_| {}).unwrap();
        assert_eq!((again.new_articles, again.updated_articles), (0, 0));
        assert_eq!((owned(&s, first.id), owned(&s, second.id)), (1, 0));
    }

    #[test]
    fn categories_read_by_a_newer_dateline_rewrite_no_stored_item() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.xml");
        let item = |guid: &str, category: &str| {
            format!(
                "<item><title>{guid}</title><guid>https://e.com/{guid}</guid>{category}<description>Text of {guid}.</description></item>"
            )
        };
        let write = |items: &[String]| {
            let xml = format!(
                "<rss version=\"2.0\"><channel><title>F</title>{}</channel></rss>",
                items.concat()
            );
            std::fs::write(&path, xml).unwrap();
        };
        let mut s = Store::open_in_memory().unwrap();
        let (f, _) = s
            .add_feed(&format!("file://{}", path.display()), None, false)
            .unwrap();
        // Stored as a dateline that read no categories stored it: no section.
        write(&[item("a", "")]);
        refresh(&mut s, &[], &FetchOptions::default(), |_| {}).unwrap();
        // The same item, now with a category, beside a new one.
        let cat = "<category>World</category>";
        write(&[item("a", cat), item("b", cat)]);
        let sum = refresh(&mut s, &[], &FetchOptions::default(), |_| {}).unwrap();
        assert_eq!((sum.new_articles, sum.updated_articles), (1, 0));
        let sections: Vec<(String, Option<String>)> = s
            .list(&crate::store::ListFilter::Feed(f.id), None)
            .unwrap()
            .into_iter()
            .map(|m| (m.title, m.section))
            .collect();
        assert!(
            sections.contains(&("b".into(), Some("World".into()))),
            "{sections:?}"
        );
        assert!(sections.contains(&("a".into(), None)), "{sections:?}");
    }

    #[test]
    fn each_item_is_counted_once_when_two_bulks_fail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.xml");
        let items: String = ["a", "poison", "b", "poison", "c"]
            .iter()
            .enumerate()
            .map(|(i, t)| {
                format!("<item><title>{t}</title><guid>g{i}</guid><description>{t} text.</description></item>")
            })
            .collect();
        let feed = format!("<rss version=\"2.0\"><channel><title>F</title>{items}</channel></rss>");
        std::fs::write(&path, feed).unwrap();
        let mut s = Store::open_in_memory().unwrap();
        s.add_feed(&format!("file://{}", path.display()), None, false)
            .unwrap();
        // Items titled "poison" cannot be stored; each one fails its bulk, whose other items
        // are then stored one by one.
        s.conn()
            .execute_batch(
                "CREATE TRIGGER poison BEFORE INSERT ON articles WHEN NEW.title = 'poison'
                 BEGIN SELECT RAISE(ABORT, 'poisoned'); END;",
            )
            .unwrap();
        let sum = refresh(&mut s, &[], &FetchOptions::default(), |_| {}).unwrap();
        assert_eq!(sum.new_articles, 3);
        assert_eq!(sum.warnings.len(), 2, "{:?}", sum.warnings);
        assert_eq!(s.count().unwrap(), 3);
    }
}
