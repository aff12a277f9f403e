//! The chain-validation engine behind the recording verifiers: finds *every* applicable
//! [`ChainValidationResult`], not only the first error webpki stops at.
//!
//! How the list is made complete:
//! - The leaf's dates, extended key usage and name are checked on their own.
//! - webpki builds and verifies the path. When it stops at an error an app may ignore (dates,
//!   EKU, revocation status), that error is recorded and the check is run again with that one
//!   aspect relaxed (a time inside the chain's validity, any EKU, no revocation), so the rest
//!   of the chain — above all its signatures — is still verified. An aspect is relaxed at most
//!   once; if webpki still cannot finish, `OtherErrors` is recorded (fail closed).
//! - A leaf that is itself a trust anchor is trusted as is (its own signature is still checked
//!   when it is self-signed). A self-signed leaf that is not an anchor is `Untrusted` (as on
//!   Windows, whether or not it says CA:TRUE).
//! - When no path reaches a trust anchor (`Untrusted`), the chain the peer sent is still checked
//!   for internal consistency: each certificate must be signed by the sent certificate named as
//!   its issuer, and a self-issued certificate by itself. A broken signature is
//!   `InvalidSignature`, which is fatal, so ignoring `Untrusted` never accepts a forged chain.
//!
//! Revocation is checked only against the CRLs supplied; certificates none of them covers get
//! no revocation result (and with no CRLs at all, there is no revocation result ever).

use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, ExtendedKeyUsageValidator, KeyPurposeIdIter,
    KeyUsage, RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy,
};

use super::certificate::Certificate;
use super::chain::ChainValidationResult::{self, *};
use super::chain::SocketSslErrorSeverity;
use super::der::{self, SignatureError};

/// Which end of the connection the certificate authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Usage {
    /// A server certificate: serverAuth EKU.
    Server,
    /// A client certificate: clientAuth EKU.
    Client,
    /// No particular usage (`CertificateChain.Validate()` with the base policy): the EKU is
    /// not checked.
    Any,
}

/// What a validation found.
#[derive(Debug, Default, Clone)]
pub(crate) struct Outcome {
    pub certificate: Option<Certificate>,
    pub intermediates: Vec<Certificate>,
    /// Every error, sorted by value, no duplicates.
    pub errors: Vec<ChainValidationResult>,
    /// One line per finding, in the order found.
    pub details: Vec<String>,
}

impl Outcome {
    fn push(&mut self, result: ChainValidationResult, detail: impl Into<String>) {
        if let Err(at) = self.errors.binary_search(&result) {
            self.errors.insert(at, result);
        }
        self.details.push(format!("{result}: {}", detail.into()));
    }
}

/// Inputs that stay the same for every validation a verifier does.
pub(crate) struct Policy<'a> {
    pub anchors: &'a [TrustAnchor<'static>],
    pub crls: &'a [CertRevocationList<'static>],
    pub algs: &'a [&'static dyn SignatureVerificationAlgorithm],
    pub usage: Usage,
}

/// An EKU validator that accepts anything: used once the wrong usage has been recorded.
struct AnyUsage;

impl ExtendedKeyUsageValidator for AnyUsage {
    fn validate(&self, _: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        Ok(())
    }
}

/// Validates `end_entity` (+ the `intermediates` the peer sent) at `now`, checking the name
/// only when `name` is given.
pub(crate) fn evaluate(
    policy: &Policy<'_>,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    name: Option<&ServerName<'_>>,
    now: UnixTime,
) -> Outcome {
    let mut out = Outcome::default();
    let leaf = match Certificate::from_der_shared(end_entity) {
        Ok(c) => c,
        Err(e) => {
            out.push(OtherErrors, format!("the certificate cannot be parsed: {}", e.message()));
            return out;
        }
    };
    for (i, der) in intermediates.iter().enumerate() {
        match Certificate::from_der_shared(der) {
            Ok(c) => out.intermediates.push(c),
            Err(e) => out.details.push(format!("intermediate {} ignored: {}", i + 1, e.message())),
        }
    }
    out.certificate = Some(leaf.clone());
    let now_secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    check_leaf(&leaf, policy.usage, now_secs, &mut out);

    let ee = match EndEntityCert::try_from(end_entity) {
        Ok(ee) => ee,
        Err(e) => {
            // Parse-time failures (unknown critical extension, unsupported version, bad DER)
            // are all fatal; never let one map to something ignorable.
            let result = match classify(&e) {
                r if r.severity() == SocketSslErrorSeverity::Fatal => r,
                _ => OtherErrors,
            };
            out.push(result, format!("the certificate is not usable for TLS ({e})"));
            return out;
        }
    };
    if let Some(name) = name
        && let Err(e) = ee.verify_is_valid_for_subject_name(name)
    {
        out.push(InvalidName, format!("'{}' is not a name of this certificate ({e})", name.to_str()));
    }

    let leaf_anchor = webpki::anchor_from_trusted_cert(end_entity).ok();
    let is_anchor = leaf_anchor.is_some_and(|la| {
        policy.anchors.iter().any(|a| {
            a.subject.as_ref() == la.subject.as_ref()
                && a.subject_public_key_info.as_ref() == la.subject_public_key_info.as_ref()
        })
    });
    let issuer_value = der::read_tlv(leaf.issuer_raw()).map(|(t, _)| t.content).unwrap_or_default();
    let issuer_is_anchor_name = policy.anchors.iter().any(|a| a.subject.as_ref() == issuer_value);

    if is_anchor {
        // Trusted as configured; nothing above it to check.
        if leaf.is_self_issued() {
            check_self_signature(policy, &leaf, true, &mut out);
        }
    } else if leaf.is_self_signed() || (leaf.is_self_issued() && !issuer_is_anchor_name) {
        out.push(
            Untrusted,
            format!("the self-signed certificate '{}' is not in the trust store", leaf.subject()),
        );
        check_self_signature(policy, &leaf, true, &mut out);
    } else {
        build_path(policy, &ee, &leaf, intermediates, &mut out, now);
    }
    out
}

/// Dates and EKU of the leaf, independently of the path.
fn check_leaf(leaf: &Certificate, usage: Usage, now: i64, out: &mut Outcome) {
    let (not_before, not_after) = leaf.validity_unix();
    if now < not_before {
        out.push(Expired, format!("'{}' is not valid before {}", leaf.subject(), utc(not_before)));
    } else if now > not_after {
        out.push(Expired, format!("'{}' expired at {}", leaf.subject(), utc(not_after)));
    }
    let (allowed, what) = match usage {
        Usage::Server => (leaf.allows_server_auth(), "serverAuth"),
        Usage::Client => (leaf.allows_client_auth(), "clientAuth"),
        Usage::Any => (true, "any usage"),
    };
    if !allowed {
        out.push(
            WrongUsage,
            format!(
                "'{}' is not valid for {what} (EKU: {})",
                leaf.subject(),
                leaf.enhanced_key_usages().join(", ")
            ),
        );
    }
}

/// Runs webpki, relaxing each ignorable aspect once it has been recorded.
fn build_path(
    policy: &Policy<'_>,
    ee: &EndEntityCert<'_>,
    leaf: &Certificate,
    intermediates: &[CertificateDer<'_>],
    out: &mut Outcome,
    now: UnixTime,
) {
    let crl_refs: Vec<&CertRevocationList<'static>> = policy.crls.iter().collect();
    let revocation = RevocationOptionsBuilder::new(&crl_refs).ok().map(|b| {
        b.with_depth(RevocationCheckDepth::Chain)
            .with_status_policy(UnknownStatusPolicy::Allow)
            .with_expiration_policy(ExpirationPolicy::Enforce)
            .build()
    });
    let (mut time, mut any_usage, mut check_revocation) =
        (now, policy.usage == Usage::Any, revocation.is_some());
    let mut time_relaxed = false;
    let strict_usage = match policy.usage {
        Usage::Server => KeyUsage::server_auth(),
        // `Any` starts with `any_usage` set, so this is never used for it.
        Usage::Client | Usage::Any => KeyUsage::client_auth(),
    };
    // Each relaxation happens at most once, so four attempts always suffice.
    for _ in 0..4 {
        let rev = if check_revocation { revocation } else { None };
        let result = if any_usage {
            ee.verify_for_usage(policy.algs, policy.anchors, intermediates, time, AnyUsage, rev, None)
        } else {
            ee.verify_for_usage(policy.algs, policy.anchors, intermediates, time, strict_usage, rev, None)
        };
        let err = match result {
            Ok(_) => return,
            Err(e) => e,
        };
        let result = classify(&err);
        match result {
            Expired if !time_relaxed => {
                // The leaf's own dates were already reported; only an issuer's are news.
                if !out.errors.contains(&Expired) {
                    out.push(
                        Expired,
                        format!("an issuer in the chain is outside its validity period ({err})"),
                    );
                }
                time = time_inside_chain(leaf, &out.intermediates, now);
                time_relaxed = true;
            }
            WrongUsage if !any_usage => {
                if !out.errors.contains(&WrongUsage) {
                    out.push(WrongUsage, format!("an issuer in the chain does not allow this usage ({err})"));
                }
                any_usage = true;
            }
            RevocationInformationMissing | RevocationFailure if check_revocation => {
                out.push(result, format!("revocation could not be checked ({err})"));
                check_revocation = false;
            }
            Untrusted => {
                out.push(Untrusted, format!("no chain to a trusted root could be built ({err})"));
                check_sent_chain(policy, leaf, &out.intermediates.clone(), out);
                return;
            }
            Expired | WrongUsage | RevocationInformationMissing | RevocationFailure => {
                out.push(
                    OtherErrors,
                    format!("validation could not complete after relaxing {result} ({err})"),
                );
                return;
            }
            fatal => {
                out.push(fatal, err.to_string());
                return;
            }
        }
    }
    out.push(OtherErrors, "validation did not converge");
}

/// Maps a webpki error to the WinRT result that describes it.
fn classify(err: &webpki::Error) -> ChainValidationResult {
    use webpki::Error as E;
    #[allow(deprecated)]
    match err {
        E::CertExpired { .. } | E::CertNotValidYet { .. } => Expired,
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => WrongUsage,
        E::UnknownIssuer => Untrusted,
        E::InvalidSignatureForPublicKey
        | E::SignatureAlgorithmMismatch
        | E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => InvalidSignature,
        // Explicit distrust reports as revoked, as Windows' TRUST_E_EXPLICIT_DISTRUST does.
        E::CertRevoked | E::CertDistrusted => Revoked,
        E::UnknownRevocationStatus => RevocationInformationMissing,
        E::CrlExpired { .. }
        | E::InvalidCrlSignatureForPublicKey
        | E::IssuerNotCrlSigner
        | E::UnsupportedCrlSignatureAlgorithm
        | E::UnsupportedCrlSignatureAlgorithmContext(_)
        | E::UnsupportedCrlSignatureAlgorithmForPublicKey
        | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => RevocationFailure,
        E::CaUsedAsEndEntity | E::EndEntityUsedAsCa | E::PathLenConstraintViolated => BasicConstraintsError,
        E::UnsupportedCriticalExtension => UnknownCriticalExtension,
        E::NameConstraintViolation | E::InvalidNetworkMaskConstraint | E::CertNotValidForName(_) => {
            InvalidName
        }
        _ => OtherErrors,
    }
}

/// The sent certificates reachable from `leaf` by issuer name (no signature check).
fn name_chain<'a>(leaf: &Certificate, sent: &'a [Certificate]) -> Vec<&'a Certificate> {
    let mut chain: Vec<&Certificate> = Vec::new();
    let mut issuer = leaf.issuer_raw();
    let mut self_issued = leaf.is_self_issued();
    while !self_issued {
        let Some(next) =
            sent.iter().find(|c| c.subject_raw() == issuer && !chain.iter().any(|p| std::ptr::eq(*p, *c)))
        else {
            break;
        };
        chain.push(next);
        issuer = next.issuer_raw();
        self_issued = next.is_self_issued();
    }
    chain
}

/// A time at which the leaf (and, when possible, its sent issuers) are all valid, as close to
/// `now` as possible: used to look past an Expired error at the rest of the chain.
fn time_inside_chain(leaf: &Certificate, sent: &[Certificate], now: UnixTime) -> UnixTime {
    let (leaf_lo, leaf_hi) = leaf.validity_unix();
    let (mut lo, mut hi) = (leaf_lo, leaf_hi);
    for c in name_chain(leaf, sent) {
        let (nb, na) = c.validity_unix();
        lo = lo.max(nb);
        hi = hi.min(na);
    }
    if lo > hi {
        (lo, hi) = (leaf_lo, leaf_hi);
    }
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let t = now.clamp(lo, hi.max(lo)).max(0);
    UnixTime::since_unix_epoch(Duration::from_secs(t.unsigned_abs()))
}

/// Records InvalidSignature when `cert`'s self-signature does not verify. For the leaf an
/// unsupported algorithm counts as a failure (nothing else vouches for it); for a sent root it
/// does not (webpki never checks a root's self-signature either).
fn check_self_signature(policy: &Policy<'_>, cert: &Certificate, is_leaf: bool, out: &mut Outcome) {
    match der::verify_signed_by(policy.algs, cert.der(), cert.spki()) {
        Ok(()) => {}
        Err(SignatureError::UnsupportedAlgorithm) if !is_leaf => out
            .details
            .push(format!("the self-signature of '{}' uses an unsupported algorithm", cert.subject())),
        Err(e) => out.push(
            InvalidSignature,
            format!("the self-signature of '{}' does not verify ({e:?})", cert.subject()),
        ),
    }
}

/// Checks that the sent chain is internally consistent (see the module docs).
fn check_sent_chain(policy: &Policy<'_>, leaf: &Certificate, sent: &[Certificate], out: &mut Outcome) {
    let mut used = vec![false; sent.len()];
    let mut current = leaf.clone();
    let mut is_leaf = true;
    loop {
        if current.is_self_issued() {
            check_self_signature(policy, &current, is_leaf, out);
            return;
        }
        let mut candidates = false;
        let mut next = None;
        for (i, c) in sent.iter().enumerate() {
            if used[i] || c.subject_raw() != current.issuer_raw() {
                continue;
            }
            candidates = true;
            if der::verify_signed_by(policy.algs, current.der(), c.spki()).is_ok() {
                next = Some(i);
                break;
            }
        }
        match next {
            Some(i) => {
                used[i] = true;
                current = sent[i].clone();
                is_leaf = false;
            }
            None if candidates => {
                out.push(
                    InvalidSignature,
                    format!("'{}' is not signed by the issuer certificate sent with it", current.subject()),
                );
                return;
            }
            // The issuer was not sent: nothing more can be checked.
            None => return,
        }
    }
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc(secs: i64) -> String {
    crate::foundation::DateTime::from_unix_seconds(secs).to_utc_string()
}
