//! The one-line status bar: focus, position in the focused pane (the list's, or the sidebar's
//! entity), the active search or filter, background work (`fetching 3/42`), a message when
//! there is one, and `? help`; or the search prompt while typing.

use super::theme;
use crate::tui::state::{AppState, Focus, ListSource};
use crate::tui::text::{self, clean};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub struct StatusView<'a>(pub &'a AppState);

impl Widget for StatusView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let state = self.0;
        let width = usize::from(area.width);
        buf.set_style(area, theme::STATUS);
        if state.search.editing {
            let n = state.list.ids.len();
            let line = format!(
                "/{}▏ {n} found  Enter keep · Esc clear",
                clean(&state.search.input)
            );
            buf.set_stringn(
                area.x,
                area.y,
                text::truncate(&line, width),
                width,
                theme::PROMPT,
            );
            buf.set_style(area, theme::PROMPT);
            return;
        }
        let pos = match state.focus {
            Focus::Sidebar => {
                let n = state.reader.entities.len();
                format!(
                    "{}/{n}",
                    if n == 0 {
                        0
                    } else {
                        state.sidebar.selected + 1
                    }
                )
            }
            // Until the whole list is read, its length is not known.
            _ if state.list.partial => format!("{}/…", state.list.selected + 1),
            _ if state.list.ids.is_empty() => "0/0".to_string(),
            _ => format!("{}/{}", state.list.selected + 1, state.list.ids.len()),
        };
        let mut left = format!(" {} {pos}", state.focus.name());
        let filter = match &state.list.source {
            ListSource::Filter(crate::store::ListFilter::All) => None,
            _ => Some(state.list.label()),
        };
        if let Some(f) = filter {
            left.push_str(" · ");
            left.push_str(&f);
        }
        if let Some((done, total)) = state.jobs.refresh {
            left.push_str(&if total == 0 {
                " · fetching feeds…".to_string()
            } else {
                format!(" · fetching {done}/{total}")
            });
        }
        if state.jobs.full_text.is_some() {
            left.push_str(" · fetching full text…");
        }
        if let Some(msg) = &state.status {
            left.push_str(" · ");
            left.push_str(msg);
        }
        let right = "? help ";
        let rw = text::width(right);
        let left = clean(&left).into_owned();
        if width > rw + 1 {
            let lw = width - rw - 1;
            buf.set_stringn(area.x, area.y, text::truncate(&left, lw), lw, theme::STATUS);
            buf.set_stringn(
                area.x + (width - rw) as u16,
                area.y,
                right,
                rw,
                theme::STATUS,
            );
        } else {
            buf.set_stringn(
                area.x,
                area.y,
                text::truncate(&left, width),
                width,
                theme::STATUS,
            );
        }
    }
}
