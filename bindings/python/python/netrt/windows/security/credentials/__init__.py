"""Windows.Security.Credentials, where PyWinRT puts it (``winrt.windows.security.credentials``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

from netrt import (
    PasswordCredential as PasswordCredential,
)

__all__ = [
    "PasswordCredential",
]
