//! Full-text search over the cache with FTS5: bm25 with the title weighted above the
//! standfirst and the body (set as the table's `rank`, see the schema), and a snippet of the
//! body with the hits marked `«` … `»`.
//!
//! Ranking every match is what makes common words slow on a big cache (bm25 must score each
//! matching row). When a query matches more than [`RANK_WINDOW`] articles, only the most
//! recently imported [`RANK_WINDOW`] matches are ranked: FTS5 can stop early when it walks
//! rowids in order, so the cost stays bounded while the results stay ranked.
//!
//! Phrases and prefixes are different: FTS5 matches them by reading position lists (or by
//! merging every word with the prefix), and its bm25 does that over the whole cache to work
//! out their IDF, whatever range is asked (50 ms for `"said on"` at 100,000 articles). So
//! they are ranked with `dateline_rank` (bm25 without IDF, see [`super::rank`]) among the
//! newest [`POSITIONAL_SPAN`] articles, and among all articles only when those hold fewer
//! hits than asked for.

use super::Store;
use super::query::{reads_positions, to_fts5};
use super::rank;
use crate::error::Result;
use crate::model::ArticleId;
use rusqlite::params;
use serde::Serialize;

/// Hit markers inside snippets.
pub const HIT_OPEN: &str = "«";
pub const HIT_CLOSE: &str = "»";

/// How many of the newest matches are ranked when a query matches very many articles.
pub const RANK_WINDOW: usize = 2_000;

/// The lowest rowid among the newest `?3` matches of `?1`. A range bound on rowid lets FTS5
/// skip older documents; an `IN (subquery)` here was re-evaluated per row (1,000× slower).
const WINDOW_START: &str = "SELECT MIN(rowid) FROM (SELECT rowid FROM articles_fts
     WHERE articles_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?3)";

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: ArticleId,
    pub title: String,
    /// bm25 relevance; higher is better.
    pub score: f64,
    pub snippet: String,
}

/// How many of the newest articles a phrase or prefix query ranks first (see the module).
pub const POSITIONAL_SPAN: i64 = 8_000;

/// Where a search looks and how it ranks.
#[derive(Clone, Copy)]
enum Plan {
    /// FTS5's bm25 over the newest `window` matches.
    Matches { window: i64 },
    /// `dateline_rank` over the articles after this rowid (0: all of them).
    Positional { from: i64 },
}

impl Store {
    /// Ranked search, best first. A query with no searchable word gives no results.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        // FTS5 ranks and cuts to the limit itself; only the survivors get a snippet and
        // are joined to their article.
        let columns = format!(
            "rowid, rank, snippet(articles_fts, 2, '{HIT_OPEN}', '{HIT_CLOSE}', '…', 16) AS snip"
        );
        self.ranked(
            query,
            limit,
            &columns,
            "a.id, a.title, -r.rank, r.snip",
            |r| {
                Ok(SearchHit {
                    id: ArticleId::new(r.get::<_, String>(0)?),
                    title: r.get(1)?,
                    score: r.get(2)?,
                    snippet: r.get(3)?,
                })
            },
        )
    }

    /// Ids of every match, best first, without snippets (what the reader's list needs).
    pub fn search_ids(&self, query: &str, limit: usize) -> Result<Vec<ArticleId>> {
        self.ranked(query, limit, "rowid, rank", "a.id", |r| {
            Ok(ArticleId::new(r.get::<_, String>(0)?))
        })
    }

    /// Runs `query` by its plan: plain words over the newest matches with bm25; phrases and
    /// prefixes over the newest articles first, and over all of them when those hold fewer
    /// than `limit` hits.
    fn ranked<T>(
        &self,
        query: &str,
        limit: usize,
        inner: &str,
        outer: &str,
        map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T> + Copy,
    ) -> Result<Vec<T>> {
        let Some(fts) = to_fts5(query) else {
            return Ok(Vec::new());
        };
        if !(self.custom_rank && reads_positions(query)) {
            let plan = Plan::Matches {
                window: self.rank_window as i64,
            };
            return self.run(&fts, plan, limit, inner, outer, map);
        }
        let newest: i64 = self
            .conn
            .prepare_cached("SELECT IFNULL(MAX(rowid), 0) FROM articles")?
            .query_row([], |r| r.get(0))?;
        let from = newest - self.positional_span;
        if from > 0 {
            let hits = self.run(&fts, Plan::Positional { from }, limit, inner, outer, map)?;
            if hits.len() >= limit {
                return Ok(hits);
            }
        }
        self.run(&fts, Plan::Positional { from: 0 }, limit, inner, outer, map)
    }

    fn run<T>(
        &self,
        fts: &str,
        plan: Plan,
        limit: usize,
        inner: &str,
        outer: &str,
        map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let (filter, bound) = match plan {
            Plan::Matches { window } => (format!("rowid >= ({WINDOW_START})"), window),
            Plan::Positional { from } => (
                format!(
                    "rowid > ?3 AND rank MATCH '{}({})'",
                    rank::NAME,
                    super::schema::column_weights!()
                ),
                from,
            ),
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {outer} FROM (
                 SELECT {inner} FROM articles_fts
                 WHERE articles_fts MATCH ?1 AND {filter}
                 ORDER BY rank LIMIT ?2
             ) r JOIN articles a ON a.rowid = r.rowid ORDER BY r.rank"
        ))?;
        let rows = stmt.query_map(params![fts, limit as i64, bound], map)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
