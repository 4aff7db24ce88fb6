//! The schema and its migrations, stepped by `PRAGMA user_version`. Each migration runs in
//! its own transaction; a cache from a newer dateline is refused rather than damaged.

use crate::error::{Error, Result};
use rusqlite::Connection;

/// The search columns' weights (title, standfirst, body), for FTS5's `rank` here and for
/// [`super::rank`]'s queries: a macro, so the migration can stay one literal. Caches
/// migrated already keep the weights they were given: new weights need a new migration
/// that sets `rank` again, not only a change here.
macro_rules! column_weights {
    () => {
        "10.0, 3.0, 1.0"
    };
}
pub(super) use column_weights;

/// Migrations in order; migration N (1-based) brings the schema to version N.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: articles with their body as text plus a small layout, external-content FTS5 over
    // title, standfirst and body, entities with per-article mention spans, and feeds.
    r#"
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        name TEXT,
        full_text INTEGER NOT NULL DEFAULT 0,
        etag TEXT,
        last_modified TEXT,
        last_fetch INTEGER,
        last_error TEXT,
        added_at INTEGER NOT NULL
    );
    CREATE TABLE articles (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        section TEXT,
        title TEXT NOT NULL,
        standfirst TEXT,
        byline TEXT,
        published TEXT,
        link TEXT,
        source TEXT NOT NULL,
        body TEXT NOT NULL,
        layout TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        sort_key TEXT NOT NULL,
        imported_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
        guid TEXT
    );
    CREATE INDEX articles_newest ON articles(sort_key DESC, rowid DESC);
    CREATE INDEX articles_feed ON articles(feed_id, sort_key DESC);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, standfirst, body,
        content='articles', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TABLE entities (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        articles INTEGER NOT NULL DEFAULT 0,
        mentions INTEGER NOT NULL DEFAULT 0,
        UNIQUE(name, kind)
    );
    CREATE INDEX entities_top ON entities(mentions DESC);
    CREATE TABLE entity_aliases (
        alias TEXT NOT NULL COLLATE NOCASE,
        entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        PRIMARY KEY(alias, entity_id)
    ) WITHOUT ROWID;
    CREATE TABLE article_entities (
        article INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
        entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        mentions INTEGER NOT NULL,
        aliases TEXT NOT NULL,
        spans TEXT NOT NULL,
        PRIMARY KEY(article, entity_id)
    ) WITHOUT ROWID;
    CREATE INDEX article_entities_by_entity ON article_entities(entity_id, mentions DESC);
    "#,
    // 2: the title weighted above the standfirst and the body as FTS5's own `rank`, so
    // `ORDER BY rank LIMIT n` is sorted inside FTS5 and snippets are made for n rows only.
    concat!(
        "INSERT INTO articles_fts(articles_fts, rank) VALUES('rank', 'bm25(",
        column_weights!(),
        ")');"
    ),
    // 3: an entity's articles in index order, ties newest-imported first, so a list of the
    // articles that mention a very common entity stops at its limit instead of sorting all.
    r#"
    DROP INDEX article_entities_by_entity;
    CREATE INDEX article_entities_by_entity ON article_entities(entity_id, mentions DESC, article DESC);
    "#,
    // 4: FTS5 keeps up to 16 MB of new index in memory before writing a segment (1 MB by
    // default): a bulk of articles becomes one segment instead of several to merge later,
    // which cut the writer's time on a 50,000-item fetch by a tenth.
    r#"
    INSERT INTO articles_fts(articles_fts, rank) VALUES('hashsize', 16777216);
    "#,
    // 5: FTS5 merges its segments 16 at a time rather than 4, so a large import rewrites
    // its index about half as often (a 50,000-item fetch took 7 % less time); queries still
    // read few segments, as the cache benchmark checks.
    r#"
    INSERT INTO articles_fts(articles_fts, rank) VALUES('automerge', 16);
    "#,
    // 6: the list indexes carry the id (and the flags the lists filter on), so the reader's
    // whole list is read from an index alone instead of through every article's row.
    r#"
    DROP INDEX articles_newest;
    CREATE INDEX articles_newest ON articles(sort_key DESC, rowid DESC, id, read, starred);
    DROP INDEX articles_feed;
    CREATE INDEX articles_feed ON articles(feed_id, sort_key DESC, rowid DESC, id);
    "#,
    // 7: a feed item's digest as the feed gave it (`Digest::short`), so a refresh skips the
    // items it has stored already before extracting their entities, and a full-text item
    // keeps its page's text until the item itself changes.
    r#"
    ALTER TABLE articles ADD COLUMN item_digest INTEGER;
    "#,
    // 8: the URL a feed's items' ids are keyed by, kept when the feed moves for good (NULL:
    // its URL), so a moved feed's items stay the same articles.
    r#"
    ALTER TABLE feeds ADD COLUMN id_url TEXT;
    "#,
    // 9: an article's entity links as one row (`[[entity, mentions, aliases, spans], …]`),
    // and each entity's articles as lists of `[article, mentions, …]` pairs in chunks of a
    // few hundred (see `postings.rs`), instead of a row per (article, entity) and its index:
    // writing those was 40 % of the writer's time in a large import.
    r#"
    CREATE TABLE article_links (
        article INTEGER PRIMARY KEY REFERENCES articles(rowid) ON DELETE CASCADE,
        links TEXT NOT NULL
    );
    CREATE TABLE entity_postings (
        entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        chunk INTEGER NOT NULL,
        count INTEGER NOT NULL,
        postings TEXT NOT NULL,
        PRIMARY KEY(entity_id, chunk)
    ) WITHOUT ROWID;
    INSERT INTO article_links(article, links)
        SELECT article, '[' || group_concat(
            '[' || entity_id || ',' || mentions || ',' || aliases || ',' || spans || ']', ','
        ) || ']'
        FROM article_entities GROUP BY article;
    INSERT INTO entity_postings(entity_id, chunk, count, postings)
        SELECT entity_id, chunk, COUNT(*), '[' || group_concat(article || ',' || mentions, ',') || ']'
        FROM (
            SELECT entity_id, article, mentions,
                (row_number() OVER (PARTITION BY entity_id ORDER BY article) - 1) / 256 AS chunk
            FROM article_entities
        )
        GROUP BY entity_id, chunk;
    DROP TABLE article_entities;
    "#,
    // 10: each chunk of an entity's list keeps its lowest and highest article (before the
    // pairs, so they are read without the pairs' overflow pages), and taking an article out
    // of a list reads only the chunks whose range holds it: looking for it in the text of
    // every chunk took about 3 ms for a very common entity in a cache of 100,000 articles,
    // once per entity of each article a refresh updated. A chunk whose text is not a flat
    // list of numbers (written by hand) gets the widest range, so it is always looked in.
    // Not NULL, so that a dateline from before, still running while this one migrates,
    // fails to write a chunk rather than write one outside its range.
    r#"
    CREATE TABLE entity_postings_ranged (
        entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        chunk INTEGER NOT NULL,
        count INTEGER NOT NULL,
        lo INTEGER NOT NULL,
        hi INTEGER NOT NULL,
        postings TEXT NOT NULL,
        PRIMARY KEY(entity_id, chunk)
    ) WITHOUT ROWID;
    INSERT INTO entity_postings_ranged(entity_id, chunk, count, lo, hi, postings)
        SELECT entity_id, chunk, count,
            coalesce((SELECT min(value) FROM json_each(list)
                      WHERE key % 2 = 0 AND type = 'integer'), -9223372036854775808),
            coalesce((SELECT max(value) FROM json_each(list)
                      WHERE key % 2 = 0 AND type = 'integer'), 9223372036854775807),
            postings
        FROM (
            SELECT *, CASE WHEN json_valid(postings) THEN
                CASE WHEN json_type(postings, '$[0]') = 'integer' THEN postings END
            END AS list
            FROM entity_postings
        );
    DROP TABLE entity_postings;
    ALTER TABLE entity_postings_ranged RENAME TO entity_postings;
    "#,
];

pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > CURRENT_VERSION {
        return Err(Error::Cache {
            path: Default::default(),
            reason: format!(
                "was written by a newer dateline (schema {version}, this one knows {CURRENT_VERSION}); upgrade dateline, or use --db to choose another file"
            ),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
