//! The `f` overlay: "All articles", then each feed with its article count; the selected row
//! highlighted. With no feeds it says how to add one.

use super::theme;
use crate::tui::state::FeedPicker;
use crate::tui::text::{self, clean};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub struct PickerView<'a>(pub &'a FeedPicker);

/// The rows' text (label, count) for a text width: row 0 is every article.
fn row(label: &str, count: Option<usize>, width: usize) -> Line<'static> {
    let right = count.map_or(String::new(), |n| format!(" {n}"));
    let lw = width.saturating_sub(text::width(&right));
    let label = text::truncate(&clean(label), lw);
    let pad = lw.saturating_sub(text::width(&label));
    Line::from(vec![
        Span::raw(label),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, theme::META),
    ])
}

impl Widget for PickerView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let p = self.0;
        let w = area.width.saturating_sub(4).min(64);
        // Borders, the rows, and two lines of advice when there are no feeds.
        let wanted = p.rows() as u16 + 2 + if p.feeds.is_empty() { 3 } else { 0 };
        let h = wanted.min(area.height.saturating_sub(2));
        if w < 5 || h < 3 {
            return;
        }
        let (inner, text_area) =
            super::overlay(area, buf, w, h, 3, " Feeds · Enter lists · Esc closes ");
        let width = usize::from(text_area.width);
        let mut lines = vec![row("All articles", None, width)];
        for f in &p.feeds {
            lines.push(row(&f.label, Some(f.articles), width));
        }
        let rows = usize::from(text_area.height);
        // Keep the selected row on screen.
        let first = (p.selected + 1).saturating_sub(rows);
        for (i, line) in lines.iter().enumerate().skip(first).take(rows) {
            let y = text_area.y + (i - first) as u16;
            if i == p.selected {
                buf.set_style(Rect::new(inner.x, y, inner.width, 1), theme::SELECTED);
            }
            buf.set_line(text_area.x, y, line, text_area.width);
        }
        if p.feeds.is_empty() && rows > 2 {
            let advice = if p.loading {
                "Reading the feeds…"
            } else {
                "No feeds yet. Add one with: dateline feed add URL"
            };
            let y = text_area.y + 2;
            buf.set_stringn(
                text_area.x,
                y,
                text::truncate(advice, width),
                width,
                theme::META,
            );
        }
    }
}
