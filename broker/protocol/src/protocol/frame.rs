//! Framing: encoding a message, and the decoder state machine that turns arbitrary chunks of
//! bytes (and the fds that arrived beside them) back into messages.

use std::collections::VecDeque;
use std::os::fd::OwnedFd;

use super::{DecodeError, MAX_FDS_PER_MESSAGE, MAX_FRAME, Message, VERSION};

/// The frame (length prefix and body) of `message`.
///
/// # Errors
/// [`DecodeError::TooLong`] when the body exceeds [`MAX_FRAME`]: the peer would refuse it.
pub fn encode(message: &Message) -> Result<Vec<u8>, DecodeError> {
    let body = message.body();
    if body.len() > MAX_FRAME {
        return Err(DecodeError::TooLong(body.len()));
    }
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&(body.len() as u32).to_le_bytes());
    frame.extend_from_slice(&body);
    Ok(frame)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for the 4-byte length.
    Length,
    /// Waiting for a body of this many bytes.
    Body(usize),
    /// A decoding error ended the stream; nothing more is decoded.
    Failed,
}

/// Splits a byte stream into messages. Feed it with [`push`](Self::push) whatever arrived, then
/// call [`next_message`](Self::next_message) until it returns `Ok(None)` (more bytes needed).
pub struct FrameDecoder {
    buf: Vec<u8>,
    start: usize,
    state: State,
    error: Option<DecodeError>,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self { buf: Vec::new(), start: 0, state: State::Length, error: None }
    }
}

impl FrameDecoder {
    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.state != State::Failed {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes received and not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next whole message, `Ok(None)` when more bytes are needed.
    ///
    /// # Errors
    /// The first decoding error, then the same error on every later call.
    pub fn next_message(&mut self) -> Result<Option<Message>, DecodeError> {
        loop {
            let available = self.buf.len() - self.start;
            match self.state {
                State::Failed => {
                    return Err(self.error.clone().unwrap_or(DecodeError::Malformed("stream failed")));
                }
                State::Length if available < 4 => return Ok(self.compact(None)),
                State::Length => {
                    let raw = &self.buf[self.start..self.start + 4];
                    let len = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as usize;
                    self.start += 4;
                    if len == 0 {
                        return self.fail(DecodeError::Malformed("an empty frame"));
                    }
                    if len > MAX_FRAME {
                        return self.fail(DecodeError::TooLong(len));
                    }
                    self.state = State::Body(len);
                }
                State::Body(len) if available < len => return Ok(self.compact(None)),
                State::Body(len) => {
                    let body = &self.buf[self.start..self.start + len];
                    let decoded = Message::decode_body(body);
                    self.start += len;
                    self.state = State::Length;
                    return match decoded {
                        Ok(m) => Ok(self.compact(Some(m))),
                        Err(e) => self.fail(e),
                    };
                }
            }
        }
    }

    fn fail(&mut self, error: DecodeError) -> Result<Option<Message>, DecodeError> {
        self.state = State::Failed;
        self.buf = Vec::new();
        self.start = 0;
        self.error = Some(error.clone());
        Err(error)
    }

    /// Drops consumed bytes once they are the larger part of the buffer (amortised O(1)).
    fn compact(&mut self, out: Option<Message>) -> Option<Message> {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        out
    }
}

/// Which end of a session an [`Inbox`] is: it checks the session's first message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The daemon: the first message must be a Hello of this protocol version.
    Daemon,
    /// A client: the first message must be a Welcome (or a Failed refusal).
    Client,
}

/// A decoder plus the fds that arrived with the bytes: yields each message with its own fds.
pub struct Inbox {
    frames: FrameDecoder,
    fds: VecDeque<OwnedFd>,
    role: Role,
    greeted: bool,
}

impl Inbox {
    /// An inbox for one session.
    pub fn new(role: Role) -> Self {
        Self { frames: FrameDecoder::default(), fds: VecDeque::new(), role, greeted: false }
    }

    /// Adds what one receive returned: bytes and the fds that came with them.
    ///
    /// # Errors
    /// [`DecodeError::Malformed`] when more fds are queued than any pending messages could
    /// carry (a peer sending fds nobody asked for).
    pub fn push(&mut self, bytes: &[u8], fds: impl IntoIterator<Item = OwnedFd>) -> Result<(), DecodeError> {
        self.frames.push(bytes);
        self.fds.extend(fds);
        if self.fds.len() > 2 * MAX_FDS_PER_MESSAGE {
            self.fds.clear();
            return Err(DecodeError::Malformed("file descriptors arrived that no message carries"));
        }
        Ok(())
    }

    /// The next message and its fds; `Ok(None)` when more bytes are needed.
    ///
    /// # Errors
    /// Any [`DecodeError`]; after one, the session must end.
    pub fn next_message(&mut self) -> Result<Option<(Message, Vec<OwnedFd>)>, DecodeError> {
        let Some(message) = self.frames.next_message()? else { return Ok(None) };
        if !self.greeted {
            match (&message, self.role) {
                (Message::Hello { version }, Role::Daemon) if *version != VERSION => {
                    return Err(DecodeError::Version(*version));
                }
                (Message::Hello { .. }, Role::Daemon) => {}
                (Message::Welcome { version }, Role::Client) if *version != VERSION => {
                    return Err(DecodeError::Version(*version));
                }
                (Message::Welcome { .. } | Message::Failed { .. }, Role::Client) => {}
                _ => return Err(DecodeError::NotHello),
            }
            self.greeted = true;
        } else if matches!(message, Message::Hello { .. } | Message::Welcome { .. }) {
            return Err(DecodeError::Malformed("a second greeting in one session"));
        }
        let needed = message.fd_count();
        if self.fds.len() < needed {
            return Err(DecodeError::MissingFds { needed, arrived: self.fds.len() });
        }
        let fds = self.fds.drain(..needed).collect();
        Ok(Some((message, fds)))
    }
}
