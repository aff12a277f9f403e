// <netrt/Windows.Networking.Connectivity.h>: mirrors C++/WinRT's <winrt/Windows.Networking.Connectivity.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Networking.Connectivity.h>` ports by renaming `winrt`.
// Declares Windows.Networking.Connectivity (IPInformation; NetworkAdapter, always null in netrt).
#ifndef NETRT_WINDOWS_NETWORKING_CONNECTIVITY_H
#define NETRT_WINDOWS_NETWORKING_CONNECTIVITY_H
#include <netrt.hpp>
#endif
