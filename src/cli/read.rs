//! Commands that read the cache: `list`, `show`, `search`, `stats`.

use super::output::{Style, fit, short_date, wrap_width};
use anyhow::Result;
use dateline::model::{Article, BlockKind};
use dateline::store::{ListFilter, Store};
use serde_json::json;
use std::process::ExitCode;

pub fn list(
    store: &Store,
    json: bool,
    limit: Option<usize>,
    entity: Option<String>,
    kind: Option<String>,
    unread: bool,
    starred: bool,
) -> Result<ExitCode> {
    let style = Style::stdout();
    if let Some(name) = entity {
        let kind = super::extract::parse_kind(kind.as_deref())?;
        let hits = store.entity_articles_of(&name, kind, limit)?;
        if json {
            let rows: Vec<_> = hits
                .iter()
                .map(|h| {
                    let mut v = serde_json::to_value(&h.article).unwrap_or_default();
                    v["mentions"] = json!(h.mentions);
                    v
                })
                .collect();
            println!("{}", serde_json::to_string(&rows)?);
        } else if hits.is_empty() {
            eprintln!("no article mentions {name}");
        } else {
            for h in &hits {
                println!(
                    "{}  {:>3}×  {}  {}",
                    style.accent(h.article.id.as_str()),
                    h.mentions,
                    fit(short_date(h.article.published.as_deref()), 10),
                    h.article.title
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let filter = if unread {
        ListFilter::Unread
    } else if starred {
        ListFilter::Starred
    } else {
        ListFilter::All
    };
    let metas = store.list(&filter, limit)?;
    if json {
        println!("{}", serde_json::to_string(&metas)?);
        return Ok(ExitCode::SUCCESS);
    }
    let width = wrap_width();
    for m in &metas {
        let mark = match (m.read, m.starred) {
            (_, true) => "★",
            (false, _) => "•",
            _ => " ",
        };
        let section = m.section.as_deref().unwrap_or("");
        let title_width = width.saturating_sub(10 + 2 + 10 + 2 + 12 + 4).max(10);
        let title = fit(&m.title, title_width);
        let line = format!(
            "{} {}  {}  {}  {}",
            mark,
            style.accent(m.id.as_str()),
            fit(short_date(m.published.as_deref()), 10),
            if m.read { title } else { style.bold(&title) },
            style.dim(&fit(section, 12)),
        );
        println!("{}", line.trim_end());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(store: &Store, json: bool, typed: &str) -> Result<ExitCode> {
    let id = store.resolve_id(typed)?;
    let Some(article) = store.article(&id)? else {
        anyhow::bail!("no article with id {typed}");
    };
    if json {
        println!("{}", serde_json::to_string(&show_json(&article))?);
    } else {
        print_article(&article, &Style::stdout(), wrap_width());
    }
    Ok(ExitCode::SUCCESS)
}

/// The `show --json` object (also the `article` of `extract --json`).
pub fn show_json(a: &Article) -> serde_json::Value {
    json!({
        "id": a.id,
        "section": a.section,
        "title": a.title,
        "standfirst": a.standfirst,
        "byline": a.byline,
        "published": a.published,
        "link": a.link,
        "source": a.source,
        "blocks": a.blocks,
    })
}

fn print_article(a: &Article, style: &Style, width: usize) {
    println!("{}", style.bold(&a.title));
    let meta: Vec<&str> = [
        a.section.as_deref(),
        a.published.as_deref().map(|p| short_date(Some(p))),
        a.byline.as_deref(),
        Some(a.source.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    println!("{}", style.dim(&meta.join(" · ")));
    if let Some(link) = &a.link {
        println!("{}", style.dim(link));
    }
    println!();
    if let Some(sf) = &a.standfirst {
        for line in textwrap::wrap(sf, width) {
            println!("{}", style.italic(&line));
        }
        println!();
    }
    for b in &a.blocks {
        let (indent, text) = match b.kind {
            BlockKind::Heading => {
                println!("{}", style.bold(&b.text));
                println!();
                continue;
            }
            BlockKind::Quote => ("    ", b.text.clone()),
            BlockKind::ListItem => ("  • ", b.text.clone()),
            BlockKind::Caption => {
                let credit = b
                    .credit
                    .as_deref()
                    .map(|c| format!(" [{c}]"))
                    .unwrap_or_default();
                ("", format!("▣ {}{}", b.text, credit))
            }
            BlockKind::Paragraph => match &b.speaker {
                Some(s) => ("", format!("{s}: {}", b.text)),
                None => ("", b.text.clone()),
            },
        };
        let opts = textwrap::Options::new(width)
            .initial_indent(indent)
            .subsequent_indent(if indent.is_empty() { "" } else { "    " });
        for line in textwrap::wrap(&text, opts) {
            if b.kind == BlockKind::Caption {
                println!("{}", style.dim(&line));
            } else {
                println!("{line}");
            }
        }
        println!();
    }
}

pub fn search(store: &Store, json: bool, limit: usize, query: &str) -> Result<ExitCode> {
    let hits = store.search(query, limit)?;
    if json {
        println!("{}", serde_json::to_string(&hits)?);
        return Ok(ExitCode::SUCCESS);
    }
    let style = Style::stdout();
    if hits.is_empty() {
        eprintln!("no matches for {query}");
    }
    for h in &hits {
        println!(
            "{}  {:>6.2}  {}",
            style.accent(h.id.as_str()),
            h.score,
            style.bold(&h.title)
        );
        println!("    {}", style.snippet(&h.snippet.replace('\n', " ")));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats(store: &Store, json: bool) -> Result<ExitCode> {
    let articles = store.count()?;
    let unread = store.list(&ListFilter::Unread, None)?.len();
    let starred = store.list(&ListFilter::Starred, None)?.len();
    let entities = store.entity_count()?;
    let path = store
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let size = store.size_on_disk();
    if json {
        println!(
            "{}",
            json!({"articles": articles, "unread": unread, "starred": starred,
                   "entities": entities, "path": path, "size_bytes": size})
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("articles  {articles}");
    println!("unread    {unread}");
    println!("starred   {starred}");
    println!("entities  {entities}");
    println!("cache     {path}");
    println!("size      {:.1} MiB", size as f64 / (1024.0 * 1024.0));
    Ok(ExitCode::SUCCESS)
}
