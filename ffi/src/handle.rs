//! The process-global generational handle table (DESIGN §3).
//!
//! A handle is one reference: every `issue` takes a slot of its own, holding one `Arc` of the
//! object, so duplicating a handle issues another slot and releasing frees only that one. The
//! 64 bits are `kind << 56 | generation << 32 | slot index`. A slot's generation grows each time
//! the slot is reused, so a released handle is recognised (`RO_E_CLOSED`) rather than
//! aliasing whatever now lives in its slot, and values never issued (`E_HANDLE`) are told apart
//! from both. A slot whose 24-bit generation is exhausted is retired, never reused.

use std::sync::{Arc, RwLock, RwLockWriteGuard};

use netrt_core::Error;
use netrt_core::error::hresult::{E_HANDLE, E_INVALIDARG, E_OUTOFMEMORY, E_POINTER, RO_E_CLOSED};

use crate::boundary::netrt_handle;
use crate::enums::netrt_kind;
use crate::object::Object;

const INDEX_BITS: u32 = 32;
const GEN_BITS: u32 = 24;
const GEN_MAX: u32 = (1 << GEN_BITS) - 1;
/// Upper bound on live + retired slots: a handle leak in a loop ends in `E_OUTOFMEMORY`, not an
/// abort (16 M slots ≈ 400 MiB of table).
const MAX_SLOTS: usize = 1 << 24;

struct Slot {
    /// Generation of the handle most recently issued from this slot (0: never issued).
    generation: u32,
    entry: Option<Arc<Object>>,
}

pub(crate) struct Table {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

static TABLE: RwLock<Table> = RwLock::new(Table { slots: Vec::new(), free: Vec::new() });

/// Takes the table for the duration of a fork() (see `crate::fork`).
pub(crate) fn lock_for_fork() -> RwLockWriteGuard<'static, Table> {
    TABLE.write().unwrap_or_else(|e| e.into_inner())
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

/// Issues a new handle (one new reference) to `obj`.
pub(crate) fn issue(obj: Arc<Object>) -> Result<netrt_handle, Error> {
    crate::fork::register_handlers();
    let kind = obj.kind();
    let mut table = TABLE.write().unwrap_or_else(|e| e.into_inner());
    let index = loop {
        match table.free.pop() {
            Some(i) => {
                let slot = &mut table.slots[i as usize];
                if slot.generation < GEN_MAX {
                    slot.generation += 1;
                    break i;
                }
                // Exhausted: retire the slot (it stays, so its old handles still read as closed).
            }
            None => {
                if table.slots.len() >= MAX_SLOTS {
                    return Err(Error::new(E_OUTOFMEMORY, "too many live netrt handles (16 M)"));
                }
                table.slots.push(Slot { generation: 1, entry: None });
                break (table.slots.len() - 1) as u32;
            }
        }
    };
    let slot = &mut table.slots[index as usize];
    slot.entry = Some(obj);
    Ok(encode(kind, slot.generation, index))
}

/// Issues a handle for a fresh object.
pub(crate) fn issue_new(value: crate::object::Value) -> Result<netrt_handle, Error> {
    issue(Object::new(value))
}

fn check(table: &Table, h: netrt_handle) -> Result<(&Arc<Object>, usize), Error> {
    if h == 0 {
        return Err(Error::new(E_POINTER, "the handle is 0 (NULL)"));
    }
    let d = decode(h);
    let never = || Error::new(E_HANDLE, format!("0x{h:016X} is not a handle netrt issued"));
    let slot = table.slots.get(d.index).ok_or_else(never)?;
    if d.generation == 0 || d.generation > slot.generation {
        return Err(never());
    }
    let released = || Error::new(RO_E_CLOSED, format!("handle 0x{h:016X} was released (a stale reference)"));
    if d.generation < slot.generation {
        return Err(released());
    }
    let obj = slot.entry.as_ref().ok_or_else(released)?;
    if obj.kind() as u8 != d.kind {
        return Err(never());
    }
    Ok((obj, d.index))
}

/// The object behind `h`, checked in DESIGN §3's order; `expected` adds the kind check.
pub(crate) fn lookup(h: netrt_handle, expected: Option<netrt_kind>) -> Result<Arc<Object>, Error> {
    let table = TABLE.read().unwrap_or_else(|e| e.into_inner());
    let (obj, _) = check(&table, h)?;
    if let Some(kind) = expected
        && obj.kind() != kind
    {
        return Err(Error::new(
            E_INVALIDARG,
            format!("the handle is a {:?}, but a {:?} is required", obj.kind(), kind),
        ));
    }
    Ok(obj.clone())
}

/// Like [`lookup`] for an optional argument: 0 means "null" (where WinRT accepts null).
pub(crate) fn lookup_opt(h: netrt_handle, expected: netrt_kind) -> Result<Option<Arc<Object>>, Error> {
    if h == 0 { Ok(None) } else { lookup(h, Some(expected)).map(Some) }
}

/// Drops the reference `h` stands for; the object goes (closing first) with its last one.
pub(crate) fn release(h: netrt_handle) -> Result<(), Error> {
    let obj = {
        let mut table = TABLE.write().unwrap_or_else(|e| e.into_inner());
        let (_, index) = check(&table, h)?;
        let obj = table.slots[index].entry.take();
        table.free.push(index as u32);
        obj
    };
    // Dropped outside the lock: closing may take other locks or run for a while.
    drop(obj);
    Ok(())
}

/// `E_INVALIDARG` for a kind mismatch found after the lookup (should not happen).
pub(crate) fn wrong_kind() -> Error {
    Error::new(E_INVALIDARG, "the handle refers to an object of another kind")
}
