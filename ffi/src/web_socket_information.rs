//! `MessageWebSocketInformation` and `StreamWebSocketInformation`: what a WebSocket reports
//! about its connection (empty values before ConnectAsync succeeds, the last known ones after
//! Close). Both classes are core's `WebSocketInformation`; their members are written out for
//! each class, as every C function names its class.

use std::ffi::c_char;

use netrt_core::foundation::Vector;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::certificate::issue_opt as issue_cert_opt;
use crate::enums::netrt_socket_ssl_error_severity;
use crate::host_name::issue_opt as issue_host_opt;
use crate::object::with_value;
use crate::stream_socket::netrt_bandwidth_statistics;
use crate::strings::str_out;
use crate::vector::{VectorObject, issue as issue_vector};

// ---- MessageWebSocketInformation ------------------------------------------------------------

/// `MessageWebSocketInformation.LocalAddress`: the local address of the TCP connection (to the proxy
/// when tunnelled), a new HostName reference, or 0 before connect. `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_information_get_local_address(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_information_get_local_address", {
        let out = Out::new(out, "out")?;
        out.write(issue_host_opt(
            with_value!(information, MessageWebSocketInformation, |i| i.local_address())
        )?);
        Ok(())
    })
}

/// `MessageWebSocketInformation.Protocol`: the subprotocol the server chose, "" before connect or when it
/// chose none. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL) always set.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_information_get_protocol(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_information_get_protocol", {
        let protocol = with_value!(information, MessageWebSocketInformation, |i| i.protocol());
        str_out(protocol.as_deref().unwrap_or(""), buf, len, needed)
    })
}

/// `MessageWebSocketInformation.BandwidthStatistics` of the TCP connection (zeros before connect).
/// `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_information_get_bandwidth_statistics(
    information: netrt_handle,
    out_value: *mut netrt_bandwidth_statistics,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_information_get_bandwidth_statistics", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(information, MessageWebSocketInformation, |i| i.bandwidth_statistics()).into());
        Ok(())
    })
}

/// `MessageWebSocketInformation.ServerCertificate` (wss://): a new Certificate reference, or 0 when
/// there is none. `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_information_get_server_certificate(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_information_get_server_certificate", {
        let out = Out::new(out, "out")?;
        out.write(issue_cert_opt(
            with_value!(information, MessageWebSocketInformation, |i| i.server_certificate())
        )?);
        Ok(())
    })
}

/// `MessageWebSocketInformation.ServerCertificateErrors`: a new read-only vector of int32
/// ChainValidationResult values, ignored ones included (a snapshot). `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_information_get_server_certificate_errors(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_information_get_server_certificate_errors", {
        let out = Out::new(out, "out")?;
        let errors = with_value!(information, MessageWebSocketInformation, |i| i.server_certificate_errors());
        out.write(issue_vector(VectorObject::Results(Vector::view(errors)))?);
        Ok(())
    })
}

/// `MessageWebSocketInformation.ServerCertificateErrorSeverity`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_information_get_server_certificate_error_severity(
    information: netrt_handle,
    out_value: *mut netrt_socket_ssl_error_severity,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_information_get_server_certificate_error_severity", {
        let out = Out::new(out_value, "out_value")?;
        out.write(
            with_value!(information, MessageWebSocketInformation, |i| i.server_certificate_error_severity())
                .into(),
        );
        Ok(())
    })
}

/// `MessageWebSocketInformation.ServerIntermediateCertificates`: a new read-only vector of Certificate
/// handles (a snapshot; empty without TLS). `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_information_get_server_intermediate_certificates(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_information_get_server_intermediate_certificates", {
        let out = Out::new(out, "out")?;
        let all =
            with_value!(information, MessageWebSocketInformation, |i| i.server_intermediate_certificates());
        out.write(issue_vector(VectorObject::Certificates(Vector::view(all)))?);
        Ok(())
    })
}

// ---- StreamWebSocketInformation -------------------------------------------------------------

/// `StreamWebSocketInformation.LocalAddress`: the local address of the TCP connection (to the proxy
/// when tunnelled), a new HostName reference, or 0 before connect. `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_information_get_local_address(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_information_get_local_address", {
        let out = Out::new(out, "out")?;
        out.write(issue_host_opt(
            with_value!(information, StreamWebSocketInformation, |i| i.local_address())
        )?);
        Ok(())
    })
}

/// `StreamWebSocketInformation.Protocol`: the subprotocol the server chose, "" before connect or when it
/// chose none. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL) always set.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_information_get_protocol(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_information_get_protocol", {
        let protocol = with_value!(information, StreamWebSocketInformation, |i| i.protocol());
        str_out(protocol.as_deref().unwrap_or(""), buf, len, needed)
    })
}

/// `StreamWebSocketInformation.BandwidthStatistics` of the TCP connection (zeros before connect).
/// `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_information_get_bandwidth_statistics(
    information: netrt_handle,
    out_value: *mut netrt_bandwidth_statistics,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_information_get_bandwidth_statistics", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(information, StreamWebSocketInformation, |i| i.bandwidth_statistics()).into());
        Ok(())
    })
}

/// `StreamWebSocketInformation.ServerCertificate` (wss://): a new Certificate reference, or 0 when
/// there is none. `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_information_get_server_certificate(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_information_get_server_certificate", {
        let out = Out::new(out, "out")?;
        out.write(issue_cert_opt(
            with_value!(information, StreamWebSocketInformation, |i| i.server_certificate())
        )?);
        Ok(())
    })
}

/// `StreamWebSocketInformation.ServerCertificateErrors`: a new read-only vector of int32
/// ChainValidationResult values, ignored ones included (a snapshot). `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_information_get_server_certificate_errors(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_information_get_server_certificate_errors", {
        let out = Out::new(out, "out")?;
        let errors = with_value!(information, StreamWebSocketInformation, |i| i.server_certificate_errors());
        out.write(issue_vector(VectorObject::Results(Vector::view(errors)))?);
        Ok(())
    })
}

/// `StreamWebSocketInformation.ServerCertificateErrorSeverity`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_information_get_server_certificate_error_severity(
    information: netrt_handle,
    out_value: *mut netrt_socket_ssl_error_severity,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_information_get_server_certificate_error_severity", {
        let out = Out::new(out_value, "out_value")?;
        out.write(
            with_value!(information, StreamWebSocketInformation, |i| i.server_certificate_error_severity())
                .into(),
        );
        Ok(())
    })
}

/// `StreamWebSocketInformation.ServerIntermediateCertificates`: a new read-only vector of Certificate
/// handles (a snapshot; empty without TLS). `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_information_get_server_intermediate_certificates(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_information_get_server_intermediate_certificates", {
        let out = Out::new(out, "out")?;
        let all =
            with_value!(information, StreamWebSocketInformation, |i| i.server_intermediate_certificates());
        out.write(issue_vector(VectorObject::Certificates(Vector::view(all)))?);
        Ok(())
    })
}
