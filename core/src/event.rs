//! Typed events (`TypedEventHandler<Sender, Args>`): add a handler → token, remove by token.
//! Handlers run on the dispatcher thread ([`crate::dispatch`]), in the order events occur — or,
//! for a handler added on a thread with a current [`CompletionQueue`], inside that queue's
//! `dispatch` (the binding is made once, when the handler is added).
//!
//! An event belongs to an object that can be closed. Closing it ([`Event::close`]) removes
//! every handler; adding one afterwards fails with `RO_E_CLOSED`. A handler registered with
//! [`Event::add_until_closed`] also learns of the close: its `closed` callback runs where the
//! handler runs, after every event raised before the close was delivered, so whatever
//! forwards events (Python's `async for`) can end without losing one or waiting forever.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::foundation::CompletionQueue;

/// An event registration token (`EventRegistrationToken`); never 0.
pub type EventToken = i64;

/// A list of handlers for one event of one object.
pub struct Event<S, A> {
    state: Mutex<State<S, A>>,
}

/// A handler for an event with sender `S` and arguments `A`.
pub type Handler<S, A> = Arc<dyn Fn(&S, &A) + Send + Sync + 'static>;

/// Handlers that run in one place (None: the dispatcher), in registration order.
type Group<S, A> = (Option<CompletionQueue>, Vec<Handler<S, A>>);

/// Runs once, where its handler runs, when the event's object closes.
pub type ClosedCallback = Box<dyn FnOnce() + Send + 'static>;

struct Registration<S, A> {
    token: EventToken,
    handler: Handler<S, A>,
    closed: Option<ClosedCallback>,
    /// Where the handler runs (None: the dispatcher).
    target: Option<CompletionQueue>,
}

struct State<S, A> {
    handlers: Vec<Registration<S, A>>,
    closed: bool,
}

static NEXT_TOKEN: AtomicI64 = AtomicI64::new(1);

impl<S, A> Default for Event<S, A> {
    fn default() -> Self {
        Self { state: Mutex::new(State { handlers: Vec::new(), closed: false }) }
    }
}

impl<S: Send + Sync + 'static, A: Send + Sync + 'static> Event<S, A> {
    /// Adds a handler; returns its token (unique in the process).
    ///
    /// # Errors
    /// `RO_E_CLOSED` (naming `owner`) once the event's object is closed.
    pub fn add(&self, owner: &str, handler: Handler<S, A>) -> Result<EventToken> {
        self.register(owner, handler, None)
    }

    /// Adds a handler and a callback for the close of the event's object: `closed` runs once,
    /// on the dispatcher thread, after the events raised before the close (it is dropped
    /// unrun if the handler is removed first).
    ///
    /// # Errors
    /// `RO_E_CLOSED` (naming `owner`) once the event's object is closed.
    pub fn add_until_closed(
        &self,
        owner: &str,
        handler: Handler<S, A>,
        closed: ClosedCallback,
    ) -> Result<EventToken> {
        self.register(owner, handler, Some(closed))
    }

    fn register(
        &self,
        owner: &str,
        handler: Handler<S, A>,
        closed: Option<ClosedCallback>,
    ) -> Result<EventToken> {
        let mut state = self.lock();
        if state.closed {
            return Err(Error::closed(owner));
        }
        let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
        state.handlers.push(Registration { token, handler, closed, target: CompletionQueue::current() });
        Ok(token)
    }

    /// Removes a handler; unknown tokens are ignored (as WinRT does), also after close.
    pub fn remove(&self, token: EventToken) {
        self.lock().handlers.retain(|r| r.token != token);
    }

    /// Closes the event with its object: removes every handler, refuses new ones, and delivers
    /// the `closed` callbacks where their handlers run (behind the events already raised).
    /// Idempotent.
    pub fn close(&self) {
        let registrations = {
            let mut state = self.lock();
            state.closed = true;
            std::mem::take(&mut state.handlers)
        };
        for (target, callback) in registrations.into_iter().filter_map(|r| Some((r.target, r.closed?))) {
            crate::dispatch::deliver(target.as_ref(), move |_| callback());
        }
    }

    /// Whether any handler is registered.
    pub fn has_handlers(&self) -> bool {
        !self.lock().handlers.is_empty()
    }

    /// Delivers `args` to the current handlers, each where it runs (the dispatcher thread or
    /// its completion queue), in registration order per place. Returns false (and delivers
    /// nothing) when there are no handlers.
    pub fn raise(&self, sender: S, args: A) -> bool {
        // Consecutive handlers with the same target go in one job.
        let mut groups: Vec<Group<S, A>> = Vec::new();
        for r in &self.lock().handlers {
            match groups.last_mut() {
                Some((target, handlers)) if same_target(target.as_ref(), r.target.as_ref()) => {
                    handlers.push(r.handler.clone())
                }
                _ => groups.push((r.target.clone(), vec![r.handler.clone()])),
            }
        }
        if groups.is_empty() {
            return false;
        }
        let event = Arc::new((sender, args));
        for (target, handlers) in groups {
            let event = event.clone();
            crate::dispatch::deliver(target.as_ref(), move |_| {
                for h in handlers {
                    h(&event.0, &event.1);
                }
            });
        }
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<S, A>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn same_target(a: Option<&CompletionQueue>, b: Option<&CompletionQueue>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.ptr_eq(b),
        _ => false,
    }
}
