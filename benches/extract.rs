//! Extraction throughput: the bundled articles, parsed once, extracted over and over on one
//! core. Reports MB/s of article text (title, standfirst, blocks, credits), the median of
//! several runs. Plain `std::time::Instant`; run with `cargo bench --bench extract`.
//!
//! On a shared machine wall-clock time counts other processes' turns too, so on Linux the
//! thread's own CPU time (`/proc/thread-self/schedstat`) is reported beside it.

use dateline::entities::extract;
use dateline::model::Article;
use std::time::Instant;

/// Nanoseconds this thread has run on a CPU, where the kernel tells.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn main() {
    let articles: Vec<Article> = dateline::samples::parsed()
        .into_iter()
        .map(|p| p.article)
        .collect();
    let per_pass: usize = articles.iter().map(Article::text_len).sum();

    // The first call builds the gazetteer; time it on its own.
    let t = Instant::now();
    let c = cpu_ns();
    let n = extract(&articles[0]).len();
    let first = t.elapsed();
    let first_cpu = c.zip(cpu_ns()).map(|(a, b)| (b - a) as f64 / 1e6);
    println!(
        "first extraction (gazetteer load included): {:.2} ms wall, {} CPU, {n} entities",
        first.as_secs_f64() * 1e3,
        first_cpu.map_or("n/a".to_string(), |ms| format!("{ms:.2} ms")),
    );

    let repeats = 20;
    let mut rates = Vec::new();
    let mut cpu_rates = Vec::new();
    for _ in 0..7 {
        let c = cpu_ns();
        let t = Instant::now();
        let mut entities = 0usize;
        for _ in 0..repeats {
            for a in &articles {
                entities += std::hint::black_box(extract(a)).len();
            }
        }
        let secs = t.elapsed().as_secs_f64();
        std::hint::black_box(entities);
        let bytes = (per_pass * repeats) as f64;
        rates.push(bytes / secs / 1e6);
        if let (Some(a), Some(b)) = (c, cpu_ns()) {
            cpu_rates.push(bytes / ((b - a) as f64 / 1e9) / 1e6);
        }
    }
    println!(
        "{} articles, {:.1} KB per pass, {repeats} passes per run, 7 runs",
        articles.len(),
        per_pass as f64 / 1e3
    );
    let (med, lo, hi) = median(rates);
    println!("extract: median {med:.1} MB/s wall clock (min {lo:.1}, max {hi:.1})");
    if !cpu_rates.is_empty() {
        let (med, lo, hi) = median(cpu_rates);
        println!("extract: median {med:.1} MB/s of CPU time (min {lo:.1}, max {hi:.1})");
    }
}
