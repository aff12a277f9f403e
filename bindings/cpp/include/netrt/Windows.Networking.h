// <netrt/Windows.Networking.h>: mirrors C++/WinRT's <winrt/Windows.Networking.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Networking.h>` ports by renaming `winrt`.
// Declares Windows.Networking (HostName, EndpointPair, HostNameType).
#ifndef NETRT_WINDOWS_NETWORKING_H
#define NETRT_WINDOWS_NETWORKING_H
#include <netrt.hpp>
#endif
