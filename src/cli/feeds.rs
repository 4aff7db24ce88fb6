//! Commands for subscriptions: `feed add|list|remove|import-opml|export-opml` and `fetch`.
//! Progress and failures go to stderr (the bar only on a terminal); `--json` prints one
//! object on stdout. The work itself is in `dateline::feeds`.

use super::output::{Style, fit};
use anyhow::{Context, Result};
use dateline::feeds::{self, opml};
use dateline::ingest::fetch::FetchOptions;
use dateline::store::{Feed, Store};
use serde_json::json;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// A feed URL as typed: URLs are checked; an existing local path becomes a `file://` URL.
fn feed_url(typed: &str) -> Result<String> {
    let p = Path::new(typed);
    if !typed.contains("://") && p.exists() {
        let abs = std::fs::canonicalize(p).with_context(|| format!("{typed}: cannot resolve"))?;
        return Ok(feeds::check_url(&format!("file://{}", abs.display()))?);
    }
    Ok(feeds::check_url(typed)?)
}

fn feed_json(f: &Feed) -> serde_json::Value {
    json!({
        "id": f.id, "url": f.url, "name": f.name, "full_text": f.full_text,
        "last_fetch": f.last_fetch, "last_error": f.last_error, "added_at": f.added_at,
    })
}

pub fn add(
    store: &mut Store,
    url: &str,
    name: Option<&str>,
    full_text: bool,
    json: bool,
) -> Result<ExitCode> {
    let url = feed_url(url)?;
    let name = name
        .map(dateline::sanitize::clean_line)
        .filter(|n| !n.is_empty());
    let (feed, added) = store.add_feed(&url, name.as_deref(), full_text)?;
    if json {
        let mut v = feed_json(&feed);
        v["status"] = json!(if added { "added" } else { "exists" });
        println!("{v}");
    } else if added {
        println!("added feed {}: {}", feed.id, feed.url);
    } else {
        println!("already subscribed as feed {}: {}", feed.id, feed.url);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(store: &Store, json: bool) -> Result<ExitCode> {
    let feeds = store.feeds()?;
    if json {
        let rows: Vec<_> = feeds.iter().map(feed_json).collect();
        println!("{}", serde_json::to_string(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    let style = Style::stdout();
    for f in &feeds {
        let status = match (&f.last_error, f.last_fetch) {
            (Some(e), _) => format!("error: {e}"),
            (None, Some(_)) => "ok".to_string(),
            (None, None) => "never fetched".to_string(),
        };
        let ft = if f.full_text { " [full text]" } else { "" };
        println!(
            "{:>4}  {}  {}{}  {}",
            f.id,
            fit(f.label(), 30),
            f.url,
            ft,
            style.dim(&status)
        );
    }
    if feeds.is_empty() {
        eprintln!("no feeds yet: add one with `dateline feed add URL`");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn remove(store: &mut Store, typed: &str) -> Result<ExitCode> {
    let feed = store.resolve_feed(typed)?;
    store.remove_feed(feed.id)?;
    println!("removed feed {}: {} (its articles stay)", feed.id, feed.url);
    Ok(ExitCode::SUCCESS)
}

pub fn import_opml(store: &mut Store, path: &Path, json: bool) -> Result<ExitCode> {
    let origin = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| dateline::Error::bad_input(&origin, e.to_string()))?;
    let parsed = opml::parse(&bytes, &origin)?;
    let (mut added, mut existing) = (0, 0);
    for o in &parsed.feeds {
        let full = opml::wants_full_text(&bytes, &o.url);
        let (f, new) = store.add_feed(&o.url, o.name.as_deref(), full)?;
        if new {
            added += 1;
        } else {
            existing += 1;
        }
        if json {
            let mut v = feed_json(&f);
            v["status"] = json!(if new { "added" } else { "exists" });
            println!("{v}");
        }
    }
    for r in &parsed.refused {
        if json {
            println!("{}", json!({"status": "refused", "error": r}));
        } else {
            eprintln!("error: {r}");
        }
    }
    if !json {
        eprintln!(
            "{added} feeds added, {existing} already subscribed, {} refused",
            parsed.refused.len()
        );
    }
    Ok(if parsed.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn export_opml(store: &Store) -> Result<ExitCode> {
    print!("{}", opml::export(&store.feeds()?));
    Ok(ExitCode::SUCCESS)
}

pub fn fetch(
    store: &mut Store,
    which: &[String],
    json: bool,
    jobs: Option<usize>,
    timeout: Option<u64>,
) -> Result<ExitCode> {
    let mut ids = Vec::new();
    for typed in which {
        ids.push(store.resolve_feed(typed)?.id);
    }
    let mut opts = FetchOptions::default();
    if let Some(j) = jobs {
        opts.jobs = j.max(1);
    }
    if let Some(t) = timeout {
        opts.total_timeout = Duration::from_secs(t.max(1));
        opts.connect_timeout = opts.connect_timeout.min(opts.total_timeout);
    }
    let total = if ids.is_empty() {
        store.feeds()?.len()
    } else {
        ids.len()
    };
    let bar = if std::io::stderr().is_terminal() && !json {
        let b = indicatif::ProgressBar::new(total as u64);
        if let Ok(s) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} feeds  {msg}")
        {
            b.set_style(s);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let summary = feeds::refresh(store, &ids, &opts, |p| {
        bar.set_position(p.done as u64);
        bar.set_message(p.label.clone());
    })?;
    bar.finish_and_clear();
    let failed = summary.failures.len();
    if json {
        let failures: Vec<_> = summary
            .failures
            .iter()
            .map(|f| json!({"id": f.feed_id, "feed": f.label, "error": f.reason}))
            .collect();
        println!(
            "{}",
            json!({
                "feeds": summary.feeds, "new": summary.new_articles,
                "updated": summary.updated_articles, "not_modified": summary.not_modified,
                "failed": failed, "failures": failures, "warnings": summary.warnings,
            })
        );
    } else {
        for w in &summary.warnings {
            eprintln!("warning: {w}");
        }
        for f in &summary.failures {
            eprintln!("error: feed {} ({}): {}", f.feed_id, f.label, f.reason);
        }
        // Updated stories are told only when there are some, so the usual line stays short.
        let updated = match summary.updated_articles {
            0 => String::new(),
            n => format!(", {n} updated"),
        };
        eprintln!(
            "{} feeds, {} new articles{updated}, {} failed",
            summary.feeds, summary.new_articles, failed
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
