//! IInputStream / IOutputStream.
//!
//! Reads and writes start with one attempt on the caller's thread (see `async_op`): when data
//! is already there, or the kernel takes the bytes at once, the operation is complete before
//! the function returns and no runtime thread is involved.

use netrt_core::io::InputStreamOptions;

use std::task::Poll;

use netrt_core::foundation::async_op::CancelSignal;

use crate::async_op::{OpResult, Readiness, finished, start, start_cancellable_with, start_with};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::object::{Value, get_obj, let_obj};
use crate::read_into::ReadInto;

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
///
/// Cancelling (`netrt_async_cancel`) never loses data: the read stops without taking more from
/// the socket, and ends Canceled if it had received nothing, or Completed with the bytes it had
/// received (check the status after cancelling). The next read is accepted at once.
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
        let_obj!(keep, input = stream, InputStream);
        let_obj!(buffer_obj, buf = buffer, Buffer);
        let options = InputStreamOptions::from_raw(options)?;
        let capacity = buf.capacity();
        if count > capacity {
            return Err(netrt_core::Error::invalid_arg(format!(
                "ReadAsync: count {count} exceeds the buffer's capacity {capacity}"
            )));
        }
        // Taken now: a CancelIOAsync or Close from here on ends this read, however many reads
        // it takes (options None).
        let ticket = input.ticket();
        let count = count as usize;
        if count > 0 {
            match input.direct_read(ticket) {
                // Plain TCP: one attempt on this thread first, with no future at all — data
                // already there completes the read before this function returns.
                Ok(Some(reader)) => {
                    let mut read = ReadInto::new(reader, buffer_obj, keep, count, options);
                    match read.advance(None) {
                        Poll::Ready(outcome) => {
                            drop(read);
                            out.write(finished(outcome)?);
                        }
                        Poll::Pending => {
                            let ready = read.readiness();
                            out.write(start_cancellable_with(
                                |cancel| read.cancellable(cancel),
                                move || ready,
                            )?);
                        }
                    }
                    return Ok(());
                }
                // TLS and other streams: the future below.
                Ok(None) => {}
                // A state error (another read pending, closed, not connected) is returned
                // synchronously by `finished`; an abort belongs to the operation.
                Err(e) => {
                    out.write(finished(Err(e))?);
                    return Ok(());
                }
            }
        }
        let (ptr, _) = buf.raw_memory();
        // SAFETY: the buffer's memory has `capacity >= count` bytes at a fixed address and
        // lives as long as `buffer_obj`, held by the future. The C contract forbids touching
        // the buffer while the read is pending, so nothing else accesses these bytes.
        let memory = unsafe { std::slice::from_raw_parts_mut(ptr, count) };
        let ready = input.readiness_fd().map(Readiness::readable);
        let input = input.clone();
        let read = move |cancel: std::sync::Arc<CancelSignal>| async move {
            let _keep = keep;
            // Straight into the buffer's memory: no intermediate copy.
            let filled = input.read_into_slice_with(ticket, memory, options, Some(&cancel)).await?;
            if let Value::Buffer(buf) = &buffer_obj.value {
                buf.set_length_filled(filled);
            }
            Ok(OpResult::Object(buffer_obj))
        };
        // TLS: a blocking waiter polls the socket and re-polls the read on its own thread;
        // in-memory streams have no fd, and a read that must wait runs on the runtime.
        out.write(start_cancellable_with(read, move || ready)?);
        Ok(())
    })
}

/// `IOutputStream.WriteAsync(buffer)`: writes the buffer's valid bytes (as they are when
/// called; the buffer may be reused at once). `netrt_async_get_results_uint32` gives the number
/// of bytes written. One write at a time per socket (`E_ILLEGAL_METHOD_CALL`). For a datagram
/// stream each write is one datagram. Errors as `netrt_input_stream_read_async`.
///
/// The bytes go to the kernel from the buffer on the caller's thread, as far as it takes them
/// at once; only a remainder that has to wait is copied (and, if the caller then blocks in
/// `netrt_async_wait`, written from the caller's thread as the socket drains).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_output_stream_write_async(
    stream: netrt_handle,
    buffer: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_output_stream_write_async", {
        let out = Out::new(out_op, "out_op")?;
        let_obj!(keep, output = stream, OutputStream);
        let_obj!(_buffer_obj, buf = buffer, Buffer);
        let total = buf.length() as usize;
        // One ticket for the synchronous attempt and the rest: an abort in between ends both.
        let ticket = output.ticket();
        // What the kernel takes at once goes from the buffer on this thread.
        let sent = match buf.with_bytes(|bytes| output.write_now(ticket, bytes)) {
            Some(Ok(n)) if n == total => {
                out.write(finished(Ok(OpResult::U32(total as u32)))?);
                return Ok(());
            }
            Some(Ok(n)) => n,
            // No direct attempt (TLS, datagrams): one future over a copy, driven like a
            // remainder below where the stream has a socket to wait on (TLS).
            None => {
                let data = buf.to_vec();
                let ready = output.readiness_fd().map(Readiness::writable);
                let output = output.clone();
                let write = async move {
                    let _keep = keep;
                    Ok(OpResult::U32(output.write_with(ticket, &data).await?))
                };
                out.write(match ready {
                    Some(ready) => start_with(write, move || Some(ready))?,
                    None => start(write)?,
                });
                return Ok(());
            }
            // A network failure belongs to the operation; `finished` returns a state error
            // (a write pending, closed, not connected) synchronously.
            Some(Err(e)) => {
                out.write(finished(Err(e))?);
                return Ok(());
            }
        };
        let rest = buf.with_bytes(|bytes| bytes[sent..].to_vec());
        let ready = output.readiness_fd().map(Readiness::writable);
        let output_for_write = output.clone();
        let write = async move {
            let _keep = keep;
            output_for_write.write_with(ticket, &rest).await?;
            Ok(OpResult::U32(total as u32))
        };
        out.write(start_with(write, move || ready)?);
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
