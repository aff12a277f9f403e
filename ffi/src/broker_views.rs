//! The socket broker's collections and subscription in C (docs/broker.md):
//! `SocketActivityInformation.AllSockets` and `BackgroundTaskRegistration.AllTasks` as
//! read-only `IMapView` snapshots (`netrt_map_view_*`), and the netrt activation subscription
//! of a running instance.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use netrt_core::Error;
use netrt_core::broker::{BackgroundTaskRegistration, SocketActivityInformation};
use netrt_core::error::hresult;
use netrt_core::foundation::Guid;

use crate::boundary::{Out, netrt_handle, netrt_hresult, read_in};
use crate::foundation::netrt_guid;
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};

/// A key of an `IMapView`: AllSockets is keyed by socket id, AllTasks by task id.
#[derive(Clone, PartialEq)]
pub(crate) enum MapKey {
    String(String),
    Guid(Guid),
}

/// A value of an `IMapView`.
#[derive(Clone)]
pub(crate) enum MapValue {
    SocketActivityInformation(SocketActivityInformation),
    BackgroundTaskRegistration(BackgroundTaskRegistration),
}

/// A read-only `IMapView<K, V>` snapshot, in key order.
pub(crate) struct MapView {
    entries: Vec<(MapKey, MapValue)>,
}

impl MapView {
    fn at(&self, index: u32) -> Result<&(MapKey, MapValue), Error> {
        self.entries.get(index as usize).ok_or_else(|| {
            Error::new(
                hresult::E_BOUNDS,
                format!("index {index} is past the map's {} entries", self.entries.len()),
            )
        })
    }

    fn find(&self, key: &MapKey) -> Option<&MapValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn lookup(&self, key: &MapKey) -> Result<&MapValue, Error> {
        self.find(key).ok_or_else(|| {
            let shown = match key {
                MapKey::String(s) => format!("\"{s}\""),
                MapKey::Guid(g) => g.to_string(),
            };
            Error::new(hresult::E_BOUNDS, format!("the map has no key {shown}"))
        })
    }
}

fn issue_value(value: &MapValue) -> Result<netrt_handle, Error> {
    handle::issue_new(match value {
        MapValue::SocketActivityInformation(v) => Value::SocketActivityInformation(v.clone()),
        MapValue::BackgroundTaskRegistration(v) => Value::BackgroundTaskRegistration(v.clone()),
    })
}

fn issue_map(entries: Vec<(MapKey, MapValue)>) -> Result<netrt_handle, Error> {
    handle::issue_new(Value::MapView(Arc::new(MapView { entries })))
}

/// `SocketActivityInformation.AllSockets` (static): `*out` receives a new IMapView reference
/// (a snapshot taken now) from socket id to SocketActivityInformation, for every socket the
/// broker holds for this user. Errors: `E_POINTER`, `E_SERVICE_NOT_ACTIVE` when no broker runs
/// and none can be started.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_activity_information_get_all_sockets(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_socket_activity_information_get_all_sockets", {
        let out = Out::new(out, "out")?;
        let entries = SocketActivityInformation::all_sockets()?
            .into_iter()
            .map(|(id, info)| (MapKey::String(id), MapValue::SocketActivityInformation(info)))
            .collect();
        out.write(issue_map(entries)?);
        Ok(())
    })
}

/// `BackgroundTaskRegistration.AllTasks` (static): `*out` receives a new IMapView reference (a
/// snapshot taken now) from task id (a GUID key) to BackgroundTaskRegistration. Errors:
/// `E_POINTER`, `E_SERVICE_NOT_ACTIVE`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_registration_get_all_tasks(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_background_task_registration_get_all_tasks", {
        let out = Out::new(out, "out")?;
        let entries = BackgroundTaskRegistration::all_tasks()?
            .into_values()
            .map(|task| (MapKey::Guid(task.task_id()), MapValue::BackgroundTaskRegistration(task)))
            .collect();
        out.write(issue_map(entries)?);
        Ok(())
    })
}

/// `IMapView.Size`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_map_view_get_size(map: netrt_handle, out_size: *mut u32) -> netrt_hresult {
    ffi!("netrt_map_view_get_size", {
        let out = Out::new(out_size, "out_size")?;
        out.write(u32::try_from(get!(map, MapView).entries.len()).unwrap_or(u32::MAX));
        Ok(())
    })
}

/// The key of entry `index` (0 ≤ index < Size, in key order; what iterating the map's
/// IKeyValuePairs gives) for maps keyed by strings (AllSockets), into `buf`. Errors: handle
/// checks, `E_POINTER`, `E_BOUNDS`, `E_INSUFFICIENT_BUFFER`, `E_INVALIDARG` for a GUID-keyed map.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_map_view_get_key_at_string(
    map: netrt_handle,
    index: u32,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_map_view_get_key_at_string", {
        match &get!(map, MapView).at(index)?.0 {
            MapKey::String(s) => str_out(s, buf, len, needed),
            MapKey::Guid(_) => Err(Error::invalid_arg("this map's keys are GUIDs (use _get_key_at_guid)")),
        }
    })
}

/// The key of entry `index` for maps keyed by GUIDs (AllTasks). Errors: handle checks,
/// `E_POINTER`, `E_BOUNDS`, `E_INVALIDARG` for a string-keyed map.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_map_view_get_key_at_guid(
    map: netrt_handle,
    index: u32,
    out_key: *mut netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_map_view_get_key_at_guid", {
        let out = Out::new(out_key, "out_key")?;
        match &get!(map, MapView).at(index)?.0 {
            MapKey::Guid(g) => out.write((*g).into()),
            MapKey::String(_) => {
                return Err(Error::invalid_arg("this map's keys are strings (use _get_key_at_string)"));
            }
        }
        Ok(())
    })
}

/// The value of entry `index`: `*out` receives a new reference. Errors: handle checks,
/// `E_POINTER`, `E_BOUNDS`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_map_view_get_value_at(
    map: netrt_handle,
    index: u32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_map_view_get_value_at", {
        let out = Out::new(out, "out")?;
        out.write(issue_value(&get!(map, MapView).at(index)?.1)?);
        Ok(())
    })
}

fn string_key(key: *const c_char) -> Result<MapKey, Error> {
    Ok(MapKey::String(str_in(key, "key")?.to_owned()))
}

fn guid_key(key: *const netrt_guid) -> Result<MapKey, Error> {
    Ok(MapKey::Guid(read_in(key, "key")?.into()))
}

/// `IMapView.HasKey(key)` for string keys (false on a GUID-keyed map). Errors: handle checks,
/// `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_map_view_has_key_string(
    map: netrt_handle,
    key: *const c_char,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_map_view_has_key_string", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(map, MapView).find(&string_key(key)?).is_some());
        Ok(())
    })
}

/// `IMapView.HasKey(key)` for GUID keys (false on a string-keyed map). Errors: handle checks,
/// `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_map_view_has_key_guid(
    map: netrt_handle,
    key: *const netrt_guid,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_map_view_has_key_guid", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(map, MapView).find(&guid_key(key)?).is_some());
        Ok(())
    })
}

/// `IMapView.Lookup(key)` for string keys: `*out` receives a new reference. Errors: handle
/// checks, `E_POINTER`, `E_BOUNDS` when the key is absent (as WinRT's Lookup).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_map_view_lookup_string(
    map: netrt_handle,
    key: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_map_view_lookup_string", {
        let out = Out::new(out, "out")?;
        out.write(issue_value(get!(map, MapView).lookup(&string_key(key)?)?)?);
        Ok(())
    })
}

/// `IMapView.Lookup(key)` for GUID keys. Errors: as `netrt_map_view_lookup_string`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_map_view_lookup_guid(
    map: netrt_handle,
    key: *const netrt_guid,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_map_view_lookup_guid", {
        let out = Out::new(out, "out")?;
        out.write(issue_value(get!(map, MapView).lookup(&guid_key(key)?)?)?);
        Ok(())
    })
}

/// netrt extension: subscribes this running process to the task's activations; while the
/// subscription is open the broker hands them to it instead of starting the task's command.
/// `*out` receives a new ActivationSubscription reference; `netrt_close` (or releasing the last
/// reference) ends the subscription. Errors: handle checks, `E_POINTER`,
/// `E_SERVICE_NOT_ACTIVE`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_task_registration_subscribe(
    registration: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_task_registration_subscribe", {
        let out = Out::new(out, "out")?;
        let subscription = get!(registration, BackgroundTaskRegistration).subscribe()?;
        out.write(handle::issue_new(Value::ActivationSubscription(Arc::new(subscription)))?);
        Ok(())
    })
}

/// netrt extension: waits for the task's next activation, at most `timeout_ms` milliseconds
/// (negative: no limit). `*out` receives a new BackgroundTaskInstance reference, or 0 with
/// `S_FALSE` when the time ran out. Errors: handle checks, `E_POINTER`, `RO_E_CLOSED` once
/// closed (also for a wait that `netrt_close` from another thread ends),
/// `E_ILLEGAL_METHOD_CALL` while another thread waits on it, `E_SERVICE_NOT_ACTIVE` when the
/// broker stopped.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_activation_subscription_next_activation(
    subscription: netrt_handle,
    timeout_ms: i64,
    out: *mut netrt_handle,
) -> netrt_hresult {
    let timed_out = std::cell::Cell::new(false);
    let flag = &timed_out;
    let hr = ffi!("netrt_activation_subscription_next_activation", {
        let out = Out::new(out, "out")?;
        let limit = u64::try_from(timeout_ms).ok().map(Duration::from_millis);
        match get!(subscription, ActivationSubscription).next_activation(limit)? {
            Some(instance) => out.write(handle::issue_new(Value::BackgroundTaskInstance(instance))?),
            None => {
                out.write(0);
                flag.set(true);
            }
        }
        Ok(())
    });
    if hr == hresult::S_OK && timed_out.get() { hresult::S_FALSE } else { hr }
}
