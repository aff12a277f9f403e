"""Windows.Data.Xml, as PyWinRT's ``winrt.windows.data.xml``: only the subpackages hold names."""
