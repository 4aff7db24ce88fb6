//! The entity extractor: people, organisations and places an article mentions, with aliases
//! merged and every mention as an exact byte span of its field. Pure functions over an
//! article; no I/O, no cache, no terminal.

use crate::model::{Article, Entity};

/// Extracts the entities of one article, most mentioned first.
pub fn extract(_article: &Article) -> Vec<Entity> {
    Vec::new()
}
