//! Extraction over a folder of articles: MB/s, and a digest of every entity extracted, so a
//! change meant to make extraction faster can be checked to change nothing it finds.
//!
//! Usage: `cargo run --release --example extract_check -- DIR [PASSES]`

use std::hash::{Hash, Hasher};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: extract_check DIR [PASSES]"))?;
    let passes: usize = args.next().map_or(Ok(3), |p| p.parse())?;
    let files = dateline::ingest::expand_paths(&[std::path::PathBuf::from(dir)]);
    let articles: Vec<_> = files
        .iter()
        .filter_map(|f| dateline::ingest::parse_file(f).ok())
        .map(|p| p.article)
        .collect();
    let bytes: usize = articles
        .iter()
        .map(dateline::model::Article::text_len)
        .sum();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for a in &articles {
        for e in dateline::entities::extract(a) {
            format!("{e:?}").hash(&mut h);
        }
    }
    println!(
        "{} articles, {:.1} MB, digest {:016x}",
        articles.len(),
        bytes as f64 / 1e6,
        h.finish()
    );
    let mut rates = Vec::new();
    let mut cpu_rates = Vec::new();
    for _ in 0..passes {
        let c = cpu_ns();
        let t = std::time::Instant::now();
        let mut n = 0;
        for a in &articles {
            n += std::hint::black_box(dateline::entities::extract(a)).len();
        }
        let s = t.elapsed().as_secs_f64();
        rates.push(bytes as f64 / 1e6 / s);
        if let (Some(a), Some(b)) = (c, cpu_ns()) {
            cpu_rates.push(bytes as f64 / 1e6 / ((b - a) as f64 / 1e9));
        }
        std::hint::black_box(n);
    }
    report("", rates);
    // On a shared machine wall time counts other processes' turns; the thread's own CPU
    // time does not.
    if !cpu_rates.is_empty() {
        report(" of CPU time", cpu_rates);
    }
    Ok(())
}

/// Prints the median, lowest and highest of `rates` (MB/s), `what` after the unit.
fn report(what: &str, mut rates: Vec<f64>) {
    rates.sort_by(f64::total_cmp);
    println!(
        "extract: median {:.1} MB/s{what} (min {:.1}, max {:.1})",
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1]
    );
}

/// Nanoseconds this thread has run on a CPU, where the kernel tells (Linux).
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}
