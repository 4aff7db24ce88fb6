//! The `?` overlay: every key of the keymap, grouped by where it applies, drawn from the
//! keymap rows themselves, and the credit for the bundled sample articles.

use super::{reader::wrap, theme};
use crate::tui::keymap::Context;
use crate::tui::state::AppState;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub struct HelpView<'a> {
    pub state: &'a AppState,
    pub scroll: usize,
}

/// The overlay's lines for a text width.
pub fn lines(state: &AppState, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for ctx in [
        Context::List,
        Context::Reader,
        Context::Sidebar,
        Context::Global,
    ] {
        out.push(Line::styled(ctx.title(), theme::HEADING));
        for b in state.keymap.iter().filter(|b| b.context == ctx) {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {:<14}", b.label),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(b.description),
            ]));
        }
        out.push(Line::default());
    }
    out.push(Line::styled(
        "Mouse: click selects, the wheel scrolls.",
        theme::META,
    ));
    out.push(Line::default());
    let credit = crate::samples::ATTRIBUTION;
    for (a, b) in wrap(credit, width.max(1)) {
        out.push(Line::styled(credit[a..b].to_string(), theme::META));
    }
    out
}

/// The overlay's frame size in a terminal area, and its text area's (without borders and
/// padding).
fn frame_size(width: u16, height: u16) -> (u16, u16) {
    (width.saturating_sub(4).min(76), height.saturating_sub(2))
}

/// How far the overlay scrolls in the terminal the state was last drawn in: its last line
/// at the bottom, no further. `update` keeps the scroll within it.
pub fn max_scroll(state: &AppState) -> usize {
    let (w, h) = frame_size(state.width, state.height);
    let text_width = usize::from(w.saturating_sub(4));
    let text_height = usize::from(h.saturating_sub(2));
    lines(state, text_width).len().saturating_sub(text_height)
}

impl Widget for HelpView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (w, h) = frame_size(area.width, area.height);
        if w < 3 || h < 3 {
            return;
        }
        let text_width = usize::from(w.saturating_sub(4));
        let lines = lines(self.state, text_width);
        let text_height = usize::from(h.saturating_sub(2));
        let max = lines.len().saturating_sub(text_height);
        // Say that the list goes on when it does not fit.
        let title = if max > 0 {
            " Help · j k g G scroll · Esc closes "
        } else {
            " Help · Esc closes "
        };
        let (_, text_area) = super::overlay(area, buf, w, h, 2, title);
        let scroll = self.scroll.min(max);
        for (i, line) in lines
            .iter()
            .skip(scroll)
            .take(usize::from(text_area.height))
            .enumerate()
        {
            buf.set_line(text_area.x, text_area.y + i as u16, line, text_area.width);
        }
        if scroll < max && text_area.height > 0 {
            let more = Line::styled("more ↓", theme::META);
            let x = text_area.right().saturating_sub(6);
            buf.set_line(x, text_area.bottom(), &more, 6);
        }
    }
}
