//! How fast the reader is on a big cache: 100,000 synthetic articles of about 3 KB with a few
//! entities each (built once, kept under `target/bench-data/`). Measures the time from
//! opening the cache to the first frame on a 160×45 `TestBackend` (and, for information, until
//! the whole list of ids has arrived from the background loader), and per key the handling
//! plus the drawing for a list move, opening an article, a sidebar jump and a search
//! keystroke. Targets: first frame under 150 ms, every key under 16 ms at p99.
//!
//! Run with `cargo bench --bench reader` (`DATELINE_BENCH_N` changes the article count).

use dateline::model::{Article, Block, Entity, EntityKind, Field, Mention};
use dateline::store::Store;
use dateline::tui::App;
use dateline::tui::run::{Searcher, draw};
use dateline::tui::update::Msg;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const REPS: usize = 200;

fn main() {
    let n: usize = std::env::var("DATELINE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let path = data_dir().join(format!("reader-{n}.db"));
    if !path.exists() {
        build(&path, n);
    }
    let mut rows = Vec::new();

    // Open → first frame, as the real loop does it (with the background loader); then wait
    // for the whole list, so no loader is still busy when the next round starts.
    let mut first = Vec::new();
    let (mut opening, mut starting, mut drawing) = (Vec::new(), Vec::new(), Vec::new());
    let mut whole = Vec::new();
    for _ in 0..REPS.min(50) {
        let t = Instant::now();
        let store = Store::open(&path).expect("open the bench cache");
        let opened = t.elapsed();
        let mut app = App::new(160, 45);
        app.spawn_links = false;
        app.searcher = Searcher::start(&path);
        app.handle(&store, [Msg::Start]);
        let started = t.elapsed();
        let mut term = Terminal::new(TestBackend::new(160, 45)).expect("terminal");
        draw(&mut term, &app.state).expect("draw");
        first.push(t.elapsed());
        opening.push(opened);
        starting.push(started - opened);
        drawing.push(t.elapsed() - started);
        wait_for_list(&mut app, &store, &mut term);
        whole.push(t.elapsed());
    }
    rows.push(("open → first frame", first, 150.0));
    // Where the first frame's time goes.
    rows.push(("  open the cache (schema check)", opening, f64::INFINITY));
    rows.push((
        "  start: first screenful, entities",
        starting,
        f64::INFINITY,
    ));
    rows.push(("  draw 160×45", drawing, f64::INFINITY));
    rows.push(("  whole list loaded", whole, f64::INFINITY));

    let store = Store::open(&path).expect("open the bench cache");
    let mut app = App::new(160, 45);
    app.spawn_links = false;
    app.searcher = Searcher::start(&path);
    app.handle(&store, [Msg::Start]);
    let mut term = Terminal::new(TestBackend::new(160, 45)).expect("terminal");
    draw(&mut term, &app.state).expect("draw");
    wait_for_list(&mut app, &store, &mut term);
    assert_eq!(app.state.list.ids.len(), n, "the whole list is loaded");
    let mut timed = |app: &mut App, msgs: Vec<Msg>| -> Duration {
        let t = Instant::now();
        app.handle(&store, msgs);
        draw(&mut term, &app.state).expect("draw");
        t.elapsed()
    };

    let list_move: Vec<Duration> = (0..REPS).map(|_| timed(&mut app, vec![key('j')])).collect();
    rows.push(("list move (j)", list_move, 16.0));

    let open: Vec<Duration> = (0..REPS)
        .map(|_| {
            timed(&mut app, vec![key('j')]);
            timed(&mut app, vec![code(KeyCode::Enter)])
        })
        .collect();
    rows.push(("open article (Enter)", open, 16.0));

    timed(&mut app, vec![code(KeyCode::Tab), code(KeyCode::Tab)]);
    let jump: Vec<Duration> = (0..REPS)
        .map(|_| timed(&mut app, vec![code(KeyCode::Enter)]))
        .collect();
    rows.push(("sidebar jump (Enter)", jump, 16.0));
    timed(&mut app, vec![code(KeyCode::Tab)]);

    // Surnames match about a third of the cache each; "harbour" matches every article.
    let words = ["tanaka", "okafor", "moreau", "weber", "harbour"];
    let mut search = Vec::new();
    let mut results = Vec::new();
    let mut i = 0;
    while search.len() < REPS {
        timed(&mut app, vec![key('/')]);
        let word = words[i % words.len()];
        let mut t = Instant::now();
        for c in word.chars() {
            t = Instant::now();
            search.push(timed(&mut app, vec![key(c)]));
            for m in app.background() {
                timed(&mut app, vec![m]);
            }
        }
        // How long after the last letter the ranked results are on screen (off the key path).
        while app.searching() {
            let msgs = app.background();
            if msgs.is_empty() {
                std::thread::sleep(Duration::from_micros(200));
            } else {
                timed(&mut app, msgs);
            }
        }
        results.push(t.elapsed());
        timed(&mut app, vec![code(KeyCode::Esc)]);
        i += 1;
    }
    rows.push(("search keystroke", search, 16.0));
    rows.push(("  results after a word", results, f64::INFINITY));

    println!("\nreader benchmark: {n} articles, 160×45, {REPS} repetitions per key\n");
    println!(
        "{:<36} {:>10} {:>10} {:>10}  target",
        "", "median", "p99", "max"
    );
    for (name, mut d, target) in rows {
        d.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let med = ms(d[d.len() / 2]);
        let p99 = ms(d[(d.len() * 99 / 100).min(d.len() - 1)]);
        let max = ms(d[d.len() - 1]);
        let verdict = match (target.is_finite(), p99 < target) {
            (false, _) => "(for information)".to_string(),
            (true, true) => format!("< {target} ms ok"),
            (true, false) => format!("< {target} ms MISSED"),
        };
        println!("{name:<36} {med:>8.2}ms {p99:>8.2}ms {max:>8.2}ms  {verdict}");
    }
}

/// Feeds background results to the app until its list is loaded, drawing each.
fn wait_for_list(app: &mut App, store: &Store, term: &mut Terminal<TestBackend>) {
    while app.searching() {
        let msgs = app.background();
        if msgs.is_empty() {
            std::thread::sleep(Duration::from_micros(200));
        } else {
            app.handle(store, msgs);
            draw(term, &app.state).expect("draw");
        }
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// `target/bench-data`, found from the benchmark's own path (`target/release/deps/…`).
fn data_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("bench-data")
}

/// A small deterministic generator, so every build of the cache is the same.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "the",
    "minister",
    "said",
    "on",
    "friday",
    "that",
    "talks",
    "would",
    "continue",
    "with",
    "officials",
    "from",
    "both",
    "sides",
    "partnership",
    "security",
    "trade",
    "harbour",
    "council",
    "election",
    "budget",
    "report",
    "agreement",
    "region",
    "growth",
    "policy",
    "and",
    "of",
    "in",
    "a",
    "to",
    "new",
    "plans",
    "court",
    "ruling",
    "water",
    "energy",
    "schools",
    "health",
    "transport",
    "after",
    "before",
    "during",
    "week",
    "local",
    "press",
];
const FIRST: &[&str] = &[
    "Ana", "Bruno", "Chen", "Dara", "Emil", "Fatima", "Goro", "Hana", "Ivan", "Jun",
];
const LAST: &[&str] = &[
    "Silva", "Okafor", "Tanaka", "Novak", "Haddad", "Larsen", "Moreau", "Kim", "Rossi", "Weber",
];
const ORGS: &[&str] = &[
    "Harbour Council",
    "Energy Board",
    "Water Authority",
    "Press Union",
    "Transport Agency",
];
const PLACES: &[&str] = &[
    "Northport",
    "Easton",
    "Westvale",
    "Southmere",
    "Lakeside",
    "Hillcrest",
];

fn build(path: &PathBuf, n: usize) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("bench data folder");
    }
    let tmp = path.with_extension("building");
    let _ = std::fs::remove_file(&tmp);
    eprintln!(
        "building {n} synthetic articles in {} (once)…",
        path.display()
    );
    let t = Instant::now();
    let mut store = Store::open(&tmp).expect("create the bench cache");
    // A throwaway file: durability does not matter while it is built.
    store
        .conn()
        .execute_batch("PRAGMA synchronous=OFF;")
        .expect("pragma");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..n {
        let (article, entities) = synthetic(&mut rng, i);
        store.upsert(&article, &entities).expect("upsert");
        if i % 10_000 == 9_999 {
            eprintln!("  {} articles, {:.0?}", i + 1, t.elapsed());
        }
    }
    drop(store);
    std::fs::rename(&tmp, path).expect("move the finished cache into place");
    let _ = std::fs::remove_file(tmp.with_extension("building-wal"));
    let _ = std::fs::remove_file(tmp.with_extension("building-shm"));
}

fn synthetic(rng: &mut Rng, i: usize) -> (Article, Vec<Entity>) {
    let people: Vec<String> = (0..3)
        .map(|_| format!("{} {}", rng.pick(FIRST), rng.pick(LAST)))
        .collect();
    let org = rng.pick(ORGS).to_string();
    let place = rng.pick(PLACES).to_string();
    let names: Vec<(String, EntityKind)> = people
        .iter()
        .map(|p| (p.clone(), EntityKind::Person))
        .chain([(org, EntityKind::Organization), (place, EntityKind::Place)])
        .collect();
    let mut mentions: Vec<Vec<Mention>> = vec![Vec::new(); names.len()];
    let mut blocks = Vec::new();
    for b in 0..8 {
        let mut text = String::new();
        while text.len() < 370 {
            if !text.is_empty() {
                text.push(' ');
            }
            if rng.next().is_multiple_of(12) {
                let k = (rng.next() % names.len() as u64) as usize;
                let start = text.len();
                text.push_str(&names[k].0);
                mentions[k].push(Mention {
                    field: Field::Block(b),
                    start,
                    end: text.len(),
                    text: names[k].0.clone(),
                });
            } else {
                text.push_str(rng.pick(WORDS));
            }
        }
        text.push('.');
        blocks.push(Block::paragraph(text));
    }
    let title = format!(
        "{} {} {} in {} ({i})",
        rng.pick(WORDS),
        rng.pick(WORDS),
        rng.pick(WORDS),
        names[4].0
    );
    let mut a = Article::new(
        title,
        Some(format!("https://news.example/{i}")),
        format!("https://news.example/{i}"),
        blocks,
    );
    a.section = Some("News".into());
    a.published = Some(format!(
        "20{:02}-{:02}-{:02}",
        10 + i % 15,
        i % 12 + 1,
        i % 28 + 1
    ));
    let entities = names
        .into_iter()
        .zip(mentions)
        .filter(|(_, m)| !m.is_empty())
        .map(|((name, kind), mentions)| Entity {
            name,
            kind,
            aliases: Vec::new(),
            mentions,
        })
        .collect();
    (a, entities)
}
