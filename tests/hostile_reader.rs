//! The hostile corpus in the reader: every article opened and drawn on a `TestBackend` at
//! several sizes, with every pane focused. No cell may hold a control character, an escape
//! or a bidi override, and every row must measure exactly the terminal's width, so wide
//! characters (CJK, emoji with skin tones) never push a pane's border out of place.

use dateline::model::ArticleId;
use dateline::store::Store;
use dateline::tui::App;
use dateline::tui::action::Action;
use dateline::tui::run::draw;
use dateline::tui::update::Msg;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use unicode_width::UnicodeWidthStr;

fn hostile_articles() -> Vec<(&'static str, String)> {
    vec![
        ("osc52", "Clipboard \x1b]52;c;ZXZpbA==\x07grab\n\nBody \x1b]52;c;ZXZpbA==\x1b\\ text.\n".into()),
        ("osc8", "Link \x1b]8;;https://evil.example\x1b\\bank\x1b]8;;\x1b\\ spoof\n\nBody.\n".into()),
        ("title", "Title \x1b]0;owned\x07set\n\nBody \x1b]2;owned\x1b\\.\n".into()),
        ("cursor", "Cursor \x1b[10;10H\x1b[2A moves\n\nBody \x1b7\x1b8 \x1b[2J\x1bc clears.\n".into()),
        ("c1", "C1 \u{9b}31m csi\n\nBody \u{9b}2J \u{9d}0;t\u{9c} text \u{85}.\n".into()),
        ("bidi", "Trojan \u{202e}evil\u{202c} source\n\nif access \u{2066}// admin\u{2069}\u{2066} then.\n".into()),
        ("combining", format!("Zalgo Z{}\n\nBody a{} b.\n", "\u{301}".repeat(10_000), "\u{300}".repeat(500))),
        ("long line", format!("One long line\n\n{}\n", "word ".repeat(200_000))),
        (
            "scripts",
            "多言語のニュース 新闻 뉴스 速報\n\nالأخبار العربية في النص. חדשות בעברית. हिंदी समाचार पाठ। 東京で会議が開かれた。Emoji 👍🏽 👩‍👩‍👧 🇯🇵 done.\n\n[Caption] 写真 👨🏿‍🚀 caption [東京 via 共同]\n".into(),
        ),
    ]
}

fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn check_screen(terminal: &Terminal<TestBackend>, what: &str) {
    let buf = terminal.backend().buffer();
    let area = buf.area;
    for y in 0..area.height {
        let mut x = 0;
        while x < area.width {
            let sym = buf[(x, y)].symbol();
            assert!(
                !sym.chars().any(forbidden),
                "{what}: cell ({x},{y}) holds {sym:?}"
            );
            // One grapheme per cell, at most two columns wide; a wide one covers the next
            // cell. Measured per cell, as a terminal lays them out (a whole-string width
            // would count ligatures such as Arabic lam-alef as one column).
            let w = sym.width();
            assert!(w <= 2, "{what}: cell ({x},{y}) holds {sym:?} of width {w}");
            x += (w as u16).max(1);
        }
        assert_eq!(x, area.width, "{what}: row {y} overruns the screen");
    }
}

#[test]
fn hostile_articles_draw_clean_and_aligned() {
    let mut store = Store::open_in_memory().unwrap();
    let mut ids: Vec<ArticleId> = Vec::new();
    for (name, text) in hostile_articles() {
        let parsed = dateline::ingest::parse_bytes(text.as_bytes(), name).unwrap();
        let entities = dateline::entities::extract(&parsed.article);
        store.upsert(&parsed.article, &entities).unwrap();
        ids.push(parsed.article.id);
    }
    for (w, h) in [(160, 45), (100, 30), (60, 20), (20, 5), (1, 1)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut app = App::new(w, h);
        app.spawn_links = false;
        app.handle(&store, [Msg::Start]);
        for i in 0..ids.len() {
            for focus in [Action::FocusNext, Action::FocusNext, Action::FocusNext] {
                draw(&mut terminal, &app.state).unwrap();
                check_screen(&terminal, &format!("{w}x{h} article {i}"));
                app.handle(&store, [Msg::Action(focus)]);
            }
            for a in [Action::PageDown, Action::Last, Action::Help] {
                app.handle(&store, [Msg::Action(a)]);
                draw(&mut terminal, &app.state).unwrap();
                check_screen(&terminal, &format!("{w}x{h} article {i} after {a:?}"));
            }
            app.handle(
                &store,
                [Msg::Action(Action::Cancel), Msg::Action(Action::Help)],
            );
            app.handle(&store, [Msg::Action(Action::Cancel)]);
            // Next article: down in the list, open it.
            app.state.focus = dateline::tui::state::Focus::List;
            app.handle(
                &store,
                [Msg::Action(Action::Down), Msg::Action(Action::Activate)],
            );
        }
    }
}
