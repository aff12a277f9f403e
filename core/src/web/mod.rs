//! The web layer: HTTP/1.1 (hyper) over netrt's own TCP/TLS transport, shared by WebSockets
//! syndication and AtomPub (and, later, background transfer): proxies with CONNECT tunnels, Basic and
//! Digest challenges from servers and proxies, HTTP status → `WebErrorStatus` (docs/web.md).

pub mod atompub;
pub(crate) mod auth;
pub(crate) mod client;
pub(crate) mod io;
pub mod proxy;
pub mod syndication;

pub use client::ProxyChoice;
pub use proxy::Proxy;

/// The challenges the web layer finds in `WWW-Authenticate` / `Proxy-Authenticate` values, as
/// (scheme, parameters): the fuzz harness's way in to the challenge parser (fuzz/), not API.
#[doc(hidden)]
pub fn parse_challenges_for_fuzzing(values: &[&str]) -> Vec<(String, Vec<(String, String)>)> {
    auth::parse_challenges(values).into_iter().map(|c| (c.scheme, c.params)).collect()
}

/// The `Authorization` value netrt sends for `values` (Basic, or Digest with the fixed client
/// nonce `cnonce`) as user `user` with password `password` for `GET uri`; `None` when no
/// challenge uses a scheme netrt answers. The fuzz harness's way in to the Digest computation
/// (fuzz/), not API.
#[doc(hidden)]
pub fn answer_challenges_for_fuzzing(
    values: &[&str],
    user: &str,
    password: &str,
    uri: &str,
    cnonce: &str,
) -> Option<String> {
    let credential = crate::security::PasswordCredential::with_fields("", user, password).ok()?;
    auth::answer(&auth::parse_challenges(values), &credential, &auth::Target { method: "GET", uri }, cnonce)
}

/// A proxy's host and port, as [`proxy_for_fuzzing`] reports it.
#[doc(hidden)]
pub type HostAndPort = (String, u16);

/// The proxy the environment gives a request to `target` when `http_proxy`, `https_proxy` and
/// `all_proxy` are `proxy` and `no_proxy` is `no_proxy` (as (host, port); `None` when it goes
/// direct), and the target's host as the `no_proxy` rules see it; `None` when `target` is no
/// URL. The fuzz harness's way in to the proxy and `no_proxy` parsing (fuzz/), not API.
#[doc(hidden)]
pub fn proxy_for_fuzzing(
    target: &str,
    proxy: &str,
    no_proxy: &str,
) -> Option<(crate::Result<Option<HostAndPort>>, Option<String>)> {
    let target = url::Url::parse(target).ok()?;
    let var = |name: &str| match name {
        "http_proxy" | "https_proxy" | "all_proxy" => Some(proxy.to_string()),
        "no_proxy" => Some(no_proxy.to_string()),
        _ => None,
    };
    let chosen = proxy::from_env(&target, var).map(|p| p.map(|p| (p.host, p.port)));
    Some((chosen, target.host_str().map(str::to_string)))
}
