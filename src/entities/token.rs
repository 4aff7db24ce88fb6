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
}

impl Token {
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        &s[self.start..self.end]
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Abbreviations whose dot does not end a sentence.
const ABBREV: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Sgt", "Capt",
    "Jr", "Sr", "vs", "Rev", "Mt", "No", "Inc", "Co", "Corp", "Ltd", "Jan", "Feb", "Mar", "Apr",
    "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "approx", "etc", "e.g", "i.e",
];

pub fn tokenize(s: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(s.len() / 5);
    let bytes = s.as_bytes();
    let mut chars = s.char_indices().peekable();
    let mut prev_end = 0usize;
    let mut at_start = true;
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let glued = i == prev_end && i != 0;
        if c.is_alphanumeric() {
            let mut end = i + c.len_utf8();
            // A word: letters and digits, with apostrophes inside (O'Brien, don't).
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() {
                    end = j + d.len_utf8();
                    chars.next();
                } else if is_apostrophe(d) {
                    let after = s[j + d.len_utf8()..].chars().next();
                    if after.is_some_and(char::is_alphanumeric) {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                } else if d == '.'
                    && end - i == c.len_utf8()
                    && c.is_uppercase()
                    && (s[j + 1..].starts_with(']')
                        || (s[j + 1..].starts_with(|x: char| x == ' ' || x.is_uppercase())
                            && !s[j + 1..].trim_start_matches(' ').is_empty()))
                {
                    // An initial or a dotted acronym: U.S., D.C., W.
                    end = j + 1;
                    chars.next();
                    while let Some(&(k, e)) = chars.peek() {
                        if e.is_uppercase() && s[k + e.len_utf8()..].starts_with('.') {
                            chars.next();
                            chars.next();
                            end = k + e.len_utf8() + 1;
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
            // `Reuters'`: a bare apostrophe after a final s is a possessive too.
            if !possessive
                && word.ends_with('s')
                && let Some(&(j, d)) = chars.peek()
            {
                let after = s[j + d.len_utf8()..].chars().next();
                if j == word_end && is_apostrophe(d) && !after.is_some_and(char::is_alphanumeric) {
                    chars.next();
                    possessive = true;
                    consumed = j + d.len_utf8();
                }
            }
            out.push(Token {
                start: i,
                end,
                kind: Kind::Word,
                glued,
                sent_start: at_start,
                possessive,
            });
            prev_end = consumed;
            at_start = false;
        } else {
            let end = i + c.len_utf8();
            match c {
                '.' | '!' | '?' | ':' | ';' | '•' | '|' => {
                    let abbrev = c == '.'
                        && out.last().is_some_and(|t| {
                            t.kind == Kind::Word && t.end == i && ABBREV.contains(&t.text(s))
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
            });
            prev_end = end;
        }
    }
    out
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
    fn quotes_open_sentences() {
        let w = words("he said “We live” and 'It' O'Brien");
        assert!(w.iter().any(|x| x == &("We", true, false)));
        assert!(w.iter().any(|x| x == &("O'Brien", false, false)));
    }
}
