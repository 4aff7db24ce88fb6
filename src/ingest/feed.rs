//! Feed documents to articles: RSS 0.9x/1.0/2.0, Atom and JSON Feed bytes (parsed by
//! `feed-rs`) become one [`FeedItem`] per entry: an article with title, link, date, byline and
//! body blocks, plus the item's identity (its guid or id, else its link). Encodings are decoded
//! here ([`super::charset`]) before the parser sees the text. No network, no cache.

use super::charset;
use super::html;
use crate::error::{Error, Result};
use crate::model::{Article, Block};
use crate::sanitize::{clean_line, clean_text};

/// A parsed feed: its own title and its items, in document order.
#[derive(Debug)]
pub struct FeedDoc {
    pub title: Option<String>,
    pub items: Vec<FeedItem>,
}

/// One entry of a feed, ready to store with [`crate::store::Store::upsert_from`].
#[derive(Debug, Clone)]
pub struct FeedItem {
    pub article: Article,
    /// The feed's own id for the item, else its link: what makes it the same item next time.
    pub guid: Option<String>,
    /// The item's first category, for the article's section. Kept apart so the item's
    /// digest is what it was before categories were read (a refresh after the upgrade
    /// would otherwise take every stored item for a changed one).
    pub section: Option<String>,
}

/// Parses feed bytes. `url` is the feed's address (errors name it, relative links resolve
/// against it), `id_url` the URL its items' ids are keyed by (see [`identity`]; the one it
/// was subscribed at), `http_charset` the header's charset if any, `source` what articles
/// record as their source (`feed:<id>`).
pub fn parse(
    bytes: &[u8],
    url: &str,
    id_url: &str,
    http_charset: Option<&str>,
    source: &str,
) -> Result<FeedDoc> {
    let (text, _enc) = charset::decode_markup(bytes, http_charset);
    let text = charset::declare_utf8(&text);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(Error::bad_input(url, "not a feed: the document is empty"));
    }
    if html::looks_like_html(trimmed) {
        return Err(Error::bad_input(url, "not a feed: got an HTML page"));
    }
    let base = (url.starts_with("http://") || url.starts_with("https://")).then_some(url);
    // Missing ids stay empty (feed-rs would hash the title, which changes on edits); the
    // item's link is its identity then.
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base)
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = super::guard::fenced(|| parser.parse(trimmed.as_bytes()))
        .ok_or_else(|| Error::bad_input(url, "malformed feed: the feed parser gave up on it"))?
        .map_err(|e| Error::bad_input(url, describe(&e, trimmed)))?;
    let title = feed.title.as_ref().map(text_of).filter(|t| !t.is_empty());
    let items = feed
        .entries
        .into_iter()
        .map(|e| item(e, id_url, source))
        .collect();
    Ok(FeedDoc { title, items })
}

/// A one-line reason for a parse failure: `not a feed`, `malformed XML at line N: ...`.
fn describe(e: &feed_rs::parser::ParseFeedError, text: &str) -> String {
    use feed_rs::parser::{ParseErrorKind, ParseFeedError};
    match e {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => match xml_error(text) {
            Some(m) => m,
            None => "not a feed: no RSS, Atom or JSON Feed root element".to_string(),
        },
        ParseFeedError::XmlReader(x) => xml_error(text)
            .unwrap_or_else(|| format!("malformed XML: {}", clean_line(&x.to_string()))),
        // Valid JSON of another shape is not a feed; only broken JSON is "malformed".
        ParseFeedError::JsonSerde(j) if j.is_data() => {
            format!(
                "not a feed: JSON but not a JSON Feed ({})",
                clean_line(&j.to_string())
            )
        }
        ParseFeedError::JsonSerde(j) => {
            format!(
                "malformed JSON at line {}: {}",
                j.line(),
                clean_line(&j.to_string())
            )
        }
        ParseFeedError::JsonUnsupportedVersion(v) => {
            format!(
                "not a feed: unsupported JSON Feed version {}",
                clean_line(v)
            )
        }
        other => format!("not a feed: {}", clean_line(&other.to_string())),
    }
}

/// Finds where XML first goes wrong, as `malformed XML at line N: reason`.
fn xml_error(text: &str) -> Option<String> {
    if !text.starts_with('<') {
        return None;
    }
    let mut r = quick_xml::Reader::from_str(text);
    r.config_mut().check_end_names = true;
    let mut depth: i64 = 0;
    let mut seen_root = false;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => {
                depth += 1;
                seen_root = true;
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Empty(_)) => seen_root = true,
            Ok(quick_xml::events::Event::Eof) => {
                return (seen_root && depth > 0).then(|| {
                    let line = text.lines().count();
                    format!("malformed XML at line {line}: the document ends inside an element")
                });
            }
            Ok(_) => {}
            Err(e) => {
                let line = super::charset::line_at(text, r.error_position());
                return Some(format!(
                    "malformed XML at line {line}: {}",
                    clean_line(&e.to_string())
                ));
            }
        }
    }
}

fn text_of(t: &feed_rs::model::Text) -> String {
    let s = t.content.as_str();
    if t.content_type.subty().as_str() == "html" || (s.contains('<') && s.contains('>')) {
        html::to_line(s)
    } else {
        clean_line(s)
    }
}

fn body_blocks(s: &str, is_html: bool) -> Vec<Block> {
    if is_html || (s.contains('<') && s.contains('>')) {
        html::to_blocks(s)
    } else {
        clean_text(s)
            .split("\n\n")
            .map(clean_line)
            .filter(|p| !p.is_empty())
            .map(Block::paragraph)
            .collect()
    }
}

fn item(e: feed_rs::model::Entry, feed_url: &str, source: &str) -> FeedItem {
    let link = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(e.links.first())
        .map(|l| clean_line(&l.href))
        .filter(|l| !l.is_empty());
    let title = e
        .title
        .as_ref()
        .map(text_of)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Untitled".to_string());
    let content = e.content.as_ref().and_then(|c| {
        let body = c.body.as_deref()?;
        let is_html = c.content_type.subty().as_str() == "html"
            || c.content_type.subty().as_str() == "xhtml+xml";
        Some(body_blocks(body, is_html))
    });
    let summary = e
        .summary
        .as_ref()
        .map(|s| body_blocks(&s.content, s.content_type.subty().as_str() == "html"));
    let (blocks, standfirst) = match (content, summary) {
        (Some(c), Some(s)) if !c.is_empty() => {
            let sf = clean_line(
                &s.iter()
                    .map(|b| b.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            let dup = c
                .first()
                .is_some_and(|b| b.text.starts_with(prefix(&sf, 40)));
            (c, (!sf.is_empty() && !dup).then_some(sf))
        }
        (Some(c), None) if !c.is_empty() => (c, None),
        (_, Some(s)) => (s, None),
        _ => (Vec::new(), None),
    };
    let guid = Some(clean_line(&e.id))
        .filter(|g| !g.is_empty())
        .or_else(|| link.clone());
    let mut a = Article::new(title, link, clean_line(source), blocks);
    a.standfirst = standfirst;
    a.byline = Some(
        e.authors
            .iter()
            .filter_map(|p| p.name.as_deref().or(p.email.as_deref()).map(clean_line))
            // RSS's `email (Name)` reaches us as `(Name)`.
            .map(
                |n| match n.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                    Some(inner) => inner.trim().to_string(),
                    None => n,
                },
            )
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
    )
    .filter(|s| !s.is_empty());
    a.published = e
        .published
        .or(e.updated)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    if let Some(g) = &guid {
        a.id = crate::model::ArticleId::derive(Some(&identity(feed_url, g)), "", "");
    }
    FeedItem {
        article: a,
        guid,
        section: section_of(&e.categories),
    }
}

/// The item's first category as its section (`World`, `Politics`), as a news site files it;
/// a tag too long to be a section name is left out.
fn section_of(categories: &[feed_rs::model::Category]) -> Option<String> {
    categories
        .iter()
        .map(|c| clean_line(c.label.as_deref().unwrap_or(&c.term)))
        .find(|s| !s.is_empty())
        .filter(|s| s.chars().count() <= 40)
}

/// The key an item's id is derived from: a guid that is a URL stands for itself (the same
/// story met as a file or page is one article); any other guid ("42") is only unique within
/// its feed, so the feed's URL is part of the key.
pub fn identity(feed_url: &str, guid: &str) -> String {
    if guid.starts_with("http://") || guid.starts_with("https://") {
        guid.to_string()
    } else {
        format!("{}\u{1f}{}", feed_url, guid).replace('#', "%23")
    }
}

/// At most the first `max` bytes of `s`, cut at a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BlockKind;

    #[test]
    fn a_summary_with_a_character_across_byte_40_is_read() {
        // 39 ASCII bytes, then 'é' (two bytes): byte 40 falls inside it.
        let summary = format!("{}é and more", "a".repeat(39));
        let atom = format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <entry><title>E</title><id>e1</id><summary>{summary}</summary>
            <content>{summary} in the body.</content></entry></feed>"#
        );
        let doc = parse(
            atom.as_bytes(),
            "https://e.com/atom",
            "https://e.com/atom",
            None,
            "feed:1",
        )
        .unwrap();
        let a = &doc.items[0].article;
        // The summary repeats the body's opening, so it is not kept as a standfirst.
        assert_eq!(a.standfirst, None);
        assert_eq!(prefix("aé", 2), "a");
        assert_eq!(prefix("aé", 3), "aé");
        assert_eq!(prefix("ab", 40), "ab");
    }

    #[test]
    fn an_items_first_category_is_its_section() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <entry><title>A</title><id>a</id><category term="world" label="World News"/>
            <category term="asia"/><content>Text.</content></entry>
            <entry><title>B</title><id>b</id><category term="politics"/><content>Text.</content></entry>
            <entry><title>C</title><id>c</id><content>Text.</content></entry></feed>"#;
        let rss = format!(
            r#"<rss version="2.0"><channel><title>T</title>
            <item><title>D</title><guid>d</guid><category>  Business </category>
            <description>Text.</description></item>
            <item><title>E</title><guid>e</guid><category>{}</category>
            <description>Text.</description></item></channel></rss>"#,
            "tag ".repeat(20)
        );
        let sections = |bytes: &[u8]| -> Vec<Option<String>> {
            let doc = parse(bytes, "https://e.com/f", "https://e.com/f", None, "feed:1").unwrap();
            doc.items.into_iter().map(|i| i.section).collect()
        };
        assert_eq!(
            sections(atom.as_bytes()),
            [Some("World News".into()), Some("politics".into()), None]
        );
        // A tag list is no section name.
        assert_eq!(sections(rss.as_bytes()), [Some("Business".into()), None]);
    }

    const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <item><title>One</title><link>https://e.com/1</link><guid isPermaLink="false">a1</guid>
      <pubDate>Tue, 05 Nov 2024 09:30:00 GMT</pubDate><author>jo@e.com (Jo)</author>
      <description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;&lt;blockquote&gt;Q&lt;/blockquote&gt;</description></item>
      <item><title>Two</title><link>https://e.com/2</link></item></channel></rss>"#;

    #[test]
    fn rss_items_become_articles() {
        let doc = parse(
            RSS.as_bytes(),
            "https://e.com/rss",
            "https://e.com/rss",
            None,
            "feed:1",
        )
        .unwrap();
        assert_eq!(doc.title.as_deref(), Some("T"));
        assert_eq!(doc.items.len(), 2);
        let a = &doc.items[0].article;
        assert_eq!(a.title, "One");
        assert_eq!(a.published.as_deref(), Some("2024-11-05T09:30:00Z"));
        assert_eq!(a.blocks[0].text, "Hello world");
        assert_eq!(a.blocks[1].kind, BlockKind::Quote);
        assert_eq!(a.source, "feed:1");
        assert_eq!(doc.items[0].guid.as_deref(), Some("a1"));
        // No guid: the link is the identity.
        assert_eq!(doc.items[1].guid.as_deref(), Some("https://e.com/2"));
        assert_eq!(
            doc.items[1].article.id,
            crate::model::ArticleId::derive(Some("https://e.com/2"), "", "")
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = parse(
            b"<rss version='2.0'><channel><item><title>x</titl></item>",
            "u",
            "u",
            None,
            "s",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("u: malformed XML at line 1"), "{e}");
        let e = parse(
            b"<!DOCTYPE html><html><body>hi</body></html>",
            "u",
            "u",
            None,
            "s",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(e, "u: not a feed: got an HTML page");
        let e = parse(b"<foo/>", "u", "u", None, "s")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a feed"), "{e}");
    }

    #[test]
    fn json_feed_and_latin1() {
        let j = br#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://e.com/j","title":"Jay","content_html":"<p>Body</p>"}]}"#;
        let doc = parse(
            j,
            "https://e.com/feed.json",
            "https://e.com/feed.json",
            None,
            "s",
        )
        .unwrap();
        assert_eq!(doc.items[0].article.blocks[0].text, "Body");
        let l = b"<?xml version='1.0' encoding='ISO-8859-1'?><rss version='2.0'><channel><title>Caf\xe9</title><item><title>No\xebl</title></item></channel></rss>";
        let doc = parse(l, "u", "u", None, "s").unwrap();
        assert_eq!(doc.title.as_deref(), Some("Café"));
        assert_eq!(doc.items[0].article.title, "Noël");
    }
}
