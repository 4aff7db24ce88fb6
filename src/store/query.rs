//! Translates what a person types into an FTS5 query that cannot fail. Phrases (`"a b"`),
//! prefixes (`partner*`) and the operators AND, OR and NOT (in capitals, between terms) keep
//! their meaning; every other term is quoted, so `covid-19`, `c++`, a stray quote, brackets
//! or a lone operator are plain words (or nothing), never a syntax error.

/// One piece of a translated query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A quoted FTS5 string, optionally a prefix query.
    Term {
        text: String,
        prefix: bool,
    },
    Op(&'static str),
}

/// The FTS5 MATCH expression for `input`, or `None` when it holds no searchable word.
pub fn to_fts5(input: &str) -> Option<String> {
    let tokens = tokenize(input);
    // Keep an operator only between two terms; NOT needs a left operand in FTS5.
    let mut out: Vec<Token> = Vec::new();
    for t in tokens {
        match t {
            Token::Op(op) => {
                if matches!(out.last(), Some(Token::Term { .. })) {
                    out.push(Token::Op(op));
                } else if let Some(Token::Op(_)) = out.last() {
                    // Two operators in a row: the later one wins (`a AND OR b` is `a OR b`).
                    out.pop();
                    out.push(Token::Op(op));
                }
            }
            term => out.push(term),
        }
    }
    while matches!(out.last(), Some(Token::Op(_))) {
        out.pop();
    }
    if out.is_empty() {
        return None;
    }
    let parts: Vec<String> = out
        .into_iter()
        .map(|t| match t {
            Token::Term { text, prefix } => {
                format!(
                    "\"{}\"{}",
                    text.replace('"', "\"\""),
                    if prefix { "*" } else { "" }
                )
            }
            Token::Op(op) => op.to_string(),
        })
        .collect();
    Some(parts.join(" "))
}

/// Words a query highlights in text: its terms and phrase words, lower-cased, with prefix
/// terms marked by a trailing `*`.
pub fn highlight_terms(input: &str) -> Vec<String> {
    tokenize(input)
        .into_iter()
        .filter_map(|t| match t {
            Token::Term { text, prefix } => Some(if prefix {
                format!("{}*", text.to_lowercase())
            } else {
                text.to_lowercase()
            }),
            Token::Op(_) => None,
        })
        .collect()
}

/// Whether the query has a phrase (a term FTS5 splits into several words, `"said on"` or
/// `covid-19`) or a prefix (`inter*`). FTS5 matches and scores those by reading position
/// lists (or by merging every term with the prefix), so each candidate costs it several
/// times what a plain word does.
pub fn reads_positions(input: &str) -> bool {
    tokenize(input).iter().any(|t| match t {
        Token::Term { text, prefix } => *prefix || text.contains(|c: char| !c.is_alphanumeric()),
        Token::Op(_) => false,
    })
}

fn has_word(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

fn tokenize(input: &str) -> Vec<Token> {
    // Control characters (a NUL ends an SQL string inside FTS5) separate words like spaces.
    let input: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut tokens = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            // A phrase, if it closes; a stray quote is dropped.
            if let Some(end) = after.find('"') {
                let phrase = after[..end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let tail = &after[end + 1..];
                let prefix = tail.starts_with('*');
                if has_word(&phrase) {
                    tokens.push(Token::Term {
                        text: phrase,
                        prefix,
                    });
                }
                rest = tail.trim_start_matches('*').trim_start();
            } else {
                rest = after.trim_start();
            }
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let word = &rest[..end];
        rest = rest[end..].trim_start();
        match word {
            "AND" => tokens.push(Token::Op("AND")),
            "OR" => tokens.push(Token::Op("OR")),
            "NOT" => tokens.push(Token::Op("NOT")),
            _ => {
                let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '*');
                let prefix = w.ends_with('*');
                let w = w.trim_end_matches('*');
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                if has_word(w) {
                    tokens.push(Token::Term {
                        text: w.to_string(),
                        prefix,
                    });
                }
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_syntax_people_mean() {
        assert_eq!(
            to_fts5("security partnership").unwrap(),
            r#""security" "partnership""#
        );
        assert_eq!(
            to_fts5(r#""defence industry""#).unwrap(),
            r#""defence industry""#
        );
        assert_eq!(to_fts5("partner*").unwrap(), r#""partner"*"#);
        assert_eq!(to_fts5("japan OR korea").unwrap(), r#""japan" OR "korea""#);
        assert_eq!(
            to_fts5("japan NOT korea").unwrap(),
            r#""japan" NOT "korea""#
        );
        assert_eq!(
            to_fts5("japan and korea").unwrap(),
            r#""japan" "and" "korea""#
        );
    }

    #[test]
    fn what_fts5_would_reject_becomes_plain_words() {
        assert_eq!(to_fts5("covid-19").unwrap(), r#""covid-19""#);
        assert_eq!(to_fts5("c++").unwrap(), r#""c""#);
        assert_eq!(to_fts5(r#""unbalanced"#).unwrap(), r#""unbalanced""#);
        assert_eq!(to_fts5("(((").as_deref(), None);
        assert_eq!(to_fts5("*").as_deref(), None);
        assert_eq!(to_fts5("AND OR NOT").as_deref(), None);
        assert_eq!(to_fts5("NOT japan").unwrap(), r#""japan""#);
        assert_eq!(to_fts5("japan AND").unwrap(), r#""japan""#);
        assert_eq!(to_fts5("title:x {y} ^z").unwrap(), r#""title:x" "y" "z""#);
        assert_eq!(to_fts5(r#"say "hi""#).unwrap(), r#""say" "hi""#);
        // Found by fuzzing: a NUL inside a phrase cut the FTS5 string short.
        assert_eq!(
            to_fts5("\"defence indu\0ry\"").unwrap(),
            r#""defence indu ry""#
        );
    }

    #[test]
    fn phrases_and_prefixes_read_positions() {
        for q in [
            r#""said on""#,
            "inter*",
            "covid-19",
            r#"japan OR "prime minister""#,
        ] {
            assert!(reads_positions(q), "{q}");
        }
        for q in [
            "said",
            "japan OR korea",
            "police NOT election",
            r#""said""#,
            "c++",
        ] {
            assert!(!reads_positions(q), "{q}");
        }
    }

    #[test]
    fn highlight_terms_lowercase() {
        assert_eq!(
            highlight_terms("Borrell partner* \"Defence Industry\""),
            ["borrell", "partner*", "defence industry"]
        );
    }
}
