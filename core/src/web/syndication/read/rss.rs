//! RSS 2.0 (and 0.92/0.91, its subsets) and RSS 1.0 (RDF). RSS 1.0 puts its items beside
//! the channel, in its own namespace, and its dates and creators in Dublin Core.

use super::{atom, base_of, date, keep, missing, node_of, resolve, text_of, uri};
use crate::data::xml::XmlElement;
use crate::error::Result;
use crate::foundation::Uri;
use crate::web::syndication::ns;
use crate::web::syndication::{
    SyndicationAttribute, SyndicationCategory, SyndicationContent, SyndicationFeed, SyndicationFormat,
    SyndicationGenerator, SyndicationItem, SyndicationLink, SyndicationPerson, SyndicationText,
    SyndicationTextType,
};

/// RSS elements are in no namespace, RSS 1.0's in its own.
fn rss_namespace(format: SyndicationFormat) -> &'static str {
    if format == SyndicationFormat::Rss10 { ns::RSS10 } else { "" }
}

pub(super) fn feed(
    root: &XmlElement,
    outer: Option<&Uri>,
    format: SyndicationFormat,
) -> Result<SyndicationFeed> {
    let rss = rss_namespace(format);
    let (root_base, _) = base_of(root, outer);
    let channel = root.child(rss, "channel").ok_or_else(|| missing("channel"))?;
    let (base, own) = base_of(channel, root_base.as_deref());
    let base = base.as_deref();
    let mut feed = SyndicationFeed { node: node_of(channel, own, &[]), ..SyndicationFeed::default() };
    if format == SyndicationFormat::Rss10 {
        feed.id = channel.attribute_ns(ns::RDF, "about").unwrap_or_default().to_string();
        feed.node.attribute_extensions.retain(|a| !(a.namespace == ns::RDF && a.name == "about"));
    }
    // Items are large: one allocation instead of a doubling series.
    let items_in = if format == SyndicationFormat::Rss10 { root } else { channel };
    feed.items.reserve_exact(items_in.child_elements().filter(|c| c.is(rss, "item")).count());
    let mut pub_date = None;
    let mut has_title = false;
    for child in channel.child_elements() {
        match (child.namespace(), &*child.local_name) {
            (n, "title") if n == rss => {
                has_title = true;
                feed.title = Some(text(child, SyndicationTextType::Text));
            }
            (n, "link") if n == rss => feed.links.push(main_link(&mut feed.node, child, base)),
            (n, "description") if n == rss => feed.subtitle = Some(text(child, SyndicationTextType::Text)),
            ("", "language") | (ns::DC, "language") => feed.node.language = text_of(child),
            ("", "copyright") | (ns::DC, "rights") => {
                feed.rights = Some(text(child, SyndicationTextType::Text))
            }
            ("", "managingEditor") | (ns::DC, "creator") => feed.authors.push(person(child)),
            ("", "lastBuildDate") | (ns::DC, "date") => feed.last_updated_time = date(&mut feed.node, child),
            ("", "pubDate") => pub_date = date(&mut feed.node, child),
            ("", "category") => feed.categories.push(category(child)),
            ("", "generator") => feed.generator = Some(SyndicationGenerator::new(text_of(child))),
            ("", "image") => match child.child("", "url") {
                Some(url) => feed.image_uri = uri(&mut feed.node, url, base),
                None => keep(&mut feed.node, child),
            },
            ("", "item") if format != SyndicationFormat::Rss10 => feed.items.push(item(child, base, format)?),
            (ns::ATOM10, "link") => feed.links.push(atom::foreign_link(child, base)),
            _ => keep(&mut feed.node, child),
        }
    }
    if !has_title {
        return Err(missing("channel/title"));
    }
    if feed.last_updated_time.is_none() {
        feed.last_updated_time = pub_date;
    }
    if format == SyndicationFormat::Rss10 {
        for child in root.child_elements() {
            match (child.namespace(), &*child.local_name) {
                (ns::RSS10, "item") => feed.items.push(item(child, root_base.as_deref(), format)?),
                (ns::RSS10, "channel") => {}
                (ns::RSS10, "image") => {
                    if let Some(url) = child.child(ns::RSS10, "url") {
                        feed.image_uri = uri(&mut feed.node, url, root_base.as_deref());
                    }
                }
                _ => keep(&mut feed.node, child),
            }
        }
    }
    Ok(feed)
}

pub(super) fn item(
    e: &XmlElement,
    outer: Option<&Uri>,
    format: SyndicationFormat,
) -> Result<SyndicationItem> {
    let rss = rss_namespace(format);
    let (base, own) = base_of(e, outer);
    let base = base.as_deref();
    let mut item = SyndicationItem { node: node_of(e, own, &[]), ..SyndicationItem::default() };
    if format == SyndicationFormat::Rss10 {
        item.id = e.attribute_ns(ns::RDF, "about").unwrap_or_default().to_string();
        item.node.attribute_extensions.retain(|a| !(a.namespace == ns::RDF && a.name == "about"));
    }
    for child in e.child_elements() {
        match (child.namespace(), &*child.local_name) {
            (n, "title") if n == rss => item.title = Some(text(child, SyndicationTextType::Text)),
            (n, "link") if n == rss => item.links.push(main_link(&mut item.node, child, base)),
            (n, "description") if n == rss => item.summary = Some(text(child, SyndicationTextType::Html)),
            (ns::CONTENT, "encoded") => {
                item.content = Some(SyndicationContent::new(child.inner_text(), SyndicationTextType::Html))
            }
            ("", "author") | (ns::DC, "creator") => item.authors.push(person(child)),
            ("", "category") | (ns::DC, "subject") => item.categories.push(category(child)),
            ("", "comments") => item.comments_uri = uri(&mut item.node, child, base),
            ("", "enclosure") => item.links.push(enclosure(child, base)),
            ("", "guid") => item.id = text_of(child),
            ("", "pubDate") | (ns::DC, "date") => item.published_date = date(&mut item.node, child),
            (ns::ATOM10, "updated") => item.last_updated_time = date(&mut item.node, child),
            ("", "source") => item.source = Some(Box::new(source(child, base))),
            (ns::ATOM10, "link") => item.links.push(atom::foreign_link(child, base)),
            _ => keep(&mut item.node, child),
        }
    }
    if item.title.is_none() && item.summary.is_none() {
        return Err(missing("item/title or item/description"));
    }
    Ok(item)
}

fn text(e: &XmlElement, text_type: SyndicationTextType) -> SyndicationText {
    let mut t = SyndicationText::with_type(e.inner_text(), text_type);
    t.node = node_of(e, None, &[]);
    t
}

/// A channel's or item's `link`: the alternate link.
fn main_link(
    node: &mut crate::web::syndication::SyndicationNode,
    e: &XmlElement,
    base: Option<&Uri>,
) -> SyndicationLink {
    let mut link = SyndicationLink { relationship: "alternate".to_string(), ..SyndicationLink::default() };
    link.uri = uri(node, e, base);
    link
}

fn enclosure(e: &XmlElement, base: Option<&Uri>) -> SyndicationLink {
    let mut node = node_of(e, None, &["url", "length", "type"]);
    let raw = e.attribute("url").unwrap_or_default();
    let uri = resolve(base, raw);
    if uri.is_none() && !raw.is_empty() {
        node.attribute_extensions.push(SyndicationAttribute::new("url", "", raw));
    }
    SyndicationLink {
        node,
        uri,
        relationship: "enclosure".to_string(),
        media_type: e.attribute("type").unwrap_or_default().to_string(),
        length: e.attribute("length").and_then(|l| l.trim().parse().ok()).unwrap_or(0),
        ..SyndicationLink::default()
    }
}

/// `author`/`managingEditor` hold `email (Name)` (or either part); `dc:creator` a name.
fn person(e: &XmlElement) -> SyndicationPerson {
    let text = text_of(e);
    let mut person = SyndicationPerson { node: node_of(e, None, &[]), ..SyndicationPerson::default() };
    if e.namespace() == ns::DC {
        person.name = text;
    } else if let Some((email, rest)) = text.split_once(" (")
        && let Some(name) = rest.strip_suffix(')')
    {
        person.email = email.trim().to_string();
        person.name = name.trim().to_string();
    } else if text.contains('@') {
        person.email = text;
    } else {
        person.name = text;
    }
    person
}

fn category(e: &XmlElement) -> SyndicationCategory {
    SyndicationCategory {
        node: node_of(e, None, &["domain"]),
        term: text_of(e),
        scheme: e.attribute("domain").unwrap_or_default().to_string(),
        label: String::new(),
    }
}

/// An item's `source`: the channel it came from, by title and URL.
fn source(e: &XmlElement, base: Option<&Uri>) -> SyndicationFeed {
    let mut feed = SyndicationFeed { node: node_of(e, None, &["url"]), ..SyndicationFeed::default() };
    feed.title = Some(SyndicationText::new(text_of(e)));
    if let Some(url) = e.attribute("url").and_then(|u| resolve(base, u)) {
        feed.links.push(SyndicationLink::with_details(url, "alternate", "", "", 0));
    }
    feed
}
