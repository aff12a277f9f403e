//! IInputStream / IOutputStream.
//!
//! Reads and writes start with one attempt on the caller's thread (see `async_op`): when data
//! is already there, or the kernel takes the bytes at once, the operation is complete before
//! the function returns and no runtime thread is involved.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use netrt_core::Error;
use netrt_core::error::hresult::{E_OPERATION_ABORTED, RO_E_CLOSED};
use netrt_core::io::InputStreamOptions;

use crate::async_op::{OpFuture, OpResult, start, start_with};
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
        let fd_input = input.clone();
        // Bytes read so far, shared by the read's successive futures (see `async_op::Restart`).
        let filled = Arc::new(AtomicUsize::new(0));
        let mut restarted = false;
        let mut make = move || -> OpFuture {
            let (keep, input, buf, buffer_obj, filled) =
                (keep.clone(), input.clone(), buf.clone(), buffer_obj.clone(), filled.clone());
            let fresh = !std::mem::replace(&mut restarted, true);
            Box::pin(async move {
                let _keep = keep;
                let count = count as usize;
                let (ptr, _) = buf.raw_memory();
                // SAFETY: the buffer's memory has `capacity >= count` bytes at a fixed address
                // and lives as long as `buffer_obj`, which this future holds. The C contract
                // forbids touching the buffer while the read is pending, and only one of the
                // read's futures exists at a time, so nothing else accesses these bytes.
                let memory = unsafe { std::slice::from_raw_parts_mut(ptr, count) };
                // Straight into the buffer's memory: no intermediate copy.
                loop {
                    let done = filled.load(Ordering::Acquire);
                    if done >= count {
                        break;
                    }
                    let n = match input.read_some(&mut memory[done..]).await {
                        Ok(n) => n,
                        // A restart that finds the socket closed was racing its Close.
                        Err(e) if !fresh && e.hresult() == RO_E_CLOSED => {
                            return Err(Error::new(E_OPERATION_ABORTED, "the read was aborted (Close)"));
                        }
                        Err(e) => return Err(e),
                    };
                    filled.store(done + n, Ordering::Release);
                    if n == 0 || options != InputStreamOptions::None {
                        break;
                    }
                }
                buf.set_length_filled(filled.load(Ordering::Acquire));
                Ok(OpResult::Object(buffer_obj))
            })
        };
        let first = make();
        out.write(start_with(first, Some(Box::new(make)), move || fd_input.readiness_fd())?);
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
