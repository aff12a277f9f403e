// <netrt/Windows.Storage.Streams.h>: mirrors C++/WinRT's <winrt/Windows.Storage.Streams.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Storage.Streams.h>` ports by renaming `winrt`.
// Declares Windows.Storage.Streams (DataReader, DataWriter, Buffer, IInputStream, IOutputStream).
#ifndef NETRT_WINDOWS_STORAGE_STREAMS_H
#define NETRT_WINDOWS_STORAGE_STREAMS_H
#include <netrt.hpp>
#endif
