//! Private keys and certificate bundles: PEM and PKCS#12 import, loading a key into the
//! aws-lc-rs provider, and checking that a key belongs to a certificate.

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};
use rustls::sign::SigningKey;

use crate::error::hresult::E_INVALID_PASSWORD;
use crate::error::{Error, Result};

/// The aws-lc-rs provider netrt loads keys with and checks signatures against, built once.
pub(crate) fn aws_lc_provider() -> &'static CryptoProvider {
    static PROVIDER: OnceLock<CryptoProvider> = OnceLock::new();
    PROVIDER.get_or_init(rustls::crypto::aws_lc_rs::default_provider)
}

/// A private key in both forms rustls wants: the DER (for configs that load it themselves) and
/// the loaded signing key.
pub(crate) struct KeyPair {
    pub der: PrivateKeyDer<'static>,
    pub signing: Arc<dyn SigningKey>,
}

impl Clone for KeyPair {
    fn clone(&self) -> Self {
        Self { der: self.der.clone_key(), signing: Arc::clone(&self.signing) }
    }
}

/// Loads `der` with the aws-lc-rs provider; an unsupported or corrupt key is `E_INVALIDARG`.
pub(crate) fn load_key(der: PrivateKeyDer<'static>) -> Result<KeyPair> {
    let signing = aws_lc_provider()
        .key_provider
        .load_private_key(der.clone_key())
        .map_err(|e| Error::invalid_arg(format!("the private key cannot be used: {e}")))?;
    Ok(KeyPair { der, signing })
}

/// Whether `key` is the private half of the public key in `spki` (a full SubjectPublicKeyInfo).
///
/// First the SPKI the key reports is compared byte for byte; if that differs (an equivalent but
/// differently encoded key) or is unknown, a test message is signed and verified against the
/// certificate's key, which is conclusive.
pub(crate) fn key_matches(key: &dyn SigningKey, spki: &[u8]) -> bool {
    if key.public_key().is_some_and(|k| k.as_ref() == spki) {
        return true;
    }
    let Ok((key_alg, public_key)) = super::der::spki_parts(spki) else { return false };
    let algs = aws_lc_provider().signature_verification_algorithms;
    let Some(signer) = key.choose_scheme(&algs.supported_schemes()) else { return false };
    let message = b"netrt: does this key belong to this certificate?";
    let Ok(signature) = signer.sign(message) else { return false };
    algs.mapping
        .iter()
        .filter(|(scheme, _)| *scheme == signer.scheme())
        .flat_map(|(_, verifiers)| verifiers.iter())
        .filter(|v| v.public_key_alg_id().as_ref() == key_alg)
        .any(|v| v.verify_signature(public_key, message, &signature).is_ok())
}

/// The certificates and (first) private key found in PEM text, in order.
pub(crate) struct PemBundle {
    pub certs: Vec<CertificateDer<'static>>,
    pub key: Option<PrivateKeyDer<'static>>,
}

/// Reads every CERTIFICATE section and the first PRIVATE KEY / RSA PRIVATE KEY / EC PRIVATE KEY
/// section of `pem`; other sections are skipped. `what` names the argument in messages.
pub(crate) fn read_pem(pem: &str, what: &str) -> Result<PemBundle> {
    if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err(Error::invalid_arg(format!(
            "{what}: encrypted PEM private keys are not supported; decrypt the key or use a PKCS#12 file"
        )));
    }
    let mut bundle = PemBundle { certs: Vec::new(), key: None };
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem.as_bytes()) {
        let (kind, der) = section.map_err(|e| Error::invalid_arg(format!("{what}: invalid PEM: {e}")))?;
        let key = match kind {
            SectionKind::Certificate => {
                bundle.certs.push(CertificateDer::from(der));
                continue;
            }
            SectionKind::PrivateKey => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)),
            SectionKind::RsaPrivateKey => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)),
            SectionKind::EcPrivateKey => PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der)),
            _ => continue,
        };
        if bundle.key.is_none() {
            bundle.key = Some(key);
        }
    }
    Ok(bundle)
}

/// The contents of a PKCS#12 file, decrypted: all certificates and all private keys.
pub(crate) struct Pkcs12Bundle {
    pub certs: Vec<Vec<u8>>,
    pub keys: Vec<PrivateKeyDer<'static>>,
}

/// Decrypts a PKCS#12 (PFX) file. A wrong password is `HRESULT_FROM_WIN32(ERROR_INVALID_PASSWORD)`;
/// anything unreadable or unsupported is `E_INVALIDARG`.
pub(crate) fn read_pkcs12(bytes: &[u8], password: &str) -> Result<Pkcs12Bundle> {
    use p12_keystore::error::Error as P12Error;
    let archive = p12_keystore::Pkcs12Archive::from_pkcs12(bytes, password).map_err(|e| match e {
        // The MAC is keyed by the password; without a MAC, decryption fails on the padding.
        P12Error::MacError(_) | P12Error::UnpadError | P12Error::Pkcs5Error(_) => Error::new(
            E_INVALID_PASSWORD,
            format!("PKCS#12: the password is incorrect (or the file is corrupt): {e}"),
        ),
        other => Error::invalid_arg(format!("PKCS#12: cannot read the file: {other}")),
    })?;
    Ok(Pkcs12Bundle {
        certs: archive.certs.iter().map(|bag| bag.cert.as_der().to_vec()).collect(),
        keys: archive
            .keys
            .iter()
            .map(|bag| PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(bag.key.as_der().to_vec())))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::hresult;

    #[test]
    fn pem_errors_are_invalid_arg() {
        let e = read_pem("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "chain")
            .err()
            .unwrap();
        assert_eq!(e.hresult(), hresult::E_INVALIDARG);
        let e = read_pem(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n-----END ENCRYPTED PRIVATE KEY-----\n",
            "key",
        )
        .err()
        .unwrap();
        assert!(e.message().contains("encrypted"), "{e}");
        let empty = read_pem("no pem here", "chain").ok().unwrap();
        assert!(empty.certs.is_empty() && empty.key.is_none());
    }

    #[test]
    fn garbage_key_is_invalid_arg() {
        let e = load_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(vec![1, 2, 3]))).err().unwrap();
        assert_eq!(e.hresult(), hresult::E_INVALIDARG);
    }

    #[test]
    fn garbage_pkcs12_is_invalid_arg() {
        let e = read_pkcs12(&[0x30, 0x03, 0x02, 0x01, 0x03], "pw").err().unwrap();
        assert_eq!(e.hresult(), hresult::E_INVALIDARG);
        assert!(read_pkcs12(&[], "").is_err());
    }
}
