//! Entity commands: `extract` (no cache), `entities`, `related`, `reindex`.

use super::output::{Style, fit, short_date};
use super::read::show_json;
use anyhow::{Result, bail};
use dateline::entities;
use dateline::model::{Entity, EntityKind};
use dateline::store::Store;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// An entity as `extract --json` and `entities --json ID` print it.
pub fn entity_json(e: &Entity) -> serde_json::Value {
    json!({
        "name": e.name,
        "kind": e.kind,
        "count": e.count(),
        "aliases": e.aliases,
        "mentions": e.mentions,
    })
}

pub fn extract(json: bool, paths: &[PathBuf]) -> Result<ExitCode> {
    let style = Style::stdout();
    let mut failed = false;
    for path in dateline::ingest::expand_paths(paths) {
        let origin = path.display().to_string();
        match dateline::ingest::parse_file(&path) {
            Err(e) => {
                failed = true;
                if json {
                    println!("{}", json!({"path": origin, "error": e.to_string()}));
                } else {
                    eprintln!("error: {e}");
                }
            }
            Ok(parsed) => {
                let ents = entities::extract(&parsed.article);
                if json {
                    let v = json!({
                        "path": origin,
                        "article": show_json(&parsed.article),
                        "entities": ents.iter().map(entity_json).collect::<Vec<_>>(),
                    });
                    println!("{v}");
                } else {
                    println!(
                        "{}  {}",
                        style.bold(&parsed.article.title),
                        style.dim(&origin)
                    );
                    print_entities(&ents, &style);
                    println!();
                }
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_entities(ents: &[Entity], style: &Style) {
    for kind in EntityKind::ALL {
        let of_kind: Vec<&Entity> = ents.iter().filter(|e| e.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        println!("  {}", style.dim(kind.as_str()));
        for e in of_kind {
            let aliases: Vec<&str> = e
                .aliases
                .iter()
                .map(String::as_str)
                .filter(|a| *a != e.name)
                .collect();
            let aliases = if aliases.is_empty() {
                String::new()
            } else {
                format!("  ({})", aliases.join(", "))
            };
            println!("    {:>3}  {}{}", e.count(), e.name, style.dim(&aliases));
        }
    }
}

/// A `--kind` argument.
pub fn parse_kind(kind: Option<&str>) -> Result<Option<EntityKind>> {
    match kind {
        Some(k) => match EntityKind::parse(k) {
            Some(k) => Ok(Some(k)),
            None => bail!("unknown kind {k:?}: use person, organization, place or other"),
        },
        None => Ok(None),
    }
}

pub fn entities(
    store: &Store,
    json: bool,
    top: Option<usize>,
    kind: Option<String>,
    id: Option<String>,
) -> Result<ExitCode> {
    let style = Style::stdout();
    let kind = parse_kind(kind.as_deref())?;
    match (id, top) {
        (Some(typed), _) => {
            let id = store.resolve_id(&typed)?;
            let ents: Vec<Entity> = store
                .article_entities(&id)?
                .into_iter()
                .filter(|e| kind.is_none_or(|k| e.kind == k))
                .collect();
            if json {
                let rows: Vec<_> = ents.iter().map(entity_json).collect();
                println!("{}", serde_json::to_string(&rows)?);
            } else {
                print_entities(&ents, &style);
            }
        }
        (None, top) => {
            let rows = store.top_entities(kind, top.unwrap_or(20))?;
            if json {
                println!("{}", serde_json::to_string(&rows)?);
            } else {
                for e in &rows {
                    println!(
                        "{:>6}  {:>5} art.  {}  {}",
                        e.mentions,
                        e.articles,
                        fit(e.kind.as_str(), 12),
                        style.bold(&e.name)
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn related(store: &Store, json: bool, limit: usize, typed: &str) -> Result<ExitCode> {
    let id = store.resolve_id(typed)?;
    let rows = store.related(&id, limit)?;
    if json {
        let out: Vec<_> = rows
            .iter()
            .map(|(m, score)| {
                let mut v = serde_json::to_value(m).unwrap_or_default();
                v["score"] = json!(score);
                v
            })
            .collect();
        println!("{}", serde_json::to_string(&out)?);
    } else {
        let style = Style::stdout();
        for (m, score) in &rows {
            println!(
                "{}  {:>5.2}  {}  {}",
                style.accent(m.id.as_str()),
                score,
                fit(short_date(m.published.as_deref()), 10),
                m.title
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn reindex(store: &mut Store) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let ids = store.all_ids()?;
    // Every article is linked again from nothing (an interrupted run leaves the articles it
    // had not reached without entities, until it is run again).
    store.clear_entity_links()?;
    for id in &ids {
        if let Some(article) = store.article(id)? {
            let ents = entities::extract(&article);
            store.replace_entities(id, &ents)?;
        }
    }
    eprintln!(
        "re-extracted entities of {} articles in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
