//! StreamSocketListener's socket-broker members: EnableTransferOwnership, TransferOwnership,
//! and the listener a reclaim rebuilds.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use netrt_broker::protocol::SocketKind;
use socket2::Socket;

use super::{OWNER, State, StreamSocketListener};
use crate::broker::transfer::{self, TransferArgs};
use crate::broker::{SocketActivityConnectedStandbyAction, SocketActivityContext};
use crate::error::{Error, Result, hresult};
use crate::foundation::Guid;
use crate::net::enums::SocketProtectionLevel;

impl StreamSocketListener {
    /// `EnableTransferOwnership(taskId)`: lets the listener be handed to the socket broker for
    /// the background task `task_id` later. Call it before binding.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` once bound; `RO_E_CLOSED` after close.
    pub fn enable_transfer_ownership(&self, task_id: Guid) -> Result<()> {
        self.enable_transfer_ownership_with_connected_standby_action(
            task_id,
            SocketActivityConnectedStandbyAction::DoNotWake,
        )
    }

    /// `EnableTransferOwnership(taskId, connectedStandbyAction)` (the action is recorded;
    /// Linux has no connected standby).
    ///
    /// # Errors
    /// As [`StreamSocketListener::enable_transfer_ownership`].
    pub fn enable_transfer_ownership_with_connected_standby_action(
        &self,
        task_id: Guid,
        action: SocketActivityConnectedStandbyAction,
    ) -> Result<()> {
        match *self.inner.state.lock().unwrap_or_else(|e| e.into_inner()) {
            State::Created => {}
            State::Closed { .. } => return Err(Error::closed(OWNER)),
            State::Bound { .. } | State::Reclaimed { .. } => {
                return Err(Error::illegal_method_call(
                    "EnableTransferOwnership must be called before binding",
                ));
            }
        }
        self.inner.ownership.enable(task_id, action);
        Ok(())
    }

    /// `TransferOwnership(socketId)`: hands the listening socket to the socket broker, which
    /// activates the task with `ConnectionAccepted` when a connection waits. This object is
    /// closed afterwards (`RO_E_CLOSED`); connections queued before the call may still reach
    /// its handlers.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty id; `E_ILLEGAL_METHOD_CALL` without EnableTransferOwnership
    /// or when not bound; `E_NOTIMPL` for a TLS listener; `E_ALREADY_EXISTS`, `E_NOT_FOUND`,
    /// `E_SERVICE_NOT_ACTIVE` from the broker. On any error the listener is unchanged.
    pub fn transfer_ownership(&self, socket_id: &str) -> Result<()> {
        self.transfer(&TransferArgs { socket_id, context: None, keep_alive: None })
    }

    /// `TransferOwnership(socketId, data)`: with context bytes (at most 16 KiB).
    ///
    /// # Errors
    /// As [`StreamSocketListener::transfer_ownership`]; `E_INVALIDARG` for a larger context.
    pub fn transfer_ownership_with_context(
        &self,
        socket_id: &str,
        data: &SocketActivityContext,
    ) -> Result<()> {
        self.transfer(&TransferArgs { socket_id, context: Some(data), keep_alive: None })
    }

    fn transfer(&self, args: &TransferArgs<'_>) -> Result<()> {
        args.check(OWNER)?;
        let task = self.inner.ownership.task(OWNER)?;
        {
            let state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            let fd = match &*state {
                State::Bound { tls: true, .. } => {
                    return Err(Error::new(
                        hresult::E_NOTIMPL,
                        "TransferOwnership: a TLS listener cannot be handed to the socket broker",
                    ));
                }
                // SAFETY: the accept loop owns this fd until `stop`, which only close cancels,
                // and close needs the state lock held here.
                State::Bound { fd, .. } => unsafe { BorrowedFd::borrow_raw(*fd) },
                State::Reclaimed { socket, .. } => socket.as_fd(),
                State::Created => {
                    return Err(Error::illegal_method_call("TransferOwnership: the listener is not bound"));
                }
                State::Closed { .. } => return Err(Error::closed(OWNER)),
            };
            transfer::hand_over(OWNER, SocketKind::StreamSocketListener, task, args, fd)?;
        }
        self.inner.close();
        Ok(())
    }

    /// A listener for a listening socket reclaimed from the broker: it accepts once a
    /// ConnectionReceived handler is attached.
    pub(crate) fn from_reclaimed(fd: OwnedFd, task_id: Guid) -> Result<Self> {
        let socket = Socket::from(fd);
        socket.set_nonblocking(true).map_err(|e| Error::from_io(&e, "reclaimed listener"))?;
        let local = socket.local_addr().ok().and_then(|a| a.as_socket()).ok_or_else(|| {
            Error::new(
                hresult::E_FAIL,
                format!("reclaimed listener (fd {}) has no local address", socket.as_raw_fd()),
            )
        })?;
        let listener = Self::new();
        listener.inner.control.shared.freeze();
        listener.inner.ownership.enable(task_id, SocketActivityConnectedStandbyAction::DoNotWake);
        *listener.inner.state.lock().unwrap_or_else(|e| e.into_inner()) = State::Reclaimed { socket, local };
        Ok(listener)
    }

    /// Starts accepting on a reclaimed listener (the first handler was just attached).
    pub(super) fn start_if_reclaimed(&self) -> Result<()> {
        let socket = {
            let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            if !matches!(*state, State::Reclaimed { .. }) {
                return Ok(());
            }
            match std::mem::replace(&mut *state, State::Created) {
                State::Reclaimed { socket, .. } => socket,
                _ => unreachable!("checked above"),
            }
        };
        self.start(socket, SocketProtectionLevel::PlainSocket, None)
    }
}
