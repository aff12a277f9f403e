//! `Windows.Storage.Streams.Buffer` (IBuffer) as a handle kind.
//!
//! Unlike the core `Buffer` (which grows lazily), the C buffer owns `capacity` bytes from the
//! start, so the pointer `netrt_buffer_get_data` hands out never moves while any reference to
//! the buffer is held.

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::ptr::NonNull;
use std::sync::{Mutex, MutexGuard};

use netrt_core::Error;
use netrt_core::error::hresult::E_OUTOFMEMORY;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get, with_value};

/// The bytes of one buffer: `capacity` zero-initialised bytes at a fixed address.
struct Memory {
    ptr: NonNull<u8>,
    capacity: usize,
}

// SAFETY: plain owned memory at a fixed address. netrt reads and writes the bytes under the
// BufferObject's lock, or — a pending ReadAsync — as the one user the C contract allows; the C
// caller is responsible for its own accesses through the data pointer.
unsafe impl Send for Memory {}
// SAFETY: as above.
unsafe impl Sync for Memory {}

impl Memory {
    fn new(capacity: usize) -> Result<Self, Error> {
        if capacity == 0 {
            return Ok(Self { ptr: NonNull::dangling(), capacity });
        }
        let layout = Layout::array::<u8>(capacity)
            .map_err(|_| Error::new(E_OUTOFMEMORY, "buffer capacity too large"))?;
        // SAFETY: non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) };
        let ptr = NonNull::new(ptr)
            .ok_or_else(|| Error::new(E_OUTOFMEMORY, format!("cannot allocate a {capacity}-byte buffer")))?;
        Ok(Self { ptr, capacity })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `capacity` initialised bytes owned by self (dangling only when empty).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.capacity) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, uniquely borrowed.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.capacity) }
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        if self.capacity != 0 {
            // SAFETY: allocated in `new` with this layout.
            unsafe { dealloc(self.ptr.as_ptr(), Layout::array::<u8>(self.capacity).expect("layout")) };
        }
    }
}

/// The object behind a buffer handle.
pub struct BufferObject {
    /// Address and capacity never change: read without the lock (every read or write through
    /// the C API needs them).
    memory: Memory,
    /// The number of valid bytes; its lock also guards netrt's accesses to the bytes.
    length: Mutex<u32>,
}

impl BufferObject {
    pub(crate) fn with_capacity(capacity: u32) -> Result<Self, Error> {
        Ok(Self { memory: Memory::new(capacity as usize)?, length: Mutex::new(0) })
    }

    /// A buffer holding exactly `bytes` (capacity = length).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| Error::invalid_arg("a Buffer holds at most 4 GiB - 1 bytes"))?;
        let mut memory = Memory::new(bytes.len())?;
        memory.bytes_mut().copy_from_slice(bytes);
        Ok(Self { memory, length: Mutex::new(len) })
    }

    fn lock(&self) -> MutexGuard<'_, u32> {
        self.length.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn capacity(&self) -> u32 {
        self.memory.capacity as u32
    }

    /// The number of valid bytes.
    pub(crate) fn length(&self) -> u32 {
        *self.lock()
    }

    /// Runs `f` on the valid bytes (under the buffer's lock: keep it short).
    pub(crate) fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        let length = self.lock();
        f(&self.memory.bytes()[..*length as usize])
    }

    /// A copy of the valid bytes.
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        self.with_bytes(<[u8]>::to_vec)
    }

    /// The fixed address and capacity of the memory (valid while `self` lives).
    pub(crate) fn raw_memory(&self) -> (*mut u8, usize) {
        (self.memory.ptr.as_ptr(), self.memory.capacity)
    }

    /// Sets the length after bytes were written through `raw_memory` (at most the capacity).
    pub(crate) fn set_length_filled(&self, length: usize) {
        *self.lock() = length.min(self.memory.capacity) as u32;
    }

    /// The core `Buffer` with the same valid bytes.
    pub(crate) fn to_core(&self) -> Result<netrt_core::io::Buffer, Error> {
        netrt_core::io::Buffer::from_vec(self.to_vec())
    }
}

/// Issues a handle for a new buffer holding a copy of `buffer`'s bytes.
pub(crate) fn issue_from_core(buffer: &netrt_core::io::Buffer) -> Result<netrt_handle, Error> {
    handle::issue_new(Value::Buffer(std::sync::Arc::new(BufferObject::from_bytes(buffer.as_slice())?)))
}

/// `Buffer(capacity)`: a buffer of `capacity` zeroed bytes and length 0.
///
/// `out` must not be NULL; it receives a new reference. The memory is allocated at once, so
/// the data pointer never moves. Errors: `E_POINTER`; `E_OUTOFMEMORY` when the allocation fails.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_buffer_create(capacity: u32, out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_buffer_create", {
        let out = Out::new(out, "out")?;
        let b = BufferObject::with_capacity(capacity)?;
        out.write(handle::issue_new(Value::Buffer(std::sync::Arc::new(b)))?);
        Ok(())
    })
}

/// `Capacity`. `out_capacity` must not be NULL. Thread-safe. Errors: the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_buffer_get_capacity(buffer: netrt_handle, out_capacity: *mut u32) -> netrt_hresult {
    ffi!("netrt_buffer_get_capacity", {
        let out = Out::new(out_capacity, "out_capacity")?;
        out.write(get!(buffer, Buffer).capacity());
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
    ffi!("netrt_buffer_set_length", {
        let b = get!(buffer, Buffer);
        let capacity = b.capacity();
        if length > capacity {
            return Err(Error::invalid_arg(format!(
                "Buffer length {length} exceeds its capacity {capacity}"
            )));
        }
        *b.lock() = length;
        Ok(())
    })
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
