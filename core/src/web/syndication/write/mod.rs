//! Feed model → XML: Atom 1.0 and RSS 2.0 (0.92 and 0.91 are written as RSS 2.0 with their
//! version number: their elements are a subset of it).

mod atom;
mod rss;
pub(crate) mod service;

use super::{SyndicationFeed, SyndicationFormat, SyndicationItem};
use crate::data::xml::{XmlDocument, XmlElement};
use crate::error::{Error, Result};

pub(crate) fn feed_document(feed: &SyndicationFeed, format: SyndicationFormat) -> Result<XmlDocument> {
    Ok(XmlDocument::with_root(match format {
        SyndicationFormat::Atom10 => atom::feed(feed),
        SyndicationFormat::Rss20 => rss::feed(feed, "2.0"),
        SyndicationFormat::Rss092 => rss::feed(feed, "0.92"),
        SyndicationFormat::Rss091 => rss::feed(feed, "0.91"),
        other => return Err(not_written(other)),
    }))
}

pub(crate) fn item_document(item: &SyndicationItem, format: SyndicationFormat) -> Result<XmlDocument> {
    Ok(XmlDocument::with_root(match format {
        SyndicationFormat::Atom10 => atom::entry(item),
        SyndicationFormat::Rss20 | SyndicationFormat::Rss092 | SyndicationFormat::Rss091 => rss::item(item),
        other => return Err(not_written(other)),
    }))
}

fn not_written(format: SyndicationFormat) -> Error {
    Error::invalid_arg(format!(
        "GetXmlDocument writes Atom 1.0 and RSS 2.0/0.92/0.91; {} is read-only in netrt",
        format.name()
    ))
}

/// Appends `<name>text</name>` in `namespace`.
fn text_element<'a>(
    parent: &'a mut XmlElement,
    namespace: &str,
    name: &str,
    text: impl Into<String>,
) -> &'a mut XmlElement {
    let child = parent.append_element(XmlElement::new(name, namespace));
    child.append_text(text);
    child
}
