"""Windows.Security.Cryptography, as PyWinRT's ``winrt.windows.security.cryptography``: only the subpackages hold names."""
