//! Small pure text helpers the views and `update` share: making text safe to draw, cutting it
//! to a display width (wide characters and emoji count as two columns), and finding search
//! terms in an article as byte spans.

use super::state::Span;
use crate::model::{Article, Field};
use std::borrow::Cow;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Text that is safe to put on screen: control characters become spaces and bidirectional
/// overrides are dropped, so nothing can move the cursor or reorder the screen.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter(|c| !is_bidi(*c))
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    )
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi(c)
}

/// Display width of a string, as ratatui measures it (per grapheme).
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// `s` cut to at most `max` columns, with `…` when something was cut. Never splits a
/// grapheme, so a wide character that does not fit is left out rather than halved.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = UnicodeWidthStr::width(g);
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// Byte spans in `text` where a search term matches: case-insensitive, at the start of a
/// word, and (unless the term ends in `*`) at the end of one.
pub fn find_terms(text: &str, terms: &[String]) -> Vec<(usize, usize)> {
    if terms.is_empty() || text.is_empty() {
        return Vec::new();
    }
    // Lower-case with a map back to the original bytes, since lower-casing can change lengths.
    let mut lower = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        for lc in c.to_lowercase() {
            let before = lower.len();
            lower.push(lc);
            map.extend(std::iter::repeat_n(i, lower.len() - before));
        }
    }
    map.push(text.len());
    let to_orig_end = |b: usize| -> usize {
        // The end of a match maps to the start of the next original character.
        map.get(b).copied().unwrap_or(text.len())
    };
    let mut out = Vec::new();
    for term in terms {
        let (needle, prefix) = match term.strip_suffix('*') {
            Some(t) => (t, true),
            None => (term.as_str(), false),
        };
        if needle.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(pos) = lower[from..].find(needle) {
            let a = from + pos;
            let b = a + needle.len();
            from = a + needle.len().max(1);
            let before_ok = lower[..a]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after_ok = prefix
                || lower[b..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric());
            if before_ok && after_ok {
                let (sa, sb) = (map[a], to_orig_end(b));
                if sa < sb {
                    out.push((sa, sb));
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Every field of an article in document order, with its text.
pub fn fields(article: &Article) -> Vec<(Field, &str)> {
    let mut out = vec![(Field::Title, article.title.as_str())];
    if let Some(s) = &article.standfirst {
        out.push((Field::Standfirst, s));
    }
    for (i, b) in article.blocks.iter().enumerate() {
        out.push((Field::Block(i), &b.text));
        if let Some(c) = &b.credit {
            out.push((Field::Credit(i), c));
        }
    }
    out
}

/// The search hits inside an article, in document order.
pub fn article_hits(article: &Article, terms: &[String]) -> Vec<Span> {
    let mut out = Vec::new();
    if terms.is_empty() {
        return out;
    }
    for (field, text) in fields(article) {
        for (start, end) in find_terms(text, terms) {
            out.push(Span { field, start, end });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_removes_what_could_garble_the_screen() {
        assert_eq!(clean("a\x1b[2Jb\tc\u{202E}d\u{85}"), "a [2Jb cd ");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncate_counts_columns_not_bytes() {
        assert_eq!(truncate("東京都庁", 5), "東京…");
        assert_eq!(truncate("東京都庁", 8), "東京都庁");
        assert_eq!(truncate("👍🏽👍🏽👍🏽", 5), "👍🏽👍🏽…");
        assert!(width(&truncate("👍🏽👍🏽👍🏽", 5)) <= 5);
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn terms_match_whole_words_or_prefixes() {
        let t = "Borrell met Borrello; BORRELL's partner partnership";
        let terms = vec!["borrell".to_string()];
        assert_eq!(find_terms(t, &terms), vec![(0, 7), (22, 29)]);
        let terms = vec!["partner*".to_string()];
        assert_eq!(find_terms(t, &terms), vec![(32, 39), (40, 47)]);
        // A character that grows when lower-cased keeps the spans on the original text.
        let t = "İstanbul and istanbul";
        let spans = find_terms(t, &["istanbul".to_string()]);
        assert_eq!(spans.last(), Some(&(14, 22)));
    }
}
