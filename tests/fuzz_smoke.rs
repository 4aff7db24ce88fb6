//! Runs every fuzz target's check over its committed seed corpus, so CI exercises the fuzz
//! targets without a fuzzer. Fuzzing itself: see `fuzz/README.md`.

#[path = "../fuzz/checks.rs"]
#[allow(dead_code)]
mod checks;

use std::path::Path;

fn run(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        check(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n > 0, "no seed inputs for {target}");
}

#[test]
fn parse_text_seeds() {
    run("parse_text", checks::parse_text);
}

#[test]
fn search_query_seeds() {
    run("search_query", checks::search_query);
}

#[test]
fn extract_entities_seeds() {
    run("extract_entities", checks::extract_entities);
}

#[test]
fn parse_feed_seeds() {
    run("parse_feed", checks::parse_feed);
}

#[test]
fn parse_html_seeds() {
    run("parse_html", checks::parse_html);
}

#[test]
fn parse_opml_seeds() {
    run("parse_opml", checks::parse_opml);
}
