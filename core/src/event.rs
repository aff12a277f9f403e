//! Typed events (`TypedEventHandler<Sender, Args>`): add a handler → token, remove by token.
//! Handlers run on the dispatcher thread ([`crate::dispatch`]), in the order events occur.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// An event registration token (`EventRegistrationToken`); never 0.
pub type EventToken = i64;

/// A list of handlers for one event of one object.
pub struct Event<S, A> {
    handlers: Mutex<Vec<(EventToken, Handler<S, A>)>>,
}

/// A handler for an event with sender `S` and arguments `A`.
pub type Handler<S, A> = Arc<dyn Fn(&S, &A) + Send + Sync + 'static>;

static NEXT_TOKEN: AtomicI64 = AtomicI64::new(1);

impl<S, A> Default for Event<S, A> {
    fn default() -> Self {
        Self { handlers: Mutex::new(Vec::new()) }
    }
}

impl<S: Send + Sync + 'static, A: Send + Sync + 'static> Event<S, A> {
    /// Adds a handler; returns its token (unique in the process).
    pub fn add(&self, handler: Handler<S, A>) -> EventToken {
        let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
        self.lock().push((token, handler));
        token
    }

    /// Removes a handler; unknown tokens are ignored (as WinRT does).
    pub fn remove(&self, token: EventToken) {
        self.lock().retain(|(t, _)| *t != token);
    }

    /// Removes every handler.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Whether any handler is registered.
    pub fn has_handlers(&self) -> bool {
        !self.lock().is_empty()
    }

    /// Delivers `args` to the current handlers on the dispatcher thread. Returns false (and
    /// delivers nothing) when there are no handlers.
    pub fn raise(&self, sender: S, args: A) -> bool {
        let handlers: Vec<Handler<S, A>> = self.lock().iter().map(|(_, h)| h.clone()).collect();
        if handlers.is_empty() {
            return false;
        }
        crate::dispatch::post(move || {
            for h in handlers {
                h(&sender, &args);
            }
        });
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(EventToken, Handler<S, A>)>> {
        self.handlers.lock().unwrap_or_else(|e| e.into_inner())
    }
}
