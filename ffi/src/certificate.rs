//! `Windows.Security.Cryptography.Certificates.Certificate` as a handle kind (docs/tls.md).
//!
//! A certificate is immutable: every handle to it may be used from any thread, and the same
//! certificate may be set on several controls at once.

use std::ffi::c_char;

use netrt_core::Error;
use netrt_core::tls::Certificate;

use crate::boundary::{Out, bytes_in, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{data_out, str_in, str_in_or_empty, str_out};
use crate::vector::{VectorObject, issue as issue_vector};
use netrt_core::foundation::Vector;

/// Issues a handle (one new reference) for `cert`.
pub(crate) fn issue(cert: Certificate) -> Result<netrt_handle, Error> {
    handle::issue_new(Value::Certificate(cert))
}

/// Issues a handle for `cert`, or returns 0 for none (WinRT's null).
pub(crate) fn issue_opt(cert: Option<Certificate>) -> Result<netrt_handle, Error> {
    cert.map(issue).transpose().map(|h| h.unwrap_or(0))
}

/// The certificate of a handle where WinRT accepts null: 0 is `None`.
pub(crate) fn cert_opt(h: netrt_handle) -> Result<Option<Certificate>, Error> {
    if h == 0 { Ok(None) } else { Ok(Some(get!(h, Certificate))) }
}

/// `Certificate(IBuffer)`: parses one DER-encoded X.509 certificate (no private key).
///
/// `der`/`der_len`: the bytes (copied; NULL only with length 0). `*out` (not NULL) receives a
/// new reference. Errors: `E_POINTER`; the parse error (`0x8009310B` CRYPT_E_ASN1_BADTAG when
/// the data is not a DER certificate, `0x80093102` CRYPT_E_ASN1_EOD when truncated, ...), with
/// the cause in `netrt_get_last_error_detail`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_create(
    der: *const u8,
    der_len: usize,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_create", {
        let out = Out::new(out, "out")?;
        let der = bytes_in(der, der_len, "der")?;
        out.write(issue(Certificate::from_der(der)?)?);
        Ok(())
    })
}

/// netrt factory `Certificate.FromPem(chainPem, keyPem)`: the first certificate in
/// `chain_pem` is the certificate, the others its intermediates (sent with it in a handshake);
/// `key_pem` is its private key (PKCS#8, SEC1 or PKCS#1 PEM) or NULL for none.
///
/// Both strings are NUL-terminated UTF-8. `*out` (not NULL) receives a new reference.
/// Errors: `E_POINTER` (`chain_pem` or `out` NULL); `E_INVALIDARG` (no certificate, a key that
/// does not match the certificate, unsupported key type); parse errors as
/// `netrt_certificate_create`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_create_from_pem(
    chain_pem: *const c_char,
    key_pem: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_create_from_pem", {
        let out = Out::new(out, "out")?;
        let chain = str_in(chain_pem, "chain_pem")?;
        let key = if key_pem.is_null() { None } else { Some(str_in(key_pem, "key_pem")?) };
        out.write(issue(Certificate::from_pem(chain, key)?)?);
        Ok(())
    })
}

/// netrt factory `Certificate.FromPkcs12(bytes, password)`: a PKCS#12 (.pfx/.p12) file with one
/// certificate and its private key (other certificates become its intermediates).
///
/// `data`/`len`: the file's bytes. `password`: NUL-terminated UTF-8; NULL means "" (no
/// password). `*out` (not NULL) receives a new reference. Errors: `E_POINTER`;
/// `E_INVALIDARG` (wrong password, no key, malformed file, unsupported encryption) with the
/// cause in the detail. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_create_from_pkcs12(
    data: *const u8,
    len: usize,
    password: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_create_from_pkcs12", {
        let out = Out::new(out, "out")?;
        let bytes = bytes_in(data, len, "data")?;
        let password = str_in_or_empty(password, "password")?;
        out.write(issue(Certificate::from_pkcs12(bytes, password)?)?);
        Ok(())
    })
}

/// `Subject`: the subject's common name (or the full name when it has no CN). String out:
/// NUL-terminated into `buf`/`len`; `*needed` (not NULL) always set to the size including
/// the NUL; too small → `0x8007007A` with only `*needed` written. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_subject(
    certificate: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_subject", {
        str_out(get!(certificate, Certificate).subject(), buf, len, needed)
    })
}

/// `Issuer`: the issuer's common name (or full name). String out as `_get_subject`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_issuer(
    certificate: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_issuer", {
        str_out(get!(certificate, Certificate).issuer(), buf, len, needed)
    })
}

/// netrt extension: the subject's full distinguished name ("CN=..., O=..."). String out as
/// `_get_subject`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_subject_distinguished_name(
    certificate: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_subject_distinguished_name", {
        str_out(get!(certificate, Certificate).subject_distinguished_name(), buf, len, needed)
    })
}

/// `SerialNumber`: the serial number's bytes, big-endian as in the certificate. Bytes out:
/// `buf`/`len` receive them; `*needed` (not NULL) is always set to their number; too small →
/// `0x8007007A` with only `*needed` written (`buf` may be NULL when `len` is 0).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_serial_number(
    certificate: netrt_handle,
    buf: *mut u8,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_serial_number", {
        data_out(&get!(certificate, Certificate).serial_number(), buf, len, needed)
    })
}

/// `ValidFrom` (notBefore) as a DateTime: 100-ns ticks since 1601-01-01 UTC. `out_value` not
/// NULL. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_valid_from(
    certificate: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_valid_from", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(certificate, Certificate).valid_from().universal_time);
        Ok(())
    })
}

/// `ValidTo` (notAfter) as a DateTime (100-ns ticks since 1601-01-01 UTC). As `_get_valid_from`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_valid_to(
    certificate: netrt_handle,
    out_value: *mut i64,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_valid_to", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(certificate, Certificate).valid_to().universal_time);
        Ok(())
    })
}

/// `GetHashValue()`: the SHA-1 thumbprint (20 bytes) of the DER encoding. Bytes out as
/// `_get_serial_number`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_hash_value(
    certificate: netrt_handle,
    buf: *mut u8,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_hash_value", {
        data_out(&get!(certificate, Certificate).thumbprint_sha1(), buf, len, needed)
    })
}

/// `GetHashValue(hashAlgorithmName)` (ABI name GetHashValueWithAlgorithm): the thumbprint with
/// `hash_algorithm_name` "SHA1" (20 bytes) or "SHA256" (32 bytes), case-insensitive; other
/// names are `E_INVALIDARG`, NULL is `E_POINTER`. Bytes out as `_get_serial_number`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_hash_value_with_algorithm(
    certificate: netrt_handle,
    hash_algorithm_name: *const c_char,
    buf: *mut u8,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_hash_value_with_algorithm", {
        let cert = get!(certificate, Certificate);
        let name = str_in(hash_algorithm_name, "hash_algorithm_name")?;
        let hash = match name.to_ascii_uppercase().as_str() {
            "SHA1" => cert.thumbprint_sha1(),
            "SHA256" => cert.thumbprint_sha256(),
            _ => {
                return Err(Error::invalid_arg(format!(
                    "unsupported hash algorithm '{name}' (SHA1, SHA256)"
                )));
            }
        };
        data_out(&hash, buf, len, needed)
    })
}

/// `HasPrivateKey`. `out_value` not NULL. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_has_private_key(
    certificate: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_has_private_key", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(certificate, Certificate).has_private_key());
        Ok(())
    })
}

/// `IsSelfSigned`-style netrt helper: true when the certificate's own key verifies its
/// signature and subject equals issuer. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_is_self_signed(
    certificate: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_is_self_signed", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(certificate, Certificate).is_self_signed());
        Ok(())
    })
}

/// `GetCertificateBlob()`: the DER encoding. Bytes out as `_get_serial_number`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_certificate_blob(
    certificate: netrt_handle,
    buf: *mut u8,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_certificate_blob", {
        data_out(&get!(certificate, Certificate).to_der(), buf, len, needed)
    })
}

/// netrt extension: the certificate as PEM ("-----BEGIN CERTIFICATE-----...", without its
/// intermediates or key). String out as `_get_subject`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_export_pem(
    certificate: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_export_pem", {
        str_out(&get!(certificate, Certificate).to_pem(), buf, len, needed)
    })
}

/// `SubjectAlternativeName.DnsName`: the DNS names, as a new read-only vector of strings
/// (`netrt_vector_get_at_string`; modifying it is `E_ILLEGAL_METHOD_CALL`). `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_dns_names(
    certificate: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_dns_names", {
        let out = Out::new(out, "out")?;
        let cert = get!(certificate, Certificate);
        out.write(issue_vector(VectorObject::Strings(Vector::view(cert.dns_names().to_vec())))?);
        Ok(())
    })
}

/// `SubjectAlternativeName.IPAddress`: the IP addresses as text ("127.0.0.1", "::1"), a new
/// read-only vector of strings. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_ip_addresses(
    certificate: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_ip_addresses", {
        let out = Out::new(out, "out")?;
        let cert = get!(certificate, Certificate);
        let ips = cert.ip_addresses().iter().map(|ip| ip.to_string()).collect();
        out.write(issue_vector(VectorObject::Strings(Vector::view(ips)))?);
        Ok(())
    })
}

/// `EnhancedKeyUsages`: the EKU OIDs ("1.3.6.1.5.5.7.3.1" = server authentication), a new
/// read-only vector of strings (empty when the certificate has no EKU extension). `*out` not
/// NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_enhanced_key_usages(
    certificate: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_enhanced_key_usages", {
        let out = Out::new(out, "out")?;
        let cert = get!(certificate, Certificate);
        out.write(issue_vector(VectorObject::Strings(Vector::view(cert.enhanced_key_usages())))?);
        Ok(())
    })
}

/// `SignatureAlgorithmName`: the signature algorithm as Windows names it ("sha256RSA",
/// "sha384ECDSA", "RSASSA-PSS", ...; the dotted OID for algorithms Windows has no name for, e.g.
/// Ed25519). String out as `_get_subject`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_signature_algorithm_name(
    certificate: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_signature_algorithm_name", {
        str_out(get!(certificate, Certificate).signature_algorithm_name(), buf, len, needed)
    })
}

/// `SignatureHashAlgorithmName`: the signature's hash ("SHA256", "SHA384", "SHA1", ...; "" when
/// the algorithm has no separate hash, e.g. Ed25519). String out as `_get_subject`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_signature_hash_algorithm_name(
    certificate: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_signature_hash_algorithm_name", {
        str_out(get!(certificate, Certificate).signature_hash_algorithm_name(), buf, len, needed)
    })
}

/// `KeyAlgorithmName`: the public key's algorithm as `KeyAlgorithmNames` spells it ("RSA",
/// "ECDSA_P256", "ECDSA_P384", "ECDSA_P521", "DSA"; the dotted OID otherwise). String out as
/// `_get_subject`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_key_algorithm_name(
    certificate: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_key_algorithm_name", {
        str_out(get!(certificate, Certificate).key_algorithm_name(), buf, len, needed)
    })
}

/// `KeyStorageProviderName`: always "" in netrt (keys are held in process memory by netrt, not
/// by a CNG provider). String out as `_get_subject`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_key_storage_provider_name(
    certificate: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_key_storage_provider_name", {
        str_out(get!(certificate, Certificate).key_storage_provider_name(), buf, len, needed)
    })
}

/// `StoreName`: always "" in netrt (it has no certificate stores). String out as
/// `_get_subject`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_store_name(
    certificate: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_store_name", {
        str_out(get!(certificate, Certificate).store_name(), buf, len, needed)
    })
}

/// `IsStronglyProtected`: always false in netrt (no key store prompts before a key is used).
/// `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_is_strongly_protected(
    certificate: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_is_strongly_protected", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(certificate, Certificate).is_strongly_protected());
        Ok(())
    })
}

/// `IsPerUser`: always false in netrt (certificates come from bytes or files, not a per-user
/// store). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_is_per_user(
    certificate: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_is_per_user", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(certificate, Certificate).is_per_user());
        Ok(())
    })
}

/// `IsSecurityDeviceBound`: always false in netrt (software keys only, never a TPM or smart
/// card). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_is_security_device_bound(
    certificate: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_is_security_device_bound", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(certificate, Certificate).is_security_device_bound());
        Ok(())
    })
}

/// `Windows.Security.Cryptography.Certificates.CertificateKeyUsages` as a value: the flags of
/// the keyUsage extension. A plain struct rather than a handle because netrt only reads it from
/// certificates (WinRT also uses the class to describe certificate requests, which netrt does
/// not make).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct netrt_certificate_key_usages {
    /// `EncipherOnly`.
    pub encipher_only: bool,
    /// `CrlSign`.
    pub crl_sign: bool,
    /// `KeyCertificateSign`.
    pub key_certificate_sign: bool,
    /// `KeyAgreement`.
    pub key_agreement: bool,
    /// `DataEncipherment`.
    pub data_encipherment: bool,
    /// `KeyEncipherment`.
    pub key_encipherment: bool,
    /// `NonRepudiation`.
    pub non_repudiation: bool,
    /// `DigitalSignature`.
    pub digital_signature: bool,
}

/// `KeyUsages`: the keyUsage extension's flags into `*out_value` (not NULL); every flag false
/// when the certificate has no keyUsage extension. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_get_key_usages(
    certificate: netrt_handle,
    out_value: *mut netrt_certificate_key_usages,
) -> netrt_hresult {
    ffi!("netrt_certificate_get_key_usages", {
        let out = Out::new(out_value, "out_value")?;
        let k = get!(certificate, Certificate).key_usages();
        out.write(netrt_certificate_key_usages {
            encipher_only: k.encipher_only,
            crl_sign: k.crl_sign,
            key_certificate_sign: k.key_certificate_sign,
            key_agreement: k.key_agreement,
            data_encipherment: k.data_encipherment,
            key_encipherment: k.key_encipherment,
            non_repudiation: k.non_repudiation,
            digital_signature: k.digital_signature,
        });
        Ok(())
    })
}
