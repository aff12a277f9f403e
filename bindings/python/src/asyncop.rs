//! `IAsyncAction` / `IAsyncOperation<T>` for Python (DESIGN §4).
//!
//! Every `*_async` method makes its core future and first polls it once right here, on the
//! calling thread (inside netrt's runtime context, with a no-op waker, as the C ABI does): a
//! read whose data is already there, or a write the kernel takes at once, completes without
//! any thread hop, and awaiting it completes without yielding to the event loop. Only a future
//! that would block is spawned as a task on netrt's runtime (`netrt::runtime::handle()`, rebuilt
//! after fork).
//!
//! The task never touches Python: it stores a Rust outcome, wakes blocking `.get()` callers
//! through a condition variable, hands the operation to the event loops awaiting it through
//! their eventfd bridge (`bridge.rs`: no GIL, no dispatcher hop), and posts the `completed`
//! handler, if any, to netrt's dispatcher thread. The result is converted to a Python object
//! under the GIL, on first request, and cached.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use netrt::error::hresult;
use pyo3::exceptions::{PyStopIteration, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyType};

use crate::bridge::{Bridge, bridge_for, running_loop};
use crate::convert::{call_python, py_enum};
use crate::errors::{raise, to_pyerr};

const STARTED: i32 = 0;
const COMPLETED: i32 = 1;
const CANCELED: i32 = 2;
const ERROR: i32 = 3;

/// Turns the task's value into a Python object (under the GIL, once; the object is cached).
type Converter = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

enum Outcome {
    /// The converter until the first conversion takes it.
    Completed(Option<Converter>),
    Error(netrt::Error),
    Canceled,
}

#[derive(Default)]
struct State {
    status: i32,
    outcome: Option<Outcome>,
    /// The converted result, or the conversion's failure.
    value: Option<PyResult<Py<PyAny>>>,
    /// (handler, the operation object to pass as its sender), until it has been called.
    handler: Option<(Py<PyAny>, Py<IAsyncOperation>)>,
    /// The handler as assigned (what the `completed` getter returns).
    handler_assigned: Option<Py<PyAny>>,
    /// asyncio futures awaiting the result, with the bridge of their loop.
    waiters: Vec<(Arc<Bridge>, Py<PyAny>)>,
    abort: Option<tokio::task::AbortHandle>,
}

/// The state of one operation, shared by its Python object, its task and the bridges.
pub struct Shared {
    id: u32,
    state: Mutex<State>,
    done: Condvar,
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

impl Shared {
    fn new() -> Arc<Self> {
        Arc::new(Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            state: Mutex::new(State::default()),
            done: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the operation out of Started (first caller wins); false if it already left.
    /// Touches no Python object: it may run on a runtime worker.
    fn finish(self: &Arc<Self>, outcome: Outcome) -> bool {
        let (bridges, handler) = {
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
            let mut bridges: Vec<Arc<Bridge>> = Vec::new();
            for (b, _) in &st.waiters {
                if !bridges.iter().any(|x| Arc::ptr_eq(x, b)) {
                    bridges.push(b.clone());
                }
            }
            (bridges, st.handler.take())
        };
        self.done.notify_all();
        for b in bridges {
            b.notify(self.clone());
        }
        if let Some((handler, sender)) = handler {
            let me = self.clone();
            netrt::dispatch::post(move || call_handler(me, handler, sender));
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

    /// The result of a finished operation as a Python value or exception.
    fn results(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        loop {
            let convert = {
                let mut st = self.lock();
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
                    return v.as_ref().map(|v| v.clone_ref(py)).map_err(|e| e.clone_ref(py));
                }
                match &mut st.outcome {
                    Some(Outcome::Error(e)) => return Err(to_pyerr(e.clone())),
                    Some(Outcome::Completed(c)) => c.take(),
                    _ => unreachable!("a finished operation has an outcome"),
                }
            };
            match convert {
                Some(convert) => {
                    // Converted without holding the lock: converters create Python objects.
                    let value = convert(py);
                    let mut st = self.lock();
                    let stored = st.value.insert(value);
                    return stored.as_ref().map(|v| v.clone_ref(py)).map_err(|e| e.clone_ref(py));
                }
                // Another thread is converting (it released the GIL meanwhile): let it finish.
                None => py.detach(std::thread::yield_now),
            }
        }
    }
}

/// On the dispatcher thread: the `completed` handler.
fn call_handler(shared: Arc<Shared>, handler: Py<PyAny>, sender: Py<IAsyncOperation>) {
    call_python("netrt: an async operation's completed handler", |py| {
        let status = py_enum(py, "AsyncStatus", shared.lock().status as i64)?;
        handler.bind(py).call1((sender, status))?;
        Ok(())
    });
}

/// On a loop's thread (its bridge): hands the outcome to the futures of that loop.
pub fn resolve_waiters(py: Python<'_>, shared: &Arc<Shared>, bridge: &Arc<Bridge>) {
    let mine: Vec<Py<PyAny>> = {
        let mut st = shared.lock();
        let (mine, others): (Vec<_>, Vec<_>) =
            std::mem::take(&mut st.waiters).into_iter().partition(|(b, _)| Arc::ptr_eq(b, bridge));
        st.waiters = others;
        mine.into_iter().map(|(_, f)| f).collect()
    };
    for fut in mine {
        if let Err(e) = resolve(py, shared, fut.bind(py)) {
            e.write_unraisable(py, Some(fut.bind(py)));
        }
    }
}

/// Sets an asyncio future from the operation's outcome (on the future's loop).
fn resolve(py: Python<'_>, shared: &Shared, fut: &Bound<'_, PyAny>) -> PyResult<()> {
    if fut.call_method0(pyo3::intern!(py, "done"))?.is_truthy()? {
        return Ok(());
    }
    match shared.results(py) {
        Ok(value) => fut.call_method1(pyo3::intern!(py, "set_result"), (value,))?,
        Err(e) if e.is_instance_of::<pyo3::exceptions::asyncio::CancelledError>(py) => {
            fut.call_method0(pyo3::intern!(py, "cancel"))?
        }
        Err(e) => fut.call_method1(pyo3::intern!(py, "set_exception"), (e.value(py),))?,
    };
    Ok(())
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

fn outcome_of<T: Send + 'static>(
    result: netrt::Result<T>,
    convert: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
) -> Outcome {
    match result {
        Ok(value) => Outcome::Completed(Some(Box::new(move |py| convert(py, value)))),
        Err(e) => Outcome::Error(e),
    }
}

/// Starts `fut`: polls it once on this thread, and only if it is not finished spawns it on
/// netrt's runtime. `convert` makes its value a Python object.
pub fn spawn<T, F>(fut: F, convert: fn(Python<'_>, T) -> PyResult<Py<PyAny>>) -> IAsyncOperation
where
    T: Send + 'static,
    F: Future<Output = netrt::Result<T>> + Send + 'static,
{
    let shared = Shared::new();
    let mut fut = Box::pin(fut);
    let first = {
        // The runtime context lets the future register its I/O and timers with netrt's
        // runtime; the no-op waker is replaced by the task's own when the task polls it.
        let _runtime = netrt::runtime::runtime().enter();
        fut.as_mut().poll(&mut Context::from_waker(Waker::noop()))
    };
    if let Poll::Ready(result) = first {
        shared.finish(outcome_of(result, convert));
        return IAsyncOperation { shared };
    }
    let task_shared = shared.clone();
    let task = netrt::runtime::handle().spawn(async move {
        let mut guard = PanicGuard(Some(task_shared));
        let outcome = outcome_of(fut.await, convert);
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

/// `None` result (IAsyncAction).
pub fn none(py: Python<'_>, _: ()) -> PyResult<Py<PyAny>> {
    Ok(py.None())
}

/// `bool` result.
pub fn boolean(py: Python<'_>, v: bool) -> PyResult<Py<PyAny>> {
    Ok(pyo3::types::PyBool::new(py, v).to_owned().into_any().unbind())
}

/// `int` result.
pub fn uint(py: Python<'_>, v: u32) -> PyResult<Py<PyAny>> {
    Ok(v.into_pyobject(py)?.into_any().unbind())
}

/// An asynchronous operation (`IAsyncAction` / `IAsyncOperation[T]`): awaitable in asyncio,
/// or waited for with `get()`.
#[pyclass(module = "netrt", name = "IAsyncOperation", frozen, subclass)]
pub struct IAsyncOperation {
    shared: Arc<Shared>,
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
                let sender: Py<IAsyncOperation> = slf.clone().unbind();
                st.handler = Some((handler, sender));
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
        self.shared.results(py)
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
        self.shared.results(py)
    }

    /// Waits up to `timeout` seconds (GIL released); returns the `AsyncStatus` then.
    #[pyo3(signature = (timeout, /))]
    fn wait(&self, py: Python<'_>, timeout: f64) -> PyResult<Py<PyAny>> {
        self.wait_for(py, Some(timeout))?;
        self.status(py)
    }

    /// A finished operation completes the `await` at once (no event-loop round trip); a
    /// pending one parks the awaiting task on an asyncio future its loop's bridge resolves.
    fn __await__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let shared = &slf.get().shared;
        // Required even when the result is there, so that awaiting outside a running loop
        // fails the same way whatever the timing.
        let event_loop = running_loop(py)?;
        if shared.lock().status != STARTED {
            let value = shared.results(py)?;
            return Ok(Bound::new(py, Ready(Mutex::new(Some(value))))?.into_any());
        }
        let bridge = bridge_for(&event_loop)?;
        let fut = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
        let pending = {
            let mut st = shared.lock();
            if st.status == STARTED {
                st.waiters.push((bridge, fut.clone().unbind()));
                true
            } else {
                false
            }
        };
        if pending {
            // Cancelling the awaiting task cancels this future, and so the operation.
            fut.call_method1(
                pyo3::intern!(py, "add_done_callback"),
                (slf.getattr(pyo3::intern!(py, "_on_future_done"))?,),
            )?;
        } else {
            resolve(py, shared, &fut)?;
        }
        fut.call_method0(pyo3::intern!(py, "__await__"))
    }

    fn _on_future_done(&self, fut: &Bound<'_, PyAny>) -> PyResult<()> {
        if fut.call_method0(pyo3::intern!(fut.py(), "cancelled"))?.is_truthy()? {
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

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let status = slf.get().status(py)?;
        let class = slf.get_type().name()?;
        Ok(format!("<netrt.{class} id={} status={}>", slf.get().shared.id, status.bind(py).str()?))
    }
}

/// `DataReaderLoadOperation` (what `DataReader.load_async` returns, as in PyWinRT): an
/// `IAsyncOperation[int]`.
#[pyclass(module = "netrt", name = "DataReaderLoadOperation", extends = IAsyncOperation, frozen)]
pub struct DataReaderLoadOperation;

/// `DataWriterStoreOperation` (what `DataWriter.store_async` returns, as in PyWinRT): an
/// `IAsyncOperation[int]`.
#[pyclass(module = "netrt", name = "DataWriterStoreOperation", extends = IAsyncOperation, frozen)]
pub struct DataWriterStoreOperation;

impl DataReaderLoadOperation {
    /// The operation as this class.
    pub fn wrap(py: Python<'_>, op: IAsyncOperation) -> PyResult<Py<Self>> {
        Py::new(py, pyo3::PyClassInitializer::from(op).add_subclass(Self))
    }
}

impl DataWriterStoreOperation {
    /// The operation as this class.
    pub fn wrap(py: Python<'_>, op: IAsyncOperation) -> PyResult<Py<Self>> {
        Py::new(py, pyo3::PyClassInitializer::from(op).add_subclass(Self))
    }
}

/// What `__await__` returns for a finished operation: an iterator that stops at once with the
/// result, so `await` never yields to the event loop.
#[pyclass(module = "netrt._netrt", name = "_Ready", frozen)]
struct Ready(Mutex<Option<Py<PyAny>>>);

#[pymethods]
impl Ready {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let value = self.0.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_else(|| py.None());
        Err(PyStopIteration::new_err((value,)))
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
            if self.shared.lock().status != STARTED {
                return Ok(true);
            }
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
