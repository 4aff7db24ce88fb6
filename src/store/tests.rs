use super::*;
use crate::ingest::text::parse_article;
use crate::model::{Article, ArticleId, Block, Entity, EntityKind, Field, Mention};

const SEED: &str = include_str!("../../assets/articles/00-japan-eu-security-partnership.txt");

/// The value of a pragma on the store's connection.
fn pragma<T: rusqlite::types::FromSql>(s: &Store, name: &str) -> T {
    s.conn()
        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

/// A cache as dateline made it before 16 KB pages: `page`-byte pages, no auto-vacuum.
fn older_cache(path: &std::path::Path, page: i64) -> Store {
    // A table fixes the file's page size before the store sets its own, and goes again.
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(&format!("PRAGMA page_size={page}; CREATE TABLE older(x);"))
        .unwrap();
    let s = Store::open(path).unwrap();
    s.conn().execute_batch("DROP TABLE older").unwrap();
    s
}

/// Writes about `kb` KB to a table and drops it, leaving its pages free in the file.
fn leave_free_pages(s: &Store, kb: usize) {
    s.conn()
        .execute_batch(&format!(
            "CREATE TABLE scratch(x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1
             FROM n WHERE i < {kb}) INSERT INTO scratch SELECT randomblob(1000) FROM n;
             DROP TABLE scratch;"
        ))
        .unwrap();
}

fn article(title: &str, body: &[&str]) -> Article {
    Article::new(
        title.to_string(),
        None,
        "test".into(),
        body.iter().map(|t| Block::paragraph(*t)).collect(),
    )
}

fn mention_of(a: &Article, word: &str) -> Vec<Mention> {
    let mut out = Vec::new();
    for (i, b) in a.blocks.iter().enumerate() {
        for (start, m) in b.text.match_indices(word) {
            out.push(Mention {
                field: Field::Block(i),
                start,
                end: start + m.len(),
                text: m.to_string(),
            });
        }
    }
    out
}

fn entity(a: &Article, name: &str, kind: EntityKind) -> Entity {
    Entity {
        name: name.into(),
        kind,
        aliases: vec![],
        mentions: mention_of(a, name),
    }
}

#[test]
fn round_trip_keeps_every_field() {
    let mut s = Store::open_in_memory().unwrap();
    let mut a = parse_article(SEED, "seed.txt");
    a.byline = Some("A. Writer".into());
    a.link = Some("https://example.com/seed".into());
    a.rederive_id();
    assert_eq!(s.upsert(&a, &[]).unwrap(), Upsert::Imported);
    let mut back = s.article(&a.id).unwrap().unwrap();
    assert!(back.imported_at.is_some());
    back.imported_at = None;
    assert_eq!(back, a);
}

fn from_feed(feed_id: i64) -> Origin<'static> {
    Origin {
        feed_id: Some(feed_id),
        ..Origin::default()
    }
}

#[test]
fn a_feed_remembers_each_item_as_it_gave_it_until_the_item_changes() {
    let mut s = Store::open_in_memory().unwrap();
    let (feed, _) = s.add_feed("https://news.example/rss", None, true).unwrap();
    let mut teaser = article("Lighthouse restored", &["Short teaser only."]);
    teaser.link = Some("https://news.example/lighthouse".into());
    teaser.rederive_id();
    let item = |a: &Article| Origin {
        item_digest: Some(Digest::of(a).short()),
        ..from_feed(feed.id)
    };
    // Stored with the page's text in place of the feed's teaser.
    let mut full = teaser.clone();
    full.blocks = vec![Block::paragraph("The whole story, from the page.")];
    assert_eq!(
        s.upsert_from(&full, &[], &item(&teaser)).unwrap(),
        Upsert::Imported
    );
    let digests = |s: &Store| s.feed_item_digests(&feed).unwrap();
    assert_eq!(digests(&s)[teaser.id.as_str()], Digest::of(&teaser).short());
    // A write that does not know the item (the reader's full-text command) keeps it.
    full.blocks
        .push(Block::paragraph("A second page paragraph."));
    assert_eq!(s.upsert(&full, &[]).unwrap(), Upsert::Updated);
    assert_eq!(digests(&s)[teaser.id.as_str()], Digest::of(&teaser).short());
    assert_eq!(
        s.list_ids(&ListFilter::Feed(feed.id)).unwrap(),
        [full.id.clone()]
    );
    assert_eq!(s.article(&full.id).unwrap().unwrap(), {
        let mut stored = full.clone();
        stored.imported_at = s.article(&full.id).unwrap().unwrap().imported_at;
        stored
    });
    // The item changed but its page did not: the article is unchanged and the new item
    // is remembered, so the next refresh does not fetch the page again.
    let mut changed = teaser.clone();
    changed.blocks = vec![Block::paragraph("A longer teaser.")];
    assert_eq!(
        s.upsert_from(&full, &[], &item(&changed)).unwrap(),
        Upsert::Unchanged
    );
    assert_eq!(
        digests(&s)[teaser.id.as_str()],
        Digest::of(&changed).short()
    );
    assert_ne!(Digest::of(&changed).short(), Digest::of(&teaser).short());
    // Another feed's item for the same article does not replace this feed's.
    let (plain, _) = s
        .add_feed("https://plain.example/rss", None, false)
        .unwrap();
    let elsewhere = Origin {
        item_digest: Some(Digest::of(&teaser).short()),
        ..from_feed(plain.id)
    };
    assert_eq!(
        s.upsert_from(&full, &[], &elsewhere).unwrap(),
        Upsert::Unchanged
    );
    assert_eq!(
        digests(&s)[teaser.id.as_str()],
        Digest::of(&changed).short()
    );
    // A row written without an item's digest (as before schema 7) answers with its
    // stored article's in a plain feed; in a full-text feed, where the stored article is
    // the page's, not at all.
    let other = article("Ferry", &["Runs again."]);
    s.upsert_from(&other, &[], &from_feed(plain.id)).unwrap();
    let d = s.feed_item_digests(&plain).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[other.id.as_str()], Digest::of(&other).short());
    let old_full = article("Old page", &["Stored by an older dateline."]);
    s.upsert_from(&old_full, &[], &from_feed(feed.id)).unwrap();
    assert!(!digests(&s).contains_key(old_full.id.as_str()));
    // Such a row given the reader's full text remembers the item it held until then, so
    // the next refresh still knows the feed's item and keeps the full text.
    let mut other_full = other.clone();
    other_full.blocks = vec![Block::paragraph("The ferry runs again, says the page.")];
    assert_eq!(s.upsert(&other_full, &[]).unwrap(), Upsert::Updated);
    let d = s.feed_item_digests(&plain).unwrap();
    assert_eq!(d[other.id.as_str()], Digest::of(&other).short());
}

#[test]
fn an_article_updated_in_a_later_bulk_is_found_by_its_new_words_only() {
    let mut s = Store::open_in_memory().unwrap();
    let a = article("Harbour news", &["The ferry sails at dawn."]);
    s.begin_bulk().unwrap();
    s.upsert(&a, &[]).unwrap();
    s.end_bulk().unwrap();
    let mut b = a.clone();
    b.blocks = vec![Block::paragraph("The bridge opens at noon.")];
    s.begin_bulk().unwrap();
    assert_eq!(s.upsert(&b, &[]).unwrap(), Upsert::Updated);
    s.end_bulk().unwrap();
    let hits = |q: &str| s.search(q, 10).unwrap().len();
    assert_eq!((hits("ferry"), hits("bridge"), hits("harbour")), (0, 1, 1));
    check_index(&s);
}

#[test]
fn an_updated_article_is_found_by_its_new_words_only() {
    let mut s = Store::open_in_memory().unwrap();
    let a = article("Harbour news", &["The ferry sails at dawn."]);
    s.upsert(&a, &[]).unwrap();
    let mut b = a.clone();
    b.blocks = vec![Block::paragraph("The bridge opens at noon.")];
    assert_eq!(s.upsert(&b, &[]).unwrap(), Upsert::Updated);
    let hits = |q: &str| s.search(q, 10).unwrap().len();
    assert_eq!((hits("ferry"), hits("bridge"), hits("harbour")), (0, 1, 1));
}

#[test]
fn a_lookup_sees_committed_articles_just_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("c.db")).unwrap();
    let a = article("Harbour", &["The ferry sails at dawn."]);
    s.upsert(&a, &[]).unwrap();
    let lookup = s.lookup().unwrap();
    assert!(lookup.holds(&a.id, &Digest::of(&a)));
    let mut changed = a.clone();
    changed.blocks.push(Block::paragraph("And back at dusk."));
    assert!(!lookup.holds(&a.id, &Digest::of(&changed)));
    let b = article("Bridge", &["It opens at noon."]);
    assert!(!lookup.holds(&b.id, &Digest::of(&b)));
    // What a bulk has not committed yet is not seen.
    s.begin_bulk().unwrap();
    s.upsert(&b, &[]).unwrap();
    assert!(!lookup.holds(&b.id, &Digest::of(&b)));
    s.end_bulk().unwrap();
    assert!(lookup.holds(&b.id, &Digest::of(&b)));
}

#[test]
fn no_write_joins_a_transaction_that_no_bulk_owns() {
    let mut s = Store::open_in_memory().unwrap();
    let a = article(
        "Left open",
        &["A transaction whose ROLLBACK failed stays open."],
    );
    // As after a ROLLBACK that failed: a transaction is open, and no bulk is.
    s.conn().execute_batch("BEGIN").unwrap();
    assert!(s.upsert(&a, &[]).is_err(), "stored where nobody commits");
    s.conn().execute_batch("ROLLBACK").unwrap();
    assert_eq!(s.upsert(&a, &[]).unwrap(), Upsert::Imported);
    // A bulk's own transaction is joined, and the bulk is over once ended.
    s.begin_bulk().unwrap();
    let b = article("In a bulk", &["Written inside the bulk."]);
    assert_eq!(s.upsert(&b, &[]).unwrap(), Upsert::Imported);
    s.end_bulk().unwrap();
    assert_eq!(s.count().unwrap(), 2);
    s.conn().execute_batch("BEGIN").unwrap();
    assert!(s.upsert(&article("After", &["x"]), &[]).is_err());
    s.conn().execute_batch("ROLLBACK").unwrap();

    // Nor do the small writes: flags and feeds.
    s.conn().execute_batch("BEGIN").unwrap();
    assert!(
        s.set_read(&a.id, true).is_err(),
        "marked read where nobody commits"
    );
    assert!(s.set_starred(&a.id, true).is_err());
    assert!(s.add_feed("https://x.example/rss", None, false).is_err());
    // Read inside the stray transaction: a write that joined it would show here (after the
    // rollback it would not, whatever the writes did).
    assert!(s.feeds().unwrap().is_empty());
    s.conn().execute_batch("ROLLBACK").unwrap();
    s.set_read(&a.id, true).unwrap();
    let (f, _) = s.add_feed("https://x.example/rss", None, false).unwrap();
    s.conn().execute_batch("BEGIN").unwrap();
    assert!(s.set_feed_url(f.id, "https://y.example/rss").is_err());
    assert!(
        s.set_fetch_states(&[(f.id, FetchState::default())])
            .is_err()
    );
    assert!(s.remove_feed(f.id).is_err());
    assert!(s.article(&a.id).unwrap().unwrap().read);
    assert!(!s.article(&a.id).unwrap().unwrap().starred);
    assert_eq!(s.feeds().unwrap()[0].url, "https://x.example/rss");
    s.conn().execute_batch("ROLLBACK").unwrap();
}

#[test]
fn reimport_is_unchanged_and_update_keeps_flags() {
    let mut s = Store::open_in_memory().unwrap();
    let mut a = article("T", &["one"]);
    a.link = Some("https://x.example/1".into());
    a.rederive_id();
    s.upsert(&a, &[]).unwrap();
    assert_eq!(s.upsert(&a, &[]).unwrap(), Upsert::Unchanged);
    s.set_read(&a.id, true).unwrap();
    s.set_starred(&a.id, true).unwrap();
    a.blocks.push(Block::paragraph("two"));
    assert_eq!(s.upsert(&a, &[]).unwrap(), Upsert::Updated);
    assert_eq!(s.count().unwrap(), 1);
    let back = s.article(&a.id).unwrap().unwrap();
    assert!(back.read && back.starred);
    assert_eq!(back.blocks.len(), 2);
    // The search index follows the update: the old text is gone, the new one found.
    assert_eq!(s.search("two", 10).unwrap().len(), 1);
    a.blocks.remove(0);
    s.upsert(&a, &[]).unwrap();
    assert!(s.search("one", 10).unwrap().is_empty());
}

#[test]
fn search_ranks_title_over_body_and_marks_hits() {
    let mut s = Store::open_in_memory().unwrap();
    let body_only = article("Markets today", &["A note on the harbour and security."]);
    let in_title = article("Security pact signed", &["Leaders met."]);
    s.upsert(&body_only, &[]).unwrap();
    s.upsert(&in_title, &[]).unwrap();
    let hits = s.search("security", 10).unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].id, in_title.id);
    assert!(hits[0].score > hits[1].score);
    assert!(
        hits[1].snippet.contains("«security»"),
        "{}",
        hits[1].snippet
    );
}

#[test]
fn phrases_prefixes_and_hostile_queries() {
    let mut s = Store::open_in_memory().unwrap();
    let seed = parse_article(SEED, "seed.txt");
    s.upsert(&seed, &[]).unwrap();
    s.upsert(
        &article("Other", &["industry of defence, not the phrase"]),
        &[],
    )
    .unwrap();
    let ids = |q: &str| -> Vec<ArticleId> {
        s.search(q, 10).unwrap().into_iter().map(|h| h.id).collect()
    };
    assert_eq!(ids("\"defence industry\""), vec![seed.id.clone()]);
    assert_eq!(ids("partner*"), vec![seed.id.clone()]);
    assert_eq!(ids("Borrell NOT Iwaya"), Vec::<ArticleId>::new());
    assert_eq!(ids("Borrell OR phrase").len(), 2);
    for q in [
        "\"unbalanced",
        "(((",
        "*",
        "AND OR NOT",
        "covid-19",
        "c++",
        "'",
        "NEAR(",
        "a:b",
        "^",
        "",
    ] {
        assert!(s.search(q, 10).is_ok(), "query {q:?}");
    }
}

#[test]
fn entity_queries() {
    let mut s = Store::open_in_memory().unwrap();
    let a = article("A", &["Borrell met Iwaya in Tokyo.", "Borrell left."]);
    let b = article("B", &["Borrell spoke in Tokyo."]);
    let c = article("C", &["Nothing about him, only Tokyo."]);
    for x in [&a, &b, &c] {
        let mut ents = vec![entity(x, "Tokyo", EntityKind::Place)];
        if x.body_text().contains("Borrell") {
            let mut e = entity(x, "Borrell", EntityKind::Person);
            e.name = "Josep Borrell".into();
            e.aliases = vec!["Borrell".into()];
            ents.push(e);
        }
        if x.body_text().contains("Iwaya") {
            ents.push(entity(x, "Iwaya", EntityKind::Person));
        }
        s.upsert(x, &ents).unwrap();
    }
    let top = s.top_entities(None, 10).unwrap();
    let names: Vec<&str> = top.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["Tokyo", "Josep Borrell", "Iwaya"],
        "by mentions, then articles"
    );
    assert_eq!((top[1].articles, top[1].mentions), (2, 3));
    let people = s.top_entities(Some(EntityKind::Person), 10).unwrap();
    assert_eq!(people.len(), 2);

    let by_alias = s.entity_articles("borrell", None).unwrap();
    assert_eq!(by_alias.len(), 2);
    assert_eq!(by_alias[0].article.id, a.id, "most mentions first");
    assert_eq!(by_alias[0].mentions, 2);
    assert_eq!(
        s.list(&ListFilter::Entity("Josep Borrell".into(), None), None)
            .unwrap()
            .len(),
        2
    );
    // By kind: Borrell is a person, not a place.
    let of = |kind| {
        s.list(&ListFilter::Entity("Borrell".into(), Some(kind)), None)
            .unwrap()
            .len()
    };
    assert_eq!((of(EntityKind::Person), of(EntityKind::Place)), (2, 0));

    let ents = s.article_entities(&a.id).unwrap();
    assert_eq!(ents[0].name, "Josep Borrell");
    assert_eq!(ents[0].mentions[1].text, "Borrell");

    let related = s.related(&a.id, 5).unwrap();
    assert_eq!(related[0].0.id, b.id, "B shares Borrell and Tokyo");
    let beside = s.cooccurring("Josep Borrell", 5).unwrap();
    assert_eq!(beside[0].name, "Tokyo");

    // Updating an article moves the totals instead of adding to them.
    let mut a2 = a.clone();
    a2.blocks.pop();
    let mut e = entity(&a2, "Borrell", EntityKind::Person);
    e.name = "Josep Borrell".into();
    s.upsert(&a2, &[e]).unwrap();
    let top = s.find_entities("Josep Borrell").unwrap();
    assert_eq!((top[0].articles, top[0].mentions), (2, 2));
}

#[test]
fn refuses_a_newer_schema_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(
        err.contains("c.db") && err.contains("newer dateline"),
        "{err}"
    );
}

#[test]
fn random_bytes_are_reported_as_not_a_cache() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    std::fs::write(&path, vec![0x5au8; 8192]).unwrap();
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(
        err.contains("junk.db") && err.contains("dateline doctor"),
        "{err}"
    );
}

#[test]
fn opens_with_wal_and_normal_sync() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("w.db")).unwrap();
    let mode: String = pragma(&s, "journal_mode");
    let sync: i64 = pragma(&s, "synchronous");
    assert_eq!(mode, "wal");
    assert_eq!(sync, 1, "NORMAL");
    assert!(s.integrity_check().unwrap().is_empty());
}

#[test]
fn resolves_unique_id_prefixes() {
    let mut s = Store::open_in_memory().unwrap();
    let a = article("A", &["x"]);
    s.upsert(&a, &[]).unwrap();
    assert_eq!(s.resolve_id(&a.id.as_str()[..4]).unwrap(), a.id);
    assert!(s.resolve_id("zzzzzzzzzzzz").is_err());
}

#[test]
fn common_queries_rank_only_the_newest_matches() {
    let mut s = Store::open_in_memory().unwrap();
    s.set_rank_window(3);
    let mut ids = Vec::new();
    for i in 0..5 {
        // The oldest article is the best match; with a window of 3 it is left out.
        let text = if i == 0 {
            "harbour harbour harbour harbour"
        } else {
            "harbour and more words here"
        };
        let a = article(&format!("Story {i}"), &[text]);
        s.upsert(&a, &[]).unwrap();
        ids.push(a.id);
    }
    let hits: Vec<ArticleId> = s
        .search("harbour", 10)
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|h| ids[2..].contains(h)), "{hits:?}");
    s.set_rank_window(100);
    let hits = s.search("harbour", 10).unwrap();
    assert_eq!(hits.len(), 5);
    assert_eq!(hits[0].id, ids[0], "ranked first once inside the window");
    assert_eq!(s.search_ids("harbour", 10).unwrap()[0], ids[0]);
}

#[test]
fn bulk_writes_index_once_and_survive_repeats_and_rollback() {
    let mut s = Store::open_in_memory().unwrap();
    let mut a = article("Bulk one", &["alpha text"]);
    a.link = Some("https://x.example/bulk".into());
    a.rederive_id();
    let b = article("Bulk two", &["beta text"]);
    s.begin_bulk().unwrap();
    s.upsert(&a, &[]).unwrap();
    s.upsert(&b, &[]).unwrap();
    // The same article changed again inside the bulk: one row, one index entry, new text.
    a.blocks = vec![Block::paragraph("gamma text")];
    assert_eq!(s.upsert(&a, &[]).unwrap(), Upsert::Updated);
    s.end_bulk().unwrap();
    assert_eq!(s.count().unwrap(), 2);
    let fts: i64 = s
        .conn()
        .query_row("SELECT COUNT(*) FROM articles_fts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fts, 2);
    assert!(s.search("alpha", 5).unwrap().is_empty());
    assert_eq!(s.search("gamma", 5).unwrap()[0].id, a.id);
    assert_eq!(s.search("beta", 5).unwrap()[0].id, b.id);
    assert!(s.integrity_check().unwrap().is_empty());
    s.conn()
        .execute(
            "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')",
            [],
        )
        .unwrap();

    // A rolled-back bulk leaves nothing behind.
    let c = article("Bulk three", &["delta text"]);
    s.begin_bulk().unwrap();
    s.upsert(&c, &[]).unwrap();
    s.rollback_bulk();
    assert_eq!(s.count().unwrap(), 2);
    assert!(s.search("delta", 5).unwrap().is_empty());
}

/// FTS5 segments in the search index.
fn index_segments(s: &Store) -> i64 {
    s.conn()
        .query_row(
            "SELECT COUNT(DISTINCT segid) FROM articles_fts_idx",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_bulk_indexed_part_way_is_one_segment_as_one_indexed_at_its_commit() {
    let mut s = Store::open_in_memory().unwrap();
    let titles = ["Harbour", "Bridge", "Canal", "Tram", "Ferry"];
    s.begin_bulk().unwrap();
    for (i, t) in titles.iter().enumerate() {
        s.upsert(&article(t, &["News of the day."]), &[]).unwrap();
        // Two at a time: what is indexed is searched already, inside the bulk.
        s.index_bulk_so_far(2).unwrap();
        let indexed = i.div_ceil(2) * 2;
        assert_eq!(s.search("news", 10).unwrap().len(), indexed, "after {t}");
    }
    s.end_bulk().unwrap();
    for t in titles {
        assert_eq!(s.search(t, 10).unwrap().len(), 1, "{t}");
    }
    assert_eq!(s.search("news", 10).unwrap().len(), titles.len());
    check_index(&s);
    // FTS5 kept what was indexed part way in memory until the commit and wrote it as one
    // segment, as when it is all indexed at the commit.
    assert_eq!(index_segments(&s), 1);
}

#[test]
fn an_article_indexed_part_way_then_changed_in_its_bulk_is_found_by_its_new_words() {
    let mut s = Store::open_in_memory().unwrap();
    let mut a = article("Harbour news", &["The ferry sails at dawn."]);
    let b = article("Bridge news", &["The bridge opens at noon."]);
    s.begin_bulk().unwrap();
    s.upsert(&a, &[]).unwrap();
    s.upsert(&b, &[]).unwrap();
    s.index_bulk_so_far(1).unwrap();
    // Indexed already, then changed in the same bulk: its old words must leave the index.
    a.blocks = vec![Block::paragraph("The tram runs at dusk.")];
    assert_eq!(s.upsert(&a, &[]).unwrap(), Upsert::Updated);
    let c = article("Canal news", &["The lock closes at nine."]);
    s.upsert(&c, &[]).unwrap();
    s.end_bulk().unwrap();
    let hits = |q: &str| s.search(q, 10).unwrap().len();
    assert_eq!(
        (hits("ferry"), hits("tram"), hits("bridge"), hits("lock")),
        (0, 1, 1, 1)
    );
    let rows: i64 = s
        .conn()
        .query_row("SELECT COUNT(*) FROM articles_fts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 3);
    check_index(&s);
}

fn check_index(s: &Store) {
    s.conn()
        .execute(
            "INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)",
            [],
        )
        .expect("the search index matches the articles");
}

#[test]
fn a_bulk_that_updates_many_articles_adds_at_most_two_segments() {
    let mut s = Store::open_in_memory().unwrap();
    let mut articles: Vec<Article> = (0..6)
        .map(|i| article(&format!("Story {i}"), &["The ferry sails at dawn."]))
        .collect();
    s.begin_bulk().unwrap();
    for a in &articles {
        s.upsert(a, &[]).unwrap();
    }
    s.end_bulk().unwrap();
    let before = index_segments(&s);
    s.begin_bulk().unwrap();
    for a in &mut articles {
        a.blocks = vec![Block::paragraph("The bridge opens at noon.")];
        assert_eq!(s.upsert(a, &[]).unwrap(), Upsert::Updated);
    }
    s.end_bulk().unwrap();
    // The old words out (one segment), the new ones in (another). Taking each article out
    // with an `INSERT … SELECT` made FTS5 write out what it held before each: a segment
    // per article, which it then had to merge (most of a large update's time).
    assert!(
        index_segments(&s) - before <= 2,
        "{} segments after {before}",
        index_segments(&s)
    );
    let hits = |q: &str| s.search(q, 10).unwrap().len();
    assert_eq!((hits("ferry"), hits("bridge")), (0, 6));
    check_index(&s);
}

#[test]
fn indexing_part_way_outside_a_bulk_does_nothing() {
    let mut s = Store::open_in_memory().unwrap();
    s.upsert(&article("Harbour news", &["The ferry sails."]), &[])
        .unwrap();
    s.index_bulk_so_far(0).unwrap();
    assert_eq!(s.search("ferry", 5).unwrap().len(), 1);
    check_index(&s);
}

/// The articles of `entity_queries`, with their entities, for writing in different ways.
fn borrell_articles() -> Vec<(Article, Vec<Entity>)> {
    let texts: [(&str, &[&str]); 3] = [
        ("A", &["Borrell met Iwaya in Tokyo.", "Borrell left."]),
        ("B", &["Borrell spoke in Tokyo."]),
        ("C", &["Nothing about him, only Tokyo."]),
    ];
    texts
        .iter()
        .map(|(title, body)| {
            let x = article(title, body);
            let mut ents = vec![entity(&x, "Tokyo", EntityKind::Place)];
            if x.body_text().contains("Borrell") {
                let mut e = entity(&x, "Borrell", EntityKind::Person);
                e.name = "Josep Borrell".into();
                e.aliases = vec!["Borrell".into()];
                ents.push(e);
            }
            (x, ents)
        })
        .collect()
}

#[test]
fn bulk_entity_totals_match_one_by_one_and_survive_rollback() {
    let articles = borrell_articles();
    let mut one = Store::open_in_memory().unwrap();
    for (a, e) in &articles {
        one.upsert(a, e).unwrap();
    }

    let mut bulk = Store::open_in_memory().unwrap();
    // A bulk that creates the entities and is then abandoned must not leave the store
    // believing they exist.
    bulk.begin_bulk().unwrap();
    for (a, e) in &articles {
        bulk.upsert(a, e).unwrap();
    }
    bulk.rollback_bulk();
    assert!(bulk.top_entities(None, 10).unwrap().is_empty());
    // Written in two bulks, the first article twice (an update inside the bulk).
    bulk.begin_bulk().unwrap();
    bulk.upsert(&articles[0].0, &articles[0].1).unwrap();
    let mut changed = articles[0].0.clone();
    changed.blocks.push(Block::paragraph("Tokyo again."));
    let ents = vec![entity(&changed, "Tokyo", EntityKind::Place)];
    bulk.upsert(&changed, &ents).unwrap();
    bulk.upsert(&articles[0].0, &articles[0].1).unwrap();
    bulk.end_bulk().unwrap();
    bulk.begin_bulk().unwrap();
    for (a, e) in &articles[1..] {
        bulk.upsert(a, e).unwrap();
    }
    bulk.end_bulk().unwrap();

    assert_eq!(
        bulk.top_entities(None, 10).unwrap(),
        one.top_entities(None, 10).unwrap()
    );
    let fk: i64 = pragma(&bulk, "foreign_keys");
    assert_eq!(fk, 1, "foreign keys are checked again once a bulk is over");
    let tokyo = &bulk.find_entities("Tokyo").unwrap()[0];
    assert_eq!((tokyo.articles, tokyo.mentions), (3, 3));
    assert_eq!(bulk.entity_articles("borrell", None).unwrap().len(), 2);
    assert!(bulk.integrity_check().unwrap().is_empty());
}

#[test]
fn a_name_shared_by_many_entities_lists_the_same_articles_with_or_without_a_limit() {
    let mut s = Store::open_in_memory().unwrap();
    // Six people called Nowak over twelve articles, mentioned 1-4 times each.
    for i in 0..12usize {
        let words: Vec<String> = (0..=(i * 7 % 4)).map(|_| "Nowak spoke.".into()).collect();
        let texts: Vec<&str> = words.iter().map(String::as_str).collect();
        let a = article(&format!("Story {i}"), &texts);
        let mut e = entity(&a, "Nowak", EntityKind::Person);
        e.name = format!("Person{} Nowak", i % 6);
        e.aliases = vec!["Nowak".into()];
        let mut other = e.clone();
        other.name = format!("Person{} Nowak", (i + 1) % 6);
        other.mentions.truncate(1);
        s.upsert(&a, &[e, other]).unwrap();
    }
    let all = s.entity_articles("nowak", None).unwrap();
    assert_eq!(all.len(), 12);
    assert!(all.windows(2).all(|w| w[0].mentions >= w[1].mentions));
    for k in 1..=12 {
        let some = s.entity_articles("NOWAK", Some(k)).unwrap();
        let ids = |v: &[EntityArticle]| -> Vec<(String, usize)> {
            v.iter()
                .map(|e| (e.article.id.to_string(), e.mentions))
                .collect()
        };
        assert_eq!(ids(&some), ids(&all[..k]), "limit {k}");
    }
}

#[test]
fn phrases_and_prefixes_rank_like_bm25_among_the_newest_then_everywhere() {
    let mut s = Store::open_in_memory().unwrap();
    let texts = [
        "the harbour master said on Monday the harbour master was right",
        "a short note: harbour master",
        "harbour master harbour master harbour master and nothing else",
        "long text about the harbour master among many many other words in a long sentence",
        "nothing to see here",
        "harbourside views",
    ];
    let mut ids = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let a = article(&format!("Story {i}"), &[t]);
        s.upsert(&a, &[]).unwrap();
        ids.push(a.id);
    }
    let ours = |s: &Store, q: &str| -> Vec<ArticleId> {
        s.search(q, 10).unwrap().into_iter().map(|h| h.id).collect()
    };
    // With one phrase or one prefix, leaving out IDF changes no order: same as bm25.
    for (q, fts) in [
        (r#""harbour master""#, r#""harbour master""#),
        ("harbour*", r#""harbour"*"#),
    ] {
        let bm25: Vec<ArticleId> = s
            .conn()
            .prepare(
                "SELECT a.id FROM articles_fts f JOIN articles a ON a.rowid = f.rowid
                 WHERE articles_fts MATCH ?1 ORDER BY f.rank",
            )
            .unwrap()
            .query_map([fts], |r| Ok(ArticleId::new(r.get::<_, String>(0)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(ours(&s, q), bm25, "{q}");
        assert_eq!(s.search_ids(q, 10).unwrap(), bm25, "{q}");
    }
    assert_eq!(ours(&s, r#""harbour master""#)[0], ids[2]);
    assert_eq!(ours(&s, "harbour*").len(), 5);
    // The newest three articles first: they hold one hit, enough for a limit of one even
    // though an older article matches better.
    s.set_rank_window(3);
    assert_eq!(s.search(r#""harbour master""#, 1).unwrap()[0].id, ids[3]);
    // They hold fewer than asked for, so every article is searched.
    assert_eq!(ours(&s, r#""harbour master""#).len(), 4);
    // The newest two hold none: every article is searched.
    s.set_rank_window(2);
    assert_eq!(s.search(r#""harbour master""#, 1).unwrap()[0].id, ids[2]);
    let hit = &s.search("harbour*", 10).unwrap()[0];
    assert!(hit.snippet.contains("«harbour"), "{}", hit.snippet);
}

#[test]
fn compacting_an_older_cache_gives_it_the_new_layout_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut s = older_cache(&path, 4096);
    assert_eq!(pragma::<i64>(&s, "page_size"), 4096);
    let words = ["harbour", "bridge", "ferry", "lighthouse"];
    for (i, w) in words.iter().cycle().take(40).enumerate() {
        let a = article(
            &format!("Story {i}"),
            &[&format!("The {w} opens on day {i}.")],
        );
        let e = entity(&a, "Story", EntityKind::Other);
        s.upsert(&a, &[e]).unwrap();
    }
    // Free pages to give back, and several search segments to merge.
    leave_free_pages(&s, 500);
    let hits = |s: &Store| {
        words
            .iter()
            .map(|w| s.search(w, 50).unwrap().len())
            .collect::<Vec<_>>()
    };
    let (found, count, entities) = (hits(&s), s.count().unwrap(), s.entity_count().unwrap());
    let (before, after) = s.compact().unwrap();
    assert!(after < before, "{before} -> {after}");
    assert_eq!(pragma::<i64>(&s, "page_size"), 16384);
    assert_eq!(pragma::<i64>(&s, "auto_vacuum"), 2);
    assert_eq!(pragma::<i64>(&s, "freelist_count"), 0);
    assert_eq!(pragma::<String>(&s, "journal_mode"), "wal");
    assert!(s.integrity_check().unwrap().is_empty());
    assert_eq!(
        (hits(&s), s.count().unwrap(), s.entity_count().unwrap()),
        (found.clone(), count, entities)
    );
    assert_eq!(found, [10, 10, 10, 10]);
    // Still the same cache for a later open.
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!((hits(&s), s.count().unwrap()), (found, count));
}

#[test]
fn compacting_a_cache_open_elsewhere_fails_clearly_and_keeps_it_usable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    s.upsert(&article("Kept", &["Nothing moves."]), &[])
        .unwrap();
    let reader = Store::open(&path).unwrap();
    reader
        .conn()
        .execute_batch("BEGIN; SELECT count(*) FROM articles;")
        .unwrap();
    let e = s.compact().unwrap_err().to_string();
    assert!(e.contains("c.db") && e.contains("close it"), "{e}");
    assert_eq!(pragma::<String>(&s, "journal_mode"), "wal");
    reader.conn().execute_batch("COMMIT").unwrap();
    assert_eq!(reader.count().unwrap(), 1);
    assert_eq!(s.count().unwrap(), 1);
}

#[test]
fn a_new_cache_has_large_pages_and_can_hand_free_pages_back() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("c.db")).unwrap();
    let mode: i64 = pragma(&s, "auto_vacuum");
    assert_eq!(mode, 2, "incremental auto-vacuum on a new file");
    let page: i64 = pragma(&s, "page_size");
    assert_eq!(page, 16384, "16 KB pages on a new file");
    let automerge: i64 = s
        .conn()
        .query_row(
            "SELECT v FROM articles_fts_config WHERE k = 'automerge'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(automerge, 16);
    // Free pages, as FTS5's merges leave them after a large import.
    leave_free_pages(&s, 2000);
    let free = |s: &Store| -> i64 { pragma(s, "freelist_count") };
    assert!(free(&s) > 100);
    s.release_free_pages().unwrap();
    assert_eq!(free(&s), 0);
}

#[test]
fn a_bulk_never_leaves_foreign_keys_off_or_an_item_pointing_at_a_removed_feed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    let fk = |s: &Store| -> i64 { pragma(s, "foreign_keys") };
    // Another process removed the feed after this refresh read the feed list.
    let (feed, _) = s.add_feed("https://news.example/rss", None, false).unwrap();
    assert!(s.remove_feed(feed.id).unwrap());
    let a = article("Late item", &["text"]);
    s.begin_bulk().unwrap();
    s.upsert_from(&a, &[], &from_feed(feed.id)).unwrap();
    s.end_bulk().unwrap();
    let feed_id: Option<i64> = s
        .conn()
        .query_row("SELECT feed_id FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(feed_id, None);
    let dangling: i64 = s
        .conn()
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(dangling, 0);
    assert_eq!(fk(&s), 1);

    // A bulk that cannot start (another writer holds the file) leaves the checks on.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    s.conn_mut()
        .busy_timeout(std::time::Duration::from_millis(20))
        .unwrap();
    assert!(s.begin_bulk().is_err());
    assert_eq!(fk(&s), 1);
    other.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn list_ids_are_read_from_an_index_alone() {
    let s = Store::open_in_memory().unwrap();
    for filter in [
        ListFilter::All,
        ListFilter::Unread,
        ListFilter::Starred,
        ListFilter::Feed(1),
    ] {
        let (sql, arg) = articles::ids_query(&filter).unwrap();
        let mut stmt = s
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let detail = |r: &rusqlite::Row<'_>| r.get::<_, String>(3);
        let plan: Vec<String> = match arg {
            Some(a) => stmt.query_map([a], detail),
            None => stmt.query_map([], detail),
        }
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
        let plan = plan.join("; ");
        assert!(
            plan.contains("COVERING INDEX") && !plan.contains("TEMP B-TREE"),
            "{filter:?}: {plan}"
        );
    }
}

#[test]
fn list_ids_follow_the_list_order_for_every_filter() {
    let mut s = Store::open_in_memory().unwrap();
    let (feed, _) = s.add_feed("https://e.com/rss", None, false).unwrap();
    for i in 0..6 {
        let mut a = article(&format!("Article {i}"), &["Some text."]);
        a.published = Some(format!("2024-01-0{}T00:00:00Z", 1 + i % 3));
        let feed_id = (i % 2 == 0).then_some(feed.id);
        s.upsert_from(
            &a,
            &[],
            &Origin {
                feed_id,
                ..Origin::default()
            },
        )
        .unwrap();
    }
    let all = s.list_ids(&ListFilter::All).unwrap();
    s.set_read(&all[1], true).unwrap();
    s.set_starred(&all[2], true).unwrap();
    for filter in [
        ListFilter::All,
        ListFilter::Unread,
        ListFilter::Starred,
        ListFilter::Feed(feed.id),
    ] {
        let from_list: Vec<ArticleId> = s
            .list(&filter, None)
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert!(!from_list.is_empty(), "{filter:?}");
        assert_eq!(s.list_ids(&filter).unwrap(), from_list, "{filter:?}");
    }
}

#[test]
fn the_log_is_cut_back_to_32_mb_once_copied_back() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("c.db")).unwrap();
    assert_eq!(pragma::<i64>(&s, "journal_size_limit"), 32 << 20);
}

#[test]
fn bulks_copy_the_log_back_every_128_mb_whatever_the_page_size() {
    let dir = tempfile::tempdir().unwrap();
    for (page, pages) in [(16384, 8192), (4096, 32768)] {
        let path = dir.path().join(format!("c{page}.db"));
        let mut s = if page == 16384 {
            Store::open(&path).unwrap()
        } else {
            older_cache(&path, page)
        };
        s.begin_bulk().unwrap();
        let got: i64 = pragma(&s, "wal_autocheckpoint");
        s.end_bulk().unwrap();
        assert_eq!(got, pages, "{page}-byte pages");
    }
}

#[test]
fn a_cache_with_a_link_row_per_entity_is_migrated_to_link_rows_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let texts = [
        ("A", "Borrell met Iwaya in Tokyo. Borrell left."),
        ("B", "Borrell spoke in Tokyo."),
        ("C", "Only Tokyo, and Iwaya."),
    ];
    let mut ids = Vec::new();
    {
        let mut s = Store::open(&path).unwrap();
        for (title, body) in texts {
            let a = article(title, &[body]);
            let mut ents = vec![entity(&a, "Tokyo", EntityKind::Place)];
            for name in ["Borrell", "Iwaya"] {
                if body.contains(name) {
                    let mut e = entity(&a, name, EntityKind::Person);
                    e.aliases = vec![format!("Mr {name}")];
                    ents.push(e);
                }
            }
            s.upsert(&a, &ents).unwrap();
            ids.push(a.id);
        }
    }
    let answers = |s: &Store| {
        let entities: Vec<Vec<Entity>> = ids
            .iter()
            .map(|id| s.article_entities(id).unwrap())
            .collect();
        let lists: Vec<Vec<(String, usize)>> = ["Tokyo", "Mr Borrell", "Iwaya"]
            .iter()
            .map(|n| {
                s.entity_articles(n, None)
                    .unwrap()
                    .into_iter()
                    .map(|e| (e.article.id.to_string(), e.mentions))
                    .collect()
            })
            .collect();
        let related: Vec<Vec<String>> = ids
            .iter()
            .map(|id| {
                s.related(id, 5)
                    .unwrap()
                    .into_iter()
                    .map(|(m, _)| m.id.to_string())
                    .collect()
            })
            .collect();
        let beside = s.cooccurring("Borrell", 5).unwrap();
        (
            entities,
            lists,
            related,
            beside,
            s.top_entities(None, 10).unwrap(),
        )
    };
    let now = answers(&Store::open(&path).unwrap());
    assert_eq!(now.0[0][0].name, "Borrell");
    assert_eq!(now.1[0].len(), 3);
    // The same cache as schema 8 wrote it: a row per (article, entity) with its index.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE article_entities (
             article INTEGER NOT NULL, entity_id INTEGER NOT NULL, mentions INTEGER NOT NULL,
             aliases TEXT NOT NULL, spans TEXT NOT NULL, PRIMARY KEY(article, entity_id)
         ) WITHOUT ROWID;
         CREATE INDEX article_entities_by_entity
             ON article_entities(entity_id, mentions DESC, article DESC);
         INSERT INTO article_entities
             SELECT l.article, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),
                 json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]')
             FROM article_links l, json_each(l.links) j;
         DROP TABLE article_links;
         DROP TABLE entity_postings;
         PRAGMA user_version = 8;",
    )
    .unwrap();
    let links: i64 = conn
        .query_row("SELECT COUNT(*) FROM article_entities", [], |r| r.get(0))
        .unwrap();
    assert_eq!(links, 7);
    drop(conn);
    let s = Store::open(&path).unwrap();
    assert_eq!(pragma::<i64>(&s, "user_version"), schema::CURRENT_VERSION);
    assert_eq!(answers(&s), now);
    assert!(s.integrity_check().unwrap().is_empty());
}

#[test]
fn cleared_entity_links_are_rebuilt_the_same_by_linking_every_article_again() {
    let mut s = Store::open_in_memory().unwrap();
    let mut all = Vec::new();
    for (title, body) in [
        ("A", "Borrell met Iwaya in Tokyo. Borrell left."),
        ("B", "Borrell spoke in Tokyo."),
    ] {
        let a = article(title, &[body]);
        let mut ents = vec![entity(&a, "Tokyo", EntityKind::Place)];
        ents.push(entity(&a, "Borrell", EntityKind::Person));
        s.upsert(&a, &ents).unwrap();
        all.push((a.id.clone(), ents));
    }
    let top = s.top_entities(None, 10).unwrap();
    let tokyo = s.entity_articles("Tokyo", None).unwrap();
    s.clear_entity_links().unwrap();
    assert!(s.top_entities(None, 10).unwrap().is_empty());
    assert!(s.entity_articles("Tokyo", None).unwrap().is_empty());
    assert!(s.article_entities(&all[0].0).unwrap().is_empty());
    for (id, ents) in &all {
        s.replace_entities(id, ents).unwrap();
    }
    assert_eq!(s.top_entities(None, 10).unwrap(), top);
    assert_eq!(s.entity_articles("Tokyo", None).unwrap(), tokyo);
}

#[test]
fn an_unreadable_links_row_stops_the_update_instead_of_unlinking_blind() {
    let mut s = Store::open_in_memory().unwrap();
    let a = article("A", &["Borrell met Iwaya in Tokyo."]);
    let ents = vec![entity(&a, "Tokyo", EntityKind::Place)];
    s.upsert(&a, &ents).unwrap();
    s.conn()
        .execute_batch("UPDATE article_links SET links = '[[1, 1, oops'")
        .unwrap();
    // Reading skips it.
    assert!(s.related(&a.id, 5).unwrap().is_empty());
    // Changing the article would unlink it: refused, with the way out, and nothing moved.
    let mut changed = a.clone();
    changed.blocks.push(Block::paragraph("Tokyo again."));
    let err = s.upsert(&changed, &ents).unwrap_err().to_string();
    assert!(err.contains("reindex"), "{err}");
    assert_eq!(s.find_entities("Tokyo").unwrap()[0].articles, 1);
    // Reindex's way: clear, then link again.
    s.clear_entity_links().unwrap();
    s.upsert(&changed, &ents).unwrap();
    assert_eq!(s.entity_articles("Tokyo", None).unwrap().len(), 1);
    assert_eq!(s.find_entities("Tokyo").unwrap()[0].articles, 1);
}

#[test]
fn a_cache_whose_chunks_have_no_ranges_gets_them_and_unlinks_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut articles = Vec::new();
    {
        let mut s = Store::open(&path).unwrap();
        for (title, body) in [
            ("A", "Tokyo."),
            ("B", "Tokyo again."),
            ("C", "Tokyo, third."),
        ] {
            let a = article(title, &[body]);
            s.upsert(&a, &[entity(&a, "Tokyo", EntityKind::Place)])
                .unwrap();
            articles.push(a);
        }
    }
    // The lists as schema 9 wrote them, without ranges, and a chunk of junk beside them.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE old (entity_id INTEGER NOT NULL, chunk INTEGER NOT NULL,
             count INTEGER NOT NULL, postings TEXT NOT NULL, PRIMARY KEY(entity_id, chunk))
             WITHOUT ROWID;
         INSERT INTO old SELECT entity_id, chunk, count, postings FROM entity_postings;
         INSERT INTO old SELECT entity_id, -1, 1, 'junk' FROM entity_postings LIMIT 1;
         INSERT INTO old SELECT entity_id, -2, 1, '[[5,1,5,1],3,1]' FROM entity_postings LIMIT 1;
         DROP TABLE entity_postings;
         ALTER TABLE old RENAME TO entity_postings;
         PRAGMA user_version = 9;",
    )
    .unwrap();
    let rowids: Vec<i64> = conn
        .prepare("SELECT rowid FROM articles ORDER BY rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(conn);
    let mut s = Store::open(&path).unwrap();
    assert_eq!(pragma::<i64>(&s, "user_version"), schema::CURRENT_VERSION);
    let ranges: Vec<(i64, i64)> = s
        .conn()
        .prepare("SELECT lo, hi FROM entity_postings ORDER BY chunk")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        ranges,
        [
            (i64::MIN, i64::MAX),
            (i64::MIN, i64::MAX),
            (rowids[0], rowids[rowids.len() - 1])
        ],
        "junk, and a list nested in a list, get the widest range"
    );
    // A dateline from before this schema, still running, cannot write a chunk without
    // its range (removals would miss it).
    let old_append = s.conn().execute(
        "INSERT INTO entity_postings(entity_id, chunk, count, postings)
         SELECT entity_id, chunk, 1, '[999,1]' FROM entity_postings WHERE chunk = 0
         ON CONFLICT(entity_id, chunk) DO UPDATE SET count = count + excluded.count",
        [],
    );
    let err = old_append.unwrap_err().to_string();
    assert!(err.contains("NOT NULL"), "{err}");
    // Changing an article takes it out of the list and puts it back, once.
    let mut changed = articles[0].clone();
    changed.blocks.push(Block::paragraph("Tokyo, later."));
    s.upsert(&changed, &[entity(&changed, "Tokyo", EntityKind::Place)])
        .unwrap();
    let listed = s.entity_articles("Tokyo", None).unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(s.find_entities("Tokyo").unwrap()[0].articles, 3);
    assert!(s.integrity_check().unwrap().is_empty());
}

/// The journal mode the file itself records (header bytes 18 and 19): 2 for the log
/// (WAL), 1 for a rollback journal. Read from the file, not from any connection's view.
fn file_mode(path: &std::path::Path) -> (u8, u8) {
    let head = std::fs::read(path).unwrap();
    (head[18], head[19])
}

fn log_len(path: &std::path::Path) -> u64 {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(0, |m| m.len())
}

#[test]
fn a_bulk_with_the_file_to_itself_writes_it_in_place_then_goes_back_to_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    s.write_bulks_in_place();
    let a = article("In place", &["Borrell met Iwaya in Tokyo."]);
    s.begin_bulk().unwrap();
    assert_eq!(pragma::<String>(&s, "journal_mode"), "truncate");
    assert_eq!(pragma::<i64>(&s, "synchronous"), 2, "FULL while in place");
    s.upsert(&a, &[entity(&a, "Tokyo", EntityKind::Place)])
        .unwrap();
    s.end_bulk().unwrap();
    // Nothing of the bulk went through the log: it was written into the file itself.
    assert_eq!(log_len(&path), 0);
    assert_eq!(file_mode(&path), (2, 2), "the file is back in WAL mode");
    assert_eq!(pragma::<String>(&s, "journal_mode"), "wal");
    assert_eq!(pragma::<i64>(&s, "synchronous"), 1, "NORMAL again");
    // Writes outside a bulk go through the log.
    s.set_read(&a.id, true).unwrap();
    assert!(log_len(&path) > 0);
    drop(s);
    let s = Store::open(&path).unwrap();
    assert!(s.article(&a.id).unwrap().unwrap().read);
    assert_eq!(s.search_ids("Iwaya", 5).unwrap(), vec![a.id.clone()]);
    assert!(s.integrity_check().unwrap().is_empty());
}

#[test]
fn without_the_wish_or_with_another_connection_open_bulks_go_through_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    s.begin_bulk().unwrap();
    assert_eq!(pragma::<String>(&s, "journal_mode"), "wal", "not asked for");
    s.end_bulk().unwrap();

    let reader = Store::open(&path).unwrap();
    s.write_bulks_in_place();
    let a = article("Shared", &["Borrell met Iwaya in Tokyo."]);
    s.begin_bulk().unwrap();
    assert_eq!(
        pragma::<String>(&s, "journal_mode"),
        "wal",
        "a reader is open"
    );
    s.upsert(&a, &[]).unwrap();
    // The reader reads on while the bulk is open, as WAL allows.
    assert_eq!(reader.count().unwrap(), 0);
    s.end_bulk().unwrap();
    assert!(log_len(&path) > 0);
    assert_eq!(reader.count().unwrap(), 1);
}

#[test]
fn a_reader_that_opens_during_an_in_place_bulk_reads_between_its_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut s = Store::open(&path).unwrap();
    s.write_bulks_in_place();
    let first = article("First", &["Borrell met Iwaya in Tokyo."]);
    s.upsert(&first, &[]).unwrap();
    let second = article("Second", &["Iwaya flew to Brussels."]);
    s.begin_bulk().unwrap();
    s.upsert(&second, &[]).unwrap();
    assert_eq!(
        file_mode(&path),
        (1, 1),
        "the bulk holds the file without the log"
    );
    // Opening cannot bring the log back while the bulk holds the file: it opens anyway
    // (rather than waiting for the bulk, or failing) and reads what is committed.
    let reader = Store::open(&path).unwrap();
    assert_eq!(reader.count().unwrap(), 1);
    assert_eq!(pragma::<i64>(&reader, "synchronous"), 2, "FULL outside WAL");
    s.end_bulk().unwrap();
    assert_eq!(file_mode(&path), (2, 2));
    // Idle since it opened, the reader holds nothing: the next bulk goes in place again,
    // and the reader still sees what it commits.
    let third = article("Third", &["Borrell flew to Tokyo."]);
    s.begin_bulk().unwrap();
    assert_eq!(pragma::<String>(&s, "journal_mode"), "truncate");
    s.upsert(&third, &[]).unwrap();
    s.end_bulk().unwrap();
    assert_eq!(reader.count().unwrap(), 3);
    assert_eq!(
        reader.search_ids("Brussels", 5).unwrap(),
        vec![second.id.clone()]
    );
    // The reader writes through the log now, and the first store sees it.
    reader.set_read(&second.id, true).unwrap();
    assert!(log_len(&path) > 0);
    assert!(s.article(&second.id).unwrap().unwrap().read);
    // With the reader open, the next bulk goes through the log.
    s.begin_bulk().unwrap();
    assert_eq!(pragma::<String>(&s, "journal_mode"), "wal");
    s.end_bulk().unwrap();
    assert!(reader.integrity_check().unwrap().is_empty());
}

/// A store that wrote a bulk in place and is back in the log, and a store opened on the
/// same file during that bulk (while the file was out of WAL).
fn opened_during_an_in_place_bulk(path: &std::path::Path) -> (Store, Store) {
    let mut writer = Store::open(path).unwrap();
    writer.write_bulks_in_place();
    writer.begin_bulk().unwrap();
    let during = Store::open(path).unwrap();
    writer.end_bulk().unwrap();
    (writer, during)
}

#[test]
fn a_store_opened_during_an_in_place_bulk_never_writes_in_place_itself() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let (first, mut second) = opened_during_an_in_place_bulk(&path);
    // `first` is open, in WAL: `second` is not alone, though its own connection, opened
    // while the file was out of WAL, would switch modes without testing that.
    second.write_bulks_in_place();
    second.begin_bulk().unwrap();
    assert!(!second.in_place);
    let a = article("Second", &["Iwaya flew to Brussels."]);
    second.upsert(&a, &[]).unwrap();
    assert_eq!(file_mode(&path), (2, 2));
    second.end_bulk().unwrap();
    assert_eq!(first.count().unwrap(), 1);
}

#[test]
fn a_store_dropped_inside_an_in_place_bulk_leaves_the_file_in_wal_without_the_bulk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let kept = article("Kept", &["Borrell met Iwaya in Tokyo."]);
    let lost = article("Lost", &["Iwaya flew to Brussels."]);
    {
        let mut s = Store::open(&path).unwrap();
        s.write_bulks_in_place();
        s.upsert(&kept, &[]).unwrap();
        s.begin_bulk().unwrap();
        s.upsert(&lost, &[]).unwrap();
        assert_eq!(file_mode(&path), (1, 1));
    }
    assert_eq!(file_mode(&path), (2, 2));
    let s = Store::open(&path).unwrap();
    assert_eq!(s.all_ids().unwrap(), vec![kept.id]);
    assert!(s.integrity_check().unwrap().is_empty());
}

#[test]
fn compacting_is_refused_while_a_fetch_that_wrote_in_place_has_the_file_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let (fetch, mut doctor) = opened_during_an_in_place_bulk(&path);
    // Opened while the file was out of WAL, `doctor` would leave WAL without a test.
    let err = doctor.compact().expect_err("refused").to_string();
    assert!(err.contains("another program"), "{err}");
    drop(fetch);
    doctor.compact().unwrap();
}
