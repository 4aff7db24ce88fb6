//! Regression guard on the shared ner-dev gold (40 Wikinews articles): document-level strict
//! F1 over person/organization/place strings, the headline number of `ner_eval.py`, computed
//! here without Python. Needs `../shared` beside the crate; skips with a message without it.

use dateline::entities::{extract, is_demonym};
use dateline::model::EntityKind;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// The scorer's normalisation: single spaces, no trailing possessive.
fn norm(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for suf in ["'s", "’s", "'", "’"] {
        if let Some(t) = s.strip_suffix(suf) {
            return t.trim_end().to_string();
        }
    }
    s
}

#[test]
fn ner_dev_strict_f1_does_not_regress() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let gold_path = shared.join("ner-dev/gold.jsonl");
    let docs = shared.join("wikinews/articles");
    let Ok(gold) = std::fs::read_to_string(&gold_path) else {
        println!("skipped: {} not found", gold_path.display());
        return;
    };
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for line in gold.lines().filter(|l| !l.trim().is_empty()) {
        let g: Value = serde_json::from_str(line).expect("gold line is JSON");
        let doc = g["doc"].as_str().expect("doc");
        let path = docs.join(format!("{doc}.txt"));
        let Ok(parsed) = dateline::ingest::parse_file(&path) else {
            println!("skipped: cannot read {}", path.display());
            return;
        };
        let mut want: HashMap<&str, HashSet<String>> = HashMap::new();
        let mut other: HashSet<String> = HashSet::new();
        for e in g["entities"].as_array().into_iter().flatten() {
            let (Some(t), Some(ty)) = (e["text"].as_str(), e["type"].as_str()) else {
                continue;
            };
            if ty == "other" {
                other.insert(norm(t));
            } else {
                want.entry(ty).or_default().insert(norm(t));
            }
        }
        let mut got: HashMap<&str, HashSet<String>> = HashMap::new();
        for e in extract(&parsed.article) {
            if e.kind == EntityKind::Other {
                continue;
            }
            for m in e.mentions.iter().filter(|m| !is_demonym(&m.text)) {
                got.entry(e.kind.as_str())
                    .or_default()
                    .insert(norm(&m.text));
            }
        }
        for ty in ["person", "organization", "place"] {
            let w = want.remove(ty).unwrap_or_default();
            let p = got.remove(ty).unwrap_or_default();
            tp += p.intersection(&w).count();
            fp += p
                .iter()
                .filter(|s| !w.contains(*s) && !other.contains(*s))
                .count();
            fn_ += w.difference(&p).count();
        }
    }
    let prec = tp as f64 / (tp + fp).max(1) as f64;
    let rec = tp as f64 / (tp + fn_).max(1) as f64;
    let f1 = 2.0 * prec * rec / (prec + rec).max(f64::EPSILON);
    println!("ner-dev strict: P {prec:.3} R {rec:.3} F1 {f1:.3} (tp {tp}, fp {fp}, fn {fn_})");
    // Measured 0.806 with ner_eval.py when this guard was last updated; fail on a clear regression.
    assert!(f1 >= 0.82, "strict F1 fell to {f1:.3}");
}
