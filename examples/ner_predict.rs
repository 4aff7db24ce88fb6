//! Runs the entity extractor over every `.txt` file of a folder and prints one JSON line per
//! file in the format `ner_eval.py` scores: `{"doc", "entities": [{"text", "type",
//! "surface", "spans"}]}`, spans as UTF-8 byte offsets into the whole file (score with
//! `--byte-offsets DIR`).
//!
//! Demonym-only surfaces (`Japanese`) count as mentions of their place in the app, but they
//! are not names, so they are left out here.
//!
//! Usage: `cargo run --release --example ner_predict -- DIR > preds.jsonl`

use dateline::entities::{extract, is_demonym};
use dateline::model::{Article, Field};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;

/// Where each field's text starts in the file, found by searching forward in reading order.
fn field_offsets(article: &Article, file: &str) -> HashMap<Field, usize> {
    let mut fields: Vec<(Field, &str)> = vec![(Field::Title, article.title.as_str())];
    if let Some(s) = &article.standfirst {
        fields.push((Field::Standfirst, s));
    }
    for (i, b) in article.blocks.iter().enumerate() {
        fields.push((Field::Block(i), &b.text));
        if let Some(c) = &b.credit {
            fields.push((Field::Credit(i), c));
        }
    }
    let mut out = HashMap::new();
    let mut cursor = 0;
    for (f, text) in fields {
        if text.is_empty() {
            continue;
        }
        let hit = file[cursor..]
            .find(text)
            .map(|p| p + cursor)
            .or_else(|| file.find(text));
        if let Some(p) = hit {
            out.insert(f, p);
            cursor = p + text.len();
        }
    }
    out
}

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: ner_predict DIR > preds.jsonl"))?;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    for path in paths {
        let stem = stem(&path);
        let file = std::fs::read_to_string(&path)?;
        let parsed = dateline::ingest::parse_file(&path)?;
        let offsets = field_offsets(&parsed.article, &file);
        let mut ents = Vec::new();
        for e in extract(&parsed.article) {
            let mut spans = Vec::new();
            let mut surfaces: Vec<String> = Vec::new();
            for m in &e.mentions {
                if is_demonym(&m.text) {
                    continue;
                }
                if let Some(base) = offsets.get(&m.field) {
                    spans.push([base + m.start, base + m.end]);
                }
                if !surfaces.contains(&m.text) {
                    surfaces.push(m.text.clone());
                }
            }
            if surfaces.is_empty() {
                continue;
            }
            // Score only strings the text showed: the canonical name if it was seen.
            let text = if surfaces.contains(&e.name) {
                e.name.clone()
            } else {
                surfaces[0].clone()
            };
            surfaces.retain(|s| *s != text);
            ents.push(json!({
                "text": text,
                "type": e.kind.as_str(),
                "surface": surfaces,
                "spans": spans,
            }));
        }
        println!("{}", json!({"doc": stem, "entities": ents}));
    }
    Ok(())
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
