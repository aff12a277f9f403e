//! StreamSocket's socket-broker members: EnableTransferOwnership, TransferOwnership, and the
//! socket a reclaim rebuilds.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use netrt_broker::protocol::SocketKind;

use super::transport::{Connection, PlainIo};
use super::{Busy, Requested, State, StreamSocket, information};
use crate::broker::transfer::{self, TransferArgs};
use crate::broker::{SocketActivityConnectedStandbyAction, SocketActivityContext};
use crate::error::{Error, Result, hresult};
use crate::foundation::{Guid, TimeSpan};
use crate::net::control::StreamSocketControl;
use crate::net::hostname::HostName;

const CLASS: &str = "StreamSocket";

impl StreamSocket {
    /// `EnableTransferOwnership(taskId)`: lets the socket be handed to the socket broker for
    /// the background task `task_id` later. Call it before ConnectAsync.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` once the socket is connecting or connected; `RO_E_CLOSED` after
    /// close.
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
    /// As [`StreamSocket::enable_transfer_ownership`].
    pub fn enable_transfer_ownership_with_connected_standby_action(
        &self,
        task_id: Guid,
        action: SocketActivityConnectedStandbyAction,
    ) -> Result<()> {
        match *self.inner.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Created => {}
            State::Closed => return Err(Error::closed(CLASS)),
            State::Connecting | State::Connected(_) => {
                return Err(Error::illegal_method_call(
                    "EnableTransferOwnership must be called before ConnectAsync",
                ));
            }
        }
        self.inner.ownership.enable(task_id, action);
        Ok(())
    }

    /// `TransferOwnership(socketId)`: hands the connected socket to the socket broker, which
    /// holds it (without reading) and activates the task when data arrives or the peer closes.
    /// This object is closed afterwards (`RO_E_CLOSED`); the connection stays open in the
    /// broker.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty id; `E_ILLEGAL_METHOD_CALL` without EnableTransferOwnership,
    /// when not connected, while a read or write is pending, or when bytes a cancelled read
    /// gave back are still unread; `E_NOTIMPL` for a TLS socket (its session cannot be handed
    /// over); `E_ALREADY_EXISTS` when the broker holds another socket with this id;
    /// `E_NOT_FOUND` when the task is not registered; `E_SERVICE_NOT_ACTIVE` without a broker.
    /// On any error the socket is unchanged.
    pub fn transfer_ownership(&self, socket_id: &str) -> Result<()> {
        self.transfer(&TransferArgs { socket_id, context: None, keep_alive: None })
    }

    /// `TransferOwnership(socketId, data)`: as [`StreamSocket::transfer_ownership`], with
    /// context bytes (at most 16 KiB) returned by `SocketActivityInformation.Context`.
    ///
    /// # Errors
    /// As [`StreamSocket::transfer_ownership`]; `E_INVALIDARG` for a larger context.
    pub fn transfer_ownership_with_context(
        &self,
        socket_id: &str,
        data: &SocketActivityContext,
    ) -> Result<()> {
        self.transfer(&TransferArgs { socket_id, context: Some(data), keep_alive: None })
    }

    /// `TransferOwnership(socketId, data, keepAliveTime)`: as
    /// [`StreamSocket::transfer_ownership_with_context`]; when `keep_alive_time` passes with
    /// no activity the task is activated with `KeepAliveTimerExpired`.
    ///
    /// # Errors
    /// As [`StreamSocket::transfer_ownership_with_context`]; `E_INVALIDARG` for a negative
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
        args.check(CLASS)?;
        let task = self.inner.ownership.task(CLASS)?;
        // Both directions held for the hand-over: no read or write can start meanwhile.
        let _reading = Busy::acquire(&self.inner.read_busy, &self.inner.idle, "read")?;
        let _writing = Busy::acquire(&self.inner.write_busy, &self.inner.idle, "write")?;
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
        transfer::hand_over(CLASS, SocketKind::StreamSocket, task, args, conn.fd())?;
        self.inner.handed_over();
        Ok(())
    }

    /// A socket for a connection reclaimed from the broker: made non-blocking before netrt's
    /// runtime adopts it; it may be transferred again for the same task.
    pub(crate) fn from_reclaimed(fd: OwnedFd, task_id: Guid) -> Result<Self> {
        let tcp = std::net::TcpStream::from(fd);
        tcp.set_nonblocking(true).map_err(|e| Error::from_io(&e, "reclaimed socket"))?;
        let conn =
            Connection::plain(PlainIo::from_std(tcp)).map_err(|e| Error::from_io(&e, "reclaimed socket"))?;
        let control = StreamSocketControl::new();
        control.shared.freeze();
        let requested = Requested {
            remote_host_name: Some(HostName::from_ip(conn.remote.ip())),
            remote_service_name: conn.remote.port().to_string(),
            protection_level: Default::default(),
        };
        let socket = Self::with_state(control, State::Connected(Arc::new(conn)), requested);
        socket.inner.ownership.enable(task_id, SocketActivityConnectedStandbyAction::DoNotWake);
        Ok(socket)
    }
}

impl super::Inner {
    /// After a transfer: closed for the app, without shutting the connection down (the broker
    /// holds it now).
    fn handed_over(&self) {
        let previous = {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            if let State::Connected(conn) = &*state {
                *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(Box::new(information::LastKnown::of(conn)));
            }
            std::mem::replace(&mut *state, State::Closed)
        };
        self.control.shared.close();
        self.abort.abort_all();
        drop(previous);
    }
}
