//! The library's typed errors: what failed, and on which file, URL or article. `main` adds
//! context and picks the exit code; the reader turns them into a status line.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input that cannot become an article: names the input and what is wrong with it.
    #[error("{origin}: {reason}")]
    BadInput { origin: String, reason: String },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The cache file could not be used; the message says what to do about it.
    #[error("cache {path}: {reason}")]
    Cache { path: PathBuf, reason: String },

    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("no article with id {0}")]
    NoSuchArticle(String),

    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn bad_input(origin: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::BadInput {
            origin: origin.into(),
            reason: reason.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
