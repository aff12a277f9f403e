//! Atom 1.0 (RFC 4287) and the Atom 0.3 draft, which differs in names (`tagline`,
//! `copyright`, `modified`, `issued`), in its text constructs (`mode` + a MIME `type`) and
//! in its generator (`url`).

use base64::Engine as _;

use super::{base_of, date, keep, missing, node_of, resolve, text_of, unexpected, uri};
use crate::data::xml::{XmlDocument, XmlElement, XmlNode};
use crate::error::Result;
use crate::foundation::Uri;
use crate::web::syndication::ns;
use crate::web::syndication::{
    SyndicationAttribute, SyndicationCategory, SyndicationContent, SyndicationFeed, SyndicationFormat,
    SyndicationGenerator, SyndicationItem, SyndicationLink, SyndicationPerson, SyndicationText,
};

fn namespace(format: SyndicationFormat) -> &'static str {
    if format == SyndicationFormat::Atom03 { ns::ATOM03 } else { ns::ATOM10 }
}

pub(super) fn feed(
    e: &XmlElement,
    outer: Option<&Uri>,
    format: SyndicationFormat,
) -> Result<SyndicationFeed> {
    let mut feed = metadata(e, outer, format, true)?;
    if feed.title.is_none() {
        return Err(missing("feed/title"));
    }
    feed.source_format = format;
    Ok(feed)
}

/// A `feed` (or an entry's `source`): everything but, when `with_entries` is false, entries.
fn metadata(
    e: &XmlElement,
    outer: Option<&Uri>,
    format: SyndicationFormat,
    with_entries: bool,
) -> Result<SyndicationFeed> {
    let atom = namespace(format);
    let (base, own) = base_of(e, outer);
    let base = base.as_deref();
    let mut feed = SyndicationFeed { node: node_of(e, own, &[]), ..SyndicationFeed::default() };
    if with_entries {
        // Items are large: one allocation instead of a doubling series.
        feed.items.reserve_exact(e.child_elements().filter(|c| c.is(atom, "entry")).count());
    }
    for child in e.child_elements() {
        if child.namespace() != atom {
            keep(&mut feed.node, child);
            continue;
        }
        match (format, &*child.local_name) {
            (_, "id") => feed.id = text_of(child),
            (_, "title") => feed.title = Some(text(child, base, format)?),
            (SyndicationFormat::Atom10, "subtitle") | (SyndicationFormat::Atom03, "tagline") => {
                feed.subtitle = Some(text(child, base, format)?)
            }
            (SyndicationFormat::Atom10, "rights") | (SyndicationFormat::Atom03, "copyright") => {
                feed.rights = Some(text(child, base, format)?)
            }
            (SyndicationFormat::Atom10, "updated") | (SyndicationFormat::Atom03, "modified") => {
                feed.last_updated_time = date(&mut feed.node, child)
            }
            (_, "generator") => feed.generator = Some(generator(child, base, format)),
            (SyndicationFormat::Atom10, "icon") => feed.icon_uri = uri(&mut feed.node, child, base),
            (SyndicationFormat::Atom10, "logo") => feed.image_uri = uri(&mut feed.node, child, base),
            (_, "link") => feed.links.push(link(child, base)),
            (_, "author") => feed.authors.push(person(child, base, format)),
            (_, "contributor") => feed.contributors.push(person(child, base, format)),
            (SyndicationFormat::Atom10, "category") => feed.categories.push(category(child, base)),
            (_, "entry") if with_entries => feed.items.push(entry(child, base, format)?),
            _ => keep(&mut feed.node, child),
        }
    }
    Ok(feed)
}

pub(super) fn entry(
    e: &XmlElement,
    outer: Option<&Uri>,
    format: SyndicationFormat,
) -> Result<SyndicationItem> {
    let atom = namespace(format);
    let (base, own) = base_of(e, outer);
    let base = base.as_deref();
    let mut item = SyndicationItem { node: node_of(e, own, &[]), ..SyndicationItem::default() };
    let mut has_id = false;
    for child in e.child_elements() {
        if child.namespace() != atom {
            keep(&mut item.node, child);
            continue;
        }
        match (format, &*child.local_name) {
            (_, "id") => {
                has_id = true;
                item.id = text_of(child);
            }
            (_, "title") => item.title = Some(text(child, base, format)?),
            (_, "summary") => item.summary = Some(text(child, base, format)?),
            (_, "content") => item.content = Some(content(child, base, format)?),
            (SyndicationFormat::Atom10, "rights") | (SyndicationFormat::Atom03, "copyright") => {
                item.rights = Some(text(child, base, format)?)
            }
            (SyndicationFormat::Atom10, "published") | (SyndicationFormat::Atom03, "issued") => {
                item.published_date = date(&mut item.node, child)
            }
            (SyndicationFormat::Atom10, "updated") | (SyndicationFormat::Atom03, "modified") => {
                item.last_updated_time = date(&mut item.node, child)
            }
            (_, "link") => item.links.push(link(child, base)),
            (_, "author") => item.authors.push(person(child, base, format)),
            (_, "contributor") => item.contributors.push(person(child, base, format)),
            (SyndicationFormat::Atom10, "category") => item.categories.push(category(child, base)),
            (SyndicationFormat::Atom10, "source") => {
                item.source = Some(Box::new(metadata(child, base, format, false)?))
            }
            _ => keep(&mut item.node, child),
        }
    }
    if !has_id {
        return Err(missing("entry/id"));
    }
    Ok(item)
}

/// The text type and XML of an Atom text construct's content.
struct TextBody {
    text: String,
    text_type: String,
    xml: Option<XmlDocument>,
}

/// Reads the body of a text construct or content element: Atom 1.0 `type`
/// (`text`/`html`/`xhtml` or a MIME type), Atom 0.3 `mode` (`xml`/`escaped`/`base64`).
fn body(e: &XmlElement, format: SyndicationFormat) -> Result<TextBody> {
    let declared = e.attribute("type").map(str::trim).unwrap_or("");
    if format == SyndicationFormat::Atom03 {
        let text_type = match declared {
            "text/html" => "html",
            "application/xhtml+xml" => "xhtml",
            "" | "text/plain" => "text",
            other => other,
        };
        return Ok(match e.attribute("mode").map(str::trim) {
            Some("xml") => {
                TextBody { text: e.inner_xml(), text_type: text_type.to_string(), xml: first_element(e) }
            }
            Some("base64") => {
                let raw: String = e.inner_text().chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(raw)
                    .map_err(|err| unexpected(format!("<{}> is not valid base64: {err}", e.tag_name())))?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    unexpected(format!("the base64 content of <{}> is not UTF-8 text", e.tag_name()))
                })?;
                TextBody { text, text_type: text_type.to_string(), xml: None }
            }
            _ => TextBody { text: e.inner_text(), text_type: text_type.to_string(), xml: None },
        });
    }
    let text_type = if declared.is_empty() { "text" } else { declared };
    let is_xml = text_type == "xhtml" || text_type.ends_with("+xml") || text_type.ends_with("/xml");
    if is_xml && e.attribute("src").is_none() {
        let xml = first_element(e).ok_or_else(|| {
            unexpected(format!("<{}> of type {text_type} has no XML element inside", e.tag_name()))
        })?;
        if text_type == "xhtml" && !xml.root.as_ref().is_some_and(|d| d.is(ns::XHTML, "div")) {
            return Err(unexpected(format!("<{}> of type xhtml must hold an XHTML div", e.tag_name())));
        }
        let text = xml.root.as_ref().map(XmlElement::inner_xml).unwrap_or_default();
        return Ok(TextBody { text, text_type: text_type.to_string(), xml: Some(xml) });
    }
    Ok(TextBody { text: e.inner_text(), text_type: text_type.to_string(), xml: None })
}

fn first_element(e: &XmlElement) -> Option<XmlDocument> {
    e.children.iter().find_map(|n| match n {
        XmlNode::Element(c) => Some(XmlDocument::with_root(c.clone())),
        _ => None,
    })
}

pub(super) fn text(
    e: &XmlElement,
    outer: Option<&Uri>,
    format: SyndicationFormat,
) -> Result<SyndicationText> {
    let (_, own) = base_of(e, outer);
    let body = body(e, format)?;
    Ok(SyndicationText {
        node: node_of(e, own, &["type", "mode"]),
        text: body.text,
        text_type: body.text_type,
        xml: body.xml,
    })
}

fn content(e: &XmlElement, outer: Option<&Uri>, format: SyndicationFormat) -> Result<SyndicationContent> {
    let (base, own) = base_of(e, outer);
    let body = body(e, format)?;
    let mut node = node_of(e, own, &["type", "mode", "src"]);
    let source_uri = match e.attribute("src") {
        Some(src) => {
            let resolved = resolve(base.as_deref(), src);
            if resolved.is_none() {
                node.attribute_extensions.push(SyndicationAttribute::new("src", "", src));
            }
            resolved
        }
        None => None,
    };
    Ok(SyndicationContent { node, text: body.text, text_type: body.text_type, xml: body.xml, source_uri })
}

fn link(e: &XmlElement, outer: Option<&Uri>) -> SyndicationLink {
    let (base, own) = base_of(e, outer);
    let mut node = node_of(e, own, &["href", "rel", "type", "hreflang", "title", "length"]);
    let href = e.attribute("href").unwrap_or_default();
    let uri = resolve(base.as_deref(), href);
    if uri.is_none() && !href.is_empty() {
        node.attribute_extensions.push(SyndicationAttribute::new("href", "", href));
    }
    let length = e.attribute("length").unwrap_or_default();
    let parsed_length = length.trim().parse::<u32>().ok();
    if parsed_length.is_none() && !length.is_empty() {
        node.attribute_extensions.push(SyndicationAttribute::new("length", "", length));
    }
    SyndicationLink {
        node,
        uri,
        title: e.attribute("title").unwrap_or_default().to_string(),
        resource_language: e.attribute("hreflang").unwrap_or_default().to_string(),
        // RFC 4287 §4.2.7.2: no rel means "alternate".
        relationship: e
            .attribute("rel")
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or("alternate")
            .to_string(),
        media_type: e.attribute("type").unwrap_or_default().to_string(),
        length: parsed_length.unwrap_or(0),
    }
}

fn person(e: &XmlElement, outer: Option<&Uri>, format: SyndicationFormat) -> SyndicationPerson {
    let atom = namespace(format);
    let (base, own) = base_of(e, outer);
    let mut person = SyndicationPerson { node: node_of(e, own, &[]), ..SyndicationPerson::default() };
    for child in e.child_elements() {
        match (child.namespace() == atom, &*child.local_name) {
            (true, "name") => person.name = text_of(child),
            (true, "email") => person.email = text_of(child),
            (true, "uri") if format == SyndicationFormat::Atom10 => {
                person.uri = uri(&mut person.node, child, base.as_deref())
            }
            (true, "url") if format == SyndicationFormat::Atom03 => {
                person.uri = uri(&mut person.node, child, base.as_deref())
            }
            _ => keep(&mut person.node, child),
        }
    }
    person
}

pub(super) fn category(e: &XmlElement, outer: Option<&Uri>) -> SyndicationCategory {
    let (_, own) = base_of(e, outer);
    SyndicationCategory {
        node: node_of(e, own, &["term", "scheme", "label"]),
        term: e.attribute("term").unwrap_or_default().to_string(),
        scheme: e.attribute("scheme").unwrap_or_default().to_string(),
        label: e.attribute("label").unwrap_or_default().to_string(),
    }
}

fn generator(e: &XmlElement, outer: Option<&Uri>, format: SyndicationFormat) -> SyndicationGenerator {
    let (base, own) = base_of(e, outer);
    let uri_attribute = if format == SyndicationFormat::Atom03 { "url" } else { "uri" };
    let mut node = node_of(e, own, &[uri_attribute, "version"]);
    let raw = e.attribute(uri_attribute).unwrap_or_default();
    let uri = resolve(base.as_deref(), raw);
    if uri.is_none() && !raw.is_empty() {
        node.attribute_extensions.push(SyndicationAttribute::new(uri_attribute, "", raw));
    }
    SyndicationGenerator {
        node,
        text: text_of(e),
        uri,
        version: e.attribute("version").unwrap_or_default().to_string(),
    }
}

/// An Atom 1.0 `link` met inside an RSS document (`atom:link rel="self"`, paging links).
pub(super) fn foreign_link(e: &XmlElement, outer: Option<&Uri>) -> SyndicationLink {
    link(e, outer)
}
