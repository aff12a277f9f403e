//! `MessageWebSocketControl` and `StreamWebSocketControl`: settings read when ConnectAsync
//! starts (docs/web.md). The members both have (IWebSocketControl, IWebSocketControl2 and
//! netrt's extensions) are written out for each class, as every C function names its class;
//! their bodies are one call into core, where the validation lives.

use std::ffi::c_char;

use netrt_core::foundation::TimeSpan;
use netrt_core::web::ProxyChoice;
use netrt_core::ws::{MessageWebSocketReceiveMode, SocketMessageType};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::certificate::{cert_opt, issue_opt as issue_cert_opt};
use crate::credential;
use crate::enums::{netrt_message_web_socket_receive_mode, netrt_socket_message_type};
use crate::object::with_value;
use crate::strings::{opt_str_out, str_in};
use crate::vector::{VectorObject, issue as issue_vector};

/// The C spelling of the Proxy extension: NULL is the environment, "" direct, else a URL.
fn proxy_choice(value: *const c_char) -> Result<ProxyChoice, netrt_core::Error> {
    let text = if value.is_null() { None } else { Some(str_in(value, "value")?) };
    ProxyChoice::from_text(text)
}

/// A C caller's enum value, or `E_INVALIDARG` naming the enum.
fn enum_in<T>(value: i32, parsed: Option<T>, name: &str) -> Result<T, netrt_core::Error> {
    parsed.ok_or_else(|| netrt_core::Error::invalid_arg(format!("{value} is not a {name} value")))
}

// ---- MessageWebSocketControl ----------------------------------------------------------------

/// `MessageWebSocketControl.MessageType` (get; default Binary). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_message_type(
    control: netrt_handle,
    out_value: *mut netrt_socket_message_type,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_message_type", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(control, MessageWebSocketControl, |c| c.message_type()).into());
        Ok(())
    })
}

/// `MessageWebSocketControl.MessageType` (set): a `netrt_socket_message_type` (others
/// `E_INVALIDARG`) for the next message written; may change between messages. Errors:
/// `RO_E_CLOSED` once the socket is closed.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_message_type(
    control: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_message_type", {
        let value = enum_in(value, SocketMessageType::from_i32(value), SocketMessageType::TYPE_NAME)?;
        with_value!(control, MessageWebSocketControl, |c| c.set_message_type(value))
    })
}

/// `MessageWebSocketControl.MaxMessageSize` (get; default 0xFFFFFFFF, no limit). `out_value`
/// not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_max_message_size(
    control: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_max_message_size", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(control, MessageWebSocketControl, |c| c.max_message_size()));
        Ok(())
    })
}

/// `MessageWebSocketControl.MaxMessageSize` (set): the largest message accepted on receive (a
/// larger one fails the connection with close code 1009). 0 is `E_INVALIDARG`; before
/// ConnectAsync, else `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_max_message_size(
    control: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_max_message_size", {
        with_value!(control, MessageWebSocketControl, |c| c.set_max_message_size(value))
    })
}

/// `MessageWebSocketControl.ReceiveMode` (get; default FullMessage). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_receive_mode(
    control: netrt_handle,
    out_value: *mut netrt_message_web_socket_receive_mode,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_receive_mode", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(control, MessageWebSocketControl, |c| c.receive_mode()).into());
        Ok(())
    })
}

/// `MessageWebSocketControl.ReceiveMode` (set): a `netrt_message_web_socket_receive_mode`
/// (others `E_INVALIDARG`); before ConnectAsync, else `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_receive_mode(
    control: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_receive_mode", {
        let value = enum_in(
            value,
            MessageWebSocketReceiveMode::from_i32(value),
            MessageWebSocketReceiveMode::TYPE_NAME,
        )?;
        with_value!(control, MessageWebSocketControl, |c| c.set_receive_mode(value))
    })
}

/// `MessageWebSocketControl.ServerCredential` (get): `*out` (not NULL) receives a new
/// PasswordCredential reference (the same credential object that was set), or 0 when none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_server_credential(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_server_credential", {
        let out = Out::new(out, "out")?;
        out.write(credential::issue_opt(
            with_value!(control, MessageWebSocketControl, |c| c.server_credential())
        )?);
        Ok(())
    })
}

/// `MessageWebSocketControl.ServerCredential` (set): a PasswordCredential handle, or 0 for none. Sent
/// only when the server answers 401 with a Basic or Digest challenge. Errors: handle checks,
/// `E_ILLEGAL_METHOD_CALL` after ConnectAsync, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_server_credential(
    control: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_server_credential", {
        let value = credential::credential_opt(value)?;
        with_value!(control, MessageWebSocketControl, |c| c.set_server_credential(value))
    })
}

/// `MessageWebSocketControl.ProxyCredential` (get): as `netrt_message_web_socket_control_get_server_credential`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_proxy_credential(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_proxy_credential", {
        let out = Out::new(out, "out")?;
        out.write(credential::issue_opt(
            with_value!(control, MessageWebSocketControl, |c| c.proxy_credential())
        )?);
        Ok(())
    })
}

/// `MessageWebSocketControl.ProxyCredential` (set): sent only when the proxy answers 407 with a Basic or
/// Digest challenge. As `netrt_message_web_socket_control_set_server_credential` otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_proxy_credential(
    control: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_proxy_credential", {
        let value = credential::credential_opt(value)?;
        with_value!(control, MessageWebSocketControl, |c| c.set_proxy_credential(value))
    })
}

/// netrt extension `MessageWebSocketControl.Proxy` (get), in the setter's text form: `*needed` (not NULL)
/// is 0 when no proxy was set (NULL to the setter: the environment's variables decide); ""
/// (`*needed` 1) is direct; otherwise an explicit proxy as `http://host:port` (without the
/// user information). String out: NUL-terminated into `buf`/`len`; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_proxy(
    control: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_proxy", {
        let text = with_value!(control, MessageWebSocketControl, |c| c.proxy()).to_text();
        opt_str_out(text.as_deref(), buf, len, needed)
    })
}

/// netrt extension `MessageWebSocketControl.Proxy` (set): NULL uses the environment's proxy variables
/// as curl reads them (the default), "" connects directly, anything else is an explicit
/// `http://[user:password@]host[:port]` proxy (docs/web.md). Errors: `E_INVALIDARG` for an
/// unparsable proxy or a scheme other than http; `E_ILLEGAL_METHOD_CALL` after ConnectAsync.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_proxy(
    control: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_proxy", {
        let choice = proxy_choice(value)?;
        with_value!(control, MessageWebSocketControl, |c| c.set_proxy(choice))
    })
}

/// `MessageWebSocketControl.SupportedProtocols`: `*out` (not NULL) receives a new vector handle of
/// strings, a live view of the control: the subprotocols offered in `Sec-WebSocket-Protocol`,
/// in preference order (appending a name that is not an HTTP token is `E_INVALIDARG`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_supported_protocols(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_supported_protocols", {
        let out = Out::new(out, "out")?;
        let protocols = with_value!(control, MessageWebSocketControl, |c| c.supported_protocols());
        out.write(issue_vector(VectorObject::Strings(protocols))?);
        Ok(())
    })
}

/// `MessageWebSocketControl.OutboundBufferSizeInBytes` (get; SO_SNDBUF). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_outbound_buffer_size_in_bytes(
    control: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_outbound_buffer_size_in_bytes", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(control, MessageWebSocketControl, |c| c.outbound_buffer_size_in_bytes()));
        Ok(())
    })
}

/// `MessageWebSocketControl.OutboundBufferSizeInBytes` (set; before ConnectAsync, else
/// `E_ILLEGAL_METHOD_CALL`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_outbound_buffer_size_in_bytes(
    control: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_outbound_buffer_size_in_bytes", {
        with_value!(control, MessageWebSocketControl, |c| c.set_outbound_buffer_size_in_bytes(value))
    })
}

/// `MessageWebSocketControl.ClientCertificate` (get): a new Certificate reference, or 0 when none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_client_certificate(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_client_certificate", {
        let out = Out::new(out, "out")?;
        out.write(issue_cert_opt(with_value!(control, MessageWebSocketControl, |c| c.client_certificate()))?);
        Ok(())
    })
}

/// `MessageWebSocketControl.ClientCertificate` (set): a Certificate handle with a private key, or 0.
/// Before ConnectAsync, else `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_client_certificate(
    control: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_client_certificate", {
        let value = cert_opt(value)?;
        with_value!(control, MessageWebSocketControl, |c| c.set_client_certificate(value))
    })
}

/// `MessageWebSocketControl.IgnorableServerCertificateErrors`: a new vector handle (int32
/// ChainValidationResult elements), a live view validated as on StreamSocketControl.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_ignorable_server_certificate_errors(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_ignorable_server_certificate_errors", {
        let out = Out::new(out, "out")?;
        let errors =
            with_value!(control, MessageWebSocketControl, |c| c.ignorable_server_certificate_errors());
        out.write(issue_vector(VectorObject::Results(errors))?);
        Ok(())
    })
}

/// netrt extension `MessageWebSocketControl.TrustedRootCertificates`: a new vector handle of
/// Certificate handles, a live view: roots trusted for wss:// besides the system's.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_trusted_root_certificates(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_trusted_root_certificates", {
        let out = Out::new(out, "out")?;
        let roots = with_value!(control, MessageWebSocketControl, |c| c.trusted_root_certificates());
        out.write(issue_vector(VectorObject::Certificates(roots))?);
        Ok(())
    })
}

/// `MessageWebSocketControl.DesiredUnsolicitedPongInterval` (get): TimeSpan in 100-ns ticks; 0 (the
/// default) sends no unsolicited Pong. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_desired_unsolicited_pong_interval(
    control: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_desired_unsolicited_pong_interval", {
        let out = Out::new(out_value, "out_value")?;
        out.write(
            with_value!(control, MessageWebSocketControl, |c| c.desired_unsolicited_pong_interval()).duration,
        );
        Ok(())
    })
}

/// `MessageWebSocketControl.DesiredUnsolicitedPongInterval` (set): 100-ns ticks, not negative
/// (`E_INVALIDARG`); before ConnectAsync, else `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_desired_unsolicited_pong_interval(
    control: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_desired_unsolicited_pong_interval", {
        let value = TimeSpan { duration: value };
        with_value!(control, MessageWebSocketControl, |c| c.set_desired_unsolicited_pong_interval(value))
    })
}

/// `MessageWebSocketControl.ActualUnsolicitedPongInterval`: the interval in use since connect, in 100-ns
/// ticks (0 before). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_actual_unsolicited_pong_interval(
    control: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_actual_unsolicited_pong_interval", {
        let out = Out::new(out_value, "out_value")?;
        out.write(
            with_value!(control, MessageWebSocketControl, |c| c.actual_unsolicited_pong_interval()).duration,
        );
        Ok(())
    })
}

/// netrt extension `MessageWebSocketControl.HandshakeTimeout` (get): the longest ConnectAsync may take
/// (TCP connect, proxy tunnel, TLS and the HTTP upgrade together), in 100-ns ticks; default
/// 60 s. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_get_handshake_timeout(
    control: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_get_handshake_timeout", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(control, MessageWebSocketControl, |c| c.handshake_timeout()).duration);
        Ok(())
    })
}

/// netrt extension `MessageWebSocketControl.HandshakeTimeout` (set): positive 100-ns ticks (else
/// `E_INVALIDARG`); before ConnectAsync. Past it, ConnectAsync fails with `WININET_E_TIMEOUT`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_control_set_handshake_timeout(
    control: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_control_set_handshake_timeout", {
        let value = TimeSpan { duration: value };
        with_value!(control, MessageWebSocketControl, |c| c.set_handshake_timeout(value))
    })
}

// ---- StreamWebSocketControl -----------------------------------------------------------------

/// `StreamWebSocketControl.NoDelay` (get; TCP_NODELAY, default true). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_no_delay(
    control: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_no_delay", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(control, StreamWebSocketControl, |c| c.no_delay()));
        Ok(())
    })
}

/// `StreamWebSocketControl.NoDelay` (set; before ConnectAsync, else `E_ILLEGAL_METHOD_CALL`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_set_no_delay(
    control: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_set_no_delay", {
        with_value!(control, StreamWebSocketControl, |c| c.set_no_delay(value))
    })
}

/// `StreamWebSocketControl.ServerCredential` (get): `*out` (not NULL) receives a new
/// PasswordCredential reference (the same credential object that was set), or 0 when none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_server_credential(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_server_credential", {
        let out = Out::new(out, "out")?;
        out.write(credential::issue_opt(
            with_value!(control, StreamWebSocketControl, |c| c.server_credential())
        )?);
        Ok(())
    })
}

/// `StreamWebSocketControl.ServerCredential` (set): a PasswordCredential handle, or 0 for none. Sent
/// only when the server answers 401 with a Basic or Digest challenge. Errors: handle checks,
/// `E_ILLEGAL_METHOD_CALL` after ConnectAsync, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_set_server_credential(
    control: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_set_server_credential", {
        let value = credential::credential_opt(value)?;
        with_value!(control, StreamWebSocketControl, |c| c.set_server_credential(value))
    })
}

/// `StreamWebSocketControl.ProxyCredential` (get): as `netrt_stream_web_socket_control_get_server_credential`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_proxy_credential(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_proxy_credential", {
        let out = Out::new(out, "out")?;
        out.write(credential::issue_opt(
            with_value!(control, StreamWebSocketControl, |c| c.proxy_credential())
        )?);
        Ok(())
    })
}

/// `StreamWebSocketControl.ProxyCredential` (set): sent only when the proxy answers 407 with a Basic or
/// Digest challenge. As `netrt_stream_web_socket_control_set_server_credential` otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_set_proxy_credential(
    control: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_set_proxy_credential", {
        let value = credential::credential_opt(value)?;
        with_value!(control, StreamWebSocketControl, |c| c.set_proxy_credential(value))
    })
}

/// netrt extension `StreamWebSocketControl.Proxy` (get), in the setter's text form: `*needed` (not NULL)
/// is 0 when no proxy was set (NULL to the setter: the environment's variables decide); ""
/// (`*needed` 1) is direct; otherwise an explicit proxy as `http://host:port` (without the
/// user information). String out: NUL-terminated into `buf`/`len`; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_proxy(
    control: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_proxy", {
        let text = with_value!(control, StreamWebSocketControl, |c| c.proxy()).to_text();
        opt_str_out(text.as_deref(), buf, len, needed)
    })
}

/// netrt extension `StreamWebSocketControl.Proxy` (set): NULL uses the environment's proxy variables
/// as curl reads them (the default), "" connects directly, anything else is an explicit
/// `http://[user:password@]host[:port]` proxy (docs/web.md). Errors: `E_INVALIDARG` for an
/// unparsable proxy or a scheme other than http; `E_ILLEGAL_METHOD_CALL` after ConnectAsync.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_set_proxy(
    control: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_set_proxy", {
        let choice = proxy_choice(value)?;
        with_value!(control, StreamWebSocketControl, |c| c.set_proxy(choice))
    })
}

/// `StreamWebSocketControl.SupportedProtocols`: `*out` (not NULL) receives a new vector handle of
/// strings, a live view of the control: the subprotocols offered in `Sec-WebSocket-Protocol`,
/// in preference order (appending a name that is not an HTTP token is `E_INVALIDARG`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_supported_protocols(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_supported_protocols", {
        let out = Out::new(out, "out")?;
        let protocols = with_value!(control, StreamWebSocketControl, |c| c.supported_protocols());
        out.write(issue_vector(VectorObject::Strings(protocols))?);
        Ok(())
    })
}

/// `StreamWebSocketControl.OutboundBufferSizeInBytes` (get; SO_SNDBUF). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_outbound_buffer_size_in_bytes(
    control: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_outbound_buffer_size_in_bytes", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(control, StreamWebSocketControl, |c| c.outbound_buffer_size_in_bytes()));
        Ok(())
    })
}

/// `StreamWebSocketControl.OutboundBufferSizeInBytes` (set; before ConnectAsync, else
/// `E_ILLEGAL_METHOD_CALL`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_set_outbound_buffer_size_in_bytes(
    control: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_set_outbound_buffer_size_in_bytes", {
        with_value!(control, StreamWebSocketControl, |c| c.set_outbound_buffer_size_in_bytes(value))
    })
}

/// `StreamWebSocketControl.ClientCertificate` (get): a new Certificate reference, or 0 when none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_client_certificate(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_client_certificate", {
        let out = Out::new(out, "out")?;
        out.write(issue_cert_opt(with_value!(control, StreamWebSocketControl, |c| c.client_certificate()))?);
        Ok(())
    })
}

/// `StreamWebSocketControl.ClientCertificate` (set): a Certificate handle with a private key, or 0.
/// Before ConnectAsync, else `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_set_client_certificate(
    control: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_set_client_certificate", {
        let value = cert_opt(value)?;
        with_value!(control, StreamWebSocketControl, |c| c.set_client_certificate(value))
    })
}

/// `StreamWebSocketControl.IgnorableServerCertificateErrors`: a new vector handle (int32
/// ChainValidationResult elements), a live view validated as on StreamSocketControl.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_ignorable_server_certificate_errors(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_ignorable_server_certificate_errors", {
        let out = Out::new(out, "out")?;
        let errors =
            with_value!(control, StreamWebSocketControl, |c| c.ignorable_server_certificate_errors());
        out.write(issue_vector(VectorObject::Results(errors))?);
        Ok(())
    })
}

/// netrt extension `StreamWebSocketControl.TrustedRootCertificates`: a new vector handle of
/// Certificate handles, a live view: roots trusted for wss:// besides the system's.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_trusted_root_certificates(
    control: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_trusted_root_certificates", {
        let out = Out::new(out, "out")?;
        let roots = with_value!(control, StreamWebSocketControl, |c| c.trusted_root_certificates());
        out.write(issue_vector(VectorObject::Certificates(roots))?);
        Ok(())
    })
}

/// `StreamWebSocketControl.DesiredUnsolicitedPongInterval` (get): TimeSpan in 100-ns ticks; 0 (the
/// default) sends no unsolicited Pong. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_desired_unsolicited_pong_interval(
    control: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_desired_unsolicited_pong_interval", {
        let out = Out::new(out_value, "out_value")?;
        out.write(
            with_value!(control, StreamWebSocketControl, |c| c.desired_unsolicited_pong_interval()).duration,
        );
        Ok(())
    })
}

/// `StreamWebSocketControl.DesiredUnsolicitedPongInterval` (set): 100-ns ticks, not negative
/// (`E_INVALIDARG`); before ConnectAsync, else `E_ILLEGAL_METHOD_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_set_desired_unsolicited_pong_interval(
    control: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_set_desired_unsolicited_pong_interval", {
        let value = TimeSpan { duration: value };
        with_value!(control, StreamWebSocketControl, |c| c.set_desired_unsolicited_pong_interval(value))
    })
}

/// `StreamWebSocketControl.ActualUnsolicitedPongInterval`: the interval in use since connect, in 100-ns
/// ticks (0 before). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_actual_unsolicited_pong_interval(
    control: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_actual_unsolicited_pong_interval", {
        let out = Out::new(out_value, "out_value")?;
        out.write(
            with_value!(control, StreamWebSocketControl, |c| c.actual_unsolicited_pong_interval()).duration,
        );
        Ok(())
    })
}

/// netrt extension `StreamWebSocketControl.HandshakeTimeout` (get): the longest ConnectAsync may take
/// (TCP connect, proxy tunnel, TLS and the HTTP upgrade together), in 100-ns ticks; default
/// 60 s. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_get_handshake_timeout(
    control: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_get_handshake_timeout", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(control, StreamWebSocketControl, |c| c.handshake_timeout()).duration);
        Ok(())
    })
}

/// netrt extension `StreamWebSocketControl.HandshakeTimeout` (set): positive 100-ns ticks (else
/// `E_INVALIDARG`); before ConnectAsync. Past it, ConnectAsync fails with `WININET_E_TIMEOUT`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_web_socket_control_set_handshake_timeout(
    control: netrt_handle,
    value: i64,
) -> netrt_hresult {
    ffi!("netrt_stream_web_socket_control_set_handshake_timeout", {
        let value = TimeSpan { duration: value };
        with_value!(control, StreamWebSocketControl, |c| c.set_handshake_timeout(value))
    })
}
