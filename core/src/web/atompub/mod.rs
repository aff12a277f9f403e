//! `Windows.Web.AtomPub`: publishing with the Atom Publishing Protocol (RFC 5023) —
//! [`AtomPubClient`] reads a server's service document and creates, retrieves, updates and
//! deletes entries and media resources in its collections (docs/syndication.md).

mod client;

pub use client::AtomPubClient;

use crate::foundation::Uri;
use crate::web::syndication::{SyndicationCategory, SyndicationNode, SyndicationText};

/// `ServiceDocument`: what a server offers, as workspaces of collections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceDocument {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Workspaces`.
    pub workspaces: Vec<Workspace>,
}

/// `Workspace`: a titled group of collections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workspace {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Title`.
    pub title: Option<SyndicationText>,
    /// `Collections`.
    pub collections: Vec<ResourceCollection>,
}

/// `ResourceCollection`: a collection entries or media are posted to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceCollection {
    /// The `ISyndicationNode` members.
    pub node: SyndicationNode,
    /// `Title`.
    pub title: Option<SyndicationText>,
    /// `Uri`: where to POST (`href`, resolved).
    pub uri: Option<Uri>,
    /// `Accepts`: the media types the collection takes (`app:accept`).
    pub accepts: Vec<String>,
    /// `Categories`: the inline categories it allows.
    pub categories: Vec<SyndicationCategory>,
}

impl ServiceDocument {
    /// `GetXmlDocument(format)`: the `app:service` document (the same in every format).
    pub fn get_xml_document(&self) -> crate::data::xml::XmlDocument {
        crate::data::xml::XmlDocument::with_root(crate::web::syndication::write::service::service(self))
    }
}

impl Workspace {
    /// `GetXmlDocument(format)`: the `app:workspace` element.
    pub fn get_xml_document(&self) -> crate::data::xml::XmlDocument {
        crate::data::xml::XmlDocument::with_root(crate::web::syndication::write::service::workspace(self))
    }
}

impl ResourceCollection {
    /// `GetXmlDocument(format)`: the `app:collection` element.
    pub fn get_xml_document(&self) -> crate::data::xml::XmlDocument {
        crate::data::xml::XmlDocument::with_root(crate::web::syndication::write::service::collection(self))
    }
}
