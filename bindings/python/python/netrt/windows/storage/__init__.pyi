# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    CreationCollisionOption as CreationCollisionOption,
    StorageFile as StorageFile,
    StorageFolder as StorageFolder,
)

__all__ = [
    "CreationCollisionOption",
    "StorageFile",
    "StorageFolder",
]
