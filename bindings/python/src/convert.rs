//! Argument and result conversions shared by every class: enums, bytes-like arguments,
//! `datetime`/`timedelta`/`uuid.UUID` for DateTime/TimeSpan/Guid, host name arguments.

use netrt::foundation::{DateTime, Guid, TimeSpan};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyString};

pub use crate::callbacks::call_python;
use crate::errors::OrRaise;
use crate::hostname::PyHostName;
use crate::streams::PyBuf;

static ENUMS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// `netrt.<name>(value)`: a WinRT enum value as the Python enum member.
pub fn py_enum(py: Python<'_>, name: &str, value: i64) -> PyResult<Py<PyAny>> {
    let module = ENUMS.get_or_try_init(py, || py.import("netrt._enums").map(Bound::unbind))?;
    Ok(module.bind(py).getattr(name)?.call1((value,))?.unbind())
}

/// The bytes of a "ReadableBuffer" argument: `bytes`, `bytearray`, `memoryview`, any object
/// with the buffer protocol, or a netrt `Buffer`. `str` is refused (TypeError), as by `bytes()`.
pub fn bytes_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    with_bytes_arg(obj, <[u8]>::to_vec)
}

/// Runs `f` on the bytes of a "ReadableBuffer" argument (as [`bytes_arg`]) without copying
/// them: `bytes` and buffer-protocol objects are read in place while the GIL is held (so no
/// Python code can change them meanwhile), a netrt `Buffer` under its lock.
pub fn with_bytes_arg<R>(obj: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> R) -> PyResult<R> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(f(b.as_bytes()));
    }
    if let Ok(buf) = obj.cast::<PyBuf>() {
        return Ok(buf.get().buffer().with_bytes(f));
    }
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("expected a bytes-like object, got 'str' (encode it first)"));
    }
    let view = PyBuffer::<u8>::get(obj).map_err(|_| {
        PyTypeError::new_err(format!(
            "expected a bytes-like object, got '{}'",
            obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    if !view.is_c_contiguous() {
        return Ok(f(&view.to_vec(obj.py())?));
    }
    // SAFETY: a C-contiguous buffer of `len_bytes` u8s at `buf_ptr`, kept alive and unchanged by
    // `view` while the GIL is held (`f` runs no Python code).
    let bytes = unsafe { std::slice::from_raw_parts(view.buf_ptr() as *const u8, view.len_bytes()) };
    Ok(f(bytes))
}

/// The bytes of a "ReadableBuffer" argument for work that outlives the call: a `bytes` object
/// (immutable) is kept by reference, anything else (mutable: it may change once the call
/// returns) is copied once.
pub enum HeldBytes {
    /// An immutable `bytes` (held so its data stays), with its data's address and length.
    Shared { _object: Py<PyBytes>, ptr: usize, len: usize },
    /// A copy.
    Owned(Vec<u8>),
}

// SAFETY: `Shared` holds a reference to an immutable `bytes` object: its data never changes or
// moves while the reference lives, so reading it from any thread is sound. The reference itself
// is released through pyo3, which defers the decref to a thread holding the GIL.
unsafe impl Send for HeldBytes {}
// SAFETY: as above: only reads.
unsafe impl Sync for HeldBytes {}

impl HeldBytes {
    /// Holds `obj`'s bytes: by reference for `bytes`, else a copy.
    pub fn of(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            let data = b.as_bytes();
            return Ok(Self::Shared {
                _object: b.clone().unbind(),
                ptr: data.as_ptr() as usize,
                len: data.len(),
            });
        }
        Ok(Self::Owned(bytes_arg(obj)?))
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            // SAFETY: see the `Send` impl: the object is alive and immutable.
            Self::Shared { ptr, len, .. } => unsafe { std::slice::from_raw_parts(*ptr as *const u8, *len) },
            Self::Owned(v) => v,
        }
    }
}

/// A "HostName" argument: a `HostName`, or a `str` (netrt convenience) parsed as one.
pub fn host_arg(obj: &Bound<'_, PyAny>) -> PyResult<netrt::HostName> {
    if let Ok(h) = obj.cast::<PyHostName>() {
        return Ok(h.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return netrt::HostName::new(s.to_str()?).or_raise();
    }
    Err(PyTypeError::new_err(format!("expected HostName or str, got '{}'", obj.get_type().name()?)))
}

/// An optional host name (`None` allowed where WinRT accepts null).
pub fn opt_host_arg(obj: &Bound<'_, PyAny>) -> PyResult<Option<netrt::HostName>> {
    if obj.is_none() { Ok(None) } else { host_arg(obj).map(Some) }
}

/// A `str` argument (TypeError otherwise).
pub fn str_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    obj.cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be str, not '{}'", type_name(obj))))?
        .to_str()
        .map(str::to_owned)
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// An enum argument: any `int` (IntEnum members are ints) that fits an int32.
pub fn enum_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i32> {
    if obj.is_instance_of::<pyo3::types::PyBool>() || !obj.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyTypeError::new_err(format!("{what} must be an int enum, not '{}'", type_name(obj))));
    }
    obj.extract::<i32>()
}

/// `SocketProtectionLevel` argument.
pub fn level_arg(obj: &Bound<'_, PyAny>) -> PyResult<netrt::net::SocketProtectionLevel> {
    netrt::net::SocketProtectionLevel::from_raw(enum_arg(obj, "protection_level")?).or_raise()
}

const TICKS_PER_MICRO: i64 = 10;

/// TimeSpan → `datetime.timedelta` (100-ns ticks, truncated to microseconds).
pub fn timedelta(py: Python<'_>, span: TimeSpan) -> PyResult<Py<PyAny>> {
    let micros = span.duration / TICKS_PER_MICRO;
    let td = py.import("datetime")?.getattr("timedelta")?;
    Ok(td.call((), Some(&[("microseconds", micros)].into_py_dict_ok(py)?))?.unbind())
}

/// `datetime.timedelta` → TimeSpan.
pub fn timespan_arg(obj: &Bound<'_, PyAny>) -> PyResult<TimeSpan> {
    let td = obj.py().import("datetime")?.getattr("timedelta")?;
    if !obj.is_instance(&td)? {
        return Err(PyTypeError::new_err(format!("expected datetime.timedelta, got '{}'", type_name(obj))));
    }
    let days: i64 = obj.getattr("days")?.extract()?;
    let seconds: i64 = obj.getattr("seconds")?.extract()?;
    let micros: i64 = obj.getattr("microseconds")?.extract()?;
    let total = days
        .checked_mul(86_400_000_000)
        .and_then(|d| d.checked_add(seconds * 1_000_000 + micros))
        .and_then(|m| m.checked_mul(TICKS_PER_MICRO))
        .ok_or_else(|| pyo3::exceptions::PyOverflowError::new_err("timedelta out of TimeSpan range"))?;
    Ok(TimeSpan { duration: total })
}

/// 100-ns ticks from 1601-01-01 to 1970-01-01.
const EPOCH_1601_TO_1970_MICROS: i64 = 11_644_473_600_000_000;

/// DateTime → timezone-aware UTC `datetime.datetime`.
pub fn datetime(py: Python<'_>, dt: DateTime) -> PyResult<Py<PyAny>> {
    let module = py.import("datetime")?;
    let utc = module.getattr("timezone")?.getattr("utc")?;
    let epoch = module.getattr("datetime")?.call1((1601, 1, 1, 0, 0, 0, 0, utc))?;
    let delta = module
        .getattr("timedelta")?
        .call((), Some(&[("microseconds", dt.universal_time / TICKS_PER_MICRO)].into_py_dict_ok(py)?))?;
    Ok(epoch.call_method1("__add__", (delta,))?.unbind())
}

/// `datetime.datetime` → DateTime. A naive datetime is local time, as `datetime.timestamp()`.
pub fn datetime_arg(obj: &Bound<'_, PyAny>) -> PyResult<DateTime> {
    let module = obj.py().import("datetime")?;
    if !obj.is_instance(&module.getattr("datetime")?)? {
        return Err(PyTypeError::new_err(format!("expected datetime.datetime, got '{}'", type_name(obj))));
    }
    let utc = module.getattr("timezone")?.getattr("utc")?;
    let aware = obj.call_method1("astimezone", (utc.clone(),))?;
    let epoch = module.getattr("datetime")?.call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
    let delta = aware.call_method1("__sub__", (epoch,))?;
    let span = timespan_arg(&delta)?;
    Ok(DateTime { universal_time: span.duration + EPOCH_1601_TO_1970_MICROS * TICKS_PER_MICRO })
}

/// Guid → `uuid.UUID`.
pub fn uuid(py: Python<'_>, g: Guid) -> PyResult<Py<PyAny>> {
    Ok(py.import("uuid")?.getattr("UUID")?.call1((g.to_string(),))?.unbind())
}

/// `uuid.UUID` → Guid (fields taken from the canonical big-endian form).
pub fn guid_arg(obj: &Bound<'_, PyAny>) -> PyResult<Guid> {
    let class = obj.py().import("uuid")?.getattr("UUID")?;
    if !obj.is_instance(&class)? {
        return Err(PyTypeError::new_err(format!("expected uuid.UUID, got '{}'", type_name(obj))));
    }
    let b: Vec<u8> = obj.getattr("bytes")?.extract()?;
    let mut data4 = [0u8; 8];
    data4.copy_from_slice(&b[8..16]);
    Ok(Guid {
        data1: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        data2: u16::from_be_bytes([b[4], b[5]]),
        data3: u16::from_be_bytes([b[6], b[7]]),
        data4,
    })
}

/// `[("k", v)]` → dict, for keyword calls.
trait IntoKwargs {
    fn into_py_dict_ok<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>>;
}

impl IntoKwargs for [(&str, i64); 1] {
    fn into_py_dict_ok<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        for (k, v) in self {
            d.set_item(k, v)?;
        }
        Ok(d)
    }
}

/// An asyncio future on the running loop, already resolved with `value` (what `__aenter__`
/// and `__aexit__` return: awaiting it completes at once).
pub fn ready_future<'py>(py: Python<'py>, value: Py<PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let fut = event_loop.call_method0("create_future")?;
    fut.call_method1("set_result", (value,))?;
    Ok(fut)
}

/// `obj.name()` or `obj.name(arg)` through CPython's `PyObject_CallMethodObjArgs`. For the
/// per-await calls on asyncio futures and loops: on the stable ABI of 3.11, pyo3's
/// `call_method*` gets the attribute (a new bound-method object each time) and calls it with a
/// new argument tuple; CPython's own lookup calls a method descriptor unbound, with the
/// arguments on its stack.
pub fn call_method_plain<'py>(
    obj: &Bound<'py, PyAny>,
    name: &Bound<'py, PyString>,
    arg: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let end: *mut pyo3::ffi::PyObject = std::ptr::null_mut();
    // SAFETY: valid objects for the duration of the call; the argument list ends with NULL.
    unsafe {
        let result = match arg {
            Some(arg) => {
                pyo3::ffi::PyObject_CallMethodObjArgs(obj.as_ptr(), name.as_ptr(), arg.as_ptr(), end)
            }
            None => pyo3::ffi::PyObject_CallMethodObjArgs(obj.as_ptr(), name.as_ptr(), end),
        };
        Bound::from_owned_ptr_or_err(obj.py(), result)
    }
}
