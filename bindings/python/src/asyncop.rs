//! `IAsyncAction` / `IAsyncOperation<T>` for Python.
//!
//! The operation is core's [`AsyncOperation`]: status, results, the Completed handler set
//! exactly once, cancellation, and the rule that an argument or state error is raised by the
//! call itself (before any `await`) while network failures arrive through the operation. This
//! module adds what only Python needs: the result converted to a Python object under the GIL
//! on first request (and cached), asyncio awaiting through each event loop's eventfd bridge
//! (`bridge.rs`: no GIL, no dispatcher hop — core runs a done listener on the finishing thread
//! that queues the operation for the loop), and `get()`/`wait()` with the GIL released.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use netrt::error::hresult;
use netrt::foundation::{AsyncOperation, AsyncStatus, CompletedDelivery};
use netrt::io::caller_driven::start_watched;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyType};

use crate::await_iter::{AwaitSteps, Stepped, new_await_iter, plain_throw};
use crate::bridge::{Bridge, bridge_object, cached_loop, create_future, running_loop};
use crate::convert::{call_method_plain, call_python, py_enum};
use crate::errors::{raise, to_pyerr};
use crate::loop_driven::{ClaimKey, end_claim, in_loop_poll, try_claim};

/// Makes a Python object of a value the closure holds.
type ConvertFn = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// Turns the operation's value into a Python object (under the GIL, once; the object is cached).
pub enum Converter {
    /// A count (bytes stored, loaded, written): an `int`, with no closure to allocate — stream
    /// operations are most of what a program awaits.
    Count(u32),
    /// Anything else.
    Boxed(ConvertFn),
}

impl Converter {
    fn convert(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Converter::Count(n) => uint(py, n),
            Converter::Boxed(convert) => convert(py),
        }
    }
}

/// Gives an unconverted result back to where it came from (a read's bytes to its stream);
/// true when it did.
type GiveBack = Box<dyn FnOnce() -> bool + Send>;

/// The core operation's result: the converter until the first conversion takes it, and for a
/// read, how to give its bytes back if nobody will ever convert them.
pub struct Convert(Mutex<Option<Converter>>, Mutex<Option<GiveBack>>);

impl Convert {
    fn plain(convert: Converter) -> Self {
        Self(Mutex::new(Some(convert)), Mutex::new(None))
    }

    /// Gives the result back unless it was converted already (either happens at most once).
    fn give_back(&self) -> bool {
        if lock(&self.0).take().is_none() {
            return false;
        }
        lock(&self.1).take().is_some_and(|give_back| give_back())
    }

    /// Gives the result back even when it was converted already: for results whose Python
    /// value is a copy that nobody saw (a message receive abandoned by its task after the
    /// operation had completed — its future resolved, the task not yet resumed).
    fn give_back_even_if_converted(&self) -> bool {
        lock(&self.0).take();
        lock(&self.1).take().is_some_and(|give_back| give_back())
    }
}

/// One operation as Python sees it, shared by its Python object and the loop bridges.
pub struct Shared {
    op: AsyncOperation<Convert>,
    /// The converted result, or the conversion's failure.
    value: Mutex<Option<PyResult<Py<PyAny>>>>,
    /// The Completed handler as assigned (what the `completed` getter returns).
    handler_assigned: Mutex<Option<Py<PyAny>>>,
    /// asyncio futures awaiting the result, with the bridge of their loop.
    waiters: Mutex<Waiters>,
    /// While an event loop drives it (`loop_driven.rs`): the fd the loop watches and the waker
    /// it polls with.
    claim: Mutex<Option<ClaimKey>>,
}

/// An asyncio future awaiting an operation, with the bridge of its loop.
type Waiter = (Arc<Bridge>, Py<PyAny>);

/// The futures awaiting an operation, in the order they came. Almost always one: it is kept
/// inline, so an await allocates no list.
#[derive(Default)]
struct Waiters {
    /// The earliest (None only when there are none).
    first: Option<Waiter>,
    /// The others, in order.
    more: Vec<Waiter>,
}

impl Waiters {
    fn push(&mut self, waiter: Waiter) {
        if self.first.is_none() {
            self.first = Some(waiter);
        } else {
            self.more.push(waiter);
        }
    }

    /// The next one in line after the first has gone.
    fn promote(&mut self) {
        self.first = (!self.more.is_empty()).then(|| self.more.remove(0));
    }

    /// Takes out the earliest future of `bridge`'s loop.
    fn take_for(&mut self, bridge: &Arc<Bridge>) -> Option<Py<PyAny>> {
        if self.first.as_ref().is_some_and(|(b, _)| Arc::ptr_eq(b, bridge)) {
            let (_, fut) = self.first.take()?;
            self.promote();
            return Some(fut);
        }
        let i = self.more.iter().position(|(b, _)| Arc::ptr_eq(b, bridge))?;
        Some(self.more.remove(i).1)
    }

    /// Forgets `fut`.
    fn remove_future(&mut self, fut: &Bound<'_, PyAny>) {
        if self.first.as_ref().is_some_and(|(_, f)| f.is(fut)) {
            self.promote();
        }
        self.more.retain(|(_, f)| !f.is(fut));
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn new(op: AsyncOperation<Convert>) -> Arc<Self> {
        Arc::new(Shared {
            op,
            value: Mutex::new(None),
            handler_assigned: Mutex::new(None),
            waiters: Mutex::new(Waiters::default()),
            claim: Mutex::new(None),
        })
    }

    /// The core operation.
    pub fn op(&self) -> &AsyncOperation<Convert> {
        &self.op
    }

    /// The claim of the loop driving it (see `loop_driven.rs`).
    pub fn claim(&self) -> Option<ClaimKey> {
        lock(&self.claim).clone()
    }

    /// Records (or clears) the claim of the loop driving it.
    pub fn set_claim(&self, claim: Option<ClaimKey>) {
        *lock(&self.claim) = claim;
    }

    /// Clears the claim, returning it.
    pub fn take_claim(&self) -> Option<ClaimKey> {
        lock(&self.claim).take()
    }

    fn started(&self) -> bool {
        self.op.status() == AsyncStatus::Started
    }

    /// The status (Canceled too when a completed read's bytes went back to its stream: core
    /// decides that, see `AsyncOperation::abandon`).
    fn status(&self) -> AsyncStatus {
        self.op.status()
    }

    /// The result of a finished operation as a Python value or exception.
    fn results(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        loop {
            if self.status() == AsyncStatus::Canceled {
                return Err(cancelled_error(py));
            }
            let convert = self.op.with_results(|c| lock(&c.0).take()).map_err(to_pyerr)?;
            if let Some(convert) = convert {
                // Converted without holding a lock: converters create Python objects.
                let value = convert.convert(py);
                let mut cached = lock(&self.value);
                let stored = cached.insert(value);
                return stored.as_ref().map(|v| v.clone_ref(py)).map_err(|e| e.clone_ref(py));
            }
            if let Some(v) = &*lock(&self.value) {
                return v.as_ref().map(|v| v.clone_ref(py)).map_err(|e| e.clone_ref(py));
            }
            // Another thread is converting (it released the GIL meanwhile): let it finish.
            py.detach(std::thread::yield_now);
        }
    }
}

/// On a loop's thread (its bridge): hands the outcome to the futures of that loop (and stops
/// watching the operation's fd, when this loop drove it).
pub fn resolve_waiters(py: Python<'_>, shared: &Arc<Shared>, bridge: &Arc<Bridge>) {
    end_claim(py, shared, bridge);
    // One at a time, in order, taken out under the lock and resolved without it (resolving
    // calls into asyncio): no list of this loop's futures to allocate for the usual single one.
    loop {
        let fut = {
            match lock(&shared.waiters).take_for(bridge) {
                Some(fut) => fut,
                None => break,
            }
        };
        if let Err(e) = resolve(py, shared, fut.bind(py)) {
            e.write_unraisable(py, Some(fut.bind(py)));
        }
    }
}

/// Sets an asyncio future from the operation's outcome (on the future's loop).
fn resolve(py: Python<'_>, shared: &Shared, fut: &Bound<'_, PyAny>) -> PyResult<()> {
    // Resolved without asking `done()` first: a future that is done already (cancelled without
    // its task seeing it) refuses with InvalidStateError, handled below.
    let resolved = if shared.status() == AsyncStatus::Completed {
        // Only "done": the value is made when the awaiting task resumes (`Awaiter::step`). A
        // task can be cancelled between the two — by a callback that runs in the same loop
        // iteration after the one that completed the read, as the timer of `asyncio.timeout`
        // (and of `asyncio.wait_for`, built on it since Python 3.12) does — and then never
        // sees the value: its `throw` abandons the operation, and a read's bytes, not yet
        // converted, go back to the stream instead of being lost in the buffer.
        call_method_plain(fut, pyo3::intern!(py, "set_result"), Some(&py.None().into_bound(py)))
    } else {
        match shared.results(py) {
            Ok(value) => call_method_plain(fut, pyo3::intern!(py, "set_result"), Some(value.bind(py))),
            // `cancel()` of a done future only returns False.
            Err(e) if e.is_instance_of::<pyo3::exceptions::asyncio::CancelledError>(py) => {
                call_method_plain(fut, pyo3::intern!(py, "cancel"), None)
            }
            Err(e) => call_method_plain(fut, pyo3::intern!(py, "set_exception"), Some(e.value(py).as_any())),
        }
    };
    match resolved {
        Ok(_) => Ok(()),
        Err(e) if e.is_instance_of::<pyo3::exceptions::asyncio::InvalidStateError>(py) => {
            // Cancelled without its task seeing it (the task is normally where `Awaiter::throw`
            // abandons the operation): abandoned here, so a read's bytes go back to the stream.
            if call_method_plain(fut, pyo3::intern!(py, "cancelled"), None)?.is_truthy()? {
                py.detach(|| shared.op.abandon()).map_err(to_pyerr)?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Starts `fut` as a core operation (polled once on this thread; spawned on netrt's runtime
/// only if it is not finished). `convert` makes its value a Python object.
///
/// An argument or state error found by that first poll is raised here, as by every netrt
/// projection; anything else is the operation's outcome.
pub fn spawn<T, F>(fut: F, convert: fn(Python<'_>, T) -> PyResult<Py<PyAny>>) -> PyResult<IAsyncOperation>
where
    T: Send + 'static,
    F: Future<Output = netrt::Result<T>> + Send + 'static,
{
    spawn_with(fut, move |value| Converter::Boxed(Box::new(move |py| convert(py, value))))
}

/// [`spawn`] for an operation whose result is a count (an `int`).
pub fn spawn_count<F>(fut: F) -> PyResult<IAsyncOperation>
where
    F: Future<Output = netrt::Result<u32>> + Send + 'static,
{
    spawn_with(fut, Converter::Count)
}

fn spawn_with<T, F>(
    fut: F,
    converter: impl FnOnce(T) -> Converter + Send + 'static,
) -> PyResult<IAsyncOperation>
where
    T: Send + 'static,
    F: Future<Output = netrt::Result<T>> + Send + 'static,
{
    let op = AsyncOperation::start(async move {
        let value = fut.await?;
        Ok(Convert::plain(converter(value)))
    })
    .map_err(to_pyerr)?;
    Ok(IAsyncOperation { shared: Shared::new(op) })
}

/// Starts a stream operation that an event loop (or a blocking `.get()`) may drive on its own
/// thread: when it cannot finish at once it is parked for whoever awaits it first (see
/// `loop_driven.rs`), and the runtime takes it after a short grace period if nobody does.
/// Its result is a count (an `int`).
pub fn spawn_caller_driven_count<F>(
    fut: F,
    readiness: impl FnOnce() -> Option<netrt::foundation::async_op::Readiness>,
) -> PyResult<IAsyncOperation>
where
    F: Future<Output = netrt::Result<u32>> + Send + 'static,
{
    spawn_caller_driven_with(fut, readiness, Converter::Count)
}

fn spawn_caller_driven_with<T, F>(
    fut: F,
    readiness: impl FnOnce() -> Option<netrt::foundation::async_op::Readiness>,
    converter: impl FnOnce(T) -> Converter + Send + 'static,
) -> PyResult<IAsyncOperation>
where
    T: Send + 'static,
    F: Future<Output = netrt::Result<T>> + Send + 'static,
{
    // Awaited on a loop, a pending read is watched level-triggered (`loop_driven.rs`); else
    // a blocking wait polls its fd or the runtime takes it: its start may skip its probe.
    let op = start_watched(|| {
        AsyncOperation::start_caller_driven(
            async move {
                let value = fut.await?;
                Ok(Convert::plain(converter(value)))
            },
            readiness,
        )
    })
    .map_err(to_pyerr)?;
    Ok(IAsyncOperation { shared: Shared::new(op) })
}

/// Starts `ReadAsync` on `stream` into `buffer` (the operation's result is that buffer, its
/// length the number of bytes read). Cancelling it never loses bytes: cancelled while reading,
/// it completes with what it had read (or ends Canceled having read nothing); when the task
/// awaiting it is cancelled after it completed, core gives its bytes back to the stream (see
/// `AsyncOperation::abandon`), where the next read finds them. The bytes are copied into the
/// buffer only when the result is taken, on the thread taking it, so the buffer is never
/// written by another thread and given-back bytes never touched it.
pub fn spawn_read(
    stream: netrt::io::InputStream,
    buffer: Py<crate::streams::PyBuf>,
    count: u32,
    options: netrt::io::InputStreamOptions,
) -> PyResult<IAsyncOperation> {
    let readiness = stream.read_readiness();
    let op = start_watched(|| {
        AsyncOperation::start_caller_driven_cancellable(
            move |cancel| async move {
                let bytes = stream.read_cancellable(count, options, &cancel).await?;
                let slot = Arc::new(Mutex::new(Some(bytes)));
                let for_python = slot.clone();
                let convert = Converter::Boxed(Box::new(move |py| {
                    let bytes = lock(&for_python).take().unwrap_or_default();
                    crate::streams::fill_buffer(py, buffer, &bytes)
                }));
                let give_back: GiveBack = Box::new(move || {
                    let bytes = lock(&slot).take().unwrap_or_default();
                    bytes.is_empty() || stream.unread(bytes).is_ok()
                });
                Ok(Convert(Mutex::new(Some(convert)), Mutex::new(Some(give_back))))
            },
            move || readiness,
        )
    })
    .map_err(to_pyerr)?;
    op.set_give_back(Convert::give_back);
    Ok(IAsyncOperation { shared: Shared::new(op) })
}

/// `MessageWebSocket.receive_message_async()`: core's receive operation
/// (`MessageWebSocket::start_receive`), its result the message's
/// `MessageWebSocketMessageReceivedEventArgs`. Like a stream read, an `await` on a loop claims
/// it and the loop reads the frames itself (`loop_driven.rs`). With `stop_when_over`
/// (`async for`) the end of the receive side (RO_E_CLOSED) is `StopAsyncIteration` instead of
/// an error. When the task awaiting it is cancelled after it completed, core puts the message
/// back in front (`AsyncOperation::abandon`), where the next receive finds it.
pub fn message_receive(ws: &netrt::ws::MessageWebSocket, stop_when_over: bool) -> PyResult<IAsyncOperation> {
    let give_back_to = ws.clone();
    let op = ws
        .start_receive(move |received| {
            let message = match received {
                Ok(args) => Some(args),
                Err(e) if stop_when_over && e.hresult() == hresult::RO_E_CLOSED => None,
                Err(e) => return Err(e),
            };
            let slot = Arc::new(Mutex::new(message));
            let for_python = slot.clone();
            // A copy (the message's bytes are shared): the original stays for a give-back.
            let convert = Converter::Boxed(Box::new(move |py| match lock(&for_python).clone() {
                Some(inner) => {
                    Ok(Py::new(py, crate::websocket_args::PyMessageReceivedArgs { inner })?.into_any())
                }
                None => Err(pyo3::exceptions::PyStopAsyncIteration::new_err(())),
            }));
            let give_back: GiveBack = Box::new(move || {
                if let Some(args) = lock(&slot).take() {
                    give_back_to.give_back_message(args);
                }
                true
            });
            Ok(Convert(Mutex::new(Some(convert)), Mutex::new(Some(give_back))))
        })
        .map_err(to_pyerr)?;
    op.set_give_back(Convert::give_back_even_if_converted);
    Ok(IAsyncOperation { shared: Shared::new(op) })
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
        py_enum(py, "AsyncStatus", self.shared.status() as i64)
    }

    /// `ErrorCode`: 0 unless the operation failed (its HRESULT) or was canceled
    /// (`HRESULT_FROM_WIN32(ERROR_CANCELLED)`).
    #[getter]
    fn error_code(&self) -> PyResult<i32> {
        if self.shared.status() == AsyncStatus::Canceled {
            return Ok(hresult::E_CANCELLED);
        }
        self.shared.op.error_code().map_err(to_pyerr)
    }

    /// `Id`: unique in the process.
    #[getter]
    fn id(&self) -> u32 {
        self.shared.op.id()
    }

    /// `Completed`: the handler, called as `handler(operation, status)` on netrt's dispatcher
    /// thread when the operation finishes — or at once, on this thread, if it already has.
    /// May be assigned once (a second assignment is `E_ILLEGAL_DELEGATE_ASSIGNMENT`).
    #[getter]
    fn completed(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        lock(&self.shared.handler_assigned).as_ref().map(|h| h.clone_ref(py))
    }

    #[setter]
    fn set_completed(slf: &Bound<'_, Self>, handler: Py<PyAny>) -> PyResult<()> {
        let py = slf.py();
        if !handler.bind(py).is_callable() {
            return Err(pyo3::exceptions::PyTypeError::new_err("completed must be callable"));
        }
        let sender: Py<IAsyncOperation> = slf.clone().unbind();
        let call = handler.clone_ref(py);
        // A handler that runs inline (the operation had finished) raises into this setter.
        let inline_error: Arc<Mutex<Option<PyErr>>> = Arc::new(Mutex::new(None));
        let inline_slot = inline_error.clone();
        slf.get()
            .shared
            .op
            .set_completed(Box::new(move |status, delivery| {
                let run = move |py: Python<'_>| -> PyResult<()> {
                    let status = py_enum(py, "AsyncStatus", status as i64)?;
                    call.bind(py).call1((sender, status))?;
                    Ok(())
                };
                match delivery {
                    CompletedDelivery::Inline => {
                        if let Err(e) = Python::attach(run) {
                            *lock(&inline_slot) = Some(e);
                        }
                    }
                    CompletedDelivery::Dispatcher | CompletedDelivery::CompletionQueue => {
                        call_python("netrt: an async operation's completed handler", run)
                    }
                }
            }))
            .map_err(to_pyerr)?;
        *lock(&slf.get().shared.handler_assigned) = Some(handler);
        match lock(&inline_error).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `Cancel()`: a Started operation becomes Canceled; this returns once its work has let go
    /// of the socket or reader, so the next operation on it is accepted at once.
    fn cancel(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.shared.op.cancel()).map_err(to_pyerr)
    }

    /// `Close()`: releases the results of a finished operation (later `get_results` raises
    /// `E_ILLEGAL_METHOD_CALL`); `E_ILLEGAL_STATE_CHANGE` while it runs.
    fn close(&self) -> PyResult<()> {
        self.shared.op.close().map_err(to_pyerr)?;
        *lock(&self.shared.value) = None;
        Ok(())
    }

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
    /// pending one parks the awaiting task on an asyncio future, resolved by this loop itself
    /// when it drives the operation (a stream read: `loop_driven.rs`) or else by its bridge
    /// when the operation completes elsewhere.
    fn __await__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let shared = &slf.get().shared;
        // Required even when the result is there, so that awaiting outside a running loop
        // fails the same way whatever the timing.
        let cached = cached_loop(py);
        let event_loop = match &cached {
            Some((event_loop, _)) => event_loop.clone(),
            None => running_loop(py)?,
        };
        if !shared.started() {
            let value = shared.results(py)?;
            return new_await_iter(py, AwaitKind::Ready(Ready(Mutex::new(Some(value)))));
        }
        let bridge_obj = match cached {
            Some((_, bridge_obj)) => bridge_obj,
            None => bridge_object(&event_loop)?,
        };
        let bridge = bridge_obj.get().inner.clone();
        let fut = create_future(&event_loop)?;
        lock(&shared.waiters).push((bridge.clone(), fut.clone().unbind()));
        let for_loop = shared.clone();
        let listener_bridge = bridge.clone();
        let pending = shared.op.on_done(Box::new(move || {
            // The loop's own poll ended it: the loop resolves it right after.
            if !in_loop_poll(&for_loop, &listener_bridge) {
                listener_bridge.notify(for_loop);
            }
        }));
        if pending {
            // A parked stream read: this loop watches its socket and polls it itself.
            try_claim(py, shared, &bridge_obj, &event_loop)?;
        } else {
            // Finished meanwhile: no notification will come for this future.
            lock(&shared.waiters).remove_future(&fut);
            resolve(py, shared, &fut)?;
        }
        // Its future is resolved only once the operation has ended (nothing else has seen the
        // future yet): while it runs, the first step need not ask the future.
        let unresolved = AtomicBool::new(shared.started());
        new_await_iter(
            py,
            AwaitKind::Pending(Awaiter { shared: shared.clone(), bridge, fut: fut.unbind(), unresolved }),
        )
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
        Ok(format!("<netrt.{class} id={} status={}>", slf.get().shared.op.id(), status.bind(py).str()?))
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

/// What `__await__`'s iterator (`await_iter.rs`) steps through.
pub enum AwaitKind {
    /// The operation had finished: its result.
    Ready(Ready),
    /// The future the loop resolves.
    Pending(Awaiter),
}

impl AwaitSteps for AwaitKind {
    fn step(&self, py: Python<'_>) -> PyResult<Stepped> {
        match self {
            AwaitKind::Ready(r) => r.step(py),
            AwaitKind::Pending(a) => a.step(py),
        }
    }

    fn throw(&self, py: Python<'_>, typ: &Bound<'_, PyAny>, val: Option<&Bound<'_, PyAny>>) -> PyErr {
        match self {
            AwaitKind::Ready(r) => r.throw(py, typ, val),
            AwaitKind::Pending(a) => a.throw(py, typ, val),
        }
    }
}

/// How `__await__`'s iterator (`await_iter.rs`) steps for a pending operation: over the asyncio
/// future the loop resolves (as `Future.__await__`'s iterator does), also seeing the awaiting
/// task's cancellation itself — the task throws `CancelledError` into it — so an await adds no
/// done callback (and no loop callback run) to its future.
pub struct Awaiter {
    shared: Arc<Shared>,
    bridge: Arc<Bridge>,
    fut: Py<PyAny>,
    /// Until the first step: the future was known pending when the iterator was made (the
    /// operation was still running, and the future not yet handed to anyone who could
    /// cancel it), so that step yields it without asking `done()`.
    unresolved: AtomicBool,
}

impl Awaiter {
    /// Suspends the task on the future (marked as awaited, as asyncio's own iterator does).
    fn yield_future(&self, py: Python<'_>) -> PyResult<Stepped> {
        self.fut.bind(py).setattr(pyo3::intern!(py, "_asyncio_future_blocking"), true)?;
        Ok(Stepped::Yield(self.fut.clone_ref(py)))
    }
}

impl AwaitSteps for Awaiter {
    /// Yields the future while it is pending (marked as awaited, as asyncio's own iterator
    /// does), else ends with its result.
    fn step(&self, py: Python<'_>) -> PyResult<Stepped> {
        let fut = self.fut.bind(py);
        // The loop resolves the future only from its callbacks, never between `__await__`
        // and the first step, which come one right after the other.
        if self.unresolved.swap(false, Ordering::Relaxed) {
            return self.yield_future(py);
        }
        // Raises the future's failure or cancellation; a completed operation's future only
        // says so (see `resolve`): its value is made now that the task has resumed. Asked
        // without `done()` first: a task steps again only once the future is done, and a
        // pending one says so with InvalidStateError (never an operation's own failure).
        match call_method_plain(fut, pyo3::intern!(py, "result"), None) {
            Ok(_) => Ok(Stepped::Return(self.shared.results(py)?)),
            Err(e) if e.is_instance_of::<pyo3::exceptions::asyncio::InvalidStateError>(py) => {
                self.yield_future(py)
            }
            Err(e) => Err(e),
        }
    }

    /// The awaiting task was cancelled (its future was): the operation is abandoned — and if it
    /// completed anyway, nobody awaits it any more: core gives a read's bytes back to its
    /// stream. Whatever was thrown in is raised.
    fn throw(&self, py: Python<'_>, typ: &Bound<'_, PyAny>, val: Option<&Bound<'_, PyAny>>) -> PyErr {
        let abandoned = (|| -> PyResult<()> {
            let fut = self.fut.bind(py);
            let cancelled = call_method_plain(fut, pyo3::intern!(py, "cancelled"), None)?.is_truthy()?;
            // Also when the operation completed and its future resolved before the task resumed
            // (cancelling the task could not cancel the future then): its value was not made
            // yet (see `resolve`), so a read's bytes go back to the stream and a message
            // receive gives its message back.
            if cancelled || self.shared.status() == AsyncStatus::Completed {
                py.detach(|| self.shared.op.abandon()).map_err(to_pyerr)?;
            }
            if cancelled {
                end_claim(py, &self.shared, &self.bridge);
            }
            Ok(())
        })();
        match abandoned {
            Ok(()) => plain_throw(typ, val),
            Err(e) => e,
        }
    }
}

/// How `__await__`'s iterator steps for a finished operation: it ends at once with the result,
/// so `await` never yields to the event loop.
pub struct Ready(Mutex<Option<Py<PyAny>>>);

impl AwaitSteps for Ready {
    fn step(&self, py: Python<'_>) -> PyResult<Stepped> {
        let value = lock(&self.0).take().unwrap_or_else(|| py.None());
        Ok(Stepped::Return(value))
    }

    fn throw(&self, _py: Python<'_>, typ: &Bound<'_, PyAny>, val: Option<&Bound<'_, PyAny>>) -> PyErr {
        plain_throw(typ, val)
    }
}

impl IAsyncOperation {
    /// Raises a finished operation's failure now. For `__anext__`: `async for` reports an
    /// awaitable whose `__await__` raises (even StopAsyncIteration) as a TypeError.
    pub fn raise_if_failed(&self, py: Python<'_>) -> PyResult<()> {
        if !self.shared.started() {
            self.shared.results(py)?;
        }
        Ok(())
    }

    fn wait_for(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let deadline = match timeout {
            None => None,
            Some(t) if t.is_nan() || t < 0.0 => return Err(PyValueError::new_err("timeout must be >= 0")),
            Some(t) => Some(Instant::now() + Duration::from_secs_f64(t.min(1e9))),
        };
        // Wait in slices so Ctrl-C (a pending signal) interrupts a long wait.
        const SLICE: Duration = Duration::from_millis(100);
        loop {
            if !self.shared.started() {
                return Ok(true);
            }
            let slice_end = Instant::now() + SLICE;
            let until = match deadline {
                Some(d) if d < slice_end => d,
                _ => slice_end,
            };
            if py.detach(|| self.shared.op.wait(Some(until))) {
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
