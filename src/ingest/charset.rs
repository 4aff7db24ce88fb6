//! Character encodings of feeds and pages: bytes to UTF-8 text, choosing the encoding the
//! way browsers and XML parsers do. Order: a byte-order mark (UTF-8, UTF-16, UTF-32), then the
//! HTTP `Content-Type` charset, then the XML declaration or `<meta charset>`, then UTF-16
//! recognised from the first `<`, then UTF-8 when valid, else Windows-1252 (what "Latin-1"
//! means on the web). It decodes only; sanitising is the caller's job.

use encoding_rs::Encoding;
use std::borrow::Cow;

/// Decodes `bytes` to text; the second value says which encoding was used. Valid UTF-8 is
/// borrowed, not copied: feed documents run to megabytes.
pub fn decode_markup<'a>(
    bytes: &'a [u8],
    http_charset: Option<&str>,
) -> (Cow<'a, str>, &'static str) {
    if let Some((text, enc)) = utf32(bytes) {
        return (text.into(), enc);
    }
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text, enc.name());
    }
    let declared = http_charset
        .and_then(|l| Encoding::for_label(l.trim().as_bytes()))
        .or_else(|| sniff_utf16(bytes))
        .or_else(|| declared_in_document(bytes));
    let enc = match declared {
        // A document that says UTF-16 but was found without a BOM or `<\0` is really an
        // ASCII-compatible one mislabelled; browsers read it as UTF-8 too.
        Some(e)
            if (e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE)
                && sniff_utf16(bytes).is_none() =>
        {
            encoding_rs::UTF_8
        }
        Some(e) => e,
        None if std::str::from_utf8(bytes).is_ok() => encoding_rs::UTF_8,
        None => encoding_rs::WINDOWS_1252,
    };
    let (text, _) = enc.decode_without_bom_handling(bytes);
    (text, enc.name())
}

/// The charset parameter of a `Content-Type` header value.
pub fn charset_of_content_type(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [b'<', 0, b, 0, ..] if *b != 0 => Some(encoding_rs::UTF_16LE),
        [0, b'<', 0, b, ..] if *b != 0 => Some(encoding_rs::UTF_16BE),
        _ => None,
    }
}

/// UTF-32 (which `encoding_rs` does not decode), by BOM or by a `<` in four bytes.
fn utf32(bytes: &[u8]) -> Option<(String, &'static str)> {
    let (le, skip, name) = match bytes {
        [0xff, 0xfe, 0, 0, ..] => (true, 4, "UTF-32LE"),
        [0, 0, 0xfe, 0xff, ..] => (false, 4, "UTF-32BE"),
        [b'<', 0, 0, 0, ..] => (true, 0, "UTF-32LE"),
        [0, 0, 0, b'<', ..] => (false, 0, "UTF-32BE"),
        _ => return None,
    };
    let text = bytes[skip..]
        .chunks_exact(4)
        .map(|c| {
            let a = [c[0], c[1], c[2], c[3]];
            let n = if le {
                u32::from_le_bytes(a)
            } else {
                u32::from_be_bytes(a)
            };
            char::from_u32(n).unwrap_or('\u{fffd}')
        })
        .collect();
    Some((text, name))
}

/// The encoding named by an XML declaration or an HTML `<meta charset>` /
/// `<meta http-equiv=content-type content="...; charset=...">` in the first 4 KiB.
fn declared_in_document(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    // The head is ASCII in every encoding that can declare itself; lossy is fine to search.
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    if let Some(rest) = head.trim_start().strip_prefix("<?xml")
        && let Some(decl) = rest.split("?>").next()
        && let Some(label) = attr_value(decl, "encoding")
    {
        return Encoding::for_label(label.as_bytes());
    }
    let mut at = 0;
    while let Some(i) = head[at..].find("<meta") {
        let start = at + i;
        let end = head[start..].find('>').map_or(head.len(), |e| start + e);
        let tag = &head[start..end];
        if let Some(label) = attr_value(tag, "charset") {
            return Encoding::for_label(label.as_bytes());
        }
        if let Some(content) = attr_value(tag, "content")
            && let Some(label) = charset_of_content_type(&content)
        {
            return Encoding::for_label(label.as_bytes());
        }
        at = end;
    }
    None
}

/// The value of `name=...` in a tag's text (quoted or not).
fn attr_value(tag: &str, name: &str) -> Option<String> {
    let mut search = 0;
    while let Some(i) = tag[search..].find(name) {
        let pos = search + i;
        search = pos + name.len();
        // A whole attribute name: preceded by space (or quote), followed by `=`.
        let before_ok = tag[..pos]
            .chars()
            .last()
            .is_some_and(|c| c.is_whitespace() || c == '"' || c == '\'' || c == ';');
        let rest = tag[search..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let rest = rest.trim_start();
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            _ => rest
                .split(|c: char| c.is_whitespace() || matches!(c, '>' | '/' | ';' | '"' | '\''))
                .next()
                .unwrap_or(""),
        };
        return Some(value.trim().to_string());
    }
    None
}

/// The 1-based line of byte `pos` in `text` (for "malformed XML at line N").
pub fn line_at(text: &str, pos: u64) -> usize {
    let pos = usize::try_from(pos).unwrap_or(0).min(text.len());
    text.as_bytes()[..pos]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Rewrites an XML declaration's encoding to UTF-8, for text that has already been decoded,
/// so an XML parser does not decode it a second time. Any further XML declaration is
/// dropped: one anywhere but the start is invalid, and a second one makes the XML parser
/// under feed-rs panic (found by fuzzing).
pub fn declare_utf8(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if let Some(rest) = trimmed.strip_prefix("<?xml")
        && rest.starts_with(char::is_whitespace)
        && let Some(end) = rest.find("?>")
    {
        const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
        let after = trimmed.len() - rest.len() + end + 2;
        let body = without_declarations(&trimmed[after..]);
        // Saying UTF-8 already (or nothing, which means UTF-8): kept as it is, uncopied
        // when nothing after it goes.
        let keep = declares_utf8(&rest[..end]);
        if keep && let Cow::Borrowed(_) = body {
            return Cow::Borrowed(trimmed);
        }
        let decl = if keep { &trimmed[..after] } else { DECL };
        // Sized up front: the document is copied once, not regrown as `format!` would.
        let mut out = String::with_capacity(decl.len() + body.len());
        out.push_str(decl);
        out.push_str(&body);
        return out.into();
    }
    without_declarations(text)
}

/// Whether the attributes of an XML declaration name UTF-8 as the encoding, or none.
fn declares_utf8(attributes: &str) -> bool {
    let lower = attributes.to_ascii_lowercase();
    let Some(at) = lower.find("encoding") else {
        return true;
    };
    let value = lower[at + "encoding".len()..]
        .trim_start()
        .trim_start_matches('=')
        .trim_start()
        .trim_start_matches(['"', '\'']);
    value.starts_with("utf-8") && value[5..].starts_with(['"', '\''])
}

/// `text` with every `<?xml …?>` declaration removed (other processing instructions, such as
/// `<?xml-stylesheet …?>`, stay).
fn without_declarations(text: &str) -> std::borrow::Cow<'_, str> {
    let is_decl = |s: &str| s.starts_with("<?xml") && s[5..].starts_with(char::is_whitespace);
    // Searched with memchr's vectorised finder: this runs over every feed document whole.
    if !memchr::memmem::find_iter(text.as_bytes(), "<?xml").any(|i| is_decl(&text[i..])) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<?xml") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if is_decl(tail) {
            rest = tail.find("?>").map_or("", |end| &tail[end + 2..]);
        } else {
            out.push_str("<?xml");
            rest = &tail[5..];
        }
    }
    out.push_str(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_xml_declarations_are_dropped() {
        let t = "<?xml version='1.0'?><rss><?xml version='1.0' encoding='ISO-8859-1'?><a/><?xml-stylesheet href='s'?></rss>";
        // The first one names no encoding, which means UTF-8: it stays.
        assert_eq!(
            declare_utf8(t),
            "<?xml version='1.0'?><rss><a/><?xml-stylesheet href='s'?></rss>"
        );
        assert_eq!(declare_utf8("<rss><?xml version='1.0'"), "<rss>");
    }

    #[test]
    fn a_document_that_says_utf8_already_is_not_copied() {
        for t in [
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed/>",
            "<?xml version='1.0' encoding = 'UTF-8' standalone='yes'?><feed/>",
            "<?xml version=\"1.0\"?><feed/>",
        ] {
            assert!(matches!(declare_utf8(t), Cow::Borrowed(b) if b == t), "{t}");
        }
        // Another encoding named (the text was decoded from it), or a look-alike: rewritten.
        for t in [
            "<?xml version='1.0' encoding='ISO-8859-1'?><feed/>",
            "<?xml version='1.0' encoding='utf-80'?><feed/>",
        ] {
            assert_eq!(
                declare_utf8(t),
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed/>",
                "{t}"
            );
        }
        // A later declaration still goes.
        assert_eq!(
            declare_utf8("<?xml version='1.0' encoding='utf-8'?><a><?xml version='1.0'?></a>"),
            "<?xml version='1.0' encoding='utf-8'?><a></a>"
        );
        let (text, enc) = decode_markup(b"<?xml version='1.0'?><a>caf\xc3\xa9</a>", None);
        assert!(matches!(text, Cow::Borrowed(_)) && enc == "UTF-8");
    }

    #[test]
    fn picks_the_declared_encoding() {
        let latin1 = b"<?xml version='1.0' encoding='ISO-8859-1'?><rss>Caf\xe9</rss>";
        let (t, e) = decode_markup(latin1, None);
        assert!(t.contains("Café"), "{t} {e}");
        let html =
            b"<html><head><meta charset=\"koi8-r\"></head><body>\xf0\xd2\xc9\xd7\xc5\xd4</body>";
        assert!(decode_markup(html, None).0.contains("Привет"));
        let sjis = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">\x93\xfa\x96\x7b";
        assert!(decode_markup(sjis, None).0.contains("日本"));
        // The HTTP header wins over the document.
        let (t, _) = decode_markup(
            b"<?xml version='1.0' encoding='utf-8'?><a>\xe9</a>",
            Some("latin1"),
        );
        assert!(t.contains('é'));
    }

    #[test]
    fn utf16_and_utf32_with_and_without_bom() {
        let s = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>ü</a>";
        let le: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(decode_markup(&le, None).0, s);
        let mut be = vec![0xfe, 0xff];
        be.extend(s.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode_markup(&be, None).0, s);
        let mut u32le = vec![0xff, 0xfe, 0, 0];
        u32le.extend(s.chars().flat_map(|c| (c as u32).to_le_bytes()));
        assert_eq!(decode_markup(&u32le, None).0, s);
    }

    #[test]
    fn falls_back_to_windows_1252_and_rewrites_declarations() {
        assert_eq!(decode_markup(b"caf\xe9", None).0, "café");
        assert_eq!(
            charset_of_content_type("text/xml; charset=\"GB2312\"").as_deref(),
            Some("GB2312")
        );
        assert_eq!(
            declare_utf8("<?xml version='1.0' encoding='ISO-8859-1'?><rss/>"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss/>"
        );
    }
}
