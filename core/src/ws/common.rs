//! What MessageWebSocket and StreamWebSocket share: state, request headers, the Closed and
//! ServerCustomValidationRequested events, ConnectAsync and Close.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use super::args::{
    ValidationState, WebSocketClosedEventArgs, WebSocketServerCustomValidationRequestedEventArgs,
};
use super::connection::{self, Connection};
use super::control::ControlCore;
use super::handshake;
use crate::error::{Error, Result, hresult};
use crate::event::Event;
use crate::foundation::Uri;
use crate::net::StreamSocket;
use crate::web::client::ValidationHook;

/// The members MessageWebSocket and StreamWebSocket share (IWebSocket, Information and the
/// events that do not depend on message framing). `$name` is the class, `$owner` its WinRT name.
macro_rules! web_socket_members {
    ($name:ident, $owner:literal) => {
        /// `Information`.
        pub fn information(&self) -> crate::ws::WebSocketInformation {
            crate::ws::WebSocketInformation { connection: self.inner.core.connection.clone() }
        }

        /// `SetRequestHeader(name, value)`: an extra handshake header.
        ///
        /// # Errors
        /// `E_ILLEGAL_METHOD_CALL` after ConnectAsync started; `E_INVALIDARG` for `Host`,
        /// `Upgrade`, `Connection`, any `Sec-WebSocket-*` header, or a name or value HTTP forbids.
        pub fn set_request_header(&self, name: &str, value: &str) -> crate::Result<()> {
            self.inner.core.set_request_header(name, value)
        }

        /// `Closed` += handler: raised once, when the peer's close frame arrives (also as the
        /// answer to Close). Never raised for a connection that just dropped.
        ///
        /// # Errors
        /// `RO_E_CLOSED` after Close (handlers added before it still hear the peer's answer).
        pub fn add_closed(
            &self,
            handler: crate::event::Handler<$name, crate::ws::WebSocketClosedEventArgs>,
        ) -> crate::Result<crate::event::EventToken> {
            self.inner.core.ensure_open($owner)?;
            self.inner.core.closed.add($owner, handler)
        }

        /// `Closed` -= token.
        pub fn remove_closed(&self, token: crate::event::EventToken) {
            self.inner.core.closed.remove(token)
        }

        /// `ServerCustomValidationRequested` += handler (wss:// only).
        ///
        /// # Errors
        /// `RO_E_CLOSED` after close.
        pub fn add_server_custom_validation_requested(
            &self,
            handler: crate::event::Handler<
                $name,
                crate::ws::WebSocketServerCustomValidationRequestedEventArgs,
            >,
        ) -> crate::Result<crate::event::EventToken> {
            self.inner.core.ensure_open($owner)?;
            self.inner.core.validation.add($owner, handler)
        }

        /// `ServerCustomValidationRequested` -= token.
        pub fn remove_server_custom_validation_requested(&self, token: crate::event::EventToken) {
            self.inner.core.validation.remove(token)
        }

        /// `Close()`: sends an empty close frame (the peer sees 1005) and closes the socket.
        pub fn close(&self) {
            let _ = self.inner.core.close(None);
        }

        /// `Close(code, reason)`.
        ///
        /// # Errors
        /// `E_INVALIDARG` (synchronously, nothing sent) for a code RFC 6455 forbids sending
        /// (1004, 1005, 1006, 1015, outside 1000–4999) or a reason over 123 UTF-8 bytes.
        pub fn close_with_status(&self, code: u16, reason: &str) -> crate::Result<()> {
            self.inner.core.close(Some((code, reason)))
        }
    };
}

/// How long Close waits for the peer's close frame before dropping the connection.
pub(crate) const CLOSE_GRACE: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub(crate) enum State {
    Created,
    Connecting,
    Connected(Arc<Connection>),
    Closed,
}

pub(crate) struct SocketCore<S> {
    pub control: Arc<ControlCore>,
    pub state: Mutex<State>,
    pub headers: Mutex<Vec<(String, String)>>,
    pub connection: Arc<OnceLock<Arc<Connection>>>,
    pub closed: Event<S, WebSocketClosedEventArgs>,
    pub closed_raised: AtomicBool,
    pub validation: Event<S, WebSocketServerCustomValidationRequestedEventArgs>,
    /// Signalled when the receive side has ended (the connection can be dropped).
    pub receive_done: tokio::sync::Notify,
    pub receive_ended: AtomicBool,
    /// Signalled by Close: a connect in progress gives up.
    closing: tokio::sync::Notify,
    /// Cancelled by Close: received data nobody will read can be dropped.
    pub closing_token: tokio_util::sync::CancellationToken,
    /// Run once the receive side has ended (set by the owner: it ends its event
    /// subscriptions, so `async for` stops).
    pub on_receive_end: OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// Run by every Close (set by the owner: a pending pull receive ends at once).
    pub on_close: OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// A ControlChannelTrigger's PushNotificationTrigger, told when data arrives unclaimed.
    pub push: super::push::PushHook,
}

/// Returns a socket left in `Connecting` by a dropped connect future to `Created`.
struct ConnectingGuard<'a, S>(&'a SocketCore<S>);

impl<S> Drop for ConnectingGuard<'_, S> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(*state, State::Connecting) {
            *state = State::Created;
        }
    }
}

impl<S: Clone + Send + Sync + 'static> SocketCore<S> {
    pub(crate) fn new() -> Self {
        Self {
            control: ControlCore::new(),
            state: Mutex::new(State::Created),
            headers: Mutex::new(Vec::new()),
            connection: Arc::new(OnceLock::new()),
            closed: Event::default(),
            closed_raised: AtomicBool::new(false),
            validation: Event::default(),
            receive_done: tokio::sync::Notify::new(),
            receive_ended: AtomicBool::new(false),
            closing: tokio::sync::Notify::new(),
            closing_token: tokio_util::sync::CancellationToken::new(),
            on_receive_end: OnceLock::new(),
            on_close: OnceLock::new(),
            push: super::push::PushHook::default(),
        }
    }

    /// `RO_E_CLOSED` (naming `owner`) after Close: what adding an event handler answers then.
    pub(crate) fn ensure_open(&self, owner: &str) -> Result<()> {
        if self.is_closed() { Err(Error::closed(owner)) } else { Ok(()) }
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The live connection, for sends and reads.
    pub(crate) fn connected(&self, what: &str) -> Result<Arc<Connection>> {
        match &*self.lock_state() {
            State::Connected(c) => Ok(c.clone()),
            State::Closed => Err(Error::closed("WebSocket")),
            _ => Err(Error::illegal_method_call(format!(
                "{what} needs a connected WebSocket (call ConnectAsync first)"
            ))),
        }
    }

    /// `SetRequestHeader(name, value)`.
    pub(crate) fn set_request_header(&self, name: &str, value: &str) -> Result<()> {
        match *self.lock_state() {
            State::Created => {}
            State::Closed => return Err(Error::closed("WebSocket")),
            _ => {
                return Err(Error::illegal_method_call(
                    "SetRequestHeader must be called before ConnectAsync",
                ));
            }
        }
        if handshake::is_reserved_header(name) {
            return Err(Error::invalid_arg(format!(
                "the header '{name}' is set by the WebSocket handshake itself"
            )));
        }
        crate::web::client::check_header(name, value)?;
        self.headers.lock().unwrap_or_else(|e| e.into_inner()).push((name.to_string(), value.to_string()));
        Ok(())
    }

    /// Raises Closed at most once.
    pub(crate) fn raise_closed(&self, sender: S, code: u16, reason: String) {
        if !self.closed_raised.swap(true, Ordering::AcqRel) {
            self.closed.raise(sender, WebSocketClosedEventArgs { code, reason });
        }
    }

    fn validation_hook(self: &Arc<Self>, sender: S) -> Option<ValidationHook> {
        if !self.validation.has_handlers() {
            return None;
        }
        let core = self.clone();
        Some(Arc::new(move |socket: &StreamSocket| {
            let state = Arc::new(ValidationState::default());
            let args = WebSocketServerCustomValidationRequestedEventArgs {
                info: socket.information(),
                state: state.clone(),
            };
            state.begin();
            let raised = core.validation.raise(sender.clone(), args);
            let after_handlers = state.clone();
            // Handlers run in order on the dispatcher: this runs once they all returned.
            crate::dispatch::post(move || after_handlers.finish());
            Box::pin(async move {
                if raised {
                    state.settled().await;
                }
                if state.rejected.load(Ordering::Acquire) {
                    return Err(Error::new(
                        hresult::WININET_E_SEC_INVALID_CERT,
                        "the application rejected the server certificate (ServerCustomValidationRequested)",
                    ));
                }
                Ok(())
            })
        }))
    }

    /// `ConnectAsync(uri)`; on success the connection is stored and returned.
    pub(crate) async fn connect(self: &Arc<Self>, sender: S, uri: &Uri) -> Result<Arc<Connection>> {
        // Registered before the state changes, so a Close racing with this call is seen.
        let closing = self.closing.notified();
        tokio::pin!(closing);
        closing.as_mut().enable();
        {
            let mut state = self.lock_state();
            match *state {
                State::Created => *state = State::Connecting,
                State::Connecting => {
                    return Err(Error::illegal_method_call("ConnectAsync is already in progress"));
                }
                State::Connected(_) => {
                    return Err(Error::illegal_method_call("the WebSocket is already connected"));
                }
                State::Closed => return Err(Error::closed("WebSocket")),
            }
        }
        // A dropped connect (its operation cancelled) leaves the socket reusable.
        let guard = ConnectingGuard(self);
        let headers = self.headers.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let hook = self.validation_hook(sender);
        let (control, uri) = (self.control.clone(), uri.clone());
        let attempt = crate::runtime::run(async move {
            connection::connect(&uri, &control, headers, hook).await.map(Arc::new)
        });
        // Close while connecting abandons the attempt (its sockets close as they drop).
        let outcome = tokio::select! {
            outcome = attempt => outcome,
            _ = closing => Err(Error::aborted("ConnectAsync")),
        };
        std::mem::forget(guard);
        let mut state = self.lock_state();
        match (outcome, &*state) {
            (Ok(conn), State::Connecting) => {
                let pong = self.control.snapshot().desired_pong_interval;
                self.control.freeze(pong);
                let _ = self.connection.set(conn.clone());
                *state = State::Connected(conn.clone());
                Ok(conn)
            }
            (Ok(conn), _) => {
                conn.socket.close();
                Err(Error::aborted("ConnectAsync"))
            }
            (Err(e), State::Connecting) => {
                // A failed connect leaves the socket reusable (SupportedProtocols may change).
                *state = State::Created;
                Err(e)
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Whether Close was called (the receive side then ends quietly).
    pub(crate) fn is_closed(&self) -> bool {
        matches!(*self.lock_state(), State::Closed)
    }

    /// Starts the unsolicited Pong heartbeat, if one was asked for.
    pub(crate) fn start_heartbeat(self: &Arc<Self>, conn: &Arc<Connection>) {
        let Some(interval) =
            self.control.snapshot().desired_pong_interval.to_duration().filter(|d| !d.is_zero())
        else {
            return;
        };
        let weak = Arc::downgrade(conn);
        crate::runtime::handle().spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(conn) = weak.upgrade() else { return };
                if conn.send_pong(&[]).await.is_err() {
                    return;
                }
            }
        });
    }

    /// `Close()` / `Close(code, reason)`: validates synchronously, then sends the close frame
    /// and lets the connection go once the peer answered (or after [`CLOSE_GRACE`]).
    pub(crate) fn close(self: &Arc<Self>, status: Option<(u16, &str)>) -> Result<()> {
        if let Some((code, reason)) = status {
            super::close::validate(code, reason)?;
        }
        let status = status.map(|(code, reason)| (code, reason.to_string()));
        let previous = std::mem::replace(&mut *self.lock_state(), State::Closed);
        self.control.close();
        self.closing.notify_waiters();
        self.closing_token.cancel();
        if let Some(hook) = self.on_close.get() {
            hook();
        }
        if !matches!(previous, State::Connected(_)) {
            // No receive side will run (never connected, or a connect being abandoned).
            self.receive_finished();
        }
        if let State::Connected(conn) = previous {
            let core = self.clone();
            crate::runtime::handle().spawn(async move {
                conn.send_close(status.as_ref().map(|(c, r)| (*c, r.as_str()))).await;
                let ended = core.receive_done.notified();
                if !core.receive_ended.load(Ordering::Acquire) {
                    let _ = tokio::time::timeout(CLOSE_GRACE, ended).await;
                }
                conn.socket.close();
            });
        }
        Ok(())
    }

    /// Marks the receive side as over and wakes a Close waiting for it.
    pub(crate) fn receive_finished(&self) {
        self.receive_ended.store(true, Ordering::Release);
        self.receive_done.notify_waiters();
        if let Some(hook) = self.on_receive_end.get() {
            hook();
        }
    }
}
