//! The one-line status bar: focus, position in the list, the active search or entity filter,
//! a message when there is one, and `? help`; or the search prompt while typing.

use super::theme;
use crate::tui::state::{AppState, ListSource};
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
        let pos = if state.list.ids.is_empty() {
            "0/0".to_string()
        } else {
            format!("{}/{}", state.list.selected + 1, state.list.ids.len())
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
