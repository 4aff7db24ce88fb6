//! The cache: one SQLite file that owns every article, entity and feed, with full-text search
//! (FTS5). This module owns the connection, its settings and the schema; the submodules add
//! articles, entities and search. It knows nothing of parsing or the terminal.
//!
//! Settings that matter: WAL so a reader and a writer can share the file, `synchronous=NORMAL`
//! (durable at checkpoints, never corrupt), a busy timeout so two processes wait for each
//! other instead of failing, and one transaction per article so an import is all or nothing.
//! A fetch's bulk writes that find the file to themselves skip the log (a rollback journal,
//! synced in full) and bring it back when they end ([`Store::write_bulks_in_place`]).

mod articles;
mod entities;
mod feeds;
mod postings;
pub mod query;
mod rank;
mod schema;
mod search;

pub use articles::{Digest, Encoded, ListFilter, Lookup, Origin, Upsert};
pub use entities::{EntityArticle, EntitySummary};
pub use feeds::{Feed, FetchState};
pub use search::{HIT_CLOSE, HIT_OPEN, RANK_WINDOW, SearchHit};

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The environment variable that overrides the cache's location.
pub const DB_ENV: &str = "DATELINE_DB";

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    rank_window: usize,
    /// How many of the newest articles phrase and prefix queries rank first.
    positional_span: i64,
    /// Whether `dateline_rank` is registered on this connection.
    custom_rank: bool,
    /// What the open bulk write has still to apply before it commits.
    bulk: articles::Bulk,
    /// Entity ids and aliases already in the file, so a bulk need not look them up again.
    known: entities::KnownEntities,
    /// Whether bulks may write straight into the file ([`Store::write_bulks_in_place`]).
    bulks_in_place: bool,
    /// Whether the open bulk does, rather than through the log.
    in_place: bool,
}

/// How long a connection waits for another's lock before it fails.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// How long opening waits to put a file back into WAL mode that a fetch's bulk holds
/// without the log ([`Store::write_bulks_in_place`]) before it reads without
/// switching.
const SWITCH_WAIT: Duration = Duration::from_millis(200);

/// Prepared statements kept per connection (see [`Store::setup`]).
const STATEMENT_CACHE: usize = 64;

/// The file layout a new cache gets, and `compact` gives an older one.
const FILE_LAYOUT: &str = "PRAGMA page_size=16384; PRAGMA auto_vacuum=INCREMENTAL;";

impl Store {
    /// The default cache file: `dateline.db` in the user's data directory.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "dateline").map(|d| d.data_dir().join("dateline.db"))
    }

    /// Opens (creating if needed) the cache at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::Cache {
                path: path.to_path_buf(),
                reason: format!("cannot create its folder: {e}"),
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| cache_error(path, &e))?;
        Store::setup(conn, Some(path.to_path_buf()))
    }

    /// A cache that lives in memory only (tests, `extract`).
    pub fn open_in_memory() -> Result<Store> {
        Store::setup(Connection::open_in_memory()?, None)
    }

    fn setup(conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        let p = path.clone().unwrap_or_default();
        let wrap = |e: rusqlite::Error| cache_error(&p, &e);
        conn.busy_timeout(BUSY_WAIT).map_err(wrap)?;
        // Writing an article takes some twenty statements; with rusqlite's default cache of
        // 16 they pushed each other out and were compiled again and again.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // A new file only (neither can change later without a VACUUM, and both must come
        // before the switch to WAL). Incremental auto-vacuum lets a large import hand back the
        // pages FTS5's segment merges leave free at its end ([`Store::release_free_pages`]).
        // 16 KB pages hold a whole article row without overflow pages and halve the B-tree
        // and log work per article: a 50,000-item fetch took 13 % less time than with 4 KB.
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .map_err(wrap)?;
        if pages == 0 {
            conn.execute_batch(FILE_LAYOUT).map_err(wrap)?;
        }
        // A fetch's bulk that had the file to itself may hold it without the log, locked until its
        // commit ([`Store::write_bulks_in_place`]): this connection then reads between
        // commits (SQLite follows the file's mode by itself, into WAL once the fetch is
        // back in it), and syncs its own commits in full, as a rollback journal needs.
        let synchronous = match set_journal_mode(&conn, "WAL", SWITCH_WAIT) {
            Ok(_) => "NORMAL",
            Err(e) if is_busy(&e) => "FULL",
            Err(e) => return Err(wrap(e)),
        };
        // A bulk lets the log grow to 128 MB before it is copied back; once it has been,
        // the file is cut back to 32 MB rather than kept at its largest while the reader
        // that wrote it runs on.
        conn.execute_batch(&format!(
            "PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; \
             PRAGMA journal_size_limit=33554432;"
        ))
        .map_err(wrap)?;
        let custom_rank = rank::register(&conn);
        let mut store = Store {
            conn,
            path,
            rank_window: RANK_WINDOW,
            positional_span: search::POSITIONAL_SPAN,
            custom_rank,
            bulk: articles::Bulk::default(),
            known: entities::KnownEntities::default(),
            bulks_in_place: false,
            in_place: false,
        };
        schema::migrate(&mut store.conn).map_err(|e| match e {
            Error::Sqlite(e) => cache_error(&p, &e),
            Error::Cache { reason, .. } => Error::Cache {
                path: p.clone(),
                reason,
            },
            other => other,
        })?;
        Ok(store)
    }

    /// How many of the newest matches a search ranks (see [`search`]); tests shrink it.
    pub fn set_rank_window(&mut self, window: usize) {
        self.rank_window = window.max(1);
        self.positional_span = window.max(1) as i64;
    }

    /// Gives the file's free pages back to the file system (after a large write: FTS5's
    /// segment merges leave the space of the merged segments free, 9 % of the file after
    /// importing 10,000 articles). Caches created before auto-vacuum was set keep their
    /// free pages for reuse instead.
    pub fn release_free_pages(&self) -> Result<()> {
        // The pragma frees pages as it is stepped: run it to the end.
        let mut stmt = self.conn.prepare("PRAGMA incremental_vacuum")?;
        let mut rows = stmt.query([])?;
        while rows.next()?.is_some() {}
        Ok(())
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Rewrites the cache compactly: the search index merged into one segment, the file
    /// without free pages, and in the layout new caches get (16 KB pages, incremental
    /// auto-vacuum), which older caches can reach no other way. Takes a while on a large
    /// cache, and needs it to be open nowhere else. Returns the size before and after.
    pub fn compact(&mut self) -> Result<(u64, u64)> {
        let before = self.size_on_disk();
        let path = self.path.clone().unwrap_or_default();
        let open_elsewhere = || Error::Cache {
            path: path.clone(),
            reason: "cannot be compacted while another program (a reader?) has it open; \
                     close it and try again"
                .into(),
        };
        let locked = |e: rusqlite::Error| {
            if is_busy(&e) {
                open_elsewhere()
            } else {
                Error::from(e)
            }
        };
        self.conn
            .execute(
                "INSERT INTO articles_fts(articles_fts) VALUES('optimize')",
                [],
            )
            .map_err(locked)?;
        // Page size and auto-vacuum change only with a VACUUM, and the page size only
        // outside WAL mode, which needs the only connection to the file.
        let vacuumed = (|| {
            let mode = set_journal_mode(&self.conn, "DELETE", BUSY_WAIT).map_err(locked)?;
            if !mode.eq_ignore_ascii_case("delete") {
                return Err(open_elsewhere());
            }
            self.conn
                .execute_batch(&format!("{FILE_LAYOUT} VACUUM;"))
                .map_err(locked)
        })();
        // Back to WAL whatever happened: the other connections expect it. (If even that
        // fails, the next open sets it again.) The first error is the one to tell.
        let back = set_journal_mode(&self.conn, "WAL", BUSY_WAIT).map_err(locked);
        vacuumed?;
        back?;
        Ok((before, self.size_on_disk()))
    }

    /// For a one-shot fetch: each bulk write ([`Store::begin_bulk`]) that finds no other
    /// connection to the file writes straight into it, with a rollback journal that keeps
    /// only the pages it overwrites, rather than into the log first and copied back later,
    /// which wrote and read every new page twice. A 50,000-item fetch spent 0.3–0.7 s less
    /// in the kernel (0.52–0.63 s against 0.83–1.35 s) and took 4.4–4.6 s against 4.8–5.2 s
    /// (3 alternating rounds). The
    /// log comes back at the bulk's end, so small writes between bulks (a feed's fetch
    /// state) cost no sync. A reader that opens during a bulk reads between its commits
    /// ([`Store::setup`]); it shares the file through the log once it has read after a
    /// bulk's end, but one that stays idle until the next bulk begins leaves that bulk
    /// in place too, and its reads then wait for the bulk's commits (a fraction of a
    /// second each in a large fetch).
    pub fn write_bulks_in_place(&mut self) {
        // An in-memory cache has no log to leave: its mode is never WAL (see `leave_log`).
        self.bulks_in_place = true;
    }

    /// Leaves the log for the bulk about to begin, if [`Store::write_bulks_in_place`] asked
    /// for it and no other connection has the file open. Every commit is then synced in
    /// full: a rollback journal needs it to be crash-safe on any file system.
    fn leave_log(&mut self) -> Result<()> {
        if !self.bulks_in_place || self.in_place {
            return Ok(());
        }
        // Only from the log: a connection opened while another bulk held the file in place
        // would change its mode without testing that it is alone.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        // Leaving WAL needs the only connection to the file: fail at once if it is not.
        match set_journal_mode(&self.conn, "TRUNCATE", Duration::ZERO) {
            Ok(m) if m.eq_ignore_ascii_case("truncate") => {}
            Ok(_) => return Ok(()),
            Err(e) if is_busy(&e) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        self.in_place = true;
        if let Err(e) = self.conn.execute_batch("PRAGMA synchronous=FULL") {
            let _ = self.back_to_log();
            return Err(e.into());
        }
        Ok(())
    }

    /// Back to the log after a bulk written in place (outside any transaction). Waits for
    /// a reader that opened meanwhile to finish its read; if it cannot, the store stays in
    /// place (syncing in full) and tries again at the next bulk's end or when dropped, and
    /// failing that the next open brings the log back.
    fn back_to_log(&mut self) -> Result<()> {
        if !self.in_place {
            return Ok(());
        }
        set_journal_mode(&self.conn, "WAL", BUSY_WAIT)?;
        self.in_place = false;
        self.conn.execute_batch("PRAGMA synchronous=NORMAL")?;
        // A read opens the log and holds it shared, as any connection in WAL mode does once
        // it has read: until then this one would be invisible to the test that a file is
        // open nowhere else (`compact`, another fetch's bulk).
        self.conn
            .query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    }

    /// Runs `write` as a transaction of its own. A transaction left open (one whose
    /// ROLLBACK failed) is not joined: nobody would commit the write, so it fails instead
    /// of being reported as done.
    pub(crate) fn write_alone<T>(&self, write: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let tx = self.conn.unchecked_transaction()?;
        let out = write(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The underlying connection, for modules that add their own tables (feeds).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Rewrites a database error that is really about the cache file (full disk, corruption,
    /// read-only) as advice that names the file; other errors pass through.
    pub fn explain(&self, e: Error) -> Error {
        match e {
            Error::Sqlite(inner) if is_file_problem(&inner) => cache_error(
                self.path.as_deref().unwrap_or(Path::new(":memory:")),
                &inner,
            ),
            other => other,
        }
    }

    /// `PRAGMA integrity_check`: `Ok(())` or the problems SQLite found.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if self.in_place {
            // The mode cannot change inside a transaction; what is uncommitted is lost anyway.
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            let _ = self.back_to_log();
        }
    }
}

/// Sets the file's journal mode, waiting at most `wait` for other connections' locks, and
/// gives the mode it is in afterwards (the pragma answers with a row, so it is queried).
fn set_journal_mode(conn: &Connection, mode: &str, wait: Duration) -> rusqlite::Result<String> {
    conn.busy_timeout(wait)?;
    let set = conn.query_row(&format!("PRAGMA journal_mode={mode}"), [], |r| r.get(0));
    conn.busy_timeout(BUSY_WAIT)?;
    set
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// [`Store::explain`] for a cache known by its path (when the store itself is borrowed).
pub fn explain(path: Option<&Path>, e: Error) -> Error {
    match e {
        Error::Sqlite(inner) if is_file_problem(&inner) => {
            cache_error(path.unwrap_or(Path::new(":memory:")), &inner)
        }
        other => other,
    }
}

fn is_file_problem(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(
        e.sqlite_error_code(),
        Some(
            NotADatabase
                | DatabaseCorrupt
                | ReadOnly
                | PermissionDenied
                | DiskFull
                | CannotOpen
                | SystemIoFailure
        )
    )
}

/// Turns SQLite's view of a bad cache file into advice that names the file.
fn cache_error(path: &Path, e: &rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    let code = e.sqlite_error_code();
    let reason = match code {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            "is not a dateline cache or is corrupt; run `dateline doctor` to move it aside and start a fresh one".to_string()
        }
        Some(ErrorCode::ReadOnly) | Some(ErrorCode::PermissionDenied) => {
            "cannot be written (read-only file or folder); fix its permissions or use --db to choose another file".to_string()
        }
        Some(ErrorCode::DiskFull) => "the disk is full; free some space and try again".to_string(),
        Some(ErrorCode::CannotOpen) if path.exists() && !writable(path) => {
            "is read-only (file or file system); make it writable, or use --db to choose another file".to_string()
        }
        Some(ErrorCode::CannotOpen) => {
            "cannot be opened; check that its folder exists and is writable, or use --db".to_string()
        }
        Some(ErrorCode::SystemIoFailure) => format!("cannot be read or written ({e}); check the disk"),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            "is busy: another dateline holds a long write; try again".to_string()
        }
        _ => e.to_string(),
    };
    Error::Cache {
        path: path.to_path_buf(),
        reason,
    }
}

fn writable(path: &Path) -> bool {
    std::fs::OpenOptions::new().append(true).open(path).is_ok()
}

#[cfg(test)]
mod tests;
