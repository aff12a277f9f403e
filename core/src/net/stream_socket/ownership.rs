//! StreamSocket's socket-broker members: EnableTransferOwnership, TransferOwnership, and the
//! socket a reclaim rebuilds.

use std::os::fd::OwnedFd;

use netrt_broker_protocol::protocol::SocketKind;

use super::requested::Requested;
use super::transport::{Connection, PlainIo};
use super::{Busy, State, StreamSocket};
use crate::broker::SocketActivityConnectedStandbyAction;
use crate::broker::transfer::{self, TransferArgs, transfer_ownership_members};
use crate::error::{Error, Result, hresult};
use crate::foundation::Guid;
use crate::net::control::StreamSettings;
use crate::net::hostname::HostName;

const CLASS: &str = "StreamSocket";

impl StreamSocket {
    transfer_ownership_members!("StreamSocket", "before ConnectAsync", keep_alive);

    fn check_enable_transfer(&self) -> Result<()> {
        match *self.inner.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Created => Ok(()),
            State::Closed(_) => Err(Error::closed(CLASS)),
            State::Connecting | State::Connected(_) => {
                Err(Error::illegal_method_call("EnableTransferOwnership must be called before ConnectAsync"))
            }
        }
    }

    fn transfer(&self, args: &TransferArgs<'_>) -> Result<()> {
        args.check(CLASS)?;
        // Both directions held for the hand-over: no read or write can start meanwhile.
        let _reading = Busy::acquire(&self.inner.read_busy, &self.inner.abort, "read")?;
        let _writing = Busy::acquire(&self.inner.write_busy, &self.inner.abort, "write")?;
        if self.inner.unread.any() {
            return Err(Error::illegal_method_call(
                "TransferOwnership: bytes a cancelled read gave back are still unread; read them first",
            ));
        }
        let conn = self.inner.connection("TransferOwnership")?;
        if conn.tls_io().is_some() {
            return Err(Error::new(
                hresult::E_NOTIMPL,
                "TransferOwnership: a TLS socket cannot be handed to the socket broker (its TLS session cannot move between processes)",
            ));
        }
        // After the state checks: a closed socket fails with RO_E_CLOSED, as every call does.
        let task = self.inner.ownership.task(CLASS)?;
        transfer::hand_over(CLASS, SocketKind::StreamSocket, task, args, conn.fd())?;
        // Closed for the app without a shutdown: the connection lives on in the broker.
        drop(self.inner.end(false));
        Ok(())
    }

    /// A socket for a connection reclaimed from the broker: made non-blocking before netrt's
    /// runtime adopts it; it may be transferred again for the same task.
    pub(crate) fn from_reclaimed(fd: OwnedFd, task_id: Guid) -> Result<Self> {
        let tcp = std::net::TcpStream::from(fd);
        tcp.set_nonblocking(true).map_err(|e| Error::from_io(&e, "reclaimed socket"))?;
        let remote = tcp.peer_addr().map_err(|e| Error::from_io(&e, "reclaimed socket"))?;
        let conn = Connection::plain(PlainIo::from_std(tcp), remote);
        let requested = Requested::new(
            HostName::from_ip(conn.remote.ip()),
            &conn.remote.port().to_string(),
            Default::default(),
        );
        let socket = Self::with_state(StreamSettings::default(), State::Connected(conn), requested);
        socket.inner.settings.freeze();
        socket.inner.ownership.enable(task_id, SocketActivityConnectedStandbyAction::DoNotWake);
        Ok(socket)
    }
}
