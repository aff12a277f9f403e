//! `Buffer`, and the socket streams (`IInputStream` / `IOutputStream`) (Windows.Storage.Streams).

use std::os::raw::c_int;
use std::sync::atomic::{AtomicUsize, Ordering};

use netrt::io::{InputStream, InputStreamOptions, OutputStream};
use pyo3::exceptions::PyBufferError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::asyncop::{IAsyncOperation, boolean, spawn, spawn_count, spawn_read};
use crate::convert::{HeldBytes, enum_arg, ready_future};
use crate::errors::{OrRaise, invalid_arg};

/// `Buffer`: core's IBuffer (fixed capacity, settable length, memory that never moves);
/// supports the buffer protocol (`memoryview(buf)`, `bytes(buf)`), read-write over its
/// `length` bytes.
#[pyclass(module = "netrt", name = "Buffer", frozen)]
pub struct PyBuf {
    inner: netrt::io::Buffer,
    exports: AtomicUsize,
}

impl PyBuf {
    /// The wrapper of a core buffer (shared, not copied).
    pub fn wrap(inner: netrt::io::Buffer) -> Self {
        Self { inner, exports: AtomicUsize::new(0) }
    }

    /// A `Buffer` object for `bytes`.
    pub fn object(py: Python<'_>, bytes: Vec<u8>) -> PyResult<Py<PyAny>> {
        Self::object_of(py, netrt::io::Buffer::from_vec(bytes).or_raise()?)
    }

    /// A `Buffer` object sharing `buffer`.
    pub fn object_of(py: Python<'_>, buffer: netrt::io::Buffer) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, Self::wrap(buffer))?.into_any())
    }

    /// The core buffer (shared).
    pub fn buffer(&self) -> &netrt::io::Buffer {
        &self.inner
    }

    /// A copy of the valid bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        self.inner.to_vec()
    }
}

/// A read's result: `buffer` (the caller's) holding `bytes`, its length set to theirs.
pub fn fill_buffer(py: Python<'_>, buffer: Py<PyBuf>, bytes: &[u8]) -> PyResult<Py<PyAny>> {
    let inner = &buffer.get().inner;
    if bytes.is_empty() {
        // The end of the stream: a buffer never written keeps costing nothing.
        inner.set_length(0).or_raise()?;
    } else {
        inner.set_contents(bytes).or_raise()?;
    }
    Ok(buffer.into_any().clone_ref(py))
}

#[pymethods]
impl PyBuf {
    /// `Buffer(capacity)`: empty (length 0), room for `capacity` bytes.
    #[new]
    #[pyo3(signature = (capacity, /))]
    fn new(capacity: u32) -> PyResult<Self> {
        // Memory comes when the bytes are first needed: a buffer that only bounds `read_async`
        // costs nothing.
        Ok(Self::wrap(netrt::io::Buffer::lazy(capacity)))
    }

    #[getter]
    fn capacity(&self) -> u32 {
        self.inner.capacity()
    }

    #[getter]
    fn length(&self) -> u32 {
        self.inner.length()
    }

    /// Sets `Length`: growing exposes the bytes in memory (zero unless written); more than
    /// `capacity` is `E_INVALIDARG`. Refused while a memoryview exports the buffer (the view's
    /// length would no longer match).
    #[setter]
    fn set_length(&self, value: u32) -> PyResult<()> {
        if value > self.inner.capacity() {
            return self.inner.set_length(value).or_raise();
        }
        if self.exports.load(Ordering::Acquire) > 0 {
            return Err(PyBufferError::new_err("cannot resize a Buffer while a memoryview of it exists"));
        }
        self.inner.set_length(value).or_raise()
    }

    fn __len__(&self) -> usize {
        self.inner.length() as usize
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.inner.with_bytes(|bytes| PyBytes::new(py, bytes))
    }

    fn __repr__(&self) -> String {
        format!("<netrt.Buffer length={} capacity={}>", self.inner.length(), self.inner.capacity())
    }

    /// # Safety
    /// Called by CPython with a valid `view`; the exported pointer stays valid because the
    /// memory never moves and lives as long as `slf`, which the view references.
    unsafe fn __getbuffer__(
        slf: PyRef<'_, Self>,
        view: *mut pyo3::ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        let (ptr, len) = (slf.inner.raw_memory().0, slf.inner.length() as usize);
        slf.exports.fetch_add(1, Ordering::AcqRel);
        let owner = slf.as_ptr();
        // SAFETY: `view` is valid (CPython's contract); `ptr`/`len` describe live memory owned
        // by `slf`, which the view keeps alive through its `obj` reference.
        let rc = unsafe { pyo3::ffi::PyBuffer_FillInfo(view, owner, ptr.cast(), len as isize, 0, flags) };
        if rc != 0 {
            slf.exports.fetch_sub(1, Ordering::AcqRel);
            return Err(PyErr::fetch(slf.py()));
        }
        Ok(())
    }

    /// # Safety
    /// Called by CPython once per successful `__getbuffer__`.
    unsafe fn __releasebuffer__(&self, _view: *mut pyo3::ffi::Py_buffer) {
        self.exports.fetch_sub(1, Ordering::AcqRel);
    }
}

/// `IInputStream` of a socket (closing it closes the socket, as in WinRT).
#[pyclass(module = "netrt", name = "IInputStream", frozen)]
pub struct PyInputStream {
    pub inner: InputStream,
}

#[pymethods]
impl PyInputStream {
    /// `ReadAsync(buffer, count, options)`: reads up to `count` bytes into `buffer` (a
    /// `Buffer`); the operation's result is that same `Buffer`, its `length` the number of
    /// bytes read (0: the peer closed). `count` may not exceed its capacity (`E_INVALIDARG`, as
    /// in C); anything but a `Buffer` is a `TypeError`. The bytes are written into the buffer
    /// when the result is delivered (not while the read is pending). Cancelling never loses
    /// bytes: a read cancelled after it received data completes with them, and when the task
    /// awaiting it is cancelled, its bytes go back to the socket for the next read (the
    /// buffer is left as it was).
    #[pyo3(signature = (buffer, count, options, /))]
    fn read_async(
        &self,
        buffer: &Bound<'_, PyAny>,
        count: u32,
        options: &Bound<'_, PyAny>,
    ) -> PyResult<IAsyncOperation> {
        let buffer = buffer.cast::<PyBuf>().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "read_async: buffer must be a netrt.Buffer (IBuffer), not '{}'",
                buffer.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
        let capacity = buffer.get().capacity();
        if count > capacity {
            return Err(invalid_arg(format!(
                "ReadAsync: count {count} exceeds the buffer's capacity {capacity}"
            )));
        }
        let options = InputStreamOptions::from_raw(enum_arg(options, "options")? as u32).or_raise()?;
        spawn_read(self.inner.clone(), buffer.clone().unbind(), count, options)
    }

    fn close(&self) {
        self.inner.close();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) {
        self.inner.close();
    }
}

/// `IOutputStream` of a socket.
#[pyclass(module = "netrt", name = "IOutputStream", frozen)]
pub struct PyOutputStream {
    pub inner: OutputStream,
}

#[pymethods]
impl PyOutputStream {
    /// `WriteAsync(buffer)`: writes all the bytes; the result is how many were written.
    #[pyo3(signature = (buffer, /))]
    fn write_async(&self, buffer: &Bound<'_, PyAny>) -> PyResult<IAsyncOperation> {
        // `bytes` is sent from the caller's object, other buffers from one copy.
        let data = HeldBytes::of(buffer)?;
        let stream = self.inner.clone();
        spawn_count(async move { stream.write(data.as_slice()).await })
    }

    /// `FlushAsync()`.
    fn flush_async(&self) -> PyResult<IAsyncOperation> {
        let stream = self.inner.clone();
        spawn(async move { stream.flush().await }, boolean)
    }

    fn close(&self) {
        self.inner.close();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) {
        self.inner.close();
    }
}

/// `async with` support shared by the closable classes: `__aenter__` resolves to the object.
pub fn aenter<'py>(slf: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    ready_future(slf.py(), slf.clone().unbind())
}

/// `__aexit__`: closes (synchronously: close never blocks) and resolves to `None`.
pub fn aexit<'py>(py: Python<'py>, close: impl FnOnce()) -> PyResult<Bound<'py, PyAny>> {
    close();
    ready_future(py, py.None())
}
