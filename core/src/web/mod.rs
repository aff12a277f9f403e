//! The web layer: HTTP/1.1 (hyper) over netrt's own TCP/TLS transport, shared by WebSockets
//! (and, later, background transfer and syndication): proxies with CONNECT tunnels, Basic and
//! Digest challenges from servers and proxies, HTTP status → `WebErrorStatus` (docs/web.md).

pub(crate) mod auth;
pub(crate) mod client;
pub(crate) mod io;
pub mod proxy;

pub use client::ProxyChoice;
pub use proxy::Proxy;
