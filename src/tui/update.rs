//! All of the reader's logic: `update(&mut AppState, Msg) -> Vec<Effect>`. Messages are what
//! happened (a key, a click, a resize, a result from the cache); effects are what must be
//! fetched or written (the loop runs them and feeds results back as messages). No I/O here,
//! so every behaviour can be tested by feeding messages to a state.

use super::action::Action;
use super::keymap;
use super::layout::{self, inner};
use super::state::{
    AppState, FeedPicker, FeedRow, Focus, HISTORY_LIMIT, ListSource, ListView, Location,
    META_CACHE_LIMIT, Span, field_order,
};
use super::text;
use super::view::{reader, sidebar};
use crate::model::{Article, ArticleId, ArticleMeta, Entity};
use crate::store::ListFilter;
use crate::store::query::highlight_terms;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use std::collections::HashMap;
use std::sync::Arc;

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// The reader starts: load the list.
    Start,
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// An action without a key (tests, future commands).
    Action(Action),
    /// Another process changed the cache.
    CacheChanged,
    /// The first rows of a list (ids and metadata), drawn before the whole list is known.
    HeadLoaded {
        source: ListSource,
        metas: Vec<ArticleMeta>,
    },
    ListLoaded {
        source: ListSource,
        ids: Vec<ArticleId>,
        keep: Option<ArticleId>,
    },
    MetasLoaded(Vec<ArticleMeta>),
    ArticleLoaded {
        article: Box<Article>,
        entities: Vec<Entity>,
    },
    /// The feeds for the picker, in the cache's order.
    FeedsLoaded(Vec<FeedRow>),
    /// Every feed's name by id (for labels).
    FeedNamesLoaded(HashMap<i64, String>),
    /// A background refresh finished `done` of `total` feeds.
    RefreshProgress {
        done: usize,
        total: usize,
    },
    /// The background refresh ended: what it did, or why it could not run.
    RefreshDone(Result<RefreshSummary, String>),
    /// A full-text fetch ended: how many paragraphs the article has now, or why not.
    FullTextDone {
        id: ArticleId,
        result: Result<usize, String>,
    },
    /// Something to tell the user (a failure, an opened link).
    Status(String),
}

/// What a feed refresh did, as the status bar tells it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshSummary {
    pub feeds: usize,
    pub new_articles: usize,
    /// Stories stored before whose text changed.
    pub updated: usize,
    pub failed: usize,
    /// The first failure, `label: reason`, when there was one.
    pub first_failure: Option<String>,
}

impl RefreshSummary {
    pub fn text(&self) -> String {
        if self.feeds == 0 {
            return "no feeds to refresh: add one with `dateline feed add URL`".into();
        }
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut s = format!(
            "{}, {}",
            plural(self.feeds, "feed", "feeds"),
            plural(self.new_articles, "new article", "new articles")
        );
        if self.updated > 0 {
            s.push_str(&format!(", {} updated", self.updated));
        }
        if self.failed > 0 {
            s.push_str(&format!(", {} failed", self.failed));
            if let Some(f) = &self.first_failure {
                s.push_str(&format!(" ({f})"));
            }
        }
        s
    }
}

/// What the loop must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Load the first `limit` rows of a list (ids and metadata): cheap, for the first frame.
    LoadHead {
        source: ListSource,
        limit: usize,
    },
    /// Load a list's ids (a filter, or a search), keeping `keep` selected if it is in it.
    LoadList {
        source: ListSource,
        keep: Option<ArticleId>,
    },
    LoadMetas(Vec<ArticleId>),
    LoadArticle(ArticleId),
    SetRead(ArticleId, bool),
    SetStarred(ArticleId, bool),
    /// Open a link in the browser (the runner decides how, or refuses).
    OpenLink {
        url: String,
        source: String,
    },
    /// Read the feeds for the picker.
    LoadFeeds,
    /// Read the feeds' names for labels.
    LoadFeedNames,
    /// Refresh every feed off the loop thread, reporting progress.
    RefreshFeeds,
    /// Fetch an article's page off the loop thread and store its full text.
    FetchFullText {
        id: ArticleId,
        url: String,
    },
}

/// How many search results the list holds.
pub const SEARCH_LIMIT: usize = 1_000;

pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        // The first screenful first: the whole list of ids can take a while at 100k.
        Msg::Start => {
            state.list.loading = true;
            fx.push(Effect::LoadHead {
                source: state.list.source.clone(),
                limit: 2 * list_rows(state),
            });
            fx.push(Effect::LoadFeedNames);
        }
        Msg::Key(key) => {
            if key.kind != KeyEventKind::Release {
                state.status = None;
                key_event(state, key, &mut fx);
            }
        }
        Msg::Mouse(m) => mouse(state, m, &mut fx),
        Msg::Resize(w, h) => {
            state.width = w;
            state.height = h;
            clamp_reader(state);
        }
        Msg::Action(a) => action(state, a, &mut fx),
        Msg::CacheChanged => reload_list(state, &mut fx),
        Msg::HeadLoaded { source, metas } => {
            // Only into an empty list: if the whole list came first, it wins.
            if state.list.source == source && state.list.ids.is_empty() {
                state.list.ids = Arc::new(metas.iter().map(|m| m.id.clone()).collect());
                state.list.partial = true;
                for m in metas {
                    state.metas.insert(m.id.clone(), m);
                }
                if state.reader.article.is_none()
                    && state.reader.loading.is_none()
                    && let Some(id) = state.list.ids.first().cloned()
                {
                    open_article(state, id, false, 0, &mut fx);
                }
                fx.push(Effect::LoadList { source, keep: None });
            }
        }
        Msg::ListLoaded { source, ids, keep } => {
            if state.list.source == source {
                let old = state.list.selected;
                // The row selected now, if any, rather than the one selected when the load
                // was asked for: the list may have been moved in meanwhile.
                let keep = state.list.selected_id().cloned().or(keep);
                state.list.ids = Arc::new(ids);
                state.list.loading = false;
                state.list.partial = false;
                state.list.selected = keep
                    .and_then(|k| state.list.ids.iter().position(|i| *i == k))
                    .unwrap_or(
                        if state.list.source == ListSource::Filter(ListFilter::All) {
                            old
                        } else {
                            0
                        },
                    );
                if matches!(source, ListSource::Search(_)) && state.search.editing {
                    state.list.selected = 0;
                    state.list.offset = 0;
                }
                // On start the first article is shown, so the reader is never empty.
                if state.reader.article.is_none()
                    && state.reader.loading.is_none()
                    && let Some(id) = state.list.ids.first().cloned()
                {
                    open_article(state, id, false, 0, &mut fx);
                }
            }
        }
        Msg::MetasLoaded(metas) => {
            if state.metas.len() + metas.len() > META_CACHE_LIMIT {
                state.metas.clear();
            }
            for m in metas {
                state.metas.insert(m.id.clone(), m);
            }
        }
        Msg::ArticleLoaded { article, entities } => {
            let wanted = state.reader.loading.clone();
            if let Some((id, scroll)) = wanted.filter(|(id, _)| *id == article.id) {
                let _ = id;
                state.reader.article = Some(*article);
                state.reader.entities = entities;
                state.reader.scroll = scroll;
                state.reader.mark = None;
                state.reader.loading = None;
                state.sidebar = Default::default();
                state.search.hit = None;
                clamp_reader(state);
            }
        }
        Msg::FeedNamesLoaded(names) => state.feed_names = names,
        Msg::FeedsLoaded(feeds) => {
            if let Some(p) = state.picker.as_mut() {
                p.feeds = feeds;
                p.loading = false;
                p.selected = p.selected.min(p.rows() - 1);
            }
        }
        Msg::RefreshProgress { done, total } => {
            if state.jobs.refresh.is_some() {
                state.jobs.refresh = Some((done, total));
            }
        }
        Msg::RefreshDone(result) => {
            state.jobs.refresh = None;
            match result {
                Ok(summary) => {
                    state.status = Some(summary.text());
                    // The new articles show now, not at the next look at the cache.
                    if summary.feeds > 0 {
                        reload_list(state, &mut fx);
                        fx.push(Effect::LoadFeedNames);
                    }
                }
                Err(e) => state.status = Some(format!("refresh failed: {e}")),
            }
        }
        Msg::FullTextDone { id, result } => {
            if state.jobs.full_text.as_ref() == Some(&id) {
                state.jobs.full_text = None;
            }
            match result {
                Ok(n) => {
                    state.status = Some(format!(
                        "full text stored ({n} paragraph{})",
                        if n == 1 { "" } else { "s" }
                    ));
                    state.metas.remove(&id);
                    if state.reader.article.as_ref().is_some_and(|a| a.id == id) {
                        let scroll = state.reader.scroll;
                        open_article(state, id, false, scroll, &mut fx);
                    }
                }
                Err(e) => state.status = Some(format!("full text: {e}")),
            }
        }
        Msg::Status(s) => state.status = Some(s),
    }
    if let Some(e) = sync_list(state) {
        fx.push(e);
    }
    fx
}

fn key_event(state: &mut AppState, key: KeyEvent, fx: &mut Vec<Effect>) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        state.quit = true;
        return;
    }
    if let Some(scroll) = state.help {
        // The overlay takes the keys: scroll it, or close it.
        // Kept within the overlay, so scrolling back starts at once after a long scroll down.
        let max = super::view::help::max_scroll(state);
        match key.code {
            KeyCode::Char('j') | KeyCode::Down => state.help = Some((scroll + 1).min(max)),
            // From within the overlay: a taller terminal since may have lowered the end.
            KeyCode::Char('k') | KeyCode::Up => {
                state.help = Some(scroll.min(max).saturating_sub(1));
            }
            KeyCode::PageDown | KeyCode::Char(' ') => state.help = Some((scroll + 10).min(max)),
            KeyCode::PageUp => state.help = Some(scroll.min(max).saturating_sub(10)),
            KeyCode::Char('g') | KeyCode::Home => state.help = Some(0),
            KeyCode::Char('G') | KeyCode::End => state.help = Some(max),
            KeyCode::Char('q') => state.quit = true,
            _ => state.help = None,
        }
        return;
    }
    if state.picker.is_some() {
        picker_key(state, key, fx);
        return;
    }
    if state.search.editing {
        search_key(state, key, fx);
        return;
    }
    if let Some(a) = keymap::lookup(state.keymap, state.focus, &key) {
        action(state, a, fx);
    }
}

/// The feed picker takes the keys while it is open.
fn picker_key(state: &mut AppState, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(p) = state.picker.as_mut() else {
        return;
    };
    let last = p.rows() - 1;
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => p.selected = (p.selected + 1).min(last),
        KeyCode::Char('k') | KeyCode::Up => p.selected = p.selected.saturating_sub(1),
        KeyCode::Char('g') | KeyCode::Home => p.selected = 0,
        KeyCode::Char('G') | KeyCode::End => p.selected = last,
        KeyCode::Enter => {
            let chosen = p.selected.checked_sub(1).map(|i| p.feeds.get(i).cloned());
            state.picker = None;
            match chosen {
                None => show_filter(state, ListFilter::All, None, fx),
                Some(Some(f)) => show_filter(state, ListFilter::Feed(f.id), Some(f.label), fx),
                // Still loading: nothing to choose yet.
                Some(None) => {}
            }
        }
        KeyCode::Esc | KeyCode::Char('f') | KeyCode::Char('q') => state.picker = None,
        _ => {}
    }
}

/// Replaces the list with a filter's, remembering the current place so Backspace returns.
fn show_filter(
    state: &mut AppState,
    filter: ListFilter,
    name: Option<String>,
    fx: &mut Vec<Effect>,
) {
    let source = ListSource::Filter(filter);
    if state.list.source == source {
        return;
    }
    push_history(state, state.location());
    state.list = ListView {
        source: source.clone(),
        loading: true,
        name,
        ..ListView::default()
    };
    state.search.terms.clear();
    state.search.saved = None;
    state.focus = Focus::List;
    fx.push(Effect::LoadList { source, keep: None });
}

/// Loads the list again (the cache changed), keeping the selected article selected.
fn reload_list(state: &mut AppState, fx: &mut Vec<Effect>) {
    // Titles or flags may have changed too; rows are refetched as they are shown.
    state.metas.clear();
    state.list.loading = true;
    fx.push(Effect::LoadList {
        source: state.list.source.clone(),
        keep: state.list.selected_id().cloned(),
    });
}

fn search_key(state: &mut AppState, key: KeyEvent, fx: &mut Vec<Effect>) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            cancel_search(state);
            return;
        }
        KeyCode::Enter => {
            state.search.editing = false;
            if matches!(state.list.source, ListSource::Search(_)) {
                if let Some(saved) = state.search.saved.clone() {
                    push_history(
                        state,
                        Location {
                            list: saved,
                            article: state.reader.article.as_ref().map(|a| a.id.clone()),
                            scroll: state.reader.scroll,
                            focus: state.focus,
                        },
                    );
                }
                state.focus = Focus::List;
            } else {
                cancel_search(state);
            }
            return;
        }
        KeyCode::Backspace => {
            state.search.input.pop();
        }
        KeyCode::Char('u') if ctrl => state.search.input.clear(),
        KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
            state.search.input.push(c);
        }
        _ => return,
    }
    // Results follow the input; the runner coalesces a burst of keys into one search.
    state.search.terms = highlight_terms(&state.search.input);
    state.search.hit = None;
    if state.search.terms.is_empty() {
        if let Some(saved) = state.search.saved.clone() {
            state.list = saved;
        }
    } else {
        let source = ListSource::Search(state.search.input.trim().to_string());
        if state.list.source != source {
            state.list.source = source.clone();
            state.list.loading = true;
            fx.push(Effect::LoadList { source, keep: None });
        }
    }
}

/// Esc: the search goes, and the list it replaced comes back.
fn cancel_search(state: &mut AppState) {
    state.search.editing = false;
    state.search.input.clear();
    state.search.terms.clear();
    state.search.hit = None;
    if let Some(saved) = state.search.saved.take() {
        state.list = saved;
    }
    if state
        .reader
        .mark
        .is_some_and(|_| state.sidebar.mention.is_none())
    {
        state.reader.mark = None;
    }
}

fn action(state: &mut AppState, a: Action, fx: &mut Vec<Effect>) {
    match a {
        Action::Down => move_in_pane(state, 1),
        Action::Up => move_in_pane(state, -1),
        Action::First => move_in_pane(state, isize::MIN),
        Action::Last => move_in_pane(state, isize::MAX),
        Action::PageDown => scroll_reader(state, page(state) as isize),
        Action::PageUp => scroll_reader(state, -(page(state) as isize)),
        Action::FocusNext => state.focus = cycle(state.focus, 1),
        Action::FocusPrev => state.focus = cycle(state.focus, 2),
        Action::FocusLeft => {
            state.focus = match state.focus {
                Focus::Sidebar => Focus::Reader,
                _ => Focus::List,
            }
        }
        Action::FocusRight => {
            state.focus = match state.focus {
                Focus::List => Focus::Reader,
                _ => Focus::Sidebar,
            }
        }
        Action::Activate => match state.focus {
            Focus::List => {
                if let Some(id) = state.list.selected_id().cloned() {
                    let same = state.reader.article.as_ref().is_some_and(|a| a.id == id);
                    if !same {
                        push_history(state, state.location());
                        open_article(state, id.clone(), true, 0, fx);
                    } else {
                        mark_read(state, &id, true, fx);
                    }
                    if layout::mode(state.width) == layout::Mode::Single {
                        state.focus = Focus::Reader;
                    }
                }
            }
            Focus::Sidebar => jump_mention(state, 1),
            Focus::Reader => {}
        },
        Action::PrevMention => jump_mention(state, -1),
        Action::ToggleRead => {
            if let Some(id) = target(state) {
                let read = !is_flag(state, &id, |m| m.read, |a| a.read);
                mark_read(state, &id, read, fx);
            }
        }
        Action::ToggleStar => {
            if let Some(id) = target(state) {
                let starred = !is_flag(state, &id, |m| m.starred, |a| a.starred);
                if let Some(m) = state.metas.get_mut(&id) {
                    m.starred = starred;
                }
                if let Some(a) = state.reader.article.as_mut().filter(|a| a.id == id) {
                    a.starred = starred;
                }
                fx.push(Effect::SetStarred(id, starred));
            }
        }
        Action::Search => {
            if !matches!(state.list.source, ListSource::Search(_)) || state.search.saved.is_none() {
                state.search.saved = Some(state.list.clone());
            }
            state.search.editing = true;
            state.search.input.clear();
        }
        Action::NextHit => jump_hit(state, 1),
        Action::PrevHit => jump_hit(state, -1),
        Action::EntityArticles => {
            // The row's kind too: the place `Jordan` lists no article about a person whose
            // lone `Jordan` is an alias.
            if let Some((name, kind)) = state.selected_entity().map(|e| (e.name.clone(), e.kind)) {
                show_filter(state, ListFilter::Entity(name, Some(kind)), None, fx);
            }
        }
        Action::Feeds => {
            state.picker = Some(FeedPicker {
                loading: true,
                ..FeedPicker::default()
            });
            fx.push(Effect::LoadFeeds);
        }
        Action::RefreshFeeds => match state.jobs.refresh {
            Some((done, total)) => {
                state.status = Some(format!("a refresh is already running ({done}/{total})"))
            }
            None => {
                state.jobs.refresh = Some((0, 0));
                fx.push(Effect::RefreshFeeds);
            }
        },
        Action::FullText => full_text(state, fx),
        Action::Cancel => {
            if !state.search.terms.is_empty() || state.search.saved.is_some() {
                cancel_search(state);
            } else if state.reader.mark.is_some() {
                state.reader.mark = None;
                state.sidebar.mention = None;
            } else if state.focus == Focus::Sidebar
                && layout::mode(state.width) != layout::Mode::Wide
            {
                state.focus = Focus::Reader;
            }
        }
        Action::Back => {
            if let Some(loc) = state.history.back.pop() {
                let here = state.location();
                state.history.forward.push(here);
                restore(state, loc, fx);
            } else {
                state.status = Some("nothing to go back to".into());
            }
        }
        Action::Forward => {
            if let Some(loc) = state.history.forward.pop() {
                let here = state.location();
                state.history.back.push(here);
                restore(state, loc, fx);
            } else {
                state.status = Some("nothing to go forward to".into());
            }
        }
        Action::OpenLink => match &state.reader.article {
            Some(a) => {
                let url = a
                    .link
                    .clone()
                    .or_else(|| super::open::file_url(&a.source))
                    .unwrap_or_default();
                fx.push(Effect::OpenLink {
                    url,
                    source: a.source.clone(),
                });
            }
            None => state.status = Some("no article open".into()),
        },
        Action::ToggleSidebar => {
            state.focus = if state.focus == Focus::Sidebar {
                Focus::Reader
            } else {
                Focus::Sidebar
            }
        }
        Action::Help => state.help = Some(0),
        Action::Quit => state.quit = true,
    }
}

/// `F`: the open article's page, fetched from its web link.
fn full_text(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(a) = &state.reader.article else {
        state.status = Some("no article open".into());
        return;
    };
    if state.jobs.full_text.is_some() {
        state.status = Some("already fetching a full text".into());
        return;
    }
    let url = a.link.clone().unwrap_or_default();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        state.status = Some("no web link to fetch the full text from".into());
        return;
    }
    state.jobs.full_text = Some(a.id.clone());
    fx.push(Effect::FetchFullText {
        id: a.id.clone(),
        url,
    });
}

fn cycle(f: Focus, by: usize) -> Focus {
    const ORDER: [Focus; 3] = [Focus::List, Focus::Reader, Focus::Sidebar];
    let i = ORDER.iter().position(|o| *o == f).unwrap_or(0);
    ORDER[(i + by) % 3]
}

/// The article `r` and `s` act on: the selected row in the list, else the open article.
fn target(state: &AppState) -> Option<ArticleId> {
    match state.focus {
        Focus::List => state.list.selected_id().cloned(),
        _ => state.reader.article.as_ref().map(|a| a.id.clone()),
    }
}

fn is_flag(
    state: &AppState,
    id: &ArticleId,
    meta: impl Fn(&ArticleMeta) -> bool,
    article: impl Fn(&Article) -> bool,
) -> bool {
    state.metas.get(id).map(&meta).unwrap_or_else(|| {
        state
            .reader
            .article
            .as_ref()
            .filter(|a| a.id == *id)
            .is_some_and(article)
    })
}

fn mark_read(state: &mut AppState, id: &ArticleId, read: bool, fx: &mut Vec<Effect>) {
    if let Some(m) = state.metas.get_mut(id) {
        m.read = read;
    }
    if let Some(a) = state.reader.article.as_mut().filter(|a| a.id == *id) {
        a.read = read;
    }
    fx.push(Effect::SetRead(id.clone(), read));
}

fn open_article(
    state: &mut AppState,
    id: ArticleId,
    read: bool,
    scroll: usize,
    fx: &mut Vec<Effect>,
) {
    // The flag is written before the article is read back, so the reader shows it read.
    if read {
        mark_read(state, &id, true, fx);
    }
    state.reader.loading = Some((id.clone(), scroll));
    fx.push(Effect::LoadArticle(id));
}

fn push_history(state: &mut AppState, loc: Location) {
    state.history.back.push(loc);
    if state.history.back.len() > HISTORY_LIMIT {
        state.history.back.remove(0);
    }
    state.history.forward.clear();
}

fn restore(state: &mut AppState, loc: Location, fx: &mut Vec<Effect>) {
    state.search.editing = false;
    state.search.hit = None;
    state.search.saved = None;
    state.search.terms = match &loc.list.source {
        ListSource::Search(q) => highlight_terms(q),
        _ => Vec::new(),
    };
    state.list = loc.list;
    state.focus = loc.focus;
    // A list left before it was whole (the start's first screenful, a load in flight) is
    // loaded again, or it would stay cut short.
    if state.list.partial || state.list.loading {
        state.list.loading = true;
        fx.push(Effect::LoadList {
            source: state.list.source.clone(),
            keep: None,
        });
    }
    let current = state.reader.article.as_ref().map(|a| a.id.clone());
    match loc.article {
        Some(id) if Some(&id) != current.as_ref() => open_article(state, id, false, loc.scroll, fx),
        Some(_) => {
            state.reader.scroll = loc.scroll;
            state.reader.mark = None;
            state.sidebar.mention = None;
        }
        None => {}
    }
    clamp_reader(state);
}

/// Lines a page of the reader scrolls by.
fn page(state: &AppState) -> usize {
    let r = inner(layout::reader_rect(state.size()));
    usize::from(r.height.saturating_sub(1)).max(1)
}

/// The open article laid out for the reader's current width.
fn doc(state: &AppState) -> Option<reader::Doc> {
    let a = state.reader.article.as_ref()?;
    Some(reader::build(
        a,
        &state.feed_names,
        &state.reader.entities,
        &state.search.terms,
        state.reader.mark,
        reader::text_width(layout::reader_rect(state.size()).width),
    ))
}

fn max_scroll(state: &AppState) -> usize {
    let lines = doc(state).map_or(0, |d| d.lines.len());
    let rows = usize::from(inner(layout::reader_rect(state.size())).height);
    lines.saturating_sub(rows)
}

fn scroll_reader(state: &mut AppState, by: isize) {
    let max = max_scroll(state);
    state.reader.scroll = match by {
        isize::MIN => 0,
        isize::MAX => max,
        _ => state.reader.scroll.saturating_add_signed(by).min(max),
    };
}

fn clamp_reader(state: &mut AppState) {
    if state.reader.article.is_some() {
        let max = max_scroll(state);
        state.reader.scroll = state.reader.scroll.min(max);
    }
}

fn move_in_pane(state: &mut AppState, by: isize) {
    match state.focus {
        Focus::List => move_list(state, by),
        Focus::Reader => scroll_reader(state, by),
        Focus::Sidebar => {
            let n = state.reader.entities.len();
            if n == 0 {
                return;
            }
            state.sidebar.selected = step(state.sidebar.selected, by, n);
            state.sidebar.mention = None;
        }
    }
}

fn move_list(state: &mut AppState, by: isize) {
    let n = state.list.ids.len();
    if n > 0 {
        state.list.selected = step(state.list.selected, by, n);
    }
}

fn step(at: usize, by: isize, n: usize) -> usize {
    match by {
        isize::MIN => 0,
        isize::MAX => n - 1,
        _ => at.saturating_add_signed(by).min(n - 1),
    }
}

/// Scrolls so `span` sits a third of the way down the reader, and marks it.
fn show_span(state: &mut AppState, span: Span) {
    state.reader.mark = Some(span);
    if let Some(d) = doc(state) {
        let line = d.line_of(span.field, span.start).unwrap_or(0);
        let rows = usize::from(inner(layout::reader_rect(state.size())).height);
        state.reader.scroll = line.saturating_sub(rows / 3).min(max_scroll(state));
    }
}

/// Enter / N in the sidebar: the next or previous mention of the selected entity, in
/// document order, wrapping around.
fn jump_mention(state: &mut AppState, dir: isize) {
    let Some(e) = state.selected_entity().cloned() else {
        state.status = Some("no entity selected".into());
        return;
    };
    let mut spans: Vec<Span> = e
        .mentions
        .iter()
        .map(|m| Span {
            field: m.field,
            start: m.start,
            end: m.end,
        })
        .collect();
    spans.sort_by_key(|s| (field_order(s.field), s.start));
    let n = spans.len();
    if n == 0 {
        return;
    }
    let next = step_through(state.sidebar.mention, n, dir);
    state.sidebar.mention = Some(next);
    let name = e.name.clone();
    show_span(state, spans[next]);
    state.status = Some(format!("{name}: mention {}/{n}", next + 1));
}

/// The next (`dir` > 0) or previous of `n` places after `current`, wrapping around; the
/// first or the last when there is no current one. `n` must not be 0.
fn step_through(current: Option<usize>, n: usize, dir: isize) -> usize {
    match (current, dir > 0) {
        (None, true) => 0,
        (None, false) => n - 1,
        (Some(i), true) => (i + 1) % n,
        (Some(i), false) => (i + n - 1) % n,
    }
}

/// n / N: the next or previous search hit inside the open article.
fn jump_hit(state: &mut AppState, dir: isize) {
    let Some(a) = &state.reader.article else {
        return;
    };
    if state.search.terms.is_empty() {
        state.status = Some("no search: press / to search".into());
        return;
    }
    let hits = text::article_hits(a, &state.search.terms);
    let n = hits.len();
    if n == 0 {
        state.status = Some("no hits in this article".into());
        return;
    }
    let next = step_through(state.search.hit, n, dir);
    state.search.hit = Some(next);
    state.sidebar.mention = None;
    show_span(state, hits[next]);
    state.status = Some(format!("hit {}/{n}", next + 1));
}

fn mouse(state: &mut AppState, m: MouseEvent, fx: &mut Vec<Effect>) {
    let at = Position::new(m.column, m.row);
    let areas = layout::areas(state.size(), state.focus);
    // The sidebar is checked first: in medium mode it lies over the reader.
    let pane = [
        (areas.sidebar, Focus::Sidebar),
        (areas.list, Focus::List),
        (areas.reader, Focus::Reader),
    ]
    .into_iter()
    .find_map(|(r, f)| r.filter(|r| r.contains(at)).map(|r| (r, f)));
    let Some((rect, pane)) = pane else { return };
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            state.focus = pane;
            click(state, pane, inner(rect), at);
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let by: isize = if m.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            match pane {
                Focus::List => move_list(state, by),
                Focus::Reader => scroll_reader(state, by),
                Focus::Sidebar => {
                    let n = state.reader.entities.len();
                    if n > 0 {
                        state.sidebar.selected = step(state.sidebar.selected, by.signum(), n);
                    }
                }
            }
        }
        _ => {}
    }
    let _ = fx;
}

fn click(state: &mut AppState, pane: Focus, inner: Rect, at: Position) {
    if !inner.contains(at) {
        return;
    }
    let row = usize::from(at.y - inner.y);
    match pane {
        Focus::List => {
            let i = state.list.offset + row;
            if i < state.list.ids.len() {
                state.list.selected = i;
            }
        }
        Focus::Sidebar => {
            let rows = sidebar::rows(state);
            let off = sidebar::offset(&rows, state.sidebar.selected, usize::from(inner.height));
            if let Some(sidebar::Row::Entity(n)) = rows.get(off + row) {
                state.sidebar.selected = *n;
                state.sidebar.mention = None;
            }
        }
        Focus::Reader => {}
    }
}

/// Rows of the list on screen (at least one).
fn list_rows(state: &AppState) -> usize {
    usize::from(inner(layout::list_rect(state.size())).height).max(1)
}

/// Keeps the selection on screen and asks for the metadata of rows about to be shown (a page
/// either side, so moving a row at a time never waits).
fn sync_list(state: &mut AppState) -> Option<Effect> {
    let n = state.list.ids.len();
    let h = list_rows(state);
    let l = &mut state.list;
    l.selected = l.selected.min(n.saturating_sub(1));
    if l.selected < l.offset {
        l.offset = l.selected;
    } else if l.selected >= l.offset + h {
        l.offset = l.selected + 1 - h;
    }
    l.offset = l.offset.min(n.saturating_sub(h));
    let from = l.offset.saturating_sub(h);
    let to = (l.offset + 2 * h).min(n);
    let missing: Vec<ArticleId> = l.ids[from..to]
        .iter()
        .filter(|id| !state.metas.contains_key(*id))
        .cloned()
        .collect();
    (!missing.is_empty()).then_some(Effect::LoadMetas(missing))
}
