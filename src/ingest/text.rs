//! Plain-text articles in the layouts people save news in:
//! - a wire or web copy: an optional section word, the headline, an optional standfirst set
//!   apart by extra blank lines, body paragraphs, photo captions with agency credits and
//!   editors' notes, and trailing boilerplate (`Source link`, `Read more`);
//! - a header of `Key: value` lines (`Title:`, `Date:`, `Source:`, `Kind:`, `Credit:`), a blank
//!   line, then paragraphs with `[Caption] `, `Name: ` interview turns, `## ` subheads and `- `
//!   list items (the bundled Wikinews articles);
//! - a front-matter block (`---` / `title:` … / `---`) followed by Markdown or plain text;
//! - a Markdown article opening with `# Title`.
//!
//! The rules describe kinds of line, never one article. Input must already be clean
//! ([`crate::sanitize::clean_text`]); this module does no I/O.

use super::date::{find_date, parse_date};
use crate::model::{Article, Block, BlockKind};
use crate::sanitize::clean_line;

/// A run of non-blank lines, and how many blank lines stood before it.
#[derive(Debug)]
struct Chunk<'a> {
    lines: Vec<&'a str>,
    gap_before: usize,
}

impl Chunk<'_> {
    fn joined(&self) -> String {
        clean_line(&self.lines.join(" "))
    }

    fn is_single_line(&self) -> bool {
        self.lines.len() == 1
    }
}

fn chunks<'a>(lines: &[&'a str]) -> Vec<Chunk<'a>> {
    let mut out: Vec<Chunk<'_>> = Vec::new();
    let mut gap = 0;
    let mut current: Option<Chunk<'_>> = None;
    for line in lines {
        if line.trim().is_empty() {
            if let Some(c) = current.take() {
                out.push(c);
            }
            gap += 1;
        } else {
            current
                .get_or_insert_with(|| Chunk {
                    lines: Vec::new(),
                    gap_before: std::mem::take(&mut gap),
                })
                .lines
                .push(line.trim_end());
        }
    }
    out.extend(current);
    out
}

/// Fields gathered from a header or front matter before the body is read.
#[derive(Default)]
struct Header {
    title: Option<String>,
    section: Option<String>,
    standfirst: Option<String>,
    byline: Option<String>,
    published: Option<String>,
    link: Option<String>,
    interview: bool,
}

impl Header {
    fn set(&mut self, key: &str, value: &str) {
        let value = clean_line(unquote(value.trim()));
        if value.is_empty() {
            return;
        }
        match key.to_ascii_lowercase().as_str() {
            "title" | "headline" => self.title = Some(value),
            "section" | "category" => self.section = Some(value),
            "kind" => {
                self.interview = value.eq_ignore_ascii_case("interview");
                self.section.get_or_insert_with(|| capitalise(&value));
            }
            "standfirst" | "summary" | "description" | "subtitle" | "dek" => {
                self.standfirst = Some(value)
            }
            "author" | "byline" | "by" => self.byline = Some(value),
            // A credit line names who wrote it; the licence after the first sentence is
            // attribution metadata, not a byline.
            "credit" => {
                let who = value
                    .split(". ")
                    .next()
                    .unwrap_or(&value)
                    .trim_end_matches('.');
                self.byline.get_or_insert_with(|| who.to_string());
            }
            "date" | "published" | "pubdate" | "updated" => {
                if let Some(d) = parse_date(&value) {
                    self.published.get_or_insert(d);
                }
            }
            "url" | "link" | "source" | "canonical" if is_url(&value) => {
                self.link.get_or_insert(value);
            }
            _ => {}
        }
    }
}

const HEADER_KEYS: &[&str] = &[
    "title",
    "date",
    "source",
    "kind",
    "credit",
    "author",
    "byline",
    "section",
    "url",
    "link",
    "published",
    "category",
    "summary",
    "standfirst",
];

fn header_line(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let known = HEADER_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key.trim()));
    (known && !key.contains(' ')).then(|| (key.trim(), value))
}

/// Parses a cleaned plain-text (or Markdown) article. `source` names where it came from.
pub fn parse_article(text: &str, source: &str) -> Article {
    let lines: Vec<&str> = text.lines().collect();
    let mut header = Header::default();
    let first = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    let mut body_start = first;
    let mut markdown = false;

    if lines.get(first).map(|l| l.trim()) == Some("---") {
        // Front matter, up to the closing `---` (or `...`).
        if let Some(end) = lines[first + 1..]
            .iter()
            .position(|l| matches!(l.trim(), "---" | "..."))
        {
            for l in &lines[first + 1..first + 1 + end] {
                if let Some((k, v)) = l.split_once(':') {
                    header.set(k.trim(), v);
                }
            }
            body_start = first + end + 2;
            markdown = true;
        }
    } else if lines.get(first).and_then(|l| header_line(l)).is_some() {
        // A `Key: value` header: every line up to the first blank one.
        let mut i = first;
        while let Some(l) = lines.get(i).filter(|l| !l.trim().is_empty()) {
            match header_line(l) {
                Some((k, v)) => header.set(k, v),
                None => break,
            }
            i += 1;
        }
        body_start = i;
    }

    let body_lines = lines.get(body_start..).unwrap_or(&[]);
    let mut chunks = chunks(body_lines);
    let mut chunk_iter = 0;

    // Markdown headline, or the plain layout's section / headline / standfirst.
    if header.title.is_none() {
        if let Some(c) = chunks.first()
            && let Some(t) = c.lines[0].trim_start().strip_prefix("# ")
        {
            markdown = true;
            header.title = Some(clean_line(&strip_inline_markdown(t)));
            if c.lines.len() > 1 {
                chunks[0].lines.remove(0);
            } else {
                chunk_iter = 1;
            }
        } else {
            chunk_iter = plain_heading(&mut chunks, &mut header);
        }
    }

    let mut article_blocks = Vec::new();
    let mut link = header.link.take();
    let mut caption_date = None;
    let rest = &chunks[chunk_iter.min(chunks.len())..];
    // A speaker label counts when the article says it is an interview, or when the same label
    // opens two or more paragraphs (a transcript), so `Warning: ...` in news stays a paragraph.
    let recurring = recurring_speakers(rest);
    for chunk in rest {
        body_blocks(chunk, markdown, &mut article_blocks, &mut link);
    }
    for b in &mut article_blocks {
        if b.kind == BlockKind::Caption {
            if caption_date.is_none() {
                caption_date = find_date(&b.text);
            }
            continue;
        }
        if b.kind == BlockKind::Paragraph
            && let Some((speaker, text)) = speaker_label(&b.text)
            && (header.interview || recurring.contains(&speaker))
        {
            let (speaker, text) = (speaker.to_string(), text.to_string());
            b.speaker = Some(speaker);
            b.text = text;
        }
    }
    // A date-only paragraph near the top is the dateline, not body.
    if header.published.is_none()
        && let Some(pos) = article_blocks.iter().take(3).position(|b| {
            b.kind == BlockKind::Paragraph && b.text.len() < 60 && parse_date(&b.text).is_some()
        })
    {
        header.published = parse_date(&strip_date_label(&article_blocks[pos].text));
        article_blocks.remove(pos);
    }

    let title = header.title.unwrap_or_else(|| {
        // Nothing looked like a headline: borrow the opening words of the text.
        article_blocks
            .first()
            .map(|b| truncate_words(&b.text, 12))
            .unwrap_or_else(|| "Untitled".to_string())
    });
    let mut article = Article::new(title, link, source.to_string(), article_blocks);
    article.section = header.section;
    article.standfirst = header.standfirst;
    article.byline = header.byline;
    article.published = header.published.or(caption_date);
    article
}

/// Reads section, headline and standfirst off the first chunks of a plain article; returns
/// how many chunks they used.
fn plain_heading(chunks: &mut [Chunk<'_>], header: &mut Header) -> usize {
    let mut i = 0;
    let Some(first) = chunks.first() else {
        return 0;
    };
    // A section is one or two short words standing alone before a headline.
    let headline_follows = chunks.get(1).is_some_and(|c| {
        c.is_single_line() && c.lines[0].len() <= 200 && !c.lines[0].trim_end().ends_with('.')
    });
    if chunks.len() >= 3
        && first.is_single_line()
        && looks_like_section(first.lines[0])
        && headline_follows
    {
        header.section = Some(clean_line(first.lines[0]));
        i = 1;
    }
    let Some(title_chunk) = chunks.get(i) else {
        return i;
    };
    if title_chunk.is_single_line() && title_chunk.lines[0].len() <= 300 {
        header.title = Some(clean_line(title_chunk.lines[0]));
        i += 1;
    } else if title_chunk.lines.len() > 1 && title_chunk.lines[0].len() <= 150 {
        // A headline directly above its text with no blank line between: the rest is body.
        header.title = Some(clean_line(title_chunk.lines[0]));
        chunks[i].lines.remove(0);
        return i;
    } else {
        return i;
    }
    // A standfirst is a short paragraph set apart from the headline or the body by more
    // blank lines than separate the body's own paragraphs.
    if let (Some(sf), Some(next)) = (chunks.get(i), chunks.get(i + 1)) {
        let body_gap = chunks
            .get(i + 2..)
            .and_then(|r| {
                let mut gaps: Vec<usize> = r.iter().map(|c| c.gap_before).collect();
                gaps.sort_unstable();
                gaps.get(gaps.len() / 2).copied()
            })
            .unwrap_or(1);
        let set_apart = sf.gap_before > body_gap || next.gap_before > body_gap;
        let text = sf.joined();
        let words = text.split_whitespace().count();
        if set_apart
            && (5..=80).contains(&words)
            && !text.starts_with(['“', '"', '‘', '\''])
            && !is_caption_line(&text)
        {
            header.standfirst = Some(text);
            i += 1;
        }
    }
    i
}

fn looks_like_section(line: &str) -> bool {
    let t = line.trim();
    let words = t.split_whitespace().count();
    (1..=3).contains(&words)
        && t.len() <= 30
        && t.chars().next().is_some_and(|c| c.is_uppercase())
        && !t.ends_with(['.', '!', '?', ':', ';', ',', '”', '"'])
}

/// Appends the blocks of one chunk of body text.
fn body_blocks(chunk: &Chunk<'_>, markdown: bool, out: &mut Vec<Block>, link: &mut Option<String>) {
    let lines = &chunk.lines;
    // Line-structured chunks: list items, captions, subheads, each line on its own.
    let per_line = lines.len() > 1
        && lines.iter().all(|l| {
            list_item(l).is_some() || is_caption_line(l) || l.trim_start().starts_with("[Caption]")
        });
    if per_line {
        for l in lines {
            line_block(l, markdown, out, link);
        }
        return;
    }
    if lines.iter().all(|l| l.trim_start().starts_with('>')) {
        let text = lines
            .iter()
            .map(|l| l.trim_start().trim_start_matches('>').trim())
            .collect::<Vec<_>>()
            .join(" ");
        push_text(out, BlockKind::Quote, &text, markdown);
        return;
    }
    if lines.len() == 1 {
        line_block(lines[0], markdown, out, link);
        return;
    }
    // A hard-wrapped paragraph.
    push_text(out, BlockKind::Paragraph, &lines.join(" "), markdown);
}

fn line_block(line: &str, markdown: bool, out: &mut Vec<Block>, link: &mut Option<String>) {
    let t = line.trim();
    if let Some(rest) = t.strip_prefix("[Caption]") {
        out.push(Block::caption(clean_line(rest), None));
        return;
    }
    if let Some(level_rest) = t.strip_prefix('#') {
        let h = level_rest.trim_start_matches('#');
        if h.starts_with(' ') {
            push_text(out, BlockKind::Heading, h, markdown);
            return;
        }
    }
    if let Some(item) = list_item(t) {
        push_text(out, BlockKind::ListItem, item, markdown);
        return;
    }
    if is_url(t) {
        link.get_or_insert_with(|| t.to_string());
        return;
    }
    if let Some(url) = boilerplate(t) {
        if let Some(url) = url {
            link.get_or_insert(url);
        }
        return;
    }
    if markdown && let Some(alt) = markdown_image(t) {
        if !alt.is_empty() {
            out.push(Block::caption(clean_line(alt), None));
        }
        return;
    }
    if let Some(block) = caption(t) {
        out.push(block);
        return;
    }
    push_text(out, BlockKind::Paragraph, t, markdown);
}

fn push_text(out: &mut Vec<Block>, kind: BlockKind, text: &str, markdown: bool) {
    let text = if markdown {
        clean_line(&strip_inline_markdown(text))
    } else {
        clean_line(text)
    };
    if !text.is_empty() {
        out.push(Block::new(kind, text));
    }
}

fn list_item(line: &str) -> Option<&str> {
    let t = line.trim_start();
    ["- ", "* ", "• ", "– "]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .map(str::trim)
}

fn is_url(s: &str) -> bool {
    let s = s.trim();
    (s.starts_with("http://") || s.starts_with("https://")) && !s.contains(char::is_whitespace)
}

/// Lines that belong to the page around an article, not to it. Returns `Some(url)` for a
/// boilerplate line, carrying the URL it held if any.
fn boilerplate(line: &str) -> Option<Option<String>> {
    const LINES: &[&str] = &[
        "source link",
        "source",
        "read more",
        "read the full story",
        "read the original article",
        "continue reading",
        "advertisement",
        "share",
        "share this article",
        "share this",
        "follow us",
        "subscribe",
        "sign up",
        "related",
        "related articles",
        "related stories",
        "click here",
        "originally published",
        "skip to content",
        "back to top",
    ];
    let t = line.trim().trim_end_matches(['.', ':']).trim();
    let (label, url) = match t.split_once(": ").or_else(|| t.split_once(" http")) {
        Some((label, rest)) if is_url(rest.trim()) || is_url(&format!("http{rest}")) => {
            let url = if rest.starts_with("//") || rest.starts_with("s://") {
                format!("http{}", rest.trim())
            } else {
                rest.trim().to_string()
            };
            (label.trim(), Some(url))
        }
        _ => (t, None),
    };
    LINES
        .iter()
        .any(|b| b.eq_ignore_ascii_case(label))
        .then_some(url)
}

/// Editors' notes that wire photos carry after their caption; everything from the first of
/// them on is dropped.
const EDITORS_NOTES: &[&str] = &[
    "ATTENTION EDITORS",
    "THIS IMAGE HAS BEEN SUPPLIED",
    "EDITORIAL USE ONLY",
    "FOR EDITORIAL USE",
    "NO RESALES",
    "NO ARCHIVES",
    "NO COMMERCIAL",
    "MANDATORY CREDIT.",
    "THIS PICTURE WAS",
    "THIS IMAGE WAS",
    "BEST QUALITY AVAILABLE",
];

/// Markers that only photo captions carry.
const CAPTION_MARKERS: &[&str] = &[
    "mandatory credit",
    "in this photo taken by",
    "in this handout",
    "handout photo",
    "photo taken by",
    "reuters/",
    "ap photo",
    "afp photo",
    "getty images",
    "epa-efe",
    "photo credit:",
    "photograph:",
    "photo:",
    "picture taken",
];

fn is_caption_line(line: &str) -> bool {
    caption(line).is_some()
}

/// A photo caption, with its credit separated and any editors' note dropped.
fn caption(line: &str) -> Option<Block> {
    let t = line.trim();
    // `Text [Agency]` or `Text [Agency via Agency]`: a bracketed credit closing a short line.
    if t.ends_with(']')
        && let Some(open) = t.rfind('[')
    {
        let credit = &t[open + 1..t.len() - 1];
        let text = t[..open].trim();
        if is_credit_like(credit) && !text.is_empty() && text.len() <= 400 {
            return Some(Block::caption(
                clean_line(text),
                Some(normalise_credit(credit)),
            ));
        }
    }
    // ASCII folding keeps byte offsets equal between `t` and `lower` (the markers are ASCII).
    let lower = t.to_ascii_lowercase();
    if !CAPTION_MARKERS.iter().any(|m| lower.contains(m))
        && !EDITORS_NOTES.iter().any(|m| t.contains(m))
    {
        return None;
    }
    // Cut the editors' note.
    let note_at = EDITORS_NOTES
        .iter()
        .filter_map(|m| t.find(m))
        .min()
        .unwrap_or(t.len());
    let kept = t[..note_at].trim_end_matches([' ', '-', '–', '—']).trim();
    let kept_lower = &lower[..kept.len()];
    // `... Mandatory credit Kyodo/via REUTERS`
    if let Some(at) = kept_lower.find("mandatory credit") {
        let text = kept[..at].trim();
        let credit = kept[at + "mandatory credit".len()..].trim_start_matches([':', ' ']);
        return Some(Block::caption(clean_line(text), non_empty_credit(credit)));
    }
    // `... REUTERS/Issei Kato`, `(AP Photo/Name)`, `Photo: Agency`
    for marker in [
        "reuters/",
        "(ap photo",
        "afp photo",
        "photo credit:",
        "photograph:",
        "photo:",
    ] {
        if let Some(at) = kept_lower.rfind(marker) {
            let text = kept[..at].trim().trim_end_matches('(').trim();
            let credit = if marker.ends_with(':') {
                &kept[at + marker.len()..]
            } else {
                &kept[at..]
            };
            let credit = credit.trim().trim_matches(|c| c == '(' || c == ')');
            return Some(Block::caption(clean_line(text), non_empty_credit(credit)));
        }
    }
    // `... in this photo taken by Kyodo.`
    let credit = kept_lower.find("photo taken by ").map(|at| {
        kept[at + "photo taken by ".len()..]
            .split(['.', ','])
            .next()
            .unwrap_or("")
            .to_string()
    });
    Some(Block::caption(
        clean_line(kept),
        credit.and_then(|c| non_empty_credit(&c)),
    ))
}

fn non_empty_credit(credit: &str) -> Option<String> {
    let c = credit.trim().trim_end_matches(['.', ',']).trim();
    (!c.is_empty()).then(|| normalise_credit(c))
}

/// Credits are often set in capitals (`Kyodo/via REUTERS`); agency names read better in title
/// case, while short acronyms (AP, AFP, EPA, and both halves of EPA-EFE) stay as they are.
fn normalise_credit(credit: &str) -> String {
    let word = |part: &str| {
        let letters = part.chars().filter(|c| c.is_alphabetic()).count();
        if letters > 3 && part.chars().all(|c| !c.is_lowercase()) {
            capitalise(&part.to_lowercase())
        } else {
            part.to_string()
        }
    };
    let words: Vec<String> = credit
        .split(' ')
        .map(|w| {
            w.split('/')
                .map(|part| part.split('-').map(word).collect::<Vec<_>>().join("-"))
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    clean_line(&words.join(" "))
}

fn is_credit_like(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.len() <= 80
        && s.chars().next().is_some_and(|c| c.is_uppercase())
        && s.chars().any(|c| c.is_alphabetic())
        && !s.eq_ignore_ascii_case("sic")
        && !s.contains(['[', ']'])
}

/// `Name: text` at the start of a paragraph, where Name is one to four capitalised words.
fn speaker_label(text: &str) -> Option<(&str, &str)> {
    let (label, rest) = text.split_once(": ")?;
    let words: Vec<&str> = label.split_whitespace().collect();
    if words.is_empty() || words.len() > 4 || rest.trim().is_empty() || label.len() > 40 {
        return None;
    }
    let name_like = words.iter().all(|w| {
        let first = w.chars().next();
        first.is_some_and(|c| c.is_uppercase())
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
            && (w.chars().filter(|c| c.is_alphabetic()).count() > 1 || words.len() > 1)
    }) && !label.ends_with('.');
    const NOT_SPEAKERS: &[&str] = &[
        "Note",
        "Update",
        "Updated",
        "Source",
        "Sources",
        "Photo",
        "Caption",
        "Credit",
        "Warning",
        "Editor",
        "Correction",
        "Question",
        "Answer",
        "Title",
        "Date",
        "Related",
        "Video",
    ];
    (name_like && !NOT_SPEAKERS.contains(&label)).then_some((label, rest.trim_start()))
}

fn recurring_speakers<'a>(chunks: &'a [Chunk<'a>]) -> Vec<&'a str> {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for c in chunks {
        if let Some((label, _)) = speaker_label(c.lines[0]) {
            match seen.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => seen.push((label, 1)),
            }
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(l, _)| l)
        .collect()
}

fn strip_date_label(s: &str) -> String {
    let t = s.trim();
    for label in [
        "Published on",
        "Published On",
        "Published:",
        "Published",
        "Updated:",
        "Updated",
        "Date:",
    ] {
        if let Some(rest) = t.strip_prefix(label) {
            return rest.trim().to_string();
        }
    }
    t.to_string()
}

fn markdown_image(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("![")?;
    let (alt, tail) = rest.split_once("](")?;
    tail.ends_with(')').then_some(alt)
}

/// Drops Markdown's inline markup: `[text](url)` keeps its text, emphasis and code marks go.
fn strip_inline_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        match after.find("](").and_then(|close| {
            after[close + 2..]
                .find(')')
                .map(|paren| (close, close + 2 + paren))
        }) {
            Some((close, end)) if !after[..close].contains('[') => {
                out.push_str(&rest[..open]);
                out.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "").replace("__", "").replace('`', "")
}

/// `"value"` or `'value'` as YAML writes it; a lone quote mark is part of the text.
fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn truncate_words(s: &str, n: usize) -> String {
    let words: Vec<&str> = s.split_whitespace().take(n + 1).collect();
    if words.len() > n {
        format!("{}…", words[..n].join(" "))
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests;
