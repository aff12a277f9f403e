//! The socket broker's enumerations (Windows.Networking.Sockets), with WinRT's values.

use netrt_broker_protocol::protocol::{Reason, SocketKind};

use crate::error::{Error, Result};

winrt_enum! {
    /// `Windows.Networking.Sockets.SocketActivityKind`: what kind of socket the broker holds.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum SocketActivityKind {
        /// No socket.
        #[default]
        None = 0,
        /// A `StreamSocketListener`.
        StreamSocketListener = 1,
        /// A `DatagramSocket`.
        DatagramSocket = 2,
        /// A `StreamSocket`.
        StreamSocket = 3,
    }
}

winrt_enum! {
    /// `Windows.Networking.Sockets.SocketActivityTriggerReason`: why the broker activated the
    /// task.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum SocketActivityTriggerReason {
        /// No reason.
        #[default]
        None = 0,
        /// Data arrived on a stream or datagram socket.
        SocketActivity = 1,
        /// A connection is waiting on a listener.
        ConnectionAccepted = 2,
        /// The keep-alive time given to TransferOwnership elapsed: write a keep-alive, then
        /// transfer the socket again.
        KeepAliveTimerExpired = 3,
        /// The peer closed the stream socket.
        SocketClosed = 4,
    }
}

winrt_enum! {
    /// `Windows.Networking.Sockets.SocketActivityConnectedStandbyAction`: whether the socket may
    /// wake the system from connected standby (netrt: recorded; Linux has no connected standby,
    /// so the broker always activates the task).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum SocketActivityConnectedStandbyAction {
        /// Do not wake the system.
        #[default]
        DoNotWake = 0,
        /// Wake the system.
        Wake = 1,
    }
}

impl SocketActivityConnectedStandbyAction {
    /// From the raw value; unknown values fail with `E_INVALIDARG`.
    pub fn from_raw(raw: i32) -> Result<Self> {
        Self::from_i32(raw)
            .ok_or_else(|| Error::invalid_arg(format!("{raw} is not a SocketActivityConnectedStandbyAction")))
    }
}

impl From<SocketKind> for SocketActivityKind {
    fn from(kind: SocketKind) -> Self {
        match kind {
            SocketKind::StreamSocketListener => Self::StreamSocketListener,
            SocketKind::DatagramSocket => Self::DatagramSocket,
            SocketKind::StreamSocket => Self::StreamSocket,
        }
    }
}

impl From<Reason> for SocketActivityTriggerReason {
    fn from(reason: Reason) -> Self {
        match reason {
            Reason::SocketActivity => Self::SocketActivity,
            Reason::ConnectionAccepted => Self::ConnectionAccepted,
            Reason::KeepAliveTimerExpired => Self::KeepAliveTimerExpired,
            Reason::SocketClosed => Self::SocketClosed,
        }
    }
}
