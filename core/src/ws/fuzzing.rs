//! The frame reader over a server's bytes given whole: the fuzz harness's way in to the RFC 6455
//! frame parsing (fuzz/, docs/fuzzing.md). Not API.

use std::task::{Context, Poll, Waker};

use super::frames::{FrameReader, FrameSource, Incoming, Violation};

/// What the frame reader handed out, one per call of its `next`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameEvent {
    /// Bytes of a data message; `last` on the final piece of its final frame.
    Piece {
        /// A text message (its pieces end on UTF-8 character boundaries).
        text: bool,
        /// The bytes.
        data: Vec<u8>,
        /// The message's last piece.
        last: bool,
    },
    /// A ping and its payload.
    Ping(Vec<u8>),
    /// A pong.
    Pong,
    /// A close frame: its code and reason, none when empty.
    Close(Option<(u16, String)>),
    /// The end of the bytes.
    End,
    /// A breach of RFC 6455 (close code 1002), or text that is not UTF-8 (1007).
    Violation(String),
    /// A message larger than the maximum (1009).
    TooBig {
        /// The message's size so far, with the frame that broke the limit.
        size: u64,
        /// The maximum.
        max: u64,
    },
}

/// Hands out `stream` at most `read_size` bytes per read, as a connection does.
struct Scripted<'a> {
    rest: &'a [u8],
    read_size: usize,
}

impl FrameSource for Scripted<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.read_size.min(self.rest.len()).min(buf.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

/// Reads `stream` as frames from a server, `read_size` (at least 1) bytes per read, with
/// MaxMessageSize `max_message_size` and, with `whole_frames`, FullMessage mode's one piece per
/// frame; returns every event up to the end of the bytes or the first violation. Stops after
/// `stream.len() + 2` events (each event takes at least one byte), so a reader that made no
/// progress shows as a list that long without an end.
pub fn read_frames_for_fuzzing(
    stream: &[u8],
    read_size: usize,
    max_message_size: u64,
    whole_frames: bool,
) -> Vec<FrameEvent> {
    let mut reader =
        FrameReader::new(Scripted { rest: stream, read_size: read_size.max(1) }, max_message_size);
    if whole_frames {
        reader.set_whole_frames();
    }
    let mut cx = Context::from_waker(Waker::noop());
    let mut events = Vec::new();
    while events.len() < stream.len() + 2 {
        // The scripted source never waits, so neither does the reader.
        let Poll::Ready(next) = std::pin::pin!(reader.next()).poll(&mut cx) else {
            panic!("the frame reader waited on a source that is always ready");
        };
        let event = match next {
            Ok(Incoming::Piece { text, data, last }) => FrameEvent::Piece { text, data: data.to_vec(), last },
            Ok(Incoming::Ping(payload)) => FrameEvent::Ping(payload.to_vec()),
            Ok(Incoming::Pong) => FrameEvent::Pong,
            Ok(Incoming::Close(close)) => FrameEvent::Close(close),
            Ok(Incoming::End) => FrameEvent::End,
            Err(Violation::TooBig { size, max }) => FrameEvent::TooBig { size, max },
            Err(Violation::Protocol(why) | Violation::Utf8(why)) => FrameEvent::Violation(why),
            Err(Violation::Io(e)) => FrameEvent::Violation(e.to_string()),
        };
        let done = !matches!(
            event,
            FrameEvent::Piece { .. } | FrameEvent::Ping(_) | FrameEvent::Pong | FrameEvent::Close(_)
        );
        events.push(event);
        if done {
            break;
        }
    }
    events
}
