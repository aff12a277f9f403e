//! What `handle::borrow` must do for the stream calls' stream and buffer arguments, each in a
//! case where the HRESULT or the objects show it when it does not: the generation check (a
//! stale handle whose slot now holds an object of the same kind), the kind check (named in the
//! refusal: the value check after it would give the same HRESULT for an object of another
//! kind), and the pin held for the whole call (a release on another thread waits for it).

use std::io::{Read, Write};
use std::sync::mpsc;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use netrt_core::error::hresult::{E_INVALIDARG, RO_E_CLOSED};

use crate::abi_tests::{
    connected_with_parked_ops, output_and_full_buffer, parked_ops_end, streams_buffer_and_write,
};
use crate::async_op::{NETRT_INFINITE, netrt_async_wait};
use crate::boundary::last_error;
use crate::buffer::{netrt_buffer_create, netrt_buffer_set_length};
use crate::enums::netrt_input_stream_options;
use crate::handle;
use crate::object::{Object, Value};
use crate::object_api::{netrt_duplicate, netrt_release};
use crate::stream_socket::{netrt_stream_socket_get_input_stream, netrt_stream_socket_get_output_stream};
use crate::streams::*;

const PARTIAL: u32 = netrt_input_stream_options::Partial as u32;

/// The slot a handle names (its low 32 bits, docs/handles.md).
fn slot_index(h: u64) -> u64 {
    h & 0xFFFF_FFFF
}

/// A released handle to `old`'s object and a live handle to `new`'s (of the same kind) issued
/// in the slot the released one names. Tests on other threads take free slots too, so this
/// tries until the table hands the freed slot out to `new`'s handle.
fn stale_and_reused(old: u64, new: u64) -> (u64, u64) {
    for _ in 0..10_000 {
        let (mut stale, mut reused) = (0, 0);
        assert_eq!(netrt_duplicate(old, &mut stale), 0);
        assert_eq!(netrt_release(stale), 0);
        assert_eq!(netrt_duplicate(new, &mut reused), 0);
        if slot_index(reused) == slot_index(stale) {
            return (stale, reused);
        }
        assert_eq!(netrt_release(reused), 0);
    }
    panic!("the handle table never reused a freed slot");
}

/// A stream or buffer handle whose slot was freed and issued again, to another connection's
/// stream or another buffer, is refused as released (`RO_E_CLOSED`) by all four stream calls —
/// and nothing reaches the object now in its slot: the other connection's peer receives
/// nothing, and its bytes stay for its own next read.
#[test]
fn a_stale_handle_never_reaches_the_object_reissued_in_its_slot() {
    let (sock1, host1, _peer1) = connected_with_parked_ops();
    let (sock2, host2, mut peer2) = connected_with_parked_ops();
    let (mut in1, mut in2, mut out1, mut out2, mut buf1, mut buf2) = (0, 0, 0, 0, 0, 0);
    assert_eq!(netrt_stream_socket_get_input_stream(sock1, &mut in1), 0);
    assert_eq!(netrt_stream_socket_get_input_stream(sock2, &mut in2), 0);
    assert_eq!(netrt_stream_socket_get_output_stream(sock1, &mut out1), 0);
    assert_eq!(netrt_stream_socket_get_output_stream(sock2, &mut out2), 0);
    assert_eq!(netrt_buffer_create(16, &mut buf1), 0);
    assert_eq!(netrt_buffer_create(16, &mut buf2), 0);
    assert_eq!(netrt_buffer_set_length(buf2, 4), 0);
    // Bytes a read through a stale input handle would take if it reached the second socket.
    peer2.write_all(b"ping").unwrap();

    let (stale_in, reused_in) = stale_and_reused(in1, in2);
    let (stale_out, reused_out) = stale_and_reused(out1, out2);
    let (stale_buf, reused_buf) = stale_and_reused(buf1, buf2);
    let untouched = 0xDEAD;
    let (mut op, mut n) = (untouched, 7u32);
    assert_eq!(netrt_input_stream_read_async(stale_in, buf2, 4, PARTIAL, &mut op), RO_E_CLOSED);
    assert_eq!(netrt_input_stream_read(stale_in, buf2, 4, PARTIAL, 0, &mut n), RO_E_CLOSED);
    assert_eq!(netrt_output_stream_write_async(stale_out, buf2, &mut op), RO_E_CLOSED);
    assert_eq!(netrt_output_stream_write(stale_out, buf2, 0, &mut n), RO_E_CLOSED);
    assert_eq!(netrt_input_stream_read_async(in2, stale_buf, 4, PARTIAL, &mut op), RO_E_CLOSED);
    assert_eq!(netrt_input_stream_read(in2, stale_buf, 4, PARTIAL, 0, &mut n), RO_E_CLOSED);
    assert_eq!(netrt_output_stream_write_async(out2, stale_buf, &mut op), RO_E_CLOSED);
    assert_eq!(netrt_output_stream_write(out2, stale_buf, 0, &mut n), RO_E_CLOSED);
    assert_eq!((op, n), (untouched, 7), "out-params are written only on success");

    // Nothing was written to the second connection ...
    peer2.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let peeked = peer2.read(&mut byte);
    assert!(
        matches!(&peeked, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the second connection's peer received {peeked:?}"
    );
    // ... and its bytes are still there for its own read, through the reissued handles.
    let mut read = 0;
    assert_eq!(netrt_input_stream_read(reused_in, reused_buf, 4, PARTIAL, NETRT_INFINITE, &mut read), 0);
    assert_eq!(read, 4);
    assert_eq!(netrt_output_stream_write(reused_out, reused_buf, NETRT_INFINITE, &mut read), 0);
    peer2.set_nonblocking(false).unwrap();
    let mut echoed = [0u8; 4];
    peer2.read_exact(&mut echoed).unwrap();
    assert_eq!(&echoed, b"ping");

    for h in [reused_in, reused_out, reused_buf, in1, in2, out1, out2, buf1, buf2, sock1, sock2, host1, host2]
    {
        assert_eq!(netrt_release(h), 0);
    }
    parked_ops_end();
}

/// Calls `call` and checks it refuses a handle of kind `is` where `required` is expected: by
/// the kind check, whose detail names both (the value check behind it says only "another
/// kind", and for an operation handle it would read the operation as an object).
fn refused_as(call: &str, hr: i32, is: &str, required: &str) {
    assert_eq!(hr, E_INVALIDARG, "{call}: a {is} as a {required}");
    let detail = last_error();
    let expected = format!("the handle is a {is}, but a {required} is required");
    assert!(detail.contains(&expected), "{call}: the detail is {detail:?}, not {expected:?}");
}

/// A buffer or the other direction's stream where a stream is expected, a stream where a
/// buffer is expected, and an operation as either: each refused by the handle's kind.
#[test]
fn a_handle_of_another_kind_is_refused_by_its_kind() {
    let (sock, host, _peer) = connected_with_parked_ops();
    let (input, output, buffer, op) = streams_buffer_and_write(sock);
    let (mut out, mut n) = (0, 0u32);
    let not_input = [(buffer, "Buffer"), (output, "OutputStream"), (op, "AsyncOperation")];
    for (h, is) in not_input {
        let hr = netrt_input_stream_read_async(h, buffer, 8, 0, &mut out);
        refused_as("read_async", hr, is, "InputStream");
        let hr = netrt_input_stream_read(h, buffer, 8, 0, 0, &mut n);
        refused_as("read", hr, is, "InputStream");
    }
    let not_output = [(buffer, "Buffer"), (input, "InputStream"), (op, "AsyncOperation")];
    for (h, is) in not_output {
        let hr = netrt_output_stream_write_async(h, buffer, &mut out);
        refused_as("write_async", hr, is, "OutputStream");
        let hr = netrt_output_stream_write(h, buffer, 0, &mut n);
        refused_as("write", hr, is, "OutputStream");
    }
    for (h, is) in [(input, "InputStream"), (output, "OutputStream"), (op, "AsyncOperation")] {
        let hr = netrt_input_stream_read_async(input, h, 8, 0, &mut out);
        refused_as("read_async's buffer", hr, is, "Buffer");
        let hr = netrt_input_stream_read(input, h, 8, 0, 0, &mut n);
        refused_as("read's buffer", hr, is, "Buffer");
        let hr = netrt_output_stream_write_async(output, h, &mut out);
        refused_as("write_async's buffer", hr, is, "Buffer");
        let hr = netrt_output_stream_write(output, h, 0, &mut n);
        refused_as("write's buffer", hr, is, "Buffer");
    }
    assert_eq!(netrt_async_wait(op, NETRT_INFINITE), 0);
    for h in [op, buffer, input, output, sock, host] {
        assert_eq!(netrt_release(h), 0);
    }
    parked_ops_end();
}

/// Waits (up to 10 s) until `done` says so; panics with `what` otherwise.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The object behind `h`, weakly: whether it still exists.
fn weak_object(h: u64) -> Weak<Object> {
    Arc::downgrade(&handle::lookup(h, None).unwrap())
}

/// A write stopped inside its call, after its arguments were borrowed and before its `send`
/// (blocked on its buffer's lock, which this test holds), keeps both pinned: releases of the
/// stream and the buffer handle on other threads mark them released at once but wait —
/// neither object is freed under the call — and return once the call has; then both objects
/// are gone and the write's bytes went out.
#[test]
fn a_release_waits_for_a_call_borrowing_the_handle() {
    let (sock, host, mut peer) = connected_with_parked_ops();
    let (output, buffer) = output_and_full_buffer(sock, 64);
    let (stream_object, buffer_object) = (weak_object(output), weak_object(buffer));
    let memory = match &handle::lookup(buffer, None).unwrap().value {
        Value::Buffer(memory) => memory.clone(),
        _ => unreachable!("a buffer handle"),
    };

    // The buffer's lock, held until told: the write's `send` runs under it.
    let (locked, is_locked) = mpsc::channel();
    let (unlock, until_unlocked) = mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        memory.with_bytes(|_| {
            locked.send(()).unwrap();
            let _ = until_unlocked.recv();
        })
    });
    is_locked.recv().unwrap();
    let writer = std::thread::spawn(move || {
        let mut n = 0;
        (netrt_output_stream_write(output, buffer, NETRT_INFINITE, &mut n), n)
    });
    wait_until("the write has pinned both arguments", || {
        handle::pins(output) > 0 && handle::pins(buffer) > 0
    });
    let releases = [output, buffer].map(|h| std::thread::spawn(move || netrt_release(h)));
    wait_until("both handles are released", || {
        [output, buffer].iter().all(|&h| handle::lookup(h, None).is_err_and(|e| e.hresult() == RO_E_CLOSED))
    });
    // Released, still borrowed: the releases wait, and the objects stay. (A release that did
    // not wait would return within microseconds; give it far longer.)
    for _ in 0..100 {
        assert!(releases.iter().all(|r| !r.is_finished()), "a release returned while its handle was pinned");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(stream_object.upgrade().is_some() && buffer_object.upgrade().is_some());

    drop(unlock);
    holder.join().unwrap();
    assert_eq!(writer.join().unwrap(), (0, 64));
    for release in releases {
        assert_eq!(release.join().unwrap(), 0);
    }
    assert!(stream_object.upgrade().is_none(), "the stream outlived its last handle");
    assert!(buffer_object.upgrade().is_none(), "the buffer outlived its last handle");
    let mut sent = [1u8; 64];
    peer.read_exact(&mut sent).unwrap();
    assert_eq!(sent, [0u8; 64]);
    for h in [sock, host] {
        assert_eq!(netrt_release(h), 0);
    }
    parked_ops_end();
}
