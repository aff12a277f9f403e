//! `StreamSocketListener`, its Control, Information and ConnectionReceived event.

use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex};

use netrt_core::net::{SocketProtectionLevel, SocketQualityOfService, StreamSocket, StreamSocketListener};

use crate::async_op::{OpResult, start};
use crate::boundary::{Out, netrt_handle, netrt_hresult, null};
use crate::enums::netrt_socket_quality_of_service;
use crate::event::{UserData, deliver, netrt_event_handler};
use crate::handle;
use crate::host_name::host_opt;
use crate::object::{Object, Value, get, get_obj};
use crate::strings::{str_in_or_empty, str_out};

/// The object behind a ConnectionReceived args handle.
pub struct ConnectionArgs {
    socket: StreamSocket,
    /// The socket's C object, made once so every `get_socket` refers to the same object.
    object: Mutex<Option<Arc<Object>>>,
}

/// `StreamSocketListener()`. `out` (not NULL) receives a new reference; releasing the last
/// one closes the listener.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::StreamSocketListener(StreamSocketListener::new()))?);
        Ok(())
    })
}

/// `BindServiceNameAsync(localServiceName)`: listens on every local interface, IPv4 and IPv6
/// (dual-stack where available), with SO_REUSEADDR. `local_service_name`: a port number or
/// service name; NULL or "" picks an ephemeral port (read it from the Information's LocalPort).
/// `*out_op` receives an action. Attach ConnectionReceived handlers first: connections accepted
/// while none is attached are closed. Synchronous errors: handle checks, `E_POINTER`,
/// `0x8007277D` (unknown service), `E_ILLEGAL_METHOD_CALL` (already bound), `RO_E_CLOSED`;
/// asynchronous: the bind error (`0x80072740` AddressAlreadyInUse, ...).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_bind_service_name_async(
    listener: netrt_handle,
    local_service_name: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_bind_service_name_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, l) = get_obj!(listener, StreamSocketListener);
        let service = str_in_or_empty(local_service_name, "local_service_name")?.to_owned();
        out.write(start(async move {
            let _keep = keep;
            l.bind_service_name(&service).await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

/// `BindServiceNameAsync(localServiceName, protectionLevel)`: PlainSocket, or (netrt extension)
/// a TLS level when the Control's ServerCertificate is set — accepted sockets then complete a
/// TLS server handshake (asking for a client certificate per ClientCertificateMode) before
/// ConnectionReceived is raised. A TLS level without a server certificate, Bluetooth levels
/// and unknown values are `E_INVALIDARG`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_bind_service_name_with_protection_level_async(
    listener: netrt_handle,
    local_service_name: *const c_char,
    protection_level: i32,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_bind_service_name_with_protection_level_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, l) = get_obj!(listener, StreamSocketListener);
        let service = str_in_or_empty(local_service_name, "local_service_name")?.to_owned();
        let level = SocketProtectionLevel::from_raw(protection_level)?;
        out.write(start(async move {
            let _keep = keep;
            l.bind_service_name_with_protection_level(&service, level).await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

/// `BindEndpointAsync(localHostName, localServiceName)`: `local_host_name` a HostName handle,
/// or 0 for every local address; service as `_bind_service_name_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_bind_endpoint_async(
    listener: netrt_handle,
    local_host_name: netrt_handle,
    local_service_name: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_bind_endpoint_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, l) = get_obj!(listener, StreamSocketListener);
        let host = host_opt(local_host_name)?;
        let service = str_in_or_empty(local_service_name, "local_service_name")?.to_owned();
        out.write(start(async move {
            let _keep = keep;
            l.bind_endpoint(host.as_ref(), &service).await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

/// netrt extension `BindEndpointAsync(localHostName, localServiceName, protectionLevel)`: binds
/// one local address (`local_host_name` a HostName handle, or 0 for every local address, as
/// `_bind_service_name_with_protection_level_async`) with PlainSocket or, when the Control's
/// ServerCertificate is set, a TLS level — a TLS server reachable on 127.0.0.1 only, say.
/// Accepted sockets complete the TLS server handshake within the Control's
/// TlsHandshakeTimeout before ConnectionReceived is raised. Synchronous errors as
/// `_bind_service_name_with_protection_level_async` (a TLS level without a server certificate,
/// Bluetooth levels and unknown values are `E_INVALIDARG`); asynchronous: the resolver's error,
/// the bind error.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_bind_endpoint_with_protection_level_async(
    listener: netrt_handle,
    local_host_name: netrt_handle,
    local_service_name: *const c_char,
    protection_level: i32,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_bind_endpoint_with_protection_level_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, l) = get_obj!(listener, StreamSocketListener);
        let host = host_opt(local_host_name)?;
        let service = str_in_or_empty(local_service_name, "local_service_name")?.to_owned();
        let level = SocketProtectionLevel::from_raw(protection_level)?;
        out.write(start(async move {
            let _keep = keep;
            l.bind_endpoint_with_protection_level(host.as_ref(), &service, level).await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

/// `CancelIOAsync()`: a listener has nothing pending; completes at once (`RO_E_CLOSED` when
/// closed).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_cancel_io_async(
    listener: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_cancel_io_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, l) = get_obj!(listener, StreamSocketListener);
        out.write(start(async move {
            let _keep = keep;
            l.cancel_io().await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

/// Adds a `ConnectionReceived` handler; `*out_token` (not NULL) receives its token (never 0).
///
/// `handler` must not be NULL; `user_data` is passed back untouched. The handler receives the
/// listener and a StreamSocketListenerConnectionReceivedEventArgs handle, both borrowed for the
/// call; `netrt_stream_socket_listener_connection_received_event_args_get_socket` gives the
/// accepted socket as a new reference — not taking it closes the connection. The handler
/// holds no reference to the listener: it stops when the listener is released or closed.
/// Errors: handle checks, `E_POINTER`, `RO_E_CLOSED` when the listener is closed (Close
/// removes every handler).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_add_connection_received(
    listener: netrt_handle,
    handler: netrt_event_handler,
    user_data: *mut c_void,
    out_token: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_add_connection_received", {
        let out = Out::new(out_token, "out_token")?;
        let cb = handler.ok_or_else(|| null("handler"))?;
        let (obj, l) = get_obj!(listener, StreamSocketListener);
        let sender = Arc::downgrade(&obj);
        let data = UserData(user_data);
        let token = l.add_connection_received(Arc::new(move |_listener, args| {
            // One C args object per connection, shared by every handler: the socket object they
            // take is then one object, and one handler releasing it cannot close it under another.
            let made = args.projection(|| ConnectionArgs { socket: args.socket(), object: Mutex::new(None) });
            if let Some(shared) = made {
                deliver(cb, data, &sender, Value::ConnectionReceivedEventArgs(shared));
            }
        }))?;
        out.write(token);
        Ok(())
    })
}

/// Removes a `ConnectionReceived` handler by token; unknown tokens are ignored (as WinRT).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_remove_connection_received(
    listener: netrt_handle,
    token: i64,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_remove_connection_received", {
        get!(listener, StreamSocketListener).remove_connection_received(token);
        Ok(())
    })
}

/// `StreamSocketListenerConnectionReceivedEventArgs.Socket`: `*out` (not NULL) receives a new
/// reference to the accepted StreamSocket. Every call refers to the same socket object.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_connection_received_event_args_get_socket(
    args: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_connection_received_event_args_get_socket", {
        let out = Out::new(out, "out")?;
        let a = get!(args, ConnectionReceivedEventArgs);
        let obj = a
            .object
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(|| Object::new(Value::StreamSocket(a.socket.clone())))
            .clone();
        out.write(handle::issue(obj)?);
        Ok(())
    })
}

/// `Control`: a new StreamSocketListenerControl reference (settings apply to accepted
/// sockets; set them before binding).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_get_control(
    listener: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_get_control", {
        let out = Out::new(out, "out")?;
        let l = get!(listener, StreamSocketListener);
        out.write(handle::issue_new(Value::StreamSocketListenerControl(l.control()))?);
        Ok(())
    })
}

/// `Information`: a new StreamSocketListenerInformation reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_get_information(
    listener: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_get_information", {
        let out = Out::new(out, "out")?;
        let l = get!(listener, StreamSocketListener);
        out.write(handle::issue_new(Value::StreamSocketListenerInformation(l.information()))?);
        Ok(())
    })
}

/// `StreamSocketListenerInformation.LocalPort` ("" before bind). String out: NUL-terminated into
/// `buf`/`len`; `*needed` (not NULL) always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_information_get_local_port(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_information_get_local_port", {
        str_out(&get!(information, StreamSocketListenerInformation).local_port(), buf, len, needed)
    })
}

/// `StreamSocketListenerControl.NoDelay` (get; default true).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_get_no_delay(
    control: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_get_no_delay", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketListenerControl).no_delay());
        Ok(())
    })
}

/// `StreamSocketListenerControl.NoDelay` (set; before bind, else `E_ILLEGAL_METHOD_CALL`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_set_no_delay(
    control: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_set_no_delay", {
        get!(control, StreamSocketListenerControl).set_no_delay(value)
    })
}

/// `StreamSocketListenerControl.KeepAlive` (get; default false).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_get_keep_alive(
    control: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_get_keep_alive", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketListenerControl).keep_alive());
        Ok(())
    })
}

/// `StreamSocketListenerControl.KeepAlive` (set; before bind).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_set_keep_alive(
    control: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_set_keep_alive", {
        get!(control, StreamSocketListenerControl).set_keep_alive(value)
    })
}

/// `StreamSocketListenerControl.OutboundBufferSizeInBytes` (get).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_get_outbound_buffer_size_in_bytes(
    control: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_get_outbound_buffer_size_in_bytes", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketListenerControl).outbound_buffer_size_in_bytes());
        Ok(())
    })
}

/// `StreamSocketListenerControl.OutboundBufferSizeInBytes` (set; before bind).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_set_outbound_buffer_size_in_bytes(
    control: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_set_outbound_buffer_size_in_bytes", {
        get!(control, StreamSocketListenerControl).set_outbound_buffer_size_in_bytes(value)
    })
}

/// `StreamSocketListenerControl.QualityOfService` (get).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_get_quality_of_service(
    control: netrt_handle,
    out_value: *mut netrt_socket_quality_of_service,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_get_quality_of_service", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketListenerControl).quality_of_service().into());
        Ok(())
    })
}

/// `StreamSocketListenerControl.QualityOfService` (set; a `netrt_socket_quality_of_service`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_set_quality_of_service(
    control: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_set_quality_of_service", {
        let c = get!(control, StreamSocketListenerControl);
        c.set_quality_of_service(SocketQualityOfService::from_raw(value)?)
    })
}

/// `StreamSocketListenerControl.OutboundUnicastHopLimit` (get; default 128).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_get_outbound_unicast_hop_limit(
    control: netrt_handle,
    out_value: *mut u8,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_get_outbound_unicast_hop_limit", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketListenerControl).outbound_unicast_hop_limit());
        Ok(())
    })
}

/// `StreamSocketListenerControl.OutboundUnicastHopLimit` (set; 0 is `E_INVALIDARG`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_set_outbound_unicast_hop_limit(
    control: netrt_handle,
    value: u8,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_set_outbound_unicast_hop_limit", {
        get!(control, StreamSocketListenerControl).set_outbound_unicast_hop_limit(value)
    })
}
