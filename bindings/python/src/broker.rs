//! The socket broker's classes (docs/broker.md): `SocketActivityTrigger`,
//! `BackgroundTaskBuilder`, `BackgroundTaskRegistration`, `BackgroundTaskInstance`,
//! `BackgroundTaskDeferral` (Windows.ApplicationModel.Background) and `SocketActivityContext`,
//! `SocketActivityInformation`, `SocketActivityTriggerDetails` (Windows.Networking.Sockets).
//!
//! Every call that talks to the broker runs without the GIL: it is a blocking Unix-socket round
//! trip (and may start the daemon).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use netrt::broker::{
    ActivationSubscription, BackgroundTaskBuilder, BackgroundTaskCompletedEventArgs, BackgroundTaskDeferral,
    BackgroundTaskInstance, BackgroundTaskProgressEventArgs, BackgroundTaskRegistration, BackgroundTrigger,
    ReclaimedSocket, SocketActivityContext, SocketActivityInformation, SocketActivityTrigger,
    SocketActivityTriggerDetails,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::asyncop::arity_error;
use crate::convert::{bytes_arg, py_enum, str_arg, uuid};
use crate::errors::{OrRaise, invalid_arg};
use crate::streams::PyBuf;

/// A static property, as PyWinRT has them (`SocketActivityInformation.all_sockets`): a class
/// attribute whose value is computed on every read, from the class or an instance.
#[pyclass(module = "netrt", name = "_StaticProperty", frozen)]
pub struct PyStaticProperty {
    get: fn(Python<'_>) -> PyResult<Py<PyAny>>,
}

#[pymethods]
impl PyStaticProperty {
    fn __get__(
        &self,
        py: Python<'_>,
        _instance: Option<&Bound<'_, PyAny>>,
        _owner: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        (self.get)(py)
    }
}

/// `SocketActivityTrigger()`.
#[pyclass(module = "netrt", name = "SocketActivityTrigger", frozen)]
pub struct PySocketActivityTrigger;

#[pymethods]
impl PySocketActivityTrigger {
    #[new]
    fn new() -> Self {
        Self
    }

    /// Always false: Linux has no connected standby to wake from.
    #[getter]
    fn is_wake_from_low_power_supported(&self) -> bool {
        SocketActivityTrigger::new().is_wake_from_low_power_supported()
    }
}

/// `BackgroundTaskBuilder()`: `name`, `task_entry_point` (netrt: the command line the broker
/// runs with `/bin/sh -c`), `set_trigger(SocketActivityTrigger())`, `register()`.
#[pyclass(module = "netrt", name = "BackgroundTaskBuilder", frozen)]
pub struct PyBackgroundTaskBuilder {
    inner: Mutex<BackgroundTaskBuilder>,
}

impl PyBackgroundTaskBuilder {
    fn builder(&self) -> std::sync::MutexGuard<'_, BackgroundTaskBuilder> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyBackgroundTaskBuilder {
    #[new]
    fn new() -> Self {
        Self { inner: Mutex::new(BackgroundTaskBuilder::new()) }
    }

    /// False: Linux has no standby in which tasks could run.
    #[classattr]
    fn is_running_task_in_standby_supported() -> bool {
        false
    }

    #[getter]
    fn name(&self) -> String {
        self.builder().name()
    }

    #[setter]
    fn set_name(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.builder().set_name(&str_arg(value, "name")?);
        Ok(())
    }

    #[getter]
    fn task_entry_point(&self) -> String {
        self.builder().task_entry_point()
    }

    #[setter]
    fn set_task_entry_point(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.builder().set_task_entry_point(&str_arg(value, "task_entry_point")?);
        Ok(())
    }

    /// `SetTrigger(trigger)`: a `SocketActivityTrigger`, or a ControlChannelTrigger's
    /// `keep_alive_trigger` / `push_notification_trigger` (TypeError for anything else).
    #[pyo3(signature = (trigger, /))]
    fn set_trigger(&self, trigger: &Bound<'_, PyAny>) -> PyResult<()> {
        self.builder().set_trigger(crate::control_channel::trigger_arg(trigger)?);
        Ok(())
    }

    /// netrt: an environment variable for the task's command, besides the broker's own.
    #[pyo3(signature = (name, value, /))]
    fn add_environment(&self, name: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.builder().add_environment(&str_arg(name, "name")?, &str_arg(value, "value")?);
        Ok(())
    }

    /// `Register()` / `Register(task_name)`: registers the task with the broker (starting the
    /// daemon if none runs) under a new task id.
    #[pyo3(signature = (*args))]
    fn register(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyBackgroundTaskRegistration> {
        let mut builder = self.builder().clone();
        match args.len() {
            0 => {}
            1 => builder.set_name(&str_arg(&args.get_item(0)?, "task_name")?),
            _ => return Err(arity_error("register", "() or (task_name)", args)),
        }
        let inner = py.detach(|| builder.register()).or_raise()?;
        Ok(PyBackgroundTaskRegistration { inner })
    }
}

/// `BackgroundTaskRegistration`: a task the broker knows.
#[pyclass(module = "netrt", name = "BackgroundTaskRegistration", frozen, weakref)]
pub struct PyBackgroundTaskRegistration {
    inner: BackgroundTaskRegistration,
}

fn wrap_completed(
    py: Python<'_>,
    sender: &BackgroundTaskRegistration,
    args: &BackgroundTaskCompletedEventArgs,
    registered_on: Option<Bound<'_, PyAny>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let s = match registered_on {
        Some(obj) => obj.unbind(),
        None => Py::new(py, PyBackgroundTaskRegistration { inner: sender.clone() })?.into_any(),
    };
    let a = Py::new(py, crate::control_channel::PyBackgroundTaskCompletedEventArgs { inner: args.clone() })?;
    Ok((s, a.into_any()))
}

fn wrap_progress(
    py: Python<'_>,
    sender: &BackgroundTaskRegistration,
    args: &BackgroundTaskProgressEventArgs,
    registered_on: Option<Bound<'_, PyAny>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let s = match registered_on {
        Some(obj) => obj.unbind(),
        None => Py::new(py, PyBackgroundTaskRegistration { inner: sender.clone() })?.into_any(),
    };
    let a = Py::new(py, crate::control_channel::PyBackgroundTaskProgressEventArgs { inner: args.clone() })?;
    Ok((s, a.into_any()))
}

fn wrap_canceled(
    py: Python<'_>,
    sender: &BackgroundTaskInstance,
    reason: &netrt::broker::BackgroundTaskCancellationReason,
    registered_on: Option<Bound<'_, PyAny>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let s = match registered_on {
        Some(obj) => obj.unbind(),
        None => Py::new(py, PyBackgroundTaskInstance { inner: sender.clone() })?.into_any(),
    };
    Ok((s, py_enum(py, "BackgroundTaskCancellationReason", *reason as i64)?))
}

fn all_tasks(py: Python<'_>) -> PyResult<Py<PyAny>> {
    let tasks = py.detach(BackgroundTaskRegistration::all_tasks).or_raise()?;
    let out = PyDict::new(py);
    for task in tasks.into_values() {
        out.set_item(uuid(py, task.task_id())?, PyBackgroundTaskRegistration { inner: task })?;
    }
    Ok(out.into_any().unbind())
}

#[pymethods]
impl PyBackgroundTaskRegistration {
    /// `AllTasks` (static): `{task_id: registration}`, read from the broker on every access.
    #[classattr]
    fn all_tasks() -> PyStaticProperty {
        PyStaticProperty { get: all_tasks }
    }

    #[getter]
    fn task_id(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        uuid(py, self.inner.task_id())
    }

    #[getter]
    fn name(&self) -> String {
        self.inner.name()
    }

    /// netrt: the command the broker runs (the builder's `task_entry_point`).
    #[getter]
    fn task_entry_point(&self) -> String {
        self.inner.task_entry_point()
    }

    /// `SocketActivityTrigger`, or the ControlChannelTrigger's keep-alive / push trigger of an
    /// in-process task.
    #[getter]
    fn trigger(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.inner.trigger() {
            BackgroundTrigger::SocketActivity(_) => Ok(Py::new(py, PySocketActivityTrigger)?.into_any()),
            other => {
                Ok(Py::new(py, crate::control_channel::PyControlChannelBackgroundTrigger { inner: other })?
                    .into_any())
            }
        }
    }

    /// `Completed += handler`: `handler(registration, BackgroundTaskCompletedEventArgs)` when a
    /// run of this task in this process ends.
    #[pyo3(signature = (handler, /))]
    fn add_completed(slf: &Bound<'_, Self>, handler: &Bound<'_, PyAny>) -> PyResult<i64> {
        let handler = crate::listener::callable_handler(handler)?;
        let handler =
            crate::listener::py_handler(handler, "netrt: Completed handler", wrap_completed, slf.as_any())?;
        slf.get().inner.add_completed(handler).or_raise()
    }

    #[pyo3(signature = (token, /))]
    fn remove_completed(&self, token: i64) {
        self.inner.remove_completed(token)
    }

    /// `Progress += handler`: `handler(registration, BackgroundTaskProgressEventArgs)` when a
    /// run of this task in this process sets its progress.
    #[pyo3(signature = (handler, /))]
    fn add_progress(slf: &Bound<'_, Self>, handler: &Bound<'_, PyAny>) -> PyResult<i64> {
        let handler = crate::listener::callable_handler(handler)?;
        let handler =
            crate::listener::py_handler(handler, "netrt: Progress handler", wrap_progress, slf.as_any())?;
        slf.get().inner.add_progress(handler).or_raise()
    }

    #[pyo3(signature = (token, /))]
    fn remove_progress(&self, token: i64) {
        self.inner.remove_progress(token)
    }

    /// `Unregister(cancel_task)`: the broker forgets the task; sockets it holds for the task
    /// stay until reclaimed, and `cancel_task` does not stop a command already started.
    #[pyo3(signature = (cancel_task, /))]
    fn unregister(&self, py: Python<'_>, cancel_task: bool) -> PyResult<()> {
        py.detach(|| self.inner.unregister(cancel_task)).or_raise()
    }

    /// netrt: subscribes this running process to the task's activations; while the
    /// subscription is open the broker notifies it instead of starting the task's command.
    fn subscribe(&self, py: Python<'_>) -> PyResult<PyActivationSubscription> {
        let inner = py.detach(|| self.inner.subscribe()).or_raise()?;
        Ok(PyActivationSubscription { inner: Arc::new(inner) })
    }

    fn __repr__(&self) -> String {
        format!("BackgroundTaskRegistration(name={:?}, task_id={})", self.inner.name(), self.inner.task_id())
    }
}

/// netrt: a running instance's feed of its task's activations (`registration.subscribe()`).
/// `close()` (or leaving a `with` block) ends the subscription, also a wait in another thread.
#[pyclass(module = "netrt", name = "ActivationSubscription", frozen)]
pub struct PyActivationSubscription {
    inner: Arc<ActivationSubscription>,
}

#[pymethods]
impl PyActivationSubscription {
    /// The next activation as a `BackgroundTaskInstance`, waiting at most `timeout` seconds
    /// (`None`: no limit); `None` when the time ran out. `RO_E_CLOSED` after `close()`,
    /// `E_ILLEGAL_METHOD_CALL` while another thread waits on the same subscription.
    #[pyo3(signature = (timeout = None, /))]
    fn next_activation(
        &self,
        py: Python<'_>,
        timeout: Option<f64>,
    ) -> PyResult<Option<PyBackgroundTaskInstance>> {
        let limit = timeout
            .map(|s| {
                Duration::try_from_secs_f64(s).map_err(|_| {
                    invalid_arg(format!("timeout must be a non-negative number of seconds, got {s}"))
                })
            })
            .transpose()?;
        let subscription = self.inner.clone();
        let got = py.detach(move || subscription.next_activation(limit));
        Ok(got.or_raise()?.map(|inner| PyBackgroundTaskInstance { inner }))
    }

    /// Ends the subscription (idempotent): the broker starts the task's command again.
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
}

/// `BackgroundTaskDeferral`: `complete()` records that the task's work is done.
#[pyclass(module = "netrt", name = "BackgroundTaskDeferral", frozen)]
pub struct PyBackgroundTaskDeferral {
    inner: BackgroundTaskDeferral,
}

#[pymethods]
impl PyBackgroundTaskDeferral {
    fn complete(&self) {
        self.inner.complete();
    }

    /// netrt: whether `complete()` was called.
    #[getter]
    fn is_completed(&self) -> bool {
        self.inner.is_completed()
    }
}

/// `IBackgroundTaskInstance` of a task the broker started; `BackgroundTaskInstance.current()`
/// (netrt) finds it from the process environment.
#[pyclass(module = "netrt", name = "BackgroundTaskInstance", frozen, weakref)]
pub struct PyBackgroundTaskInstance {
    pub inner: BackgroundTaskInstance,
}

#[pymethods]
impl PyBackgroundTaskInstance {
    /// The instance this process was started for (from `NETRT_BROKER_ACTIVATION`), or `None`
    /// when the broker did not start it.
    #[staticmethod]
    fn current(py: Python<'_>) -> PyResult<Option<Self>> {
        Ok(py.detach(BackgroundTaskInstance::current).or_raise()?.map(|inner| Self { inner }))
    }

    #[getter]
    fn instance_id(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        uuid(py, self.inner.instance_id())
    }

    /// A `SocketActivityTriggerDetails` (broker tasks) or a
    /// `ControlChannelTriggerEventDetails` (a ControlChannelTrigger's in-process tasks).
    #[getter]
    fn trigger_details(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::control_channel::details_obj(py, self.inner.trigger_details())
    }

    #[getter]
    fn progress(&self) -> u32 {
        self.inner.progress()
    }

    /// Setting it raises the registration's Progress (in-process tasks).
    #[setter]
    fn set_progress(&self, value: u32) {
        self.inner.set_progress(value)
    }

    #[getter]
    fn suspended_count(&self) -> u32 {
        self.inner.suspended_count()
    }

    /// `Canceled += handler`: `handler(task_instance, reason)` when an in-process run is
    /// canceled (its task unregistered with cancel_task, or its ControlChannelTrigger closed).
    #[pyo3(signature = (handler, /))]
    fn add_canceled(slf: &Bound<'_, Self>, handler: &Bound<'_, PyAny>) -> PyResult<i64> {
        let handler = crate::listener::callable_handler(handler)?;
        let handler =
            crate::listener::py_handler(handler, "netrt: Canceled handler", wrap_canceled, slf.as_any())?;
        slf.get().inner.add_canceled(handler).or_raise()
    }

    #[pyo3(signature = (token, /))]
    fn remove_canceled(&self, token: i64) {
        self.inner.remove_canceled(token)
    }

    /// The registration (None when it was unregistered since).
    #[getter]
    fn task(&self) -> Option<PyBackgroundTaskRegistration> {
        self.inner.task().map(|inner| PyBackgroundTaskRegistration { inner })
    }

    fn get_deferral(&self) -> PyBackgroundTaskDeferral {
        PyBackgroundTaskDeferral { inner: self.inner.get_deferral() }
    }
}

/// `SocketActivityContext(data)`: bytes given to `transfer_ownership` and returned with the
/// socket (at most 16 KiB).
#[pyclass(module = "netrt", name = "SocketActivityContext", frozen)]
pub struct PySocketActivityContext {
    pub inner: SocketActivityContext,
}

#[pymethods]
impl PySocketActivityContext {
    #[new]
    #[pyo3(signature = (data, /))]
    fn new(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self { inner: SocketActivityContext::new(&bytes_arg(data)?) })
    }

    /// `Data`: the bytes, as a `Buffer` (IBuffer).
    #[getter]
    fn data(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        PyBuf::object(py, self.inner.data().to_vec())
    }
}

/// `SocketActivityInformation`: a socket the broker holds. Reading `stream_socket`,
/// `stream_socket_listener` or `datagram_socket` takes it back.
#[pyclass(module = "netrt", name = "SocketActivityInformation", frozen)]
pub struct PySocketActivityInformation {
    inner: SocketActivityInformation,
}

fn all_sockets(py: Python<'_>) -> PyResult<Py<PyAny>> {
    let sockets = py.detach(SocketActivityInformation::all_sockets).or_raise()?;
    let out = PyDict::new(py);
    for (id, info) in sockets {
        out.set_item(id, PySocketActivityInformation { inner: info })?;
    }
    Ok(out.into_any().unbind())
}

fn reclaimed_obj(py: Python<'_>, socket: ReclaimedSocket) -> PyResult<Py<PyAny>> {
    match socket {
        ReclaimedSocket::Stream(s) => crate::stream_socket::socket_obj(py, s),
        ReclaimedSocket::Listener(l) => crate::listener::listener_obj(py, l),
        ReclaimedSocket::Datagram(d) => crate::datagram::datagram_obj(py, d),
    }
}

#[pymethods]
impl PySocketActivityInformation {
    /// `AllSockets` (static): `{id: information}` for every socket the broker holds for this
    /// user, read from the broker on every access.
    #[classattr]
    fn all_sockets() -> PyStaticProperty {
        PyStaticProperty { get: all_sockets }
    }

    #[getter]
    fn id(&self) -> String {
        self.inner.id()
    }

    #[getter]
    fn task_id(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        uuid(py, self.inner.task_id())
    }

    #[getter]
    fn socket_kind(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "SocketActivityKind", self.inner.socket_kind() as i64)
    }

    #[getter]
    fn context(&self) -> PySocketActivityContext {
        PySocketActivityContext { inner: self.inner.context() }
    }

    /// Reclaims the `StreamSocket` (the same object's socket on every read).
    #[getter]
    fn stream_socket(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let s = py.detach(|| self.inner.stream_socket()).or_raise()?;
        reclaimed_obj(py, ReclaimedSocket::Stream(s))
    }

    /// Reclaims the `StreamSocketListener`.
    #[getter]
    fn stream_socket_listener(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let l = py.detach(|| self.inner.stream_socket_listener()).or_raise()?;
        reclaimed_obj(py, ReclaimedSocket::Listener(l))
    }

    /// Reclaims the `DatagramSocket`.
    #[getter]
    fn datagram_socket(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let d = py.detach(|| self.inner.datagram_socket()).or_raise()?;
        reclaimed_obj(py, ReclaimedSocket::Datagram(d))
    }

    fn __repr__(&self) -> String {
        format!(
            "SocketActivityInformation(id={:?}, socket_kind={:?})",
            self.inner.id(),
            self.inner.socket_kind()
        )
    }
}

/// `SocketActivityTriggerDetails`: why the task runs, and for which socket.
#[pyclass(module = "netrt", name = "SocketActivityTriggerDetails", frozen)]
pub struct PySocketActivityTriggerDetails {
    pub inner: SocketActivityTriggerDetails,
}

#[pymethods]
impl PySocketActivityTriggerDetails {
    #[getter]
    fn reason(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "SocketActivityTriggerReason", self.inner.reason() as i64)
    }

    #[getter]
    fn socket_information(&self) -> PySocketActivityInformation {
        PySocketActivityInformation { inner: self.inner.socket_information() }
    }
}
