//! Handing a socket to the broker: what EnableTransferOwnership records on a socket, and the
//! TransferOwnership request every socket kind sends.

use std::os::fd::BorrowedFd;
use std::sync::Mutex;

use netrt_broker_protocol::protocol::{MAX_CONTEXT, Message, SocketKind, SocketRecord, Transfer};

use super::activity::SocketActivityContext;
use super::enums::SocketActivityConnectedStandbyAction;
use crate::error::{Error, Result, hresult};
use crate::foundation::{Guid, TimeSpan};

/// The task a socket may be transferred for (EnableTransferOwnership, or the task it was
/// reclaimed from). Boxed: most sockets never name one, and every socket carries this.
#[derive(Debug, Default)]
pub(crate) struct Ownership {
    task: Mutex<Option<Box<(Guid, SocketActivityConnectedStandbyAction)>>>,
}

impl Ownership {
    pub(crate) fn enable(&self, task_id: Guid, action: SocketActivityConnectedStandbyAction) {
        *self.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new((task_id, action)));
    }

    /// The task, or `E_ILLEGAL_METHOD_CALL` when EnableTransferOwnership was never called.
    pub(crate) fn task(&self, class: &str) -> Result<(Guid, SocketActivityConnectedStandbyAction)> {
        self.task.lock().unwrap_or_else(|e| e.into_inner()).as_deref().copied().ok_or_else(|| {
            Error::illegal_method_call(format!(
                "{class}.TransferOwnership: call EnableTransferOwnership(taskId) before connecting or binding"
            ))
        })
    }
}

/// What a TransferOwnership call asks for (the arguments every overload shares).
pub(crate) struct TransferArgs<'a> {
    pub socket_id: &'a str,
    pub context: Option<&'a SocketActivityContext>,
    pub keep_alive: Option<TimeSpan>,
}

impl TransferArgs<'_> {
    /// Argument errors, before any state changes.
    pub(crate) fn check(&self, class: &str) -> Result<()> {
        if self.socket_id.is_empty() {
            return Err(Error::invalid_arg(format!("{class}.TransferOwnership: the socket id is empty")));
        }
        if self.context.is_some_and(|c| c.data().len() > MAX_CONTEXT) {
            return Err(Error::invalid_arg(format!(
                "{class}.TransferOwnership: the context is larger than {MAX_CONTEXT} bytes"
            )));
        }
        if self.keep_alive.is_some_and(|k| k.duration < 0) {
            return Err(Error::invalid_arg(format!("{class}.TransferOwnership: keepAliveTime is negative")));
        }
        Ok(())
    }
}

/// Sends `fd` to the broker; the caller closes its own copy only when this succeeds.
pub(crate) fn hand_over(
    class: &str,
    kind: SocketKind,
    task: (Guid, SocketActivityConnectedStandbyAction),
    args: &TransferArgs<'_>,
    fd: BorrowedFd<'_>,
) -> Result<()> {
    let keep_alive_ms = args
        .keep_alive
        .and_then(|k| k.to_duration())
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(u64::from(!d.is_zero())))
        .unwrap_or(0);
    let transfer = Transfer {
        socket: SocketRecord {
            id: args.socket_id.to_owned(),
            task_id: task.0.to_bytes_le(),
            kind,
            context: args.context.map(|c| c.data().to_vec()).unwrap_or_default(),
        },
        keep_alive_ms,
        wake: task.1 == SocketActivityConnectedStandbyAction::Wake,
    };
    let what = format!("{class}.TransferOwnership");
    match super::request(&what, &Message::Transfer(transfer), &[fd])? {
        (Message::Ok, _) => Ok(()),
        (other, _) => Err(Error::new(hresult::E_UNEXPECTED, format!("{what}: unexpected answer {other:?}"))),
    }
}

/// The WinRT overloads `EnableTransferOwnership(taskId[, connectedStandbyAction])` and
/// `TransferOwnership(socketId[, data])` for a socket class whose `impl` has
/// `fn check_enable_transfer(&self) -> Result<()>` (the state check) and
/// `fn transfer(&self, &TransferArgs) -> Result<()>`, and whose inner state has `ownership`.
/// `$before` says when EnableTransferOwnership must be called.
macro_rules! transfer_ownership_members {
    ($class:literal, $before:literal) => {
        #[doc = concat!("`EnableTransferOwnership(taskId)`: lets the ", $class, " be handed to the socket broker")]
        #[doc = concat!("for the background task `task_id` later. Call it ", $before, ".")]
        ///
        /// # Errors
        /// `E_ILLEGAL_METHOD_CALL` when called too late; `RO_E_CLOSED` after close.
        pub fn enable_transfer_ownership(&self, task_id: $crate::foundation::Guid) -> $crate::Result<()> {
            self.enable_transfer_ownership_with_connected_standby_action(
                task_id,
                $crate::broker::SocketActivityConnectedStandbyAction::DoNotWake,
            )
        }

        /// `EnableTransferOwnership(taskId, connectedStandbyAction)` (the action is recorded;
        /// Linux has no connected standby).
        ///
        /// # Errors
        /// As `enable_transfer_ownership`.
        pub fn enable_transfer_ownership_with_connected_standby_action(
            &self,
            task_id: $crate::foundation::Guid,
            action: $crate::broker::SocketActivityConnectedStandbyAction,
        ) -> $crate::Result<()> {
            self.check_enable_transfer()?;
            self.inner.ownership.enable(task_id, action);
            Ok(())
        }

        #[doc = concat!("`TransferOwnership(socketId)`: hands the ", $class, " to the socket broker, which holds it")]
        /// without reading it and activates the background task when it needs the app. This
        /// object is closed afterwards (`RO_E_CLOSED`); the socket itself stays open in the
        /// broker until reclaimed (docs/broker.md).
        ///
        /// # Errors
        /// `E_INVALIDARG` for an empty id; `E_ILLEGAL_METHOD_CALL` without
        /// EnableTransferOwnership, when not connected or bound, or while I/O is pending;
        /// `E_NOTIMPL` under TLS; `E_ALREADY_EXISTS` when the broker holds another socket with
        /// this id; `E_NOT_FOUND` when the task is not registered; `E_SERVICE_NOT_ACTIVE`
        /// without a broker. On any error the socket is unchanged.
        pub fn transfer_ownership(&self, socket_id: &str) -> $crate::Result<()> {
            self.transfer(&$crate::broker::transfer::TransferArgs { socket_id, context: None, keep_alive: None })
        }

        /// `TransferOwnership(socketId, data)`: with context bytes (at most 16 KiB) that
        /// `SocketActivityInformation.Context` returns.
        ///
        /// # Errors
        /// As `transfer_ownership`; `E_INVALIDARG` for a larger context.
        pub fn transfer_ownership_with_context(
            &self,
            socket_id: &str,
            data: &$crate::broker::SocketActivityContext,
        ) -> $crate::Result<()> {
            self.transfer(&$crate::broker::transfer::TransferArgs { socket_id, context: Some(data), keep_alive: None })
        }
    };
    ($class:literal, $before:literal, keep_alive) => {
        $crate::broker::transfer::transfer_ownership_members!($class, $before);

        /// `TransferOwnership(socketId, data, keepAliveTime)`: also activates the task with
        /// `KeepAliveTimerExpired` when `keep_alive_time` passes with no activity.
        ///
        /// # Errors
        /// As `transfer_ownership_with_context`; `E_INVALIDARG` for a negative time.
        pub fn transfer_ownership_with_context_and_keep_alive_time(
            &self,
            socket_id: &str,
            data: &$crate::broker::SocketActivityContext,
            keep_alive_time: $crate::foundation::TimeSpan,
        ) -> $crate::Result<()> {
            self.transfer(&$crate::broker::transfer::TransferArgs {
                socket_id,
                context: Some(data),
                keep_alive: Some(keep_alive_time),
            })
        }
    };
}
pub(crate) use transfer_ownership_members;
