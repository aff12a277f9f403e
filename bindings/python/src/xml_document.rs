//! `XmlDocument` and `XmlElement` (Windows.Data.Xml.Dom): the part the syndication classes
//! need — `load_xml`, `get_xml`, `document_element` and enough of an element to walk a tree.

use netrt::data::xml::{XmlDocument, XmlElement};
use pyo3::prelude::*;

use crate::errors::OrRaise;

/// `XmlDocument`: a parsed XML document. Mutable (`load_xml` replaces its content), shared by
/// reference like every WinRT object.
#[pyclass(module = "netrt", name = "XmlDocument")]
#[derive(Default)]
pub struct PyXmlDocument {
    pub inner: XmlDocument,
}

#[pymethods]
impl PyXmlDocument {
    /// `XmlDocument()`: an empty document.
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// `LoadXml(xml)`: replaces the document with `xml` parsed (WEB_E_INVALID_XML, leaving the
    /// document unchanged, when it is not well-formed or declares a DTD).
    #[pyo3(signature = (xml, /))]
    fn load_xml(&mut self, xml: &str) -> PyResult<()> {
        self.inner.load_xml(xml).or_raise()
    }

    /// `GetXml()`: the document as text.
    fn get_xml(&self) -> String {
        self.inner.get_xml()
    }

    /// `DocumentElement`: the root element (a copy of it), `None` for an empty document.
    #[getter]
    fn document_element(&self) -> Option<PyXmlElement> {
        self.inner.document_element().map(|e| PyXmlElement { inner: e.clone() })
    }

    fn __str__(&self) -> String {
        self.inner.get_xml()
    }
}

/// `XmlElement`: one element of a document, read-only.
#[pyclass(module = "netrt", name = "XmlElement", frozen)]
pub struct PyXmlElement {
    inner: XmlElement,
}

#[pymethods]
impl PyXmlElement {
    /// `TagName`: the qualified name (`prefix:local`).
    #[getter]
    fn tag_name(&self) -> String {
        self.inner.tag_name()
    }

    /// `LocalName`.
    #[getter]
    fn local_name(&self) -> String {
        self.inner.local_name.to_string()
    }

    /// `NamespaceUri` (`""` for none).
    #[getter]
    fn namespace_uri(&self) -> String {
        self.inner.namespace().to_string()
    }

    /// `InnerText`: the text of the element and its descendants.
    #[getter]
    fn inner_text(&self) -> String {
        self.inner.inner_text()
    }

    /// `GetAttribute(name)`: `""` when absent, as in the DOM.
    #[pyo3(signature = (attribute_name, /))]
    fn get_attribute(&self, attribute_name: &str) -> String {
        self.inner.get_attribute(attribute_name)
    }

    /// `GetAttributeNS(namespace, local_name)`: `""` when absent.
    #[pyo3(signature = (namespace_uri, local_name, /))]
    fn get_attribute_ns(&self, namespace_uri: &str, local_name: &str) -> String {
        self.inner.attribute_ns(namespace_uri, local_name).unwrap_or_default().to_string()
    }

    /// The child elements, in document order (text, comments and processing instructions are
    /// left out).
    #[getter]
    fn child_elements(&self) -> Vec<PyXmlElement> {
        self.inner.child_elements().map(|e| PyXmlElement { inner: e.clone() }).collect()
    }

    /// `GetXml()`: the element as text, with the namespaces it uses declared.
    fn get_xml(&self) -> String {
        self.inner.get_xml()
    }

    fn __repr__(&self) -> String {
        format!("<XmlElement {}>", self.inner.tag_name())
    }
}
