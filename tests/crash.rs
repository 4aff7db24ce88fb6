//! Crash safety: an import or a fetch killed with SIGKILL at a random moment leaves a cache
//! that opens, passes `PRAGMA integrity_check`, and holds every article wholly (row, search
//! entry and entities) or not at all. A fetch's bulks write the file in place (a rollback
//! journal) while nobody else has it open, so its kills land in one now and then: the next
//! open rolls the journal back and puts the file back in WAL mode.

use dateline::model::ArticleId;
use dateline::store::Store;
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ROUNDS: usize = 12;
const ARTICLES: usize = 1500;
/// A fetch stores its items in bulks of a second or so: enough of them to take a few.
const FEED_ARTICLES: usize = 4000;
/// The feeds a fetch round reads them from.
const FEEDS: usize = 8;

fn write_corpus(dir: &std::path::Path) {
    let seed = include_str!("../assets/articles/00-japan-eu-security-partnership.txt");
    for i in 0..ARTICLES {
        // Each article gets a unique word in its title so its search entry can be checked.
        let text = seed.replacen(
            "Japan and EU announce security partnership",
            &format!("Japan and EU announce partnership zq{i}x"),
            1,
        );
        std::fs::write(dir.join(format!("{i:05}.txt")), text).unwrap();
    }
}

/// When to kill round `round`: the rounds split `span` into equal slices, each killed at a
/// pseudo-random moment (from the clock) in its own, so the kills cover the whole run.
fn kill_delay(round: usize, span: Duration) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let x = nanos
        .wrapping_mul(6364136223846793005)
        .wrapping_add((round as u64).wrapping_mul(1442695040888963407));
    let slice = span / ROUNDS as u32;
    slice * round as u32 + slice.mul_f64((x >> 11) as f64 / (1u64 << 53) as f64)
}

/// Atom feeds of the seed article, `FEED_ARTICLES` items in all, each with a unique word in its
/// title; returns their file URLs.
fn write_feeds(dir: &std::path::Path) -> Vec<String> {
    let seed = include_str!("../assets/articles/00-japan-eu-security-partnership.txt");
    let paragraphs: String = seed
        .split("\n\n")
        .skip(2)
        .map(|p| {
            format!(
                "&lt;p&gt;{}&lt;/p&gt;",
                p.replace('&', "&amp;amp;").replace('<', "&amp;lt;")
            )
        })
        .collect();
    (0..FEEDS)
        .map(|f| {
            let mut xml = format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
                 <title>Feed {f}</title><id>urn:feed:{f}</id><updated>2026-11-29T08:00:00Z</updated>"
            );
            for i in (f..FEED_ARTICLES).step_by(FEEDS) {
                xml.push_str(&format!(
                    "<entry><title>Japan and EU announce partnership zq{i}x</title>\
                     <id>urn:item:{i}</id><link href=\"https://example.org/{i}\"/>\
                     <updated>2026-11-29T08:00:00Z</updated>\
                     <content type=\"html\">{paragraphs}</content></entry>"
                ));
            }
            xml.push_str("</feed>\n");
            let path = dir.join(format!("feed-{f}.xml"));
            std::fs::write(&path, xml).unwrap();
            format!("file://{}", path.display())
        })
        .collect()
}

#[test]
fn sigkill_during_import_leaves_whole_articles_only() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    write_corpus(&corpus);
    let (partial, _) = kill_rounds(
        dir.path(),
        |_| {},
        &["import", "--jobs", "2", corpus.to_str().unwrap()],
        ARTICLES,
    );
    // The kill must have landed mid-import at least sometimes, or the test proved nothing.
    assert!(partial > 0, "every import finished before the kill");
}

#[test]
fn sigkill_during_fetch_leaves_whole_articles_and_feeds_only() {
    let dir = tempfile::tempdir().unwrap();
    let feeds = write_feeds(dir.path());
    let subscribe = |db: &std::path::Path| {
        let mut store = Store::open(db).unwrap();
        for url in &feeds {
            store.add_feed(url, None, false).unwrap();
        }
    };
    let (partial, in_place) = kill_rounds(
        dir.path(),
        subscribe,
        &["fetch", "--jobs", "2"],
        FEED_ARTICLES,
    );
    assert!(partial > 0, "every fetch finished before the kill");
    assert!(in_place > 0, "no kill landed in a bulk written in place");
}

/// Runs `dateline ARGS` (which stores `articles`) on a fresh cache prepared by `prepare`,
/// once whole and then `ROUNDS` times killed at a moment spread over the whole run's
/// length, and checks what each kill left. Returns in how many rounds the kill left some
/// articles but not all, and in how many it landed in a bulk written in place.
fn kill_rounds(
    dir: &std::path::Path,
    prepare: impl Fn(&std::path::Path),
    args: &[&str],
    articles: usize,
) -> (usize, usize) {
    let bin = env!("CARGO_BIN_EXE_dateline");
    let start = |db: &std::path::Path| {
        prepare(db);
        Command::new(bin)
            .args(["--db", db.to_str().unwrap()])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // A whole run first: the kills land anywhere within as long as it took (on a slow
    // machine as on a fast one).
    let whole = dir.join(format!("{}-whole.db", args[0]));
    let began = Instant::now();
    assert!(start(&whole).wait().unwrap().success());
    let span = began.elapsed();
    assert_eq!(Store::open(&whole).unwrap().count().unwrap(), articles);
    let (mut partial_rounds, mut in_place_rounds) = (0, 0);
    let mut extracted = HashMap::new();
    for round in 0..ROUNDS {
        let db = dir.join(format!("{}-round{round}.db", args[0]));
        let mut child = start(&db);
        std::thread::sleep(kill_delay(round, span));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        // Header bytes 18 and 19 are 1 while a bulk holds the file without the log.
        if std::fs::read(&db).is_ok_and(|head| head.len() > 19 && head[18] == 1) {
            in_place_rounds += 1;
        }

        let store = Store::open(&db).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(store.integrity_check().unwrap().is_empty(), "round {round}");
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal", "round {round}");
        let n = store.count().unwrap();
        if 0 < n && n < articles {
            partial_rounds += 1;
        }
        let fts_rows: i64 = store
            .conn()
            .query_row("SELECT COUNT(*) FROM articles_fts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            fts_rows as usize, n,
            "round {round}: one search entry per article"
        );
        for id in store.all_ids().unwrap() {
            assert_whole(&store, &id, round, &mut extracted);
        }
        // A feed whose fetch is recorded has all its items stored: otherwise its next
        // fetch could be answered "not modified" and the lost items never come.
        for feed in store.feeds().unwrap() {
            if feed.last_fetch.is_some() {
                let stored: i64 = store
                    .conn()
                    .query_row(
                        "SELECT COUNT(*) FROM articles WHERE feed_id = ?1",
                        [feed.id],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(
                    stored as usize,
                    articles / FEEDS,
                    "round {round}: feed {}",
                    feed.id
                );
            }
        }
    }
    eprintln!(
        "{}: {partial_rounds} partial rounds, {in_place_rounds} in place",
        args[0]
    );
    (partial_rounds, in_place_rounds)
}

/// Checks that the article has its search entry and its entities. `extracted` keeps what
/// extraction gave for each text seen, marker aside: the articles differ only in it, and
/// extracting each again made the test minutes long.
fn assert_whole(
    store: &Store,
    id: &ArticleId,
    round: usize,
    extracted: &mut HashMap<String, (usize, usize)>,
) {
    let article = store.article(id).unwrap().unwrap();
    let marker = article
        .title
        .split_whitespace()
        .find(|w| w.starts_with("zq"))
        .unwrap()
        .to_string();
    let hits = store.search_ids(&marker, 5).unwrap();
    assert_eq!(
        hits,
        vec![id.clone()],
        "round {round}: search entry of {id}"
    );
    // The stored entities are exactly what extraction gives for the stored text.
    let mut text = article.title.replace(&marker, "");
    for b in &article.blocks {
        text.push_str(&b.text);
    }
    let want = *extracted.entry(text).or_insert_with(|| {
        let e = dateline::entities::extract(&article);
        (e.len(), e.iter().map(|e| e.mentions.len()).sum())
    });
    let got = store.article_entities(id).unwrap();
    let mentions: usize = got.iter().map(|e| e.mentions.len()).sum();
    assert_eq!(
        (got.len(), mentions),
        want,
        "round {round}: entities and mentions of {id}"
    );
}
