//! Functions that apply to every handle: duplicate, release, close, kind.

use netrt_core::Error;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::netrt_kind;
use crate::handle;

/// Issues another reference to the object `h` refers to (like `AddRef`, but a new handle).
///
/// `*out` (must not be NULL) receives the new handle; release both. Thread-safe.
/// Errors: `E_POINTER` (h is 0 or out is NULL); `E_HANDLE` (never issued); `RO_E_CLOSED`
/// (h was released); `E_OUTOFMEMORY` (handle table full).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_duplicate(h: netrt_handle, out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_duplicate", {
        let out = Out::new(out, "out")?;
        out.write(handle::duplicate(h)?);
        Ok(())
    })
}

/// Drops the reference `h` stands for; `h` is invalid afterwards (a second release is
/// `RO_E_CLOSED`). When the last reference to an object goes, the object is destroyed; objects
/// that own a resource (StreamSocket, StreamSocketListener, DatagramSocket, DataReader,
/// DataWriter) are closed first — so a DataWriter released without `DetachStream` closes its
/// stream, as in WinRT. Objects keep what they were obtained from alive (a stream its socket,
/// a DataReader its stream); a running operation keeps its target alive until it completes.
/// Releasing an operation never cancels it: one nobody holds a handle to any more goes on
/// on netrt's runtime (its results are dropped). Never blocks. Thread-safe.
/// Errors: `E_POINTER` (0), `E_HANDLE`, `RO_E_CLOSED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_release(h: netrt_handle) -> netrt_hresult {
    ffi!("netrt_release", { handle::release(h) })
}

/// IClosable.Close: closes the object for every reference. Pending I/O completes with status
/// Error and `0x800703E3` (ERROR_OPERATION_ABORTED). Idempotent (`S_OK` on a closed object);
/// never blocks. The handle stays valid until released. On a closed StreamSocket,
/// StreamSocketListener or DatagramSocket: every method, every `*_add_*` event function and
/// every setter of its Control (and change to a vector from it) returns `RO_E_CLOSED`
/// synchronously, without creating an operation; `*_remove_*` event functions return `S_OK`;
/// every getter of the object, its Control and its Information still succeeds with the last
/// value (the statistics: those sampled at close); the socket's streams and the
/// DataReader/DataWriter on them fail with `RO_E_CLOSED` (docs/handles.md). Closing a socket's input or output stream closes the socket. On an
/// operation it is IAsyncInfo.Close (`E_ILLEGAL_STATE_CHANGE` while it runs).
/// Errors: the handle checks; `E_INVALIDARG` for kinds that are not closable (HostName,
/// EndpointPair, Buffer, controls, informations, event arguments).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_close(h: netrt_handle) -> netrt_hresult {
    ffi!("netrt_close", {
        match handle::take(h)? {
            handle::Taken::Op(op) => op.close(),
            handle::Taken::Object(obj) => match obj.close() {
                Some(r) => r,
                None => Err(Error::invalid_arg(format!("a {:?} is not closable (IClosable)", obj.kind()))),
            },
        }
    })
}

/// The kind of object `h` refers to. `out_kind` must not be NULL. Errors: the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_get_kind(h: netrt_handle, out_kind: *mut netrt_kind) -> netrt_hresult {
    ffi!("netrt_get_kind", {
        let out = Out::new(out_kind, "out_kind")?;
        out.write(handle::kind(h)?);
        Ok(())
    })
}
