//! AtomPub service documents (RFC 5023 §8): workspaces of collections, each with its title,
//! URI, accepted media types and inline categories.

use super::{atom, base_of, keep, missing, node_of, resolve, text_of, unsupported};
use crate::data::xml::{XmlDocument, XmlElement};
use crate::error::Result;
use crate::foundation::Uri;
use crate::web::atompub::{ResourceCollection, ServiceDocument, Workspace};
use crate::web::syndication::{SyndicationFormat, ns};

pub(crate) fn service_document(doc: &XmlDocument, outer: Option<&Uri>) -> Result<ServiceDocument> {
    let root = doc.root.as_ref().ok_or_else(|| unsupported("the document is empty"))?;
    if !root.is(ns::APP, "service") {
        return Err(unsupported(format!("<{}> is not an AtomPub service document", root.tag_name())));
    }
    let (base, own) = base_of(root, outer);
    let mut service = ServiceDocument { node: node_of(root, own, &[]), workspaces: Vec::new() };
    for child in root.child_elements() {
        if child.is(ns::APP, "workspace") {
            service.workspaces.push(workspace(child, base.as_deref())?);
        } else {
            keep(&mut service.node, child);
        }
    }
    Ok(service)
}

fn workspace(e: &XmlElement, outer: Option<&Uri>) -> Result<Workspace> {
    let (base, own) = base_of(e, outer);
    let mut workspace = Workspace { node: node_of(e, own, &[]), title: None, collections: Vec::new() };
    for child in e.child_elements() {
        if child.is(ns::ATOM10, "title") {
            workspace.title = Some(atom::text(child, base.as_deref(), SyndicationFormat::Atom10)?);
        } else if child.is(ns::APP, "collection") {
            workspace.collections.push(collection(child, base.as_deref())?);
        } else {
            keep(&mut workspace.node, child);
        }
    }
    if workspace.title.is_none() {
        return Err(missing("workspace/atom:title"));
    }
    Ok(workspace)
}

fn collection(e: &XmlElement, outer: Option<&Uri>) -> Result<ResourceCollection> {
    let (base, own) = base_of(e, outer);
    let href = e.attribute("href").ok_or_else(|| {
        crate::Error::new(
            crate::error::hresult::WEB_E_MISSING_REQUIRED_ATTRIBUTE,
            "the required attribute collection/@href is missing",
        )
    })?;
    let mut collection = ResourceCollection {
        node: node_of(e, own, &["href"]),
        title: None,
        uri: resolve(base.as_deref(), href),
        accepts: Vec::new(),
        categories: Vec::new(),
    };
    for child in e.child_elements() {
        if child.is(ns::ATOM10, "title") {
            collection.title = Some(atom::text(child, base.as_deref(), SyndicationFormat::Atom10)?);
        } else if child.is(ns::APP, "accept") {
            collection.accepts.push(text_of(child));
        } else if child.is(ns::APP, "categories") && child.attribute("href").is_none() {
            // Inline categories; a scheme on the element applies to those without their own.
            let scheme = child.attribute("scheme").unwrap_or_default();
            for c in child.child_elements().filter(|c| c.is(ns::ATOM10, "category")) {
                let mut category = atom::category(c, base.as_deref());
                if category.scheme.is_empty() {
                    category.scheme = scheme.to_string();
                }
                collection.categories.push(category);
            }
        } else {
            keep(&mut collection.node, child);
        }
    }
    if collection.title.is_none() {
        return Err(missing("collection/atom:title"));
    }
    Ok(collection)
}
