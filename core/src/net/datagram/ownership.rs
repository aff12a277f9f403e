//! DatagramSocket's socket-broker members: EnableTransferOwnership, TransferOwnership, and the
//! socket a reclaim rebuilds.

use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

use netrt_broker::protocol::SocketKind;
use tokio::net::UdpSocket;

use super::{DatagramSocket, OWNER, State, receive_loop};
use crate::broker::transfer::{self, TransferArgs};
use crate::broker::{SocketActivityConnectedStandbyAction, SocketActivityContext};
use crate::error::{Error, Result};
use crate::foundation::{Guid, TimeSpan};

impl DatagramSocket {
    /// `EnableTransferOwnership(taskId)`: lets the socket be handed to the socket broker for
    /// the background task `task_id` later. Call it before binding or connecting.
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
    /// As [`DatagramSocket::enable_transfer_ownership`].
    pub fn enable_transfer_ownership_with_connected_standby_action(
        &self,
        task_id: Guid,
        action: SocketActivityConnectedStandbyAction,
    ) -> Result<()> {
        match *self.inner.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Created => {}
            State::Closed { .. } => return Err(Error::closed(OWNER)),
            State::Bound { .. } => {
                return Err(Error::illegal_method_call(
                    "EnableTransferOwnership must be called before binding or connecting",
                ));
            }
        }
        self.inner.ownership.enable(task_id, action);
        Ok(())
    }

    /// `TransferOwnership(socketId)`: hands the bound socket to the socket broker, which
    /// activates the task with `SocketActivity` when a datagram arrives. This object is closed
    /// afterwards (`RO_E_CLOSED`); a datagram being delivered at that moment may still reach its
    /// handlers.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty id; `E_ILLEGAL_METHOD_CALL` without EnableTransferOwnership
    /// or when not bound; `E_ALREADY_EXISTS`, `E_NOT_FOUND`, `E_SERVICE_NOT_ACTIVE` from the
    /// broker. On any error the socket is unchanged.
    pub fn transfer_ownership(&self, socket_id: &str) -> Result<()> {
        self.transfer(&TransferArgs { socket_id, context: None, keep_alive: None })
    }

    /// `TransferOwnership(socketId, data)`: with context bytes (at most 16 KiB).
    ///
    /// # Errors
    /// As [`DatagramSocket::transfer_ownership`]; `E_INVALIDARG` for a larger context.
    pub fn transfer_ownership_with_context(
        &self,
        socket_id: &str,
        data: &SocketActivityContext,
    ) -> Result<()> {
        self.transfer(&TransferArgs { socket_id, context: Some(data), keep_alive: None })
    }

    /// `TransferOwnership(socketId, data, keepAliveTime)`: also activates the task with
    /// `KeepAliveTimerExpired` when `keep_alive_time` passes with no datagram.
    ///
    /// # Errors
    /// As [`DatagramSocket::transfer_ownership_with_context`]; `E_INVALIDARG` for a negative
    /// time.
    pub fn transfer_ownership_with_context_and_keep_alive_time(
        &self,
        socket_id: &str,
        data: &SocketActivityContext,
        keep_alive_time: TimeSpan,
    ) -> Result<()> {
        self.transfer(&TransferArgs { socket_id, context: Some(data), keep_alive: Some(keep_alive_time) })
    }

    fn transfer(&self, args: &TransferArgs<'_>) -> Result<()> {
        args.check(OWNER)?;
        let task = self.inner.ownership.task(OWNER)?;
        let udp = match &*self.inner.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Bound { udp, .. } => udp.clone(),
            State::Created => {
                return Err(Error::illegal_method_call("TransferOwnership: the socket is not bound"));
            }
            State::Closed { .. } => return Err(Error::closed(OWNER)),
        };
        transfer::hand_over(OWNER, SocketKind::DatagramSocket, task, args, udp.as_fd())?;
        self.inner.close();
        Ok(())
    }

    /// A socket for a datagram socket reclaimed from the broker (non-blocking before netrt's
    /// runtime adopts it; connected if it was); it receives once a MessageReceived handler is
    /// attached.
    pub(crate) fn from_reclaimed(fd: OwnedFd, task_id: Guid) -> Result<Self> {
        let std_sock = std::net::UdpSocket::from(fd);
        std_sock.set_nonblocking(true).map_err(|e| Error::from_io(&e, "reclaimed datagram socket"))?;
        let remote = std_sock.peer_addr().ok();
        let udp = Arc::new(
            crate::runtime::within(|| UdpSocket::from_std(std_sock))
                .map_err(|e| Error::from_io(&e, "register the reclaimed UDP socket"))?,
        );
        let socket = Self::new();
        socket.inner.settings.freeze();
        socket.inner.ownership.enable(task_id, SocketActivityConnectedStandbyAction::DoNotWake);
        *socket.inner.state.write().unwrap_or_else(|e| e.into_inner()) =
            State::Bound { udp: udp.clone(), remote };
        *socket.inner.receive_on_first_handler.lock().unwrap_or_else(|e| e.into_inner()) = Some(udp);
        Ok(socket)
    }

    /// Starts the receive loop of a reclaimed socket (its first handler was just attached).
    pub(super) fn start_receiving_if_reclaimed(&self) {
        let pending = self.inner.receive_on_first_handler.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(udp) = pending {
            crate::runtime::handle().spawn(receive_loop(
                Arc::downgrade(&self.inner),
                udp,
                self.inner.stop.clone(),
            ));
        }
    }
}
