//! A connected WebSocket: the handshake through the web layer, then RFC 6455 framing by
//! tokio-tungstenite over the upgraded netrt connection. Shared by MessageWebSocket and
//! StreamWebSocket.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};

use super::control::{ControlCore, Settings};
use super::handshake;
use crate::error::{Error, Result, hresult};
use crate::foundation::Uri;
use crate::net::StreamSocket;
use crate::web::client::{self, RequestSettings, ValidationHook};

type Ws = WebSocketStream<TokioIo<Upgraded>>;

/// The connection after a successful handshake.
pub(crate) struct Connection {
    pub socket: StreamSocket,
    pub protocol: Option<String>,
    sink: tokio::sync::Mutex<Sink>,
    pub stream: tokio::sync::Mutex<SplitStream<Ws>>,
    /// A close frame was sent (by Close or in answer to the peer's).
    close_sent: AtomicBool,
}

pub(crate) struct Sink {
    inner: SplitSink<Ws, Message>,
    /// The opcode of a message started with SendNonfinalFrameAsync and not yet finished.
    pub fragment: Option<tungstenite::protocol::frame::coding::Data>,
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
    let max = (settings.max_message_size != u32::MAX).then_some(settings.max_message_size as usize);
    let config = WebSocketConfig::default().max_message_size(max).max_frame_size(max);
    let ws = WebSocketStream::from_raw_socket(switched.io, Role::Client, Some(config)).await;
    let (sink, stream) = ws.split();
    Ok(Connection {
        socket: switched.socket,
        protocol,
        sink: tokio::sync::Mutex::new(Sink { inner: sink, fragment: None }),
        stream: tokio::sync::Mutex::new(stream),
        close_sent: AtomicBool::new(false),
    })
}

fn send_error(e: tungstenite::Error) -> Error {
    match e {
        tungstenite::Error::Io(io) => crate::web::io::netrt_error(&io, "WebSocket send"),
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            Error::new(hresult::RO_E_CLOSED, "the WebSocket connection is closed")
        }
        other => Error::new(hresult::WININET_E_CONNECTION_ABORTED, format!("WebSocket send: {other}")),
    }
}

impl Connection {
    /// Sends one whole message.
    pub(crate) async fn send_message(&self, message: Message) -> Result<()> {
        let mut sink = self.sink.lock().await;
        if sink.fragment.is_some() {
            return Err(Error::illegal_method_call(
                "a message begun with SendNonfinalFrameAsync must be finished with SendFinalFrameAsync first",
            ));
        }
        sink.inner.send(message).await.map_err(send_error)
    }

    /// Sends one frame of a fragmented message (`fin`: the last one).
    pub(crate) async fn send_frame(&self, data: Vec<u8>, text: bool, fin: bool) -> Result<()> {
        use tungstenite::protocol::frame::Frame;
        use tungstenite::protocol::frame::coding::{Data, OpCode};
        let mut sink = self.sink.lock().await;
        let opcode = match sink.fragment {
            Some(_) => Data::Continue,
            None if text => Data::Text,
            None => Data::Binary,
        };
        let frame = Frame::message(data, OpCode::Data(opcode), fin);
        sink.inner.send(Message::Frame(frame)).await.map_err(send_error)?;
        sink.fragment = if fin { None } else { Some(opcode) };
        Ok(())
    }

    /// Sends a close frame (once); later calls do nothing.
    /// `None` sends an empty close frame (the peer reports 1005).
    pub(crate) async fn send_close(&self, status: Option<(u16, &str)>) {
        if self.close_sent.swap(true, Ordering::AcqRel) {
            return;
        }
        let frame = status.map(|(code, reason)| CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_string().into(),
        });
        let mut sink = self.sink.lock().await;
        let _ =
            tokio::time::timeout(super::common::CLOSE_GRACE, sink.inner.send(Message::Close(frame))).await;
    }

    /// Sends an unsolicited Pong (the heartbeat of DesiredUnsolicitedPongInterval).
    pub(crate) async fn send_pong(&self) -> Result<()> {
        let mut sink = self.sink.lock().await;
        sink.inner.send(Message::Pong(Default::default())).await.map_err(send_error)
    }

    /// Classifies what ended the receive side, failing the connection with the RFC 6455 close
    /// code where the peer broke the protocol.
    pub(crate) async fn ended(
        &self,
        outcome: Option<std::result::Result<Message, tungstenite::Error>>,
    ) -> Ended {
        use tungstenite::error::{CapacityError, ProtocolError};
        let aborted = |detail: String| {
            Ended::Failed(Error::new(
                hresult::WININET_E_CONNECTION_ABORTED,
                format!("the WebSocket connection ended without a close frame: {detail}"),
            ))
        };
        match outcome {
            Some(Ok(Message::Close(frame))) => {
                let (code, reason) =
                    frame.map_or((1005, String::new()), |f| (u16::from(f.code), f.reason.to_string()));
                Ended::Closed(code, reason)
            }
            None | Some(Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed)) => {
                aborted("the peer closed the TCP connection".into())
            }
            Some(Err(tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake))) => {
                aborted("the connection was reset".into())
            }
            Some(Err(tungstenite::Error::Io(io))) => {
                let cause = crate::web::io::netrt_error(&io, "WebSocket receive");
                aborted(cause.message().to_string())
            }
            Some(Err(tungstenite::Error::Utf8(detail))) => {
                self.send_close(Some((1007, "invalid UTF-8 in a text message"))).await;
                Ended::Failed(Error::new(
                    hresult::E_NO_UNICODE_TRANSLATION,
                    format!("the server sent a text message that is not UTF-8 ({detail}); closed with 1007"),
                ))
            }
            Some(Err(tungstenite::Error::Capacity(CapacityError::MessageTooLong { size, max_size }))) => {
                self.send_close(Some((1009, "message too big"))).await;
                Ended::Failed(Error::new(
                    hresult::WSAEMSGSIZE_HR,
                    format!(
                        "an incoming message of {size} bytes exceeds MaxMessageSize ({max_size}); closed with 1009"
                    ),
                ))
            }
            Some(Err(e)) => {
                self.send_close(Some((1002, "protocol error"))).await;
                Ended::Failed(Error::new(
                    hresult::WININET_E_INVALID_SERVER_RESPONSE,
                    format!("the server broke the WebSocket protocol ({e}); closed with 1002"),
                ))
            }
            Some(Ok(other)) => Ended::Failed(Error::new(
                hresult::E_UNEXPECTED,
                format!("unexpected WebSocket message kind {other:?} while classifying the end"),
            )),
        }
    }
}
