//! `BackgroundDownloader` and `DownloadOperation`.

use std::path::PathBuf;
use std::sync::Arc;

use netrt_broker_protocol::protocol::{
    BodySource, Message, TransferAction, TransferChange, TransferKind, TransferRequest,
};

use super::enums::{BackgroundTransferCostPolicy, BackgroundTransferPriority, BackgroundTransferStatus};
use super::operation::{View, follow};
use super::settings::{Settings, transfer_base};
use super::types::{
    BackgroundDownloadProgress, BackgroundTransferFileRange, BackgroundTransferGroup, ResponseInformation,
};
use super::{daemon, file_stream};
use crate::error::{Error, Result, WebErrorStatus};
use crate::foundation::{AsyncOperation, AsyncOperationWithProgress, Guid, Uri, Vector};
use crate::io::InputStream;
use crate::security::PasswordCredential;
use crate::storage::StorageFile;

/// `BackgroundDownloader`: creates downloads that netrt-brokerd runs, so they continue after
/// the app exits. Cloning gives the same downloader.
#[derive(Debug, Clone)]
pub struct BackgroundDownloader {
    settings: Settings,
}

impl Default for BackgroundDownloader {
    fn default() -> Self {
        Self::new()
    }
}

transfer_base!(BackgroundDownloader);

fn create(request: TransferRequest) -> Result<DownloadOperation> {
    let state = daemon::call_state("CreateDownload", &Message::CreateTransfer(Box::new(request)))?;
    Ok(DownloadOperation { view: View::new(state) })
}

fn list(kind: TransferKind, group: Option<String>) -> Result<AsyncOperation<Vec<DownloadOperation>>> {
    AsyncOperation::start(async move {
        let list = tokio::task::spawn_blocking(move || {
            daemon::call_list("GetCurrentDownloadsAsync", &Message::ListTransfers { kind, group })
        })
        .await
        .map_err(|e| Error::new(crate::error::hresult::E_UNEXPECTED, e.to_string()))??;
        Ok(list.into_iter().map(|state| DownloadOperation { view: View::new(state) }).collect())
    })
}

impl BackgroundDownloader {
    /// `BackgroundDownloader()`: method GET, no headers, no credentials, no group.
    pub fn new() -> Self {
        Self { settings: Settings::new("GET") }
    }

    fn request(&self, uri: &Uri, result_file: &StorageFile, body: BodySource) -> Result<TransferRequest> {
        let path = result_file.path();
        if !std::path::Path::new(&path).is_absolute() {
            return Err(Error::invalid_arg(format!("the result file {path} is not an absolute path")));
        }
        self.settings.request(TransferKind::Download, uri, path, body)
    }

    /// `CreateDownload(uri, resultFile)`: a download, Idle until `start_async`. The daemon
    /// writes to a partial file beside `result_file` and renames it when done.
    ///
    /// # Errors
    /// `E_INVALIDARG` for a URI that is not http(s); the broker's error when it cannot be
    /// reached.
    pub fn create_download(&self, uri: &Uri, result_file: &StorageFile) -> Result<DownloadOperation> {
        create(self.request(uri, result_file, BodySource::None)?)
    }

    /// `CreateDownload(uri, resultFile, requestBodyFile)`: the request sends the file's bytes.
    ///
    /// # Errors
    /// As [`create_download`](Self::create_download).
    pub fn create_download_with_request_body(
        &self,
        uri: &Uri,
        result_file: &StorageFile,
        request_body_file: &StorageFile,
    ) -> Result<DownloadOperation> {
        create(self.request(uri, result_file, BodySource::File(request_body_file.path()))?)
    }

    /// `CreateDownloadAsync(uri, resultFile, requestBodyStream)`: the stream is first copied
    /// into a private file of the daemon's state directory (the app may exit before the
    /// download runs).
    ///
    /// # Errors
    /// As [`create_download`](Self::create_download), before the operation starts.
    pub fn create_download_async(
        &self,
        uri: &Uri,
        result_file: &StorageFile,
        request_body_stream: InputStream,
    ) -> Result<AsyncOperation<DownloadOperation>> {
        let mut request = self.request(uri, result_file, BodySource::None)?;
        AsyncOperation::start(async move {
            let guid = Guid::from_bytes_le(request.guid);
            let body = file_stream::spool(request_body_stream, &guid).await?;
            request.body = BodySource::File(body.display().to_string());
            tokio::task::spawn_blocking(move || create(request))
                .await
                .map_err(|e| Error::new(crate::error::hresult::E_UNEXPECTED, e.to_string()))?
        })
    }

    /// `GetCurrentDownloadsAsync()`: this user's downloads that belong to no group.
    ///
    /// # Errors
    /// None at the call; the operation fails when the broker cannot be reached.
    pub fn get_current_downloads_async() -> Result<AsyncOperation<Vec<DownloadOperation>>> {
        list(TransferKind::Download, None)
    }

    /// `RequestUnconstrainedDownloadsAsync(operations)`: not provided (a Windows power-policy
    /// prompt; Linux downloads are never constrained).
    ///
    /// # Errors
    /// Always `E_NOTIMPL`.
    pub fn request_unconstrained_downloads_async(_operations: &[DownloadOperation]) -> Result<()> {
        Err(Error::new(
            crate::error::hresult::E_NOTIMPL,
            "RequestUnconstrainedDownloadsAsync is not provided: netrt never constrains downloads",
        ))
    }

    /// `GetCurrentDownloadsForTransferGroupAsync(group)`: this user's downloads in `group`.
    ///
    /// # Errors
    /// As [`get_current_downloads_async`](Self::get_current_downloads_async).
    pub fn get_current_downloads_for_transfer_group_async(
        group: &BackgroundTransferGroup,
    ) -> Result<AsyncOperation<Vec<DownloadOperation>>> {
        list(TransferKind::Download, Some(group.name()))
    }
}

/// `DownloadOperation`: a view of one download run by netrt-brokerd. Cloning gives the same
/// operation.
#[derive(Debug, Clone)]
pub struct DownloadOperation {
    view: Arc<View>,
}

impl PartialEq for DownloadOperation {
    fn eq(&self, other: &Self) -> bool {
        self.view.guid == other.view.guid
    }
}

/// What StartAsync and AttachAsync return: completes with the operation, progress is the
/// operation itself (read [`DownloadOperation::progress`]).
pub type DownloadAsync = AsyncOperationWithProgress<DownloadOperation, DownloadOperation>;

impl DownloadOperation {
    fn follow(&self, what: &'static str) -> Result<DownloadAsync> {
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

    /// `StartAsync()`: starts the download and follows it. Progress is reported at least every
    /// 1 MiB or 250 ms and on every status change; the operation completes when the download
    /// does, fails with its error, and cancelling it cancels the download. If the app exits,
    /// the download goes on; `attach_async` follows it again.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` when it was started before.
    pub fn start_async(&self) -> Result<DownloadAsync> {
        self.view.command("StartAsync", TransferAction::Start)?;
        self.follow("StartAsync")
    }

    /// `AttachAsync()`: follows a download found with `get_current_downloads_async`.
    ///
    /// # Errors
    /// None at the call (the operation fails when the broker cannot be reached).
    pub fn attach_async(&self) -> Result<DownloadAsync> {
        self.follow("AttachAsync")
    }

    /// `Pause()`.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` when it is not running (not started, paused or finished).
    pub fn pause(&self) -> Result<()> {
        self.view.command("Pause", TransferAction::Pause)
    }

    /// `Resume()`: continues from the bytes already downloaded (a range request when the server
    /// allows, else from the start).
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` when it is not paused, or its method is POST.
    pub fn resume(&self) -> Result<()> {
        self.view.command("Resume", TransferAction::Resume)
    }

    /// `Guid`.
    pub fn guid(&self) -> Guid {
        self.view.guid
    }

    /// `RequestedUri`.
    pub fn requested_uri(&self) -> Uri {
        self.view.current();
        self.view.requested_uri()
    }

    /// Sets `RequestedUri` (only while paused): the next attempt asks this URI.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` when not paused; `E_INVALIDARG` for a URI that is not http(s).
    pub fn set_requested_uri(&self, uri: &Uri) -> Result<()> {
        self.view.change("RequestedUri", TransferChange::RequestedUri(uri.absolute_uri()))
    }

    /// `Method`.
    pub fn method(&self) -> String {
        self.view.method()
    }

    /// `Progress`.
    pub fn progress(&self) -> BackgroundDownloadProgress {
        BackgroundDownloadProgress::from(&self.view.current())
    }

    /// `ResultFile`.
    pub fn result_file(&self) -> StorageFile {
        StorageFile::from_path(PathBuf::from(self.view.cached().request.path.clone()))
    }

    /// `GetResponseInformation()`: the final response, once headers arrived.
    pub fn get_response_information(&self) -> Option<ResponseInformation> {
        self.view.response_information()
    }

    /// `GetResultStreamAt(position)`: reads what was downloaded, from `position` (the result
    /// file once complete, the partial file before).
    ///
    /// # Errors
    /// The file's error (`ERROR_FILE_NOT_FOUND` before any byte arrived).
    pub fn get_result_stream_at(&self, position: u64) -> Result<InputStream> {
        let state = self.view.current();
        let path = if state.status == BackgroundTransferStatus::Completed as u32 || state.body_path.is_empty()
        {
            state.request.path
        } else {
            state.body_path
        };
        file_stream::open_at(std::path::Path::new(&path), position, "GetResultStreamAt")
    }

    /// `GetResultRandomAccessStreamReference()`: not provided; read with
    /// [`get_result_stream_at`](Self::get_result_stream_at).
    ///
    /// # Errors
    /// Always `E_NOTIMPL`.
    pub fn get_result_random_access_stream_reference(&self) -> Result<()> {
        Err(Error::new(
            crate::error::hresult::E_NOTIMPL,
            "GetResultRandomAccessStreamReference is not provided: use GetResultStreamAt",
        ))
    }

    /// `GetDownloadedRanges()`: one range from 0 (netrt downloads sequentially).
    pub fn get_downloaded_ranges(&self) -> Vec<BackgroundTransferFileRange> {
        let received = self.view.current().bytes_received;
        if received == 0 {
            Vec::new()
        } else {
            vec![BackgroundTransferFileRange { offset: 0, length: received }]
        }
    }

    /// `CurrentWebErrorStatus`: the status that paused it (PausedRecoverableWebErrorStatus) or
    /// failed it.
    pub fn current_web_error_status(&self) -> Option<WebErrorStatus> {
        self.view.current_web_error_status()
    }

    /// `RecoverableWebErrorStatuses`: a live vector; a failure with one of these statuses
    /// pauses the download (PausedRecoverableWebErrorStatus) instead of failing it.
    pub fn recoverable_web_error_statuses(&self) -> Vector<WebErrorStatus> {
        self.view.recoverable()
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

    /// `SetRequestHeader(name, value)`: for the next attempt.
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

    /// `IsRandomAccessRequired`.
    pub fn is_random_access_required(&self) -> bool {
        self.view.current().request.random_access_required
    }

    /// Sets `IsRandomAccessRequired` (stored; netrt downloads sequentially).
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` after the download started.
    pub fn set_is_random_access_required(&self, value: bool) -> Result<()> {
        self.view.change("IsRandomAccessRequired", TransferChange::RandomAccess(value))
    }
}
