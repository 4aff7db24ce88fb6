//! Opening an article's link in the browser, decided by a pure function so the dangerous part
//! is easy to test: which program, with which arguments, or a refusal. No shell is ever
//! involved; the URL is always exactly one argument, so `;`, `$( )`, backticks and quotes in
//! it are inert. Only http and https links open, and `file` links only for articles that came
//! from a file (a feed must not make us open local files).

/// A program to spawn and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opener {
    pub program: String,
    pub args: Vec<String>,
}

/// Decides how to open `url` for an article whose source is `source`. `browser` is `$BROWSER`
/// and `os` is `std::env::consts::OS`, passed in so the decision stays pure.
pub fn decide(url: &str, source: &str, browser: Option<&str>, os: &str) -> Result<Opener, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("this article has no link".into());
    }
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| {
            !s.is_empty()
                && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| "not a link with a scheme; not opened".to_string())?;
    match scheme.as_str() {
        "http" | "https" => {}
        "file" if from_file(source) => {}
        "file" => {
            return Err("file links are only opened for articles imported from a file".into());
        }
        other => {
            return Err(format!(
                "{other}: links are not opened (only http and https)"
            ));
        }
    }
    let url = encode_unsafe(url);
    let (program, mut fixed): (String, Vec<String>) =
        match browser.and_then(|b| b.split(':').map(str::trim).find(|b| !b.is_empty())) {
            Some(b) => {
                // `$BROWSER` may carry options ("firefox --new-window"); split on spaces, never
                // through a shell. A `%s` placeholder receives the URL, as one argument.
                let mut words = b.split_whitespace().map(str::to_string);
                match words.next() {
                    Some(p) => (p, words.collect()),
                    None => (default_opener(os).into(), Vec::new()),
                }
            }
            None => (default_opener(os).into(), Vec::new()),
        };
    if let Some(slot) = fixed.iter_mut().find(|a| a.contains("%s")) {
        *slot = slot.replace("%s", &url);
    } else {
        fixed.push(url);
    }
    Ok(Opener {
        program,
        args: fixed,
    })
}

/// The link of a file-imported article that has none: its own path.
pub fn file_url(source: &str) -> Option<String> {
    if !from_file(source) {
        return None;
    }
    let path = std::path::Path::new(source);
    path.is_absolute()
        .then(|| format!("file://{}", encode_unsafe(source)))
}

fn default_opener(os: &str) -> &'static str {
    match os {
        "macos" => "open",
        "windows" => "explorer",
        _ => "xdg-open",
    }
}

/// Whether an article's source names a local file (not a feed, a URL or a bundled sample).
pub fn from_file(source: &str) -> bool {
    !source.is_empty()
        && !source.contains("://")
        && !source.starts_with("feed:")
        && !source.starts_with("bundled:")
}

/// Percent-encodes what must never reach a browser raw: whitespace and control characters.
fn encode_unsafe(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_whitespace() || c.is_control() {
            let mut b = [0; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = "feed:3";

    #[test]
    fn hostile_urls_are_one_inert_argument() {
        for url in [
            "https://example.com/a;rm -rf ~",
            "https://example.com/$(touch /tmp/x)",
            "https://example.com/`id`",
            "https://example.com/'\"quoted\"'",
            "https://example.com/a\nb\r\nc",
            "http://example.com/?q=a&b=c|d>e",
        ] {
            let o = decide(url, FEED, None, "linux").unwrap();
            assert_eq!(o.program, "xdg-open");
            assert_eq!(o.args.len(), 1, "{url}");
            assert!(!o.args[0].contains('\n') && !o.args[0].contains(' '));
            assert!(o.args[0].starts_with("http"));
        }
        let o = decide("https://x/$(id)", FEED, None, "macos").unwrap();
        assert_eq!(
            (o.program.as_str(), o.args),
            ("open", vec!["https://x/$(id)".to_string()])
        );
    }

    #[test]
    fn dangerous_schemes_are_refused() {
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "exec:/bin/sh",
            "file:///etc/passwd",
            "data:text/html,x",
            "-n https://x",
            "//example.com",
            "",
        ] {
            assert!(decide(url, FEED, None, "linux").is_err(), "{url}");
        }
        assert!(decide("file:///etc/passwd", "https://example.com/a", None, "linux").is_err());
        assert!(decide("file:///home/a/x.txt", "bundled:x.txt", None, "linux").is_err());
        assert!(decide("file:///home/a/x.txt", "/home/a/x.txt", None, "linux").is_ok());
    }

    #[test]
    fn browser_variable_is_split_without_a_shell() {
        let o = decide(
            "https://e.com/;x",
            FEED,
            Some("firefox --new-window"),
            "linux",
        )
        .unwrap();
        assert_eq!(o.program, "firefox");
        assert_eq!(o.args, vec!["--new-window", "https://e.com/;x"]);
        let o = decide("https://e.com/", FEED, Some("w3m %s:lynx"), "linux").unwrap();
        assert_eq!(
            (o.program.as_str(), o.args),
            ("w3m", vec!["https://e.com/".to_string()])
        );
        let o = decide("https://e.com/", FEED, Some("  "), "linux").unwrap();
        assert_eq!(o.program, "xdg-open");
    }
}
