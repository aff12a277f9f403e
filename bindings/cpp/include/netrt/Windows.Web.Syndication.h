// <netrt/Windows.Web.Syndication.h>: mirrors C++/WinRT's <winrt/Windows.Web.Syndication.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Web.Syndication.h>` ports by renaming `winrt`.
// Declares Windows.Web.Syndication (SyndicationFeed, SyndicationItem, SyndicationClient, ...).
#ifndef NETRT_WINDOWS_WEB_SYNDICATION_H
#define NETRT_WINDOWS_WEB_SYNDICATION_H
#include <netrt.hpp>
#endif
