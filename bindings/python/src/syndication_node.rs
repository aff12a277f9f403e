//! `ISyndicationNode` (what every syndication class has), `SyndicationNode` (an element the
//! model does not know) and `SyndicationAttribute`, plus the conversions the other syndication
//! classes share.
//!
//! Reference semantics: a feed loaded in Python becomes a graph of Python objects (core's owned
//! model converted once), so `feed.items[0].title.text = "x"` changes the feed, list-valued
//! properties are the same `list` each time, and `get_xml_document` converts the graph back to
//! core's model to write it.

use netrt::foundation::{DateTime, Uri};
use netrt::web::syndication::{SyndicationAttribute, SyndicationNode};
use pyo3::PyClassInitializer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use pyo3::{Borrowed, IntoPyObject};

use crate::asyncop::arity_error;
use crate::convert::{datetime, datetime_arg, str_arg};
use crate::uri::{PyUri, uri_arg};
use crate::xml_document::PyXmlDocument;

/// `ISyndicationNode`: the members every syndication class has. The base class of the feed
/// classes (`isinstance(feed, ISyndicationNode)`); not created directly.
#[pyclass(module = "netrt", name = "ISyndicationNode", subclass)]
pub struct PyNodeBase {
    /// `NodeName`.
    #[pyo3(get, set)]
    node_name: String,
    /// `NodeNamespace`.
    #[pyo3(get, set)]
    node_namespace: String,
    /// `NodeValue`.
    #[pyo3(get, set)]
    node_value: String,
    /// `Language` (`xml:lang`).
    #[pyo3(get, set)]
    language: String,
    /// `BaseUri`.
    #[pyo3(get, set)]
    base_uri: UriProp,
    /// `AttributeExtensions`: a list of `SyndicationAttribute`.
    #[pyo3(get)]
    attribute_extensions: Py<PyList>,
    /// `ElementExtensions`: a list of `ISyndicationNode` (read ones are `SyndicationNode`).
    #[pyo3(get)]
    element_extensions: Py<PyList>,
}

#[pymethods]
impl PyNodeBase {}

impl PyNodeBase {
    /// The Python side of core's node part.
    pub fn from_core(py: Python<'_>, node: &SyndicationNode) -> PyResult<Self> {
        let attributes = node.attribute_extensions.iter().map(PySyndicationAttribute::from_core);
        let mut elements = Vec::with_capacity(node.element_extensions.len());
        for e in &node.element_extensions {
            elements.push(PySyndicationNode::new_object(py, e)?);
        }
        Ok(Self {
            node_name: node.node_name.clone(),
            node_namespace: node.node_namespace.clone(),
            node_value: node.node_value.clone(),
            language: node.language.clone(),
            base_uri: UriProp(node.base_uri.clone()),
            attribute_extensions: PyList::new(py, attributes)?.unbind(),
            element_extensions: PyList::new(py, elements)?.unbind(),
        })
    }

    /// Core's node part of any syndication object, as it is now.
    pub fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<SyndicationNode> {
        let base = obj
            .cast::<PyNodeBase>()
            .map_err(|_| {
                PyTypeError::new_err(format!("expected an ISyndicationNode, got '{}'", type_of(obj)))
            })?
            .borrow();
        let py = obj.py();
        let mut attribute_extensions = Vec::new();
        for a in base.attribute_extensions.bind(py).iter() {
            let a = a.cast::<PySyndicationAttribute>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "attribute_extensions holds SyndicationAttribute, not '{}'",
                    type_of(&a)
                ))
            })?;
            attribute_extensions.push(a.borrow().to_core());
        }
        let mut element_extensions = Vec::new();
        for e in base.element_extensions.bind(py).iter() {
            element_extensions.push(Self::to_core(&e)?);
        }
        Ok(SyndicationNode {
            node_name: base.node_name.clone(),
            node_namespace: base.node_namespace.clone(),
            node_value: base.node_value.clone(),
            language: base.language.clone(),
            base_uri: base.base_uri.0.clone(),
            attribute_extensions,
            element_extensions,
        })
    }
}

/// `SyndicationAttribute`: an attribute the model has no property for.
#[pyclass(module = "netrt", name = "SyndicationAttribute")]
pub struct PySyndicationAttribute {
    /// `Name`: the local name.
    #[pyo3(get, set)]
    name: String,
    /// `Namespace` (`""` for none).
    #[pyo3(get, set)]
    namespace: String,
    /// `Value`.
    #[pyo3(get, set)]
    value: String,
}

impl PySyndicationAttribute {
    fn from_core(a: &SyndicationAttribute) -> Self {
        Self { name: a.name.clone(), namespace: a.namespace.clone(), value: a.value.clone() }
    }

    fn to_core(&self) -> SyndicationAttribute {
        SyndicationAttribute::new(self.name.clone(), self.namespace.clone(), self.value.clone())
    }
}

#[pymethods]
impl PySyndicationAttribute {
    /// `SyndicationAttribute()` or `SyndicationAttribute(attribute_name, attribute_namespace,
    /// attribute_value)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        let a = match args.len() {
            0 => SyndicationAttribute::default(),
            3 => SyndicationAttribute::new(
                str_arg(&args.get_item(0)?, "attribute_name")?,
                str_arg(&args.get_item(1)?, "attribute_namespace")?,
                str_arg(&args.get_item(2)?, "attribute_value")?,
            ),
            _ => {
                return Err(arity_error(
                    "SyndicationAttribute",
                    "() or (attribute_name, attribute_namespace, attribute_value)",
                    args,
                ));
            }
        };
        Ok(Self::from_core(&a))
    }

    fn __repr__(&self) -> String {
        format!("SyndicationAttribute({:?}, {:?}, {:?})", self.name, self.namespace, self.value)
    }
}

/// `SyndicationNode`: an element the model has no property for (its attributes, child elements
/// and text in its `ISyndicationNode` members).
#[pyclass(module = "netrt", name = "SyndicationNode", extends = PyNodeBase)]
pub struct PySyndicationNode;

impl PySyndicationNode {
    fn new_object(py: Python<'_>, node: &SyndicationNode) -> PyResult<Py<PySyndicationNode>> {
        Py::new(py, node_init(PySyndicationNode, PyNodeBase::from_core(py, node)?))
    }
}

#[pymethods]
impl PySyndicationNode {
    /// `SyndicationNode()` or `SyndicationNode(node_name, node_namespace, node_value)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let node = match args.len() {
            0 => SyndicationNode::default(),
            3 => SyndicationNode::new(
                str_arg(&args.get_item(0)?, "node_name")?,
                str_arg(&args.get_item(1)?, "node_namespace")?,
                str_arg(&args.get_item(2)?, "node_value")?,
            ),
            _ => {
                return Err(arity_error(
                    "SyndicationNode",
                    "() or (node_name, node_namespace, node_value)",
                    args,
                ));
            }
        };
        Ok(node_init(PySyndicationNode, PyNodeBase::from_core(py, &node)?))
    }

    /// `GetXmlDocument(format)`: the element this node stands for (the same in every format).
    #[pyo3(signature = (format, /))]
    fn get_xml_document(slf: &Bound<'_, Self>, format: &Bound<'_, PyAny>) -> PyResult<PyXmlDocument> {
        crate::syndication_feed::format_arg(format)?;
        let node = PyNodeBase::to_core(slf.as_any())?;
        Ok(PyXmlDocument { inner: node.get_xml_document() })
    }
}

/// The initializer of a syndication class: its own fields on top of the `ISyndicationNode` part.
pub fn node_init<T: pyo3::PyClass<BaseType = PyNodeBase>>(
    this: T,
    base: PyNodeBase,
) -> PyClassInitializer<T> {
    PyClassInitializer::from(base).add_subclass(this)
}

/// The class name of `obj`, for messages.
pub fn type_of(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// An optional `Uri` property: a `Uri` or `None` when read; a `Uri`, a `str` (parsed, E_INVALIDARG
/// when it is not an absolute URI) or `None` when set.
#[derive(Clone, Default)]
pub struct UriProp(pub Option<Uri>);

impl<'py> IntoPyObject<'py> for UriProp {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Some(inner) => Ok(Bound::new(py, PyUri { inner })?.into_any()),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for UriProp {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_none() { Ok(Self(None)) } else { uri_arg(&obj).map(|u| Self(Some(u))) }
    }
}

/// An optional `DateTime` property: a timezone-aware UTC `datetime.datetime`, or `None` when the
/// feed has no date.
#[derive(Clone, Copy, Default)]
pub struct DateProp(pub Option<DateTime>);

impl<'py> IntoPyObject<'py> for DateProp {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Some(d) => Ok(datetime(py, d)?.into_bound(py)),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for DateProp {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_none() { Ok(Self(None)) } else { datetime_arg(&obj).map(|d| Self(Some(d))) }
    }
}

/// An optional `Uri` argument: `Uri`, `str` or `None`.
pub fn opt_uri_arg(value: &Bound<'_, PyAny>) -> PyResult<Option<Uri>> {
    Ok(value.extract::<UriProp>()?.0)
}

/// A `Uri` property that core computes (`ItemUri`, `NextUri`, ...).
pub fn uri_obj(uri: Option<Uri>) -> Option<PyUri> {
    uri.map(|inner| PyUri { inner })
}

/// A list of Python objects made from core values.
pub fn list_of<T, P: pyo3::PyClass>(
    py: Python<'_>,
    values: &[T],
    make: impl Fn(Python<'_>, &T) -> PyResult<Py<P>>,
) -> PyResult<Py<PyList>> {
    let mut objects = Vec::with_capacity(values.len());
    for v in values {
        objects.push(make(py, v)?);
    }
    Ok(PyList::new(py, objects)?.unbind())
}

/// Core values from a list property, each element checked to be of the list's class.
pub fn list_to_core<T>(
    list: &Py<PyList>,
    py: Python<'_>,
    property: &str,
    convert: impl Fn(&Bound<'_, PyAny>) -> PyResult<Option<T>>,
    class: &str,
) -> PyResult<Vec<T>> {
    let mut out = Vec::new();
    for obj in list.bind(py).iter() {
        match convert(&obj)? {
            Some(v) => out.push(v),
            None => {
                return Err(PyTypeError::new_err(format!(
                    "{property} holds {class}, not '{}'",
                    type_of(&obj)
                )));
            }
        }
    }
    Ok(out)
}
