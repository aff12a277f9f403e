# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    BackgroundDownloadProgress as BackgroundDownloadProgress,
    BackgroundDownloader as BackgroundDownloader,
    BackgroundTransferBehavior as BackgroundTransferBehavior,
    BackgroundTransferContentPart as BackgroundTransferContentPart,
    BackgroundTransferCostPolicy as BackgroundTransferCostPolicy,
    BackgroundTransferError as BackgroundTransferError,
    BackgroundTransferFileRange as BackgroundTransferFileRange,
    BackgroundTransferGroup as BackgroundTransferGroup,
    BackgroundTransferPriority as BackgroundTransferPriority,
    BackgroundTransferStatus as BackgroundTransferStatus,
    BackgroundUploadProgress as BackgroundUploadProgress,
    BackgroundUploader as BackgroundUploader,
    DownloadOperation as DownloadOperation,
    ResponseInformation as ResponseInformation,
    UploadOperation as UploadOperation,
)

__all__ = [
    "BackgroundDownloadProgress",
    "BackgroundDownloader",
    "BackgroundTransferBehavior",
    "BackgroundTransferContentPart",
    "BackgroundTransferCostPolicy",
    "BackgroundTransferError",
    "BackgroundTransferFileRange",
    "BackgroundTransferGroup",
    "BackgroundTransferPriority",
    "BackgroundTransferStatus",
    "BackgroundUploadProgress",
    "BackgroundUploader",
    "DownloadOperation",
    "ResponseInformation",
    "UploadOperation",
]
