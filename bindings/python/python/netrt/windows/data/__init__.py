"""Windows.Data, as PyWinRT's ``winrt.windows.data``: only the subpackages hold names."""
