//! Certificate-chain outcomes in WinRT terms: `ChainValidationResult`, `SocketSslErrorSeverity`,
//! the netrt `ClientCertificateMode`, and how each result maps to an HRESULT and a severity.
//!
//! Values are WinRT's; the HRESULTs are listed in docs/errors.md.

use crate::error::hresult::{self, HResult};

winrt_enum! {
    /// `Windows.Security.Cryptography.Certificates.ChainValidationResult`: one problem found while
    /// validating a certificate chain (or `Success`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum ChainValidationResult {
        /// The chain verified.
        Success = 0,
        /// A certificate in the chain is not trusted (no path to a trust anchor; also a self-signed
        /// certificate not in the trust store).
        Untrusted = 1,
        /// A certificate in the chain is revoked (checked only against CRLs the app supplies).
        Revoked = 2,
        /// A certificate is expired or not yet valid.
        Expired = 3,
        /// One or more certificates are missing from the chain.
        IncompleteChain = 4,
        /// A signature in the chain does not verify (never ignorable).
        InvalidSignature = 5,
        /// The certificate is not valid for the requested usage (EKU).
        WrongUsage = 6,
        /// The name does not match (or is not permitted by a name constraint).
        InvalidName = 7,
        /// An invalid certificate-authority policy.
        InvalidCertificateAuthorityPolicy = 8,
        /// Basic constraints were violated (e.g. an end entity used as a CA).
        BasicConstraintsError = 9,
        /// A critical extension nobody understands.
        UnknownCriticalExtension = 10,
        /// Revocation could not be checked: no information available.
        RevocationInformationMissing = 11,
        /// Revocation could not be checked: the revocation source failed.
        RevocationFailure = 12,
        /// An unexpected error (malformed data, limits exceeded, ...).
        OtherErrors = 13,
    }
}

impl ChainValidationResult {
    /// The member with ABI value `raw`, or `None` for values WinRT does not define.
    pub fn from_raw(raw: i32) -> Option<Self> {
        Self::from_i32(raw)
    }

    /// The severity this result gives a connection on its own (see [`severity_of`]).
    pub fn severity(self) -> SocketSslErrorSeverity {
        if self == Self::Success {
            SocketSslErrorSeverity::None
        } else if is_ignorable_on_sockets(self) {
            SocketSslErrorSeverity::Ignorable
        } else {
            SocketSslErrorSeverity::Fatal
        }
    }
}

winrt_enum! {
    /// `Windows.Networking.Sockets.SocketSslErrorSeverity`: how bad the certificate errors of a
    /// connection are taken together.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
    pub enum SocketSslErrorSeverity {
        /// No error.
        #[default]
        None = 0,
        /// Only errors an app may choose to ignore (`IgnorableServerCertificateErrors`: expired,
        /// name mismatch, untrusted root, ...).
        Ignorable = 1,
        /// At least one error that can never be ignored (revoked, bad signature, ...).
        Fatal = 2,
    }
}

impl SocketSslErrorSeverity {
    /// The member with ABI value `raw`, or `None` for values WinRT does not define.
    pub fn from_raw(raw: i32) -> Option<Self> {
        match raw {
            0 => Some(Self::None),
            1 => Some(Self::Ignorable),
            2 => Some(Self::Fatal),
            _ => None,
        }
    }
}

winrt_enum! {
    /// netrt extension `ClientCertificateMode`: whether a TLS listener asks clients for a
    /// certificate (`StreamSocketListenerControl.ClientCertificateMode`, docs/tls.md).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum ClientCertificateMode {
        /// Never ask the client for a certificate.
        #[default]
        None = 0,
        /// Ask; a client without one may still connect.
        Optional = 1,
        /// Ask; a client without one fails the handshake.
        Required = 2,
    }
}

impl ClientCertificateMode {
    /// The member with ABI value `raw`, or `None` for other values.
    pub fn from_raw(raw: i32) -> Option<Self> {
        match raw {
            0 => Some(Self::None),
            1 => Some(Self::Optional),
            2 => Some(Self::Required),
            _ => None,
        }
    }
}

/// Whether `r` may be put in `IgnorableServerCertificateErrors`: Untrusted, Expired,
/// IncompleteChain, WrongUsage, InvalidName, RevocationInformationMissing and RevocationFailure. Everything else is rejected there with `E_INVALIDARG`.
pub fn is_ignorable_on_sockets(r: ChainValidationResult) -> bool {
    use ChainValidationResult::*;
    matches!(
        r,
        Untrusted
            | Expired
            | IncompleteChain
            | WrongUsage
            | InvalidName
            | RevocationInformationMissing
            | RevocationFailure
    )
}

/// The combined severity of a list of results: `Fatal` if any is fatal, else `Ignorable` if any
/// error is present, else `None`.
pub fn severity_of(results: &[ChainValidationResult]) -> SocketSslErrorSeverity {
    results.iter().map(|r| r.severity()).max().unwrap_or_default()
}

/// The HRESULT that reports `r` (docs/errors.md); `Success` gives `S_OK`.
pub fn hresult_for(r: ChainValidationResult) -> HResult {
    use ChainValidationResult::*;
    match r {
        Success => hresult::S_OK,
        Untrusted => hresult::CERT_E_UNTRUSTEDROOT,
        Revoked => hresult::CRYPT_E_REVOKED,
        Expired => hresult::CERT_E_EXPIRED,
        IncompleteChain => hresult::CERT_E_CHAINING,
        InvalidSignature => hresult::TRUST_E_CERT_SIGNATURE,
        WrongUsage => hresult::CERT_E_WRONG_USAGE,
        InvalidName => hresult::CERT_E_CN_NO_MATCH,
        InvalidCertificateAuthorityPolicy => hresult::CERT_E_INVALID_POLICY,
        BasicConstraintsError => hresult::TRUST_E_BASIC_CONSTRAINTS,
        UnknownCriticalExtension => hresult::CERT_E_CRITICAL,
        RevocationInformationMissing => hresult::CRYPT_E_NO_REVOCATION_CHECK,
        RevocationFailure => hresult::CRYPT_E_REVOCATION_OFFLINE,
        OtherErrors => hresult::TRUST_E_FAIL,
    }
}

/// The symbolic name of [`hresult_for`]`(r)`, for detail messages.
pub fn hresult_name_for(r: ChainValidationResult) -> &'static str {
    use ChainValidationResult::*;
    match r {
        Success => "S_OK",
        Untrusted => "CERT_E_UNTRUSTEDROOT",
        Revoked => "CRYPT_E_REVOKED",
        Expired => "CERT_E_EXPIRED",
        IncompleteChain => "CERT_E_CHAINING",
        InvalidSignature => "TRUST_E_CERT_SIGNATURE",
        WrongUsage => "CERT_E_WRONG_USAGE",
        InvalidName => "CERT_E_CN_NO_MATCH",
        InvalidCertificateAuthorityPolicy => "CERT_E_INVALID_POLICY",
        BasicConstraintsError => "TRUST_E_BASIC_CONSTRAINTS",
        UnknownCriticalExtension => "CERT_E_CRITICAL",
        RevocationInformationMissing => "CRYPT_E_NO_REVOCATION_CHECK",
        RevocationFailure => "CRYPT_E_REVOCATION_OFFLINE",
        OtherErrors => "TRUST_E_FAIL",
    }
}

/// Which of several results is reported as *the* error of a failed validation (its HRESULT
/// becomes the operation's HRESULT). Lower comes first.
///
/// Order: errors that can never be ignored first, because they are what the app must hear
/// about — InvalidSignature, Revoked, BasicConstraintsError, UnknownCriticalExtension,
/// InvalidCertificateAuthorityPolicy, OtherErrors — then the ignorable ones in the order a
/// user most needs to fix them: Untrusted, Expired, InvalidName, WrongUsage, IncompleteChain,
/// RevocationFailure, RevocationInformationMissing. `Success` is last.
pub fn primary_rank(r: ChainValidationResult) -> u8 {
    use ChainValidationResult::*;
    match r {
        InvalidSignature => 0,
        Revoked => 1,
        BasicConstraintsError => 2,
        UnknownCriticalExtension => 3,
        InvalidCertificateAuthorityPolicy => 4,
        OtherErrors => 5,
        Untrusted => 6,
        Expired => 7,
        InvalidName => 8,
        WrongUsage => 9,
        IncompleteChain => 10,
        RevocationFailure => 11,
        RevocationInformationMissing => 12,
        Success => 13,
    }
}

/// The result reported first among `results` (see [`primary_rank`]), or `None` if there is
/// no error.
pub fn primary_error(results: &[ChainValidationResult]) -> Option<ChainValidationResult> {
    results.iter().copied().filter(|r| *r != ChainValidationResult::Success).min_by_key(|r| primary_rank(*r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChainValidationResult::*;

    #[test]
    fn values_match_the_reference() {
        for (i, r) in ChainValidationResult::ALL.iter().enumerate() {
            assert_eq!(*r as i32, i as i32);
            assert_eq!(ChainValidationResult::from_raw(i as i32), Some(*r));
        }
        assert_eq!(ChainValidationResult::from_raw(14), None);
        assert_eq!(ChainValidationResult::from_raw(-1), None);
        assert_eq!(OtherErrors as i32, 13);
        assert_eq!(RevocationFailure.name(), "RevocationFailure");
        assert_eq!(SocketSslErrorSeverity::Fatal as i32, 2);
        assert_eq!(SocketSslErrorSeverity::from_raw(1), Some(SocketSslErrorSeverity::Ignorable));
        assert_eq!(ClientCertificateMode::from_raw(2), Some(ClientCertificateMode::Required));
    }

    #[test]
    fn ignorable_set_and_severity() {
        let ignorable: Vec<_> =
            ChainValidationResult::ALL.iter().copied().filter(|r| is_ignorable_on_sockets(*r)).collect();
        assert_eq!(
            ignorable,
            [
                Untrusted,
                Expired,
                IncompleteChain,
                WrongUsage,
                InvalidName,
                RevocationInformationMissing,
                RevocationFailure
            ]
        );
        for fatal in [Revoked, InvalidSignature, BasicConstraintsError, UnknownCriticalExtension, OtherErrors]
        {
            assert_eq!(fatal.severity(), SocketSslErrorSeverity::Fatal);
        }
        assert_eq!(InvalidCertificateAuthorityPolicy.severity(), SocketSslErrorSeverity::Fatal);
        assert_eq!(severity_of(&[]), SocketSslErrorSeverity::None);
        assert_eq!(severity_of(&[Expired, InvalidName]), SocketSslErrorSeverity::Ignorable);
        assert_eq!(severity_of(&[Expired, Revoked]), SocketSslErrorSeverity::Fatal);
    }

    #[test]
    fn hresults() {
        assert_eq!(hresult_for(Untrusted) as u32, 0x800B_0109);
        assert_eq!(hresult_for(Expired) as u32, 0x800B_0101);
        assert_eq!(hresult_for(InvalidName) as u32, 0x800B_010F);
        assert_eq!(hresult_for(WrongUsage) as u32, 0x800B_0110);
        assert_eq!(hresult_for(Revoked) as u32, 0x8009_2010);
        assert_eq!(hresult_for(InvalidSignature) as u32, 0x8009_6004);
        assert_eq!(hresult_for(IncompleteChain) as u32, 0x800B_010A);
        assert_eq!(hresult_for(BasicConstraintsError) as u32, 0x8009_6019);
        assert_eq!(hresult_for(UnknownCriticalExtension) as u32, 0x800B_0105);
        assert_eq!(hresult_for(InvalidCertificateAuthorityPolicy) as u32, 0x800B_0113);
        assert_eq!(hresult_for(RevocationInformationMissing) as u32, 0x8009_2012);
        assert_eq!(hresult_for(RevocationFailure) as u32, 0x8009_2013);
        assert_eq!(hresult_for(OtherErrors) as u32, 0x800B_010B);
        assert_eq!(hresult_for(Success), 0);
    }

    #[test]
    fn primary_error_prefers_fatal_then_untrusted() {
        assert_eq!(primary_error(&[]), None);
        assert_eq!(primary_error(&[Expired, Untrusted, InvalidName]), Some(Untrusted));
        assert_eq!(primary_error(&[Untrusted, InvalidSignature]), Some(InvalidSignature));
        assert_eq!(primary_error(&[Expired, Revoked]), Some(Revoked));
        assert_eq!(primary_error(&[WrongUsage, InvalidName]), Some(InvalidName));
    }
}
