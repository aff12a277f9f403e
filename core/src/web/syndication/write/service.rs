//! AtomPub service documents (RFC 5023 §8) as XML: what `GetXmlDocument` gives for
//! `ServiceDocument`, `Workspace` and `ResourceCollection` (the elements the reader takes, plus
//! what it kept as extensions).

use super::{atom, text_element};
use crate::data::xml::XmlElement;
use crate::web::atompub::{ResourceCollection, ServiceDocument, Workspace};
use crate::web::syndication::ns::APP;

pub(crate) fn service(d: &ServiceDocument) -> XmlElement {
    let mut e = XmlElement::new("service", APP);
    d.node.write_common(&mut e);
    for w in &d.workspaces {
        e.append_element(workspace(w));
    }
    d.node.write_extensions(&mut e);
    e
}

pub(crate) fn workspace(w: &Workspace) -> XmlElement {
    let mut e = XmlElement::new("workspace", APP);
    w.node.write_common(&mut e);
    atom::text_construct(&mut e, "title", w.title.as_ref());
    for c in &w.collections {
        e.append_element(collection(c));
    }
    w.node.write_extensions(&mut e);
    e
}

pub(crate) fn collection(c: &ResourceCollection) -> XmlElement {
    let mut e = XmlElement::new("collection", APP);
    if let Some(u) = &c.uri {
        e.set_attribute("href", u.to_string());
    }
    c.node.write_common(&mut e);
    atom::text_construct(&mut e, "title", c.title.as_ref());
    for accept in &c.accepts {
        text_element(&mut e, APP, "accept", accept.clone());
    }
    if !c.categories.is_empty() {
        // Inline categories, each with its own scheme (the reader applied the list's default).
        let list = e.append_element(XmlElement::new("categories", APP));
        for category in &c.categories {
            atom::category(list, category);
        }
    }
    c.node.write_extensions(&mut e);
    e
}
