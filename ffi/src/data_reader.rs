//! `Windows.Storage.Streams.DataReader`.
//!
//! `read_*` functions read loaded bytes only (`E_BOUNDS` when too few are loaded — call
//! `netrt_data_reader_load_async` first) and consume nothing when they fail. Every function
//! fails with `RO_E_CLOSED` once the reader is closed. Thread-safe (one load at a time).

use std::ffi::c_char;
use std::sync::Arc;

use netrt_core::io::{ByteOrder, DataReader, InputStreamOptions, UnicodeEncoding};

use netrt_core::error::hresult::E_UNEXPECTED;

use crate::async_op::{AsyncOp, OpResult, issue, run_blocking};
use crate::boundary::{Out, bytes_out, netrt_handle, netrt_hresult};
use crate::enums::{netrt_byte_order, netrt_input_stream_options, netrt_unicode_encoding};
use crate::foundation::netrt_guid;
use crate::handle;
use crate::object::{Object, Value, get, get_obj};

/// `DataReader(IInputStream)`: a reader that loads from `input_stream` (an InputStream handle,
/// kept alive by the reader). Releasing or closing the reader closes the stream (and a
/// socket's stream closes the socket) unless `netrt_data_reader_detach_stream` was called
/// first. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_create_with_stream(
    input_stream: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_reader_create_with_stream", {
        let out = Out::new(out, "out")?;
        let (owner, stream) = get_obj!(input_stream, InputStream);
        let reader = DataReader::new(stream);
        out.write(handle::issue(Object::owned(Value::DataReader(Arc::new(reader)), Some(owner)))?);
        Ok(())
    })
}

/// `DataReader.FromBuffer(IBuffer)`: a reader over a copy of the buffer's valid bytes, all
/// already loaded (load fails: there is no stream). `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_from_buffer(
    buffer: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_reader_from_buffer", {
        let out = Out::new(out, "out")?;
        let b = get!(buffer, Buffer);
        let reader = DataReader::from_buffer(&b);
        out.write(handle::issue_new(Value::DataReader(Arc::new(reader)))?);
        Ok(())
    })
}

fn reader(h: netrt_handle) -> Result<Arc<DataReader>, netrt_core::Error> {
    Ok(get!(h, DataReader))
}

/// `ByteOrder` (get; default big-endian). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_get_byte_order(
    reader_h: netrt_handle,
    out_value: *mut netrt_byte_order,
) -> netrt_hresult {
    ffi!("netrt_data_reader_get_byte_order", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.byte_order()?.into());
        Ok(())
    })
}

/// `ByteOrder` (set): a `netrt_byte_order` value (others: `E_INVALIDARG`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_set_byte_order(reader_h: netrt_handle, value: i32) -> netrt_hresult {
    ffi!("netrt_data_reader_set_byte_order", {
        let r = reader(reader_h)?;
        r.set_byte_order(ByteOrder::from_raw(value)?)
    })
}

/// `UnicodeEncoding` (get; default UTF-8). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_get_unicode_encoding(
    reader_h: netrt_handle,
    out_value: *mut netrt_unicode_encoding,
) -> netrt_hresult {
    ffi!("netrt_data_reader_get_unicode_encoding", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.unicode_encoding()?.into());
        Ok(())
    })
}

/// `UnicodeEncoding` (set): a `netrt_unicode_encoding` value (others: `E_INVALIDARG`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_set_unicode_encoding(
    reader_h: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_data_reader_set_unicode_encoding", {
        let r = reader(reader_h)?;
        r.set_unicode_encoding(UnicodeEncoding::from_raw(value)?)
    })
}

/// `InputStreamOptions` (get; default None). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_get_input_stream_options(
    reader_h: netrt_handle,
    out_value: *mut netrt_input_stream_options,
) -> netrt_hresult {
    ffi!("netrt_data_reader_get_input_stream_options", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.input_stream_options()?.into());
        Ok(())
    })
}

/// `InputStreamOptions` (set): a `netrt_input_stream_options` value (others: `E_INVALIDARG`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_set_input_stream_options(
    reader_h: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_data_reader_set_input_stream_options", {
        let r = reader(reader_h)?;
        r.set_input_stream_options(InputStreamOptions::from_raw(value)?)
    })
}

/// `UnconsumedBufferLength`: bytes loaded and not yet read. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_get_unconsumed_buffer_length(
    reader_h: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_data_reader_get_unconsumed_buffer_length", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.unconsumed_buffer_length()?);
        Ok(())
    })
}

/// `LoadAsync(count)`: loads up to `count` more bytes; `netrt_async_get_results_uint32` gives
/// how many arrived (0 for a non-zero count: the peer closed the stream). With options None it
/// completes once `count` bytes arrived or the stream ended, otherwise as soon as some did.
/// Memory grows only as bytes arrive (a huge `count` reserves nothing; 1 GiB unconsumed cap).
/// Tries the read on the caller's thread first (see `async_op`). Synchronous errors: handle
/// checks, `E_POINTER`, `RO_E_CLOSED`, `E_ILLEGAL_METHOD_CALL` (a load pending, no stream, or the
/// socket not connected). Closing the socket completes a pending load with `0x800703E3`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_load_async(
    reader_h: netrt_handle,
    count: u32,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_reader_load_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(issue(load_op(reader_h, count)?)?);
        Ok(())
    })
}

/// netrt extension: `LoadAsync` + wait + GetResults + release in one call. Loads as
/// `netrt_data_reader_load_async` does (same synchronous errors, the load driven on this
/// thread) and waits up to `timeout_ms` (`NETRT_INFINITE`: no limit). On success `*loaded`
/// (must not be NULL) is the number of bytes that arrived; a failure is returned as its
/// HRESULT. When `timeout_ms` passes first the load is cancelled and `0x80070102`
/// (WAIT_TIMEOUT) is returned; bytes that had arrived stay in the reader
/// (`UnconsumedBufferLength` counts them), so nothing is lost and the socket stays usable.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_load(
    reader_h: netrt_handle,
    count: u32,
    timeout_ms: u32,
    loaded: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_data_reader_load", {
        let out = Out::new(loaded, "loaded")?;
        match run_blocking(load_op(reader_h, count)?, timeout_ms)? {
            OpResult::U32(n) => out.write(n),
            _ => return Err(netrt_core::Error::new(E_UNEXPECTED, "a load produced no byte count")),
        }
        Ok(())
    })
}

/// Starts a load (see `netrt_data_reader_load_async`).
fn load_op(reader_h: netrt_handle, count: u32) -> Result<AsyncOp, netrt_core::Error> {
    let (keep, r) = get_obj!(reader_h, DataReader);
    // A blocking waiter may drive the load on its thread, polling the reader's stream.
    let readiness = r.clone();
    AsyncOp::start_caller_driven(
        async move {
            let _keep = keep;
            Ok(OpResult::U32(r.load(count).await?))
        },
        move || readiness.load_readiness(),
    )
}

/// `ReadByte`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_byte(reader_h: netrt_handle, out_value: *mut u8) -> netrt_hresult {
    ffi!("netrt_data_reader_read_byte", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_byte()?);
        Ok(())
    })
}

/// `ReadBytes(byte[])`: fills all `len` bytes of `data` (NULL only when `len` is 0).
/// Fewer than `len` loaded bytes: `E_BOUNDS`, nothing consumed.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_bytes(
    reader_h: netrt_handle,
    data: *mut u8,
    len: usize,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_bytes", {
        let r = reader(reader_h)?;
        r.read_bytes(bytes_out(data, len, "data")?)
    })
}

/// `ReadBuffer(length)`: the next `length` bytes as a new Buffer (`*out`, not NULL).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_buffer(
    reader_h: netrt_handle,
    length: u32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_buffer", {
        let out = Out::new(out, "out")?;
        let b = reader(reader_h)?.read_buffer(length)?;
        out.write(handle::issue_new(Value::Buffer(b))?);
        Ok(())
    })
}

/// `ReadBoolean`: one byte, non-zero is true. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_boolean(
    reader_h: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_boolean", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_boolean()?);
        Ok(())
    })
}

/// `ReadGuid`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_guid(
    reader_h: netrt_handle,
    out_value: *mut netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_guid", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_guid()?.into());
        Ok(())
    })
}

/// `ReadInt16`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_int16(reader_h: netrt_handle, out_value: *mut i16) -> netrt_hresult {
    ffi!("netrt_data_reader_read_int16", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_int16()?);
        Ok(())
    })
}

/// `ReadInt32`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_int32(reader_h: netrt_handle, out_value: *mut i32) -> netrt_hresult {
    ffi!("netrt_data_reader_read_int32", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_int32()?);
        Ok(())
    })
}

/// `ReadInt64`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_int64(reader_h: netrt_handle, out_value: *mut i64) -> netrt_hresult {
    ffi!("netrt_data_reader_read_int64", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_int64()?);
        Ok(())
    })
}

/// `ReadUInt16`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_uint16(
    reader_h: netrt_handle,
    out_value: *mut u16,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_uint16", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_uint16()?);
        Ok(())
    })
}

/// `ReadUInt32`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_uint32(
    reader_h: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_uint32", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_uint32()?);
        Ok(())
    })
}

/// `ReadUInt64`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_uint64(
    reader_h: netrt_handle,
    out_value: *mut u64,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_uint64", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_uint64()?);
        Ok(())
    })
}

/// `ReadSingle`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_single(
    reader_h: netrt_handle,
    out_value: *mut f32,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_single", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_single()?);
        Ok(())
    })
}

/// `ReadDouble`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_double(
    reader_h: netrt_handle,
    out_value: *mut f64,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_double", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_double()?);
        Ok(())
    })
}

/// `ReadDateTime`: 100-ns ticks since 1601-01-01 UTC. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_date_time(
    reader_h: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_date_time", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_date_time()?.universal_time);
        Ok(())
    })
}

/// `ReadTimeSpan`: 100-ns ticks. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_time_span(
    reader_h: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_time_span", {
        let out = Out::new(out_value, "out_value")?;
        out.write(reader(reader_h)?.read_time_span()?.duration);
        Ok(())
    })
}

/// `ReadString(codeUnitCount)`: `code_unit_count` code units of the reader's encoding (bytes
/// for UTF-8, 16-bit units for UTF-16), returned as UTF-8 + NUL in `buf`/`len`.
///
/// Nothing is consumed unless the string fits, so a small buffer loses no data: when `len` is
/// below the worst case (`code_unit_count + 1` for UTF-8, `3 * code_unit_count + 1` for
/// UTF-16) the result is `0x8007007A` with `*needed` set to that worst case. On success
/// `*needed` is the exact size including the NUL (the text may contain NULs: its length is
/// `*needed - 1`). `needed` must not be NULL; `buf` may be NULL when `len` is 0. Errors:
/// `E_BOUNDS` (too few bytes loaded), `0x80070459` (invalid data), `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_read_string(
    reader_h: netrt_handle,
    code_unit_count: u32,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_data_reader_read_string", {
        let needed_out = Out::new(needed, "needed")?;
        let r = reader(reader_h)?;
        let per_unit = if r.unicode_encoding()? == UnicodeEncoding::Utf8 { 1 } else { 3 };
        let worst = (code_unit_count as usize).saturating_mul(per_unit).saturating_add(1);
        if len < worst {
            needed_out.write(worst);
            return Err(netrt_core::Error::new(
                netrt_core::error::hresult::E_INSUFFICIENT_BUFFER,
                format!("ReadString needs a buffer of {worst} bytes (see *needed); nothing was consumed"),
            ));
        }
        let text = r.read_string(code_unit_count)?;
        crate::strings::str_out(&text, buf, len, needed)
    })
}

/// `DetachStream()`: hands the stream back so releasing or closing the reader no longer
/// closes it; loaded bytes stay readable. `*out` (not NULL) receives a new InputStream
/// reference, or 0 when the reader has no stream. Errors: `0x800710DD` while a load is
/// pending; `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_detach_stream(
    reader_h: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_reader_detach_stream", {
        let out = Out::new(out, "out")?;
        let (obj, r) = get_obj!(reader_h, DataReader);
        let h = match r.detach_stream()? {
            Some(stream) => handle::issue(Object::owned(Value::InputStream(stream), obj.owner.clone()))?,
            None => 0,
        };
        out.write(h);
        Ok(())
    })
}

/// `DetachBuffer()`: takes the unconsumed bytes as a new Buffer (`*out`, not NULL), leaving
/// the reader empty. Errors: `0x800710DD` while a load is pending; `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_reader_detach_buffer(
    reader_h: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_reader_detach_buffer", {
        let out = Out::new(out, "out")?;
        let r = reader(reader_h)?;
        out.write(handle::issue_new(Value::Buffer(r.detach_buffer()?))?);
        Ok(())
    })
}
