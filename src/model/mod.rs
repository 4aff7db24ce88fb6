//! Plain domain types with no I/O: articles (metadata for lists, body blocks for the reader),
//! entities and their mentions. Everything else in the crate speaks this vocabulary.

mod article;
mod entity;

pub use article::{Article, ArticleId, ArticleMeta, Block, BlockKind};
pub use entity::{Entity, EntityKind, Field, Mention};
