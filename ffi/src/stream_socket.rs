//! `StreamSocket`, `StreamSocketControl`, `StreamSocketInformation`.

use std::ffi::c_char;

use netrt_core::foundation::TimeSpan;
use netrt_core::net::{SocketProtectionLevel, SocketQualityOfService, StreamSocket};

use crate::async_op::{OpResult, start};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::{netrt_socket_protection_level, netrt_socket_quality_of_service};
use crate::handle;
use crate::host_name::issue_opt;
use crate::object::{Object, Value, get, get_obj};
use crate::strings::{str_in, str_out};

/// `RoundTripTimeStatistics` (microseconds), from Linux TCP_INFO.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct netrt_round_trip_time_statistics {
    /// RTT variance.
    pub variance: u32,
    /// Largest RTT seen.
    pub max: u32,
    /// Smallest RTT seen.
    pub min: u32,
    /// Sum of the RTT samples taken.
    pub sum: u32,
}

/// `BandwidthStatistics` (bits per second), from Linux TCP_INFO.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct netrt_bandwidth_statistics {
    /// Estimated outbound bandwidth.
    pub outbound_bits_per_second: u64,
    /// Estimated inbound bandwidth.
    pub inbound_bits_per_second: u64,
    /// Outbound estimate instability.
    pub outbound_bits_per_second_instability: u64,
    /// Inbound estimate instability.
    pub inbound_bits_per_second_instability: u64,
    /// Whether outbound bandwidth appears to have peaked.
    pub outbound_bandwidth_peaked: bool,
    /// Whether inbound bandwidth appears to have peaked.
    pub inbound_bandwidth_peaked: bool,
}

impl From<netrt_core::net::BandwidthStatistics> for netrt_bandwidth_statistics {
    fn from(s: netrt_core::net::BandwidthStatistics) -> Self {
        Self {
            outbound_bits_per_second: s.outbound_bits_per_second,
            inbound_bits_per_second: s.inbound_bits_per_second,
            outbound_bits_per_second_instability: s.outbound_bits_per_second_instability,
            inbound_bits_per_second_instability: s.inbound_bits_per_second_instability,
            outbound_bandwidth_peaked: s.outbound_bandwidth_peaked,
            inbound_bandwidth_peaked: s.inbound_bandwidth_peaked,
        }
    }
}

/// `StreamSocket()`: a new, unconnected TCP socket. `out` (not NULL) receives a new reference.
/// Releasing the last reference closes the socket. Errors: `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_stream_socket_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::StreamSocket(StreamSocket::new()))?);
        Ok(())
    })
}

/// Connects `socket` per `pair` and `level` as an operation (an IAsyncAction).
fn connect_op(
    socket: netrt_handle,
    pair: netrt_core::net::EndpointPair,
    level: SocketProtectionLevel,
) -> Result<netrt_handle, netrt_core::Error> {
    let (keep, sock) = get_obj!(socket, StreamSocket);
    start(async move {
        let _keep = keep;
        sock.connect_with_endpoint_pair_and_protection_level(&pair, level).await?;
        Ok(OpResult::Unit)
    })
}

fn remote_pair(
    host: netrt_handle,
    service: *const c_char,
) -> Result<netrt_core::net::EndpointPair, netrt_core::Error> {
    let host = get!(host, HostName);
    let service = str_in(service, "remote_service_name")?;
    Ok(netrt_core::net::EndpointPair::new(None, "", Some(host), service))
}

/// `ConnectAsync(HostName, String)`: plain TCP to every resolved address until one answers.
///
/// `remote_host_name` is a HostName handle; `remote_service_name` a port number or service
/// name (UTF-8, not NULL, not empty). `*out_op` receives an operation (an action: read its
/// outcome with `netrt_async_get_results`). Synchronous errors (no operation is created):
/// handle checks, `E_POINTER`, `E_INVALIDARG` (empty service), `0x8007277D` (unknown service
/// name), `E_ILLEGAL_METHOD_CALL` (already connected or connecting), `RO_E_CLOSED`.
/// Asynchronous errors (status Error): resolver failures (HostNotFound, ...), the connect error
/// (`0x8007274D` ConnectionRefused, `0x8007274C` ConnectionTimedOut, ...), `0x800703E3` when
/// closed or CancelIOAsync'd meanwhile. Cancelling the operation aborts the attempt.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_connect_async(
    socket: netrt_handle,
    remote_host_name: netrt_handle,
    remote_service_name: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_connect_async", {
        let out = Out::new(out_op, "out_op")?;
        let pair = remote_pair(remote_host_name, remote_service_name)?;
        out.write(connect_op(socket, pair, SocketProtectionLevel::PlainSocket)?);
        Ok(())
    })
}

/// `ConnectAsync(HostName, String, SocketProtectionLevel)` (ABI name
/// ConnectWithProtectionLevelAsync): TCP, then TLS per `protection_level` (a
/// `netrt_socket_protection_level`; unknown values, Bluetooth levels and
/// Ssl3AllowWeakEncryption: `E_INVALIDARG`), validating the server certificate for
/// `remote_host_name` with the Control's TLS settings. Certificate and TLS failures as
/// `netrt_stream_socket_connect_with_endpoint_pair_and_protection_level_async`; otherwise as
/// `netrt_stream_socket_connect_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_connect_with_protection_level_async(
    socket: netrt_handle,
    remote_host_name: netrt_handle,
    remote_service_name: *const c_char,
    protection_level: i32,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_connect_with_protection_level_async", {
        let out = Out::new(out_op, "out_op")?;
        let pair = remote_pair(remote_host_name, remote_service_name)?;
        let level = SocketProtectionLevel::from_raw(protection_level)?;
        out.write(connect_op(socket, pair, level)?);
        Ok(())
    })
}

/// `ConnectAsync(EndpointPair)`: `endpoint_pair` is an EndpointPair handle (its remote host is
/// required; a null local host lets the system choose; an empty local service is ephemeral).
/// The pair is read when this is called. Otherwise as `netrt_stream_socket_connect_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_connect_with_endpoint_pair_async(
    socket: netrt_handle,
    endpoint_pair: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_connect_with_endpoint_pair_async", {
        let out = Out::new(out_op, "out_op")?;
        let pair = get!(endpoint_pair, EndpointPair);
        out.write(connect_op(socket, pair, SocketProtectionLevel::PlainSocket)?);
        Ok(())
    })
}

/// `CancelIOAsync()`: every pending read, write and connect on the socket completes with
/// `0x800703E3`; the socket stays usable. `*out_op` receives an action that completes once they
/// have. Errors: handle checks, `E_POINTER`, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_cancel_io_async(
    socket: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_cancel_io_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, sock) = get_obj!(socket, StreamSocket);
        out.write(start(async move {
            let _keep = keep;
            sock.cancel_io().await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

/// `Control`: `*out` receives a new StreamSocketControl reference (settings apply before
/// connect). Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_get_control(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_get_control", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::StreamSocketControl(get!(socket, StreamSocket).control()))?);
        Ok(())
    })
}

/// `Information`: `*out` receives a new StreamSocketInformation reference (a live view).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_get_information(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_get_information", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::StreamSocketInformation(
            get!(socket, StreamSocket).information(),
        ))?);
        Ok(())
    })
}

/// `InputStream`: `*out` receives a new IInputStream reference, which keeps the socket alive.
/// Releasing it does not close the socket; `netrt_close` on it does (as in WinRT).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_get_input_stream(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_get_input_stream", {
        let out = Out::new(out, "out")?;
        let (owner, sock) = get_obj!(socket, StreamSocket);
        out.write(handle::issue(Object::owned(Value::InputStream(sock.input_stream()), Some(owner)))?);
        Ok(())
    })
}

/// `OutputStream`: `*out` receives a new IOutputStream reference, which keeps the socket alive.
/// Releasing it does not close the socket; `netrt_close` on it does (as in WinRT).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_get_output_stream(
    socket: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_get_output_stream", {
        let out = Out::new(out, "out")?;
        let (owner, sock) = get_obj!(socket, StreamSocket);
        out.write(handle::issue(Object::owned(Value::OutputStream(sock.output_stream()), Some(owner)))?);
        Ok(())
    })
}

// ---- StreamSocketControl ----------------------------------------------------------------

/// `StreamSocketControl.NoDelay` (get; default true). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_no_delay(
    control: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_no_delay", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketControl).no_delay());
        Ok(())
    })
}

/// `StreamSocketControl.NoDelay` (set). After connect: `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_no_delay(
    control: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_no_delay", {
        get!(control, StreamSocketControl).set_no_delay(value)
    })
}

/// `StreamSocketControl.KeepAlive` (get; default false). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_keep_alive(
    control: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_keep_alive", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketControl).keep_alive());
        Ok(())
    })
}

/// `StreamSocketControl.KeepAlive` (set). After connect: `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_keep_alive(
    control: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_keep_alive", {
        get!(control, StreamSocketControl).set_keep_alive(value)
    })
}

/// `StreamSocketControl.OutboundBufferSizeInBytes` (get; SO_SNDBUF, the system default until
/// set). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_outbound_buffer_size_in_bytes(
    control: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_outbound_buffer_size_in_bytes", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketControl).outbound_buffer_size_in_bytes());
        Ok(())
    })
}

/// `StreamSocketControl.OutboundBufferSizeInBytes` (set). After connect: `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_outbound_buffer_size_in_bytes(
    control: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_outbound_buffer_size_in_bytes", {
        get!(control, StreamSocketControl).set_outbound_buffer_size_in_bytes(value)
    })
}

/// `StreamSocketControl.QualityOfService` (get). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_quality_of_service(
    control: netrt_handle,
    out_value: *mut netrt_socket_quality_of_service,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_quality_of_service", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketControl).quality_of_service().into());
        Ok(())
    })
}

/// `StreamSocketControl.QualityOfService` (set): a `netrt_socket_quality_of_service` value
/// (others: `E_INVALIDARG`). After connect: `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_quality_of_service(
    control: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_quality_of_service", {
        let c = get!(control, StreamSocketControl);
        c.set_quality_of_service(SocketQualityOfService::from_raw(value)?)
    })
}

/// `StreamSocketControl.OutboundUnicastHopLimit` (get; default 128). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_outbound_unicast_hop_limit(
    control: netrt_handle,
    out_value: *mut u8,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_outbound_unicast_hop_limit", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketControl).outbound_unicast_hop_limit());
        Ok(())
    })
}

/// `StreamSocketControl.OutboundUnicastHopLimit` (set; 0 is `E_INVALIDARG`). After connect:
/// `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_outbound_unicast_hop_limit(
    control: netrt_handle,
    value: u8,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_outbound_unicast_hop_limit", {
        get!(control, StreamSocketControl).set_outbound_unicast_hop_limit(value)
    })
}

/// `StreamSocketControl.SerializeConnectionAttempts` (get; default false). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_serialize_connection_attempts(
    control: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_serialize_connection_attempts", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketControl).serialize_connection_attempts());
        Ok(())
    })
}

/// `StreamSocketControl.SerializeConnectionAttempts` (set). After connect: `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_serialize_connection_attempts(
    control: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_serialize_connection_attempts", {
        get!(control, StreamSocketControl).set_serialize_connection_attempts(value)
    })
}

/// netrt extension `StreamSocketControl.ConnectTimeout` (get): TimeSpan in 100-ns ticks, 0 =
/// the system's TCP connect timeout. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_connect_timeout(
    control: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_connect_timeout", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketControl).connect_timeout().duration);
        Ok(())
    })
}

/// netrt extension `StreamSocketControl.ConnectTimeout` (set): 100-ns ticks; negative is
/// `E_INVALIDARG`; after connect `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_connect_timeout(
    control: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_connect_timeout", {
        get!(control, StreamSocketControl).set_connect_timeout(TimeSpan { duration: value })
    })
}

// ---- StreamSocketInformation ------------------------------------------------------------

/// `StreamSocketInformation.LocalAddress`: a new HostName reference, or 0 before connect.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_local_address(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_local_address", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(information, StreamSocketInformation).local_address())?);
        Ok(())
    })
}

/// `StreamSocketInformation.LocalPort` ("" before connect). String out: NUL-terminated into
/// `buf`/`len`; `*needed` (not NULL) always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_local_port(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_local_port", {
        str_out(&get!(information, StreamSocketInformation).local_port(), buf, len, needed)
    })
}

/// `StreamSocketInformation.RemoteAddress`: a new HostName reference, or 0 before connect.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_remote_address(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_remote_address", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(information, StreamSocketInformation).remote_address())?);
        Ok(())
    })
}

/// `StreamSocketInformation.RemotePort` ("" before connect). String out as `_get_local_port`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_remote_port(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_remote_port", {
        str_out(&get!(information, StreamSocketInformation).remote_port(), buf, len, needed)
    })
}

/// `StreamSocketInformation.RemoteHostName`: what was passed to ConnectAsync (the peer's
/// address on accepted sockets); a new HostName reference, or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_remote_host_name(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_remote_host_name", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(information, StreamSocketInformation).remote_host_name())?);
        Ok(())
    })
}

/// `StreamSocketInformation.RemoteServiceName`: what was passed to ConnectAsync. String out as
/// `_get_local_port`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_remote_service_name(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_remote_service_name", {
        str_out(&get!(information, StreamSocketInformation).remote_service_name(), buf, len, needed)
    })
}

/// `StreamSocketInformation.ProtectionLevel`: the level requested. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_protection_level(
    information: netrt_handle,
    out_value: *mut netrt_socket_protection_level,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_protection_level", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(information, StreamSocketInformation).protection_level().into());
        Ok(())
    })
}

/// `StreamSocketInformation.RoundTripTimeStatistics` (TCP_INFO). `out_value` not NULL.
/// Before connect: `E_ILLEGAL_METHOD_CALL`. After close: the values sampled at close (zeros if
/// the socket never connected).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_round_trip_time_statistics(
    information: netrt_handle,
    out_value: *mut netrt_round_trip_time_statistics,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_round_trip_time_statistics", {
        let out = Out::new(out_value, "out_value")?;
        let s = get!(information, StreamSocketInformation).round_trip_time_statistics()?;
        out.write(netrt_round_trip_time_statistics {
            variance: s.variance,
            max: s.max,
            min: s.min,
            sum: s.sum,
        });
        Ok(())
    })
}

/// `StreamSocketInformation.BandwidthStatistics` (TCP_INFO). `out_value` not NULL.
/// Before connect: `E_ILLEGAL_METHOD_CALL`. After close: the values sampled at close (zeros if
/// the socket never connected).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_bandwidth_statistics(
    information: netrt_handle,
    out_value: *mut netrt_bandwidth_statistics,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_bandwidth_statistics", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(information, StreamSocketInformation).bandwidth_statistics()?.into());
        Ok(())
    })
}
