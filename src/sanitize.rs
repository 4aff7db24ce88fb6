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
    if is_clean(input) {
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
            // Line and paragraph separators: terminals do not agree on what to draw for them
            // (nothing, a box, a space), which throws the screen's columns out.
            '\u{2028}' | '\u{2029}' => out.push('\n'),
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
    if spaces_are_single(&cleaned) {
        return cleaned.trim_matches(' ').to_string();
    }
    let mut out = String::with_capacity(cleaned.len());
    push_collapsed_runs(&mut out, &cleaned);
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// [`clean_line`] for text gathered with [`push_collapsed`], whose spaces are single
/// already: they are looked at again only if cleaning took something out (and may have left
/// two spaces side by side). Saves a pass over every paragraph of every HTML body.
pub(crate) fn clean_collapsed(collapsed: &str) -> String {
    match clean_text(collapsed) {
        Cow::Borrowed(text) => {
            debug_assert!(spaces_are_single(text), "not gathered by push_collapsed");
            text.trim_matches(' ').to_string()
        }
        Cow::Owned(text) => clean_line(&text),
    }
}

/// Appends `text` to `out` with every run of whitespace made one space, and none at the
/// start of `out` or after a space already there (HTML's rule, and a line's). Text is copied
/// in long stretches: a lone space between words, what most text has, is already right and
/// goes along with the words.
pub(crate) fn push_collapsed(out: &mut String, text: &str) {
    if spaces_are_single(text) {
        // Only a space in front may need dropping.
        let words = match text.strip_prefix(' ') {
            Some(words) => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
                words
            }
            None => text,
        };
        out.push_str(words);
        return;
    }
    push_collapsed_runs(out, text);
}

/// [`push_collapsed`] for text known to hold more than single spaces.
fn push_collapsed_runs(out: &mut String, text: &str) {
    let (mut copied_to, mut at) = (0, 0);
    while let Some((start, end)) = whitespace_run(text, at) {
        at = end;
        if start > copied_to && end - start == 1 && text.as_bytes()[start] == b' ' {
            continue;
        }
        out.push_str(&text[copied_to..start]);
        if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
        copied_to = end;
    }
    out.push_str(&text[copied_to..]);
}

/// True when the only whitespace in `s` is single ASCII spaces, as in most text. Found
/// without a loop that branches per byte: each byte is judged with the two after it in a
/// branch-free pass the compiler vectorises.
fn spaces_are_single(s: &str) -> bool {
    let bytes = s.as_bytes();
    // Bytes that have two bytes after them, in stretches (for an early exit), then the rest.
    let body = bytes.len().saturating_sub(2);
    let in_body = (0..body).step_by(32).any(|from| {
        let to = (from + 32).min(body);
        let (first, second, third) = (
            &bytes[from..to],
            &bytes[from + 1..to + 1],
            &bytes[from + 2..to + 2],
        );
        first
            .iter()
            .zip(second)
            .zip(third)
            .fold(false, |found, ((&a, &b), &c)| {
                found | breaks_single_spacing(a, b, c)
            })
    });
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    !in_body && !(body..bytes.len()).any(|i| breaks_single_spacing(at(i), at(i + 1), at(i + 2)))
}

/// True when a byte, with the two after it, starts whitespace other than a lone ASCII space:
/// two spaces, a tab, newline or other ASCII space, or the UTF-8 of a non-ASCII space
/// (U+0085, U+00A0, U+1680, U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
/// `&` and `|` rather than `&&` and `||`, so that it compiles without branches.
fn breaks_single_spacing(a: u8, b: u8, c: u8) -> bool {
    (0x09..=0x0d).contains(&a)
        | (a == b' ') & (b == b' ')
        | (a == 0xc2) & ((b == 0x85) | (b == 0xa0))
        | (a == 0xe1) & (b == 0x9a) & (c == 0x80)
        | (a == 0xe2) & (b == 0x80) & ((c <= 0x8a) | (c == 0xa8) | (c == 0xa9) | (c == 0xaf))
        | (a == 0xe2) & (b == 0x81) & (c == 0x9f)
        | (a == 0xe3) & (b == 0x80) & (c == 0x80)
}

/// The first run of whitespace (what `char::is_whitespace` calls whitespace) at or after byte
/// `from`, as its start and end. It looks at bytes and decodes only the lead bytes that
/// non-ASCII spaces start with, which is much faster than decoding every character.
fn whitespace_run(s: &str, from: usize) -> Option<(usize, usize)> {
    let start = (from..s.len()).find(|&i| whitespace_len(s, i) > 0)?;
    let mut end = start;
    while end < s.len() {
        match whitespace_len(s, end) {
            0 => break,
            n => end += n,
        }
    }
    Some((start, end))
}

/// The length in bytes of the whitespace character starting at byte `i`, or 0.
fn whitespace_len(s: &str, i: usize) -> usize {
    match s.as_bytes()[i] {
        b' ' | b'\t'..=b'\r' => 1,
        // Every non-ASCII space (U+0085, U+00A0, U+1680, U+2000 to U+3000) starts with one of
        // these; they are always the first byte of a character, so `i` is a char boundary.
        0xc2 | 0xe1 | 0xe2 | 0xe3 => s[i..]
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8),
        _ => 0,
    }
}

/// True when `s` holds nothing [`clean_text`] would remove or replace. Most text is made of
/// bytes that cannot be, or start, anything forbidden; such stretches are checked 32 bytes
/// at a time without branches (which the compiler vectorises), and only a stretch holding
/// another byte is looked at closely.
pub fn is_clean(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut at = 0;
    for chunk in bytes.chunks(32) {
        let all_safe = chunk.iter().fold(true, |ok, &b| ok & is_harmless_byte(b));
        if !all_safe {
            for (i, &b) in chunk.iter().enumerate() {
                if !is_harmless_byte(b) && !is_harmless_char_at(s, at + i) {
                    return false;
                }
            }
        }
        at += chunk.len();
    }
    true
}

/// Printable ASCII, tab, newline, and any byte of a non-ASCII character except the lead
/// bytes of the forbidden ones (C1 controls start with 0xC2, bidi controls with 0xE2, the BOM
/// with 0xEF).
fn is_harmless_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x20..=0x7e) || (b >= 0x80 && !matches!(b, 0xc2 | 0xe2 | 0xef))
}

/// For a byte that [`is_harmless_byte`] turned down: true when the character it starts is
/// fine after all (most characters starting with 0xC2, 0xE2 or 0xEF: `£`, `“`, `€`).
fn is_harmless_char_at(s: &str, i: usize) -> bool {
    s.as_bytes()[i] >= 0x80 && !s[i..].chars().next().is_some_and(is_changed)
}

/// A character [`clean_text`] removes or replaces (CR and ESC are among the forbidden).
fn is_changed(c: char) -> bool {
    is_forbidden(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_paragraph_separators_become_newlines() {
        let text = "one\u{2028}two\u{2029}three";
        assert!(!is_clean(text));
        assert_eq!(clean_text(text), "one\ntwo\nthree");
        assert_eq!(clean_line(text), "one two three");
    }

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

    #[test]
    fn byte_scans_agree_with_char_classes_for_every_character() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            let run = whitespace_run(&s, 0);
            let want = c.is_whitespace().then(|| (1, 1 + c.len_utf8()));
            assert_eq!(run, want, "{c:?}");
            let single = c == ' ' || !c.is_whitespace();
            assert_eq!(spaces_are_single(&s), single, "{c:?}");
            assert_eq!(spaces_are_single(&format!("{c}")), single, "{c:?} alone");
            assert_eq!(
                spaces_are_single(&format!("{}{c}", "x".repeat(40))),
                single,
                "{c:?} last"
            );
            assert_eq!(is_clean(&s), !is_changed(c), "{c:?}");
        }
    }

    #[test]
    fn forbidden_characters_and_other_spaces_are_found_anywhere_in_long_text() {
        for pos in 0..70 {
            let before = "x“".repeat(pos / 4) + &"y".repeat(pos % 4);
            assert!(is_clean(&format!("{before}€ “quoted” £ text")), "{pos}");
            assert!(
                spaces_are_single(&format!("{before} “quoted” £ text ")),
                "{pos}"
            );
            for space in ["  ", "\t", "\u{a0}", "\u{2003}", "\u{3000}"] {
                let s = format!("{before}{space}{}", "z“".repeat(20));
                assert!(!spaces_are_single(&s), "{space:?} after {pos} bytes");
            }
            for c in [
                '\u{9b}', '\u{202e}', '\u{2069}', '\u{feff}', '\r', '\u{1b}', '\u{7f}',
            ] {
                let s = format!("{before}{c}{}", "z“".repeat(20));
                assert!(!is_clean(&s), "{c:?} after {pos} bytes");
            }
        }
    }

    #[test]
    fn clean_line_collapses_every_kind_of_space() {
        let cases = [
            ("", ""),
            (" \n\t ", ""),
            ("a", "a"),
            (" a ", "a"),
            ("a b  c\n\nd\u{a0}e\u{3000}\u{2028}f", "a b c d e f"),
            ("\u{85}x\u{2003}", "x"),
            ("a \u{1b}[1m b", "a b"),
            ("é \t è ü", "é è ü"),
            ("“a” b ", "“a” b"),
            ("a  b", "a b"),
        ];
        for (input, want) in cases {
            assert_eq!(clean_line(input), want, "input {input:?}");
            let cleaned = clean_text(input);
            let old: Vec<&str> = cleaned.split_whitespace().collect();
            assert_eq!(clean_line(input), old.join(" "), "input {input:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn clean_line_is_the_clean_words_joined_by_spaces(
            s in "(\\PC|[ \t\n\r\u{85}\u{a0}\u{2000}\u{2028}\u{202f}\u{3000}\u{1b}\u{9b}])*"
        ) {
            let cleaned = clean_text(&s);
            let words: Vec<&str> = cleaned.split_whitespace().collect();
            proptest::prop_assert_eq!(clean_line(&s), words.join(" "));
        }

        #[test]
        fn gathered_text_cleans_as_a_line_does(
            pieces in proptest::collection::vec(
                "(\\PC|[ \t\n\r\u{85}\u{a0}\u{2000}\u{2028}\u{202f}\u{3000}\u{1b}\u{9b}])*",
                0..6,
            )
        ) {
            let mut gathered = String::new();
            for p in &pieces {
                push_collapsed(&mut gathered, p);
            }
            proptest::prop_assert_eq!(clean_collapsed(&gathered), clean_line(&gathered));
        }
    }
}
