//! Windows.Storage.Streams: buffers, streams, `DataReader`, `DataWriter`.

pub mod buffer;
pub mod stream;

pub use buffer::Buffer;
pub use stream::{ByteSink, ByteSource, InputStream, InputStreamOptions, OutputStream};
