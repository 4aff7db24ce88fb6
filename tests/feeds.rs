//! Subscriptions end to end: a tiny HTTP server on 127.0.0.1 serves the fixtures in
//! `tests/fixtures/feeds/`, and feeds are refreshed through the library and the CLI. Also:
//! OPML round trips and refusals, every shared feed fixture through the parser, and the
//! extraction quality on the Readability test pages.

use assert_cmd::Command;
use dateline::feeds::{self, opml};
use dateline::ingest::fetch::FetchOptions;
use dateline::store::{ListFilter, Store};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds")
}

/// A test HTTP server: one thread per connection, stops when dropped or after a minute.
struct Server {
    base: String,
    stop: Arc<AtomicBool>,
    conditional_hits: Arc<AtomicUsize>,
    /// How many requests each path has had.
    requests: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(HashMap::new()));
        let (stop2, hits2, base2) = (stop.clone(), hits.clone(), base.clone());
        let requests2 = requests.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop2.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((s, _)) => {
                        let (hits, base) = (hits2.clone(), base2.clone());
                        let requests = requests2.clone();
                        std::thread::spawn(move || {
                            let _ = serve(s, &hits, &requests, &base);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            base,
            stop,
            conditional_hits: hits,
            requests,
        }
    }

    /// How many requests `path` has had.
    fn requests(&self, path: &str) -> usize {
        let requests = self.requests.lock().expect("lock");
        requests.get(&format!("/{path}")).copied().unwrap_or(0)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }
}

fn serve(
    stream: TcpStream,
    hits: &AtomicUsize,
    requests: &Mutex<HashMap<String, usize>>,
    base: &str,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let earlier = {
        let mut requests = requests.lock().expect("lock");
        let n = requests.entry(path.clone()).or_default();
        *n += 1;
        *n - 1
    };
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let mut out = stream;
    let respond = |out: &mut TcpStream, status: &str, extra: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
            body.len()
        );
        out.write_all(head.as_bytes())?;
        out.write_all(body)
    };
    let file = |name: &str| std::fs::read(fixtures().join(name)).unwrap_or_default();
    match path.as_str() {
        "/rss.xml" | "/atom.xml" | "/malformed.xml" | "/article.html" | "/page.html"
        | "/new-home/atom.xml" => {
            let ct = if path.ends_with(".html") {
                "text/html; charset=utf-8"
            } else {
                "application/xml"
            };
            respond(
                &mut out,
                "200 OK",
                &format!("Content-Type: {ct}\r\n"),
                &file(path.rsplit('/').next().unwrap_or_default()),
            )
        }
        "/feed.json" => respond(
            &mut out,
            "200 OK",
            "Content-Type: application/feed+json\r\n",
            &file("feed.json"),
        ),
        // Declared only in the XML; the header names no charset.
        "/latin1.xml" => respond(
            &mut out,
            "200 OK",
            "Content-Type: text/xml\r\n",
            &file("latin1.xml"),
        ),
        "/utf16.xml" => respond(
            &mut out,
            "200 OK",
            "Content-Type: application/xml\r\n",
            &file("utf16.xml"),
        ),
        "/fulltext.xml" => {
            let body = String::from_utf8_lossy(&file("fulltext.xml")).replace("{BASE}", base);
            respond(
                &mut out,
                "200 OK",
                "Content-Type: application/rss+xml\r\n",
                body.as_bytes(),
            )
        }
        // The same item twice, then changed (a longer teaser).
        "/changing-fulltext.xml" => {
            let mut body = String::from_utf8_lossy(&file("fulltext.xml")).replace("{BASE}", base);
            if earlier >= 2 {
                body = body.replace("Short teaser only.", "A longer teaser, now.");
            }
            respond(
                &mut out,
                "200 OK",
                "Content-Type: application/rss+xml\r\n",
                body.as_bytes(),
            )
        }
        // Two items with the same link: one article, the last item's.
        "/dupes.xml" => respond(
            &mut out,
            "200 OK",
            "Content-Type: application/rss+xml\r\n",
            br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Dupes</title>
<item><title>Harbour</title><link>https://dupes.example/a</link><description>First text.</description></item>
<item><title>Harbour</title><link>https://dupes.example/a</link><description>Second text.</description></item>
</channel></rss>"#,
        ),
        // A full-text item whose page answers once, and whose item changes after that.
        "/flaky-fulltext.xml" => {
            let body = format!(
                r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Flaky</title>
<item><title>Lighthouse</title><link>{base}/flaky-page.html</link><guid>fl-1</guid><description>{}</description></item>
</channel></rss>"#,
                if earlier == 0 { "Teaser." } else { "A changed teaser." }
            );
            respond(
                &mut out,
                "200 OK",
                "Content-Type: application/rss+xml\r\n",
                body.as_bytes(),
            )
        }
        "/flaky-page.html" if earlier == 0 => respond(
            &mut out,
            "200 OK",
            "Content-Type: text/html; charset=utf-8\r\n",
            &file("article.html"),
        ),
        "/flaky-page.html" => respond(&mut out, "500 Internal Server Error", "", b"down"),
        "/etag.xml" => {
            if headers.get("if-none-match").map(String::as_str) == Some("\"v1\"") {
                hits.fetch_add(1, Ordering::Relaxed);
                respond(&mut out, "304 Not Modified", "ETag: \"v1\"\r\n", b"")
            } else {
                respond(
                    &mut out,
                    "200 OK",
                    "ETag: \"v1\"\r\nContent-Type: application/rss+xml\r\n",
                    &file("etag.xml"),
                )
            }
        }
        "/deflate.xml" | "/gzip.xml" => {
            let mut body = Vec::new();
            let enc = if path == "/gzip.xml" {
                let mut e =
                    flate2::write::GzEncoder::new(&mut body, flate2::Compression::default());
                e.write_all(&file("atom.xml"))?;
                e.finish()?;
                "gzip"
            } else {
                let mut e =
                    flate2::write::ZlibEncoder::new(&mut body, flate2::Compression::default());
                e.write_all(&file("atom.xml"))?;
                e.finish()?;
                "deflate"
            };
            let extra =
                format!("Content-Type: application/atom+xml\r\nContent-Encoding: {enc}\r\n");
            respond(&mut out, "200 OK", &extra, &body)
        }
        "/redirect" => respond(
            &mut out,
            "301 Moved Permanently",
            "Location: /rss.xml\r\n",
            b"",
        ),
        "/loop" => respond(&mut out, "302 Found", "Location: /loop\r\n", b""),
        // Moved for good, by a relative reference; and moved for now.
        "/old/atom.xml" => respond(
            &mut out,
            "308 Permanent Redirect",
            "Location: ../new-home/atom.xml\r\n",
            b"",
        ),
        "/for-now" => respond(&mut out, "302 Found", "Location: /atom.xml\r\n", b""),
        "/404" => respond(&mut out, "404 Not Found", "", b"gone"),
        "/500" => respond(&mut out, "500 Internal Server Error", "", b"oops"),
        "/hang" => {
            std::thread::sleep(Duration::from_secs(4));
            Ok(())
        }
        "/big" => {
            let size = 11 * 1024 * 1024;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n<rss version=\"2.0\"><channel><title>"
            );
            out.write_all(head.as_bytes())?;
            let chunk = vec![b'a'; 64 * 1024];
            for _ in 0..(size / chunk.len()) {
                out.write_all(&chunk)?;
            }
            Ok(())
        }
        _ => respond(&mut out, "404 Not Found", "", b""),
    }
}

#[test]
fn a_feed_whose_items_could_not_be_stored_is_fetched_whole_next_time() {
    let (server, mut store, f) = subscribed("etag.xml", false);
    // The feed's one item cannot be stored this time.
    store
        .conn()
        .execute_batch(
            "CREATE TRIGGER poison BEFORE INSERT ON articles WHEN NEW.title = 'Cached story'
             BEGIN SELECT RAISE(ABORT, 'poisoned'); END;",
        )
        .expect("trigger");
    let sum = feeds::refresh(&mut store, &[], &quick(), |_| {}).expect("refresh");
    assert_eq!(sum.new_articles, 0);
    assert!(
        sum.warnings.iter().any(|w| w.contains("cannot store")),
        "{:?}",
        sum.warnings
    );
    let feed = store.feed(f.id).expect("feed").expect("exists");
    assert_eq!(feed.etag, None, "no validator that would hide the item");
    // Next time the item can be stored: the server is asked unconditionally and the item
    // arrives, instead of a 304.
    store
        .conn()
        .execute_batch("DROP TRIGGER poison")
        .expect("drop");
    let again = feeds::refresh(&mut store, &[], &quick(), |_| {}).expect("again");
    assert_eq!(
        (again.new_articles, again.not_modified),
        (1, 0),
        "{again:?}"
    );
    assert_eq!(server.conditional_hits.load(Ordering::Relaxed), 0);
}

#[test]
fn a_feed_that_moved_for_good_is_fetched_from_its_new_home() {
    let server = Server::start();
    let mut store = Store::open_in_memory().expect("store");
    let mut id = HashMap::new();
    // "redirect" moves for good to rss.xml, which is subscribed already.
    for p in ["old/atom.xml", "for-now", "redirect", "rss.xml"] {
        let (f, _) = store.add_feed(&server.url(p), None, false).expect("add");
        id.insert(p, f.id);
    }
    let sum = feeds::refresh(&mut store, &[], &quick(), |_| {}).expect("refresh");
    assert!(sum.failures.is_empty(), "{:?}", sum.failures);
    let url = |p: &str| store.feed(id[p]).expect("feed").expect("exists").url;
    assert_eq!(url("old/atom.xml"), server.url("new-home/atom.xml"));
    assert_eq!(url("for-now"), server.url("for-now"));
    assert_eq!(url("redirect"), server.url("redirect"));
    let moved = |p: &str| {
        sum.warnings
            .iter()
            .filter(|w| w.starts_with(&format!("feed {} ", id[p])))
            .count()
    };
    assert_eq!(
        (moved("old/atom.xml"), moved("for-now"), moved("redirect")),
        (1, 0, 1),
        "{:?}",
        sum.warnings
    );
    assert!(
        sum.warnings
            .iter()
            .any(|w| w.contains("subscribed already")),
        "{:?}",
        sum.warnings
    );
    // The next refresh goes straight to the new home.
    let again = feeds::refresh(&mut store, &[id["old/atom.xml"]], &quick(), |_| {}).expect("again");
    assert!(
        again.failures.is_empty() && again.warnings.is_empty(),
        "{again:?}"
    );
    // Its items are the same articles as before the move, not new ones (a guid that is not
    // a URL is keyed by the feed's URL, the one it was subscribed at).
    assert_eq!((again.new_articles, again.updated_articles), (0, 0));
    let items = store
        .list_ids(&ListFilter::Feed(id["old/atom.xml"]))
        .expect("ids");
    assert_eq!(items.len(), 1);
}

#[test]
fn a_full_text_item_keeps_its_page_until_the_item_changes() {
    let (server, mut store, f) = subscribed("changing-fulltext.xml", true);
    let refresh = |store: &mut Store| {
        let sum = feeds::refresh(store, &[], &quick(), |_| {}).expect("refresh");
        assert!(
            sum.failures.is_empty() && sum.warnings.is_empty(),
            "{sum:?}"
        );
        let ids = store.list_ids(&ListFilter::Feed(f.id)).expect("ids");
        assert_eq!(ids.len(), 1);
        let article = store.article(&ids[0]).expect("read").expect("exists");
        (sum, article)
    };
    let (first, stored) = refresh(&mut store);
    assert_eq!(first.new_articles, 1);
    assert!(
        stored
            .body_text()
            .contains("restoration that took three years")
    );
    assert_eq!(server.requests("article.html"), 1);
    // The same item again: the page's text stays, and the page is not asked for again.
    let (second, again) = refresh(&mut store);
    assert_eq!((second.new_articles, second.updated_articles), (0, 0));
    assert_eq!(again.body_text(), stored.body_text());
    assert_eq!(server.requests("article.html"), 1);
    // The item changed: its page is fetched again (the article, whose text comes from the
    // page, is the same), and only once.
    for _ in 0..2 {
        let (_, later) = refresh(&mut store);
        assert_eq!(later.body_text(), stored.body_text());
        assert_eq!(server.requests("article.html"), 2);
    }
    assert_eq!(server.requests("changing-fulltext.xml"), 4);
}

#[test]
fn an_id_given_twice_in_a_feed_is_its_last_item_on_every_refresh() {
    // Kept to the end: the server stops when dropped.
    let (_server, mut store, f) = subscribed("dupes.xml", false);
    for round in 0..3 {
        let sum = feeds::refresh(&mut store, &[], &quick(), |_| {}).expect("refresh");
        let changed = (sum.new_articles, sum.updated_articles);
        assert_eq!(changed, if round == 0 { (1, 0) } else { (0, 0) }, "{round}");
        let ids = store.list_ids(&ListFilter::Feed(f.id)).expect("ids");
        let article = store.article(&ids[0]).expect("read").expect("exists");
        assert_eq!(article.body_text(), "Second text.", "{round}");
    }
}

#[test]
fn a_full_text_item_keeps_its_page_when_the_page_fails_later() {
    let (server, mut store, f) = subscribed("flaky-fulltext.xml", true);
    let body = |store: &Store| {
        let ids = store.list_ids(&ListFilter::Feed(f.id)).expect("ids");
        let article = store.article(&ids[0]).expect("read").expect("exists");
        article.body_text()
    };
    feeds::refresh(&mut store, &[], &quick(), |_| {}).expect("refresh");
    let page = body(&store);
    assert!(page.contains("restoration that took three years"), "{page}");
    // The item changed, and its page cannot be had: the page's text stays, and the page
    // is asked for again next time.
    for round in 1..=2 {
        let sum = feeds::refresh(&mut store, &[], &quick(), |_| {}).expect("refresh");
        assert!(
            sum.warnings.iter().any(|w| w.contains("full text")),
            "{sum:?}"
        );
        assert_eq!(body(&store), page);
        assert_eq!(server.requests("flaky-page.html"), 1 + round);
    }
}

#[test]
fn a_redirected_feed_costs_one_request_per_hop() {
    let server = Server::start();
    let mut store = Store::open_in_memory().expect("store");
    for p in ["for-now", "old/atom.xml"] {
        store.add_feed(&server.url(p), None, false).expect("add");
    }
    for round in 1..=2 {
        let sum = feeds::refresh(&mut store, &[], &quick(), |_| {}).expect("refresh");
        assert!(sum.failures.is_empty(), "{sum:?}");
        // A moved-for-now feed is asked at its own URL every time, then at the target; a
        // feed that moved for good goes straight to its new home after the first time.
        assert_eq!(
            (
                server.requests("for-now"),
                server.requests("atom.xml"),
                server.requests("old/atom.xml"),
                server.requests("new-home/atom.xml"),
            ),
            (round, round, 1, round)
        );
    }
}

/// A test server, and a cache subscribed to its `path` alone.
fn subscribed(path: &str, full_text: bool) -> (Server, Store, dateline::store::Feed) {
    let server = Server::start();
    let mut store = Store::open_in_memory().expect("store");
    let (f, _) = store
        .add_feed(&server.url(path), None, full_text)
        .expect("add");
    (server, store, f)
}

fn quick() -> FetchOptions {
    FetchOptions {
        connect_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_millis(1500),
        ..FetchOptions::default()
    }
}

#[test]
fn refresh_over_http_handles_every_case() {
    let server = Server::start();
    let mut store = Store::open_in_memory().expect("store");
    let paths = [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "latin1.xml",
        "utf16.xml",
        "etag.xml",
        "redirect",
        "404",
        "500",
        "hang",
        "big",
        "malformed.xml",
        "page.html",
        "fulltext.xml",
        "loop",
        "gzip.xml",
        "deflate.xml",
    ];
    let mut id = HashMap::new();
    for p in paths {
        let (f, _) = store
            .add_feed(&server.url(p), None, p == "fulltext.xml")
            .expect("add");
        id.insert(p, f.id);
    }
    let mut progress = 0;
    let sum = feeds::refresh(&mut store, &[], &quick(), |_| progress += 1).expect("refresh");
    assert_eq!(progress, paths.len());
    let reasons: HashMap<i64, String> = sum
        .failures
        .iter()
        .map(|f| (f.feed_id, f.reason.clone()))
        .collect();
    let expect = [
        ("404", "HTTP 404 Not Found"),
        ("500", "HTTP 500 Internal Server Error"),
        ("hang", "timeout"),
        ("big", "too large"),
        ("malformed.xml", "malformed XML at line 4"),
        ("page.html", "not a feed"),
        ("loop", "too many redirects"),
    ];
    for (p, want) in expect {
        let got = reasons
            .get(&id[p])
            .map(String::as_str)
            .unwrap_or("<no failure>");
        assert!(got.contains(want), "{p}: {got:?} should contain {want:?}");
        assert!(!got.contains('\n'), "one line: {got:?}");
    }
    assert_eq!(sum.failures.len(), expect.len(), "{:?}", sum.failures);
    // rss 2; the redirecting feed serves the same document: its item with a plain guid is
    // its own (a guid like "gazette-1" is only unique within a feed), the one known by its link
    // is shared; atom 1, json 1, latin1 1, utf16 1, etag 1, full text 1, gzip 1, deflate 1.
    assert_eq!(sum.new_articles, 11, "{sum:?}");

    let articles = |feed: &str| {
        let ids = store.list_ids(&ListFilter::Feed(id[feed])).expect("ids");
        ids.iter()
            .map(|i| store.article(i).expect("read").expect("exists"))
            .collect::<Vec<_>>()
    };
    let rss = articles("rss.xml");
    let ferry = rss
        .iter()
        .find(|a| a.title.starts_with("Ferry"))
        .expect("ferry");
    assert_eq!(ferry.byline.as_deref(), Some("Ana Ruiz"));
    assert_eq!(ferry.published.as_deref(), Some("2024-11-05T09:30:00Z"));
    assert_eq!(ferry.blocks[1].kind, dateline::model::BlockKind::Quote);
    assert_eq!(ferry.source, format!("feed:{}", id["rss.xml"]));
    let atom = &articles("atom.xml")[0];
    assert_eq!(atom.title, "Bridge opens");
    assert_eq!(atom.blocks[0].kind, dateline::model::BlockKind::Heading);
    let json = &articles("feed.json")[0];
    assert!(json.blocks.iter().any(|b| b.text == "The hill at dawn"));
    assert_eq!(articles("latin1.xml")[0].title, "Noël au café");
    assert_eq!(
        articles("latin1.xml")[0].blocks[0].text,
        "Crème brûlée pour tous."
    );
    assert_eq!(articles("utf16.xml")[0].title, "Grüße aus Köln");
    assert_eq!(
        store.feed(id["latin1.xml"]).expect("f").expect("f").label(),
        "Café Journal"
    );
    for p in ["gzip.xml", "deflate.xml"] {
        assert_eq!(articles(p)[0].title, "Bridge opens", "{p}");
    }
    let full = articles("fulltext.xml").remove(0);
    assert!(
        full.body_text()
            .contains("restoration that took three years"),
        "{full:?}"
    );
    assert!(!full.body_text().contains("newsletter"));
    assert_eq!(full.section.as_deref(), Some("Coast Herald"));

    // Star and read one, then fetch again: nothing new, nothing duplicated, flags kept, and
    // the ETag feed answers 304.
    store.set_starred(&ferry.id, true).expect("star");
    store.set_read(&ferry.id, true).expect("read");
    let count = store.count().expect("count");
    let again = feeds::refresh(&mut store, &[], &quick(), |_| {}).expect("refresh");
    assert_eq!(again.new_articles, 0);
    assert_eq!(store.count().expect("count"), count);
    let ferry = store.article(&ferry.id).expect("read").expect("exists");
    assert!(ferry.starred && ferry.read);
    // A full-text feed's item keeps the page's text it was stored with: the feed's own
    // excerpt of a known item does not replace it.
    let full_again = store.article(&full.id).expect("read").expect("still there");
    assert_eq!(full_again.body_text(), full.body_text());
    assert_eq!(server.conditional_hits.load(Ordering::Relaxed), 1);
    assert!(again.not_modified >= 1);
}

fn dateline(db: &Path) -> Command {
    let mut c = Command::cargo_bin("dateline").expect("binary");
    c.env("DATELINE_DB", db);
    for v in [
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ] {
        c.env_remove(v);
    }
    c
}

#[test]
fn cli_feed_add_fetch_list_export() {
    let server = Server::start();
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("d.db");
    dateline(&db)
        .args(["feed", "add", &server.url("rss.xml"), "--name", "Gazette"])
        .assert()
        .success();
    let out = dateline(&db).args(["fetch"]).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 feeds, 2 new articles, 0 failed"), "{err}");

    dateline(&db)
        .args(["feed", "add", &server.url("404")])
        .assert()
        .success();
    let out = dateline(&db).args(["fetch"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = format!("error: feed 2 ({}): HTTP 404 Not Found", server.url("404"));
    assert!(err.lines().any(|l| l == line), "{err}");
    assert!(err.contains("2 feeds, 0 new articles, 1 failed"), "{err}");

    let out = dateline(&db)
        .args(["fetch", "--json", "1"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (v["feeds"].as_u64(), v["new"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(0), Some(0))
    );

    let out = dateline(&db)
        .args(["feed", "list", "--json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v[0]["name"], "Gazette");
    assert_eq!(v[0]["url"], server.url("rss.xml"));
    assert_eq!(v[0]["full_text"], false);
    assert_eq!(v[1]["last_error"], "HTTP 404 Not Found");

    // Export, import into a fresh cache, export again: the same feeds.
    let out = dateline(&db)
        .args(["feed", "export-opml"])
        .output()
        .expect("run");
    let exported = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(exported.contains(&server.url("rss.xml")));
    let file = dir.path().join("subs.opml");
    std::fs::write(&file, &exported).expect("write");
    let db2 = dir.path().join("e.db");
    dateline(&db2)
        .args(["feed", "import-opml"])
        .arg(&file)
        .assert()
        .success();
    let out = dateline(&db2)
        .args(["feed", "export-opml"])
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stdout), exported);

    dateline(&db)
        .args(["feed", "remove", "2"])
        .assert()
        .success();
    dateline(&db).args(["fetch"]).assert().success();
}

#[test]
fn opml_with_commands_imports_the_rest() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("d.db");
    let out = dateline(&db)
        .args(["feed", "import-opml"])
        .arg(fixtures().join("subscriptions.opml"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error: Birdsite search: refused: piped command"),
        "{err}"
    );
    assert!(
        err.contains("error: Run me: refused: command feeds"),
        "{err}"
    );
    assert!(
        err.contains("error: Firehose: refused: the outline carries a filter command"),
        "{err}"
    );
    assert!(
        err.contains("2 feeds added, 0 already subscribed, 3 refused"),
        "{err}"
    );
    let out = dateline(&db)
        .args(["feed", "list", "--json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let urls: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["url"].as_str())
        .collect();
    assert_eq!(
        urls,
        [
            "https://gazette.example/rss.xml",
            "https://valley.example/atom.xml"
        ]
    );
    // The newsboat fixtures, when present.
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/feeds/newsboat");
    if shared.is_dir() {
        for (name, refused, kept) in [("piped.opml", 1, 1), ("filtered.opml", 1, 1)] {
            let bytes = std::fs::read(shared.join(name)).expect("read");
            let r = opml::parse(&bytes, name).expect("parse");
            assert_eq!(
                (r.refused.len(), r.feeds.len()),
                (refused, kept),
                "{name}: {r:?}"
            );
        }
    } else {
        println!(
            "skipped the newsboat OPML files: {} not found",
            shared.display()
        );
    }
}

#[test]
fn cli_local_feed_file_and_page_import() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("d.db");
    dateline(&db)
        .args(["feed", "add"])
        .arg(fixtures().join("atom.xml"))
        .assert()
        .success();
    let out = dateline(&db).args(["fetch"]).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 feeds, 1 new articles, 0 failed"));
    let out = dateline(&db)
        .args(["import", "--json"])
        .arg(fixtures().join("article.html"))
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["status"], "imported");
    let out = dateline(&db)
        .args(["import"])
        .arg(fixtures().join("rss.xml"))
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("this is a feed"));
}

#[test]
fn cli_fetch_counts_the_stories_a_feed_changed() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("d.db");
    let feed = dir.path().join("atom.xml");
    let text = std::fs::read_to_string(fixtures().join("atom.xml")).expect("fixture");
    std::fs::write(&feed, &text).expect("write");
    dateline(&db)
        .args(["feed", "add"])
        .arg(&feed)
        .assert()
        .success();
    let out = dateline(&db).args(["fetch"]).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 feeds, 1 new articles, 0 failed"));
    // The same story (same link), its text changed.
    let changed = text.replace("opened on Tuesday", "opened on Tuesday, a year late");
    assert_ne!(changed, text);
    std::fs::write(&feed, changed).expect("write");
    let out = dateline(&db).args(["fetch"]).output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 feeds, 0 new articles, 1 updated, 0 failed"),
        "{err}"
    );
}

#[test]
fn cli_import_url_extracts_the_page() {
    let server = Server::start();
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("d.db");
    let out = dateline(&db)
        .args(["import", "--json", &server.url("article.html")])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["status"], "imported", "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let out = dateline(&db)
        .args(["show", "--json", &id])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Cape Wren") && text.contains("Maria Costa"),
        "{text}"
    );
}

/// Every feed fixture in the shared corpus goes through the feed path: parsed or refused
/// with a reason, never a panic.
#[test]
fn shared_feed_fixtures_parse_or_fail_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/feeds");
    if !root.is_dir() {
        println!("skipped: {} not found", root.display());
        return;
    }
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("list").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let name = p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let skip = name.starts_with("license")
                    || name.starts_with("source")
                    || name.ends_with(".opml")
                    || name.starts_with("readme")
                    || name.ends_with(".md");
                if !skip {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    let (mut parsed, mut failed, mut items) = (0, 0, 0);
    let mut reasons: HashMap<String, usize> = HashMap::new();
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        let name = f.display().to_string();
        let r = std::panic::catch_unwind(|| {
            dateline::ingest::feed::parse(&bytes, &name, &name, None, "feed:0")
        });
        match r {
            Err(_) => panic!("{name}: the feed parser panicked"),
            Ok(Ok(doc)) => {
                parsed += 1;
                items += doc.items.len();
                for i in &doc.items {
                    assert!(dateline::sanitize::is_clean(&i.article.title), "{name}");
                }
            }
            Ok(Err(e)) => {
                failed += 1;
                let msg = e.to_string();
                assert!(msg.starts_with(&name) && !msg.contains('\n'), "{msg}");
                let reason = msg[name.len() + 2..]
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .to_string();
                *reasons.entry(reason).or_default() += 1;
            }
        }
    }
    println!(
        "shared feed fixtures: {} files, {parsed} parsed ({items} items), {failed} failed",
        files.len()
    );
    let mut r: Vec<_> = reasons.into_iter().collect();
    r.sort_by_key(|x| std::cmp::Reverse(x.1));
    println!("failure reasons: {r:?}");
    assert!(parsed > 0);
}

fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn f1(got: &str, want: &str) -> f64 {
    let (g, w) = (tokens(got), tokens(want));
    if g.is_empty() || w.is_empty() {
        return if g.is_empty() && w.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    let mut bag: HashMap<&str, i64> = HashMap::new();
    for t in &w {
        *bag.entry(t).or_default() += 1;
    }
    let mut common = 0;
    for t in &g {
        if let Some(n) = bag.get_mut(t.as_str())
            && *n > 0
        {
            *n -= 1;
            common += 1;
        }
    }
    if common == 0 {
        return 0.0;
    }
    let (p, r) = (
        common as f64 / g.len() as f64,
        common as f64 / w.len() as f64,
    );
    2.0 * p * r / (p + r)
}

/// Token F1 of our blocks' text against the text of Readability's `expected.html`.
#[test]
fn readability_extraction_quality() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/html/readability-synthetic");
    if !root.is_dir() {
        println!("skipped: {} not found", root.display());
        return;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("list")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("source.html").is_file() && p.join("expected.html").is_file())
        .collect();
    dirs.sort();
    let (mut sum, mut n, mut failed) = (0.0, 0, 0);
    for d in &dirs {
        let source = std::fs::read(d.join("source.html")).expect("read");
        let expected = std::fs::read(d.join("expected.html")).expect("read");
        let (src, _) = dateline::ingest::charset::decode_markup(&source, None);
        let (exp, _) = dateline::ingest::charset::decode_markup(&expected, None);
        let want: String = dateline::ingest::html::to_blocks(&exp)
            .iter()
            .map(|b| b.text.clone())
            .collect::<Vec<_>>()
            .join("\n");
        let name = d
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let score = match dateline::ingest::html::parse_page(
            &src,
            Some("http://fakehost/test/page.html"),
            &name,
        ) {
            Ok(a) => f1(&a.body_text(), &want),
            Err(e) => {
                println!("  {name}: {e}");
                failed += 1;
                0.0
            }
        };
        println!("  {name}: F1 {score:.3}");
        sum += score;
        n += 1;
    }
    let mean = if n > 0 { sum / n as f64 } else { 0.0 };
    println!("readability-synthetic: {n} pages, mean token F1 {mean:.3}, {failed} not extracted");
    assert!(n == 0 || mean > 0.5, "mean F1 {mean}");
}
