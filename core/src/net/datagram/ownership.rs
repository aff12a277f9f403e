//! DatagramSocket's socket-broker members: EnableTransferOwnership, TransferOwnership, and the
//! socket a reclaim rebuilds.

use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

use netrt_broker_protocol::protocol::SocketKind;
use tokio::net::UdpSocket;

use super::{DatagramSocket, OWNER, State, receive_loop};
use crate::broker::SocketActivityConnectedStandbyAction;
use crate::broker::transfer::{self, TransferArgs, transfer_ownership_members};
use crate::error::{Error, Result};
use crate::foundation::Guid;

impl DatagramSocket {
    transfer_ownership_members!("DatagramSocket", "before binding or connecting", keep_alive);

    fn check_enable_transfer(&self) -> Result<()> {
        match *self.inner.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Created => Ok(()),
            State::Closed { .. } => Err(Error::closed(OWNER)),
            State::Bound { .. } => Err(Error::illegal_method_call(
                "EnableTransferOwnership must be called before binding or connecting",
            )),
        }
    }

    fn transfer(&self, args: &TransferArgs<'_>) -> Result<()> {
        args.check(OWNER)?;
        let udp = match &*self.inner.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Bound { udp, .. } => udp.clone(),
            State::Created => {
                return Err(Error::illegal_method_call("TransferOwnership: the socket is not bound"));
            }
            State::Closed { .. } => return Err(Error::closed(OWNER)),
        };
        // After the state checks: a closed socket fails with RO_E_CLOSED, as every call does.
        let task = self.inner.ownership.task(OWNER)?;
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
