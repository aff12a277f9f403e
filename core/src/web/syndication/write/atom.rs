//! The model as Atom 1.0.

use super::text_element;
use crate::data::xml::{XmlElement, XmlNode};
use crate::web::syndication::dates::format_rfc3339;
use crate::web::syndication::ns::{ATOM10, XHTML};
use crate::web::syndication::{
    SyndicationCategory, SyndicationContent, SyndicationFeed, SyndicationGenerator, SyndicationItem,
    SyndicationLink, SyndicationNode, SyndicationPerson, SyndicationText,
};

pub(super) fn feed(feed: &SyndicationFeed) -> XmlElement {
    let mut e = XmlElement::new("feed", ATOM10);
    metadata(&mut e, feed);
    for item in &feed.items {
        e.append_element(entry(item));
    }
    e
}

/// Everything of a feed but its entries (also an entry's `source`).
fn metadata(e: &mut XmlElement, feed: &SyndicationFeed) {
    feed.node.write_common(e);
    if !feed.id.is_empty() {
        text_element(e, ATOM10, "id", feed.id.clone());
    }
    text_construct(e, "title", feed.title.as_ref());
    text_construct(e, "subtitle", feed.subtitle.as_ref());
    text_construct(e, "rights", feed.rights.as_ref());
    if let Some(g) = &feed.generator {
        generator(e, g);
    }
    if let Some(d) = feed.last_updated_time {
        text_element(e, ATOM10, "updated", format_rfc3339(d));
    }
    if let Some(u) = &feed.icon_uri {
        text_element(e, ATOM10, "icon", u.to_string());
    }
    if let Some(u) = &feed.image_uri {
        text_element(e, ATOM10, "logo", u.to_string());
    }
    common_lists(e, &feed.authors, &feed.contributors, &feed.categories, &feed.links);
    feed.node.write_extensions(e);
}

pub(super) fn entry(item: &SyndicationItem) -> XmlElement {
    let mut e = XmlElement::new("entry", ATOM10);
    item.node.write_common(&mut e);
    if !item.id.is_empty() {
        text_element(&mut e, ATOM10, "id", item.id.clone());
    }
    text_construct(&mut e, "title", item.title.as_ref());
    if let Some(d) = item.last_updated_time {
        text_element(&mut e, ATOM10, "updated", format_rfc3339(d));
    }
    if let Some(d) = item.published_date {
        text_element(&mut e, ATOM10, "published", format_rfc3339(d));
    }
    text_construct(&mut e, "summary", item.summary.as_ref());
    if let Some(c) = &item.content {
        content(&mut e, c);
    }
    text_construct(&mut e, "rights", item.rights.as_ref());
    common_lists(&mut e, &item.authors, &item.contributors, &item.categories, &item.links);
    if let Some(source) = &item.source {
        let s = e.append_element(XmlElement::new("source", ATOM10));
        metadata(s, source);
    }
    item.node.write_extensions(&mut e);
    e
}

fn common_lists(
    e: &mut XmlElement,
    authors: &[SyndicationPerson],
    contributors: &[SyndicationPerson],
    categories: &[SyndicationCategory],
    links: &[SyndicationLink],
) {
    for p in authors {
        person(e, "author", p);
    }
    for p in contributors {
        person(e, "contributor", p);
    }
    for c in categories {
        category(e, c);
    }
    for l in links {
        link(e, l);
    }
}

/// An Atom `link` (also what RSS writes for the links it has no element for).
pub(super) fn link<'a>(e: &'a mut XmlElement, l: &SyndicationLink) -> &'a mut XmlElement {
    let le = e.append_element(XmlElement::new("link", ATOM10));
    if let Some(u) = &l.uri {
        le.set_attribute("href", u.to_string());
    }
    for (name, value) in [
        ("rel", &l.relationship),
        ("type", &l.media_type),
        ("hreflang", &l.resource_language),
        ("title", &l.title),
    ] {
        if !value.is_empty() {
            le.set_attribute(name, value.clone());
        }
    }
    if l.length > 0 {
        le.set_attribute("length", l.length.to_string());
    }
    l.node.write_common(le);
    l.node.write_extensions(le);
    le
}

/// An Atom `category` (also what a service document's collection lists).
pub(super) fn category(e: &mut XmlElement, c: &SyndicationCategory) {
    let ce = e.append_element(XmlElement::new("category", ATOM10));
    ce.set_attribute("term", c.term.clone());
    if !c.scheme.is_empty() {
        ce.set_attribute("scheme", c.scheme.clone());
    }
    if !c.label.is_empty() {
        ce.set_attribute("label", c.label.clone());
    }
    c.node.write_common(ce);
    c.node.write_extensions(ce);
}

fn person(e: &mut XmlElement, name: &str, p: &SyndicationPerson) {
    let pe = e.append_element(XmlElement::new(name, ATOM10));
    p.node.write_common(pe);
    text_element(pe, ATOM10, "name", p.name.clone());
    if !p.email.is_empty() {
        text_element(pe, ATOM10, "email", p.email.clone());
    }
    if let Some(u) = &p.uri {
        text_element(pe, ATOM10, "uri", u.to_string());
    }
    p.node.write_extensions(pe);
}

fn generator(e: &mut XmlElement, g: &SyndicationGenerator) {
    let ge = text_element(e, ATOM10, "generator", g.text.clone());
    if let Some(u) = &g.uri {
        ge.set_attribute("uri", u.to_string());
    }
    if !g.version.is_empty() {
        ge.set_attribute("version", g.version.clone());
    }
    g.node.write_common(ge);
}

pub(super) fn text_construct(e: &mut XmlElement, name: &str, text: Option<&SyndicationText>) {
    let Some(t) = text else { return };
    let te = e.append_element(XmlElement::new(name, ATOM10));
    body(te, &t.node, &t.text, &t.text_type, t.xml.as_ref());
}

fn content(e: &mut XmlElement, c: &SyndicationContent) {
    let ce = e.append_element(XmlElement::new("content", ATOM10));
    if let Some(src) = &c.source_uri {
        ce.set_attribute("src", src.to_string());
        if !c.text_type.is_empty() {
            ce.set_attribute("type", c.text_type.clone());
        }
        c.node.write_common(ce);
        c.node.write_extensions(ce);
        return;
    }
    body(ce, &c.node, &c.text, &c.text_type, c.xml.as_ref());
}

/// A text construct's or content's `type` and body: XML types carry their element, others text.
fn body(
    te: &mut XmlElement,
    node: &SyndicationNode,
    text: &str,
    text_type: &str,
    xml: Option<&crate::data::xml::XmlDocument>,
) {
    if !text_type.is_empty() && text_type != "text" {
        te.set_attribute("type", text_type.to_string());
    }
    node.write_common(te);
    let is_xml = text_type == "xhtml" || text_type.ends_with("+xml") || text_type.ends_with("/xml");
    match xml.and_then(|d| d.root.clone()) {
        Some(root) if is_xml => te.children.push(XmlNode::Element(root)),
        _ if text_type == "xhtml" => {
            // No XHTML tree: the text becomes the div's (escaped) content.
            let div = te.append_element(XmlElement::new("div", XHTML));
            div.append_text(text.to_string());
        }
        _ => te.append_text(text.to_string()),
    }
    node.write_extensions(te);
}
