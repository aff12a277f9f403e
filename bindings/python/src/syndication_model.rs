//! `SyndicationText`, `SyndicationContent`, `SyndicationLink`, `SyndicationPerson`,
//! `SyndicationCategory` and `SyndicationGenerator`: each a subclass of `ISyndicationNode`
//! holding its own properties, converted from and to core's model (see `syndication_node.rs`).

use netrt::web::syndication::{
    SyndicationCategory, SyndicationContent, SyndicationGenerator, SyndicationLink, SyndicationPerson,
    SyndicationText, SyndicationTextType,
};
use pyo3::PyClassInitializer;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::asyncop::arity_error;
use crate::convert::{enum_arg, str_arg};
use crate::errors::invalid_arg;
use crate::syndication_node::{PyNodeBase, UriProp, node_init, opt_uri_arg};
use crate::uri::uri_arg;
use crate::xml_document::PyXmlDocument;

/// A `SyndicationTextType` argument.
fn text_type_arg(obj: &Bound<'_, PyAny>) -> PyResult<SyndicationTextType> {
    let raw = enum_arg(obj, "type")?;
    SyndicationTextType::from_i32(raw)
        .ok_or_else(|| invalid_arg(format!("{raw} is not a SyndicationTextType")))
}

/// An `Xml` property's value: the document object the text holds.
fn xml_obj(
    py: Python<'_>,
    xml: &Option<netrt::data::xml::XmlDocument>,
) -> PyResult<Option<Py<PyXmlDocument>>> {
    xml.as_ref().map(|x| Py::new(py, PyXmlDocument { inner: x.clone() })).transpose()
}

fn xml_core(py: Python<'_>, xml: &Option<Py<PyXmlDocument>>) -> Option<netrt::data::xml::XmlDocument> {
    xml.as_ref().map(|x| x.borrow(py).inner.clone())
}

/// `SyndicationText`: a title, subtitle, summary or rights text.
#[pyclass(module = "netrt", name = "SyndicationText", extends = PyNodeBase)]
pub struct PySyndicationText {
    /// `Text`.
    #[pyo3(get, set)]
    text: String,
    /// `Type`: `text`, `html` or `xhtml`.
    #[pyo3(get, set)]
    r#type: String,
    /// `Xml`: the XHTML `div` of an `xhtml` text.
    #[pyo3(get, set)]
    xml: Option<Py<PyXmlDocument>>,
}

impl PySyndicationText {
    /// The `Text` property (for other classes' `repr`).
    pub fn text_value(&self) -> String {
        self.text.clone()
    }

    pub fn new_object(py: Python<'_>, t: &SyndicationText) -> PyResult<Py<Self>> {
        let this = Self { text: t.text.clone(), r#type: t.text_type.clone(), xml: xml_obj(py, &t.xml)? };
        Py::new(py, node_init(this, PyNodeBase::from_core(py, &t.node)?))
    }

    pub fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<SyndicationText>> {
        let Ok(t) = obj.cast::<Self>() else { return Ok(None) };
        let t = t.borrow();
        Ok(Some(SyndicationText {
            node: PyNodeBase::to_core(obj)?,
            text: t.text.clone(),
            text_type: t.r#type.clone(),
            xml: xml_core(obj.py(), &t.xml),
        }))
    }
}

#[pymethods]
impl PySyndicationText {
    /// `SyndicationText()`, `SyndicationText(text)` or `SyndicationText(text, type)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let t = match args.len() {
            0 => SyndicationText::default(),
            1 => SyndicationText::new(str_arg(&args.get_item(0)?, "text")?),
            2 => SyndicationText::with_type(
                str_arg(&args.get_item(0)?, "text")?,
                text_type_arg(&args.get_item(1)?)?,
            ),
            _ => return Err(arity_error("SyndicationText", "(), (text) or (text, type)", args)),
        };
        let this = Self { text: t.text, r#type: t.text_type, xml: None };
        Ok(node_init(this, PyNodeBase::from_core(py, &t.node)?))
    }

    fn __repr__(&self) -> String {
        format!("SyndicationText({:?}, type={:?})", self.text, self.r#type)
    }
}

/// `SyndicationContent`: an item's content, inline or by reference (`source_uri`).
#[pyclass(module = "netrt", name = "SyndicationContent", extends = PyNodeBase)]
pub struct PySyndicationContent {
    /// `Text`.
    #[pyo3(get, set)]
    text: String,
    /// `Type`: `text`, `html`, `xhtml` or a MIME type.
    #[pyo3(get, set)]
    r#type: String,
    /// `Xml`: inline XML content.
    #[pyo3(get, set)]
    xml: Option<Py<PyXmlDocument>>,
    /// `SourceUri`.
    #[pyo3(get, set)]
    source_uri: UriProp,
}

impl PySyndicationContent {
    pub fn new_object(py: Python<'_>, c: &SyndicationContent) -> PyResult<Py<Self>> {
        let this = Self {
            text: c.text.clone(),
            r#type: c.text_type.clone(),
            xml: xml_obj(py, &c.xml)?,
            source_uri: UriProp(c.source_uri.clone()),
        };
        Py::new(py, node_init(this, PyNodeBase::from_core(py, &c.node)?))
    }

    pub fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<SyndicationContent>> {
        let Ok(c) = obj.cast::<Self>() else { return Ok(None) };
        let c = c.borrow();
        Ok(Some(SyndicationContent {
            node: PyNodeBase::to_core(obj)?,
            text: c.text.clone(),
            text_type: c.r#type.clone(),
            xml: xml_core(obj.py(), &c.xml),
            source_uri: c.source_uri.0.clone(),
        }))
    }
}

#[pymethods]
impl PySyndicationContent {
    /// `SyndicationContent()`, `SyndicationContent(text, type)` or
    /// `SyndicationContent(source_uri)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let c = match args.len() {
            0 => SyndicationContent::default(),
            1 => SyndicationContent::from_source(uri_arg(&args.get_item(0)?)?),
            2 => SyndicationContent::new(
                str_arg(&args.get_item(0)?, "text")?,
                text_type_arg(&args.get_item(1)?)?,
            ),
            _ => return Err(arity_error("SyndicationContent", "(), (text, type) or (source_uri)", args)),
        };
        let this = Self { text: c.text, r#type: c.text_type, xml: None, source_uri: UriProp(c.source_uri) };
        Ok(node_init(this, PyNodeBase::from_core(py, &c.node)?))
    }
}

/// `SyndicationLink`.
#[pyclass(module = "netrt", name = "SyndicationLink", extends = PyNodeBase)]
pub struct PySyndicationLink {
    /// `Uri`.
    #[pyo3(get, set)]
    uri: UriProp,
    /// `Title`.
    #[pyo3(get, set)]
    title: String,
    /// `ResourceLanguage` (`hreflang`).
    #[pyo3(get, set)]
    resource_language: String,
    /// `Relationship` (`rel`).
    #[pyo3(get, set)]
    relationship: String,
    /// `MediaType`.
    #[pyo3(get, set)]
    media_type: String,
    /// `Length` in bytes.
    #[pyo3(get, set)]
    length: u32,
}

impl PySyndicationLink {
    fn fields(l: &SyndicationLink) -> Self {
        Self {
            uri: UriProp(l.uri.clone()),
            title: l.title.clone(),
            resource_language: l.resource_language.clone(),
            relationship: l.relationship.clone(),
            media_type: l.media_type.clone(),
            length: l.length,
        }
    }

    pub fn new_object(py: Python<'_>, l: &SyndicationLink) -> PyResult<Py<Self>> {
        Py::new(py, node_init(Self::fields(l), PyNodeBase::from_core(py, &l.node)?))
    }

    pub fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<SyndicationLink>> {
        let Ok(l) = obj.cast::<Self>() else { return Ok(None) };
        let l = l.borrow();
        Ok(Some(SyndicationLink {
            node: PyNodeBase::to_core(obj)?,
            uri: l.uri.0.clone(),
            title: l.title.clone(),
            resource_language: l.resource_language.clone(),
            relationship: l.relationship.clone(),
            media_type: l.media_type.clone(),
            length: l.length,
        }))
    }
}

#[pymethods]
impl PySyndicationLink {
    /// `SyndicationLink()`, `SyndicationLink(uri)` or `SyndicationLink(uri, relationship,
    /// title, media_type, length)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let l = match args.len() {
            0 => SyndicationLink::default(),
            1 => SyndicationLink::new(uri_arg(&args.get_item(0)?)?),
            5 => SyndicationLink::with_details(
                uri_arg(&args.get_item(0)?)?,
                &str_arg(&args.get_item(1)?, "relationship")?,
                &str_arg(&args.get_item(2)?, "title")?,
                &str_arg(&args.get_item(3)?, "media_type")?,
                args.get_item(4)?.extract::<u32>()?,
            ),
            _ => {
                return Err(arity_error(
                    "SyndicationLink",
                    "(), (uri) or (uri, relationship, title, media_type, length)",
                    args,
                ));
            }
        };
        Ok(node_init(Self::fields(&l), PyNodeBase::from_core(py, &l.node)?))
    }

    fn __repr__(&self) -> String {
        let uri = self.uri.0.as_ref().map(ToString::to_string).unwrap_or_default();
        format!("SyndicationLink({uri:?}, relationship={:?})", self.relationship)
    }
}

/// `SyndicationPerson`: an author or contributor.
#[pyclass(module = "netrt", name = "SyndicationPerson", extends = PyNodeBase)]
pub struct PySyndicationPerson {
    /// `Name`.
    #[pyo3(get, set)]
    name: String,
    /// `Email`.
    #[pyo3(get, set)]
    email: String,
    /// `Uri`.
    #[pyo3(get, set)]
    uri: UriProp,
}

impl PySyndicationPerson {
    pub fn new_object(py: Python<'_>, p: &SyndicationPerson) -> PyResult<Py<Self>> {
        let this = Self { name: p.name.clone(), email: p.email.clone(), uri: UriProp(p.uri.clone()) };
        Py::new(py, node_init(this, PyNodeBase::from_core(py, &p.node)?))
    }

    pub fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<SyndicationPerson>> {
        let Ok(p) = obj.cast::<Self>() else { return Ok(None) };
        let p = p.borrow();
        Ok(Some(SyndicationPerson {
            node: PyNodeBase::to_core(obj)?,
            name: p.name.clone(),
            email: p.email.clone(),
            uri: p.uri.0.clone(),
        }))
    }
}

#[pymethods]
impl PySyndicationPerson {
    /// `SyndicationPerson()`, `SyndicationPerson(name)` or `SyndicationPerson(name, email, uri)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let p = match args.len() {
            0 => SyndicationPerson::default(),
            1 => SyndicationPerson::new(str_arg(&args.get_item(0)?, "name")?),
            3 => SyndicationPerson::with_details(
                str_arg(&args.get_item(0)?, "name")?,
                str_arg(&args.get_item(1)?, "email")?,
                opt_uri_arg(&args.get_item(2)?)?,
            ),
            _ => return Err(arity_error("SyndicationPerson", "(), (name) or (name, email, uri)", args)),
        };
        let this = Self { name: p.name, email: p.email, uri: UriProp(p.uri) };
        Ok(node_init(this, PyNodeBase::from_core(py, &p.node)?))
    }

    fn __repr__(&self) -> String {
        format!("SyndicationPerson({:?}, email={:?})", self.name, self.email)
    }
}

/// `SyndicationCategory`.
#[pyclass(module = "netrt", name = "SyndicationCategory", extends = PyNodeBase)]
pub struct PySyndicationCategory {
    /// `Term`.
    #[pyo3(get, set)]
    term: String,
    /// `Scheme` (RSS `domain`).
    #[pyo3(get, set)]
    scheme: String,
    /// `Label`.
    #[pyo3(get, set)]
    label: String,
}

impl PySyndicationCategory {
    pub fn new_object(py: Python<'_>, c: &SyndicationCategory) -> PyResult<Py<Self>> {
        let this = Self { term: c.term.clone(), scheme: c.scheme.clone(), label: c.label.clone() };
        Py::new(py, node_init(this, PyNodeBase::from_core(py, &c.node)?))
    }

    pub fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<SyndicationCategory>> {
        let Ok(c) = obj.cast::<Self>() else { return Ok(None) };
        let c = c.borrow();
        Ok(Some(SyndicationCategory {
            node: PyNodeBase::to_core(obj)?,
            term: c.term.clone(),
            scheme: c.scheme.clone(),
            label: c.label.clone(),
        }))
    }
}

#[pymethods]
impl PySyndicationCategory {
    /// `SyndicationCategory()`, `SyndicationCategory(term)` or `SyndicationCategory(term,
    /// scheme, label)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let c = match args.len() {
            0 => SyndicationCategory::default(),
            1 => SyndicationCategory::new(str_arg(&args.get_item(0)?, "term")?),
            3 => SyndicationCategory::with_details(
                str_arg(&args.get_item(0)?, "term")?,
                str_arg(&args.get_item(1)?, "scheme")?,
                str_arg(&args.get_item(2)?, "label")?,
            ),
            _ => return Err(arity_error("SyndicationCategory", "(), (term) or (term, scheme, label)", args)),
        };
        let this = Self { term: c.term, scheme: c.scheme, label: c.label };
        Ok(node_init(this, PyNodeBase::from_core(py, &c.node)?))
    }

    fn __repr__(&self) -> String {
        format!("SyndicationCategory({:?}, scheme={:?})", self.term, self.scheme)
    }
}

/// `SyndicationGenerator`: the software that made the feed.
#[pyclass(module = "netrt", name = "SyndicationGenerator", extends = PyNodeBase)]
pub struct PySyndicationGenerator {
    /// `Text`.
    #[pyo3(get, set)]
    text: String,
    /// `Version`.
    #[pyo3(get, set)]
    version: String,
    /// `Uri`.
    #[pyo3(get, set)]
    uri: UriProp,
}

impl PySyndicationGenerator {
    pub fn new_object(py: Python<'_>, g: &SyndicationGenerator) -> PyResult<Py<Self>> {
        let this = Self { text: g.text.clone(), version: g.version.clone(), uri: UriProp(g.uri.clone()) };
        Py::new(py, node_init(this, PyNodeBase::from_core(py, &g.node)?))
    }

    pub fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<SyndicationGenerator>> {
        let Ok(g) = obj.cast::<Self>() else { return Ok(None) };
        let g = g.borrow();
        Ok(Some(SyndicationGenerator {
            node: PyNodeBase::to_core(obj)?,
            text: g.text.clone(),
            version: g.version.clone(),
            uri: g.uri.0.clone(),
        }))
    }
}

#[pymethods]
impl PySyndicationGenerator {
    /// `SyndicationGenerator()` or `SyndicationGenerator(text)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let g = match args.len() {
            0 => SyndicationGenerator::default(),
            1 => SyndicationGenerator::new(str_arg(&args.get_item(0)?, "text")?),
            _ => return Err(arity_error("SyndicationGenerator", "() or (text)", args)),
        };
        let this = Self { text: g.text, version: g.version, uri: UriProp(g.uri) };
        Ok(node_init(this, PyNodeBase::from_core(py, &g.node)?))
    }
}
