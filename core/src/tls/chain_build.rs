//! `Certificate.BuildChainAsync` and what it returns: `CertificateChain` (`GetCertificates`,
//! `Validate`), with `ChainValidationParameters` and `CertificateChainPolicy`.
//!
//! Decisions (WinRT leaves these open, or Windows-only parts have no Linux meaning):
//! - The chain is built by issuer name *and* signature: from the leaf up, each issuer is looked
//!   for among the certificates given, then the leaf's own intermediates (from PEM/PKCS#12),
//!   then the system trust store (the CA bundle netrt's sockets trust, docs/tls.md). It ends at a
//!   self-issued certificate (the root) or where no issuer is found (an incomplete chain, which
//!   `Validate` reports). No network retrieval (AIA) is done. With `ChainBuildingParameters`
//!   (`chain_params.rs`), non-empty `ExclusiveTrustRoots` replace the system store, both for
//!   building and for `Validate`; the required usages, the validation time and the revocation
//!   request are kept with the chain and applied by every `Validate`.
//! - `Validate()` uses the base policy: path to a trust anchor of the system store, signatures,
//!   validity dates, basic constraints; no usage and no name check. `Validate(parameters)` with
//!   `Ssl` also checks the serverAuth usage and, when `ServerDnsName` is set, the name.
//!   `NtAuthentication` and `MicrosoftRoot` are Windows policies (the NTAuth store, Microsoft's
//!   root program) that mean nothing on Linux: `E_NOTIMPL`.
//! - Validation returns one result: the most important error (the order of
//!   [`chain::primary_rank`]) or `Success`. Revocation is not checked (no CRLs are given here),
//!   so no revocation result is ever reported.
//! - The trust store is the one at validation time (`SSL_CERT_FILE`/`SSL_CERT_DIR` honoured).

use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::certificate::Certificate;
use super::chain::{self, ChainValidationResult};
use super::chain_params::ChainBuildingParameters;
use super::der;
use super::key;
use super::trust;
use super::validate::{self, Policy, Usage};
use crate::error::hresult::E_NOTIMPL;
use crate::error::{Error, Result};
use crate::foundation::DateTime;
use crate::net::HostName;

winrt_enum! {
    /// `Windows.Security.Cryptography.Certificates.CertificateChainPolicy`: which rules
    /// `CertificateChain.Validate(parameters)` applies.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum CertificateChainPolicy {
        /// The base rules: a trusted path, signatures, dates, constraints.
        #[default]
        Base = 0,
        /// TLS server authentication: the base rules, serverAuth usage, and the server name.
        Ssl = 1,
        /// Windows' NT authentication policy (the NTAuth store): `E_NOTIMPL` in netrt.
        NtAuthentication = 2,
        /// Windows' Microsoft-root policy: `E_NOTIMPL` in netrt.
        MicrosoftRoot = 3,
    }
}

/// `Windows.Security.Cryptography.Certificates.ChainValidationParameters`.
#[derive(Debug, Clone, Default)]
pub struct ChainValidationParameters {
    /// `CertificateChainPolicy` (default `Base`).
    pub certificate_chain_policy: CertificateChainPolicy,
    /// `ServerDnsName`: the name the leaf must be valid for (checked with the `Ssl` policy).
    pub server_dns_name: Option<HostName>,
}

/// `Windows.Security.Cryptography.Certificates.CertificateChain`: a leaf and the issuers found
/// for it, leaf first.
#[derive(Debug, Clone)]
pub struct CertificateChain {
    certificates: Vec<Certificate>,
    /// Whether the last certificate is a root (self-issued).
    has_root: bool,
    /// What the `ChainBuildingParameters` asked of every validation.
    context: ValidationContext,
}

/// The `ChainBuildingParameters` a chain was built with, as `Validate` applies them.
#[derive(Debug, Clone, Default)]
struct ValidationContext {
    /// `ExclusiveTrustRoots` as anchors; `None`: the system store at validation time.
    exclusive_anchors: Option<Arc<RootCertStore>>,
    /// When the dates are checked; `None`: now.
    at: Option<DateTime>,
    /// OIDs every certificate below the root must allow.
    required_usages: Vec<String>,
    revocation_check: bool,
}

impl CertificateChain {
    /// `GetCertificates(includeRoot)`: the chain, leaf first; the root (a self-issued top
    /// certificate, when the chain reached one) only when `include_root`. A self-signed
    /// certificate alone is both leaf and root and is always returned.
    pub fn certificates(&self, include_root: bool) -> Vec<Certificate> {
        let n = self.certificates.len();
        let keep = if self.has_root && !include_root && n > 1 { n - 1 } else { n };
        self.certificates[..keep].to_vec()
    }

    /// `Validate()`: the base policy (see the module docs), against the system trust store.
    pub fn validate(&self) -> ChainValidationResult {
        self.run(Usage::Any, None)
    }

    /// `Validate(parameter)` (ABI name ValidateWithParameters).
    ///
    /// # Errors
    /// `E_NOTIMPL` for the `NtAuthentication` and `MicrosoftRoot` policies; `E_INVALIDARG` when
    /// `ServerDnsName` is not a valid DNS name or IP address.
    pub fn validate_with_parameters(
        &self,
        parameters: &ChainValidationParameters,
    ) -> Result<ChainValidationResult> {
        match parameters.certificate_chain_policy {
            CertificateChainPolicy::Base => Ok(self.run(Usage::Any, None)),
            CertificateChainPolicy::Ssl => {
                let name = match &parameters.server_dns_name {
                    Some(host) => Some(
                        ServerName::try_from(host.canonical_name().to_owned())
                            .map_err(|e| Error::invalid_arg(format!("ServerDnsName: {e}")))?,
                    ),
                    None => None,
                };
                Ok(self.run(Usage::Server, name.as_ref()))
            }
            other => Err(Error::new(
                E_NOTIMPL,
                format!("the {other} chain policy is Windows-only (netrt implements Base and Ssl)"),
            )),
        }
    }

    fn run(&self, usage: Usage, name: Option<&ServerName<'_>>) -> ChainValidationResult {
        let system = trust::system_roots();
        let anchors = match &self.context.exclusive_anchors {
            Some(store) => &store.roots,
            None => &system.store().roots,
        };
        let policy = Policy {
            anchors,
            crls: &[],
            algs: key::aws_lc_provider().signature_verification_algorithms.all,
            usage,
        };
        let Some((leaf, rest)) = self.certificates.split_first() else {
            return ChainValidationResult::OtherErrors;
        };
        let intermediates: Vec<CertificateDer<'static>> = rest.iter().map(|c| c.der().clone()).collect();
        let at = match self.context.at {
            Some(t) => {
                UnixTime::since_unix_epoch(Duration::from_secs(t.to_unix_seconds().max(0).unsigned_abs()))
            }
            None => UnixTime::now(),
        };
        let mut errors = validate::evaluate(&policy, leaf.der(), &intermediates, name, at).errors;
        // Roots are self-issued; usages and revocation concern the certificates below them.
        let below_root: Vec<&Certificate> =
            self.certificates.iter().filter(|c| !c.is_self_issued()).collect();
        let context = &self.context;
        if context.required_usages.iter().any(|oid| below_root.iter().any(|c| !c.allows_usage(oid))) {
            errors.push(ChainValidationResult::WrongUsage);
        }
        if context.revocation_check && !below_root.is_empty() {
            errors.push(ChainValidationResult::RevocationInformationMissing);
        }
        chain::primary_error(&errors).unwrap_or(ChainValidationResult::Success)
    }
}

impl Certificate {
    /// `BuildChainAsync(certificates)`: the chain from this certificate up to a root, using
    /// `certificates`, this certificate's own intermediates and the system trust store (see the
    /// module docs). Never fails for a missing issuer: the chain then simply ends early.
    ///
    /// The work is CPU-bound and short (no network retrieval); the future completes on its first
    /// poll.
    pub async fn build_chain(&self, certificates: &[Certificate]) -> Result<CertificateChain> {
        Ok(self.build_chain_now(certificates))
    }

    /// `BuildChainAsync(certificates, parameters)`: as [`Certificate::build_chain`], with what
    /// the [`ChainBuildingParameters`] ask (their module docs say what netrt honours); the
    /// chain keeps them for its `Validate`. The parameters are copied: changing them later does
    /// not change the chain.
    ///
    /// # Errors
    /// `E_INVALIDARG` when an `ExclusiveTrustRoots` certificate cannot be a trust anchor.
    pub async fn build_chain_with_parameters(
        &self,
        certificates: &[Certificate],
        parameters: &ChainBuildingParameters,
    ) -> Result<CertificateChain> {
        self.build_chain_with_parameters_now(certificates, parameters)
    }

    /// [`Certificate::build_chain_with_parameters`], synchronously.
    ///
    /// # Errors
    /// As [`Certificate::build_chain_with_parameters`].
    pub fn build_chain_with_parameters_now(
        &self,
        certificates: &[Certificate],
        parameters: &ChainBuildingParameters,
    ) -> Result<CertificateChain> {
        let settings = parameters.snapshot();
        let exclusive = &settings.exclusive_trust_roots;
        let exclusive_anchors = match exclusive.is_empty() {
            true => None,
            false => Some(trust::with_extra_roots(&Arc::new(RootCertStore::empty()), exclusive)?),
        };
        let context = ValidationContext {
            exclusive_anchors,
            at: (!settings.current_time_validation_enabled).then_some(settings.validation_timestamp),
            required_usages: settings.enhanced_key_usages,
            revocation_check: settings.revocation_check_enabled,
        };
        let roots = (!exclusive.is_empty()).then_some(exclusive.as_slice());
        Ok(self.build_path(certificates, roots, context))
    }

    /// [`Certificate::build_chain`], synchronously.
    pub fn build_chain_now(&self, certificates: &[Certificate]) -> CertificateChain {
        self.build_path(certificates, None, ValidationContext::default())
    }

    /// The path up from this certificate; its roots come from `exclusive_roots` when given, else
    /// from the system trust store.
    fn build_path(
        &self,
        certificates: &[Certificate],
        exclusive_roots: Option<&[Certificate]>,
        context: ValidationContext,
    ) -> CertificateChain {
        let algs = key::aws_lc_provider().signature_verification_algorithms.all;
        let signed_by = |child: &Certificate, issuer: &Certificate| {
            child.issuer_raw() == issuer.subject_raw()
                && der::verify_signed_by(algs, child.der(), issuer.spki()).is_ok()
        };
        let mut pool: Vec<Certificate> = certificates.to_vec();
        pool.extend(self.intermediates().iter().cloned());
        let roots = trust::system_roots();
        let mut path = vec![self.clone()];
        // Bounded: a chain never grows past every candidate once.
        let root_count = exclusive_roots.map_or_else(|| roots.certificates().len(), <[Certificate]>::len);
        let limit = pool.len() + root_count + 1;
        while path.len() <= limit {
            let current = path.last().expect("never empty");
            if current.is_self_issued() {
                break;
            }
            let seen = |c: &Certificate| path.iter().any(|p| p.der() == c.der());
            let next = pool.iter().find(|c| !seen(c) && signed_by(current, c)).cloned().or_else(|| {
                if let Some(exclusive) = exclusive_roots {
                    return exclusive.iter().find(|c| !seen(c) && signed_by(current, c)).cloned();
                }
                // Only system roots named as the issuer are parsed.
                let issuer_name =
                    der::read_tlv(current.issuer_raw()).map(|(t, _)| t.content).unwrap_or_default();
                roots
                    .certificates()
                    .iter()
                    .filter(|der| {
                        webpki::anchor_from_trusted_cert(der).is_ok_and(|a| a.subject.as_ref() == issuer_name)
                    })
                    .filter_map(|der| Certificate::from_der_shared(der).ok())
                    .find(|c| !seen(c) && signed_by(current, c))
            });
            match next {
                Some(issuer) => path.push(issuer),
                None => break,
            }
        }
        let has_root = path.len() > 1 && path.last().is_some_and(Certificate::is_self_issued);
        CertificateChain { certificates: path, has_root, context }
    }
}
