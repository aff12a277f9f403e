//! The stream functions' handle arguments are pinned for the call rather than referenced
//! (`handle::borrow`), and `netrt_async_set_completed` holds under its lookup's pin: the same
//! refusals, in the documented order, and a release racing a write on the same handle.
//! These keep behaviour the pins did not change: they pass with `borrow`'s kind check removed
//! (the value check behind it gives the same HRESULT) and with the pin dropped before the call
//! uses the object (a freed stream is not seen without a sanitizer). `borrowed_handle_tests`
//! has the cases that fail then.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use netrt_core::error::hresult::{E_HANDLE, E_INVALIDARG, E_POINTER, RO_E_CLOSED};

use crate::abi_tests::{
    connected_with_parked_ops, output_and_full_buffer, parked_ops_end, streams_buffer_and_write,
};
use crate::async_op::{NETRT_INFINITE, netrt_async_set_completed};
use crate::object_api::{netrt_duplicate, netrt_release};
use crate::streams::*;

/// Handles that fail each check of docs/handles.md, in its order, with the HRESULT each gives;
/// `wrong` is a live handle of another kind.
fn bad_handles(live: u64, wrong: u64) -> [(u64, i32); 4] {
    let mut stale = 0;
    assert_eq!(netrt_duplicate(live, &mut stale), 0);
    assert_eq!(netrt_release(stale), 0);
    [(0, E_POINTER), (live + (1 << 32), E_HANDLE), (stale, RO_E_CLOSED), (wrong, E_INVALIDARG)]
}

extern "C" fn never_called(_: *mut std::ffi::c_void, _: u64, _: crate::enums::netrt_async_status) {
    panic!("a refused handler must never run");
}

#[test]
fn stream_calls_refuse_bad_handles_in_the_documented_order() {
    let (sock, host, _peer) = connected_with_parked_ops();
    // An operation handle where an object is expected is a wrong kind too.
    let (input, output, buffer, op) = streams_buffer_and_write(sock);
    let untouched = 0xDEAD;
    for (stream, hr) in bad_handles(input, buffer).into_iter().chain([(op, E_INVALIDARG)]) {
        let (mut out, mut n) = (untouched, 7u32);
        assert_eq!(
            netrt_input_stream_read_async(stream, buffer, 8, 0, &mut out),
            hr,
            "read_async {stream:#x}"
        );
        assert_eq!(netrt_input_stream_read(stream, buffer, 8, 0, 0, &mut n), hr, "read {stream:#x}");
        assert_eq!((out, n), (untouched, 7), "out-params are written only on success");
    }
    for (stream, hr) in bad_handles(output, buffer).into_iter().chain([(op, E_INVALIDARG)]) {
        let (mut out, mut n) = (untouched, 7u32);
        assert_eq!(netrt_output_stream_write_async(stream, buffer, &mut out), hr, "write_async {stream:#x}");
        assert_eq!(netrt_output_stream_write(stream, buffer, 0, &mut n), hr, "write {stream:#x}");
        assert_eq!((out, n), (untouched, 7));
    }
    for (buf, hr) in bad_handles(buffer, input).into_iter().chain([(op, E_INVALIDARG)]) {
        let (mut out, mut n) = (untouched, 7u32);
        assert_eq!(
            netrt_input_stream_read_async(input, buf, 8, 0, &mut out),
            hr,
            "read_async buffer {buf:#x}"
        );
        assert_eq!(netrt_input_stream_read(input, buf, 8, 0, 0, &mut n), hr, "read buffer {buf:#x}");
        assert_eq!(netrt_output_stream_write_async(output, buf, &mut out), hr, "write_async buffer {buf:#x}");
        assert_eq!(netrt_output_stream_write(output, buf, 0, &mut n), hr, "write buffer {buf:#x}");
        assert_eq!((out, n), (untouched, 7));
    }
    for (h, hr) in bad_handles(op, buffer) {
        let set = netrt_async_set_completed(h, Some(never_called), std::ptr::null_mut());
        assert_eq!(set, hr, "set_completed {h:#x}");
    }
    for h in [op, buffer, input, output, sock, host] {
        assert_eq!(netrt_release(h), 0);
    }
    parked_ops_end();
}

/// One thread writes through whichever handle to the output stream is current while another
/// keeps replacing it and releasing the old one: each write either goes out or finds its handle
/// released (`RO_E_CLOSED`) — never another error, a freed stream or a release that waits
/// forever for the write's pin.
#[test]
fn a_release_racing_writes_on_the_same_handle() {
    let (sock, host, mut peer) = connected_with_parked_ops();
    let (output, buffer) = output_and_full_buffer(sock, 64);
    let done = Arc::new(AtomicBool::new(false));
    let drain = std::thread::spawn(move || std::io::copy(&mut peer, &mut std::io::sink()));
    let current = Arc::new(AtomicU64::new(0));
    let mut first = 0;
    assert_eq!(netrt_duplicate(output, &mut first), 0);
    current.store(first, Ordering::SeqCst);
    let writer = {
        let (current, done) = (current.clone(), done.clone());
        std::thread::spawn(move || {
            let (mut sent, mut closed) = (0u32, 0u32);
            while !done.load(Ordering::SeqCst) {
                let mut n = 0;
                match netrt_output_stream_write(
                    current.load(Ordering::SeqCst),
                    buffer,
                    NETRT_INFINITE,
                    &mut n,
                ) {
                    0 => sent += 1,
                    RO_E_CLOSED => closed += 1,
                    hr => panic!("a write through a handle being released gave {hr:#x}"),
                }
            }
            (sent, closed)
        })
    };
    for _ in 0..20_000 {
        let mut next = 0;
        assert_eq!(netrt_duplicate(output, &mut next), 0);
        assert_eq!(netrt_release(current.swap(next, Ordering::SeqCst)), 0);
    }
    done.store(true, Ordering::SeqCst);
    let (sent, _closed) = writer.join().unwrap();
    assert!(sent > 0, "no write went out");
    assert_eq!(netrt_release(current.load(Ordering::SeqCst)), 0);
    for h in [buffer, output, sock, host] {
        assert_eq!(netrt_release(h), 0);
    }
    drain.join().unwrap().unwrap();
    parked_ops_end();
}
