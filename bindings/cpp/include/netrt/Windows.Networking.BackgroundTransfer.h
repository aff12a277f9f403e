// <netrt/Windows.Networking.BackgroundTransfer.h>: mirrors C++/WinRT's
// <winrt/Windows.Networking.BackgroundTransfer.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Networking.BackgroundTransfer.h>`
// ports by renaming `winrt`. Declares Windows.Networking.BackgroundTransfer (BackgroundDownloader,
// BackgroundUploader, DownloadOperation, UploadOperation, BackgroundTransferGroup, ...).
#ifndef NETRT_WINDOWS_NETWORKING_BACKGROUNDTRANSFER_H
#define NETRT_WINDOWS_NETWORKING_BACKGROUNDTRANSFER_H
#include <netrt.hpp>
#endif
