//! `Windows.Foundation.Uri` and `WwwFormUrlDecoder`.
//!
//! Parsing is the WHATWG URL parser (the `url` crate), which agrees with Windows on the URIs
//! the web layer takes (`http`, `https`, `ws`, `wss`, `ftp`, `file`): scheme and host are
//! lower-cased, default ports dropped from the canonical form, `.`/`..` segments removed, an
//! empty path of a hierarchical URI becomes `/`. Where the two differ, docs/web.md lists it.

use std::fmt;

use crate::error::{Error, Result};

/// `Windows.Foundation.Uri`: an immutable, parsed absolute URI.
#[derive(Clone)]
pub struct Uri {
    /// The string as given, when it differs from the canonical form (most URIs are already
    /// canonical: not keeping a second copy of those saves an allocation per URI a feed holds).
    raw: Option<Box<str>>,
    url: url::Url,
}

impl fmt::Debug for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Uri").field(&self.url.as_str()).finish()
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url.as_str())
    }
}

fn parse_error(text: &str, e: url::ParseError) -> Error {
    Error::invalid_arg(format!("'{text}' is not a valid absolute URI: {e}"))
}

impl Uri {
    /// `Uri(String)`: parses an absolute URI.
    ///
    /// # Errors
    /// `E_INVALIDARG` naming the problem (no scheme, an invalid port, an invalid host, ...).
    pub fn new(uri: &str) -> Result<Self> {
        let trimmed = uri.trim();
        if trimmed.is_empty() {
            return Err(Error::invalid_arg("the URI is empty"));
        }
        let url = url::Url::parse(trimmed).map_err(|e| parse_error(uri, e))?;
        let raw = (uri != url.as_str()).then(|| uri.into());
        Ok(Self { raw, url })
    }

    /// `Uri(String baseUri, String relativeUri)`: `relative_uri` resolved against `base_uri`.
    ///
    /// # Errors
    /// `E_INVALIDARG` when the base is not an absolute URI or the result is invalid.
    pub fn with_base(base_uri: &str, relative_uri: &str) -> Result<Self> {
        Self::new(base_uri)?.combine_uri(relative_uri)
    }

    /// `CombineUri(String)`: `relative_uri` resolved against this URI (RFC 3986 §5).
    ///
    /// # Errors
    /// `E_INVALIDARG` when the result is not a valid URI.
    pub fn combine_uri(&self, relative_uri: &str) -> Result<Self> {
        let url = self.url.join(relative_uri.trim()).map_err(|e| parse_error(relative_uri, e))?;
        Ok(Self { raw: None, url })
    }

    /// The parsed form (for the web layer).
    pub(crate) fn url(&self) -> &url::Url {
        &self.url
    }

    /// `AbsoluteUri`: the canonical, fully escaped form (`http://example.com/`).
    pub fn absolute_uri(&self) -> String {
        self.url.as_str().to_string()
    }

    /// `AbsoluteCanonicalUri`: as [`Uri::absolute_uri`] (the parser already canonicalises).
    pub fn absolute_canonical_uri(&self) -> String {
        self.absolute_uri()
    }

    /// `DisplayUri`: the canonical form without the password (never shown to users).
    pub fn display_uri(&self) -> String {
        let mut url = self.url.clone();
        let _ = url.set_password(None);
        url.as_str().to_string()
    }

    /// `DisplayIri`: [`Uri::display_uri`] with an internationalised host shown in Unicode.
    pub fn display_iri(&self) -> String {
        let display = self.display_uri();
        match self.url.host_str() {
            Some(host) if host.contains("xn--") => {
                let (unicode, outcome) = idna::domain_to_unicode(host);
                if outcome.is_ok() { display.replacen(host, &unicode, 1) } else { display }
            }
            _ => display,
        }
    }

    /// `SchemeName`: the scheme, lower case, without `:`.
    pub fn scheme_name(&self) -> String {
        self.url.scheme().to_string()
    }

    /// `Host`: the host name or address literal (IPv6 in brackets), empty when there is none.
    pub fn host(&self) -> String {
        self.url.host_str().unwrap_or("").to_string()
    }

    /// `Domain`: the host's last two labels (`contoso.com` for `www.contoso.com`); the host
    /// itself when it has fewer labels; empty for an address literal or no host.
    ///
    /// Windows consults the public-suffix list here; netrt does not ship one, so a host under
    /// a two-label suffix (`www.example.co.uk`) reports `co.uk`.
    pub fn domain(&self) -> String {
        match self.url.host() {
            Some(url::Host::Domain(d)) => {
                let labels: Vec<&str> = d.trim_end_matches('.').split('.').collect();
                let start = labels.len().saturating_sub(2);
                labels[start..].join(".")
            }
            _ => String::new(),
        }
    }

    /// `Port`: the explicit port, else the scheme's default (http/ws 80, https/wss 443,
    /// ftp 21), else -1.
    pub fn port(&self) -> i32 {
        self.url.port_or_known_default().map_or(-1, i32::from)
    }

    /// `Path`: the escaped path (`/` for a hierarchical URI without one).
    pub fn path(&self) -> String {
        self.url.path().to_string()
    }

    /// `Extension`: the file extension of the path's last segment with its dot (`.htm`),
    /// empty when there is none.
    pub fn extension(&self) -> String {
        let last = self.url.path().rsplit('/').next().unwrap_or("");
        match last.rfind('.') {
            Some(i) if i + 1 < last.len() => last[i..].to_string(),
            _ => String::new(),
        }
    }

    /// `Query`: the query with its leading `?`, empty when there is none.
    pub fn query(&self) -> String {
        self.url.query().map(|q| format!("?{q}")).unwrap_or_default()
    }

    /// `QueryParsed`: the query's `name=value` pairs, decoded.
    pub fn query_parsed(&self) -> WwwFormUrlDecoder {
        WwwFormUrlDecoder::new(self.url.query().unwrap_or(""))
    }

    /// `Fragment`: the fragment with its leading `#`, empty when there is none.
    pub fn fragment(&self) -> String {
        self.url.fragment().map(|f| format!("#{f}")).unwrap_or_default()
    }

    /// `UserName`: the user name of the user-info part, escaped as given.
    pub fn user_name(&self) -> String {
        self.url.username().to_string()
    }

    /// `Password`: the password of the user-info part, escaped as given.
    pub fn password(&self) -> String {
        self.url.password().unwrap_or("").to_string()
    }

    /// `RawUri`: the string exactly as given to the constructor.
    pub fn raw_uri(&self) -> String {
        self.raw().to_string()
    }

    fn raw(&self) -> &str {
        self.raw.as_deref().unwrap_or(self.url.as_str())
    }

    /// `Suspicious`: the string had characters a browser would not accept as typed: ASCII
    /// control characters, spaces or backslashes that the parser had to repair, or a host in
    /// punycode (a possible look-alike).
    pub fn suspicious(&self) -> bool {
        let repaired = self.raw().trim().chars().any(|c| c.is_ascii_control() || c == ' ' || c == '\\');
        let punycode = self.url.host_str().is_some_and(|h| h.split('.').any(|l| l.starts_with("xn--")));
        repaired || punycode
    }

    /// `Equals(Uri)`: the canonical forms are equal (the fragment counts, as on Windows).
    pub fn equals(&self, other: &Uri) -> bool {
        self.url == other.url
    }

    /// `ToString()`: the canonical form ([`Uri::absolute_uri`]).
    #[allow(clippy::inherent_to_string_shadow_display)]
    pub fn to_string(&self) -> String {
        self.absolute_uri()
    }

    /// `EscapeComponent(String)`: percent-encodes (UTF-8) everything but RFC 3986's
    /// unreserved characters (`A-Z a-z 0-9 - . _ ~`).
    pub fn escape_component(to_escape: &str) -> String {
        let mut out = String::with_capacity(to_escape.len());
        for b in to_escape.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    /// `UnescapeComponent(String)`: decodes `%XX` sequences; a `%` not followed by two hex
    /// digits stays as it is, `+` stays `+`; decoded bytes that are not UTF-8 become U+FFFD.
    pub fn unescape_component(to_unescape: &str) -> String {
        let bytes = to_unescape.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
            {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

impl PartialEq for Uri {
    fn eq(&self, other: &Self) -> bool {
        self.equals(other)
    }
}

impl Eq for Uri {}

impl std::str::FromStr for Uri {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

/// `IWwwFormUrlDecoderEntry`: one decoded `name=value` pair of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WwwFormUrlDecoderEntry {
    name: String,
    value: String,
}

impl WwwFormUrlDecoderEntry {
    /// `Name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `Value`.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// `Windows.Foundation.WwwFormUrlDecoder`: the `application/x-www-form-urlencoded` pairs of a
/// query (`+` is a space, `%XX` decoded), in order, as a read-only vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WwwFormUrlDecoder {
    entries: Vec<WwwFormUrlDecoderEntry>,
}

impl WwwFormUrlDecoder {
    /// `WwwFormUrlDecoder(String query)`; a leading `?` is ignored.
    pub fn new(query: &str) -> Self {
        let query = query.strip_prefix('?').unwrap_or(query);
        let entries = url::form_urlencoded::parse(query.as_bytes())
            .map(|(n, v)| WwwFormUrlDecoderEntry { name: n.into_owned(), value: v.into_owned() })
            .collect();
        Self { entries }
    }

    /// `GetFirstValueByName(String)`: the value of the first pair named `name`.
    ///
    /// # Errors
    /// `E_INVALIDARG` when no pair has that name (Windows raises the same).
    pub fn get_first_value_by_name(&self, name: &str) -> Result<String> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value.clone())
            .ok_or_else(|| Error::invalid_arg(format!("the query has no parameter named '{name}'")))
    }

    /// `Size`.
    pub fn size(&self) -> u32 {
        u32::try_from(self.entries.len()).unwrap_or(u32::MAX)
    }

    /// `GetAt(UInt32)`.
    ///
    /// # Errors
    /// `E_BOUNDS` past the end.
    pub fn get_at(&self, index: u32) -> Result<WwwFormUrlDecoderEntry> {
        self.entries.get(index as usize).cloned().ok_or_else(|| {
            Error::bounds(format!("index {index} is past the {} query entries", self.entries.len()))
        })
    }

    /// `IndexOf(entry)`.
    pub fn index_of(&self, entry: &WwwFormUrlDecoderEntry) -> Option<u32> {
        self.entries.iter().position(|e| e == entry).map(|i| i as u32)
    }

    /// The entries, in order (`First()` / iteration).
    pub fn entries(&self) -> &[WwwFormUrlDecoderEntry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_a_full_uri() {
        let u = Uri::new("HTTP://user:pw@www.Contoso.com:8080/a/b/../page.htm?x=1&y=a+b%21#top").unwrap();
        assert_eq!(u.scheme_name(), "http");
        assert_eq!(u.host(), "www.contoso.com");
        assert_eq!(u.domain(), "contoso.com");
        assert_eq!(u.port(), 8080);
        assert_eq!(u.path(), "/a/page.htm");
        assert_eq!(u.extension(), ".htm");
        assert_eq!(u.query(), "?x=1&y=a+b%21");
        assert_eq!(u.fragment(), "#top");
        assert_eq!(u.user_name(), "user");
        assert_eq!(u.password(), "pw");
        assert_eq!(u.absolute_uri(), "http://user:pw@www.contoso.com:8080/a/page.htm?x=1&y=a+b%21#top");
        assert_eq!(u.display_uri(), "http://user@www.contoso.com:8080/a/page.htm?x=1&y=a+b%21#top");
        assert_eq!(u.raw_uri(), "HTTP://user:pw@www.Contoso.com:8080/a/b/../page.htm?x=1&y=a+b%21#top");
        assert_eq!(u.query_parsed().get_first_value_by_name("y").unwrap(), "a b!");
        assert!(!u.suspicious());
    }

    #[test]
    fn raw_uri_is_the_string_given_whether_or_not_it_was_canonical() {
        let canonical = Uri::new("http://example.org/a").unwrap();
        assert_eq!(canonical.raw_uri(), "http://example.org/a");
        assert_eq!(Uri::new(" http://example.org/a").unwrap().raw_uri(), " http://example.org/a");
        assert!(Uri::new("http://exa mple.org/").is_err());
        assert!(Uri::new("http://example.org/a b").unwrap().suspicious());
        assert_eq!(canonical.combine_uri("b?q").unwrap().raw_uri(), "http://example.org/b?q");
    }

    #[test]
    fn default_ports_and_empty_parts() {
        assert_eq!(Uri::new("ws://h").unwrap().port(), 80);
        assert_eq!(Uri::new("wss://h").unwrap().port(), 443);
        assert_eq!(Uri::new("https://h:443/").unwrap().absolute_uri(), "https://h/");
        assert_eq!(Uri::new("mailto:a@b").unwrap().port(), -1);
        let u = Uri::new("http://127.0.0.1").unwrap();
        assert_eq!(
            (u.path(), u.query(), u.fragment(), u.domain(), u.extension()),
            ("/".into(), "".into(), "".into(), "".into(), "".into())
        );
    }

    #[test]
    fn invalid_strings_name_the_problem() {
        for bad in ["", "   ", "no-scheme", "http://exa mple.com/", "http://h:99999/", "/relative"] {
            let e = Uri::new(bad).unwrap_err();
            assert_eq!(e.hresult(), crate::error::hresult::E_INVALIDARG, "{bad}");
            assert!(e.message().contains("URI"), "{}", e.message());
        }
    }

    #[test]
    fn combine_equals_and_escaping() {
        let base = Uri::new("http://h/a/b/c").unwrap();
        assert_eq!(base.combine_uri("../d?q").unwrap().absolute_uri(), "http://h/a/d?q");
        assert_eq!(Uri::with_base("http://h/a/", "x").unwrap().to_string(), "http://h/a/x");
        assert!(Uri::new("HTTP://H:80/").unwrap().equals(&Uri::new("http://h").unwrap()));
        assert!(!Uri::new("http://h/#a").unwrap().equals(&Uri::new("http://h/#b").unwrap()));
        assert_eq!(Uri::escape_component("a b/ü~"), "a%20b%2F%C3%BC~");
        assert_eq!(Uri::unescape_component("a%20b%2F%C3%BC+%zz%"), "a b/ü+%zz%");
        assert!(Uri::new("http://xn--80ak6aa92e.com/").unwrap().suspicious());
        assert!(Uri::new("http://h/a b").unwrap().suspicious());
    }

    #[test]
    fn form_decoder() {
        let d = WwwFormUrlDecoder::new("?a=1&b=&a=2&c");
        assert_eq!(d.size(), 4);
        assert_eq!(d.get_first_value_by_name("a").unwrap(), "1");
        assert_eq!(d.get_at(3).unwrap().value(), "");
        assert_eq!(
            d.get_first_value_by_name("zz").unwrap_err().hresult(),
            crate::error::hresult::E_INVALIDARG
        );
        assert_eq!(d.get_at(4).unwrap_err().hresult(), crate::error::hresult::E_BOUNDS);
        assert_eq!(d.index_of(&d.get_at(2).unwrap()), Some(2));
    }
}
