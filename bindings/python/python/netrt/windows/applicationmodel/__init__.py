"""Windows.ApplicationModel, as PyWinRT's ``winrt.windows.applicationmodel``: only the subpackages hold names."""
