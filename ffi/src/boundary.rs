//! The panic boundary, argument guards and the thread-local error detail that every exported
//! function goes through.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use netrt_core::Error;
use netrt_core::error::hresult::{E_POINTER, E_UNEXPECTED, S_OK};

/// A reference to a netrt object (docs/handles.md); defined in the header's preamble.
pub type netrt_handle = u64;
/// A Windows HRESULT: `0` success, negative failure; defined in the header's preamble.
pub type netrt_hresult = i32;

thread_local! {
    static LAST_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs the body of an exported function: a panic becomes `E_UNEXPECTED`, an `Err` becomes its
/// HRESULT, and every failure is recorded as this thread's last error detail.
///
/// Inlined into each exported function, with the failures in cold functions of their own: the
/// unwinding frame itself costs nothing on the way through, so what a successful call pays here
/// is only the test of its `Result` (an `Error` is never moved on the success path).
#[inline(always)]
pub(crate) fn run(name: &'static str, body: impl FnOnce() -> Result<(), Error>) -> netrt_hresult {
    let outcome = catch_unwind(AssertUnwindSafe(move || match body() {
        Ok(()) => S_OK,
        Err(e) => failed(name, e),
    }));
    match outcome {
        Ok(hr) => hr,
        Err(panic) => panicked(name, panic),
    }
}

/// An exported function's `Err`: recorded, its HRESULT returned.
#[cold]
#[inline(never)]
fn failed(name: &'static str, e: Error) -> netrt_hresult {
    record(name, &e);
    e.hresult()
}

/// An exported function's panic: recorded as `E_UNEXPECTED`.
#[cold]
#[inline(never)]
fn panicked(name: &'static str, panic: Box<dyn std::any::Any + Send>) -> netrt_hresult {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    let e = Error::new(E_UNEXPECTED, format!("internal error (panic): {what}"));
    record(name, &e);
    E_UNEXPECTED
}

/// Like [`run`], without touching the last error detail (for the functions that read it).
pub(crate) fn run_quiet(body: impl FnOnce() -> Result<(), Error>) -> netrt_hresult {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => S_OK,
        Ok(Err(e)) => e.hresult(),
        Err(_) => E_UNEXPECTED,
    }
}

/// Runs a function that returns a value and cannot report failure: a panic gives `fallback`.
pub(crate) fn run_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

fn record(name: &str, e: &Error) {
    let text = format!("{name}: {}", e.message());
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = Some(text));
}

/// This thread's last recorded error detail ("" when none).
pub(crate) fn last_error() -> String {
    LAST_ERROR.try_with(|slot| slot.borrow().clone().unwrap_or_default()).unwrap_or_default()
}

/// Exported-function body: `ffi!("netrt_x", { ...; Ok(()) })`.
macro_rules! ffi {
    ($name:literal, $body:block) => {
        $crate::boundary::run($name, move || -> Result<(), netrt_core::Error> { $body })
    };
}

/// Checks an out-parameter; NULL is `E_POINTER`. Use [`Out::write`] once the call succeeded.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    pub(crate) fn new(ptr: *mut T, what: &str) -> Result<Self, Error> {
        if ptr.is_null() {
            return Err(null(what));
        }
        Ok(Self(ptr))
    }

    /// Writes the value (unaligned-safe: C callers may hand any address).
    pub(crate) fn write(self, value: T) {
        // SAFETY: non-null, checked in `new`; the C caller promises it points to a T.
        unsafe { self.0.write_unaligned(value) };
    }
}

/// Reads a caller's `const T *` argument; NULL is `E_POINTER`.
pub(crate) fn read_in<T: Copy>(ptr: *const T, what: &str) -> Result<T, Error> {
    if ptr.is_null() {
        return Err(null(what));
    }
    // SAFETY: non-null; the C caller promises it points to a T (alignment not assumed).
    Ok(unsafe { ptr.read_unaligned() })
}

/// `E_POINTER` naming the argument.
pub(crate) fn null(what: &str) -> Error {
    Error::new(E_POINTER, format!("{what} must not be NULL"))
}

/// A caller's `(const uint8_t *data, size_t len)`; NULL is allowed only with `len == 0`.
pub(crate) fn bytes_in<'a>(data: *const u8, len: usize, what: &str) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(null(what));
    }
    // SAFETY: the C caller promises `data` points to `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// A caller's writable `(uint8_t *data, size_t len)`; NULL is allowed only with `len == 0`.
pub(crate) fn bytes_out<'a>(data: *mut u8, len: usize, what: &str) -> Result<&'a mut [u8], Error> {
    if len == 0 {
        return Ok(&mut []);
    }
    if data.is_null() {
        return Err(null(what));
    }
    // SAFETY: the C caller promises `data` points to `len` writable bytes.
    Ok(unsafe { std::slice::from_raw_parts_mut(data, len) })
}

/// Writes `values` into a caller's array `ptr` (room for at least `values.len()` elements,
/// checked by the caller against its `len`); NULL is allowed only when `values` is empty.
pub(crate) fn array_out<T: Copy>(ptr: *mut T, values: &[T], what: &str) -> Result<(), Error> {
    if values.is_empty() {
        return Ok(());
    }
    if ptr.is_null() {
        return Err(null(what));
    }
    for (i, v) in values.iter().enumerate() {
        // SAFETY: the C caller promises room for its `len` elements, and len >= values.len()
        // (checked before this call); alignment is not assumed.
        unsafe { ptr.add(i).write_unaligned(*v) };
    }
    Ok(())
}
