//! `enable_transfer_ownership` / `transfer_ownership` for `StreamSocket`, `StreamSocketListener`
//! and `DatagramSocket` (docs/broker.md): the PyWinRT overloads parsed once here, each class
//! forwarding to [`enable`] and [`transfer`].

use netrt::broker::{SocketActivityConnectedStandbyAction, SocketActivityContext};
use netrt::foundation::{Guid, TimeSpan};
use netrt::net::{DatagramSocket, StreamSocket, StreamSocketListener};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::asyncop::arity_error;
use crate::broker::PySocketActivityContext;
use crate::convert::{enum_arg, guid_arg, str_arg, timespan_arg};
use crate::errors::OrRaise;

/// A core socket class that can be handed to the broker.
pub trait Transferable: Sync {
    /// Whether WinRT has the `(socket_id, data, keep_alive_time)` overload for this class.
    const KEEP_ALIVE: bool;
    fn enable(&self, task: Guid, action: SocketActivityConnectedStandbyAction) -> netrt::Result<()>;
    fn transfer_plain(&self, id: &str) -> netrt::Result<()>;
    fn transfer_context(&self, id: &str, data: &SocketActivityContext) -> netrt::Result<()>;
    /// Only called when `KEEP_ALIVE` is true.
    fn transfer_keep_alive(
        &self,
        id: &str,
        data: &SocketActivityContext,
        time: TimeSpan,
    ) -> netrt::Result<()>;
}

macro_rules! transferable {
    ($ty:ty, keep_alive) => {
        transferable!($ty, true, |s: &$ty, id, data, time| s
            .transfer_ownership_with_context_and_keep_alive_time(id, data, time));
    };
    ($ty:ty, $keep_alive:literal, $with_time:expr) => {
        impl Transferable for $ty {
            const KEEP_ALIVE: bool = $keep_alive;
            fn enable(&self, task: Guid, action: SocketActivityConnectedStandbyAction) -> netrt::Result<()> {
                self.enable_transfer_ownership_with_connected_standby_action(task, action)
            }
            fn transfer_plain(&self, id: &str) -> netrt::Result<()> {
                self.transfer_ownership(id)
            }
            fn transfer_context(&self, id: &str, data: &SocketActivityContext) -> netrt::Result<()> {
                self.transfer_ownership_with_context(id, data)
            }
            fn transfer_keep_alive(
                &self,
                id: &str,
                data: &SocketActivityContext,
                time: TimeSpan,
            ) -> netrt::Result<()> {
                ($with_time)(self, id, data, time)
            }
        }
    };
}

transferable!(StreamSocket, keep_alive);
transferable!(DatagramSocket, keep_alive);
// WinRT's listener has no keep-alive overload; KEEP_ALIVE = false keeps this arm unreachable.
transferable!(StreamSocketListener, false, |s: &StreamSocketListener, id, data, _time| s
    .transfer_ownership_with_context(id, data));

/// `enable_transfer_ownership(task_id[, connected_standby_action])`.
pub fn enable<T: Transferable>(socket: &T, args: &Bound<'_, PyTuple>) -> PyResult<()> {
    const FORMS: &str = "(task_id[, connected_standby_action])";
    let (task, action) = match args.len() {
        1 => (guid_arg(&args.get_item(0)?)?, SocketActivityConnectedStandbyAction::DoNotWake),
        2 => (guid_arg(&args.get_item(0)?)?, standby_action(&args.get_item(1)?)?),
        _ => return Err(arity_error("enable_transfer_ownership", FORMS, args)),
    };
    socket.enable(task, action).or_raise()
}

/// `enable_transfer_ownership_with_connected_standby_action(task_id, action)`.
pub fn enable_with_action<T: Transferable>(
    socket: &T,
    task_id: &Bound<'_, PyAny>,
    action: &Bound<'_, PyAny>,
) -> PyResult<()> {
    socket.enable(guid_arg(task_id)?, standby_action(action)?).or_raise()
}

fn standby_action(obj: &Bound<'_, PyAny>) -> PyResult<SocketActivityConnectedStandbyAction> {
    SocketActivityConnectedStandbyAction::from_raw(enum_arg(obj, "connected_standby_action")?).or_raise()
}

/// `transfer_ownership(socket_id[, data[, keep_alive_time]])` (no `keep_alive_time` for a
/// listener, as in WinRT). The broker round trip runs without the GIL.
pub fn transfer<T: Transferable>(py: Python<'_>, socket: &T, args: &Bound<'_, PyTuple>) -> PyResult<()> {
    let (max, forms) = if T::KEEP_ALIVE {
        (3, "(socket_id[, data[, keep_alive_time]])")
    } else {
        (2, "(socket_id[, data])")
    };
    if args.is_empty() || args.len() > max {
        return Err(arity_error("transfer_ownership", forms, args));
    }
    let id = str_arg(&args.get_item(0)?, "socket_id")?;
    let data = match args.len() {
        1 => None,
        _ => Some(context_arg(&args.get_item(1)?)?),
    };
    let time = match args.len() {
        3 => Some(timespan_arg(&args.get_item(2)?)?),
        _ => None,
    };
    py.detach(|| match (&data, time) {
        (None, _) => socket.transfer_plain(&id),
        (Some(data), None) => socket.transfer_context(&id, data),
        (Some(data), Some(time)) => socket.transfer_keep_alive(&id, data, time),
    })
    .or_raise()
}

/// A `SocketActivityContext` argument (TypeError for anything else).
pub fn context_arg(obj: &Bound<'_, PyAny>) -> PyResult<SocketActivityContext> {
    obj.cast::<PySocketActivityContext>().map(|c| c.get().inner.clone()).map_err(|_| {
        PyTypeError::new_err(format!(
            "expected SocketActivityContext, got '{}'",
            obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })
}
