//! The command line: arguments (clap), and one function per command. Commands print for
//! people by default (aligned, coloured only on a terminal) and for programs with `--json`;
//! the JSON keys are a contract that tests and benchmarks rely on.

mod extract;
mod feeds;
mod output;
mod read;
mod write;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use dateline::store::{DB_ENV, Store};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "dateline",
    version,
    about = "A terminal news reader that links articles through the people, organisations and places they mention"
)]
pub struct Args {
    /// The cache file (default: dateline.db in your data directory).
    #[arg(long, global = true, env = DB_ENV, value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

impl Args {
    /// Whether the command stores articles in bulk (a fetch or an import) and then ends.
    pub fn imports_in_bulk(&self) -> bool {
        matches!(
            self.command,
            Some(Command::Fetch { .. } | Command::Import { .. })
        )
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import article files, saved HTML pages, folders (recursively), web pages (http/https
    /// URLs, extracted with Readability) or `-` for stdin.
    Import {
        /// One JSON object per input: {"path","id","title","status"} (+ "error").
        #[arg(long)]
        json: bool,
        /// Import the bundled sample articles.
        #[arg(long)]
        samples: bool,
        /// Parser threads (default: all cores).
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        paths: Vec<PathBuf>,
    },
    /// List articles, newest first (or those that mention an entity, most mentions first).
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        limit: Option<usize>,
        /// Only articles that mention this entity (name or alias).
        #[arg(long, value_name = "NAME")]
        entity: Option<String>,
        /// With --entity: only entities of this kind (person, organization, place or other).
        #[arg(long, value_name = "KIND", requires = "entity")]
        kind: Option<String>,
        #[arg(long)]
        unread: bool,
        #[arg(long)]
        starred: bool,
    },
    /// Show one article.
    Show {
        #[arg(long)]
        json: bool,
        /// The article id (a unique prefix is enough).
        id: String,
    },
    /// Full-text search: words, "phrases", prefix*, AND / OR / NOT.
    Search {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
    },
    /// Counts, and the cache's path and size.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Parse and extract entities without touching the cache.
    Extract {
        /// One JSON object per file: {"path","article","entities"}.
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// An article's entities, or with --top the most mentioned across the cache.
    Entities {
        #[arg(long)]
        json: bool,
        #[arg(long, value_name = "N")]
        top: Option<usize>,
        /// person, organization, place or other.
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        id: Option<String>,
    },
    /// Articles that share the most entities with this one.
    Related {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        id: String,
    },
    /// Re-run entity extraction over the whole cache.
    Reindex,
    /// Mark an article read or unread, starred or not.
    Mark {
        id: String,
        #[arg(long, conflicts_with = "unread")]
        read: bool,
        #[arg(long)]
        unread: bool,
        #[arg(long, conflicts_with = "unstar")]
        star: bool,
        #[arg(long)]
        unstar: bool,
    },
    /// Check the cache; move a corrupt one aside and start a fresh one.
    Doctor {
        /// Then rewrite a healthy cache compactly (search index merged, free space given
        /// back, the current page layout); the cache must not be open elsewhere.
        #[arg(long)]
        compact: bool,
    },
    /// Manage subscriptions (RSS, Atom, JSON Feed; http, https or file URLs).
    Feed {
        #[command(subcommand)]
        action: FeedCommand,
    },
    /// Refresh all feeds, or the named ones (by id or URL), storing new items.
    Fetch {
        /// One JSON object: {"feeds","new","updated","not_modified","failed","failures","warnings"}.
        #[arg(long)]
        json: bool,
        /// Fetch threads (default 8).
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// Seconds allowed for each whole response (default 30).
        #[arg(long, value_name = "SECS")]
        timeout: Option<u64>,
        feeds: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
enum FeedCommand {
    /// Subscribe to a feed URL (or a local feed file).
    Add {
        url: String,
        #[arg(long)]
        name: Option<String>,
        /// Fetch each item's page and extract the whole article.
        #[arg(long)]
        full_text: bool,
        #[arg(long)]
        json: bool,
    },
    /// List subscriptions.
    List {
        /// An array of {"id","url","name","full_text","last_fetch","last_error","added_at"}.
        #[arg(long)]
        json: bool,
    },
    /// Unsubscribe (the feed's articles stay).
    Remove {
        /// The feed id or URL.
        id: String,
    },
    /// Subscribe to every feed in an OPML file (commands and filters are refused).
    ImportOpml {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Print the subscriptions as OPML.
    ExportOpml,
}

fn db_path(args_db: Option<PathBuf>) -> Result<PathBuf> {
    match args_db {
        Some(p) => Ok(p),
        None => Store::default_path()
            .context("no data directory found for the cache; pass --db PATH or set DATELINE_DB"),
    }
}

fn open_store(path: &std::path::Path) -> Result<Store> {
    Ok(Store::open(path)?)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let Some(command) = args.command else {
        let path = db_path(args.db)?;
        return write::reader(open_store(&path)?);
    };
    match command {
        Command::Extract { json, paths } => return extract::extract(json, &paths),
        Command::Doctor { compact } => return write::doctor(&db_path(args.db)?, compact),
        _ => {}
    }
    let path = db_path(args.db)?;
    let mut store = open_store(&path)?;
    // A fetch's bulks write the file without the log while they have it to themselves
    // (see the method); with a reader open they go through the log as before. (An import's
    // parse workers keep connections of their own open to skip what is stored already, so
    // its bulks would find the file shared anyway.)
    if matches!(command, Command::Fetch { .. }) {
        store.write_bulks_in_place();
    }
    let result = run_command(&mut store, command);
    // A failure that is really about the cache file is reported as such, with advice.
    result.map_err(|e| match e.downcast::<dateline::Error>() {
        Ok(inner) => anyhow::Error::new(store.explain(inner)),
        Err(other) => other,
    })
}

fn run_command(store: &mut Store, command: Command) -> Result<ExitCode> {
    let store = &mut *store;
    match command {
        Command::Import {
            json,
            samples,
            jobs,
            paths,
        } => write::import(store, json, samples, jobs, &paths),
        Command::List {
            json,
            limit,
            entity,
            kind,
            unread,
            starred,
        } => read::list(store, json, limit, entity, kind, unread, starred),
        Command::Show { json, id } => read::show(store, json, &id),
        Command::Search { json, limit, query } => {
            read::search(store, json, limit, &query.join(" "))
        }
        Command::Stats { json } => read::stats(store, json),
        Command::Entities {
            json,
            top,
            kind,
            id,
        } => extract::entities(store, json, top, kind, id),
        Command::Related { json, limit, id } => extract::related(store, json, limit, &id),
        Command::Reindex => extract::reindex(store),
        Command::Mark {
            id,
            read,
            unread,
            star,
            unstar,
        } => write::mark(store, &id, read, unread, star, unstar),
        Command::Feed { action } => match action {
            FeedCommand::Add {
                url,
                name,
                full_text,
                json,
            } => feeds::add(store, &url, name.as_deref(), full_text, json),
            FeedCommand::List { json } => feeds::list(store, json),
            FeedCommand::Remove { id } => feeds::remove(store, &id),
            FeedCommand::ImportOpml { file, json } => feeds::import_opml(store, &file, json),
            FeedCommand::ExportOpml => feeds::export_opml(store),
        },
        Command::Fetch {
            json,
            jobs,
            timeout,
            feeds: which,
        } => feeds::fetch(store, &which, json, jobs, timeout),
        Command::Extract { .. } | Command::Doctor { .. } => unreachable!("handled above"),
    }
}

#[cfg(test)]
mod tests {
    use super::Args;
    use clap::Parser;

    #[test]
    fn only_fetch_and_import_store_in_bulk() {
        let bulk = |argv: &[&str]| Args::parse_from(argv).imports_in_bulk();
        assert!(bulk(&["dateline", "fetch"]));
        assert!(bulk(&["dateline", "fetch", "1", "--json"]));
        assert!(bulk(&["dateline", "import", "a.txt"]));
        // The reader lives long: it hands freed memory back.
        assert!(!bulk(&["dateline"]));
        assert!(!bulk(&["dateline", "list"]));
        assert!(!bulk(&["dateline", "feed", "list"]));
    }
}
