"""Windows.Security.Cryptography.Certificates, where PyWinRT puts it (``winrt.windows.security.cryptography.certificates``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

from netrt import (
    Certificate as Certificate,
    ChainValidationResult as ChainValidationResult,
)

__all__ = [
    "Certificate",
    "ChainValidationResult",
]
