//! `Windows.Storage.Streams.Buffer` (IBuffer): bytes with a capacity and a length.

use crate::error::{Error, Result};

/// A byte buffer with a fixed capacity and a settable length, as WinRT's `Buffer`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Buffer {
    data: Vec<u8>,
    capacity: u32,
}

impl Buffer {
    /// A buffer of `capacity` bytes and length 0. Memory is reserved lazily as it fills.
    pub fn new(capacity: u32) -> Self {
        Self { data: Vec::new(), capacity }
    }

    /// A buffer holding `bytes` (capacity = length).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_vec(bytes.to_vec())
    }

    /// A buffer taking `bytes` (capacity = length).
    pub fn from_vec(bytes: Vec<u8>) -> Result<Self> {
        let capacity = u32::try_from(bytes.len())
            .map_err(|_| Error::invalid_arg("a Buffer holds at most 4 GiB - 1 bytes"))?;
        Ok(Self { data: bytes, capacity })
    }

    /// Capacity in bytes.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Length in bytes.
    pub fn length(&self) -> u32 {
        self.data.len() as u32
    }

    /// Sets the length; growing zero-fills, and the length may not exceed the capacity.
    pub fn set_length(&mut self, length: u32) -> Result<()> {
        if length > self.capacity {
            return Err(Error::invalid_arg(format!(
                "Buffer length {length} exceeds its capacity {}",
                self.capacity
            )));
        }
        self.data.resize(length as usize, 0);
        Ok(())
    }

    /// The valid bytes (`0..length`).
    pub fn as_slice(&self) -> &[u8] {
        &self.data
    }

    /// The valid bytes, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Replaces the contents (must fit the capacity).
    pub fn set_contents(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.len() > self.capacity as usize {
            return Err(Error::invalid_arg("data larger than the Buffer's capacity"));
        }
        self.data.clear();
        self.data.extend_from_slice(bytes);
        Ok(())
    }

    /// Consumes the buffer, returning its bytes.
    pub fn into_vec(self) -> Vec<u8> {
        self.data
    }
}
