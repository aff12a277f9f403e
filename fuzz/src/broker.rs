//! The broker protocol's fuzz harness: any bytes, cut at any point, decode without a panic;
//! whatever decodes re-encodes to a frame that decodes to the same message. Replayed over
//! fuzz/corpus/broker_protocol by broker/tests/fuzz_corpus.rs.

use netrt_broker_protocol::protocol::{FrameDecoder, Inbox, Role, encode};

/// The first byte picks where the input is split (two pushes), the rest is the stream.
pub fn broker_protocol(data: &[u8]) {
    let Some((&split, stream)) = data.split_first() else { return };
    let cut = if stream.is_empty() { 0 } else { split as usize % (stream.len() + 1) };
    let mut frames = FrameDecoder::default();
    frames.push(&stream[..cut]);
    let mut decoded = Vec::new();
    let mut drain = |frames: &mut FrameDecoder| loop {
        match frames.next_message() {
            Ok(Some(m)) => decoded.push(m),
            Ok(None) => break,
            Err(e) => {
                let _ = e.to_string();
                assert!(frames.next_message().is_err(), "a failed decoder must stay failed");
                break;
            }
        }
    };
    drain(&mut frames);
    frames.push(&stream[cut..]);
    drain(&mut frames);
    for m in &decoded {
        let again = encode(m).expect("a decoded message fits a frame");
        let mut check = FrameDecoder::default();
        check.push(&again);
        assert_eq!(check.next_message().expect("re-decodes").as_ref(), Some(m));
    }
    // The daemon's session rules (greeting, fd pairing) on the same bytes: errors, never panics.
    let mut inbox = Inbox::new(Role::Daemon);
    if inbox.push(stream, []).is_ok() {
        while let Ok(Some(_)) = inbox.next_message() {}
    }
}
