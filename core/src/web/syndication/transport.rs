//! The HTTP side shared by `SyndicationClient` and `AtomPubClient` (their `ISyndicationClient`
//! settings): one request over the web layer with the client's credentials, headers and
//! timeout, the response body read under `MaxResponseBufferSize` with progress, and the
//! in-memory cache behind conditional retrieval.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use tokio_util::sync::CancellationToken;

use super::TransferProgress;
use crate::error::hresult::{E_CANCELLED, WEB_E_RESOURCE_TOO_LARGE, WININET_E_TIMEOUT};
use crate::error::{Error, Result};
use crate::security::PasswordCredential;
use crate::web::ProxyChoice;
use crate::web::client::{self, HeaderList, Outgoing, RequestSettings};

/// WinRT's default `Timeout`: 30 s.
pub(crate) const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// A response read in full.
pub(crate) struct Response {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value as text, if present and readable.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    /// The response as an error unless its status is 2xx.
    pub(crate) fn success(self, what: impl std::fmt::Display) -> Result<Self> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(Error::from_http_status(self.status, what))
        }
    }
}

/// What the cache keeps of a retrieved document.
#[derive(Clone)]
struct Cached {
    etag: Option<String>,
    last_modified: Option<String>,
    body: Arc<Vec<u8>>,
}

struct Settings {
    server_credential: Option<PasswordCredential>,
    proxy_credential: Option<PasswordCredential>,
    proxy: ProxyChoice,
    timeout_ms: u32,
    max_response_buffer_size: u32,
    bypass_cache_on_retrieve: bool,
    headers: HeaderList,
    cache: HashMap<String, Cached>,
    /// Cancelled (and replaced) by CancelAsyncOperations.
    cancel: CancellationToken,
}

/// The settings of one client, shared by its clones (WinRT reference semantics).
#[derive(Clone)]
pub(crate) struct ClientCore {
    settings: Arc<Mutex<Settings>>,
}

impl ClientCore {
    pub(crate) fn new(server_credential: Option<PasswordCredential>) -> Self {
        Self {
            settings: Arc::new(Mutex::new(Settings {
                server_credential,
                proxy_credential: None,
                proxy: ProxyChoice::Environment,
                timeout_ms: DEFAULT_TIMEOUT_MS,
                max_response_buffer_size: u32::MAX,
                bypass_cache_on_retrieve: false,
                headers: Vec::new(),
                cache: HashMap::new(),
                cancel: CancellationToken::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn server_credential(&self) -> Option<PasswordCredential> {
        self.lock().server_credential.clone()
    }
    pub(crate) fn set_server_credential(&self, value: Option<PasswordCredential>) {
        self.lock().server_credential = value;
    }
    pub(crate) fn proxy_credential(&self) -> Option<PasswordCredential> {
        self.lock().proxy_credential.clone()
    }
    pub(crate) fn set_proxy_credential(&self, value: Option<PasswordCredential>) {
        self.lock().proxy_credential = value;
    }
    pub(crate) fn proxy(&self) -> ProxyChoice {
        self.lock().proxy.clone()
    }
    pub(crate) fn set_proxy(&self, value: ProxyChoice) {
        self.lock().proxy = value;
    }
    pub(crate) fn timeout(&self) -> u32 {
        self.lock().timeout_ms
    }
    pub(crate) fn set_timeout(&self, ms: u32) {
        self.lock().timeout_ms = ms;
    }
    pub(crate) fn max_response_buffer_size(&self) -> u32 {
        self.lock().max_response_buffer_size
    }
    pub(crate) fn set_max_response_buffer_size(&self, bytes: u32) {
        self.lock().max_response_buffer_size = bytes;
    }
    pub(crate) fn bypass_cache_on_retrieve(&self) -> bool {
        self.lock().bypass_cache_on_retrieve
    }
    pub(crate) fn set_bypass_cache_on_retrieve(&self, value: bool) {
        self.lock().bypass_cache_on_retrieve = value;
    }

    /// `SetRequestHeader`: a name set again gets the new value appended after a comma.
    pub(crate) fn set_request_header(&self, name: &str, value: &str) -> Result<()> {
        client::check_header(name, value)?;
        let mut st = self.lock();
        match st.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            None => st.headers.push((name.to_string(), value.to_string())),
        }
        Ok(())
    }

    /// `CancelAsyncOperations`: every request in flight ends Canceled.
    pub(crate) fn cancel_all(&self) {
        let old = std::mem::take(&mut self.lock().cancel);
        old.cancel();
    }

    /// Sends one request and reads its response under the client's timeout, size limit and
    /// cancellation; `progress` hears how much was sent and received.
    pub(crate) async fn fetch(
        &self,
        method: hyper::Method,
        url: &url::Url,
        headers: HeaderList,
        body: Bytes,
        progress: &(dyn Fn(TransferProgress) + Send + Sync),
    ) -> Result<Response> {
        let (request_settings, timeout_ms, limit, cancel) = {
            let st = self.lock();
            let request_settings = RequestSettings {
                server_credential: st.server_credential.clone(),
                proxy_credential: st.proxy_credential.clone(),
                proxy: st.proxy.clone(),
                headers: st.headers.clone(),
                ..RequestSettings::default()
            };
            (request_settings, st.timeout_ms, st.max_response_buffer_size, st.cancel.clone())
        };
        let what = format!("{method} {url}");
        let exchange = exchange(method, url, headers, body, &request_settings, limit, progress);
        let bounded = async {
            if timeout_ms == u32::MAX {
                return exchange.await;
            }
            match tokio::time::timeout(Duration::from_millis(u64::from(timeout_ms)), exchange).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Error::new(
                    WININET_E_TIMEOUT,
                    format!("{what}: no complete response within {timeout_ms} ms"),
                )),
            }
        };
        tokio::select! {
            outcome = bounded => outcome.map_err(|e| if e.message().starts_with(&what) { e } else { e.context(&what) }),
            () = cancel.cancelled() => Err(Error::new(E_CANCELLED, format!("{what}: cancelled by CancelAsyncOperations"))),
        }
    }

    /// GET `url` for a document: conditional on what the cache holds unless
    /// BypassCacheOnRetrieve (which sends `Cache-Control: no-cache`); a 304 answers from the
    /// cache. Returns the body and the response's ETag.
    pub(crate) async fn retrieve(
        &self,
        url: &url::Url,
        progress: &(dyn Fn(TransferProgress) + Send + Sync),
    ) -> Result<(Arc<Vec<u8>>, Option<String>)> {
        let key = url.as_str().to_string();
        let (bypass, cached) = {
            let st = self.lock();
            (st.bypass_cache_on_retrieve, st.cache.get(&key).cloned())
        };
        let mut headers: HeaderList = Vec::new();
        if bypass {
            headers.push(("Cache-Control".into(), "no-cache".into()));
        } else if let Some(c) = &cached {
            if let Some(etag) = &c.etag {
                headers.push(("If-None-Match".into(), etag.clone()));
            }
            if let Some(date) = &c.last_modified {
                headers.push(("If-Modified-Since".into(), date.clone()));
            }
        }
        let response = self.fetch(hyper::Method::GET, url, headers, Bytes::new(), progress).await?;
        if response.status == 304
            && let Some(c) = cached.filter(|_| !bypass)
        {
            return Ok((c.body, c.etag));
        }
        let response = response.success(format!("GET {url}"))?;
        let etag = response.header("etag");
        let last_modified = response.header("last-modified");
        let body = Arc::new(response.body);
        if !bypass && (etag.is_some() || last_modified.is_some()) {
            let entry = Cached { etag: etag.clone(), last_modified, body: body.clone() };
            self.lock().cache.insert(key, entry);
        }
        Ok((body, etag))
    }
}

async fn exchange(
    method: hyper::Method,
    url: &url::Url,
    headers: HeaderList,
    body: Bytes,
    settings: &RequestSettings,
    limit: u32,
    progress: &(dyn Fn(TransferProgress) + Send + Sync),
) -> Result<Response> {
    let sent = u32::try_from(body.len()).unwrap_or(u32::MAX);
    let request = Outgoing { method, url, headers: &headers, body };
    let (socket, response) = client::send(&request, settings).await?;
    let outcome = read_response(response, sent, limit, progress).await;
    socket.close();
    outcome
}

async fn read_response(
    response: hyper::Response<hyper::body::Incoming>,
    sent: u32,
    limit: u32,
    progress: &(dyn Fn(TransferProgress) + Send + Sync),
) -> Result<Response> {
    let (parts, mut incoming) = response.into_parts();
    let declared: Option<u64> = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    if let Some(length) = declared
        && length > u64::from(limit)
    {
        return Err(too_large(limit, &format!("the response declares {length} bytes")));
    }
    let total = declared.map_or(0, |l| u32::try_from(l).unwrap_or(u32::MAX));
    let mut report = TransferProgress {
        bytes_sent: sent,
        total_bytes_to_send: sent,
        bytes_retrieved: 0,
        total_bytes_to_retrieve: total,
    };
    progress(report);
    // Never trust the declared length for the allocation: grow as the bytes arrive.
    let mut body = Vec::new();
    while let Some(frame) = incoming.frame().await {
        let frame = frame.map_err(|e| client::body_error(&e))?;
        let Ok(data) = frame.into_data() else { continue };
        if body.len() + data.len() > limit as usize {
            return Err(too_large(limit, "the response body grew past it"));
        }
        body.extend_from_slice(&data);
        report.bytes_retrieved = u32::try_from(body.len()).unwrap_or(u32::MAX);
        progress(report);
    }
    Ok(Response { status: parts.status.as_u16(), headers: parts.headers, body })
}

fn too_large(limit: u32, why: &str) -> Error {
    Error::new(WEB_E_RESOURCE_TOO_LARGE, format!("{why}, more than MaxResponseBufferSize ({limit} bytes)"))
}
