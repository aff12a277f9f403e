//! The TLS members (docs/tls.md) of StreamSocket, StreamSocketControl, StreamSocketInformation,
//! StreamSocketListenerControl.
//!
//! Object-valued properties where WinRT may return null (ServerCertificate, ClientCertificate)
//! write `*out = 0` and return `S_OK` when there is none: 0 is never a valid handle, so it is
//! the C spelling of null, and the caller releases only non-zero handles.

use std::ffi::c_char;

use netrt_core::foundation::TimeSpan;
use netrt_core::net::SocketProtectionLevel;
use netrt_core::tls::ClientCertificateMode;

use crate::async_op::{OpResult, start};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::certificate::{cert_opt, issue_opt};
use crate::enums::{
    netrt_client_certificate_mode, netrt_socket_protection_level, netrt_socket_ssl_error_severity,
};
use crate::object::{get, get_obj};
use crate::strings::str_out;
use crate::vector::{VectorObject, issue as issue_vector};
use netrt_core::foundation::Vector;

// ---- StreamSocket -------------------------------------------------------------------------

/// `ConnectAsync(EndpointPair, SocketProtectionLevel)` (ABI name
/// ConnectWithEndpointPairAndProtectionLevelAsync): as
/// `netrt_stream_socket_connect_with_endpoint_pair_async`, with TLS per `protection_level`
/// (a `netrt_socket_protection_level`; unknown values, Bluetooth levels and
/// Ssl3AllowWeakEncryption are `E_INVALIDARG`). The server certificate is validated for the
/// pair's remote host name. Asynchronous certificate failures: CERT_E_UNTRUSTEDROOT
/// (`0x800B0109`), CERT_E_EXPIRED (`0x800B0101`), CERT_E_CN_NO_MATCH (`0x800B010F`),
/// CERT_E_WRONG_USAGE (`0x800B0110`), CRYPT_E_REVOKED (`0x80092010`), TRUST_E_CERT_SIGNATURE
/// (`0x80096004`) — the Information's ServerCertificate/ServerCertificateErrors describe them;
/// TLS protocol failures: SEC_E_* with the alert in the operation's error detail; a handshake
/// longer than TlsHandshakeTimeout: `0x8007274C`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_connect_with_endpoint_pair_and_protection_level_async(
    socket: netrt_handle,
    endpoint_pair: netrt_handle,
    protection_level: i32,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_connect_with_endpoint_pair_and_protection_level_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, sock) = get_obj!(socket, StreamSocket);
        let pair = get!(endpoint_pair, EndpointPair);
        let level = SocketProtectionLevel::from_raw(protection_level)?;
        out.write(start(async move {
            let _keep = keep;
            sock.connect_with_endpoint_pair_and_protection_level(&pair, level).await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

/// `UpgradeToSslAsync(protectionLevel, validationHostName)`: STARTTLS on a socket connected
/// with PlainSocket; the server certificate is validated for `validation_host_name` (a
/// HostName handle, not 0). `*out_op` receives an action.
///
/// Synchronous errors: handle checks, `E_POINTER`; `E_INVALIDARG` (PlainSocket or a level
/// meaningless on TCP); `E_ILLEGAL_METHOD_CALL` (not connected with PlainSocket, already TLS,
/// a read or write pending). Asynchronous: `0x80040201` NETRT_E_STARTTLS_PLAINTEXT_PENDING when
/// plaintext received before the upgrade is still unread (in a DataReader or the kernel) —
/// possible STARTTLS injection: the socket is closed and those bytes are never returned; the
/// handshake's errors as `netrt_stream_socket_connect_with_endpoint_pair_and_protection_level_async`
/// (the socket is closed then).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_upgrade_to_ssl_async(
    socket: netrt_handle,
    protection_level: i32,
    validation_host_name: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_upgrade_to_ssl_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, sock) = get_obj!(socket, StreamSocket);
        let level = SocketProtectionLevel::from_raw(protection_level)?;
        let host = get!(validation_host_name, HostName);
        out.write(start(async move {
            let _keep = keep;
            sock.upgrade_to_ssl(level, &host).await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

/// netrt extension `UpgradeToSslAsServerAsync(protectionLevel, serverCertificate)`: server-side
/// STARTTLS on an accepted (or connected) plain socket, presenting `server_certificate` (a
/// Certificate handle with its private key, not 0); the peer must start a TLS client
/// handshake. No client certificate is asked for. Errors as
/// `netrt_stream_socket_upgrade_to_ssl_async`; `E_INVALIDARG` for a certificate without key.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_upgrade_to_ssl_as_server_async(
    socket: netrt_handle,
    protection_level: i32,
    server_certificate: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_upgrade_to_ssl_as_server_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, sock) = get_obj!(socket, StreamSocket);
        let level = SocketProtectionLevel::from_raw(protection_level)?;
        let cert = get!(server_certificate, Certificate);
        out.write(start(async move {
            let _keep = keep;
            sock.upgrade_to_ssl_as_server(level, &cert).await?;
            Ok(OpResult::Unit)
        })?);
        Ok(())
    })
}

// ---- StreamSocketControl ------------------------------------------------------------------

/// `StreamSocketControl.ClientCertificate` (get): `*out` receives a new Certificate reference,
/// or 0 when none is set (`S_OK`). `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_client_certificate(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_client_certificate", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(control, StreamSocketControl).client_certificate())?);
        Ok(())
    })
}

/// `StreamSocketControl.ClientCertificate` (set): a Certificate handle with its private key
/// (sent only if the server asks), or 0 to clear. The control keeps its own reference.
/// Errors: `E_INVALIDARG` (no private key, or not a Certificate); `E_ILLEGAL_METHOD_CALL` once
/// the TLS handshake has started.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_client_certificate(
    control: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_client_certificate", {
        let c = get!(control, StreamSocketControl);
        c.set_client_certificate(cert_opt(value)?)
    })
}

/// `StreamSocketControl.IgnorableServerCertificateErrors`: `*out` receives a new vector handle
/// (int32 ChainValidationResult elements) that is a live view of the control — append, remove
/// and clear change the control (see `netrt_vector_append_int32` for the accepted values).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_ignorable_server_certificate_errors(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_ignorable_server_certificate_errors", {
        let out = Out::new(out, "out")?;
        out.write(issue_vector(VectorObject::Results(
            get!(control, StreamSocketControl).ignorable_server_certificate_errors(),
        ))?);
        Ok(())
    })
}

/// `StreamSocketControl.MinProtectionLevel` (get; default PlainSocket = no floor). `out_value`
/// not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_min_protection_level(
    control: netrt_handle,
    out_value: *mut netrt_socket_protection_level,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_min_protection_level", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketControl).min_protection_level().into());
        Ok(())
    })
}

/// `StreamSocketControl.MinProtectionLevel` (set): a `netrt_socket_protection_level` (unknown
/// values `E_INVALIDARG`). `E_ILLEGAL_METHOD_CALL` once the handshake has started.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_min_protection_level(
    control: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_min_protection_level", {
        let c = get!(control, StreamSocketControl);
        c.set_min_protection_level(SocketProtectionLevel::from_raw(value)?)
    })
}

/// netrt extension `StreamSocketControl.TrustedRootCertificates`: a live vector of Certificate
/// handles trusted in addition to the system store (`netrt_vector_append_handle`). `*out`
/// receives a new vector reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_trusted_root_certificates(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_trusted_root_certificates", {
        let out = Out::new(out, "out")?;
        out.write(issue_vector(VectorObject::Certificates(
            get!(control, StreamSocketControl).trusted_root_certificates(),
        ))?);
        Ok(())
    })
}

/// netrt extension `StreamSocketControl.ApplicationProtocols`: a live vector of strings, the
/// ALPN protocols offered in preference order (each 1–255 bytes, else `E_INVALIDARG`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_application_protocols(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_application_protocols", {
        let out = Out::new(out, "out")?;
        out.write(issue_vector(VectorObject::Strings(
            get!(control, StreamSocketControl).application_protocols(),
        ))?);
        Ok(())
    })
}

/// netrt extension `StreamSocketControl.CertificateRevocationLists`: a live vector of Buffers,
/// each a DER CRL (appending copies the buffer's bytes; they are parsed at the handshake).
/// Without CRLs no revocation result is reported.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_certificate_revocation_lists(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_certificate_revocation_lists", {
        let out = Out::new(out, "out")?;
        out.write(issue_vector(VectorObject::Bytes(
            get!(control, StreamSocketControl).certificate_revocation_lists(),
        ))?);
        Ok(())
    })
}

/// netrt extension `StreamSocketControl.TlsHandshakeTimeout` (get): TimeSpan in 100-ns ticks;
/// default 30 s; 0 = no limit. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_get_tls_handshake_timeout(
    control: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_get_tls_handshake_timeout", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketControl).tls_handshake_timeout().duration);
        Ok(())
    })
}

/// netrt extension `StreamSocketControl.TlsHandshakeTimeout` (set): 100-ns ticks; negative is
/// `E_INVALIDARG`; `E_ILLEGAL_METHOD_CALL` once the handshake has started. A handshake that
/// takes longer fails with `0x8007274C` (ConnectionTimedOut).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_control_set_tls_handshake_timeout(
    control: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_control_set_tls_handshake_timeout", {
        get!(control, StreamSocketControl).set_tls_handshake_timeout(TimeSpan { duration: value })
    })
}

// ---- StreamSocketInformation --------------------------------------------------------------

/// `StreamSocketInformation.ServerCertificate`: from the last TLS handshake — also a failed
/// one. `*out` receives a new Certificate reference, or 0 (`S_OK`) when there is none (no TLS,
/// or this is the server end). `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_server_certificate(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_server_certificate", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(information, StreamSocketInformation).server_certificate())?);
        Ok(())
    })
}

/// `StreamSocketInformation.ServerIntermediateCertificates`: a new read-only vector of
/// Certificate handles (a snapshot; empty without TLS). `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_server_intermediate_certificates(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_server_intermediate_certificates", {
        let out = Out::new(out, "out")?;
        let all = get!(information, StreamSocketInformation).server_intermediate_certificates();
        out.write(issue_vector(VectorObject::Certificates(Vector::view(all)))?);
        Ok(())
    })
}

/// `StreamSocketInformation.ServerCertificateErrors`: a new read-only vector of int32
/// ChainValidationResult values — every problem found, ignored ones included (a snapshot;
/// appending is `E_ILLEGAL_METHOD_CALL`). `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_server_certificate_errors(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_server_certificate_errors", {
        let out = Out::new(out, "out")?;
        let all = get!(information, StreamSocketInformation).server_certificate_errors();
        out.write(issue_vector(VectorObject::Results(Vector::view(all)))?);
        Ok(())
    })
}

/// `StreamSocketInformation.ServerCertificateErrorSeverity`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_server_certificate_error_severity(
    information: netrt_handle,
    out_value: *mut netrt_socket_ssl_error_severity,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_server_certificate_error_severity", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(information, StreamSocketInformation).server_certificate_error_severity().into());
        Ok(())
    })
}

/// netrt extension `NegotiatedTlsVersion`: the TLS wire version, `0x0303` (1.2), `0x0304`
/// (1.3), 0 without TLS — the values of `netrt_tls_version` (`NETRT_TLS_VERSION_TLS13`, ...).
/// `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_negotiated_tls_version(
    information: netrt_handle,
    out_value: *mut u16,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_negotiated_tls_version", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(information, StreamSocketInformation).negotiated_tls_version().wire());
        Ok(())
    })
}

/// netrt extension `CipherSuite`: the IANA name ("TLS_AES_256_GCM_SHA384"; "" without TLS).
/// String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL) always set; too small →
/// `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_cipher_suite(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_cipher_suite", {
        str_out(&get!(information, StreamSocketInformation).cipher_suite(), buf, len, needed)
    })
}

/// netrt extension `ApplicationProtocol`: the ALPN protocol chosen ("" when none). String out
/// as `_get_cipher_suite`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_application_protocol(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_application_protocol", {
        let value = get!(information, StreamSocketInformation).application_protocol().unwrap_or_default();
        str_out(&value, buf, len, needed)
    })
}

/// netrt extension `ServerName`: the SNI name sent ("" when none, e.g. for an IP address).
/// String out as `_get_cipher_suite`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_server_name(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_server_name", {
        let value = get!(information, StreamSocketInformation).server_name().unwrap_or_default();
        str_out(&value, buf, len, needed)
    })
}

/// netrt extension `ClientCertificate`: on a socket accepted by a TLS listener, the
/// certificate the client presented; `*out` = 0 (`S_OK`) when none. `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_information_get_client_certificate(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_information_get_client_certificate", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(information, StreamSocketInformation).client_certificate())?);
        Ok(())
    })
}

// ---- StreamSocketListenerControl ----------------------------------------------------------

/// netrt extension `StreamSocketListenerControl.ServerCertificate` (get): a new Certificate
/// reference, or 0 (`S_OK`) when none. `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_get_server_certificate(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_get_server_certificate", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(control, StreamSocketListenerControl).server_certificate())?);
        Ok(())
    })
}

/// netrt extension `StreamSocketListenerControl.ServerCertificate` (set): a Certificate with
/// its private key, presented by a listener bound with a TLS level; 0 clears. Errors:
/// `E_INVALIDARG` (no key, wrong kind); `E_ILLEGAL_METHOD_CALL` once bound.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_set_server_certificate(
    control: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_set_server_certificate", {
        let c = get!(control, StreamSocketListenerControl);
        c.set_server_certificate(cert_opt(value)?)
    })
}

/// netrt extension `StreamSocketListenerControl.ClientCertificateMode` (get; default None).
/// `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_get_client_certificate_mode(
    control: netrt_handle,
    out_value: *mut netrt_client_certificate_mode,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_get_client_certificate_mode", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketListenerControl).client_certificate_mode().into());
        Ok(())
    })
}

/// netrt extension `StreamSocketListenerControl.ClientCertificateMode` (set): a
/// `netrt_client_certificate_mode` value (others `E_INVALIDARG`); `E_ILLEGAL_METHOD_CALL` once
/// bound.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_set_client_certificate_mode(
    control: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_set_client_certificate_mode", {
        let c = get!(control, StreamSocketListenerControl);
        let mode = ClientCertificateMode::from_raw(value).ok_or_else(|| {
            netrt_core::Error::invalid_arg(format!("{value} is not a ClientCertificateMode"))
        })?;
        c.set_client_certificate_mode(mode)
    })
}

/// netrt extension `StreamSocketListenerControl.TlsHandshakeTimeout` (get): TimeSpan in 100-ns
/// ticks; default 30 s; 0 = no limit. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_get_tls_handshake_timeout(
    control: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_get_tls_handshake_timeout", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(control, StreamSocketListenerControl).tls_handshake_timeout().duration);
        Ok(())
    })
}

/// netrt extension `StreamSocketListenerControl.TlsHandshakeTimeout` (set): 100-ns ticks; how
/// long each client accepted by a TLS listener has to complete its handshake (a client that
/// takes longer, such as one that never sends a ClientHello, is disconnected and never
/// delivered to ConnectionReceived). Negative is `E_INVALIDARG`; `E_ILLEGAL_METHOD_CALL` once
/// bound.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_set_tls_handshake_timeout(
    control: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_set_tls_handshake_timeout", {
        get!(control, StreamSocketListenerControl).set_tls_handshake_timeout(TimeSpan { duration: value })
    })
}

/// netrt extension `StreamSocketListenerControl.TrustedRootCertificates`: a live vector of
/// Certificate handles that client certificates may chain to (besides the system store).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_control_get_trusted_root_certificates(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_control_get_trusted_root_certificates", {
        let out = Out::new(out, "out")?;
        out.write(issue_vector(VectorObject::Certificates(
            get!(control, StreamSocketListenerControl).trusted_root_certificates(),
        ))?);
        Ok(())
    })
}
