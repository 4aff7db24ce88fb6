//! Feeds in the cache: add, list, find, remove, and the per-feed conditional-GET state
//! (ETag, Last-Modified, last fetch, last error). It stores what it is given; checking that a
//! URL is a safe feed URL is the caller's job (`feeds::check_url`), as is fetching.

use super::Store;
use crate::error::{Error, Result};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

/// One subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feed {
    pub id: i64,
    pub url: String,
    pub name: Option<String>,
    pub full_text: bool,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Unix seconds of the last attempt.
    pub last_fetch: Option<i64>,
    pub last_error: Option<String>,
    pub added_at: i64,
    /// The URL its items' ids are keyed by (a guid like "42" is only unique within its
    /// feed): the one it was subscribed at, kept when the feed moves for good, so its items
    /// stay the same articles.
    #[serde(skip)]
    pub id_url: String,
}

impl Feed {
    /// The name to show: the given or discovered name, else the URL.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.url)
    }
}

/// What one fetch attempt leaves behind for the next one.
#[derive(Debug, Clone, Default)]
pub struct FetchState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub error: Option<String>,
    /// A title discovered in the feed, kept only when the feed has no name yet.
    pub title: Option<String>,
}

const COLUMNS: &str = "id, url, name, full_text, etag, last_modified, last_fetch, last_error, \
                       added_at, COALESCE(id_url, url)";

fn row_to_feed(r: &Row<'_>) -> rusqlite::Result<Feed> {
    Ok(Feed {
        id: r.get(0)?,
        url: r.get(1)?,
        name: r.get(2)?,
        full_text: r.get::<_, i64>(3)? != 0,
        etag: r.get(4)?,
        last_modified: r.get(5)?,
        last_fetch: r.get(6)?,
        last_error: r.get(7)?,
        added_at: r.get(8)?,
        id_url: r.get(9)?,
    })
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Store {
    /// Adds a feed; a URL already subscribed gives the existing feed back unchanged
    /// (`false` as the second value) so importing an OPML twice adds nothing.
    pub fn add_feed(
        &mut self,
        url: &str,
        name: Option<&str>,
        full_text: bool,
    ) -> Result<(Feed, bool)> {
        if let Some(f) = self.feed_by_url(url)? {
            return Ok((f, false));
        }
        let id = self.write_alone(|tx| {
            tx.execute(
                "INSERT INTO feeds(url, name, full_text, added_at) VALUES(?1, ?2, ?3, ?4)",
                params![url, name, full_text, now()],
            )?;
            Ok(tx.last_insert_rowid())
        })?;
        let feed = self
            .feed(id)?
            .ok_or_else(|| Error::Other(format!("feed {id} vanished after insert")))?;
        Ok((feed, true))
    }

    pub fn feeds(&self) -> Result<Vec<Feed>> {
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT {COLUMNS} FROM feeds ORDER BY id"))?;
        let rows = stmt
            .query_map([], row_to_feed)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn feed(&self, id: i64) -> Result<Option<Feed>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM feeds WHERE id = ?1"),
                [id],
                row_to_feed,
            )
            .optional()?)
    }

    pub fn feed_by_url(&self, url: &str) -> Result<Option<Feed>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM feeds WHERE url = ?1"),
                [url],
                row_to_feed,
            )
            .optional()?)
    }

    /// Finds a feed by its id or its URL, as the user typed it.
    pub fn resolve_feed(&self, typed: &str) -> Result<Feed> {
        let found = match typed.trim().parse::<i64>() {
            Ok(id) => self.feed(id)?,
            Err(_) => self.feed_by_url(typed.trim())?,
        };
        found.ok_or_else(|| Error::bad_input(typed, "no such feed (see `dateline feed list`)"))
    }

    /// Removes a feed. Its articles stay (they may be read or starred); they just no longer
    /// belong to a feed.
    pub fn remove_feed(&mut self, id: i64) -> Result<bool> {
        self.write_alone(|tx| Ok(tx.execute("DELETE FROM feeds WHERE id = ?1", [id])? > 0))
    }

    /// Moves a subscription to a new URL (its feed moved for good). Fails if another
    /// subscription already has that URL.
    pub fn set_feed_url(&mut self, id: i64, url: &str) -> Result<()> {
        self.write_alone(|tx| {
            tx.execute(
                "UPDATE feeds SET id_url = COALESCE(id_url, url), url = ?2 WHERE id = ?1",
                params![id, url],
            )?;
            Ok(())
        })
    }

    /// Records the outcome of fetches, by feed id, in one transaction. Validators are
    /// replaced only when given, so a failed fetch keeps the previous ones.
    pub fn set_fetch_states(&mut self, states: &[(i64, FetchState)]) -> Result<()> {
        if states.is_empty() {
            return Ok(());
        }
        self.write_alone(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE feeds SET etag = COALESCE(?2, etag), last_modified = COALESCE(?3, last_modified),
                 last_fetch = ?4, last_error = ?5, name = COALESCE(name, ?6) WHERE id = ?1",
            )?;
            let at = now();
            for (id, state) in states {
                stmt.execute(params![
                    id,
                    state.etag,
                    state.last_modified,
                    at,
                    state.error,
                    state.title
                ])?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_crud_and_state() {
        let mut s = Store::open_in_memory().unwrap();
        let (f, added) = s.add_feed("https://e.com/rss", None, true).unwrap();
        assert!(added && f.full_text);
        let (g, again) = s.add_feed("https://e.com/rss", Some("X"), false).unwrap();
        assert!(!again);
        assert_eq!(f.id, g.id);
        let (h, _) = s.add_feed("https://h.com/rss", None, false).unwrap();
        let first = FetchState {
            etag: Some("\"v1\"".into()),
            title: Some("E".into()),
            ..Default::default()
        };
        let other = FetchState {
            last_modified: Some("Sun, 29 Nov 2026 09:00:00 GMT".into()),
            ..Default::default()
        };
        s.set_fetch_states(&[(f.id, first), (h.id, other)]).unwrap();
        let f = s.resolve_feed("https://e.com/rss").unwrap();
        assert_eq!(f.etag.as_deref(), Some("\"v1\""));
        assert_eq!(f.label(), "E");
        let h = s.resolve_feed("https://h.com/rss").unwrap();
        assert_eq!(h.etag, None);
        assert_eq!(
            h.last_modified.as_deref(),
            Some("Sun, 29 Nov 2026 09:00:00 GMT")
        );
        let timeout = FetchState {
            error: Some("timeout".into()),
            ..Default::default()
        };
        s.set_fetch_states(&[(f.id, timeout)]).unwrap();
        let f = s.resolve_feed(&f.id.to_string()).unwrap();
        assert_eq!(f.etag.as_deref(), Some("\"v1\""));
        assert_eq!(f.last_error.as_deref(), Some("timeout"));
        assert!(s.remove_feed(f.id).unwrap());
        assert!(s.remove_feed(h.id).unwrap());
        assert!(s.feeds().unwrap().is_empty());
        assert!(s.resolve_feed("7").is_err());
    }
}
