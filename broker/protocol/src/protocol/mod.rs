//! The broker's wire protocol, with no sockets: messages, their encoding, and a decoder that is
//! a state machine over bytes (feed it whatever arrived; it yields whole messages or a clean
//! error). File descriptors travel beside the bytes (SCM_RIGHTS); a message says how many it
//! carries ([`Message::fd_count`]) and [`Inbox`] pairs them.
//!
//! A frame is a little-endian u32 body length, then the body: a message type byte and its
//! fields. A session starts with [`Message::Hello`] (magic and version) answered by
//! [`Message::Welcome`]; any other first message ends the session.

mod codec;
mod frame;
mod message;
mod types;
mod xfer;

pub use frame::{FrameDecoder, Inbox, Role, encode};
pub use message::Message;
pub use types::{
    Activation, Reason, SocketKind, SocketRecord, Status, TaskId, TaskRegistration, TaskStatus, Transfer,
};
pub use xfer::{
    BodySource, Credential, PartSource, ResponseInfo, TransferAction, TransferChange, TransferId,
    TransferKind, TransferRequest, TransferState,
};

/// The protocol version this build speaks (2: background transfers).
pub const VERSION: u16 = 2;
/// The first bytes of every Hello: a peer that is not a netrt broker client is turned away.
pub const MAGIC: [u8; 4] = *b"NRTB";
/// The largest frame body accepted (a reclaim batch of 253 sockets with full contexts fits).
pub const MAX_FRAME: usize = 1 << 22;
/// The most context bytes a transfer may carry.
pub const MAX_CONTEXT: usize = 16 * 1024;
/// The most fds one message carries: Linux's SCM_MAX_FD. Reclaiming more takes several
/// messages.
pub const MAX_FDS_PER_MESSAGE: usize = 253;
/// The environment variable that names the activation a spawned command runs for.
pub const ACTIVATION_ENV: &str = "NETRT_BROKER_ACTIVATION";
/// The environment variable that overrides the broker's socket path.
pub const SOCKET_ENV: &str = "NETRT_BROKER_SOCKET";

/// Why bytes could not be decoded. Every variant ends the session that sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The frame announces more than [`MAX_FRAME`] bytes.
    TooLong(usize),
    /// The message type byte is not one this version knows.
    UnknownType(u8),
    /// The body does not hold what its type says.
    Malformed(&'static str),
    /// The message should carry fds that did not arrive with it.
    MissingFds {
        /// How many the message needs.
        needed: usize,
        /// How many arrived.
        arrived: usize,
    },
    /// The session did not start with a Hello of this protocol.
    NotHello,
    /// The peer speaks a version this build does not.
    Version(u16),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLong(n) => write!(f, "a frame of {n} bytes exceeds the limit of {MAX_FRAME}"),
            Self::UnknownType(t) => write!(f, "unknown message type {t}"),
            Self::Malformed(what) => write!(f, "malformed message: {what}"),
            Self::MissingFds { needed, arrived } => {
                write!(f, "a message needs {needed} file descriptors and {arrived} arrived")
            }
            Self::NotHello => write!(f, "the session did not start with a netrt broker Hello"),
            Self::Version(v) => {
                write!(f, "protocol version {v} is not supported (this side speaks {VERSION})")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests;
