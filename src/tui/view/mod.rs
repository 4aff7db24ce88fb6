//! Pure views: functions of `&AppState` that draw into a buffer and nothing else. The whole
//! screen is `impl Widget for &AppState`; each pane lives in its own file. Geometry comes from
//! `layout`, shared with `update`.

pub mod help;
pub mod list;
pub mod picker;
pub mod reader;
pub mod sidebar;
pub mod status;

use super::layout;
use super::state::AppState;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

/// Colours and styles, in one place.
pub mod theme {
    use crate::model::EntityKind;
    use ratatui::style::{Color, Modifier, Style};

    pub const META: Style = Style::new().fg(Color::Gray);
    pub const STANDFIRST: Style = Style::new().add_modifier(Modifier::ITALIC);
    pub const RULE: Style = Style::new().fg(Color::DarkGray);
    pub const QUOTE: Style = Style::new().fg(Color::Gray).add_modifier(Modifier::ITALIC);
    pub const CAPTION: Style = Style::new().fg(Color::Gray).add_modifier(Modifier::ITALIC);
    pub const CREDIT: Style = Style::new().fg(Color::DarkGray);
    pub const HIT: Style = Style::new().fg(Color::Black).bg(Color::Yellow);
    pub const MARK: Style = Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD));
    pub const SELECTED: Style = Style::new().fg(Color::Black).bg(Color::Cyan);
    pub const SELECTED_UNFOCUSED: Style = Style::new().bg(Color::DarkGray);
    pub const HEADING: Style = Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD);
    pub const STATUS: Style = Style::new().fg(Color::White).bg(Color::Blue);
    pub const PROMPT: Style = Style::new().fg(Color::Black).bg(Color::Yellow);

    pub fn entity(kind: EntityKind) -> Style {
        Style::new().fg(match kind {
            EntityKind::Person => Color::Cyan,
            EntityKind::Organization => Color::Magenta,
            EntityKind::Place => Color::Green,
            EntityKind::Other => Color::LightBlue,
        })
    }

    pub fn focus_border(focused: bool) -> Style {
        if focused {
            Style::new().fg(Color::Cyan)
        } else {
            Style::new().fg(Color::DarkGray)
        }
    }
}

/// Draws an overlay box of `w`×`h` centred across `area` (placed at a `1/down` of the spare
/// height), clears what is under it, frames it with `title`, and returns the area inside the
/// frame and the area for its text (one column of margin each side).
pub fn overlay(
    area: Rect,
    buf: &mut Buffer,
    w: u16,
    h: u16,
    down: u16,
    title: &str,
) -> (Rect, Rect) {
    let r = Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / down.max(1),
        w,
        h,
    );
    Clear.render(r, buf);
    let block = pane_block(title, true);
    let inner = block.inner(r);
    block.render(r, buf);
    let text = Rect::new(
        inner.x + 1.min(inner.width),
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    (inner, text)
}

/// A pane's frame, its border brighter when focused.
pub fn pane_block(title: &str, focused: bool) -> Block<'_> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(theme::focus_border(focused))
        .title(title)
}

impl Widget for &AppState {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let a = layout::areas(area, self.focus);
        if let Some(r) = a.list {
            list::ListView(self).render(r, buf);
        }
        if let Some(r) = a.reader {
            reader::ReaderView(self).render(r, buf);
        }
        if let Some(r) = a.sidebar {
            // In medium mode the sidebar lies over the reader.
            Clear.render(r, buf);
            sidebar::SidebarView(self).render(r, buf);
        }
        status::StatusView(self).render(a.status, buf);
        if let Some(p) = &self.picker {
            picker::PickerView(p).render(area, buf);
        }
        if let Some(scroll) = self.help {
            help::HelpView {
                state: self,
                scroll,
            }
            .render(area, buf);
        }
    }
}
