//! A stand-in for the command line while the reader is built: `dateline [--db PATH]` opens the
//! reader (importing the bundled samples into an empty cache), `dateline [--db PATH] import
//! FILE...` imports files. The real command line replaces this.

use dateline::store::{DB_ENV, Store};
use dateline::{entities, ingest, samples};
use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    match real_main() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dateline: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn real_main() -> dateline::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut db = std::env::var_os(DB_ENV).map(PathBuf::from);
    if let Some(i) = args.iter().position(|a| a == "--db") {
        db = args.get(i + 1).map(PathBuf::from);
        args.drain(i..(i + 2).min(args.len()));
    }
    let db = db
        .or_else(Store::default_path)
        .unwrap_or_else(|| std::env::temp_dir().join("dateline.db"));
    let mut store = Store::open(&db)?;
    if args.first().map(String::as_str) == Some("import") {
        for p in &args[1..] {
            let parsed = ingest::parse_file(std::path::Path::new(p))?;
            let ents = entities::extract(&parsed.article);
            let r = store.upsert(&parsed.article, &ents)?;
            println!("{} {}", r.as_str(), p);
        }
        return Ok(());
    }
    if store.count()? == 0 {
        for p in samples::parsed() {
            let ents = entities::extract(&p.article);
            store.upsert(&p.article, &ents)?;
        }
    }
    dateline::tui::run(store)
}
