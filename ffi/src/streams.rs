//! IInputStream / IOutputStream.
//!
//! Reads and writes start with one attempt on the caller's thread (see `async_op`): when data
//! is already there, or the kernel takes the bytes at once, the operation is complete before
//! the function returns and no runtime thread is involved.

use netrt_core::io::InputStreamOptions;

use crate::async_op::{OpResult, start};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::object::get_obj;

/// `IInputStream.ReadAsync(buffer, count, options)`: reads up to `count` bytes into `buffer`.
///
/// `buffer` is a Buffer handle with capacity ≥ `count` (else `E_INVALIDARG`); `options` a
/// `netrt_input_stream_options` value (None: complete when `count` bytes arrived or the stream
/// ended; Partial/ReadAhead: as soon as some bytes arrived). On completion the buffer's
/// contents and length are the bytes read — length 0 means the peer closed the stream — and
/// `netrt_async_get_results_handle` gives a new reference to the same buffer. Do not touch the
/// buffer while the read is pending. One read at a time per socket: a second is
/// `E_ILLEGAL_METHOD_CALL` (synchronous). Closing the socket or CancelIOAsync completes it with
/// status Error and `0x800703E3`. Other synchronous errors: handle checks, `E_POINTER`,
/// `RO_E_CLOSED`, `E_ILLEGAL_METHOD_CALL` (not connected).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_input_stream_read_async(
    stream: netrt_handle,
    buffer: netrt_handle,
    count: u32,
    options: u32,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_input_stream_read_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, input) = get_obj!(stream, InputStream);
        let (buffer_obj, buf) = get_obj!(buffer, Buffer);
        let options = InputStreamOptions::from_raw(options)?;
        let capacity = buf.capacity();
        if count > capacity {
            return Err(netrt_core::Error::invalid_arg(format!(
                "ReadAsync: count {count} exceeds the buffer's capacity {capacity}"
            )));
        }
        out.write(start(async move {
            let _keep = keep;
            let mut data = Vec::new();
            input.read_into(&mut data, count, options).await?;
            buf.set_contents(&data);
            Ok(OpResult::Object(buffer_obj))
        })?);
        Ok(())
    })
}

/// `IOutputStream.WriteAsync(buffer)`: writes the buffer's valid bytes (copied when called;
/// the buffer may be reused at once). `netrt_async_get_results_uint32` gives the number of
/// bytes written. One write at a time per socket (`E_ILLEGAL_METHOD_CALL`). For a datagram
/// stream each write is one datagram. Errors as `netrt_input_stream_read_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_output_stream_write_async(
    stream: netrt_handle,
    buffer: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_output_stream_write_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, output) = get_obj!(stream, OutputStream);
        let (_, buf) = get_obj!(buffer, Buffer);
        let data = buf.to_vec();
        out.write(start(async move {
            let _keep = keep;
            Ok(OpResult::U32(output.write(&data).await?))
        })?);
        Ok(())
    })
}

/// `IOutputStream.FlushAsync()`: `netrt_async_get_results_bool` gives true when flushed (TCP
/// keeps no user-space buffer, so this completes at once on a connected socket).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_output_stream_flush_async(
    stream: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_output_stream_flush_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, output) = get_obj!(stream, OutputStream);
        out.write(start(async move {
            let _keep = keep;
            Ok(OpResult::Bool(output.flush().await?))
        })?);
        Ok(())
    })
}
