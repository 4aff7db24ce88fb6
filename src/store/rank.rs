//! `dateline_rank`, an FTS5 ranking function for phrase and prefix queries: FTS5's own bm25
//! less its IDF factor.
//!
//! bm25 works out each phrase's IDF by matching the phrase against every document in the
//! index, whatever rowid range the query asked for. For a phrase of common words that means
//! reading their position lists across the whole cache: 50 ms for `"said on"` at 100,000
//! articles, however few articles are ranked. For a query of one phrase (or one prefix) the
//! IDF scales every score alike, so leaving it out changes no order; for a query of several
//! it weighs them by rarity, which these queries give up (plain-word queries, where the IDF
//! is cheap, keep FTS5's bm25). The rest is bm25 as FTS5 computes it, column weights
//! included, so scores of the two are comparable in scale.
//!
//! FTS5's extension API is C only, so this module is unsafe FFI throughout; each block says why
//! it holds.

use rusqlite::Connection;
use rusqlite::ffi;
use std::ffi::{c_int, c_void};

/// The name queries use: `rank MATCH 'dateline_rank(10.0, 3.0, 1.0)'`.
pub const NAME: &str = "dateline_rank";

/// Registers [`NAME`] on `conn`. Returns false when FTS5 would not hand out its API (then
/// queries keep FTS5's bm25).
pub fn register(conn: &Connection) -> bool {
    // SAFETY: the handle is valid while `conn` is; the statement is finalized before
    // returning; the API pointer is written by FTS5 through the bound pointer, as its
    // documentation prescribes, and is owned by the connection.
    unsafe {
        let db = conn.handle();
        let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
        if ffi::sqlite3_prepare_v2(
            db,
            c"SELECT fts5(?1)".as_ptr(),
            -1,
            &mut stmt,
            std::ptr::null_mut(),
        ) != ffi::SQLITE_OK
        {
            return false;
        }
        let mut api: *mut ffi::fts5_api = std::ptr::null_mut();
        ffi::sqlite3_bind_pointer(
            stmt,
            1,
            (&mut api as *mut *mut ffi::fts5_api).cast::<c_void>(),
            c"fts5_api_ptr".as_ptr(),
            None,
        );
        ffi::sqlite3_step(stmt);
        ffi::sqlite3_finalize(stmt);
        let Some(create) = api.as_ref().and_then(|a| a.xCreateFunction) else {
            return false;
        };
        create(
            api,
            c"dateline_rank".as_ptr(),
            std::ptr::null_mut(),
            Some(rank),
            None,
        ) == ffi::SQLITE_OK
    }
}

/// The FTS5 callback: the same arguments as `bm25()` (a weight per column).
unsafe extern "C" fn rank(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    n_val: c_int,
    values: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5 passes a valid API table and context for the current row, and `n_val`
    // values in `values`.
    unsafe {
        let weights: Vec<f64> = (0..n_val.max(0) as usize)
            .map(|i| ffi::sqlite3_value_double(*values.add(i)))
            .collect();
        match score(&*api, fts, &weights) {
            Ok(s) => ffi::sqlite3_result_double(ctx, s),
            Err(rc) => ffi::sqlite3_result_error_code(ctx, rc),
        }
    }
}

/// bm25 without IDF for the current row, negated (lower is better, like FTS5's `rank`).
unsafe fn score(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    weights: &[f64],
) -> Result<f64, c_int> {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let check = |rc: c_int| {
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(rc)
        }
    };
    let missing = ffi::SQLITE_MISUSE;
    // SAFETY: every call passes the context FTS5 gave for this row.
    unsafe {
        let (mut rows, mut tokens) = (0i64, 0i64);
        check((api.xRowCount.ok_or(missing)?)(fts, &mut rows))?;
        check((api.xColumnTotalSize.ok_or(missing)?)(fts, -1, &mut tokens))?;
        let avgdl = tokens as f64 / rows.max(1) as f64;
        let phrases = (api.xPhraseCount.ok_or(missing)?)(fts).max(0) as usize;
        let mut freq = vec![0.0f64; phrases];
        let mut n_inst: c_int = 0;
        check((api.xInstCount.ok_or(missing)?)(fts, &mut n_inst))?;
        let inst = api.xInst.ok_or(missing)?;
        for i in 0..n_inst {
            let (mut phrase, mut column, mut offset) = (0, 0, 0);
            check(inst(fts, i, &mut phrase, &mut column, &mut offset))?;
            let w = weights.get(column as usize).copied().unwrap_or(1.0);
            if let Some(f) = freq.get_mut(phrase as usize) {
                *f += w;
            }
        }
        let mut len: c_int = 0;
        check((api.xColumnSize.ok_or(missing)?)(fts, -1, &mut len))?;
        let norm = K1 * (1.0 - B + B * f64::from(len) / avgdl.max(f64::MIN_POSITIVE));
        let s: f64 = freq.iter().map(|f| f * (K1 + 1.0) / (f + norm)).sum();
        Ok(-s)
    }
}
