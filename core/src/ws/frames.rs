//! RFC 6455 framing on the client side of a connection. The reader hands out the payload of
//! data frames piece by piece as the bytes arrive, so PartialMessage mode raises
//! MessageReceived before a large message is complete and nothing has to hold a whole message
//! unless the app asked for whole messages. tungstenite parses and formats the frame headers;
//! the checks a client must make on what a server sends are here.

use std::io::Cursor;

use bytes::{Buf, Bytes, BytesMut};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Control, Data, OpCode};

/// How much one read asks the connection for between frames and in PartialMessage mode (the
/// rest of a whole frame is read straight into the frame's buffer, as much as has arrived):
/// tokio-tungstenite's read size, so that a 64 KiB message and its header come in one read.
const READ_CHUNK: usize = 128 * 1024;
/// The room the buffer gets ahead of a read's bytes (small messages share an allocation).
const BUFFER_AHEAD: usize = 64 * 1024;

/// Where the frame reader's bytes come from.
pub(crate) trait FrameSource {
    /// Reads what is available into `buf` (never empty): at least one byte, 0 at the end of
    /// the stream. Cancel safe: a read dropped while it waits has taken nothing.
    fn read(&mut self, buf: &mut [u8]) -> impl Future<Output = std::io::Result<usize>> + Send;
}

/// netrt's connection itself: after the handshake the frames bypass hyper's upgraded stream.
pub(crate) struct SocketSource {
    socket: crate::net::StreamSocket,
    /// Bytes that arrived with the handshake's response, handed out first.
    early: Bytes,
}

impl SocketSource {
    pub(crate) fn new(socket: crate::net::StreamSocket, early: Bytes) -> Self {
        Self { socket, early }
    }
}

impl FrameSource for SocketSource {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.early.is_empty() {
            let n = buf.len().min(self.early.len());
            buf[..n].copy_from_slice(&self.early[..n]);
            self.early.advance(n);
            return Ok(n);
        }
        self.socket.read_some(buf).await.map_err(std::io::Error::other)
    }
}

/// Any tokio reader (the unit tests' scripted streams).
#[cfg(test)]
pub(crate) struct ReadSource<R>(pub R);

#[cfg(test)]
impl<R: tokio::io::AsyncRead + Unpin + Send> FrameSource for ReadSource<R> {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use tokio::io::AsyncReadExt;
        self.0.read(buf).await
    }
}

/// What [`FrameReader::next`] found.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// Bytes of a data message as they arrived; `last` on the final piece of its final frame.
    /// Pieces of a text message always end on a UTF-8 character boundary.
    Piece {
        text: bool,
        data: Bytes,
        last: bool,
    },
    Ping(Bytes),
    Pong,
    /// A close frame: its code and reason (none when the frame was empty).
    Close(Option<(u16, String)>),
    /// The peer closed the TCP connection.
    End,
}

/// Why receiving stopped without a close frame.
#[derive(Debug)]
pub(crate) enum Violation {
    /// The connection failed underneath.
    Io(std::io::Error),
    /// A text message (or a close reason) that is not UTF-8 (close code 1007).
    Utf8(String),
    /// A message larger than MaxMessageSize (close code 1009).
    TooBig { size: u64, max: u64 },
    /// Any other breach of RFC 6455 by the server (close code 1002).
    Protocol(String),
}

/// The data message being received.
struct Message {
    text: bool,
    size: u64,
    /// The start of a UTF-8 character split across pieces (at most 3 bytes).
    utf8_tail: Vec<u8>,
}

/// Reads frames from the server's side of the connection.
pub(crate) struct FrameReader<R> {
    io: R,
    buf: BytesMut,
    /// Where the reads between frames land before their bytes join `buf` (zeroed once, kept:
    /// small messages cost one copy of what arrived, not a fresh zeroed buffer per read).
    scratch: Vec<u8>,
    /// The data frame whose payload is being handed out: bytes left, and its FIN bit.
    frame: Option<(u64, bool)>,
    message: Option<Message>,
    /// MaxMessageSize.
    max: u64,
    /// Hand out a data frame only once all of it arrived (FullMessage mode: the message is
    /// wanted whole anyway, and one piece per frame saves copying pieces together).
    whole_frames: bool,
}

/// At most this much is reserved ahead for a frame's payload; a larger frame grows the buffer.
const RESERVE_AHEAD: u64 = 16 * 1024 * 1024;
/// A read buffer with more room than this is not kept once empty.
const KEEP_READ_BUFFER: usize = 256 * 1024;

impl<R: FrameSource> FrameReader<R> {
    pub(crate) fn new(io: R, max_message_size: u64) -> Self {
        Self {
            io,
            buf: BytesMut::new(),
            scratch: Vec::new(),
            frame: None,
            message: None,
            max: max_message_size,
            whole_frames: false,
        }
    }

    /// Hands out each data frame whole from now on (see the field).
    pub(crate) fn set_whole_frames(&mut self) {
        self.whole_frames = true;
    }

    /// Reads more from the connection; false at the end of the stream.
    async fn fill(&mut self) -> Result<bool, Violation> {
        if self.scratch.is_empty() {
            self.scratch = vec![0; READ_CHUNK];
        }
        let n = self.io.read(&mut self.scratch).await.map_err(Violation::Io)?;
        // Room for more than this read: the following small messages share one allocation.
        self.buf.reserve(BUFFER_AHEAD.max(n));
        self.buf.extend_from_slice(&self.scratch[..n]);
        Ok(n > 0)
    }

    /// Whole frames: reads until `buf` holds the `left` bytes of the frame's payload (false at
    /// the end of the stream), each read straight into `buf` and as large as what is missing —
    /// a large frame arrives in as few reads as the kernel allows, with no copy. At most
    /// [`RESERVE_AHEAD`] bytes are zeroed ahead of the data at a time (a frame's length is the
    /// server's word). Cancel safe: `buf` ends where the data ends however the call ends.
    async fn fill_frame(&mut self, left: u64) -> Result<bool, Violation> {
        while (self.buf.len() as u64) < left {
            let missing = usize::try_from((left - self.buf.len() as u64).min(RESERVE_AHEAD)).unwrap_or(0);
            let mut filling = Filling::start(&mut self.buf, missing);
            while filling.missing() > 0 {
                let n = self.io.read(filling.spare()).await.map_err(Violation::Io)?;
                if n == 0 {
                    return Ok(false);
                }
                filling.filled += n;
            }
        }
        Ok(true)
    }

    /// The next piece of data or control frame.
    pub(crate) async fn next(&mut self) -> Result<Incoming, Violation> {
        loop {
            if let Some((left, fin)) = self.frame {
                if self.whole_frames {
                    if !self.fill_frame(left).await? {
                        return Ok(Incoming::End);
                    }
                } else if left > 0 && self.buf.is_empty() && !self.fill().await? {
                    return Ok(Incoming::End);
                }
                let take = usize::try_from(left).map_or(self.buf.len(), |l| l.min(self.buf.len()));
                let chunk = self.buf.split_to(take).freeze();
                if self.buf.is_empty() && self.buf.capacity() > KEEP_READ_BUFFER {
                    // The rest of a large frame's allocation would stay with an idle connection.
                    self.buf = BytesMut::new();
                }
                let left = left - take as u64;
                self.frame = (left > 0).then_some((left, fin));
                if let Some(piece) = self.piece(chunk, left == 0 && fin)? {
                    return Ok(piece);
                }
                continue;
            }
            let mut cursor = Cursor::new(&self.buf[..]);
            let parsed = FrameHeader::parse(&mut cursor)
                .map_err(|e| Violation::Protocol(format!("a malformed frame header ({e})")))?;
            let Some((header, length)) = parsed else {
                if !self.fill().await? {
                    return Ok(Incoming::End);
                }
                continue;
            };
            let header_len = cursor.position() as usize;
            check_header(&header, length)?;
            if let OpCode::Control(control) = header.opcode {
                // Nothing is consumed until the whole control frame is here: a `next` dropped
                // while it waits for the payload finds the header again (cancel safety).
                let end = header_len + length as usize;
                if self.buf.len() < end {
                    if !self.fill().await? {
                        return Ok(Incoming::End);
                    }
                    continue;
                }
                self.buf.advance(header_len);
                let payload = self.buf.split_to(length as usize).freeze();
                return control_frame(control, payload);
            }
            self.buf.advance(header_len);
            if let Some(incoming) = self.start_frame(&header, length)? {
                return Ok(incoming);
            }
        }
    }

    /// A data frame's header: its payload is handed out by the following calls (an empty
    /// frame's end of message at once).
    fn start_frame(&mut self, header: &FrameHeader, length: u64) -> Result<Option<Incoming>, Violation> {
        let OpCode::Data(data) = header.opcode else { unreachable!("control frames are read by `next`") };
        self.start_data_frame(data, length)?;
        self.frame = Some((length, header.is_final));
        // An empty frame still has to report the end of its message.
        if length == 0 {
            self.frame = None;
            return self.piece(Bytes::new(), header.is_final);
        }
        Ok(None)
    }

    fn start_data_frame(&mut self, data: Data, length: u64) -> Result<(), Violation> {
        let text = match (data, &self.message) {
            (Data::Continue, Some(_)) => None,
            (Data::Continue, None) => {
                return Err(Violation::Protocol("a continuation frame outside a fragmented message".into()));
            }
            (Data::Text | Data::Binary, Some(_)) => {
                return Err(Violation::Protocol(
                    "a new message began before the fragmented one ended".into(),
                ));
            }
            (Data::Text, None) => Some(true),
            (Data::Binary, None) => Some(false),
            (Data::Reserved(op), _) => {
                return Err(Violation::Protocol(format!("a data frame with the reserved opcode {op}")));
            }
        };
        if let Some(text) = text {
            self.message = Some(Message { text, size: 0, utf8_tail: Vec::new() });
        }
        let message = self.message.as_mut().expect("a message was just started or is going on");
        let size = message.size.saturating_add(length);
        if size > self.max {
            return Err(Violation::TooBig { size, max: self.max });
        }
        message.size = size;
        Ok(())
    }

    /// One piece of the current message (`None` when nothing can be handed out yet: the
    /// bytes so far end inside a UTF-8 character).
    fn piece(&mut self, chunk: Bytes, last: bool) -> Result<Option<Incoming>, Violation> {
        let message = self.message.as_mut().expect("a data frame belongs to a message");
        let text = message.text;
        let data = if text { utf8_piece(&mut message.utf8_tail, chunk, last)? } else { chunk };
        if last {
            self.message = None;
        } else if data.is_empty() {
            return Ok(None);
        }
        Ok(Some(Incoming::Piece { text, data, last }))
    }
}

/// A buffer zeroed ahead of the data for reads to land in; on drop (the reads done, failed or
/// cancelled) it ends where the data ends again.
struct Filling<'a> {
    buf: &'a mut BytesMut,
    /// The length of the data (the buffer's length when it started, plus what was read).
    filled: usize,
    end: usize,
}

impl<'a> Filling<'a> {
    fn start(buf: &'a mut BytesMut, room: usize) -> Self {
        let filled = buf.len();
        buf.resize(filled + room, 0);
        Self { filled, end: filled + room, buf }
    }

    fn missing(&self) -> usize {
        self.end - self.filled
    }

    fn spare(&mut self) -> &mut [u8] {
        &mut self.buf[self.filled..self.end]
    }
}

impl Drop for Filling<'_> {
    fn drop(&mut self) {
        self.buf.truncate(self.filled);
    }
}

/// The checks every frame header gets before anything of its frame is used.
fn check_header(header: &FrameHeader, length: u64) -> Result<(), Violation> {
    if header.rsv1 || header.rsv2 || header.rsv3 {
        return Err(Violation::Protocol(
            "a frame with reserved bits set (no extension was negotiated)".into(),
        ));
    }
    if header.mask.is_some() {
        return Err(Violation::Protocol("a masked frame (a server must not mask)".into()));
    }
    if matches!(header.opcode, OpCode::Control(_)) {
        if !header.is_final {
            return Err(Violation::Protocol("a fragmented control frame".into()));
        }
        if length > 125 {
            return Err(Violation::Protocol(format!("a control frame of {length} bytes (at most 125)")));
        }
    }
    Ok(())
}

/// A whole control frame.
fn control_frame(control: Control, payload: Bytes) -> Result<Incoming, Violation> {
    match control {
        Control::Ping => Ok(Incoming::Ping(payload)),
        Control::Pong => Ok(Incoming::Pong),
        Control::Close => close_payload(&payload).map(Incoming::Close),
        Control::Reserved(op) => {
            Err(Violation::Protocol(format!("a control frame with the reserved opcode {op}")))
        }
    }
}

/// The code and reason of a close frame's payload.
fn close_payload(payload: &[u8]) -> Result<Option<(u16, String)>, Violation> {
    match payload {
        [] => Ok(None),
        [_] => Err(Violation::Protocol("a close frame with a one-byte payload".into())),
        [hi, lo, reason @ ..] => {
            let code = u16::from_be_bytes([*hi, *lo]);
            if !CloseCode::from(code).is_allowed() {
                return Err(Violation::Protocol(format!(
                    "a close frame with the code {code}, which may not be sent"
                )));
            }
            let reason = std::str::from_utf8(reason)
                .map_err(|e| Violation::Utf8(format!("the close reason is not UTF-8 ({e})")))?;
            Ok(Some((code, reason.to_string())))
        }
    }
}

/// Validates the next bytes of a text message: returns the part that ends on a character
/// boundary and keeps a character split at the end for the next piece.
fn utf8_piece(tail: &mut Vec<u8>, chunk: Bytes, last: bool) -> Result<Bytes, Violation> {
    let joined = if tail.is_empty() {
        chunk
    } else {
        let mut joined = std::mem::take(tail);
        joined.extend_from_slice(&chunk);
        Bytes::from(joined)
    };
    match std::str::from_utf8(&joined) {
        Ok(_) => Ok(joined),
        // Only the end is cut short: the rest of the character is in the next piece.
        Err(e) if e.error_len().is_none() && !last => {
            tail.extend_from_slice(&joined[e.valid_up_to()..]);
            Ok(joined.slice(..e.valid_up_to()))
        }
        Err(e) => Err(Violation::Utf8(e.to_string())),
    }
}

/// Writes masked frames to the server, on netrt's connection directly.
pub(crate) struct FrameWriter {
    socket: crate::net::StreamSocket,
    buf: Vec<u8>,
}

/// A frame buffer larger than this is not kept between sends (idle connections stay small).
const KEEP_BUFFER: usize = 256 * 1024;

impl FrameWriter {
    pub(crate) fn new(socket: crate::net::StreamSocket) -> Self {
        Self { socket, buf: Vec::new() }
    }

    /// Sends one frame, masked with a fresh key as RFC 6455 requires of a client: the header
    /// and the masked payload in one buffer, one write.
    pub(crate) async fn send(&mut self, opcode: OpCode, fin: bool, payload: &[u8]) -> crate::Result<()> {
        let mask = new_mask()?;
        let header = FrameHeader { is_final: fin, opcode, mask: Some(mask), ..FrameHeader::default() };
        self.buf.clear();
        self.buf.reserve(14 + payload.len());
        header.format(payload.len() as u64, &mut self.buf).map_err(|e| {
            crate::Error::new(crate::error::hresult::E_UNEXPECTED, format!("frame header: {e}"))
        })?;
        extend_masked(&mut self.buf, payload, mask);
        let written = self.socket.write_all(&self.buf).await;
        if self.buf.capacity() > KEEP_BUFFER {
            self.buf = Vec::new();
        }
        written
    }
}

fn new_mask() -> crate::Result<[u8; 4]> {
    let mut mask = [0u8; 4];
    aws_lc_rs::rand::fill(&mut mask).map_err(|_| {
        crate::Error::new(crate::error::hresult::E_UNEXPECTED, "no random bytes for a frame mask")
    })?;
    Ok(mask)
}

/// Appends `data` XORed with the 4-byte mask to `out`: the copy and the masking in one pass
/// over the bytes (8 at a time; 8 is a multiple of 4, so the mask stays aligned with the
/// remainder).
fn extend_masked(out: &mut Vec<u8>, data: &[u8], mask: [u8; 4]) {
    let [a, b, c, d] = mask;
    let wide = u64::from_ne_bytes([a, b, c, d, a, b, c, d]);
    out.reserve(data.len());
    let spare = &mut out.spare_capacity_mut()[..data.len()];
    let mut words = data.chunks_exact(8);
    let mut slots = spare.chunks_exact_mut(8);
    for (word, slot) in (&mut words).zip(&mut slots) {
        let value = u64::from_ne_bytes(word.try_into().expect("8 bytes")) ^ wide;
        for (slot, byte) in slot.iter_mut().zip(value.to_ne_bytes()) {
            slot.write(byte);
        }
    }
    for ((slot, byte), key) in
        slots.into_remainder().iter_mut().zip(words.remainder()).zip(mask.iter().cycle())
    {
        slot.write(byte ^ key);
    }
    // SAFETY: the loops above wrote every one of the `data.len()` bytes after the old length.
    unsafe { out.set_len(out.len() + data.len()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![first];
        match payload.len() {
            n if n < 126 => out.push(n as u8),
            n => {
                out.push(126);
                out.extend((n as u16).to_be_bytes());
            }
        }
        out.extend_from_slice(payload);
        out
    }

    async fn read_all(bytes: Vec<u8>, max: u64) -> Vec<Result<Incoming, String>> {
        let mut reader = FrameReader::new(ReadSource(Cursor::new(bytes)), max);
        let mut out = Vec::new();
        loop {
            match reader.next().await {
                Ok(Incoming::End) => return out,
                Ok(other) => out.push(Ok(other)),
                Err(e) => {
                    out.push(Err(format!("{e:?}")));
                    return out;
                }
            }
        }
    }

    fn pieces(items: &[Result<Incoming, String>]) -> Vec<(bool, Vec<u8>, bool)> {
        items
            .iter()
            .filter_map(|i| match i {
                Ok(Incoming::Piece { text, data, last }) => Some((*text, data.to_vec(), *last)),
                _ => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn fragments_and_interleaved_control_frames() {
        let mut wire = frame(0x01, b"ab");
        wire.extend(frame(0x89, b"hi"));
        wire.extend(frame(0x00, b""));
        wire.extend(frame(0x80, b"cd"));
        wire.extend(frame(0x82, &[1, 2]));
        let items = read_all(wire, u64::MAX).await;
        assert!(matches!(&items[1], Ok(Incoming::Ping(p)) if &p[..] == b"hi"));
        assert_eq!(
            pieces(&items),
            [(true, b"ab".to_vec(), false), (true, b"cd".to_vec(), true), (false, vec![1, 2], true)]
        );
    }

    #[tokio::test]
    async fn whole_frames_come_in_one_piece_however_the_bytes_arrive() {
        let payload: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        let mut wire = frame(0x02, &payload);
        wire.extend(frame(0x80, b"end"));
        // One byte per read: without whole frames that is one piece per byte.
        let mut reader = FrameReader::new(ReadSource(Trickle(wire.into())), u64::MAX);
        reader.set_whole_frames();
        let first = reader.next().await.unwrap();
        assert!(matches!(first, Incoming::Piece { data, last: false, .. } if data[..] == payload[..]));
        let second = reader.next().await.unwrap();
        assert!(matches!(second, Incoming::Piece { data, last: true, .. } if &data[..] == b"end"));
    }

    /// An AsyncRead that gives one byte per read.
    struct Trickle(std::collections::VecDeque<u8>);

    impl tokio::io::AsyncRead for Trickle {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            if let Some(byte) = self.0.pop_front() {
                buf.put_slice(&[byte]);
            }
            std::task::Poll::Ready(Ok(()))
        }
    }

    /// A source that waits (Pending, waking itself) before each byte it hands out.
    struct Stutter {
        bytes: std::collections::VecDeque<u8>,
        waited: bool,
    }

    impl FrameSource for Stutter {
        async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.waited {
                // Set first: a read dropped while it waits goes on from here next time.
                self.waited = true;
                let mut once = false;
                std::future::poll_fn(|cx| {
                    if std::mem::replace(&mut once, true) {
                        return std::task::Poll::Ready(());
                    }
                    cx.waker().wake_by_ref();
                    std::task::Poll::Pending
                })
                .await;
            }
            self.waited = false;
            Ok(self.bytes.pop_front().map_or(0, |b| {
                buf[0] = b;
                1
            }))
        }
    }

    /// What `next` hands out, each data message joined from its pieces (pieces may split
    /// differently depending on how the bytes arrive), until the end.
    fn joined(items: Vec<Result<Incoming, Violation>>) -> Vec<String> {
        let (mut out, mut message) = (Vec::new(), Vec::new());
        for item in items {
            match item {
                Ok(Incoming::Piece { text, data, last }) => {
                    message.extend_from_slice(&data);
                    if last {
                        out.push(format!("message text={text} {:?}", std::mem::take(&mut message)));
                    }
                }
                other => out.push(format!("{other:?}")),
            }
        }
        out
    }

    /// Everything `next` hands out when each call is polled once and dropped whenever it waits
    /// (a fresh call takes over), as a `select!` or a cancelled operation would.
    fn read_dropping_at_every_wait(bytes: Vec<u8>, whole_frames: bool) -> Vec<String> {
        let mut reader = FrameReader::new(Stutter { bytes: bytes.into(), waited: false }, u64::MAX);
        if whole_frames {
            reader.set_whole_frames();
        }
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let (mut items, mut waits) = (Vec::new(), 0);
        loop {
            let polled = std::pin::pin!(reader.next()).poll(&mut cx);
            match polled {
                std::task::Poll::Pending => waits += 1,
                std::task::Poll::Ready(Ok(Incoming::End)) => break,
                std::task::Poll::Ready(item) => items.push(item),
            }
        }
        assert!(waits > 100, "the source made every call wait ({waits})");
        joined(items)
    }

    #[tokio::test]
    async fn a_next_dropped_at_any_wait_loses_nothing() {
        let text = "é€".as_bytes();
        let mut close = 1001u16.to_be_bytes().to_vec();
        close.extend(b"going away");
        let mut wire = frame(0x01, &text[..1]);
        wire.extend(frame(0x89, b"ping payload"));
        wire.extend(frame(0x00, &text[1..3]));
        wire.extend(frame(0x8A, b"pong"));
        wire.extend(frame(0x80, &text[3..]));
        wire.extend(frame(0x82, &(0..300u32).map(|i| i as u8).collect::<Vec<_>>()));
        wire.extend(frame(0x88, &close));
        for whole_frames in [false, true] {
            let mut reader = FrameReader::new(ReadSource(Cursor::new(wire.clone())), u64::MAX);
            if whole_frames {
                reader.set_whole_frames();
            }
            let mut items = Vec::new();
            loop {
                match reader.next().await {
                    Ok(Incoming::End) => break,
                    item => items.push(item),
                }
            }
            let expected = joined(items);
            assert_eq!(expected.len(), 5, "{expected:?}");
            assert!(expected[4].contains("going away"), "{expected:?}");
            let dropped = read_dropping_at_every_wait(wire.clone(), whole_frames);
            assert_eq!(dropped, expected, "whole frames: {whole_frames}");
        }
    }

    /// Hands out its bytes as asked, then waits for ever.
    struct ThenSilence(std::collections::VecDeque<u8>);

    impl FrameSource for ThenSilence {
        async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                std::future::pending::<()>().await;
            }
            let n = buf.len().min(self.0.len());
            for (slot, byte) in buf.iter_mut().zip(self.0.drain(..n)) {
                *slot = byte;
            }
            Ok(n)
        }
    }

    #[test]
    fn a_whole_frame_waiting_for_its_rest_holds_only_what_arrived() {
        // A binary frame that says it has 64 MiB, of which 10 bytes arrived.
        let mut wire = vec![0x82, 127];
        wire.extend((64u64 << 20).to_be_bytes());
        wire.extend(b"0123456789");
        let mut reader = FrameReader::new(ThenSilence(wire.into()), u64::MAX);
        reader.set_whole_frames();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(std::pin::pin!(reader.next()).poll(&mut cx).is_pending());
        // The zeroed room ahead is bounded whatever the header says, and gone with the call.
        assert!(reader.buf.capacity() < 2 * RESERVE_AHEAD as usize, "{}", reader.buf.capacity());
        assert_eq!(&reader.buf[..], b"0123456789");
        assert!(std::pin::pin!(reader.next()).poll(&mut cx).is_pending());
        assert_eq!(&reader.buf[..], b"0123456789");
    }

    #[test]
    fn a_large_frame_comes_whole_from_reads_of_any_size() {
        let payload: Vec<u8> = (0..3 * READ_CHUNK as u32 + 7).map(|i| (i % 251) as u8).collect();
        let mut wire = vec![0x82, 127];
        wire.extend((payload.len() as u64).to_be_bytes());
        wire.extend(&payload);
        wire.extend(frame(0x81, b"after"));
        for read_size in [1000, READ_CHUNK - 1, usize::MAX] {
            let source = crate::ws::fuzzing::read_frames_for_fuzzing(&wire, read_size, u64::MAX, true);
            let crate::ws::fuzzing::FrameEvent::Piece { data, last: true, text: false } = &source[0] else {
                panic!("{:?}", &source[..1]);
            };
            assert!(data[..] == payload[..], "read size {read_size}");
            assert!(
                matches!(&source[1], crate::ws::fuzzing::FrameEvent::Piece { data, .. } if data == b"after")
            );
        }
    }

    #[tokio::test]
    async fn a_character_split_across_frames_is_handed_out_whole() {
        let text = "é€".as_bytes();
        let mut wire = frame(0x01, &text[..1]);
        wire.extend(frame(0x00, &text[1..3]));
        wire.extend(frame(0x80, &text[3..]));
        let items = read_all(wire, u64::MAX).await;
        assert_eq!(
            pieces(&items),
            [(true, "é".as_bytes().to_vec(), false), (true, "€".as_bytes().to_vec(), true)]
        );
    }

    #[tokio::test]
    async fn violations() {
        let cases: [(Vec<u8>, &str); 8] = [
            (frame(0x81, &[0xFF]), "Utf8"),
            (frame(0x01, &[0xE2, 0x82]).into_iter().chain(frame(0x80, b"")).collect(), "Utf8"),
            (frame(0xC2, b"x"), "reserved bits"),
            (frame(0x80, b"x"), "continuation frame outside"),
            (frame(0x02, b"x").into_iter().chain(frame(0x82, b"y")).collect(), "new message began"),
            (frame(0x09, b""), "fragmented control"),
            (frame(0x88, &[0x03, 0xED]), "1005"),
            (frame(0x83, b""), "invalid opcode: 3"),
        ];
        for (wire, expected) in cases {
            let items = read_all(wire, u64::MAX).await;
            let last = items.last().unwrap().as_ref().unwrap_err();
            assert!(last.contains(expected), "{last} should mention {expected}");
        }
        let items = read_all(frame(0x82, &[0; 11]), 10).await;
        assert!(items[0].as_ref().unwrap_err().contains("TooBig { size: 11, max: 10 }"));
        let masked = vec![0x82, 0x81, 1, 2, 3, 4, 5];
        assert!(read_all(masked, 10).await[0].as_ref().unwrap_err().contains("masked"));
    }

    #[tokio::test]
    async fn close_frames() {
        let mut payload = 1001u16.to_be_bytes().to_vec();
        payload.extend(b"going");
        let items = read_all(frame(0x88, &payload), u64::MAX).await;
        assert!(matches!(&items[0], Ok(Incoming::Close(Some((1001, r)))) if r == "going"));
        assert!(matches!(read_all(frame(0x88, b""), 9).await[0], Ok(Incoming::Close(None))));
    }

    #[test]
    fn masking_matches_the_bytewise_definition() {
        let mask = [0x12, 0x34, 0x56, 0x78];
        let original: Vec<u8> = (0..29).collect();
        let expected: Vec<u8> = original.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]).collect();
        let mut out = vec![0xEE];
        extend_masked(&mut out, &original, mask);
        assert_eq!(out[1..], expected);
        // Every length of tail after the 8-byte words.
        for len in 0..original.len() {
            let mut out = Vec::new();
            extend_masked(&mut out, &original[..len], mask);
            assert_eq!(out, expected[..len], "{len} bytes");
        }
    }
}
