//! `StreamWebSocket`: a WebSocket as a byte stream. Each write is sent as one binary
//! message; reads return the bytes of the messages received, in order.

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use super::common::SocketCore;
use super::connection::Ended;
use super::control::StreamWebSocketControl;
use crate::error::Result;
use crate::foundation::Uri;
use crate::io::stream::{BoxFuture, ByteSink, ByteSource, InputStream, OpTicket, OutputStream};

struct Inner {
    core: Arc<SocketCore<StreamWebSocket>>,
    /// Received bytes not yet read, and where reading them has got to.
    pending: Mutex<(Vec<u8>, usize)>,
    /// A self-reference for the Closed sender (set once at construction).
    me: std::sync::OnceLock<std::sync::Weak<Inner>>,
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
        let inner = Arc::new(Inner {
            core: Arc::new(SocketCore::new()),
            pending: Mutex::new((Vec::new(), 0)),
            me: std::sync::OnceLock::new(),
        });
        let _ = inner.me.set(Arc::downgrade(&inner));
        Self { inner }
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
        Ok(())
    }

    /// `InputStream`: the received messages' bytes; a read returns 0 once the peer's close
    /// frame arrived.
    pub fn input_stream(&self) -> InputStream {
        InputStream::new(Arc::new(StreamEnd(self.inner.clone())))
    }

    /// `OutputStream`: each write is sent as one binary message.
    pub fn output_stream(&self) -> OutputStream {
        OutputStream::new(Arc::new(StreamEnd(self.inner.clone())))
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
    fn sender(&self) -> Option<StreamWebSocket> {
        self.0.me.get().and_then(|w| w.upgrade()).map(|inner| StreamWebSocket { inner })
    }

    fn take_pending(&self, buf: &mut [u8]) -> usize {
        let mut pending = self.0.pending.lock().unwrap_or_else(|e| e.into_inner());
        let (data, at) = &mut *pending;
        let n = buf.len().min(data.len() - *at);
        buf[..n].copy_from_slice(&data[*at..*at + n]);
        *at += n;
        n
    }

    async fn read(&self, buf: &mut [u8]) -> Result<usize> {
        let n = self.take_pending(buf);
        if n > 0 {
            return Ok(n);
        }
        let conn = self.0.core.connected("a read")?;
        let mut stream = conn.stream.lock().await;
        loop {
            let data = match stream.next().await {
                Some(Ok(Message::Binary(b))) => b.to_vec(),
                Some(Ok(Message::Text(t))) => t.as_bytes().to_vec(),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                other => {
                    drop(stream);
                    let outcome = conn.ended(other).await;
                    self.0.core.receive_finished();
                    return match outcome {
                        Ended::Closed(code, reason) => {
                            if let Some(sender) = self.sender() {
                                self.0.core.raise_closed(sender, code, reason);
                            }
                            Ok(0)
                        }
                        Ended::Failed(e) => {
                            conn.socket.close();
                            Err(e)
                        }
                    };
                }
            };
            if data.is_empty() {
                continue;
            }
            let n = buf.len().min(data.len());
            buf[..n].copy_from_slice(&data[..n]);
            if n < data.len() {
                *self.0.pending.lock().unwrap_or_else(|e| e.into_inner()) = (data, n);
            }
            return Ok(n);
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
            conn.send_message(Message::binary(data.to_vec())).await?;
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
