//! A blocking client of the broker: one Unix connection, a Hello, then requests answered in
//! order. netrt's core builds its API on it; `netrt-brokerd status` uses it too.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use crate::protocol::{DecodeError, Inbox, Message, Role, VERSION, encode};
use crate::transport::{recv_some, send_all};

/// How long a request waits for the daemon's answer before the connection is given up.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// One session with the daemon.
pub struct Client {
    stream: UnixStream,
    inbox: Inbox,
}

/// Why a request got no answer.
#[derive(Debug)]
pub enum ClientError {
    /// The connection failed (or the daemon left).
    Io(io::Error),
    /// The daemon sent bytes that are not this protocol.
    Protocol(DecodeError),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::Protocol(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<io::Error> for ClientError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<DecodeError> for ClientError {
    fn from(e: DecodeError) -> Self {
        Self::Protocol(e)
    }
}

impl Client {
    /// Connects to the daemon at `path` and greets it.
    ///
    /// # Errors
    /// The connect error (`NotFound`/`ConnectionRefused` when no daemon runs, `PermissionDenied`
    /// for another user's socket), or the daemon's refusal.
    pub fn connect(path: &Path) -> Result<Self, ClientError> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
        let mut client = Self { stream, inbox: Inbox::new(Role::Client) };
        match client.request(&Message::Hello { version: VERSION }, &[])? {
            (Message::Welcome { .. }, _) => Ok(client),
            (Message::Failed { message, .. }, _) => {
                Err(ClientError::Io(io::Error::new(io::ErrorKind::ConnectionRefused, message)))
            }
            (other, _) => Err(ClientError::Io(io::Error::other(format!("unexpected greeting {other:?}")))),
        }
    }

    /// Sends one message (with `fds`) and returns the next message received.
    ///
    /// # Errors
    /// As [`Client::send`] and [`Client::receive`].
    pub fn request(
        &mut self,
        message: &Message,
        fds: &[BorrowedFd<'_>],
    ) -> Result<(Message, Vec<OwnedFd>), ClientError> {
        self.send(message, fds)?;
        self.receive()
    }

    /// Sends one message.
    ///
    /// # Errors
    /// The socket's error; `TooLong` for a message over the frame limit.
    pub fn send(&mut self, message: &Message, fds: &[BorrowedFd<'_>]) -> Result<(), ClientError> {
        send_all(self.stream.as_fd(), &encode(message)?, fds)?;
        Ok(())
    }

    /// Waits for the next message (and its fds).
    ///
    /// # Errors
    /// `UnexpectedEof` when the daemon closed the connection; a timeout after 30 s; a
    /// protocol error for bytes that do not decode.
    pub fn receive(&mut self) -> Result<(Message, Vec<OwnedFd>), ClientError> {
        let mut buf = [0u8; 16 * 1024];
        loop {
            if let Some(next) = self.inbox.next_message()? {
                return Ok(next);
            }
            let (n, fds) = recv_some(&self.stream, &mut buf)?;
            if n == 0 && fds.is_empty() {
                return Err(
                    io::Error::new(io::ErrorKind::UnexpectedEof, "the broker closed the connection").into()
                );
            }
            self.inbox.push(&buf[..n], fds)?;
        }
    }

    /// Waits for the next message with no time limit (a subscription's activations).
    ///
    /// # Errors
    /// As [`Client::receive`].
    pub fn receive_forever(&mut self) -> Result<(Message, Vec<OwnedFd>), ClientError> {
        self.stream.set_read_timeout(None)?;
        let got = self.receive();
        self.stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
        got
    }

    /// The connection and what was received on it and not yet decoded, for a caller that
    /// reads the rest of the session itself (asynchronously, say).
    pub fn into_parts(self) -> (UnixStream, Inbox) {
        (self.stream, self.inbox)
    }

    /// The connection's fd (to poll it for activations).
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.stream.as_fd()
    }
}
