//! `ControlChannelTrigger` in C (docs/broker.md): the trigger, the in-process tasks registered
//! on its KeepAliveTrigger / PushNotificationTrigger and the entry points that run them, a
//! task instance's deferral and progress, and a registration's Completed / Progress events.

use std::ffi::{c_char, c_void};

use netrt_core::broker::{
    BackgroundTaskBuilder, BackgroundTaskCancellationReason, BackgroundTaskCompletedEventArgs,
    BackgroundTaskInstance, BackgroundTaskProgressEventArgs, BackgroundTrigger, ControlChannelTransport,
    ControlChannelTrigger, ControlChannelTriggerResourceType, LocalTriggerKind,
};
use netrt_core::error::hresult;
use netrt_core::{Error, Result};

use crate::boundary::{Out, netrt_handle, netrt_hresult, null};
use crate::enums::{netrt_background_task_cancellation_reason, netrt_control_channel_trigger_status};
use crate::event::{UserData, c_handler, netrt_event_handler};
use crate::foundation::netrt_guid;
use crate::handle;
use crate::object::{Value, get, get_obj, with_value};
use crate::strings::{str_in, str_out};

/// The code of an in-process background task: `IBackgroundTask.Run`. `task_instance` is a
/// BackgroundTaskInstance handle borrowed for the call (duplicate it to keep it). Runs on the
/// trigger's netrt thread; the next run of the channel's tasks waits until it returns.
pub type netrt_background_task_entry_point =
    Option<unsafe extern "C" fn(user_data: *mut c_void, task_instance: netrt_handle)>;

/// netrt: registers `run` as the code of the in-process tasks whose TaskEntryPoint is
/// `entry_point` (a ControlChannelTrigger's tasks; WinRT activates the class the entry point
/// names). A second registration under the same name replaces the first. Errors: `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_register_entry_point(
    entry_point: *const c_char,
    run: netrt_background_task_entry_point,
    user_data: *mut c_void,
) -> netrt_hresult {
    ffi!("netrt_background_task_register_entry_point", {
        let name = str_in(entry_point, "entry_point")?;
        let cb = run.ok_or_else(|| null("run"))?;
        let data = UserData(user_data);
        netrt_core::broker::register_task_entry_point(name, move |instance: &BackgroundTaskInstance| {
            let data = data;
            if let Ok(h) = handle::issue_new(Value::BackgroundTaskInstance(instance.clone())) {
                // SAFETY: the caller registered `cb` for this entry point.
                unsafe { cb(data.0, h) };
                let _ = handle::release(h);
            }
        });
        Ok(())
    })
}

/// netrt: removes the code registered for `entry_point`; `S_FALSE` when there was none.
/// Errors: `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_unregister_entry_point(entry_point: *const c_char) -> netrt_hresult {
    let found = std::cell::Cell::new(true);
    let flag = &found;
    let hr = ffi!("netrt_background_task_unregister_entry_point", {
        flag.set(netrt_core::broker::unregister_task_entry_point(str_in(entry_point, "entry_point")?));
        Ok(())
    });
    if hr == hresult::S_OK && !found.get() { hresult::S_FALSE } else { hr }
}

fn issue_trigger(trigger: ControlChannelTrigger, out: Out<netrt_handle>) -> Result<()> {
    out.write(handle::issue_new(Value::ControlChannelTrigger(trigger))?);
    Ok(())
}

/// `ControlChannelTrigger(channelId, serverKeepAliveIntervalInMinutes)`: `*out` receives a new
/// reference. `netrt_close` stops the trigger (its tasks no longer run); releasing handles does
/// not. Errors: `E_POINTER`, `E_INVALIDARG` (empty id, interval under 15 minutes).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_create(
    channel_id: *const c_char,
    server_keep_alive_interval_in_minutes: u32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_create", {
        let out = Out::new(out, "out")?;
        issue_trigger(
            ControlChannelTrigger::new(
                str_in(channel_id, "channel_id")?,
                server_keep_alive_interval_in_minutes,
            )?,
            out,
        )
    })
}

/// `ControlChannelTrigger(channelId, serverKeepAliveIntervalInMinutes, resourceRequestType)`
/// (`NETRT_CONTROL_CHANNEL_TRIGGER_RESOURCE_TYPE_*`; a hardware slot request gets a software
/// slot on Linux). Errors: as `netrt_control_channel_trigger_create`, `E_INVALIDARG` for an
/// unknown resource type.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_create_with_resource_type(
    channel_id: *const c_char,
    server_keep_alive_interval_in_minutes: u32,
    resource_request_type: i32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_create_with_resource_type", {
        let out = Out::new(out, "out")?;
        let kind = ControlChannelTriggerResourceType::from_raw(resource_request_type)?;
        issue_trigger(
            ControlChannelTrigger::with_resource_type(
                str_in(channel_id, "channel_id")?,
                server_keep_alive_interval_in_minutes,
                kind,
            )?,
            out,
        )
    })
}

/// `ControlChannelTriggerId` into `buf`. Errors: handle checks, `E_POINTER`,
/// `E_INSUFFICIENT_BUFFER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_get_control_channel_trigger_id(
    trigger: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_get_control_channel_trigger_id", {
        str_out(&get!(trigger, ControlChannelTrigger).control_channel_trigger_id(), buf, len, needed)
    })
}

/// `ServerKeepAliveIntervalInMinutes`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_get_server_keep_alive_interval_in_minutes(
    trigger: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_get_server_keep_alive_interval_in_minutes", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(trigger, ControlChannelTrigger).server_keep_alive_interval_in_minutes());
        Ok(())
    })
}

/// `ServerKeepAliveIntervalInMinutes` (set; also the keep-alive interval from now on).
/// Errors: handle checks, `E_INVALIDARG` under 15, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_set_server_keep_alive_interval_in_minutes(
    trigger: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_set_server_keep_alive_interval_in_minutes", {
        get!(trigger, ControlChannelTrigger).set_server_keep_alive_interval_in_minutes(value)
    })
}

/// `CurrentKeepAliveIntervalInMinutes`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_get_current_keep_alive_interval_in_minutes(
    trigger: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_get_current_keep_alive_interval_in_minutes", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(trigger, ControlChannelTrigger).current_keep_alive_interval_in_minutes());
        Ok(())
    })
}

/// netrt extension: the keep-alive interval in seconds. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_get_keep_alive_interval_in_seconds(
    trigger: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_get_keep_alive_interval_in_seconds", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(trigger, ControlChannelTrigger).keep_alive_interval_in_seconds());
        Ok(())
    })
}

/// netrt extension: sets the keep-alive interval in seconds (at least 1; below WinRT's
/// 15-minute floor, for tests). Errors: handle checks, `E_INVALIDARG` for 0, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_set_keep_alive_interval_in_seconds(
    trigger: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_set_keep_alive_interval_in_seconds", {
        get!(trigger, ControlChannelTrigger).set_keep_alive_interval_in_seconds(value)
    })
}

/// `IsWakeFromLowPowerSupported`: false. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_get_is_wake_from_low_power_supported(
    trigger: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_get_is_wake_from_low_power_supported", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(trigger, ControlChannelTrigger).is_wake_from_low_power_supported());
        Ok(())
    })
}

/// `UsingTransport(transport)`: a StreamSocket, MessageWebSocket or StreamWebSocket handle
/// (the trigger keeps its own reference). Errors: handle checks (`E_INVALIDARG` for another
/// kind), `E_ILLEGAL_METHOD_CALL` when a transport is set, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_using_transport(
    trigger: netrt_handle,
    transport: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_using_transport", {
        let channel = get!(trigger, ControlChannelTrigger);
        let obj = handle::lookup(transport, None)?;
        let transport = match &obj.value {
            Value::StreamSocket(s) => ControlChannelTransport::StreamSocket(s.clone()),
            Value::MessageWebSocket(w) => ControlChannelTransport::MessageWebSocket(w.clone()),
            Value::StreamWebSocket(w) => ControlChannelTransport::StreamWebSocket(w.clone()),
            _ => {
                return Err(Error::invalid_arg(
                    "UsingTransport takes a StreamSocket, MessageWebSocket or StreamWebSocket",
                ));
            }
        };
        channel.using_transport(transport)
    })
}

/// `WaitForPushEnabled()`: starts the keep-alive clock and the push watch;
/// `SOFTWARE_SLOT_ALLOCATED`, or `TRANSPORT_DISCONNECTED` when the transport is not connected.
/// Errors: handle checks, `E_POINTER`, `E_ILLEGAL_METHOD_CALL` without UsingTransport,
/// `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_wait_for_push_enabled(
    trigger: netrt_handle,
    out_status: *mut netrt_control_channel_trigger_status,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_wait_for_push_enabled", {
        let out = Out::new(out_status, "out_status")?;
        out.write(get!(trigger, ControlChannelTrigger).wait_for_push_enabled()?.into());
        Ok(())
    })
}

/// `DecreaseNetworkKeepAliveInterval()`: halves the interval (at least 1 s). Errors: handle
/// checks, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_decrease_network_keep_alive_interval(
    trigger: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_decrease_network_keep_alive_interval", {
        get!(trigger, ControlChannelTrigger).decrease_network_keep_alive_interval()
    })
}

/// `FlushTransport()` (netrt writes through; checks the transport is set). Errors: handle
/// checks, `E_ILLEGAL_METHOD_CALL` without UsingTransport, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_flush_transport(trigger: netrt_handle) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_flush_transport", {
        get!(trigger, ControlChannelTrigger).flush_transport()
    })
}

fn register_on(
    name: *const c_char,
    entry_point: *const c_char,
    trigger: netrt_handle,
    kind: LocalTriggerKind,
    out: *mut netrt_handle,
) -> Result<()> {
    let out = Out::new(out, "out")?;
    let channel = get!(trigger, ControlChannelTrigger);
    let mut builder = BackgroundTaskBuilder::new();
    builder.set_name(str_in(name, "name")?);
    builder.set_task_entry_point(str_in(entry_point, "entry_point")?);
    builder.set_trigger(BackgroundTrigger::ControlChannel(channel, kind));
    out.write(handle::issue_new(Value::BackgroundTaskRegistration(builder.register()?))?);
    Ok(())
}

/// `BackgroundTaskBuilder` with `SetTrigger(trigger.KeepAliveTrigger)` and `Register()`: the
/// task (its code registered with `netrt_background_task_register_entry_point`) runs in this
/// process every keep-alive interval. `*out` receives a new BackgroundTaskRegistration
/// reference. Errors: handle checks, `E_POINTER`, `E_INVALIDARG` (empty name or entry point),
/// `RO_E_CLOSED` (closed trigger).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_register_control_channel_keep_alive(
    name: *const c_char,
    entry_point: *const c_char,
    trigger: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_task_register_control_channel_keep_alive", {
        register_on(name, entry_point, trigger, LocalTriggerKind::KeepAlive, out)
    })
}

/// As `netrt_background_task_register_control_channel_keep_alive` with
/// `trigger.PushNotificationTrigger`: the task runs when bytes arrive on the transport while
/// no read is pending (they stay unread for the app).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_register_control_channel_push_notification(
    name: *const c_char,
    entry_point: *const c_char,
    trigger: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_task_register_control_channel_push_notification", {
        register_on(name, entry_point, trigger, LocalTriggerKind::PushNotification, out)
    })
}

/// `IControlChannelTriggerEventDetails.ControlChannelTrigger`: `*out` receives a new reference
/// to the trigger that ran the task. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_control_channel_trigger_event_details_get_control_channel_trigger(
    details: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_control_channel_trigger_event_details_get_control_channel_trigger", {
        let out = Out::new(out, "out")?;
        issue_trigger(get!(details, ControlChannelTriggerEventDetails).control_channel_trigger(), out)
    })
}

/// `GetDeferral()`: `*out` receives a new BackgroundTaskDeferral reference; an in-process
/// run is complete (Completed is raised) once the entry point returned and the deferral is
/// completed. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_instance_get_deferral(
    instance: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_task_instance_get_deferral", {
        let out = Out::new(out, "out")?;
        let deferral = get!(instance, BackgroundTaskInstance).get_deferral();
        out.write(handle::issue_new(Value::BackgroundTaskDeferral(deferral))?);
        Ok(())
    })
}

/// `BackgroundTaskDeferral.Complete()` (idempotent). Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_deferral_complete(deferral: netrt_handle) -> netrt_hresult {
    ffi!("netrt_background_task_deferral_complete", {
        get!(deferral, BackgroundTaskDeferral).complete();
        Ok(())
    })
}

/// `Progress` (get). Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_instance_get_progress(
    instance: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_background_task_instance_get_progress", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(instance, BackgroundTaskInstance).progress());
        Ok(())
    })
}

/// `Progress` (set): an in-process task's registration raises Progress. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_instance_set_progress(
    instance: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_background_task_instance_set_progress", {
        get!(instance, BackgroundTaskInstance).set_progress(value);
        Ok(())
    })
}

fn completed_args(args: &BackgroundTaskCompletedEventArgs) -> Value {
    Value::BackgroundTaskCompletedEventArgs(args.clone())
}

fn progress_args(args: &BackgroundTaskProgressEventArgs) -> Value {
    Value::BackgroundTaskProgressEventArgs(args.clone())
}

/// `Completed` (add): `handler` (not NULL) receives the registration and a
/// BackgroundTaskCompletedEventArgs, both borrowed for the call, when a run of the task in
/// this process ends; `*out_token` (not NULL) receives its token. Errors: handle checks,
/// `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_registration_add_completed(
    registration: netrt_handle,
    handler: netrt_event_handler,
    user_data: *mut c_void,
    out_token: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_background_task_registration_add_completed", {
        let out = Out::new(out_token, "out_token")?;
        let (obj, reg) = get_obj!(registration, BackgroundTaskRegistration);
        out.write(reg.add_completed(c_handler(&obj, handler, user_data, completed_args)?)?);
        Ok(())
    })
}

/// `Completed` (remove) by token; unknown tokens are ignored. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_registration_remove_completed(
    registration: netrt_handle,
    token: i64,
) -> netrt_hresult {
    ffi!("netrt_background_task_registration_remove_completed", {
        with_value!(registration, BackgroundTaskRegistration, |r| r.remove_completed(token));
        Ok(())
    })
}

/// `Progress` (add): as `netrt_background_task_registration_add_completed`, with a
/// BackgroundTaskProgressEventArgs when a run in this process sets its Progress.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_registration_add_progress(
    registration: netrt_handle,
    handler: netrt_event_handler,
    user_data: *mut c_void,
    out_token: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_background_task_registration_add_progress", {
        let out = Out::new(out_token, "out_token")?;
        let (obj, reg) = get_obj!(registration, BackgroundTaskRegistration);
        out.write(reg.add_progress(c_handler(&obj, handler, user_data, progress_args)?)?);
        Ok(())
    })
}

/// `Progress` (remove) by token; unknown tokens are ignored. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_registration_remove_progress(
    registration: netrt_handle,
    token: i64,
) -> netrt_hresult {
    ffi!("netrt_background_task_registration_remove_progress", {
        with_value!(registration, BackgroundTaskRegistration, |r| r.remove_progress(token));
        Ok(())
    })
}

/// `BackgroundTaskCompletedEventArgs.InstanceId`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_completed_event_args_get_instance_id(
    args: netrt_handle,
    out_value: *mut netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_background_task_completed_event_args_get_instance_id", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(args, BackgroundTaskCompletedEventArgs).instance_id().into());
        Ok(())
    })
}

/// `BackgroundTaskCompletedEventArgs.CheckResult()`: `S_OK`, or `E_FAIL` when the run failed.
/// Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_completed_event_args_check_result(
    args: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_task_completed_event_args_check_result", {
        get!(args, BackgroundTaskCompletedEventArgs).check_result()
    })
}

/// `BackgroundTaskProgressEventArgs.InstanceId`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_progress_event_args_get_instance_id(
    args: netrt_handle,
    out_value: *mut netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_background_task_progress_event_args_get_instance_id", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(args, BackgroundTaskProgressEventArgs).instance_id().into());
        Ok(())
    })
}

/// `BackgroundTaskProgressEventArgs.Progress`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_progress_event_args_get_progress(
    args: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_background_task_progress_event_args_get_progress", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(args, BackgroundTaskProgressEventArgs).progress());
        Ok(())
    })
}

/// A `Canceled` handler: `user_data` as registered, the BackgroundTaskInstance (borrowed for
/// the call) and the reason. Runs on netrt's dispatcher thread.
pub type netrt_background_task_canceled_handler = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        sender: netrt_handle,
        reason: netrt_background_task_cancellation_reason,
    ),
>;

/// `Canceled` (add): `handler` (not NULL) runs when this run is canceled — an in-process run
/// whose task is unregistered with `cancel_task` or whose ControlChannelTrigger closes before
/// it completed (`NETRT_BACKGROUND_TASK_CANCELLATION_REASON_ABORT`). `*out_token` (not NULL)
/// receives its token. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_instance_add_canceled(
    instance: netrt_handle,
    handler: netrt_background_task_canceled_handler,
    user_data: *mut c_void,
    out_token: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_background_task_instance_add_canceled", {
        let out = Out::new(out_token, "out_token")?;
        let cb = handler.ok_or_else(|| null("handler"))?;
        let inst = get!(instance, BackgroundTaskInstance);
        let data = UserData(user_data);
        // The sender is a new handle of the instance: the one the task's code received is
        // released when its entry point returns, and the run may be canceled later.
        let handler: netrt_core::event::Handler<BackgroundTaskInstance, BackgroundTaskCancellationReason> =
            std::sync::Arc::new(move |sender: &BackgroundTaskInstance, reason| {
                let data = data;
                if let Ok(s) = handle::issue_new(Value::BackgroundTaskInstance(sender.clone())) {
                    // SAFETY: the caller registered `cb` for this event.
                    unsafe { cb(data.0, s, (*reason).into()) };
                    let _ = handle::release(s);
                }
            });
        out.write(inst.add_canceled(handler)?);
        Ok(())
    })
}

/// `Canceled` (remove) by token; unknown tokens are ignored. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_instance_remove_canceled(
    instance: netrt_handle,
    token: i64,
) -> netrt_hresult {
    ffi!("netrt_background_task_instance_remove_canceled", {
        with_value!(instance, BackgroundTaskInstance, |i| i.remove_canceled(token));
        Ok(())
    })
}
