//! Human output: colour only on a terminal (and never with NO_COLOR), widths measured in
//! terminal cells, text wrapped to the terminal. Article text is already sanitised; the only
//! escape sequences printed are the styles made here.

use std::io::IsTerminal;
use unicode_width::UnicodeWidthStr;

pub struct Style {
    colour: bool,
}

impl Style {
    pub fn stdout() -> Self {
        Style {
            colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }

    pub fn italic(&self, s: &str) -> String {
        self.paint("3", s)
    }

    pub fn accent(&self, s: &str) -> String {
        self.paint("36", s)
    }

    /// A search snippet with its `«hits»` shown bold on a terminal, or kept as marks.
    pub fn snippet(&self, s: &str) -> String {
        if !self.colour {
            return s.to_string();
        }
        s.replace(dateline::store::HIT_OPEN, "\x1b[1;33m")
            .replace(dateline::store::HIT_CLOSE, "\x1b[0m")
    }
}

/// The width to wrap text to: the terminal's, at most 100 columns for comfortable reading.
pub fn wrap_width() -> usize {
    let cols = if std::io::stdout().is_terminal() {
        ratatui::crossterm::terminal::size()
            .map(|(w, _)| w as usize)
            .unwrap_or(80)
    } else {
        80
    };
    cols.clamp(20, 100)
}

/// Cuts `s` to at most `width` terminal cells, with an ellipsis when cut, then pads it.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    if s.width() <= width {
        out.push_str(s);
        used = s.width();
    } else {
        for c in s.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if used + w + 1 > width {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// The date part of an ISO date or date-time.
pub fn short_date(published: Option<&str>) -> &str {
    published.map(|p| p.get(..10).unwrap_or(p)).unwrap_or("")
}
