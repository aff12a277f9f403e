//! `DataReader` (Windows.Storage.Streams): bytes loaded from an `IInputStream` (or taken from
//! a buffer) and read back as typed values.
//!
//! One object is shared by several threads (the C ABI and Python wrap it in an `Arc`), so all
//! state sits behind a `std::sync::Mutex` that is never held across an `.await`: `load` reads
//! from the stream unlocked and commits each chunk under the lock as it arrives, so a load that
//! fails or is cancelled (its future dropped) keeps every byte it had received.
//!
//! Decisions (WinRT leaves these open):
//! - Every `read_*` checks that enough bytes are loaded and otherwise fails with `E_BOUNDS`;
//!   a failed read (too few bytes, invalid UTF-8/UTF-16) consumes nothing.
//! - `load` on a reader made by [`DataReader::from_buffer`], or after `detach_stream`, fails
//!   with `E_ILLEGAL_METHOD_CALL` (there is nothing to load from; this mirrors
//!   `DataWriter.StoreAsync` on a buffer-backed writer).
//! - `load(count)` reads `count` *more* bytes; what was loaded and not consumed is kept.
//!   Reading already loaded bytes while a load is pending is allowed.
//! - Loaded bytes are capped at [`MAX_UNCONSUMED_BYTES`]; a load that would pass the cap fails
//!   with `E_OUTOFMEMORY`, keeping what it had loaded. Memory grows only as bytes arrive,
//!   so `load(u32::MAX)` reserves nothing up front.
//! - `detach_stream` and `detach_buffer` fail with `HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION)`
//!   while a load is pending; `detach_buffer` returns the unconsumed bytes.
//! - `read_string` decodes exactly what it is given: a BOM is not stripped, NULs are kept.
//! - Every member, property getters included, fails with `RO_E_CLOSED` after `close`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::hresult::{E_INVALID_OPERATION, E_NO_UNICODE_TRANSLATION, E_OUTOFMEMORY};
use crate::error::{Error, Result};
use crate::foundation::{DateTime, Guid, TimeSpan};
use crate::io::buffer::Buffer;
use crate::io::encoding::{ByteOrder, Ordered, UnicodeEncoding};
use crate::io::stream::{InputStream, InputStreamOptions, MAX_READ_CHUNK};

/// Most loaded-but-unconsumed bytes a `DataReader` holds (1 GiB): the count passed to `load`
/// comes from the caller or a peer's length prefix and must not drive memory use unchecked.
pub const MAX_UNCONSUMED_BYTES: usize = 1 << 30;

/// Above this much spare capacity an emptied buffer is released rather than kept for reuse.
const KEEP_CAPACITY: usize = 1 << 20;

/// `Windows.Storage.Streams.DataReader`: loads bytes from an input stream and reads typed
/// values from them.
///
/// Closing or dropping a `DataReader` that still holds its stream closes the stream too, as in
/// WinRT; call [`DataReader::detach_stream`] first to keep it open.
pub struct DataReader {
    state: Mutex<State>,
}

struct State {
    closed: bool,
    byte_order: ByteOrder,
    encoding: UnicodeEncoding,
    options: InputStreamOptions,
    /// Loaded bytes; `data[pos..]` are unconsumed.
    data: Vec<u8>,
    pos: usize,
    stream: Option<InputStream>,
    loading: bool,
    /// The stream's count of bytes held unconsumed by readers (STARTTLS safety: a socket
    /// refuses to upgrade while plaintext from before the upgrade waits in a reader).
    ledger: Option<Arc<AtomicUsize>>,
}

impl State {
    fn check_open(&self) -> Result<()> {
        if self.closed { Err(Error::closed("DataReader")) } else { Ok(()) }
    }

    fn unconsumed(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Decodes the next `len` bytes with `decode` and consumes them only if that succeeds.
    fn take<T>(&mut self, len: usize, decode: impl FnOnce(&[u8], ByteOrder) -> Result<T>) -> Result<T> {
        let available = self.unconsumed();
        if len > available {
            return Err(Error::bounds(format!(
                "DataReader: reading {len} bytes, but only {available} are loaded and unconsumed \
                 (call LoadAsync first)"
            )));
        }
        let value = decode(&self.data[self.pos..self.pos + len], self.byte_order)?;
        self.pos += len;
        self.forget(len);
        if self.pos == self.data.len() {
            self.pos = 0;
            if self.data.capacity() > KEEP_CAPACITY {
                self.data = Vec::new();
            } else {
                self.data.clear();
            }
        }
        Ok(value)
    }

    /// Appends freshly loaded bytes, first dropping the consumed prefix when it is at least
    /// half the buffer (so compaction costs amortised O(1) per byte).
    fn append(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos >= self.data.len() / 2 {
            self.data.drain(..self.pos);
            self.pos = 0;
        }
        self.data.extend_from_slice(bytes);
        if let Some(ledger) = &self.ledger {
            ledger.fetch_add(bytes.len(), Ordering::AcqRel);
        }
    }

    /// Takes `n` bytes off the stream's ledger (consumed, handed out or discarded).
    fn forget(&self, n: usize) {
        if let Some(ledger) = &self.ledger {
            ledger.fetch_sub(n, Ordering::AcqRel);
        }
    }

    fn check_no_load(&self, what: &str) -> Result<()> {
        if self.loading {
            return Err(Error::new(
                E_INVALID_OPERATION,
                format!("DataReader.{what} is not allowed while a LoadAsync is pending"),
            ));
        }
        Ok(())
    }
}

/// Clears the pending-load marker however the load ends (also when its future is dropped).
struct LoadGuard<'a>(&'a Mutex<State>);

impl Drop for LoadGuard<'_> {
    fn drop(&mut self) {
        lock(self.0).loading = false;
    }
}

/// Locks the state; a poisoned lock is recovered because every update leaves it consistent.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl DataReader {
    /// `DataReader(IInputStream)`: a reader that loads from `stream`.
    pub fn new(stream: InputStream) -> Self {
        Self::with(Some(stream), Vec::new())
    }

    /// `DataReader.FromBuffer(IBuffer)`: a reader over a copy of the buffer's valid bytes, all
    /// of them already loaded; it has no stream, so `load` fails.
    pub fn from_buffer(buffer: &Buffer) -> Self {
        Self::with(None, buffer.to_vec())
    }

    fn with(stream: Option<InputStream>, data: Vec<u8>) -> Self {
        let ledger = stream.as_ref().and_then(|s| s.consumer_ledger());
        Self {
            state: Mutex::new(State {
                closed: false,
                byte_order: ByteOrder::default(),
                encoding: UnicodeEncoding::default(),
                options: InputStreamOptions::default(),
                data,
                pos: 0,
                stream,
                loading: false,
                ledger,
            }),
        }
    }

    /// Locks the state and checks the reader is open.
    /// The stream this loads from / stores to (None without one, or once detached).
    pub(crate) fn stream(&self) -> Option<InputStream> {
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

    /// `UnicodeEncoding` (get): the encoding of `read_string`; default `Utf8`.
    pub fn unicode_encoding(&self) -> Result<UnicodeEncoding> {
        Ok(self.open()?.encoding)
    }

    /// `UnicodeEncoding` (set).
    pub fn set_unicode_encoding(&self, value: UnicodeEncoding) -> Result<()> {
        self.open()?.encoding = value;
        Ok(())
    }

    /// `InputStreamOptions` (get): how `load` completes; default `None`.
    pub fn input_stream_options(&self) -> Result<InputStreamOptions> {
        Ok(self.open()?.options)
    }

    /// `InputStreamOptions` (set).
    pub fn set_input_stream_options(&self, value: InputStreamOptions) -> Result<()> {
        self.open()?.options = value;
        Ok(())
    }

    /// `UnconsumedBufferLength`: bytes loaded and not yet read.
    pub fn unconsumed_buffer_length(&self) -> Result<u32> {
        // A stream reader is capped at 1 GiB and a buffer holds at most 4 GiB - 1 bytes.
        Ok(u32::try_from(self.open()?.unconsumed()).unwrap_or(u32::MAX))
    }

    /// `LoadAsync`: loads up to `count` more bytes from the stream; returns how many arrived.
    ///
    /// With `InputStreamOptions::None` it completes once `count` bytes arrived or the stream
    /// ended; with `Partial` or `ReadAhead` as soon as at least one byte arrived. `Ok(0)` for a
    /// non-zero `count` means the stream ended (the peer closed). Memory grows only as bytes
    /// arrive, so a large `count` reserves nothing up front.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` for a second load while one is pending, or a reader without a
    /// stream (made from a buffer, or after `detach_stream`); `RO_E_CLOSED` after close;
    /// `E_OUTOFMEMORY` when the unconsumed bytes would pass [`MAX_UNCONSUMED_BYTES`];
    /// `ERROR_OPERATION_ABORTED` when the socket is closed or `cancel_io`'d meanwhile; the
    /// stream's read error (ConnectionResetByPeer, ...). Bytes that arrived before a failure
    /// stay loaded.
    ///
    /// # Cancel safety
    /// Cancel safe: every byte that had arrived when the future is dropped stays loaded (check
    /// `unconsumed_buffer_length`), and a new load may start.
    ///
    /// # Examples
    /// A length-prefixed message:
    /// ```no_run
    /// # async fn example(socket: netrt::StreamSocket) -> netrt::Result<()> {
    /// use netrt::DataReader;
    ///
    /// let reader = DataReader::new(socket.input_stream());
    /// if reader.load(4).await? < 4 {
    ///     return Ok(()); // the peer closed
    /// }
    /// let len = reader.read_int32()? as u32;
    /// reader.load(len).await?;
    /// println!("{}", reader.read_string(len)?);
    /// reader.detach_stream()?; // otherwise dropping the reader closes the socket
    /// # Ok(())
    /// # }
    /// ```
    pub async fn load(&self, count: u32) -> Result<u32> {
        let (stream, options) = {
            let mut st = self.open()?;
            if st.loading {
                return Err(Error::illegal_method_call(
                    "DataReader.LoadAsync: a LoadAsync is already pending (one at a time)",
                ));
            }
            let stream = st.stream.clone().ok_or_else(|| {
                Error::illegal_method_call(
                    "DataReader.LoadAsync: the reader has no stream (created from a buffer, or \
                     DetachStream was called)",
                )
            })?;
            st.loading = true;
            (stream, st.options)
        };
        let _guard = LoadGuard(&self.state);
        // One ticket for the whole load: a CancelIOAsync between two of its reads still ends it.
        let ticket = stream.ticket();
        let count = count as usize;
        let mut loaded = 0usize;
        // Reused for every chunk; one chunk is at most MAX_READ_CHUNK bytes, whatever `count`.
        let mut chunk = Vec::new();
        while loaded < count {
            let room = MAX_UNCONSUMED_BYTES.saturating_sub(self.open()?.unconsumed());
            if room == 0 {
                return Err(Error::new(
                    E_OUTOFMEMORY,
                    format!(
                        "DataReader.LoadAsync: the {MAX_UNCONSUMED_BYTES}-byte cap on unconsumed data \
                         is reached ({loaded} bytes of this load were kept); read some data first"
                    ),
                ));
            }
            let want = (count - loaded).min(room).min(MAX_READ_CHUNK);
            chunk.clear();
            // One read per chunk (Partial); the loop below gives `None` its "until count" meaning.
            let n = stream
                .read_into_with(ticket, &mut chunk, want as u32, InputStreamOptions::Partial, None)
                .await?;
            if n == 0 {
                break;
            }
            self.open()?.append(&chunk);
            loaded += n;
            if options.read_is_over(n, loaded, count) {
                break;
            }
        }
        Ok(loaded as u32)
    }

    /// Reads `len` bytes with `decode` under one lock, consuming them only on success.
    fn take<T>(&self, len: usize, decode: impl FnOnce(&[u8], ByteOrder) -> Result<T>) -> Result<T> {
        self.open()?.take(len, decode)
    }

    /// Reads a number in the current byte order.
    fn read_ordered<T: Ordered>(&self) -> Result<T> {
        self.take(std::mem::size_of::<T>(), |b, order| Ok(T::from_slice(b, order)))
    }

    /// `ReadByte`.
    pub fn read_byte(&self) -> Result<u8> {
        self.take(1, |b, _| Ok(b[0]))
    }

    /// `ReadBytes(byte[])`: fills all of `value`.
    pub fn read_bytes(&self, value: &mut [u8]) -> Result<()> {
        self.take(value.len(), |b, _| {
            value.copy_from_slice(b);
            Ok(())
        })
    }

    /// `ReadBuffer(length)`: the next `length` bytes as a new buffer.
    pub fn read_buffer(&self, length: u32) -> Result<Buffer> {
        self.take(length as usize, |b, _| Buffer::from_bytes(b))
    }

    /// `ReadBoolean`: one byte; any non-zero value is `true`.
    pub fn read_boolean(&self) -> Result<bool> {
        self.take(1, |b, _| Ok(b[0] != 0))
    }

    /// `ReadGuid`: `Data1`, `Data2`, `Data3` in the byte order, then the 8 `Data4` bytes.
    pub fn read_guid(&self) -> Result<Guid> {
        self.take(16, |b, order| {
            let mut data4 = [0u8; 8];
            data4.copy_from_slice(&b[8..16]);
            Ok(Guid {
                data1: u32::from_slice(&b[0..4], order),
                data2: u16::from_slice(&b[4..6], order),
                data3: u16::from_slice(&b[6..8], order),
                data4,
            })
        })
    }

    /// `ReadInt16`.
    pub fn read_int16(&self) -> Result<i16> {
        self.read_ordered()
    }

    /// `ReadInt32`.
    pub fn read_int32(&self) -> Result<i32> {
        self.read_ordered()
    }

    /// `ReadInt64`.
    pub fn read_int64(&self) -> Result<i64> {
        self.read_ordered()
    }

    /// `ReadUInt16`.
    pub fn read_uint16(&self) -> Result<u16> {
        self.read_ordered()
    }

    /// `ReadUInt32`.
    pub fn read_uint32(&self) -> Result<u32> {
        self.read_ordered()
    }

    /// `ReadUInt64`.
    pub fn read_uint64(&self) -> Result<u64> {
        self.read_ordered()
    }

    /// `ReadSingle`: IEEE 754 binary32.
    pub fn read_single(&self) -> Result<f32> {
        self.read_ordered()
    }

    /// `ReadDouble`: IEEE 754 binary64.
    pub fn read_double(&self) -> Result<f64> {
        self.read_ordered()
    }

    /// `ReadDateTime`: a 64-bit tick count since 1601-01-01 UTC.
    pub fn read_date_time(&self) -> Result<DateTime> {
        Ok(DateTime { universal_time: self.read_ordered()? })
    }

    /// `ReadTimeSpan`: a 64-bit tick count.
    pub fn read_time_span(&self) -> Result<TimeSpan> {
        Ok(TimeSpan { duration: self.read_ordered()? })
    }

    /// `ReadString(codeUnitCount)`: `code_unit_count` code units of the current encoding (bytes
    /// for UTF-8, 16-bit units for UTF-16). Invalid data (including an unpaired surrogate or a
    /// UTF-8 sequence cut at the end) is `HRESULT_FROM_WIN32(ERROR_NO_UNICODE_TRANSLATION)`.
    pub fn read_string(&self, code_unit_count: u32) -> Result<String> {
        let mut st = self.open()?;
        let encoding = st.encoding;
        // Saturating: on 32-bit targets an overlong count must become E_BOUNDS, not wrap.
        let len = (code_unit_count as usize).saturating_mul(encoding.code_unit_size());
        st.take(len, |b, _| decode_string(b, encoding))
    }

    /// `DetachStream`: hands the stream back so closing the reader no longer closes it; loaded
    /// bytes stay readable. `None` when the reader has no stream. Fails with
    /// `HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION)` while a load is pending.
    pub fn detach_stream(&self) -> Result<Option<InputStream>> {
        let mut st = self.open()?;
        st.check_no_load("DetachStream")?;
        Ok(st.stream.take())
    }

    /// `DetachBuffer`: takes the unconsumed bytes, leaving the reader empty. Fails with
    /// `HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION)` while a load is pending.
    pub fn detach_buffer(&self) -> Result<Buffer> {
        let mut st = self.open()?;
        st.check_no_load("DetachBuffer")?;
        let mut data = std::mem::take(&mut st.data);
        data.drain(..std::mem::take(&mut st.pos));
        st.forget(data.len());
        Buffer::from_vec(data)
    }

    /// `Close`: closes the reader and, unless it was detached, its stream; loaded bytes are
    /// discarded. Idempotent. A pending load then completes with an error.
    pub fn close(&self) {
        let stream = {
            let mut st = lock(&self.state);
            if st.closed {
                return;
            }
            st.closed = true;
            let unconsumed = st.unconsumed();
            st.forget(unconsumed);
            st.data = Vec::new();
            st.pos = 0;
            st.stream.take()
        };
        // Outside the lock: the source's close may take its own locks.
        if let Some(stream) = stream {
            stream.close();
        }
    }
}

/// Decodes `bytes` as a whole string in `encoding`; never panics on bad input.
fn decode_string(bytes: &[u8], encoding: UnicodeEncoding) -> Result<String> {
    let unit = |pair: &[u8]| {
        let pair = [pair[0], pair[1]];
        if encoding == UnicodeEncoding::Utf16BE { u16::from_be_bytes(pair) } else { u16::from_le_bytes(pair) }
    };
    match encoding {
        UnicodeEncoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(Error::new(
                E_NO_UNICODE_TRANSLATION,
                match e.error_len() {
                    Some(_) => format!("ReadString: invalid UTF-8 at byte {}", e.valid_up_to()),
                    None => format!("ReadString: UTF-8 sequence cut at byte {}", e.valid_up_to()),
                },
            )),
        },
        UnicodeEncoding::Utf16LE | UnicodeEncoding::Utf16BE => {
            char::decode_utf16(bytes.chunks_exact(2).map(unit)).collect::<Result<String, _>>().map_err(|e| {
                Error::new(
                    E_NO_UNICODE_TRANSLATION,
                    format!("ReadString: unpaired UTF-16 surrogate 0x{:04X}", e.unpaired_surrogate()),
                )
            })
        }
    }
}

impl Drop for DataReader {
    /// A reader dropped without `detach_stream` closes its stream, as WinRT's does.
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for DataReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = lock(&self.state);
        f.debug_struct("DataReader")
            .field("closed", &st.closed)
            .field("byte_order", &st.byte_order)
            .field("unicode_encoding", &st.encoding)
            .field("input_stream_options", &st.options)
            .field("unconsumed", &st.unconsumed())
            .field("has_stream", &st.stream.is_some())
            .finish()
    }
}
