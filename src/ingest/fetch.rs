//! The network: the one place dateline talks HTTP. It owns the HTTP client and its limits
//! (timeouts, redirects, response size, per-host concurrency), conditional GET, compressed
//! bodies, proxies from the environment, `file://` URLs, and turning every failure into a
//! short reason (DNS, TLS, HTTP 404, timeout, too large). It returns bytes; parsing, storing
//! and progress belong to the callers. URLs are passed to the client as data, never to a shell.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// What dateline calls itself on the wire.
pub const USER_AGENT: &str = concat!("dateline/", env!("CARGO_PKG_VERSION"));

/// Limits for fetching; the defaults suit real feeds, tests shorten the timeouts.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub connect_timeout: Duration,
    /// For the whole exchange, redirects and body included.
    pub total_timeout: Duration,
    pub max_redirects: u32,
    pub max_bytes: u64,
    /// Worker threads over all feeds.
    pub jobs: usize,
    /// Requests in flight to one host at a time.
    pub per_host: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_redirects: 5,
            max_bytes: 10 * 1024 * 1024,
            jobs: 8,
            per_host: 2,
        }
    }
}

/// A successful fetch.
#[derive(Debug)]
pub enum Fetched {
    /// 304: the copy we have is current; nothing to parse or store.
    NotModified,
    Body(Body),
}

#[derive(Debug)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Where the body came from after redirects.
    pub url: String,
    /// Where the requested URL has moved for good (its server answered it with a permanent
    /// redirect), so a subscription can follow.
    pub moved_to: Option<String>,
}

impl Body {
    pub fn charset(&self) -> Option<String> {
        self.content_type
            .as_deref()
            .and_then(super::charset::charset_of_content_type)
    }
}

/// An HTTP client with dateline's limits; share one between threads.
pub struct Client {
    agent: ureq::Agent,
    opts: FetchOptions,
    hosts: HostLimiter,
}

impl Client {
    pub fn new(opts: FetchOptions) -> Client {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(opts.connect_timeout))
            .timeout_global(Some(opts.total_timeout))
            .max_redirects(opts.max_redirects)
            .http_status_as_error(false)
            .user_agent(USER_AGENT)
            // ureq decodes gzip itself; deflate is decoded below.
            .accept_encoding("gzip, deflate")
            .proxy(ureq::Proxy::try_from_env())
            .build();
        Client {
            agent: config.new_agent(),
            hosts: HostLimiter::new(opts.per_host.max(1)),
            opts,
        }
    }

    pub fn options(&self) -> &FetchOptions {
        &self.opts
    }

    /// GETs `url` (http, https or file), conditionally when validators are given. Errors
    /// name the URL and give the reason in a few words.
    pub fn get(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Fetched> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("file://") {
            return self.read_file(url);
        }
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return Err(Error::bad_input(
                url,
                "only http, https and file URLs can be fetched",
            ));
        }
        let _slot = self.hosts.acquire(&host_of(url));
        let call = |target: &str, redirects: u32| {
            let mut req = self
                .agent
                .get(target)
                .config()
                .max_redirects(redirects)
                .build()
                .header("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5");
            if let Some(e) = etag {
                req = req.header("If-None-Match", e);
            }
            if let Some(m) = last_modified {
                req = req.header("If-Modified-Since", m);
            }
            req.call().map_err(|e| Error::bad_input(url, reason(&e)))
        };
        // The first hop by hand, to learn whether the feed moved for good (ureq follows
        // redirects without saying which kind); the rest as ureq does.
        let mut resp = call(url, 0)?;
        let mut moved_to = None;
        let status = resp.status().as_u16();
        if let (301..=303 | 307 | 308, Some(location)) = (status, resp.headers().get("location")) {
            let location = location.to_str().unwrap_or_default().to_string();
            let Some(target) = redirect_target(url, &location) else {
                return Err(Error::bad_input(url, "bad redirect"));
            };
            if self.opts.max_redirects == 0 {
                return Err(Error::bad_input(url, "too many redirects"));
            }
            moved_to = permanent_target(url, status, &target);
            resp = call(target.as_str(), self.opts.max_redirects - 1)?;
        }
        let status = resp.status();
        if status.as_u16() == 304 {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            let text = status.canonical_reason().unwrap_or("");
            return Err(Error::bad_input(
                url,
                format!("HTTP {} {text}", status.as_u16())
                    .trim_end()
                    .to_string(),
            ));
        }
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(crate::sanitize::clean_line)
                .filter(|v| !v.is_empty())
        };
        let content_type = header("content-type");
        let etag = header("etag");
        let last_modified = header("last-modified");
        let deflate = header("content-encoding").is_some_and(|e| e.eq_ignore_ascii_case("deflate"));
        let final_url = {
            use ureq::ResponseExt;
            crate::sanitize::clean_line(&resp.get_uri().to_string())
        };
        let raw = resp
            .body_mut()
            .with_config()
            .limit(self.opts.max_bytes)
            .read_to_vec()
            .map_err(|e| Error::bad_input(url, reason(&e)))?;
        let bytes = if deflate {
            self.inflate(url, &raw)?
        } else {
            raw
        };
        Ok(Fetched::Body(Body {
            bytes,
            content_type,
            etag,
            last_modified,
            url: final_url,
            moved_to,
        }))
    }

    /// Deflate bodies: zlib-wrapped as the standard says, or raw as some servers send.
    fn inflate(&self, url: &str, raw: &[u8]) -> Result<Vec<u8>> {
        let limit = self.opts.max_bytes;
        let mut out = Vec::new();
        let zlib = flate2::read::ZlibDecoder::new(raw)
            .take(limit + 1)
            .read_to_end(&mut out);
        if zlib.is_err() {
            out.clear();
            flate2::read::DeflateDecoder::new(raw)
                .take(limit + 1)
                .read_to_end(&mut out)
                .map_err(|e| Error::bad_input(url, format!("bad deflate body: {e}")))?;
        }
        if out.len() as u64 > limit {
            return Err(Error::bad_input(url, self.too_large()));
        }
        Ok(out)
    }

    fn too_large(&self) -> String {
        format!(
            "too large: over {} MiB",
            self.opts.max_bytes / (1024 * 1024)
        )
    }

    fn read_file(&self, url: &str) -> Result<Fetched> {
        let path = file_path(url).ok_or_else(|| Error::bad_input(url, "not a local file URL"))?;
        let meta = std::fs::metadata(&path).map_err(|e| Error::bad_input(url, io_reason(&e)))?;
        if meta.is_dir() {
            return Err(Error::bad_input(url, "is a folder"));
        }
        if meta.len() > self.opts.max_bytes {
            return Err(Error::bad_input(url, self.too_large()));
        }
        let bytes = std::fs::read(&path).map_err(|e| Error::bad_input(url, io_reason(&e)))?;
        Ok(Fetched::Body(Body {
            bytes,
            content_type: None,
            etag: None,
            last_modified: None,
            url: url.to_string(),
            moved_to: None,
        }))
    }
}

/// Where a redirect from `from` to `location` (maybe relative) leads, if it is an http or
/// https URL.
fn redirect_target(from: &str, location: &str) -> Option<url::Url> {
    let target = url::Url::parse(from).ok()?.join(location).ok()?;
    matches!(target.scheme(), "http" | "https").then_some(target)
}

/// Where a response with `status`, redirecting a request for `from` to `target` (from
/// [`redirect_target`]: an http or https URL), says it moved for good: only a 301 or 308,
/// to another URL, and never from https to plain http (a subscription does not give up its
/// encryption because a server says so).
fn permanent_target(from: &str, status: u16, target: &url::Url) -> Option<String> {
    if !matches!(status, 301 | 308) {
        return None;
    }
    let from_https = from
        .get(..6)
        .is_some_and(|s| s.eq_ignore_ascii_case("https:"));
    let downgrade = from_https && target.scheme() == "http";
    let target = crate::sanitize::clean_line(target.as_str());
    (!downgrade && target != from).then_some(target)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The local path of a `file://` URL (`file:///a/b%20c` → `/a/b c`); only local hosts.
pub fn file_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.get(7..)?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = rest.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(std::path::PathBuf::from(String::from_utf8(out).ok()?))
}

/// The host (with port) of an http(s) URL, lower-cased: the key for per-host limits.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    host.to_ascii_lowercase()
}

/// A failure in a few words a user can act on.
fn reason(e: &ureq::Error) -> String {
    use ureq::Error as E;
    match e {
        E::HostNotFound => "DNS: host not found".into(),
        E::Timeout(t) => format!("timeout ({t})"),
        E::ConnectionFailed => "connection failed (refused or unreachable)".into(),
        E::TooManyRedirects => "too many redirects".into(),
        E::RedirectFailed => "bad redirect".into(),
        E::BodyExceedsLimit(n) => format!("too large: over {} MiB", n / (1024 * 1024)),
        E::StatusCode(c) => format!("HTTP {c}"),
        E::Tls(m) => format!("TLS: {m}"),
        E::Rustls(r) => format!("TLS: {r}"),
        E::BadUri(u) => format!("bad URL: {}", crate::sanitize::clean_line(u)),
        E::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => "timeout".into(),
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".into()
        }
        // The resolver's failure arrives as a plain I/O error.
        E::Io(io) if io.to_string().contains("lookup address") => "DNS: host not found".into(),
        E::Io(io) => format!("network error: {io}"),
        E::Decompress(_, io) => format!("bad compressed body: {io}"),
        other => crate::sanitize::clean_line(&other.to_string()),
    }
}

/// At most `max` requests in flight per host: be polite to one server while fetching many.
struct HostLimiter {
    max: usize,
    busy: Mutex<HashMap<String, usize>>,
    freed: Condvar,
}

struct Slot<'a> {
    limiter: &'a HostLimiter,
    host: String,
}

impl HostLimiter {
    fn new(max: usize) -> Self {
        HostLimiter {
            max,
            busy: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
        }
    }

    fn acquire(&self, host: &str) -> Slot<'_> {
        // A poisoned lock only means another fetch panicked; the counts are still usable.
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        while busy.get(host).copied().unwrap_or(0) >= self.max {
            busy = self.freed.wait(busy).unwrap_or_else(|p| p.into_inner());
        }
        *busy.entry(host.to_string()).or_insert(0) += 1;
        Slot {
            limiter: self,
            host: host.to_string(),
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut busy = self.limiter.busy.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = busy.get_mut(&self.host) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                busy.remove(&self.host);
            }
        }
        self.limiter.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permanent_move(from: &str, status: u16, location: &str) -> Option<String> {
        redirect_target(from, location).and_then(|t| permanent_target(from, status, &t))
    }

    #[test]
    fn only_permanent_moves_to_web_urls_are_followed_for_good() {
        let from = "https://e.com/feeds/old.xml";
        assert_eq!(
            permanent_move(from, 301, "../new/feed.xml").as_deref(),
            Some("https://e.com/new/feed.xml")
        );
        assert_eq!(
            permanent_move(from, 308, "https://other.org/rss").as_deref(),
            Some("https://other.org/rss")
        );
        for (status, location) in [
            (302, "/new.xml"),
            (307, "/new.xml"),
            (301, "http://e.com/feeds/old.xml"),
            (301, "file:///etc/passwd"),
            (301, "javascript:alert(1)"),
            (301, from),
        ] {
            assert_eq!(
                permanent_move(from, status, location),
                None,
                "{status} {location}"
            );
        }
        assert_eq!(
            permanent_move("http://e.com/a", 301, "https://e.com/a").as_deref(),
            Some("https://e.com/a")
        );
    }

    #[test]
    fn urls_and_hosts() {
        assert_eq!(
            host_of("https://User@Example.com:8080/x?y"),
            "example.com:8080"
        );
        assert_eq!(
            file_path("file:///tmp/a%20b.xml").unwrap(),
            std::path::PathBuf::from("/tmp/a b.xml")
        );
        assert_eq!(
            file_path("file://localhost/x").unwrap(),
            std::path::PathBuf::from("/x")
        );
        assert!(file_path("file://remote/x").is_none());
        assert!(USER_AGENT.starts_with("dateline/"));
    }

    #[test]
    fn refuses_other_schemes() {
        let c = Client::new(FetchOptions::default());
        let e = c.get("exec:rm -rf", None, None).unwrap_err().to_string();
        assert!(e.contains("only http, https and file"), "{e}");
    }
}
