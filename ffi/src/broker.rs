//! The socket broker in C (docs/broker.md): registering a background task, handing a
//! StreamSocket to `netrt-brokerd`, and, in the process the broker starts, the task instance,
//! its trigger details and the socket information that reclaims the socket. Every call talks
//! to the broker synchronously (starting it when none runs).

use std::ffi::c_char;

use netrt_core::broker::{
    BackgroundTaskBuilder, BackgroundTaskInstance, BackgroundTriggerDetails,
    SocketActivityConnectedStandbyAction, SocketActivityContext, SocketActivityTrigger,
};
use netrt_core::foundation::{Guid, TimeSpan};
use netrt_core::net::StreamSocket;

use crate::boundary::{Out, bytes_in, netrt_handle, netrt_hresult, read_in};
use crate::enums::{netrt_socket_activity_kind, netrt_socket_activity_trigger_reason};
use crate::foundation::netrt_guid;
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{data_out, str_in, str_out};

/// `BackgroundTaskBuilder` with `Name = name`, `TaskEntryPoint = task_entry_point` (netrt: the
/// command line the broker runs with `/bin/sh -c`) and `SetTrigger(SocketActivityTrigger)`,
/// then `Register()`: `*out` receives a new BackgroundTaskRegistration reference. Errors:
/// `E_POINTER`, `E_INVALIDARG` for an empty name or entry point, `E_SERVICE_NOT_ACTIVE` when no
/// broker runs and none can be started.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_register_socket_activity(
    name: *const c_char,
    task_entry_point: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_task_register_socket_activity", {
        let out = Out::new(out, "out")?;
        let mut builder = BackgroundTaskBuilder::new();
        builder.set_name(str_in(name, "name")?);
        builder.set_task_entry_point(str_in(task_entry_point, "task_entry_point")?);
        builder.set_trigger(SocketActivityTrigger::new());
        out.write(handle::issue_new(Value::BackgroundTaskRegistration(builder.register()?))?);
        Ok(())
    })
}

/// `TaskId`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_registration_get_task_id(
    registration: netrt_handle,
    out_value: *mut netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_background_task_registration_get_task_id", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(registration, BackgroundTaskRegistration).task_id().into());
        Ok(())
    })
}

/// `Name` into `buf` (UTF-8 + NUL; `*needed` gets the size). Errors: handle checks,
/// `E_POINTER`, `E_INSUFFICIENT_BUFFER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_registration_get_name(
    registration: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_background_task_registration_get_name", {
        str_out(&get!(registration, BackgroundTaskRegistration).name(), buf, len, needed)
    })
}

/// `Unregister(cancelTask)` (`cancel_task` has no effect in netrt). Errors: handle checks,
/// `E_NOT_FOUND` when the broker no longer knows the task, `E_SERVICE_NOT_ACTIVE`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_registration_unregister(
    registration: netrt_handle,
    cancel_task: bool,
) -> netrt_hresult {
    ffi!("netrt_background_task_registration_unregister", {
        get!(registration, BackgroundTaskRegistration).unregister(cancel_task)
    })
}

/// `EnableTransferOwnership(taskId)` (before connecting). Errors: handle checks, `E_POINTER`,
/// `E_ILLEGAL_METHOD_CALL` once connecting or connected, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_enable_transfer_ownership(
    socket: netrt_handle,
    task_id: *const netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_enable_transfer_ownership", {
        let task: Guid = read_in(task_id, "task_id")?.into();
        get!(socket, StreamSocket).enable_transfer_ownership(task)
    })
}

/// `EnableTransferOwnership(taskId, connectedStandbyAction)` (the action is recorded; Linux
/// has no connected standby). Errors: as above, and `E_INVALIDARG` for an unknown action.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_enable_transfer_ownership_with_connected_standby_action(
    socket: netrt_handle,
    task_id: *const netrt_guid,
    connected_standby_action: i32,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_enable_transfer_ownership_with_connected_standby_action", {
        let task: Guid = read_in(task_id, "task_id")?.into();
        let action = SocketActivityConnectedStandbyAction::from_raw(connected_standby_action)?;
        get!(socket, StreamSocket).enable_transfer_ownership_with_connected_standby_action(task, action)
    })
}

fn transfer(
    socket: netrt_handle,
    socket_id: *const c_char,
    context: Option<(*const u8, usize)>,
    keep_alive: Option<i64>,
) -> Result<(), netrt_core::Error> {
    let sock: StreamSocket = get!(socket, StreamSocket);
    let id = str_in(socket_id, "socket_id")?;
    let Some((data, len)) = context else { return sock.transfer_ownership(id) };
    let context = SocketActivityContext::new(bytes_in(data, len, "context")?);
    match keep_alive {
        None => sock.transfer_ownership_with_context(id, &context),
        Some(ticks) => sock.transfer_ownership_with_context_and_keep_alive_time(
            id,
            &context,
            TimeSpan { duration: ticks },
        ),
    }
}

/// `TransferOwnership(socketId)`: hands the connected socket to the socket broker; the handle's
/// socket is closed afterwards (`RO_E_CLOSED`), the connection stays open in the broker.
/// Errors: handle checks, `E_POINTER`, `E_INVALIDARG` (empty id), `E_ILLEGAL_METHOD_CALL`
/// (EnableTransferOwnership missing, not connected, a read or write pending), `E_NOTIMPL` (TLS),
/// `E_ALREADY_EXISTS`, `E_NOT_FOUND` (task not registered), `E_SERVICE_NOT_ACTIVE`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_transfer_ownership(
    socket: netrt_handle,
    socket_id: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_transfer_ownership", { transfer(socket, socket_id, None, None) })
}

/// `TransferOwnership(socketId, SocketActivityContext(context))`: with `len` context bytes (at
/// most 16 KiB; `context` may be NULL when `len` is 0). Errors: as
/// `netrt_stream_socket_transfer_ownership`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_transfer_ownership_with_context(
    socket: netrt_handle,
    socket_id: *const c_char,
    context: *const u8,
    len: usize,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_transfer_ownership_with_context", {
        transfer(socket, socket_id, Some((context, len)), None)
    })
}

/// `TransferOwnership(socketId, context, keepAliveTime)`: `keep_alive_time` in 100-ns ticks;
/// when it passes with no activity the task runs with `KeepAliveTimerExpired`. Errors: as
/// `netrt_stream_socket_transfer_ownership_with_context`, `E_INVALIDARG` for a negative time.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_transfer_ownership_with_context_and_keep_alive_time(
    socket: netrt_handle,
    socket_id: *const c_char,
    context: *const u8,
    len: usize,
    keep_alive_time: i64,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_transfer_ownership_with_context_and_keep_alive_time", {
        transfer(socket, socket_id, Some((context, len)), Some(keep_alive_time))
    })
}

/// netrt: the background task instance this process was started for by the socket broker
/// (from `NETRT_BROKER_ACTIVATION`): `*out` receives a new reference, or 0 with `S_FALSE` in a
/// process the broker did not start. Errors: `E_POINTER`, `E_NOT_FOUND` (the broker no longer
/// knows the activation), `E_SERVICE_NOT_ACTIVE`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_instance_get_current(out: *mut netrt_handle) -> netrt_hresult {
    let not_started = std::cell::Cell::new(false);
    let flag = &not_started;
    let hr = ffi!("netrt_background_task_instance_get_current", {
        let out = Out::new(out, "out")?;
        match BackgroundTaskInstance::current()? {
            Some(instance) => out.write(handle::issue_new(Value::BackgroundTaskInstance(instance))?),
            None => {
                out.write(0);
                flag.set(true);
            }
        }
        Ok(())
    });
    if hr == netrt_core::error::hresult::S_OK && not_started.get() {
        netrt_core::error::hresult::S_FALSE
    } else {
        hr
    }
}

/// `InstanceId`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_instance_get_instance_id(
    instance: netrt_handle,
    out_value: *mut netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_background_task_instance_get_instance_id", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(instance, BackgroundTaskInstance).instance_id().into());
        Ok(())
    })
}

/// `TriggerDetails`: `*out` receives a new reference — a SocketActivityTriggerDetails for a task
/// the socket broker started, an IControlChannelTriggerEventDetails
/// (`NETRT_KIND_CONTROL_CHANNEL_TRIGGER_EVENT_DETAILS`) for a ControlChannelTrigger's task
/// (`netrt_get_kind` tells which). Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_instance_get_trigger_details(
    instance: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_task_instance_get_trigger_details", {
        let out = Out::new(out, "out")?;
        let details = match get!(instance, BackgroundTaskInstance).trigger_details() {
            BackgroundTriggerDetails::SocketActivity(d) => Value::SocketActivityTriggerDetails(d),
            BackgroundTriggerDetails::ControlChannel(d) => Value::ControlChannelTriggerEventDetails(d),
        };
        out.write(handle::issue_new(details)?);
        Ok(())
    })
}

/// `Reason`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_trigger_details_get_reason(
    details: netrt_handle,
    out_value: *mut netrt_socket_activity_trigger_reason,
) -> netrt_hresult {
    ffi!("netrt_socket_activity_trigger_details_get_reason", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(details, SocketActivityTriggerDetails).reason().into());
        Ok(())
    })
}

/// `SocketInformation`: `*out` receives a new SocketActivityInformation reference. Errors:
/// handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_trigger_details_get_socket_information(
    details: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_socket_activity_trigger_details_get_socket_information", {
        let out = Out::new(out, "out")?;
        let info = get!(details, SocketActivityTriggerDetails).socket_information();
        out.write(handle::issue_new(Value::SocketActivityInformation(info))?);
        Ok(())
    })
}

/// `Id` (the socket id given to TransferOwnership) into `buf`. Errors: handle checks,
/// `E_POINTER`, `E_INSUFFICIENT_BUFFER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_information_get_id(
    information: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_socket_activity_information_get_id", {
        str_out(&get!(information, SocketActivityInformation).id(), buf, len, needed)
    })
}

/// `TaskId`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_information_get_task_id(
    information: netrt_handle,
    out_value: *mut netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_socket_activity_information_get_task_id", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(information, SocketActivityInformation).task_id().into());
        Ok(())
    })
}

/// `SocketKind`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_information_get_socket_kind(
    information: netrt_handle,
    out_value: *mut netrt_socket_activity_kind,
) -> netrt_hresult {
    ffi!("netrt_socket_activity_information_get_socket_kind", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(information, SocketActivityInformation).socket_kind().into());
        Ok(())
    })
}

/// `Context.Data` (the bytes given to TransferOwnership) into `buf`; `*needed` gets their
/// count. Errors: handle checks, `E_POINTER`, `E_INSUFFICIENT_BUFFER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_information_get_context(
    information: netrt_handle,
    buf: *mut u8,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_socket_activity_information_get_context", {
        data_out(get!(information, SocketActivityInformation).context().data(), buf, len, needed)
    })
}

/// `StreamSocket`: takes the connected socket back from the broker (the bytes that arrived
/// meanwhile are still unread); `*out` receives a new StreamSocket reference (the same socket
/// on later calls). Errors: handle checks, `E_POINTER`, `E_ILLEGAL_METHOD_CALL` (another kind),
/// `E_NOT_FOUND` (reclaimed elsewhere), `E_SERVICE_NOT_ACTIVE`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_information_get_stream_socket(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_socket_activity_information_get_stream_socket", {
        let out = Out::new(out, "out")?;
        let socket = get!(information, SocketActivityInformation).stream_socket()?;
        out.write(handle::issue_new(Value::StreamSocket(socket))?);
        Ok(())
    })
}

/// `EnableTransferOwnership(taskId)` on a StreamSocketListener (before binding). Errors:
/// handle checks, `E_POINTER`, `E_ILLEGAL_METHOD_CALL` once bound, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_enable_transfer_ownership(
    listener: netrt_handle,
    task_id: *const netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_enable_transfer_ownership", {
        let task: Guid = read_in(task_id, "task_id")?.into();
        get!(listener, StreamSocketListener).enable_transfer_ownership(task)
    })
}

/// `TransferOwnership(socketId[, SocketActivityContext(context)])` on a bound
/// StreamSocketListener (`context` NULL with `len` 0 for the one-argument form): the broker
/// activates the task with `ConnectionAccepted`. Errors: as
/// `netrt_stream_socket_transfer_ownership` (`E_ILLEGAL_METHOD_CALL` when not bound,
/// `E_NOTIMPL` for a TLS listener).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_stream_socket_listener_transfer_ownership(
    listener: netrt_handle,
    socket_id: *const c_char,
    context: *const u8,
    len: usize,
) -> netrt_hresult {
    ffi!("netrt_stream_socket_listener_transfer_ownership", {
        let id = str_in(socket_id, "socket_id")?;
        let context = SocketActivityContext::new(bytes_in(context, len, "context")?);
        get!(listener, StreamSocketListener).transfer_ownership_with_context(id, &context)
    })
}

/// `EnableTransferOwnership(taskId)` on a DatagramSocket (before binding or connecting).
/// Errors: handle checks, `E_POINTER`, `E_ILLEGAL_METHOD_CALL` once bound, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_enable_transfer_ownership(
    socket: netrt_handle,
    task_id: *const netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_enable_transfer_ownership", {
        let task: Guid = read_in(task_id, "task_id")?.into();
        get!(socket, DatagramSocket).enable_transfer_ownership(task)
    })
}

/// `TransferOwnership(socketId[, context[, keepAliveTime]])` on a bound DatagramSocket
/// (`context` NULL with `len` 0 and `keep_alive_time` 0 for the shorter forms; ticks of 100
/// ns): the broker activates the task with `SocketActivity` when a datagram arrives. Errors: as
/// `netrt_stream_socket_transfer_ownership_with_context_and_keep_alive_time`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_datagram_socket_transfer_ownership(
    socket: netrt_handle,
    socket_id: *const c_char,
    context: *const u8,
    len: usize,
    keep_alive_time: i64,
) -> netrt_hresult {
    ffi!("netrt_datagram_socket_transfer_ownership", {
        let id = str_in(socket_id, "socket_id")?;
        let context = SocketActivityContext::new(bytes_in(context, len, "context")?);
        let sock = get!(socket, DatagramSocket);
        match keep_alive_time {
            0 => sock.transfer_ownership_with_context(id, &context),
            ticks => sock.transfer_ownership_with_context_and_keep_alive_time(
                id,
                &context,
                TimeSpan { duration: ticks },
            ),
        }
    })
}

/// `StreamSocketListener`: takes the listener back (it accepts once a ConnectionReceived
/// handler is attached); `*out` receives a new reference. Errors: as
/// `netrt_socket_activity_information_get_stream_socket`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_information_get_stream_socket_listener(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_socket_activity_information_get_stream_socket_listener", {
        let out = Out::new(out, "out")?;
        let listener = get!(information, SocketActivityInformation).stream_socket_listener()?;
        out.write(handle::issue_new(Value::StreamSocketListener(listener))?);
        Ok(())
    })
}

/// `DatagramSocket`: takes the datagram socket back (it receives once a MessageReceived
/// handler is attached); `*out` receives a new reference. Errors: as
/// `netrt_socket_activity_information_get_stream_socket`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_information_get_datagram_socket(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_socket_activity_information_get_datagram_socket", {
        let out = Out::new(out, "out")?;
        let socket = get!(information, SocketActivityInformation).datagram_socket()?;
        out.write(handle::issue_new(Value::DatagramSocket(socket))?);
        Ok(())
    })
}
