//! The keymap as data: each row is a key, the context where it applies, the action it asks
//! for and a description. The `?` overlay is drawn from these rows, so adding a key is adding
//! one row here (and, for a new action, one arm in `update`).

use super::action::Action;
use super::state::Focus;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. `Global` rows apply when no pane row matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Global,
    List,
    Reader,
    Sidebar,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Article list",
            Context::Reader => "Reader",
            Context::Sidebar => "Entity sidebar",
        }
    }

    fn of(focus: Focus) -> Context {
        match focus {
            Focus::List => Context::List,
            Focus::Reader => Context::Reader,
            Focus::Sidebar => Context::Sidebar,
        }
    }
}

/// A key with its modifiers, as the keymap spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

/// One row of the keymap.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    /// How the keys are written in the help overlay.
    pub label: &'static str,
    pub action: Action,
    pub description: &'static str,
}

const fn row(
    context: Context,
    keys: &'static [Key],
    label: &'static str,
    action: Action,
    description: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        label,
        action,
        description,
    }
}

use Context::{Global, List, Reader, Sidebar};

/// The default keymap. Pane rows come before global rows so a pane can give a key its own
/// meaning (`N` is the previous search hit in the reader, the previous mention in the sidebar).
pub const DEFAULT: &[Binding] = &[
    row(
        List,
        &[ch('j'), key(KeyCode::Down)],
        "j ↓",
        Action::Down,
        "next article",
    ),
    row(
        List,
        &[ch('k'), key(KeyCode::Up)],
        "k ↑",
        Action::Up,
        "previous article",
    ),
    row(
        List,
        &[ch('g'), key(KeyCode::Home)],
        "g",
        Action::First,
        "first article",
    ),
    row(
        List,
        &[ch('G'), key(KeyCode::End)],
        "G",
        Action::Last,
        "last article",
    ),
    row(
        List,
        &[key(KeyCode::Enter)],
        "Enter",
        Action::Activate,
        "open the article and mark it read",
    ),
    row(
        Reader,
        &[ch('j'), key(KeyCode::Down)],
        "j ↓",
        Action::Down,
        "scroll down a line",
    ),
    row(
        Reader,
        &[ch('k'), key(KeyCode::Up)],
        "k ↑",
        Action::Up,
        "scroll up a line",
    ),
    row(
        Reader,
        &[ch('g'), key(KeyCode::Home)],
        "g",
        Action::First,
        "top of the article",
    ),
    row(
        Reader,
        &[ch('G'), key(KeyCode::End)],
        "G",
        Action::Last,
        "end of the article",
    ),
    row(Reader, &[ch('n')], "n", Action::NextHit, "next search hit"),
    row(
        Reader,
        &[ch('N')],
        "N",
        Action::PrevHit,
        "previous search hit",
    ),
    row(
        Sidebar,
        &[ch('j'), key(KeyCode::Down)],
        "j ↓",
        Action::Down,
        "next entity",
    ),
    row(
        Sidebar,
        &[ch('k'), key(KeyCode::Up)],
        "k ↑",
        Action::Up,
        "previous entity",
    ),
    row(
        Sidebar,
        &[ch('g'), key(KeyCode::Home)],
        "g",
        Action::First,
        "first entity",
    ),
    row(
        Sidebar,
        &[ch('G'), key(KeyCode::End)],
        "G",
        Action::Last,
        "last entity",
    ),
    row(
        Sidebar,
        &[key(KeyCode::Enter)],
        "Enter",
        Action::Activate,
        "jump to the next mention",
    ),
    row(
        Sidebar,
        &[ch('N')],
        "N",
        Action::PrevMention,
        "jump to the previous mention",
    ),
    row(
        Sidebar,
        &[ch('a')],
        "a",
        Action::EntityArticles,
        "list every article that mentions it",
    ),
    row(
        Global,
        &[key(KeyCode::PageDown), ch(' ')],
        "PgDn Space",
        Action::PageDown,
        "scroll the reader down a page",
    ),
    row(
        Global,
        &[key(KeyCode::PageUp)],
        "PgUp",
        Action::PageUp,
        "scroll the reader up a page",
    ),
    row(
        Global,
        &[key(KeyCode::Tab)],
        "Tab",
        Action::FocusNext,
        "focus the next pane",
    ),
    row(
        Global,
        &[
            key(KeyCode::BackTab),
            Key {
                code: KeyCode::BackTab,
                mods: KeyModifiers::SHIFT,
            },
        ],
        "Shift-Tab",
        Action::FocusPrev,
        "focus the previous pane",
    ),
    row(
        Global,
        &[ch('h'), key(KeyCode::Left)],
        "h ←",
        Action::FocusLeft,
        "focus the pane on the left",
    ),
    row(
        Global,
        &[ch('l'), key(KeyCode::Right)],
        "l →",
        Action::FocusRight,
        "focus the pane on the right",
    ),
    row(
        Global,
        &[ch('/')],
        "/",
        Action::Search,
        "search (Enter keeps the results, Esc clears)",
    ),
    row(
        Global,
        &[ch('n')],
        "n",
        Action::NextHit,
        "next search hit in the article",
    ),
    row(
        Global,
        &[ch('N')],
        "N",
        Action::PrevHit,
        "previous search hit in the article",
    ),
    row(Global, &[ch('r')], "r", Action::ToggleRead, "toggle read"),
    row(Global, &[ch('s')], "s", Action::ToggleStar, "toggle star"),
    row(
        Global,
        &[ch('e')],
        "e",
        Action::ToggleSidebar,
        "show the entities (narrow terminals)",
    ),
    row(
        Global,
        &[key(KeyCode::Backspace), ctrl('o'), ch('[')],
        "Bksp Ctrl-o [",
        Action::Back,
        "back through lists and articles",
    ),
    row(
        Global,
        &[ctrl('i'), ch(']')],
        "Ctrl-i ]",
        Action::Forward,
        "forward again",
    ),
    row(
        Global,
        &[ch('o')],
        "o",
        Action::OpenLink,
        "open the source link in the browser",
    ),
    row(
        Global,
        &[ch('f')],
        "f",
        Action::Feeds,
        "pick a feed to list (or all articles)",
    ),
    row(
        Global,
        &[ch('R')],
        "R",
        Action::RefreshFeeds,
        "refresh every feed in the background",
    ),
    row(
        Global,
        &[ch('F')],
        "F",
        Action::FullText,
        "fetch the article's full text from its link",
    ),
    row(
        Global,
        &[key(KeyCode::Esc)],
        "Esc",
        Action::Cancel,
        "clear the search, close overlays",
    ),
    row(Global, &[ch('?')], "?", Action::Help, "this help"),
    row(Global, &[ch('q')], "q", Action::Quit, "quit"),
    row(Global, &[ctrl('c')], "Ctrl-c", Action::Quit, "quit, always"),
];

/// The action `event` asks for with `focus`, if any.
pub fn lookup(map: &[Binding], focus: Focus, event: &KeyEvent) -> Option<Action> {
    let pane = Context::of(focus);
    let matches = |b: &&Binding| b.keys.iter().any(|k| key_matches(k, event));
    map.iter()
        .filter(|b| b.context == pane)
        .find(matches)
        .or_else(|| map.iter().filter(|b| b.context == Global).find(matches))
        .map(|b| b.action)
}

fn key_matches(k: &Key, event: &KeyEvent) -> bool {
    if k.code != event.code {
        return false;
    }
    // Shift is implied by the character itself (`G`, `?`), and terminals disagree on
    // whether they report it, so it is ignored for characters.
    let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
    match k.code {
        KeyCode::Char(_) => (event.modifiers & relevant) == (k.mods & relevant),
        KeyCode::BackTab => true,
        _ => (event.modifiers & relevant) == k.mods & relevant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn pane_rows_win_over_global_rows() {
        let n = ev(KeyCode::Char('N'), KeyModifiers::SHIFT);
        assert_eq!(
            lookup(DEFAULT, Focus::Sidebar, &n),
            Some(Action::PrevMention)
        );
        assert_eq!(lookup(DEFAULT, Focus::Reader, &n), Some(Action::PrevHit));
        assert_eq!(lookup(DEFAULT, Focus::List, &n), Some(Action::PrevHit));
    }

    #[test]
    fn control_keys_need_control() {
        let c = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(DEFAULT, Focus::List, &c), Some(Action::Quit));
        let plain_c = ev(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(lookup(DEFAULT, Focus::List, &plain_c), None);
        let o = ev(KeyCode::Char('o'), KeyModifiers::CONTROL);
        assert_eq!(lookup(DEFAULT, Focus::Reader, &o), Some(Action::Back));
    }

    #[test]
    fn arrows_and_vi_keys_agree() {
        for f in [Focus::List, Focus::Reader, Focus::Sidebar] {
            assert_eq!(
                lookup(DEFAULT, f, &ev(KeyCode::Char('j'), KeyModifiers::NONE)),
                lookup(DEFAULT, f, &ev(KeyCode::Down, KeyModifiers::NONE))
            );
        }
    }
}
