//! `Windows.Storage.Streams.Buffer` (IBuffer): a fixed capacity of bytes, a settable length,
//! and reference semantics — the one buffer type every projection wraps.
//!
//! The memory is allocated (zeroed) when the buffer is made and never moves, so the C API can
//! hand out a pointer valid while a reference is held, and Python can export it through the
//! buffer protocol. Clones share the memory, as WinRT references do.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::hresult::E_OUTOFMEMORY;
use crate::error::{Error, Result};

/// The bytes, owned through a raw pointer (a leaked `Box<[u8]>`, freed on drop) so that no
/// Rust reference claims them while the C API writes through the same address. Accessed under
/// `Inner::length`'s lock by the safe API; the raw pointer ([`Buffer::raw_memory`]) is for
/// callers that keep their own contract (the C API).
struct Memory {
    ptr: *mut u8,
    len: usize,
}

impl Memory {
    fn new(bytes: Box<[u8]>) -> Self {
        let len = bytes.len();
        Self { ptr: Box::into_raw(bytes).cast::<u8>(), len }
    }

    /// # Safety
    /// The caller holds the buffer's lock (no `bytes_mut` overlaps).
    unsafe fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` owns `len` initialised bytes for the life of `self`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// # Safety
    /// The caller holds the buffer's lock (no other safe access overlaps).
    #[allow(clippy::mut_from_ref)]
    unsafe fn bytes_mut(&self) -> &mut [u8] {
        // SAFETY: as `bytes`, exclusive by the caller's lock.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` came from `Box::into_raw` of a `Box<[u8]>` of `len` bytes.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.ptr, self.len)) });
    }
}

// SAFETY: every safe access to the bytes happens under the buffer's lock; raw-pointer access
// is governed by the caller's contract (documented on `raw_memory`).
unsafe impl Send for Memory {}
// SAFETY: as above.
unsafe impl Sync for Memory {}

struct Inner {
    /// Allocated when the buffer is made, or — for [`Buffer::lazy`] — when its bytes are first
    /// needed; never moved or replaced afterwards.
    memory: std::sync::OnceLock<Memory>,
    capacity: u32,
    length: Mutex<u32>,
}

/// A byte buffer with a fixed capacity and a settable length, as WinRT's `Buffer`.
#[derive(Clone)]
pub struct Buffer {
    inner: Arc<Inner>,
}

impl Buffer {
    /// A buffer of `capacity` zeroed bytes and length 0. The pages are the system's lazily
    /// zeroed memory: a large capacity costs address space until written.
    ///
    /// # Errors
    /// `E_OUTOFMEMORY` when the memory cannot be allocated.
    pub fn new(capacity: u32) -> Result<Self> {
        let mut memory = Vec::new();
        memory
            .try_reserve_exact(capacity as usize)
            .map_err(|_| Error::new(E_OUTOFMEMORY, format!("cannot allocate a {capacity}-byte buffer")))?;
        memory.resize(capacity as usize, 0);
        Ok(Self::with_memory(memory.into_boxed_slice(), 0))
    }

    /// A buffer holding a copy of `bytes` (capacity = length).
    ///
    /// # Errors
    /// `E_INVALIDARG` beyond 4 GiB - 1 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_vec(bytes.to_vec())
    }

    /// A buffer taking `bytes` (capacity = length; no copy when the vector has no spare room).
    ///
    /// # Errors
    /// `E_INVALIDARG` beyond 4 GiB - 1 bytes.
    pub fn from_vec(bytes: Vec<u8>) -> Result<Self> {
        let length = u32::try_from(bytes.len())
            .map_err(|_| Error::invalid_arg("a Buffer holds at most 4 GiB - 1 bytes"))?;
        Ok(Self::with_memory(bytes.into_boxed_slice(), length))
    }

    /// A buffer of `capacity` bytes and length 0 whose memory is allocated (zeroed) only when
    /// its bytes are first needed: a buffer that only bounds reads (as Python's `read_async`
    /// takes it) costs nothing.
    pub fn lazy(capacity: u32) -> Self {
        Self {
            inner: Arc::new(Inner { memory: std::sync::OnceLock::new(), capacity, length: Mutex::new(0) }),
        }
    }

    fn with_memory(memory: Box<[u8]>, length: u32) -> Self {
        let capacity = memory.len() as u32;
        let cell = std::sync::OnceLock::new();
        let _ = cell.set(Memory::new(memory));
        Self { inner: Arc::new(Inner { memory: cell, capacity, length: Mutex::new(length) }) }
    }

    /// The memory, allocated now if it was not.
    fn memory(&self) -> &Memory {
        self.inner
            .memory
            .get_or_init(|| Memory::new(vec![0u8; self.inner.capacity as usize].into_boxed_slice()))
    }

    fn lock(&self) -> MutexGuard<'_, u32> {
        self.inner.length.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Capacity in bytes.
    pub fn capacity(&self) -> u32 {
        self.inner.capacity
    }

    /// Length in bytes.
    pub fn length(&self) -> u32 {
        *self.lock()
    }

    /// Sets the length. Growing exposes the bytes already in memory (zero unless written),
    /// as WinRT's `Buffer.Length` does.
    ///
    /// # Errors
    /// `E_INVALIDARG` when `length` exceeds the capacity.
    pub fn set_length(&self, length: u32) -> Result<()> {
        if length > self.capacity() {
            return Err(Error::invalid_arg(format!(
                "Buffer length {length} exceeds its capacity {}",
                self.capacity()
            )));
        }
        if length > 0 {
            self.memory();
        }
        *self.lock() = length;
        Ok(())
    }

    /// Runs `f` on the valid bytes (`0..length`).
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        let length = self.lock();
        let Some(memory) = self.inner.memory.get() else { return f(&[]) };
        // SAFETY: under the lock.
        let memory = unsafe { memory.bytes() };
        f(&memory[..*length as usize])
    }

    /// Runs `f` on the whole memory (`0..capacity`) and the length, both writable.
    pub fn with_memory_mut<R>(&self, f: impl FnOnce(&mut [u8], &mut u32) -> R) -> R {
        let memory = self.memory();
        let mut length = self.lock();
        // SAFETY: under the lock, so no other safe access overlaps this one.
        let memory = unsafe { memory.bytes_mut() };
        f(memory, &mut length)
    }

    /// A copy of the valid bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        self.with_bytes(<[u8]>::to_vec)
    }

    /// Replaces the contents (length = `bytes.len()`).
    ///
    /// # Errors
    /// `E_INVALIDARG` when `bytes` exceeds the capacity.
    pub fn set_contents(&self, bytes: &[u8]) -> Result<()> {
        self.with_memory_mut(|memory, length| {
            if bytes.len() > memory.len() {
                return Err(Error::invalid_arg("data larger than the Buffer's capacity"));
            }
            memory[..bytes.len()].copy_from_slice(bytes);
            *length = bytes.len() as u32;
            Ok(())
        })
    }

    /// The memory's address and capacity. The address never changes and stays valid while
    /// any clone of this buffer lives. Whoever writes through it must make sure nothing else
    /// reads or writes those bytes meanwhile (the C API's contract: the caller does not touch a
    /// buffer a ReadAsync is filling).
    #[doc(hidden)]
    pub fn raw_memory(&self) -> (*mut u8, usize) {
        let memory = self.memory();
        (memory.ptr, memory.len)
    }

    /// Sets the length after bytes were written through [`raw_memory`](Self::raw_memory)
    /// (capped at the capacity).
    #[doc(hidden)]
    pub fn set_length_filled(&self, length: usize) {
        *self.lock() = length.min(self.capacity() as usize) as u32;
    }

    /// Whether two values are the same buffer.
    pub fn ptr_eq(&self, other: &Buffer) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Buffer").field("length", &self.length()).field("capacity", &self.capacity()).finish()
    }
}

impl Default for Buffer {
    fn default() -> Self {
        Self::with_memory(Box::default(), 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lazy_buffer_allocates_when_its_bytes_are_needed() {
        let b = Buffer::lazy(16);
        assert_eq!((b.capacity(), b.length(), b.to_vec()), (16, 0, vec![]));
        assert!(b.inner.memory.get().is_none());
        b.set_length(2).unwrap();
        assert_eq!(b.to_vec(), [0, 0]);
        let before = b.raw_memory().0;
        b.set_contents(b"xyz").unwrap();
        assert_eq!((b.to_vec(), b.raw_memory().0), (b"xyz".to_vec(), before));
    }

    #[test]
    fn clones_share_memory_and_the_address_never_moves() {
        let a = Buffer::new(8).unwrap();
        let b = a.clone();
        let before = a.raw_memory().0;
        b.set_contents(b"abc").unwrap();
        assert_eq!(a.to_vec(), b"abc");
        a.set_length(8).unwrap();
        assert_eq!(a.to_vec(), b"abc\0\0\0\0\0");
        assert_eq!(a.raw_memory().0, before);
        assert!(a.ptr_eq(&b));
        assert!(a.set_length(9).is_err());
        assert!(b.set_contents(&[0; 9]).is_err());
    }
}
