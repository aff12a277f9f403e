//! What a `Certificate` says about itself beyond names and dates: `KeyUsages`,
//! `SubjectAlternativeName`, and the algorithm names (`SignatureAlgorithmName`,
//! `SignatureHashAlgorithmName`, `KeyAlgorithmName`) spelled as Windows spells them.
//!
//! Decisions (WinRT leaves these open):
//! - Algorithm names follow Windows: signature algorithms by their CryptoAPI OID names
//!   (`sha256RSA`, `sha384ECDSA`, `RSASSA-PSS`), hashes by their CNG identifiers (`SHA256`,
//!   `SHA1`), keys by `KeyAlgorithmNames` (`RSA`, `DSA`, `ECDSA_P256`, `ECDSA_P384`,
//!   `ECDSA_P521`, `ECDSA` for other curves). Algorithms Windows has no name for get the dotted
//!   OID (signature, key) or "" (hash), e.g. Ed25519: signature `1.3.101.112`, hash "".
//! - A certificate without a keyUsage extension reports every flag false (the extension is
//!   what the flags describe; "no extension" means "not restricted", which callers who care
//!   tell apart with [`CertificateKeyUsages::present`]).
//! - Subject-alternative-name directory names are RFC 4514 strings, like
//!   `Certificate::subject_distinguished_name`; `PrincipalName` lists the Microsoft UPN
//!   otherName (1.3.6.1.4.1.311.20.2.3) values; other otherNames are not listed.

use std::sync::{Arc, Mutex, MutexGuard};

use x509_parser::prelude::{GeneralName, X509Certificate};
use x509_parser::signature_algorithm::SignatureAlgorithm;

use super::der;
use super::extension::{CertificateExtension, SUBJECT_ALTERNATIVE_NAME_OID};
use super::name;
use crate::error::Error;
use crate::foundation::Vector;

/// `Windows.Security.Cryptography.Certificates.CertificateKeyUsages`: the flags of the X.509
/// keyUsage extension (RFC 5280 §4.2.1.3). WinRT's class has setters because it also describes
/// certificate requests, which netrt does not make; here it is a value read from a certificate
/// (the setters exist so the projections can offer WinRT's read/write properties).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CertificateKeyUsages {
    /// `EncipherOnly` (bit 7).
    pub encipher_only: bool,
    /// `CrlSign` (bit 6, cRLSign).
    pub crl_sign: bool,
    /// `KeyCertificateSign` (bit 5, keyCertSign).
    pub key_certificate_sign: bool,
    /// `KeyAgreement` (bit 4).
    pub key_agreement: bool,
    /// `DataEncipherment` (bit 3).
    pub data_encipherment: bool,
    /// `KeyEncipherment` (bit 2).
    pub key_encipherment: bool,
    /// `NonRepudiation` (bit 1, also called contentCommitment).
    pub non_repudiation: bool,
    /// `DigitalSignature` (bit 0).
    pub digital_signature: bool,
    /// netrt: whether the certificate had a keyUsage extension at all.
    pub present: bool,
}

/// `Windows.Security.Cryptography.Certificates.SubjectAlternativeNameInfo`: the entries of the
/// subjectAltName extension (RFC 5280 §4.2.1.6), by kind, in certificate order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SubjectAlternativeNameInfo {
    /// `DnsName`: dNSName entries.
    pub dns_name: Vec<String>,
    /// `IPAddress`: iPAddress entries as text ("192.0.2.1", "2001:db8::1").
    pub ip_address: Vec<String>,
    /// `Url`: uniformResourceIdentifier entries.
    pub url: Vec<String>,
    /// `EmailName`: rfc822Name entries.
    pub email_name: Vec<String>,
    /// `DistinguishedName`: directoryName entries, RFC 4514.
    pub distinguished_name: Vec<String>,
    /// `PrincipalName`: the user principal names (Microsoft UPN otherName).
    pub principal_name: Vec<String>,
    /// The certificate's subjectAltName extension as it appeared (see [`Self::extension`]).
    pub(crate) extension: Option<CertificateExtension>,
}

/// One list of a [`SubjectAlternativeNameInfo`]: the singular member (`DnsName`, an
/// `IVectorView`) and the plural one added in later Windows versions (`DnsNames`, an `IVector`)
/// read the same entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectAlternativeNameKind {
    /// `DnsName` / `DnsNames`.
    DnsName,
    /// `IPAddress` / `IPAddresses`.
    IpAddress,
    /// `Url` / `Urls`.
    Url,
    /// `EmailName` / `EmailNames`.
    EmailName,
    /// `DistinguishedName` / `DistinguishedNames`.
    DistinguishedName,
    /// `PrincipalName` / `PrincipalNames`.
    PrincipalName,
}

impl SubjectAlternativeNameInfo {
    /// `Extension`: the certificate's subjectAltName extension (object id 2.5.29.17, its
    /// critical flag, the DER of its value); without one — also for an info made with the
    /// constructor — that object id, not critical, and an empty value (see `extension.rs`).
    pub fn extension(&self) -> CertificateExtension {
        self.extension
            .clone()
            .unwrap_or_else(|| CertificateExtension::subject_alternative_name(false, Vec::new()))
    }

    /// The entries of one kind.
    pub fn entries(&self, kind: SubjectAlternativeNameKind) -> &[String] {
        match kind {
            SubjectAlternativeNameKind::DnsName => &self.dns_name,
            SubjectAlternativeNameKind::IpAddress => &self.ip_address,
            SubjectAlternativeNameKind::Url => &self.url,
            SubjectAlternativeNameKind::EmailName => &self.email_name,
            SubjectAlternativeNameKind::DistinguishedName => &self.distinguished_name,
            SubjectAlternativeNameKind::PrincipalName => &self.principal_name,
        }
    }

    fn entries_mut(&mut self, kind: SubjectAlternativeNameKind) -> &mut Vec<String> {
        match kind {
            SubjectAlternativeNameKind::DnsName => &mut self.dns_name,
            SubjectAlternativeNameKind::IpAddress => &mut self.ip_address,
            SubjectAlternativeNameKind::Url => &mut self.url,
            SubjectAlternativeNameKind::EmailName => &mut self.email_name,
            SubjectAlternativeNameKind::DistinguishedName => &mut self.distinguished_name,
            SubjectAlternativeNameKind::PrincipalName => &mut self.principal_name,
        }
    }

    /// The singular member (`DnsName`, ...): a read-only snapshot of the entries now.
    pub fn entries_view(shared: &Arc<Mutex<Self>>, kind: SubjectAlternativeNameKind) -> Vector<String> {
        Vector::view(lock(shared).entries(kind).to_vec())
    }

    /// The plural member (`DnsNames`, ...): a live `IVector` over `shared`, the info object a
    /// projection hands out. WinRT makes these writable because the class also describes
    /// certificate requests, which netrt does not make: changes only change what this info
    /// object reports (never the certificate it came from). An `IPAddresses` entry must be an
    /// IPv4 or IPv6 address (anything else is `E_INVALIDARG` and changes nothing).
    pub fn entries_vector(shared: &Arc<Mutex<Self>>, kind: SubjectAlternativeNameKind) -> Vector<String> {
        let (r, w) = (Arc::clone(shared), Arc::clone(shared));
        Vector::live(
            move || lock(&r).entries(kind).to_vec(),
            move |values| {
                if kind == SubjectAlternativeNameKind::IpAddress
                    && let Some(bad) = values.iter().find(|v| v.parse::<std::net::IpAddr>().is_err())
                {
                    return Err(Error::invalid_arg(format!("IPAddresses: '{bad}' is not an IP address")));
                }
                *lock(&w).entries_mut(kind) = values;
                Ok(())
            },
        )
    }
}

fn lock(shared: &Mutex<SubjectAlternativeNameInfo>) -> MutexGuard<'_, SubjectAlternativeNameInfo> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// The Microsoft user-principal-name otherName.
const OID_UPN: &str = "1.3.6.1.4.1.311.20.2.3";

/// Reads the subjectAltName extension; a malformed entry is skipped (the certificate parsed).
pub(crate) fn subject_alternative_names(cert: &X509Certificate<'_>) -> SubjectAlternativeNameInfo {
    let mut info = SubjectAlternativeNameInfo::default();
    let Ok(Some(san)) = cert.subject_alternative_name() else { return info };
    info.extension = cert
        .extensions()
        .iter()
        .find(|ext| ext.oid.to_id_string() == SUBJECT_ALTERNATIVE_NAME_OID)
        .map(|ext| CertificateExtension::subject_alternative_name(ext.critical, ext.value.to_vec()));
    for general_name in &san.value.general_names {
        match general_name {
            GeneralName::DNSName(n) => info.dns_name.push((*n).to_owned()),
            GeneralName::RFC822Name(n) => info.email_name.push((*n).to_owned()),
            GeneralName::URI(n) => info.url.push((*n).to_owned()),
            GeneralName::IPAddress(bytes) => {
                if let Ok(v4) = <[u8; 4]>::try_from(*bytes) {
                    info.ip_address.push(std::net::IpAddr::from(v4).to_string());
                } else if let Ok(v6) = <[u8; 16]>::try_from(*bytes) {
                    info.ip_address.push(std::net::IpAddr::from(v6).to_string());
                }
            }
            GeneralName::DirectoryName(n) => {
                if let Some(dn) = name::rfc4514(n.as_raw()) {
                    info.distinguished_name.push(dn);
                }
            }
            GeneralName::OtherName(oid, value) if oid.to_id_string() == OID_UPN => {
                if let Some(upn) = explicit_utf8(value) {
                    info.principal_name.push(upn);
                }
            }
            _ => {}
        }
    }
    info
}

/// The UTF8String inside `[0] EXPLICIT` (an otherName's value).
fn explicit_utf8(value: &[u8]) -> Option<String> {
    let (outer, _) = der::read_tlv(value).ok()?;
    let (inner, _) = der::read_tlv(if outer.tag == 0xA0 { outer.content } else { value }).ok()?;
    (inner.tag == 0x0C).then(|| String::from_utf8(inner.content.to_vec()).ok()).flatten()
}

/// The keyUsage flags; all false without the extension.
pub(crate) fn key_usages(cert: &X509Certificate<'_>) -> CertificateKeyUsages {
    let Ok(Some(ext)) = cert.key_usage() else { return CertificateKeyUsages::default() };
    let k = ext.value;
    CertificateKeyUsages {
        encipher_only: k.encipher_only(),
        crl_sign: k.crl_sign(),
        key_certificate_sign: k.key_cert_sign(),
        key_agreement: k.key_agreement(),
        data_encipherment: k.data_encipherment(),
        key_encipherment: k.key_encipherment(),
        non_repudiation: k.non_repudiation(),
        digital_signature: k.digital_signature(),
        present: true,
    }
}

/// The CNG name of a hash algorithm OID, or "".
fn hash_name(oid: &str) -> &'static str {
    match oid {
        "1.3.14.3.2.26" => "SHA1",
        "2.16.840.1.101.3.4.2.1" => "SHA256",
        "2.16.840.1.101.3.4.2.2" => "SHA384",
        "2.16.840.1.101.3.4.2.3" => "SHA512",
        "1.2.840.113549.2.5" => "MD5",
        _ => "",
    }
}

/// (`SignatureAlgorithmName`, `SignatureHashAlgorithmName`) of the certificate's signature.
pub(crate) fn signature_algorithm_names(cert: &X509Certificate<'_>) -> (String, String) {
    let alg = &cert.signature_algorithm;
    let oid = alg.algorithm.to_id_string();
    let (name, hash) = match oid.as_str() {
        "1.2.840.113549.1.1.4" => ("md5RSA", "MD5"),
        "1.2.840.113549.1.1.5" => ("sha1RSA", "SHA1"),
        "1.2.840.113549.1.1.11" => ("sha256RSA", "SHA256"),
        "1.2.840.113549.1.1.12" => ("sha384RSA", "SHA384"),
        "1.2.840.113549.1.1.13" => ("sha512RSA", "SHA512"),
        "1.2.840.10045.4.1" => ("sha1ECDSA", "SHA1"),
        "1.2.840.10045.4.3.2" => ("sha256ECDSA", "SHA256"),
        "1.2.840.10045.4.3.3" => ("sha384ECDSA", "SHA384"),
        "1.2.840.10045.4.3.4" => ("sha512ECDSA", "SHA512"),
        "1.2.840.10040.4.3" => ("sha1DSA", "SHA1"),
        "2.16.840.1.101.3.4.3.2" => ("sha256DSA", "SHA256"),
        "1.2.840.113549.1.1.10" => {
            // RSASSA-PSS names its hash in the parameters (SHA-1 when absent, RFC 4055).
            let hash = match SignatureAlgorithm::try_from(alg) {
                Ok(SignatureAlgorithm::RSASSA_PSS(params)) => {
                    hash_name(&params.hash_algorithm_oid().to_id_string())
                }
                _ => "",
            };
            return ("RSASSA-PSS".to_owned(), hash.to_owned());
        }
        _ => return (oid, String::new()),
    };
    (name.to_owned(), hash.to_owned())
}

/// `KeyAlgorithmName`: the subject public key's algorithm as `KeyAlgorithmNames` spells it.
pub(crate) fn key_algorithm_name(cert: &X509Certificate<'_>) -> String {
    let spki = &cert.tbs_certificate.subject_pki;
    match spki.algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => "RSA".to_owned(),
        "1.2.840.10040.4.1" => "DSA".to_owned(),
        "1.2.840.10045.2.1" => {
            let curve =
                spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok()).map(|o| o.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "ECDSA_P256",
                Some("1.3.132.0.34") => "ECDSA_P384",
                Some("1.3.132.0.35") => "ECDSA_P521",
                _ => "ECDSA",
            }
            .to_owned()
        }
        other => other.to_owned(),
    }
}
