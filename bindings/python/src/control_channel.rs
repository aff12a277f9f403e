//! `ControlChannelTrigger` (docs/broker.md): the trigger, its two background triggers, the
//! details handed to its tasks, the in-process entry points (`register_task_entry_point`) and
//! a registration's Completed / Progress event arguments. The behaviour is core's
//! (`netrt::broker`); this converts arguments and runs Python task code with the GIL.

use std::sync::Arc;

use netrt::broker::{
    BackgroundTaskCompletedEventArgs, BackgroundTaskInstance, BackgroundTaskProgressEventArgs,
    BackgroundTrigger, ControlChannelTransport, ControlChannelTrigger, ControlChannelTriggerEventDetails,
    ControlChannelTriggerResourceType, LocalTriggerKind,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::asyncop::arity_error;
use crate::broker::PyBackgroundTaskInstance;
use crate::callbacks::call_python;
use crate::convert::{enum_arg, py_enum, str_arg, uuid};
use crate::errors::OrRaise;

/// `ControlChannelTrigger(channel_id, server_keep_alive_interval_in_minutes[,
/// resource_request_type])`.
#[pyclass(module = "netrt", name = "ControlChannelTrigger", frozen)]
pub struct PyControlChannelTrigger {
    pub inner: ControlChannelTrigger,
}

fn transport_of(obj: &Bound<'_, PyAny>) -> PyResult<ControlChannelTransport> {
    if let Ok(s) = obj.cast::<crate::stream_socket::PyStreamSocket>() {
        return Ok(ControlChannelTransport::StreamSocket(s.get().inner.clone()));
    }
    if let Ok(w) = obj.cast::<crate::websocket::PyMessageWebSocket>() {
        return Ok(ControlChannelTransport::MessageWebSocket(w.get().inner.clone()));
    }
    if let Ok(w) = obj.cast::<crate::websocket::PyStreamWebSocket>() {
        return Ok(ControlChannelTransport::StreamWebSocket(w.get().inner.clone()));
    }
    Err(PyTypeError::new_err(format!(
        "using_transport() takes a StreamSocket, MessageWebSocket or StreamWebSocket, got '{}'",
        obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
    )))
}

fn transport_obj(py: Python<'_>, transport: ControlChannelTransport) -> PyResult<Py<PyAny>> {
    match transport {
        ControlChannelTransport::StreamSocket(s) => crate::stream_socket::socket_obj(py, s),
        ControlChannelTransport::MessageWebSocket(w) => {
            Ok(Py::new(py, crate::websocket::PyMessageWebSocket { inner: w })?.into_any())
        }
        ControlChannelTransport::StreamWebSocket(w) => {
            Ok(Py::new(py, crate::websocket::PyStreamWebSocket { inner: w })?.into_any())
        }
    }
}

#[pymethods]
impl PyControlChannelTrigger {
    #[new]
    #[pyo3(signature = (*args))]
    fn new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        const FORMS: &str = "(channel_id, server_keep_alive_interval_in_minutes[, resource_request_type])";
        if !(2..=3).contains(&args.len()) {
            return Err(arity_error("ControlChannelTrigger", FORMS, args));
        }
        let id = str_arg(&args.get_item(0)?, "channel_id")?;
        let minutes: u32 = args.get_item(1)?.extract()?;
        let kind = match args.len() {
            3 => ControlChannelTriggerResourceType::from_raw(enum_arg(
                &args.get_item(2)?,
                "resource_request_type",
            )?)
            .or_raise()?,
            _ => ControlChannelTriggerResourceType::RequestSoftwareSlot,
        };
        Ok(Self { inner: ControlChannelTrigger::with_resource_type(&id, minutes, kind).or_raise()? })
    }

    #[getter]
    fn control_channel_trigger_id(&self) -> String {
        self.inner.control_channel_trigger_id()
    }

    #[getter]
    fn server_keep_alive_interval_in_minutes(&self) -> u32 {
        self.inner.server_keep_alive_interval_in_minutes()
    }

    #[setter]
    fn set_server_keep_alive_interval_in_minutes(&self, value: u32) -> PyResult<()> {
        self.inner.set_server_keep_alive_interval_in_minutes(value).or_raise()
    }

    #[getter]
    fn current_keep_alive_interval_in_minutes(&self) -> u32 {
        self.inner.current_keep_alive_interval_in_minutes()
    }

    /// netrt extension: the keep-alive interval in seconds (settable below WinRT's 15-minute
    /// floor, for tests).
    #[getter]
    fn keep_alive_interval_in_seconds(&self) -> u32 {
        self.inner.keep_alive_interval_in_seconds()
    }

    #[setter]
    fn set_keep_alive_interval_in_seconds(&self, value: u32) -> PyResult<()> {
        self.inner.set_keep_alive_interval_in_seconds(value).or_raise()
    }

    #[getter]
    fn is_wake_from_low_power_supported(&self) -> bool {
        self.inner.is_wake_from_low_power_supported()
    }

    #[getter]
    fn keep_alive_trigger(&self) -> PyControlChannelBackgroundTrigger {
        PyControlChannelBackgroundTrigger { inner: self.inner.keep_alive_trigger() }
    }

    #[getter]
    fn push_notification_trigger(&self) -> PyControlChannelBackgroundTrigger {
        PyControlChannelBackgroundTrigger { inner: self.inner.push_notification_trigger() }
    }

    /// What `using_transport` was given (None before).
    #[getter]
    fn transport_object(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.inner.transport_object().map(|t| transport_obj(py, t)).transpose()
    }

    #[pyo3(signature = (transport, /))]
    fn using_transport(&self, transport: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.using_transport(transport_of(transport)?).or_raise()
    }

    /// `SOFTWARE_SLOT_ALLOCATED` (watching starts), or `TRANSPORT_DISCONNECTED`.
    fn wait_for_push_enabled(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let status = py.detach(|| self.inner.wait_for_push_enabled()).or_raise()?;
        py_enum(py, "ControlChannelTriggerStatus", status as i64)
    }

    fn decrease_network_keep_alive_interval(&self) -> PyResult<()> {
        self.inner.decrease_network_keep_alive_interval().or_raise()
    }

    fn flush_transport(&self) -> PyResult<()> {
        self.inner.flush_transport().or_raise()
    }

    /// Stops both triggers (idempotent); the transport stays open.
    fn close(&self) {
        self.inner.close();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.close();
    }

    fn __repr__(&self) -> String {
        format!("ControlChannelTrigger({:?})", self.inner.control_channel_trigger_id())
    }
}

/// A ControlChannelTrigger's `keep_alive_trigger` or `push_notification_trigger` (an
/// IBackgroundTrigger for `BackgroundTaskBuilder.set_trigger`).
#[pyclass(module = "netrt", name = "ControlChannelBackgroundTrigger", frozen)]
pub struct PyControlChannelBackgroundTrigger {
    pub inner: BackgroundTrigger,
}

#[pymethods]
impl PyControlChannelBackgroundTrigger {
    fn __repr__(&self) -> String {
        match &self.inner {
            BackgroundTrigger::ControlChannel(c, LocalTriggerKind::KeepAlive) => {
                format!("<KeepAliveTrigger of {:?}>", c.control_channel_trigger_id())
            }
            BackgroundTrigger::ControlChannel(c, _) => {
                format!("<PushNotificationTrigger of {:?}>", c.control_channel_trigger_id())
            }
            BackgroundTrigger::SocketActivity(_) => "<SocketActivityTrigger>".to_owned(),
        }
    }
}

/// `IControlChannelTriggerEventDetails`: the trigger details of a ControlChannelTrigger's task.
#[pyclass(module = "netrt", name = "ControlChannelTriggerEventDetails", frozen)]
pub struct PyControlChannelTriggerEventDetails {
    pub inner: ControlChannelTriggerEventDetails,
}

#[pymethods]
impl PyControlChannelTriggerEventDetails {
    #[getter]
    fn control_channel_trigger(&self) -> PyControlChannelTrigger {
        PyControlChannelTrigger { inner: self.inner.control_channel_trigger() }
    }
}

/// `BackgroundTaskCompletedEventArgs`.
#[pyclass(module = "netrt", name = "BackgroundTaskCompletedEventArgs", frozen)]
pub struct PyBackgroundTaskCompletedEventArgs {
    pub inner: BackgroundTaskCompletedEventArgs,
}

#[pymethods]
impl PyBackgroundTaskCompletedEventArgs {
    #[getter]
    fn instance_id(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        uuid(py, self.inner.instance_id())
    }

    /// Raises when the run failed.
    fn check_result(&self) -> PyResult<()> {
        self.inner.check_result().or_raise()
    }
}

/// `BackgroundTaskProgressEventArgs`.
#[pyclass(module = "netrt", name = "BackgroundTaskProgressEventArgs", frozen)]
pub struct PyBackgroundTaskProgressEventArgs {
    pub inner: BackgroundTaskProgressEventArgs,
}

#[pymethods]
impl PyBackgroundTaskProgressEventArgs {
    #[getter]
    fn instance_id(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        uuid(py, self.inner.instance_id())
    }

    #[getter]
    fn progress(&self) -> u32 {
        self.inner.progress()
    }
}

/// netrt: `register_task_entry_point(entry_point, task, /)` — the code of the in-process
/// tasks whose `task_entry_point` is `entry_point`: an `IBackgroundTask` (an object with
/// `run(task_instance)`), a class of one (a new object per run, as WinRT activates the class),
/// or a plain callable taking the instance. It runs on a netrt thread, with the GIL; an
/// exception it raises is reported through `sys.unraisablehook`.
#[pyfunction]
#[pyo3(signature = (entry_point, task, /))]
pub fn register_task_entry_point(entry_point: &Bound<'_, PyAny>, task: &Bound<'_, PyAny>) -> PyResult<()> {
    let name = str_arg(entry_point, "entry_point")?;
    if !task.is_callable() && !task.hasattr("run")? {
        return Err(PyTypeError::new_err(
            "register_task_entry_point() takes an IBackgroundTask, its class, or a callable",
        ));
    }
    let task = Arc::new(task.clone().unbind());
    netrt::broker::register_task_entry_point(&name, move |instance: &BackgroundTaskInstance| {
        let task = task.clone();
        let instance = instance.clone();
        call_python("netrt: background task entry point", move |py| {
            let task = task.bind(py);
            let arg = Py::new(py, PyBackgroundTaskInstance { inner: instance })?;
            let is_class = task.is_instance_of::<pyo3::types::PyType>();
            if is_class {
                task.call0()?.call_method1("run", (arg,))?;
            } else if task.hasattr("run")? {
                task.call_method1("run", (arg,))?;
            } else {
                task.call1((arg,))?;
            }
            Ok(())
        });
    });
    Ok(())
}

/// netrt: removes the code registered for `entry_point`; False when there was none.
#[pyfunction]
#[pyo3(signature = (entry_point, /))]
pub fn unregister_task_entry_point(entry_point: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(netrt::broker::unregister_task_entry_point(&str_arg(entry_point, "entry_point")?))
}

/// A Python `BackgroundTrigger` argument: a SocketActivityTrigger or a ControlChannelTrigger's
/// keep_alive_trigger / push_notification_trigger.
pub fn trigger_arg(trigger: &Bound<'_, PyAny>) -> PyResult<BackgroundTrigger> {
    if trigger.is_instance_of::<crate::broker::PySocketActivityTrigger>() {
        return Ok(BackgroundTrigger::SocketActivity(netrt::broker::SocketActivityTrigger::new()));
    }
    if let Ok(t) = trigger.cast::<PyControlChannelBackgroundTrigger>() {
        return Ok(t.get().inner.clone());
    }
    Err(PyTypeError::new_err(format!(
        "set_trigger() takes a SocketActivityTrigger or a ControlChannelTrigger's keep_alive_trigger / push_notification_trigger, got '{}'",
        trigger.get_type().name().map(|n| n.to_string()).unwrap_or_default()
    )))
}

/// The Python object for a task instance's `trigger_details`.
pub fn details_obj(py: Python<'_>, details: netrt::broker::BackgroundTriggerDetails) -> PyResult<Py<PyAny>> {
    match details {
        netrt::broker::BackgroundTriggerDetails::SocketActivity(d) => {
            Ok(Py::new(py, crate::broker::PySocketActivityTriggerDetails { inner: d })?.into_any())
        }
        netrt::broker::BackgroundTriggerDetails::ControlChannel(d) => {
            Ok(Py::new(py, PyControlChannelTriggerEventDetails { inner: d })?.into_any())
        }
    }
}
