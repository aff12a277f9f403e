//! A WriteAsync the kernel takes at once is issued as a handle that holds its count, with no
//! operation behind it (core's `SettledU32`, in the handle table): it must behave as the
//! operation did — status, results, one Completed handler run inline, Close, duplicates that
//! share it, release, stale handles — and it must allocate nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, Ordering};

use netrt_core::error::hresult::{
    E_ILLEGAL_DELEGATE_ASSIGNMENT, E_ILLEGAL_METHOD_CALL, E_INVALIDARG, RO_E_CLOSED,
};

use crate::abi_tests::{connected_with_parked_ops, output_and_full_buffer, parked_ops_end};
use crate::async_op::*;
use crate::enums::netrt_async_status;
use crate::object_api::{netrt_close, netrt_duplicate, netrt_release};
use crate::streams::netrt_output_stream_write_async;

/// Counts this thread's allocations while `COUNTING` is set (other threads' never count).
struct CountingAlloc;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call goes to the system allocator unchanged; counting touches only two
// const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: as the caller's contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as the caller's contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

/// This thread's allocations while `f` runs.
fn allocations_in(f: impl FnOnce()) -> u64 {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

/// A connected socket's output stream and a buffer of `len` bytes, the peer draining.
fn writable(len: u32) -> (Vec<u64>, u64, u64) {
    let (sock, host, mut peer) = connected_with_parked_ops();
    std::thread::spawn(move || std::io::copy(&mut peer, &mut std::io::sink()));
    let (output, buffer) = output_and_full_buffer(sock, len);
    (vec![sock, host, output, buffer], output, buffer)
}

fn release_all(handles: &[u64]) {
    for &h in handles {
        assert_eq!(netrt_release(h), 0);
    }
    parked_ops_end();
}

/// The handle of a 64-byte write the kernel takes at once.
fn settled_write(output: u64, buffer: u64) -> u64 {
    let mut op = 0;
    assert_eq!(netrt_output_stream_write_async(output, buffer, &mut op), 0);
    op
}

/// What a handler saw: calls, and the handle and status of the last one.
#[derive(Default)]
struct Seen {
    calls: AtomicU32,
    handle: std::sync::atomic::AtomicU64,
    status: AtomicU32,
}

extern "C" fn record(user_data: *mut c_void, op: u64, status: netrt_async_status) {
    // SAFETY: every test passes a `Seen` that outlives the operation's handler.
    let seen = unsafe { &*user_data.cast::<Seen>() };
    seen.handle.store(op, Ordering::SeqCst);
    seen.status.store(status as u32, Ordering::SeqCst);
    // The handle is valid during the call: its results can be read there.
    let mut n = 0;
    assert_eq!(netrt_async_get_results_uint32(op, &mut n), 0);
    seen.calls.fetch_add(1, Ordering::SeqCst);
}

fn set(op: u64, seen: &Seen) -> i32 {
    netrt_async_set_completed(op, Some(record), std::ptr::from_ref(seen).cast_mut().cast())
}

fn status_of(op: u64) -> netrt_async_status {
    let mut status = netrt_async_status::Started;
    assert_eq!(netrt_async_get_status(op, &mut status), 0);
    status
}

#[test]
fn a_write_taken_at_once_allocates_nothing_on_the_calling_thread() {
    let (handles, output, buffer) = writable(64);
    let seen = Seen::default();
    let round = || {
        let op = settled_write(output, buffer);
        assert_eq!(set(op, &seen), 0);
        let mut n = 0;
        assert_eq!(netrt_async_get_results_uint32(op, &mut n), 0);
        assert_eq!(n, 64);
        let mut kind = crate::enums::netrt_kind::Buffer;
        assert_eq!(crate::object_api::netrt_get_kind(op, &mut kind), 0);
        assert_eq!(kind, crate::enums::netrt_kind::AsyncOperation);
        assert_eq!(netrt_release(op), 0);
    };
    round(); // first-use set-up (thread-locals, the table's chunk) is not the write's
    assert_eq!(allocations_in(|| (0..100).for_each(|_| round())), 0);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 101);
    release_all(&handles);
}

#[test]
fn a_settled_writes_handle_answers_as_a_completed_operation() {
    let (handles, output, buffer) = writable(64);
    let op = settled_write(output, buffer);
    assert_eq!(status_of(op), netrt_async_status::Completed);
    let mut code = -1;
    assert_eq!(netrt_async_get_error_code(op, &mut code), 0);
    assert_eq!(code, 0);
    let (mut n, mut flag, mut obj) = (0u32, true, 0u64);
    assert_eq!(netrt_async_get_results(op), 0);
    assert_eq!(netrt_async_get_results_uint32(op, &mut n), 0);
    assert_eq!(n, 64);
    assert_eq!(netrt_async_get_results_bool(op, &mut flag), E_INVALIDARG);
    assert_eq!(netrt_async_get_results_handle(op, &mut obj), E_INVALIDARG);
    assert_eq!((flag, obj), (true, 0));
    assert_eq!(netrt_async_wait(op, 0), 0);
    assert_eq!(netrt_async_cancel(op), 0);
    assert_eq!(status_of(op), netrt_async_status::Completed);
    // The handler runs inline, once, with the caller's handle and Completed.
    let seen = Seen::default();
    assert_eq!(set(op, &seen), 0);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    assert_eq!(seen.handle.load(Ordering::SeqCst), op);
    assert_eq!(seen.status.load(Ordering::SeqCst), netrt_async_status::Completed as u32);
    assert_eq!(set(op, &seen), E_ILLEGAL_DELEGATE_ASSIGNMENT);
    // A duplicate is the same operation: its handler is set already; its detail is empty.
    let mut dup = 0;
    assert_eq!(netrt_duplicate(op, &mut dup), 0);
    assert_eq!(set(dup, &seen), E_ILLEGAL_DELEGATE_ASSIGNMENT);
    let (mut text, mut needed) = ([1 as std::ffi::c_char; 8], 0);
    assert_eq!(netrt_async_get_error_detail(dup, text.as_mut_ptr(), text.len(), &mut needed), 0);
    assert_eq!((needed, text[0]), (1, 0));
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    // Close through one handle closes it for both.
    assert_eq!(netrt_close(dup), 0);
    assert_eq!(netrt_async_get_results_uint32(op, &mut n), E_ILLEGAL_METHOD_CALL);
    assert_eq!(netrt_async_get_results(dup), E_ILLEGAL_METHOD_CALL);
    assert_eq!(netrt_release(dup), 0);
    assert_eq!(netrt_release(op), 0);
    assert_eq!(netrt_release(op), RO_E_CLOSED);
    assert_eq!(netrt_async_get_results(op), RO_E_CLOSED);
    release_all(&handles);
}

#[test]
fn a_duplicate_made_before_the_handler_shares_it() {
    let (handles, output, buffer) = writable(64);
    let op = settled_write(output, buffer);
    let mut dup = 0;
    assert_eq!(netrt_duplicate(op, &mut dup), 0);
    let seen = Seen::default();
    assert_eq!(set(dup, &seen), 0);
    assert_eq!(set(op, &seen), E_ILLEGAL_DELEGATE_ASSIGNMENT);
    assert_eq!((seen.calls.load(Ordering::SeqCst), seen.handle.load(Ordering::SeqCst)), (1, dup));
    for h in [op, dup] {
        assert_eq!(netrt_release(h), 0);
    }
    release_all(&handles);
}

/// A released settled handle stays stale when its slot is issued again, and the new handle
/// gets its own state (a handler of its own).
#[test]
fn a_released_settled_handle_is_stale_after_its_slot_is_reused() {
    let (handles, output, buffer) = writable(64);
    let seen = Seen::default();
    let old = settled_write(output, buffer);
    assert_eq!(set(old, &seen), 0);
    assert_eq!(netrt_release(old), 0);
    // The free slots are a stack: the next handles reuse the old one (unless another test's
    // thread took it meanwhile: then a later one does).
    let slot = old & 0xFFFF_FFFF;
    let mut again = Vec::new();
    while again.last().is_none_or(|h: &u64| h & 0xFFFF_FFFF != slot) && again.len() < 64 {
        again.push(settled_write(output, buffer));
    }
    let new = *again.last().unwrap();
    assert_eq!(new & 0xFFFF_FFFF, slot, "the slot was never reused");
    assert_ne!(new, old);
    for call in [netrt_async_get_results(old), set(old, &seen), netrt_release(old)] {
        assert_eq!(call, RO_E_CLOSED);
    }
    assert_eq!(set(new, &seen), 0);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 2);
    for h in again {
        assert_eq!(netrt_release(h), 0);
    }
    release_all(&handles);
}

/// Setting the handler on one thread while another makes the operation (its error detail
/// needs it): exactly one handler call, and a second set refused, whichever comes first.
#[test]
fn a_handler_racing_the_operation_being_made_runs_once() {
    let (handles, output, buffer) = writable(64);
    for _ in 0..500 {
        let op = settled_write(output, buffer);
        let seen = Seen::default();
        let detail = std::thread::spawn(move || {
            let (mut text, mut needed) = ([0 as std::ffi::c_char; 8], 0);
            assert_eq!(netrt_async_get_error_detail(op, text.as_mut_ptr(), text.len(), &mut needed), 0);
        });
        assert_eq!(set(op, &seen), 0);
        detail.join().unwrap();
        assert_eq!(set(op, &seen), E_ILLEGAL_DELEGATE_ASSIGNMENT);
        assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
        assert_eq!(netrt_release(op), 0);
    }
    release_all(&handles);
}
