// <netrt/Windows.Networking.Sockets.h>: mirrors C++/WinRT's <winrt/Windows.Networking.Sockets.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Networking.Sockets.h>` ports by renaming `winrt`.
// Declares Windows.Networking.Sockets (StreamSocket, StreamSocketListener, DatagramSocket, ...).
#ifndef NETRT_WINDOWS_NETWORKING_SOCKETS_H
#define NETRT_WINDOWS_NETWORKING_SOCKETS_H
#include <netrt.hpp>
#endif
