//! Windows.Networking.BackgroundTransfer: downloads and uploads that run in netrt's per-user
//! daemon, netrt-brokerd, and outlive the app (docs/background-transfer.md).
//!
//! [`BackgroundDownloader`] and [`BackgroundUploader`] create operations in the daemon; a
//! [`DownloadOperation`] or [`UploadOperation`] is a view of the daemon's transfer: its
//! `start_async`/`attach_async` follow the transfer's progress on their own connection, and
//! when the app exits the transfer continues. `get_current_downloads_async` finds them again.
//!
//! Not provided (Windows-only shell integration): completion groups, toast and tile
//! notifications, `RequestUnconstrainedDownloadsAsync`, `GetResultRandomAccessStreamReference`
//! and the `RangesDownloaded` event.

mod daemon;
mod download;
#[doc(hidden)]
pub mod engine;
mod enums;
mod file_stream;
mod operation;
mod settings;
mod types;
mod upload;

pub use download::{BackgroundDownloader, DownloadAsync, DownloadOperation};
pub use enums::{
    BackgroundTransferBehavior, BackgroundTransferCostPolicy, BackgroundTransferPriority,
    BackgroundTransferStatus,
};
pub use types::{
    BackgroundDownloadProgress, BackgroundTransferContentPart, BackgroundTransferError,
    BackgroundTransferFileRange, BackgroundTransferGroup, BackgroundUploadProgress, ResponseInformation,
};
pub use upload::{BackgroundUploader, UploadAsync, UploadOperation};
