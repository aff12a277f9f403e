# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    WebError as WebError,
    WebErrorStatus as WebErrorStatus,
)

__all__ = [
    "WebError",
    "WebErrorStatus",
]
