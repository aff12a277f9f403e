//! `Uri`, `WwwFormUrlDecoder` and its entries (Windows.Foundation), and the "Uri or str"
//! argument the web classes take.

use netrt::foundation::{Uri, WwwFormUrlDecoder, WwwFormUrlDecoderEntry};
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PySlice, PyString, PyTuple};

use crate::asyncop::arity_error;
use crate::convert::str_arg;
use crate::errors::OrRaise;

/// `Uri`: an immutable, parsed absolute URI.
#[pyclass(module = "netrt", name = "Uri", frozen)]
pub struct PyUri {
    pub inner: Uri,
}

/// A "Uri" argument: a `Uri`, or a `str` (netrt convenience) parsed as one (E_INVALIDARG
/// naming the problem when it is not an absolute URI).
pub fn uri_arg(obj: &Bound<'_, PyAny>) -> PyResult<Uri> {
    if let Ok(u) = obj.cast::<PyUri>() {
        return Ok(u.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Uri::new(s.to_str()?).or_raise();
    }
    Err(PyTypeError::new_err(format!("expected Uri or str, got '{}'", obj.get_type().name()?)))
}

#[pymethods]
impl PyUri {
    /// `Uri(uri)` or `Uri(base_uri, relative_uri)`; an invalid URI is E_INVALIDARG.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        let inner = match args.len() {
            1 => Uri::new(&str_arg(&args.get_item(0)?, "uri")?),
            2 => Uri::with_base(
                &str_arg(&args.get_item(0)?, "base_uri")?,
                &str_arg(&args.get_item(1)?, "relative_uri")?,
            ),
            _ => return Err(arity_error("Uri", "(uri) or (base_uri, relative_uri)", args)),
        };
        Ok(Self { inner: inner.or_raise()? })
    }

    /// `EscapeComponent(toEscape)`.
    #[staticmethod]
    #[pyo3(signature = (to_escape, /))]
    fn escape_component(to_escape: &str) -> String {
        Uri::escape_component(to_escape)
    }

    /// `UnescapeComponent(toUnescape)`.
    #[staticmethod]
    #[pyo3(signature = (to_unescape, /))]
    fn unescape_component(to_unescape: &str) -> String {
        Uri::unescape_component(to_unescape)
    }

    /// `CombineUri(relativeUri)`: a new Uri.
    #[pyo3(signature = (relative_uri, /))]
    fn combine_uri(&self, relative_uri: &str) -> PyResult<Self> {
        Ok(Self { inner: self.inner.combine_uri(relative_uri).or_raise()? })
    }

    /// `Equals(pUri)`.
    #[pyo3(signature = (p_uri, /))]
    fn equals(&self, p_uri: PyRef<'_, PyUri>) -> bool {
        self.inner.equals(&p_uri.inner)
    }

    /// `ToString()`: the canonical form.
    #[allow(clippy::inherent_to_string)] // WinRT's IStringable.ToString, as PyWinRT names it
    fn to_string(&self) -> String {
        self.inner.to_string()
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Uri({:?})", self.inner.display_uri())
    }

    #[getter]
    fn absolute_uri(&self) -> String {
        self.inner.absolute_uri()
    }
    #[getter]
    fn absolute_canonical_uri(&self) -> String {
        self.inner.absolute_canonical_uri()
    }
    #[getter]
    fn display_uri(&self) -> String {
        self.inner.display_uri()
    }
    #[getter]
    fn display_iri(&self) -> String {
        self.inner.display_iri()
    }
    #[getter]
    fn domain(&self) -> String {
        self.inner.domain()
    }
    #[getter]
    fn extension(&self) -> String {
        self.inner.extension()
    }
    #[getter]
    fn fragment(&self) -> String {
        self.inner.fragment()
    }
    #[getter]
    fn host(&self) -> String {
        self.inner.host()
    }
    #[getter]
    fn password(&self) -> String {
        self.inner.password()
    }
    #[getter]
    fn path(&self) -> String {
        self.inner.path()
    }
    #[getter]
    fn port(&self) -> i32 {
        self.inner.port()
    }
    #[getter]
    fn query(&self) -> String {
        self.inner.query()
    }
    #[getter]
    fn query_parsed(&self) -> PyWwwFormUrlDecoder {
        PyWwwFormUrlDecoder { inner: self.inner.query_parsed() }
    }
    #[getter]
    fn raw_uri(&self) -> String {
        self.inner.raw_uri()
    }
    #[getter]
    fn scheme_name(&self) -> String {
        self.inner.scheme_name()
    }
    #[getter]
    fn suspicious(&self) -> bool {
        self.inner.suspicious()
    }
    #[getter]
    fn user_name(&self) -> String {
        self.inner.user_name()
    }
}

/// `WwwFormUrlDecoder`: the decoded `name=value` pairs of a query, a read-only sequence.
#[pyclass(module = "netrt", name = "WwwFormUrlDecoder", frozen, sequence)]
pub struct PyWwwFormUrlDecoder {
    inner: WwwFormUrlDecoder,
}

fn entry(e: WwwFormUrlDecoderEntry) -> PyWwwFormUrlDecoderEntry {
    PyWwwFormUrlDecoderEntry { inner: e }
}

#[pymethods]
impl PyWwwFormUrlDecoder {
    /// `WwwFormUrlDecoder(query)`; a leading `?` is ignored.
    #[new]
    #[pyo3(signature = (query, /))]
    fn new(query: &str) -> Self {
        Self { inner: WwwFormUrlDecoder::new(query) }
    }

    /// `GetFirstValueByName(name)`: E_INVALIDARG when no pair has that name.
    #[pyo3(signature = (name, /))]
    fn get_first_value_by_name(&self, name: &str) -> PyResult<String> {
        self.inner.get_first_value_by_name(name).or_raise()
    }

    /// `GetAt(index)`: E_BOUNDS past the end.
    #[pyo3(signature = (index, /))]
    fn get_at(&self, index: u32) -> PyResult<PyWwwFormUrlDecoderEntry> {
        self.inner.get_at(index).map(entry).or_raise()
    }

    /// `IndexOf(value)` → `(found, index)`.
    #[pyo3(signature = (value, /))]
    fn index_of(&self, value: PyRef<'_, PyWwwFormUrlDecoderEntry>) -> (bool, u32) {
        match self.inner.index_of(&value.inner) {
            Some(i) => (true, i),
            None => (false, 0),
        }
    }

    #[getter]
    fn size(&self) -> u32 {
        self.inner.size()
    }

    fn __len__(&self) -> usize {
        self.inner.entries().len()
    }

    /// An index (negative counts from the end) or a slice (a list of entries).
    fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let entries = self.inner.entries();
        if index.is_instance_of::<PySlice>() {
            // Python's own slicing rules, over a list of every entry.
            let all: Vec<PyWwwFormUrlDecoderEntry> = entries.iter().cloned().map(entry).collect();
            return Ok(PyList::new(py, all)?.as_any().get_item(index)?.unbind());
        }
        let i: isize = index.extract()?;
        let at = if i < 0 { i + entries.len() as isize } else { i };
        let e = usize::try_from(at)
            .ok()
            .and_then(|at| entries.get(at))
            .ok_or_else(|| PyIndexError::new_err("WwwFormUrlDecoder index out of range"))?;
        Ok(Py::new(py, entry(e.clone()))?.into_any())
    }

    fn __repr__(&self) -> String {
        let pairs: Vec<String> =
            self.inner.entries().iter().map(|e| format!("{}={:?}", e.name(), e.value())).collect();
        format!("<netrt.WwwFormUrlDecoder {}>", pairs.join(" "))
    }
}

/// `WwwFormUrlDecoderEntry`: one decoded pair.
#[pyclass(module = "netrt", name = "WwwFormUrlDecoderEntry", frozen)]
pub struct PyWwwFormUrlDecoderEntry {
    inner: WwwFormUrlDecoderEntry,
}

#[pymethods]
impl PyWwwFormUrlDecoderEntry {
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }
    #[getter]
    fn value(&self) -> &str {
        self.inner.value()
    }
    fn __repr__(&self) -> String {
        format!("WwwFormUrlDecoderEntry({:?}, {:?})", self.inner.name(), self.inner.value())
    }
}
