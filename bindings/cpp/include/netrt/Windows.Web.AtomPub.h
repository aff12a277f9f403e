// <netrt/Windows.Web.AtomPub.h>: mirrors C++/WinRT's <winrt/Windows.Web.AtomPub.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Web.AtomPub.h>` ports by renaming `winrt`.
// Declares Windows.Web.AtomPub (AtomPubClient, ServiceDocument, Workspace, ResourceCollection).
#ifndef NETRT_WINDOWS_WEB_ATOMPUB_H
#define NETRT_WINDOWS_WEB_ATOMPUB_H
#include <netrt.hpp>
#endif
