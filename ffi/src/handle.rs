//! The process-global generational handle table (docs/handles.md).
//!
//! A handle is one reference: every `issue` takes a slot of its own, holding one `Arc` of the
//! object, so duplicating a handle issues another slot and releasing frees only that one. The
//! 64 bits are `kind << 56 | generation << 32 | slot index`. A slot's generation grows each time
//! the slot is reused, so a released handle is recognised (`RO_E_CLOSED`) rather than
//! aliasing whatever now lives in its slot, and values never issued (`E_HANDLE`) are told apart
//! from both. A slot whose 24-bit generation is exhausted is retired, never reused.
//!
//! Lookups are the hot path (several per stream operation, from every thread at once), so they
//! take no table-wide lock: slots live in fixed chunks that are never moved or freed, and a
//! lookup *pins* its slot with one atomic add on the slot's own state word, checks generation
//! and liveness from the value that add returned, and reads the object while pinned. `release`
//! marks the slot dead first, then waits for the (instruction-long) pins to drain before it
//! takes the object out, so a pinned reader never sees it freed. Free slots form a lock-free
//! stack (a tagged head, so a slot popped and pushed back meanwhile fails the CAS); only
//! growing the table by a chunk takes a mutex.

use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use netrt_core::Error;
use netrt_core::error::hresult::{E_HANDLE, E_INVALIDARG, E_OUTOFMEMORY, E_POINTER, RO_E_CLOSED};

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
// generation (bits 32..40), live flag (bit 31), pin count (bits 0..31). Everything a lookup
// checks is in this one word, so the check and the pin are the same atomic add.
const STATE_GEN_SHIFT: u32 = 40;
const STATE_KIND_SHIFT: u32 = 32;
const STATE_LIVE: u64 = 1 << 31;
const STATE_PINS: u64 = STATE_LIVE - 1;

/// One cache line each: lookups on different threads pin different slots without sharing
/// a line (false sharing would turn every pin into a cross-CPU cache miss).
#[repr(align(64))]
struct Slot {
    /// Generation and kind of the handle most recently issued from this slot (generation 0:
    /// never issued), whether that handle is still live, and how many lookups are reading
    /// `object` right now.
    state: AtomicU64,
    /// `Arc::into_raw` of the object while live; null otherwise.
    object: AtomicPtr<Object>,
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

/// Issues a new handle (one new reference) to `obj`.
pub(crate) fn issue(obj: Arc<Object>) -> Result<netrt_handle, Error> {
    crate::fork::register_handlers();
    let kind = obj.kind();
    let (index, slot) = match pop_free() {
        Some(free) => free,
        None => new_slot()?,
    };
    slot.object.store(Arc::into_raw(obj).cast_mut(), Ordering::Relaxed);
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

/// Checks `h` against its slot's state word in the documented order (docs/handles.md; the kind
/// check against the caller's expectation comes later).
fn check(h: netrt_handle, d: &Decoded, state: u64) -> Result<(), Error> {
    let generation = generation_of(state);
    if d.generation == 0 || d.generation > generation {
        return Err(never_issued(h));
    }
    if d.generation < generation || state & STATE_LIVE == 0 {
        return Err(Error::new(RO_E_CLOSED, format!("handle 0x{h:016X} was released (a stale reference)")));
    }
    if kind_of(state) != d.kind {
        return Err(never_issued(h));
    }
    Ok(())
}

fn never_issued(h: netrt_handle) -> Error {
    Error::new(E_HANDLE, format!("0x{h:016X} is not a handle netrt issued"))
}

fn slot_of(h: netrt_handle) -> Result<(Decoded, &'static Slot), Error> {
    if h == 0 {
        return Err(Error::new(E_POINTER, "the handle is 0 (NULL)"));
    }
    let d = decode(h);
    let slot = slot(d.index).ok_or_else(|| never_issued(h))?;
    Ok((d, slot))
}

/// Pins the slot `h` names and returns its object, once `h` checks out.
fn pin(h: netrt_handle) -> Result<(Pin, &'static Object), Error> {
    let (d, slot) = slot_of(h)?;
    let pin = Pin(slot);
    check(h, &d, slot.state.fetch_add(1, Ordering::Acquire))?;
    // SAFETY: the slot is live in this handle's generation and pinned: `release` takes the
    // object out only after the slot is dead and every pin is gone.
    let obj = unsafe { &*slot.object.load(Ordering::Relaxed) };
    Ok((pin, obj))
}

fn check_kind(obj: &Object, expected: Option<netrt_kind>) -> Result<(), Error> {
    match expected {
        Some(kind) if obj.kind() != kind => Err(Error::new(
            E_INVALIDARG,
            format!("the handle is a {:?}, but a {:?} is required", obj.kind(), kind),
        )),
        _ => Ok(()),
    }
}

/// Runs `f` on the object behind `h` without taking a reference; `expected` adds the kind check.
/// `f` must be short and must not release `h` (the release would wait for `f` to return).
pub(crate) fn with<R>(
    h: netrt_handle,
    expected: Option<netrt_kind>,
    f: impl FnOnce(&Object) -> R,
) -> Result<R, Error> {
    let (_pin, obj) = pin(h)?;
    check_kind(obj, expected)?;
    Ok(f(obj))
}

/// The object behind `h` (a new reference), checked in the documented order
/// (docs/handles.md); `expected` adds the kind check.
pub(crate) fn lookup(h: netrt_handle, expected: Option<netrt_kind>) -> Result<Arc<Object>, Error> {
    let (_pin, obj) = pin(h)?;
    check_kind(obj, expected)?;
    Ok(new_reference(obj))
}

/// Another reference to a pinned slot's object.
fn new_reference(obj: &Object) -> Arc<Object> {
    // SAFETY: a slot's object came from `Arc::into_raw`, and the slot's reference keeps it
    // alive while the caller holds the pin.
    unsafe {
        let ptr: *const Object = obj;
        Arc::increment_strong_count(ptr);
        Arc::from_raw(ptr)
    }
}

/// [`lookup`] only when `wanted` says so on the object (else `None` and no reference taken):
/// one pin for a check and the reference it may lead to.
pub(crate) fn lookup_if(
    h: netrt_handle,
    expected: Option<netrt_kind>,
    wanted: impl FnOnce(&Object) -> bool,
) -> Result<Option<Arc<Object>>, Error> {
    let (_pin, obj) = pin(h)?;
    check_kind(obj, expected)?;
    Ok(wanted(obj).then(|| new_reference(obj)))
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
        check(h, &d, state)?;
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
        push_free(d.index, slot);
    }
    // SAFETY: the pointer came from `Arc::into_raw` in `issue`; this is the slot's reference.
    // Dropped last, with the slot already free: closing may take other locks or run a while.
    let obj = unsafe { Arc::from_raw(obj) };
    drop(obj);
    Ok(())
}

/// `E_INVALIDARG` for a kind mismatch found after the lookup (should not happen).
pub(crate) fn wrong_kind() -> Error {
    Error::new(E_INVALIDARG, "the handle refers to an object of another kind")
}
