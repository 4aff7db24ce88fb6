//! Full-text search over the cache with FTS5: bm25 with the title weighted above the
//! standfirst and the body (set as the table's `rank`, see the schema), and a snippet of the
//! body with the hits marked `«` … `»`.
//!
//! Ranking every match is what makes common words slow on a big cache (bm25 must score each
//! matching row). When a query matches more than [`RANK_WINDOW`] articles, only the most
//! recently imported [`RANK_WINDOW`] matches are ranked: FTS5 can stop early when it walks
//! rowids in order, so the cost stays bounded while the results stay ranked.

use super::Store;
use super::query::to_fts5;
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

impl Store {
    /// Ranked search, best first. A query with no searchable word gives no results.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let Some(fts) = to_fts5(query) else {
            return Ok(Vec::new());
        };
        // FTS5 ranks and cuts to the limit itself; only the survivors get a snippet and
        // are joined to their article.
        let sql = format!(
            "SELECT a.id, a.title, -r.rank, r.snip FROM (
                 SELECT rowid, rank,
                        snippet(articles_fts, 2, '{HIT_OPEN}', '{HIT_CLOSE}', '…', 16) AS snip
                 FROM articles_fts
                 WHERE articles_fts MATCH ?1 AND rowid >= ({WINDOW_START})
                 ORDER BY rank LIMIT ?2
             ) r JOIN articles a ON a.rowid = r.rowid ORDER BY r.rank"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![fts, limit as i64, self.rank_window as i64], |r| {
            Ok(SearchHit {
                id: ArticleId::new(r.get::<_, String>(0)?),
                title: r.get(1)?,
                score: r.get(2)?,
                snippet: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Ids of every match, best first, without snippets (what the reader's list needs).
    pub fn search_ids(&self, query: &str, limit: usize) -> Result<Vec<ArticleId>> {
        let Some(fts) = to_fts5(query) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT a.id FROM (
                 SELECT rowid, rank FROM articles_fts
                 WHERE articles_fts MATCH ?1 AND rowid >= ({WINDOW_START})
                 ORDER BY rank LIMIT ?2
             ) r JOIN articles a ON a.rowid = r.rowid ORDER BY r.rank"
        ))?;
        let rows = stmt.query_map(params![fts, limit as i64, self.rank_window as i64], |r| {
            Ok(ArticleId::new(r.get::<_, String>(0)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
