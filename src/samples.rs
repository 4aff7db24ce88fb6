//! The bundled sample corpus, compiled into the binary so the reader has something to show on
//! a fresh machine from any directory: the seed article and 40 English Wikinews articles and
//! interviews (CC BY 2.5, Wikinews contributors; see `assets/articles/ATTRIBUTION.md`).

use crate::ingest::{Parsed, parse_bytes};

/// Credit shown in the reader's help and the README.
pub const ATTRIBUTION: &str = "Sample articles from English Wikinews (https://en.wikinews.org), by Wikinews contributors, licensed CC BY 2.5 (https://creativecommons.org/licenses/by/2.5/). Text via the GUM corpus (https://gucorpling.org/gum/), converted to plain text.";

/// (file name, text) of every bundled article.
pub const ARTICLES: &[(&str, &str)] = &[
    (
        "00-japan-eu-security-partnership.txt",
        include_str!("../assets/articles/00-japan-eu-security-partnership.txt"),
    ),
    (
        "01-news-stampede.txt",
        include_str!("../assets/articles/01-news-stampede.txt"),
    ),
    (
        "02-news-iodine.txt",
        include_str!("../assets/articles/02-news-iodine.txt"),
    ),
    (
        "03-news-worship.txt",
        include_str!("../assets/articles/03-news-worship.txt"),
    ),
    (
        "04-interview-mcguire.txt",
        include_str!("../assets/articles/04-interview-mcguire.txt"),
    ),
    (
        "05-interview-stardust.txt",
        include_str!("../assets/articles/05-interview-stardust.txt"),
    ),
    (
        "06-news-lanterns.txt",
        include_str!("../assets/articles/06-news-lanterns.txt"),
    ),
    (
        "07-interview-shalev.txt",
        include_str!("../assets/articles/07-interview-shalev.txt"),
    ),
    (
        "08-interview-messina.txt",
        include_str!("../assets/articles/08-interview-messina.txt"),
    ),
    (
        "09-interview-onion.txt",
        include_str!("../assets/articles/09-interview-onion.txt"),
    ),
    (
        "10-news-hackers.txt",
        include_str!("../assets/articles/10-news-hackers.txt"),
    ),
    (
        "11-news-sensitive.txt",
        include_str!("../assets/articles/11-news-sensitive.txt"),
    ),
    (
        "12-interview-herrick.txt",
        include_str!("../assets/articles/12-interview-herrick.txt"),
    ),
    (
        "13-interview-chomsky.txt",
        include_str!("../assets/articles/13-interview-chomsky.txt"),
    ),
    (
        "14-news-homeopathic.txt",
        include_str!("../assets/articles/14-news-homeopathic.txt"),
    ),
    (
        "15-news-defector.txt",
        include_str!("../assets/articles/15-news-defector.txt"),
    ),
    (
        "16-news-ie9.txt",
        include_str!("../assets/articles/16-news-ie9.txt"),
    ),
    (
        "17-news-nasa.txt",
        include_str!("../assets/articles/17-news-nasa.txt"),
    ),
    (
        "18-news-imprisoned.txt",
        include_str!("../assets/articles/18-news-imprisoned.txt"),
    ),
    (
        "19-interview-brotherhood.txt",
        include_str!("../assets/articles/19-interview-brotherhood.txt"),
    ),
    (
        "20-interview-cyclone.txt",
        include_str!("../assets/articles/20-interview-cyclone.txt"),
    ),
    (
        "21-interview-libertarian.txt",
        include_str!("../assets/articles/21-interview-libertarian.txt"),
    ),
    (
        "22-interview-licen.txt",
        include_str!("../assets/articles/22-interview-licen.txt"),
    ),
    (
        "23-interview-mckenzie.txt",
        include_str!("../assets/articles/23-interview-mckenzie.txt"),
    ),
    (
        "24-interview-daly.txt",
        include_str!("../assets/articles/24-interview-daly.txt"),
    ),
    (
        "25-news-warhol.txt",
        include_str!("../assets/articles/25-news-warhol.txt"),
    ),
    (
        "26-news-warming.txt",
        include_str!("../assets/articles/26-news-warming.txt"),
    ),
    (
        "27-interview-gaming.txt",
        include_str!("../assets/articles/27-interview-gaming.txt"),
    ),
    (
        "28-interview-hill.txt",
        include_str!("../assets/articles/28-interview-hill.txt"),
    ),
    (
        "29-news-flag.txt",
        include_str!("../assets/articles/29-news-flag.txt"),
    ),
    (
        "30-news-asylum.txt",
        include_str!("../assets/articles/30-news-asylum.txt"),
    ),
    (
        "31-news-taxes.txt",
        include_str!("../assets/articles/31-news-taxes.txt"),
    ),
    (
        "32-news-korea.txt",
        include_str!("../assets/articles/32-news-korea.txt"),
    ),
    (
        "33-interview-ants.txt",
        include_str!("../assets/articles/33-interview-ants.txt"),
    ),
    (
        "34-news-crane.txt",
        include_str!("../assets/articles/34-news-crane.txt"),
    ),
    (
        "35-news-clock.txt",
        include_str!("../assets/articles/35-news-clock.txt"),
    ),
    (
        "36-news-expo.txt",
        include_str!("../assets/articles/36-news-expo.txt"),
    ),
    (
        "37-news-election.txt",
        include_str!("../assets/articles/37-news-election.txt"),
    ),
    (
        "38-news-afghan.txt",
        include_str!("../assets/articles/38-news-afghan.txt"),
    ),
    (
        "39-news-soccer.txt",
        include_str!("../assets/articles/39-news-soccer.txt"),
    ),
    (
        "40-news-questionnaire.txt",
        include_str!("../assets/articles/40-news-questionnaire.txt"),
    ),
];

/// Parses every bundled article; `source` is `bundled:<file name>`.
pub fn parsed() -> Vec<Parsed> {
    ARTICLES
        .iter()
        .filter_map(|(name, text)| parse_bytes(text.as_bytes(), &format!("bundled:{name}")).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_the_folder_is_bundled_and_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/articles");
        let on_disk = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".txt"))
            .count();
        assert_eq!(ARTICLES.len(), on_disk);
        assert_eq!(parsed().len(), ARTICLES.len());
    }
}
