//! `MessageWebSocket`: WebSocket messages, received as events (docs/web.md). The connection, its events and errors are core's
//! [`MessageWebSocket`]; this module converts arguments and delivers events as the C ABI does.
//!
//! The members shared with `StreamWebSocket` (IWebSocket) are written out for each class, as every
//! C function names its class; their bodies are one call into core.

use std::ffi::{c_char, c_void};

use netrt_core::ws::MessageWebSocket;

use crate::async_op::{OpResult, issue, start};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::event::{c_handler, netrt_event_handler};
use crate::handle;
use crate::object::{Object, Value, get, get_obj, with_value};
use crate::strings::{str_in, str_in_or_empty};
use crate::web_socket_args::message_args;
use crate::web_socket_args::{closed_args, validation_args};

/// `MessageWebSocket()`: a new, unconnected WebSocket. `out` (not NULL) receives a new reference;
/// releasing the last one closes the socket, as `netrt_close` (`Close()`) does.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_message_web_socket_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::MessageWebSocket(MessageWebSocket::new()))?);
        Ok(())
    })
}

/// `ConnectAsync(Uri)`: the opening handshake with `uri` (a Uri handle, ws:// or wss://),
/// through a proxy and answering authentication challenges as the Control says (docs/web.md).
/// `*out_op` (not NULL) receives an action. Synchronous errors: handle checks, `E_POINTER`,
/// `E_INVALIDARG` (a scheme other than ws/wss), `E_ILLEGAL_METHOD_CALL` (connecting or
/// connected), `RO_E_CLOSED`. Asynchronous errors: the socket's connect errors,
/// certificate errors, `HTTP_E_STATUS_*` (`0x80190000 | status`, e.g. `0x80190191` for 401),
/// `WININET_E_INVALID_SERVER_RESPONSE`, `WININET_E_TIMEOUT` past HandshakeTimeout,
/// `WININET_E_SEC_INVALID_CERT` (rejected in ServerCustomValidationRequested),
/// `0x800703E3` when closed meanwhile; `netrt_web_socket_error_get_status` names them.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_connect_async(
    socket: netrt_handle,
    uri: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_connect_async", {
        let out = Out::new(out_op, "out_op")?;
        let uri = get!(uri, Uri);
        let (keep, ws) = get_obj!(socket, MessageWebSocket);
        out.write(start(async move {
            let _keep = keep;
            ws.connect(&uri).await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

/// `SetRequestHeader(String, String)`: an extra handshake header (`name` and `value` UTF-8,
/// not NULL). Errors: `E_ILLEGAL_METHOD_CALL` once ConnectAsync started; `E_INVALIDARG` for
/// `Host`, `Upgrade`, `Connection`, any `Sec-WebSocket-*` header, or a name or value HTTP
/// forbids; `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_set_request_header(
    socket: netrt_handle,
    header_name: *const c_char,
    header_value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_set_request_header", {
        let name = str_in(header_name, "header_name")?;
        let value = str_in(header_value, "header_value")?;
        with_value!(socket, MessageWebSocket, |ws| ws.set_request_header(name, value))
    })
}

/// `Close(UInt16, String)` (ABI name CloseWithStatus): sends a close frame with `code` and
/// `reason` (UTF-8; NULL is ""), then closes the socket (`netrt_close` is `Close()`, an empty
/// close frame). Errors, synchronous and with nothing sent: `E_INVALIDARG` for a code RFC 6455
/// forbids on the wire (1004, 1005, 1006, 1015, outside 1000–4999) or a reason over 123 UTF-8
/// bytes.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_close_with_status(
    socket: netrt_handle,
    code: u16,
    reason: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_close_with_status", {
        let reason = str_in_or_empty(reason, "reason")?;
        with_value!(socket, MessageWebSocket, |ws| ws.close_with_status(code, reason))
    })
}

/// `Control`: `*out` (not NULL) receives a new MessageWebSocketControl reference (its settings apply
/// to the next ConnectAsync).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_get_control(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_get_control", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::MessageWebSocketControl(with_value!(
            socket,
            MessageWebSocket,
            |ws| ws.control()
        )))?);
        Ok(())
    })
}

/// `Information`: `*out` (not NULL) receives a new MessageWebSocketInformation reference (a live view).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_get_information(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_get_information", {
        let out = Out::new(out, "out")?;
        let information = with_value!(socket, MessageWebSocket, |ws| ws.information());
        out.write(handle::issue_new(Value::MessageWebSocketInformation(information))?);
        Ok(())
    })
}

/// `OutputStream`: `*out` (not NULL) receives a new IOutputStream reference, which keeps the
/// socket alive. Each write (one `netrt_output_stream_write_async`, one DataWriter store) is one message of the
/// Control's current MessageType. Releasing it does not close the socket; `netrt_close` on it
/// does.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_get_output_stream(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_get_output_stream", {
        let out = Out::new(out, "out")?;
        let (owner, ws) = get_obj!(socket, MessageWebSocket);
        out.write(handle::issue(Object::owned(Value::OutputStream(ws.output_stream()), Some(owner)))?);
        Ok(())
    })
}

/// Adds a `Closed` handler; `*out_token` (not NULL) receives its token. `handler` (not NULL)
/// receives the socket and a WebSocketClosedEventArgs handle, both borrowed for the call. It is
/// raised once, when the peer's close frame arrives (also as the answer to Close), never for
/// a connection that just dropped. The handler holds no reference to the socket. Errors:
/// handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_add_closed(
    socket: netrt_handle,
    handler: netrt_event_handler,
    user_data: *mut c_void,
    out_token: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_add_closed", {
        let out = Out::new(out_token, "out_token")?;
        let (obj, ws) = get_obj!(socket, MessageWebSocket);
        out.write(ws.add_closed(c_handler(&obj, handler, user_data, closed_args)?)?);
        Ok(())
    })
}

/// Removes a `Closed` handler by token; unknown tokens are ignored.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_remove_closed(socket: netrt_handle, token: i64) -> netrt_hresult {
    ffi!("netrt_message_web_socket_remove_closed", {
        with_value!(socket, MessageWebSocket, |ws| ws.remove_closed(token));
        Ok(())
    })
}

/// Adds a `ServerCustomValidationRequested` handler (wss:// only); `*out_token` (not NULL)
/// receives its token. `handler` (not NULL) receives the socket and a
/// WebSocketServerCustomValidationRequestedEventArgs handle, both borrowed for the call; it
/// runs after certificate validation passed and before any HTTP is sent. Calling
/// `netrt_web_socket_server_custom_validation_requested_event_args_reject` fails the connect;
/// a Deferral taken from the args makes the connect wait until it is completed or released.
/// Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_add_server_custom_validation_requested(
    socket: netrt_handle,
    handler: netrt_event_handler,
    user_data: *mut c_void,
    out_token: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_add_server_custom_validation_requested", {
        let out = Out::new(out_token, "out_token")?;
        let (obj, ws) = get_obj!(socket, MessageWebSocket);
        out.write(ws.add_server_custom_validation_requested(c_handler(
            &obj,
            handler,
            user_data,
            validation_args,
        )?)?);
        Ok(())
    })
}

/// Removes a `ServerCustomValidationRequested` handler by token; unknown tokens are ignored.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_remove_server_custom_validation_requested(
    socket: netrt_handle,
    token: i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_remove_server_custom_validation_requested", {
        with_value!(socket, MessageWebSocket, |ws| ws.remove_server_custom_validation_requested(token));
        Ok(())
    })
}

/// Adds a `MessageReceived` handler; `*out_token` (not NULL) receives its token. `handler`
/// (not NULL) receives the socket and a MessageWebSocketMessageReceivedEventArgs handle, both
/// borrowed for the call: one event per message, in order. A failure that ends the connection
/// after the connect (an abrupt drop, a protocol violation by the server) arrives as a last
/// event whose `get_data_reader` / `get_data_stream` return that failure. The handler holds no
/// reference to the socket. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_add_message_received(
    socket: netrt_handle,
    handler: netrt_event_handler,
    user_data: *mut c_void,
    out_token: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_add_message_received", {
        let out = Out::new(out_token, "out_token")?;
        let (obj, ws) = get_obj!(socket, MessageWebSocket);
        out.write(ws.add_message_received(c_handler(&obj, handler, user_data, message_args)?)?);
        Ok(())
    })
}

/// Removes a `MessageReceived` handler by token; unknown tokens are ignored.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_remove_message_received(
    socket: netrt_handle,
    token: i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_remove_message_received", {
        with_value!(socket, MessageWebSocket, |ws| ws.remove_message_received(token));
        Ok(())
    })
}

/// netrt extension (docs/web.md "Pull receive"): the next message, read by the operation itself
/// instead of raised as MessageReceived on the dispatcher thread; like a stream read, a receive
/// that has to wait is driven on the thread of `netrt_async_wait` (or by the completion queue it
/// is bound to). `*out_op` (not NULL) receives
/// an operation whose result (`netrt_async_get_results_handle`) is a
/// MessageWebSocketMessageReceivedEventArgs — a message, or the failure that ended the
/// connection (its GetDataReader fails with it). Cancelling it loses no message. Synchronous
/// errors: handle checks, `E_POINTER`, `E_ILLEGAL_METHOD_CALL` (not connected, a MessageReceived
/// handler is registered, or another receive is pending), `RO_E_CLOSED` (closed, or the receive
/// side is over: after the peer's close frame or the failure message). Asynchronous:
/// `RO_E_CLOSED` when Close or the peer's close frame ends it while it waits.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_receive_message_async(
    socket: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_receive_message_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, ws) = get_obj!(socket, MessageWebSocket);
        // Core's receive operation: a blocking wait or a completion queue drives it on the
        // caller's thread.
        let op = ws.start_receive(move |received| {
            let _keep = keep;
            Ok(OpResult::Object(Object::new(message_args(&received?))))
        })?;
        out.write(issue(op)?);
        Ok(())
    })
}

/// Starts sending one frame of `buffer`'s valid bytes (copied when this is called).
fn send_frame(
    socket: netrt_handle,
    buffer: netrt_handle,
    fin: bool,
) -> Result<netrt_handle, netrt_core::Error> {
    let data = get!(buffer, Buffer).to_vec();
    let (keep, ws) = get_obj!(socket, MessageWebSocket);
    start(async move {
        let _keep = keep;
        let sent =
            if fin { ws.send_final_frame(&data).await? } else { ws.send_nonfinal_frame(&data).await? };
        Ok(OpResult::U32(sent))
    })
}

/// `SendNonfinalFrameAsync(IBuffer)`: sends `buffer`'s valid bytes as a frame of a message that
/// goes on (FIN = 0); the first frame's opcode follows the Control's MessageType, the rest are
/// continuations. `*out_op` (not NULL) receives an operation whose uint32 result
/// (`netrt_async_get_results_uint32`) is the number of bytes sent. Synchronous errors: handle
/// checks, `E_POINTER`, `E_ILLEGAL_METHOD_CALL` (not connected), `RO_E_CLOSED`. Asynchronous:
/// `0x80070459` for a Utf8 message that is not UTF-8, the connection's failure.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_send_nonfinal_frame_async(
    socket: netrt_handle,
    buffer: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_send_nonfinal_frame_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(send_frame(socket, buffer, false)?);
        Ok(())
    })
}

/// `SendFinalFrameAsync(IBuffer)`: the last frame of a message (FIN = 1), or a whole message
/// when no frame of it was sent yet. Otherwise as
/// `netrt_message_web_socket_send_nonfinal_frame_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_send_final_frame_async(
    socket: netrt_handle,
    buffer: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_send_final_frame_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(send_frame(socket, buffer, true)?);
        Ok(())
    })
}
