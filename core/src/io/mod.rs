//! Windows.Storage.Streams: buffers, streams, `DataReader`, `DataWriter`.

pub mod buffer;
#[doc(hidden)]
pub mod caller_driven;
pub mod data_reader;
pub mod data_writer;
pub mod encoding;
pub mod memory;
pub mod stream;

#[cfg(test)]
mod data_io_tests;

pub use buffer::Buffer;
#[doc(hidden)]
pub use caller_driven::{DirectRead, DirectWrite, DirectWriteStart};
pub use data_reader::DataReader;
pub use data_writer::DataWriter;
pub use encoding::{ByteOrder, UnicodeEncoding};
pub use stream::{ByteSink, ByteSource, InputStream, InputStreamOptions, OpTicket, OutputStream};
