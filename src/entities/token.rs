//! Splits one field into word and punctuation tokens with byte offsets, and marks the words
//! that open a sentence. A possessive `'s`/`’s` is cut off its word (`Japan’s` gives `Japan`);
//! runs of single letters with dots stay whole (`U.S.`, `W.`) so they neither end a sentence
//! nor lose their dots.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    /// One punctuation or symbol character.
    Punct(char),
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// No whitespace between the previous token and this one.
    pub glued: bool,
    /// The word opens a sentence (or follows an opening quote), so its capital says little.
    pub sent_start: bool,
    /// The word carried a possessive ending, cut off after `end`.
    pub possessive: bool,
    /// A capitalised word ([`is_cap_word`]), worked out while the word is read.
    pub cap: bool,
}

impl Token {
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        &s[self.start..self.end]
    }
}

/// A word with a capital first, or a lower-case first and a capital inside (eBay, iPhone).
pub fn is_cap_word(w: &str) -> bool {
    // ASCII first: this runs for every word of every field.
    match w.as_bytes().first() {
        Some(b) if b.is_ascii_uppercase() => return true,
        Some(b) if b.is_ascii_lowercase() && w.is_ascii() => {
            return w.bytes().any(|b| b.is_ascii_uppercase());
        }
        Some(b) if b.is_ascii() && !b.is_ascii_alphabetic() => return false,
        _ => {}
    }
    let mut cs = w.chars();
    match cs.next() {
        Some(c) if c.is_uppercase() => true,
        // eBay, iPhone, wikiHow: lower-case first, a capital inside.
        Some(c) if c.is_lowercase() => cs.any(char::is_uppercase),
        _ => false,
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Abbreviations whose dot does not end a sentence.
fn is_abbrev(w: &str) -> bool {
    matches!(
        w,
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "St"
            | "Prof"
            | "Gen"
            | "Sen"
            | "Rep"
            | "Gov"
            | "Lt"
            | "Col"
            | "Sgt"
            | "Capt"
            | "Jr"
            | "Sr"
            | "vs"
            | "Rev"
            | "Mt"
            | "No"
            | "Inc"
            | "Co"
            | "Corp"
            | "Ltd"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "Aug"
            | "Sep"
            | "Sept"
            | "Oct"
            | "Nov"
            | "Dec"
            | "approx"
            | "etc"
            | "e.g"
            | "i.e"
    )
}

/// The char starting at byte `i` (a char boundary), if any.
fn char_at(s: &str, i: usize) -> Option<char> {
    match s.as_bytes().get(i) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        Some(_) => s[i..].chars().next(),
        None => None,
    }
}

pub fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    tokenize_into(s, &mut out);
    out
}

/// [`tokenize`] into a vector of the caller's (cleared first), to reuse its memory.
pub fn tokenize_into(s: &str, out: &mut Vec<Token>) {
    out.clear();
    // English runs at about one token in four bytes (a word, its space, some punctuation);
    // a vector that has to grow copies every token once more.
    out.reserve(s.len() / 4 + 8);
    let bytes = s.as_bytes();
    // Byte offsets, always on char boundaries; ASCII is read byte by byte without decoding.
    let mut pos = 0usize;
    let mut prev_end = 0usize;
    let mut at_start = true;
    while let Some(c) = char_at(s, pos) {
        let i = pos;
        let clen = c.len_utf8();
        if c.is_whitespace() {
            pos += clen;
            continue;
        }
        let glued = i == prev_end && i != 0;
        if c.is_alphanumeric() {
            let mut end = i + clen;
            // Clitics and possessives all carry an apostrophe; most words have none.
            let mut has_apostrophe = false;
            // For `cap`: an ASCII capital after the first char, and whether all is ASCII.
            let mut upper_inside = false;
            let mut ascii = c.is_ascii();
            // A word: letters and digits, with apostrophes inside (O'Brien, don't).
            loop {
                while let Some(&b) = bytes.get(end) {
                    if !b.is_ascii_alphanumeric() {
                        break;
                    }
                    upper_inside |= b.is_ascii_uppercase();
                    end += 1;
                }
                let Some(d) = char_at(s, end) else {
                    break;
                };
                let dlen = d.len_utf8();
                if d.is_alphanumeric() {
                    end += dlen;
                    ascii &= d.is_ascii();
                } else if is_apostrophe(d) {
                    if char_at(s, end + dlen).is_some_and(char::is_alphanumeric) {
                        end += dlen;
                        ascii &= d.is_ascii();
                        has_apostrophe = true;
                    } else {
                        break;
                    }
                } else if d == '.'
                    && end - i == clen
                    && c.is_uppercase()
                    && (s[end + 1..].starts_with(']')
                        || (s[end + 1..].starts_with(|x: char| x == ' ' || x.is_uppercase())
                            && !s[end + 1..].trim_start_matches(' ').is_empty()))
                {
                    // An initial or a dotted acronym: U.S., D.C., W.
                    end += 1;
                    while let Some(e) = char_at(s, end) {
                        if e.is_uppercase() && s[end + e.len_utf8()..].starts_with('.') {
                            end += e.len_utf8() + 1;
                        } else {
                            break;
                        }
                    }
                    break;
                } else {
                    break;
                }
            }
            let mut possessive = false;
            let word_end = end;
            let mut consumed = end;
            let word = &s[i..end];
            if has_apostrophe {
                // Clitics end a word the way a possessive does: I'm, We're, don't.
                for ap in [
                    "'m", "’m", "'re", "’re", "'ve", "’ve", "'ll", "’ll", "'d", "’d",
                ] {
                    if word.len() > ap.len() && word.ends_with(ap) {
                        end -= ap.len();
                        possessive = true;
                        break;
                    }
                }
                for ap in ["'s", "’s"] {
                    if possessive {
                        break;
                    }
                    if word.len() > ap.len() + 1 && word.ends_with(ap) {
                        end -= ap.len();
                        possessive = true;
                        break;
                    }
                }
            }
            // `Reuters'`: a bare apostrophe after a final s is a possessive too.
            if !possessive
                && word.ends_with('s')
                && let Some(d) = char_at(s, word_end)
                && is_apostrophe(d)
                && !char_at(s, word_end + d.len_utf8()).is_some_and(char::is_alphanumeric)
            {
                possessive = true;
                consumed = word_end + d.len_utf8();
            }
            // The common cases from what the loop saw; a cut-off ending or a non-ASCII
            // letter is checked on the word itself.
            let cap = if c.is_ascii_uppercase() {
                true
            } else if c.is_ascii_lowercase() && ascii && end == word_end {
                upper_inside
            } else if c.is_ascii() && !c.is_ascii_alphabetic() {
                false
            } else {
                is_cap_word(&s[i..end])
            };
            out.push(Token {
                start: i,
                end,
                kind: Kind::Word,
                glued,
                sent_start: at_start,
                possessive,
                cap,
            });
            prev_end = consumed;
            pos = consumed;
            at_start = false;
        } else {
            let end = i + clen;
            match c {
                '.' | '!' | '?' | ':' | ';' | '•' | '|' => {
                    let abbrev = c == '.'
                        && out.last().is_some_and(|t| {
                            t.kind == Kind::Word && t.end == i && is_abbrev(t.text(s))
                        });
                    if !abbrev {
                        at_start = true;
                    }
                }
                '“' | '‘' | '(' | '[' | '—' | '–' => {
                    at_start = true;
                }
                '"' => {
                    // A straight quote opens when it follows whitespace or starts the text.
                    let opens = i == 0 || bytes[i - 1].is_ascii_whitespace();
                    if opens {
                        at_start = true;
                    }
                }
                // A spaced dash starts a new clause much like a full stop.
                '-' if !glued && s[end..].starts_with(' ') => {
                    at_start = true;
                }
                _ => {}
            }
            out.push(Token {
                start: i,
                end,
                kind: Kind::Punct(c),
                glued,
                sent_start: false,
                possessive: false,
                cap: false,
            });
            prev_end = end;
            pos = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<(&str, bool, bool)> {
        tokenize(s)
            .into_iter()
            .filter(|t| t.kind == Kind::Word)
            .map(|t| (t.text(s), t.sent_start, t.possessive))
            .collect()
    }

    #[test]
    fn possessives_and_initials() {
        let w = words("Japan’s minister met the U.S. envoy and Reuters' editor. Mr. Smith's");
        assert_eq!(w[0], ("Japan", true, true));
        assert_eq!(w[4], ("U.S.", false, false));
        assert_eq!(w[7], ("Reuters", false, true));
        assert_eq!(w[9], ("Mr", true, false));
        assert_eq!(w[10], ("Smith", false, true));
    }

    #[test]
    fn cap_flag_matches_the_word() {
        let s = "Japan’s iPhone eBay’s wikiHow don't O’Brien x-ray 9News Émile éCole Ελλάδα \
                 Ümit’s naïve naÏve U.S. aB’s ab'Cd 1st I'm";
        for t in tokenize(s).into_iter().filter(|t| t.kind == Kind::Word) {
            assert_eq!(t.cap, is_cap_word(t.text(s)), "{}", t.text(s));
        }
    }

    #[test]
    fn quotes_open_sentences() {
        let w = words("he said “We live” and 'It' O'Brien");
        assert!(w.iter().any(|x| x == &("We", true, false)));
        assert!(w.iter().any(|x| x == &("O'Brien", false, false)));
    }
}
