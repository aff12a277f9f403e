//! `IAsyncOperationWithProgress<T, P>` / `IAsyncActionWithProgress<P>`: an [`AsyncOperation`]
//! plus a progress channel. The operation's future gets a [`ProgressReporter`]; each report
//! is kept (the latest is readable at any time) and, once a `Progress` handler is set, handed
//! to it on the dispatcher thread — or in the `dispatch` of the completion queue current when
//! the operation started — in order, and before the Completed handler of the same operation
//! (both go through the same queue).

use std::future::Future;
use std::sync::{Arc, Mutex};

use super::AsyncOperation;
use crate::error::hresult::E_ILLEGAL_DELEGATE_ASSIGNMENT;
use crate::error::{Error, Result};
use crate::foundation::CompletionQueue;

/// A `Progress` handler: called with each report.
pub type ProgressHandler<P> = Arc<dyn Fn(P) + Send + Sync + 'static>;

struct ProgressState<P> {
    last: Option<P>,
    handler: Option<ProgressHandler<P>>,
}

struct Shared<P> {
    state: Mutex<ProgressState<P>>,
    queue: Option<CompletionQueue>,
}

impl<P> Shared<P> {
    fn lock(&self) -> std::sync::MutexGuard<'_, ProgressState<P>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The operation's side of the progress channel.
pub struct ProgressReporter<P: Clone + Send + 'static> {
    shared: Arc<Shared<P>>,
}

impl<P: Clone + Send + 'static> Clone for ProgressReporter<P> {
    fn clone(&self) -> Self {
        Self { shared: self.shared.clone() }
    }
}

impl<P: Clone + Send + 'static> ProgressReporter<P> {
    /// Records `progress` and hands it to the handler, if one is set.
    pub fn report(&self, progress: P) {
        let handler = {
            let mut st = self.shared.lock();
            st.last = Some(progress.clone());
            st.handler.clone()
        };
        if let Some(handler) = handler {
            crate::dispatch::deliver(self.shared.queue.as_ref(), move |_| handler(progress));
        }
    }
}

/// An asynchronous operation that reports progress of type `P`. It dereferences to its
/// [`AsyncOperation`] for status, waiting, cancellation and results.
pub struct AsyncOperationWithProgress<T: Send + Sync + 'static, P: Clone + Send + 'static> {
    op: AsyncOperation<T>,
    shared: Arc<Shared<P>>,
}

impl<T: Send + Sync + 'static, P: Clone + Send + 'static> Clone for AsyncOperationWithProgress<T, P> {
    fn clone(&self) -> Self {
        Self { op: self.op.clone(), shared: self.shared.clone() }
    }
}

impl<T: Send + Sync + 'static, P: Clone + Send + 'static> std::fmt::Debug
    for AsyncOperationWithProgress<T, P>
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.op.fmt(f)
    }
}

impl<T: Send + Sync + 'static, P: Clone + Send + 'static> std::ops::Deref
    for AsyncOperationWithProgress<T, P>
{
    type Target = AsyncOperation<T>;

    fn deref(&self) -> &AsyncOperation<T> {
        &self.op
    }
}

impl<T: Send + Sync + 'static, P: Clone + Send + 'static> AsyncOperationWithProgress<T, P> {
    /// Starts an operation whose future reports through the reporter `make` receives.
    /// Cancelling it drops the future (as [`AsyncOperation::start`]).
    ///
    /// # Errors
    /// As [`AsyncOperation::start`].
    pub fn start<F>(make: impl FnOnce(ProgressReporter<P>) -> F) -> Result<Self>
    where
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(ProgressState { last: None, handler: None }),
            queue: CompletionQueue::current(),
        });
        let reporter = ProgressReporter { shared: shared.clone() };
        let op = AsyncOperation::start(make(reporter))?;
        Ok(Self { op, shared })
    }

    /// The operation without its progress channel.
    pub fn operation(&self) -> &AsyncOperation<T> {
        &self.op
    }

    /// Sets the `Progress` handler, once. Reports made before it was set are not replayed;
    /// [`last_progress`](Self::last_progress) has the latest.
    ///
    /// # Errors
    /// `E_ILLEGAL_DELEGATE_ASSIGNMENT` when a handler was set before.
    pub fn set_progress(&self, handler: ProgressHandler<P>) -> Result<()> {
        let mut st = self.shared.lock();
        if st.handler.is_some() {
            return Err(Error::new(E_ILLEGAL_DELEGATE_ASSIGNMENT, "the Progress handler is already set"));
        }
        st.handler = Some(handler);
        Ok(())
    }

    /// The latest progress reported, if any.
    pub fn last_progress(&self) -> Option<P> {
        self.shared.lock().last.clone()
    }
}
