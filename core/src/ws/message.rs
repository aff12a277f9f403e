//! `MessageWebSocket`: WebSocket messages, received as events.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use super::args::MessageWebSocketMessageReceivedEventArgs;
use super::common::SocketCore;
use super::connection::{Connection, Ended};
use super::control::MessageWebSocketControl;
use super::enums::{MessageWebSocketReceiveMode, SocketMessageType};
use super::frames::Incoming;
use super::pull::PullQueue;
use crate::error::{Error, Result, hresult};
use crate::event::{EventToken, Handler};
use crate::foundation::Uri;
use crate::io::stream::{BoxFuture, ByteSink, OpTicket, OutputStream};

pub(crate) struct Inner {
    core: Arc<SocketCore<MessageWebSocket>>,
    received: crate::event::Event<MessageWebSocket, MessageWebSocketMessageReceivedEventArgs>,
    /// Messages for [`MessageWebSocket::receive_message`] (while no handler is registered).
    pull: Arc<PullQueue>,
}

/// `MessageWebSocket`. Cloning gives another reference to the same socket.
#[derive(Clone)]
pub struct MessageWebSocket {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for MessageWebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageWebSocket").finish_non_exhaustive()
    }
}

impl Default for MessageWebSocket {
    fn default() -> Self {
        Self::new()
    }
}

impl MessageWebSocket {
    web_socket_members!(MessageWebSocket, "MessageWebSocket");

    /// `MessageWebSocket()`.
    pub fn new() -> Self {
        let pull = Arc::new(PullQueue::default());
        let inner = Arc::new(Inner {
            core: Arc::new(SocketCore::new()),
            received: Default::default(),
            pull: pull.clone(),
        });
        // Weak: the core must not keep the socket alive (dropping the last reference closes it).
        let weak = Arc::downgrade(&inner);
        let for_end = pull.clone();
        let _ = inner.core.on_receive_end.set(Box::new(move || {
            for_end.end(Error::closed("MessageWebSocket"));
            if let Some(inner) = weak.upgrade() {
                inner.received.end_subscriptions();
            }
        }));
        // A receive pending at Close ends at once (the close handshake may take a while).
        let _ = inner.core.on_close.set(Box::new(move || pull.end(Error::closed("MessageWebSocket"))));
        Self { inner }
    }

    /// `Control`.
    pub fn control(&self) -> MessageWebSocketControl {
        MessageWebSocketControl { core: self.inner.core.control.clone() }
    }

    /// `ConnectAsync(Uri)`: the opening handshake (through a proxy and answering
    /// authentication challenges as the control says), then messages start arriving as
    /// MessageReceived events.
    ///
    /// # Errors
    /// `E_INVALIDARG` for a scheme other than ws/wss; connection and certificate errors as on
    /// StreamSocket; `HTTP_E_STATUS_*` for a non-101 answer (401 → WebErrorStatus
    /// Unauthorized); `WININET_E_INVALID_SERVER_RESPONSE` for a handshake that does not
    /// complete (a subprotocol never offered, a wrong accept key); `WININET_E_TIMEOUT` past
    /// HandshakeTimeout.
    pub async fn connect(&self, uri: &Uri) -> Result<()> {
        let conn = self.inner.core.connect(self.clone(), uri).await?;
        self.inner.core.start_heartbeat(&conn);
        // The loop holds the socket weakly: dropping the last reference closes it, as in WinRT.
        let (weak, core) = (Arc::downgrade(&self.inner), self.inner.core.clone());
        let pull = self.inner.pull.clone();
        crate::runtime::handle().spawn(receive_loop(weak, core, pull, conn));
        Ok(())
    }

    /// The connection's socket once connected (for ControlChannelTrigger).
    pub(crate) fn underlying_socket(&self) -> Option<crate::net::StreamSocket> {
        self.inner.core.connection.get().map(|c| c.socket.clone())
    }

    /// Where a ControlChannelTrigger installs its push listener.
    pub(crate) fn push_hook(&self) -> &super::push::PushHook {
        &self.inner.core.push
    }

    /// `MessageReceived` += handler.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close.
    pub fn add_message_received(
        &self,
        handler: Handler<MessageWebSocket, MessageWebSocketMessageReceivedEventArgs>,
    ) -> Result<EventToken> {
        self.inner.core.ensure_open("MessageWebSocket")?;
        self.inner.received.add("MessageWebSocket", handler)
    }

    /// `MessageReceived` += handler, plus `ended`, which runs once on the dispatcher thread
    /// after the last MessageReceived: when the receive side ends (the peer's close frame, a
    /// failure, or Close), or at once if it has ended already. What Python's `async for`
    /// uses.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close.
    pub fn add_message_received_until_closed(
        &self,
        handler: Handler<MessageWebSocket, MessageWebSocketMessageReceivedEventArgs>,
        ended: crate::event::ClosedCallback,
    ) -> Result<EventToken> {
        self.inner.core.ensure_open("MessageWebSocket")?;
        let token = self.inner.received.add_until_closed("MessageWebSocket", handler, ended)?;
        // Registered first, then checked: a receive side ending meanwhile is seen either way.
        if self.inner.core.receive_ended.load(std::sync::atomic::Ordering::Acquire) {
            self.inner.received.end_subscriptions();
        }
        Ok(token)
    }

    /// netrt extension (no WinRT counterpart; docs/web.md "Pull receive"): the next message,
    /// taken by the awaiting task itself instead of raised as MessageReceived on the
    /// dispatcher thread — what MessageReceived would have delivered, in the same order: in
    /// FullMessage mode each whole message, in PartialMessage mode each piece; a connection
    /// that fails delivers its failure as a last message whose `data()` / `get_data_reader()`
    /// return the error (as the last MessageReceived does).
    ///
    /// The rule between the two: while any MessageReceived handler is registered, messages
    /// go to the handlers and this call fails; while none is, messages wait here for it (up to
    /// eight; from the first call on, further messages wait in TCP flow control until a
    /// receive takes one — before that the oldest unasked-for message makes room).
    ///
    /// Cancel safety: dropping the future loses nothing — a message is taken only by the poll
    /// that returns it.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` before connect, while a MessageReceived handler is registered, or
    /// while another receive is pending; `RO_E_CLOSED` after Close (a pending receive ends with
    /// it at once) and once the receive side is over: after the peer's close frame (Closed is
    /// raised) or after the failure message.
    pub async fn receive_message(&self) -> Result<MessageWebSocketMessageReceivedEventArgs> {
        let receiving = self.begin_receive()?;
        std::future::poll_fn(|cx| receiving.poll_next(cx)).await
    }

    fn begin_receive(&self) -> Result<super::pull::Receiving<'_>> {
        self.inner.core.connected("ReceiveMessageAsync")?;
        if self.inner.received.has_handlers() {
            return Err(Error::illegal_method_call(
                "ReceiveMessageAsync cannot be used while a MessageReceived handler is registered",
            ));
        }
        self.inner.pull.begin()
    }

    /// Puts back a message that [`receive_message`](Self::receive_message) returned to an
    /// operation nobody awaits any more (its task was cancelled after it completed): the next
    /// receive returns it. For projections (`AsyncOperation::set_give_back`).
    #[doc(hidden)]
    pub fn give_back_message(&self, args: MessageWebSocketMessageReceivedEventArgs) {
        self.inner.pull.give_back(args);
    }

    /// `MessageReceived` -= token.
    pub fn remove_message_received(&self, token: EventToken) {
        self.inner.received.remove(token)
    }

    /// `OutputStream`: each write is one message of the control's current MessageType.
    pub fn output_stream(&self) -> OutputStream {
        OutputStream::new(Arc::new(MessageSink(self.inner.clone())))
    }

    /// Sends `data` as one message of the control's current MessageType.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` before connect or inside a fragmented message; `RO_E_CLOSED`
    /// after Close; `E_NO_UNICODE_TRANSLATION` for a Utf8 message that is not UTF-8.
    pub async fn send_message(&self, data: &[u8]) -> Result<()> {
        send_whole(&self.inner, data).await
    }

    /// `SendNonfinalFrameAsync(data)`: a frame of a message that goes on (FIN = 0). The first
    /// frame's opcode follows MessageType; the rest are continuations.
    ///
    /// # Errors
    /// As [`MessageWebSocket::send_message`].
    pub async fn send_nonfinal_frame(&self, data: &[u8]) -> Result<u32> {
        self.send_frame(data, false).await
    }

    /// `SendFinalFrameAsync(data)`: the last frame of a message (FIN = 1), or a whole message.
    ///
    /// # Errors
    /// As [`MessageWebSocket::send_message`].
    pub async fn send_final_frame(&self, data: &[u8]) -> Result<u32> {
        self.send_frame(data, true).await
    }

    async fn send_frame(&self, data: &[u8], fin: bool) -> Result<u32> {
        let conn = self.inner.core.connected("SendFrameAsync")?;
        let text = self.control().message_type() == SocketMessageType::Utf8;
        conn.send_frame(data, text, fin).await?;
        Ok(u32::try_from(data.len()).unwrap_or(u32::MAX))
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.core.close(None);
    }
}

/// Raises MessageReceived for each message (or, in PartialMessage mode, each piece as it
/// arrives) until the connection ends; a failure is the last MessageReceived, a close frame
/// raises Closed.
async fn receive_loop(
    weak: std::sync::Weak<Inner>,
    core: Arc<SocketCore<MessageWebSocket>>,
    pull: Arc<PullQueue>,
    conn: Arc<Connection>,
) {
    let socket = || weak.upgrade().map(|inner| MessageWebSocket { inner });
    let partial = conn.receive_mode == MessageWebSocketReceiveMode::PartialMessage;
    let mut reader = conn.reader.lock().await;
    if !partial {
        reader.set_whole_frames();
    }
    // FullMessage mode: the pieces of the message so far.
    let mut assembled = BytesMut::new();
    // Inside a data message (its first piece has been seen).
    let mut in_message = false;
    loop {
        let (message_type, data, complete) = match reader.next().await {
            Ok(Incoming::Piece { text, data, last }) => {
                if !in_message {
                    // A ControlChannelTrigger's push runs alongside the MessageReceived.
                    core.push.message_arrived();
                }
                in_message = !last;
                let message_type = if text { SocketMessageType::Utf8 } else { SocketMessageType::Binary };
                match whole_or_piece(partial, &mut assembled, data, last) {
                    Some(data) => (message_type, Ok(data), last),
                    None => continue,
                }
            }
            Ok(Incoming::Ping(payload)) => {
                // A failed answer shows up as a failed read next.
                let _ = conn.send_pong(&payload).await;
                continue;
            }
            Ok(Incoming::Pong) => continue,
            other => match conn.ended(other).await {
                Ended::Closed(code, reason) => {
                    pull.end(Error::new(
                        hresult::RO_E_CLOSED,
                        format!("the server closed the WebSocket (close frame {code} '{reason}')"),
                    ));
                    if let Some(ws) = socket() {
                        core.raise_closed(ws, code, reason);
                    }
                    Connection::await_hang_up(&mut reader).await;
                    break;
                }
                Ended::Failed(e) => (SocketMessageType::Binary, Err(e), true),
            },
        };
        let failed = data.is_err();
        // After a local Close the connection's end is expected, not a failure to report.
        let quiet = failed && core.is_closed();
        if let Some(ws) = socket().filter(|_| !quiet) {
            let args = MessageWebSocketMessageReceivedEventArgs { message_type, complete, data };
            if ws.inner.received.has_handlers() {
                ws.inner.received.raise(ws.clone(), args);
            } else {
                // Not holding the socket while the queue is full: dropping it must close it.
                drop(ws);
                if !pull.push(args, &core.closing_token).await {
                    break;
                }
            }
        }
        if failed {
            pull.end(Error::new(
                hresult::RO_E_CLOSED,
                "the WebSocket connection failed; its failure was the last message received",
            ));
            break;
        }
    }
    core.receive_finished();
    conn.socket.close();
}

/// What to raise for a received piece: the piece itself in PartialMessage mode; in
/// FullMessage mode nothing until the last piece, then the whole message.
fn whole_or_piece(partial: bool, assembled: &mut BytesMut, data: Bytes, last: bool) -> Option<Bytes> {
    if partial {
        return Some(data);
    }
    if last && assembled.is_empty() {
        // A message in one piece is handed over as it is, without a copy.
        return Some(data);
    }
    assembled.extend_from_slice(&data);
    last.then(|| std::mem::take(assembled).freeze())
}

async fn send_whole(inner: &Arc<Inner>, data: &[u8]) -> Result<()> {
    let conn = inner.core.connected("a send")?;
    let text = inner.core.control.lock().message_type == SocketMessageType::Utf8;
    if text {
        std::str::from_utf8(data).map_err(|e| {
            Error::new(hresult::E_NO_UNICODE_TRANSLATION, format!("a Utf8 message must be UTF-8: {e}"))
        })?;
    }
    conn.send_message(text, data).await
}

/// OutputStream of a MessageWebSocket: one write = one message.
struct MessageSink(Arc<Inner>);

impl ByteSink for MessageSink {
    fn write_all<'a>(&'a self, data: &'a [u8], _ticket: OpTicket) -> BoxFuture<'a, Result<u32>> {
        Box::pin(async move {
            send_whole(&self.0, data).await?;
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
