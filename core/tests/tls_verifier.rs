//! `RecordingVerifier` driven directly through `ServerCertVerifier::verify_server_cert` with
//! openssl-made certificates: the complete error list, severity, HRESULT, ignoring, and the
//! rule that a broken signature never passes.

mod common;

use std::sync::Arc;

use common::Pki;
use netrt::error::hresult;
use netrt::tls::chain::ChainValidationResult::{self, *};
use netrt::tls::verifier::{record_hresult, verification_error};
use netrt::tls::{Certificate, RecordingVerifier, SocketSslErrorSeverity, VerificationRecord};
use rustls::RootCertStore;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

/// Every ignorable value: what an app that ignores "everything it can" passes.
const ALL_IGNORABLE: [ChainValidationResult; 7] = [
    Untrusted,
    Expired,
    IncompleteChain,
    WrongUsage,
    InvalidName,
    RevocationInformationMissing,
    RevocationFailure,
];

struct Case<'a> {
    leaf: &'a str,
    sent: &'a [&'a str],
    host: &'a str,
    roots: &'a [&'a str],
    ignore: &'a [ChainValidationResult],
    crls: &'a [&'a str],
}

impl Default for Case<'_> {
    fn default() -> Self {
        Self { leaf: "leaf.der", sent: &[], host: "localhost", roots: &["ca"], ignore: &[], crls: &[] }
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Runs one verification; returns whether rustls may go on, and the record.
fn run(case: Case<'_>) -> (bool, VerificationRecord) {
    let pki = Pki::get();
    let roots: Vec<Certificate> =
        case.roots.iter().map(|r| Certificate::from_der(&pki.der(r)).expect("root")).collect();
    let crls = case.crls.iter().map(|c| pki.read(c)).collect();
    let verifier = RecordingVerifier::new(
        Arc::new(RootCertStore::empty()),
        &roots,
        case.ignore.to_vec(),
        crls,
        provider(),
    )
    .expect("verifier");
    let leaf = CertificateDer::from(pki.read(case.leaf));
    let sent: Vec<CertificateDer<'static>> =
        case.sent.iter().map(|s| CertificateDer::from(pki.der(s))).collect();
    let name = ServerName::try_from(case.host.to_owned()).expect("name");
    let result = verifier.verify_server_cert(&leaf, &sent, &name, &[], UnixTime::now());
    let record = verifier.snapshot();
    assert_eq!(result.is_ok(), record.accepted, "record.accepted mirrors the result");
    (result.is_ok(), record)
}

fn assert_fails(case: Case<'_>, errors: &[ChainValidationResult], severity: SocketSslErrorSeverity, hr: i32) {
    let (ok, record) = run(case);
    assert!(!ok, "accepted: {record:?}");
    assert_eq!(record.errors, errors, "details: {:?}", record.details);
    assert_eq!(record.severity, severity);
    assert_eq!(record_hresult(&record), Some(hr));
    let error = verification_error(&record).expect("error");
    assert_eq!(error.hresult(), hr);
    for e in errors {
        assert!(error.message().contains(e.name()), "{error}");
    }
}

#[test]
fn valid_chain_passes_with_no_errors() {
    for host in ["localhost", "127.0.0.1"] {
        let (ok, record) = run(Case { host, ..Case::default() });
        assert!(ok, "{host}: {:?}", record.details);
        assert!(record.errors.is_empty());
        assert_eq!(record.severity, SocketSslErrorSeverity::None);
        assert_eq!(record_hresult(&record), None);
        assert!(verification_error(&record).is_none());
        assert_eq!(
            record.server_certificate.as_ref().map(|c| c.subject().to_owned()).as_deref(),
            Some("localhost")
        );
    }
}

#[test]
fn chain_through_an_intermediate() {
    let (ok, record) = run(Case { leaf: "leaf_inter.der", sent: &["inter"], ..Case::default() });
    assert!(ok, "{:?}", record.details);
    assert_eq!(record.intermediates.len(), 1);
    assert_eq!(record.intermediates[0].subject(), "netrt Test Intermediate");
    // Without the intermediate no path exists.
    assert_fails(
        Case { leaf: "leaf_inter.der", ..Case::default() },
        &[Untrusted],
        SocketSslErrorSeverity::Ignorable,
        hresult::CERT_E_UNTRUSTEDROOT,
    );
}

#[test]
fn untrusted_root() {
    let case = || Case { roots: &["other_ca"], ..Case::default() };
    assert_fails(case(), &[Untrusted], SocketSslErrorSeverity::Ignorable, hresult::CERT_E_UNTRUSTEDROOT);
    let (ok, record) = run(Case { ignore: &[Untrusted], ..case() });
    assert!(ok);
    // Ignored errors stay visible on Information.
    assert_eq!(record.errors, [Untrusted]);
    assert_eq!(record.severity, SocketSslErrorSeverity::Ignorable);
}

#[test]
fn expired_and_not_yet_valid() {
    for leaf in ["expired.der", "future.der"] {
        let case = || Case { leaf, ..Case::default() };
        assert_fails(case(), &[Expired], SocketSslErrorSeverity::Ignorable, hresult::CERT_E_EXPIRED);
        assert!(run(Case { ignore: &[Expired], ..case() }).0, "{leaf}");
        assert!(!run(Case { ignore: &[Untrusted, InvalidName], ..case() }).0, "{leaf}");
    }
}

#[test]
fn expired_intermediate_is_found_past_a_valid_leaf() {
    let case = || Case { leaf: "leaf_old_inter.der", sent: &["inter_old"], ..Case::default() };
    assert_fails(case(), &[Expired], SocketSslErrorSeverity::Ignorable, hresult::CERT_E_EXPIRED);
    // Ignoring it still verifies the rest of the chain (time moved inside both validity periods).
    let (ok, record) = run(Case { ignore: &[Expired], ..case() });
    assert!(ok, "{:?}", record.details);
    assert!(!run(Case { ignore: &[Expired], roots: &["other_ca"], ..case() }).0);
}

#[test]
fn wrong_host() {
    assert_fails(
        Case { host: "example.com", ..Case::default() },
        &[InvalidName],
        SocketSslErrorSeverity::Ignorable,
        hresult::CERT_E_CN_NO_MATCH,
    );
    assert_fails(
        Case { host: "127.0.0.2", ..Case::default() },
        &[InvalidName],
        SocketSslErrorSeverity::Ignorable,
        hresult::CERT_E_CN_NO_MATCH,
    );
    let case = || Case { leaf: "wronghost.der", ..Case::default() };
    assert_fails(case(), &[InvalidName], SocketSslErrorSeverity::Ignorable, hresult::CERT_E_CN_NO_MATCH);
    assert!(run(Case { ignore: &[InvalidName], ..case() }).0);
}

#[test]
fn wrong_usage() {
    let case = || Case { leaf: "clientonly.der", ..Case::default() };
    assert_fails(case(), &[WrongUsage], SocketSslErrorSeverity::Ignorable, hresult::CERT_E_WRONG_USAGE);
    assert!(run(Case { ignore: &[WrongUsage], ..case() }).0);
}

#[test]
fn self_signed_is_untrusted_whatever_its_ca_flag() {
    for leaf in ["selfsigned.der", "selfsigned_ca.der"] {
        let case = || Case { leaf, ..Case::default() };
        assert_fails(case(), &[Untrusted], SocketSslErrorSeverity::Ignorable, hresult::CERT_E_UNTRUSTEDROOT);
        assert!(run(Case { ignore: &[Untrusted], ..case() }).0, "{leaf}");
        // Trusted explicitly, it passes cleanly.
        let root = leaf.trim_end_matches(".der");
        let (ok, record) = run(Case { roots: &[root], ..case() });
        assert!(ok && record.errors.is_empty(), "{leaf}: {:?}", record.details);
    }
}

#[test]
fn every_error_is_listed() {
    // Expired, from an untrusted root, for another host: three ignorable errors at once.
    let case = || Case { leaf: "expired.der", host: "example.com", roots: &["other_ca"], ..Case::default() };
    assert_fails(
        case(),
        &[Untrusted, Expired, InvalidName],
        SocketSslErrorSeverity::Ignorable,
        hresult::CERT_E_UNTRUSTEDROOT,
    );
    assert!(!run(Case { ignore: &[Untrusted, Expired], ..case() }).0);
    assert!(run(Case { ignore: &[Untrusted, Expired, InvalidName], ..case() }).0);
    // Wrong usage and wrong name on a trusted chain.
    let (_, record) = run(Case { leaf: "clientonly.der", host: "other.example", ..Case::default() });
    assert_eq!(record.errors, [WrongUsage, InvalidName], "{:?}", record.details);
}

#[test]
fn broken_signature_never_passes() {
    // Issued by a trusted CA: the chain check itself finds it.
    let trusted = || Case { leaf: "leaf_badsig.der", ..Case::default() };
    assert_fails(
        trusted(),
        &[InvalidSignature],
        SocketSslErrorSeverity::Fatal,
        hresult::TRUST_E_CERT_SIGNATURE,
    );
    assert!(!run(Case { ignore: &ALL_IGNORABLE, ..trusted() }).0);
    // Untrusted CA sent along: the sent chain's consistency check finds it.
    let sent = || Case { leaf: "leaf_badsig.der", sent: &["ca"], roots: &["other_ca"], ..Case::default() };
    assert_fails(
        sent(),
        &[Untrusted, InvalidSignature],
        SocketSslErrorSeverity::Fatal,
        hresult::TRUST_E_CERT_SIGNATURE,
    );
    assert!(!run(Case { ignore: &ALL_IGNORABLE, ..sent() }).0);
    // Self-signed with a broken self-signature.
    let selfsigned = || Case { leaf: "selfsigned_badsig.der", ..Case::default() };
    assert_fails(
        selfsigned(),
        &[Untrusted, InvalidSignature],
        SocketSslErrorSeverity::Fatal,
        hresult::TRUST_E_CERT_SIGNATURE,
    );
    assert!(!run(Case { ignore: &ALL_IGNORABLE, ..selfsigned() }).0);
}

#[test]
fn intact_sent_chain_passes_when_untrusted_is_ignored() {
    let case = Case {
        leaf: "leaf_inter.der",
        sent: &["inter", "ca"],
        roots: &[],
        ignore: &[Untrusted],
        ..Case::default()
    };
    let (ok, record) = run(case);
    assert!(ok, "{:?}", record.details);
    assert_eq!(record.errors, [Untrusted]);
    assert_eq!(record.intermediates.len(), 2);
}

#[test]
fn revocation_only_with_crls() {
    let revoked = || Case { leaf: "revoked.der", crls: &["crl.der"], ..Case::default() };
    assert_fails(revoked(), &[Revoked], SocketSslErrorSeverity::Fatal, hresult::CRYPT_E_REVOKED);
    assert!(!run(Case { ignore: &ALL_IGNORABLE, ..revoked() }).0);
    // No CRL: no revocation result at all.
    let (ok, record) = run(Case { leaf: "revoked.der", ..Case::default() });
    assert!(ok && record.errors.is_empty());
    // A certificate the CRL does not list.
    let (ok, record) = run(Case { crls: &["crl.der"], ..Case::default() });
    assert!(ok && record.errors.is_empty(), "{:?}", record.details);
    // A chain whose intermediate no CRL covers: no result for it (not RevocationInformationMissing).
    let (ok, record) =
        run(Case { leaf: "leaf_inter.der", sent: &["inter"], crls: &["crl.der"], ..Case::default() });
    assert!(ok && record.errors.is_empty(), "{:?}", record.details);
}

#[test]
fn structural_defects_are_fatal() {
    assert_fails(
        Case { leaf: "critical_ext.der", ..Case::default() },
        &[UnknownCriticalExtension],
        SocketSslErrorSeverity::Fatal,
        hresult::CERT_E_CRITICAL,
    );
    assert!(!run(Case { leaf: "critical_ext.der", ignore: &ALL_IGNORABLE, ..Case::default() }).0);
    let by_leaf = || Case { leaf: "leaf_by_leaf.der", sent: &["leaf"], ..Case::default() };
    assert_fails(
        by_leaf(),
        &[BasicConstraintsError],
        SocketSslErrorSeverity::Fatal,
        hresult::TRUST_E_BASIC_CONSTRAINTS,
    );
    assert!(!run(Case { ignore: &ALL_IGNORABLE, ..by_leaf() }).0);
}

#[test]
fn malformed_peer_certificate_is_fatal() {
    let pki = Pki::get();
    std::fs::write(pki.path("garbage.der"), b"\x30\x03\x02\x01\x01").unwrap();
    let (ok, record) = run(Case { leaf: "garbage.der", ignore: &ALL_IGNORABLE, ..Case::default() });
    assert!(!ok);
    assert_eq!(record.errors, [OtherErrors]);
    assert_eq!(record.severity, SocketSslErrorSeverity::Fatal);
    assert!(record.server_certificate.is_none());
    assert_eq!(record_hresult(&record), Some(hresult::TRUST_E_FAIL));
}

#[test]
fn construction_rejects_bad_ignorables_and_crls() {
    let new = |ignore: Vec<ChainValidationResult>, crls: Vec<Vec<u8>>| {
        RecordingVerifier::new(Arc::new(RootCertStore::empty()), &[], ignore, crls, provider())
    };
    for bad in [Revoked, InvalidSignature, BasicConstraintsError, OtherErrors, Success] {
        assert_eq!(new(vec![bad], vec![]).unwrap_err().hresult(), hresult::E_INVALIDARG, "{bad}");
    }
    assert!(new(ALL_IGNORABLE.to_vec(), vec![]).is_ok());
    assert_eq!(new(vec![], vec![b"not a crl".to_vec()]).unwrap_err().hresult(), hresult::E_INVALIDARG);
    let verifier = new(vec![], vec![]).unwrap();
    assert!(!verifier.supported_verify_schemes().is_empty());
    assert!(verifier.snapshot().server_certificate.is_none());
}

#[test]
fn fresh_copies_share_the_policy_not_the_record() {
    let pki = Pki::get();
    let ca = Certificate::from_der(&pki.der("ca")).unwrap();
    let original =
        RecordingVerifier::new(Arc::new(RootCertStore::empty()), &[ca], vec![Expired], vec![], provider())
            .unwrap();
    let copy = original.fresh();
    let name = ServerName::try_from("localhost").unwrap();
    let expired = CertificateDer::from(pki.der("expired"));
    assert!(copy.verify_server_cert(&expired, &[], &name, &[], UnixTime::now()).is_ok(), "policy kept");
    assert_eq!(copy.snapshot().errors, [Expired]);
    assert!(original.snapshot().server_certificate.is_none(), "the original record is untouched");
    let untrusted = CertificateDer::from(pki.der("selfsigned"));
    assert!(original.verify_server_cert(&untrusted, &[], &name, &[], UnixTime::now()).is_err());
    assert_eq!(copy.snapshot().errors, [Expired]);
}
