//! The benchmark corpus generator (`examples/gen_corpus`): output is deterministic, complete,
//! and readable by the article parser and an XML reader.

#[path = "../examples/gen_corpus/corpus.rs"]
mod corpus;

use corpus::{Options, Summary, generate};
use dateline::ingest::text::parse_article;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

fn run(dir: &Path, articles: usize, feeds: usize, seed: u64) -> Summary {
    generate(&Options {
        articles,
        feeds,
        seed,
        out: dir.to_path_buf(),
        force: false,
    })
    .expect("generation succeeds")
}

/// Every file under `dir` by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Counts `<entry>` elements, failing on any XML error.
fn atom_entries(xml: &str) -> usize {
    let mut reader = Reader::from_str(xml);
    let mut entries = 0;
    let mut root = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.name().0.to_string();
                if name == "entry" {
                    entries += 1;
                }
                root.get_or_insert(name);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("malformed XML at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(root.as_deref(), Some("feed"));
    entries
}

#[test]
fn same_seed_same_bytes_other_seed_differs() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let sa = run(a.path(), 40, 4, 7);
    let sb = run(b.path(), 40, 4, 7);
    run(c.path(), 40, 4, 8);
    assert_eq!(sa, sb);
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    assert_eq!(fa.len(), sa.files);
    for (path, bytes) in &fa {
        // The lists name the output folder; everything else must match byte for byte.
        let (x, y) = if path.starts_with("text") || path.starts_with("feeds/") {
            (bytes.clone(), fb[path].clone())
        } else {
            let strip = |bytes: &[u8], dir: &Path| {
                String::from_utf8_lossy(bytes)
                    .replace(&*fs::canonicalize(dir).unwrap().to_string_lossy(), "DIR")
                    .into_bytes()
            };
            (strip(bytes, a.path()), strip(&fb[path], b.path()))
        };
        assert!(x == y, "{} differs between runs", path.display());
    }
    let text = Path::new("text/000000.txt");
    assert_ne!(fa[text], fc[text], "another seed gives another corpus");
}

#[test]
fn writes_parseable_articles_and_wellformed_feeds() {
    let dir = tempfile::tempdir().unwrap();
    // Over 1,000 articles, so the text files are sharded.
    let n = 1_050;
    let summary = run(dir.path(), n, 10, 42);
    assert_eq!(
        (summary.articles, summary.feeds, summary.files),
        (n, 10, n + 12)
    );

    let mut links = HashSet::new();
    let mut text_bytes = 0;
    for i in 0..n {
        let path = dir.path().join(format!("text/{:03}/{i:06}.txt", i / 1000));
        let text = fs::read_to_string(&path).unwrap();
        text_bytes += text.len() as u64;
        let a = parse_article(&text, &path.display().to_string());
        assert!(
            !a.title.is_empty() && a.title != "Untitled",
            "{}",
            path.display()
        );
        assert!(a.standfirst.is_some(), "{}: no standfirst", path.display());
        assert!(a.published.is_some(), "{}: no date", path.display());
        assert!(a.section.is_some(), "{}: no section", path.display());
        let paragraphs = a
            .blocks
            .iter()
            .filter(|b| b.kind == dateline::model::BlockKind::Paragraph)
            .count();
        assert!(
            (8..=20).contains(&paragraphs),
            "{}: {paragraphs} paragraphs",
            path.display()
        );
        let captions = a
            .blocks
            .iter()
            .filter(|b| b.kind == dateline::model::BlockKind::Caption)
            .collect::<Vec<_>>();
        assert!(!captions.is_empty(), "{}: no caption", path.display());
        assert!(
            captions.iter().all(|c| c.credit.is_some()),
            "{}",
            path.display()
        );
        let link = a.link.expect("a source link");
        assert!(link.starts_with("https://news.example/"), "{link}");
        assert!(links.insert(link), "links are unique");
    }
    assert_eq!(text_bytes, summary.text_bytes);
    assert!(
        (2_000..6_000).contains(&(text_bytes / n as u64)),
        "about 3 KB an article"
    );

    let mut entries = 0;
    let mut feed_links = HashSet::new();
    for k in 0..10 {
        let xml = fs::read_to_string(dir.path().join(format!("feeds/feed-{k:03}.xml"))).unwrap();
        entries += atom_entries(&xml);
        for part in xml
            .split("<link rel=\"alternate\" type=\"text/html\" href=\"")
            .skip(2)
        {
            feed_links.insert(part[..part.find('"').unwrap()].to_string());
        }
    }
    assert_eq!(entries, n);
    assert_eq!(feed_links, links, "the feeds carry the same articles");

    let urls = fs::read_to_string(dir.path().join("urls.txt")).unwrap();
    assert_eq!(urls.lines().count(), 10);
    assert!(urls.lines().all(|u| u.starts_with("file:///")));
    let opml = fs::read_to_string(dir.path().join("feeds.opml")).unwrap();
    assert_eq!(opml.matches("xmlUrl=\"file:///").count(), 10);
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), 3, 100, 1);
    let again = |force| {
        generate(&Options {
            articles: 2,
            feeds: 100,
            seed: 1,
            out: dir.path().to_path_buf(),
            force,
        })
    };
    assert!(again(false).is_err());
    let summary = again(true).unwrap();
    // Feeds are capped at the article count, and the replaced run leaves nothing behind.
    assert_eq!(summary.feeds, 2);
    assert_eq!(files(dir.path()).len(), summary.files);
    assert!(
        generate(&Options {
            articles: 0,
            feeds: 1,
            seed: 1,
            out: dir.path().join("empty"),
            force: false,
        })
        .is_err()
    );
}
