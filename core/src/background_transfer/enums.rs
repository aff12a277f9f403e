//! Windows.Networking.BackgroundTransfer's enumerations, with WinRT's values.

use crate::error::{Error, Result};

winrt_enum! {
    /// `BackgroundTransferStatus`: where a transfer stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum BackgroundTransferStatus {
        /// Created, not started (or waiting for its turn in a Serialized group).
        #[default]
        Idle = 0,
        /// Transferring.
        Running = 1,
        /// Paused by the app (`Pause`).
        PausedByApplication = 2,
        /// Paused because the network is costed (never on Linux: there is no metered-network
        /// signal).
        PausedCostedNetwork = 3,
        /// Paused because the network is gone (netrt retries instead, then reports Error).
        PausedNoNetwork = 4,
        /// Done.
        Completed = 5,
        /// Cancelled.
        Canceled = 6,
        /// Failed; the start or attach operation fails with the error.
        Error = 7,
        /// Paused on a WebErrorStatus the app listed in RecoverableWebErrorStatuses; `Resume`
        /// tries again.
        PausedRecoverableWebErrorStatus = 8,
        /// Paused by system policy (never on Linux).
        PausedSystemPolicy = 32,
    }
}

winrt_enum! {
    /// `BackgroundTransferCostPolicy`: whether a transfer may use a costed network. netrt
    /// stores it and reports it back; Linux has no metered-network signal, so it changes nothing.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum BackgroundTransferCostPolicy {
        /// The system's default.
        #[default]
        Default = 0,
        /// Only unrestricted networks.
        UnrestrictedOnly = 1,
        /// Any network.
        Always = 2,
    }
}

winrt_enum! {
    /// `BackgroundTransferPriority`: which transfer of a Serialized group runs first.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum BackgroundTransferPriority {
        /// Creation order.
        #[default]
        Default = 0,
        /// Before the Default and Low ones.
        High = 1,
        /// After the others.
        Low = 2,
    }
}

winrt_enum! {
    /// `BackgroundTransferBehavior`: how the transfers of a group run.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum BackgroundTransferBehavior {
        /// All at once.
        #[default]
        Parallel = 0,
        /// One at a time (High priority first, else creation order).
        Serialized = 1,
    }
}

macro_rules! from_raw {
    ($($name:ident),+) => {$(
        impl $name {
            /// From the raw value; unknown values fail with `E_INVALIDARG`.
            ///
            /// # Errors
            /// `E_INVALIDARG` for a value that is not a member.
            pub fn from_raw(raw: i32) -> Result<Self> {
                Self::from_i32(raw).ok_or_else(|| Error::invalid_arg(format!("{raw} is not a {}", stringify!($name))))
            }
        }
    )+};
}

from_raw!(
    BackgroundTransferStatus,
    BackgroundTransferCostPolicy,
    BackgroundTransferPriority,
    BackgroundTransferBehavior
);

impl BackgroundTransferStatus {
    /// Whether the transfer is over (Completed, Canceled or Error).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Canceled | Self::Error)
    }

    /// Whether the transfer is paused, whatever the reason.
    pub fn is_paused(self) -> bool {
        matches!(
            self,
            Self::PausedByApplication
                | Self::PausedCostedNetwork
                | Self::PausedNoNetwork
                | Self::PausedRecoverableWebErrorStatus
                | Self::PausedSystemPolicy
        )
    }
}
