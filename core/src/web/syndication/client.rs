//! `SyndicationClient`: retrieves a feed over HTTP(S) with the web layer's credentials,
//! proxies and TLS, and parses it.

use super::transport::ClientCore;
use super::{RetrievalProgress, SyndicationFeed};
use crate::error::Result;
use crate::foundation::{AsyncOperationWithProgress, Uri};
use crate::security::PasswordCredential;
use crate::web::ProxyChoice;

/// `Windows.Web.Syndication.SyndicationClient`.
///
/// Clones share settings and cache (WinRT reference semantics). Redirects are not followed
/// (as everywhere in netrt's web layer: a credential never reaches another origin); a 3xx
/// answer fails with its `HTTP_E_STATUS_*`.
#[derive(Clone)]
pub struct SyndicationClient {
    core: ClientCore,
}

impl Default for SyndicationClient {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for SyndicationClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyndicationClient").field("timeout", &self.timeout()).finish_non_exhaustive()
    }
}

/// The `ISyndicationClient` members, the same on `SyndicationClient` and `AtomPubClient`.
macro_rules! syndication_client_settings {
    () => {
        /// `ServerCredential`: sent in answer to a server's Basic or Digest challenge.
        pub fn server_credential(&self) -> Option<PasswordCredential> {
            self.core.server_credential()
        }

        /// Sets `ServerCredential`.
        pub fn set_server_credential(&self, value: Option<PasswordCredential>) {
            self.core.set_server_credential(value)
        }

        /// `ProxyCredential`: sent in answer to the proxy's challenge (407).
        pub fn proxy_credential(&self) -> Option<PasswordCredential> {
            self.core.proxy_credential()
        }

        /// Sets `ProxyCredential`.
        pub fn set_proxy_credential(&self, value: Option<PasswordCredential>) {
            self.core.set_proxy_credential(value)
        }

        /// netrt extension: which proxy requests go through (the environment by default).
        pub fn proxy(&self) -> ProxyChoice {
            self.core.proxy()
        }

        /// netrt extension: sets the proxy.
        pub fn set_proxy(&self, value: ProxyChoice) {
            self.core.set_proxy(value)
        }

        /// `Timeout` in milliseconds (default 30000; `u32::MAX` waits forever). An operation
        /// not done in time fails with `WININET_E_TIMEOUT` (WebErrorStatus Timeout).
        pub fn timeout(&self) -> u32 {
            self.core.timeout()
        }

        /// Sets `Timeout`.
        pub fn set_timeout(&self, milliseconds: u32) {
            self.core.set_timeout(milliseconds)
        }

        /// `MaxResponseBufferSize` in bytes (default `u32::MAX`): a response that declares
        /// more, or whose body grows past it, fails at once with `WEB_E_RESOURCE_TOO_LARGE`,
        /// before anything is parsed.
        pub fn max_response_buffer_size(&self) -> u32 {
            self.core.max_response_buffer_size()
        }

        /// Sets `MaxResponseBufferSize`.
        pub fn set_max_response_buffer_size(&self, bytes: u32) {
            self.core.set_max_response_buffer_size(bytes)
        }

        /// `BypassCacheOnRetrieve` (default false). When false, a document retrieved before
        /// with an `ETag` or `Last-Modified` is asked for conditionally and a `304` answers
        /// from the client's in-memory cache; when true, requests carry `Cache-Control: no-cache`.
        pub fn bypass_cache_on_retrieve(&self) -> bool {
            self.core.bypass_cache_on_retrieve()
        }

        /// Sets `BypassCacheOnRetrieve`.
        pub fn set_bypass_cache_on_retrieve(&self, value: bool) {
            self.core.set_bypass_cache_on_retrieve(value)
        }

        /// `SetRequestHeader(name, value)`: sent with every request; a name set again gets
        /// the new value appended after a comma.
        ///
        /// # Errors
        /// `E_INVALIDARG` for a name or value HTTP does not allow.
        pub fn set_request_header(&self, name: &str, value: &str) -> Result<()> {
            self.core.set_request_header(name, value)
        }
    };
}
pub(crate) use syndication_client_settings;

impl SyndicationClient {
    /// `SyndicationClient()`.
    pub fn new() -> Self {
        Self { core: ClientCore::new(None) }
    }

    /// `SyndicationClient(serverCredential)`.
    pub fn with_credential(server_credential: PasswordCredential) -> Self {
        Self { core: ClientCore::new(Some(server_credential)) }
    }

    syndication_client_settings!();

    /// `RetrieveFeedAsync(uri)`: GETs and parses the feed. Relative URIs in the feed resolve
    /// against `uri`.
    ///
    /// # Errors
    /// `E_INVALIDARG` for a URI that is not http or https; network, TLS and proxy failures as
    /// the web layer reports them; an HTTP failure status as `HTTP_E_STATUS_*` (401
    /// Unauthorized, 407 ProxyAuthenticationRequired, ...); `WININET_E_TIMEOUT`;
    /// `WEB_E_RESOURCE_TOO_LARGE`; and the feed's parse errors (`SyndicationError.GetStatus`).
    pub async fn retrieve_feed(&self, uri: &Uri) -> Result<SyndicationFeed> {
        self.retrieve_feed_with_progress(uri, |_| {}).await
    }

    /// [`retrieve_feed`](Self::retrieve_feed), telling `progress` how much has arrived.
    ///
    /// # Errors
    /// As [`retrieve_feed`](Self::retrieve_feed).
    pub fn retrieve_feed_with_progress(
        &self,
        uri: &Uri,
        progress: impl Fn(RetrievalProgress) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<SyndicationFeed>> + Send + 'static {
        let url = http_url(uri);
        let core = self.core.clone();
        let base = uri.clone();
        async move {
            let url = url?;
            let progress = move |p: super::TransferProgress| progress(p.retrieval());
            let (body, _etag) = core.retrieve(&url, &progress).await?;
            SyndicationFeed::parse_bytes(&body, Some(&base))
        }
    }

    /// `RetrieveFeedAsync(uri)` as the WinRT operation the projections hand out.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a URI that is not http or https; the rest through the
    /// operation, as [`retrieve_feed`](Self::retrieve_feed).
    pub fn retrieve_feed_async(
        &self,
        uri: &Uri,
    ) -> Result<AsyncOperationWithProgress<SyndicationFeed, RetrievalProgress>> {
        AsyncOperationWithProgress::start(|reporter| {
            self.retrieve_feed_with_progress(uri, move |p| reporter.report(p))
        })
    }
}

/// The URL of an http(s) URI (`E_INVALIDARG` for any other scheme).
pub(crate) fn http_url(uri: &Uri) -> Result<url::Url> {
    let url = uri.url().clone();
    if !matches!(url.scheme(), "http" | "https") {
        return Err(crate::Error::invalid_arg(format!(
            "the URI scheme must be http or https, not {}",
            url.scheme()
        )));
    }
    Ok(url)
}
