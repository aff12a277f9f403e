// <netrt/Windows.Storage.h>: mirrors C++/WinRT's <winrt/Windows.Storage.h>. netrt's projection
// is one header, <netrt.hpp>; this one exists so `#include <winrt/Windows.Storage.h>` ports by
// renaming `winrt`. Declares Windows.Storage (StorageFile, StorageFolder, CreationCollisionOption).
#ifndef NETRT_WINDOWS_STORAGE_H
#define NETRT_WINDOWS_STORAGE_H
#include <netrt.hpp>
#endif
