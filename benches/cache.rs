//! Import throughput, search latency and cache size on a generated corpus.
//!
//! ```text
//! cargo bench --bench cache                                  # 10,000 articles
//! DATELINE_BENCH_ARTICLES=100000 cargo bench --bench cache   # 100,000
//! ```
//!
//! The corpus is generated once (deterministic, `examples/gen_corpus`) under
//! `target/bench-data/` (`DATELINE_BENCH_REUSE=1` also keeps the imported caches between runs,
//! skipping the import figures). Import runs into a fresh cache single-threaded and with every core,
//! parsing, extracting entities and indexing for search as `dateline import` does. Search
//! runs a fixed set of 100 queries (common and rare words, phrases, prefixes, boolean, names)
//! and entity filters, and reports p50/p99. Timings are wall-clock medians on a shared,
//! noisy machine: compare ratios measured in the same run.

#[path = "../examples/gen_corpus/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use dateline::import;
use dateline::store::Store;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const QUERIES: &[&str] = &[
    // common words
    "government",
    "minister",
    "said",
    "security",
    "president",
    "people",
    "police",
    "election",
    "economy",
    "international",
    "military",
    "talks",
    "officials",
    "country",
    "year",
    "new",
    "agreement",
    "report",
    "week",
    "state",
    "trade",
    "war",
    "health",
    "court",
    "market",
    "energy",
    "water",
    "school",
    "city",
    "world",
    // rarer words
    "delinquent",
    "deities",
    "celebrities",
    "defender",
    "catalog",
    "denial-of-service",
    "challenging",
    "demonstrated",
    "certainly",
    "carry",
    "causes",
    "deliver",
    "defensive",
    "chance",
    "delete",
    "demand",
    "denial",
    "definitely",
    "challenges",
    "cases",
    // phrases
    "\"prime minister\"",
    "\"foreign minister\"",
    "\"united states\"",
    "\"european union\"",
    "\"security council\"",
    "\"told reporters\"",
    "\"last week\"",
    "\"central bank\"",
    "\"climate change\"",
    "\"human rights\"",
    "\"interior ministry\"",
    "\"said on\"",
    "\"the government\"",
    "\"peace talks\"",
    "\"trade deal\"",
    // prefixes
    "secur*",
    "elect*",
    "minist*",
    "govern*",
    "inter*",
    "milit*",
    "econ*",
    "diplom*",
    "parl*",
    "negot*",
    "sanct*",
    "refug*",
    "infra*",
    "invest*",
    "prot*",
    // boolean
    "china AND russia",
    "japan OR korea",
    "police NOT election",
    "trade AND tariffs",
    "minister OR president",
    "security AND council",
    "bank NOT central",
    "water OR energy",
    "court AND appeal",
    "election NOT police",
    // names
    "Kowalski",
    "Nowak",
    "NATO",
    "Tokyo",
    "Berlin",
    "\"United Nations\"",
    "Reuters",
    "Brazil",
    "Nairobi",
    "\"World Bank\"",
];

const ENTITY_FILTERS: &[&str] = &[
    "United States",
    "China",
    "European Union",
    "EU",
    "NATO",
    "United Nations",
    "Tokyo",
    "Reuters",
    "Kowalski",
    "Berlin",
];

fn articles() -> usize {
    std::env::var("DATELINE_BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

/// The generated corpus for `n` articles, made on first use.
fn corpus(n: usize) -> PathBuf {
    let out = bench_dir().join(format!("corpus-{n}"));
    if !out.join("text").exists() {
        eprintln!("generating {n} articles in {} …", out.display());
        corpus::generate(&corpus::Options {
            articles: n,
            feeds: 100,
            seed: 42,
            out: out.clone(),
            force: true,
        })
        .expect("corpus generation");
    }
    out
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        total += if p.is_dir() {
            dir_bytes(&p)
        } else {
            entry.metadata().map(|m| m.len()).unwrap_or(0)
        };
    }
    total
}

fn fresh_db(name: &str) -> PathBuf {
    let db = bench_dir().join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    db
}

/// CPU time this process has used (all threads), user and system.
fn process_cpu() -> Duration {
    // SAFETY: getrusage only writes into the struct we hand it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// CPU time of the calling thread: a query's cost without the time it waited for a core on
/// this shared machine.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes into the struct we hand it.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `f` over every query, 5 timed rounds after a warm-up, and reports wall and CPU
/// percentiles.
fn latency(label: &str, queries: &[&str], mut f: impl FnMut(&str)) -> (f64, f64) {
    let mut wall = Vec::new();
    let mut per_query = vec![Vec::new(); queries.len()];
    for round in 0..6 {
        for (i, q) in queries.iter().enumerate() {
            let (t, c) = (Instant::now(), thread_cpu());
            f(q);
            if round > 0 {
                wall.push(t.elapsed());
                per_query[i].push(thread_cpu() - c);
            }
        }
    }
    wall.sort();
    let mut cpu: Vec<Duration> = per_query.iter().flatten().copied().collect();
    cpu.sort();
    // The slowest queries by median CPU: where the p99 comes from.
    let mut slowest: Vec<(Duration, &str)> = per_query
        .iter_mut()
        .zip(queries)
        .map(|(v, q)| {
            v.sort();
            (percentile(v, 0.5), *q)
        })
        .collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    let named: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(d, q)| format!("{q} {:.1}", ms(*d)))
        .collect();
    println!(
        "{label}: {} queries × 5, wall p50 {:.2} ms p99 {:.2} ms; CPU p50 {:.2} ms p99 {:.2} ms",
        queries.len(),
        ms(percentile(&wall, 0.5)),
        ms(percentile(&wall, 0.99)),
        ms(percentile(&cpu, 0.5)),
        ms(percentile(&cpu, 0.99)),
    );
    println!("  slowest (median CPU ms): {}", named.join(", "));
    (ms(percentile(&cpu, 0.5)), ms(percentile(&cpu, 0.99)))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and wants it quick.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("cache bench: run with `cargo bench --bench cache`");
        return;
    }
    let n = articles();
    let corpus = corpus(n);
    let text = corpus.join("text");
    let raw = dir_bytes(&text);
    let mb = raw as f64 / 1e6;
    println!("corpus: {n} articles, {mb:.1} MB of text");

    let mut final_db = PathBuf::new();
    // DATELINE_BENCH_REUSE=1 keeps a cache a previous run imported (to iterate on search).
    let reuse = std::env::var_os("DATELINE_BENCH_REUSE").is_some();
    for jobs in [1, import::default_jobs()] {
        let name = format!("cache-{n}-j{jobs}.db");
        if reuse && bench_dir().join(&name).exists() {
            final_db = bench_dir().join(&name);
            continue;
        }
        let db = fresh_db(&name);
        let mut store = Store::open(&db).expect("open");
        let (started, cpu0) = (Instant::now(), process_cpu());
        let totals = import::import_paths(&mut store, std::slice::from_ref(&text), jobs, |_| {});
        let secs = started.elapsed().as_secs_f64();
        let cpu = (process_cpu() - cpu0).as_secs_f64();
        assert_eq!(totals.failed, 0);
        println!(
            "import (text files, {jobs} thread{}): {:.1} s wall, {:.0} articles/s, {:.1} MB/s; {:.1} s CPU ({:.0} articles per CPU-second)",
            if jobs == 1 { "" } else { "s" },
            secs,
            totals.imported as f64 / secs,
            mb / secs,
            cpu,
            totals.imported as f64 / cpu
        );
        final_db = db;
    }

    // The same articles from the corpus's local Atom feeds, as `dateline fetch` stores them.
    let feeds_dir = corpus.join("feeds");
    let feed_bytes = dir_bytes(&feeds_dir);
    for jobs in [1, import::default_jobs()] {
        let name = format!("feeds-{n}-j{jobs}.db");
        if reuse && bench_dir().join(&name).exists() {
            continue;
        }
        let db = fresh_db(&name);
        let mut store = Store::open(&db).expect("open");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&feeds_dir)
            .expect("feeds")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for p in &paths {
            store
                .add_feed(&format!("file://{}", p.display()), None, false)
                .expect("add feed");
        }
        let opts = dateline::ingest::fetch::FetchOptions {
            jobs,
            ..Default::default()
        };
        let (started, cpu0) = (Instant::now(), process_cpu());
        let summary = dateline::feeds::refresh(&mut store, &[], &opts, |_| {}).expect("refresh");
        let secs = started.elapsed().as_secs_f64();
        let cpu = (process_cpu() - cpu0).as_secs_f64();
        assert!(summary.failures.is_empty(), "{:?}", summary.failures);
        println!(
            "import (Atom feeds, {jobs} thread{}): {:.1} s wall, {:.0} articles/s, {:.1} MB/s of feed XML; {:.1} s CPU ({:.0} articles per CPU-second)",
            if jobs == 1 { "" } else { "s" },
            secs,
            summary.new_articles as f64 / secs,
            feed_bytes as f64 / 1e6 / secs,
            cpu,
            summary.new_articles as f64 / cpu
        );
    }

    let store = Store::open(&final_db).expect("open");
    // Checkpoint so the size is the settled file, not a WAL still growing.
    let _ = store
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    let size = store.size_on_disk();
    println!(
        "cache size: {:.1} MB, {:.2} MB per 1,000 articles, {:.2}× the raw text",
        size as f64 / 1e6,
        size as f64 / 1e6 / (n as f64 / 1000.0),
        size as f64 / raw as f64
    );

    let ours = latency(
        "search, top 50 with snippets (dateline search)",
        QUERIES,
        |q| {
            store.search(q, 50).expect("query");
        },
    );
    latency("search, top 50 ids (the reader's list)", QUERIES, |q| {
        store.search_ids(q, 50).expect("query");
    });
    latency("entity filter, top 50", ENTITY_FILTERS, |e| {
        store.entity_articles(e, Some(50)).expect("entity filter");
    });

    // The floor: plain FTS5 over the same title and body text, same queries, bm25 over
    // every match with a snippet, and nothing else (no join, no window).
    let floor_name = format!("floor-{n}.db");
    let floor_kept = reuse && bench_dir().join(&floor_name).exists();
    let floor_db = if floor_kept {
        bench_dir().join(&floor_name)
    } else {
        fresh_db(&floor_name)
    };
    let floor = rusqlite::Connection::open(&floor_db).expect("floor db");
    if !floor_kept {
        floor
            .execute_batch(&format!(
                "PRAGMA journal_mode=WAL; CREATE VIRTUAL TABLE t USING fts5(title, body);
             ATTACH '{}' AS c;
             INSERT INTO t(rowid, title, body) SELECT rowid, title, body FROM c.articles;
             DETACH c;",
                final_db.display()
            ))
            .expect("floor index");
    }
    let mut stmt = floor
        .prepare("SELECT rowid, snippet(t, 1, '«', '»', '…', 16) FROM t WHERE t MATCH ?1 ORDER BY rank LIMIT 50")
        .expect("floor query");
    let base = latency("floor: raw FTS5, top 50 with snippets", QUERIES, |q| {
        if let Some(fts) = dateline::store::query::to_fts5(q) {
            let rows = stmt
                .query_map([fts], |r| r.get::<_, i64>(0))
                .expect("floor");
            for r in rows {
                r.expect("row");
            }
        }
    });
    println!(
        "search vs the raw FTS5 floor (CPU): p50 {:.2}×, p99 {:.2}×",
        ours.0 / base.0.max(1e-9),
        ours.1 / base.1.max(1e-9)
    );
}
