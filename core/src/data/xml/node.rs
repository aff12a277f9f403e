//! The nodes of an [`XmlDocument`](super::XmlDocument): elements, attributes, text.

use super::{Name, XML_NAMESPACE, XMLNS_NAMESPACE};

/// An attribute: a qualified name, the namespace it resolves to, and its value.
///
/// Namespace declarations are attributes too (`xmlns`, `xmlns:p`), in [`XMLNS_NAMESPACE`],
/// as in the DOM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlAttribute {
    /// The prefix as written (`xml` in `xml:lang`), if any.
    pub prefix: Option<Name>,
    /// The name after the prefix.
    pub local_name: Name,
    /// The namespace the prefix is bound to; `None` for an unprefixed attribute.
    pub namespace_uri: Option<Name>,
    /// The value, with references replaced and whitespace normalized.
    pub value: String,
}

impl XmlAttribute {
    /// An attribute in no namespace.
    pub fn new(local_name: impl Into<Name>, value: impl Into<String>) -> Self {
        Self { prefix: None, local_name: local_name.into(), namespace_uri: None, value: value.into() }
    }

    /// An attribute in `namespace` (written with `prefix`, or a generated one when `None`).
    pub fn with_namespace(
        prefix: Option<&str>,
        local_name: impl Into<Name>,
        namespace: &str,
        value: impl Into<String>,
    ) -> Self {
        Self {
            prefix: prefix.map(Name::from),
            local_name: local_name.into(),
            namespace_uri: (!namespace.is_empty()).then(|| Name::from(namespace)),
            value: value.into(),
        }
    }

    /// The name as written (`prefix:local` or `local`).
    pub fn name(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local_name),
            None => self.local_name.to_string(),
        }
    }

    /// Whether the name as written ([`XmlAttribute::name`]) is `name`, without building it
    /// (readers look attributes up by name on every element).
    pub(crate) fn is_written(&self, name: &str) -> bool {
        match &self.prefix {
            None => *self.local_name == *name,
            Some(p) => name
                .strip_prefix(&**p)
                .and_then(|rest| rest.strip_prefix(':'))
                .is_some_and(|local| *self.local_name == *local),
        }
    }

    /// Whether this is a namespace declaration (`xmlns` or `xmlns:p`).
    pub fn is_namespace_declaration(&self) -> bool {
        self.namespace_uri.as_deref() == Some(XMLNS_NAMESPACE)
    }

    /// The prefix a namespace declaration binds (`None` for the default namespace).
    pub(crate) fn declared_prefix(&self) -> Option<Option<&str>> {
        if !self.is_namespace_declaration() {
            return None;
        }
        Some(if self.prefix.is_some() { Some(&*self.local_name) } else { None })
    }
}

/// A node in an element's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlNode {
    /// A child element.
    Element(XmlElement),
    /// Character data, with references replaced.
    Text(String),
    /// A `<![CDATA[...]]>` section.
    CData(String),
    /// A `<!-- ... -->` comment.
    Comment(String),
    /// A `<?target data?>` processing instruction.
    ProcessingInstruction {
        /// The target name.
        target: String,
        /// Everything after the target.
        data: String,
    },
}

/// An element: its name, namespace, attributes and content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlElement {
    /// The prefix as written, if any.
    pub prefix: Option<Name>,
    /// The name after the prefix.
    pub local_name: Name,
    /// The namespace the element is in, if any.
    pub namespace_uri: Option<Name>,
    /// Attributes in document order, namespace declarations included.
    pub attributes: Vec<XmlAttribute>,
    /// Content in document order.
    pub children: Vec<XmlNode>,
}

impl XmlElement {
    /// An element in `namespace` (`""` for none), unprefixed.
    pub fn new(local_name: impl Into<Name>, namespace: &str) -> Self {
        Self {
            prefix: None,
            local_name: local_name.into(),
            namespace_uri: (!namespace.is_empty()).then(|| Name::from(namespace)),
            ..Self::default()
        }
    }

    /// `TagName`: the name as written (`prefix:local` or `local`).
    pub fn tag_name(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local_name),
            None => self.local_name.to_string(),
        }
    }

    /// The namespace, `""` when the element is in none.
    pub fn namespace(&self) -> &str {
        self.namespace_uri.as_deref().unwrap_or("")
    }

    /// Whether this element is `local_name` in `namespace` (`""` for none).
    pub fn is(&self, namespace: &str, local_name: &str) -> bool {
        &*self.local_name == local_name && self.namespace() == namespace
    }

    /// `GetAttribute(name)`: the value of the attribute written `name`, `""` when absent
    /// (as the DOM).
    pub fn get_attribute(&self, name: &str) -> String {
        self.attribute(name).unwrap_or_default().to_string()
    }

    /// The value of the attribute written `name`, `None` when absent.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|a| a.is_written(name)).map(|a| a.value.as_str())
    }

    /// `GetAttributeNS(namespace, local_name)` (`""` for no namespace), `None` when absent.
    pub fn attribute_ns(&self, namespace: &str, local_name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| &*a.local_name == local_name && a.namespace_uri.as_deref().unwrap_or("") == namespace)
            .map(|a| a.value.as_str())
    }

    /// `xml:lang` / `xml:base` and other `xml:` attributes.
    pub fn xml_attribute(&self, local_name: &str) -> Option<&str> {
        self.attribute_ns(XML_NAMESPACE, local_name)
    }

    /// Sets (or replaces) an attribute in no namespace.
    pub fn set_attribute(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.attributes.iter_mut().find(|a| a.namespace_uri.is_none() && &*a.local_name == name) {
            Some(a) => a.value = value,
            None => self.attributes.push(XmlAttribute::new(name, value)),
        }
    }

    /// The child elements, in order.
    pub fn child_elements(&self) -> impl Iterator<Item = &XmlElement> {
        self.children.iter().filter_map(|n| match n {
            XmlNode::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element named `local_name` in `namespace`.
    pub fn child(&self, namespace: &str, local_name: &str) -> Option<&XmlElement> {
        self.child_elements().find(|e| e.is(namespace, local_name))
    }

    /// Appends a child element and returns it.
    pub fn append_element(&mut self, element: XmlElement) -> &mut XmlElement {
        self.children.push(XmlNode::Element(element));
        match self.children.last_mut() {
            Some(XmlNode::Element(e)) => e,
            _ => unreachable!("an element was just pushed"),
        }
    }

    /// Appends character data.
    pub fn append_text(&mut self, text: impl Into<String>) {
        self.children.push(XmlNode::Text(text.into()));
    }

    /// `InnerText`: the concatenated text of this element and its descendants.
    pub fn inner_text(&self) -> String {
        // The usual case, a single text node: one copy, no concatenation.
        if let [XmlNode::Text(t) | XmlNode::CData(t)] = self.children.as_slice() {
            return t.clone();
        }
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    /// [`XmlElement::inner_text`], borrowed when the element holds a single text node (the
    /// usual case for the ids, dates and URIs a reader converts, which need no copy).
    pub(crate) fn inner_text_ref(&self) -> std::borrow::Cow<'_, str> {
        match self.children.as_slice() {
            [] => std::borrow::Cow::Borrowed(""),
            [XmlNode::Text(t) | XmlNode::CData(t)] => std::borrow::Cow::Borrowed(t),
            _ => std::borrow::Cow::Owned(self.inner_text()),
        }
    }

    fn collect_text(&self, out: &mut String) {
        for child in &self.children {
            match child {
                XmlNode::Text(t) | XmlNode::CData(t) => out.push_str(t),
                XmlNode::Element(e) => e.collect_text(out),
                XmlNode::Comment(_) | XmlNode::ProcessingInstruction { .. } => {}
            }
        }
    }

    /// `GetXml()` of this element alone, with the namespaces it uses declared on it.
    pub fn get_xml(&self) -> String {
        super::write::element(self)
    }

    /// The markup of this element's content (what an XHTML text construct holds).
    pub fn inner_xml(&self) -> String {
        super::write::content(self)
    }
}
