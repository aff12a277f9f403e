//! `ServiceDocument`, `Workspace` and `ResourceCollection`: what `AtomPubClient` reads from a
//! server's service document (core's `netrt::web::atompub` model, converted once into Python
//! objects). Not created from Python (no constructor, as in WinRT); their list-valued
//! properties are `IVectorView`s, projected as tuples. `get_xml_document` converts the objects
//! back to core's model, as the feed classes do.

use netrt::web::atompub::{ResourceCollection, ServiceDocument, Workspace};
use netrt::web::syndication::SyndicationText;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::syndication_model::{PySyndicationCategory, PySyndicationText};
use crate::syndication_node::{PyNodeBase, node_init, type_of, uri_obj};
use crate::uri::PyUri;
use crate::xml_document::PyXmlDocument;

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

fn title_core(py: Python<'_>, t: &Option<Py<PySyndicationText>>) -> PyResult<Option<SyndicationText>> {
    match t {
        Some(t) => PySyndicationText::to_core(t.bind(py).as_any()),
        None => Ok(None),
    }
}

/// Core values of a tuple property's objects (each of the tuple's class).
fn tuple_to_core<T>(
    py: Python<'_>,
    tuple: &Py<PyTuple>,
    convert: impl Fn(&Bound<'_, PyAny>) -> PyResult<Option<T>>,
) -> PyResult<Vec<T>> {
    let mut out = Vec::new();
    for obj in tuple.bind(py).iter() {
        let value = convert(&obj)?.ok_or_else(|| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "unexpected '{}' in a service document",
                type_of(&obj)
            ))
        })?;
        out.push(value);
    }
    Ok(out)
}

/// `ServiceDocument`: what an AtomPub server offers, as workspaces of collections.
#[pyclass(module = "netrt", name = "ServiceDocument", extends = PyNodeBase)]
pub struct PyServiceDocument {
    /// `Workspaces`.
    #[pyo3(get)]
    workspaces: Py<PyTuple>,
}

impl PyServiceDocument {
    fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<ServiceDocument>> {
        let Ok(d) = obj.cast::<Self>() else { return Ok(None) };
        let py = obj.py();
        let workspaces = tuple_to_core(py, &d.borrow().workspaces, PyWorkspace::to_core)?;
        Ok(Some(ServiceDocument { node: PyNodeBase::to_core(obj)?, workspaces }))
    }

    /// The Python object of a service document core read.
    pub fn object(py: Python<'_>, d: ServiceDocument) -> PyResult<Py<PyAny>> {
        let this = Self { workspaces: tuple_of(py, &d.workspaces, PyWorkspace::new_object)? };
        Ok(Py::new(py, node_init(this, PyNodeBase::from_core(py, &d.node)?))?.into_any())
    }
}

#[pymethods]
impl PyServiceDocument {
    /// `GetXmlDocument(format)`: the `app:service` document as the objects have it now (the
    /// same in every format).
    #[pyo3(signature = (format, /))]
    fn get_xml_document(slf: &Bound<'_, Self>, format: &Bound<'_, PyAny>) -> PyResult<PyXmlDocument> {
        crate::syndication_feed::format_arg(format)?;
        Ok(PyXmlDocument { inner: Self::to_core(slf.as_any())?.unwrap_or_default().get_xml_document() })
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
    fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<Workspace>> {
        let Ok(w) = obj.cast::<Self>() else { return Ok(None) };
        let (py, w) = (obj.py(), w.borrow());
        Ok(Some(Workspace {
            node: PyNodeBase::to_core(obj)?,
            title: title_core(py, &w.title)?,
            collections: tuple_to_core(py, &w.collections, PyResourceCollection::to_core)?,
        }))
    }

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
    /// `GetXmlDocument(format)`: the `app:workspace` element.
    #[pyo3(signature = (format, /))]
    fn get_xml_document(slf: &Bound<'_, Self>, format: &Bound<'_, PyAny>) -> PyResult<PyXmlDocument> {
        crate::syndication_feed::format_arg(format)?;
        Ok(PyXmlDocument { inner: Self::to_core(slf.as_any())?.unwrap_or_default().get_xml_document() })
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
    fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<ResourceCollection>> {
        let Ok(c) = obj.cast::<Self>() else { return Ok(None) };
        let (py, c) = (obj.py(), c.borrow());
        Ok(Some(ResourceCollection {
            node: PyNodeBase::to_core(obj)?,
            title: title_core(py, &c.title)?,
            uri: c.uri.clone(),
            accepts: c.accepts.bind(py).extract()?,
            categories: tuple_to_core(py, &c.categories, PySyndicationCategory::to_core)?,
        }))
    }

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

    /// `GetXmlDocument(format)`: the `app:collection` element.
    #[pyo3(signature = (format, /))]
    fn get_xml_document(slf: &Bound<'_, Self>, format: &Bound<'_, PyAny>) -> PyResult<PyXmlDocument> {
        crate::syndication_feed::format_arg(format)?;
        Ok(PyXmlDocument { inner: Self::to_core(slf.as_any())?.unwrap_or_default().get_xml_document() })
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let title = self.title.as_ref().map(|t| t.borrow(py).text_value()).unwrap_or_default();
        let uri = self.uri.as_ref().map(|u| u.to_string()).unwrap_or_default();
        format!("<ResourceCollection {title:?} at {uri}>")
    }
}
