//! Windows.Networking.BackgroundTransfer in C (docs/background-transfer.md): downloads and
//! uploads that netrt-brokerd runs, so they outlive the app. Every class is a handle kind; the
//! progress values are plain structs; `StartAsync`/`AttachAsync` are operations with progress
//! (`netrt_async_set_progress`).

mod download;
mod downloader;
mod types;
mod upload;
mod uploader;

pub use download::*;
pub use downloader::*;
pub use types::*;
pub use upload::*;
pub use uploader::*;

use std::sync::Arc;

use netrt_core::Error;
use netrt_core::background_transfer::{
    BackgroundDownloadProgress, BackgroundTransferGroup, BackgroundUploadProgress, DownloadOperation,
    UploadOperation,
};
use netrt_core::foundation::AsyncOperationWithProgress;

use crate::async_op::OpResult;
use crate::async_progress;
use crate::boundary::netrt_handle;
use crate::enums::netrt_background_transfer_status;
use crate::handle;
use crate::object::{Object, Value, get};

/// `BackgroundDownloadProgress`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct netrt_background_download_progress {
    /// `BytesReceived`.
    pub bytes_received: u64,
    /// `TotalBytesToReceive` (0 while unknown).
    pub total_bytes_to_receive: u64,
    /// `Status`.
    pub status: netrt_background_transfer_status,
    /// `HasResponseChanged`: the server's response changed since the transfer began.
    pub has_response_changed: bool,
    /// `HasRestarted`: the transfer started over from the first byte.
    pub has_restarted: bool,
}

impl From<BackgroundDownloadProgress> for netrt_background_download_progress {
    fn from(p: BackgroundDownloadProgress) -> Self {
        Self {
            bytes_received: p.bytes_received,
            total_bytes_to_receive: p.total_bytes_to_receive,
            status: p.status.into(),
            has_response_changed: p.has_response_changed,
            has_restarted: p.has_restarted,
        }
    }
}

/// `BackgroundUploadProgress`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct netrt_background_upload_progress {
    /// `BytesReceived` (of the server's response).
    pub bytes_received: u64,
    /// `BytesSent`.
    pub bytes_sent: u64,
    /// `TotalBytesToReceive` (0 while unknown).
    pub total_bytes_to_receive: u64,
    /// `TotalBytesToSend`.
    pub total_bytes_to_send: u64,
    /// `Status`.
    pub status: netrt_background_transfer_status,
    /// `HasResponseChanged`.
    pub has_response_changed: bool,
    /// `HasRestarted`.
    pub has_restarted: bool,
}

impl From<BackgroundUploadProgress> for netrt_background_upload_progress {
    fn from(p: BackgroundUploadProgress) -> Self {
        Self {
            bytes_received: p.bytes_received,
            bytes_sent: p.bytes_sent,
            total_bytes_to_receive: p.total_bytes_to_receive,
            total_bytes_to_send: p.total_bytes_to_send,
            status: p.status.into(),
            has_response_changed: p.has_response_changed,
            has_restarted: p.has_restarted,
        }
    }
}

/// `BackgroundTransferFileRange`: `length` bytes from `offset`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct netrt_background_transfer_file_range {
    /// `Offset`.
    pub offset: u64,
    /// `Length`.
    pub length: u64,
}

fn download_obj(op: DownloadOperation) -> Arc<Object> {
    Object::new(Value::DownloadOperation(op))
}

fn upload_obj(op: UploadOperation) -> Arc<Object> {
    Object::new(Value::UploadOperation(op))
}

/// The C operation of a transfer's StartAsync/AttachAsync: follows core's, reporting the
/// transfer object as progress; cancelling it cancels core's (and so the transfer).
fn follow_transfer<T: Clone + Send + Sync + 'static>(
    core: AsyncOperationWithProgress<T, T>,
    wrap: fn(T) -> Arc<Object>,
) -> Result<netrt_handle, Error> {
    async_progress::start_reporting_objects(move |reporter| {
        let forwarded = core.set_progress(Arc::new(move |t: T| reporter(wrap(t))));
        let op = core.operation().clone();
        async move {
            forwarded?;
            let done = op.finished().await?;
            Ok(OpResult::Object(wrap(done)))
        }
    })
}

/// The group behind `h`, or `None` for 0 (no group).
fn group_opt(h: netrt_handle) -> Result<Option<BackgroundTransferGroup>, Error> {
    if h == 0 { Ok(None) } else { Ok(Some(get!(h, BackgroundTransferGroup))) }
}

/// A handle for an optional group (0 for none).
fn issue_group(group: Option<BackgroundTransferGroup>) -> Result<netrt_handle, Error> {
    group.map_or(Ok(0), |g| handle::issue_new(Value::BackgroundTransferGroup(g)))
}
