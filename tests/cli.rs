//! The scripting CLI as tests and benchmarks drive it: commands, JSON keys and exit codes.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/articles/00-japan-eu-security-partnership.txt"
);

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("cache.db")
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("dateline").unwrap();
        c.env("DATELINE_DB", self.db()).env("NO_COLOR", "1");
        c
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn json_lines(&self, args: &[&str]) -> (Vec<Value>, i32) {
        let out = self.cmd().args(args).output().unwrap();
        let lines = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (lines, out.status.code().unwrap())
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

fn expected() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/japan-eu-security-partnership.expected.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn seed_import_and_show_match_the_expected_parse() {
    let env = Env::new();
    let (lines, code) = env.json_lines(&["import", "--json", SEED]);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["status"], "imported");
    assert_eq!(lines[0]["path"], SEED);
    let id = lines[0]["id"].as_str().unwrap().to_string();

    let shown = env.json(&["show", "--json", &id]);
    let want = &expected()["article"];
    for key in ["section", "title", "standfirst", "published"] {
        assert_eq!(shown[key], want[key], "{key}");
    }
    let blocks = shown["blocks"].as_array().unwrap();
    let paras: Vec<&str> = blocks
        .iter()
        .filter(|b| b["kind"] == "paragraph")
        .map(|b| b["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        paras.len() as u64,
        want["body_paragraphs"].as_u64().unwrap()
    );
    assert!(paras[0].starts_with(want["first_paragraph_starts"].as_str().unwrap()));
    assert!(
        paras
            .last()
            .unwrap()
            .starts_with(want["last_paragraph_starts"].as_str().unwrap())
    );
    let captions: Vec<&Value> = blocks.iter().filter(|b| b["kind"] == "caption").collect();
    assert_eq!(captions.len() as u64, want["captions"].as_u64().unwrap());
    for needle in want["caption_credits_contain"].as_array().unwrap() {
        let needle = needle.as_str().unwrap();
        assert!(
            captions
                .iter()
                .any(|c| c["credit"].as_str().unwrap_or("").contains(needle))
        );
    }
    for bad in want["not_in_body_or_title"].as_array().unwrap() {
        let bad = bad.as_str().unwrap();
        assert!(!shown["title"].as_str().unwrap().contains(bad));
        for b in blocks {
            assert!(!b["text"].as_str().unwrap().contains(bad), "{bad}");
        }
    }

    // Re-import: unchanged, and the count stays the same.
    let (again, _) = env.json_lines(&["import", "--json", SEED]);
    assert_eq!(again[0]["status"], "unchanged");
    assert_eq!(env.json(&["list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn samples_give_41_articles_once() {
    let env = Env::new();
    let (lines, code) = env.json_lines(&["import", "--json", "--samples"]);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 41);
    assert!(lines.iter().all(|l| l["status"] == "imported"));
    let (again, _) = env.json_lines(&["import", "--json", "--samples"]);
    assert!(again.iter().all(|l| l["status"] == "unchanged"));
    let list = env.json(&["list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 41);
    for key in [
        "id",
        "title",
        "section",
        "published",
        "source",
        "read",
        "starred",
    ] {
        assert!(list[0].get(key).is_some(), "list key {key}");
    }

    // A Wikinews interview: title, date, link, captions and turns.
    let mcguire = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["title"] == "Interview with LibriVox founder Hugh McGuire")
        .unwrap();
    assert_eq!(mcguire["published"], "2006-05-28");
    let shown = env.json(&["show", "--json", mcguire["id"].as_str().unwrap()]);
    assert_eq!(
        shown["link"],
        "https://en.wikinews.org/wiki/Interview_with_LibriVox_founder_Hugh_McGuire"
    );
    let blocks = shown["blocks"].as_array().unwrap();
    assert_eq!(blocks.iter().filter(|b| b["kind"] == "caption").count(), 2);
    assert_eq!(
        blocks
            .iter()
            .filter(|b| b["speaker"] == "Hugh McGuire")
            .count(),
        6
    );
    assert_eq!(
        blocks.iter().filter(|b| b["kind"] == "list_item").count(),
        6
    );
    assert!(
        !blocks
            .iter()
            .any(|b| b["text"].as_str().unwrap().contains("CC BY"))
    );
}

#[test]
fn search_ranks_phrases_prefixes_and_survives_bad_queries() {
    let env = Env::new();
    env.json_lines(&["import", "--json", "--samples"]);
    let seed_id = env.json_lines(&["import", "--json", SEED]).0[0]["id"].clone();
    let hits = env.json(&["search", "--json", "security partnership"]);
    assert_eq!(hits[0]["id"], seed_id);
    for key in ["id", "title", "score", "snippet"] {
        assert!(hits[0].get(key).is_some());
    }
    assert!(hits[0]["snippet"].as_str().unwrap().contains("«"));
    let phrase = env.json(&["search", "--json", "\"defence industry\""]);
    assert_eq!(phrase.as_array().unwrap().len(), 1);
    assert_eq!(phrase[0]["id"], seed_id);
    let prefix = env.json(&["search", "--json", "partner*"]);
    assert!(
        prefix
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == seed_id)
    );
    for q in ["\"unbalanced", "(((", "*", "AND OR NOT", "covid-19", "c++"] {
        let v = env.json(&["search", "--json", q]);
        assert!(v.is_array(), "{q}");
    }
}

#[test]
fn a_bad_batch_imports_the_good_file_and_names_each_bad_one() {
    let env = Env::new();
    let empty = env.write("empty.txt", b"");
    let binary = env.write("binary.txt", b"\x7fELF\x00\x01\x02");
    let huge = env.write("huge.txt", &vec![b'a'; 20 * 1024 * 1024]);
    let good = env.write("good.txt", b"A good headline\n\nA good paragraph.\n");
    let link = env.dir.path().join("broken.txt");
    std::os::unix::fs::symlink(env.dir.path().join("missing"), &link).unwrap();
    let paths: Vec<&str> = [&empty, &binary, &huge, &link, &good]
        .iter()
        .map(|p| p.to_str().unwrap())
        .collect();
    let mut args = vec!["import", "--json"];
    args.extend(&paths);
    let (lines, code) = env.json_lines(&args);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 5);
    let status = |p: &Path| {
        lines
            .iter()
            .find(|l| l["path"] == p.to_str().unwrap())
            .unwrap()
            .clone()
    };
    for (p, why) in [
        (&empty, "empty"),
        (&binary, "binary"),
        (&huge, "MiB"),
        (&link, "broken symbolic link"),
    ] {
        let l = status(p);
        assert_eq!(l["status"], "error");
        let err = l["error"].as_str().unwrap();
        assert!(
            err.contains(p.to_str().unwrap()) && err.contains(why),
            "{err}"
        );
        assert!(!err.contains('\n'));
    }
    assert_eq!(status(&good)["status"], "imported");
    assert_eq!(env.json(&["list", "--json"]).as_array().unwrap().len(), 1);

    // Human output names the file on stderr, one line each.
    let out = env
        .cmd()
        .args(["import", empty.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("error: ") && l.contains("empty.txt"))
    );
}

#[test]
fn latin1_is_imported_with_a_warning() {
    let env = Env::new();
    let p = env.write("latin1.txt", b"Caf\xe9 society\n\nThe caf\xe9 opened.\n");
    let (lines, code) = env.json_lines(&["import", "--json", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["title"], "Café society");
    assert!(
        lines[0]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Windows-1252")
    );
}

#[test]
fn escape_sequences_never_reach_any_output() {
    let env = Env::new();
    let hostile = "\x1b]0;pwned\x07Evil \x1b[31mtitle\u{202e}\n\n\x1b]52;c;ZXZpbA==\x07Body \u{9b}2J with \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ and a bell\x07.\n";
    let p = env.write("hostile.txt", hostile.as_bytes());
    let (lines, _) = env.json_lines(&["import", "--json", p.to_str().unwrap()]);
    let id = lines[0]["id"].as_str().unwrap().to_string();
    for args in [
        vec!["show", &id],
        vec!["show", "--json", &id],
        vec!["list"],
        vec!["list", "--json"],
        vec!["search", "body"],
        vec!["search", "--json", "body"],
    ] {
        let out = env.cmd().args(&args).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            dateline::sanitize::is_clean(&text.replace('\n', "")),
            "{args:?}: {text:?}"
        );
        assert!(
            !text.contains("pwned") && !text.contains("ZXZpbA"),
            "{args:?}: {text:?}"
        );
    }
    let shown = env.json(&["show", "--json", &id]);
    assert_eq!(shown["title"], "Evil title");
}

#[test]
fn stdin_and_folders() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["import", "--json", "-"])
        .write_stdin("From stdin\n\nPiped text.\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let folder = env.dir.path().join("nested/deeper");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.txt"), "Folder article\n\nText.\n").unwrap();
    std::fs::write(folder.join("README.md"), "# Not an article\n").unwrap();
    std::fs::write(folder.join("image.png"), [0u8, 1, 2]).unwrap();
    let (lines, code) = env.json_lines(&[
        "import",
        "--json",
        env.dir.path().join("nested").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["title"], "Folder article");
    assert_eq!(env.json(&["list", "--json"]).as_array().unwrap().len(), 2);
}

#[test]
fn usage_errors_exit_2_and_unknown_ids_exit_1() {
    let env = Env::new();
    env.cmd().args(["list", "--bogus"]).assert().code(2);
    env.cmd().args(["show", "nosuchid"]).assert().code(1);
    env.cmd()
        .args(["entities", "--top", "5", "--kind", "nonsense"])
        .assert()
        .code(1);
}

#[test]
fn list_by_entity_can_keep_to_one_kind() {
    let env = Env::new();
    let place = env.write(
        "place.txt",
        b"Talks in Washington\n\nOfficials in Washington met on Monday. The talks in Washington lasted long.\n",
    );
    let person = env.write(
        "person.txt",
        b"A crossing remembered\n\nGeorge Washington crossed the river. Washington won the battle.\n",
    );
    let (lines, code) = env.json_lines(&[
        "import",
        "--json",
        place.to_str().unwrap(),
        person.to_str().unwrap(),
    ]);
    assert_eq!((lines.len(), code), (2, 0));
    let titles = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list", "--json", "--entity", "Washington"];
        all.extend_from_slice(args);
        let mut t: Vec<String> = env
            .json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect();
        t.sort();
        t
    };
    // By name or alias: the place and the person a lone `Washington` also names.
    assert_eq!(
        titles(&[]),
        ["A crossing remembered", "Talks in Washington"]
    );
    assert_eq!(titles(&["--kind", "place"]), ["Talks in Washington"]);
    assert_eq!(titles(&["--kind", "person"]), ["A crossing remembered"]);
    env.cmd().args(["list", "--kind", "place"]).assert().code(2);
    env.cmd()
        .args(["list", "--entity", "Washington", "--kind", "planet"])
        .assert()
        .code(1);
}

#[test]
fn stats_names_the_cache() {
    let env = Env::new();
    env.cmd().args(["import", SEED]).assert().success();
    let v = env.json(&["stats", "--json"]);
    assert_eq!(v["articles"], 1);
    assert_eq!(v["path"], env.db().to_str().unwrap());
    assert!(v["size_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn concurrent_writers_and_a_reader_share_the_cache() {
    let env = Env::new();
    env.cmd().args(["import", SEED]).assert().success();
    let mut dirs = Vec::new();
    for w in 0..2 {
        let d = env.dir.path().join(format!("batch{w}"));
        std::fs::create_dir_all(&d).unwrap();
        for i in 0..60 {
            std::fs::write(
                d.join(format!("{i}.txt")),
                format!(
                    "Writer {w} story {i}\n\nParagraph about harbour number {i} from writer {w}.\n"
                ),
            )
            .unwrap();
        }
        dirs.push(d);
    }
    let bin = assert_cmd::cargo::cargo_bin("dateline");
    let writers: Vec<_> = dirs
        .iter()
        .map(|d| {
            std::process::Command::new(&bin)
                .env("DATELINE_DB", env.db())
                .args(["import", "--jobs", "1", d.to_str().unwrap()])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Read while they write: every read succeeds and sees a growing count.
    let mut last = 0;
    for _ in 0..10 {
        let v = env.json(&["stats", "--json"]);
        let n = v["articles"].as_u64().unwrap();
        assert!(n >= last);
        last = n;
    }
    for w in writers {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(env.json(&["stats", "--json"])["articles"], 121);
}

#[test]
fn entity_commands_list_top_related_and_reindex() {
    let env = Env::new();
    env.json_lines(&["import", "--json", "--samples"]);
    let seed_id = env.json_lines(&["import", "--json", SEED]).0[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let ents = env.json(&["entities", "--json", &seed_id]);
    let borrell = ents
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Josep Borrell")
        .expect("Josep Borrell among the seed's entities");
    assert_eq!(borrell["kind"], "person");
    assert!(borrell["count"].as_u64().unwrap() >= 8);
    assert!(
        borrell["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "Borrell")
    );

    let top = env.json(&["entities", "--top", "5", "--kind", "place", "--json"]);
    let top = top.as_array().unwrap();
    assert_eq!(top.len(), 5);
    assert!(top.iter().all(|e| e["kind"] == "place"));
    for w in top.windows(2) {
        assert!(
            w[0]["mentions"].as_u64() >= w[1]["mentions"].as_u64(),
            "most mentioned first"
        );
    }

    // By alias, case-insensitive; most mentions first.
    let listed = env.json(&["list", "--entity", "borrell", "--json"]);
    assert_eq!(listed[0]["id"], seed_id.as_str());
    assert!(listed[0]["mentions"].as_u64().unwrap() >= 8);
    let japan = env.json(&["list", "--entity", "Japan", "--json"]);
    assert!(
        japan.as_array().unwrap().len() >= 2,
        "Japan is in more than the seed"
    );

    let related = env.json(&["related", "--json", &seed_id]);
    let related = related.as_array().unwrap();
    assert!(!related.is_empty());
    assert!(
        related
            .iter()
            .all(|r| r["id"] != seed_id.as_str() && r["score"].as_f64().unwrap() > 0.0)
    );

    // reindex re-runs extraction: wipe the entity tables as an old extractor's cache would
    // lack them, and reindex brings them back.
    let before = env.json(&["stats", "--json"])["entities"].as_u64().unwrap();
    assert!(before > 100);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "DELETE FROM article_links; DELETE FROM entity_postings; DELETE FROM entity_aliases;
         DELETE FROM entities;",
    )
    .unwrap();
    drop(conn);
    assert_eq!(env.json(&["stats", "--json"])["entities"], 0);
    env.cmd().arg("reindex").assert().success();
    assert_eq!(
        env.json(&["stats", "--json"])["entities"].as_u64().unwrap(),
        before
    );
    assert_eq!(
        env.json(&["list", "--entity", "Josep Borrell", "--json"])[0]["id"],
        seed_id.as_str()
    );
}

#[test]
fn doctor_compact_rewrites_a_healthy_cache_and_keeps_its_articles() {
    let env = Env::new();
    env.cmd().args(["import", SEED]).assert().success();
    let out = env.cmd().args(["doctor", "--compact"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains(": ok (1 articles, "), "{text}");
    assert!(
        lines[1].contains("compacted, ") && lines[1].contains(" MB -> "),
        "{text}"
    );
    let found = env.json(&["search", "--json", "Borrell"]);
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
}
