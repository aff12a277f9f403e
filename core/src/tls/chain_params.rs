//! `Windows.Security.Cryptography.Certificates.ChainBuildingParameters`: what
//! `Certificate.BuildChainAsync(certificates, parameters)` honours.
//!
//! What netrt does with each member (Linux has no CryptoAPI chain engine; the chain is built
//! and validated by netrt with rustls-webpki):
//! - `ExclusiveTrustRoots`: when not empty, the chain is built up to these roots only and
//!   `CertificateChain.Validate` trusts only them (the system store is not consulted).
//! - `EnhancedKeyUsages`: OIDs ("1.3.6.1.5.5.7.3.1") that every certificate of the chain below
//!   the root must allow; a certificate without an extendedKeyUsage extension allows every
//!   usage. A certificate that does not is `WrongUsage`. Each element must be a dotted-decimal
//!   OID (anything else is `E_INVALIDARG` and changes nothing).
//! - `CurrentTimeValidationEnabled` (default true) and `ValidationTimestamp` (default: when the
//!   parameters were made): validity dates are checked at the current time when the former is
//!   true, else at `ValidationTimestamp`.
//! - `RevocationCheckEnabled` (default false): netrt has no revocation source for a chain built
//!   here (no CRLs are given to `BuildChainAsync`, and nothing is fetched), so when it is true,
//!   `Validate` reports `RevocationInformationMissing` for a chain that has a certificate below
//!   its root: the revocation status of those certificates cannot be learnt.
//! - `NetworkRetrievalEnabled` and `AuthorityInformationAccessEnabled` (default false): kept and
//!   reported, but netrt never retrieves certificates or revocation data over the network, so
//!   true builds the same chain as false (issuers come only from the given certificates, the
//!   certificate's own intermediates and the trust roots).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use super::certificate::Certificate;
use crate::error::{Error, Result};
use crate::foundation::{DateTime, Vector};

/// The settings, copied when a chain is built.
#[derive(Debug, Clone)]
pub(crate) struct BuildingSettings {
    pub enhanced_key_usages: Vec<String>,
    pub validation_timestamp: DateTime,
    pub revocation_check_enabled: bool,
    pub network_retrieval_enabled: bool,
    pub authority_information_access_enabled: bool,
    pub current_time_validation_enabled: bool,
    pub exclusive_trust_roots: Vec<Certificate>,
}

/// `ChainBuildingParameters` (see the module docs for what each member does in netrt). A
/// reference type, as in WinRT: clones share the same settings, and the vectors
/// (`EnhancedKeyUsages`, `ExclusiveTrustRoots`) are live views of them.
#[derive(Debug, Clone)]
pub struct ChainBuildingParameters {
    settings: Arc<Mutex<BuildingSettings>>,
}

impl Default for ChainBuildingParameters {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainBuildingParameters {
    /// `ChainBuildingParameters()`: no usage required, current time, no revocation check, no
    /// network retrieval, the system trust store.
    pub fn new() -> Self {
        let settings = BuildingSettings {
            enhanced_key_usages: Vec::new(),
            validation_timestamp: DateTime::from_system_time(SystemTime::now()),
            revocation_check_enabled: false,
            network_retrieval_enabled: false,
            authority_information_access_enabled: false,
            current_time_validation_enabled: true,
            exclusive_trust_roots: Vec::new(),
        };
        Self { settings: Arc::new(Mutex::new(settings)) }
    }

    fn lock(&self) -> MutexGuard<'_, BuildingSettings> {
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An independent copy with the settings as they are now (clones share; this does not).
    pub fn detached(&self) -> Self {
        Self { settings: Arc::new(Mutex::new(self.snapshot())) }
    }

    pub(crate) fn snapshot(&self) -> BuildingSettings {
        self.lock().clone()
    }

    /// `EnhancedKeyUsages`: the OIDs every certificate below the root must allow (a live vector).
    pub fn enhanced_key_usages(&self) -> Vector<String> {
        let (r, w) = (self.clone(), self.clone());
        Vector::live(move || r.lock().enhanced_key_usages.clone(), move |v| w.set_enhanced_key_usages(v))
    }

    /// Replaces `EnhancedKeyUsages`.
    ///
    /// # Errors
    /// `E_INVALIDARG` when an element is not a dotted-decimal OID (nothing changes).
    pub fn set_enhanced_key_usages(&self, oids: Vec<String>) -> Result<()> {
        if let Some(bad) = oids.iter().find(|o| !is_dotted_oid(o)) {
            return Err(Error::invalid_arg(format!(
                "EnhancedKeyUsages: '{bad}' is not an object identifier such as 1.3.6.1.5.5.7.3.1"
            )));
        }
        self.lock().enhanced_key_usages = oids;
        Ok(())
    }

    /// `ExclusiveTrustRoots`: when not empty, the only roots trusted (a live vector).
    pub fn exclusive_trust_roots(&self) -> Vector<Certificate> {
        let (r, w) = (self.clone(), self.clone());
        Vector::live(move || r.lock().exclusive_trust_roots.clone(), move |v| w.set_exclusive_trust_roots(v))
    }

    /// Replaces `ExclusiveTrustRoots`. A root that cannot be a trust anchor is reported when the
    /// chain is built.
    pub fn set_exclusive_trust_roots(&self, roots: Vec<Certificate>) -> Result<()> {
        self.lock().exclusive_trust_roots = roots;
        Ok(())
    }

    /// `ValidationTimestamp`: when the dates are checked if `CurrentTimeValidationEnabled` is false.
    pub fn validation_timestamp(&self) -> DateTime {
        self.lock().validation_timestamp
    }

    /// Sets `ValidationTimestamp`.
    pub fn set_validation_timestamp(&self, value: DateTime) {
        self.lock().validation_timestamp = value;
    }

    /// `RevocationCheckEnabled` (see the module docs).
    pub fn revocation_check_enabled(&self) -> bool {
        self.lock().revocation_check_enabled
    }

    /// Sets `RevocationCheckEnabled`.
    pub fn set_revocation_check_enabled(&self, value: bool) {
        self.lock().revocation_check_enabled = value;
    }

    /// `NetworkRetrievalEnabled`: kept, but netrt never retrieves anything over the network.
    pub fn network_retrieval_enabled(&self) -> bool {
        self.lock().network_retrieval_enabled
    }

    /// Sets `NetworkRetrievalEnabled`.
    pub fn set_network_retrieval_enabled(&self, value: bool) {
        self.lock().network_retrieval_enabled = value;
    }

    /// `AuthorityInformationAccessEnabled`: kept, but netrt never follows AIA URLs.
    pub fn authority_information_access_enabled(&self) -> bool {
        self.lock().authority_information_access_enabled
    }

    /// Sets `AuthorityInformationAccessEnabled`.
    pub fn set_authority_information_access_enabled(&self, value: bool) {
        self.lock().authority_information_access_enabled = value;
    }

    /// `CurrentTimeValidationEnabled`: dates are checked now (true) or at `ValidationTimestamp`.
    pub fn current_time_validation_enabled(&self) -> bool {
        self.lock().current_time_validation_enabled
    }

    /// Sets `CurrentTimeValidationEnabled`.
    pub fn set_current_time_validation_enabled(&self, value: bool) {
        self.lock().current_time_validation_enabled = value;
    }
}

/// "1.3.6.1.5.5.7.3.1": at least two arcs, digits only, the first arc 0, 1 or 2.
fn is_dotted_oid(text: &str) -> bool {
    let arcs: Vec<&str> = text.split('.').collect();
    arcs.len() >= 2
        && arcs.iter().all(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
        && matches!(arcs[0], "0" | "1" | "2")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_are_checked_and_a_refused_list_changes_nothing() {
        let p = ChainBuildingParameters::new();
        p.enhanced_key_usages().append("1.3.6.1.5.5.7.3.1".into()).unwrap();
        for bad in ["", "1", "serverAuth", "1..2", "3.1", "1.3.x"] {
            let err = p.enhanced_key_usages().append(bad.into()).unwrap_err();
            assert_eq!(err.hresult(), crate::error::hresult::E_INVALIDARG, "{bad:?}");
        }
        assert_eq!(p.enhanced_key_usages().to_vec(), ["1.3.6.1.5.5.7.3.1"]);
    }

    #[test]
    fn clones_share_the_settings() {
        let p = ChainBuildingParameters::new();
        let q = p.clone();
        q.set_revocation_check_enabled(true);
        q.set_current_time_validation_enabled(false);
        assert!(p.revocation_check_enabled() && !p.current_time_validation_enabled());
        assert!(!p.network_retrieval_enabled() && !p.authority_information_access_enabled());
    }
}
