//! Handing a socket to the broker: what EnableTransferOwnership records on a socket, and the
//! TransferOwnership request every socket kind sends.

use std::os::fd::BorrowedFd;
use std::sync::Mutex;

use netrt_broker::protocol::{MAX_CONTEXT, Message, SocketKind, SocketRecord, Transfer};

use super::activity::SocketActivityContext;
use super::enums::SocketActivityConnectedStandbyAction;
use crate::error::{Error, Result, hresult};
use crate::foundation::{Guid, TimeSpan};

/// The task a socket may be transferred for (EnableTransferOwnership, or the task it was
/// reclaimed from).
#[derive(Debug, Default)]
pub(crate) struct Ownership {
    task: Mutex<Option<(Guid, SocketActivityConnectedStandbyAction)>>,
}

impl Ownership {
    pub(crate) fn enable(&self, task_id: Guid, action: SocketActivityConnectedStandbyAction) {
        *self.task.lock().unwrap_or_else(|e| e.into_inner()) = Some((task_id, action));
    }

    /// The task, or `E_ILLEGAL_METHOD_CALL` when EnableTransferOwnership was never called.
    pub(crate) fn task(&self, class: &str) -> Result<(Guid, SocketActivityConnectedStandbyAction)> {
        self.task.lock().unwrap_or_else(|e| e.into_inner()).ok_or_else(|| {
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
