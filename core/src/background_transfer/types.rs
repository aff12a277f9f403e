//! The plain values of background transfers: progress, ranges, response information, errors,
//! groups and the parts of a multipart upload.

use std::sync::{Arc, Mutex, MutexGuard};

use netrt_broker_protocol::protocol::{PartSource, ResponseInfo, TransferState};

use super::enums::{BackgroundTransferBehavior, BackgroundTransferStatus};
use crate::error::{HResult, Result, WebErrorStatus};
use crate::foundation::Uri;
use crate::storage::StorageFile;

/// `BackgroundDownloadProgress`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackgroundDownloadProgress {
    /// Bytes of the response body received (earlier attempts included).
    pub bytes_received: u64,
    /// The response body's size; 0 while unknown.
    pub total_bytes_to_receive: u64,
    /// Where the transfer stands.
    pub status: BackgroundTransferStatus,
    /// The resource changed on the server since the download started.
    pub has_response_changed: bool,
    /// The server could not resume and the download started again from zero.
    pub has_restarted: bool,
}

/// `BackgroundUploadProgress`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackgroundUploadProgress {
    /// Bytes of the server's response received.
    pub bytes_received: u64,
    /// Bytes of the request body sent.
    pub bytes_sent: u64,
    /// The response's size; 0 while unknown.
    pub total_bytes_to_receive: u64,
    /// The request body's size.
    pub total_bytes_to_send: u64,
    /// Where the transfer stands.
    pub status: BackgroundTransferStatus,
    /// The response changed (always false for uploads).
    pub has_response_changed: bool,
    /// The upload started again from zero.
    pub has_restarted: bool,
}

fn status_of(state: &TransferState) -> BackgroundTransferStatus {
    BackgroundTransferStatus::from_i32(state.status as i32).unwrap_or_default()
}

impl From<&TransferState> for BackgroundDownloadProgress {
    fn from(s: &TransferState) -> Self {
        Self {
            bytes_received: s.bytes_received,
            total_bytes_to_receive: s.total_bytes_to_receive,
            status: status_of(s),
            has_response_changed: s.has_response_changed,
            has_restarted: s.has_restarted,
        }
    }
}

impl From<&TransferState> for BackgroundUploadProgress {
    fn from(s: &TransferState) -> Self {
        Self {
            bytes_received: s.bytes_received,
            bytes_sent: s.bytes_sent,
            total_bytes_to_receive: s.total_bytes_to_receive,
            total_bytes_to_send: s.total_bytes_to_send,
            status: status_of(s),
            has_response_changed: s.has_response_changed,
            has_restarted: s.has_restarted,
        }
    }
}

/// `BackgroundTransferFileRange`: bytes of a download already in its file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackgroundTransferFileRange {
    /// Where the range starts.
    pub offset: u64,
    /// How many bytes.
    pub length: u64,
}

/// `ResponseInformation`: the server's final response (after redirects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseInformation {
    info: ResponseInfo,
}

impl ResponseInformation {
    pub(super) fn new(info: ResponseInfo) -> Self {
        Self { info }
    }

    /// `ActualUri`: the URI that answered.
    pub fn actual_uri(&self) -> Uri {
        Uri::new(&self.info.actual_uri).unwrap_or_else(|_| {
            // The daemon reports a URL it parsed itself; this cannot fail in practice.
            Uri::new("about:blank").expect("a valid URI")
        })
    }

    /// `Headers`: the response headers, in order (a read-only map in the projections; a
    /// repeated name keeps its values in order).
    pub fn headers(&self) -> Vec<(String, String)> {
        self.info.headers.clone()
    }

    /// `IsResumable`: the server accepts ranges and sent a validator.
    pub fn is_resumable(&self) -> bool {
        self.info.is_resumable
    }

    /// `StatusCode`.
    pub fn status_code(&self) -> u32 {
        self.info.status_code
    }
}

/// `BackgroundTransferError`.
#[derive(Debug, Clone, Copy)]
pub struct BackgroundTransferError;

impl BackgroundTransferError {
    /// `GetStatus(hresult)`: the WebErrorStatus an HRESULT of a failed transfer stands for.
    pub fn get_status(hresult: HResult) -> WebErrorStatus {
        crate::error::web_error_get_status(hresult)
    }
}

#[derive(Debug)]
struct GroupFields {
    name: String,
    behavior: BackgroundTransferBehavior,
}

/// `BackgroundTransferGroup`: transfers that belong together, run in parallel or one at a
/// time. Cloning gives the same group.
#[derive(Debug, Clone)]
pub struct BackgroundTransferGroup {
    fields: Arc<Mutex<GroupFields>>,
}

impl BackgroundTransferGroup {
    /// `CreateGroup(name)`: groups are identified by name (two groups of one name are the same
    /// group to the daemon).
    pub fn create_group(name: &str) -> Self {
        let fields = GroupFields { name: name.to_owned(), behavior: BackgroundTransferBehavior::Parallel };
        Self { fields: Arc::new(Mutex::new(fields)) }
    }

    fn lock(&self) -> MutexGuard<'_, GroupFields> {
        self.fields.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Name`.
    pub fn name(&self) -> String {
        self.lock().name.clone()
    }

    /// `TransferBehavior` (Parallel unless set).
    pub fn transfer_behavior(&self) -> BackgroundTransferBehavior {
        self.lock().behavior
    }

    /// Sets `TransferBehavior`; it applies to operations created afterwards.
    pub fn set_transfer_behavior(&self, behavior: BackgroundTransferBehavior) {
        self.lock().behavior = behavior;
    }

    pub(super) fn with_behavior(name: String, behavior: BackgroundTransferBehavior) -> Self {
        Self { fields: Arc::new(Mutex::new(GroupFields { name, behavior })) }
    }
}

/// `BackgroundTransferContentPart`: one part of a multipart upload. Cloning gives the same part.
#[derive(Debug, Clone, Default)]
pub struct BackgroundTransferContentPart {
    part: Arc<Mutex<PartSource>>,
}

impl BackgroundTransferContentPart {
    /// `BackgroundTransferContentPart()`: no name, no content.
    pub fn new() -> Self {
        Self::default()
    }

    /// `BackgroundTransferContentPart(name)`: a form field.
    pub fn with_name(name: &str) -> Self {
        let part = PartSource { name: Some(name.to_owned()), ..Default::default() };
        Self { part: Arc::new(Mutex::new(part)) }
    }

    /// `BackgroundTransferContentPart(name, fileName)`: a file field.
    pub fn with_file_name(name: &str, file_name: &str) -> Self {
        let part = PartSource {
            name: Some(name.to_owned()),
            file_name: Some(file_name.to_owned()),
            ..Default::default()
        };
        Self { part: Arc::new(Mutex::new(part)) }
    }

    fn lock(&self) -> MutexGuard<'_, PartSource> {
        self.part.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `SetHeader(headerName, headerValue)`.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty name or a name or value that is not a valid header.
    pub fn set_header(&self, name: &str, value: &str) -> Result<()> {
        super::settings::check_header(name, value)?;
        self.lock().headers.push((name.to_owned(), value.to_owned()));
        Ok(())
    }

    /// `SetText(value)`: the part's content is this text (UTF-8); replaces a file.
    pub fn set_text(&self, value: &str) {
        let mut part = self.lock();
        part.text = Some(value.to_owned());
        part.file = None;
    }

    /// `SetFile(value)`: the part's content is this file, read when the upload runs; replaces
    /// text.
    pub fn set_file(&self, file: &StorageFile) {
        let mut part = self.lock();
        part.file = Some(file.path());
        part.text = None;
    }

    pub(super) fn source(&self) -> PartSource {
        self.lock().clone()
    }
}
