//! The reader's whole state as one plain tree: the list on screen (ids only, with a cache of
//! the metadata of rows already seen), the open article with its entities, the sidebar, the
//! search box, the history, the feed picker, the background jobs and the status line. Views
//! borrow it; only `update` changes it. Nothing here does I/O.

use super::keymap::{Binding, DEFAULT};
use crate::model::{Article, ArticleId, ArticleMeta, Entity, EntityKind, Field};
use crate::store::ListFilter;
use std::collections::HashMap;
use std::sync::Arc;

/// Which pane keys go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    List,
    Reader,
    Sidebar,
}

impl Focus {
    pub fn name(self) -> &'static str {
        match self {
            Focus::List => "list",
            Focus::Reader => "reader",
            Focus::Sidebar => "entities",
        }
    }
}

/// Where the list's ids came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSource {
    Filter(ListFilter),
    Search(String),
}

impl Default for ListSource {
    fn default() -> Self {
        ListSource::Filter(ListFilter::All)
    }
}

/// The article list: every id of the list (cheap to hold at 100k, shared so history
/// snapshots cost nothing), the selection and the first row on screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListView {
    pub source: ListSource,
    pub ids: Arc<Vec<ArticleId>>,
    pub selected: usize,
    pub offset: usize,
    /// The ids are being (re)loaded.
    pub loading: bool,
    /// Only the first screenful is known (the reader starts with it): the count is not.
    pub partial: bool,
    /// A name for a filter whose value is not readable (a feed's name for its id).
    pub name: Option<String>,
}

impl ListView {
    pub fn selected_id(&self) -> Option<&ArticleId> {
        self.ids.get(self.selected)
    }

    /// What the status line says the list is (`entity: Josep Borrell (14)`).
    pub fn label(&self) -> String {
        let n = self.ids.len();
        match &self.source {
            ListSource::Filter(ListFilter::All) => "all articles".into(),
            ListSource::Filter(ListFilter::Unread) => "unread".into(),
            ListSource::Filter(ListFilter::Starred) => "starred".into(),
            ListSource::Filter(ListFilter::Feed(f)) => match &self.name {
                Some(name) => format!("feed: {name} ({n})"),
                None => format!("feed {f} ({n})"),
            },
            ListSource::Filter(ListFilter::Entity(name, _)) => {
                format!("entity: {name} ({n})")
            }
            ListSource::Search(q) => format!("search: {q} ({n})"),
        }
    }
}

/// A marked span of the open article: the mention jumped to or the current search hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub field: Field,
    pub start: usize,
    pub end: usize,
}

/// The open article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReaderState {
    pub article: Option<Article>,
    /// Its entities, most mentioned first (as the store gives them).
    pub entities: Vec<Entity>,
    /// First line on screen.
    pub scroll: usize,
    pub mark: Option<Span>,
    /// The article being loaded, and the scroll to restore once it arrives (history).
    pub loading: Option<(ArticleId, usize)>,
}

/// The entity sidebar: which entity is selected (an index into [`SidebarState::order`]) and
/// which of its mentions was jumped to last.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SidebarState {
    pub selected: usize,
    pub mention: Option<usize>,
}

/// The search box and the hits inside the open article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchState {
    /// The prompt is open and takes the keys.
    pub editing: bool,
    pub input: String,
    /// Lower-cased terms to highlight (empty when no search is active).
    pub terms: Vec<String>,
    /// The list the search replaced, restored by Esc.
    pub saved: Option<ListView>,
    /// The index of the current hit inside the article (`n`/`N`).
    pub hit: Option<usize>,
    /// A search to run once input is drained.
    pub pending: bool,
}

/// One row of the feed picker after "All articles".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    pub id: i64,
    /// The feed's name, else its URL.
    pub label: String,
    pub articles: usize,
}

/// The `f` overlay: row 0 is "All articles", row `i` is `feeds[i - 1]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedPicker {
    pub feeds: Vec<FeedRow>,
    pub selected: usize,
    /// The feeds are being read from the cache.
    pub loading: bool,
}

impl FeedPicker {
    pub fn rows(&self) -> usize {
        self.feeds.len() + 1
    }
}

/// Work running off the loop thread, shown in the status bar until it reports back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Jobs {
    /// A feed refresh: feeds done and the total (0 until the first feed finishes).
    pub refresh: Option<(usize, usize)>,
    /// The article whose full text is being fetched.
    pub full_text: Option<ArticleId>,
}

/// One place in the history: a list with its selection, and the article that was open.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub list: ListView,
    pub article: Option<ArticleId>,
    pub scroll: usize,
    pub focus: Focus,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub back: Vec<Location>,
    pub forward: Vec<Location>,
}

/// How many history entries are kept each way.
pub const HISTORY_LIMIT: usize = 100;
/// How many cached list rows are kept before the cache is dropped and refilled.
pub const META_CACHE_LIMIT: usize = 4_000;

#[derive(Debug, Clone)]
pub struct AppState {
    /// The terminal's size, as of the last resize.
    pub width: u16,
    pub height: u16,
    pub focus: Focus,
    pub list: ListView,
    /// Metadata of rows already seen, by id.
    pub metas: HashMap<ArticleId, ArticleMeta>,
    /// Each feed's name by id, so a feed's article is labelled with it, not `feed 12`.
    pub feed_names: HashMap<i64, String>,
    pub reader: ReaderState,
    pub sidebar: SidebarState,
    pub search: SearchState,
    pub history: History,
    pub status: Option<String>,
    pub picker: Option<FeedPicker>,
    pub jobs: Jobs,
    /// The help overlay, with its scroll.
    pub help: Option<usize>,
    pub keymap: &'static [Binding],
    pub quit: bool,
}

impl AppState {
    pub fn new(width: u16, height: u16) -> Self {
        AppState {
            width,
            height,
            focus: Focus::List,
            list: ListView::default(),
            metas: HashMap::new(),
            feed_names: HashMap::new(),
            reader: ReaderState::default(),
            sidebar: SidebarState::default(),
            search: SearchState::default(),
            history: History::default(),
            status: None,
            picker: None,
            jobs: Jobs::default(),
            help: None,
            keymap: DEFAULT,
            quit: false,
        }
    }

    pub fn size(&self) -> ratatui::layout::Rect {
        ratatui::layout::Rect::new(0, 0, self.width, self.height)
    }

    /// The sidebar's entities in display order (grouped by kind, most mentioned first in each
    /// group), as indices into `reader.entities`.
    pub fn sidebar_order(&self) -> Vec<usize> {
        let mut order = Vec::with_capacity(self.reader.entities.len());
        for kind in EntityKind::ALL {
            let mut group: Vec<usize> = (0..self.reader.entities.len())
                .filter(|&i| self.reader.entities[i].kind == kind)
                .collect();
            // Stable: equal counts keep the store's order.
            group.sort_by_key(|&i| std::cmp::Reverse(self.reader.entities[i].mentions.len()));
            order.extend(group);
        }
        order
    }

    /// The entity selected in the sidebar.
    pub fn selected_entity(&self) -> Option<&Entity> {
        let order = self.sidebar_order();
        order
            .get(self.sidebar.selected)
            .and_then(|&i| self.reader.entities.get(i))
    }

    pub fn location(&self) -> Location {
        Location {
            list: self.list.clone(),
            article: self.reader.article.as_ref().map(|a| a.id.clone()),
            scroll: self.reader.scroll,
            focus: self.focus,
        }
    }
}

/// Document order of a field (a caption's credit follows its caption).
pub fn field_order(f: Field) -> (usize, usize, usize) {
    match f {
        Field::Title => (0, 0, 0),
        Field::Standfirst => (1, 0, 0),
        Field::Block(i) => (2, i, 0),
        Field::Credit(i) => (2, i, 1),
    }
}
