//! The entity sidebar: the open article's entities grouped under People, Organisations,
//! Places and Other, most mentioned first, each with its mention count, names coloured by
//! kind as their mentions are in the reader.

use super::{pane_block, theme};
use crate::model::EntityKind;
use crate::tui::state::{AppState, Focus};
use crate::tui::text::{self, clean};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

pub fn group_title(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "People",
        EntityKind::Organization => "Organisations",
        EntityKind::Place => "Places",
        EntityKind::Other => "Other",
    }
}

/// One row of the sidebar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Spacer,
    Heading(EntityKind),
    /// The n-th entity in [`AppState::sidebar_order`].
    Entity(usize),
}

/// The sidebar's rows: a heading per kind present, then its entities.
pub fn rows(state: &AppState) -> Vec<Row> {
    let mut out = Vec::new();
    let mut last = None;
    for (n, &i) in state.sidebar_order().iter().enumerate() {
        let kind = state.reader.entities[i].kind;
        if last != Some(kind) {
            if last.is_some() {
                out.push(Row::Spacer);
            }
            out.push(Row::Heading(kind));
            last = Some(kind);
        }
        out.push(Row::Entity(n));
    }
    out
}

/// The first row on screen for a pane `height` rows high: enough to show the selection.
pub fn offset(rows: &[Row], selected: usize, height: usize) -> usize {
    let sel_row = rows
        .iter()
        .position(|r| *r == Row::Entity(selected))
        .unwrap_or(0);
    (sel_row + 1).saturating_sub(height)
}

pub struct SidebarView<'a>(pub &'a AppState);

impl Widget for SidebarView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let state = self.0;
        let focused = state.focus == Focus::Sidebar;
        let block = pane_block(" Entities ", focused);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.width == 0 || inner.height == 0 {
            return;
        }
        if state.reader.entities.is_empty() {
            let msg = if state.reader.article.is_some() {
                "No entities found."
            } else {
                ""
            };
            Paragraph::new(msg).style(theme::META).render(inner, buf);
            return;
        }
        let order = state.sidebar_order();
        let rows = rows(state);
        let height = usize::from(inner.height);
        let offset = offset(&rows, state.sidebar.selected, height);
        let width = usize::from(inner.width);
        for (i, row) in rows.iter().enumerate().skip(offset).take(height) {
            let y = inner.y + (i - offset) as u16;
            let line = match row {
                Row::Spacer => continue,
                Row::Heading(kind) => Line::styled(group_title(*kind), theme::HEADING),
                Row::Entity(n) => {
                    let Some(e) = order.get(*n).and_then(|&ix| state.reader.entities.get(ix))
                    else {
                        continue;
                    };
                    let count = format!(" {}", e.mentions.len());
                    let name_w = width.saturating_sub(text::width(&count) + 1);
                    let name = text::truncate(&clean(&e.name), name_w);
                    let pad = name_w.saturating_sub(text::width(&name));
                    let selected = *n == state.sidebar.selected;
                    let mut name_style = theme::entity(e.kind);
                    if selected {
                        name_style = if focused {
                            theme::SELECTED
                        } else {
                            theme::SELECTED_UNFOCUSED.patch(name_style)
                        };
                    }
                    Line::from(vec![
                        Span::raw(" "),
                        Span::styled(format!("{name}{}", " ".repeat(pad)), name_style),
                        Span::styled(count, theme::META),
                    ])
                }
            };
            buf.set_line(inner.x, y, &line, inner.width);
        }
    }
}
