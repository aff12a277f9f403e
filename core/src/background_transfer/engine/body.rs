//! Request bodies streamed from disk: a list of segments (bytes in memory, ranges of files)
//! read by a blocking task into a small channel, so an upload of any size uses a few chunks of
//! memory, and its length is known before the first byte goes out (Content-Length).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::{Notify, mpsc};

use super::progress::BYTES_STEP;
use crate::error::{Error, Result};

/// The size of one read from a file.
const CHUNK: usize = 64 * 1024;
/// Chunks read ahead of the connection.
const READ_AHEAD: usize = 4;

/// A piece of a request body.
#[derive(Debug, Clone)]
pub(crate) enum Segment {
    Bytes(Bytes),
    /// The first `len` bytes of a file (its size when the body was built).
    File {
        path: PathBuf,
        len: u64,
    },
}

impl Segment {
    /// A whole file, with its current size.
    pub(crate) fn file(path: &Path) -> Result<Self> {
        let meta =
            std::fs::metadata(path).map_err(|e| Error::from_io(&e, format!("open {}", path.display())))?;
        if !meta.is_file() {
            return Err(Error::invalid_arg(format!("{} is not a regular file", path.display())));
        }
        Ok(Self::File { path: path.to_path_buf(), len: meta.len() })
    }

    fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::File { len, .. } => *len,
        }
    }
}

/// A request body that can be sent again (after a 401 or a 307).
#[derive(Debug, Clone, Default)]
pub(crate) struct BodySource {
    segments: Arc<Vec<Segment>>,
    len: u64,
    /// The Content-Type it needs (a multipart body's boundary), unless the app set one.
    pub content_type: Option<String>,
}

impl BodySource {
    pub(crate) fn new(segments: Vec<Segment>, content_type: Option<String>) -> Self {
        let len = segments.iter().map(Segment::len).sum();
        Self { segments: Arc::new(segments), len, content_type }
    }

    /// The body's length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// A fresh body for one request, counting what the connection takes into `sent`.
    pub(crate) fn open(&self, sent: &Arc<SentCounter>) -> StreamedBody {
        sent.reset();
        let (tx, rx) = mpsc::channel(READ_AHEAD);
        if self.len > 0 {
            let segments = self.segments.clone();
            drop(crate::runtime::handle().spawn_blocking(move || read_segments(&segments, &tx)));
        }
        StreamedBody { rx, remaining: self.len, sent: sent.clone() }
    }
}

/// Feeds the segments into `tx` until done, failed or the request is dropped.
fn read_segments(segments: &[Segment], tx: &mpsc::Sender<std::io::Result<Bytes>>) {
    for segment in segments {
        let outcome = match segment {
            Segment::Bytes(b) => tx.blocking_send(Ok(b.clone())).map_err(|_| None),
            Segment::File { path, len } => read_file(path, *len, tx),
        };
        match outcome {
            Ok(()) => {}
            Err(Some(e)) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
            Err(None) => return,
        }
    }
}

/// Sends the first `len` bytes of `path`; `Err(None)` when the receiver is gone.
fn read_file(
    path: &Path,
    len: u64,
    tx: &mpsc::Sender<std::io::Result<Bytes>>,
) -> Result<(), Option<std::io::Error>> {
    let what = |e: std::io::Error| Some(std::io::Error::new(e.kind(), format!("{}: {e}", path.display())));
    let mut file = std::fs::File::open(path).map_err(what)?;
    let mut left = len;
    while left > 0 {
        let mut chunk = vec![0u8; CHUNK.min(usize::try_from(left).unwrap_or(CHUNK))];
        let n = file.read(&mut chunk).map_err(what)?;
        if n == 0 {
            return Err(Some(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("{} shrank while it was being sent ({left} bytes missing)", path.display()),
            )));
        }
        chunk.truncate(n);
        left -= n as u64;
        tx.blocking_send(Ok(Bytes::from(chunk))).map_err(|_| None)?;
    }
    Ok(())
}

/// How much of the request body the connection has taken, shared with the progress reporter.
#[derive(Debug, Default)]
pub(crate) struct SentCounter {
    bytes: AtomicU64,
    /// Woken each time another [`BYTES_STEP`] went out.
    pub step: Notify,
}

impl SentCounter {
    pub(crate) fn get(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    fn reset(&self) {
        self.bytes.store(0, Ordering::Relaxed);
    }

    fn add(&self, n: u64) {
        let before = self.bytes.fetch_add(n, Ordering::Relaxed);
        if (before + n) / BYTES_STEP != before / BYTES_STEP {
            self.step.notify_one();
        }
    }
}

/// One request's body, as hyper polls it.
pub(crate) struct StreamedBody {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    remaining: u64,
    sent: Arc<SentCounter>,
}

impl Body for StreamedBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::io::Result<Frame<Bytes>>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let n = chunk.len() as u64;
                self.remaining = self.remaining.saturating_sub(n);
                self.sent.add(n);
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => {
                Poll::Ready(Some(Err(std::io::Error::other("the request body ended early"))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
