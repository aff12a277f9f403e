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

/// How many challenges the web layer finds in `WWW-Authenticate` / `Proxy-Authenticate` values:
/// the fuzz harness's way in to the challenge parser (fuzz/), not API.
#[doc(hidden)]
pub fn parse_challenges_for_fuzzing(values: &[&str]) -> usize {
    auth::parse_challenges(values).len()
}
