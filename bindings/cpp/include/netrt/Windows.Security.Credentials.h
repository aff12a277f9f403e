// <netrt/Windows.Security.Credentials.h>: mirrors C++/WinRT's <winrt/Windows.Security.Credentials.h>. netrt's
// projection is one header, <netrt.hpp>; this one exists so `#include <winrt/Windows.Security.Credentials.h>`
// ports by renaming `winrt`. Declares Windows.Security.Credentials (PasswordCredential).
#ifndef NETRT_WINDOWS_SECURITY_CREDENTIALS_H
#define NETRT_WINDOWS_SECURITY_CREDENTIALS_H
#include <netrt.hpp>
#endif
