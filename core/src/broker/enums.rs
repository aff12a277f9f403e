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

winrt_enum! {
    /// `Windows.Networking.Sockets.ControlChannelTriggerStatus`: what WaitForPushEnabled
    /// allocated (netrt: always a software slot, or TransportDisconnected).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum ControlChannelTriggerStatus {
        /// A hardware slot was requested.
        #[default]
        HardwareSlotRequested = 0,
        /// A software slot was allocated.
        SoftwareSlotAllocated = 1,
        /// A hardware slot was allocated.
        HardwareSlotAllocated = 2,
        /// The system policy refused the channel.
        PolicyError = 3,
        /// A system error.
        SystemError = 4,
        /// The transport is not connected.
        TransportDisconnected = 5,
        /// The service is unavailable.
        ServiceUnavailable = 6,
    }
}

winrt_enum! {
    /// `Windows.Networking.Sockets.ControlChannelTriggerResourceType`: the slot a
    /// ControlChannelTrigger asks for (netrt: both get a software slot).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum ControlChannelTriggerResourceType {
        /// A software slot.
        #[default]
        RequestSoftwareSlot = 0,
        /// A hardware slot (Linux has none: a software slot is allocated).
        RequestHardwareSlot = 1,
    }
}

winrt_enum! {
    /// `Windows.Networking.Sockets.ControlChannelTriggerResetReason`: why a channel was reset
    /// (IControlChannelTriggerResetEventDetails).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum ControlChannelTriggerResetReason {
        /// A fast user switch.
        #[default]
        FastUserSwitched = 0,
        /// The system left low power.
        LowPowerExit = 1,
        /// Quiet hours ended.
        QuietHoursExit = 2,
        /// The application restarted.
        ApplicationRestart = 3,
    }
}

winrt_enum! {
    /// `Windows.ApplicationModel.Background.BackgroundTaskCancellationReason`: why a task
    /// instance's Canceled event fired (netrt raises it for in-process runs: `Abort` when the
    /// task is unregistered with cancelTask or its ControlChannelTrigger closes).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum BackgroundTaskCancellationReason {
        /// The task was aborted (unregistered with cancelTask, or its trigger closed).
        #[default]
        Abort = 0,
        /// The app is terminating.
        Terminating = 1,
        /// The user is logging off.
        LoggingOff = 2,
        /// The app is being serviced.
        ServicingUpdate = 3,
        /// The task ran idle too long.
        IdleTask = 4,
        /// The app is being uninstalled.
        Uninstall = 5,
        /// A condition of the task was lost.
        ConditionLoss = 6,
        /// A system policy canceled the task.
        SystemPolicy = 7,
        /// Quiet hours began (deprecated after Windows 8).
        QuietHoursEntered = 8,
        /// The task ran longer than allowed.
        ExecutionTimeExceeded = 9,
        /// The system needed the task's resources.
        ResourceRevocation = 10,
        /// Energy saver is on.
        EnergySaver = 11,
    }
}

impl ControlChannelTriggerResourceType {
    /// From the raw value; unknown values fail with `E_INVALIDARG`.
    pub fn from_raw(raw: i32) -> Result<Self> {
        Self::from_i32(raw)
            .ok_or_else(|| Error::invalid_arg(format!("{raw} is not a ControlChannelTriggerResourceType")))
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
