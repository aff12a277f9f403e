"""Windows, as PyWinRT's ``winrt.windows``: only the subpackages hold names."""
