//! End to end: the real binary in a real terminal (tmux at 160×45), driven by keys and read
//! back from the screen as a person would see it. Skips, saying why, when tmux is missing.
//!
//! The entity steps need the extractor; they run whenever `entities::extract` finds
//! something in the seed article, and then must pass.

mod common;

use common::tmux::{self, Tmux};
use std::path::{Path, PathBuf};
use std::process::Command;

const SEED: &str = "assets/articles/00-japan-eu-security-partnership.txt";

/// Whether a line of `capture-pane -e` output shows `word` in reverse video (the mark).
fn reversed(styled: &str, word: &str) -> bool {
    styled.lines().any(|line| {
        // SGR state carries across sequences (`ESC[1;7m ESC[38;5;6m Borrell`).
        let mut on = false;
        line.split("\x1b[").any(|seg| {
            let Some((params, text)) = seg.split_once('m') else {
                return false;
            };
            let ps: Vec<&str> = params.split(';').collect();
            let mut i = 0;
            while i < ps.len() {
                match ps[i] {
                    "7" => on = true,
                    "0" | "" | "27" => on = false,
                    // Colours carry arguments that are not attributes: 38;5;7 is grey.
                    "38" | "48" | "58" => i += if ps.get(i + 1) == Some(&"2") { 4 } else { 2 },
                    _ => {}
                }
                i += 1;
            }
            on && text.trim_start().starts_with(word)
        })
    })
}

#[test]
fn reader_in_a_real_terminal() {
    if !tmux::available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_dateline");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let db: PathBuf = dir.path().join("cache.db");

    // Just the seed article, so it is the first (and only) one in the list.
    let import = Command::new(bin)
        .arg("import")
        .arg(root.join(SEED))
        .env("DATELINE_DB", &db)
        .env("HOME", &home)
        .output()
        .expect("dateline import runs");
    assert!(
        import.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&import.stderr)
    );

    let (home_s, db_s) = (home.display().to_string(), db.display().to_string());
    let tmux = Tmux::start(
        "e2e",
        160,
        45,
        &[("HOME", home_s.as_str()), ("DATELINE_DB", db_s.as_str())],
    );
    tmux.literal(&format!("'{bin}'; echo EXITED-$?"));
    tmux.keys(&["Enter"]);

    // The whole first frame: tmux can be read while a frame is still being written.
    tmux.wait_for(
        "the seed article with its standfirst and the status bar",
        |s| {
            s.contains("Japan and EU announce security partnership")
                && s.contains("EU and Japan to enhance military ties")
                && s.contains("? help")
        },
    );

    let seed = dateline::ingest::parse_file(&root.join(SEED)).expect("seed parses");
    if dateline::entities::extract(&seed.article).is_empty() {
        println!("entity steps skipped: the extractor finds nothing yet");
    } else {
        let s = tmux.wait_for("people in the sidebar", |s| s.contains("Josep Borrell"));
        let lines: Vec<&str> = s.lines().collect();
        let at = |needle: &str| lines.iter().position(|l| l.contains(needle));
        let people = at("People").expect("a People heading");
        for name in ["Josep Borrell", "Takeshi Iwaya", "Gen Nakatani"] {
            let row = lines
                .iter()
                .enumerate()
                .skip(people)
                // The sidebar is the rightmost column of panes at 160 wide.
                .find(|(_, l)| l.chars().skip(120).collect::<String>().contains(name))
                .map(|(i, _)| i)
                .unwrap_or_else(|| panic!("{name} in the sidebar:\n{s}"));
            for other in ["Organisations", "Places", "Other"] {
                if let Some(h) = at(other) {
                    assert!(!(people < h && h < row), "{name} is under People:\n{s}");
                }
            }
        }
        // Focus the sidebar (list → reader → sidebar); the most mentioned person is first.
        tmux.keys(&["Tab", "Tab"]);
        tmux.wait_for("sidebar focus", |s| s.contains(" entities 1/"));
        tmux.keys(&["Enter"]);
        tmux.wait_for("the jump", |s| s.contains("Josep Borrell: mention 1/"));
        let styled = tmux.screen_with_styles();
        assert!(
            reversed(&styled, "Josep Borrell") || reversed(&styled, "Borrell"),
            "a highlighted Borrell:\n{styled}"
        );
        tmux.keys(&["Enter"]);
        tmux.wait_for("the next mention", |s| {
            s.contains("Josep Borrell: mention 2/")
        });
        tmux.keys(&["a"]);
        tmux.wait_for("the entity list", |s| s.contains("entity: Josep Borrell ("));
        tmux.keys(&["BSpace"]);
        tmux.wait_for("back to all articles", |s| {
            s.contains("all articles") && !s.contains("entity: Josep Borrell (")
        });
    }

    tmux.keys(&["/"]);
    tmux.literal("Borrell");
    tmux.wait_for("results as you type", |s| s.contains("/Borrell"));
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("search results", |s| s.contains("search: Borrell (1)"));
    assert!(
        s.contains("Japan and EU announce"),
        "the match is listed:\n{s}"
    );

    tmux.keys(&["q"]);
    let s = tmux.wait_for("the shell again", |s| s.contains("EXITED-0"));
    assert!(
        !s.contains("all articles"),
        "the reader's screen is gone:\n{s}"
    );
    tmux.assert_restored();
}
