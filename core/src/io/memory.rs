//! An input stream over bytes already in memory (a received datagram, a buffer).

use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::io::stream::{BoxFuture, ByteSource, OpTicket};

/// Reads through a byte vector, then reports end of stream.
pub struct MemorySource {
    state: Mutex<(Vec<u8>, usize, bool)>,
}

impl MemorySource {
    /// A source over `data`.
    pub fn new(data: Vec<u8>) -> Self {
        Self { state: Mutex::new((data, 0, false)) }
    }
}

impl ByteSource for MemorySource {
    fn read_some<'a>(&'a self, buf: &'a mut [u8], _ticket: OpTicket) -> BoxFuture<'a, Result<usize>> {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let result = if st.2 {
            Err(Error::closed("stream"))
        } else {
            let (data, pos) = (&st.0, st.1);
            let n = buf.len().min(data.len() - pos);
            buf[..n].copy_from_slice(&data[pos..pos + n]);
            st.1 += n;
            Ok(n)
        };
        Box::pin(std::future::ready(result))
    }

    fn close(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).2 = true;
    }
}
