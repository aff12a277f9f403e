"""Windows.Storage.Streams, where PyWinRT puts it (``winrt.windows.storage.streams``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

from netrt import (
    Buffer as Buffer,
    ByteOrder as ByteOrder,
    DataReader as DataReader,
    DataReaderLoadOperation as DataReaderLoadOperation,
    DataWriter as DataWriter,
    DataWriterStoreOperation as DataWriterStoreOperation,
    IInputStream as IInputStream,
    IOutputStream as IOutputStream,
    InputStreamOptions as InputStreamOptions,
    UnicodeEncoding as UnicodeEncoding,
)

__all__ = [
    "Buffer",
    "ByteOrder",
    "DataReader",
    "DataReaderLoadOperation",
    "DataWriter",
    "DataWriterStoreOperation",
    "IInputStream",
    "IOutputStream",
    "InputStreamOptions",
    "UnicodeEncoding",
]
