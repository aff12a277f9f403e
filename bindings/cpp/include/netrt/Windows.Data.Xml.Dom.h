// <netrt/Windows.Data.Xml.Dom.h>: mirrors C++/WinRT's <winrt/Windows.Data.Xml.Dom.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Data.Xml.Dom.h>` ports by renaming `winrt`.
// Declares Windows.Data.Xml.Dom (XmlDocument: LoadXml, GetXml).
#ifndef NETRT_WINDOWS_DATA_XML_DOM_H
#define NETRT_WINDOWS_DATA_XML_DOM_H
#include <netrt.hpp>
#endif
