//! The system trust store honours `SSL_CERT_FILE`/`SSL_CERT_DIR`, is cached per value of those
//! variables, skips what it cannot parse, and combines with per-socket extra roots.
//!
//! One test function only: it changes process environment variables.

mod common;

use std::sync::Arc;

use common::Pki;
use netrt::tls::trust::{root_store, system_roots, with_extra_roots};
use netrt::tls::{Certificate, RecordingVerifier};
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

fn verify_with_system_store(pki: &Pki, extra: &[Certificate]) -> bool {
    let roots = root_store(extra).expect("store");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = RecordingVerifier::new(roots, &[], vec![], vec![], provider).expect("verifier");
    let leaf = CertificateDer::from(pki.der("leaf"));
    let name = ServerName::try_from("localhost").expect("name");
    verifier.verify_server_cert(&leaf, &[], &name, &[], UnixTime::now()).is_ok()
}

#[test]
fn system_store_follows_ssl_cert_file_and_dir() {
    let pki = Pki::get();
    let empty_dir = pki.path("empty-cert-dir");
    std::fs::create_dir_all(&empty_dir).unwrap();
    // A bundle with the test CA and a CERTIFICATE block that is valid base64 but no certificate.
    let junk = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    std::fs::write(pki.path("bundle.pem"), format!("{}{junk}", pki.pem("ca"))).unwrap();

    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    unsafe {
        std::env::set_var("SSL_CERT_FILE", pki.path("bundle.pem"));
        std::env::set_var("SSL_CERT_DIR", &empty_dir);
    }
    let roots = system_roots();
    assert_eq!(roots.len(), 1, "errors: {:?}", roots.load_errors());
    assert_eq!(roots.skipped(), 1);
    // Cached while the variables are unchanged.
    assert!(Arc::ptr_eq(&roots, &system_roots()));
    assert!(verify_with_system_store(pki, &[]));

    // Another root: reloaded, and the leaf is no longer trusted unless added as an extra root.
    unsafe { std::env::set_var("SSL_CERT_FILE", pki.path("other_ca.pem")) };
    let other = system_roots();
    assert!(!Arc::ptr_eq(&roots, &other));
    assert_eq!((other.len(), other.skipped()), (1, 0));
    assert!(!verify_with_system_store(pki, &[]));
    let ca = Certificate::from_der(&pki.der("ca")).unwrap();
    assert!(verify_with_system_store(pki, std::slice::from_ref(&ca)));

    // Extra roots add to the base store; none means the same store, not a copy.
    let combined = with_extra_roots(other.store(), &[ca]).unwrap();
    assert_eq!(combined.len(), 2);
    assert!(Arc::ptr_eq(&with_extra_roots(other.store(), &[]).unwrap(), other.store()));

    // A missing file is reported, not fatal.
    unsafe { std::env::set_var("SSL_CERT_FILE", pki.path("does-not-exist.pem")) };
    let missing = system_roots();
    assert!(missing.is_empty());
    assert!(!missing.load_errors().is_empty());
}
