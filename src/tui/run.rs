//! The only code that touches a terminal, the cache or the network: it sets the terminal up
//! and restores it (on quit, on a panic, on SIGTERM/SIGHUP), reads events, feeds them to
//! `update`, runs the effects against the store and draws. Whatever can be slow (whole lists,
//! searches, feed refreshes, full-text fetches) runs on threads with their own connections
//! and reports back as messages. The loop is generic over the backend and the
//! event source so tests and the benchmark drive it with `TestBackend`; it never looks at
//! which key was pressed.

use super::open;
use super::state::{AppState, FeedRow, ListSource};
use super::update::{Effect, Msg, RefreshSummary, SEARCH_LIMIT, update};
use crate::error::{Error, Result};
use crate::model::{ArticleId, ArticleMeta};
use crate::store::Store;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// How often the loop asks SQLite whether another process changed the cache.
const CACHE_CHECK: Duration = Duration::from_millis(1500);
/// How long the loop waits for input before looking at signals and the cache again.
const POLL: Duration = Duration::from_millis(250);

/// Loads lists (searches, and the ids of whole filters) on a thread with its own connection
/// to the cache file, so ranking many matches or reading 100,000 ids never holds up a
/// keystroke or the first frame. Requests sent while one runs are collapsed to the newest:
/// the reader only wants the list it shows now.
pub struct Searcher {
    queries: mpsc::Sender<(ListSource, Option<ArticleId>)>,
    results: mpsc::Receiver<Msg>,
}

impl Searcher {
    /// A loader for the cache at `path`; `None` for an in-memory cache (loaded inline).
    pub fn start(path: &std::path::Path) -> Option<Searcher> {
        let store = Store::open(path).ok()?;
        let (qtx, qrx) = mpsc::channel::<(ListSource, Option<ArticleId>)>();
        let (rtx, rrx) = mpsc::channel();
        std::thread::spawn(move || {
            // Loading a list can wait for the first frame and for keystrokes.
            crate::threads::lower_priority();
            while let Ok(mut q) = qrx.recv() {
                while let Ok(newer) = qrx.try_recv() {
                    q = newer;
                }
                let (source, keep) = q;
                if rtx.send(load_list(&store, source, keep)).is_err() {
                    break;
                }
            }
        });
        Some(Searcher {
            queries: qtx,
            results: rrx,
        })
    }
}

/// A list's ids, or why they could not be read, as the message `update` expects.
fn load_list(store: &Store, source: ListSource, keep: Option<ArticleId>) -> Msg {
    let ids = match &source {
        ListSource::Filter(f) => store.list_ids(f),
        ListSource::Search(q) => store.search_ids(q, SEARCH_LIMIT),
    };
    match (ids, &source) {
        (Ok(ids), _) => Msg::ListLoaded { source, ids, keep },
        (Err(e), ListSource::Search(_)) => Msg::Status(format!("search failed: {e}")),
        (Err(e), _) => Msg::Status(format!("cannot load the list: {e}")),
    }
}

/// The reader's state plus the plumbing that runs effects.
pub struct App {
    pub state: AppState,
    /// Whether `o` really spawns a browser (off in tests and benchmarks).
    pub spawn_links: bool,
    /// Background list loading and search, when the cache is a file.
    pub searcher: Option<Searcher>,
    /// Where refresh and full-text threads report back.
    jobs_tx: mpsc::Sender<Msg>,
    jobs: mpsc::Receiver<Msg>,
}

impl App {
    pub fn new(width: u16, height: u16) -> App {
        let (jobs_tx, jobs) = mpsc::channel();
        App {
            state: AppState::new(width, height),
            spawn_links: true,
            searcher: None,
            jobs_tx,
            jobs,
        }
    }

    /// Messages that came back from background work, if any.
    pub fn background(&mut self) -> Vec<Msg> {
        let mut msgs: Vec<Msg> = self
            .searcher
            .as_ref()
            .map(|s| s.results.try_iter().collect())
            .unwrap_or_default();
        msgs.extend(self.jobs.try_iter());
        msgs
    }

    /// Whether a background list load or search is still running (the loop then polls more
    /// often).
    pub fn searching(&self) -> bool {
        self.searcher.is_some() && self.state.list.loading
    }

    /// Feeds messages to `update` and runs the effects, until nothing is left to do. Effects
    /// are run after a whole batch of messages, keeping only the last list load: typing a
    /// word quickly runs one search, not one per letter.
    pub fn handle(&mut self, store: &Store, msgs: impl IntoIterator<Item = Msg>) {
        let mut queue: Vec<Msg> = msgs.into_iter().collect();
        // Results cannot ask for more than a few rounds; the cap only guards against a bug.
        for _ in 0..8 {
            if queue.is_empty() {
                break;
            }
            let mut effects = Vec::new();
            for m in queue.drain(..) {
                effects.extend(update(&mut self.state, m));
            }
            for e in coalesce(effects) {
                queue.extend(self.execute(store, e));
            }
        }
    }

    fn execute(&self, store: &Store, effect: Effect) -> Vec<Msg> {
        let failed = |what: &str, e: Error| vec![Msg::Status(format!("{what}: {e}"))];
        match effect {
            Effect::LoadHead { source, limit } => {
                let metas = match &source {
                    ListSource::Filter(f) => store.list(f, Some(limit)),
                    // A search has no cheap head; its results come whole.
                    ListSource::Search(_) => {
                        return vec![Msg::ListLoaded {
                            source,
                            ids: Vec::new(),
                            keep: None,
                        }];
                    }
                };
                match metas {
                    Ok(metas) => vec![Msg::HeadLoaded { source, metas }],
                    Err(e) => failed("cannot load the list", e),
                }
            }
            Effect::LoadList { source, keep } => match &self.searcher {
                Some(s) => {
                    if s.queries.send((source, keep)).is_err() {
                        return vec![Msg::Status("list loading stopped".into())];
                    }
                    Vec::new()
                }
                None => vec![load_list(store, source, keep)],
            },
            Effect::LoadMetas(ids) => match store.metas(&ids) {
                Ok(mut metas) => {
                    // Rows deleted meanwhile get a placeholder, so they are not asked for again.
                    if metas.len() < ids.len() {
                        let have: std::collections::HashSet<_> =
                            metas.iter().map(|m| m.id.clone()).collect();
                        for id in ids.into_iter().filter(|i| !have.contains(i)) {
                            metas.push(ArticleMeta {
                                id,
                                title: "(removed)".into(),
                                section: None,
                                published: None,
                                source: String::new(),
                                read: true,
                                starred: false,
                            });
                        }
                    }
                    vec![Msg::MetasLoaded(metas)]
                }
                Err(e) => failed("cannot load the list", e),
            },
            Effect::LoadArticle(id) => {
                let article = match store.article(&id) {
                    Ok(Some(a)) => a,
                    Ok(None) => return vec![Msg::Status(format!("article {id} is gone"))],
                    Err(e) => return failed("cannot load the article", e),
                };
                match store.article_entities(&id) {
                    Ok(entities) => vec![Msg::ArticleLoaded {
                        article: Box::new(article),
                        entities,
                    }],
                    Err(e) => failed("cannot load the entities", e),
                }
            }
            Effect::SetRead(id, read) => match store.set_read(&id, read) {
                Ok(()) => Vec::new(),
                Err(e) => failed("cannot mark it read", e),
            },
            Effect::SetStarred(id, s) => match store.set_starred(&id, s) {
                Ok(()) => Vec::new(),
                Err(e) => failed("cannot star it", e),
            },
            Effect::OpenLink { url, source } => {
                let browser = std::env::var("BROWSER").ok();
                match open::decide(&url, &source, browser.as_deref(), std::env::consts::OS) {
                    Err(why) => vec![Msg::Status(why)],
                    Ok(o) if !self.spawn_links => {
                        vec![Msg::Status(format!("would open {}", o.args.join(" ")))]
                    }
                    Ok(o) => vec![Msg::Status(spawn(&o))],
                }
            }
            Effect::LoadFeeds => match feed_rows(store) {
                Ok(rows) => vec![Msg::FeedsLoaded(rows)],
                Err(e) => failed("cannot read the feeds", e),
            },
            Effect::LoadFeedNames => match store.feeds() {
                Ok(feeds) => vec![Msg::FeedNamesLoaded(
                    feeds
                        .iter()
                        .map(|f| (f.id, crate::sanitize::clean_line(f.label())))
                        .collect(),
                )],
                Err(e) => failed("cannot read the feeds", e),
            },
            Effect::RefreshFeeds => match store.path() {
                Some(path) => {
                    refresh_in_background(path.to_path_buf(), self.jobs_tx.clone());
                    Vec::new()
                }
                None => vec![Msg::RefreshDone(Err(
                    "feeds refresh only into a cache file".into(),
                ))],
            },
            Effect::FetchFullText { id, url } => match store.path() {
                Some(path) => {
                    full_text_in_background(path.to_path_buf(), id, url, self.jobs_tx.clone());
                    Vec::new()
                }
                None => vec![Msg::FullTextDone {
                    id,
                    result: Err("only stored into a cache file".into()),
                }],
            },
        }
    }
}

/// Every feed with its article count (one pass over the feed index, not the articles).
fn feed_rows(store: &Store) -> Result<Vec<FeedRow>> {
    let mut counts = std::collections::HashMap::<i64, usize>::new();
    let mut stmt = store.conn().prepare_cached(
        "SELECT feed_id, COUNT(*) FROM articles WHERE feed_id IS NOT NULL GROUP BY feed_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (id, n) = row?;
        counts.insert(id, usize::try_from(n).unwrap_or(0));
    }
    Ok(store
        .feeds()?
        .into_iter()
        .map(|f| FeedRow {
            id: f.id,
            label: crate::sanitize::clean_line(f.label()),
            articles: counts.get(&f.id).copied().unwrap_or(0),
        })
        .collect())
}

/// Refreshes every feed on a thread with its own connection; progress and the summary come
/// back as messages. The loop sees the new articles through `PRAGMA data_version` as they
/// are stored, and reloads the list once more when the summary arrives.
fn refresh_in_background(path: std::path::PathBuf, tx: mpsc::Sender<Msg>) {
    std::thread::spawn(move || {
        let result = Store::open(&path)
            .and_then(|mut store| {
                crate::feeds::refresh(
                    &mut store,
                    &[],
                    &crate::ingest::fetch::FetchOptions::default(),
                    |p| {
                        let _ = tx.send(Msg::RefreshProgress {
                            done: p.done,
                            total: p.total,
                        });
                    },
                )
            })
            .map(|s| RefreshSummary {
                feeds: s.feeds,
                new_articles: s.new_articles,
                updated: s.updated_articles,
                failed: s.failures.len(),
                first_failure: s
                    .failures
                    .first()
                    .map(|f| format!("{}: {}", f.label, f.reason)),
            })
            .map_err(|e| e.to_string());
        let _ = tx.send(Msg::RefreshDone(result));
    });
}

/// Fetches an article's page on a thread, puts the page's body into the stored article
/// (keeping its id, title and flags), extracts its entities again and stores it.
fn full_text_in_background(
    path: std::path::PathBuf,
    id: ArticleId,
    url: String,
    tx: mpsc::Sender<Msg>,
) {
    std::thread::spawn(move || {
        let result = (|| -> Result<usize> {
            let mut store = Store::open(&path)?;
            let mut article = store
                .article(&id)?
                .ok_or_else(|| Error::NoSuchArticle(id.to_string()))?;
            let client =
                crate::ingest::fetch::Client::new(crate::ingest::fetch::FetchOptions::default());
            let page = crate::feeds::fetch_page(&client, &url, &article.source)?;
            crate::feeds::merge_full_text(&mut article, page);
            let entities = crate::entities::extract(&article);
            store.upsert(&article, &entities)?;
            Ok(article.blocks.len())
        })()
        .map_err(|e| e.to_string());
        let _ = tx.send(Msg::FullTextDone { id, result });
    });
}

/// Keeps only the last list load of a batch (the others would be thrown away on arrival).
fn coalesce(effects: Vec<Effect>) -> Vec<Effect> {
    let last_list = effects
        .iter()
        .rposition(|e| matches!(e, Effect::LoadList { .. }));
    effects
        .into_iter()
        .enumerate()
        .filter(|(i, e)| !matches!(e, Effect::LoadList { .. }) || Some(*i) == last_list)
        .map(|(_, e)| e)
        .collect()
}

/// Starts the browser without a shell and without waiting for it; a thread reaps it.
fn spawn(o: &open::Opener) -> String {
    use std::process::{Command, Stdio};
    match Command::new(&o.program)
        .args(&o.args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
            format!("opened with {}", o.program)
        }
        Err(e) => format!("cannot start {}: {e}", o.program),
    }
}

/// Where events come from: the terminal, or a script in tests.
pub trait EventSource {
    /// The next event, waiting at most `timeout`.
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Event>>;
}

/// Events from the real terminal.
pub struct TerminalEvents;

impl EventSource for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Event>> {
        // crossterm loops forever on a terminal that has gone away (its reads return 0
        // bytes), so the kernel is asked first: a hang-up ends the reader instead of leaving
        // it spinning with no one to see it.
        wait_for_input(Duration::ZERO)?;
        if event::poll(Duration::ZERO)? {
            return event::read().map(Some);
        }
        if !wait_for_input(timeout)? {
            return Ok(None);
        }
        if event::poll(Duration::ZERO)? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Waits up to `timeout` for input on the terminal: `Ok(true)` when some is ready,
/// `Ok(false)` when none came, an error when the terminal hung up.
#[cfg(unix)]
fn wait_for_input(timeout: Duration) -> std::io::Result<bool> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        // crossterm reads /dev/tty then; let it wait.
        return event::poll(timeout);
    }
    let mut fd = libc::pollfd {
        fd: 0,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd, for the duration of the call.
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    if n < 0 {
        let e = std::io::Error::last_os_error();
        return if e.kind() == std::io::ErrorKind::Interrupted {
            Ok(false)
        } else {
            Err(e)
        };
    }
    if fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "the terminal was closed",
        ));
    }
    Ok(n > 0)
}

#[cfg(not(unix))]
fn wait_for_input(timeout: Duration) -> std::io::Result<bool> {
    event::poll(timeout)
}

/// The message an event means, if any.
pub fn msg_of(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// `PRAGMA data_version`: changes when another connection commits to the cache.
pub fn data_version(store: &Store) -> Option<i64> {
    store
        .conn()
        .query_row("PRAGMA data_version", [], |r| r.get(0))
        .ok()
}

fn backend_error(e: impl std::fmt::Display) -> Error {
    Error::Other(format!("terminal: {e}"))
}

/// Draws the state.
pub fn draw<B: Backend>(terminal: &mut Terminal<B>, state: &AppState) -> Result<()> {
    terminal
        .draw(|f| f.render_widget(state, f.area()))
        .map_err(backend_error)?;
    Ok(())
}

/// The loop: draw, wait for events (taking every event already queued), update, repeat;
/// every [`CACHE_CHECK`] ask whether the cache changed. Stops on quit or when `stop` is set
/// (a signal).
pub fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    store: &Store,
    events: &mut dyn EventSource,
    stop: &AtomicBool,
) -> Result<()> {
    let size = terminal.size().map_err(backend_error)?;
    let mut app = App::new(size.width, size.height);
    app.searcher = store.path().and_then(Searcher::start);
    app.handle(store, [Msg::Start]);
    let mut version = data_version(store);
    let mut checked = Instant::now();
    loop {
        draw(terminal, &app.state)?;
        if app.state.quit || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let mut msgs = app.background();
        let wait = if app.searching() {
            Duration::from_millis(15)
        } else {
            POLL
        };
        if let Some(ev) = events.next(wait).map_err(|e| backend_error(&e))? {
            msgs.extend(msg_of(ev));
            // Drain what is already queued, so a burst of keys is one update and one draw.
            while msgs.len() < 512 {
                match events.next(Duration::ZERO).map_err(|e| backend_error(&e))? {
                    Some(ev) => msgs.extend(msg_of(ev)),
                    None => break,
                }
            }
        }
        if checked.elapsed() >= CACHE_CHECK {
            checked = Instant::now();
            let now = data_version(store);
            if now != version {
                version = now;
                msgs.push(Msg::CacheChanged);
            }
        }
        if !msgs.is_empty() {
            app.handle(store, msgs);
        }
    }
}

/// Runs the reader on the terminal until the user quits. The terminal is restored however
/// it ends: normally, on an error, on a panic, or on SIGTERM/SIGHUP.
pub fn run(store: Store) -> Result<()> {
    use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
    use ratatui::crossterm::execute;

    let stop = Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| Error::Other(format!("cannot watch signals: {e}")))?;
    }
    let mut terminal = ratatui::try_init().map_err(backend_error)?;
    // ratatui's hook leaves the alternate screen and raw mode; mouse capture is ours to undo,
    // before its hook prints the panic.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    // Outermost, so a third-party parser's panic in a background refresh stays silent.
    crate::ingest::guard::install_quiet_hook();
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    // A test hook: proves in a real terminal that a panic still restores it.
    if std::env::var_os("DATELINE_TEST_PANIC").is_some() {
        let _ = draw(&mut terminal, &AppState::new(1, 1));
        panic!("panic requested by DATELINE_TEST_PANIC");
    }
    let result = event_loop(&mut terminal, &store, &mut TerminalEvents, &stop);
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}
