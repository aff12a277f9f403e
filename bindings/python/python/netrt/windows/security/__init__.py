"""Windows.Security, as PyWinRT's ``winrt.windows.security``: only the subpackages hold names."""
