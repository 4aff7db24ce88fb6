//! Broken or foreign caches: truncated, random bytes, a newer schema, read-only, a full disk.
//! Each gets one clear line that names the file and says what to do; `doctor` moves a
//! broken cache aside (never deletes it) and starts a fresh one; nothing panics.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;

fn dateline(db: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("dateline")
        .unwrap()
        .env("DATELINE_DB", db)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn populated(dir: &Path) -> PathBuf {
    let db = dir.join("cache.db");
    assert!(dateline(&db, &["import", "--samples"]).status.success());
    db
}

fn assert_one_clear_line(o: &Output, db: &Path, advice: &str) {
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(db.to_str().unwrap()) && err.contains(advice),
        "{err}"
    );
}

#[test]
fn truncated_cache_is_reported_and_doctor_moves_it_aside() {
    let dir = tempfile::tempdir().unwrap();
    let db = populated(dir.path());
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() / 3]).unwrap();
    let o = dateline(&db, &["search", "--json", "stampede"]);
    assert_one_clear_line(&o, &db, "dateline doctor");

    let o = dateline(&db, &["doctor"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("moved it to"), "{out}");
    let aside: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        std::fs::read(&aside[0]).unwrap(),
        &bytes[..bytes.len() / 3],
        "kept as it was"
    );
    // The fresh cache works.
    let o = dateline(&db, &["list", "--json"]);
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[]");
    assert!(dateline(&db, &["doctor"]).status.success());
}

#[test]
fn doctor_compact_says_what_it_did_when_there_was_nothing_to_compact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cache.db");
    let o = dateline(&db, &["doctor", "--compact"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("no cache yet") && out.contains("nothing to compact"),
        "{out}"
    );
    assert!(!db.exists(), "doctor creates no cache");

    let db = populated(dir.path());
    std::fs::write(
        &db,
        b"not a database at all, but long enough to look like a header.....",
    )
    .unwrap();
    let o = dateline(&db, &["doctor", "--compact"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("moved it to"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("not compacted: the fresh cache is empty"),
        "{out}"
    );
}

#[test]
fn random_bytes_are_not_a_cache() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("random.db");
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let junk: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&db, &junk).unwrap();
    assert_one_clear_line(&dateline(&db, &["list"]), &db, "dateline doctor");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        junk,
        "never touched before doctor"
    );
    assert!(dateline(&db, &["doctor"]).status.success());
    assert!(dateline(&db, &["list"]).status.success());
}

#[test]
fn a_newer_schema_is_refused_and_doctor_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = populated(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    assert_one_clear_line(&dateline(&db, &["list"]), &db, "newer dateline");
    let o = dateline(&db, &["doctor"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(db.exists(), "a newer cache is not ours to move");
}

/// A tmpfs mount for a test, unmounted when dropped. Needs the right to mount; tests skip
/// with a reason when they do not have it.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(at).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(at.to_path_buf()))
    }

    fn remount_read_only(&self) -> bool {
        std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn read_only_cache_is_named_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&dir.path().join("ro"), "8m") else {
        eprintln!(
            "skipping: cannot mount a tmpfs here (needs root) to make a read-only file system"
        );
        return;
    };
    let db = populated(&mount.0);
    assert!(mount.remount_read_only());
    assert_one_clear_line(&dateline(&db, &["list"]), &db, "read-only");
}

#[test]
fn full_disk_fails_cleanly_and_keeps_the_cache_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = small_disk(dir.path()) else {
        return;
    };
    let db = mount.0.join("cache.db");
    assert!(dateline(&db, &["stats"]).status.success(), "an empty cache");
    // Fill the disk, then leave 200 KB: room to start the import, not for the samples.
    let filler = mount.0.join("filler");
    fill_up_leaving(&filler, 200 * 1024);
    let o = dateline(&db, &["import", "--samples"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("disk is full") && err.contains(db.to_str().unwrap()),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    // With space freed, as the error advises, what was stored is whole: the cache checks
    // out and lists what it holds.
    std::fs::remove_file(&filler).unwrap();
    assert_doctor_finds_it_ok(&db);
    assert!(dateline(&db, &["list", "--json"]).status.success());
}

#[test]
fn compacting_on_a_full_disk_fails_cleanly_and_keeps_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = small_disk(dir.path()) else {
        return;
    };
    let db = populated(&mount.0);
    let count = |db: &Path| {
        let o = dateline(db, &["list", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array().map(Vec::len)
    };
    let before = count(&db);
    // Room to open and check the cache, not for the rewritten copy a VACUUM makes.
    let filler = mount.0.join("filler");
    fill_up_leaving(&filler, 300 * 1024);
    let o = dateline(&db, &["doctor", "--compact"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(": ok"), "checked first: {out} {}", stderr(&o));
    assert_one_clear_line(&o, &db, "disk is full");
    std::fs::remove_file(&filler).unwrap();
    assert_doctor_finds_it_ok(&db);
    assert_eq!(count(&db), before);
}

/// An 8 MB file system to fill, or `None` (with the reason printed) where none can be
/// mounted.
fn small_disk(dir: &Path) -> Option<Mount> {
    let mount = Mount::tmpfs(&dir.join("full"), "8m");
    if mount.is_none() {
        eprintln!("skipping: cannot mount a small tmpfs here (needs root) to fill a disk");
    }
    mount
}

fn assert_doctor_finds_it_ok(db: &Path) {
    let o = dateline(db, &["doctor"]);
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains(": ok"),
        "{}",
        stderr(&o)
    );
}

/// Writes `path` until the file system has no room left, then gives back `room` bytes.
fn fill_up_leaving(path: &Path, room: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 16 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.flush();
    let len = f.metadata().unwrap().len();
    f.set_len(len.saturating_sub(room)).unwrap();
}
