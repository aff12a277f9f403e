//! `Windows.Storage.Streams.DataWriter`.
//!
//! All `write_*` functions buffer in memory (capped at 1 GiB unstored: `E_OUTOFMEMORY`
//! beyond) and never block; `netrt_data_writer_store_async` sends. Every function fails with
//! `RO_E_CLOSED` once the writer is closed. Thread-safe (one store or flush at a time).

use std::ffi::c_char;
use std::sync::Arc;

use netrt_core::foundation::{DateTime, TimeSpan};
use netrt_core::io::{ByteOrder, DataWriter, UnicodeEncoding};

use netrt_core::error::hresult::E_UNEXPECTED;

use crate::async_op::{AsyncOp, OpResult, issue, run_blocking, start};
use crate::boundary::{Out, bytes_in, netrt_handle, netrt_hresult};
use crate::enums::{netrt_byte_order, netrt_unicode_encoding};
use crate::foundation::netrt_guid;
use crate::handle;
use crate::object::{Object, Value, get, get_obj};
use crate::strings::str_in;

/// `DataWriter()`: a writer with no stream; take its bytes with `netrt_data_writer_detach_buffer`.
/// `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_data_writer_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::DataWriter(Arc::new(DataWriter::new())))?);
        Ok(())
    })
}

/// `DataWriter(IOutputStream)`: a writer that stores into `output_stream` (an OutputStream
/// handle, kept alive by the writer). Releasing or closing the writer closes the stream (and a
/// socket's stream closes the socket) unless `netrt_data_writer_detach_stream` was called
/// first, as in WinRT. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_create_with_stream(
    output_stream: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_writer_create_with_stream", {
        let out = Out::new(out, "out")?;
        let (owner, stream) = get_obj!(output_stream, OutputStream);
        let writer = DataWriter::with_stream(stream);
        out.write(handle::issue(Object::owned(Value::DataWriter(Arc::new(writer)), Some(owner)))?);
        Ok(())
    })
}

fn writer(h: netrt_handle) -> Result<Arc<DataWriter>, netrt_core::Error> {
    Ok(get!(h, DataWriter))
}

/// `ByteOrder` (get; default big-endian). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_get_byte_order(
    writer_h: netrt_handle,
    out_value: *mut netrt_byte_order,
) -> netrt_hresult {
    ffi!("netrt_data_writer_get_byte_order", {
        let out = Out::new(out_value, "out_value")?;
        out.write(writer(writer_h)?.byte_order()?.into());
        Ok(())
    })
}

/// `ByteOrder` (set): a `netrt_byte_order` value (others: `E_INVALIDARG`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_set_byte_order(writer_h: netrt_handle, value: i32) -> netrt_hresult {
    ffi!("netrt_data_writer_set_byte_order", {
        let w = writer(writer_h)?;
        w.set_byte_order(ByteOrder::from_raw(value)?)
    })
}

/// `UnicodeEncoding` (get; default UTF-8). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_get_unicode_encoding(
    writer_h: netrt_handle,
    out_value: *mut netrt_unicode_encoding,
) -> netrt_hresult {
    ffi!("netrt_data_writer_get_unicode_encoding", {
        let out = Out::new(out_value, "out_value")?;
        out.write(writer(writer_h)?.unicode_encoding()?.into());
        Ok(())
    })
}

/// `UnicodeEncoding` (set): a `netrt_unicode_encoding` value (others: `E_INVALIDARG`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_set_unicode_encoding(
    writer_h: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_data_writer_set_unicode_encoding", {
        let w = writer(writer_h)?;
        w.set_unicode_encoding(UnicodeEncoding::from_raw(value)?)
    })
}

/// `UnstoredBufferLength`: bytes written and not yet stored. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_get_unstored_buffer_length(
    writer_h: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_data_writer_get_unstored_buffer_length", {
        let out = Out::new(out_value, "out_value")?;
        out.write(writer(writer_h)?.unstored_buffer_length()?);
        Ok(())
    })
}

/// `WriteByte`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_byte(writer_h: netrt_handle, value: u8) -> netrt_hresult {
    ffi!("netrt_data_writer_write_byte", { writer(writer_h)?.write_byte(value) })
}

/// `WriteBytes(byte[])`: `data` may be NULL only when `len` is 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_bytes(
    writer_h: netrt_handle,
    data: *const u8,
    len: usize,
) -> netrt_hresult {
    ffi!("netrt_data_writer_write_bytes", {
        let w = writer(writer_h)?;
        w.write_bytes(bytes_in(data, len, "data")?)
    })
}

/// `WriteBuffer(IBuffer)`: the buffer's valid bytes (copied).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_buffer(
    writer_h: netrt_handle,
    buffer: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_writer_write_buffer", {
        let w = writer(writer_h)?;
        let b = get!(buffer, Buffer);
        w.write_buffer(&b)
    })
}

/// `WriteBuffer(IBuffer, start, count)`: a range of the buffer's valid bytes; a range past
/// its length is `E_BOUNDS` / `E_INVALIDARG`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_buffer_range(
    writer_h: netrt_handle,
    buffer: netrt_handle,
    start_index: u32,
    count: u32,
) -> netrt_hresult {
    ffi!("netrt_data_writer_write_buffer_range", {
        let w = writer(writer_h)?;
        let b = get!(buffer, Buffer);
        w.write_buffer_range(&b, start_index, count)
    })
}

/// `WriteBoolean`: one byte, 0 or 1.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_boolean(writer_h: netrt_handle, value: bool) -> netrt_hresult {
    ffi!("netrt_data_writer_write_boolean", { writer(writer_h)?.write_boolean(value) })
}

/// `WriteGuid`: `value` not NULL; Data1-3 in the writer's byte order, then Data4.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_guid(
    writer_h: netrt_handle,
    value: *const netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_data_writer_write_guid", {
        let w = writer(writer_h)?;
        let g: netrt_guid = crate::boundary::read_in(value, "value")?;
        w.write_guid(g.into())
    })
}

/// `WriteInt16`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_int16(writer_h: netrt_handle, value: i16) -> netrt_hresult {
    ffi!("netrt_data_writer_write_int16", { writer(writer_h)?.write_int16(value) })
}

/// `WriteInt32`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_int32(writer_h: netrt_handle, value: i32) -> netrt_hresult {
    ffi!("netrt_data_writer_write_int32", { writer(writer_h)?.write_int32(value) })
}

/// `WriteInt64`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_int64(writer_h: netrt_handle, value: i64) -> netrt_hresult {
    ffi!("netrt_data_writer_write_int64", { writer(writer_h)?.write_int64(value) })
}

/// `WriteUInt16`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_uint16(writer_h: netrt_handle, value: u16) -> netrt_hresult {
    ffi!("netrt_data_writer_write_uint16", { writer(writer_h)?.write_uint16(value) })
}

/// `WriteUInt32`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_uint32(writer_h: netrt_handle, value: u32) -> netrt_hresult {
    ffi!("netrt_data_writer_write_uint32", { writer(writer_h)?.write_uint32(value) })
}

/// `WriteUInt64`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_uint64(writer_h: netrt_handle, value: u64) -> netrt_hresult {
    ffi!("netrt_data_writer_write_uint64", { writer(writer_h)?.write_uint64(value) })
}

/// `WriteSingle` (IEEE 754 binary32).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_single(writer_h: netrt_handle, value: f32) -> netrt_hresult {
    ffi!("netrt_data_writer_write_single", { writer(writer_h)?.write_single(value) })
}

/// `WriteDouble` (IEEE 754 binary64).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_double(writer_h: netrt_handle, value: f64) -> netrt_hresult {
    ffi!("netrt_data_writer_write_double", { writer(writer_h)?.write_double(value) })
}

/// `WriteDateTime`: 100-ns ticks since 1601-01-01 UTC.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_date_time(writer_h: netrt_handle, value: i64) -> netrt_hresult {
    ffi!("netrt_data_writer_write_date_time", {
        writer(writer_h)?.write_date_time(DateTime { universal_time: value })
    })
}

/// `WriteTimeSpan`: 100-ns ticks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_time_span(writer_h: netrt_handle, value: i64) -> netrt_hresult {
    ffi!("netrt_data_writer_write_time_span", {
        writer(writer_h)?.write_time_span(TimeSpan { duration: value })
    })
}

/// `WriteString(String)`: the text (UTF-8, NUL-terminated, not NULL) in the writer's encoding,
/// without BOM or terminator. `*out_length` (may be NULL to discard, as the samples do)
/// receives its length in bytes. Errors: `E_POINTER`, `0x80070459` (invalid UTF-8),
/// `RO_E_CLOSED`, `E_OUTOFMEMORY` (cap).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_write_string(
    writer_h: netrt_handle,
    value: *const c_char,
    out_length: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_data_writer_write_string", {
        let w = writer(writer_h)?;
        let n = w.write_string(str_in(value, "value")?)?;
        if let Ok(out) = Out::new(out_length, "out_length") {
            out.write(n);
        }
        Ok(())
    })
}

/// `MeasureString(String)`: the bytes `netrt_data_writer_write_string` would write, writing
/// nothing. `value` and `out_length` must not be NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_measure_string(
    writer_h: netrt_handle,
    value: *const c_char,
    out_length: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_data_writer_measure_string", {
        let out = Out::new(out_length, "out_length")?;
        let w = writer(writer_h)?;
        out.write(w.measure_string(str_in(value, "value")?)?);
        Ok(())
    })
}

/// `StoreAsync()`: sends the unstored bytes; `netrt_async_get_results_uint32` gives how many.
///
/// Tries the write on the caller's thread first (see `async_op`). A failed or cancelled store
/// keeps its bytes for a retry. Synchronous errors: handle checks, `E_POINTER`, `RO_E_CLOSED`,
/// `E_ILLEGAL_METHOD_CALL` (no stream, or a store/flush already in flight).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_store_async(
    writer_h: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_writer_store_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(issue(store_op(writer_h)?)?);
        Ok(())
    })
}

/// netrt extension: `StoreAsync` + wait + GetResults + release in one call. Stores as
/// `netrt_data_writer_store_async` does (same synchronous errors, the bytes sent from this
/// thread) and waits up to `timeout_ms` (`NETRT_INFINITE`: no limit). On success `*stored`
/// (must not be NULL) is the number of bytes stored; a failure is returned as its HRESULT.
/// When `timeout_ms` passes first the store is cancelled and `0x80070102` (WAIT_TIMEOUT) is
/// returned; the bytes not yet sent stay in the writer for a retry.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_store(
    writer_h: netrt_handle,
    timeout_ms: u32,
    stored: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_data_writer_store", {
        let out = Out::new(stored, "stored")?;
        match run_blocking(store_op(writer_h)?, timeout_ms)? {
            OpResult::U32(n) => out.write(n),
            _ => return Err(netrt_core::Error::new(E_UNEXPECTED, "a store produced no byte count")),
        }
        Ok(())
    })
}

/// Starts a store (see `netrt_data_writer_store_async`).
fn store_op(writer_h: netrt_handle) -> Result<AsyncOp, netrt_core::Error> {
    let (keep, w) = get_obj!(writer_h, DataWriter);
    // A blocking waiter may drive the store on its thread, polling the writer's stream.
    let readiness = w.clone();
    AsyncOp::start_caller_driven(
        async move {
            let _keep = keep;
            Ok(OpResult::U32(w.store().await?))
        },
        move || readiness.store_readiness(),
    )
}

/// `FlushAsync()`: flushes the stream (not the unstored bytes); result via
/// `netrt_async_get_results_bool`. Errors as `netrt_data_writer_store_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_flush_async(
    writer_h: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_writer_flush_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, w) = get_obj!(writer_h, DataWriter);
        out.write(start(async move {
            let _keep = keep;
            Ok(OpResult::Bool(w.flush().await?))
        })?);
        Ok(())
    })
}

/// `DetachStream()`: hands the stream back so releasing or closing the writer no longer
/// closes it. `*out` (not NULL) receives a new OutputStream reference, or 0 when the writer has
/// no stream. Errors: `0x800710DD` (ERROR_INVALID_OPERATION) while a store or flush is in
/// flight; `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_detach_stream(
    writer_h: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_writer_detach_stream", {
        let out = Out::new(out, "out")?;
        let (obj, w) = get_obj!(writer_h, DataWriter);
        let h = match w.detach_stream()? {
            Some(stream) => handle::issue(Object::owned(Value::OutputStream(stream), obj.owner.clone()))?,
            None => 0,
        };
        out.write(h);
        Ok(())
    })
}

/// `DetachBuffer()`: takes the unstored bytes as a new Buffer (`*out`, not NULL), leaving the
/// writer empty. Errors: `0x800710DD` while a store or flush is in flight; `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_data_writer_detach_buffer(
    writer_h: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_data_writer_detach_buffer", {
        let out = Out::new(out, "out")?;
        let w = writer(writer_h)?;
        out.write(handle::issue_new(Value::Buffer(w.detach_buffer()?))?);
        Ok(())
    })
}
