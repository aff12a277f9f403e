//! Tests of `DataWriter` and `DataReader` together: exact layouts, round trips through an
//! in-memory sink and a fragmenting source, bounds, bad text, detach, close and concurrency.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::error::hresult::{
    E_BOUNDS, E_ILLEGAL_METHOD_CALL, E_INVALID_OPERATION, E_NO_UNICODE_TRANSLATION, E_OUTOFMEMORY,
    RO_E_CLOSED,
};
use crate::error::{Error, Result};
use crate::foundation::{DateTime, Guid, TimeSpan};
use crate::io::data_writer::MAX_UNSTORED_BYTES;
use crate::io::stream::{BoxFuture, MAX_READ_CHUNK, OpTicket};
use crate::io::{
    Buffer, ByteOrder, ByteSink, ByteSource, DataReader, DataWriter, InputStream, InputStreamOptions,
    OutputStream, UnicodeEncoding,
};

// ---- test peers -------------------------------------------------------------------------

/// A sink that records what it is given; it can fail, or hold writes until released.
#[derive(Default)]
struct MemSink {
    written: Mutex<Vec<u8>>,
    writes: AtomicUsize,
    flushes: AtomicUsize,
    fail: AtomicBool,
    hold: AtomicBool,
    /// Notified when a write starts.
    entered: Notify,
    /// Lets one held write go on.
    release: Notify,
    closed: AtomicBool,
}

impl MemSink {
    fn bytes(&self) -> Vec<u8> {
        self.written.lock().unwrap().clone()
    }
}

impl ByteSink for MemSink {
    fn write_all<'a>(&'a self, data: &'a [u8], _ticket: OpTicket) -> BoxFuture<'a, Result<u32>> {
        Box::pin(async move {
            self.writes.fetch_add(1, Ordering::SeqCst);
            self.entered.notify_one();
            if self.hold.load(Ordering::SeqCst) {
                self.release.notified().await;
            }
            if self.fail.load(Ordering::SeqCst) {
                return Err(Error::from_errno(libc::ECONNRESET, "test sink write"));
            }
            self.written.lock().unwrap().extend_from_slice(data);
            Ok(data.len() as u32)
        })
    }

    fn flush(&self) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            self.flushes.fetch_add(1, Ordering::SeqCst);
            Ok(true)
        })
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }
}

/// A source that hands out queued fragments (at most one per read), then waits for more or
/// reports the end once `eof` is set. It records the largest buffer a read asked for.
#[derive(Default)]
struct ChunkSource {
    chunks: Mutex<VecDeque<Vec<u8>>>,
    eof: AtomicBool,
    closed: AtomicBool,
    max_request: AtomicUsize,
    reads: AtomicUsize,
    /// Notified when a read starts.
    entered: Notify,
    /// Notified when fragments are pushed or the source is closed.
    more: Notify,
}

impl ChunkSource {
    fn with_fragments(data: &[u8], size: usize) -> Arc<Self> {
        let src = Self::default();
        src.chunks.lock().unwrap().extend(data.chunks(size).map(<[u8]>::to_vec));
        src.eof.store(true, Ordering::SeqCst);
        Arc::new(src)
    }

    fn push(&self, bytes: &[u8]) {
        self.chunks.lock().unwrap().push_back(bytes.to_vec());
        self.more.notify_one();
    }

    fn pop_into(&self, buf: &mut [u8]) -> Option<usize> {
        let mut chunks = self.chunks.lock().unwrap();
        let mut chunk = chunks.pop_front()?;
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        if n < chunk.len() {
            chunks.push_front(chunk.split_off(n));
        }
        Some(n)
    }
}

impl ByteSource for ChunkSource {
    fn read_some<'a>(&'a self, buf: &'a mut [u8], _ticket: OpTicket) -> BoxFuture<'a, Result<usize>> {
        Box::pin(async move {
            self.max_request.fetch_max(buf.len(), Ordering::SeqCst);
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.entered.notify_one();
            loop {
                if self.closed.load(Ordering::SeqCst) {
                    return Err(Error::aborted("test source read"));
                }
                if let Some(n) = self.pop_into(buf) {
                    return Ok(n);
                }
                if self.eof.load(Ordering::SeqCst) {
                    return Ok(0);
                }
                self.more.notified().await;
            }
        })
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.more.notify_one();
    }
}

fn sink_writer() -> (Arc<MemSink>, DataWriter) {
    let sink = Arc::new(MemSink::default());
    let writer = DataWriter::with_stream(OutputStream::new(sink.clone()));
    (sink, writer)
}

fn hr<T: std::fmt::Debug>(r: Result<T>) -> i32 {
    r.expect_err("expected an error").hresult()
}

/// Polls `fut` once (so it starts and parks on the peer), then drops it: a cancellation.
async fn poll_once_then_drop<F: Future>(fut: F) {
    let mut fut = std::pin::pin!(fut);
    tokio::select! {
        biased;
        _ = &mut fut => panic!("the operation was expected to stay pending"),
        () = std::future::ready(()) => {}
    }
}

/// The bytes `f` writes with a fresh in-memory writer in `order`.
fn bytes_of(order: ByteOrder, f: impl FnOnce(&DataWriter) -> Result<()>) -> Vec<u8> {
    let w = DataWriter::new();
    w.set_byte_order(order).unwrap();
    f(&w).unwrap();
    w.detach_buffer().unwrap().to_vec()
}

const GUID: Guid = Guid {
    data1: 0x0011_2233,
    data2: 0x4455,
    data3: 0x6677,
    data4: [0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF],
};

// ---- exact layouts ----------------------------------------------------------------------

#[test]
fn defaults() {
    let w = DataWriter::new();
    assert_eq!(w.byte_order().unwrap(), ByteOrder::BigEndian);
    assert_eq!(w.unicode_encoding().unwrap(), UnicodeEncoding::Utf8);
    assert_eq!(w.unstored_buffer_length().unwrap(), 0);
    let r = DataReader::from_buffer(&Buffer::new(0).unwrap());
    assert_eq!(r.byte_order().unwrap(), ByteOrder::BigEndian);
    assert_eq!(r.unicode_encoding().unwrap(), UnicodeEncoding::Utf8);
    assert_eq!(r.input_stream_options().unwrap(), InputStreamOptions::None);
    assert_eq!(r.unconsumed_buffer_length().unwrap(), 0);
}

#[test]
fn number_layouts() {
    use ByteOrder::{BigEndian as Be, LittleEndian as Le};
    assert_eq!(bytes_of(Be, |w| w.write_int32(0x0102_0304)), [1, 2, 3, 4]);
    assert_eq!(bytes_of(Le, |w| w.write_int32(0x0102_0304)), [4, 3, 2, 1]);
    assert_eq!(bytes_of(Be, |w| w.write_uint16(0xABCD)), [0xAB, 0xCD]);
    assert_eq!(bytes_of(Le, |w| w.write_int16(-2)), [0xFE, 0xFF]);
    assert_eq!(bytes_of(Be, |w| w.write_uint64(0x0102_0304_0506_0708)), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(bytes_of(Le, |w| w.write_int64(1)), [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(bytes_of(Be, |w| w.write_single(1.0)), [0x3F, 0x80, 0, 0]);
    assert_eq!(bytes_of(Le, |w| w.write_double(1.0)), [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]);
    assert_eq!(bytes_of(Be, |w| w.write_boolean(true)), [1]);
    assert_eq!(bytes_of(Be, |w| w.write_boolean(false)), [0]);
    assert_eq!(bytes_of(Le, |w| w.write_byte(0x7F)), [0x7F]);
    let ticks = 0x0102_0304_0506_0708;
    assert_eq!(bytes_of(Be, |w| w.write_date_time(DateTime { universal_time: ticks })), ticks.to_be_bytes());
    assert_eq!(bytes_of(Le, |w| w.write_time_span(TimeSpan { duration: -ticks })), (-ticks).to_le_bytes());
}

#[test]
fn guid_layout() {
    let be = bytes_of(ByteOrder::BigEndian, |w| w.write_guid(GUID));
    assert_eq!(
        be,
        [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]
    );
    let le = bytes_of(ByteOrder::LittleEndian, |w| w.write_guid(GUID));
    // Little-endian fields give the Windows in-memory layout; Data4 is never swapped.
    assert_eq!(le, GUID.to_bytes_le());
    assert_eq!(
        le,
        [0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]
    );
    for (order, bytes) in [(ByteOrder::BigEndian, be), (ByteOrder::LittleEndian, le)] {
        let r = DataReader::from_buffer(&Buffer::from_vec(bytes).unwrap());
        r.set_byte_order(order).unwrap();
        assert_eq!(r.read_guid().unwrap(), GUID);
    }
}

#[test]
fn string_layouts() {
    let cases: [(UnicodeEncoding, &str, &[u8]); 6] = [
        (UnicodeEncoding::Utf8, "☺", &[0xE2, 0x98, 0xBA]),
        (UnicodeEncoding::Utf16LE, "☺", &[0x3A, 0x26]),
        (UnicodeEncoding::Utf16BE, "☺", &[0x26, 0x3A]),
        (UnicodeEncoding::Utf16LE, "𝄞", &[0x34, 0xD8, 0x1E, 0xDD]),
        (UnicodeEncoding::Utf16BE, "A𝄞", &[0x00, 0x41, 0xD8, 0x34, 0xDD, 0x1E]),
        (UnicodeEncoding::Utf8, "", &[]),
    ];
    for (encoding, text, expected) in cases {
        // The string encoding is independent of ByteOrder.
        for order in [ByteOrder::BigEndian, ByteOrder::LittleEndian] {
            let w = DataWriter::new();
            w.set_byte_order(order).unwrap();
            w.set_unicode_encoding(encoding).unwrap();
            assert_eq!(w.measure_string(text).unwrap() as usize, expected.len());
            assert_eq!(w.unstored_buffer_length().unwrap(), 0, "measure_string writes nothing");
            assert_eq!(w.write_string(text).unwrap() as usize, expected.len());
            assert_eq!(w.detach_buffer().unwrap().to_vec(), expected, "{encoding:?} {text:?}");
        }
    }
}

#[test]
fn measure_matches_write_for_every_encoding() {
    for encoding in [UnicodeEncoding::Utf8, UnicodeEncoding::Utf16LE, UnicodeEncoding::Utf16BE] {
        for text in ["", "a", "héllo", "☺☺", "𝄞 music", "\0nul\0", "日本語のテキスト"] {
            let w = DataWriter::new();
            w.set_unicode_encoding(encoding).unwrap();
            let measured = w.measure_string(text).unwrap();
            assert_eq!(w.write_string(text).unwrap(), measured);
            assert_eq!(w.unstored_buffer_length().unwrap(), measured);
        }
    }
}

#[test]
fn write_buffer_and_range() {
    let buf = Buffer::from_bytes(&[1, 2, 3, 4, 5]).unwrap();
    let w = DataWriter::new();
    w.write_buffer(&buf).unwrap();
    w.write_buffer_range(&buf, 1, 3).unwrap();
    w.write_buffer_range(&buf, 5, 0).unwrap();
    assert_eq!(hr(w.write_buffer_range(&buf, 3, 3)), E_BOUNDS);
    assert_eq!(hr(w.write_buffer_range(&buf, 6, 0)), E_BOUNDS);
    assert_eq!(hr(w.write_buffer_range(&buf, u32::MAX, u32::MAX)), E_BOUNDS);
    // Capacity beyond the length is not data.
    let roomy = Buffer::new(10).unwrap();
    roomy.set_contents(&[9]).unwrap();
    assert_eq!(hr(w.write_buffer_range(&roomy, 0, 2)), E_BOUNDS);
    w.write_buffer(&roomy).unwrap();
    assert_eq!(w.detach_buffer().unwrap().to_vec(), [1, 2, 3, 4, 5, 2, 3, 4, 9]);
}

#[test]
fn writer_cap_rejects_without_writing() {
    // calloc'd and never touched: the cap check runs before any copy.
    let huge = vec![0u8; MAX_UNSTORED_BYTES + 1];
    let w = DataWriter::new();
    w.write_byte(1).unwrap();
    assert_eq!(hr(w.write_bytes(&huge)), E_OUTOFMEMORY);
    assert_eq!(hr(w.write_bytes(&huge[..MAX_UNSTORED_BYTES])), E_OUTOFMEMORY);
    assert_eq!(w.unstored_buffer_length().unwrap(), 1);
}

// ---- round trips ------------------------------------------------------------------------

/// Writes one of everything; returns the string lengths written, in code units.
fn write_everything(w: &DataWriter) -> Vec<u32> {
    w.write_byte(0xAB).unwrap();
    w.write_bytes(&[1, 2, 3]).unwrap();
    w.write_buffer(&Buffer::from_bytes(&[4, 5]).unwrap()).unwrap();
    w.write_boolean(true).unwrap();
    w.write_boolean(false).unwrap();
    w.write_guid(GUID).unwrap();
    w.write_int16(i16::MIN).unwrap();
    w.write_int32(-123_456).unwrap();
    w.write_int64(i64::MAX).unwrap();
    w.write_uint16(u16::MAX).unwrap();
    w.write_uint32(0xDEAD_BEEF).unwrap();
    w.write_uint64(0x0123_4567_89AB_CDEF).unwrap();
    w.write_single(-0.0).unwrap();
    w.write_double(f64::NAN).unwrap();
    w.write_date_time(DateTime::from_unix_seconds(1_700_000_000)).unwrap();
    w.write_time_span(TimeSpan { duration: -42 }).unwrap();
    let unit = if w.unicode_encoding().unwrap() == UnicodeEncoding::Utf8 { 1 } else { 2 };
    ["héllo ☺ 𝄞", "", "plain"].iter().map(|s| w.write_string(s).unwrap() / unit).collect()
}

fn read_everything(r: &DataReader, string_units: &[u32]) {
    assert_eq!(r.read_byte().unwrap(), 0xAB);
    let mut three = [0u8; 3];
    r.read_bytes(&mut three).unwrap();
    assert_eq!(three, [1, 2, 3]);
    assert_eq!(r.read_buffer(2).unwrap().to_vec(), [4, 5]);
    assert!(r.read_boolean().unwrap());
    assert!(!r.read_boolean().unwrap());
    assert_eq!(r.read_guid().unwrap(), GUID);
    assert_eq!(r.read_int16().unwrap(), i16::MIN);
    assert_eq!(r.read_int32().unwrap(), -123_456);
    assert_eq!(r.read_int64().unwrap(), i64::MAX);
    assert_eq!(r.read_uint16().unwrap(), u16::MAX);
    assert_eq!(r.read_uint32().unwrap(), 0xDEAD_BEEF);
    assert_eq!(r.read_uint64().unwrap(), 0x0123_4567_89AB_CDEF);
    assert_eq!(r.read_single().unwrap().to_bits(), (-0.0f32).to_bits());
    assert!(r.read_double().unwrap().is_nan());
    assert_eq!(r.read_date_time().unwrap(), DateTime::from_unix_seconds(1_700_000_000));
    assert_eq!(r.read_time_span().unwrap(), TimeSpan { duration: -42 });
    assert_eq!(r.read_string(string_units[0]).unwrap(), "héllo ☺ 𝄞");
    assert_eq!(r.read_string(string_units[1]).unwrap(), "");
    assert_eq!(r.read_string(string_units[2]).unwrap(), "plain");
    assert_eq!(r.unconsumed_buffer_length().unwrap(), 0);
}

#[tokio::test]
async fn round_trip_every_type_order_encoding_and_option() {
    let orders = [ByteOrder::BigEndian, ByteOrder::LittleEndian];
    let encodings = [UnicodeEncoding::Utf8, UnicodeEncoding::Utf16LE, UnicodeEncoding::Utf16BE];
    let options = [InputStreamOptions::None, InputStreamOptions::Partial, InputStreamOptions::ReadAhead];
    for order in orders {
        for encoding in encodings {
            let (sink, w) = sink_writer();
            w.set_byte_order(order).unwrap();
            w.set_unicode_encoding(encoding).unwrap();
            let units = write_everything(&w);
            let total = w.unstored_buffer_length().unwrap();
            assert_eq!(w.store().await.unwrap(), total);
            assert_eq!(w.unstored_buffer_length().unwrap(), 0);
            let wire = sink.bytes();
            assert_eq!(wire.len(), total as usize);

            for option in options {
                for fragment in [1, 3, 7, 64] {
                    let src = ChunkSource::with_fragments(&wire, fragment);
                    let r = DataReader::new(InputStream::new(src.clone()));
                    r.set_byte_order(order).unwrap();
                    r.set_unicode_encoding(encoding).unwrap();
                    r.set_input_stream_options(option).unwrap();
                    let mut loads = 0;
                    while r.unconsumed_buffer_length().unwrap() < total {
                        let want = total - r.unconsumed_buffer_length().unwrap();
                        let got = r.load(want).await.unwrap();
                        assert!(got > 0 && got <= want);
                        loads += 1;
                    }
                    let expected_loads = match option {
                        // None waits for the whole count across fragments.
                        InputStreamOptions::None => 1,
                        _ => wire.len().div_ceil(fragment),
                    };
                    assert_eq!(loads, expected_loads, "{option:?} fragment {fragment}");
                    read_everything(&r, &units);
                    assert_eq!(r.load(10).await.unwrap(), 0, "end of stream");
                }
            }
        }
    }
}

// ---- reader bounds and text -------------------------------------------------------------

#[test]
fn reads_past_the_end_are_bounds_and_consume_nothing() {
    let r = DataReader::from_buffer(&Buffer::from_bytes(&[1, 2, 3]).unwrap());
    assert_eq!(hr(r.read_int32()), E_BOUNDS);
    assert_eq!(hr(r.read_uint32()), E_BOUNDS);
    assert_eq!(hr(r.read_single()), E_BOUNDS);
    assert_eq!(hr(r.read_int64()), E_BOUNDS);
    assert_eq!(hr(r.read_uint64()), E_BOUNDS);
    assert_eq!(hr(r.read_double()), E_BOUNDS);
    assert_eq!(hr(r.read_date_time()), E_BOUNDS);
    assert_eq!(hr(r.read_time_span()), E_BOUNDS);
    assert_eq!(hr(r.read_guid()), E_BOUNDS);
    assert_eq!(hr(r.read_bytes(&mut [0u8; 4])), E_BOUNDS);
    assert_eq!(hr(r.read_buffer(4)), E_BOUNDS);
    assert_eq!(hr(r.read_buffer(u32::MAX)), E_BOUNDS);
    assert_eq!(hr(r.read_string(4)), E_BOUNDS);
    assert_eq!(hr(r.read_string(u32::MAX)), E_BOUNDS);
    r.set_unicode_encoding(UnicodeEncoding::Utf16LE).unwrap();
    assert_eq!(hr(r.read_string(2)), E_BOUNDS, "2 UTF-16 code units need 4 bytes");
    assert_eq!(r.unconsumed_buffer_length().unwrap(), 3);
    assert_eq!(r.read_uint16().unwrap(), 0x0102);
    assert_eq!(hr(r.read_int16()), E_BOUNDS);
    assert_eq!(hr(r.read_uint16()), E_BOUNDS);
    assert!(r.read_boolean().unwrap());
    assert_eq!(hr(r.read_byte()), E_BOUNDS);
    assert_eq!(hr(r.read_boolean()), E_BOUNDS);
    // Zero-length reads succeed on an empty reader.
    r.read_bytes(&mut []).unwrap();
    assert_eq!(r.read_buffer(0).unwrap().length(), 0);
    assert_eq!(r.read_string(0).unwrap(), "");
}

#[test]
fn boolean_is_any_non_zero_byte() {
    let r = DataReader::from_buffer(&Buffer::from_bytes(&[2, 0, 0xFF]).unwrap());
    assert!(r.read_boolean().unwrap());
    assert!(!r.read_boolean().unwrap());
    assert!(r.read_boolean().unwrap());
}

#[test]
fn invalid_utf8_is_no_unicode_translation_and_consumes_nothing() {
    let bad: [&[u8]; 6] = [
        &[0xFF],
        &[0xC3],             // "é" cut after its lead byte
        &[0xE2, 0x98],       // "☺" cut
        &[0xC0, 0x80],       // overlong NUL
        &[0xED, 0xA0, 0x80], // an encoded surrogate
        &[0x61, 0x80],       // stray continuation byte
    ];
    for bytes in bad {
        let r = DataReader::from_buffer(&Buffer::from_bytes(bytes).unwrap());
        let err = r.read_string(bytes.len() as u32).unwrap_err();
        assert_eq!(err.hresult(), E_NO_UNICODE_TRANSLATION, "{bytes:x?}: {err}");
        assert_eq!(r.unconsumed_buffer_length().unwrap() as usize, bytes.len());
    }
    // A count that cuts a valid sequence in the middle fails; the right count succeeds.
    let r = DataReader::from_buffer(&Buffer::from_bytes("a☺".as_bytes()).unwrap());
    assert_eq!(hr(r.read_string(3)), E_NO_UNICODE_TRANSLATION);
    assert_eq!(r.read_string(4).unwrap(), "a☺");
}

#[test]
fn invalid_utf16_is_no_unicode_translation_and_consumes_nothing() {
    let le: [&[u8]; 4] = [
        &[0x00, 0xD8],             // lone high surrogate at the end
        &[0x00, 0xDC, 0x41, 0x00], // lone low surrogate
        &[0x00, 0xD8, 0x41, 0x00], // high surrogate then a non-surrogate
        &[0x3D, 0xD8, 0x00, 0xD8], // two high surrogates
    ];
    for (encoding, swap) in [(UnicodeEncoding::Utf16LE, false), (UnicodeEncoding::Utf16BE, true)] {
        for bytes in le {
            let mut bytes = bytes.to_vec();
            if swap {
                bytes.chunks_exact_mut(2).for_each(|pair| pair.swap(0, 1));
            }
            let r = DataReader::from_buffer(&Buffer::from_vec(bytes.clone()).unwrap());
            r.set_unicode_encoding(encoding).unwrap();
            let err = r.read_string(bytes.len() as u32 / 2).unwrap_err();
            assert_eq!(err.hresult(), E_NO_UNICODE_TRANSLATION, "{encoding:?} {bytes:x?}: {err}");
            assert_eq!(r.unconsumed_buffer_length().unwrap() as usize, bytes.len());
        }
    }
    // Reading only the first half of a surrogate pair fails; the whole pair succeeds.
    let r = DataReader::from_buffer(&Buffer::from_bytes(&[0x34, 0xD8, 0x1E, 0xDD]).unwrap());
    r.set_unicode_encoding(UnicodeEncoding::Utf16LE).unwrap();
    assert_eq!(hr(r.read_string(1)), E_NO_UNICODE_TRANSLATION);
    assert_eq!(r.read_string(2).unwrap(), "𝄞");
}

// ---- loading ------------------------------------------------------------------------------

#[tokio::test]
async fn load_max_partial_reads_what_is_there_without_huge_allocation() {
    let src = ChunkSource::with_fragments(b"0123456789", 10);
    let r = DataReader::new(InputStream::new(src.clone()));
    r.set_input_stream_options(InputStreamOptions::Partial).unwrap();
    assert_eq!(r.load(u32::MAX).await.unwrap(), 10);
    assert!(src.max_request.load(Ordering::SeqCst) <= MAX_READ_CHUNK);
    assert_eq!(r.unconsumed_buffer_length().unwrap(), 10);

    // None reads until the end of the stream, still in bounded chunks.
    let src = ChunkSource::with_fragments(b"0123456789", 3);
    let r = DataReader::new(InputStream::new(src.clone()));
    assert_eq!(r.load(u32::MAX).await.unwrap(), 10);
    assert!(src.max_request.load(Ordering::SeqCst) <= MAX_READ_CHUNK);
    assert_eq!(r.read_string(10).unwrap(), "0123456789");
}

#[tokio::test]
async fn unconsumed_bytes_are_kept_across_loads() {
    let src = ChunkSource::with_fragments(&[1, 2, 3, 4, 5], 2);
    let r = DataReader::new(InputStream::new(src));
    r.set_input_stream_options(InputStreamOptions::Partial).unwrap();
    assert_eq!(r.load(100).await.unwrap(), 2);
    assert_eq!(hr(r.read_uint32()), E_BOUNDS);
    assert_eq!(r.load(100).await.unwrap(), 2);
    assert_eq!(r.read_byte().unwrap(), 1);
    assert_eq!(r.load(100).await.unwrap(), 1);
    assert_eq!(r.read_uint32().unwrap(), 0x0203_0405);
    assert_eq!(r.load(100).await.unwrap(), 0);
    assert_eq!(r.load(0).await.unwrap(), 0);
}

#[tokio::test]
async fn load_none_stops_at_count() {
    let src = ChunkSource::with_fragments(&[1, 2, 3, 4, 5, 6], 1);
    let r = DataReader::new(InputStream::new(src));
    assert_eq!(r.load(4).await.unwrap(), 4);
    assert_eq!(r.unconsumed_buffer_length().unwrap(), 4);
    assert_eq!(r.load(4).await.unwrap(), 2, "end of stream first");
}

#[tokio::test]
async fn load_on_buffer_reader_is_illegal() {
    let r = DataReader::from_buffer(&Buffer::from_bytes(&[1]).unwrap());
    assert_eq!(hr(r.load(1).await), E_ILLEGAL_METHOD_CALL);
    assert_eq!(r.read_byte().unwrap(), 1);
    assert!(r.detach_stream().unwrap().is_none());
}

#[tokio::test]
async fn concurrent_load_is_rejected_and_detach_waits() {
    let src = Arc::new(ChunkSource::default());
    let r = Arc::new(DataReader::new(InputStream::new(src.clone())));
    r.set_input_stream_options(InputStreamOptions::Partial).unwrap();
    let first = tokio::spawn({
        let r = r.clone();
        async move { r.load(8).await }
    });
    src.entered.notified().await;
    assert_eq!(hr(r.load(8).await), E_ILLEGAL_METHOD_CALL);
    assert_eq!(hr(r.detach_stream()), E_INVALID_OPERATION);
    assert_eq!(hr(r.detach_buffer()), E_INVALID_OPERATION);
    src.push(&[7, 8, 9]);
    assert_eq!(first.await.unwrap().unwrap(), 3);
    // Once it completed, loads and detaching work again.
    src.push(&[10]);
    assert_eq!(r.load(8).await.unwrap(), 1);
    assert_eq!(r.detach_buffer().unwrap().to_vec(), [7, 8, 9, 10]);
    assert!(r.detach_stream().unwrap().is_some());
}

#[tokio::test]
async fn cancelled_or_failed_load_keeps_received_bytes() {
    let src = Arc::new(ChunkSource::default());
    src.push(&[1, 2, 3]);
    let r = DataReader::new(InputStream::new(src.clone()));
    // None with count 10: the first 3 bytes arrive, then the source stalls; drop the load.
    poll_once_then_drop(r.load(10)).await;
    assert_eq!(r.unconsumed_buffer_length().unwrap(), 3);
    // The cancelled load is no longer pending; a failing source keeps earlier bytes too.
    src.push(&[4]);
    let load = r.load(10);
    let mut load = std::pin::pin!(load);
    tokio::select! {
        biased;
        _ = &mut load => panic!("should wait for more bytes"),
        () = std::future::ready(()) => {}
    }
    src.closed.store(true, Ordering::SeqCst);
    src.more.notify_one();
    assert_eq!(load.await.unwrap_err().hresult(), Error::aborted("x").hresult());
    assert_eq!(r.unconsumed_buffer_length().unwrap(), 4);
    assert_eq!(r.read_uint32().unwrap(), 0x0102_0304);
}

// ---- writer store / flush ---------------------------------------------------------------

#[tokio::test]
async fn store_and_flush() {
    let (sink, w) = sink_writer();
    assert_eq!(w.store().await.unwrap(), 0);
    assert_eq!(sink.writes.load(Ordering::SeqCst), 0, "an empty store writes nothing");
    w.write_string("hello").unwrap();
    assert_eq!(w.unstored_buffer_length().unwrap(), 5);
    assert_eq!(w.store().await.unwrap(), 5);
    assert!(w.flush().await.unwrap());
    assert_eq!(sink.flushes.load(Ordering::SeqCst), 1);
    assert_eq!(sink.bytes(), b"hello");
}

#[tokio::test]
async fn store_without_stream_is_illegal() {
    let w = DataWriter::new();
    w.write_byte(1).unwrap();
    assert_eq!(hr(w.store().await), E_ILLEGAL_METHOD_CALL);
    assert_eq!(hr(w.flush().await), E_ILLEGAL_METHOD_CALL);
    assert_eq!(w.unstored_buffer_length().unwrap(), 1);
    assert!(w.detach_stream().unwrap().is_none());
}

#[tokio::test]
async fn failed_store_keeps_bytes_in_order() {
    let (sink, w) = sink_writer();
    let w = Arc::new(w);
    sink.fail.store(true, Ordering::SeqCst);
    w.write_bytes(b"ab").unwrap();
    assert_eq!(hr(w.store().await), Error::from_errno(libc::ECONNRESET, "x").hresult());
    assert_eq!(w.unstored_buffer_length().unwrap(), 2);

    // Bytes written while the failing store is in flight stay after the restored ones.
    sink.hold.store(true, Ordering::SeqCst);
    let store = tokio::spawn({
        let w = w.clone();
        async move { w.store().await }
    });
    sink.entered.notified().await;
    w.write_bytes(b"c").unwrap();
    sink.release.notify_one();
    assert!(store.await.unwrap().is_err());
    sink.hold.store(false, Ordering::SeqCst);
    sink.fail.store(false, Ordering::SeqCst);
    assert_eq!(w.store().await.unwrap(), 3);
    assert_eq!(sink.bytes(), b"abc");
}

#[tokio::test]
async fn cancelled_store_keeps_bytes_and_clears_pending() {
    let (sink, w) = sink_writer();
    sink.hold.store(true, Ordering::SeqCst);
    w.write_bytes(b"xyz").unwrap();
    poll_once_then_drop(w.store()).await;
    assert_eq!(w.unstored_buffer_length().unwrap(), 3);
    sink.hold.store(false, Ordering::SeqCst);
    assert_eq!(w.store().await.unwrap(), 3);
    assert_eq!(sink.bytes(), b"xyz");
}

#[tokio::test]
async fn concurrent_store_is_rejected() {
    let (sink, w) = sink_writer();
    let w = Arc::new(w);
    sink.hold.store(true, Ordering::SeqCst);
    w.write_bytes(b"abc").unwrap();
    let first = tokio::spawn({
        let w = w.clone();
        async move { w.store().await }
    });
    sink.entered.notified().await;
    assert_eq!(hr(w.store().await), E_ILLEGAL_METHOD_CALL);
    assert_eq!(hr(w.flush().await), E_ILLEGAL_METHOD_CALL);
    assert_eq!(hr(w.detach_stream()), E_INVALID_OPERATION);
    assert_eq!(hr(w.detach_buffer()), E_INVALID_OPERATION);
    // Writing meanwhile is fine; it goes to the next store.
    w.write_byte(b'd').unwrap();
    assert_eq!(w.unstored_buffer_length().unwrap(), 1);
    sink.release.notify_one();
    assert_eq!(first.await.unwrap().unwrap(), 3);
    sink.hold.store(false, Ordering::SeqCst);
    assert_eq!(w.store().await.unwrap(), 1);
    assert_eq!(sink.bytes(), b"abcd");
}

// ---- detach and close -------------------------------------------------------------------

#[tokio::test]
async fn writer_detach_stream_keeps_it_open() {
    let (sink, w) = sink_writer();
    let original = OutputStream::new(sink.clone());
    w.write_bytes(b"ab").unwrap();
    let stream = w.detach_stream().unwrap().expect("the writer had a stream");
    assert!(stream.ptr_eq(&original));
    assert!(w.detach_stream().unwrap().is_none());
    assert_eq!(hr(w.store().await), E_ILLEGAL_METHOD_CALL);
    assert_eq!(w.detach_buffer().unwrap().to_vec(), b"ab");
    assert_eq!(w.unstored_buffer_length().unwrap(), 0);
    w.close();
    drop(w);
    assert!(!sink.closed.load(Ordering::SeqCst));
    assert_eq!(stream.write(b"still open").await.unwrap(), 10);
}

#[test]
fn writer_close_closes_stream_and_everything_fails_after() {
    let (sink, w) = sink_writer();
    w.write_byte(1).unwrap();
    w.close();
    assert!(sink.closed.load(Ordering::SeqCst));
    w.close(); // idempotent
    assert_eq!(hr(w.write_byte(1)), RO_E_CLOSED);
    assert_eq!(hr(w.write_bytes(b"x")), RO_E_CLOSED);
    assert_eq!(hr(w.write_string("x")), RO_E_CLOSED);
    assert_eq!(hr(w.write_guid(GUID)), RO_E_CLOSED);
    assert_eq!(hr(w.write_double(1.0)), RO_E_CLOSED);
    assert_eq!(hr(w.measure_string("x")), RO_E_CLOSED);
    assert_eq!(hr(w.byte_order()), RO_E_CLOSED);
    assert_eq!(hr(w.set_byte_order(ByteOrder::LittleEndian)), RO_E_CLOSED);
    assert_eq!(hr(w.unicode_encoding()), RO_E_CLOSED);
    assert_eq!(hr(w.set_unicode_encoding(UnicodeEncoding::Utf8)), RO_E_CLOSED);
    assert_eq!(hr(w.unstored_buffer_length()), RO_E_CLOSED);
    assert_eq!(hr(w.detach_stream()), RO_E_CLOSED);
    assert_eq!(hr(w.detach_buffer()), RO_E_CLOSED);
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(hr(rt.block_on(w.store())), RO_E_CLOSED);
    assert_eq!(hr(rt.block_on(w.flush())), RO_E_CLOSED);
}

#[test]
fn dropping_a_writer_closes_its_stream_unless_detached() {
    let (sink, w) = sink_writer();
    drop(w);
    assert!(sink.closed.load(Ordering::SeqCst));
    let (sink, w) = sink_writer();
    let _stream = w.detach_stream().unwrap();
    drop(w);
    assert!(!sink.closed.load(Ordering::SeqCst));
}

#[tokio::test]
async fn reader_detach_stream_keeps_loaded_bytes_and_the_stream_open() {
    let src = ChunkSource::with_fragments(&[1, 2, 3, 4], 4);
    let r = DataReader::new(InputStream::new(src.clone()));
    assert_eq!(r.load(2).await.unwrap(), 2);
    let stream = r.detach_stream().unwrap().expect("the reader had a stream");
    assert!(r.detach_stream().unwrap().is_none());
    assert_eq!(hr(r.load(1).await), E_ILLEGAL_METHOD_CALL);
    assert_eq!(r.read_byte().unwrap(), 1);
    assert_eq!(r.detach_buffer().unwrap().to_vec(), [2]);
    assert_eq!(r.unconsumed_buffer_length().unwrap(), 0);
    drop(r);
    assert!(!src.closed.load(Ordering::SeqCst));
    assert_eq!(stream.read(10, InputStreamOptions::None).await.unwrap(), [3, 4]);
}

#[tokio::test]
async fn reader_close_closes_stream_and_everything_fails_after() {
    let src = ChunkSource::with_fragments(&[1, 2, 3, 4], 4);
    let r = DataReader::new(InputStream::new(src.clone()));
    assert_eq!(r.load(4).await.unwrap(), 4);
    r.close();
    r.close();
    assert!(src.closed.load(Ordering::SeqCst));
    assert_eq!(hr(r.read_byte()), RO_E_CLOSED);
    assert_eq!(hr(r.read_string(1)), RO_E_CLOSED);
    assert_eq!(hr(r.read_guid()), RO_E_CLOSED);
    assert_eq!(hr(r.unconsumed_buffer_length()), RO_E_CLOSED);
    assert_eq!(hr(r.byte_order()), RO_E_CLOSED);
    assert_eq!(hr(r.set_input_stream_options(InputStreamOptions::Partial)), RO_E_CLOSED);
    assert_eq!(hr(r.input_stream_options()), RO_E_CLOSED);
    assert_eq!(hr(r.set_unicode_encoding(UnicodeEncoding::Utf16BE)), RO_E_CLOSED);
    assert_eq!(hr(r.load(1).await), RO_E_CLOSED);
    assert_eq!(hr(r.detach_stream()), RO_E_CLOSED);
    assert_eq!(hr(r.detach_buffer()), RO_E_CLOSED);
}

#[tokio::test]
async fn close_during_load_fails_the_load() {
    let src = Arc::new(ChunkSource::default());
    let r = Arc::new(DataReader::new(InputStream::new(src.clone())));
    let load = tokio::spawn({
        let r = r.clone();
        async move { r.load(4).await }
    });
    src.entered.notified().await;
    r.close();
    assert!(load.await.unwrap().is_err());
    assert!(src.closed.load(Ordering::SeqCst));
}

#[test]
fn dropping_a_reader_closes_its_stream_unless_detached() {
    let src = Arc::new(ChunkSource::default());
    drop(DataReader::new(InputStream::new(src.clone())));
    assert!(src.closed.load(Ordering::SeqCst));
    let src = Arc::new(ChunkSource::default());
    let r = DataReader::new(InputStream::new(src.clone()));
    let _stream = r.detach_stream().unwrap();
    drop(r);
    assert!(!src.closed.load(Ordering::SeqCst));
}

// ---- sharing across threads -------------------------------------------------------------

#[test]
fn shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<DataWriter>();
    assert_send_sync::<DataReader>();

    let w = Arc::new(DataWriter::new());
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let w = w.clone();
            std::thread::spawn(move || {
                for i in 0..1000u32 {
                    w.write_uint32(i).unwrap();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let bytes = w.detach_buffer().unwrap();
    assert_eq!(bytes.length(), 4 * 1000 * 4);

    let r = Arc::new(DataReader::from_buffer(&bytes));
    let sums: Vec<_> = (0..4)
        .map(|_| {
            let r = r.clone();
            std::thread::spawn(move || (0..1000).map(|_| u64::from(r.read_uint32().unwrap())).sum::<u64>())
        })
        .collect();
    let total: u64 = sums.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(total, 4 * (999 * 1000 / 2));
    assert_eq!(hr(r.read_byte()), E_BOUNDS);
}
