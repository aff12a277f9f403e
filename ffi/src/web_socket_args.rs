//! The WebSocket event arguments — MessageReceived, Closed, ServerCustomValidationRequested —
//! and the Deferral the last one hands out. Each args handle is a copy of core's arguments,
//! borrowed by the handler for the call (duplicate it to keep it).

use std::ffi::c_char;
use std::sync::Arc;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::certificate::issue_opt as issue_cert_opt;
use crate::enums::{netrt_socket_message_type, netrt_socket_ssl_error_severity};
use crate::handle;
use crate::object::{Value, get, with_value};
use crate::strings::str_out;
use crate::vector::{VectorObject, issue as issue_vector};
use netrt_core::foundation::Vector;
use netrt_core::ws;

/// The C args object of a MessageReceived event (a copy of core's).
pub(crate) fn message_args(args: &ws::MessageWebSocketMessageReceivedEventArgs) -> Value {
    Value::MessageWebSocketMessageReceivedEventArgs(Arc::new(args.clone()))
}

/// The C args object of a Closed event.
pub(crate) fn closed_args(args: &ws::WebSocketClosedEventArgs) -> Value {
    Value::WebSocketClosedEventArgs(Arc::new(args.clone()))
}

/// The C args object of a ServerCustomValidationRequested event (it shares the connect's
/// validation state, so Reject and deferrals reach the connect).
pub(crate) fn validation_args(args: &ws::WebSocketServerCustomValidationRequestedEventArgs) -> Value {
    Value::WebSocketServerCustomValidationRequestedEventArgs(args.clone())
}

// ---- MessageWebSocketMessageReceivedEventArgs -----------------------------------------------

/// `MessageWebSocketMessageReceivedEventArgs.MessageType`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_message_received_event_args_get_message_type(
    args: netrt_handle,
    out_value: *mut netrt_socket_message_type,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_message_received_event_args_get_message_type", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(args, MessageWebSocketMessageReceivedEventArgs, |a| a.message_type()).into());
        Ok(())
    })
}

/// `MessageWebSocketMessageReceivedEventArgs.IsMessageComplete`: true on the last (or only)
/// part of a message. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_message_received_event_args_get_is_message_complete(
    args: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_message_received_event_args_get_is_message_complete", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(args, MessageWebSocketMessageReceivedEventArgs, |a| a.is_message_complete()));
        Ok(())
    })
}

/// `MessageWebSocketMessageReceivedEventArgs.GetDataReader()`: `*out` (not NULL) receives a new
/// DataReader with the whole message loaded (each call gives a fresh reader). Errors: the
/// failure that ended the connection, when this event reports one
/// (`WININET_E_CONNECTION_ABORTED` after an abrupt drop, `0x80072F78` for a protocol
/// violation, `0x80070459` for a text message that is not UTF-8, `0x80072738` past
/// MaxMessageSize).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_message_received_event_args_get_data_reader(
    args: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_message_received_event_args_get_data_reader", {
        let out = Out::new(out, "out")?;
        let reader = with_value!(args, MessageWebSocketMessageReceivedEventArgs, |a| a.get_data_reader())?;
        out.write(handle::issue_new(Value::DataReader(Arc::new(reader)))?);
        Ok(())
    })
}

/// `MessageWebSocketMessageReceivedEventArgs.GetDataStream()`: `*out` (not NULL) receives a new
/// IInputStream over the message. Errors as
/// `netrt_message_web_socket_message_received_event_args_get_data_reader`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_message_web_socket_message_received_event_args_get_data_stream(
    args: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_message_web_socket_message_received_event_args_get_data_stream", {
        let out = Out::new(out, "out")?;
        let stream = with_value!(args, MessageWebSocketMessageReceivedEventArgs, |a| a.get_data_stream())?;
        out.write(handle::issue_new(Value::InputStream(stream))?);
        Ok(())
    })
}

// ---- WebSocketClosedEventArgs ---------------------------------------------------------------

/// `WebSocketClosedEventArgs.Code`: the close frame's code (1005 when it carried none).
/// `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_socket_closed_event_args_get_code(
    args: netrt_handle,
    out_value: *mut u16,
) -> netrt_hresult {
    ffi!("netrt_web_socket_closed_event_args_get_code", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(args, WebSocketClosedEventArgs).code());
        Ok(())
    })
}

/// `WebSocketClosedEventArgs.Reason`: the close frame's reason ("" when none). String out:
/// NUL-terminated into `buf`/`len`; `*needed` (not NULL) always set.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_socket_closed_event_args_get_reason(
    args: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_web_socket_closed_event_args_get_reason", {
        str_out(get!(args, WebSocketClosedEventArgs).reason(), buf, len, needed)
    })
}

// ---- WebSocketServerCustomValidationRequestedEventArgs --------------------------------------

/// `WebSocketServerCustomValidationRequestedEventArgs.Reject()`: ConnectAsync fails with
/// `WININET_E_SEC_INVALID_CERT` (WebErrorStatus CertificateIsInvalid).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_socket_server_custom_validation_requested_event_args_reject(
    args: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_web_socket_server_custom_validation_requested_event_args_reject", {
        with_value!(args, WebSocketServerCustomValidationRequestedEventArgs, |a| a.reject());
        Ok(())
    })
}

/// `WebSocketServerCustomValidationRequestedEventArgs.GetDeferral()`: `*out` (not NULL)
/// receives a new Deferral; the connect waits until `netrt_deferral_complete` is called on it
/// or its last reference is released.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_socket_server_custom_validation_requested_event_args_get_deferral(
    args: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_web_socket_server_custom_validation_requested_event_args_get_deferral", {
        let out = Out::new(out, "out")?;
        let deferral =
            with_value!(args, WebSocketServerCustomValidationRequestedEventArgs, |a| a.get_deferral());
        out.write(handle::issue_new(Value::Deferral(Arc::new(deferral)))?);
        Ok(())
    })
}

/// `WebSocketServerCustomValidationRequestedEventArgs.ServerCertificate`: a new Certificate
/// reference, or 0. `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate(
    args: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate", {
        let out = Out::new(out, "out")?;
        let cert =
            with_value!(args, WebSocketServerCustomValidationRequestedEventArgs, |a| a.server_certificate());
        out.write(issue_cert_opt(cert)?);
        Ok(())
    })
}

/// `WebSocketServerCustomValidationRequestedEventArgs.ServerCertificateErrors`: a new
/// read-only vector of int32 ChainValidationResult values (the ignored ones). `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate_errors(
    args: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate_errors", {
        let out = Out::new(out, "out")?;
        let errors = with_value!(args, WebSocketServerCustomValidationRequestedEventArgs, |a| a
            .server_certificate_errors());
        out.write(issue_vector(VectorObject::Results(Vector::view(errors)))?);
        Ok(())
    })
}

/// `WebSocketServerCustomValidationRequestedEventArgs.ServerCertificateErrorSeverity`.
/// `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate_error_severity(
    args: netrt_handle,
    out_value: *mut netrt_socket_ssl_error_severity,
) -> netrt_hresult {
    ffi!(
        "netrt_web_socket_server_custom_validation_requested_event_args_get_server_certificate_error_severity",
        {
            let out = Out::new(out_value, "out_value")?;
            let severity = with_value!(args, WebSocketServerCustomValidationRequestedEventArgs, |a| a
                .server_certificate_error_severity());
            out.write(severity.into());
            Ok(())
        }
    )
}

/// `WebSocketServerCustomValidationRequestedEventArgs.ServerIntermediateCertificates`: a new
/// read-only vector of Certificate handles. `out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_socket_server_custom_validation_requested_event_args_get_server_intermediate_certificates(
    args: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!(
        "netrt_web_socket_server_custom_validation_requested_event_args_get_server_intermediate_certificates",
        {
            let out = Out::new(out, "out")?;
            let all = with_value!(args, WebSocketServerCustomValidationRequestedEventArgs, |a| a
                .server_intermediate_certificates());
            out.write(issue_vector(VectorObject::Certificates(Vector::view(all)))?);
            Ok(())
        }
    )
}

// ---- Deferral -------------------------------------------------------------------------------

/// `Deferral.Complete()`: the handler's decision is final and the connect goes on. Calling it
/// again does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_deferral_complete(deferral: netrt_handle) -> netrt_hresult {
    ffi!("netrt_deferral_complete", {
        with_value!(deferral, Deferral, |d| d.complete());
        Ok(())
    })
}
