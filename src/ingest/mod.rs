//! Bytes in, articles out. This module owns the limits and checks on what may become an
//! article (size, binary content, encoding) and hands clean text to the format parsers.
//! It never touches the cache or the terminal.

pub mod charset;
pub mod date;
pub mod feed;
pub mod fetch;
pub mod guard;
pub mod html;
pub mod text;

use crate::error::{Error, Result};
use crate::model::Article;
use crate::sanitize::clean_text;
use std::fs;
use std::path::{Path, PathBuf};

/// The largest input taken as one article.
pub const MAX_INPUT_BYTES: u64 = 8 * 1024 * 1024;

/// An article parsed from one input, with any warnings worth showing the user.
#[derive(Debug)]
pub struct Parsed {
    pub article: Article,
    pub warnings: Vec<String>,
}

/// Decodes raw bytes to clean text. UTF-8 (with or without a BOM) and UTF-16 with a BOM are
/// read as they are; anything else is read as Windows-1252 with a warning, never rejected.
pub fn decode(bytes: &[u8], origin: &str) -> Result<(String, Vec<String>)> {
    let mut warnings = Vec::new();
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(origin, bytes.len() as u64));
    }
    let text = if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            warnings.push(format!("{origin}: invalid {} replaced", enc.name()));
        }
        text.into_owned()
    } else {
        if bytes.contains(&0) {
            return Err(Error::bad_input(
                origin,
                "binary file (contains NUL bytes), not an article",
            ));
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => {
                warnings.push(format!("{origin}: not UTF-8; read as Windows-1252"));
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                text.into_owned()
            }
        }
    };
    let clean = clean_text(&text).into_owned();
    if clean.trim().is_empty() {
        return Err(Error::bad_input(origin, "empty file: no text to import"));
    }
    Ok((clean, warnings))
}

fn too_large(origin: &str, len: u64) -> Error {
    Error::bad_input(
        origin,
        format!(
            "file is {:.1} MiB, over the {} MiB limit for one article",
            len as f64 / (1024.0 * 1024.0),
            MAX_INPUT_BYTES / (1024 * 1024)
        ),
    )
}

/// Parses bytes from `origin` (a path or URL, used in messages and as the article's source).
///
/// HTML pages go through Readability ([`html::parse_page`]); a feed document is refused with
/// a hint to subscribe to it instead (its items are articles, the file is not one).
pub fn parse_bytes(bytes: &[u8], origin: &str) -> Result<Parsed> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(origin, bytes.len() as u64));
    }
    match sniff_markup(bytes) {
        Markup::Html => {
            let (text, _) = charset::decode_markup(bytes, None);
            let article = html::parse_page(&clean_text(&text), None, origin)?;
            return Ok(Parsed {
                article,
                warnings: Vec::new(),
            });
        }
        Markup::Feed => {
            return Err(Error::bad_input(
                origin,
                "this is a feed, not an article: subscribe with `dateline feed add PATH`, then `dateline fetch`",
            ));
        }
        Markup::Other => {}
    }
    let (text, warnings) = decode(bytes, origin)?;
    let article = text::parse_article(&text, origin);
    if article.blocks.is_empty() && article.title == "Untitled" {
        return Err(Error::bad_input(origin, "no article text found"));
    }
    Ok(Parsed { article, warnings })
}

enum Markup {
    Html,
    Feed,
    Other,
}

/// Recognises HTML pages and feed documents from their first bytes, in any encoding.
fn sniff_markup(bytes: &[u8]) -> Markup {
    let head = &bytes[..bytes.len().min(2048)];
    let (text, _) = charset::decode_markup(head, None);
    if html::looks_like_html(&text) {
        return Markup::Html;
    }
    let t = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    let xmlish = t.starts_with("<?xml") || t.starts_with("<rss") || t.starts_with("<feed");
    if xmlish && (t.contains("<rss") || t.contains("<feed") || t.contains("<rdf:rdf")) {
        return Markup::Feed;
    }
    Markup::Other
}

/// Reads and parses one file. Every failure names the file and says what is wrong.
pub fn parse_file(path: &Path) -> Result<Parsed> {
    let origin = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound if fs::symlink_metadata(path).is_ok() => {
            Error::bad_input(&origin, "broken symbolic link")
        }
        std::io::ErrorKind::NotFound => Error::bad_input(&origin, "no such file"),
        std::io::ErrorKind::PermissionDenied => Error::bad_input(&origin, "permission denied"),
        _ => Error::bad_input(&origin, e.to_string()),
    })?;
    if meta.is_dir() {
        return Err(Error::bad_input(&origin, "is a folder"));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large(&origin, meta.len()));
    }
    let bytes = fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => Error::bad_input(&origin, "permission denied"),
        _ => Error::bad_input(&origin, format!("cannot read: {e}")),
    })?;
    parse_bytes(&bytes, &origin)
}

/// File names a folder walk imports; explicitly named files are always tried.
const ARTICLE_EXTENSIONS: &[&str] = &["txt", "text", "md", "markdown", "html", "htm"];
/// Files that sit beside articles but are not articles.
const NOT_ARTICLES: &[&str] = &[
    "readme",
    "license",
    "licence",
    "attribution",
    "copying",
    "notice",
];

/// Expands the user's paths: files stay as given, folders are walked recursively (sorted, hidden
/// entries skipped) for article files. A path that cannot be listed is returned as is, so
/// parsing it reports the problem in the batch.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        out.push(dir.to_path_buf());
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else if is_article_file(&p) {
            out.push(p);
        }
    }
}

fn is_article_file(p: &Path) -> bool {
    let ext_ok = p
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ARTICLE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
    let stem = p
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    ext_ok && !NOT_ARTICLES.iter().any(|n| stem.starts_with(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_binary_and_large() {
        assert!(
            decode(b"  \n\n ", "e.txt")
                .unwrap_err()
                .to_string()
                .contains("e.txt: empty")
        );
        let err = decode(b"abc\0def", "b.bin").unwrap_err().to_string();
        assert!(err.starts_with("b.bin: binary"), "{err}");
        let big = vec![b'a'; MAX_INPUT_BYTES as usize + 1];
        assert!(
            decode(&big, "big.txt")
                .unwrap_err()
                .to_string()
                .contains("over the 8 MiB")
        );
    }

    #[test]
    fn latin1_is_read_with_a_warning() {
        let (text, warnings) = decode(b"Caf\xe9 \x93quoted\x94", "l.txt").unwrap();
        assert_eq!(text, "Café “quoted”");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("Windows-1252"));
    }

    #[test]
    fn utf16_with_bom_is_text_not_binary() {
        let mut bytes = vec![0xff, 0xfe];
        for u in "Hello".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&bytes, "u.txt").unwrap().0, "Hello");
    }

    #[test]
    fn decoding_strips_escapes() {
        let (text, _) = decode(b"Title\x1b]0;pwned\x07\n\nBody \x1b[31mred", "x.txt").unwrap();
        assert_eq!(text, "Title\n\nBody red");
    }
}
