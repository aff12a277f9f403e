//! Calls into Python from netrt's threads (event and completion handlers on the dispatcher),
//! and what keeps them safe while the interpreter shuts down.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::PyString;

/// Set by an `atexit` hook: once the interpreter is shutting down, callbacks from netrt's
/// dispatcher thread are dropped instead of trying to take the GIL of a dying interpreter.
static FINALIZING: AtomicBool = AtomicBool::new(false);

/// Whether callbacks into Python must be skipped (interpreter exiting).
pub fn finalizing() -> bool {
    // SAFETY: Py_IsInitialized may be called at any time, without the GIL.
    FINALIZING.load(Ordering::SeqCst) || unsafe { pyo3::ffi::Py_IsInitialized() } == 0
}

/// Callbacks into Python in progress on netrt's threads (see [`call_python`]).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// The `atexit` hook: no callback into Python starts from now on, and those already running
/// are given a moment to return. A netrt thread caught inside Python when the interpreter
/// finalizes is ended by CPython with `pthread_exit`, whose unwinding through Rust frames
/// aborts the process.
#[pyfunction]
fn _mark_finalizing(py: Python<'_>) {
    FINALIZING.store(true, Ordering::SeqCst);
    py.detach(|| {
        let deadline = Instant::now() + Duration::from_secs(2);
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Registers the `atexit` hook that sets [`finalizing`].
pub fn register_atexit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(_mark_finalizing, m)?;
    m.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}

/// Runs `f` with the GIL on a netrt thread (the dispatcher), unless Python is exiting.
/// Exceptions are reported with `sys.unraisablehook`, as CPython does for callbacks.
pub fn call_python(what: &'static str, f: impl FnOnce(Python<'_>) -> PyResult<()>) {
    struct InFlight;
    impl Drop for InFlight {
        fn drop(&mut self) {
            IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
        }
    }
    // Counted before the check, so the atexit hook either sees this call or this call sees
    // the flag.
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    let _in_flight = InFlight;
    if finalizing() {
        return;
    }
    Python::attach(|py| {
        if let Err(err) = f(py) {
            let context = PyString::new(py, what);
            err.write_unraisable(py, Some(context.as_any()));
        }
    });
}
