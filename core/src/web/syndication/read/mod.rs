//! XML → feed model: format detection, then the Atom (1.0, 0.3) and RSS (2.0, 0.92, 0.91,
//! 1.0) readers. Unknown elements and attributes are kept as extensions on the node that
//! holds them.

mod atom;
mod rss;
mod service;

pub(crate) use service::service_document;

use std::borrow::Cow;

use super::node::{SyndicationNode, unknown_attributes};
use super::{SyndicationFeed, SyndicationFormat, SyndicationItem, ns};
use crate::data::xml::{XmlDocument, XmlElement};
use crate::error::hresult::{
    WEB_E_MISSING_REQUIRED_ELEMENT, WEB_E_UNEXPECTED_CONTENT, WEB_E_UNSUPPORTED_FORMAT,
};
use crate::error::{Error, Result};
use crate::foundation::Uri;

/// Reads a feed document; `base` is the document's own URI, when it came from one.
pub(crate) fn feed_document(doc: &XmlDocument, base: Option<&Uri>) -> Result<SyndicationFeed> {
    let root = doc.root.as_ref().ok_or_else(|| unsupported("the document is empty"))?;
    let format = detect(root)?;
    let mut feed = match format {
        SyndicationFormat::Atom10 | SyndicationFormat::Atom03 => atom::feed(root, base, format)?,
        _ => rss::feed(root, base, format)?,
    };
    feed.source_format = format;
    Ok(feed)
}

/// How many items a feed's item vector first has room for when the document gave no estimate.
const FIRST_ITEMS: usize = 64;

/// How much item memory, per byte of document, an estimate of the item count may reserve up
/// front (a real feed needs about 6: a bare `<entry>` of 7 bytes reads into a ~2 KB item).
const RESERVED_ITEM_BYTES_PER_BYTE: usize = 8;

/// Reads a feed while it is parsed: each entry or item is converted as soon as it closes and
/// its elements dropped, so the document tree never holds more than one entry (the whole
/// tree of a large feed costs more to build and free than the feed model itself). `parse`
/// runs the XML parser with the hook it is given; `raw` is the document as given (to size
/// the item vector).
pub(crate) fn feed_streaming(
    raw: &[u8],
    parse: impl FnOnce(crate::data::xml::OnClose<'_>) -> Result<XmlDocument>,
    base: Option<&Uri>,
) -> Result<SyndicationFeed> {
    // Items are large (a couple of KB): growing the vector by doubling moves every item
    // several times into freshly faulted pages, which was the largest single cost of reading
    // a big feed. One allocation of the estimated size avoids it.
    let mut items: Vec<SyndicationItem> = Vec::with_capacity(expected_items(raw));
    let mut hook = |open: &[XmlElement], e: XmlElement| -> Result<Option<XmlElement>> {
        if items.capacity() == 0 {
            // Items are large and moving them as the vector doubles shows in profiles: start
            // with room for a typical feed's worth.
            items.reserve_exact(FIRST_ITEMS);
        }
        let Some(format) = item_format(open, &e) else { return Ok(Some(e)) };
        // The base in effect inside the elements around the entry: the document's, unless one
        // of them has an `xml:base` (then only that one is owned).
        let mut declared: Option<Uri> = None;
        for outer in open {
            if let (_, Some(own)) = base_of(outer, declared.as_ref().or(base)) {
                declared = Some(own);
            }
        }
        let inner = declared.as_ref().or(base);
        items.push(match format {
            SyndicationFormat::Atom10 | SyndicationFormat::Atom03 => atom::entry(&e, inner, format)?,
            _ => rss::item(&e, inner, format)?,
        });
        Ok(None)
    };
    let doc = parse(&mut hook)?;
    let mut feed = feed_document(&doc, base)?;
    if items.capacity() - items.len() > items.len() / 8 {
        // The estimate counted tags that were not items (in comments, CDATA, text).
        items.shrink_to_fit();
    }
    // The document had no entries left for feed_document to read.
    feed.items = items;
    Ok(feed)
}

/// An estimate of how many entries or items a feed document holds: its `<entry` and `<item`
/// tags. Tags written with a prefix are missed (the vector then grows as usual); tags inside
/// comments, CDATA or other encodings are miscounted, so the estimate is capped to keep a
/// document of bare tags from reserving much more memory than its own size.
fn expected_items(raw: &[u8]) -> usize {
    let tags = count_tags(raw, b"<entry") + count_tags(raw, b"<item");
    let cap = raw.len().saturating_mul(RESERVED_ITEM_BYTES_PER_BYTE) / std::mem::size_of::<SyndicationItem>();
    tags.min(cap)
}

/// How many times `tag` (`<name`) opens an element in `raw`: followed by whitespace, `>` or `/`.
fn count_tags(raw: &[u8], tag: &[u8]) -> usize {
    memchr::memmem::find_iter(raw, tag)
        .filter(|&at| matches!(raw.get(at + tag.len()), Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')))
        .count()
}

/// The format of `e` when it is one of a feed's entries or items (given the elements open
/// around it), `None` for any other element.
fn item_format(open: &[XmlElement], e: &XmlElement) -> Option<SyndicationFormat> {
    let root = open.first()?;
    match (open.len(), root.namespace(), &*root.local_name) {
        (1, ns::ATOM10, "feed") if e.is(ns::ATOM10, "entry") => Some(SyndicationFormat::Atom10),
        (1, ns::ATOM03, "feed") if e.is(ns::ATOM03, "entry") => Some(SyndicationFormat::Atom03),
        (1, ns::RDF, "RDF") if e.is(ns::RSS10, "item") => Some(SyndicationFormat::Rss10),
        (2, "", "rss") if open[1].is("", "channel") && e.is("", "item") => Some(rss_format(root)),
        _ => None,
    }
}

/// The RSS version an `rss` element announces.
fn rss_format(root: &XmlElement) -> SyndicationFormat {
    match root.attribute("version").map(str::trim) {
        Some("0.91") => SyndicationFormat::Rss091,
        Some("0.92") => SyndicationFormat::Rss092,
        // 2.0, 2.0.1, 0.93, 0.94 and feeds that leave the version out: RSS 2.0 is their superset.
        _ => SyndicationFormat::Rss20,
    }
}

/// Reads an item document: an Atom `entry` or an RSS `item`.
pub(crate) fn item_document(doc: &XmlDocument, base: Option<&Uri>) -> Result<SyndicationItem> {
    let root = doc.root.as_ref().ok_or_else(|| unsupported("the document is empty"))?;
    match (root.namespace(), &*root.local_name) {
        (ns::ATOM10, "entry") => atom::entry(root, base, SyndicationFormat::Atom10),
        (ns::ATOM03, "entry") => atom::entry(root, base, SyndicationFormat::Atom03),
        ("", "item") => rss::item(root, base, SyndicationFormat::Rss20),
        (ns::RSS10, "item") => rss::item(root, base, SyndicationFormat::Rss10),
        _ => Err(unsupported(format!("<{}> is not an Atom entry or an RSS item", root.tag_name()))),
    }
}

/// The format a document element announces.
fn detect(root: &XmlElement) -> Result<SyndicationFormat> {
    Ok(match (root.namespace(), &*root.local_name) {
        (ns::ATOM10, "feed") => SyndicationFormat::Atom10,
        (ns::ATOM03, "feed") => SyndicationFormat::Atom03,
        (ns::RDF, "RDF") if root.child(ns::RSS10, "channel").is_some() => SyndicationFormat::Rss10,
        ("", "rss") => rss_format(root),
        (namespace, name) => {
            let what = if namespace.is_empty() { name.to_string() } else { format!("{{{namespace}}}{name}") };
            return Err(unsupported(format!("the document element <{what}> is not an RSS or Atom feed")));
        }
    })
}

pub(super) fn unsupported(message: impl Into<String>) -> Error {
    Error::new(WEB_E_UNSUPPORTED_FORMAT, message)
}

pub(super) fn missing(what: &str) -> Error {
    Error::new(WEB_E_MISSING_REQUIRED_ELEMENT, format!("the required element {what} is missing"))
}

pub(super) fn unexpected(message: impl Into<String>) -> Error {
    Error::new(WEB_E_UNEXPECTED_CONTENT, message)
}

/// The base URI in effect inside `e`, and `e`'s own resolved `xml:base` (for `BaseUri`).
/// The outer base is borrowed, not cloned: most elements have no `xml:base` of their own, and
/// a `Uri` clone is two allocations.
pub(super) fn base_of<'a>(e: &XmlElement, outer: Option<&'a Uri>) -> (Option<Cow<'a, Uri>>, Option<Uri>) {
    match e.xml_attribute("base").and_then(|b| resolve(outer, b)) {
        Some(own) => (Some(Cow::Owned(own.clone())), Some(own)),
        None => (outer.map(Cow::Borrowed), None),
    }
}

/// `text` as an absolute URI, resolved against `base` when relative; `None` when it cannot be.
pub(super) fn resolve(base: Option<&Uri>, text: &str) -> Option<Uri> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match Uri::new(text) {
        Ok(uri) => Some(uri),
        Err(_) => base?.combine_uri(text).ok(),
    }
}

/// The node part of a class read from `e`: `xml:lang`, `xml:base` and unknown attributes
/// (those not in `known`). `NodeName`/`NodeNamespace` stay empty: they would record which
/// format the class was read from, and the model is the same whatever the format.
pub(super) fn node_of(e: &XmlElement, own_base: Option<Uri>, known: &[&str]) -> SyndicationNode {
    SyndicationNode {
        language: e.xml_attribute("lang").unwrap_or_default().to_string(),
        base_uri: own_base,
        attribute_extensions: unknown_attributes(e, known),
        ..SyndicationNode::default()
    }
}

/// The element's text, trimmed (for ids, URIs, dates, names).
pub(super) fn text_of(e: &XmlElement) -> String {
    let text = e.inner_text_ref();
    let trimmed = text.trim();
    if trimmed.len() == text.len() { text.into_owned() } else { trimmed.to_string() }
}

/// Keeps `e` as an element extension of `node`.
pub(super) fn keep(node: &mut SyndicationNode, e: &XmlElement) {
    node.element_extensions.push(SyndicationNode::from_element(e));
}

/// A date element: parsed, or kept as an extension when it cannot be.
pub(super) fn date(node: &mut SyndicationNode, e: &XmlElement) -> Option<crate::foundation::DateTime> {
    let parsed = super::dates::parse(&e.inner_text_ref());
    if parsed.is_none() {
        keep(node, e);
    }
    parsed
}

/// A URI element: resolved, or kept as an extension when it cannot be.
pub(super) fn uri(node: &mut SyndicationNode, e: &XmlElement, base: Option<&Uri>) -> Option<Uri> {
    let (inner, _) = base_of(e, base);
    let resolved = resolve(inner.as_deref(), &e.inner_text_ref());
    if resolved.is_none() {
        keep(node, e);
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_item_estimate_counts_entry_and_item_tags_and_is_capped() {
        let feed = br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry>a</entry><entry
            xml:lang="en"/><entryx/><items/><item>b</item><!-- <entry --></feed>"#;
        // Two entries and the tag in the comment, one item; `entryx` and `items` are not tags.
        assert_eq!((count_tags(feed, b"<entry"), count_tags(feed, b"<item")), (3, 1));
        let padded = [&feed[..], &b" ".repeat(4 * std::mem::size_of::<SyndicationItem>())].concat();
        assert_eq!(expected_items(&padded), 4);
        let hostile = b"<entry/>".repeat(10_000);
        let cap = hostile.len() * RESERVED_ITEM_BYTES_PER_BYTE / std::mem::size_of::<SyndicationItem>();
        assert!(cap < 10_000);
        assert_eq!(expected_items(&hostile), cap);
    }

    #[test]
    fn a_feed_with_tags_in_comments_reads_only_its_entries() {
        let comment = "<!-- <entry> -->".repeat(100);
        let xml = format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{comment}<entry><id>1</id></entry></feed>"#
        );
        let feed = SyndicationFeed::parse(&xml).unwrap();
        assert_eq!(feed.items.len(), 1);
        assert_eq!(feed.items[0].id, "1");
        assert!(feed.items.capacity() < 100, "the unused reservation is given back");
    }
}
