//! `MessageWebSocket`: WebSocket messages, received as events.

use std::sync::Arc;

use std::sync::OnceLock;
use std::task::Poll;

use super::args::MessageWebSocketMessageReceivedEventArgs;
use super::common::SocketCore;
use super::control::MessageWebSocketControl;
use super::enums::SocketMessageType;
use super::pull::PullQueue;
use super::receive::{Assembly, Side, Step};
use crate::error::{Error, Result, hresult};
use crate::event::{EventToken, Handler};
use crate::foundation::Uri;
use crate::foundation::async_op::{AsyncOperation, CancelToken, Readiness};
use crate::io::stream::{BoxFuture, ByteSink, OpTicket, OutputStream};

pub(crate) struct Inner {
    core: Arc<SocketCore<MessageWebSocket>>,
    received: crate::event::Event<MessageWebSocket, MessageWebSocketMessageReceivedEventArgs>,
    /// Who reads, and messages for [`MessageWebSocket::receive_message`] (while no handler is
    /// registered).
    pull: Arc<PullQueue>,
    /// The connection's frame reader and message assembly, once connected.
    assembly: OnceLock<super::receive::Shared>,
}

/// `MessageWebSocket`. Cloning gives another reference to the same socket.
#[derive(Clone)]
pub struct MessageWebSocket {
    pub(crate) inner: Arc<Inner>,
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
            assembly: OnceLock::new(),
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
        // A receive pending at Close ends at once (the close handshake may take a while), and
        // the receive task reads the peer's answer.
        let _ = inner.core.on_close.set(Box::new(move || {
            pull.end(Error::closed("MessageWebSocket"));
            pull.set_task_reads(true);
        }));
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
        // The assembly and the task hold the socket weakly: dropping the last reference closes
        // it, as in WinRT.
        let side = Side {
            weak: Arc::downgrade(&self.inner),
            core: self.inner.core.clone(),
            pull: self.inner.pull.clone(),
            conn,
        };
        let Some(assembly) = Assembly::new(side) else {
            return Err(Error::new(hresult::E_UNEXPECTED, "the WebSocket's frame reader was taken already"));
        };
        let _ = self.inner.assembly.set(assembly.clone());
        let (weak, pull) = (Arc::downgrade(&self.inner), self.inner.pull.clone());
        crate::runtime::handle().spawn(receive_task(weak, pull, assembly));
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
        let token = self.inner.received.add("MessageWebSocket", handler)?;
        // The receive task reads again (it stopped while pulls owned the reader).
        self.inner.pull.set_task_reads(true);
        Ok(token)
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
        self.inner.pull.set_task_reads(true);
        // Registered first, then checked: a receive side ending meanwhile is seen either way.
        if self.inner.core.receive_ended.load(std::sync::atomic::Ordering::Acquire) {
            self.inner.received.end_subscriptions();
        }
        Ok(token)
    }

    /// netrt extension (no WinRT counterpart; docs/web.md "Pull receive"): the next message,
    /// read by the awaiting task itself instead of raised as MessageReceived on the
    /// dispatcher thread — what MessageReceived would have delivered, in the same order: in
    /// FullMessage mode each whole message, in PartialMessage mode each piece; a connection
    /// that fails delivers its failure as a last message whose `data()` / `get_data_reader()`
    /// return the error (as the last MessageReceived does).
    ///
    /// The rule between the two: while any MessageReceived handler is registered, messages
    /// go to the handlers and this call fails; while none is, messages wait for it. Before the
    /// first call netrt reads in the background and keeps the newest eight; from the first call
    /// on, the receives read the connection themselves (pings are answered and the close frame
    /// handled when a receive reads them), and between receives the frames wait in the kernel
    /// and TCP flow control holds the server back. A handler registered later takes over
    /// again from the next message.
    ///
    /// Cancel safety: dropping the future loses nothing — a message is taken only by the poll
    /// that returns it; a message read in part stays with the socket for the next receive.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` before connect, while a MessageReceived handler is registered, or
    /// while another receive is pending; `RO_E_CLOSED` after Close (a pending receive ends with
    /// it at once) and once the receive side is over: after the peer's close frame (Closed is
    /// raised) or after the failure message.
    pub async fn receive_message(&self) -> Result<MessageWebSocketMessageReceivedEventArgs> {
        let (receiving, assembly) = self.begin_receive()?;
        pull(&receiving, &assembly, None).await
    }

    /// [`receive_message`](Self::receive_message) as an operation: the C and Python
    /// projections' `ReceiveMessageAsync`. A receive that cannot complete at once is driven by
    /// whoever waits for it (a blocking wait, an event loop that claims it, the completion
    /// queue it is bound to) on their own thread, else by netrt's runtime. Cancelling it loses
    /// nothing, and a receive that completed but was abandoned (`AsyncOperation::abandon`)
    /// puts its message back for the next one.
    ///
    /// # Errors
    /// As [`receive_message`](Self::receive_message): the call errors synchronously.
    pub fn receive_message_async(&self) -> Result<AsyncOperation<MessageWebSocketMessageReceivedEventArgs>> {
        let give_back = self.clone();
        let op = self.start_receive(|received| received)?;
        op.set_give_back(move |args: &MessageWebSocketMessageReceivedEventArgs| {
            give_back.give_back_message(args.clone());
            true
        });
        Ok(op)
    }

    /// The operation behind [`receive_message_async`](Self::receive_message_async), its
    /// outcome turned into a projection's result by `finish` (in the poll that completes it).
    /// For projections; they set their own give-back.
    ///
    /// # Errors
    /// As [`receive_message`](Self::receive_message).
    #[doc(hidden)]
    pub fn start_receive<T: Send + Sync + 'static>(
        &self,
        finish: impl FnOnce(Result<MessageWebSocketMessageReceivedEventArgs>) -> Result<T> + Send + 'static,
    ) -> Result<AsyncOperation<T>> {
        // A wrong call (not connected, a handler registered, another receive pending, closed)
        // fails in the first poll, so `start` returns it synchronously — unless `finish` makes
        // it a result (Python's `async for` ends on RO_E_CLOSED).
        let socket = self.inner.core.connected("ReceiveMessageAsync").ok().map(|conn| conn.socket.clone());
        let ws = self.clone();
        AsyncOperation::start_caller_driven_cancellable(
            move |cancel: CancelToken| async move {
                let received = match ws.begin_receive() {
                    Ok((receiving, assembly)) => pull(&receiving, &assembly, Some(&cancel)).await,
                    Err(e) => Err(e),
                };
                finish(received)
            },
            move || {
                // The close stamp is recorded while the socket is known to be open (an event loop
                // keeps the fd registered only while the stamp says so; see `fd_watch`).
                let socket = socket?;
                let fd = socket.readiness_fd()?;
                let ready = Readiness::readable(fd);
                (socket.readiness_fd() == Some(fd)).then_some(ready)
            },
        )
    }

    fn begin_receive(&self) -> Result<(super::pull::Receiving<'_>, super::receive::Shared)> {
        self.inner.core.connected("ReceiveMessageAsync")?;
        if self.inner.received.has_handlers() {
            return Err(Error::illegal_method_call(
                "ReceiveMessageAsync cannot be used while a MessageReceived handler is registered",
            ));
        }
        let assembly = self.inner.assembly.get().cloned().ok_or_else(|| {
            Error::illegal_method_call(
                "ReceiveMessageAsync needs a connected WebSocket (call ConnectAsync first)",
            )
        })?;
        Ok((self.inner.pull.begin()?, assembly))
    }

    /// `RO_E_CLOSED` after Close: the check event subscriptions make (what a projection's
    /// `async for` checks before it starts).
    #[doc(hidden)]
    pub fn ensure_open(&self) -> Result<()> {
        self.inner.core.ensure_open("MessageWebSocket")
    }

    /// Puts back a message that a receive returned to an operation nobody awaits any more
    /// (its task was cancelled after it completed): the next receive returns it. For
    /// projections (`AsyncOperation::set_give_back`).
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

/// One pull receive: a queued message first (read by the receive task before the pulls took
/// the reader over), else the next message read here, on the awaiting task, by the same
/// assembly the receive task runs. Ends early with the end of the receive side (Close), or,
/// asked by `cancel` while it has taken nothing, as cancelled.
async fn pull(
    receiving: &super::pull::Receiving<'_>,
    assembly: &super::receive::Shared,
    cancel: Option<&CancelToken>,
) -> Result<MessageWebSocketMessageReceivedEventArgs> {
    // Waits for what is queued, the end, or a cancel request — whichever comes first.
    let queued_or_stop = |cx: &mut std::task::Context<'_>| {
        if let Poll::Ready(outcome) = receiving.poll_queued(cx) {
            return Poll::Ready(outcome);
        }
        match cancel {
            Some(cancel) => cancel.poll_set(cx).map(|()| Err(CancelToken::cancelled())),
            None => Poll::Pending,
        }
    };
    let mut guard = tokio::select! {
        biased;
        outcome = std::future::poll_fn(&queued_or_stop) => return outcome,
        guard = assembly.lock() => guard,
    };
    // The receive task queues only while it holds the assembly: whatever it read before
    // handing over is in the queue now, and comes first.
    let step = tokio::select! {
        biased;
        outcome = std::future::poll_fn(&queued_or_stop) => return outcome,
        step = guard.next(assembly) => step,
    };
    match step {
        Step::Message(args) => Ok(args),
        Step::Last(args) => {
            guard.failure_delivered();
            Ok(args)
        }
        // The end was told to the queue.
        Step::Over => receiving.try_queued().unwrap_or_else(|| Err(Error::closed("MessageWebSocket"))),
    }
}

/// The receive task: reads while nobody pulls (raising MessageReceived, or queueing for a
/// pull while no handler is registered), and hands the reader over whenever the pulls own it
/// (pull.rs). Ends with the receive side.
async fn receive_task(weak: std::sync::Weak<Inner>, pull: Arc<PullQueue>, assembly: super::receive::Shared) {
    let has_handlers = || weak.upgrade().is_some_and(|inner| inner.received.has_handlers());
    loop {
        std::future::poll_fn(|cx| pull.poll_task_turn(cx, has_handlers)).await;
        let mut guard = assembly.lock().await;
        if guard.over {
            return;
        }
        let step = tokio::select! {
            biased;
            () = std::future::poll_fn(|cx| pull.poll_pulls_want_reader(cx, has_handlers)) => continue,
            step = guard.next(&assembly) => step,
        };
        let (args, last) = match step {
            Step::Message(args) => (args, false),
            Step::Last(args) => (args, true),
            Step::Over => return,
        };
        // Delivered while holding the assembly: a pull that takes over next finds it queued,
        // and the wrap-up after a last message waits for it.
        if let Some(ws) = weak.upgrade().map(|inner| MessageWebSocket { inner }) {
            if ws.inner.received.has_handlers() {
                ws.inner.received.raise(ws.clone(), args);
            } else {
                pull.push(args);
            }
        }
        if last {
            guard.failure_delivered();
            return;
        }
    }
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
