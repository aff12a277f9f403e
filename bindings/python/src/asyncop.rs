//! `IAsyncAction` / `IAsyncOperation<T>` for Python (DESIGN §4).
//!
//! Every `*_async` method spawns its core future as a task on netrt's runtime
//! (`netrt::runtime::handle()`, rebuilt after fork) and returns an [`IAsyncOperation`]. The
//! task never touches Python: it stores a Rust outcome, wakes blocking `.get()` callers through
//! a condition variable, and — only if Python is waiting (asyncio futures, a `completed`
//! handler) — posts a job to netrt's dispatcher thread, which takes the GIL just long enough to
//! hand the result over with `loop.call_soon_threadsafe` and to call the handler.
//! The result is converted to a Python object under the GIL, on first request, and cached.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use netrt::error::hresult;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyType};

use crate::convert::{call_python, py_enum};
use crate::errors::{raise, to_pyerr};

const STARTED: i32 = 0;
const COMPLETED: i32 = 1;
const CANCELED: i32 = 2;
const ERROR: i32 = 3;

/// Turns the task's value into a Python object (called under the GIL, possibly more than once
/// if two threads race for the first conversion; the first stored result wins).
type Converter = Arc<dyn Fn(Python<'_>) -> PyResult<Py<PyAny>> + Send + Sync>;

enum Outcome {
    Completed(Converter),
    Error(netrt::Error),
    Canceled,
}

#[derive(Default)]
struct State {
    status: i32,
    outcome: Option<Outcome>,
    value: Option<Py<PyAny>>,
    /// (handler, the operation object to pass as its sender), until it has been called.
    handler: Option<(Py<PyAny>, Py<IAsyncOperation>)>,
    /// The handler as assigned (what the `completed` getter returns).
    handler_assigned: Option<Py<PyAny>>,
    /// asyncio futures awaiting the result: (loop, future).
    waiters: Vec<(Py<PyAny>, Py<PyAny>)>,
    abort: Option<tokio::task::AbortHandle>,
}

struct Shared {
    id: u32,
    state: Mutex<State>,
    done: Condvar,
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the operation out of Started (first caller wins); false if it already left.
    fn finish(self: &Arc<Self>, outcome: Outcome) -> bool {
        let (waiters, handler) = {
            let mut st = self.lock();
            if st.status != STARTED {
                return false;
            }
            st.status = match outcome {
                Outcome::Completed(_) => COMPLETED,
                Outcome::Error(_) => ERROR,
                Outcome::Canceled => CANCELED,
            };
            st.outcome = Some(outcome);
            st.abort = None;
            (std::mem::take(&mut st.waiters), st.handler.take())
        };
        self.done.notify_all();
        if !waiters.is_empty() || handler.is_some() {
            let me = self.clone();
            netrt::dispatch::post(move || deliver(me, waiters, handler));
        }
        true
    }

    /// Waits (without the GIL) until the operation leaves Started or `deadline` passes.
    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        let mut st = self.lock();
        while st.status == STARTED {
            match deadline {
                None => st = self.done.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return false;
                    }
                    st = self.done.wait_timeout(st, d - now).unwrap_or_else(|e| e.into_inner()).0;
                }
            }
        }
        true
    }
}

/// On the dispatcher thread: resolve asyncio futures on their loops, call the handler.
fn deliver(
    shared: Arc<Shared>,
    waiters: Vec<(Py<PyAny>, Py<PyAny>)>,
    handler: Option<(Py<PyAny>, Py<IAsyncOperation>)>,
) {
    call_python("netrt: delivering an async operation's completion", |py| {
        if !waiters.is_empty() {
            let op = Bound::new(py, IAsyncOperation { shared: shared.clone() })?;
            let resolve = op.getattr("_resolve")?;
            for (event_loop, fut) in waiters {
                // A closed loop raises RuntimeError: nobody is left to tell.
                let _ = event_loop.bind(py).call_method1("call_soon_threadsafe", (&resolve, fut));
            }
        }
        if let Some((handler, sender)) = handler {
            let status = py_enum(py, "AsyncStatus", shared.lock().status as i64)?;
            handler.bind(py).call1((sender, status))?;
        }
        Ok(())
    });
}

/// Finishes the operation with `E_UNEXPECTED` if its task unwinds (a panic in core).
struct PanicGuard(Option<Arc<Shared>>);

impl Drop for PanicGuard {
    fn drop(&mut self) {
        if let Some(shared) = self.0.take() {
            // Also reached when the task is aborted by cancel(): then the status is already
            // Canceled and this does nothing.
            shared.finish(Outcome::Error(netrt::Error::new(
                hresult::E_UNEXPECTED,
                "the operation's task ended without a result (a panic in netrt)",
            )));
        }
    }
}

/// Starts `fut` on netrt's runtime; `convert` makes its value a Python object.
pub fn spawn<T, F>(fut: F, convert: fn(Python<'_>, &T) -> PyResult<Py<PyAny>>) -> IAsyncOperation
where
    T: Send + Sync + 'static,
    F: Future<Output = netrt::Result<T>> + Send + 'static,
{
    let shared = Arc::new(Shared {
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        state: Mutex::new(State::default()),
        done: Condvar::new(),
    });
    let task_shared = shared.clone();
    let task = netrt::runtime::handle().spawn(async move {
        let mut guard = PanicGuard(Some(task_shared));
        let outcome = match fut.await {
            Ok(value) => Outcome::Completed(Arc::new(move |py| convert(py, &value))),
            Err(e) => Outcome::Error(e),
        };
        if let Some(shared) = guard.0.take() {
            shared.finish(outcome);
        }
    });
    {
        let mut st = shared.lock();
        if st.status == STARTED {
            st.abort = Some(task.abort_handle());
        }
    }
    IAsyncOperation { shared }
}

/// An operation that failed before it started (kept as an operation so the caller sees the
/// same object either way).
pub fn none(py: Python<'_>, _: &()) -> PyResult<Py<PyAny>> {
    Ok(py.None())
}

/// `bool` result.
pub fn boolean(py: Python<'_>, v: &bool) -> PyResult<Py<PyAny>> {
    Ok(pyo3::types::PyBool::new(py, *v).to_owned().into_any().unbind())
}

/// `int` result.
pub fn uint(py: Python<'_>, v: &u32) -> PyResult<Py<PyAny>> {
    Ok(v.into_pyobject(py)?.into_any().unbind())
}

/// An asynchronous operation (`IAsyncAction` / `IAsyncOperation[T]`): awaitable in asyncio,
/// or waited for with `get()`.
#[pyclass(module = "netrt", name = "IAsyncOperation", frozen)]
pub struct IAsyncOperation {
    shared: Arc<Shared>,
}

impl IAsyncOperation {
    fn results_of(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let convert = {
            let st = self.shared.lock();
            match st.status {
                STARTED => {
                    return Err(raise(
                        hresult::E_ILLEGAL_METHOD_CALL,
                        "the operation has not completed yet (await it or call get())",
                    ));
                }
                CANCELED => return Err(cancelled_error(py)),
                _ => {}
            }
            if let Some(v) = &st.value {
                return Ok(v.clone_ref(py));
            }
            match &st.outcome {
                Some(Outcome::Error(e)) => return Err(to_pyerr(e.clone())),
                Some(Outcome::Completed(c)) => c.clone(),
                _ => unreachable!("a finished operation has an outcome"),
            }
        };
        // Converted without holding the lock: converters create Python objects.
        let value = convert(py)?;
        let mut st = self.shared.lock();
        Ok(st.value.get_or_insert(value).clone_ref(py))
    }
}

fn cancelled_error(py: Python<'_>) -> PyErr {
    match py.import("asyncio").and_then(|m| m.getattr("CancelledError")) {
        Ok(class) => {
            PyErr::from_type(class.cast_into::<PyType>().expect("a class"), "the operation was canceled")
        }
        Err(e) => e,
    }
}

#[pymethods]
impl IAsyncOperation {
    /// `Status`: an `AsyncStatus`.
    #[getter]
    fn status(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "AsyncStatus", self.shared.lock().status as i64)
    }

    /// `ErrorCode`: 0 unless the operation failed (its HRESULT) or was canceled
    /// (`HRESULT_FROM_WIN32(ERROR_CANCELLED)`).
    #[getter]
    fn error_code(&self) -> i32 {
        let st = self.shared.lock();
        match &st.outcome {
            Some(Outcome::Error(e)) => e.hresult(),
            Some(Outcome::Canceled) => hresult::E_CANCELLED,
            _ => 0,
        }
    }

    /// `Id`: unique in the process.
    #[getter]
    fn id(&self) -> u32 {
        self.shared.id
    }

    /// `Completed`: the handler, called as `handler(operation, status)` on netrt's dispatcher
    /// thread when the operation finishes — or at once, on this thread, if it already has.
    /// May be assigned once (a second assignment is `E_ILLEGAL_DELEGATE_ASSIGNMENT`).
    #[getter]
    fn completed(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.shared.lock().handler_assigned.as_ref().map(|h| h.clone_ref(py))
    }

    #[setter]
    fn set_completed(slf: &Bound<'_, Self>, handler: Py<PyAny>) -> PyResult<()> {
        let py = slf.py();
        if !handler.bind(py).is_callable() {
            return Err(pyo3::exceptions::PyTypeError::new_err("completed must be callable"));
        }
        let status = {
            let mut st = slf.get().shared.lock();
            if st.handler_assigned.is_some() {
                return Err(raise(
                    hresult::E_ILLEGAL_DELEGATE_ASSIGNMENT,
                    "the completed handler of an operation can be assigned only once",
                ));
            }
            st.handler_assigned = Some(handler.clone_ref(py));
            if st.status == STARTED {
                st.handler = Some((handler, slf.clone().unbind()));
                return Ok(());
            }
            st.status
        };
        handler.bind(py).call1((slf, py_enum(py, "AsyncStatus", status as i64)?))?;
        Ok(())
    }

    /// `Cancel()`: a Started operation becomes Canceled and its task is stopped.
    fn cancel(&self) {
        let abort = self.shared.lock().abort.take();
        if self.shared.finish(Outcome::Canceled)
            && let Some(abort) = abort
        {
            abort.abort();
        }
    }

    /// `Close()`: nothing to release (the result stays readable).
    fn close(&self) {}

    /// `GetResults()`: the result of a Completed operation (raises its error, or
    /// `asyncio.CancelledError`); `E_ILLEGAL_METHOD_CALL` while Started.
    fn get_results(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.results_of(py)
    }

    /// Waits for the result with the GIL released. After `timeout` seconds it raises
    /// `netrt.TimeoutError` (HRESULT WAIT_TIMEOUT) and the operation goes on.
    #[pyo3(signature = (timeout = None))]
    fn get(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Py<PyAny>> {
        if !self.wait_for(py, timeout)? {
            return Err(raise(
                hresult::E_WAIT_TIMEOUT,
                format!("the operation did not complete within {} s; it goes on", timeout.unwrap_or(0.0)),
            ));
        }
        self.results_of(py)
    }

    /// Waits up to `timeout` seconds (GIL released); returns the `AsyncStatus` then.
    #[pyo3(signature = (timeout, /))]
    fn wait(&self, py: Python<'_>, timeout: f64) -> PyResult<Py<PyAny>> {
        self.wait_for(py, Some(timeout))?;
        self.status(py)
    }

    fn __await__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let fut = event_loop.call_method0("create_future")?;
        let pending = {
            let mut st = slf.get().shared.lock();
            if st.status == STARTED {
                st.waiters.push((event_loop.unbind(), fut.clone().unbind()));
                true
            } else {
                false
            }
        };
        if pending {
            // Cancelling the awaiting task cancels this future, and so the operation.
            fut.call_method1("add_done_callback", (slf.getattr("_on_future_done")?,))?;
        } else {
            slf.get()._resolve(py, &fut)?;
        }
        fut.call_method0("__await__")
    }

    /// Hands the outcome to an asyncio future (runs on the future's loop).
    fn _resolve(&self, py: Python<'_>, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("done")?.is_truthy()? {
            return Ok(());
        }
        match self.results_of(py) {
            Ok(value) => fut.call_method1("set_result", (value,))?,
            Err(e) if e.is_instance_of::<pyo3::exceptions::asyncio::CancelledError>(py) => {
                fut.call_method0("cancel")?
            }
            Err(e) => fut.call_method1("set_exception", (e.value(py),))?,
        };
        Ok(())
    }

    fn _on_future_done(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0("cancelled")?.is_truthy()? {
            self.cancel();
        }
        Ok(())
    }

    #[classmethod]
    fn __class_getitem__(cls: &Bound<'_, PyType>, item: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = cls.py();
        let alias = py.import("types")?.getattr("GenericAlias")?;
        Ok(alias.call1((cls, item))?.unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let status = self.status(py)?;
        Ok(format!("<netrt.IAsyncOperation id={} status={}>", self.shared.id, status.bind(py).str()?))
    }
}

impl IAsyncOperation {
    fn wait_for(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let deadline = match timeout {
            None => None,
            Some(t) if t.is_nan() || t < 0.0 => return Err(PyValueError::new_err("timeout must be >= 0")),
            Some(t) => Some(Instant::now() + Duration::from_secs_f64(t.min(1e9))),
        };
        // Wait in slices so Ctrl-C (a pending signal) interrupts a long wait.
        const SLICE: Duration = Duration::from_millis(100);
        loop {
            let slice_end = Instant::now() + SLICE;
            let until = match deadline {
                Some(d) if d < slice_end => d,
                _ => slice_end,
            };
            if py.detach(|| self.shared.wait_until(Some(until))) {
                return Ok(true);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(false);
            }
            py.check_signals()?;
        }
    }
}

/// Unused-arguments guard for `*args` overload dispatch.
pub fn arity_error(method: &str, forms: &str, args: &Bound<'_, PyTuple>) -> PyErr {
    pyo3::exceptions::PyTypeError::new_err(format!(
        "{method}() takes {forms}; got {} positional argument(s)",
        args.len()
    ))
}
