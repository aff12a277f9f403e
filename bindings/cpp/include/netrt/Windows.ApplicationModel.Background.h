// <netrt/Windows.ApplicationModel.Background.h>: mirrors C++/WinRT's
// <winrt/Windows.ApplicationModel.Background.h>, so includes port by renaming `winrt`.
// Declares the socket broker's registration classes (BackgroundTaskBuilder, ...).
#ifndef NETRT_WINDOWS_APPLICATIONMODEL_BACKGROUND_H
#define NETRT_WINDOWS_APPLICATIONMODEL_BACKGROUND_H
#include <netrt.hpp>
#endif
