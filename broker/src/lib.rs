//! netrt's socket broker: the wire protocol ([`protocol`], no sockets), fd passing over Unix
//! sockets ([`transport`]), where the broker listens ([`paths`]), and the `netrt-brokerd`
//! daemon built on them. The client side lives in netrt's core (`netrt::broker`).

pub mod client;
#[cfg(feature = "daemon")]
pub mod daemon;
pub mod paths;
pub mod protocol;
pub mod transport;
