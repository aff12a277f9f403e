//! `IAsyncOperationWithProgress` (and `IAsyncActionWithProgress`, the same class with a `None`
//! result): an `IAsyncOperation` whose `progress` handler is called as core reports progress.
//!
//! Core's operations take a progress callback; [`spawn_with_progress`] hands them one that calls
//! the handler assigned in Python (taking the GIL only when there is one), and starts the
//! future as any other operation (`asyncop::spawn`).

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use netrt::foundation::AsyncOperationWithProgress;
use pyo3::PyClassInitializer;
use pyo3::prelude::*;

use crate::asyncop::{IAsyncOperation, spawn};
use crate::callbacks::call_python;

/// The progress handler of an operation, and the operation it is called with while the work
/// runs (dropped when it ends, so the two do not keep each other alive).
#[derive(Default)]
struct ProgressState {
    handler: Option<Py<PyAny>>,
    operation: Option<Py<PyAny>>,
    ended: bool,
}

type ProgressSlot = Arc<Mutex<ProgressState>>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A progress payload as the Python object the handler receives.
pub type ProgressObject<P> = fn(Python<'_>, P) -> PyResult<Py<PyAny>>;

/// Core's progress callback: calls the handler assigned to the operation, if any.
fn report_to<P: Send + 'static>(
    slot: ProgressSlot,
    object: ProgressObject<P>,
) -> impl Fn(P) + Send + Sync + 'static {
    move |p| {
        if lock(&slot).operation.is_none() {
            return;
        }
        let slot = slot.clone();
        call_python("netrt: an operation's progress handler", move |py| {
            let state = lock(&slot);
            let call = state.handler.as_ref().zip(state.operation.as_ref());
            let call = call.map(|(h, op)| (h.clone_ref(py), op.clone_ref(py)));
            drop(state);
            if let Some((handler, op)) = call {
                handler.bind(py).call1((op, object(py, p)?))?;
            }
            Ok(())
        })
    }
}

/// Ends the reports when the work ends or is dropped: the operation is let go (pyo3 defers the
/// reference count change to the next time the GIL is held).
struct ForgetHandlerOnDrop(ProgressSlot);

impl Drop for ForgetHandlerOnDrop {
    fn drop(&mut self) {
        let mut state = lock(&self.0);
        state.ended = true;
        let operation = state.operation.take();
        drop(state);
        drop(operation);
    }
}

/// Starts the future `start` makes from a progress callback, as an operation with progress:
/// `convert` makes its value a Python object, `progress` each report. Argument errors found by
/// the first poll are raised here (see `asyncop::spawn`).
pub fn spawn_with_progress<T, P, F>(
    py: Python<'_>,
    start: impl FnOnce(Box<dyn Fn(P) + Send + Sync>) -> F,
    convert: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
    progress: ProgressObject<P>,
) -> PyResult<Py<PyOperationWithProgress>>
where
    T: Send + 'static,
    P: Send + 'static,
    F: Future<Output = netrt::Result<T>> + Send + 'static,
{
    let slot: ProgressSlot = Arc::default();
    let work = start(Box::new(report_to(slot.clone(), progress)));
    let forget_handler = ForgetHandlerOnDrop(slot.clone());
    let op = spawn(
        async move {
            let _forget_handler = forget_handler;
            work.await
        },
        convert,
    )?;
    Py::new(py, PyClassInitializer::from(op).add_subclass(PyOperationWithProgress { slot }))
}

/// `IAsyncOperationWithProgress`: an `IAsyncOperation` that also reports progress.
#[pyclass(module = "netrt", name = "IAsyncOperationWithProgress", extends = IAsyncOperation, frozen)]
pub struct PyOperationWithProgress {
    slot: ProgressSlot,
}

#[pymethods]
impl PyOperationWithProgress {
    /// `Progress`: the handler, called as `handler(operation, progress)` on a netrt runtime
    /// thread as the work advances (asyncio code hands it to its loop with
    /// `call_soon_threadsafe`). Assigning again replaces it; reports stop when the operation ends.
    #[getter]
    fn progress(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        lock(&self.slot).handler.as_ref().map(|h| h.clone_ref(py))
    }

    #[setter]
    fn set_progress(slf: &Bound<'_, Self>, handler: Py<PyAny>) -> PyResult<()> {
        if !handler.bind(slf.py()).is_callable() {
            return Err(pyo3::exceptions::PyTypeError::new_err("progress must be callable"));
        }
        let mut state = lock(&slf.get().slot);
        let replaced = state.handler.replace(handler);
        if !state.ended {
            state.operation = Some(slf.clone().into_any().unbind());
        }
        drop(state);
        drop(replaced);
        Ok(())
    }
}

/// A core operation with progress as a Python one: the handler assigned in Python gets core's
/// reports, and cancelling the Python operation cancels core's.
pub fn follow_with_progress<T, P>(
    py: Python<'_>,
    op: AsyncOperationWithProgress<T, P>,
    convert: fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
    progress: ProgressObject<P>,
) -> PyResult<Py<PyOperationWithProgress>>
where
    T: Clone + Send + Sync + 'static,
    P: Clone + Send + 'static,
{
    spawn_with_progress(
        py,
        move |report| async move {
            op.set_progress(Arc::from(report))?;
            op.operation().clone().finished().await
        },
        convert,
        progress,
    )
}
