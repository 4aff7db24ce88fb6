//! OPML in and out. Import reads every `<outline>` with a feed URL (nested folders are
//! flattened) and keeps only what [`super::check_url`] accepts: an outline whose URL is a
//! command (`|cmd`, `exec:`, `filter:`), another scheme, or that carries a filter command
//! (`filtercmd`) is refused with a one-line reason, and the rest are still imported. Export
//! writes OPML 2.0. Nothing here fetches or stores.

use crate::error::{Error, Result};
use crate::sanitize::clean_line;
use crate::store::Feed;
use quick_xml::events::{BytesStart, Event};

/// A feed named by an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    pub url: String,
    pub name: Option<String>,
}

/// The outlines that may be subscribed, and one message per refused outline.
#[derive(Debug, Default)]
pub struct OpmlImport {
    pub feeds: Vec<Outline>,
    pub refused: Vec<String>,
}

/// Parses OPML bytes from `origin` (named in errors).
pub fn parse(bytes: &[u8], origin: &str) -> Result<OpmlImport> {
    let (text, _) = crate::ingest::charset::decode_markup(bytes, None);
    let text = crate::ingest::charset::declare_utf8(&text);
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut out = OpmlImport::default();
    let mut saw_opml = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.local_name();
                let name = name.as_ref();
                if name.eq_ignore_ascii_case("opml") {
                    saw_opml = true;
                } else if name.eq_ignore_ascii_case("outline") {
                    outline(&e, &mut out);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let line = crate::ingest::charset::line_at(&text, reader.error_position());
                return Err(Error::bad_input(
                    origin,
                    format!(
                        "malformed OPML at line {line}: {}",
                        clean_line(&e.to_string())
                    ),
                ));
            }
        }
    }
    if !saw_opml {
        return Err(Error::bad_input(
            origin,
            "not an OPML file (no <opml> element)",
        ));
    }
    Ok(out)
}

fn outline(e: &BytesStart<'_>, out: &mut OpmlImport) {
    let mut url = None;
    let mut title = None;
    let mut text = None;
    let mut filter = None;
    for a in e.attributes().flatten() {
        let key = a.key.local_name().as_ref().to_ascii_lowercase();
        let Ok(value) = a.normalized_value(quick_xml::XmlVersion::Implicit1_0) else {
            continue;
        };
        let value = clean_line(&value);
        match key.as_str() {
            "xmlurl" => url = Some(value),
            "title" => title = Some(value),
            "text" => text = Some(value),
            "filtercmd" => filter = Some(value),
            _ => {}
        }
    }
    // A folder has no URL; its children are read on their own.
    let Some(raw) = url else { return };
    let name = title.or(text).filter(|n| !n.is_empty());
    let label = name.clone().unwrap_or_else(|| raw.clone());
    if filter.is_some() {
        out.refused.push(format!(
            "{label}: refused: the outline carries a filter command, which is never run"
        ));
        return;
    }
    match super::check_url(&raw) {
        Ok(url) => out.feeds.push(Outline { url, name }),
        Err(Error::BadInput { reason, .. }) => out.refused.push(format!("{label}: {reason}")),
        Err(e) => out.refused.push(format!("{label}: {e}")),
    }
}

/// Writes the feeds as OPML 2.0.
pub fn export(feeds: &[Feed]) -> String {
    use quick_xml::escape::escape;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>dateline subscriptions</title>\n  </head>\n  <body>\n",
    );
    for f in feeds {
        let name = escape(f.label()).into_owned();
        s.push_str(&format!(
            "    <outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\"",
            escape(f.url.as_str())
        ));
        if f.full_text {
            // Our own marker, ignored by other readers: the feed wants full-text extraction.
            s.push_str(" dateline:fullText=\"true\"");
        }
        s.push_str("/>\n");
    }
    s.push_str("  </body>\n</opml>\n");
    s
}

/// True when an outline asked for full text (our own export marker).
pub fn wants_full_text(bytes: &[u8], url: &str) -> bool {
    // Cheap and good enough: the marker sits on the same outline element as the URL.
    let text = String::from_utf8_lossy(bytes);
    let esc = quick_xml::escape::escape(url);
    text.lines().any(|l| {
        l.contains(&format!("xmlUrl=\"{esc}\"")) && l.contains("dateline:fullText=\"true\"")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piped_and_filtered_outlines_are_refused() {
        let opml = br#"<?xml version="1.0"?><opml version="1.0"><body>
            <outline type="rss" title="Birdsite" xmlUrl="|~/fetch_tweets.py" />
            <outline title="folder"><outline xmlUrl="https://e.com/a.atom" title="A &amp; B"/></outline>
            <outline title="Run" xmlUrl="exec:~/bin/feed"/>
            <outline title="Fire" xmlUrl="https://e.com/f" filtercmd="~/keep.pl"/>
            <outline text="Q" xmlUrl="query:unread:unread = &quot;yes&quot;"/>
            </body></opml>"#;
        let r = parse(opml, "x.opml").unwrap();
        assert_eq!(
            r.feeds,
            vec![Outline {
                url: "https://e.com/a.atom".into(),
                name: Some("A & B".into())
            }]
        );
        assert_eq!(r.refused.len(), 4, "{:?}", r.refused);
        assert!(r.refused[0].starts_with("Birdsite: refused: piped command"));
        assert!(r.refused[2].contains("filter command"));
    }

    #[test]
    fn malformed_and_not_opml() {
        assert!(
            parse(b"<opml><body><outline></body>", "m.opml")
                .unwrap_err()
                .to_string()
                .contains("malformed OPML at line 1")
        );
        assert!(
            parse(b"<rss/>", "r.xml")
                .unwrap_err()
                .to_string()
                .contains("not an OPML")
        );
    }
}
