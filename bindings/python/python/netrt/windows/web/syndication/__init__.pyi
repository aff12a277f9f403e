# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    SyndicationError as SyndicationError,
    SyndicationErrorStatus as SyndicationErrorStatus,
    SyndicationFormat as SyndicationFormat,
    SyndicationTextType as SyndicationTextType,
)

__all__ = [
    "SyndicationError",
    "SyndicationErrorStatus",
    "SyndicationFormat",
    "SyndicationTextType",
]
