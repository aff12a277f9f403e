//! The socket broker client: an app hands its sockets to `netrt-brokerd` and may exit; when
//! traffic arrives the broker activates the app's background task, which takes the sockets back
//! (docs/broker.md). WinRT names: `BackgroundTaskBuilder` + `SocketActivityTrigger` register a
//! task; `EnableTransferOwnership`/`TransferOwnership` on `StreamSocket`,
//! `StreamSocketListener` and `DatagramSocket` hand sockets over; `SocketActivityInformation`
//! lists and reclaims them; `BackgroundTaskInstance::current` is the activated task's instance.
//!
//! Every call here talks to the broker synchronously over a Unix socket, starting the daemon
//! when none runs (`NETRT_BROKERD`, next to the executable, or in PATH) — except
//! [`BrokerStatus::query`] (a netrt extension), which reports on the daemon that runs.

mod activity;
mod control_channel;
mod enums;
mod local;
mod session;
mod status;
mod task;
pub(crate) mod transfer;

pub use activity::{
    ReclaimedSocket, SocketActivityContext, SocketActivityInformation, SocketActivityTriggerDetails,
};
pub use control_channel::{ControlChannelTransport, ControlChannelTrigger};
pub use enums::{
    BackgroundTaskCancellationReason, ControlChannelTriggerResetReason, ControlChannelTriggerResourceType,
    ControlChannelTriggerStatus, SocketActivityConnectedStandbyAction, SocketActivityKind,
    SocketActivityTriggerReason,
};
pub use local::{
    BackgroundTaskCompletedEventArgs, BackgroundTaskProgressEventArgs, LocalTriggerKind, TaskEntryPoint,
    register_task_entry_point, unregister_task_entry_point,
};
pub use session::{BROKERD_ENV, set_daemon_command};
pub use status::{BrokerStatus, BrokerTaskStatus};
pub use task::{
    ActivationSubscription, BackgroundTaskBuilder, BackgroundTaskDeferral, BackgroundTaskInstance,
    BackgroundTaskRegistration, BackgroundTrigger, BackgroundTriggerDetails,
    ControlChannelTriggerEventDetails, SocketActivityTrigger,
};

pub(crate) use session::{client_error, connect, request};
