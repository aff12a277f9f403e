# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    Certificate as Certificate,
    ChainValidationResult as ChainValidationResult,
)

__all__ = [
    "Certificate",
    "ChainValidationResult",
]
