//! Which HTTP proxy a request goes through: an explicit one set on the control (a netrt
//! extension), else the environment as curl reads it.
//!
//! curl's rules: `http_proxy` for http (lower case only: `HTTP_PROXY` can be set by a CGI
//! request header, so curl ignores it), `https_proxy`/`HTTPS_PROXY` for https,
//! `all_proxy`/`ALL_PROXY` otherwise; `no_proxy`/`NO_PROXY` lists hosts that go direct (`*`
//! for all, a name matches itself and its subdomains with or without a leading dot, IP
//! addresses and CIDR ranges match addresses). ws:// follows the http rules and wss:// the
//! https ones. A proxy URL without a scheme is `http://`, without a port 1080 (curl's default).

use std::net::IpAddr;

use crate::error::{Error, Result};
use crate::security::PasswordCredential;

/// An HTTP proxy: where to connect, and the credential its URL carried (used only when the
/// proxy asks and the control has no ProxyCredential).
#[derive(Debug, Clone)]
pub struct Proxy {
    /// Host name or address of the proxy.
    pub host: String,
    /// TCP port of the proxy.
    pub port: u16,
    pub(crate) url_credential: Option<PasswordCredential>,
}

impl Proxy {
    /// Parses `http://[user:password@]host[:port]` (or `host[:port]`).
    ///
    /// # Errors
    /// `E_INVALIDARG` for an unparsable URL or a scheme other than http (SOCKS and HTTPS
    /// proxies are not supported).
    pub fn parse(text: &str) -> Result<Self> {
        let with_scheme = if text.contains("://") { text.to_string() } else { format!("http://{text}") };
        let url = url::Url::parse(&with_scheme)
            .map_err(|e| Error::invalid_arg(format!("invalid proxy '{text}': {e}")))?;
        if url.scheme() != "http" {
            return Err(Error::invalid_arg(format!(
                "proxy '{text}': only http:// proxies are supported, not {}://",
                url.scheme()
            )));
        }
        let host = url.host_str().ok_or_else(|| Error::invalid_arg(format!("proxy '{text}' has no host")))?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        let user = percent_decode(url.username());
        let url_credential = match url.password() {
            Some(p) if !user.is_empty() => {
                PasswordCredential::with_fields("", &user, &percent_decode(p)).ok()
            }
            _ => None,
        };
        Ok(Self { host, port: url.port().unwrap_or(1080), url_credential })
    }
}

fn percent_decode(s: &str) -> String {
    crate::foundation::Uri::unescape_component(s)
}

/// The proxy for `target` from the environment, read through `var` (so tests can supply it).
pub(crate) fn from_env(target: &url::Url, var: impl Fn(&str) -> Option<String>) -> Result<Option<Proxy>> {
    let get = |names: &[&str]| names.iter().find_map(|n| var(n).filter(|v| !v.trim().is_empty()));
    let secure = matches!(target.scheme(), "https" | "wss");
    let specific = if secure { get(&["https_proxy", "HTTPS_PROXY"]) } else { get(&["http_proxy"]) };
    let Some(proxy) = specific.or_else(|| get(&["all_proxy", "ALL_PROXY"])) else {
        return Ok(None);
    };
    if let Some(list) = get(&["no_proxy", "NO_PROXY"])
        && bypasses(&list, target)
    {
        return Ok(None);
    }
    Proxy::parse(proxy.trim()).map(Some)
}

/// Whether a `no_proxy` list sends `target` direct.
fn bypasses(list: &str, target: &url::Url) -> bool {
    let host = match target.host() {
        Some(url::Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => a.to_string(),
        None => return false,
    };
    let address: Option<IpAddr> = host.parse().ok();
    list.split([',', ' ']).map(str::trim).filter(|e| !e.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.trim_start_matches('[').trim_end_matches(']');
        if let (Some(addr), Some((net, bits))) = (address, entry.split_once('/')) {
            return cidr_contains(net, bits, addr);
        }
        if let (Some(addr), Ok(e)) = (address, entry.parse::<IpAddr>()) {
            return addr == e;
        }
        let name = entry.trim_start_matches('.').trim_end_matches('.').to_ascii_lowercase();
        host == name || host.ends_with(&format!(".{name}"))
    })
}

fn cidr_contains(net: &str, bits: &str, addr: IpAddr) -> bool {
    match (net.parse::<IpAddr>(), bits.parse::<u8>()) {
        (Ok(net), Ok(bits)) => crate::capability::rules::in_network(addr, net, bits),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(target: &str, env: &[(&str, &str)]) -> Option<(String, u16)> {
        let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let url = url::Url::parse(target).unwrap();
        from_env(&url, |n| env.get(n).cloned()).unwrap().map(|p| (p.host, p.port))
    }

    #[test]
    fn curl_variable_choice() {
        let p = |h: &str, port| Some((h.to_string(), port));
        assert_eq!(resolve("ws://a/", &[("http_proxy", "p:3128")]), p("p", 3128));
        assert_eq!(resolve("ws://a/", &[("HTTP_PROXY", "p:3128")]), None);
        assert_eq!(resolve("wss://a/", &[("HTTPS_PROXY", "http://q")]), p("q", 1080));
        assert_eq!(resolve("wss://a/", &[("http_proxy", "p:1"), ("ALL_PROXY", "r:2")]), p("r", 2));
        assert_eq!(resolve("wss://a/", &[("https_proxy", "s:3"), ("all_proxy", "r:2")]), p("s", 3));
    }

    #[test]
    fn no_proxy_rules() {
        let env = |np: &'static str| [("all_proxy", "p:1"), ("no_proxy", np)];
        assert_eq!(resolve("ws://a.example.com/", &env("example.com")), None);
        assert_eq!(resolve("ws://a.example.com/", &env(".example.com")), None);
        assert!(resolve("ws://badexample.com/", &env("example.com")).is_some());
        assert_eq!(resolve("ws://127.0.0.1:9/", &env("10.0.0.1, 127.0.0.0/8")), None);
        assert_eq!(resolve("ws://[::1]:9/", &env("::1")), None);
        assert_eq!(resolve("ws://x/", &env("*")), None);
        assert!(resolve("ws://x/", &env("y")).is_some());
    }

    #[test]
    fn proxy_urls() {
        let p = Proxy::parse("http://al%40ice:p%3Ass@[::1]:8080").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("::1", 8080));
        let c = p.url_credential.unwrap();
        assert_eq!((c.user_name(), c.password()), ("al@ice".into(), "p:ss".into()));
        let e = Proxy::parse("socks5://h:1").unwrap_err();
        assert_eq!(e.hresult(), crate::error::hresult::E_INVALIDARG);
        assert!(e.message().contains("socks5"), "{}", e.message());
    }
}
