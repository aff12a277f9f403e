//! `DatagramSocket`, its Control, Information and MessageReceived event.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use netrt_core::net::{DatagramSocket, EndpointPair, HostName, SocketQualityOfService};

use crate::async_op::{OpResult, start};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::netrt_socket_quality_of_service;
use crate::event::{c_handler, netrt_event_handler};
use crate::handle;
use crate::host_name::{host_opt, issue_opt};
use crate::object::{Object, Value, get, get_obj};
use crate::strings::{data_out, str_in, str_in_or_empty, str_out};

/// The object behind a MessageReceived args handle: a copy of one datagram.
pub struct MessageArgs {
    data: Vec<u8>,
    remote: HostName,
    remote_port: String,
    local: HostName,
}

/// The C args object of a MessageReceived event: a copy of the datagram.
fn message_args(args: &netrt_core::net::DatagramSocketMessageReceivedEventArgs) -> Value {
    Value::MessageReceivedEventArgs(Arc::new(MessageArgs {
        data: args.data().to_vec(),
        remote: args.remote_address(),
        remote_port: args.remote_port(),
        local: args.local_address(),
    }))
}

/// `DatagramSocket()`. `out` (not NULL) receives a new reference; releasing the last one
/// closes the socket.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_datagram_socket_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::DatagramSocket(DatagramSocket::new()))?);
        Ok(())
    })
}

fn action(
    socket: netrt_handle,
    f: impl FnOnce(
        DatagramSocket,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = netrt_core::Result<()>> + Send>>,
) -> Result<netrt_handle, netrt_core::Error> {
    let (keep, s) = get_obj!(socket, DatagramSocket);
    let fut = f(s);
    start(async move {
        let _keep = keep;
        fut.await?;
        Ok(OpResult::Unit)
    })
}

/// `BindServiceNameAsync(localServiceName)`: every interface (dual-stack); NULL or "" picks an
/// ephemeral port. `*out_op` receives an action. Attach MessageReceived handlers first.
/// Synchronous errors: handle checks, `E_POINTER`, `0x8007277D`, `E_ILLEGAL_METHOD_CALL`
/// (already bound), `RO_E_CLOSED`; asynchronous: the bind error.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_bind_service_name_async(
    socket: netrt_handle,
    local_service_name: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_bind_service_name_async", {
        let out = Out::new(out_op, "out_op")?;
        let service = str_in_or_empty(local_service_name, "local_service_name")?.to_owned();
        out.write(action(socket, move |s| Box::pin(async move { s.bind_service_name(&service).await }))?);
        Ok(())
    })
}

/// `BindEndpointAsync(localHostName, localServiceName)`: host 0 = every local address.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_bind_endpoint_async(
    socket: netrt_handle,
    local_host_name: netrt_handle,
    local_service_name: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_bind_endpoint_async", {
        let out = Out::new(out_op, "out_op")?;
        let host = host_opt(local_host_name)?;
        let service = str_in_or_empty(local_service_name, "local_service_name")?.to_owned();
        out.write(action(socket, move |s| {
            Box::pin(async move { s.bind_endpoint(host.as_ref(), &service).await })
        })?);
        Ok(())
    })
}

/// `ConnectAsync(HostName, String)`: fixes the default destination (for the OutputStream) and
/// filters incoming datagrams to that remote; binds an ephemeral port first if needed.
/// `remote_service_name` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_connect_async(
    socket: netrt_handle,
    remote_host_name: netrt_handle,
    remote_service_name: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_connect_async", {
        let out = Out::new(out_op, "out_op")?;
        let host = get!(remote_host_name, HostName);
        let service = str_in(remote_service_name, "remote_service_name")?.to_owned();
        out.write(action(socket, move |s| Box::pin(async move { s.connect(&host, &service).await }))?);
        Ok(())
    })
}

/// `ConnectAsync(EndpointPair)`: the pair is read when this is called.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_connect_with_endpoint_pair_async(
    socket: netrt_handle,
    endpoint_pair: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_connect_with_endpoint_pair_async", {
        let out = Out::new(out_op, "out_op")?;
        let pair: EndpointPair = get!(endpoint_pair, EndpointPair);
        out.write(action(socket, move |s| {
            Box::pin(async move { s.connect_with_endpoint_pair(&pair).await })
        })?);
        Ok(())
    })
}

/// `GetOutputStreamAsync(HostName, String)`: an operation whose result
/// (`netrt_async_get_results_handle`) is an OutputStream whose writes are datagrams to that
/// destination (it keeps the socket alive). Binds an ephemeral port first if needed.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_get_output_stream_async(
    socket: netrt_handle,
    remote_host_name: netrt_handle,
    remote_service_name: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_get_output_stream_async", {
        let out = Out::new(out_op, "out_op")?;
        let (owner, s) = get_obj!(socket, DatagramSocket);
        let host = get!(remote_host_name, HostName);
        let service = str_in(remote_service_name, "remote_service_name")?.to_owned();
        out.write(start(async move {
            let stream = s.get_output_stream(&host, &service).await?;
            Ok(OpResult::Object(Object::owned(Value::OutputStream(stream), Some(owner))))
        })?);
        Ok(())
    })
}

/// `GetOutputStreamAsync(EndpointPair)`: as `netrt_datagram_socket_get_output_stream_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_get_output_stream_with_endpoint_pair_async(
    socket: netrt_handle,
    endpoint_pair: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_get_output_stream_with_endpoint_pair_async", {
        let out = Out::new(out_op, "out_op")?;
        let (owner, s) = get_obj!(socket, DatagramSocket);
        let pair: EndpointPair = get!(endpoint_pair, EndpointPair);
        out.write(start(async move {
            let stream = s.get_output_stream_with_endpoint_pair(&pair).await?;
            Ok(OpResult::Object(Object::owned(Value::OutputStream(stream), Some(owner))))
        })?);
        Ok(())
    })
}

/// `OutputStream`: a new OutputStream reference whose writes go to the connected remote (one
/// datagram per write; `E_ILLEGAL_METHOD_CALL` when written before ConnectAsync).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_get_output_stream(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_get_output_stream", {
        let out = Out::new(out, "out")?;
        let (owner, s) = get_obj!(socket, DatagramSocket);
        out.write(handle::issue(Object::owned(Value::OutputStream(s.output_stream()), Some(owner)))?);
        Ok(())
    })
}

/// `JoinMulticastGroup(HostName)`: after bind, on the default interface. Errors: handle checks,
/// `RO_E_CLOSED` (closed), `E_ILLEGAL_METHOD_CALL` (not bound), `E_INVALIDARG` (not a
/// multicast address), the OS error.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_join_multicast_group(
    socket: netrt_handle,
    host: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_join_multicast_group", {
        let s = get!(socket, DatagramSocket);
        s.join_multicast_group(&get!(host, HostName))
    })
}

/// `CancelIOAsync()`: datagram sends complete at once; completes at once. Errors: handle
/// checks, `E_POINTER`, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_cancel_io_async(
    socket: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_cancel_io_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(action(socket, |s| Box::pin(async move { s.cancel_io().await }))?);
        Ok(())
    })
}

/// Adds a `MessageReceived` handler; `*out_token` (not NULL) receives its token.
///
/// `handler` must not be NULL. It receives the socket and a
/// DatagramSocketMessageReceivedEventArgs handle, both borrowed for the call; read the datagram
/// with `netrt_datagram_socket_message_received_event_args_get_data`. Attach before bind or
/// connect. The handler holds no reference to the socket. Errors: handle checks, `E_POINTER`,
/// `RO_E_CLOSED` when the socket is closed (Close removes every handler).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_add_message_received(
    socket: netrt_handle,
    handler: netrt_event_handler,
    user_data: *mut c_void,
    out_token: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_add_message_received", {
        let out = Out::new(out_token, "out_token")?;
        let (obj, s) = get_obj!(socket, DatagramSocket);
        out.write(s.add_message_received(c_handler(&obj, handler, user_data, message_args)?)?);
        Ok(())
    })
}

/// Removes a `MessageReceived` handler by token; unknown tokens are ignored.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_remove_message_received(
    socket: netrt_handle,
    token: i64,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_remove_message_received", {
        get!(socket, DatagramSocket).remove_message_received(token);
        Ok(())
    })
}

/// The datagram's bytes (what GetDataReader reads), copied into `buf`/`len` without a
/// terminator. `*needed` (not NULL) always receives the datagram's size; too small →
/// `0x8007007A` with only `*needed` written; `buf` may be NULL when `len` is 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_message_received_event_args_get_data(
    args: netrt_handle,
    buf: *mut u8,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_message_received_event_args_get_data", {
        data_out(&get!(args, MessageReceivedEventArgs).data, buf, len, needed)
    })
}

/// `RemoteAddress`: a new HostName reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_message_received_event_args_get_remote_address(
    args: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_message_received_event_args_get_remote_address", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(Some(get!(args, MessageReceivedEventArgs).remote.clone()))?);
        Ok(())
    })
}

/// `RemotePort`. String out: NUL-terminated into `buf`/`len`; `*needed` always set.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_message_received_event_args_get_remote_port(
    args: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_message_received_event_args_get_remote_port", {
        str_out(&get!(args, MessageReceivedEventArgs).remote_port, buf, len, needed)
    })
}

/// `LocalAddress` (the socket's bound address): a new HostName reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_message_received_event_args_get_local_address(
    args: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_message_received_event_args_get_local_address", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(Some(get!(args, MessageReceivedEventArgs).local.clone()))?);
        Ok(())
    })
}

/// `Control`: a new DatagramSocketControl reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_get_control(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_get_control", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::DatagramSocketControl(get!(socket, DatagramSocket).control()))?);
        Ok(())
    })
}

/// `Information`: a new DatagramSocketInformation reference (a live view).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_get_information(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_get_information", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::DatagramSocketInformation(
            get!(socket, DatagramSocket).information(),
        ))?);
        Ok(())
    })
}

/// `DatagramSocketInformation.LocalAddress`: a new HostName reference, or 0 before bind.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_information_get_local_address(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_information_get_local_address", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(information, DatagramSocketInformation).local_address())?);
        Ok(())
    })
}

/// `DatagramSocketInformation.LocalPort` ("" before bind). String out as usual.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_information_get_local_port(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_information_get_local_port", {
        str_out(&get!(information, DatagramSocketInformation).local_port(), buf, len, needed)
    })
}

/// `DatagramSocketInformation.RemoteAddress`: a new HostName reference, or 0 before connect.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_information_get_remote_address(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_information_get_remote_address", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(information, DatagramSocketInformation).remote_address())?);
        Ok(())
    })
}

/// `DatagramSocketInformation.RemotePort` ("" before connect). String out as usual.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_information_get_remote_port(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_information_get_remote_port", {
        str_out(&get!(information, DatagramSocketInformation).remote_port(), buf, len, needed)
    })
}

/// `DatagramSocketControl.DontFragment` (get; default false).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_get_dont_fragment(
    control: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_get_dont_fragment", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, DatagramSocketControl).dont_fragment());
        Ok(())
    })
}

/// `DatagramSocketControl.DontFragment` (set; before bind, else `E_ILLEGAL_METHOD_CALL`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_set_dont_fragment(
    control: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_set_dont_fragment", {
        get!(control, DatagramSocketControl).set_dont_fragment(value)
    })
}

/// `DatagramSocketControl.InboundBufferSizeInBytes` (get; SO_RCVBUF).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_get_inbound_buffer_size_in_bytes(
    control: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_get_inbound_buffer_size_in_bytes", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, DatagramSocketControl).inbound_buffer_size_in_bytes());
        Ok(())
    })
}

/// `DatagramSocketControl.InboundBufferSizeInBytes` (set; before bind).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_set_inbound_buffer_size_in_bytes(
    control: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_set_inbound_buffer_size_in_bytes", {
        get!(control, DatagramSocketControl).set_inbound_buffer_size_in_bytes(value)
    })
}

/// `DatagramSocketControl.MulticastOnly` (get; default false).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_get_multicast_only(
    control: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_get_multicast_only", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, DatagramSocketControl).multicast_only());
        Ok(())
    })
}

/// `DatagramSocketControl.MulticastOnly` (set; before bind).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_set_multicast_only(
    control: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_set_multicast_only", {
        get!(control, DatagramSocketControl).set_multicast_only(value)
    })
}

/// `DatagramSocketControl.QualityOfService` (get).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_get_quality_of_service(
    control: netrt_handle,
    out_value: *mut netrt_socket_quality_of_service,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_get_quality_of_service", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, DatagramSocketControl).quality_of_service().into());
        Ok(())
    })
}

/// `DatagramSocketControl.QualityOfService` (set; a `netrt_socket_quality_of_service`; before bind).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_set_quality_of_service(
    control: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_set_quality_of_service", {
        let c = get!(control, DatagramSocketControl);
        c.set_quality_of_service(SocketQualityOfService::from_raw(value)?)
    })
}

/// `DatagramSocketControl.OutboundUnicastHopLimit` (get; default 128).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_get_outbound_unicast_hop_limit(
    control: netrt_handle,
    out_value: *mut u8,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_get_outbound_unicast_hop_limit", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, DatagramSocketControl).outbound_unicast_hop_limit());
        Ok(())
    })
}

/// `DatagramSocketControl.OutboundUnicastHopLimit` (set; 0 is `E_INVALIDARG`; may change after
/// bind).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_control_set_outbound_unicast_hop_limit(
    control: netrt_handle,
    value: u8,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_control_set_outbound_unicast_hop_limit", {
        get!(control, DatagramSocketControl).set_outbound_unicast_hop_limit(value)
    })
}
