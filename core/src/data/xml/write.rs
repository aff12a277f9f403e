//! [`XmlDocument`] → text. Declarations are written where the tree has them, and added where
//! an element or attribute uses a namespace its prefix is not bound to in scope, so a tree
//! built in code (or a subtree moved from another document) always serializes to
//! namespace-correct XML.

use super::node::{XmlAttribute, XmlElement, XmlNode};
use super::{XML_NAMESPACE, XMLNS_NAMESPACE, XmlDocument};

/// Prefix → namespace bindings in scope, innermost last (`None` prefix: the default namespace).
#[derive(Default)]
struct Scope {
    bindings: Vec<(Option<String>, String)>,
}

impl Scope {
    fn lookup(&self, prefix: Option<&str>) -> Option<&str> {
        if prefix == Some("xml") {
            return Some(XML_NAMESPACE);
        }
        self.bindings.iter().rev().find(|(p, _)| p.as_deref() == prefix).map(|(_, ns)| ns.as_str())
    }

    fn prefix_for(&self, namespace: &str) -> Option<&str> {
        self.bindings
            .iter()
            .rev()
            .filter_map(|(p, ns)| p.as_deref().filter(|_| ns == namespace))
            .find(|p| self.lookup(Some(p)) == Some(namespace))
    }
}

pub(super) fn document(doc: &XmlDocument) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    for node in &doc.prolog {
        write_node(&mut out, node, &mut Scope::default());
    }
    if let Some(root) = &doc.root {
        write_element(&mut out, root, &mut Scope::default());
    }
    out
}

pub(super) fn element(e: &XmlElement) -> String {
    let mut out = String::new();
    write_element(&mut out, e, &mut Scope::default());
    out
}

pub(super) fn content(e: &XmlElement) -> String {
    // The children as they would be written inside `e`: in `e`'s namespace scope.
    let mut scope = Scope::default();
    let mut discard = String::new();
    let mark = scope.bindings.len();
    open_tag(&mut discard, e, &mut scope);
    let mut out = String::new();
    for child in &e.children {
        write_node(&mut out, child, &mut scope);
    }
    scope.bindings.truncate(mark);
    out
}

fn write_node(out: &mut String, node: &XmlNode, scope: &mut Scope) {
    match node {
        XmlNode::Element(e) => write_element(out, e, scope),
        XmlNode::Text(t) => escape_into(out, t, false),
        XmlNode::CData(t) => {
            // "]]>" cannot appear inside a section: split it across two.
            out.push_str("<![CDATA[");
            out.push_str(&t.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]>");
        }
        XmlNode::Comment(t) => {
            out.push_str("<!--");
            out.push_str(t);
            out.push_str("-->");
        }
        XmlNode::ProcessingInstruction { target, data } => {
            out.push_str("<?");
            out.push_str(target);
            if !data.is_empty() {
                out.push(' ');
                out.push_str(data);
            }
            out.push_str("?>");
        }
    }
}

fn write_element(out: &mut String, e: &XmlElement, scope: &mut Scope) {
    let mark = scope.bindings.len();
    let tag = open_tag(out, e, scope);
    if e.children.is_empty() {
        out.push_str("/>");
    } else {
        out.push('>');
        for child in &e.children {
            write_node(out, child, scope);
        }
        out.push_str("</");
        out.push_str(&tag);
        out.push('>');
    }
    scope.bindings.truncate(mark);
}

/// Writes `<tag attrs` (without the closing `>`), pushing the element's bindings on `scope`;
/// returns the tag name used.
fn open_tag(out: &mut String, e: &XmlElement, scope: &mut Scope) -> String {
    let mut declared: Vec<(Option<String>, String)> = Vec::new();
    for a in &e.attributes {
        if let Some(prefix) = a.declared_prefix() {
            declared.push((prefix.map(str::to_string), a.value.clone()));
        }
    }
    scope.bindings.extend(declared.iter().cloned());
    let mut extra: Vec<(Option<String>, String)> = Vec::new();
    // The element's own name.
    let wanted = e.namespace();
    let prefix = e.prefix.as_deref().filter(|p| *p != "xmlns");
    if scope.lookup(prefix).unwrap_or("") != wanted {
        let binding = (prefix.map(str::to_string), wanted.to_string());
        scope.bindings.push(binding.clone());
        extra.push(binding);
    }
    let tag = match prefix {
        Some(p) => format!("{p}:{}", e.local_name),
        None => e.local_name.to_string(),
    };
    // Attribute names: a namespaced attribute needs a prefix bound to its namespace.
    let mut names: Vec<String> = Vec::with_capacity(e.attributes.len());
    for a in &e.attributes {
        names.push(attribute_name(a, scope, &mut extra));
    }
    out.push('<');
    out.push_str(&tag);
    for (a, name) in e.attributes.iter().zip(&names) {
        // A declaration the element's own name had to override (a tree built inconsistently).
        if let Some(p) = a.declared_prefix()
            && extra.iter().any(|(q, _)| q.as_deref() == p)
        {
            continue;
        }
        write_attribute(out, name, &a.value);
    }
    for (prefix, ns) in &extra {
        let name = match prefix {
            Some(p) => format!("xmlns:{p}"),
            None => "xmlns".to_string(),
        };
        write_attribute(out, &name, ns);
    }
    tag
}

fn attribute_name(a: &XmlAttribute, scope: &mut Scope, extra: &mut Vec<(Option<String>, String)>) -> String {
    let Some(ns) = a.namespace_uri.as_deref().filter(|ns| *ns != XMLNS_NAMESPACE) else {
        return a.name();
    };
    // The XML namespace has its prefix by definition and may not be bound to another (an
    // `xml:*` attribute the model kept without its prefix came out as `ns0:` bound to it, which
    // no parser accepts; found by the fuzz smoke).
    if ns == XML_NAMESPACE {
        return format!("xml:{}", a.local_name);
    }
    if let Some(p) = a.prefix.as_deref()
        && scope.lookup(Some(p)) == Some(ns)
    {
        return format!("{p}:{}", a.local_name);
    }
    if let Some(p) = scope.prefix_for(ns) {
        return format!("{p}:{}", a.local_name);
    }
    let prefix = match a.prefix.as_deref() {
        Some(p) if scope.lookup(Some(p)).is_none() => p.to_string(),
        _ => (0..).map(|n| format!("ns{n}")).find(|p| scope.lookup(Some(p)).is_none()).unwrap_or_default(),
    };
    let binding = (Some(prefix.clone()), ns.to_string());
    scope.bindings.push(binding.clone());
    extra.push(binding);
    format!("{prefix}:{}", a.local_name)
}

fn write_attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_into(out, value, true);
    out.push('"');
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            // Kept as references so that attribute-value normalization does not turn them into spaces.
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}
