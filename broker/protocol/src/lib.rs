//! netrt-brokerd's wire protocol ([`protocol`], no sockets), fd passing over Unix sockets
//! ([`transport`]), where the daemon listens and keeps its state ([`paths`]), and a blocking
//! [`client`]. netrt's core talks to the daemon with it; the daemon (crate `netrt-broker`)
//! serves it. No async runtime: this crate is small enough for core to depend on.

pub mod client;
pub mod paths;
pub mod protocol;
pub mod transport;
