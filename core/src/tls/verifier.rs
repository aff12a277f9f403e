//! rustls certificate verifiers that record what they found, for `StreamSocketInformation`
//! (`ServerCertificate`, `ServerIntermediateCertificates`, `ServerCertificateErrors`,
//! `ServerCertificateErrorSeverity`) — also after a failed handshake — and that apply
//! `IgnorableServerCertificateErrors`.
//!
//! What is checked, and how ignoring works, is described in the `validate` module and in
//! docs/tls.md; in short: every applicable error is listed, the handshake proceeds only if all
//! of them are in the ignorable set, and ignoring an error never turns off signature checks (on
//! the chain, and on the handshake itself: `verify_tls12_signature`/`verify_tls13_signature`
//! always run).
//! Revocation is checked only against the CRLs given at construction; with none, no revocation
//! result is ever reported. OCSP staples are not looked at.
//!
//! Where results are written: see [`super::record`] (one verifier can serve many connections,
//! which TLS session resumption needs, when each handshake runs inside [`recorded`]). A
//! resumed session is not verified again by rustls; [`RecordingVerifier::validate`] rebuilds
//! its record from the peer certificates the session carries.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, RootCertStore, SignatureScheme,
};
use webpki::{CertRevocationList, OwnedCertRevocationList};

use super::certificate::Certificate;
use super::chain::{self, ChainValidationResult, ClientCertificateMode};
use super::record::{self, lock};
use super::trust;
use super::validate::{self, Outcome, Policy, Usage};
use crate::error::{Error, Result};

// The record types live in `record`; re-exported here, where callers look for them.
pub use super::record::{
    Recorded, SharedRecord, VerificationRecord, record_hresult, recorded, verification_error, with_record,
};

/// Rejects values `IgnorableServerCertificateErrors` does not accept.
fn check_ignorable(ignorable: &[ChainValidationResult]) -> Result<()> {
    match ignorable.iter().find(|r| !chain::is_ignorable_on_sockets(**r)) {
        Some(bad) => Err(Error::invalid_arg(format!(
            "{bad} cannot be ignored (only Untrusted, Expired, IncompleteChain, WrongUsage, InvalidName, RevocationInformationMissing and RevocationFailure can)"
        ))),
        None => Ok(()),
    }
}

fn parse_crls(crls: &[Vec<u8>]) -> Result<Vec<CertRevocationList<'static>>> {
    crls.iter()
        .enumerate()
        .map(|(i, der)| {
            OwnedCertRevocationList::from_der(der)
                .map(CertRevocationList::from)
                .map_err(|e| Error::invalid_arg(format!("certificate revocation list {}: {e}", i + 1)))
        })
        .collect()
}

/// The immutable policy of a verifier, shared by all its `fresh()` copies.
struct VerifierPolicy {
    anchors: Arc<RootCertStore>,
    crls: Vec<CertRevocationList<'static>>,
    ignorable: Vec<ChainValidationResult>,
    provider: Arc<CryptoProvider>,
}

/// A policy plus the record of one connection.
struct Core {
    policy: Arc<VerifierPolicy>,
    record: SharedRecord,
}

impl Core {
    fn new(
        roots: Arc<RootCertStore>,
        extra_roots: &[Certificate],
        ignorable: Vec<ChainValidationResult>,
        crls: &[Vec<u8>],
        provider: Arc<CryptoProvider>,
    ) -> Result<Self> {
        check_ignorable(&ignorable)?;
        let policy = VerifierPolicy {
            anchors: trust::with_extra_roots(&roots, extra_roots)?,
            crls: parse_crls(crls)?,
            ignorable,
            provider,
        };
        Ok(Self { policy: Arc::new(policy), record: SharedRecord::default() })
    }

    /// Same policy, new empty record.
    fn fresh(&self) -> Self {
        Self { policy: Arc::clone(&self.policy), record: SharedRecord::default() }
    }

    /// Validates without storing anything.
    fn evaluate(
        &self,
        usage: Usage,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: Option<&ServerName<'_>>,
        now: UnixTime,
    ) -> VerificationRecord {
        let policy = Policy {
            anchors: &self.policy.anchors.roots,
            crls: &self.policy.crls,
            algs: self.policy.provider.signature_verification_algorithms.all,
            usage,
        };
        let Outcome { certificate, intermediates, errors, details } =
            validate::evaluate(&policy, end_entity, intermediates, name, now);
        let accepted = errors.iter().all(|e| self.policy.ignorable.contains(e));
        VerificationRecord {
            server_certificate: certificate,
            intermediates,
            severity: chain::severity_of(&errors),
            errors,
            details,
            accepted,
            deferred: None,
        }
    }

    /// Validates, stores the record (see [`record::store`]), and says whether to go on.
    fn run(
        &self,
        usage: Usage,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: Option<&ServerName<'_>>,
        now: UnixTime,
    ) -> std::result::Result<(), rustls::Error> {
        let found = self.evaluate(usage, end_entity, intermediates, name, now);
        let result = if found.accepted { Ok(()) } else { Err(rustls_error(&found)) };
        record::store(&self.record, found);
        result
    }

    fn tls12(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> SigResult {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.policy.provider.signature_verification_algorithms,
        )
    }

    fn tls13(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> SigResult {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.policy.provider.signature_verification_algorithms,
        )
    }
}

type SigResult = std::result::Result<HandshakeSignatureValid, rustls::Error>;

/// The rustls error for a rejected certificate: the closest `CertificateError`, so the right
/// TLS alert goes to the peer; the full story is in the record.
fn rustls_error(record: &VerificationRecord) -> rustls::Error {
    use ChainValidationResult::*;
    let error = match chain::primary_error(&record.errors) {
        Some(Expired) => CertificateError::Expired,
        Some(Untrusted) | Some(IncompleteChain) => CertificateError::UnknownIssuer,
        Some(InvalidName) => CertificateError::NotValidForName,
        Some(WrongUsage) => CertificateError::InvalidPurpose,
        Some(Revoked) => CertificateError::Revoked,
        Some(InvalidSignature) => CertificateError::BadSignature,
        Some(RevocationInformationMissing) | Some(RevocationFailure) => {
            CertificateError::UnknownRevocationStatus
        }
        _ => match verification_error(record) {
            Some(e) => CertificateError::Other(OtherError(Arc::new(e))),
            None => CertificateError::BadEncoding,
        },
    };
    rustls::Error::InvalidCertificate(error)
}

/// The validation of a resumed TLS session's chain, made when first asked for. rustls does not
/// verify a resumed session again (its chain was verified when the session was made), so
/// nothing depends on the outcome but what Information reports — the certificates, their
/// errors — which most connections never ask for; a resumed handshake then costs no chain
/// building and no signature checks (about a third of its instructions). The outcome is the one
/// an eager validation would have found: same verifier (its policy never changes), same
/// chain, same name, and the time of the handshake.
pub struct DeferredValidation {
    verifier: Arc<RecordingVerifier>,
    chain: Vec<CertificateDer<'static>>,
    name: ServerName<'static>,
    at: UnixTime,
    done: std::sync::OnceLock<VerificationRecord>,
}

impl DeferredValidation {
    /// `chain` (the end-entity certificate first, non-empty) as `verifier` would validate it
    /// for `name` at `at`, once asked.
    pub(crate) fn new(
        verifier: Arc<RecordingVerifier>,
        chain: Vec<CertificateDer<'static>>,
        name: ServerName<'static>,
        at: UnixTime,
    ) -> Self {
        debug_assert!(!chain.is_empty());
        Self { verifier, chain, name, at, done: std::sync::OnceLock::new() }
    }

    /// What validating the chain finds (made on the first call).
    pub(crate) fn record(&self) -> &VerificationRecord {
        self.done.get_or_init(|| {
            let (leaf, rest) = self.chain.split_first().expect("a chain is never empty");
            self.verifier.validate(leaf, rest, &self.name, self.at)
        })
    }
}

impl fmt::Debug for DeferredValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeferredValidation").field("validated", &self.done.get().is_some()).finish()
    }
}

/// A `ServerCertVerifier` for TLS clients that records every certificate error (see the module
/// docs) and lets the handshake proceed when all of them are ignorable and ignored.
pub struct RecordingVerifier {
    core: Core,
}

impl RecordingVerifier {
    /// A verifier trusting `roots` plus `extra_roots`, ignoring `ignorable` (only the values
    /// [`chain::is_ignorable_on_sockets`] accepts; anything else is `E_INVALIDARG`), checking
    /// revocation against the DER `crls` (a malformed CRL is `E_INVALIDARG`), with the
    /// signature algorithms of `provider`.
    pub fn new(
        roots: Arc<RootCertStore>,
        extra_roots: &[Certificate],
        ignorable: Vec<ChainValidationResult>,
        crls: Vec<Vec<u8>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self> {
        Ok(Self { core: Core::new(roots, extra_roots, ignorable, &crls, provider)? })
    }

    /// A verifier with the same policy (nothing is re-parsed) and its own, empty record. Note
    /// that rustls resumes sessions only with the same verifier instance: to keep resumption
    /// across sockets, share one verifier and drive each handshake inside [`recorded`]
    /// instead.
    pub fn fresh(&self) -> Self {
        Self { core: self.core.fresh() }
    }

    /// This verifier's own record, replaced by each verification not made inside
    /// [`with_record`]/[`recorded`].
    pub fn record(&self) -> SharedRecord {
        Arc::clone(&self.core.record)
    }

    /// What verifying this chain for `server_name` at `now` finds, without storing it anywhere
    /// or affecting a handshake. For a resumed TLS session, which rustls does not verify
    /// again, this rebuilds the record from `peer_certificates()`.
    pub fn validate(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> VerificationRecord {
        self.core.evaluate(Usage::Server, end_entity, intermediates, Some(server_name), now)
    }

    /// A copy of the current record.
    pub fn snapshot(&self) -> VerificationRecord {
        lock(&self.core.record).clone()
    }
}

impl fmt::Debug for RecordingVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingVerifier")
            .field("roots", &self.core.policy.anchors.len())
            .field("crls", &self.core.policy.crls.len())
            .field("ignorable", &self.core.policy.ignorable)
            .finish()
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        self.core.run(Usage::Server, end_entity, intermediates, Some(server_name), now)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> SigResult {
        self.core.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> SigResult {
        self.core.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.core.policy.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// A `ClientCertVerifier` for TLS servers (netrt's listener extension): asks for a client
/// certificate per [`ClientCertificateMode`], validates it like the client side does (clientAuth
/// usage, no name check) and records it for `StreamSocketInformation.ClientCertificate`.
///
/// To accept any client certificate and let the app decide, pass an empty root store and
/// `ignorable = [Untrusted]`: signatures (chain consistency and proof of key possession) are
/// still checked.
pub struct RecordingClientVerifier {
    core: Core,
    mode: ClientCertificateMode,
    hints: Arc<[DistinguishedName]>,
}

impl RecordingClientVerifier {
    /// A verifier with the given mode, trust roots, ignorable errors (same rule as
    /// [`RecordingVerifier::new`]), CRLs and provider.
    pub fn new(
        mode: ClientCertificateMode,
        roots: Arc<RootCertStore>,
        ignorable: Vec<ChainValidationResult>,
        crls: Vec<Vec<u8>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self> {
        let hints = roots.subjects().into();
        Ok(Self { core: Core::new(roots, &[], ignorable, &crls, provider)?, mode, hints })
    }

    /// A verifier with the same policy and its own, empty record. A listener's `ServerConfig`
    /// is shared by its connections: drive each accept inside [`recorded`] (or give each
    /// connection a config clone holding a `fresh()` verifier), or their records would
    /// overwrite each other.
    pub fn fresh(&self) -> Self {
        Self { core: self.core.fresh(), mode: self.mode, hints: Arc::clone(&self.hints) }
    }

    /// This verifier's own record (the client's certificate, when it sent one; untouched when
    /// the client sent none), for verifications not made inside [`with_record`]/[`recorded`].
    pub fn record(&self) -> SharedRecord {
        Arc::clone(&self.core.record)
    }

    /// What verifying this client chain at `now` finds, without storing it anywhere.
    pub fn validate(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> VerificationRecord {
        self.core.evaluate(Usage::Client, end_entity, intermediates, None, now)
    }

    /// A copy of the current record.
    pub fn snapshot(&self) -> VerificationRecord {
        lock(&self.core.record).clone()
    }

    /// The mode this verifier applies.
    pub fn mode(&self) -> ClientCertificateMode {
        self.mode
    }
}

impl fmt::Debug for RecordingClientVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingClientVerifier")
            .field("mode", &self.mode)
            .field("roots", &self.core.policy.anchors.len())
            .field("ignorable", &self.core.policy.ignorable)
            .finish()
    }
}

impl ClientCertVerifier for RecordingClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.mode != ClientCertificateMode::None
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mode == ClientCertificateMode::Required
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> std::result::Result<ClientCertVerified, rustls::Error> {
        self.core.run(Usage::Client, end_entity, intermediates, None, now)?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> SigResult {
        self.core.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> SigResult {
        self.core.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.core.policy.provider.signature_verification_algorithms.supported_schemes()
    }
}
