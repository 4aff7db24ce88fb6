//! dateline: a terminal news reader that links articles through the people, organisations and
//! places they mention.
//!
//! Map of the crate, dependencies pointing one way (`model` ← `ingest`, `entities`, `store` ←
//! `tui` ← the binary):
//! - [`model`]: plain types (Article, Block, Entity, Mention); no I/O.
//! - [`sanitize`]: the one function every outside string passes through.
//! - [`ingest`]: bytes in, articles out (plain text, front matter, Markdown, Wikinews layout).
//! - [`entities`]: the extractor (gazetteer, rules, aliases); pure functions over an article.
//! - [`store`]: the SQLite cache: schema, articles, entities, full-text search.
//! - [`feeds`]: subscriptions: refreshing feeds over HTTP into the cache, pages, OPML.
//! - [`import`]: a batch of inputs into the cache: parse on every core, write from one thread.
//! - [`bulk`]: that one writing thread's bulk transactions, shared by imports and feed refreshes.
//! - [`samples`]: the bundled sample corpus, compiled in.
//! - [`threads`]: work that can wait runs at a lower priority than work that cannot.
//! - [`tui`]: the terminal reader: state, actions, update, views; only `run` touches a terminal.

pub mod bulk;
pub mod entities;
pub mod error;
pub mod feeds;
pub mod import;
pub mod ingest;
pub mod model;
pub mod samples;
pub mod sanitize;
pub mod store;
pub mod threads;
pub mod tui;

pub use error::{Error, Result};
