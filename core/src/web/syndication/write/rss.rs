//! The model as RSS 2.0. What RSS has no element for (more links, an item's update time,
//! more than one author) goes in the Atom and Dublin Core elements RSS readers know.

use super::text_element;
use crate::data::xml::XmlElement;
use crate::web::syndication::dates::format_rfc822;
use crate::web::syndication::ns::{ATOM10, CONTENT, DC};
use crate::web::syndication::{SyndicationFeed, SyndicationItem, SyndicationLink, SyndicationPerson};

pub(super) fn feed(feed: &SyndicationFeed, version: &str) -> XmlElement {
    let mut rss = XmlElement::new("rss", "");
    rss.set_attribute("version", version);
    let channel = rss.append_element(XmlElement::new("channel", ""));
    let mut common = feed.node.clone();
    // RSS says the language with an element.
    common.language.clear();
    common.write_common(channel);
    text_element(channel, "", "title", feed.title.as_ref().map(|t| t.text.clone()).unwrap_or_default());
    let main = main_link(&feed.links);
    if let Some(u) = main.and_then(|l| l.uri.as_ref()) {
        text_element(channel, "", "link", u.to_string());
    }
    text_element(
        channel,
        "",
        "description",
        feed.subtitle.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
    );
    if !feed.node.language.is_empty() {
        text_element(channel, "", "language", feed.node.language.clone());
    }
    if let Some(r) = &feed.rights {
        text_element(channel, "", "copyright", r.text.clone());
    }
    people(channel, "managingEditor", &feed.authors);
    if let Some(d) = feed.last_updated_time {
        text_element(channel, "", "lastBuildDate", format_rfc822(d));
    }
    for c in &feed.categories {
        let ce = text_element(channel, "", "category", c.term.clone());
        if !c.scheme.is_empty() {
            ce.set_attribute("domain", c.scheme.clone());
        }
    }
    if let Some(g) = &feed.generator {
        text_element(channel, "", "generator", g.text.clone());
    }
    if let Some(image) = &feed.image_uri {
        // RSS requires the image's title and link; they repeat the channel's.
        let ie = channel.append_element(XmlElement::new("image", ""));
        text_element(ie, "", "url", image.to_string());
        text_element(ie, "", "title", feed.title.as_ref().map(|t| t.text.clone()).unwrap_or_default());
        if let Some(u) = main.and_then(|l| l.uri.as_ref()) {
            text_element(ie, "", "link", u.to_string());
        }
    }
    other_links(channel, &feed.links, main);
    feed.node.write_extensions(channel);
    for item in &feed.items {
        channel.append_element(item_element(item));
    }
    rss
}

pub(super) fn item(item: &SyndicationItem) -> XmlElement {
    item_element(item)
}

fn item_element(item: &SyndicationItem) -> XmlElement {
    let mut e = XmlElement::new("item", "");
    item.node.write_common(&mut e);
    if let Some(t) = &item.title {
        text_element(&mut e, "", "title", t.text.clone());
    }
    let main = main_link(&item.links);
    if let Some(u) = main.and_then(|l| l.uri.as_ref()) {
        text_element(&mut e, "", "link", u.to_string());
    }
    if let Some(s) = &item.summary {
        text_element(&mut e, "", "description", s.text.clone());
    }
    if let Some(c) = item.content.as_ref().filter(|c| c.source_uri.is_none()) {
        text_element(&mut e, CONTENT, "encoded", c.text.clone());
    }
    people(&mut e, "author", &item.authors);
    for c in &item.categories {
        let ce = text_element(&mut e, "", "category", c.term.clone());
        if !c.scheme.is_empty() {
            ce.set_attribute("domain", c.scheme.clone());
        }
    }
    if let Some(u) = &item.comments_uri {
        text_element(&mut e, "", "comments", u.to_string());
    }
    for l in item.links.iter().filter(|l| l.relationship == "enclosure") {
        let ee = e.append_element(XmlElement::new("enclosure", ""));
        if let Some(u) = &l.uri {
            ee.set_attribute("url", u.to_string());
        }
        ee.set_attribute("length", l.length.to_string());
        ee.set_attribute("type", l.media_type.clone());
        l.node.write_common(ee);
    }
    let enclosures_and_main: Vec<&SyndicationLink> = item
        .links
        .iter()
        .filter(|l| l.relationship == "enclosure" || main.is_some_and(|m| std::ptr::eq(*l, m)))
        .collect();
    for l in item.links.iter().filter(|l| !enclosures_and_main.iter().any(|m| std::ptr::eq(*l, *m))) {
        atom_link(&mut e, l);
    }
    if !item.id.is_empty() {
        let ge = text_element(&mut e, "", "guid", item.id.clone());
        if main.and_then(|l| l.uri.as_ref()).map(|u| u.to_string()) != Some(item.id.clone()) {
            ge.set_attribute("isPermaLink", "false");
        }
    }
    if let Some(d) = item.published_date {
        text_element(&mut e, "", "pubDate", format_rfc822(d));
    }
    if let Some(d) = item.last_updated_time {
        text_element(&mut e, ATOM10, "updated", crate::web::syndication::dates::format_rfc3339(d));
    }
    if let Some(source) = &item.source {
        let title = source.title.as_ref().map(|t| t.text.clone()).unwrap_or_default();
        let se = text_element(&mut e, "", "source", title);
        if let Some(u) = main_link(&source.links).and_then(|l| l.uri.as_ref()) {
            se.set_attribute("url", u.to_string());
        }
    }
    item.node.write_extensions(&mut e);
    e
}

/// The link RSS's `link` element carries: the first alternate one.
fn main_link(links: &[SyndicationLink]) -> Option<&SyndicationLink> {
    links.iter().find(|l| l.relationship == "alternate" && l.uri.is_some())
}

fn other_links(parent: &mut XmlElement, links: &[SyndicationLink], main: Option<&SyndicationLink>) {
    for l in links.iter().filter(|l| !main.is_some_and(|m| std::ptr::eq(*l, m))) {
        atom_link(parent, l);
    }
}

fn atom_link(parent: &mut XmlElement, l: &SyndicationLink) {
    super::atom::link(parent, l).prefix = Some("atom".into());
}

/// The first person as RSS's element (`email (Name)`), the rest as `dc:creator`.
fn people(parent: &mut XmlElement, element: &str, people: &[SyndicationPerson]) {
    let mut iter = people.iter();
    if let Some(first) = iter.next() {
        let text = match (first.email.is_empty(), first.name.is_empty()) {
            (false, false) => format!("{} ({})", first.email, first.name),
            (false, true) => first.email.clone(),
            _ => first.name.clone(),
        };
        text_element(parent, "", element, text);
    }
    for p in iter {
        let ce = text_element(parent, DC, "creator", p.name.clone());
        ce.prefix = Some("dc".into());
    }
}
