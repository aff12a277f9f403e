//! Trust anchors: the system store (via rustls-native-certs, which honours `SSL_CERT_FILE` and
//! `SSL_CERT_DIR`), loaded once and cached, plus per-socket extra roots.
//!
//! The cache is keyed by the values of `SSL_CERT_FILE` and `SSL_CERT_DIR`: when either changes
//! (a test, or an app that points them elsewhere at run time), the next caller reloads, so a
//! process never keeps using a store its environment no longer names. Unchanged variables cost a
//! lookup of two environment variables and an `Arc` clone.

use std::ffi::OsString;
use std::sync::{Arc, Mutex};

use rustls::RootCertStore;

use super::certificate::Certificate;
use crate::error::{Error, Result};

/// The system trust store as loaded, with what could not be used.
#[derive(Debug)]
pub struct SystemRoots {
    store: Arc<RootCertStore>,
    /// The certificates the anchors came from, for chain building (`BuildChainAsync` returns
    /// the root as a certificate, which a bare trust anchor is not).
    certificates: Vec<rustls::pki_types::CertificateDer<'static>>,
    skipped: usize,
    load_errors: Vec<String>,
}

impl SystemRoots {
    /// The trust anchors.
    pub fn store(&self) -> &Arc<RootCertStore> {
        &self.store
    }

    /// The DER certificates the anchors were made from (those that parsed).
    pub(crate) fn certificates(&self) -> &[rustls::pki_types::CertificateDer<'static>] {
        &self.certificates
    }

    /// How many anchors were loaded.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether no anchor was loaded (then only extra roots can make a chain trusted).
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// How many certificates were found but could not be parsed as trust anchors (skipped).
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Files or directories that could not be read, as messages (they are skipped, not fatal).
    pub fn load_errors(&self) -> &[String] {
        &self.load_errors
    }
}

/// What the cached store was loaded for.
type CacheKey = (Option<OsString>, Option<OsString>);

static CACHE: Mutex<Option<(CacheKey, Arc<SystemRoots>)>> = Mutex::new(None);

/// The system trust store, loaded on first use and reloaded only when `SSL_CERT_FILE` or
/// `SSL_CERT_DIR` changed since. Never fails: unreadable sources and unparsable certificates
/// are counted and skipped ([`SystemRoots::skipped`], [`SystemRoots::load_errors`]).
pub fn system_roots() -> Arc<SystemRoots> {
    let key = (std::env::var_os("SSL_CERT_FILE"), std::env::var_os("SSL_CERT_DIR"));
    // A poisoned lock only means another thread panicked while loading; the data is still a
    // complete (key, store) pair or None, so keep using it.
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((cached_key, roots)) = cache.as_ref()
        && *cached_key == key
    {
        return Arc::clone(roots);
    }
    // Loaded under the lock so concurrent first callers read the store once.
    let roots = Arc::new(load_system_roots());
    *cache = Some((key, Arc::clone(&roots)));
    roots
}

fn load_system_roots() -> SystemRoots {
    let result = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let certificates: Vec<_> =
        result.certs.iter().filter(|c| webpki::anchor_from_trusted_cert(c).is_ok()).cloned().collect();
    let (_added, skipped) = store.add_parsable_certificates(result.certs);
    SystemRoots {
        store: Arc::new(store),
        certificates,
        skipped,
        load_errors: result.errors.iter().map(|e| e.to_string()).collect(),
    }
}

/// `extra` plus `base` as one store. With no extras, `base` itself is returned (no copy).
///
/// The extras come first: webpki tries the anchors in order and stops at the first that
/// completes a path, and an app that names its own roots usually connects to servers they
/// issued — with them last, every handshake first compared the issuer with each of the
/// system's anchors, well over a hundred (and built and ranked an error for each). Which
/// anchor ends a path does not change whether one exists.
///
/// An extra root that cannot be used as a trust anchor is `E_INVALIDARG`: the app named it
/// explicitly, so silently dropping it would only turn into a confusing Untrusted later.
pub fn with_extra_roots(base: &Arc<RootCertStore>, extra: &[Certificate]) -> Result<Arc<RootCertStore>> {
    if extra.is_empty() {
        return Ok(Arc::clone(base));
    }
    let mut roots = Vec::with_capacity(extra.len() + base.roots.len());
    for cert in extra {
        let anchor = webpki::anchor_from_trusted_cert(cert.der()).map_err(|e| {
            Error::invalid_arg(format!(
                "trusted root '{}' cannot be used as a trust anchor: {e}",
                cert.subject()
            ))
        })?;
        roots.push(anchor.to_owned());
    }
    roots.extend(base.roots.iter().cloned());
    Ok(Arc::new(RootCertStore { roots }))
}

/// The store a socket uses: the system store plus its extra roots
/// (`StreamSocketControl.TrustedRootCertificates`).
pub fn root_store(extra: &[Certificate]) -> Result<Arc<RootCertStore>> {
    with_extra_roots(system_roots().store(), extra)
}
