//! Event delivery shared by every C event source (StreamSocketListener.ConnectionReceived,
//! DatagramSocket.MessageReceived): the handler type, the `user_data` token and the call that
//! hands a handler borrowed handles.

use std::ffi::c_void;
use std::sync::{Arc, Weak};

use netrt_core::Error;

use crate::boundary::{netrt_handle, null};
use crate::handle;
use crate::object::{Object, Value};

/// An event handler: `user_data` as registered, the sender and the event arguments. Both
/// handles are borrowed for the duration of the call (do not release them; duplicate one to
/// keep it). Handlers run on netrt's dispatcher thread, one at a time, in event order, and may
/// call any netrt function, including blocking waits. A handler added on a thread with a
/// current completion queue (`netrt_completion_queue_make_current`) runs inside that queue's
/// `netrt_completion_queue_dispatch` instead.
pub type netrt_event_handler =
    Option<unsafe extern "C" fn(user_data: *mut c_void, sender: netrt_handle, args: netrt_handle)>;

/// `user_data` crosses to the dispatcher thread; the C caller owns what it points to.
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub *mut c_void);
// SAFETY: an opaque token handed back to the caller's handler; netrt never dereferences it.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

/// Calls a C event handler with borrowed handles for `sender` and a fresh `args` object.
pub(crate) fn deliver(
    cb: unsafe extern "C" fn(*mut c_void, netrt_handle, netrt_handle),
    data: UserData,
    sender: &Weak<Object>,
    args: Value,
) {
    let Some(sender) = sender.upgrade() else { return };
    let Ok(s) = handle::issue(sender) else { return };
    if let Ok(a) = handle::issue_new(args) {
        // SAFETY: the caller registered `cb` for these events.
        unsafe { cb(data.0, s, a) };
        let _ = handle::release(a);
    }
    let _ = handle::release(s);
}

/// A core event handler that delivers to the C `handler` (not NULL: `E_POINTER`) with
/// `user_data`, the object `sender` as the borrowed sender handle and `args` made by
/// `to_args`. It holds the sender weakly, as every C event source does.
pub(crate) fn c_handler<S: 'static, A: 'static>(
    sender: &Arc<Object>,
    handler: netrt_event_handler,
    user_data: *mut c_void,
    to_args: fn(&A) -> Value,
) -> Result<netrt_core::event::Handler<S, A>, Error> {
    let cb = handler.ok_or_else(|| null("handler"))?;
    let (sender, data) = (Arc::downgrade(sender), UserData(user_data));
    Ok(Arc::new(move |_sender: &S, args: &A| deliver(cb, data, &sender, to_args(args))))
}
