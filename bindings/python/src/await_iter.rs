//! The iterator `IAsyncOperation.__await__` returns, as a type of its own that fills CPython's
//! `am_send` slot.
//!
//! An `await` steps its iterator with `PyIter_Send`, which uses `am_send` when the type has
//! it: the iterator then hands back the operation's result directly (`PYGEN_RETURN`), where an
//! iterator with only `__next__` must raise `StopIteration(result)` — an exception object built
//! and normalized per await (pyo3 normalizes every error it raises before 3.12), then fetched
//! and freed by the interpreter. pyo3 classes cannot fill `am_send`, hence this small type
//! made with `PyType_FromSpec`. It keeps `__next__`, `send`, `throw` and `close` for everything
//! that drives awaitables the other way (a tracing interpreter, `coro.throw`, hand-written
//! drivers); its `__next__` raises `StopIteration` without building it where CPython allows.

use std::ffi::{c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use pyo3::exceptions::{PyRuntimeError, PyStopIteration, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};

use crate::asyncop::AwaitKind;

/// What one step of an await gives.
pub enum Stepped {
    /// Suspend the awaiting task on this (an asyncio future).
    Yield(Py<PyAny>),
    /// The await is over: its value.
    Return(Py<PyAny>),
}

/// The await's logic (an operation's result, or the future it waits on).
pub trait AwaitSteps: Send + Sync + 'static {
    /// `send(None)` / `__next__`.
    fn step(&self, py: Python<'_>) -> PyResult<Stepped>;

    /// `throw(typ, val, tb)`: the awaiting task was cancelled or had an exception thrown in.
    /// Returns the exception to raise.
    fn throw(&self, py: Python<'_>, typ: &Bound<'_, PyAny>, val: Option<&Bound<'_, PyAny>>) -> PyErr;
}

/// Wraps `steps` as the iterator an `__await__` returns.
pub fn new_await_iter<'py>(py: Python<'py>, steps: AwaitKind) -> PyResult<Bound<'py, PyAny>> {
    let tp = await_iter_type(py)?;
    // SAFETY: `tp` is our heap type, whose basicsize is `RawIter`'s; the allocation is zeroed,
    // so `steps` (an `Option<Box<_>>`) reads as None until written.
    unsafe {
        let obj = ffi::PyType_GenericAlloc(tp.as_type_ptr(), 0);
        if obj.is_null() {
            return Err(PyErr::fetch(py));
        }
        ptr::write(&raw mut (*obj.cast::<RawIter>()).steps, Some(steps));
        Ok(Bound::from_owned_ptr(py, obj))
    }
}

/// The object's layout.
#[repr(C)]
struct RawIter {
    ob_base: ffi::PyObject,
    /// Written once, by `new_await_iter`, and only read after (no lock: a step may release the
    /// GIL, and another thread stepping the same iterator meanwhile must not block on it).
    /// Inline, not boxed: no allocation per await.
    steps: Option<AwaitKind>,
}

static AWAIT_ITER_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn await_iter_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    AWAIT_ITER_TYPE.get_or_try_init(py, || make_type(py)).map(|t| t.bind(py))
}

fn make_type(py: Python<'_>) -> PyResult<Py<PyType>> {
    // Leaked once: CPython keeps pointers into the method table for the type's lifetime.
    let methods: &'static mut [ffi::PyMethodDef; 4] = Box::leak(Box::new([
        ffi::PyMethodDef {
            ml_name: c"send".as_ptr(),
            ml_meth: ffi::PyMethodDefPointer { PyCFunction: send_method },
            ml_flags: ffi::METH_O,
            ml_doc: ptr::null(),
        },
        ffi::PyMethodDef {
            ml_name: c"throw".as_ptr(),
            ml_meth: ffi::PyMethodDefPointer { PyCFunction: throw_method },
            ml_flags: ffi::METH_VARARGS,
            ml_doc: ptr::null(),
        },
        ffi::PyMethodDef {
            ml_name: c"close".as_ptr(),
            ml_meth: ffi::PyMethodDefPointer { PyCFunction: close_method },
            ml_flags: ffi::METH_NOARGS,
            ml_doc: ptr::null(),
        },
        ffi::PyMethodDef::zeroed(),
    ]));
    // `sendfunc` (not in pyo3's stable-ABI bindings, though `Py_am_send` is stable since 3.10).
    let send: unsafe extern "C" fn(
        *mut ffi::PyObject,
        *mut ffi::PyObject,
        *mut *mut ffi::PyObject,
    ) -> ffi::PySendResult = am_send;
    let mut slots = [
        ffi::PyType_Slot { slot: ffi::Py_tp_dealloc, pfunc: dealloc as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_iter, pfunc: ffi::PyObject_SelfIter as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_iternext, pfunc: iternext as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_am_send, pfunc: send as *mut c_void },
        ffi::PyType_Slot { slot: ffi::Py_tp_methods, pfunc: methods.as_mut_ptr().cast() },
        ffi::PyType_Slot { slot: 0, pfunc: ptr::null_mut() },
    ];
    let mut spec = ffi::PyType_Spec {
        name: c"netrt._netrt._AwaitIter".as_ptr(),
        basicsize: c_int::try_from(size_of::<RawIter>()).expect("a small struct"),
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_DISALLOW_INSTANTIATION) as _,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: the spec and slots are valid for the call (CPython copies what it keeps, except
    // the method table, which is leaked above).
    unsafe {
        let tp = ffi::PyType_FromSpec(&mut spec);
        if tp.is_null() {
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, tp).cast_into::<PyType>()?.unbind())
    }
}

/// The steps of `obj` (one of ours).
///
/// # Safety
/// `obj` must be a live `_AwaitIter`.
unsafe fn steps_of<'a>(obj: *mut ffi::PyObject) -> Option<&'a AwaitKind> {
    // SAFETY: per the contract.
    unsafe { (*obj.cast::<RawIter>()).steps.as_ref() }
}

fn step(py: Python<'_>, obj: *mut ffi::PyObject) -> PyResult<Stepped> {
    // SAFETY: only called from this type's slots.
    match unsafe { steps_of(obj) } {
        Some(steps) => steps.step(py),
        None => Err(PyRuntimeError::new_err("an empty await iterator")),
    }
}

/// Runs a slot's body with the GIL's token; a panic becomes a Python exception.
fn guarded<R>(fallback: R, body: impl FnOnce(Python<'_>) -> R) -> R {
    // SAFETY: CPython calls slots with the thread attached.
    let py = unsafe { Python::assume_attached() };
    match catch_unwind(AssertUnwindSafe(|| body(py))) {
        Ok(r) => r,
        Err(_) => {
            PyRuntimeError::new_err("netrt: panic while awaiting an operation").restore(py);
            fallback
        }
    }
}

/// Raises `StopIteration(value)`. For a plain value on CPython < 3.12 nothing is built: the
/// interpreter takes the value from the unnormalized error as it is. A tuple (which would be
/// taken as the exception's arguments) or a StopIteration (which would be taken as the
/// exception itself) is wrapped in an instance first.
fn raise_stop_iteration(py: Python<'_>, value: Py<PyAny>) {
    let value = value.into_bound(py);
    let needs_instance = value.is_instance_of::<PyTuple>() || value.is_instance_of::<PyStopIteration>();
    let raised = if needs_instance {
        match py.get_type::<PyStopIteration>().call1((value,)) {
            Ok(instance) => instance,
            Err(e) => return e.restore(py),
        }
    } else {
        value
    };
    // SAFETY: a borrowed reference to the StopIteration class, and a valid value.
    unsafe { ffi::PyErr_SetObject(ffi::PyExc_StopIteration, raised.as_ptr()) };
}

unsafe extern "C" fn am_send(
    obj: *mut ffi::PyObject,
    _arg: *mut ffi::PyObject,
    result: *mut *mut ffi::PyObject,
) -> ffi::PySendResult {
    guarded(ffi::PySendResult::PYGEN_ERROR, |py| {
        let (status, value) = match step(py, obj) {
            Ok(Stepped::Yield(v)) => (ffi::PySendResult::PYGEN_NEXT, v.into_ptr()),
            Ok(Stepped::Return(v)) => (ffi::PySendResult::PYGEN_RETURN, v.into_ptr()),
            Err(e) => {
                e.restore(py);
                (ffi::PySendResult::PYGEN_ERROR, ptr::null_mut())
            }
        };
        // SAFETY: CPython passes a valid out pointer.
        unsafe { *result = value };
        status
    })
}

unsafe extern "C" fn iternext(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    guarded(ptr::null_mut(), |py| match step(py, obj) {
        Ok(Stepped::Yield(v)) => v.into_ptr(),
        // Exhausted without an error set: StopIteration with the value None.
        Ok(Stepped::Return(v)) if v.is_none(py) => ptr::null_mut(),
        Ok(Stepped::Return(v)) => {
            raise_stop_iteration(py, v);
            ptr::null_mut()
        }
        Err(e) => {
            e.restore(py);
            ptr::null_mut()
        }
    })
}

unsafe extern "C" fn send_method(obj: *mut ffi::PyObject, _arg: *mut ffi::PyObject) -> *mut ffi::PyObject {
    guarded(ptr::null_mut(), |py| match step(py, obj) {
        Ok(Stepped::Yield(v)) => v.into_ptr(),
        // A method must set an error when it returns NULL, even for the value None.
        Ok(Stepped::Return(v)) => {
            raise_stop_iteration(py, v);
            ptr::null_mut()
        }
        Err(e) => {
            e.restore(py);
            ptr::null_mut()
        }
    })
}

/// `throw(typ[, val[, tb]])`.
unsafe extern "C" fn throw_method(obj: *mut ffi::PyObject, args: *mut ffi::PyObject) -> *mut ffi::PyObject {
    guarded(ptr::null_mut(), |py| {
        // SAFETY: METH_VARARGS passes a tuple.
        let args = unsafe { Bound::from_borrowed_ptr(py, args) };
        let args = match args.cast::<PyTuple>() {
            Ok(t) if (1..=3).contains(&t.len()) => t.clone(),
            _ => {
                PyTypeError::new_err("throw() takes 1 to 3 arguments").restore(py);
                return ptr::null_mut();
            }
        };
        let typ = args.get_item(0).expect("checked length");
        let val = args.get_item(1).ok();
        let err = {
            // SAFETY: only called from this type's method table.
            match unsafe { steps_of(obj) } {
                Some(steps) => steps.throw(py, &typ, val.as_ref()),
                None => plain_throw(&typ, val.as_ref()),
            }
        };
        err.restore(py);
        ptr::null_mut()
    })
}

/// The exception `throw(typ, val)` raises.
pub fn plain_throw(typ: &Bound<'_, PyAny>, val: Option<&Bound<'_, PyAny>>) -> PyErr {
    match val {
        Some(v) if typ.is_instance_of::<PyType>() && !v.is_none() => match typ.call1((v,)) {
            Ok(e) => PyErr::from_value(e),
            Err(e) => e,
        },
        _ => PyErr::from_value(typ.clone()),
    }
}

unsafe extern "C" fn close_method(_obj: *mut ffi::PyObject, _: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: returning a new reference to None.
    unsafe { ffi::Py_NewRef(ffi::Py_None()) }
}

unsafe extern "C" fn dealloc(obj: *mut ffi::PyObject) {
    // Through pyo3's trampoline (hidden API of the pinned pyo3), which marks the thread as
    // attached for pyo3: the Python references the steps hold are then released at once, not
    // queued in pyo3's pool of deferred decrefs (as they would be under `assume_attached`).
    let drop_steps = pyo3::get_trampoline_function!(inquiry, drop_steps);
    // SAFETY: CPython calls this once, with the object's last reference gone and the thread
    // attached; the type is a heap type, which each instance holds a reference to.
    unsafe {
        drop_steps(obj);
        let tp = ffi::Py_TYPE(obj);
        let free = ffi::PyType_GetSlot(tp, ffi::Py_tp_free);
        let free: ffi::freefunc = std::mem::transmute::<*mut c_void, ffi::freefunc>(free);
        free(obj.cast());
        ffi::Py_DECREF(tp.cast());
    }
}

/// The part of `dealloc` that may run Rust code: drops the steps.
///
/// # Safety
/// `obj` must be an `_AwaitIter` being deallocated.
unsafe fn drop_steps(_py: Python<'_>, obj: *mut ffi::PyObject) -> PyResult<c_int> {
    // SAFETY: per the contract; read once, never used again.
    drop(unsafe { ptr::read(&raw const (*obj.cast::<RawIter>()).steps) });
    Ok(0)
}
