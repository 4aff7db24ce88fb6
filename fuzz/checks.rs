//! The properties each fuzz target checks, shared with the smoke test that runs every target
//! over its seed corpus in `cargo test` (`tests/fuzz_smoke.rs`).

use dateline::store::Store;
use std::sync::{Mutex, OnceLock};

/// Bytes → article through the plain-text path: never a panic, never a control character out.
pub fn parse_text(data: &[u8]) {
    if let Ok(parsed) = dateline::ingest::parse_bytes(data, "fuzz.txt") {
        let a = parsed.article;
        assert!(dateline::sanitize::is_clean(&a.title));
        for b in &a.blocks {
            assert!(dateline::sanitize::is_clean(&b.text));
        }
    }
}

fn store() -> &'static Mutex<Store> {
    static STORE: OnceLock<Mutex<Store>> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut s = Store::open_in_memory().expect("in-memory store");
        for p in dateline::samples::parsed().iter().take(5) {
            s.upsert(&p.article, &[]).expect("sample upsert");
        }
        Mutex::new(s)
    })
}

/// Any typed query is translated into FTS5 syntax that SQLite accepts.
pub fn search_query(data: &[u8]) {
    if let Ok(q) = std::str::from_utf8(data) {
        let _ = dateline::store::query::to_fts5(q);
        let guard = store().lock().unwrap_or_else(|e| e.into_inner());
        guard.search(q, 5).expect("every query must be accepted");
    }
}

/// Article text → entities: never a panic, and every mention's text is its field's slice.
pub fn extract_entities(data: &[u8]) {
    let Ok(parsed) = dateline::ingest::parse_bytes(data, "fuzz.txt") else {
        return;
    };
    let article = parsed.article;
    for e in dateline::entities::extract(&article) {
        for m in &e.mentions {
            let field = article.field(m.field).expect("mention field exists");
            assert_eq!(field.get(m.start..m.end), Some(m.text.as_str()));
        }
    }
}

fn assert_article_clean(a: &dateline::model::Article) {
    assert!(dateline::sanitize::is_clean(&a.title));
    for b in &a.blocks {
        assert!(dateline::sanitize::is_clean(&b.text));
        assert!(b.credit.as_deref().is_none_or(dateline::sanitize::is_clean));
    }
    assert!(a.link.as_deref().is_none_or(dateline::sanitize::is_clean));
}

/// Bytes → feed items (RSS, Atom, JSON Feed, any charset): never a panic, clean text out.
pub fn parse_feed(data: &[u8]) {
    if let Ok(doc) = dateline::ingest::feed::parse(
        data,
        "https://fuzz.example/feed",
        "https://fuzz.example/feed",
        None,
        "feed:1",
    ) {
        for item in &doc.items {
            assert_article_clean(&item.article);
        }
    }
}

/// HTML → blocks and Readability extraction: never a panic, clean text out.
pub fn parse_html(data: &[u8]) {
    let (text, _) = dateline::ingest::charset::decode_markup(data, None);
    for b in dateline::ingest::html::to_blocks(&text) {
        assert!(dateline::sanitize::is_clean(&b.text));
    }
    if let Ok(a) = dateline::ingest::html::parse_page(&text, Some("https://fuzz.example/a"), "fuzz")
    {
        assert_article_clean(&a);
    }
}

/// OPML: never a panic; only http, https and file URLs come out.
pub fn parse_opml(data: &[u8]) {
    if let Ok(import) = dateline::feeds::opml::parse(data, "fuzz.opml") {
        for f in &import.feeds {
            let url = f.url.to_ascii_lowercase();
            assert!(
                url.starts_with("http://")
                    || url.starts_with("https://")
                    || url.starts_with("file://"),
                "{url}"
            );
        }
    }
}
