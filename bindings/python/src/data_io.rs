//! `DataWriter` and `DataReader` (Windows.Storage.Streams): typed values in and out.

use std::sync::Arc;

use netrt::io::{ByteOrder, InputStreamOptions, UnicodeEncoding};
use netrt::{DataReader, DataWriter};
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyTuple};

use crate::asyncop::{
    DataReaderLoadOperation, DataWriterStoreOperation, IAsyncOperation, arity_error, boolean, spawn,
    spawn_caller_driven_count, spawn_count,
};
use crate::convert::{
    bytes_arg, datetime, datetime_arg, enum_arg, guid_arg, py_enum, timedelta, timespan_arg, uuid,
    with_bytes_arg,
};
use crate::errors::{OrRaise, invalid_arg};
use crate::streams::{PyBuf, PyInputStream, PyOutputStream, aenter, aexit};

/// Writes typed values into a buffer; `store_async()` sends them to the output stream.
#[pyclass(module = "netrt", name = "DataWriter", frozen)]
pub struct PyDataWriter {
    inner: Arc<DataWriter>,
}

#[pymethods]
impl PyDataWriter {
    /// `DataWriter()` (take the bytes with `detach_buffer()`) or `DataWriter(output_stream)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        let inner = match args.len() {
            0 => DataWriter::new(),
            1 => {
                let stream = args.get_item(0)?;
                let stream = stream.cast::<PyOutputStream>().map_err(|_| {
                    PyTypeError::new_err("DataWriter(output_stream): expected an IOutputStream")
                })?;
                DataWriter::with_stream(stream.get().inner.clone())
            }
            _ => return Err(arity_error("DataWriter", "() or (output_stream)", args)),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    #[getter]
    fn byte_order(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "ByteOrder", self.inner.byte_order().or_raise()? as i64)
    }

    #[setter]
    fn set_byte_order(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_byte_order(ByteOrder::from_raw(enum_arg(value, "byte_order")?).or_raise()?).or_raise()
    }

    #[getter]
    fn unicode_encoding(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "UnicodeEncoding", self.inner.unicode_encoding().or_raise()? as i64)
    }

    #[setter]
    fn set_unicode_encoding(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let enc = UnicodeEncoding::from_raw(enum_arg(value, "unicode_encoding")?).or_raise()?;
        self.inner.set_unicode_encoding(enc).or_raise()
    }

    #[getter]
    fn unstored_buffer_length(&self) -> PyResult<u32> {
        self.inner.unstored_buffer_length().or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_byte(&self, value: u8) -> PyResult<()> {
        self.inner.write_byte(value).or_raise()
    }

    /// `WriteBytes`: any bytes-like object.
    #[pyo3(signature = (value, /))]
    fn write_bytes(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        // Read in place: the writer's own buffer is the one copy.
        with_bytes_arg(value, |bytes| self.inner.write_bytes(bytes))?.or_raise()
    }

    /// `WriteBuffer(buffer)` or `WriteBuffer(buffer, start, count)`.
    #[pyo3(signature = (buffer, /, *range))]
    fn write_buffer(&self, buffer: &Bound<'_, PyAny>, range: &Bound<'_, PyTuple>) -> PyResult<()> {
        match range.len() {
            0 => with_bytes_arg(buffer, |bytes| self.inner.write_bytes(bytes))?.or_raise(),
            2 => {
                self.write_buffer_range(buffer, range.get_item(0)?.extract()?, range.get_item(1)?.extract()?)
            }
            _ => Err(arity_error("write_buffer", "(buffer) or (buffer, start, count)", range)),
        }
    }

    #[pyo3(signature = (buffer, start, count, /))]
    fn write_buffer_range(&self, buffer: &Bound<'_, PyAny>, start: u32, count: u32) -> PyResult<()> {
        let bytes = netrt::io::Buffer::from_vec(bytes_arg(buffer)?).or_raise()?;
        self.inner.write_buffer_range(&bytes, start, count).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_boolean(&self, value: bool) -> PyResult<()> {
        self.inner.write_boolean(value).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_guid(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.write_guid(guid_arg(value)?).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_int16(&self, value: i16) -> PyResult<()> {
        self.inner.write_int16(value).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_int32(&self, value: i32) -> PyResult<()> {
        self.inner.write_int32(value).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_int64(&self, value: i64) -> PyResult<()> {
        self.inner.write_int64(value).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_uint16(&self, value: u16) -> PyResult<()> {
        self.inner.write_uint16(value).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_uint32(&self, value: u32) -> PyResult<()> {
        self.inner.write_uint32(value).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_uint64(&self, value: u64) -> PyResult<()> {
        self.inner.write_uint64(value).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_single(&self, value: f32) -> PyResult<()> {
        self.inner.write_single(value).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_double(&self, value: f64) -> PyResult<()> {
        self.inner.write_double(value).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_date_time(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.write_date_time(datetime_arg(value)?).or_raise()
    }

    #[pyo3(signature = (value, /))]
    fn write_time_span(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.write_time_span(timespan_arg(value)?).or_raise()
    }

    /// `WriteString`: returns the length in code units of the current encoding.
    #[pyo3(signature = (value, /))]
    fn write_string(&self, value: &str) -> PyResult<u32> {
        self.inner.write_string(value).or_raise()
    }

    /// `MeasureString`: the length `write_string` would return.
    #[pyo3(signature = (value, /))]
    fn measure_string(&self, value: &str) -> PyResult<u32> {
        self.inner.measure_string(value).or_raise()
    }

    /// `StoreAsync()`: sends the unstored bytes; the result is how many were stored.
    fn store_async(&self, py: Python<'_>) -> PyResult<Py<DataWriterStoreOperation>> {
        let w = self.inner.clone();
        DataWriterStoreOperation::wrap(py, spawn_count(async move { w.store().await })?)
    }

    /// `FlushAsync()`.
    fn flush_async(&self) -> PyResult<IAsyncOperation> {
        let w = self.inner.clone();
        spawn(async move { w.flush().await }, boolean)
    }

    /// `DetachStream()`: the stream (or `None`); closing the writer no longer closes it.
    fn detach_stream(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.inner.detach_stream().or_raise()? {
            Some(s) => Ok(Py::new(py, PyOutputStream { inner: s })?.into_any()),
            None => Ok(py.None()),
        }
    }

    /// `DetachBuffer()`: the unstored bytes as a `Buffer`.
    fn detach_buffer(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        PyBuf::object_of(py, self.inner.detach_buffer().or_raise()?)
    }

    fn close(&self) {
        self.inner.close();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.inner.close();
    }

    fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        aenter(slf.as_any())
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(&self, py: Python<'py>, _args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        aexit(py, || self.inner.close())
    }
}

/// Loads bytes from an input stream (or takes them from a buffer) and reads typed values.
#[pyclass(module = "netrt", name = "DataReader", frozen)]
pub struct PyDataReader {
    inner: Arc<DataReader>,
}

impl PyDataReader {
    /// A `DataReader` object for a core reader.
    pub fn object(py: Python<'_>, reader: DataReader) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, PyDataReader { inner: Arc::new(reader) })?.into_any())
    }
}

#[pymethods]
impl PyDataReader {
    /// `DataReader(input_stream)`.
    #[new]
    #[pyo3(signature = (input_stream, /))]
    fn new(input_stream: &Bound<'_, PyAny>) -> PyResult<Self> {
        let stream = input_stream
            .cast::<PyInputStream>()
            .map_err(|_| PyTypeError::new_err("DataReader(input_stream): expected an IInputStream"))?;
        Ok(Self { inner: Arc::new(DataReader::new(stream.get().inner.clone())) })
    }

    /// `DataReader.FromBuffer(buffer)`: a reader over a copy of the bytes, all loaded.
    #[staticmethod]
    #[pyo3(signature = (buffer, /))]
    fn from_buffer(buffer: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = netrt::io::Buffer::from_vec(bytes_arg(buffer)?).or_raise()?;
        Ok(Self { inner: Arc::new(DataReader::from_buffer(&bytes)) })
    }

    #[getter]
    fn byte_order(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "ByteOrder", self.inner.byte_order().or_raise()? as i64)
    }

    #[setter]
    fn set_byte_order(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_byte_order(ByteOrder::from_raw(enum_arg(value, "byte_order")?).or_raise()?).or_raise()
    }

    #[getter]
    fn unicode_encoding(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "UnicodeEncoding", self.inner.unicode_encoding().or_raise()? as i64)
    }

    #[setter]
    fn set_unicode_encoding(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let enc = UnicodeEncoding::from_raw(enum_arg(value, "unicode_encoding")?).or_raise()?;
        self.inner.set_unicode_encoding(enc).or_raise()
    }

    #[getter]
    fn input_stream_options(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "InputStreamOptions", self.inner.input_stream_options().or_raise()? as i64)
    }

    #[setter]
    fn set_input_stream_options(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let raw = enum_arg(value, "input_stream_options")?;
        let raw =
            u32::try_from(raw).map_err(|_| invalid_arg(format!("invalid InputStreamOptions value {raw}")))?;
        self.inner.set_input_stream_options(InputStreamOptions::from_raw(raw).or_raise()?).or_raise()
    }

    #[getter]
    fn unconsumed_buffer_length(&self) -> PyResult<u32> {
        self.inner.unconsumed_buffer_length().or_raise()
    }

    /// `LoadAsync(count)`: loads up to `count` more bytes; the result is how many arrived
    /// (0: the stream ended).
    #[pyo3(signature = (count, /))]
    fn load_async(&self, py: Python<'_>, count: u32) -> PyResult<Py<DataReaderLoadOperation>> {
        let r = self.inner.clone();
        let readiness = r.clone();
        // A load awaited on a loop is driven by that loop (see `loop_driven.rs`).
        let op = spawn_caller_driven_count(async move { r.load(count).await }, move || {
            readiness.load_readiness()
        })?;
        DataReaderLoadOperation::wrap(py, op)
    }

    fn read_byte(&self) -> PyResult<u8> {
        self.inner.read_byte().or_raise()
    }

    /// `ReadBytes(value)`: fills a writable bytes-like object (bytearray, memoryview, Buffer).
    /// netrt extension: `read_bytes(n)` returns the next `n` bytes as `bytes`.
    #[pyo3(signature = (value, /))]
    fn read_bytes<'py>(
        &self,
        py: Python<'py>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        if value.is_instance_of::<PyInt>() {
            let n: u32 = value.extract()?;
            let loaded = self.inner.unconsumed_buffer_length().or_raise()?;
            if loaded < n {
                return Err(crate::errors::raise(
                    netrt::error::hresult::E_BOUNDS,
                    format!("DataReader: reading {n} bytes, but only {loaded} are loaded and unconsumed"),
                ));
            }
            // Read straight into the new `bytes` object: no buffer of our own to copy from.
            return PyBytes::new_with(py, n as usize, |out| self.inner.read_bytes(out).or_raise()).map(Some);
        }
        let view = PyBuffer::<u8>::get(value)?;
        if view.readonly() {
            return Err(PyTypeError::new_err(
                "read_bytes() needs a writable buffer (bytearray, memoryview, Buffer)",
            ));
        }
        let mut out = vec![0u8; view.item_count()];
        self.inner.read_bytes(&mut out).or_raise()?;
        view.copy_from_slice(py, &out)?;
        Ok(None)
    }

    /// `ReadBuffer(length)`: the next `length` bytes as a `Buffer`.
    #[pyo3(signature = (length, /))]
    fn read_buffer(&self, py: Python<'_>, length: u32) -> PyResult<Py<PyAny>> {
        PyBuf::object_of(py, self.inner.read_buffer(length).or_raise()?)
    }

    fn read_boolean(&self) -> PyResult<bool> {
        self.inner.read_boolean().or_raise()
    }

    fn read_guid(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        uuid(py, self.inner.read_guid().or_raise()?)
    }

    fn read_int16(&self) -> PyResult<i16> {
        self.inner.read_int16().or_raise()
    }

    fn read_int32(&self) -> PyResult<i32> {
        self.inner.read_int32().or_raise()
    }

    fn read_int64(&self) -> PyResult<i64> {
        self.inner.read_int64().or_raise()
    }

    fn read_uint16(&self) -> PyResult<u16> {
        self.inner.read_uint16().or_raise()
    }

    fn read_uint32(&self) -> PyResult<u32> {
        self.inner.read_uint32().or_raise()
    }

    fn read_uint64(&self) -> PyResult<u64> {
        self.inner.read_uint64().or_raise()
    }

    fn read_single(&self) -> PyResult<f32> {
        self.inner.read_single().or_raise()
    }

    fn read_double(&self) -> PyResult<f64> {
        self.inner.read_double().or_raise()
    }

    fn read_date_time(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        datetime(py, self.inner.read_date_time().or_raise()?)
    }

    fn read_time_span(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        timedelta(py, self.inner.read_time_span().or_raise()?)
    }

    /// `ReadString(codeUnitCount)`: code units of the current encoding (bytes for UTF-8).
    #[pyo3(signature = (code_unit_count, /))]
    fn read_string(&self, code_unit_count: u32) -> PyResult<String> {
        self.inner.read_string(code_unit_count).or_raise()
    }

    /// `DetachStream()`: the stream (or `None`); closing the reader no longer closes it.
    fn detach_stream(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.inner.detach_stream().or_raise()? {
            Some(s) => Ok(Py::new(py, PyInputStream { inner: s })?.into_any()),
            None => Ok(py.None()),
        }
    }

    /// `DetachBuffer()`: the unconsumed bytes as a `Buffer`.
    fn detach_buffer(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        PyBuf::object_of(py, self.inner.detach_buffer().or_raise()?)
    }

    fn close(&self) {
        self.inner.close();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.inner.close();
    }

    fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        aenter(slf.as_any())
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(&self, py: Python<'py>, _args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        aexit(py, || self.inner.close())
    }
}
