//! Import throughput, search latency and cache size on a generated corpus.
//!
//! ```text
//! cargo bench --bench cache                                  # 10,000 articles
//! DATELINE_BENCH_ARTICLES=100000 cargo bench --bench cache   # 100,000
//! ```
//!
//! The corpus is generated once (deterministic, `examples/gen_corpus`) under
//! `target/bench-data/`. Import runs into a fresh cache single-threaded and with every core,
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
    for jobs in [1, import::default_jobs()] {
        let db = fresh_db(&format!("cache-{n}-j{jobs}.db"));
        let mut store = Store::open(&db).expect("open");
        let started = Instant::now();
        let totals = import::import_paths(&mut store, std::slice::from_ref(&text), jobs, |_| {});
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(totals.failed, 0);
        println!(
            "import (text files, {jobs} thread{}): {:.1} s, {:.0} articles/s, {:.1} MB/s",
            if jobs == 1 { "" } else { "s" },
            secs,
            totals.imported as f64 / secs,
            mb / secs
        );
        final_db = db;
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

    for (label, run) in [
        ("search (top 50, snippets)", 0),
        ("search (ids only, reader)", 1),
    ] {
        let mut times = Vec::new();
        for round in 0..6 {
            for q in QUERIES {
                let t = Instant::now();
                let hits = if run == 0 {
                    store.search(q, 50).map(|h| h.len())
                } else {
                    store.search_ids(q, 50).map(|h| h.len())
                };
                let d = t.elapsed();
                hits.expect("query");
                if round > 0 {
                    times.push(d);
                }
            }
        }
        times.sort();
        println!(
            "{label}: {} queries, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            QUERIES.len(),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().unwrap())
        );
    }
    let mut times = Vec::new();
    for round in 0..6 {
        for e in ENTITY_FILTERS {
            let t = Instant::now();
            store.entity_articles(e, Some(50)).expect("entity filter");
            if round > 0 {
                times.push(t.elapsed());
            }
        }
    }
    times.sort();
    println!(
        "entity filter (top 50): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
}
