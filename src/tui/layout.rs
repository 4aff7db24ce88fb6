//! Where each pane goes for a terminal size: pure geometry shared by the views (to draw) and
//! by `update` (page sizes, which rows are visible, where a click landed), so both always
//! agree. Three panes from [`WIDE`] columns, the sidebar as an overlay from [`MEDIUM`], one
//! pane at a time below that.

use super::state::Focus;
use ratatui::layout::Rect;

/// From this width the entity sidebar has its own column.
pub const WIDE: u16 = 110;
/// From this width the list and the reader sit side by side.
pub const MEDIUM: u16 = 70;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Wide,
    Medium,
    Single,
}

/// The outer rectangles (borders included) of what is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub list: Option<Rect>,
    pub reader: Option<Rect>,
    /// In medium mode this lies over the reader (an overlay).
    pub sidebar: Option<Rect>,
    pub status: Rect,
}

pub fn mode(width: u16) -> Mode {
    if width >= WIDE {
        Mode::Wide
    } else if width >= MEDIUM {
        Mode::Medium
    } else {
        Mode::Single
    }
}

/// The panes' places in `size` with `focus` (which decides the pane shown in single mode and
/// whether the sidebar overlay is up in medium mode).
pub fn areas(size: Rect, focus: Focus) -> Areas {
    let status = Rect::new(
        size.x,
        size.y + size.height.saturating_sub(1),
        size.width,
        size.height.min(1),
    );
    let body = Rect::new(size.x, size.y, size.width, size.height.saturating_sub(1));
    let mut out = Areas {
        status,
        ..Areas::default()
    };
    if body.height == 0 || body.width == 0 {
        return out;
    }
    let (list, reader, sidebar) = panes(body);
    match mode(size.width) {
        Mode::Wide => {
            out.list = Some(list);
            out.reader = Some(reader);
            out.sidebar = Some(sidebar);
        }
        Mode::Medium => {
            out.list = Some(list);
            out.reader = Some(reader);
            if focus == Focus::Sidebar {
                out.sidebar = Some(sidebar);
            }
        }
        Mode::Single => match focus {
            Focus::List => out.list = Some(body),
            Focus::Reader => out.reader = Some(body),
            Focus::Sidebar => out.sidebar = Some(body),
        },
    }
    out
}

/// The reader's outer rectangle whenever it is shown (the width its text wraps to), even if
/// another pane is on screen in single mode.
pub fn reader_rect(size: Rect) -> Rect {
    let body = Rect::new(size.x, size.y, size.width, size.height.saturating_sub(1));
    match mode(size.width) {
        Mode::Single => body,
        _ => panes(body).1,
    }
}

/// The list's outer rectangle whenever it is shown.
pub fn list_rect(size: Rect) -> Rect {
    let body = Rect::new(size.x, size.y, size.width, size.height.saturating_sub(1));
    match mode(size.width) {
        Mode::Single => body,
        _ => panes(body).0,
    }
}

/// The sidebar's outer rectangle whenever it is shown.
pub fn sidebar_rect(size: Rect) -> Rect {
    let body = Rect::new(size.x, size.y, size.width, size.height.saturating_sub(1));
    match mode(size.width) {
        Mode::Single => body,
        _ => panes(body).2,
    }
}

fn panes(body: Rect) -> (Rect, Rect, Rect) {
    let w = body.width;
    match mode(w) {
        Mode::Wide => {
            let list_w = (w * 3 / 10).clamp(30, 64);
            let side_w = (w / 5).clamp(26, 40);
            let reader_w = w.saturating_sub(list_w + side_w);
            let list = Rect::new(body.x, body.y, list_w, body.height);
            let reader = Rect::new(body.x + list_w, body.y, reader_w, body.height);
            let side = Rect::new(body.x + list_w + reader_w, body.y, side_w, body.height);
            (list, reader, side)
        }
        _ => {
            let list_w = (w * 2 / 5).clamp(1, 40);
            let list = Rect::new(body.x, body.y, list_w, body.height);
            let reader = Rect::new(body.x + list_w, body.y, w - list_w, body.height);
            let side_w = (w / 2).clamp(1, 36).min(reader.width);
            let side = Rect::new(body.x + w - side_w, body.y, side_w, body.height);
            (list, reader, side)
        }
    }
}

/// The inside of a bordered pane.
pub fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x.saturating_add(1),
        r.y.saturating_add(1),
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_fit_inside_the_terminal_at_every_size() {
        for w in 0..=400u16 {
            for h in [0u16, 1, 2, 3, 5, 30, 120] {
                let size = Rect::new(0, 0, w, h);
                for f in [Focus::List, Focus::Reader, Focus::Sidebar] {
                    let a = areas(size, f);
                    for r in [a.list, a.reader, a.sidebar].into_iter().flatten() {
                        assert!(r.right() <= w && r.bottom() <= h, "{w}x{h} {r:?}");
                    }
                    assert!(a.status.bottom() <= h);
                }
            }
        }
    }

    #[test]
    fn modes_by_width() {
        let a = areas(Rect::new(0, 0, 160, 45), Focus::List);
        assert!(a.list.is_some() && a.reader.is_some() && a.sidebar.is_some());
        let a = areas(Rect::new(0, 0, 100, 30), Focus::List);
        assert!(a.sidebar.is_none() && a.reader.is_some());
        let a = areas(Rect::new(0, 0, 100, 30), Focus::Sidebar);
        assert!(a.sidebar.is_some());
        let a = areas(Rect::new(0, 0, 60, 20), Focus::Reader);
        assert!(a.list.is_none() && a.reader.is_some() && a.sidebar.is_none());
    }
}
