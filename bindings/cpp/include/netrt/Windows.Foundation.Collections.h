// <netrt/Windows.Foundation.Collections.h>: mirrors C++/WinRT's <winrt/Windows.Foundation.Collections.h>. netrt's projection is one header,
// <netrt.hpp>; this one exists so `#include <winrt/Windows.Foundation.Collections.h>` ports by renaming `winrt`.
// Declares Windows.Foundation.Collections (IVector<T>, IVectorView<T>).
#ifndef NETRT_WINDOWS_FOUNDATION_COLLECTIONS_H
#define NETRT_WINDOWS_FOUNDATION_COLLECTIONS_H
#include <netrt.hpp>
#endif
