//! HTML to blocks, and whole pages to articles. This module owns the one HTML converter:
//! paragraphs, quotes, headings, list items and figure captions become our blocks; links and
//! images stay as text references (`text <url>`, `[image: alt]`), never raw HTML; scripts,
//! styles, forms and embeds are dropped. Pages go through `dom_smoothie` (a Readability
//! port) first. Every string it returns has passed the sanitiser. No network, no cache.

use crate::error::{Error, Result};
use crate::model::{Article, Block, BlockKind};
use crate::sanitize::{clean_collapsed, clean_line, clean_text, push_collapsed};
use dom_query::{Document, NodeData, NodeRef};
use std::borrow::Cow;

/// Deeper than this the tree is flattened to its text: guards the stack against hostile nesting.
const MAX_DEPTH: usize = 200;

/// Converts an HTML fragment (a feed item's content, a page's article) to blocks.
pub fn to_blocks(html: &str) -> Vec<Block> {
    // Most feed items are plain paragraphs and captions: those are read without building a
    // tree (the same blocks, for a fraction of the work); anything else is parsed.
    let mut w = Walker::default();
    if !w.read_simple(html) {
        return to_blocks_parsed(html);
    }
    w.flush(BlockKind::Paragraph);
    w.blocks
}

/// [`to_blocks`] through the HTML parser, whatever the markup.
fn to_blocks_parsed(html: &str) -> Vec<Block> {
    let doc = Document::fragment(html);
    let mut w = Walker::default();
    w.walk(&doc.root(), BlockKind::Paragraph, 0);
    w.flush(BlockKind::Paragraph);
    w.blocks
}

/// The elements open while [`Walker::read_simple`] reads.
#[derive(Clone, Copy, PartialEq)]
enum SimpleOpen {
    Nothing,
    Paragraph,
    Figure,
    Caption,
}

/// The text of an HTML fragment on one line (titles that arrive as HTML).
pub fn to_line(html: &str) -> String {
    let blocks = to_blocks(html);
    clean_line(
        &blocks
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// True when text looks like an HTML page rather than a feed or plain text.
pub fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with('<')
            && (head.contains("<html") || head.contains("<head") || head.contains("<body")))
}

#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    buf: String,
}

impl Walker {
    /// Everything a block's text gets goes through here, so its spaces are single by the
    /// time it is flushed ([`clean_collapsed`] counts on it).
    fn push_text(&mut self, t: &str) {
        // HTML whitespace collapses to one space; the block's ends are trimmed at flush.
        push_collapsed(&mut self.buf, t);
    }

    fn flush(&mut self, kind: BlockKind) {
        let text = clean_collapsed(&self.buf);
        self.buf.clear();
        if !text.is_empty() {
            self.blocks.push(Block::new(kind, text));
        }
    }

    fn walk(&mut self, node: &NodeRef<'_>, kind: BlockKind, depth: usize) {
        for child in node.children_it(false) {
            // Text is read in place in the tree rather than copied out first.
            let was_text = child.query_or(false, |n| match &n.data {
                NodeData::Text { contents } => {
                    self.push_text(contents);
                    true
                }
                _ => false,
            });
            if was_text {
                continue;
            }
            let Some(local) = child.qual_name_ref().map(|q| q.local.clone()) else {
                continue;
            };
            // The parser gives HTML names in lower case already; only others need a copy.
            let local: &str = &local;
            let name = if local.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(local.to_ascii_lowercase())
            } else {
                Cow::Borrowed(local)
            };
            if depth >= MAX_DEPTH {
                self.push_text(&child.text());
                continue;
            }
            match &*name {
                "script" | "style" | "noscript" | "template" | "iframe" | "object" | "embed"
                | "svg" | "math" | "form" | "button" | "input" | "select" | "textarea" | "head"
                | "title" | "meta" | "link" | "video" | "audio" | "canvas" => {}
                "br" => self.push_text(" "),
                "img" => {
                    let alt = clean_line(&child.attr("alt").unwrap_or_default());
                    if !alt.is_empty() {
                        self.push_text(&format!(" [image: {alt}] "));
                    }
                }
                "a" => {
                    let before = self.buf.len();
                    self.walk(&child, kind, depth + 1);
                    // A block inside the link may have flushed the buffer meanwhile (found by
                    // fuzzing): then there is no link text to compare.
                    let text = self.buf.get(before..).unwrap_or("").trim();
                    let href = clean_line(&child.attr("href").unwrap_or_default());
                    let absolute = href.starts_with("http://") || href.starts_with("https://");
                    if absolute && !text.is_empty() && text != href && !text.contains(&href) {
                        self.push_text(&format!(" <{href}>"));
                    }
                }
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                    self.block(&child, BlockKind::Heading, kind, depth)
                }
                "li" | "dt" | "dd" => {
                    let k = if kind == BlockKind::Quote {
                        kind
                    } else {
                        BlockKind::ListItem
                    };
                    self.block(&child, k, kind, depth)
                }
                "blockquote" => self.block(&child, BlockKind::Quote, kind, depth),
                "figcaption" | "caption" => self.block(&child, BlockKind::Caption, kind, depth),
                "tr" => {
                    self.flush(kind);
                    let cells: Vec<String> = child
                        .element_children()
                        .iter()
                        .map(|c| clean_line(&c.text()))
                        .filter(|c| !c.is_empty())
                        .collect();
                    self.push_text(&cells.join(" | "));
                    self.flush(kind);
                }
                "pre" => {
                    self.flush(kind);
                    let text = clean_text(&child.text()).trim_matches('\n').to_string();
                    if !text.trim().is_empty() {
                        self.blocks.push(Block::new(kind, text));
                    }
                }
                "p" | "div" | "section" | "article" | "main" | "header" | "footer" | "aside"
                | "figure" | "ul" | "ol" | "dl" | "table" | "tbody" | "thead" | "tfoot" | "hr"
                | "address" | "details" | "summary" | "nav" | "center" | "body" | "html" => {
                    self.block(&child, kind, kind, depth)
                }
                _ => self.walk(&child, kind, depth + 1),
            }
        }
    }

    /// Reads markup made only of `<p>`, `<figure>` and `<figcaption>` holding text, `<br>`, and
    /// the entities `&amp; &lt; &gt; &quot; &#39; &nbsp;`, each tag without attributes and
    /// closed where it should be, making the same calls [`Walker::walk`] would make on the
    /// parsed tree: for these the HTML parser's tree is just the tags as written, and text
    /// split by an entity appends as if it were whole. Returns false at anything else (the
    /// walker must then be thrown away), including text the parser changes (NUL, CR) and a
    /// leading BOM, which it drops.
    fn read_simple(&mut self, html: &str) -> bool {
        use SimpleOpen::*;
        let bytes = html.as_bytes();
        if html.starts_with('\u{feff}') || memchr::memchr2(b'\0', b'\r', bytes).is_some() {
            return false;
        }
        let mut open = Nothing;
        let mut rest = html;
        loop {
            // Both are ASCII, so the cut is at a character boundary.
            let cut = memchr::memchr2(b'<', b'&', rest.as_bytes()).unwrap_or(rest.len());
            self.push_text(&rest[..cut]);
            rest = &rest[cut..];
            if rest.is_empty() {
                return open == Nothing;
            }
            if rest.starts_with('&') {
                let Some((text, len)) = [
                    ("&amp;", "&"),
                    ("&lt;", "<"),
                    ("&gt;", ">"),
                    ("&quot;", "\""),
                    ("&#39;", "'"),
                    ("&nbsp;", "\u{a0}"),
                ]
                .iter()
                .find_map(|(entity, text)| {
                    rest.starts_with(entity).then_some((*text, entity.len()))
                }) else {
                    return false;
                };
                self.push_text(text);
                rest = &rest[len..];
                continue;
            }
            // Not text and not an entity: a tag.
            let Some(end) = rest.find('>') else {
                return false;
            };
            open = match (open, &rest[1..end]) {
                (Nothing, "p") => {
                    self.flush(BlockKind::Paragraph);
                    Paragraph
                }
                (Nothing, "figure") => {
                    self.flush(BlockKind::Paragraph);
                    Figure
                }
                (Figure, "figcaption") => {
                    self.flush(BlockKind::Paragraph);
                    Caption
                }
                (Paragraph, "/p") | (Figure, "/figure") => {
                    self.flush(BlockKind::Paragraph);
                    Nothing
                }
                (Caption, "/figcaption") => {
                    self.flush(BlockKind::Caption);
                    Figure
                }
                (_, "br" | "br/" | "br /") => {
                    self.push_text(" ");
                    open
                }
                _ => return false,
            };
            rest = &rest[end + 1..];
        }
    }

    /// A block-level element: what came before it ends, its content is one block (or more,
    /// if it holds blocks), and what follows starts afresh.
    fn block(&mut self, node: &NodeRef<'_>, kind: BlockKind, outer: BlockKind, depth: usize) {
        self.flush(outer);
        self.walk(node, kind, depth + 1);
        self.flush(kind);
    }
}

/// Extracts the article from a whole HTML page (already decoded to text) with Readability:
/// title, byline, published time, site name (kept as the section), excerpt (standfirst) and
/// the body as blocks. `url` is the page's address when known (resolves relative links).
pub fn parse_page(html: &str, url: Option<&str>, source: &str) -> Result<Article> {
    let absolute = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let extracted = super::guard::fenced(|| {
        dom_smoothie::Readability::new(html, absolute, None)
            .map_err(|e| format!("cannot read the page: {e}"))
            .and_then(|mut r| {
                r.parse()
                    .map_err(|e| format!("no article found in the page ({e})"))
            })
    })
    .ok_or_else(|| Error::bad_input(source, "malformed page: the extractor gave up on it"))?;
    let page = extracted.map_err(|e| Error::bad_input(source, e))?;
    let blocks = to_blocks(&page.content);
    if blocks.is_empty() {
        return Err(Error::bad_input(
            source,
            "no article text found in the page",
        ));
    }
    let title = Some(clean_line(&page.title))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Untitled".to_string());
    let link = url.map(clean_line).filter(|l| !l.is_empty());
    let mut a = Article::new(title, link, clean_line(source), blocks);
    a.byline = page
        .byline
        .as_deref()
        .map(clean_line)
        .filter(|s| !s.is_empty());
    a.section = page
        .site_name
        .as_deref()
        .map(clean_line)
        .filter(|s| !s.is_empty());
    a.standfirst = page.excerpt.as_deref().map(clean_line).filter(|s| {
        !s.is_empty()
            && !a
                .blocks
                .first()
                .is_some_and(|b| b.text.starts_with(s.as_str()))
    });
    a.published = page
        .published_time
        .as_deref()
        .and_then(|p| super::date::parse_date(&clean_line(p)));
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::to_blocks as blocks_of;

    #[test]
    fn a_block_inside_a_link_does_not_break_the_walk() {
        // Found by fuzzing: the link's text was sliced from a buffer the block had flushed.
        let blocks =
            blocks_of("<p>x<a href=\"https://a.example\">ü<div>inner é</div>après</a></p>");
        assert!(
            blocks.iter().any(|b| b.text.contains("inner é")),
            "{blocks:?}"
        );
    }

    use super::*;

    fn kinds(blocks: &[Block]) -> Vec<(BlockKind, &str)> {
        blocks.iter().map(|b| (b.kind, b.text.as_str())).collect()
    }

    #[test]
    fn blocks_from_common_markup() {
        let html = r#"<h2>Head</h2><p>One <b>bold</b>
            and <a href="https://e.com/x">a link</a>.<script>alert(1)</script></p>
            <blockquote><p>Quoted.</p></blockquote>
            <ul><li>First</li><li>Second <img src="i.png" alt="a cat"></li></ul>
            <figure><img src="p.jpg"><figcaption>A caption</figcaption></figure>
            Tail text<br>more"#;
        let b = to_blocks(html);
        assert_eq!(
            kinds(&b),
            vec![
                (BlockKind::Heading, "Head"),
                (
                    BlockKind::Paragraph,
                    "One bold and a link <https://e.com/x>."
                ),
                (BlockKind::Quote, "Quoted."),
                (BlockKind::ListItem, "First"),
                (BlockKind::ListItem, "Second [image: a cat]"),
                (BlockKind::Caption, "A caption"),
                (BlockKind::Paragraph, "Tail text more"),
            ]
        );
    }

    #[test]
    fn hostile_text_is_sanitised_and_deep_nesting_is_fine() {
        let b = to_blocks("<p>a\u{1b}[31mred\u{202e}x</p>");
        assert_eq!(b[0].text, "aredx");
        let deep = "<div>".repeat(5000) + "deep" + &"</div>".repeat(5000);
        assert_eq!(to_blocks(&deep)[0].text, "deep");
    }

    #[test]
    fn simple_markup_is_read_without_the_parser_and_gives_the_same_blocks() {
        let html = "<p>One “two” &amp; three&nbsp;four</p>\n<figure><figcaption> A  caption\t\
                    <br>REUTERS/Jo </figcaption></figure><p>x &lt;y&gt; &quot;z&#39;</p> tail";
        assert!(Walker::default().read_simple(html));
        assert_eq!(to_blocks(html), to_blocks_parsed(html));
        for not_simple in [
            "<p class=a>x</p>",
            "<p>x",
            "<p>a<p>b</p>",
            "</p>",
            "<figcaption>x</figcaption>",
            "a &copy; b",
            "a\r\nb",
            "\u{feff}x",
            "<P>x</P>",
        ] {
            assert!(!Walker::default().read_simple(not_simple), "{not_simple:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn simple_reading_agrees_with_the_parser(
            html in "(<p>|</p>|<figure>|</figure>|<figcaption>|</figcaption>|<br>|<br/>|<b>|&amp;|&lt;|&gt;|&quot;|&#39;|&nbsp;|&amp|&|<|>|\\PC|[ a\n\t\r\u{0}\u{a0}\u{2028}\u{feff}\u{1b}])*"
        ) {
            proptest::prop_assert_eq!(to_blocks(&html), to_blocks_parsed(&html));
        }
    }

    /// Markup of the simple kind, built from its parts: text, entities and `<br>` inside
    /// paragraphs, captions inside figures, and text between them.
    fn simple_markup() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let inline = prop_oneof![
            "[ a-zé“.>;#\n\t\u{a0}\u{2028}\u{85}\u{1b}\u{202e}\u{feff}\u{7}]{0,12}",
            Just("&amp;".to_string()),
            Just("&nbsp;".to_string()),
            Just("&lt;".to_string()),
            Just("<br>".to_string()),
            Just("<br />".to_string()),
        ];
        let inlines = proptest::collection::vec(inline, 0..6).prop_map(|v| v.concat());
        let in_figure = prop_oneof![
            inlines.clone(),
            inlines
                .clone()
                .prop_map(|t| format!("<figcaption>{t}</figcaption>")),
        ];
        let top = prop_oneof![
            inlines.clone(),
            inlines.prop_map(|t| format!("<p>{t}</p>")),
            proptest::collection::vec(in_figure, 0..3)
                .prop_map(|v| format!("<figure>{}</figure>", v.concat())),
        ];
        proptest::collection::vec(top, 0..6).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #[test]
        fn simple_markup_is_read_as_the_parser_reads_it(html in simple_markup()) {
            // Only a leading BOM (which the parser drops) sends these to the parser.
            let simple = Walker::default().read_simple(&html);
            proptest::prop_assert_eq!(simple, !html.starts_with('\u{feff}'));
            proptest::prop_assert_eq!(to_blocks(&html), to_blocks_parsed(&html));
        }
    }

    proptest::proptest! {
        #[test]
        fn push_text_makes_each_run_of_whitespace_one_space(
            parts in proptest::collection::vec("[ a\t\n\u{a0}\u{2003}é“]{0,8}", 0..6)
        ) {
            // The rule, one character at a time: a space only after something but a space.
            let mut want = String::new();
            let mut w = Walker::default();
            for part in &parts {
                w.push_text(part);
                for c in part.chars() {
                    if !c.is_whitespace() {
                        want.push(c);
                    } else if !want.is_empty() && !want.ends_with(' ') {
                        want.push(' ');
                    }
                }
            }
            proptest::prop_assert_eq!(w.buf, want);
        }
    }

    #[test]
    fn detects_html() {
        assert!(looks_like_html("<!DOCTYPE html><html>"));
        assert!(looks_like_html("\n<html lang=en>"));
        assert!(!looks_like_html("<?xml version='1.0'?><rss/>"));
        assert!(!looks_like_html("Title\n\nBody"));
    }
}
