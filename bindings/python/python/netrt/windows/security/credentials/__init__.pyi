# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    PasswordCredential as PasswordCredential,
)

__all__ = [
    "PasswordCredential",
]
