# Re-exports only: see the flat `netrt` stub for the types.

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
