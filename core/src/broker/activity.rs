//! What the broker holds, as the app sees it: `SocketActivityContext`,
//! `SocketActivityInformation` (whose socket properties take the socket back) and
//! `SocketActivityTriggerDetails`.

use std::collections::BTreeMap;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};

use netrt_broker_protocol::protocol::{Message, SocketKind, SocketRecord};

use super::enums::{SocketActivityKind, SocketActivityTriggerReason};
use super::session;
use crate::error::{Error, Result, hresult};
use crate::foundation::Guid;
use crate::net::{DatagramSocket, StreamSocket, StreamSocketListener};

/// `SocketActivityContext`: bytes the app gives TransferOwnership and gets back with the socket
/// (at most 16 KiB).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SocketActivityContext {
    data: Vec<u8>,
}

impl SocketActivityContext {
    /// `SocketActivityContext(IBuffer)`.
    pub fn new(data: &[u8]) -> Self {
        Self { data: data.to_vec() }
    }

    /// `Data`.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

/// A socket taken back from the broker.
#[derive(Debug, Clone)]
pub enum ReclaimedSocket {
    /// A connected TCP socket.
    Stream(StreamSocket),
    /// A TCP listener.
    Listener(StreamSocketListener),
    /// A UDP socket.
    Datagram(DatagramSocket),
}

impl ReclaimedSocket {
    fn adopt(record: &SocketRecord, fd: OwnedFd) -> Result<Self> {
        permitted(record.kind, &fd)?;
        let task = Guid::from_bytes_le(record.task_id);
        Ok(match record.kind {
            SocketKind::StreamSocket => Self::Stream(StreamSocket::from_reclaimed(fd, task)?),
            SocketKind::StreamSocketListener => {
                Self::Listener(StreamSocketListener::from_reclaimed(fd, task)?)
            }
            SocketKind::DatagramSocket => Self::Datagram(DatagramSocket::from_reclaimed(fd, task)?),
        })
    }
}

/// The app manifest's check on a socket coming back (docs/capabilities.md): a stream socket's
/// peer must be one the app may talk to (as a client or as a server: the record does not say
/// which side connected), a listener's or datagram socket's local address one it may bind.
/// A refused socket is closed; the broker no longer holds it either.
fn permitted(kind: SocketKind, fd: &OwnedFd) -> Result<()> {
    use crate::capability::{NetworkDirection, check};
    let sock = socket2::SockRef::from(fd);
    let address = |a: std::io::Result<socket2::SockAddr>| {
        a.ok()
            .and_then(|a| a.as_socket())
            .ok_or_else(|| Error::new(hresult::E_INVALIDARG, "the reclaimed socket has no IP address"))
    };
    match kind {
        SocketKind::StreamSocket => {
            let peer = address(sock.peer_addr())?;
            check(NetworkDirection::Outbound, &peer)
                .or_else(|e| check(NetworkDirection::Inbound, &peer).map_err(|_| e))
        }
        SocketKind::StreamSocketListener | SocketKind::DatagramSocket => {
            check(NetworkDirection::Listen, &address(sock.local_addr())?)
        }
    }
}

/// `SocketActivityInformation`: one socket the broker holds. Reading the property that
/// matches `SocketKind` takes the socket back from the broker (once; later reads return the
/// same object); the other two fail with `E_ILLEGAL_METHOD_CALL`.
#[derive(Debug, Clone)]
pub struct SocketActivityInformation {
    record: Arc<SocketRecord>,
    reclaimed: Arc<Mutex<Option<ReclaimedSocket>>>,
}

impl SocketActivityInformation {
    pub(crate) fn from_record(record: SocketRecord) -> Self {
        Self { record: Arc::new(record), reclaimed: Arc::default() }
    }

    /// `Id`: the socket id given to TransferOwnership.
    pub fn id(&self) -> String {
        self.record.id.clone()
    }

    /// `TaskId`.
    pub fn task_id(&self) -> Guid {
        Guid::from_bytes_le(self.record.task_id)
    }

    /// `SocketKind`.
    pub fn socket_kind(&self) -> SocketActivityKind {
        self.record.kind.into()
    }

    /// `Context`.
    pub fn context(&self) -> SocketActivityContext {
        SocketActivityContext::new(&self.record.context)
    }

    /// `StreamSocket`: takes the connected socket back (non-blocking, on netrt's runtime),
    /// with every byte that arrived while the broker held it still unread.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` when the socket is of another kind; `E_NOT_FOUND` (0x80070490)
    /// when the broker no longer holds it; `E_SERVICE_NOT_ACTIVE` when no broker runs.
    pub fn stream_socket(&self) -> Result<StreamSocket> {
        match self.reclaim(SocketKind::StreamSocket)? {
            ReclaimedSocket::Stream(s) => Ok(s),
            _ => Err(self.wrong_kind(SocketKind::StreamSocket)),
        }
    }

    /// `StreamSocketListener`: takes the listener back; it accepts once a ConnectionReceived
    /// handler is attached (the connection that woke the app waits for it).
    ///
    /// # Errors
    /// As [`SocketActivityInformation::stream_socket`].
    pub fn stream_socket_listener(&self) -> Result<StreamSocketListener> {
        match self.reclaim(SocketKind::StreamSocketListener)? {
            ReclaimedSocket::Listener(s) => Ok(s),
            _ => Err(self.wrong_kind(SocketKind::StreamSocketListener)),
        }
    }

    /// `DatagramSocket`: takes the datagram socket back; it receives once a MessageReceived
    /// handler is attached (the datagrams that woke the app wait for it).
    ///
    /// # Errors
    /// As [`SocketActivityInformation::stream_socket`].
    pub fn datagram_socket(&self) -> Result<DatagramSocket> {
        match self.reclaim(SocketKind::DatagramSocket)? {
            ReclaimedSocket::Datagram(s) => Ok(s),
            _ => Err(self.wrong_kind(SocketKind::DatagramSocket)),
        }
    }

    fn wrong_kind(&self, asked: SocketKind) -> Error {
        Error::new(
            hresult::E_ILLEGAL_METHOD_CALL,
            format!("socket \"{}\" is a {:?}, not a {asked:?}", self.record.id, self.record.kind),
        )
    }

    fn reclaim(&self, asked: SocketKind) -> Result<ReclaimedSocket> {
        if asked != self.record.kind {
            return Err(self.wrong_kind(asked));
        }
        let mut slot = self.reclaimed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(done) = slot.as_ref() {
            return Ok(done.clone());
        }
        let mut got = reclaim_records(std::slice::from_ref(&self.record.id))?;
        let socket = got.pop().map(|(_, s)| s).ok_or_else(|| {
            Error::new(
                hresult::E_UNEXPECTED,
                format!("the broker returned no socket for \"{}\"", self.record.id),
            )
        })?;
        *slot = Some(socket.clone());
        Ok(socket)
    }

    /// `AllSockets` (static): every socket the broker holds for this user, by id.
    ///
    /// # Errors
    /// `E_SERVICE_NOT_ACTIVE` when no broker runs and none can be started.
    pub fn all_sockets() -> Result<BTreeMap<String, SocketActivityInformation>> {
        match session::request("SocketActivityInformation.AllSockets", &Message::ListSockets, &[])? {
            (Message::Sockets(list), _) => Ok(list
                .into_iter()
                .map(|r| (r.id.clone(), SocketActivityInformation::from_record(r)))
                .collect()),
            (other, _) => Err(unexpected("AllSockets", &other)),
        }
    }

    /// netrt: takes many sockets back with one request (the broker answers in batches of at
    /// most 253 fds, Linux's SCM_MAX_FD), in the order given.
    ///
    /// # Errors
    /// As [`SocketActivityInformation::stream_socket`]; nothing is reclaimed when any id is
    /// not held.
    pub fn reclaim_all(
        infos: &[SocketActivityInformation],
    ) -> Result<Vec<(SocketActivityInformation, ReclaimedSocket)>> {
        let ids: Vec<String> = infos.iter().map(|i| i.record.id.clone()).collect();
        let got = reclaim_records(&ids)?;
        Ok(got
            .into_iter()
            .map(|(record, socket)| {
                let info = SocketActivityInformation::from_record(record);
                *info.reclaimed.lock().unwrap_or_else(|e| e.into_inner()) = Some(socket.clone());
                (info, socket)
            })
            .collect())
    }
}

fn unexpected(what: &str, got: &Message) -> Error {
    Error::new(hresult::E_UNEXPECTED, format!("{what}: unexpected answer from the socket broker: {got:?}"))
}

/// Reclaims `ids`, reading every batch the broker sends.
fn reclaim_records(ids: &[String]) -> Result<Vec<(SocketRecord, ReclaimedSocket)>> {
    const WHAT: &str = "reclaim from the socket broker";
    let mut client = session::connect(WHAT)?;
    client.send(&Message::Reclaim { ids: ids.to_vec() }, &[]).map_err(|e| session::client_error(e, WHAT))?;
    let mut out = Vec::with_capacity(ids.len());
    loop {
        match client.receive().map_err(|e| session::client_error(e, WHAT))? {
            (Message::Reclaimed { sockets, last }, fds) => {
                for (record, fd) in sockets.into_iter().zip(fds) {
                    let socket = ReclaimedSocket::adopt(&record, fd)?;
                    out.push((record, socket));
                }
                if last {
                    return Ok(out);
                }
            }
            (Message::Failed { hresult, message }, _) => {
                return Err(Error::new(hresult, format!("{WHAT}: {message}")));
            }
            (other, _) => return Err(unexpected(WHAT, &other)),
        }
    }
}

/// `SocketActivityTriggerDetails`: why the task runs, and which socket.
#[derive(Debug, Clone)]
pub struct SocketActivityTriggerDetails {
    reason: SocketActivityTriggerReason,
    information: SocketActivityInformation,
}

impl SocketActivityTriggerDetails {
    pub(crate) fn new(reason: SocketActivityTriggerReason, information: SocketActivityInformation) -> Self {
        Self { reason, information }
    }

    /// `Reason`.
    pub fn reason(&self) -> SocketActivityTriggerReason {
        self.reason
    }

    /// `SocketInformation`.
    pub fn socket_information(&self) -> SocketActivityInformation {
        self.information.clone()
    }
}
