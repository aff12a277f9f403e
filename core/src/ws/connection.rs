//! A connected WebSocket: the handshake through the web layer, then RFC 6455 framing
//! (frames.rs) over the upgraded netrt connection. Shared by MessageWebSocket and
//! StreamWebSocket.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};

use super::control::{ControlCore, Settings};
use super::enums::MessageWebSocketReceiveMode;
use super::frames::{FrameReader, FrameWriter, Incoming, SocketSource, Violation};
use super::handshake;
use crate::error::{Error, Result, hresult};
use crate::foundation::Uri;
use crate::net::StreamSocket;
use crate::web::client::{self, RequestSettings, ValidationHook};
use crate::web::io::SocketIo;

pub(crate) type Reader = FrameReader<SocketSource>;

/// The connection after a successful handshake.
pub(crate) struct Connection {
    pub socket: StreamSocket,
    pub protocol: Option<String>,
    /// ReceiveMode, fixed at connect.
    pub receive_mode: MessageWebSocketReceiveMode,
    sink: tokio::sync::Mutex<Sink>,
    /// The frame reader, until the receive side takes it (once, at connect).
    reader: std::sync::Mutex<Option<Reader>>,
    /// A close frame was sent (by Close or in answer to the peer's).
    close_sent: AtomicBool,
}

struct Sink {
    writer: FrameWriter,
    /// The opcode of a message started with SendNonfinalFrameAsync and not yet finished.
    fragment: Option<Data>,
}

/// A receive-side failure, as MessageReceived's GetDataReader or a stream read reports it.
pub(crate) enum Ended {
    /// A close frame arrived: its code (1005 when it had none) and reason.
    Closed(u16, String),
    /// The connection failed; `close_with` is the close code netrt sent (if any).
    Failed(Error),
}

/// Runs the opening handshake for `uri` with the control's settings.
pub(crate) async fn connect(
    uri: &Uri,
    core: &Arc<ControlCore>,
    extra_headers: Vec<(String, String)>,
    validation: Option<ValidationHook>,
) -> Result<Connection> {
    let settings: Settings = core.snapshot();
    let url = uri.url();
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(Error::invalid_arg(format!(
            "a WebSocket URI must be ws:// or wss://, not {}",
            url.scheme()
        )));
    }
    let request = RequestSettings {
        socket: Some(core.socket_control()),
        server_credential: settings.server_credential.clone(),
        proxy_credential: settings.proxy_credential.clone(),
        proxy: settings.proxy.clone(),
        headers: extra_headers,
        validation,
    };
    let key = handshake::new_key();
    let headers = handshake::request_headers(&key, &settings.supported_protocols);
    let limit = settings.handshake_timeout.to_duration().unwrap_or_default();
    let switched =
        tokio::time::timeout(limit, client::upgrade(url, &headers, &request)).await.map_err(|_| {
            Error::new(
                hresult::WININET_E_TIMEOUT,
                format!("the WebSocket handshake with {url} took longer than HandshakeTimeout ({limit:?})"),
            )
        })??;
    let protocol =
        match handshake::check_response(switched.response.headers(), &key, &settings.supported_protocols) {
            Ok(p) => p,
            Err(e) => {
                switched.socket.close();
                return Err(e);
            }
        };
    // u32::MAX is "no limit".
    let max =
        if settings.max_message_size == u32::MAX { u64::MAX } else { u64::from(settings.max_message_size) };
    // Frames go to netrt's connection directly, not through hyper's upgraded stream and the
    // adapter under it; what they had read past the response comes first.
    let parts = switched.io.into_inner().downcast::<TokioIo<SocketIo>>().map_err(|_| {
        Error::new(hresult::E_UNEXPECTED, "the WebSocket upgrade did not hand back netrt's connection")
    })?;
    let mut early = parts.read_buf.to_vec();
    early.extend(parts.io.into_inner().take_unread());
    let source = SocketSource::new(switched.socket.clone(), early.into());
    Ok(Connection {
        protocol,
        receive_mode: settings.receive_mode,
        sink: tokio::sync::Mutex::new(Sink {
            writer: FrameWriter::new(switched.socket.clone()),
            fragment: None,
        }),
        reader: std::sync::Mutex::new(Some(FrameReader::new(source, max))),
        socket: switched.socket,
        close_sent: AtomicBool::new(false),
    })
}

fn closed_error() -> Error {
    Error::new(hresult::RO_E_CLOSED, "the WebSocket connection is closed")
}

impl Connection {
    /// Sends one whole message (`text`: a Utf8 message, already checked to be UTF-8).
    pub(crate) async fn send_message(&self, text: bool, data: &[u8]) -> Result<()> {
        let mut sink = self.sink.lock().await;
        if sink.fragment.is_some() {
            return Err(Error::illegal_method_call(
                "a message begun with SendNonfinalFrameAsync must be finished with SendFinalFrameAsync first",
            ));
        }
        let opcode = if text { Data::Text } else { Data::Binary };
        self.send_frame_locked(&mut sink, OpCode::Data(opcode), true, data).await
    }

    /// Sends one frame of a fragmented message (`fin`: the last one).
    pub(crate) async fn send_frame(&self, data: &[u8], text: bool, fin: bool) -> Result<()> {
        let mut sink = self.sink.lock().await;
        let opcode = match sink.fragment {
            Some(_) => Data::Continue,
            None if text => Data::Text,
            None => Data::Binary,
        };
        self.send_frame_locked(&mut sink, OpCode::Data(opcode), fin, data).await?;
        sink.fragment = if fin { None } else { Some(opcode) };
        Ok(())
    }

    /// Nothing may follow a close frame (RFC 6455 §5.5.1).
    async fn send_frame_locked(&self, sink: &mut Sink, opcode: OpCode, fin: bool, data: &[u8]) -> Result<()> {
        if self.close_sent.load(Ordering::Acquire) {
            return Err(closed_error());
        }
        sink.writer.send(opcode, fin, data).await
    }

    /// Sends a close frame (once); later calls do nothing.
    /// `None` sends an empty close frame (the peer reports 1005).
    pub(crate) async fn send_close(&self, status: Option<(u16, &str)>) {
        let mut sink = self.sink.lock().await;
        if self.close_sent.swap(true, Ordering::AcqRel) {
            return;
        }
        let payload = status.map_or_else(Vec::new, |(code, reason)| {
            let mut p = code.to_be_bytes().to_vec();
            p.extend_from_slice(reason.as_bytes());
            p
        });
        let close = sink.writer.send(OpCode::Control(Control::Close), true, &payload);
        let _ = tokio::time::timeout(super::common::CLOSE_GRACE, close).await;
    }

    /// Sends a Pong: the answer to a Ping (its payload), or the unsolicited heartbeat of
    /// DesiredUnsolicitedPongInterval (empty).
    pub(crate) async fn send_pong(&self, payload: &[u8]) -> Result<()> {
        let mut sink = self.sink.lock().await;
        self.send_frame_locked(&mut sink, OpCode::Control(Control::Pong), true, payload).await
    }

    /// The frame reader, for the receive side (taken once; `None` after).
    pub(crate) fn take_reader(&self) -> Option<Reader> {
        self.reader.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Classifies what ended the receive side, answering the peer's close frame and failing
    /// the connection with the RFC 6455 close code where the peer broke the protocol.
    pub(crate) async fn ended(&self, outcome: std::result::Result<Incoming, Violation>) -> Ended {
        let (ended, answer) = classify(outcome);
        if let Some(status) = answer {
            self.send_close(status.as_ref().map(|(code, reason)| (*code, reason.as_str()))).await;
        }
        ended
    }
    /// After the close handshake: reads (and drops) whatever still comes until the server
    /// closes TCP, as RFC 6455 §7.1.1 has it, for at most [`super::common::CLOSE_GRACE`].
    pub(crate) async fn await_hang_up(reader: &mut Reader) {
        let _ = tokio::time::timeout(super::common::CLOSE_GRACE, async {
            while !matches!(reader.next().await, Ok(Incoming::End) | Err(_)) {}
        })
        .await;
    }
}

/// The close frame to send when the receive side ends: none, or one with this status (`None`:
/// an empty close frame).
pub(crate) type CloseAnswer = Option<Option<(u16, String)>>;

/// What ended the receive side, and the close frame to send for it: the echo of the peer's
/// close frame, or the RFC 6455 close code where the peer broke the protocol.
pub(crate) fn classify(outcome: std::result::Result<Incoming, Violation>) -> (Ended, CloseAnswer) {
    let aborted = |detail: String| {
        Ended::Failed(Error::new(
            hresult::WININET_E_CONNECTION_ABORTED,
            format!("the WebSocket connection ended without a close frame: {detail}"),
        ))
    };
    let failing = |code: u16, reason: &str| Some(Some((code, reason.to_string())));
    match outcome {
        Ok(Incoming::Close(frame)) => {
            // The answer echoes the peer's code, as RFC 6455 §5.5.1 suggests.
            let answer = Some(frame.clone());
            let (code, reason) = frame.unwrap_or((1005, String::new()));
            (Ended::Closed(code, reason), answer)
        }
        Ok(Incoming::End) => (aborted("the peer closed the TCP connection".into()), None),
        Ok(other) => (
            Ended::Failed(Error::new(
                hresult::E_UNEXPECTED,
                format!("unexpected WebSocket frame {other:?} while classifying the end"),
            )),
            None,
        ),
        Err(Violation::Io(io)) => {
            let cause = crate::web::io::netrt_error(&io, "WebSocket receive");
            (aborted(cause.message().to_string()), None)
        }
        Err(Violation::Utf8(detail)) => (
            Ended::Failed(Error::new(
                hresult::E_NO_UNICODE_TRANSLATION,
                format!("the server sent a text message that is not UTF-8 ({detail}); closed with 1007"),
            )),
            failing(1007, "invalid UTF-8 in a text message"),
        ),
        Err(Violation::TooBig { size, max }) => (
            Ended::Failed(Error::new(
                hresult::WSAEMSGSIZE_HR,
                format!(
                    "an incoming message of {size} bytes or more exceeds MaxMessageSize ({max}); closed with 1009"
                ),
            )),
            failing(1009, "message too big"),
        ),
        Err(Violation::Protocol(detail)) => (
            Ended::Failed(Error::new(
                hresult::WININET_E_INVALID_SERVER_RESPONSE,
                format!("the server broke the WebSocket protocol ({detail}); closed with 1002"),
            )),
            failing(1002, "protocol error"),
        ),
    }
}
