//! `Windows.Security.Cryptography.Certificates.Certificate`: an X.509 certificate, optionally
//! with its private key and the intermediates that go with it.
//!
//! Everything a getter returns is extracted once at construction, so a `Certificate` is an
//! immutable, cheaply cloned (`Arc`) value that can be shared across threads.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::der::{self, DerError};
use super::details::{self, CertificateKeyUsages, SubjectAlternativeNameInfo};
use super::interned::{Encoded, Interned};
use super::key::{self, KeyPair};
use super::name;
use crate::error::hresult::{CRYPT_E_ASN1_BADTAG, CRYPT_E_ASN1_CORRUPT, CRYPT_E_ASN1_EOD};
use crate::error::{Error, Result};
use crate::foundation::DateTime;

/// OIDs of the extended key usages x509-parser reports as flags.
const EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

/// An X.509 certificate (WinRT `Certificate`), with optional private key and intermediates.
#[derive(Clone)]
pub struct Certificate {
    inner: Arc<Inner>,
}

struct Inner {
    der: CertificateDer<'static>,
    info: Info,
    intermediates: Vec<Certificate>,
    key: Option<KeyPair>,
    /// Built when there is a key: what a rustls server or client config presents.
    certified: Option<Arc<CertifiedKey>>,
}

impl Encoded for Inner {
    fn encoding(&self) -> &[u8] {
        &self.der
    }
}

/// Everything the getters return, extracted at parse time.
struct Info {
    subject: String,
    subject_dn: String,
    issuer: String,
    issuer_dn: String,
    /// The raw encoded Names, compared when building chains.
    subject_raw: Vec<u8>,
    issuer_raw: Vec<u8>,
    /// The full SubjectPublicKeyInfo encoding.
    spki: Vec<u8>,
    serial: Vec<u8>,
    not_before: i64,
    not_after: i64,
    sha1: Vec<u8>,
    sha256: Vec<u8>,
    dns_names: Vec<String>,
    ip_addresses: Vec<IpAddr>,
    ekus: Option<Vec<String>>,
    self_signed: bool,
    key_usages: CertificateKeyUsages,
    san: SubjectAlternativeNameInfo,
    signature_algorithm: String,
    signature_hash_algorithm: String,
    key_algorithm: String,
}

impl Certificate {
    /// Parses a DER-encoded certificate (the WinRT constructor `Certificate(IBuffer)`). The
    /// certificate has no private key.
    ///
    /// # Errors
    /// `CRYPT_E_ASN1_BADTAG` if the data is not a DER SEQUENCE, `CRYPT_E_ASN1_EOD` if it is
    /// truncated, `CRYPT_E_ASN1_CORRUPT` if it is a SEQUENCE but not a valid certificate
    /// (including trailing bytes after it).
    ///
    /// # Cancel safety
    /// Not applicable: `Certificate` has no asynchronous functions; every constructor completes
    /// at once.
    ///
    /// # Examples
    /// ```no_run
    /// # fn example() -> netrt::Result<()> {
    /// use netrt::tls::Certificate;
    ///
    /// let der = std::fs::read("ca.der").expect("readable");
    /// let ca = Certificate::from_der(&der)?;
    /// println!("{} (issued by {})", ca.subject(), ca.issuer());
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_der(der: &[u8]) -> Result<Certificate> {
        Self::build(der.to_vec(), Vec::new(), None)
    }

    /// [`Certificate::from_der`], sharing one parsed copy per distinct certificate in the
    /// process: a thousand connections to one server keep one parsed server certificate, not a
    /// thousand, and the next connection to it parses nothing (see `tls::interned`).
    pub(crate) fn from_der_shared(der: &[u8]) -> Result<Certificate> {
        static INTERNED: Interned<Inner> = Interned::new();
        let inner = INTERNED.get_or_parse(der, || Self::from_der(der).map(|c| c.inner))?;
        Ok(Certificate { inner })
    }

    /// A certificate from PEM text (netrt `Certificate.FromPem`): the first CERTIFICATE is the
    /// leaf, the following ones are carried along as its intermediates.
    ///
    /// `key_pem` may hold a PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1
    /// (`EC PRIVATE KEY`) key; when it is `None`, a key found in `chain_pem` itself is used (for
    /// combined PEM files). The key must belong to the leaf. Encrypted PEM keys are not
    /// supported.
    ///
    /// # Errors
    /// Every failure is `E_INVALIDARG` with a message (no CERTIFICATE block, no key in
    /// `key_pem`, a key that does not belong to the leaf, an unsupported key), except a
    /// malformed certificate, which reports as [`Certificate::from_der`] does.
    ///
    /// # Examples
    /// A client certificate (`StreamSocketControl::set_client_certificate`):
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::net::SocketProtectionLevel;
    /// use netrt::tls::Certificate;
    /// use netrt::{HostName, StreamSocket};
    ///
    /// let chain = std::fs::read_to_string("client.pem").expect("certificate");
    /// let key = std::fs::read_to_string("client.key").expect("key");
    /// let certificate = Certificate::from_pem(&chain, Some(&key))?;
    /// assert!(certificate.has_private_key());
    /// let socket = StreamSocket::new();
    /// socket.control().set_client_certificate(Some(certificate))?;
    /// let host = HostName::new("example.com")?;
    /// socket.connect_with_protection_level(&host, "443", SocketProtectionLevel::Tls12).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_pem(chain_pem: &str, key_pem: Option<&str>) -> Result<Certificate> {
        let chain = key::read_pem(chain_pem, "certificate PEM")?;
        let key = match key_pem {
            Some(text) => {
                let found = key::read_pem(text, "key PEM")?.key;
                Some(found.ok_or_else(|| Error::invalid_arg("key PEM: no private key found"))?)
            }
            None => chain.key,
        };
        let mut certs = chain.certs.into_iter();
        let leaf = certs.next().ok_or_else(|| Error::invalid_arg("certificate PEM: no CERTIFICATE found"))?;
        let intermediates = certs
            .enumerate()
            .map(|(i, der)| {
                Self::from_der(&der).map_err(|e| e.context(format!("certificate {} of the PEM chain", i + 2)))
            })
            .collect::<Result<Vec<_>>>()?;
        let key = key.map(key::load_key).transpose()?;
        Self::build(leaf.to_vec(), intermediates, key)
    }

    /// A certificate from a PKCS#12 (PFX) file (netrt `Certificate.FromPkcs12`).
    ///
    /// The leaf is the certificate the (first usable) private key belongs to; every other
    /// certificate in the file becomes an intermediate, issuer order first. A file without a key
    /// gives a certificate without a key (leaf: the first certificate that issued no other).
    /// Both the modern (PBES2/AES, HMAC-SHA-256) and the legacy (3DES/RC2, SHA-1) encodings
    /// are read.
    ///
    /// # Errors
    /// A wrong password is `HRESULT_FROM_WIN32(ERROR_INVALID_PASSWORD)`
    /// ([`E_INVALID_PASSWORD`](crate::error::hresult::E_INVALID_PASSWORD)), anything else `E_INVALIDARG`.
    ///
    /// # Examples
    /// ```no_run
    /// # fn example() -> netrt::Result<()> {
    /// use netrt::tls::Certificate;
    ///
    /// let pfx = std::fs::read("server.p12").expect("readable");
    /// let certificate = Certificate::from_pkcs12(&pfx, "password")?;
    /// println!("{} intermediates", certificate.intermediates().len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Certificate> {
        let bundle = key::read_pkcs12(bytes, password)?;
        let certs = bundle
            .certs
            .iter()
            .map(|der| Self::from_der(der).map_err(|e| e.context("PKCS#12 certificate")))
            .collect::<Result<Vec<_>>>()?;
        if certs.is_empty() {
            return Err(Error::invalid_arg("PKCS#12: the file holds no certificate"));
        }
        let key_count = bundle.keys.len();
        let mut found = None;
        for key_der in bundle.keys {
            let pair = key::load_key(key_der)?;
            if let Some(i) =
                certs.iter().position(|c| key::key_matches(pair.signing.as_ref(), &c.inner.info.spki))
            {
                found = Some((i, pair));
                break;
            }
        }
        if key_count > 0 && found.is_none() {
            return Err(Error::invalid_arg("PKCS#12: the private key belongs to none of the certificates"));
        }
        let (leaf_index, key) = match found {
            Some((i, pair)) => (i, Some(pair)),
            None => (end_entity_index(&certs), None),
        };
        let leaf = certs[leaf_index].clone();
        let rest: Vec<Certificate> =
            certs.into_iter().enumerate().filter(|(i, _)| *i != leaf_index).map(|(_, c)| c).collect();
        let intermediates = issuer_order(&leaf, rest);
        Self::build(leaf.inner.der.to_vec(), intermediates, key)
    }

    fn build(der: Vec<u8>, intermediates: Vec<Certificate>, key: Option<KeyPair>) -> Result<Certificate> {
        let info = parse_info(&der)?;
        if let Some(pair) = &key
            && !key::key_matches(pair.signing.as_ref(), &info.spki)
        {
            return Err(Error::invalid_arg(format!(
                "the private key does not belong to the certificate '{}'",
                info.subject
            )));
        }
        let der = CertificateDer::from(der);
        let certified = key.as_ref().map(|pair| {
            let mut chain = vec![der.clone()];
            chain.extend(intermediates.iter().map(|c| c.inner.der.clone()));
            Arc::new(CertifiedKey::new(chain, Arc::clone(&pair.signing)))
        });
        Ok(Certificate { inner: Arc::new(Inner { der, info, intermediates, key, certified }) })
    }

    /// Where the parsed certificate lives (two `Certificate`s with one address share it).
    #[cfg(test)]
    pub(crate) fn parsed_address(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    /// The subject as WinRT's `Subject` shows it: the common name, or (without a CN) the first
    /// OU, O or e-mail attribute — Windows' "simple display" name.
    pub fn subject(&self) -> &str {
        &self.inner.info.subject
    }

    /// The full subject distinguished name, RFC 4514 (`CN=host,O=Org,C=US`).
    pub fn subject_distinguished_name(&self) -> &str {
        &self.inner.info.subject_dn
    }

    /// The issuer as WinRT's `Issuer` shows it (see [`Certificate::subject`]).
    pub fn issuer(&self) -> &str {
        &self.inner.info.issuer
    }

    /// The full issuer distinguished name, RFC 4514.
    pub fn issuer_distinguished_name(&self) -> &str {
        &self.inner.info.issuer_dn
    }

    /// The serial number: the DER INTEGER's content bytes, big-endian, exactly as encoded
    /// (so a leading `0x00` is kept when the top bit of the next byte is set).
    pub fn serial_number(&self) -> Vec<u8> {
        self.inner.info.serial.clone()
    }

    /// Start of the validity period (`ValidFrom`).
    pub fn valid_from(&self) -> DateTime {
        DateTime::from_unix_seconds(self.inner.info.not_before)
    }

    /// End of the validity period (`ValidTo`).
    pub fn valid_to(&self) -> DateTime {
        DateTime::from_unix_seconds(self.inner.info.not_after)
    }

    /// The SHA-1 thumbprint of the DER (WinRT `GetHashValue()`).
    pub fn thumbprint_sha1(&self) -> Vec<u8> {
        self.inner.info.sha1.clone()
    }

    /// The SHA-256 thumbprint of the DER (WinRT `GetHashValue("SHA256")`).
    pub fn thumbprint_sha256(&self) -> Vec<u8> {
        self.inner.info.sha256.clone()
    }

    /// The DNS names of the subject-alternative-name extension, in order.
    pub fn dns_names(&self) -> &[String] {
        &self.inner.info.dns_names
    }

    /// The IP addresses of the subject-alternative-name extension, in order.
    pub fn ip_addresses(&self) -> &[IpAddr] {
        &self.inner.info.ip_addresses
    }

    /// The extended key usages as dotted OIDs (`"1.3.6.1.5.5.7.3.1"` = serverAuth); empty
    /// when the certificate has no EKU extension (then it is valid for any usage).
    pub fn enhanced_key_usages(&self) -> Vec<String> {
        self.inner.info.ekus.clone().unwrap_or_default()
    }

    /// `KeyUsages`: the flags of the keyUsage extension (all false without one; see
    /// [`CertificateKeyUsages::present`]).
    pub fn key_usages(&self) -> CertificateKeyUsages {
        self.inner.info.key_usages
    }

    /// `SubjectAlternativeName`: every subjectAltName entry, by kind.
    pub fn subject_alternative_name(&self) -> &SubjectAlternativeNameInfo {
        &self.inner.info.san
    }

    /// `SignatureAlgorithmName`: the CryptoAPI name of the signature algorithm (`sha256RSA`,
    /// `sha384ECDSA`, `RSASSA-PSS`, ...; the dotted OID for algorithms Windows has no name for,
    /// such as Ed25519).
    pub fn signature_algorithm_name(&self) -> &str {
        &self.inner.info.signature_algorithm
    }

    /// `SignatureHashAlgorithmName`: the hash of the signature (`SHA256`, `SHA1`, ...; "" when
    /// the algorithm has no separate hash, such as Ed25519).
    pub fn signature_hash_algorithm_name(&self) -> &str {
        &self.inner.info.signature_hash_algorithm
    }

    /// `KeyAlgorithmName`: the public key's algorithm as `KeyAlgorithmNames` spells it (`RSA`,
    /// `ECDSA_P256`, `ECDSA_P384`, `ECDSA_P521`, `DSA`; the dotted OID otherwise, e.g.
    /// `1.3.101.112` for Ed25519).
    pub fn key_algorithm_name(&self) -> &str {
        &self.inner.info.key_algorithm
    }

    /// `IsStronglyProtected`: always false. On Windows it means the key store asks the user
    /// before each use of the private key; netrt keeps keys in process memory and never asks.
    pub fn is_strongly_protected(&self) -> bool {
        false
    }

    /// `IsPerUser`: always false. On Windows it tells the per-user store from the machine store;
    /// netrt certificates come from files or bytes, not from a store.
    pub fn is_per_user(&self) -> bool {
        false
    }

    /// `IsSecurityDeviceBound`: always false. netrt's private keys are software keys in
    /// process memory, never bound to a TPM or smart card.
    pub fn is_security_device_bound(&self) -> bool {
        false
    }

    /// `KeyStorageProviderName`: always "". On Windows it names the CNG provider holding the
    /// private key; netrt holds keys itself (aws-lc-rs, in memory), with no provider to name.
    pub fn key_storage_provider_name(&self) -> &str {
        ""
    }

    /// `StoreName`: always "". netrt has no certificate stores (the trust store is the
    /// system's CA bundle, read-only), so no certificate was loaded from a named store.
    pub fn store_name(&self) -> &str {
        ""
    }

    /// Whether the certificate may be used for TLS server authentication (no EKU extension,
    /// or one listing serverAuth).
    pub fn allows_server_auth(&self) -> bool {
        self.allows_usage(EKU_SERVER_AUTH)
    }

    /// Whether the certificate may be used for TLS client authentication.
    pub fn allows_client_auth(&self) -> bool {
        self.allows_usage(EKU_CLIENT_AUTH)
    }

    /// Whether the extendedKeyUsage extension allows `oid` (no extension: every usage).
    pub(crate) fn allows_usage(&self, oid: &str) -> bool {
        self.inner.info.ekus.as_ref().is_none_or(|ekus| ekus.iter().any(|e| e == oid))
    }

    /// Whether the subject equals the issuer and the certificate's signature verifies with its
    /// own key. Signatures in algorithms rustls does not support (e.g. SHA-1) count as "no".
    pub fn is_self_signed(&self) -> bool {
        self.inner.info.self_signed
    }

    /// Whether the subject and issuer names are identical (self-issued; the signature is not
    /// looked at).
    pub fn is_self_issued(&self) -> bool {
        self.inner.info.subject_raw == self.inner.info.issuer_raw
    }

    /// Whether a private key came with this certificate (`HasPrivateKey`).
    pub fn has_private_key(&self) -> bool {
        self.inner.key.is_some()
    }

    /// The DER encoding.
    pub fn to_der(&self) -> Vec<u8> {
        self.inner.der.to_vec()
    }

    /// The PEM encoding of this certificate alone (not the intermediates, never the key).
    pub fn to_pem(&self) -> String {
        let b64 = base64(&self.inner.der);
        let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 60);
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            // Base64 output is ASCII, so every chunk is valid UTF-8.
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }

    /// The intermediates carried with this certificate (from PEM or PKCS#12, or as recorded
    /// during a handshake), leaf's issuer first when known.
    pub fn intermediates(&self) -> &[Certificate] {
        &self.inner.intermediates
    }

    /// The DER as rustls holds it.
    pub(crate) fn der(&self) -> &CertificateDer<'static> {
        &self.inner.der
    }

    /// The full SubjectPublicKeyInfo encoding.
    pub(crate) fn spki(&self) -> &[u8] {
        &self.inner.info.spki
    }

    /// The encoded subject Name.
    pub(crate) fn subject_raw(&self) -> &[u8] {
        &self.inner.info.subject_raw
    }

    /// The encoded issuer Name.
    pub(crate) fn issuer_raw(&self) -> &[u8] {
        &self.inner.info.issuer_raw
    }

    /// Validity period as Unix seconds (not before, not after).
    pub(crate) fn validity_unix(&self) -> (i64, i64) {
        (self.inner.info.not_before, self.inner.info.not_after)
    }

    /// The chain to present in a handshake: this certificate, then its intermediates.
    pub(crate) fn rustls_chain(&self) -> Vec<CertificateDer<'static>> {
        std::iter::once(self.inner.der.clone())
            .chain(self.inner.intermediates.iter().map(|c| c.inner.der.clone()))
            .collect()
    }

    /// The private key's DER, if there is a key.
    pub(crate) fn rustls_private_key(&self) -> Option<PrivateKeyDer<'static>> {
        self.inner.key.as_ref().map(|k| k.der.clone_key())
    }

    /// Chain + loaded key (aws-lc-rs), ready for `with_cert_resolver` / client auth; `None`
    /// without a private key.
    pub(crate) fn certified_key(&self) -> Option<Arc<CertifiedKey>> {
        self.inner.certified.clone()
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key material.
        f.debug_struct("Certificate")
            .field("subject", &self.inner.info.subject_dn)
            .field("issuer", &self.inner.info.issuer_dn)
            .field("sha256", &hex(&self.inner.info.sha256))
            .field("intermediates", &self.inner.intermediates.len())
            .field("has_private_key", &self.has_private_key())
            .finish()
    }
}

/// Index of the first certificate that issued none of the others (the end of a chain).
fn end_entity_index(certs: &[Certificate]) -> usize {
    certs
        .iter()
        .position(|c| {
            !certs
                .iter()
                .any(|o| !std::ptr::eq(o, c) && o.issuer_raw() == c.subject_raw() && !o.is_self_issued())
        })
        .unwrap_or(0)
}

/// Orders `rest` by walking issuers up from `leaf`; certificates off that path follow in their
/// original order.
fn issuer_order(leaf: &Certificate, mut rest: Vec<Certificate>) -> Vec<Certificate> {
    let mut ordered = Vec::with_capacity(rest.len());
    let mut current = leaf.clone();
    while !current.is_self_issued() {
        let Some(i) = rest.iter().position(|c| c.subject_raw() == current.issuer_raw()) else { break };
        current = rest.remove(i);
        ordered.push(current.clone());
    }
    ordered.extend(rest);
    ordered
}

fn asn1_error(e: DerError) -> Error {
    match e {
        DerError::Truncated => Error::new(CRYPT_E_ASN1_EOD, "certificate: the DER data is truncated"),
        DerError::UnexpectedTag { expected, found } => Error::new(
            CRYPT_E_ASN1_BADTAG,
            format!(
                "certificate: not DER X.509 data (tag 0x{found:02X} where 0x{expected:02X} was expected)"
            ),
        ),
        DerError::Malformed => Error::new(CRYPT_E_ASN1_CORRUPT, "certificate: malformed DER structure"),
    }
}

fn parse_info(der: &[u8]) -> Result<Info> {
    // The outer structure first, so garbage gets the precise ASN.1 HRESULT.
    der::signed_parts(der).map_err(asn1_error)?;
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| {
        Error::new(CRYPT_E_ASN1_CORRUPT, format!("certificate: invalid X.509 structure: {e}"))
    })?;
    let tbs = &cert.tbs_certificate;
    let subject_raw = tbs.subject.as_raw().to_vec();
    let issuer_raw = tbs.issuer.as_raw().to_vec();
    let spki = tbs.subject_pki.raw.to_vec();

    let mut dns_names = Vec::new();
    let mut ip_addresses = Vec::new();
    let san = cert
        .subject_alternative_name()
        .map_err(|e| Error::new(CRYPT_E_ASN1_CORRUPT, format!("certificate: invalid subjectAltName: {e}")))?;
    for general_name in san.iter().flat_map(|ext| ext.value.general_names.iter()) {
        match general_name {
            GeneralName::DNSName(name) => dns_names.push((*name).to_owned()),
            GeneralName::IPAddress(bytes) => {
                if let Ok(v4) = <[u8; 4]>::try_from(*bytes) {
                    ip_addresses.push(IpAddr::from(v4));
                } else if let Ok(v6) = <[u8; 16]>::try_from(*bytes) {
                    ip_addresses.push(IpAddr::from(v6));
                }
            }
            _ => {}
        }
    }

    let eku = cert.extended_key_usage().map_err(|e| {
        Error::new(CRYPT_E_ASN1_CORRUPT, format!("certificate: invalid extendedKeyUsage: {e}"))
    })?;
    let ekus = eku.map(|ext| {
        let e = ext.value;
        let flags = [
            (e.any, "2.5.29.37.0"),
            (e.server_auth, EKU_SERVER_AUTH),
            (e.client_auth, EKU_CLIENT_AUTH),
            (e.code_signing, "1.3.6.1.5.5.7.3.3"),
            (e.email_protection, "1.3.6.1.5.5.7.3.4"),
            (e.time_stamping, "1.3.6.1.5.5.7.3.8"),
            (e.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
        ];
        let mut list: Vec<String> =
            flags.iter().filter(|(set, _)| *set).map(|(_, oid)| (*oid).to_owned()).collect();
        list.extend(e.other.iter().map(|oid| oid.to_id_string()));
        list
    });

    let (signature_algorithm, signature_hash_algorithm) = details::signature_algorithm_names(&cert);
    let self_signed = subject_raw == issuer_raw
        && der::verify_signed_by(key::aws_lc_provider().signature_verification_algorithms.all, der, &spki)
            .is_ok();
    Ok(Info {
        subject: name::simple_display(&subject_raw),
        subject_dn: name::rfc4514(&subject_raw).unwrap_or_default(),
        issuer: name::simple_display(&issuer_raw),
        issuer_dn: name::rfc4514(&issuer_raw).unwrap_or_default(),
        serial: tbs.raw_serial().to_vec(),
        not_before: tbs.validity.not_before.timestamp(),
        not_after: tbs.validity.not_after.timestamp(),
        sha1: digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, der),
        sha256: digest(&aws_lc_rs::digest::SHA256, der),
        dns_names,
        ip_addresses,
        ekus,
        self_signed,
        key_usages: details::key_usages(&cert),
        san: details::subject_alternative_names(&cert),
        signature_algorithm,
        signature_hash_algorithm,
        key_algorithm: details::key_algorithm_name(&cert),
        subject_raw,
        issuer_raw,
        spki,
    })
}

fn digest(alg: &'static aws_lc_rs::digest::Algorithm, data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(alg, data).as_ref().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Standard base64 with padding (RFC 4648 §4), as PEM uses.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 0x3F) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn garbage_gets_asn1_hresults() {
        assert_eq!(Certificate::from_der(&[]).unwrap_err().hresult(), CRYPT_E_ASN1_EOD);
        assert_eq!(Certificate::from_der(b"hello").unwrap_err().hresult(), CRYPT_E_ASN1_BADTAG);
        assert_eq!(Certificate::from_der(&[0x30, 0x10, 0x30]).unwrap_err().hresult(), CRYPT_E_ASN1_EOD);
        assert_eq!(Certificate::from_der(&[0x30, 0x80]).unwrap_err().hresult(), CRYPT_E_ASN1_CORRUPT);
        // A well-formed outer shape with nonsense inside.
        let shaped = [0x30, 0x0A, 0x30, 0x02, 0x05, 0x00, 0x30, 0x02, 0x05, 0x00, 0x03, 0x00];
        let e = Certificate::from_der(&shaped).unwrap_err();
        assert!(
            [CRYPT_E_ASN1_CORRUPT, CRYPT_E_ASN1_BADTAG].contains(&e.hresult()),
            "{e}: {:08X}",
            e.hresult()
        );
    }
}
