//! netrt-brokerd: the per-user daemon that holds sockets apps hand over (the socket broker) and
//! runs their background transfers. The wire protocol, fd passing, paths and blocking client
//! live in `netrt-broker-protocol` (re-exported here); the client API is netrt's core
//! (`netrt::broker`, `netrt::background_transfer`).

pub mod daemon;

pub use netrt_broker_protocol::{client, paths, protocol, transport};
