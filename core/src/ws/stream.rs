//! `StreamWebSocket`: a WebSocket as a byte stream. Each write is sent as one binary
//! message; reads return the bytes of the messages received, in order.
//!
//! A background task reads the connection from connect on, so pings are answered and the
//! peer's close frame raises Closed even while the app is not reading. What it received waits
//! for the app's reads in a bounded queue; when that is full the task stops reading and TCP
//! flow control holds the server back.

use std::sync::{Arc, Weak};

use bytes::{Buf, Bytes};
use tokio::sync::mpsc;

use super::common::SocketCore;
use super::connection::{Connection, Ended};
use super::control::StreamWebSocketControl;
use super::frames::Incoming;
use crate::error::{Error, Result};
use crate::foundation::Uri;
use crate::io::stream::{BoxFuture, ByteSink, ByteSource, InputStream, OpTicket, OutputStream};

/// The largest piece one queue entry holds.
const QUEUED_PIECE: usize = 64 * 1024;
/// Entries the queue holds: with [`QUEUED_PIECE`], at most 512 KiB wait unread.
const QUEUE_ENTRIES: usize = 8;

/// Received bytes on their way to reads: the queue the background task fills, the entry
/// being read, and the failure that ended the connection (reported by every later read).
#[derive(Default)]
struct Input {
    queue: Option<mpsc::Receiver<Result<Bytes>>>,
    current: Bytes,
    failure: Option<Error>,
}

struct Inner {
    core: Arc<SocketCore<StreamWebSocket>>,
    input: tokio::sync::Mutex<Input>,
}

/// `StreamWebSocket`. Cloning gives another reference to the same socket.
#[derive(Clone)]
pub struct StreamWebSocket {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for StreamWebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamWebSocket").finish_non_exhaustive()
    }
}

impl Default for StreamWebSocket {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamWebSocket {
    web_socket_members!(StreamWebSocket, "StreamWebSocket");

    /// `StreamWebSocket()`.
    pub fn new() -> Self {
        let inner = Arc::new(Inner { core: Arc::new(SocketCore::new()), input: Default::default() });
        Self { inner }
    }

    /// The connection's socket once connected (for ControlChannelTrigger).
    pub(crate) fn underlying_socket(&self) -> Option<crate::net::StreamSocket> {
        self.inner.core.connection.get().map(|c| c.socket.clone())
    }

    /// Where a ControlChannelTrigger installs its push listener.
    pub(crate) fn push_hook(&self) -> &super::push::PushHook {
        &self.inner.core.push
    }

    /// `Control`.
    pub fn control(&self) -> StreamWebSocketControl {
        StreamWebSocketControl { core: self.inner.core.control.clone() }
    }

    /// `ConnectAsync(Uri)`.
    ///
    /// # Errors
    /// As `MessageWebSocket::connect`.
    pub async fn connect(&self, uri: &Uri) -> Result<()> {
        let conn = self.inner.core.connect(self.clone(), uri).await?;
        self.inner.core.start_heartbeat(&conn);
        let (queue, reads) = mpsc::channel(QUEUE_ENTRIES);
        self.inner.input.lock().await.queue = Some(reads);
        // Weak: the task must not keep the socket alive (dropping the last reference closes it).
        let (weak, core) = (Arc::downgrade(&self.inner), self.inner.core.clone());
        crate::runtime::handle().spawn(receive_task(weak, core, conn, queue));
        Ok(())
    }

    /// `InputStream`: the received messages' bytes; a read returns 0 once the peer's close
    /// frame arrived and everything before it was read.
    pub fn input_stream(&self) -> InputStream {
        InputStream::new(Arc::new(StreamEnd(self.inner.clone())))
    }

    /// `OutputStream`: each write is sent as one binary message.
    pub fn output_stream(&self) -> OutputStream {
        OutputStream::new(Arc::new(StreamEnd(self.inner.clone())))
    }
}

/// Reads the connection until it ends: data into the queue, pings answered, the close frame
/// raising Closed (after which reads return 0), a failure queued for the reads after the data.
async fn receive_task(
    weak: Weak<Inner>,
    core: Arc<SocketCore<StreamWebSocket>>,
    conn: Arc<Connection>,
    queue: mpsc::Sender<Result<Bytes>>,
) {
    let Some(mut reader) = conn.take_reader() else { return };
    loop {
        let data = match reader.next().await {
            Ok(Incoming::Piece { data, .. }) => data,
            Ok(Incoming::Ping(payload)) => {
                // A failed answer shows up as a failed read next.
                let _ = conn.send_pong(&payload).await;
                continue;
            }
            Ok(Incoming::Pong) => continue,
            other => {
                match conn.ended(other).await {
                    Ended::Closed(code, reason) => {
                        if let Some(inner) = weak.upgrade() {
                            core.raise_closed(StreamWebSocket { inner }, code, reason);
                        }
                        drop(queue);
                        core.receive_finished();
                        Connection::await_hang_up(&mut reader).await;
                    }
                    Ended::Failed(e) => {
                        conn.socket.close();
                        core.receive_finished();
                        enqueue(&core, &queue, Err(e)).await;
                    }
                }
                break;
            }
        };
        if !data.is_empty() {
            // Unclaimed data (no app read pending) is a ControlChannelTrigger's push.
            core.push.stream_data_arrived();
        }
        let mut data = data;
        while !data.is_empty() {
            let piece = data.split_to(data.len().min(QUEUED_PIECE));
            enqueue(&core, &queue, Ok(piece)).await;
        }
    }
    conn.socket.close();
}

/// Waits for room in the queue; after Close nobody reads any more, so the entry is dropped.
async fn enqueue(
    core: &SocketCore<StreamWebSocket>,
    queue: &mpsc::Sender<Result<Bytes>>,
    entry: Result<Bytes>,
) {
    tokio::select! {
        room = queue.reserve() => {
            if let Ok(room) = room {
                room.send(entry);
            }
        }
        () = core.closing_token.cancelled() => {}
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last reference gone closes the socket, as in WinRT.
        let _ = self.core.close(None);
    }
}

struct StreamEnd(Arc<Inner>);

impl StreamEnd {
    async fn read(&self, buf: &mut [u8]) -> Result<usize> {
        if self.0.core.is_closed() {
            return Err(Error::closed("WebSocket"));
        }
        // Pending from here: data arriving meanwhile is this read's, not a push.
        let _pending = self.0.core.push.read_started();
        let mut input = self.0.input.lock().await;
        loop {
            if !input.current.is_empty() {
                let n = buf.len().min(input.current.len());
                buf[..n].copy_from_slice(&input.current[..n]);
                input.current.advance(n);
                return Ok(n);
            }
            if let Some(e) = &input.failure {
                return Err(e.clone());
            }
            let Some(queue) = input.queue.as_mut() else {
                self.0.core.connected("a read")?;
                return Err(Error::illegal_method_call("a read needs a connected WebSocket"));
            };
            match queue.recv().await {
                Some(Ok(data)) => input.current = data,
                Some(Err(e)) => input.failure = Some(e),
                // The peer's close frame arrived and everything before it has been read.
                None => return Ok(0),
            }
        }
    }
}

impl ByteSource for StreamEnd {
    fn read_some<'a>(&'a self, buf: &'a mut [u8], _ticket: OpTicket) -> BoxFuture<'a, Result<usize>> {
        Box::pin(self.read(buf))
    }

    fn close(&self) {
        let _ = self.0.core.close(None);
    }
}

impl ByteSink for StreamEnd {
    fn write_all<'a>(&'a self, data: &'a [u8], _ticket: OpTicket) -> BoxFuture<'a, Result<u32>> {
        Box::pin(async move {
            let conn = self.0.core.connected("a write")?;
            conn.send_message(false, data).await?;
            Ok(u32::try_from(data.len()).unwrap_or(u32::MAX))
        })
    }

    fn flush(&self) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            self.0.core.connected("FlushAsync")?;
            Ok(true)
        })
    }

    fn close(&self) {
        let _ = self.0.core.close(None);
    }
}
