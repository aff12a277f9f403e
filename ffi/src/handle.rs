//! The process-global generational handle table (docs/handles.md).
//!
//! A handle is one reference: every `issue` takes a slot of its own, holding one `Arc` of the
//! object, so duplicating a handle issues another slot and releasing frees only that one. The
//! 64 bits are `kind << 56 | generation << 32 | slot index`. A slot's generation grows each time
//! the slot is reused, so a released handle is recognised (`RO_E_CLOSED`) rather than
//! aliasing whatever now lives in its slot, and values never issued (`E_HANDLE`) are told apart
//! from both. A slot whose 24-bit generation is exhausted is retired, never reused.
//!
//! A slot holds an `Arc<Object>`, except for operations: their handles hold core's
//! `AsyncOperation` itself (its pointer, from `into_raw`), so starting an operation that
//! completes at once allocates once, not twice. The slot's kind says which one it holds. An
//! operation over before it is issued with a uint32 result (a write the kernel took at once) is
//! not even that: its slot holds the result as a value (core's `SettledU32`), and becomes a core
//! operation only if a call needs one.
//!
//! Lookups are the hot path (several per stream operation, from every thread at once), so they
//! take no table-wide lock: slots live in fixed chunks that are never moved or freed, and a
//! lookup *pins* its slot with one atomic add on the slot's own state word, checks generation
//! and liveness from the value that add returned, and reads the object while pinned. `release`
//! marks the slot dead first, then waits for the pins to drain before it takes the object
//! out, so a pinned reader never sees it freed. Pins are short: a lookup's few instructions,
//! or a call's non-blocking work on an argument it borrows (`borrow`: at most one
//! non-blocking syscall, never a wait). Free slots form a lock-free
//! stack (a tagged head, so a slot popped and pushed back meanwhile fails the CAS); only
//! growing the table by a chunk takes a mutex.

use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use netrt_core::Error;
use netrt_core::error::hresult::{E_HANDLE, E_INVALIDARG, E_OUTOFMEMORY, E_POINTER, RO_E_CLOSED};
use netrt_core::foundation::async_op::{SettledClaim, SettledU32};

use crate::async_op::{AsyncOp, OpResult};
use crate::boundary::netrt_handle;
use crate::enums::netrt_kind;
use crate::object::Object;

const INDEX_BITS: u32 = 32;
const GEN_BITS: u32 = 24;
const GEN_MAX: u32 = (1 << GEN_BITS) - 1;
/// Upper bound on live + retired slots: a handle leak in a loop ends in `E_OUTOFMEMORY`, not an
/// abort (16 M slots ≈ 1 GiB of table, allocated in 64 KiB chunks as slots are first used).
const MAX_SLOTS: usize = 1 << 24;
const CHUNK_SLOTS: usize = 1 << 10;
const CHUNKS: usize = MAX_SLOTS / CHUNK_SLOTS;

// A slot's state word: generation (bits 40..64), the kind of the object issued in that
// generation (bits 32..40), live flag (bit 31), held and lent flags (bits 30 and 29, see
// `HeldHandle`), pin count (bits 0..29). Everything a lookup checks is in this one word, so
// the check and the pin are the same atomic add.
const STATE_GEN_SHIFT: u32 = 40;
const STATE_KIND_SHIFT: u32 = 32;
/// The handle's own reference: `release` clears it.
const STATE_LIVE: u64 = 1 << 31;
/// A Completed handler will be called with this handle: the slot keeps its object until the
/// handler has run (or is dropped unrun), even if the handle is released meanwhile.
const STATE_HELD: u64 = 1 << 30;
/// That handler runs now: the handle is valid for lookups during the call, released or not.
const STATE_LENT: u64 = 1 << 29;
const STATE_PINS: u64 = STATE_LENT - 1;

/// One cache line each: lookups on different threads pin different slots without sharing
/// a line (false sharing would turn every pin into a cross-CPU cache miss).
#[repr(align(64))]
struct Slot {
    /// Generation and kind of the handle most recently issued from this slot (generation 0:
    /// never issued), whether that handle is still live, and how many lookups are reading
    /// `object` right now.
    state: AtomicU64,
    /// While live: `Arc::into_raw` of the object, or, when the kind is `AsyncOperation`,
    /// `AsyncOp::into_raw` or a settled operation's value (`SettledU32`); null otherwise.
    object: AtomicPtr<()>,
    /// While free: the next free slot's index + 1 (0: none).
    next_free: AtomicU32,
}

impl Slot {
    fn empty() -> Self {
        Self {
            state: AtomicU64::new(0),
            object: AtomicPtr::new(std::ptr::null_mut()),
            next_free: AtomicU32::new(0),
        }
    }
}

/// Chunk pointers, published once each (Release) and never freed: a slot's address is stable.
static CHUNK_TABLE: [AtomicPtr<Slot>; CHUNKS] = [const { AtomicPtr::new(std::ptr::null_mut()) }; CHUNKS];

/// The free slots: a stack whose head is `tag << 32 | (index + 1)` (0 in the low half: empty).
/// The tag grows with every push and pop, so a CAS prepared against a head that was popped and
/// pushed back meanwhile fails instead of installing a stale `next_free`.
static FREE: AtomicU64 = AtomicU64::new(0);

/// Slots ever created (issued at least once or being issued).
static LEN: AtomicUsize = AtomicUsize::new(0);

/// Held while a chunk is allocated and published; issuing from free slots never takes it.
pub(crate) struct Table;

static GROW: Mutex<Table> = Mutex::new(Table);

/// Takes the table's only lock for the duration of a fork() (see `crate::fork`).
pub(crate) fn lock_for_fork() -> MutexGuard<'static, Table> {
    GROW.lock().unwrap_or_else(|e| e.into_inner())
}

/// In a forked child (one thread, the table's lock held by it): pins that other parent threads
/// held mid-lookup at fork time will never be dropped there; clear them so releases do not wait.
pub(crate) fn clear_pins_after_fork(_held: &Table) {
    for index in 0..LEN.load(Ordering::Relaxed).min(MAX_SLOTS) {
        if let Some(slot) = slot(index) {
            let state = slot.state.load(Ordering::Relaxed);
            slot.state.store(state & !STATE_PINS, Ordering::Relaxed);
        }
    }
}

fn push_free(index: usize, slot: &Slot) {
    let mut head = FREE.load(Ordering::Relaxed);
    loop {
        slot.next_free.store(head as u32, Ordering::Relaxed);
        let new = ((head >> 32).wrapping_add(1) << 32) | (index as u64 + 1);
        match FREE.compare_exchange_weak(head, new, Ordering::Release, Ordering::Relaxed) {
            Ok(_) => return,
            Err(now) => head = now,
        }
    }
}

fn pop_free() -> Option<(usize, &'static Slot)> {
    let mut head = FREE.load(Ordering::Acquire);
    loop {
        let top = (head as u32) as usize;
        if top == 0 {
            return None;
        }
        let slot = slot(top - 1).expect("a free slot exists");
        // Possibly stale if another thread took `top` meanwhile; then the tag moved and the
        // CAS fails.
        let next = slot.next_free.load(Ordering::Relaxed);
        let new = ((head >> 32).wrapping_add(1) << 32) | u64::from(next);
        match FREE.compare_exchange_weak(head, new, Ordering::Acquire, Ordering::Acquire) {
            Ok(_) => return Some((top - 1, slot)),
            Err(now) => head = now,
        }
    }
}

/// A slot never used before, its chunk published first if it is the chunk's first.
fn new_slot() -> Result<(usize, &'static Slot), Error> {
    let index = LEN.fetch_add(1, Ordering::Relaxed);
    if index >= MAX_SLOTS {
        LEN.fetch_sub(1, Ordering::Relaxed);
        return Err(Error::new(E_OUTOFMEMORY, "too many live netrt handles (16 M)"));
    }
    if let Some(slot) = slot(index) {
        return Ok((index, slot));
    }
    let _grow = GROW.lock().unwrap_or_else(|e| e.into_inner());
    let entry = &CHUNK_TABLE[index / CHUNK_SLOTS];
    if entry.load(Ordering::Acquire).is_null() {
        let chunk: Box<[Slot]> = (0..CHUNK_SLOTS).map(|_| Slot::empty()).collect();
        entry.store(Box::leak(chunk).as_mut_ptr(), Ordering::Release);
    }
    Ok((index, slot(index).expect("its chunk was just published")))
}

#[inline]
fn slot(index: usize) -> Option<&'static Slot> {
    let chunk = CHUNK_TABLE.get(index / CHUNK_SLOTS)?.load(Ordering::Acquire);
    // SAFETY: a published chunk is a leaked, never-freed array of CHUNK_SLOTS slots.
    (!chunk.is_null()).then(|| unsafe { &*chunk.add(index % CHUNK_SLOTS) })
}

fn encode(kind: netrt_kind, generation: u32, index: u32) -> netrt_handle {
    ((kind as u64) << (INDEX_BITS + GEN_BITS)) | ((generation as u64) << INDEX_BITS) | index as u64
}

struct Decoded {
    kind: u8,
    generation: u32,
    index: usize,
}

#[inline]
fn decode(h: netrt_handle) -> Decoded {
    Decoded {
        kind: (h >> (INDEX_BITS + GEN_BITS)) as u8,
        generation: ((h >> INDEX_BITS) as u32) & GEN_MAX,
        index: (h & 0xFFFF_FFFF) as usize,
    }
}

fn generation_of(state: u64) -> u32 {
    (state >> STATE_GEN_SHIFT) as u32
}

fn kind_of(state: u64) -> u8 {
    (state >> STATE_KIND_SHIFT) as u8
}

/// What a slot holds, borrowed while pinned.
enum Held<'a> {
    Object(&'a Object),
    /// Borrowed: no reference taken (clone it to keep one).
    Op(std::mem::ManuallyDrop<AsyncOp>),
}

const OP_KIND: u8 = netrt_kind::AsyncOperation as u8;

/// Issues a new handle (one new reference) to `obj`.
pub(crate) fn issue(obj: Arc<Object>) -> Result<netrt_handle, Error> {
    let kind = obj.kind();
    debug_assert!(kind != netrt_kind::AsyncOperation, "operations are issued by issue_op");
    issue_raw(kind, Arc::into_raw(obj).cast(), |ptr| {
        // SAFETY: `ptr` is the `Arc::into_raw` just made, not stored anywhere.
        drop(unsafe { Arc::from_raw(ptr.cast::<Object>()) })
    })
}

/// Issues a handle to an operation that completed with `count` before anyone saw it: the slot
/// holds the count (no operation is made unless a call needs one, see core's `SettledU32`).
pub(crate) fn issue_settled_u32(count: u32) -> Result<netrt_handle, Error> {
    match SettledU32::new(count) {
        Some(value) => issue_raw(netrt_kind::AsyncOperation, value.word(), |_| {}),
        None => issue_op(AsyncOp::completed(Ok(OpResult::U32(count)))?),
    }
}

/// Issues a new handle (one new reference) to an operation; the handle holds it directly.
pub(crate) fn issue_op(op: AsyncOp) -> Result<netrt_handle, Error> {
    issue_raw(netrt_kind::AsyncOperation, op.into_raw(), |ptr| {
        // SAFETY: `ptr` is the `into_raw` just made, not stored anywhere.
        drop(unsafe { AsyncOp::from_raw(ptr) })
    })
}

/// Stores `ptr` (a reference of kind `kind`) in a free slot; `undo` gives the reference back
/// when there is no slot.
fn issue_raw(kind: netrt_kind, ptr: *const (), undo: impl FnOnce(*const ())) -> Result<netrt_handle, Error> {
    crate::fork::register_handlers();
    let (index, slot) = match pop_free().map(Ok).unwrap_or_else(new_slot) {
        Ok(found) => found,
        Err(e) => {
            undo(ptr);
            return Err(e);
        }
    };
    slot.object.store(ptr.cast_mut(), Ordering::Relaxed);
    // Next generation, this kind, live; pins of stale lookups running now are kept (they see
    // the new generation and leave). Release: a lookup that sees it live also sees the object.
    let mut state = slot.state.load(Ordering::Relaxed);
    let generation = generation_of(state) + 1;
    let issued =
        (u64::from(generation) << STATE_GEN_SHIFT) | ((kind as u64) << STATE_KIND_SHIFT) | STATE_LIVE;
    while let Err(now) = slot.state.compare_exchange_weak(
        state,
        issued | (state & STATE_PINS),
        Ordering::Release,
        Ordering::Relaxed,
    ) {
        state = now;
    }
    Ok(encode(kind, generation, index as u32))
}

/// Issues a handle for a fresh object.
pub(crate) fn issue_new(value: crate::object::Value) -> Result<netrt_handle, Error> {
    issue(Object::new(value))
}

/// A lookup's pin on a slot: while it exists, `release` leaves the slot's object in place.
struct Pin(&'static Slot);

impl Drop for Pin {
    fn drop(&mut self) {
        self.0.state.fetch_sub(1, Ordering::Release);
    }
}

/// Whether a handle (`d`) names its slot's live object (`state`) — live, or lent to the
/// Completed handler running with it: what [`check`] accepts, as one test for the hot paths
/// (which call `check` only to say why not).
#[inline(always)]
fn names(d: &Decoded, state: u64) -> bool {
    d.generation != 0
        && d.generation == generation_of(state)
        && state & (STATE_LIVE | STATE_LENT) != 0
        && kind_of(state) == d.kind
}

/// Whether `d` names its slot's object and still holds its own reference (what `release` and
/// `hold` need: a handle only lent to a handler is not the handler's to release).
#[inline(always)]
fn owns(d: &Decoded, state: u64) -> bool {
    names(d, state) && state & STATE_LIVE != 0
}

/// Checks `h` against its slot's state word in the documented order (docs/handles.md; the kind
/// check against the caller's expectation comes later).
#[inline]
fn check(h: netrt_handle, d: &Decoded, state: u64) -> Result<(), Error> {
    let generation = generation_of(state);
    if d.generation == 0 || d.generation > generation {
        return Err(never_issued(h));
    }
    if d.generation < generation || state & (STATE_LIVE | STATE_LENT) == 0 {
        return Err(Error::new(RO_E_CLOSED, format!("handle 0x{h:016X} was released (a stale reference)")));
    }
    if kind_of(state) != d.kind {
        return Err(never_issued(h));
    }
    Ok(())
}

/// Why [`names`] refused `h` for `state`.
#[cold]
#[inline(never)]
fn refused(h: netrt_handle, d: &Decoded, state: u64) -> Error {
    check(h, d, state).err().unwrap_or_else(|| never_issued(h))
}

fn never_issued(h: netrt_handle) -> Error {
    Error::new(E_HANDLE, format!("0x{h:016X} is not a handle netrt issued"))
}

#[inline]
fn slot_of(h: netrt_handle) -> Result<(Decoded, &'static Slot), Error> {
    if h == 0 {
        return Err(Error::new(E_POINTER, "the handle is 0 (NULL)"));
    }
    let d = decode(h);
    let slot = slot(d.index).ok_or_else(|| never_issued(h))?;
    Ok((d, slot))
}

/// A pinned slot: its pointer and the kind of what it holds.
struct Pinned {
    pin: Pin,
    ptr: *const (),
    kind: u8,
}

impl Pinned {
    /// Fails unless the slot holds an object (not an operation) of kind `expected` (any object
    /// kind when None).
    #[inline]
    fn object(&self, expected: Option<netrt_kind>) -> Result<&Object, Error> {
        if self.kind == OP_KIND {
            return Err(kind_error(netrt_kind::AsyncOperation, expected));
        }
        // SAFETY: a pinned live slot whose kind is not an operation holds an `Arc<Object>`
        // that `release` leaves in place until the pin is gone.
        let obj = unsafe { &*self.ptr.cast::<Object>() };
        // The slot's kind is the object's (`issue` stores `obj.kind()`): one byte compare
        // instead of matching the object's value.
        match expected {
            Some(kind) if self.kind != kind as u8 => Err(kind_error(obj.kind(), expected)),
            _ => Ok(obj),
        }
    }

    /// Fails unless the slot holds an operation.
    #[inline(always)]
    fn op(&self) -> Result<std::mem::ManuallyDrop<AsyncOp>, Error> {
        if self.kind != OP_KIND {
            return Err(self.refused(netrt_kind::AsyncOperation));
        }
        let ptr = match SettledU32::in_word(self.ptr) {
            // A settled value: the caller needs the operation itself.
            Some(value) => SettledU32::materialize(&self.pin.0.object, value, OpResult::U32),
            None => self.ptr,
        };
        // SAFETY: a pinned live operation slot holds `AsyncOp::into_raw`, kept until unpinned.
        Ok(unsafe { AsyncOp::borrow_raw(ptr) })
    }

    /// An operation slot's settled value, or the operation (as [`op`](Self::op)).
    #[inline(always)]
    fn op_view(&self) -> Result<OpView, Error> {
        if self.kind == OP_KIND
            && let Some(value) = SettledU32::in_word(self.ptr)
        {
            return Ok(OpView::Settled(value));
        }
        self.op().map(OpView::Op)
    }

    /// Why the pinned slot is not of kind `expected`.
    #[cold]
    #[inline(never)]
    fn refused(&self, expected: netrt_kind) -> Error {
        if expected == netrt_kind::AsyncOperation {
            return match self.object(None) {
                Ok(obj) => kind_error(obj.kind(), Some(expected)),
                Err(e) => e,
            };
        }
        self.object(Some(expected)).err().unwrap_or_else(wrong_kind)
    }

    fn held(&self) -> Held<'_> {
        match self.op() {
            Ok(op) => Held::Op(op),
            Err(_) => Held::Object(self.object(None).expect("not an operation, so an object")),
        }
    }
}

fn kind_error(is: netrt_kind, required: Option<netrt_kind>) -> Error {
    let required = required.map_or_else(|| "an object".to_owned(), |k| format!("a {k:?}"));
    Error::new(E_INVALIDARG, format!("the handle is a {is:?}, but {required} is required"))
}

/// Pins the slot `h` names, once `h` checks out.
#[inline(always)]
fn pin(h: netrt_handle) -> Result<Pinned, Error> {
    pin_checked(h).map_err(|seen| pin_error(h, seen))
}

/// [`pin`] without building the error: every lookup goes through here, so the success path
/// stays a handful of instructions and carries no `Error` value. `Err`: the slot's state word
/// as the pin saw it (None: 0, or no such slot).
#[inline(always)]
fn pin_checked(h: netrt_handle) -> Result<Pinned, Option<u64>> {
    if h == 0 {
        return Err(None);
    }
    let d = decode(h);
    let slot = slot(d.index).ok_or(None)?;
    let pin = Pin(slot);
    let state = slot.state.fetch_add(1, Ordering::Acquire);
    if !names(&d, state) {
        return Err(Some(state));
    }
    // The slot is live in this handle's generation and pinned: `release` takes the pointer
    // out only after the slot is dead and every pin is gone.
    // Acquire: an operation another thread put in place of a settled value (`SettledU32`) is
    // seen whole (a plain load on x86).
    Ok(Pinned { pin, ptr: slot.object.load(Ordering::Acquire), kind: kind_of(state) })
}

/// Why `h` did not pin (see [`check`]), from the state word the attempt saw.
#[cold]
#[inline(never)]
fn pin_error(h: netrt_handle, seen: Option<u64>) -> Error {
    match seen {
        Some(state) => refused(h, &decode(h), state),
        None => match slot_of(h) {
            Err(e) => e,
            Ok(_) => never_issued(h),
        },
    }
}

/// Runs `f` on the object behind `h` without taking a reference; `expected` adds the kind check.
/// `f` must be short and must not release `h` (the release would wait for `f` to return).
pub(crate) fn with<R>(
    h: netrt_handle,
    expected: Option<netrt_kind>,
    f: impl FnOnce(&Object) -> R,
) -> Result<R, Error> {
    let pinned = pin(h)?;
    Ok(f(pinned.object(expected)?))
}

/// The kind of what `h` holds. An operation's is read from the slot: a settled value is not
/// made into an operation for it.
pub(crate) fn kind(h: netrt_handle) -> Result<netrt_kind, Error> {
    let pinned = pin(h)?;
    if pinned.kind == OP_KIND {
        return Ok(netrt_kind::AsyncOperation);
    }
    Ok(pinned.object(None)?.kind())
}

/// An operation as a handle holds it.
pub(crate) enum OpView {
    /// Completed, with a count (core's `SettledU32`): answered from the value.
    Settled(SettledU32),
    /// Borrowed: no reference taken (clone it to keep one).
    Op(std::mem::ManuallyDrop<AsyncOp>),
}

/// Runs `f` on the operation behind `h`, or its settled value, without taking a reference: for
/// the calls that can answer from the value without making the operation.
#[inline(always)]
pub(crate) fn with_op_view<R>(h: netrt_handle, f: impl FnOnce(OpView) -> R) -> Result<R, Error> {
    let pinned = pin(h)?;
    Ok(f(pinned.op_view()?))
}

/// Runs `f` on the operation behind `h` without taking a reference (as [`with`]).
#[inline(always)]
pub(crate) fn with_op<R>(h: netrt_handle, f: impl FnOnce(&AsyncOp) -> R) -> Result<R, Error> {
    let pinned = pin(h)?;
    let op = pinned.op()?;
    Ok(f(&op))
}

/// The object behind `h` (a new reference), checked in the documented order
/// (docs/handles.md); `expected` adds the kind check.
pub(crate) fn lookup(h: netrt_handle, expected: Option<netrt_kind>) -> Result<Arc<Object>, Error> {
    let pinned = pin(h)?;
    Ok(new_reference(pinned.object(expected)?))
}

/// An object borrowed from its handle's slot (see [`borrow`]): no reference taken or given
/// back, only the slot's pin.
pub(crate) struct Borrowed(Pinned);

impl Borrowed {
    pub(crate) fn object(&self) -> &Object {
        // SAFETY: `borrow` checked that the pinned slot holds an object, not an operation;
        // `release` leaves it in place until the pin is gone.
        unsafe { &*self.0.ptr.cast::<Object>() }
    }

    /// A reference of its own, for what outlives the call (a write that goes on).
    pub(crate) fn to_arc(&self) -> Arc<Object> {
        new_reference(self.object())
    }
}

/// The object behind `h`, of kind `expected`, checked as [`lookup`] checks it but pinned
/// instead of referenced: for a call that only uses it while it runs (a write the kernel
/// takes at once), this saves the reference's two atomic updates and the function call. A
/// `release` of `h` on another thread waits for the pin, so hold it only over work that never
/// waits (a non-blocking syscall is fine, a poll(2) or a lock another call may hold long is
/// not), and never release `h` meanwhile.
#[inline(always)]
pub(crate) fn borrow(h: netrt_handle, expected: netrt_kind) -> Result<Borrowed, Error> {
    debug_assert!(expected != netrt_kind::AsyncOperation, "operations are not objects");
    match pin_checked(h) {
        // An object kind: the slot holds an object of that kind.
        Ok(pinned) if pinned.kind == expected as u8 => Ok(Borrowed(pinned)),
        Ok(pinned) => Err(pinned.refused(expected)),
        Err(seen) => Err(pin_error(h, seen)),
    }
}

/// How many lookups and calls pin `h`'s slot right now (0: no such slot): lets a test see that
/// a call still holds an argument it borrowed.
#[cfg(test)]
pub(crate) fn pins(h: netrt_handle) -> u64 {
    slot_of(h).map_or(0, |(_, slot)| slot.state.load(Ordering::Acquire) & STATE_PINS)
}

/// Another handle (a new reference) to what `h` refers to.
pub(crate) fn duplicate(h: netrt_handle) -> Result<netrt_handle, Error> {
    match take(h)? {
        Taken::Op(op) => issue_op(op),
        Taken::Object(obj) => issue(obj),
    }
}

/// A new reference to what a handle holds.
pub(crate) enum Taken {
    Object(Arc<Object>),
    Op(AsyncOp),
}

/// A new reference to whatever `h` holds (an object or an operation).
pub(crate) fn take(h: netrt_handle) -> Result<Taken, Error> {
    let pinned = pin(h)?;
    Ok(match pinned.held() {
        Held::Op(op) => Taken::Op(AsyncOp::clone(&op)),
        Held::Object(obj) => Taken::Object(new_reference(obj)),
    })
}

/// Another reference to a pinned slot's object.
#[inline]
fn new_reference(obj: &Object) -> Arc<Object> {
    // SAFETY: a slot's object came from `Arc::into_raw`, and the slot's reference keeps it
    // alive while the caller holds the pin.
    unsafe {
        let ptr: *const Object = obj;
        Arc::increment_strong_count(ptr);
        Arc::from_raw(ptr)
    }
}

/// Like [`lookup`] for an optional argument: 0 means "null" (where WinRT accepts null).
pub(crate) fn lookup_opt(h: netrt_handle, expected: netrt_kind) -> Result<Option<Arc<Object>>, Error> {
    if h == 0 { Ok(None) } else { lookup(h, Some(expected)).map(Some) }
}

/// Drops the reference `h` stands for; the object goes (closing first) with its last one.
pub(crate) fn release(h: netrt_handle) -> Result<(), Error> {
    let (d, slot) = slot_of(h)?;
    // Mark it dead in this generation; of two racing releases of one handle only one wins.
    let mut state = slot.state.load(Ordering::Relaxed);
    loop {
        if !owns(&d, state) {
            return Err(release_refused(h, &d, state));
        }
        match slot.state.compare_exchange_weak(
            state,
            state & !STATE_LIVE,
            Ordering::Acquire,
            Ordering::Relaxed,
        ) {
            Ok(_) => break,
            Err(now) => state = now,
        }
    }
    // A Completed handler still to be called with this handle keeps the slot; it frees it.
    if state & STATE_HELD == 0 {
        free(d.index, slot, state);
    }
    Ok(())
}

/// Why `release` refused `h`.
#[cold]
#[inline(never)]
fn release_refused(h: netrt_handle, d: &Decoded, state: u64) -> Error {
    if names(d, state) {
        return Error::new(
            RO_E_CLOSED,
            format!("handle 0x{h:016X} was released; a Completed handler only borrows it for its call"),
        );
    }
    refused(h, d, state)
}

/// Frees a slot that is dead (neither live nor held) in `state`'s generation: waits out the
/// lookups that pinned it, returns it to the free stack and drops its object.
fn free(index: usize, slot: &'static Slot, state: u64) {
    // No new lookup can reach the object now; wait out those that already pinned it (a few
    // instructions each, unless their thread was preempted meanwhile).
    let mut spins = 0u32;
    while slot.state.load(Ordering::Acquire) & STATE_PINS != 0 {
        spins += 1;
        if spins < 64 {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
    // Ours alone now: no lookup reads it, and no issue reuses the slot before it is freed below.
    let obj = slot.object.load(Ordering::Relaxed);
    slot.object.store(std::ptr::null_mut(), Ordering::Relaxed);
    // A slot whose generation is exhausted is retired: never freed, so its old handles keep
    // reading as closed.
    if generation_of(state) < GEN_MAX {
        push_free(index, slot);
    }
    // Dropped last, with the slot already free: closing may take other locks or run a while.
    if kind_of(state) == OP_KIND {
        // A settled value owns nothing.
        if SettledU32::in_word(obj).is_none() {
            // SAFETY: an operation slot's pointer came from `AsyncOp::into_raw` (in `issue_op`
            // or `SettledU32::materialize`); this is the slot's reference.
            drop(unsafe { AsyncOp::from_raw(obj) });
        }
    } else {
        // SAFETY: any other slot's pointer came from `Arc::into_raw` in `issue`.
        drop(unsafe { Arc::from_raw(obj.cast::<Object>()) });
    }
}

/// A Completed handler's claim on the operation handle it was set through: the handler is
/// called with that same handle, so no handle is issued and released around each call. The
/// caller may release the handle right after setting the handler (the usual pattern): lookups
/// then fail as for any released handle, but the slot keeps its operation, and during the
/// handler's call the handle is valid again — lent to the handler, which must not release it
/// (docs/handles.md: handles passed into a callback are borrowed). Whichever of the release
/// and the end of the call comes last frees the slot.
pub(crate) struct HeldHandle {
    handle: netrt_handle,
    /// Its slot, found once: the Completed handler's closure keeps it in place (four words
    /// with the C function and user data), and the call and the let-go need it.
    slot: &'static Slot,
}

/// What `netrt_async_set_completed` found behind a handle.
pub(crate) enum ForHandler {
    /// A settled value (`SettledU32`), its handler now claimed: run it inline, with status
    /// Completed (a second claim is `E_ILLEGAL_DELEGATE_ASSIGNMENT`).
    Settled,
    /// An operation (a new reference) and, when possible, a hold of the handle.
    Op(AsyncOp, Option<HeldHandle>),
}

/// For `netrt_async_set_completed`: a new reference to the operation behind `h` and, when
/// `hold_if` says so (it runs on the operation), a hold of `h` for its Completed handler —
/// both under one pin, so the handle is decoded, found and checked once. The hold is None when
/// `h` cannot be held (only lent to the handler running now, or held already: then the
/// handler gets a handle of its own). A settled value is claimed for the handler instead.
#[inline(always)]
pub(crate) fn op_and_hold(
    h: netrt_handle,
    hold_if: impl FnOnce(&AsyncOp) -> bool,
) -> Result<ForHandler, Error> {
    let pinned = pin(h)?;
    let ptr = if pinned.kind == OP_KIND
        && let Some(value) = SettledU32::in_word(pinned.ptr)
    {
        match SettledU32::claim_handler(&pinned.pin.0.object, value)? {
            SettledClaim::First => return Ok(ForHandler::Settled),
            SettledClaim::Op(ptr) => ptr,
        }
    } else {
        pinned.op()?;
        pinned.ptr
    };
    // SAFETY: a pinned live operation slot holds `AsyncOp::into_raw` (checked just above, or
    // put there by `materialize`), kept until unpinned.
    let op = unsafe { AsyncOp::borrow_raw(ptr) };
    let held = if hold_if(&op) { hold_pinned(h, pinned.pin.0) } else { None };
    Ok(ForHandler::Op(AsyncOp::clone(&op), held))
}

/// Holds `h` (a live handle the caller owns, its slot pinned by the caller) for a Completed
/// handler.
fn hold_pinned(h: netrt_handle, slot: &'static Slot) -> Option<HeldHandle> {
    let d = decode(h);
    let mut state = slot.state.load(Ordering::Relaxed);
    loop {
        if !owns(&d, state) || state & STATE_HELD != 0 {
            return None;
        }
        match slot.state.compare_exchange_weak(
            state,
            state | STATE_HELD,
            Ordering::Acquire,
            Ordering::Relaxed,
        ) {
            Ok(_) => return Some(HeldHandle { handle: h, slot }),
            Err(now) => state = now,
        }
    }
}

impl HeldHandle {
    /// Calls `f` with the handle, valid (lent) for the call, then lets go of it.
    pub(crate) fn call(self, f: impl FnOnce(netrt_handle)) {
        // The hold keeps the slot in this generation: no release can free it before `self` goes.
        self.slot.state.fetch_or(STATE_LENT, Ordering::Release);
        f(self.handle);
    }
}

impl Drop for HeldHandle {
    /// Lets go (after the call, or unrun: the operation was dropped with its handler): frees
    /// the slot if the handle was released meanwhile.
    fn drop(&mut self) {
        let state = self.slot.state.fetch_and(!(STATE_HELD | STATE_LENT), Ordering::AcqRel);
        if state & STATE_LIVE == 0 {
            free(decode(self.handle).index, self.slot, state);
        }
    }
}

/// `E_INVALIDARG` for a kind mismatch found after the lookup (should not happen).
pub(crate) fn wrong_kind() -> Error {
    Error::new(E_INVALIDARG, "the handle refers to an object of another kind")
}
