//! `DataWriter` (Windows.Storage.Streams): typed values appended to an in-memory buffer and
//! committed to an `IOutputStream` by `StoreAsync`.
//!
//! One object is shared by several threads (the C ABI and Python wrap it in an `Arc`), so all
//! state sits behind a `std::sync::Mutex` that is never held across an `.await`: `store` takes
//! the buffered bytes out under the lock, writes them unlocked, and settles the outcome under
//! the lock again.
//!
//! Decisions (WinRT leaves these open):
//! - A failed or cancelled (dropped) `store` puts its bytes back in front of anything written
//!   meanwhile, so nothing is silently lost; the caller may retry or
//!   `detach_buffer` to discard them. A sink that failed part-way may have sent a prefix.
//! - Only one `store` or `flush` is in flight at a time; another one meanwhile is
//!   `E_ILLEGAL_METHOD_CALL`, and `detach_stream` / `detach_buffer` meanwhile are
//!   `HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION)`. Writes meanwhile are allowed and are
//!   stored by the next `store`.
//! - `flush` flushes the stream only; it does not store unstored bytes (call `store` first).
//! - Unstored bytes are capped at [`MAX_UNSTORED_BYTES`]; a write past it fails with
//!   `E_OUTOFMEMORY` and writes nothing.
//! - Every member, property getters included, fails with `RO_E_CLOSED` after `close`.

use std::sync::{Mutex, MutexGuard};

use crate::error::hresult::{E_INVALID_OPERATION, E_OUTOFMEMORY};
use crate::error::{Error, Result};
use crate::foundation::{DateTime, Guid, TimeSpan};
use crate::io::buffer::Buffer;
use crate::io::encoding::{ByteOrder, Ordered, UnicodeEncoding};
use crate::io::stream::OutputStream;

/// Most bytes a `DataWriter` buffers before `store` (1 GiB): the writes are the caller's, but an
/// unbounded buffer would turn a forgotten `store` into an out-of-memory abort.
pub const MAX_UNSTORED_BYTES: usize = 1 << 30;

/// `Windows.Storage.Streams.DataWriter`: writes typed values into a buffer, then stores them to
/// an output stream.
///
/// Closing or dropping a `DataWriter` that still holds its stream closes the stream too, as in
/// WinRT; call [`DataWriter::detach_stream`] first to keep it open.
pub struct DataWriter {
    state: Mutex<State>,
}

/// An operation that uses the stream; one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Store,
    Flush,
}

struct State {
    closed: bool,
    byte_order: ByteOrder,
    encoding: UnicodeEncoding,
    /// Bytes written and not yet taken by a `store`.
    unstored: Vec<u8>,
    /// Bytes an in-flight `store` took; they count against the cap because a failed store
    /// puts them back.
    in_flight: usize,
    stream: Option<OutputStream>,
    pending: Option<Pending>,
}

impl State {
    fn check_open(&self) -> Result<()> {
        if self.closed { Err(Error::closed("DataWriter")) } else { Ok(()) }
    }

    /// Appends `bytes` unless that would pass the cap (then nothing is written).
    fn append(&mut self, bytes: &[u8]) -> Result<()> {
        self.check_room(bytes.len())?;
        self.unstored.extend_from_slice(bytes);
        Ok(())
    }

    fn check_room(&self, extra: usize) -> Result<()> {
        let held = self.unstored.len() + self.in_flight;
        if extra > MAX_UNSTORED_BYTES - held {
            return Err(Error::new(
                E_OUTOFMEMORY,
                format!(
                    "DataWriter: writing {extra} bytes would exceed the {MAX_UNSTORED_BYTES}-byte cap on \
                     unstored data ({held} held); call StoreAsync or DetachBuffer first"
                ),
            ));
        }
        Ok(())
    }

    fn check_idle(&self, what: &str) -> Result<()> {
        match self.pending {
            None => Ok(()),
            Some(p) => Err(Error::illegal_method_call(format!(
                "DataWriter.{what}: a {} is already in flight (one at a time)",
                if p == Pending::Store { "StoreAsync" } else { "FlushAsync" }
            ))),
        }
    }

    fn check_not_detaching_in_flight(&self, what: &str) -> Result<()> {
        if self.pending.is_some() {
            return Err(Error::new(
                E_INVALID_OPERATION,
                format!("DataWriter.{what} is not allowed while a StoreAsync or FlushAsync is in flight"),
            ));
        }
        Ok(())
    }

    fn stream_for(&self, what: &str) -> Result<OutputStream> {
        self.stream.clone().ok_or_else(|| {
            Error::illegal_method_call(format!(
                "DataWriter.{what}: the writer has no stream (created without one, or DetachStream \
                 was called); use DetachBuffer to take the bytes"
            ))
        })
    }
}

/// Settles an in-flight `store` however it ends (success, error, or the future being dropped).
struct StoreGuard<'a> {
    state: &'a Mutex<State>,
    /// The bytes being stored; `None` once the stream accepted them.
    data: Option<Vec<u8>>,
}

impl Drop for StoreGuard<'_> {
    fn drop(&mut self) {
        let mut st = lock(self.state);
        st.pending = None;
        st.in_flight = 0;
        if let Some(mut data) = self.data.take() {
            // Put the bytes back ahead of anything written meanwhile, keeping the order.
            if !st.closed && !data.is_empty() {
                data.extend_from_slice(&st.unstored);
                st.unstored = data;
            }
        }
    }
}

/// Clears the in-flight marker of a `flush`, also when its future is dropped.
struct FlushGuard<'a>(&'a Mutex<State>);

impl Drop for FlushGuard<'_> {
    fn drop(&mut self) {
        lock(self.0).pending = None;
    }
}

/// Locks the state; a poisoned lock is recovered because every update leaves it consistent.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl DataWriter {
    /// `DataWriter()`: a writer with no stream; take its bytes with [`DataWriter::detach_buffer`].
    pub fn new() -> Self {
        Self::with(None)
    }

    /// `DataWriter(IOutputStream)`: a writer that stores into `stream`.
    pub fn with_stream(stream: OutputStream) -> Self {
        Self::with(Some(stream))
    }

    fn with(stream: Option<OutputStream>) -> Self {
        Self {
            state: Mutex::new(State {
                closed: false,
                byte_order: ByteOrder::default(),
                encoding: UnicodeEncoding::default(),
                unstored: Vec::new(),
                in_flight: 0,
                stream,
                pending: None,
            }),
        }
    }

    /// Locks the state and checks the writer is open.
    /// The stream this loads from / stores to (None without one, or once detached).
    pub(crate) fn stream(&self) -> Option<OutputStream> {
        lock(&self.state).stream.clone()
    }

    fn open(&self) -> Result<MutexGuard<'_, State>> {
        let st = lock(&self.state);
        st.check_open()?;
        Ok(st)
    }

    /// `ByteOrder` (get): the layout of multi-byte numbers; default `BigEndian`.
    pub fn byte_order(&self) -> Result<ByteOrder> {
        Ok(self.open()?.byte_order)
    }

    /// `ByteOrder` (set).
    pub fn set_byte_order(&self, value: ByteOrder) -> Result<()> {
        self.open()?.byte_order = value;
        Ok(())
    }

    /// `UnicodeEncoding` (get): the encoding of `write_string`; default `Utf8`.
    pub fn unicode_encoding(&self) -> Result<UnicodeEncoding> {
        Ok(self.open()?.encoding)
    }

    /// `UnicodeEncoding` (set).
    pub fn set_unicode_encoding(&self, value: UnicodeEncoding) -> Result<()> {
        self.open()?.encoding = value;
        Ok(())
    }

    /// `UnstoredBufferLength`: bytes written and not yet taken by a store.
    pub fn unstored_buffer_length(&self) -> Result<u32> {
        // The cap (1 GiB) keeps this within u32.
        Ok(self.open()?.unstored.len() as u32)
    }

    /// `WriteByte`.
    pub fn write_byte(&self, value: u8) -> Result<()> {
        self.open()?.append(&[value])
    }

    /// `WriteBytes(byte[])`.
    pub fn write_bytes(&self, value: &[u8]) -> Result<()> {
        self.open()?.append(value)
    }

    /// `WriteBuffer(IBuffer)`: the buffer's valid bytes (`0..length`).
    pub fn write_buffer(&self, buffer: &Buffer) -> Result<()> {
        buffer.with_bytes(|bytes| self.open()?.append(bytes))
    }

    /// `WriteBuffer(IBuffer, start, count)` (ABI name `WriteBufferRange`): `count` bytes from
    /// `start`; a range past the buffer's length is `E_BOUNDS`.
    pub fn write_buffer_range(&self, buffer: &Buffer, start: u32, count: u32) -> Result<()> {
        let mut st = self.open()?;
        let end = u64::from(start) + u64::from(count);
        if end > u64::from(buffer.length()) {
            return Err(Error::bounds(format!(
                "WriteBuffer: range {start}..{end} is outside the buffer's {} bytes",
                buffer.length()
            )));
        }
        buffer.with_bytes(|bytes| st.append(&bytes[start as usize..end as usize]))
    }

    /// `WriteBoolean`: one byte, 1 or 0.
    pub fn write_boolean(&self, value: bool) -> Result<()> {
        self.write_byte(u8::from(value))
    }

    /// `WriteGuid`: `Data1`, `Data2`, `Data3` in the byte order, then the 8 `Data4` bytes as
    /// they are (as WinRT).
    pub fn write_guid(&self, value: Guid) -> Result<()> {
        let mut st = self.open()?;
        let order = st.byte_order;
        let mut bytes = [0u8; 16];
        bytes[0..4].copy_from_slice(&value.data1.to_bytes(order));
        bytes[4..6].copy_from_slice(&value.data2.to_bytes(order));
        bytes[6..8].copy_from_slice(&value.data3.to_bytes(order));
        bytes[8..16].copy_from_slice(&value.data4);
        st.append(&bytes)
    }

    /// Writes a number in the current byte order.
    fn write_ordered(&self, value: impl Ordered) -> Result<()> {
        let mut st = self.open()?;
        let bytes = value.to_bytes(st.byte_order);
        st.append(bytes.as_ref())
    }

    /// `WriteInt16`.
    pub fn write_int16(&self, value: i16) -> Result<()> {
        self.write_ordered(value)
    }

    /// `WriteInt32`.
    pub fn write_int32(&self, value: i32) -> Result<()> {
        self.write_ordered(value)
    }

    /// `WriteInt64`.
    pub fn write_int64(&self, value: i64) -> Result<()> {
        self.write_ordered(value)
    }

    /// `WriteUInt16`.
    pub fn write_uint16(&self, value: u16) -> Result<()> {
        self.write_ordered(value)
    }

    /// `WriteUInt32`.
    pub fn write_uint32(&self, value: u32) -> Result<()> {
        self.write_ordered(value)
    }

    /// `WriteUInt64`.
    pub fn write_uint64(&self, value: u64) -> Result<()> {
        self.write_ordered(value)
    }

    /// `WriteSingle`: IEEE 754 binary32.
    pub fn write_single(&self, value: f32) -> Result<()> {
        self.write_ordered(value)
    }

    /// `WriteDouble`: IEEE 754 binary64.
    pub fn write_double(&self, value: f64) -> Result<()> {
        self.write_ordered(value)
    }

    /// `WriteDateTime`: the 64-bit tick count (`UniversalTime`).
    pub fn write_date_time(&self, value: DateTime) -> Result<()> {
        self.write_ordered(value.universal_time)
    }

    /// `WriteTimeSpan`: the 64-bit tick count (`Duration`).
    pub fn write_time_span(&self, value: TimeSpan) -> Result<()> {
        self.write_ordered(value.duration)
    }

    /// `WriteString`: the text in the current encoding, without BOM or terminator; returns its
    /// length in bytes.
    pub fn write_string(&self, value: &str) -> Result<u32> {
        let mut st = self.open()?;
        let len = measure(value, st.encoding)?;
        st.check_room(len as usize)?;
        match st.encoding {
            UnicodeEncoding::Utf8 => st.unstored.extend_from_slice(value.as_bytes()),
            UnicodeEncoding::Utf16LE => {
                st.unstored.extend(value.encode_utf16().flat_map(u16::to_le_bytes));
            }
            UnicodeEncoding::Utf16BE => {
                st.unstored.extend(value.encode_utf16().flat_map(u16::to_be_bytes));
            }
        }
        Ok(len)
    }

    /// `MeasureString`: the bytes `write_string` would write for `value`, writing nothing.
    pub fn measure_string(&self, value: &str) -> Result<u32> {
        let encoding = self.open()?.encoding;
        measure(value, encoding)
    }

    /// `StoreAsync`: writes the unstored bytes to the stream; returns how many were stored.
    ///
    /// Without a stream (created with [`DataWriter::new`], or detached) it fails with
    /// `E_ILLEGAL_METHOD_CALL`, as does a second store or a flush in flight. If the write fails
    /// or this future is dropped, the bytes are kept (see the module notes).
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` without a stream or while a store or flush is in flight;
    /// `RO_E_CLOSED` after close; `ERROR_OPERATION_ABORTED` when the socket is closed or
    /// `cancel_io`'d meanwhile; the stream's write error (ConnectionResetByPeer, ...).
    ///
    /// # Cancel safety
    /// Nothing is silently lost: when the future is dropped (or the write fails) its bytes are
    /// put back in front of anything written meanwhile, to be stored again or taken with
    /// `detach_buffer`. But a write already under way may have sent a prefix of them, so a
    /// retry can send that prefix twice.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(socket: netrt::StreamSocket) -> netrt::Result<()> {
    /// use netrt::DataWriter;
    ///
    /// let writer = DataWriter::with_stream(socket.output_stream());
    /// writer.write_int32(writer.measure_string("Hello ☺")? as i32)?;
    /// writer.write_string("Hello ☺")?;
    /// let stored = writer.store().await?;
    /// writer.detach_stream()?; // otherwise dropping the writer closes the socket
    /// println!("{stored} bytes");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn store(&self) -> Result<u32> {
        let (stream, data) = {
            let mut st = self.open()?;
            st.check_idle("StoreAsync")?;
            let stream = st.stream_for("StoreAsync")?;
            let data = std::mem::take(&mut st.unstored);
            st.in_flight = data.len();
            st.pending = Some(Pending::Store);
            (stream, data)
        };
        let mut guard = StoreGuard { state: &self.state, data: Some(data) };
        let data = guard.data.as_deref().unwrap_or_default();
        if data.is_empty() {
            // Nothing to send: an empty write would be an empty datagram on datagram streams.
            return Ok(0);
        }
        let stored = stream.write(data).await?;
        guard.data = None;
        Ok(stored)
    }

    /// `FlushAsync`: flushes the stream (not the unstored bytes: `store` those first).
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` without a stream or while a store or flush is in flight;
    /// `RO_E_CLOSED` after close; the stream's error.
    ///
    /// # Cancel safety
    /// Cancel safe: a flush moves no unstored bytes, and a new store or flush may start.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(writer: netrt::DataWriter) -> netrt::Result<()> {
    /// writer.store().await?;
    /// writer.flush().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn flush(&self) -> Result<bool> {
        let stream = {
            let mut st = self.open()?;
            st.check_idle("FlushAsync")?;
            let stream = st.stream_for("FlushAsync")?;
            st.pending = Some(Pending::Flush);
            stream
        };
        let _guard = FlushGuard(&self.state);
        stream.flush().await
    }

    /// `DetachStream`: hands the stream back so closing the writer no longer closes it; the
    /// writer keeps its unstored bytes but can no longer store. `None` when it has no stream.
    /// Fails with `HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION)` while a store or flush is in
    /// flight.
    pub fn detach_stream(&self) -> Result<Option<OutputStream>> {
        let mut st = self.open()?;
        st.check_not_detaching_in_flight("DetachStream")?;
        Ok(st.stream.take())
    }

    /// `DetachBuffer`: takes the unstored bytes, leaving the writer empty. Fails with
    /// `HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION)` while a store or flush is in flight (a
    /// failing store puts its bytes back, which would reorder them around the detached ones).
    pub fn detach_buffer(&self) -> Result<Buffer> {
        let mut st = self.open()?;
        st.check_not_detaching_in_flight("DetachBuffer")?;
        Buffer::from_vec(std::mem::take(&mut st.unstored))
    }

    /// `Close`: closes the writer and, unless it was detached, its stream; unstored bytes are
    /// discarded. Idempotent. An in-flight store then completes with the stream's error.
    pub fn close(&self) {
        let stream = {
            let mut st = lock(&self.state);
            if st.closed {
                return;
            }
            st.closed = true;
            st.unstored = Vec::new();
            st.stream.take()
        };
        // Outside the lock: the sink's close may take its own locks.
        if let Some(stream) = stream {
            stream.close();
        }
    }
}

/// Bytes `value` takes in `encoding`; more than 4 GiB - 1 is `E_INVALIDARG` (the result is a
/// uint32 in WinRT).
fn measure(value: &str, encoding: UnicodeEncoding) -> Result<u32> {
    let len = match encoding {
        UnicodeEncoding::Utf8 => value.len(),
        UnicodeEncoding::Utf16LE | UnicodeEncoding::Utf16BE => value.encode_utf16().count() * 2,
    };
    u32::try_from(len).map_err(|_| Error::invalid_arg("string longer than 4 GiB - 1 bytes"))
}

impl Default for DataWriter {
    /// Same as [`DataWriter::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for DataWriter {
    /// A writer dropped without `detach_stream` closes its stream, as WinRT's does.
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for DataWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = lock(&self.state);
        f.debug_struct("DataWriter")
            .field("closed", &st.closed)
            .field("byte_order", &st.byte_order)
            .field("unicode_encoding", &st.encoding)
            .field("unstored", &st.unstored.len())
            .field("has_stream", &st.stream.is_some())
            .finish()
    }
}
