//! The reader pane: an article laid out as lines for a width (title, meta line, standfirst,
//! body blocks wrapped with `textwrap`), with mentions coloured by kind, search hits
//! highlighted and the marked span reversed. [`build`] is also what `update` uses to find the
//! line of a mention, so scrolling and drawing agree.

use super::{pane_block, theme};
use crate::model::{Article, BlockKind, Entity, Field};
use crate::tui::state::{AppState, Focus, Span as Mark};
use crate::tui::text::{self, clean};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use std::collections::HashMap;

/// Where the text of one field sits on one line: bytes `start..end` of the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

/// An article laid out for a width.
#[derive(Debug, Default)]
pub struct Doc {
    pub lines: Vec<Line<'static>>,
    pub anchors: Vec<Anchor>,
}

impl Doc {
    /// The line that shows byte `at` of `field`.
    pub fn line_of(&self, field: Field, at: usize) -> Option<usize> {
        let mut best = None;
        for a in self.anchors.iter().filter(|a| a.field == field) {
            if a.start <= at {
                best = Some(a.line);
            }
            if at < a.end {
                break;
            }
        }
        best
    }
}

/// The width text wraps to inside a reader pane of outer width `outer`.
pub fn text_width(outer: u16) -> usize {
    usize::from(outer.saturating_sub(4)).max(1)
}

/// Lays out `article` for `width` columns (`feeds`: feed names by id, for its source).
pub fn build(
    article: &Article,
    feeds: &HashMap<i64, String>,
    entities: &[Entity],
    terms: &[String],
    mark: Option<Mark>,
    width: usize,
) -> Doc {
    let width = width.max(1);
    let mut b = Builder {
        doc: Doc::default(),
        entities,
        terms,
        mark,
        width,
    };
    b.field(
        Field::Title,
        &article.title,
        Style::new().add_modifier(Modifier::BOLD),
        "",
    );
    let meta: Vec<String> = [
        article.section.clone(),
        article.published.as_deref().map(short_date),
        Some(source_label(&article.source, feeds)),
        article.byline.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect();
    b.plain(&meta.join(" · "), theme::META);
    if let Some(s) = &article.standfirst {
        b.blank();
        b.field(Field::Standfirst, s, theme::STANDFIRST, "▌ ");
        b.blank();
        b.doc
            .lines
            .push(Line::styled("─".repeat(width.min(60)), theme::RULE));
    }
    for (i, block) in article.blocks.iter().enumerate() {
        b.blank();
        if let Some(speaker) = &block.speaker {
            b.plain(
                &format!("{speaker}:"),
                Style::new().add_modifier(Modifier::BOLD),
            );
        }
        match block.kind {
            BlockKind::Paragraph => b.field(Field::Block(i), &block.text, Style::new(), ""),
            BlockKind::Quote => b.field(Field::Block(i), &block.text, theme::QUOTE, "    "),
            BlockKind::Heading => b.field(
                Field::Block(i),
                &block.text,
                Style::new().add_modifier(Modifier::BOLD),
                "",
            ),
            BlockKind::ListItem => b.field(Field::Block(i), &block.text, Style::new(), "  • "),
            BlockKind::Caption => {
                b.field(Field::Block(i), &block.text, theme::CAPTION, "  ▣ ");
                // The credit sits under its caption, set apart by colour.
                if let Some(c) = &block.credit {
                    b.field(Field::Credit(i), c, theme::CREDIT, "    ");
                }
            }
        }
    }
    b.doc
}

/// Where an article came from, briefly: a file's name, a site's host, `feed 3`.
pub fn source_label(source: &str, feeds: &HashMap<i64, String>) -> String {
    if let Some(name) = source.strip_prefix("bundled:") {
        return name.to_string();
    }
    if let Some(id) = source.strip_prefix("feed:") {
        // The feed's name when it is known (a removed feed's articles keep its number).
        return id
            .parse()
            .ok()
            .and_then(|id: i64| feeds.get(&id).cloned())
            .unwrap_or_else(|| format!("feed {id}"));
    }
    if let Some((_, rest)) = source.split_once("://") {
        return rest.split('/').next().unwrap_or(rest).to_string();
    }
    std::path::Path::new(source)
        .file_name()
        .map_or_else(|| source.to_string(), |n| n.to_string_lossy().into_owned())
}

/// `2024-11-01T09:30:00Z` → `2024-11-01`.
pub fn short_date(d: &str) -> String {
    d.chars().take(10).collect()
}

struct Builder<'a> {
    doc: Doc,
    entities: &'a [Entity],
    terms: &'a [String],
    mark: Option<Mark>,
    width: usize,
}

impl Builder<'_> {
    fn blank(&mut self) {
        self.doc.lines.push(Line::default());
    }

    fn plain(&mut self, s: &str, style: Style) {
        for (a, b) in wrap(s, self.width) {
            self.doc
                .lines
                .push(Line::styled(clean(&s[a..b]).into_owned(), style));
        }
    }

    /// Wraps one field, with `prefix` before each of its lines.
    fn field(&mut self, field: Field, s: &str, base: Style, prefix: &str) {
        let pw = text::width(prefix);
        let w = self.width.saturating_sub(pw).max(1);
        let ranges = self.styles(field, s);
        for (n, (a, b)) in wrap(s, w).into_iter().enumerate() {
            let mut spans = Vec::new();
            // Markers (bullet, caption sign) open the first line only; the rest hang under it.
            let prefix = if n > 0 && !prefix.starts_with('▌') {
                " ".repeat(pw)
            } else {
                prefix.to_string()
            };
            if !prefix.is_empty() && pw < self.width {
                let style = if field == Field::Standfirst {
                    theme::RULE
                } else {
                    base
                };
                spans.push(Span::styled(prefix, style));
            }
            // Cut the line where any style starts or ends.
            let mut cuts = vec![a, b];
            for (ra, rb, _) in &ranges {
                for c in [*ra, *rb] {
                    if c > a && c < b {
                        cuts.push(c);
                    }
                }
            }
            cuts.sort_unstable();
            cuts.dedup();
            for w2 in cuts.windows(2) {
                let (sa, sb) = (w2[0], w2[1]);
                let Some(piece) = s.get(sa..sb) else { continue };
                let mut style = base;
                for (ra, rb, st) in &ranges {
                    if *ra <= sa && sb <= *rb {
                        style = style.patch(*st);
                    }
                }
                spans.push(Span::styled(clean(piece).into_owned(), style));
            }
            self.doc.anchors.push(Anchor {
                field,
                start: a,
                end: b,
                line: self.doc.lines.len(),
            });
            self.doc.lines.push(Line::from(spans));
        }
    }

    /// Styled byte ranges of a field: mentions, then search hits, then the mark (later wins).
    fn styles(&self, field: Field, s: &str) -> Vec<(usize, usize, Style)> {
        let ok = |a: usize, b: usize| {
            a < b && b <= s.len() && s.is_char_boundary(a) && s.is_char_boundary(b)
        };
        let mut out = Vec::new();
        for e in self.entities {
            for m in e.mentions.iter().filter(|m| m.field == field) {
                if ok(m.start, m.end) {
                    out.push((m.start, m.end, theme::entity(e.kind)));
                }
            }
        }
        for (a, b) in text::find_terms(s, self.terms) {
            out.push((a, b, theme::HIT));
        }
        if let Some(m) = self.mark.filter(|m| m.field == field)
            && ok(m.start, m.end)
        {
            out.push((m.start, m.end, theme::MARK));
        }
        out
    }
}

/// Byte ranges of `s` wrapped to `width` columns.
pub fn wrap(s: &str, width: usize) -> Vec<(usize, usize)> {
    if s.is_empty() {
        return Vec::new();
    }
    let opts = textwrap::Options::new(width.max(1))
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(true);
    let base = s.as_ptr() as usize;
    let mut out = Vec::new();
    let mut from = 0;
    for line in textwrap::wrap(s, opts) {
        let start = match &line {
            // Borrowed lines are slices of `s`: their place is exact.
            std::borrow::Cow::Borrowed(l) => (l.as_ptr() as usize).wrapping_sub(base),
            std::borrow::Cow::Owned(l) => s[from..].find(l.as_str()).map_or(from, |p| from + p),
        };
        let start = start.min(s.len());
        let end = (start + line.len()).min(s.len());
        if s.is_char_boundary(start) && s.is_char_boundary(end) {
            out.push((start, end));
            from = end;
        }
    }
    out
}

/// The reader pane as a widget.
pub struct ReaderView<'a>(pub &'a AppState);

impl Widget for ReaderView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.0;
        let title = match &state.reader.article {
            Some(a) if a.starred => " Reader ★ ",
            _ => " Reader ",
        };
        let block = pane_block(title, state.focus == Focus::Reader);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.width == 0 || inner.height == 0 {
            return;
        }
        let Some(article) = &state.reader.article else {
            let msg = if state.reader.loading.is_some() {
                "Loading…"
            } else if state.list.ids.is_empty() {
                "No articles. Import some with `dateline import PATH`."
            } else {
                "Select an article and press Enter."
            };
            Paragraph::new(msg).style(theme::META).render(inner, buf);
            return;
        };
        let doc = build(
            article,
            &state.feed_names,
            &state.reader.entities,
            &state.search.terms,
            state.reader.mark,
            text_width(area.width),
        );
        let text_area = Rect::new(
            inner.x + 1.min(inner.width),
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        let rows = usize::from(text_area.height);
        let scroll = state.reader.scroll.min(doc.lines.len().saturating_sub(1));
        for (i, line) in doc.lines.iter().skip(scroll).take(rows).enumerate() {
            let y = text_area.y + i as u16;
            buf.set_line(text_area.x, y, line, text_area.width);
        }
        // A scroll indicator on the right border: how far through the article we are.
        let total = doc.lines.len();
        if total > rows && inner.height > 0 && area.width >= 2 {
            let h = usize::from(inner.height);
            let pos = scroll * h.saturating_sub(1) / total.saturating_sub(rows).max(1);
            let y = inner.y + pos.min(h - 1) as u16;
            let x = area.right() - 1;
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.set_symbol("┃")
                    .set_style(theme::focus_border(state.focus == Focus::Reader));
            }
        }
    }
}
