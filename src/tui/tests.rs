//! Specs for the reader: state and action tests that feed messages to `update` through the
//! runner (against an in-memory cache built from fixtures), and screen snapshots drawn on a
//! `TestBackend`. Fixtures are fixed, and no view reads the clock, so snapshots never drift.

use super::App;
use super::action::Action;
use super::run::draw;
use super::state::{Focus, ListSource};
use super::update::Msg;
use crate::model::{Article, Block, Entity, EntityKind, Field, Mention};
use crate::store::{ListFilter, Origin, Store};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};

/// Every mention of each alias in every field of `a`, as real byte spans.
fn entity(a: &Article, name: &str, kind: EntityKind, aliases: &[&str]) -> Entity {
    let mut mentions = Vec::new();
    for (field, text) in super::text::fields(a) {
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for alias in std::iter::once(name).chain(aliases.iter().copied()) {
            for (start, _) in text.match_indices(alias) {
                let end = start + alias.len();
                if taken.iter().any(|(s, e)| start < *e && *s < end) {
                    continue;
                }
                taken.push((start, end));
                mentions.push(Mention {
                    field,
                    start,
                    end,
                    text: alias.to_string(),
                });
            }
        }
    }
    Entity {
        name: name.to_string(),
        kind,
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        mentions,
    }
}

fn seed() -> Article {
    let (name, text) = crate::samples::ARTICLES[0];
    crate::ingest::parse_bytes(text.as_bytes(), &format!("bundled:{name}"))
        .expect("the seed article parses")
        .article
}

fn seed_entities(a: &Article) -> Vec<Entity> {
    vec![
        entity(a, "Josep Borrell", EntityKind::Person, &["Borrell"]),
        entity(a, "Takeshi Iwaya", EntityKind::Person, &["Iwaya"]),
        entity(a, "Gen Nakatani", EntityKind::Person, &[]),
        entity(a, "European Union", EntityKind::Organization, &["EU"]),
        entity(a, "Tokyo", EntityKind::Place, &[]),
        entity(a, "North Korea", EntityKind::Place, &[]),
    ]
}

fn other(title: &str, date: &str, body: &[&str]) -> Article {
    let blocks = body.iter().map(|b| Block::paragraph(*b)).collect();
    let mut a = Article::new(title.into(), None, "fixture".into(), blocks);
    a.published = Some(date.into());
    a.section = Some("News".into());
    a
}

/// A cache with the seed article first (newest) and a few others, one of which also
/// mentions Borrell, one with wide characters.
fn fixture() -> Store {
    let mut store = Store::open_in_memory().expect("in-memory cache");
    let s = seed();
    store.upsert(&s, &seed_entities(&s)).expect("upsert seed");
    let b = other(
        "Borrell visits Seoul",
        "2024-10-30",
        &["Josep Borrell met officials in Seoul. Borrell spoke of partnership."],
    );
    store
        .upsert(
            &b,
            &[entity(
                &b,
                "Josep Borrell",
                EntityKind::Person,
                &["Borrell"],
            )],
        )
        .expect("upsert");
    let w = other(
        "東京で会議 👍🏽 summit of friends",
        "2024-10-20",
        &["東京で会議が開かれた。👍🏽👨‍👩‍👧 Emoji and CJK keep their widths."],
    );
    store.upsert(&w, &[]).expect("upsert");
    for i in 0..30 {
        let a = other(
            &format!("Filler story number {i}"),
            &format!("2023-01-{:02}", i % 28 + 1),
            &["Nothing about partnerships here.", "A second paragraph."],
        );
        store.upsert(&a, &[]).expect("upsert");
    }
    store
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn started(store: &Store, w: u16, h: u16) -> App {
    let mut app = App::new(w, h);
    app.spawn_links = false;
    app.handle(store, [Msg::Start]);
    app
}

/// The screen as text, after drawing `app`.
fn screen_text(app: &App) -> String {
    screen(app).backend().to_string()
}

fn screen(app: &App) -> Terminal<TestBackend> {
    let mut t =
        Terminal::new(TestBackend::new(app.state.width, app.state.height)).expect("terminal");
    draw(&mut t, &app.state).expect("draw");
    t
}

/// Selects an entity in the sidebar by name.
fn select_entity(app: &mut App, store: &Store, name: &str) {
    app.handle(
        store,
        [
            Msg::Action(Action::FocusRight),
            Msg::Action(Action::FocusRight),
        ],
    );
    assert_eq!(app.state.focus, Focus::Sidebar);
    for _ in 0..20 {
        if app.state.selected_entity().map(|e| e.name.as_str()) == Some(name) {
            return;
        }
        app.handle(store, [key('j')]);
    }
    panic!("no entity {name}");
}

#[test]
fn start_shows_the_newest_article() {
    let store = fixture();
    let app = started(&store, 160, 45);
    let a = app
        .state
        .reader
        .article
        .as_ref()
        .expect("an article is open");
    assert!(a.title.starts_with("Japan and EU announce"));
    assert_eq!(app.state.list.ids.len(), 33);
    assert!(!a.read, "opening on start does not mark it read");
    let text = screen_text(&app);
    assert!(text.contains("Japan and EU announce security partnership"));
    assert!(text.contains("EU and Japan to enhance military ties"));
}

#[test]
fn list_navigation_and_open_marks_read() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [key('j'), code(KeyCode::Down)]);
    assert_eq!(app.state.list.selected, 2);
    app.handle(&store, [key('k')]);
    assert_eq!(app.state.list.selected, 1);
    app.handle(&store, [key('G')]);
    assert_eq!(app.state.list.selected, 32);
    app.handle(&store, [Msg::Resize(160, 10)]);
    assert_eq!(
        app.state.list.offset,
        33 - 7,
        "the selection stays on screen"
    );
    app.handle(&store, [Msg::Resize(160, 45)]);
    app.handle(&store, [key('g'), key('j'), code(KeyCode::Enter)]);
    let a = app.state.reader.article.clone().expect("opened");
    assert_eq!(a.title, "Borrell visits Seoul");
    assert!(a.read);
    assert!(app.state.metas[&a.id].read);
    assert!(
        store.article(&a.id).unwrap().unwrap().read,
        "written to the cache"
    );
    app.handle(&store, [key('r')]);
    assert!(
        !store.article(&a.id).unwrap().unwrap().read,
        "r toggles back"
    );
    app.handle(&store, [key('s')]);
    assert!(store.article(&a.id).unwrap().unwrap().starred);
}

#[test]
fn focus_cycles_and_moves() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [code(KeyCode::Tab)]);
    assert_eq!(app.state.focus, Focus::Reader);
    app.handle(&store, [code(KeyCode::Tab)]);
    assert_eq!(app.state.focus, Focus::Sidebar);
    app.handle(&store, [code(KeyCode::Tab)]);
    assert_eq!(app.state.focus, Focus::List);
    app.handle(&store, [code(KeyCode::BackTab)]);
    assert_eq!(app.state.focus, Focus::Sidebar);
    app.handle(&store, [key('h'), code(KeyCode::Left)]);
    assert_eq!(app.state.focus, Focus::List);
    app.handle(&store, [key('l')]);
    assert_eq!(app.state.focus, Focus::Reader);
    app.handle(&store, [key('j'), key('j')]);
    assert_eq!(app.state.reader.scroll, 2);
    app.handle(&store, [code(KeyCode::PageDown)]);
    assert!(app.state.reader.scroll > 10);
    app.handle(&store, [key('g')]);
    assert_eq!(app.state.reader.scroll, 0);
}

#[test]
fn sidebar_groups_most_mentioned_first() {
    let store = fixture();
    let app = started(&store, 160, 45);
    let order: Vec<(&str, EntityKind)> = app
        .state
        .sidebar_order()
        .iter()
        .map(|&i| {
            let e = &app.state.reader.entities[i];
            (e.name.as_str(), e.kind)
        })
        .collect();
    assert_eq!(order[0], ("Josep Borrell", EntityKind::Person));
    let kinds: Vec<EntityKind> = order.iter().map(|o| o.1).collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(kinds, sorted, "grouped by kind");
}

#[test]
fn enter_and_n_cycle_through_mentions() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    select_entity(&mut app, &store, "Josep Borrell");
    let n = app.state.selected_entity().unwrap().mentions.len();
    assert!(n >= 8, "Borrell is mentioned often: {n}");
    app.handle(&store, [code(KeyCode::Enter)]);
    let first = app.state.reader.mark.expect("a mention is marked");
    let a = app.state.reader.article.as_ref().unwrap();
    assert_eq!(
        &a.field(first.field).unwrap()[first.start..first.end],
        "Josep Borrell"
    );
    app.handle(&store, [code(KeyCode::Enter)]);
    let second = app.state.reader.mark.unwrap();
    assert_ne!(first, second);
    app.handle(&store, (0..3).map(|_| code(KeyCode::Enter)));
    let far = app.state.reader.scroll;
    assert!(far > 0, "a later mention scrolls the reader");
    app.handle(&store, [key('N')]);
    assert_eq!(app.state.sidebar.mention, Some(3));
    // Going past the last mention wraps to the first.
    app.handle(&store, (0..n - 3).map(|_| code(KeyCode::Enter)));
    assert_eq!(app.state.reader.mark, Some(first));
    app.handle(&store, [key('N')]);
    assert_eq!(app.state.sidebar.mention, Some(n - 1));
}

#[test]
fn an_entitys_articles_are_those_of_its_kind_only() {
    // The place Jordan, and a person a lone `Jordan` also names.
    let mut store = Store::open_in_memory().expect("in-memory cache");
    let place = other(
        "Talks in Jordan",
        "2024-11-02",
        &["Ministers met in Jordan. Jordan hosted them."],
    );
    let person = other(
        "A record in Chicago",
        "2024-11-01",
        &["Michael Jordan scored. Jordan left early."],
    );
    store
        .upsert(&place, &[entity(&place, "Jordan", EntityKind::Place, &[])])
        .expect("upsert");
    store
        .upsert(
            &person,
            &[entity(
                &person,
                "Michael Jordan",
                EntityKind::Person,
                &["Jordan"],
            )],
        )
        .expect("upsert");
    // The whole name or any alias still finds both, as `dateline list --entity` does.
    assert_eq!(
        store.entity_articles("Jordan", None).expect("query").len(),
        2
    );
    let mut app = started(&store, 160, 45);
    assert_eq!(
        app.state.reader.article.as_ref().map(|a| a.title.as_str()),
        Some("Talks in Jordan")
    );
    select_entity(&mut app, &store, "Jordan");
    app.handle(&store, [key('a')]);
    assert_eq!(app.state.list.label(), "entity: Jordan (1)");
    assert_eq!(
        app.state.list.ids.as_slice(),
        std::slice::from_ref(&place.id)
    );
}

#[test]
fn entity_filter_and_back_forward() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    select_entity(&mut app, &store, "Josep Borrell");
    app.handle(&store, [key('a')]);
    assert_eq!(
        app.state.list.source,
        ListSource::Filter(ListFilter::Entity(
            "Josep Borrell".into(),
            Some(EntityKind::Person)
        ))
    );
    assert_eq!(app.state.list.ids.len(), 2);
    assert_eq!(app.state.list.label(), "entity: Josep Borrell (2)");
    assert_eq!(app.state.focus, Focus::List);
    app.handle(&store, [key('j'), code(KeyCode::Enter)]);
    let opened = app.state.reader.article.as_ref().unwrap().title.clone();
    assert_eq!(opened, "Borrell visits Seoul");
    // Back: the seed article in the entity list, then the full list.
    app.handle(&store, [code(KeyCode::Backspace)]);
    assert!(
        app.state
            .reader
            .article
            .as_ref()
            .unwrap()
            .title
            .starts_with("Japan")
    );
    assert_eq!(app.state.list.ids.len(), 2);
    app.handle(&store, [code(KeyCode::Backspace)]);
    assert_eq!(app.state.list.source, ListSource::Filter(ListFilter::All));
    assert_eq!(app.state.focus, Focus::Sidebar);
    // Forward again (Ctrl-o is back too).
    app.handle(&store, [key(']'), key(']')]);
    assert_eq!(
        app.state.reader.article.as_ref().unwrap().title,
        "Borrell visits Seoul"
    );
    app.handle(
        &store,
        [Msg::Key(KeyEvent::new(
            KeyCode::Char('o'),
            KeyModifiers::CONTROL,
        ))],
    );
    assert!(
        app.state
            .reader
            .article
            .as_ref()
            .unwrap()
            .title
            .starts_with("Japan")
    );
}

#[test]
fn search_as_you_type_enter_keeps_esc_restores() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [key('j'), key('j')]);
    let before = app.state.list.clone();
    app.handle(&store, [key('/')]);
    assert!(app.state.search.editing);
    app.handle(&store, [key('b'), key('o'), key('r')]);
    // "bor" is not a word of any article: no results yet, but the list follows the input.
    assert_eq!(app.state.list.source, ListSource::Search("bor".into()));
    app.handle(&store, "rell".chars().map(key));
    assert_eq!(app.state.list.ids.len(), 2, "both Borrell articles");
    assert_eq!(app.state.list.selected, 0);
    app.handle(&store, [code(KeyCode::Esc)]);
    assert_eq!(
        app.state.list, before,
        "Esc restores the list and its selection"
    );
    assert!(app.state.search.terms.is_empty());
    // Enter keeps the results as the list; n jumps between hits in the article.
    app.handle(&store, [key('/')]);
    app.handle(&store, "partnership".chars().map(key));
    app.handle(&store, [code(KeyCode::Enter)]);
    assert!(!app.state.search.editing);
    assert_eq!(app.state.list.label(), "search: partnership (2)");
    app.handle(&store, [key('n')]);
    let hit = app.state.reader.mark.expect("a hit is marked");
    let a = app.state.reader.article.as_ref().unwrap();
    assert_eq!(
        a.field(hit.field).unwrap()[hit.start..hit.end].to_lowercase(),
        "partnership"
    );
    app.handle(&store, [key('n'), key('N')]);
    assert_eq!(app.state.reader.mark, Some(hit));
    app.handle(&store, [code(KeyCode::Esc)]);
    assert_eq!(app.state.list, before);
}

#[test]
fn a_new_article_from_another_writer_appears_keeping_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut writer = Store::open(&path).unwrap();
    let s = seed();
    writer.upsert(&s, &seed_entities(&s)).unwrap();
    let reader_store = Store::open(&path).unwrap();
    let mut app = started(&reader_store, 160, 45);
    let v0 = super::run::data_version(&reader_store);
    writer
        .upsert(&other("Fresh news", "2030-01-01", &["Just in."]), &[])
        .unwrap();
    assert_ne!(super::run::data_version(&reader_store), v0);
    app.handle(&reader_store, [Msg::CacheChanged]);
    assert_eq!(app.state.list.ids.len(), 2);
    assert_eq!(
        app.state.list.selected, 1,
        "the selected article stays selected"
    );
    assert_eq!(app.state.list.selected_id(), Some(&s.id));
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let store = fixture();
    let mut app = started(&store, 160, 45);
    let ev = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    app.handle(&store, [ev(MouseEventKind::Down(MouseButton::Left), 5, 4)]);
    assert_eq!(app.state.list.selected, 3);
    app.handle(&store, [ev(MouseEventKind::ScrollDown, 80, 10)]);
    assert_eq!(app.state.reader.scroll, 3);
    app.handle(
        &store,
        [ev(MouseEventKind::Down(MouseButton::Left), 140, 2)],
    );
    assert_eq!(app.state.focus, Focus::Sidebar);
    assert_eq!(app.state.selected_entity().unwrap().name, "Josep Borrell");
}

#[test]
fn help_overlay_lists_every_key_and_the_credit() {
    let store = fixture();
    let mut app = started(&store, 120, 60);
    app.handle(&store, [key('?')]);
    let text = screen_text(&app);
    for needle in ["Enter", "Backspace", "Ctrl-c", "Wikinews", "search"] {
        let needle = if needle == "Backspace" {
            "Bksp"
        } else {
            needle
        };
        assert!(text.contains(needle), "{needle} in help");
    }
    app.handle(&store, [code(KeyCode::Esc)]);
    assert_eq!(app.state.help, None);
}

#[test]
fn a_help_too_long_for_the_terminal_says_so_and_scrolls_back_at_once() {
    let store = fixture();
    let mut app = started(&store, 100, 20);
    app.handle(&store, [key('?')]);
    let text = screen_text(&app);
    assert!(text.contains("j k g G scroll"), "{text}");
    assert!(text.contains("more ↓"), "{text}");
    // Far past the end: the overlay stops at its last line...
    app.handle(&store, std::iter::repeat_n(key('j'), 200));
    let end = app.state.help.expect("help open");
    let text = screen_text(&app);
    assert!(
        text.contains("gucorpling"),
        "the credit closes the help: {text}"
    );
    assert!(!text.contains("more ↓"), "{text}");
    // ...so one key up moves it up.
    app.handle(&store, [key('k')]);
    assert_eq!(app.state.help, Some(end - 1));
    assert!(screen_text(&app).contains("more ↓"));
    // g and G go to either end, as in the panes.
    app.handle(&store, [key('g')]);
    assert_eq!(app.state.help, Some(0));
    app.handle(&store, [key('G')]);
    assert_eq!(app.state.help, Some(end));
    // A taller terminal lowers the end; the next key up still moves the view.
    app.handle(&store, std::iter::repeat_n(key('j'), 200));
    app.handle(&store, [Msg::Resize(100, 30)]);
    let taller_end = super::view::help::max_scroll(&app.state);
    assert!(taller_end < end, "{taller_end} < {end}");
    app.handle(&store, [key('k')]);
    assert_eq!(app.state.help, Some(taller_end - 1));
}

// ---- screens -------------------------------------------------------------------------

#[test]
fn snapshot_seed_article_open() {
    let store = fixture();
    let app = started(&store, 160, 45);
    insta::assert_snapshot!("seed_open", screen(&app).backend());
}

#[test]
fn snapshot_sidebar_focused_and_mention_jump() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    select_entity(&mut app, &store, "Takeshi Iwaya");
    insta::assert_snapshot!("sidebar_focused", screen(&app).backend());
    app.handle(&store, [code(KeyCode::Enter), code(KeyCode::Enter)]);
    let t = screen(&app);
    insta::assert_snapshot!("mention_jumped", t.backend());
    // The marked mention is reversed; other mentions keep their kind's colour.
    let buf = t.backend().buffer();
    let mark = app.state.reader.mark.unwrap();
    let doc = super::view::reader::build(
        app.state.reader.article.as_ref().unwrap(),
        &app.state.feed_names,
        &app.state.reader.entities,
        &[],
        Some(mark),
        super::view::reader::text_width(super::layout::reader_rect(app.state.size()).width),
    );
    let line = doc.line_of(mark.field, mark.start).unwrap() - app.state.reader.scroll;
    let y = 1 + line as u16;
    let row: String = (0..160).map(|x| buf[(x, y)].symbol().to_string()).collect();
    let col = row.find("Iwaya").expect("the mention is on screen");
    let x = row[..col].chars().count() as u16;
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    let (by, bx) = find(buf, "Borrell said").expect("Borrell on screen");
    assert_eq!(buf[(bx, by)].fg, Color::Cyan, "people are cyan");
}

fn find(buf: &ratatui::buffer::Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    for y in 0..area.height {
        let cells: Vec<&str> = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        let row: String = cells.concat();
        if let Some(byte) = row.find(needle) {
            // Map the byte offset back to a column (cells hold one grapheme or nothing).
            let mut acc = 0;
            for (x, c) in cells.iter().enumerate() {
                if acc >= byte {
                    return Some((y, x as u16));
                }
                acc += c.len();
            }
        }
    }
    None
}

#[test]
fn snapshot_search_results_and_highlight() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [key('/')]);
    app.handle(&store, "borrell".chars().map(key));
    let t = screen(&app);
    insta::assert_snapshot!("search_typing", t.backend());
    app.handle(&store, [code(KeyCode::Enter)]);
    let t = screen(&app);
    insta::assert_snapshot!("search_results", t.backend());
    let buf = t.backend().buffer();
    let (y, x) = find(buf, "Borrell visits").expect("result row");
    assert_eq!(
        buf[(x, y)].bg,
        Color::Yellow,
        "hits are highlighted in the list"
    );
}

#[test]
fn snapshot_entity_filter() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    select_entity(&mut app, &store, "Josep Borrell");
    app.handle(&store, [key('a')]);
    let t = screen(&app);
    insta::assert_snapshot!("entity_filter", t.backend());
    assert!(
        t.backend()
            .to_string()
            .contains("entity: Josep Borrell (2)")
    );
}

#[test]
fn snapshot_help() {
    let store = fixture();
    let mut app = started(&store, 120, 60);
    app.handle(&store, [key('?')]);
    insta::assert_snapshot!("help", screen(&app).backend());
}

#[test]
fn snapshot_narrow_and_tiny() {
    let store = fixture();
    let mut app = started(&store, 80, 30);
    insta::assert_snapshot!("narrow_80x30", screen(&app).backend());
    app.handle(&store, [key('e')]);
    insta::assert_snapshot!("narrow_80x30_sidebar", screen(&app).backend());
    let mut app = started(&store, 60, 20);
    insta::assert_snapshot!("narrow_60x20", screen(&app).backend());
    app.handle(&store, [code(KeyCode::Enter)]);
    insta::assert_snapshot!("narrow_60x20_reader", screen(&app).backend());
    let app = started(&store, 20, 5);
    insta::assert_snapshot!("tiny_20x5", screen(&app).backend());
}

#[test]
fn unread_rows_are_bold_and_the_selection_highlighted() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [key('j'), code(KeyCode::Enter), key('j')]);
    let t = screen(&app);
    let buf = t.backend().buffer();
    // Row 1 (unread, not selected): bold title. Row 2 (read): plain. Row 3 selected.
    assert!(buf[(3, 1)].modifier.contains(Modifier::BOLD));
    assert!(!buf[(3, 2)].modifier.contains(Modifier::BOLD));
    assert_eq!(buf[(3, 3)].bg, Color::Cyan);
}

/// Every screen is free of control characters and stays inside its buffer.
fn assert_clean(t: &Terminal<TestBackend>) {
    for cell in t.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "{:?}",
            cell.symbol()
        );
    }
}

#[test]
fn no_size_panics_or_garbles() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    // Put something in every pane: a mention marked, a search active, the wide-char article.
    select_entity(&mut app, &store, "Josep Borrell");
    app.handle(&store, [code(KeyCode::Enter)]);
    let widths: Vec<u16> = (1..=400)
        .filter(|w| w % 7 == 0 || *w < 12 || [69, 70, 109, 110, 400].contains(w))
        .collect();
    let heights: Vec<u16> = (1..=120)
        .filter(|h| h % 9 == 0 || *h < 8 || *h == 120)
        .collect();
    for &w in &widths {
        for &h in &heights {
            app.handle(&store, [Msg::Resize(w, h)]);
            let t = screen(&app);
            assert_clean(&t);
        }
    }
    for &w in &[1u16, 2, 3, 5, 30, 75, 120] {
        for &h in &[1u16, 2, 3, 40] {
            for f in [Focus::List, Focus::Reader, Focus::Sidebar] {
                app.state.focus = f;
                app.handle(&store, [Msg::Resize(w, h), key('?')]);
                assert_clean(&screen(&app));
                app.handle(&store, [code(KeyCode::Esc)]);
            }
        }
    }
}

#[test]
fn a_storm_of_resizes_keeps_one_terminal_sound() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [key('j'), key('j'), code(KeyCode::Enter)]);
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    let mut seed = 7u32;
    for _ in 0..300 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let w = (seed >> 8) as u16 % 400 + 1;
        let h = (seed >> 20) as u16 % 120 + 1;
        t.backend_mut().resize(w, h);
        app.handle(&store, [Msg::Resize(w, h), key('j')]);
        draw(&mut t, &app.state).unwrap();
        assert_eq!(t.backend().buffer().area.width, w);
        assert_clean(&t);
    }
}

#[test]
fn wide_characters_keep_their_widths() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [key('j'), key('j'), code(KeyCode::Enter)]);
    let t = screen(&app);
    insta::assert_snapshot!("wide_chars", t.backend());
    // The right border of every row is still in the last column: nothing pushed it.
    let buf = t.backend().buffer();
    for y in 0..44 {
        assert_eq!(
            buf[(159, y)].symbol(),
            if y == 0 {
                "┐"
            } else if y == 43 {
                "┘"
            } else {
                "│"
            },
            "row {y}"
        );
    }
}

#[test]
fn title_of_a_field_is_sliced_by_mentions_exactly() {
    // Fixture sanity: hand-made spans point at the text they claim.
    let s = seed();
    for e in seed_entities(&s) {
        for m in &e.mentions {
            assert_eq!(&s.field(m.field).unwrap()[m.start..m.end], m.text);
        }
        assert!(!e.mentions.is_empty(), "{}", e.name);
    }
    assert!(
        seed_entities(&s)[0]
            .mentions
            .iter()
            .any(|m| matches!(m.field, Field::Block(_)))
    );
}

// ---- first frame, feeds, background work ---------------------------------------------

use super::state::{AppState, FeedRow};
use super::update::{Effect, RefreshSummary, update};

/// The fixture plus two feeds: one with two articles, one empty.
fn fixture_with_feeds() -> (Store, i64, i64) {
    let mut store = fixture();
    let (news, _) = store
        .add_feed("https://news.example/rss", Some("Example News"), false)
        .expect("feed");
    let (empty, _) = store
        .add_feed("https://empty.example/feed.xml", None, false)
        .expect("feed");
    for (i, title) in ["Harbour reopens", "Council votes"].iter().enumerate() {
        let mut a = other(title, &format!("2024-12-0{}", i + 1), &["From the feed."]);
        a.link = Some(format!("https://news.example/{i}"));
        store
            .upsert_from(
                &a,
                &[],
                &Origin {
                    feed_id: Some(news.id),
                    ..Origin::default()
                },
            )
            .expect("upsert");
    }
    (store, news.id, empty.id)
}

/// The status bar as drawn for `state`.
fn status_line(state: &AppState) -> String {
    let mut t = Terminal::new(TestBackend::new(state.width, state.height)).expect("terminal");
    draw(&mut t, state).expect("draw");
    let buf = t.backend().buffer();
    let y = state.height - 1;
    (0..state.width).map(|x| buf[(x, y)].symbol()).collect()
}

#[test]
fn start_draws_the_head_first_then_the_whole_list_keeping_the_selection() {
    let store = fixture();
    let mut state = AppState::new(160, 45);
    let fx = update(&mut state, Msg::Start);
    let Some(Effect::LoadHead { source, limit }) = fx.first().cloned() else {
        panic!("start asks for the head: {fx:?}");
    };
    assert!(limit >= 43, "at least a screenful: {limit}");
    let metas = store.list(&ListFilter::All, Some(3)).unwrap();
    let all = store.list_ids(&ListFilter::All).unwrap();
    let fx = update(&mut state, Msg::HeadLoaded { source, metas });
    assert_eq!(state.list.ids.len(), 3);
    assert!(state.list.partial);
    assert!(matches!(fx[0], Effect::LoadArticle(ref id) if *id == all[0]));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::LoadList { .. })),
        "then the whole list: {fx:?}"
    );
    // The reader moves before the whole list arrives; the selection stays on its article.
    update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
    );
    assert!(
        status_line(&state).starts_with(" list 2/… "),
        "{}",
        status_line(&state)
    );
    update(
        &mut state,
        Msg::ListLoaded {
            source: ListSource::Filter(ListFilter::All),
            ids: all.clone(),
            keep: None,
        },
    );
    assert!(!state.list.partial);
    assert_eq!(state.list.selected_id(), Some(&all[1]));
    assert!(status_line(&state).starts_with(" list 2/33 "));
    // Back to a place saved while the list was only its head: the whole list is asked for.
    let mut loc = state.location();
    loc.list.partial = true;
    state.history.back.push(loc);
    let fx = update(&mut state, Msg::Action(Action::Back));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::LoadList { .. })),
        "{fx:?}"
    );
}

#[test]
fn feed_picker_opens_moves_filters_and_back_returns() {
    let (store, news, _) = fixture_with_feeds();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [key('j')]);
    let before = app.state.list.clone();
    app.handle(&store, [key('f')]);
    let p = app.state.picker.as_ref().expect("the picker is open");
    assert_eq!(
        p.feeds,
        vec![
            FeedRow {
                id: news,
                label: "Example News".into(),
                articles: 2
            },
            FeedRow {
                id: news + 1,
                label: "https://empty.example/feed.xml".into(),
                articles: 0
            }
        ]
    );
    assert_eq!(p.selected, 0, "All articles first");
    app.handle(&store, [key('j'), key('j'), key('j'), code(KeyCode::Up)]);
    assert_eq!(app.state.picker.as_ref().unwrap().selected, 1);
    assert_eq!(
        app.state.list, before,
        "moving in the picker leaves the list"
    );
    app.handle(&store, [code(KeyCode::Enter)]);
    assert!(app.state.picker.is_none());
    assert_eq!(
        app.state.list.source,
        ListSource::Filter(ListFilter::Feed(news))
    );
    assert_eq!(app.state.list.label(), "feed: Example News (2)");
    assert_eq!(app.state.focus, Focus::List);
    assert!(status_line(&app.state).contains("feed: Example News (2)"));
    // Backspace returns to the list and row it came from.
    app.handle(&store, [code(KeyCode::Backspace)]);
    assert_eq!(app.state.list, before);
    // Esc closes the picker without changing anything; "All articles" from All is a no-op.
    app.handle(&store, [key('f'), code(KeyCode::Esc)]);
    assert!(app.state.picker.is_none());
    app.handle(&store, [key('f'), code(KeyCode::Enter)]);
    assert_eq!(app.state.list, before);
    assert!(app.state.history.back.is_empty() || app.state.history.forward.is_empty());
}

#[test]
fn feed_picker_without_feeds_says_how_to_add_one() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [key('f')]);
    let text = screen_text(&app);
    assert!(text.contains("dateline feed add URL"), "{text}");
    app.handle(&store, [key('j'), code(KeyCode::Enter)]);
    assert_eq!(app.state.list.source, ListSource::Filter(ListFilter::All));
}

#[test]
fn refresh_reports_progress_then_the_summary_and_reloads() {
    let mut state = AppState::new(160, 45);
    let fx = update(&mut state, Msg::Action(Action::RefreshFeeds));
    assert_eq!(fx, vec![Effect::RefreshFeeds]);
    let again = update(&mut state, Msg::Action(Action::RefreshFeeds));
    assert!(again.is_empty(), "one refresh at a time");
    assert!(state.status.as_deref().unwrap().contains("already running"));
    update(&mut state, Msg::RefreshProgress { done: 3, total: 42 });
    assert!(status_line(&state).contains("fetching 3/42"));
    let fx = update(
        &mut state,
        Msg::RefreshDone(Ok(RefreshSummary {
            feeds: 42,
            new_articles: 317,
            updated: 5,
            failed: 2,
            first_failure: Some("Example: HTTP 404".into()),
        })),
    );
    assert_eq!(state.jobs.refresh, None);
    assert_eq!(
        state.status.as_deref(),
        Some("42 feeds, 317 new articles, 5 updated, 2 failed (Example: HTTP 404)")
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::LoadList { .. })),
        "new articles show at once: {fx:?}"
    );
    // Late progress from a finished refresh does not bring the indicator back.
    update(&mut state, Msg::RefreshProgress { done: 4, total: 42 });
    assert_eq!(state.jobs.refresh, None);
    update(&mut state, Msg::Action(Action::RefreshFeeds));
    update(&mut state, Msg::RefreshDone(Err("disk full".into())));
    assert_eq!(state.status.as_deref(), Some("refresh failed: disk full"));
}

#[test]
fn refresh_into_an_in_memory_cache_is_refused_with_a_message() {
    let store = fixture();
    let mut app = started(&store, 160, 45);
    app.handle(&store, [key('R')]);
    assert_eq!(app.state.jobs.refresh, None);
    assert!(
        app.state
            .status
            .as_deref()
            .unwrap()
            .contains("only into a cache file")
    );
}

#[test]
fn full_text_fetches_web_links_only_and_reloads_the_article() {
    let (store, _, _) = fixture_with_feeds();
    let mut app = started(&store, 160, 45);
    // A filler article has no web link.
    app.handle(&store, [key('G'), code(KeyCode::Enter)]);
    app.handle(&store, [key('F')]);
    assert!(app.state.status.as_deref().unwrap().contains("no web link"));
    // The newest article, from the feed, has one.
    app.handle(&store, [key('g'), code(KeyCode::Enter)]);
    let a = app.state.reader.article.clone().unwrap();
    assert_eq!(a.title, "Council votes");
    let fx = update(&mut app.state, Msg::Action(Action::FullText));
    assert_eq!(
        fx,
        vec![Effect::FetchFullText {
            id: a.id.clone(),
            url: "https://news.example/1".into()
        }]
    );
    assert!(status_line(&app.state).contains("fetching full text…"));
    let busy = update(&mut app.state, Msg::Action(Action::FullText));
    assert!(busy.is_empty());
    let fx = update(
        &mut app.state,
        Msg::FullTextDone {
            id: a.id.clone(),
            result: Ok(12),
        },
    );
    assert_eq!(app.state.jobs.full_text, None);
    assert_eq!(
        app.state.status.as_deref(),
        Some("full text stored (12 paragraphs)")
    );
    assert!(fx.contains(&Effect::LoadArticle(a.id.clone())));
    update(&mut app.state, Msg::Action(Action::FullText));
    update(
        &mut app.state,
        Msg::FullTextDone {
            id: a.id,
            result: Err("https://news.example/1: HTTP 404".into()),
        },
    );
    assert_eq!(
        app.state.status.as_deref(),
        Some("full text: https://news.example/1: HTTP 404")
    );
    // Through the runner, an in-memory cache refuses with a message.
    app.handle(&store, [key('F')]);
    assert!(app.state.status.as_deref().unwrap().contains("cache file"));
}

#[test]
fn snapshot_feed_picker() {
    let (store, _, _) = fixture_with_feeds();
    let mut app = started(&store, 120, 30);
    app.handle(&store, [key('f')]);
    app.handle(&store, [key('j')]);
    let t = screen(&app);
    insta::assert_snapshot!("feed_picker", t.backend());
    let buf = t.backend().buffer();
    let (y, x) = find(buf, "Example News").expect("the feed row");
    assert_eq!(
        buf[(x, y)].bg,
        Color::Cyan,
        "the selected row is highlighted"
    );
}

#[test]
fn a_feeds_article_is_labelled_with_the_feeds_name() {
    let mut state = AppState::new(220, 10);
    let fx = update(&mut state, Msg::Start);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::LoadFeedNames)),
        "{fx:?}"
    );
    let meta = crate::model::ArticleMeta {
        id: crate::model::ArticleId::new("f1".to_string()),
        title: "Storm reaches the coast".into(),
        section: None,
        published: Some("2024-11-01".into()),
        source: "feed:3".into(),
        read: false,
        starred: false,
    };
    update(
        &mut state,
        Msg::HeadLoaded {
            source: ListSource::Filter(ListFilter::All),
            metas: vec![meta],
        },
    );
    let list_text = |state: &AppState| {
        let mut t = Terminal::new(TestBackend::new(state.width, state.height)).expect("terminal");
        draw(&mut t, state).expect("draw");
        let buf = t.backend().buffer();
        (0..state.height)
            .map(|y| {
                (0..state.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    // Before the names are read (or for a removed feed): its number.
    assert!(
        list_text(&state).contains("feed 3"),
        "{}",
        list_text(&state)
    );
    update(
        &mut state,
        Msg::FeedNamesLoaded([(3, "Morning Wire".to_string())].into_iter().collect()),
    );
    let text = list_text(&state);
    assert!(
        text.contains("Morning Wire") && !text.contains("feed 3"),
        "{text}"
    );
}
