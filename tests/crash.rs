//! Crash safety: an import killed with SIGKILL at a random moment leaves a cache that opens,
//! passes `PRAGMA integrity_check`, and holds every article wholly (row, search entry and
//! entities) or not at all.

use dateline::model::ArticleId;
use dateline::store::Store;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const ROUNDS: usize = 20;
const ARTICLES: usize = 1500;

fn write_corpus(dir: &std::path::Path) {
    let seed = include_str!("../assets/articles/00-japan-eu-security-partnership.txt");
    for i in 0..ARTICLES {
        // Each article gets a unique word in its title so its search entry can be checked.
        let text = seed.replacen(
            "Japan and EU announce security partnership",
            &format!("Japan and EU announce partnership zq{i}x"),
            1,
        );
        std::fs::write(dir.join(format!("{i:05}.txt")), text).unwrap();
    }
}

/// A pseudo-random delay from the clock: enough spread to land at different moments.
fn random_delay(round: usize) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let x = nanos
        .wrapping_mul(6364136223846793005)
        .wrapping_add((round as u64).wrapping_mul(1442695040888963407));
    Duration::from_millis(20 + (x >> 33) % 600)
}

#[test]
fn sigkill_during_import_leaves_whole_articles_only() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    write_corpus(&corpus);
    let bin = env!("CARGO_BIN_EXE_dateline");
    let mut partial_rounds = 0;
    for round in 0..ROUNDS {
        let db = dir.path().join(format!("round{round}.db"));
        let mut child = Command::new(bin)
            .args([
                "--db",
                db.to_str().unwrap(),
                "import",
                "--jobs",
                "2",
                corpus.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(random_delay(round));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        let store = Store::open(&db).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(store.integrity_check().unwrap().is_empty(), "round {round}");
        let n = store.count().unwrap();
        if n < ARTICLES {
            partial_rounds += 1;
        }
        let fts_rows: i64 = store
            .conn()
            .query_row("SELECT COUNT(*) FROM articles_fts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            fts_rows as usize, n,
            "round {round}: one search entry per article"
        );
        for id in store.all_ids().unwrap() {
            assert_whole(&store, &id, round);
        }
    }
    // The kill must have landed mid-import at least sometimes, or the test proved nothing.
    assert!(partial_rounds > 0, "every import finished before the kill");
}

fn assert_whole(store: &Store, id: &ArticleId, round: usize) {
    let article = store.article(id).unwrap().unwrap();
    let marker = article
        .title
        .split_whitespace()
        .find(|w| w.starts_with("zq"))
        .unwrap()
        .to_string();
    let hits = store.search_ids(&marker, 5).unwrap();
    assert_eq!(
        hits,
        vec![id.clone()],
        "round {round}: search entry of {id}"
    );
    // The stored entities are exactly what extraction gives for the stored text.
    let want = dateline::entities::extract(&article);
    let got = store.article_entities(id).unwrap();
    assert_eq!(got.len(), want.len(), "round {round}: entities of {id}");
    let mentions: usize = got.iter().map(|e| e.mentions.len()).sum();
    assert_eq!(
        mentions,
        want.iter().map(|e| e.mentions.len()).sum::<usize>()
    );
}
