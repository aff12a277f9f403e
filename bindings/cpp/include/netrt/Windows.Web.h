// <netrt/Windows.Web.h>: mirrors C++/WinRT's <winrt/Windows.Web.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Web.h>` ports by renaming `winrt`.
// Declares Windows.Web (WebError, WebErrorStatus).
#ifndef NETRT_WINDOWS_WEB_H
#define NETRT_WINDOWS_WEB_H
#include <netrt.hpp>
#endif
