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

impl Widget for HelpView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let w = area.width.saturating_sub(4).min(76);
        let h = area.height.saturating_sub(2);
        if w < 3 || h < 3 {
            return;
        }
        let (_, text_area) = super::overlay(area, buf, w, h, 2, " Help · Esc closes ");
        let lines = lines(self.state, usize::from(text_area.width));
        let scroll = self.scroll.min(lines.len().saturating_sub(1));
        for (i, line) in lines
            .iter()
            .skip(scroll)
            .take(usize::from(text_area.height))
            .enumerate()
        {
            buf.set_line(text_area.x, text_area.y + i as u16, line, text_area.width);
        }
    }
}
