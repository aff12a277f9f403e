//! `ISyndicationNode` — what every syndication class has — and the generic
//! [`SyndicationNode`] that holds elements the model does not know (extensions).

use crate::data::xml::{XML_NAMESPACE, XmlAttribute, XmlElement, XmlNode};
use crate::foundation::Uri;

/// `SyndicationAttribute`: an attribute the model does not know, kept as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationAttribute {
    /// `Name`: the local name.
    pub name: String,
    /// `Namespace`: its namespace URI (`""` for none).
    pub namespace: String,
    /// `Value`.
    pub value: String,
}

impl SyndicationAttribute {
    /// `SyndicationAttribute(attributeName, attributeNamespace, attributeValue)`.
    pub fn new(name: impl Into<String>, namespace: impl Into<String>, value: impl Into<String>) -> Self {
        Self { name: name.into(), namespace: namespace.into(), value: value.into() }
    }
}

/// `SyndicationNode`, and the `ISyndicationNode` part of every syndication class.
///
/// As an extension element, `node_name`/`node_namespace` name it, `node_value` is its text,
/// `attribute_extensions` its attributes and `element_extensions` its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationNode {
    /// `NodeName`: the element's local name.
    pub node_name: String,
    /// `NodeNamespace`: the element's namespace URI.
    pub node_namespace: String,
    /// `NodeValue`: the element's own text.
    pub node_value: String,
    /// `Language`: `xml:lang` on the element.
    pub language: String,
    /// `BaseUri`: `xml:base` on the element, resolved against the enclosing base.
    pub base_uri: Option<Uri>,
    /// `AttributeExtensions`: attributes the model does not know.
    pub attribute_extensions: Vec<SyndicationAttribute>,
    /// `ElementExtensions`: child elements the model does not know.
    pub element_extensions: Vec<SyndicationNode>,
}

impl SyndicationNode {
    /// `SyndicationNode(nodeName, nodeNamespace, nodeValue)`.
    pub fn new(name: impl Into<String>, namespace: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            node_name: name.into(),
            node_namespace: namespace.into(),
            node_value: value.into(),
            ..Self::default()
        }
    }

    /// `GetXmlDocument(format)` of an extension node: the element it stands for.
    pub fn get_xml_document(&self) -> crate::data::xml::XmlDocument {
        crate::data::xml::XmlDocument::with_root(self.to_element())
    }

    /// Reads an unknown element, keeping all of it.
    pub(crate) fn from_element(e: &XmlElement) -> Self {
        let mut node = Self::new(e.local_name.to_string(), e.namespace(), String::new());
        node.language = e.xml_attribute("lang").unwrap_or_default().to_string();
        node.base_uri = e.xml_attribute("base").and_then(|b| Uri::new(b).ok());
        node.attribute_extensions = unknown_attributes(e, &[]);
        for child in &e.children {
            match child {
                XmlNode::Element(c) => node.element_extensions.push(Self::from_element(c)),
                XmlNode::Text(t) | XmlNode::CData(t) => node.node_value.push_str(t),
                XmlNode::Comment(_) | XmlNode::ProcessingInstruction { .. } => {}
            }
        }
        if !node.element_extensions.is_empty() && node.node_value.trim().is_empty() {
            // Indentation between child elements, not content.
            node.node_value.clear();
        }
        node
    }

    /// Writes an extension node back as an element.
    pub(crate) fn to_element(&self) -> XmlElement {
        let mut e = XmlElement::new(self.node_name.clone(), &self.node_namespace);
        e.prefix = known_prefix(&self.node_namespace).map(Into::into);
        self.write_common(&mut e);
        if !self.node_value.is_empty() {
            e.append_text(self.node_value.clone());
        }
        self.write_extensions(&mut e);
        e
    }

    /// `xml:lang`, `xml:base` and the attribute extensions, onto a class's element.
    pub(crate) fn write_common(&self, e: &mut XmlElement) {
        if !self.language.is_empty() {
            e.attributes.push(XmlAttribute::with_namespace(
                Some("xml"),
                "lang",
                XML_NAMESPACE,
                self.language.clone(),
            ));
        }
        if let Some(base) = &self.base_uri {
            e.attributes.push(XmlAttribute::with_namespace(
                Some("xml"),
                "base",
                XML_NAMESPACE,
                base.to_string(),
            ));
        }
        for a in &self.attribute_extensions {
            // An attribute the writer already set wins: an extension of the same name (an
            // enclosure's `length` that did not parse as a number is kept as one) would write
            // it twice, which is not XML.
            let written = e
                .attributes
                .iter()
                .any(|x| *x.local_name == *a.name && x.namespace_uri.as_deref().unwrap_or("") == a.namespace);
            if written {
                continue;
            }
            let prefix = known_prefix(&a.namespace);
            e.attributes.push(XmlAttribute::with_namespace(
                prefix,
                a.name.clone(),
                &a.namespace,
                a.value.clone(),
            ));
        }
    }

    /// The element extensions, appended to a class's element.
    pub(crate) fn write_extensions(&self, e: &mut XmlElement) {
        for child in &self.element_extensions {
            e.append_element(child.to_element());
        }
    }
}

/// The attributes of `e` that are neither namespace declarations, `xml:lang`/`xml:base`,
/// nor (unqualified) one of `known`.
pub(crate) fn unknown_attributes(e: &XmlElement, known: &[&str]) -> Vec<SyndicationAttribute> {
    e.attributes
        .iter()
        .filter(|a| !a.is_namespace_declaration())
        .filter(|a| {
            !(a.namespace_uri.as_deref() == Some(XML_NAMESPACE) && matches!(&*a.local_name, "lang" | "base"))
        })
        .filter(|a| a.namespace_uri.is_some() || !known.contains(&&*a.local_name))
        .map(|a| {
            SyndicationAttribute::new(
                &*a.local_name,
                a.namespace_uri.as_deref().unwrap_or_default(),
                a.value.clone(),
            )
        })
        .collect()
}

/// The customary prefix of a well-known namespace, so written extensions read naturally.
fn known_prefix(namespace: &str) -> Option<&'static str> {
    Some(match namespace {
        super::ns::DC => "dc",
        super::ns::CONTENT => "content",
        super::ns::ATOM10 => "atom",
        super::ns::RDF => "rdf",
        "http://search.yahoo.com/mrss/" => "media",
        "http://www.itunes.com/dtds/podcast-1.0.dtd" => "itunes",
        "http://purl.org/rss/1.0/modules/slash/" => "slash",
        "http://wellformedweb.org/CommentAPI/" => "wfw",
        "http://purl.org/rss/1.0/modules/syndication/" => "sy",
        "http://purl.org/syndication/thread/1.0" => "thr",
        "http://www.w3.org/2007/app" => "app",
        _ => return None,
    })
}
