// <netrt/Windows.Foundation.h>: mirrors C++/WinRT's <winrt/Windows.Foundation.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Foundation.h>` ports by renaming `winrt`.
// Declares Windows.Foundation (IAsyncAction, IAsyncOperation<T>, AsyncStatus, TimeSpan, DateTime, TypedEventHandler,
// Uri, WwwFormUrlDecoder, Deferral).
#ifndef NETRT_WINDOWS_FOUNDATION_H
#define NETRT_WINDOWS_FOUNDATION_H
#include <netrt.hpp>
#endif
