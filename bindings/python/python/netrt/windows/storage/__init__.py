"""Windows.Storage, where PyWinRT puts it (``winrt.windows.storage``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one. netrt files and folders
are plain absolute paths (docs/storage.md).
"""

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
