//! `ServiceDocument`, `Workspace` and `ResourceCollection`: what `AtomPubClient` reads from a
//! server's service document (core's `netrt::web::atompub` model, converted once into Python
//! objects). Not created from Python (no constructor, as in WinRT); their list-valued
//! properties are `IVectorView`s, projected as tuples.

use netrt::web::atompub::{ResourceCollection, ServiceDocument, Workspace};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::errors::raise;
use crate::syndication_model::{PySyndicationCategory, PySyndicationText};
use crate::syndication_node::{PyNodeBase, node_init, uri_obj};
use crate::uri::PyUri;

fn tuple_of<T, P: pyo3::PyClass>(
    py: Python<'_>,
    values: &[T],
    make: impl Fn(Python<'_>, &T) -> PyResult<Py<P>>,
) -> PyResult<Py<PyTuple>> {
    let objects = values.iter().map(|v| make(py, v)).collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, objects)?.unbind())
}

fn title_obj(
    py: Python<'_>,
    t: &Option<netrt::web::syndication::SyndicationText>,
) -> PyResult<Option<Py<PySyndicationText>>> {
    t.as_ref().map(|t| PySyndicationText::new_object(py, t)).transpose()
}

/// `GetXmlDocument` of the service document classes: netrt reads service documents but does
/// not write them.
fn not_written(class: &str) -> PyErr {
    raise(
        netrt::error::hresult::E_NOTIMPL,
        format!("{class}.get_xml_document: netrt reads AtomPub service documents but does not write them"),
    )
}

/// `ServiceDocument`: what an AtomPub server offers, as workspaces of collections.
#[pyclass(module = "netrt", name = "ServiceDocument", extends = PyNodeBase)]
pub struct PyServiceDocument {
    /// `Workspaces`.
    #[pyo3(get)]
    workspaces: Py<PyTuple>,
}

impl PyServiceDocument {
    /// The Python object of a service document core read.
    pub fn object(py: Python<'_>, d: ServiceDocument) -> PyResult<Py<PyAny>> {
        let this = Self { workspaces: tuple_of(py, &d.workspaces, PyWorkspace::new_object)? };
        Ok(Py::new(py, node_init(this, PyNodeBase::from_core(py, &d.node)?))?.into_any())
    }
}

#[pymethods]
impl PyServiceDocument {
    /// `GetXmlDocument(format)`: E_NOTIMPL (service documents are read, not written).
    #[pyo3(signature = (format, /))]
    fn get_xml_document(&self, format: &Bound<'_, PyAny>) -> PyResult<()> {
        crate::syndication_feed::format_arg(format)?;
        Err(not_written("ServiceDocument"))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("<ServiceDocument with {} workspace(s)>", self.workspaces.bind(py).len())
    }
}

/// `Workspace`: a titled group of collections.
#[pyclass(module = "netrt", name = "Workspace", extends = PyNodeBase)]
pub struct PyWorkspace {
    /// `Title`.
    #[pyo3(get)]
    title: Option<Py<PySyndicationText>>,
    /// `Collections`.
    #[pyo3(get)]
    collections: Py<PyTuple>,
}

impl PyWorkspace {
    fn new_object(py: Python<'_>, w: &Workspace) -> PyResult<Py<Self>> {
        let this = Self {
            title: title_obj(py, &w.title)?,
            collections: tuple_of(py, &w.collections, PyResourceCollection::new_object)?,
        };
        Py::new(py, node_init(this, PyNodeBase::from_core(py, &w.node)?))
    }
}

#[pymethods]
impl PyWorkspace {
    /// `GetXmlDocument(format)`: E_NOTIMPL (service documents are read, not written).
    #[pyo3(signature = (format, /))]
    fn get_xml_document(&self, format: &Bound<'_, PyAny>) -> PyResult<()> {
        crate::syndication_feed::format_arg(format)?;
        Err(not_written("Workspace"))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let title = self.title.as_ref().map(|t| t.borrow(py).text_value()).unwrap_or_default();
        format!("<Workspace {title:?} with {} collection(s)>", self.collections.bind(py).len())
    }
}

/// `ResourceCollection`: a collection entries or media resources are posted to.
#[pyclass(module = "netrt", name = "ResourceCollection", extends = PyNodeBase)]
pub struct PyResourceCollection {
    /// `Title`.
    #[pyo3(get)]
    title: Option<Py<PySyndicationText>>,
    /// `Uri` (see the getter).
    uri: Option<netrt::foundation::Uri>,
    /// `Accepts`: the media types the collection takes (`app:accept`).
    #[pyo3(get)]
    accepts: Py<PyTuple>,
    /// `Categories`: the inline categories it allows.
    #[pyo3(get)]
    categories: Py<PyTuple>,
}

impl PyResourceCollection {
    fn new_object(py: Python<'_>, c: &ResourceCollection) -> PyResult<Py<Self>> {
        let this = Self {
            title: title_obj(py, &c.title)?,
            uri: c.uri.clone(),
            accepts: PyTuple::new(py, &c.accepts)?.unbind(),
            categories: tuple_of(py, &c.categories, PySyndicationCategory::new_object)?,
        };
        Py::new(py, node_init(this, PyNodeBase::from_core(py, &c.node)?))
    }
}

#[pymethods]
impl PyResourceCollection {
    /// `Uri`: where to post (the collection's `href`, resolved against its base).
    #[getter]
    fn uri(&self) -> Option<PyUri> {
        uri_obj(self.uri.clone())
    }

    /// `GetXmlDocument(format)`: E_NOTIMPL (service documents are read, not written).
    #[pyo3(signature = (format, /))]
    fn get_xml_document(&self, format: &Bound<'_, PyAny>) -> PyResult<()> {
        crate::syndication_feed::format_arg(format)?;
        Err(not_written("ResourceCollection"))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let title = self.title.as_ref().map(|t| t.borrow(py).text_value()).unwrap_or_default();
        let uri = self.uri.as_ref().map(|u| u.to_string()).unwrap_or_default();
        format!("<ResourceCollection {title:?} at {uri}>")
    }
}
