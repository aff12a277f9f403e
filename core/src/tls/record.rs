//! What a verification found ([`VerificationRecord`]), how it becomes an HRESULT and an
//! [`Error`], and where it is written.
//!
//! A record describes one handshake. A verifier writes into its own record, unless the
//! handshake runs inside [`with_record`] / [`recorded`], which redirect every verification made
//! on that thread meanwhile into the connection's record. That redirection is what lets one
//! verifier be shared by many sockets: rustls resumes a TLS session only with the *same*
//! verifier instance (it compares the `Arc`s), so per-socket verifiers would make session
//! resumption across sockets impossible, while a shared verifier with a shared record would
//! mix up the connections' results.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use super::certificate::Certificate;
use super::chain::{self, ChainValidationResult, SocketSslErrorSeverity, hresult_for, hresult_name_for};
use super::verifier::DeferredValidation;
use crate::error::Error;
use crate::error::hresult::HResult;

/// What a verifier found for the peer's certificate. On the client side this is the server's
/// certificate; a `RecordingClientVerifier` fills the same record with the client's.
#[derive(Debug, Clone, Default)]
pub struct VerificationRecord {
    /// The peer's end-entity certificate (`None` before verification, or if it was unparsable).
    pub server_certificate: Option<Certificate>,
    /// The other certificates the peer sent, in the order sent (unparsable ones left out).
    pub intermediates: Vec<Certificate>,
    /// Every error found, sorted by value, without duplicates; empty when the chain is valid.
    pub errors: Vec<ChainValidationResult>,
    /// The combined severity of `errors`.
    pub severity: SocketSslErrorSeverity,
    /// One human-readable line per finding (for detail messages and logs).
    pub details: Vec<String>,
    /// Whether the certificate was accepted (no errors, or all of them ignorable and ignored).
    pub accepted: bool,
    /// A resumed session's record, still to be made: the fields above are then empty, and
    /// what a socket keeps of this record is the validation, made when first asked for.
    pub(crate) deferred: Option<Arc<DeferredValidation>>,
}

/// A finished handshake's record as a socket keeps it: an accepted certificate without
/// findings (the usual case) costs three words inline instead of a shared, locked record of
/// its own; anything else is kept whole.
#[derive(Debug, Clone, Default)]
pub(crate) enum KeptRecord {
    /// No handshake yet.
    #[default]
    Empty,
    /// Accepted, no errors and no details: only the certificates.
    Accepted { leaf: Certificate, intermediates: Box<[Certificate]> },
    /// A resumed session's: validated when first asked for (see [`DeferredValidation`]).
    Deferred(Arc<DeferredValidation>),
    /// Anything else (errors found, ignored or not; no usable certificate).
    Other(Box<VerificationRecord>),
}

impl KeptRecord {
    /// The compact form of `record`.
    pub(crate) fn keep(record: VerificationRecord) -> Self {
        if let Some(deferred) = record.deferred {
            return Self::Deferred(deferred);
        }
        let clean = record.accepted
            && record.errors.is_empty()
            && record.details.is_empty()
            && record.severity == SocketSslErrorSeverity::None;
        match record.server_certificate {
            Some(leaf) if clean => Self::Accepted { leaf, intermediates: record.intermediates.into() },
            server_certificate => Self::Other(Box::new(VerificationRecord { server_certificate, ..record })),
        }
    }

    /// The record as [`VerificationRecord`] describes it (the default one when empty).
    pub(crate) fn record(&self) -> VerificationRecord {
        match self {
            Self::Empty => VerificationRecord::default(),
            Self::Accepted { leaf, intermediates } => VerificationRecord {
                server_certificate: Some(leaf.clone()),
                intermediates: intermediates.to_vec(),
                accepted: true,
                ..VerificationRecord::default()
            },
            Self::Other(record) => (**record).clone(),
            Self::Deferred(deferred) => deferred.record().clone(),
        }
    }
}

/// A record shared between a verifier (or a [`recorded`] handshake) and the socket reading it.
pub type SharedRecord = Arc<Mutex<VerificationRecord>>;

/// The HRESULT a failed validation reports: that of the primary error (see
/// [`chain::primary_rank`]: InvalidSignature, Revoked and the other fatal errors first, then
/// Untrusted, Expired, InvalidName, WrongUsage, IncompleteChain, RevocationFailure,
/// RevocationInformationMissing). `None` when there is no error.
pub fn record_hresult(record: &VerificationRecord) -> Option<HResult> {
    chain::primary_error(&record.errors).map(hresult_for)
}

/// The netrt [`Error`] for a record with errors: the HRESULT of [`record_hresult`] and a
/// message naming the certificate and listing every error with its details. `None` when
/// there is no error. (Whether the errors were ignored is up to the caller to look at.)
pub fn verification_error(record: &VerificationRecord) -> Option<Error> {
    let primary = chain::primary_error(&record.errors)?;
    let who = match &record.server_certificate {
        Some(c) => format!("the certificate '{}' ({})", c.subject(), c.subject_distinguished_name()),
        None => "the peer's certificate".to_owned(),
    };
    let list: Vec<String> = record.errors.iter().map(|e| format!("{e} ({})", hresult_name_for(*e))).collect();
    let mut message = format!("{who} failed validation: {}", list.join(", "));
    if !record.details.is_empty() {
        message.push_str(" [");
        message.push_str(&record.details.join("; "));
        message.push(']');
    }
    Some(Error::new(hresult_for(primary), message))
}

/// Locks a record; a poisoned lock still holds a whole record (it is replaced in one store).
pub fn lock(record: &SharedRecord) -> MutexGuard<'_, VerificationRecord> {
    record.lock().unwrap_or_else(|p| p.into_inner())
}

thread_local! {
    /// The record of the handshake being driven on this thread, if any.
    static CURRENT: RefCell<Option<SharedRecord>> = const { RefCell::new(None) };
}

/// Runs `f` with `record` as the destination of every verification made on this thread until
/// `f` returns (nesting restores the outer record afterwards, also on panic).
pub fn with_record<R>(record: &SharedRecord, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<SharedRecord>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(Some(Arc::clone(record)))));
    f()
}

/// Stores `value` where the current handshake's verification belongs: the [`with_record`]
/// record of this thread if there is one, else `own`.
pub(crate) fn store(own: &SharedRecord, value: VerificationRecord) {
    let scoped = CURRENT.with(|c| c.borrow().clone());
    *lock(scoped.as_ref().unwrap_or(own)) = value;
}

/// A future whose every poll runs inside [`with_record`]: wrap a handshake future (e.g.
/// tokio-rustls' `connect`/`accept`) so the verifications rustls makes while driving it —
/// always synchronously, inside `poll` — land in that connection's record.
pub struct Recorded<F> {
    record: SharedRecord,
    // Boxed so no unsafe pin projection is needed; one allocation per handshake.
    inner: Pin<Box<F>>,
}

/// Wraps `future` so its verifications are written into `record` (see [`Recorded`]).
pub fn recorded<F: Future>(record: SharedRecord, future: F) -> Recorded<F> {
    Recorded { record, inner: Box::pin(future) }
}

impl<F: Future> Future for Recorded<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let record = Arc::clone(&this.record);
        with_record(&record, || this.inner.as_mut().poll(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(n: usize) -> VerificationRecord {
        VerificationRecord { details: vec![n.to_string()], ..Default::default() }
    }

    #[test]
    fn store_goes_to_the_innermost_scope() {
        let (own, outer, inner) = (SharedRecord::default(), SharedRecord::default(), SharedRecord::default());
        store(&own, marked(1));
        with_record(&outer, || {
            store(&own, marked(2));
            with_record(&inner, || store(&own, marked(3)));
            store(&own, marked(4));
        });
        store(&own, marked(5));
        assert_eq!(lock(&own).details, ["5"]);
        assert_eq!(lock(&outer).details, ["4"]);
        assert_eq!(lock(&inner).details, ["3"]);
    }

    #[test]
    fn scope_is_restored_after_a_panic() {
        let (own, scoped) = (SharedRecord::default(), SharedRecord::default());
        let result = std::panic::catch_unwind(|| with_record(&scoped, || panic!("boom")));
        assert!(result.is_err());
        store(&own, marked(1));
        assert_eq!(lock(&own).details, ["1"]);
        assert!(lock(&scoped).details.is_empty());
    }

    #[test]
    fn recorded_future_scopes_each_poll() {
        let (own, scoped) = (SharedRecord::default(), SharedRecord::default());
        let own2 = Arc::clone(&own);
        let mut fut = recorded(Arc::clone(&scoped), async move { store(&own2, marked(7)) });
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        assert!(Pin::new(&mut fut).poll(&mut cx).is_ready());
        assert_eq!(lock(&scoped).details, ["7"]);
        assert!(lock(&own).details.is_empty());
    }
}
