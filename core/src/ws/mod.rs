//! WebSockets: `MessageWebSocket` and `StreamWebSocket` over the web layer (handshake,
//! proxies, credentials) with netrt's own RFC 6455 framing on tungstenite's frame headers
//! (docs/web.md).

mod args;
pub mod close;
#[macro_use]
mod common;
mod connection;
mod control;
mod enums;
mod frames;
mod fuzzing;
mod handshake;
mod information;
mod message;
mod pull;
pub(crate) mod push;
mod receive;
mod stream;

pub use args::{
    Deferral, MessageWebSocketMessageReceivedEventArgs, WebSocketClosedEventArgs,
    WebSocketServerCustomValidationRequestedEventArgs,
};
pub use control::{DEFAULT_HANDSHAKE_TIMEOUT, MessageWebSocketControl, StreamWebSocketControl};
pub use enums::{MessageWebSocketReceiveMode, SocketMessageType};
#[doc(hidden)]
pub use fuzzing::{FrameEvent, read_frames_for_fuzzing};
pub use information::{MessageWebSocketInformation, StreamWebSocketInformation, WebSocketInformation};
pub use message::MessageWebSocket;
pub(crate) use push::PushListener;
pub use stream::StreamWebSocket;

/// `WebSocketError.GetStatus(hresult)`: the WebErrorStatus of a failed WebSocket operation
/// (the same table as `WebError.GetStatus`).
pub fn web_socket_error_get_status(hresult: crate::HResult) -> crate::error::WebErrorStatus {
    crate::error::web_error_get_status(hresult)
}
