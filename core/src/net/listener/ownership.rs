//! StreamSocketListener's socket-broker members: EnableTransferOwnership, TransferOwnership,
//! and the listener a reclaim rebuilds.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use netrt_broker_protocol::protocol::SocketKind;
use socket2::Socket;

use super::{OWNER, State, StreamSocketListener};
use crate::broker::SocketActivityConnectedStandbyAction;
use crate::broker::transfer::{self, TransferArgs, transfer_ownership_members};
use crate::error::{Error, Result, hresult};
use crate::foundation::Guid;
use crate::net::enums::SocketProtectionLevel;

impl StreamSocketListener {
    transfer_ownership_members!("StreamSocketListener", "before binding");

    fn check_enable_transfer(&self) -> Result<()> {
        match *self.inner.state.lock().unwrap_or_else(|e| e.into_inner()) {
            State::Created => Ok(()),
            State::Closed { .. } => Err(Error::closed(OWNER)),
            State::Bound { .. } | State::Reclaimed { .. } => {
                Err(Error::illegal_method_call("EnableTransferOwnership must be called before binding"))
            }
        }
    }

    fn transfer(&self, args: &TransferArgs<'_>) -> Result<()> {
        args.check(OWNER)?;
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
            // After the state checks: a closed socket fails with RO_E_CLOSED, as every call does.
            let task = self.inner.ownership.task(OWNER)?;
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
