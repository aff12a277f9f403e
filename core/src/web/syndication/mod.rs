//! `Windows.Web.Syndication`: RSS and Atom feeds as an object model ([`SyndicationFeed`],
//! [`SyndicationItem`], ...), read from any of six formats and written back as XML
//! (docs/syndication.md).
//!
//! Decisions (WinRT leaves these open):
//! - The model is plain owned data (`Clone`, `PartialEq`); every class's `ISyndicationNode`
//!   members live in its `node` field ([`SyndicationNode`]).
//! - WinRT's non-nullable `DateTime` and object properties are `Option` here: a feed without
//!   a date has `None`, not 1601-01-01.
//! - Dates that neither the RFC 822 nor the RFC 3339 reader understands (with their common
//!   variants, see `dates.rs`) leave the property `None` and the element is kept as an
//!   extension, so nothing is lost. URIs that are relative with no `xml:base` (or document
//!   URI) to resolve them against are kept the same way.
//! - Required elements: a feed needs a title (Atom `feed/title`, RSS `channel/title`), RSS
//!   needs its `channel`, and an Atom entry needs an `id`; anything else may be absent.
//! - `GetXmlDocument` writes Atom 1.0 and RSS 2.0 (and RSS 0.92/0.91, which are RSS 2.0's
//!   subset with another version number); Atom 0.3 and RSS 1.0 are read-only, as obsolete
//!   formats, and asking to write them is `E_INVALIDARG`.

mod client;
mod dates;
mod model;
mod node;
pub(crate) mod read;
pub(crate) mod transport;
pub(crate) mod write;

pub use client::SyndicationClient;
pub(crate) use client::{http_url, syndication_client_settings};

pub use model::{
    SyndicationAttribute, SyndicationCategory, SyndicationContent, SyndicationFeed, SyndicationGenerator,
    SyndicationItem, SyndicationLink, SyndicationPerson, SyndicationText,
};
pub use node::SyndicationNode;

use crate::error::HResult;
use crate::error::hresult::{
    WEB_E_INVALID_XML, WEB_E_MISSING_REQUIRED_ATTRIBUTE, WEB_E_MISSING_REQUIRED_ELEMENT,
    WEB_E_UNEXPECTED_CONTENT, WEB_E_UNSUPPORTED_FORMAT,
};

winrt_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    /// `Windows.Web.Syndication.SyndicationFormat`: the format of a feed document.
    pub enum SyndicationFormat {
        /// Atom 1.0 (RFC 4287).
        #[default]
        Atom10 = 0,
        /// RSS 2.0.
        Rss20 = 1,
        /// RSS 1.0 (RDF Site Summary).
        Rss10 = 2,
        /// RSS 0.92.
        Rss092 = 3,
        /// RSS 0.91.
        Rss091 = 4,
        /// Atom 0.3 (the pre-standard draft).
        Atom03 = 5,
    }
}

winrt_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    /// `Windows.Web.Syndication.SyndicationErrorStatus`: why a feed could not be read.
    pub enum SyndicationErrorStatus {
        /// Not a syndication error (or one netrt does not classify).
        #[default]
        Unknown = 0,
        /// An element the format requires is missing.
        MissingRequiredElement = 1,
        /// An attribute the format requires is missing.
        MissingRequiredAttribute = 2,
        /// The document is not well-formed XML (or uses a DTD, or nests too deep).
        InvalidXml = 3,
        /// Content of a kind the format does not allow in that place.
        UnexpectedContent = 4,
        /// The document is not a feed in a format netrt reads.
        UnsupportedFormat = 5,
    }
}

winrt_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    /// `Windows.Web.Syndication.SyndicationTextType`: how a SyndicationText's text is meant.
    pub enum SyndicationTextType {
        /// Plain text.
        #[default]
        Text = 0,
        /// Escaped HTML markup.
        Html = 1,
        /// An XHTML `div` (in `Xml`).
        Xhtml = 2,
    }
}

impl SyndicationTextType {
    /// The `type` attribute value (`text`, `html`, `xhtml`).
    pub fn as_type_attribute(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Html => "html",
            Self::Xhtml => "xhtml",
        }
    }
}

/// `SyndicationError.GetStatus(hresult)`: the status a syndication or AtomPub failure means.
pub fn syndication_error_get_status(hr: HResult) -> SyndicationErrorStatus {
    match hr {
        WEB_E_MISSING_REQUIRED_ELEMENT => SyndicationErrorStatus::MissingRequiredElement,
        WEB_E_MISSING_REQUIRED_ATTRIBUTE => SyndicationErrorStatus::MissingRequiredAttribute,
        WEB_E_INVALID_XML => SyndicationErrorStatus::InvalidXml,
        WEB_E_UNEXPECTED_CONTENT => SyndicationErrorStatus::UnexpectedContent,
        WEB_E_UNSUPPORTED_FORMAT => SyndicationErrorStatus::UnsupportedFormat,
        _ => SyndicationErrorStatus::Unknown,
    }
}

/// `RetrievalProgress`: how much of a response has arrived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RetrievalProgress {
    /// `BytesRetrieved`.
    pub bytes_retrieved: u32,
    /// `TotalBytesToRetrieve`: the response's declared length, 0 when it declares none.
    pub total_bytes_to_retrieve: u32,
}

/// `TransferProgress`: how much of a request has been sent and of its response received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TransferProgress {
    /// `BytesSent`.
    pub bytes_sent: u32,
    /// `TotalBytesToSend`.
    pub total_bytes_to_send: u32,
    /// `BytesRetrieved`.
    pub bytes_retrieved: u32,
    /// `TotalBytesToRetrieve`: the response's declared length, 0 when it declares none.
    pub total_bytes_to_retrieve: u32,
}

impl TransferProgress {
    /// The receiving half.
    pub fn retrieval(self) -> RetrievalProgress {
        RetrievalProgress {
            bytes_retrieved: self.bytes_retrieved,
            total_bytes_to_retrieve: self.total_bytes_to_retrieve,
        }
    }
}

/// Namespaces the readers and writers know.
pub(crate) mod ns {
    /// Atom 1.0.
    pub const ATOM10: &str = "http://www.w3.org/2005/Atom";
    /// Atom 0.3.
    pub const ATOM03: &str = "http://purl.org/atom/ns#";
    /// RSS 1.0.
    pub const RSS10: &str = "http://purl.org/rss/1.0/";
    /// RDF (RSS 1.0's root).
    pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    /// Dublin Core elements (dates and creators in RSS 1.0 and many RSS 2.0 feeds).
    pub const DC: &str = "http://purl.org/dc/elements/1.1/";
    /// RSS content module (`content:encoded`).
    pub const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
    /// The Atom Publishing Protocol (service documents, `app:edited`).
    pub const APP: &str = "http://www.w3.org/2007/app";
    /// The XHTML namespace (Atom xhtml text constructs).
    pub const XHTML: &str = "http://www.w3.org/1999/xhtml";
}

#[cfg(test)]
mod tests;
