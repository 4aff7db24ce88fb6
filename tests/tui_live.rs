//! The reader as a long-running process: it shows articles another process imports while it
//! is open, and it leaves the terminal as it found it when killed with SIGTERM or SIGHUP.
//! Skips, saying why, when tmux is missing.

mod common;

use common::tmux::{self, Tmux};
use std::path::Path;
use std::process::Command;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/articles/00-japan-eu-security-partnership.txt"
);

/// The shell printed the reader's exit status: a line of its own, not the typed command
/// (which holds `EXITED-$?` while the reader is still starting).
fn exited(screen: &str) -> bool {
    screen.lines().any(|l| l.starts_with("EXITED-"))
}

fn seeded_cache(dir: &Path) -> String {
    let db = dir.join("cache.db");
    let out = Command::new(env!("CARGO_BIN_EXE_dateline"))
        .args(["--db", db.to_str().unwrap(), "import", SEED])
        .output()
        .unwrap();
    assert!(out.status.success());
    db.to_str().unwrap().to_string()
}

#[test]
fn the_reader_shows_articles_imported_while_it_is_open() {
    if !tmux::available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_cache(dir.path());
    let t = Tmux::start(
        "live",
        160,
        45,
        &[
            ("DATELINE_DB", db.as_str()),
            ("HOME", dir.path().to_str().unwrap()),
        ],
    );
    t.run(&format!(
        "'{}'; echo EXITED-$?",
        env!("CARGO_BIN_EXE_dateline")
    ));
    t.wait_for("the reader", |s| s.contains("list 1/1"));

    // Another process writes 30 articles while the reader is open.
    let batch = dir.path().join("batch");
    std::fs::create_dir(&batch).unwrap();
    for i in 0..30 {
        std::fs::write(
            batch.join(format!("{i}.txt")),
            format!("Harbour story {i}\n\nA harbour paragraph {i}.\n"),
        )
        .unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_dateline"))
        .args(["--db", &db, "import", batch.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the import succeeds beside the reader: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = t.wait_for("the new articles without a restart", |s| s.contains("/31"));
    assert!(s.contains("Harbour story"), "{s}");
    // And the reader still works: search finds a new article.
    t.keys(&["/"]);
    t.literal("harbour");
    t.keys(&["Enter"]);
    t.wait_for("search over the new articles", |s| {
        s.contains("search: harbour (30)")
    });
    t.keys(&["q"]);
    t.wait_for("the shell", |s| {
        s.lines().any(|l| l.starts_with("EXITED-0"))
    });
    t.assert_restored();
}

fn killed_with(signal: &str) {
    if !tmux::available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_cache(dir.path());
    let t = Tmux::start(&format!("sig{signal}"), 120, 30, &[]);
    // The cache path is unique to this test, so it finds this reader's process.
    t.run(&format!(
        "'{}' --db '{db}'; echo EXITED-$?",
        env!("CARGO_BIN_EXE_dateline")
    ));
    t.wait_for("the reader", |s| s.contains("list 1/1"));
    let pid = Command::new("pgrep")
        .args(["-f", "--", &format!("--db {db}$")])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().last().map(str::to_string));
    let pid = pid.expect("pgrep finds the reader's process");
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let s = t.wait_for("the shell after the signal", exited);
    assert!(!s.contains("? help"), "the reader's screen is gone:\n{s}");
    t.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    killed_with("TERM");
}

#[test]
fn sighup_restores_the_terminal() {
    killed_with("HUP");
}

#[test]
fn a_panic_restores_the_terminal() {
    if !tmux::available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_cache(dir.path());
    let t = Tmux::start("panic", 100, 30, &[("DATELINE_TEST_PANIC", "1")]);
    let log = dir.path().join("panic.txt");
    t.run(&format!(
        "'{}' --db '{db}' 2>'{}'; echo EXITED-$?",
        env!("CARGO_BIN_EXE_dateline"),
        log.display()
    ));
    let s = t.wait_for("the shell after the panic", exited);
    assert!(!s.contains("EXITED-0"), "a panic is a failure:\n{s}");
    t.assert_restored();
    // The shell still echoes what is typed (raw mode is off).
    t.run("echo STILL-COOKED");
    t.wait_for("a cooked terminal", |s| {
        s.lines().any(|l| l.trim() == "STILL-COOKED")
    });
    let printed = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        printed.contains("DATELINE_TEST_PANIC"),
        "the panic message is printed: {printed}"
    );
}

#[test]
fn closing_the_terminal_ends_the_reader() {
    if !tmux::available() {
        println!("skipped: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_cache(dir.path());
    let alive = || {
        Command::new("pgrep")
            .args(["-f", "--", &format!("--db {db}$")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    {
        let t = Tmux::start("close", 100, 30, &[]);
        t.run(&format!(
            "exec '{}' --db '{db}'",
            env!("CARGO_BIN_EXE_dateline")
        ));
        t.wait_for("the reader", |s| s.contains("list 1/1"));
        assert!(alive());
    } // the tmux server is killed here: the terminal goes away under the reader
    let gone = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        !alive()
    });
    assert!(
        gone,
        "the reader must exit when its terminal closes, not spin on"
    );
}
