//! The feed object model: one struct per WinRT class, each with its `ISyndicationNode` part
//! in `node`.

use super::SyndicationTextType;
use super::node::SyndicationNode;
use crate::data::xml::XmlDocument;
use crate::foundation::{DateTime, Uri};

pub use super::node::SyndicationAttribute;

/// `SyndicationText`: a title, subtitle, summary or rights text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationText {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Text`: the text (escaped markup for `html`; the `div`'s markup for `xhtml`).
    pub text: String,
    /// `Type`: `text`, `html` or `xhtml` (or a MIME type, in content).
    pub text_type: String,
    /// `Xml`: the XHTML `div` of an `xhtml` text.
    pub xml: Option<XmlDocument>,
}

impl SyndicationText {
    /// `SyndicationText(text)`: plain text.
    pub fn new(text: impl Into<String>) -> Self {
        Self::with_type(text, SyndicationTextType::Text)
    }

    /// `SyndicationText(text, type)`.
    pub fn with_type(text: impl Into<String>, text_type: SyndicationTextType) -> Self {
        Self { text: text.into(), text_type: text_type.as_type_attribute().to_string(), ..Self::default() }
    }
}

/// `SyndicationContent`: an item's content, inline or by reference (`SourceUri`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationContent {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Text`.
    pub text: String,
    /// `Type`: `text`, `html`, `xhtml` or a MIME type.
    pub text_type: String,
    /// `Xml`: inline XML content (`xhtml`, or an XML media type).
    pub xml: Option<XmlDocument>,
    /// `SourceUri`: out-of-line content (Atom `content/@src`).
    pub source_uri: Option<Uri>,
}

impl SyndicationContent {
    /// `SyndicationContent(text, type)`.
    pub fn new(text: impl Into<String>, text_type: SyndicationTextType) -> Self {
        Self { text: text.into(), text_type: text_type.as_type_attribute().to_string(), ..Self::default() }
    }

    /// `SyndicationContent(sourceUri)`.
    pub fn from_source(source_uri: Uri) -> Self {
        Self { source_uri: Some(source_uri), ..Self::default() }
    }
}

/// `SyndicationLink`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationLink {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Uri`: the link's target (`href`), resolved against `xml:base`.
    pub uri: Option<Uri>,
    /// `Title`.
    pub title: String,
    /// `ResourceLanguage` (`hreflang`).
    pub resource_language: String,
    /// `Relationship` (`rel`; Atom's default is `alternate`).
    pub relationship: String,
    /// `MediaType` (`type`).
    pub media_type: String,
    /// `Length` in bytes (0 when unknown).
    pub length: u32,
}

impl SyndicationLink {
    /// `SyndicationLink(uri)`.
    pub fn new(uri: Uri) -> Self {
        Self { uri: Some(uri), ..Self::default() }
    }

    /// `SyndicationLink(uri, relationship, title, mediaType, length)`.
    pub fn with_details(uri: Uri, relationship: &str, title: &str, media_type: &str, length: u32) -> Self {
        Self {
            uri: Some(uri),
            relationship: relationship.to_string(),
            title: title.to_string(),
            media_type: media_type.to_string(),
            length,
            ..Self::default()
        }
    }
}

/// `SyndicationPerson`: an author or contributor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationPerson {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Name`.
    pub name: String,
    /// `Email`.
    pub email: String,
    /// `Uri`.
    pub uri: Option<Uri>,
}

impl SyndicationPerson {
    /// `SyndicationPerson(name)`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Self::default() }
    }

    /// `SyndicationPerson(name, email, uri)`.
    pub fn with_details(name: impl Into<String>, email: impl Into<String>, uri: Option<Uri>) -> Self {
        Self { name: name.into(), email: email.into(), uri, ..Self::default() }
    }
}

/// `SyndicationCategory`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationCategory {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Term`.
    pub term: String,
    /// `Scheme` (RSS `domain`).
    pub scheme: String,
    /// `Label`.
    pub label: String,
}

impl SyndicationCategory {
    /// `SyndicationCategory(term)`.
    pub fn new(term: impl Into<String>) -> Self {
        Self { term: term.into(), ..Self::default() }
    }

    /// `SyndicationCategory(term, scheme, label)`.
    pub fn with_details(
        term: impl Into<String>,
        scheme: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Self { term: term.into(), scheme: scheme.into(), label: label.into(), ..Self::default() }
    }
}

/// `SyndicationGenerator`: the software that made the feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationGenerator {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Text`.
    pub text: String,
    /// `Uri`.
    pub uri: Option<Uri>,
    /// `Version`.
    pub version: String,
}

impl SyndicationGenerator {
    /// `SyndicationGenerator(text)`.
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), ..Self::default() }
    }
}

/// `SyndicationItem`: an Atom entry or RSS item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationItem {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Id` (Atom `id`, RSS `guid`).
    pub id: String,
    /// `Title`.
    pub title: Option<SyndicationText>,
    /// `Summary` (RSS `description`).
    pub summary: Option<SyndicationText>,
    /// `Content` (Atom `content`, RSS `content:encoded`).
    pub content: Option<SyndicationContent>,
    /// `Rights`.
    pub rights: Option<SyndicationText>,
    /// `PublishedDate` (Atom `published`, RSS `pubDate`).
    pub published_date: Option<DateTime>,
    /// `LastUpdatedTime` (Atom `updated`).
    pub last_updated_time: Option<DateTime>,
    /// `CommentsUri` (RSS `comments`).
    pub comments_uri: Option<Uri>,
    /// `Links` (RSS `link` and `enclosure` become links too).
    pub links: Vec<SyndicationLink>,
    /// `Authors`.
    pub authors: Vec<SyndicationPerson>,
    /// `Contributors`.
    pub contributors: Vec<SyndicationPerson>,
    /// `Categories`.
    pub categories: Vec<SyndicationCategory>,
    /// `Source`: the feed an aggregated item came from.
    pub source: Option<Box<SyndicationFeed>>,
    /// `ETag`: the entity tag the server gave this item (AtomPub), `""` when none.
    pub e_tag: String,
}

impl SyndicationItem {
    /// `SyndicationItem()`.
    pub fn new() -> Self {
        Self::default()
    }

    /// `SyndicationItem(title, content, uri)`: `uri` becomes the alternate link.
    pub fn with_details(title: &str, content: SyndicationContent, uri: Option<Uri>) -> Self {
        let mut item =
            Self { title: Some(SyndicationText::new(title)), content: Some(content), ..Self::default() };
        if let Some(uri) = uri {
            item.links.push(SyndicationLink::with_details(uri, "alternate", "", "", 0));
        }
        item
    }

    /// `ItemUri`: the alternate link (the item's web page).
    pub fn item_uri(&self) -> Option<Uri> {
        link_with(&self.links, "alternate")
    }

    /// `EditUri`: the AtomPub `edit` link.
    pub fn edit_uri(&self) -> Option<Uri> {
        link_with(&self.links, "edit")
    }

    /// `EditMediaUri`: the AtomPub `edit-media` link.
    pub fn edit_media_uri(&self) -> Option<Uri> {
        link_with(&self.links, "edit-media")
    }

    /// `Load(String)`: replaces this item with the Atom entry (or RSS item) in `xml`.
    ///
    /// # Errors
    /// As [`SyndicationFeed::load`].
    pub fn load(&mut self, xml: &str) -> crate::Result<()> {
        *self = super::read::item_document(&XmlDocument::parse(xml)?, None)?;
        Ok(())
    }

    /// `LoadFromXml(XmlDocument)`.
    ///
    /// # Errors
    /// As [`SyndicationFeed::load`].
    pub fn load_from_xml(&mut self, document: &XmlDocument) -> crate::Result<()> {
        *self = super::read::item_document(document, None)?;
        Ok(())
    }

    /// `GetXmlDocument(format)`: the item as an Atom `entry` or RSS `item` document.
    ///
    /// # Errors
    /// `E_INVALIDARG` for a format netrt does not write (Atom 0.3, RSS 1.0).
    pub fn get_xml_document(&self, format: super::SyndicationFormat) -> crate::Result<XmlDocument> {
        super::write::item_document(self, format)
    }
}

/// `SyndicationFeed`: a feed and its items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationFeed {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Id`.
    pub id: String,
    /// `Title`.
    pub title: Option<SyndicationText>,
    /// `Subtitle` (RSS `description`).
    pub subtitle: Option<SyndicationText>,
    /// `Rights` (RSS `copyright`).
    pub rights: Option<SyndicationText>,
    /// `Generator`.
    pub generator: Option<SyndicationGenerator>,
    /// `LastUpdatedTime` (Atom `updated`; RSS `lastBuildDate`, else `pubDate`).
    pub last_updated_time: Option<DateTime>,
    /// `ImageUri` (Atom `logo`, RSS `image/url`).
    pub image_uri: Option<Uri>,
    /// `IconUri` (Atom `icon`).
    pub icon_uri: Option<Uri>,
    /// `Items`.
    pub items: Vec<SyndicationItem>,
    /// `Links`.
    pub links: Vec<SyndicationLink>,
    /// `Categories`.
    pub categories: Vec<SyndicationCategory>,
    /// `Authors`.
    pub authors: Vec<SyndicationPerson>,
    /// `Contributors`.
    pub contributors: Vec<SyndicationPerson>,
    /// `SourceFormat`: the format the feed was read from.
    pub source_format: SyndicationFormat,
}

use super::SyndicationFormat;

impl SyndicationFeed {
    /// `SyndicationFeed()`.
    pub fn new() -> Self {
        Self::default()
    }

    /// `SyndicationFeed(title, subtitle, uri)`: `uri` becomes the alternate link.
    pub fn with_details(title: &str, subtitle: &str, uri: Option<Uri>) -> Self {
        let mut feed = Self {
            title: Some(SyndicationText::new(title)),
            subtitle: Some(SyndicationText::new(subtitle)),
            ..Self::default()
        };
        if let Some(uri) = uri {
            feed.links.push(SyndicationLink::with_details(uri, "alternate", "", "", 0));
        }
        feed
    }

    /// Parses a feed document.
    ///
    /// # Errors
    /// As [`SyndicationFeed::load`].
    pub fn parse(xml: &str) -> crate::Result<Self> {
        super::read::feed_streaming(xml.as_bytes(), |hook| crate::data::xml::parse_str_with(xml, hook), None)
    }

    /// Parses a feed document received from `base` (which resolves its relative URIs).
    ///
    /// # Errors
    /// As [`SyndicationFeed::load`].
    pub fn parse_bytes(bytes: &[u8], base: Option<&Uri>) -> crate::Result<Self> {
        super::read::feed_streaming(bytes, |hook| crate::data::xml::parse_bytes_with(bytes, hook), base)
    }

    /// `Load(String)`: replaces this feed with the one in `xml` (any of the six formats).
    ///
    /// # Errors
    /// `WEB_E_INVALID_XML` for malformed XML; `WEB_E_UNSUPPORTED_FORMAT` for a document that
    /// is not a feed; `WEB_E_MISSING_REQUIRED_ELEMENT` for a feed without what its format
    /// requires. `SyndicationError.GetStatus` maps each to its status. On failure the feed is
    /// left unchanged.
    pub fn load(&mut self, xml: &str) -> crate::Result<()> {
        *self = Self::parse(xml)?;
        Ok(())
    }

    /// `LoadFromXml(XmlDocument)`.
    ///
    /// # Errors
    /// As [`SyndicationFeed::load`].
    pub fn load_from_xml(&mut self, document: &XmlDocument) -> crate::Result<()> {
        *self = super::read::feed_document(document, None)?;
        Ok(())
    }

    /// `GetXmlDocument(format)`: the feed written in `format`.
    ///
    /// # Errors
    /// `E_INVALIDARG` for a format netrt does not write (Atom 0.3, RSS 1.0).
    pub fn get_xml_document(&self, format: SyndicationFormat) -> crate::Result<XmlDocument> {
        super::write::feed_document(self, format)
    }

    /// `FirstUri`: the `first` paging link (RFC 5005).
    pub fn first_uri(&self) -> Option<Uri> {
        link_with(&self.links, "first")
    }

    /// `LastUri`: the `last` paging link.
    pub fn last_uri(&self) -> Option<Uri> {
        link_with(&self.links, "last")
    }

    /// `NextUri`: the `next` paging link.
    pub fn next_uri(&self) -> Option<Uri> {
        link_with(&self.links, "next")
    }

    /// `PreviousUri`: the `previous` (or `prev`) paging link.
    pub fn previous_uri(&self) -> Option<Uri> {
        link_with(&self.links, "previous").or_else(|| link_with(&self.links, "prev"))
    }
}

fn link_with(links: &[SyndicationLink], rel: &str) -> Option<Uri> {
    links.iter().find(|l| l.relationship.eq_ignore_ascii_case(rel)).and_then(|l| l.uri.clone())
}
