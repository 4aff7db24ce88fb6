//! Generates a deterministic benchmark corpus of news articles, so import, entity extraction,
//! search and the reader can be measured at realistic scale without network access or
//! licensed text.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --articles 100000 --out /tmp/corpus [--seed 42] [--feeds 100]
//! ```
//!
//! Each article follows the layout of the bundled wire copy
//! (`assets/articles/00-japan-eu-security-partnership.txt`): section, headline, standfirst, a
//! `Published on` date line, 8–20 paragraphs (300–600 words), one or two photo captions with
//! agency credits and a `Source: https://news.example/<slug>` line. Words follow a Zipf curve
//! over a frequency-ranked vocabulary; people, organisations and places follow Zipf curves
//! too (a few countries and institutions everywhere, a long tail of people), introduced with
//! titles and descriptions as news writes them and by surname or short form afterwards, so
//! entity tables and the search index see real-looking distributions.
//!
//! Output in `--out`:
//! - `text/NNNNNN.txt`, sharded as `text/NNN/NNNNNN.txt` when there are over 1,000 articles;
//! - `feeds/feed-NNN.xml`: Atom 1.0 feeds holding the same articles (article `i` is in feed
//!   `i % feeds`, newest first), body as escaped HTML;
//! - `feeds.opml` and `urls.txt` (newsboat's url file) listing the feeds as `file://` URLs.
//!
//! The same arguments give byte-identical output; only `feeds.opml` and `urls.txt` name the
//! output folder.

mod corpus;

use anyhow::Result;
use clap::Parser;
use std::path::PathBuf;
use std::time::Instant;

/// Generates a deterministic corpus of news articles as text files and Atom feeds.
#[derive(Parser)]
struct Args {
    /// Number of articles.
    #[arg(long)]
    articles: usize,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Seed: the same seed and arguments give byte-identical output.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of Atom feeds the articles are spread over.
    #[arg(long, default_value_t = 100)]
    feeds: usize,
    /// Replace a corpus a previous run left in the output folder.
    #[arg(long)]
    force: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let summary = corpus::generate(&corpus::Options {
        articles: args.articles,
        feeds: args.feeds,
        seed: args.seed,
        out: args.out.clone(),
        force: args.force,
    })?;
    println!(
        "{} articles, {:.1} MB of text, {} feeds, {} files written to {} in {:.1}s",
        summary.articles,
        summary.text_bytes as f64 / 1e6,
        summary.feeds,
        summary.files,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
