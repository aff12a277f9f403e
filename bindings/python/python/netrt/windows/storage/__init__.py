"""Windows.Storage, as PyWinRT's ``winrt.windows.storage``: only the subpackages hold names."""
