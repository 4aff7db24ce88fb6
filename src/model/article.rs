use super::Field;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A short, typeable article id: ten lower-case base32 characters of a SHA-1 over the canonical
/// link when there is one, else over the title and body. Stable across re-imports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleId(String);

const ID_LEN: usize = 10;
const BASE32: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

impl ArticleId {
    /// Wraps an id read back from the store or typed by a user.
    pub fn new(id: impl Into<String>) -> Self {
        ArticleId(id.into())
    }

    /// Derives the id from the article's identity: the link when known (so the same story
    /// from a file and a feed is one article), else the title and body text.
    pub fn derive(link: Option<&str>, title: &str, body: &str) -> Self {
        Self::derive_with(link, title, || body.into())
    }

    /// [`ArticleId::derive`] with the body made only if the id needs it (there is no link).
    fn derive_with<'b>(
        link: Option<&str>,
        title: &str,
        body: impl FnOnce() -> std::borrow::Cow<'b, str>,
    ) -> Self {
        use sha1::Digest;
        let mut h = sha1::Sha1::new();
        match link.map(canonical_link).filter(|l| !l.is_empty()) {
            Some(link) => {
                h.update(b"link\0");
                h.update(link.as_bytes());
            }
            None => {
                h.update(b"text\0");
                h.update(title.as_bytes());
                h.update(b"\0");
                h.update(body().as_bytes());
            }
        }
        let digest = h.finalize();
        // 5 bits per character: 50 bits, so 100,000 articles collide with odds of about 1 in 10^5.
        let mut acc: u64 = 0;
        for b in &digest[..8] {
            acc = (acc << 8) | u64::from(*b);
        }
        let id: String = (0..ID_LEN)
            .map(|i| BASE32[((acc >> (64 - 5 * (i + 1))) & 31) as usize] as char)
            .collect();
        ArticleId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The link with its scheme's case, a trailing slash and any fragment dropped, so trivially
/// different spellings of one URL give one id.
fn canonical_link(link: &str) -> String {
    let link = link.trim();
    let link = link.split('#').next().unwrap_or(link);
    let link = link.trim_end_matches('/');
    match link.split_once("://") {
        Some((scheme, rest)) => format!("{}://{}", scheme.to_ascii_lowercase(), rest),
        None => link.to_string(),
    }
}

/// What a block of body text is; the reader styles each kind apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Paragraph,
    Quote,
    Heading,
    ListItem,
    Caption,
}

impl BlockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Paragraph => "paragraph",
            BlockKind::Quote => "quote",
            BlockKind::Heading => "heading",
            BlockKind::ListItem => "list_item",
            BlockKind::Caption => "caption",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "paragraph" => BlockKind::Paragraph,
            "quote" => BlockKind::Quote,
            "heading" => BlockKind::Heading,
            "list_item" => BlockKind::ListItem,
            "caption" => BlockKind::Caption,
            _ => return None,
        })
    }
}

/// One block of an article's body. `credit` belongs to captions (the photo agency);
/// `speaker` marks the paragraph that opens an interview turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub credit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub speaker: Option<String>,
}

impl Block {
    pub fn new(kind: BlockKind, text: impl Into<String>) -> Self {
        Block {
            kind,
            text: text.into(),
            credit: None,
            speaker: None,
        }
    }

    pub fn paragraph(text: impl Into<String>) -> Self {
        Block::new(BlockKind::Paragraph, text)
    }

    pub fn caption(text: impl Into<String>, credit: Option<String>) -> Self {
        Block {
            credit,
            ..Block::new(BlockKind::Caption, text)
        }
    }
}

/// A whole article as parsed and stored. `published` is ISO 8601: a date (`2024-11-01`) or a
/// UTC date-time (`2024-11-01T09:30:00Z`), so it sorts as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: ArticleId,
    pub section: Option<String>,
    pub title: String,
    pub standfirst: Option<String>,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub link: Option<String>,
    /// Where it came from: a file path, a URL, or `feed:<id>`.
    pub source: String,
    pub blocks: Vec<Block>,
    /// Unix seconds; set by the store.
    pub imported_at: Option<i64>,
    pub read: bool,
    pub starred: bool,
}

impl Article {
    /// A new article with its id derived from its link or text.
    pub fn new(title: String, link: Option<String>, source: String, blocks: Vec<Block>) -> Self {
        Article {
            id: ArticleId::derive_with(link.as_deref(), &title, || body_text(&blocks).into()),
            section: None,
            title,
            standfirst: None,
            byline: None,
            published: None,
            link,
            source,
            blocks,
            imported_at: None,
            read: false,
            starred: false,
        }
    }

    /// Recomputes the id after fields were filled in piecemeal by a parser.
    pub fn rederive_id(&mut self) {
        let blocks = &self.blocks;
        self.id = ArticleId::derive_with(self.link.as_deref(), &self.title, || {
            body_text(blocks).into()
        });
    }

    /// The body as one text: blocks joined by blank lines (what search indexes).
    pub fn body_text(&self) -> String {
        body_text(&self.blocks)
    }

    /// Bytes of text in the fields entities are read from (title, standfirst, blocks and
    /// their credits): what extraction rates are per.
    pub fn text_len(&self) -> usize {
        self.title.len()
            + self.standfirst.as_ref().map_or(0, String::len)
            + self
                .blocks
                .iter()
                .map(|b| b.text.len() + b.credit.as_ref().map_or(0, String::len))
                .sum::<usize>()
    }

    /// The text of one field, as mention spans index it.
    pub fn field(&self, field: Field) -> Option<&str> {
        match field {
            Field::Title => Some(&self.title),
            Field::Standfirst => self.standfirst.as_deref(),
            Field::Block(i) => self.blocks.get(i).map(|b| b.text.as_str()),
            Field::Credit(i) => self.blocks.get(i).and_then(|b| b.credit.as_deref()),
        }
    }

    pub fn meta(&self) -> ArticleMeta {
        ArticleMeta {
            id: self.id.clone(),
            title: self.title.clone(),
            section: self.section.clone(),
            published: self.published.clone(),
            source: self.source.clone(),
            read: self.read,
            starred: self.starred,
        }
    }
}

fn body_text(blocks: &[Block]) -> String {
    let len = blocks
        .iter()
        .map(|b| b.text.len() + 3 + b.credit.as_ref().map_or(0, String::len))
        .sum();
    let mut out = String::with_capacity(len);
    for b in blocks {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&b.text);
        if let Some(c) = &b.credit {
            out.push(' ');
            out.push_str(c);
        }
    }
    out
}

/// What lists show: an article without its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleMeta {
    pub id: ArticleId,
    pub title: String,
    pub section: Option<String>,
    pub published: Option<String>,
    pub source: String,
    pub read: bool,
    pub starred: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_short_typeable_and_stable() {
        let a = ArticleId::derive(Some("https://example.com/a"), "T", "B");
        assert_eq!(a.as_str().len(), ID_LEN);
        assert!(a.as_str().bytes().all(|b| BASE32.contains(&b)));
        assert_eq!(
            a,
            ArticleId::derive(Some("HTTPS://example.com/a/#top"), "X", "Y")
        );
        assert_ne!(
            a,
            ArticleId::derive(Some("https://example.com/b"), "T", "B")
        );
    }

    #[test]
    fn id_without_link_comes_from_text() {
        let a = ArticleId::derive(None, "Title", "Body");
        assert_eq!(a, ArticleId::derive(Some("  "), "Title", "Body"));
        assert_ne!(a, ArticleId::derive(None, "Title", "Body 2"));
    }

    #[test]
    fn ids_are_the_sha1_they_always_were() {
        // Stored ids depend on these exact digests: a change of hash code must keep them.
        let by_link = ArticleId::derive(Some("https://example.com/a"), "T", "B");
        assert_eq!(by_link.as_str(), "bia75ms58p");
        assert_eq!(
            ArticleId::derive(None, "Title", "Body").as_str(),
            "me9qx27fwe"
        );
    }
}
