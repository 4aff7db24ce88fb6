//! The one sanitiser every string from outside passes before it is stored or shown: files,
//! feeds, pages, OPML and URLs. It removes what could drive a terminal or disguise text:
//! C0 and C1 controls (but newline and tab, which are structure), DEL, whole escape sequences
//! (CSI, OSC, DCS, SOS, PM, APC, 7-bit and 8-bit forms) and the bidi embeddings, overrides and
//! isolates (U+202A–U+202E, U+2066–U+2069). Zero-width joiners stay, so emoji sequences survive.
//! It knows nothing about articles; callers decide what is a line and what is a paragraph.

use std::borrow::Cow;

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';
const ST_C1: char = '\u{9c}';

/// True for a character that must never be stored: controls other than `\n` and `\t`, DEL,
/// C1 controls, bidi overrides and isolates, and the byte-order mark.
fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Removes control characters and escape sequences; keeps newlines (CR LF and lone CR become
/// LF) and tabs. Returns the input unchanged, without copying, when it is already clean.
pub fn clean_text(input: &str) -> Cow<'_, str> {
    if is_plain(input) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            ESC => match chars.next() {
                // CSI: parameters and intermediates, then one final byte in @..~.
                Some('[') => skip_csi(&mut chars),
                // OSC, DCS, SOS, PM, APC: a string up to ST (ESC \ or U+009C) or BEL.
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // Two- and three-character escapes (ESC c, ESC 7, ESC ( B): drop the
                // intermediates and the final character with the ESC.
                Some(' '..='/') => {
                    while let Some(&n) = chars.peek() {
                        chars.next();
                        if !(' '..='/').contains(&n) {
                            break;
                        }
                    }
                }
                Some(_) | None => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        // A final byte ends it; anything outside the parameter/intermediate ranges aborts it
        // (as terminals do), and that character is dropped too rather than half-interpreted.
        if !('\u{20}'..='\u{3f}').contains(&c) {
            break;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST_C1 => break,
            ESC => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// [`clean_text`] for one-line fields (titles, names, URLs): any run of whitespace, newlines
/// and tabs included, becomes one space, and the ends are trimmed.
pub fn clean_line(input: &str) -> String {
    let cleaned = clean_text(input);
    let mut out = String::with_capacity(cleaned.len());
    for word in cleaned.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Nothing for [`clean_text`] to do. Printable ASCII with tabs and newlines (most text) is
/// recognised byte by byte, which the compiler vectorises; only other text is decoded.
fn is_plain(s: &str) -> bool {
    s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t')
        || !s.chars().any(|c| is_forbidden(c) || c == '\r')
}

/// True when `s` holds nothing [`clean_text`] would remove (what tests assert on output).
pub fn is_clean(s: &str) -> bool {
    !s.chars().any(|c| is_forbidden(c) || c == '\r' || c == ESC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed_when_clean() {
        assert!(matches!(clean_text("plain\ttext\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn removes_escape_sequences_whole() {
        let cases = [
            ("a\x1b[31mred\x1b[0m", "ared"),
            ("\x1b]0;evil title\x07x", "x"),
            ("\x1b]52;c;ZXZpbA==\x1b\\y", "y"),
            ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
            ("\x1bPdcs\x1b\\z", "z"),
            ("\x1b[2J\x1b[H\x1b[10;10Hhome", "home"),
            ("c1\u{9b}31mcsi", "c1csi"),
            ("osc\u{9d}0;t\u{9c}!", "osc!"),
            ("bell\x07del\x7f", "belldel"),
            ("\x1bcreset", "reset"),
            ("\x1b(Bcharset", "charset"),
        ];
        for (input, want) in cases {
            assert_eq!(clean_text(input), want, "input {input:?}");
        }
    }

    #[test]
    fn removes_bidi_overrides_keeps_joiners() {
        assert_eq!(clean_text("a\u{202e}b\u{2066}c\u{2069}"), "abc");
        let family = "👩\u{200d}👩\u{200d}👧 👍🏽";
        assert_eq!(clean_text(family), family);
    }

    #[test]
    fn normalises_line_ends() {
        assert_eq!(clean_text("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(clean_line("  a \n\t b  "), "a b");
    }

    #[test]
    fn unterminated_sequences_do_not_eat_forever_but_are_dropped() {
        assert_eq!(clean_text("x\x1b]never ends"), "x");
        assert_eq!(clean_text("x\x1b["), "x");
        assert!(is_clean(&clean_text("\x1b\x1b\x1b[[[\u{9b}")));
    }
}
