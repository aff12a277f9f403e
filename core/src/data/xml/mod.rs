//! `Windows.Data.Xml.Dom`, the part the syndication and AtomPub classes need: an
//! [`XmlDocument`] loaded from text ([`XmlDocument::load_xml`]), written back
//! ([`XmlDocument::get_xml`]), and a tree of elements, attributes and text to walk.
//!
//! Decisions (WinRT leaves these open):
//! - No DTDs: a `<!DOCTYPE ...>` is refused, so no entity can be declared, expanded
//!   (billion laughs) or fetched from outside (XXE). References to the five predefined
//!   entities and character references are the only ones accepted.
//! - Elements nest at most [`MAX_DEPTH`] deep, so a hostile document cannot exhaust the stack
//!   of code that walks the tree recursively.
//! - Malformed XML fails with `WEB_E_INVALID_XML` (Windows' MSXML reports its own parser codes;
//!   netrt has one code for all of them, with the parser's reason and position in the message).
//! - The tree is plain owned data (`Clone`, `PartialEq`): a document is a value, not a live
//!   COM object graph.

mod node;
mod parse;
mod write;

pub use node::{XmlAttribute, XmlElement, XmlNode};
pub(crate) use parse::{OnClose, parse_bytes_with, parse_str_with};

use crate::error::Result;

/// An element, attribute, prefix or namespace name: shared, since a document repeats the same
/// few names on every element (and each would otherwise be its own allocation).
pub type Name = std::sync::Arc<str>;

/// How deep elements may nest in a document netrt parses.
pub const MAX_DEPTH: usize = 256;

/// The `xmlns` namespace that namespace declarations belong to (DOM Level 2).
pub const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";
/// The namespace bound to the `xml:` prefix (`xml:lang`, `xml:base`).
pub const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// `Windows.Data.Xml.Dom.XmlDocument`: a parsed XML document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlDocument {
    /// Comments and processing instructions before the document element, in order.
    pub prolog: Vec<XmlNode>,
    /// The document element; `None` for a new, empty document.
    pub root: Option<XmlElement>,
}

impl XmlDocument {
    /// A new, empty document (`XmlDocument()`).
    pub fn new() -> Self {
        Self::default()
    }

    /// A document whose document element is `root`.
    pub fn with_root(root: XmlElement) -> Self {
        Self { prolog: Vec::new(), root: Some(root) }
    }

    /// Parses `xml` into a new document.
    ///
    /// # Errors
    /// `WEB_E_INVALID_XML` for text that is not a well-formed, namespace-correct XML document,
    /// that declares a DTD, uses an entity other than the five predefined ones, or nests
    /// elements deeper than [`MAX_DEPTH`]; the message gives the reason and the byte offset.
    pub fn parse(xml: &str) -> Result<Self> {
        parse::parse(xml)
    }

    /// Parses bytes received from the network: UTF-8 (with or without a byte order mark),
    /// UTF-16 with its byte order mark, or the encoding the XML declaration names.
    ///
    /// # Errors
    /// As [`XmlDocument::parse`]; bytes that are not valid in the document's encoding, or an
    /// encoding name that is not known, are `WEB_E_INVALID_XML` too.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self> {
        parse::parse_bytes(bytes)
    }

    /// `LoadXml(String)`: replaces this document with the one parsed from `xml`.
    ///
    /// # Errors
    /// As [`XmlDocument::parse`]; on failure the document is left unchanged.
    pub fn load_xml(&mut self, xml: &str) -> Result<()> {
        *self = parse::parse(xml)?;
        Ok(())
    }

    /// `GetXml()`: the document as text, with every namespace the tree uses declared.
    pub fn get_xml(&self) -> String {
        write::document(self)
    }

    /// `DocumentElement`.
    pub fn document_element(&self) -> Option<&XmlElement> {
        self.root.as_ref()
    }
}

impl std::fmt::Display for XmlDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.get_xml())
    }
}

#[cfg(test)]
mod tests;
