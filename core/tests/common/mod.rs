//! Helpers shared by the TLS integration tests.

#![allow(dead_code, unused_imports)] // Each test binary uses a different subset.

pub mod pki;

pub use pki::{Pki, field, parse_openssl_date, unhex};

use netrt::tls::Certificate;

/// The test PKI, with the system trust store pointed at its CA (`SSL_CERT_FILE`, set once per
/// test binary, before anything reads the store).
pub fn trust_test_ca() -> &'static Pki {
    static ONCE: std::sync::Once = std::sync::Once::new();
    let pki = Pki::get();
    // SAFETY: set once, before any test of this binary reads the environment.
    ONCE.call_once(|| unsafe { std::env::set_var("SSL_CERT_FILE", pki.path("ca.pem")) });
    pki
}

/// Certificate `name` of the PKI (from its DER).
pub fn cert(pki: &Pki, name: &str) -> Certificate {
    Certificate::from_der(&pki.der(name)).unwrap()
}
