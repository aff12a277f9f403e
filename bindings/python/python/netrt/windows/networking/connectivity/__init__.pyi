# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    IPInformation as IPInformation,
)

__all__ = [
    "IPInformation",
]
