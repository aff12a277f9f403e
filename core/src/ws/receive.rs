//! A MessageWebSocket's message assembly: frames in, MessageReceived's arguments out — pings
//! answered, the close frame raising Closed once and answered, MaxMessageSize, UTF-8,
//! FullMessage / PartialMessage, the end classified. Written once, run by whoever holds the
//! reader: the receive task (MessageReceived, and the queue before the first pull) or a pull
//! receive on the awaiting task itself (pull.rs).
//!
//! [`Assembly::next`] is cancel safe: everything it has read lives in the assembly (the frame
//! reader's buffer, the pieces of a FullMessage message so far), so a `next` dropped at any
//! await loses nothing and the next call goes on from there.

use std::sync::{Arc, Weak};

use bytes::{Bytes, BytesMut};

use super::args::MessageWebSocketMessageReceivedEventArgs as Args;
use super::common::SocketCore;
use super::connection::{self, CloseAnswer, Connection, Ended, Reader};
use super::enums::{MessageWebSocketReceiveMode, SocketMessageType};
use super::frames::Incoming;
use super::message::{Inner, MessageWebSocket};
use super::pull::PullQueue;
use crate::error::{Error, hresult};

/// The reader and the message being assembled; whoever holds the lock reads.
pub(crate) type Shared = Arc<tokio::sync::Mutex<Assembly>>;

pub(crate) struct Assembly {
    reader: Reader,
    partial: bool,
    /// FullMessage mode: the pieces of the message so far.
    assembled: BytesMut,
    /// Inside a data message (its first piece has been seen).
    in_message: bool,
    /// The receive side is over: nothing more is read (the wrap-up task has the rest).
    pub over: bool,
    pub side: Side,
}

/// What the assembly reports to.
pub(crate) struct Side {
    pub weak: Weak<Inner>,
    pub core: Arc<SocketCore<MessageWebSocket>>,
    pub pull: Arc<PullQueue>,
    pub conn: Arc<Connection>,
}

/// What [`Assembly::next`] found.
pub(crate) enum Step {
    /// A message (or, in PartialMessage mode, a piece).
    Message(Args),
    /// The connection failed: this failure message is the last one. Whoever got it delivers
    /// it while still holding the assembly, then calls [`Assembly::failure_delivered`]; the
    /// wrap-up (already started) waits for that.
    Last(Args),
    /// Nothing more: the peer's close frame (Closed raised, the pulls told), or a failure after
    /// a local Close (expected, not reported).
    Over,
}

impl Assembly {
    /// The assembly of a new connection (its reader taken from it); `None` when it was
    /// taken already.
    pub(crate) fn new(side: Side) -> Option<Shared> {
        let mut reader = side.conn.take_reader()?;
        let partial = side.conn.receive_mode == MessageWebSocketReceiveMode::PartialMessage;
        if !partial {
            reader.set_whole_frames();
        }
        Some(Arc::new(tokio::sync::Mutex::new(Self {
            reader,
            partial,
            assembled: BytesMut::new(),
            in_message: false,
            over: false,
            side,
        })))
    }

    /// The next message as MessageReceived would raise it. Cancel safe (see the module notes).
    /// `shared` is this assembly's lock, for the wrap-up task at the end.
    pub(crate) async fn next(&mut self, shared: &Shared) -> Step {
        if self.over {
            return Step::Over;
        }
        loop {
            let (message_type, data, complete) = match self.reader.next().await {
                Ok(Incoming::Piece { text, data, last }) => {
                    if !self.in_message {
                        // A ControlChannelTrigger's push runs alongside the MessageReceived.
                        self.side.core.push.message_arrived();
                    }
                    self.in_message = !last;
                    let message_type = if text { SocketMessageType::Utf8 } else { SocketMessageType::Binary };
                    match whole_or_piece(self.partial, &mut self.assembled, data, last) {
                        Some(data) => (message_type, Ok(data), last),
                        None => continue,
                    }
                }
                Ok(Incoming::Ping(payload)) => {
                    // Sent by a task of its own: the send must not be dropped half-written with a
                    // receive that is cancelled. A failed answer shows up as a failed read next.
                    let conn = self.side.conn.clone();
                    crate::runtime::handle().spawn(async move {
                        let _ = conn.send_pong(&payload).await;
                    });
                    continue;
                }
                Ok(Incoming::Pong) => continue,
                other => return self.end(other, shared),
            };
            return Step::Message(Args { message_type, complete, data });
        }
    }

    /// The receive side ends with `outcome` (a close frame, the end of the stream, a
    /// violation): tells the pulls and Closed's handlers, and starts the wrap-up.
    fn end(
        &mut self,
        outcome: std::result::Result<Incoming, super::frames::Violation>,
        shared: &Shared,
    ) -> Step {
        self.over = true;
        let (ended, answer) = connection::classify(outcome);
        let side = &self.side;
        match ended {
            Ended::Closed(code, reason) => {
                side.pull.end(Error::new(
                    hresult::RO_E_CLOSED,
                    format!("the server closed the WebSocket (close frame {code} '{reason}')"),
                ));
                if let Some(inner) = side.weak.upgrade() {
                    side.core.raise_closed(MessageWebSocket { inner }, code, reason);
                }
                wrap_up(shared.clone(), side.core.clone(), side.conn.clone(), answer, true);
                Step::Over
            }
            Ended::Failed(e) => {
                wrap_up(shared.clone(), side.core.clone(), side.conn.clone(), answer, false);
                // After a local Close the connection's end is expected, not a failure to report.
                if side.core.is_closed() {
                    self.failure_delivered();
                    return Step::Over;
                }
                Step::Last(Args { message_type: SocketMessageType::Binary, complete: true, data: Err(e) })
            }
        }
    }
}

impl Assembly {
    /// The failure message was delivered (raised, queued or returned by a pull): the pulls
    /// report the end from now on. Not earlier: a pull must not see the end before the message
    /// that comes first.
    pub(crate) fn failure_delivered(&self) {
        self.side.pull.end(Error::new(
            hresult::RO_E_CLOSED,
            "the WebSocket connection failed; its failure was the last message received",
        ));
    }
}

/// After the receive side ended: sends the close frame `answer` (if any), then — once whoever
/// ended it has delivered its last message (it holds the assembly until then) — waits for the
/// server to hang up after a close handshake (`hang_up`), marks the receive side over and
/// closes the connection. A task of its own, so that a pull receive returns at once.
fn wrap_up(
    shared: Shared,
    core: Arc<SocketCore<MessageWebSocket>>,
    conn: Arc<Connection>,
    answer: CloseAnswer,
    hang_up: bool,
) {
    crate::runtime::handle().spawn(async move {
        if let Some(status) = answer {
            conn.send_close(status.as_ref().map(|(code, reason)| (*code, reason.as_str()))).await;
        }
        let mut assembly = shared.lock().await;
        if hang_up {
            Connection::await_hang_up(&mut assembly.reader).await;
        }
        drop(assembly);
        core.receive_finished();
        conn.socket.close();
    });
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
