//! `AtomPubClient`: RFC 5023 over the web layer, with the same settings as
//! `SyndicationClient` (credentials, proxy, timeout, response size limit, cache, headers).
//!
//! Decisions (WinRT leaves these open):
//! - Updates send `If-Match` with the item's `ETag` (from the response that produced it),
//!   else with the last ETag this client saw for that URI; a server that finds it stale
//!   answers 412 (`HTTP_E_STATUS_PRECOND_FAILED`, WebErrorStatus PreconditionFailed).
//! - A create answered 201 with an empty body is followed by a GET of its `Location`.
//! - `CancelAsyncOperations` ends every operation in flight with status Canceled.
//! - Media resources are byte vectors in core; the projections wrap them as streams.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::ServiceDocument;
use crate::data::xml::XmlDocument;
use crate::error::{Error, Result};
use crate::foundation::{AsyncOperationWithProgress, Uri};
use crate::security::PasswordCredential;
use crate::web::ProxyChoice;
use crate::web::client::HeaderList;
use crate::web::syndication::transport::{ClientCore, Response};
use crate::web::syndication::{
    RetrievalProgress, SyndicationFeed, SyndicationFormat, SyndicationItem, TransferProgress, http_url, read,
    syndication_client_settings,
};

/// The media type of an Atom entry document.
const ENTRY_TYPE: &str = "application/atom+xml;type=entry";

/// `Windows.Web.AtomPub.AtomPubClient`. Clones share settings, cache and ETags.
#[derive(Clone)]
pub struct AtomPubClient {
    core: ClientCore,
    /// The last ETag seen per resource URI.
    etags: Arc<Mutex<HashMap<String, String>>>,
}

impl Default for AtomPubClient {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for AtomPubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtomPubClient").field("timeout", &self.timeout()).finish_non_exhaustive()
    }
}

type Progress = Arc<dyn Fn(TransferProgress) + Send + Sync>;

impl AtomPubClient {
    /// `AtomPubClient()`.
    pub fn new() -> Self {
        Self { core: ClientCore::new(None), etags: Arc::default() }
    }

    /// `AtomPubClient(serverCredential)`.
    pub fn with_credential(server_credential: PasswordCredential) -> Self {
        Self { core: ClientCore::new(Some(server_credential)), etags: Arc::default() }
    }

    syndication_client_settings!();

    /// `CancelAsyncOperations()`: every operation of this client in flight ends Canceled
    /// (`E_CANCELLED`); later ones run as usual.
    pub fn cancel_async_operations(&self) {
        self.core.cancel_all();
    }

    fn remember(&self, uri: &url::Url, etag: Option<&str>) {
        let mut etags = self.etags.lock().unwrap_or_else(|e| e.into_inner());
        match etag {
            Some(tag) => etags.insert(uri.as_str().to_string(), tag.to_string()),
            None => etags.remove(uri.as_str()),
        };
    }

    fn remembered(&self, uri: &url::Url) -> Option<String> {
        self.etags.lock().unwrap_or_else(|e| e.into_inner()).get(uri.as_str()).cloned()
    }

    /// `RetrieveServiceDocumentAsync(uri)`.
    ///
    /// # Errors
    /// As `SyndicationClient::retrieve_feed`; a document that is not a service document is
    /// `WEB_E_UNSUPPORTED_FORMAT`.
    pub fn retrieve_service_document(
        &self,
        uri: &Uri,
        progress: impl Fn(RetrievalProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<ServiceDocument>> + Send + 'static {
        let (core, url, base) = (self.core.clone(), http_url(uri), uri.clone());
        async move {
            let url = url?;
            let (body, _) = core.retrieve(&url, &move |p: TransferProgress| progress(p.retrieval())).await?;
            read::service_document(&XmlDocument::parse_bytes(&body)?, Some(&base))
        }
    }

    /// `RetrieveFeedAsync(uri)`: a collection's feed.
    ///
    /// # Errors
    /// As `SyndicationClient::retrieve_feed`.
    pub fn retrieve_feed(
        &self,
        uri: &Uri,
        progress: impl Fn(RetrievalProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<SyndicationFeed>> + Send + 'static {
        let (core, url, base) = (self.core.clone(), http_url(uri), uri.clone());
        async move {
            let url = url?;
            let (body, _) = core.retrieve(&url, &move |p: TransferProgress| progress(p.retrieval())).await?;
            SyndicationFeed::parse_bytes(&body, Some(&base))
        }
    }

    /// `RetrieveResourceAsync(uri)`: one entry, with the server's `ETag` in `e_tag`.
    ///
    /// # Errors
    /// As `SyndicationClient::retrieve_feed`.
    pub fn retrieve_resource(
        &self,
        uri: &Uri,
        progress: impl Fn(RetrievalProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<SyndicationItem>> + Send + 'static {
        let (me, url, base) = (self.clone(), http_url(uri), uri.clone());
        async move {
            let url = url?;
            let (body, etag) =
                me.core.retrieve(&url, &move |p: TransferProgress| progress(p.retrieval())).await?;
            me.remember(&url, etag.as_deref());
            entry(&body, &base, etag)
        }
    }

    /// `RetrieveMediaResourceAsync(uri)`: a media resource's bytes.
    ///
    /// # Errors
    /// As `SyndicationClient::retrieve_feed`, parse errors aside.
    pub fn retrieve_media_resource(
        &self,
        uri: &Uri,
        progress: impl Fn(RetrievalProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<Vec<u8>>> + Send + 'static {
        let (me, url) = (self.clone(), http_url(uri));
        async move {
            let url = url?;
            let (body, etag) =
                me.core.retrieve(&url, &move |p: TransferProgress| progress(p.retrieval())).await?;
            me.remember(&url, etag.as_deref());
            Ok(body.as_ref().clone())
        }
    }

    /// `CreateResourceAsync(uri, description, item)`: POSTs `item` as an Atom entry to the
    /// collection at `uri`, `description` as its `Slug`; returns the entry the server made.
    ///
    /// # Errors
    /// `E_INVALIDARG` for a URI that is not http(s); a status other than 201 as
    /// `HTTP_E_STATUS_*`; the rest as `SyndicationClient::retrieve_feed`.
    pub fn create_resource(
        &self,
        uri: &Uri,
        description: &str,
        item: &SyndicationItem,
        progress: impl Fn(TransferProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<SyndicationItem>> + Send + 'static {
        let body = entry_body(item);
        self.create(uri, description, ENTRY_TYPE.to_string(), body, Arc::new(progress))
    }

    /// `CreateMediaResourceAsync(uri, mediaType, description, stream)`: POSTs `media` to the
    /// collection; returns the media link entry the server made.
    ///
    /// # Errors
    /// As [`create_resource`](Self::create_resource).
    pub fn create_media_resource(
        &self,
        uri: &Uri,
        media_type: &str,
        description: &str,
        media: Vec<u8>,
        progress: impl Fn(TransferProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<SyndicationItem>> + Send + 'static {
        self.create(uri, description, media_type.to_string(), Ok(Bytes::from(media)), Arc::new(progress))
    }

    fn create(
        &self,
        uri: &Uri,
        description: &str,
        content_type: String,
        body: Result<Bytes>,
        progress: Progress,
    ) -> impl Future<Output = Result<SyndicationItem>> + Send + 'static {
        let (me, url, base) = (self.clone(), http_url(uri), uri.clone());
        let slug = slug(description);
        async move {
            let url = url?;
            let mut headers: HeaderList = vec![("Content-Type".into(), content_type)];
            if let Some(slug) = slug {
                headers.push(("Slug".into(), slug));
            }
            let response = me.core.fetch(hyper::Method::POST, &url, headers, body?, &*progress).await?;
            if response.status != 201 {
                return Err(Error::from_http_status(response.status, format!("POST {url}")));
            }
            let location = response.header("location").and_then(|l| base.combine_uri(&l).ok());
            let etag = response.header("etag");
            if response.body.is_empty() {
                let location = location.ok_or_else(|| {
                    Error::new(
                        crate::error::hresult::WININET_E_INVALID_SERVER_RESPONSE,
                        format!("POST {url}: 201 without an entry or a Location"),
                    )
                })?;
                return me.retrieve_resource(&location, |_| {}).await;
            }
            let at = location.clone().unwrap_or(base);
            me.remember(at.url(), etag.as_deref());
            entry(&response.body, &at, etag)
        }
    }

    /// `UpdateResourceAsync(uri, item)`: PUTs `item` to `uri` with `If-Match`.
    ///
    /// # Errors
    /// A stale ETag is `HTTP_E_STATUS_PRECOND_FAILED` (412); other failures as
    /// [`create_resource`](Self::create_resource).
    pub fn update_resource(
        &self,
        uri: &Uri,
        item: &SyndicationItem,
        progress: impl Fn(TransferProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        let etag = (!item.e_tag.is_empty()).then(|| item.e_tag.clone());
        self.update(http_url(uri), ENTRY_TYPE.to_string(), entry_body(item), etag, Arc::new(progress))
    }

    /// `UpdateResourceItemAsync(item)`: [`update_resource`](Self::update_resource) to the
    /// item's edit URI.
    ///
    /// # Errors
    /// `E_INVALIDARG` when the item has no `edit` link; otherwise as `update_resource`.
    pub fn update_resource_item(
        &self,
        item: &SyndicationItem,
        progress: impl Fn(TransferProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        let url = edit_uri(item).and_then(|u| http_url(&u));
        let etag = (!item.e_tag.is_empty()).then(|| item.e_tag.clone());
        self.update(url, ENTRY_TYPE.to_string(), entry_body(item), etag, Arc::new(progress))
    }

    /// `UpdateMediaResourceAsync(uri, mediaType, stream)`: PUTs new bytes with `If-Match`
    /// (the last ETag seen for `uri`).
    ///
    /// # Errors
    /// As [`update_resource`](Self::update_resource).
    pub fn update_media_resource(
        &self,
        uri: &Uri,
        media_type: &str,
        media: Vec<u8>,
        progress: impl Fn(TransferProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        self.update(http_url(uri), media_type.to_string(), Ok(Bytes::from(media)), None, Arc::new(progress))
    }

    fn update(
        &self,
        url: Result<url::Url>,
        content_type: String,
        body: Result<Bytes>,
        etag: Option<String>,
        progress: Progress,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        let me = self.clone();
        async move {
            let url = url?;
            let mut headers: HeaderList = vec![("Content-Type".into(), content_type)];
            if let Some(tag) = etag.or_else(|| me.remembered(&url)) {
                headers.push(("If-Match".into(), tag));
            }
            let response = me.core.fetch(hyper::Method::PUT, &url, headers, body?, &*progress).await?;
            let response = response.success(format!("PUT {url}"))?;
            me.remember(&url, response.header("etag").as_deref());
            Ok(())
        }
    }

    /// `DeleteResourceAsync(uri)`.
    ///
    /// # Errors
    /// A failure status as `HTTP_E_STATUS_*`; the rest as `SyndicationClient::retrieve_feed`.
    pub fn delete_resource(
        &self,
        uri: &Uri,
        progress: impl Fn(TransferProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        self.delete(http_url(uri), Arc::new(progress))
    }

    /// `DeleteResourceItemAsync(item)`: deletes the item at its edit URI.
    ///
    /// # Errors
    /// `E_INVALIDARG` when the item has no `edit` link; otherwise as `delete_resource`.
    pub fn delete_resource_item(
        &self,
        item: &SyndicationItem,
        progress: impl Fn(TransferProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        self.delete(edit_uri(item).and_then(|u| http_url(&u)), Arc::new(progress))
    }

    fn delete(
        &self,
        url: Result<url::Url>,
        progress: Progress,
    ) -> impl Future<Output = Result<()>> + Send + 'static {
        let me = self.clone();
        async move {
            let url = url?;
            let response: Response =
                me.core.fetch(hyper::Method::DELETE, &url, Vec::new(), Bytes::new(), &*progress).await?;
            response.success(format!("DELETE {url}"))?;
            me.remember(&url, None);
            Ok(())
        }
    }

    // The WinRT operations the projections hand out.

    /// `RetrieveServiceDocumentAsync` as a WinRT operation.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http(s).
    pub fn retrieve_service_document_async(
        &self,
        uri: &Uri,
    ) -> Result<AsyncOperationWithProgress<ServiceDocument, RetrievalProgress>> {
        AsyncOperationWithProgress::start(|r| self.retrieve_service_document(uri, move |p| r.report(p)))
    }

    /// `RetrieveFeedAsync` as a WinRT operation.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http(s).
    pub fn retrieve_feed_async(
        &self,
        uri: &Uri,
    ) -> Result<AsyncOperationWithProgress<SyndicationFeed, RetrievalProgress>> {
        AsyncOperationWithProgress::start(|r| self.retrieve_feed(uri, move |p| r.report(p)))
    }

    /// `RetrieveResourceAsync` as a WinRT operation.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http(s).
    pub fn retrieve_resource_async(
        &self,
        uri: &Uri,
    ) -> Result<AsyncOperationWithProgress<SyndicationItem, RetrievalProgress>> {
        AsyncOperationWithProgress::start(|r| self.retrieve_resource(uri, move |p| r.report(p)))
    }

    /// `RetrieveMediaResourceAsync` as a WinRT operation (the bytes; projections make a stream).
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http(s).
    pub fn retrieve_media_resource_async(
        &self,
        uri: &Uri,
    ) -> Result<AsyncOperationWithProgress<Vec<u8>, RetrievalProgress>> {
        AsyncOperationWithProgress::start(|r| self.retrieve_media_resource(uri, move |p| r.report(p)))
    }

    /// `CreateMediaResourceAsync` as a WinRT operation.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http(s).
    pub fn create_media_resource_async(
        &self,
        uri: &Uri,
        media_type: &str,
        description: &str,
        media: Vec<u8>,
    ) -> Result<AsyncOperationWithProgress<SyndicationItem, TransferProgress>> {
        AsyncOperationWithProgress::start(|r| {
            self.create_media_resource(uri, media_type, description, media, move |p| r.report(p))
        })
    }

    /// `UpdateResourceAsync` as a WinRT action with progress.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http(s).
    pub fn update_resource_async(
        &self,
        uri: &Uri,
        item: &SyndicationItem,
    ) -> Result<AsyncOperationWithProgress<(), TransferProgress>> {
        AsyncOperationWithProgress::start(|r| self.update_resource(uri, item, move |p| r.report(p)))
    }

    /// `UpdateResourceItemAsync` as a WinRT action with progress.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously when the item has no edit link.
    pub fn update_resource_item_async(
        &self,
        item: &SyndicationItem,
    ) -> Result<AsyncOperationWithProgress<(), TransferProgress>> {
        AsyncOperationWithProgress::start(|r| self.update_resource_item(item, move |p| r.report(p)))
    }

    /// `UpdateMediaResourceAsync` as a WinRT action with progress.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http(s).
    pub fn update_media_resource_async(
        &self,
        uri: &Uri,
        media_type: &str,
        media: Vec<u8>,
    ) -> Result<AsyncOperationWithProgress<(), TransferProgress>> {
        AsyncOperationWithProgress::start(|r| {
            self.update_media_resource(uri, media_type, media, move |p| r.report(p))
        })
    }

    /// `DeleteResourceAsync` as a WinRT action with progress.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http(s).
    pub fn delete_resource_async(
        &self,
        uri: &Uri,
    ) -> Result<AsyncOperationWithProgress<(), TransferProgress>> {
        AsyncOperationWithProgress::start(|r| self.delete_resource(uri, move |p| r.report(p)))
    }

    /// `CreateResourceAsync` as a WinRT operation.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http(s).
    pub fn create_resource_async(
        &self,
        uri: &Uri,
        description: &str,
        item: &SyndicationItem,
    ) -> Result<AsyncOperationWithProgress<SyndicationItem, TransferProgress>> {
        AsyncOperationWithProgress::start(|r| {
            self.create_resource(uri, description, item, move |p| r.report(p))
        })
    }

    /// `DeleteResourceItemAsync` as a WinRT operation (an action with progress).
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously when the item has no edit link.
    pub fn delete_resource_item_async(
        &self,
        item: &SyndicationItem,
    ) -> Result<AsyncOperationWithProgress<(), TransferProgress>> {
        AsyncOperationWithProgress::start(|r| self.delete_resource_item(item, move |p| r.report(p)))
    }
}

/// The item as the body of a request.
fn entry_body(item: &SyndicationItem) -> Result<Bytes> {
    Ok(Bytes::from(item.get_xml_document(SyndicationFormat::Atom10)?.get_xml()))
}

fn entry(body: &[u8], base: &Uri, etag: Option<String>) -> Result<SyndicationItem> {
    let mut item = read::item_document(&XmlDocument::parse_bytes(body)?, Some(base))?;
    item.e_tag = etag.unwrap_or_default();
    Ok(item)
}

fn edit_uri(item: &SyndicationItem) -> Result<Uri> {
    item.edit_uri()
        .ok_or_else(|| Error::invalid_arg("the item has no edit link (rel=\"edit\") to send it to"))
}

/// RFC 5023 §9.7: the Slug header is percent-encoded UTF-8 outside printable ASCII.
fn slug(description: &str) -> Option<String> {
    if description.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(description.len());
    for b in description.bytes() {
        if (0x20..0x7F).contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_percent_encoded_outside_printable_ascii() {
        assert_eq!(super::slug(""), None);
        assert_eq!(super::slug("The Beach 100%").unwrap(), "The Beach 100%25");
        assert_eq!(super::slug("Café\n").unwrap(), "Caf%C3%A9%0A");
    }
}
