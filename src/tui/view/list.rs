//! The article list: one row per article (unread mark, star, title, section or source, date),
//! drawn from the cached metadata of the rows on screen only, so a list of 100,000 costs what
//! a list of 40 does. Search terms are highlighted in titles.

use super::{pane_block, theme};
use crate::tui::state::{AppState, Focus};
use crate::tui::text::{self, clean};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub struct ListView<'a>(pub &'a AppState);

impl Widget for ListView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.0;
        let focused = state.focus == Focus::List;
        let title = format!(" {} ", state.list.label());
        let block = pane_block(&title, focused);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.width == 0 || inner.height == 0 {
            return;
        }
        if state.list.ids.is_empty() {
            let msg = if state.list.loading {
                "Loading…"
            } else {
                "Nothing here."
            };
            Paragraph::new(msg).style(theme::META).render(inner, buf);
            return;
        }
        let rows = usize::from(inner.height);
        for (i, id) in state
            .list
            .ids
            .iter()
            .enumerate()
            .skip(state.list.offset)
            .take(rows)
        {
            let y = inner.y + (i - state.list.offset) as u16;
            let selected = i == state.list.selected;
            let row_style = match (selected, focused) {
                (true, true) => theme::SELECTED,
                (true, false) => theme::SELECTED_UNFOCUSED,
                _ => Style::new(),
            };
            let row = Rect::new(inner.x, y, inner.width, 1);
            buf.set_style(row, row_style);
            let line = match state.metas.get(id) {
                Some(m) => row_line(
                    &m.title,
                    &m.section.clone().unwrap_or_else(|| {
                        super::reader::source_label(&m.source, &state.feed_names)
                    }),
                    m.published.as_deref().unwrap_or(""),
                    m.read,
                    m.starred,
                    &state.search.terms,
                    usize::from(inner.width),
                ),
                None => Line::styled("…", theme::META),
            };
            buf.set_line(inner.x, y, &line, inner.width);
        }
    }
}

/// One row: `● ★ Title……  World 2024-11-01`, the right part dropped when the pane is narrow.
fn row_line(
    title: &str,
    section: &str,
    date: &str,
    read: bool,
    starred: bool,
    terms: &[String],
    width: usize,
) -> Line<'static> {
    let mark = if read { "  " } else { "● " };
    let star = if starred { "★ " } else { "" };
    let date = super::reader::short_date(date);
    let section = text::truncate(&clean(section), 14);
    let right = if width >= 44 {
        format!(" {section} {date}")
    } else if width >= 30 {
        format!(" {date}")
    } else {
        String::new()
    };
    let title_w = width.saturating_sub(text::width(mark) + text::width(star) + text::width(&right));
    let title = text::truncate(&clean(title), title_w);
    let pad = title_w.saturating_sub(text::width(&title));
    let title_style = if read {
        Style::new()
    } else {
        Style::new().add_modifier(Modifier::BOLD)
    };
    let mut spans = vec![
        Span::styled(mark, theme::entity(crate::model::EntityKind::Person)),
        Span::raw(star),
    ];
    // Highlight search terms inside the (possibly cut) title.
    let hits = text::find_terms(&title, terms);
    let mut at = 0;
    for (a, b) in hits {
        if a < at {
            continue;
        }
        spans.push(Span::styled(title[at..a].to_string(), title_style));
        spans.push(Span::styled(title[a..b].to_string(), theme::HIT));
        at = b;
    }
    spans.push(Span::styled(title[at..].to_string(), title_style));
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, theme::META));
    Line::from(spans)
}
