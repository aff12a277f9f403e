//! `Windows.Storage.Streams.Buffer` (IBuffer) as a handle kind: core's [`Buffer`], whose
//! memory is allocated when it is made and never moves, so the pointer
//! `netrt_buffer_get_data` hands out stays valid while any reference to the buffer is held.

use netrt_core::io::Buffer;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, with_value};

/// `Buffer(capacity)`: a buffer of `capacity` zeroed bytes and length 0.
///
/// `out` must not be NULL; it receives a new reference. The memory is allocated at once, so
/// the data pointer never moves. Errors: `E_POINTER`; `E_OUTOFMEMORY` when the allocation fails.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_buffer_create(capacity: u32, out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_buffer_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::Buffer(Buffer::new(capacity)?))?);
        Ok(())
    })
}

/// `Capacity`. `out_capacity` must not be NULL. Thread-safe. Errors: the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_buffer_get_capacity(buffer: netrt_handle, out_capacity: *mut u32) -> netrt_hresult {
    ffi!("netrt_buffer_get_capacity", {
        let out = Out::new(out_capacity, "out_capacity")?;
        out.write(with_value!(buffer, Buffer, |b| b.capacity()));
        Ok(())
    })
}

/// `Length`: the number of valid bytes. `out_length` must not be NULL. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_buffer_get_length(buffer: netrt_handle, out_length: *mut u32) -> netrt_hresult {
    ffi!("netrt_buffer_get_length", {
        let out = Out::new(out_length, "out_length")?;
        out.write(with_value!(buffer, Buffer, |b| b.length()));
        Ok(())
    })
}

/// Sets `Length` (after writing bytes through the data pointer). More than the capacity is
/// `E_INVALIDARG`. Growing exposes the bytes already in memory (zero unless written).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_buffer_set_length(buffer: netrt_handle, length: u32) -> netrt_hresult {
    ffi!("netrt_buffer_set_length", { with_value!(buffer, Buffer, |b| b.set_length(length)) })
}

/// The buffer's bytes: `*out_data` points to `capacity` bytes, valid (and never moved) while
/// any reference to the buffer is held. Reading and writing through it while an operation
/// (ReadAsync) fills the same buffer is a data race the caller must avoid. For capacity 0 the
/// pointer must not be dereferenced. `out_data` must not be NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_buffer_get_data(buffer: netrt_handle, out_data: *mut *mut u8) -> netrt_hresult {
    ffi!("netrt_buffer_get_data", {
        let out = Out::new(out_data, "out_data")?;
        out.write(with_value!(buffer, Buffer, |b| b.raw_memory().0));
        Ok(())
    })
}
