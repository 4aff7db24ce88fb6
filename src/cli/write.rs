//! Commands that change the cache: `import`, `mark`, `doctor`, and opening the reader.

use super::output::Style;
use anyhow::{Context, Result};
use dateline::import::{self, Report};
use dateline::store::Store;
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn import(
    store: &mut Store,
    json: bool,
    samples: bool,
    jobs: Option<usize>,
    paths: &[PathBuf],
) -> Result<ExitCode> {
    if !samples && paths.is_empty() {
        anyhow::bail!("nothing to import: name files or folders, `-` for stdin, or --samples");
    }
    let style = Style::stdout();
    let print = |r: &Report| print_report(r, json, &style);
    let mut totals = import::Totals::default();
    if samples {
        let t = import::import_samples(store, print);
        add(&mut totals, t);
    }
    let (stdin, files): (Vec<&PathBuf>, Vec<&PathBuf>) =
        paths.iter().partition(|p| p.as_os_str() == "-");
    if !stdin.is_empty() {
        let mut bytes = Vec::new();
        let parsed = std::io::stdin()
            .take(dateline::ingest::MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| dateline::Error::bad_input("-", format!("cannot read stdin: {e}")))
            .and_then(|_| dateline::ingest::parse_bytes(&bytes, "-"));
        let t = import::import_with(
            store,
            &[()],
            1,
            |_| ("-".to_string(), parsed_clone(&parsed)),
            print,
        );
        add(&mut totals, t);
    }
    // http(s) arguments are pages to fetch and extract, not paths.
    let (urls, files): (Vec<&PathBuf>, Vec<&PathBuf>) = files.into_iter().partition(|p| {
        p.to_str()
            .is_some_and(|s| s.starts_with("http://") || s.starts_with("https://"))
    });
    if !urls.is_empty() {
        let urls: Vec<String> = urls.iter().map(|p| p.display().to_string()).collect();
        let opts = dateline::ingest::fetch::FetchOptions::default();
        let t = import::import_with(
            store,
            &urls,
            jobs.unwrap_or(4).min(8),
            |u| (u.clone(), dateline::feeds::import_page(u, &opts)),
            print,
        );
        add(&mut totals, t);
    }
    let files: Vec<PathBuf> = files.into_iter().cloned().collect();
    if !files.is_empty() {
        let t = import::import_paths(
            store,
            &files,
            jobs.unwrap_or_else(import::default_jobs),
            print,
        );
        add(&mut totals, t);
    }
    if !json {
        let line = format!(
            "{} imported, {} updated, {} unchanged, {} failed",
            totals.imported, totals.updated, totals.unchanged, totals.failed
        );
        eprintln!("{}", style.dim(&line));
    }
    Ok(if totals.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The stdin input is parsed once, before the batch runs; hand the batch its own copy.
fn parsed_clone(
    p: &dateline::Result<dateline::ingest::Parsed>,
) -> dateline::Result<dateline::ingest::Parsed> {
    match p {
        Ok(p) => Ok(dateline::ingest::Parsed {
            article: p.article.clone(),
            warnings: p.warnings.clone(),
        }),
        Err(e) => Err(dateline::Error::Other(e.to_string())),
    }
}

fn add(t: &mut import::Totals, o: import::Totals) {
    t.imported += o.imported;
    t.updated += o.updated;
    t.unchanged += o.unchanged;
    t.failed += o.failed;
}

fn print_report(r: &Report, json: bool, style: &Style) {
    if json {
        let mut v = match &r.outcome {
            Ok(i) => {
                json!({"path": r.origin, "id": i.id, "title": i.title, "status": i.status.as_str()})
            }
            Err(e) => {
                json!({"path": r.origin, "id": null, "title": null, "status": "error", "error": e})
            }
        };
        if !r.warnings.is_empty() {
            v["warnings"] = json!(r.warnings);
        }
        println!("{v}");
        return;
    }
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    match &r.outcome {
        Ok(i) => println!(
            "{:<9}  {}  {}",
            i.status.as_str(),
            style.accent(i.id.as_str()),
            i.title
        ),
        Err(e) => eprintln!("error: {e}"),
    }
}

pub fn mark(
    store: &Store,
    typed: &str,
    read: bool,
    unread: bool,
    star: bool,
    unstar: bool,
) -> Result<ExitCode> {
    let id = store.resolve_id(typed)?;
    if read || unread {
        store.set_read(&id, read)?;
    }
    if star || unstar {
        store.set_starred(&id, star)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the reader; an empty cache first gets the bundled sample articles.
pub fn reader(mut store: Store) -> Result<ExitCode> {
    if store.count()? == 0 {
        import::import_samples(&mut store, |_| {});
    }
    // A failure comes back as one line, after the terminal has been restored.
    dateline::tui::run(store)?;
    Ok(ExitCode::SUCCESS)
}

/// Checks the cache and, when it cannot be used, moves it aside (never deletes it) and
/// starts a fresh one. With `compact`, a healthy cache is then rewritten compactly.
pub fn doctor(path: &Path, compact: bool) -> Result<ExitCode> {
    if !path.exists() {
        println!(
            "{}: no cache yet; one will be created on first use",
            path.display()
        );
        if compact {
            println!("{}: nothing to compact", path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let problem = match Store::open(path) {
        Ok(mut store) => match store.integrity_check() {
            Ok(problems) if problems.is_empty() => {
                println!(
                    "{}: ok ({} articles, {} entities)",
                    path.display(),
                    store.count()?,
                    store.entity_count()?
                );
                if compact {
                    let (before, after) = store.compact().map_err(|e| store.explain(e))?;
                    let mb = |b: u64| b as f64 / 1_048_576.0;
                    println!(
                        "{}: compacted, {:.1} MB -> {:.1} MB",
                        path.display(),
                        mb(before),
                        mb(after)
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            Ok(problems) => problems.join("; "),
            Err(e) => e.to_string(),
        },
        Err(dateline::Error::Cache { reason, .. }) if reason.contains("newer dateline") => {
            // Not broken: just not ours to touch.
            anyhow::bail!("{}: {reason}", path.display());
        }
        Err(e) => e.to_string(),
    };
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let aside = PathBuf::from(format!("{}.corrupt-{stamp}", path.display()));
    std::fs::rename(path, &aside)
        .with_context(|| format!("{}: cannot move it aside", path.display()))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            let _ = std::fs::rename(&side, format!("{}{suffix}", aside.display()));
        }
    }
    Store::open(path)?;
    println!("{}: {problem}", path.display());
    println!("moved it to {} and started a fresh cache", aside.display());
    println!("re-import your articles (`dateline import --samples`, `dateline import PATH`)");
    if compact {
        println!(
            "{}: not compacted: the fresh cache is empty",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
