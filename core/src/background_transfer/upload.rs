//! `BackgroundUploader` and `UploadOperation`.

use std::sync::Arc;

use netrt_broker_protocol::protocol::{
    BodySource, Message, TransferAction, TransferChange, TransferKind, TransferRequest,
};

use super::enums::{BackgroundTransferCostPolicy, BackgroundTransferPriority};
use super::operation::{View, follow};
use super::settings::{Settings, transfer_base};
use super::types::{
    BackgroundTransferContentPart, BackgroundTransferGroup, BackgroundUploadProgress, ResponseInformation,
};
use super::{daemon, file_stream};
use crate::error::{Error, Result, hresult};
use crate::foundation::{AsyncOperation, AsyncOperationWithProgress, Guid, Uri};
use crate::io::InputStream;
use crate::security::PasswordCredential;
use crate::storage::StorageFile;

/// `BackgroundUploader`: creates uploads that netrt-brokerd runs, so they continue after the
/// app exits. Cloning gives the same uploader.
#[derive(Debug, Clone)]
pub struct BackgroundUploader {
    settings: Settings,
}

impl Default for BackgroundUploader {
    fn default() -> Self {
        Self::new()
    }
}

transfer_base!(BackgroundUploader);

fn create(request: TransferRequest) -> Result<UploadOperation> {
    let state = daemon::call_state("CreateUpload", &Message::CreateTransfer(Box::new(request)))?;
    Ok(UploadOperation { view: View::new(state) })
}

async fn create_later(request: TransferRequest) -> Result<UploadOperation> {
    tokio::task::spawn_blocking(move || create(request))
        .await
        .map_err(|e| Error::new(hresult::E_UNEXPECTED, e.to_string()))?
}

fn list(group: Option<String>) -> Result<AsyncOperation<Vec<UploadOperation>>> {
    AsyncOperation::start(async move {
        let list = tokio::task::spawn_blocking(move || {
            let message = Message::ListTransfers { kind: TransferKind::Upload, group };
            daemon::call_list("GetCurrentUploadsAsync", &message)
        })
        .await
        .map_err(|e| Error::new(hresult::E_UNEXPECTED, e.to_string()))??;
        Ok(list.into_iter().map(|state| UploadOperation { view: View::new(state) }).collect())
    })
}

impl BackgroundUploader {
    /// `BackgroundUploader()`: method POST, no headers, no credentials, no group.
    pub fn new() -> Self {
        Self { settings: Settings::new("POST") }
    }

    /// `CreateUpload(uri, sourceFile)`: sends the file's bytes (Content-Length: its size).
    ///
    /// # Errors
    /// `E_INVALIDARG` for a URI that is not http(s); the broker's error when it cannot be
    /// reached.
    pub fn create_upload(&self, uri: &Uri, source_file: &StorageFile) -> Result<UploadOperation> {
        let path = source_file.path();
        create(self.settings.request(TransferKind::Upload, uri, path.clone(), BodySource::File(path))?)
    }

    /// `CreateUploadFromStreamAsync(uri, sourceStream)`: the stream is first copied into a
    /// private file of the daemon's state directory (the app may exit before the upload runs).
    ///
    /// # Errors
    /// As [`create_upload`](Self::create_upload), before the operation starts.
    pub fn create_upload_from_stream_async(
        &self,
        uri: &Uri,
        source_stream: InputStream,
    ) -> Result<AsyncOperation<UploadOperation>> {
        let mut request =
            self.settings.request(TransferKind::Upload, uri, String::new(), BodySource::None)?;
        AsyncOperation::start(async move {
            let body = file_stream::spool(source_stream, &Guid::from_bytes_le(request.guid)).await?;
            request.body = BodySource::File(body.display().to_string());
            create_later(request).await
        })
    }

    /// `CreateUploadAsync(uri, parts, subType, boundary)`: a multipart body
    /// (`multipart/<subType>`, default `form-data`; a random boundary unless given).
    ///
    /// # Errors
    /// `E_INVALIDARG` for no parts, a bad URI, or a boundary longer than 70 characters.
    pub fn create_upload_async(
        &self,
        uri: &Uri,
        parts: Vec<BackgroundTransferContentPart>,
        sub_type: Option<&str>,
        boundary: Option<&str>,
    ) -> Result<AsyncOperation<UploadOperation>> {
        if parts.is_empty() {
            return Err(Error::invalid_arg("CreateUploadAsync: a multipart upload needs at least one part"));
        }
        if boundary.is_some_and(|b| b.is_empty() || b.len() > 70) {
            return Err(Error::invalid_arg(
                "CreateUploadAsync: a boundary has 1 to 70 characters (RFC 2046)",
            ));
        }
        let body = BodySource::Multipart {
            parts: parts.iter().map(|p| p.source()).collect(),
            sub_type: sub_type.filter(|s| !s.is_empty()).unwrap_or("form-data").to_owned(),
            boundary: boundary.map(str::to_owned),
        };
        let request = self.settings.request(TransferKind::Upload, uri, String::new(), body)?;
        AsyncOperation::start(create_later(request))
    }

    /// `GetCurrentUploadsAsync()`: this user's uploads that belong to no group.
    ///
    /// # Errors
    /// None at the call; the operation fails when the broker cannot be reached.
    pub fn get_current_uploads_async() -> Result<AsyncOperation<Vec<UploadOperation>>> {
        list(None)
    }

    /// `GetCurrentUploadsForTransferGroupAsync(group)`.
    ///
    /// # Errors
    /// As [`get_current_uploads_async`](Self::get_current_uploads_async).
    pub fn get_current_uploads_for_transfer_group_async(
        group: &BackgroundTransferGroup,
    ) -> Result<AsyncOperation<Vec<UploadOperation>>> {
        list(Some(group.name()))
    }
}

/// `UploadOperation`: a view of one upload run by netrt-brokerd. Cloning gives the same
/// operation.
#[derive(Debug, Clone)]
pub struct UploadOperation {
    view: Arc<View>,
}

impl PartialEq for UploadOperation {
    fn eq(&self, other: &Self) -> bool {
        self.view.guid == other.view.guid
    }
}

/// What StartAsync and AttachAsync return: completes with the operation, progress is the
/// operation itself (read [`UploadOperation::progress`]).
pub type UploadAsync = AsyncOperationWithProgress<UploadOperation, UploadOperation>;

impl UploadOperation {
    fn follow(&self, what: &'static str) -> Result<UploadAsync> {
        let me = self.clone();
        AsyncOperationWithProgress::start(move |reporter| async move {
            let report = {
                let me = me.clone();
                move || reporter.report(me.clone())
            };
            follow(me.view.clone(), what, report).await?;
            Ok(me)
        })
    }

    /// `StartAsync()`: starts the upload and follows it (as `DownloadOperation::start_async`).
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` when it was started before.
    pub fn start_async(&self) -> Result<UploadAsync> {
        self.view.command("StartAsync", TransferAction::Start)?;
        self.follow("StartAsync")
    }

    /// `AttachAsync()`: follows an upload found with `get_current_uploads_async`.
    ///
    /// # Errors
    /// None at the call.
    pub fn attach_async(&self) -> Result<UploadAsync> {
        self.follow("AttachAsync")
    }

    /// `Guid`.
    pub fn guid(&self) -> Guid {
        self.view.guid
    }

    /// `RequestedUri`.
    pub fn requested_uri(&self) -> Uri {
        self.view.requested_uri()
    }

    /// `Method`.
    pub fn method(&self) -> String {
        self.view.method()
    }

    /// `Progress`.
    pub fn progress(&self) -> BackgroundUploadProgress {
        BackgroundUploadProgress::from(&self.view.current())
    }

    /// `SourceFile`: the file given to `create_upload` (None for stream and multipart uploads).
    pub fn source_file(&self) -> Option<StorageFile> {
        let path = self.view.cached().request.path.clone();
        (!path.is_empty()).then(|| StorageFile::from_path(path))
    }

    /// `GetResponseInformation()`.
    pub fn get_response_information(&self) -> Option<ResponseInformation> {
        self.view.response_information()
    }

    /// `GetResultStreamAt(position)`: the server's response body, from `position`.
    ///
    /// # Errors
    /// `ERROR_FILE_NOT_FOUND` before the response arrived.
    pub fn get_result_stream_at(&self, position: u64) -> Result<InputStream> {
        let state = self.view.current();
        file_stream::open_at(std::path::Path::new(&state.body_path), position, "GetResultStreamAt")
    }

    /// `Priority`.
    pub fn priority(&self) -> BackgroundTransferPriority {
        self.view.priority()
    }

    /// Sets `Priority`.
    ///
    /// # Errors
    /// The broker's error when it cannot be reached.
    pub fn set_priority(&self, priority: BackgroundTransferPriority) -> Result<()> {
        self.view.change("Priority", TransferChange::Priority(priority as u8))
    }

    /// `CostPolicy` (stored; Linux has no metered-network signal).
    pub fn cost_policy(&self) -> BackgroundTransferCostPolicy {
        self.view.cost_policy()
    }

    /// Sets `CostPolicy`.
    ///
    /// # Errors
    /// The broker's error when it cannot be reached.
    pub fn set_cost_policy(&self, policy: BackgroundTransferCostPolicy) -> Result<()> {
        self.view.change("CostPolicy", TransferChange::CostPolicy(policy as u8))
    }

    /// `TransferGroup`.
    pub fn transfer_group(&self) -> Option<BackgroundTransferGroup> {
        self.view.transfer_group()
    }

    /// `SetRequestHeader(name, value)`.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an invalid header.
    pub fn set_request_header(&self, name: &str, value: &str) -> Result<()> {
        self.view.set_request_header(name, value)
    }

    /// `RemoveRequestHeader(name)`.
    ///
    /// # Errors
    /// The broker's error when it cannot be reached.
    pub fn remove_request_header(&self, name: &str) -> Result<()> {
        self.view.remove_request_header(name)
    }
}
