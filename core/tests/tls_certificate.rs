//! `Certificate`: parsing, getters (checked against what `openssl x509` reads back), PEM and
//! PKCS#12 import, and robustness against garbage.

mod common;

use std::net::IpAddr;

use common::{Pki, field, parse_openssl_date, unhex};
use netrt::error::hresult::{CRYPT_E_ASN1_BADTAG, E_INVALID_PASSWORD};
use netrt::error::hresult::{E_INVALIDARG, hr};
use netrt::tls::Certificate;

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Every getter of `name` against openssl's view of the same certificate.
fn assert_matches_openssl(pki: &Pki, name: &str) {
    let cert = Certificate::from_der(&pki.der(name)).expect("parse");
    let out = pki.x509(name, &["-serial", "-dates", "-subject", "-issuer", "-nameopt", "RFC2253"]);
    assert_eq!(cert.subject_distinguished_name(), field(&out, "subject"), "{name} subject");
    assert_eq!(cert.issuer_distinguished_name(), field(&out, "issuer"), "{name} issuer");
    assert_eq!(strip_leading_zeros(&cert.serial_number()), unhex(field(&out, "serial")), "{name} serial");
    assert_eq!(cert.valid_from().to_unix_seconds(), parse_openssl_date(field(&out, "notBefore")));
    assert_eq!(cert.valid_to().to_unix_seconds(), parse_openssl_date(field(&out, "notAfter")));
    let sha1 = pki.x509(name, &["-fingerprint", "-sha1"]);
    let sha256 = pki.x509(name, &["-fingerprint", "-sha256"]);
    assert_eq!(cert.thumbprint_sha1(), unhex(sha1.split('=').nth(1).expect("sha1")), "{name} sha1");
    assert_eq!(cert.thumbprint_sha256(), unhex(sha256.split('=').nth(1).expect("sha256")), "{name} sha256");
    assert_eq!(cert.to_der(), pki.der(name));
}

#[test]
fn getters_match_openssl() {
    let pki = Pki::get();
    for name in ["leaf", "ca", "inter", "leaf_inter", "expired", "rsa", "multi", "selfsigned", "clientonly"] {
        assert_matches_openssl(pki, name);
    }
}

#[test]
fn leaf_details() {
    let pki = Pki::get();
    let leaf = Certificate::from_der(&pki.der("leaf")).unwrap();
    assert_eq!(leaf.subject(), "localhost");
    assert_eq!(leaf.subject_distinguished_name(), "O=netrt tests,CN=localhost");
    assert_eq!(leaf.issuer(), "netrt Test CA");
    assert_eq!(leaf.dns_names(), ["localhost"]);
    assert_eq!(leaf.ip_addresses(), [IpAddr::from([127, 0, 0, 1])]);
    assert_eq!(leaf.enhanced_key_usages(), ["1.3.6.1.5.5.7.3.1"]);
    assert!(leaf.allows_server_auth() && !leaf.allows_client_auth());
    assert!(!leaf.is_self_signed() && !leaf.is_self_issued());
    assert!(!leaf.has_private_key());
    assert!(leaf.intermediates().is_empty());
    assert_eq!(leaf.thumbprint_sha1().len(), 20);
    assert_eq!(leaf.thumbprint_sha256().len(), 32);

    let multi = Certificate::from_der(&pki.der("multi")).unwrap();
    assert_eq!(multi.dns_names(), ["localhost", "alt.example"]);
    assert_eq!(multi.ip_addresses(), [IpAddr::from([127, 0, 0, 1]), "::1".parse::<IpAddr>().unwrap()]);
    assert_eq!(multi.enhanced_key_usages(), ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);

    let ca = Certificate::from_der(&pki.der("ca")).unwrap();
    assert!(ca.is_self_signed() && ca.is_self_issued());
    assert!(ca.enhanced_key_usages().is_empty() && ca.allows_server_auth());
    assert!(Certificate::from_der(&pki.der("selfsigned")).unwrap().is_self_signed());
    assert!(Certificate::from_der(&pki.der("selfsigned_ca")).unwrap().is_self_signed());
    assert!(!Certificate::from_der(&pki.read("selfsigned_badsig.der")).unwrap().is_self_signed());
}

#[test]
fn rfc4514_escaping_and_der_serial_bytes() {
    let pki = Pki::get();
    let rsa = Certificate::from_der(&pki.der("rsa")).unwrap();
    assert_eq!(rsa.subject(), "rsa.example");
    assert_eq!(rsa.subject_distinguished_name(), "C=US,O=Org\\, Inc.,OU=Unit,CN=rsa.example");
    // 0x8F00112233 has its top bit set, so DER prefixes a zero byte.
    assert_eq!(rsa.serial_number(), [0x00, 0x8F, 0x00, 0x11, 0x22, 0x33]);
    let inter = Certificate::from_der(&pki.der("leaf_inter")).unwrap();
    assert_eq!(inter.issuer(), "netrt Test Intermediate");
}

#[test]
fn pem_round_trip() {
    let pki = Pki::get();
    let leaf = Certificate::from_der(&pki.der("leaf")).unwrap();
    let pem = leaf.to_pem();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n") && pem.ends_with("-----END CERTIFICATE-----\n"));
    assert!(pem.lines().all(|l| l.len() <= 64));
    // openssl reads it back to the same DER.
    std::fs::write(pki.path("roundtrip.pem"), &pem).unwrap();
    common::pki::openssl(
        &pki.dir,
        &["x509", "-in", "roundtrip.pem", "-outform", "DER", "-out", "roundtrip.der"],
    );
    assert_eq!(pki.read("roundtrip.der"), pki.der("leaf"));
    assert_eq!(Certificate::from_pem(&pem, None).unwrap().to_der(), pki.der("leaf"));
}

#[test]
fn from_pem_with_each_key_format() {
    let pki = Pki::get();
    let cases = [
        ("leaf", pki.key("leaf")),           // PKCS#8 EC
        ("leaf", pki.text("leaf.sec1.key")), // SEC1 EC
        ("rsa", pki.text("rsa.pkcs1.key")),  // PKCS#1 RSA
        ("rsa", pki.key("rsa")),             // PKCS#8 RSA
        ("multi", pki.key("multi")),         // PKCS#8 Ed25519
    ];
    for (name, key) in cases {
        let cert =
            Certificate::from_pem(&pki.pem(name), Some(&key)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(cert.has_private_key(), "{name}");
        assert_eq!(cert.to_der(), pki.der(name));
    }
}

#[test]
fn from_pem_chain_and_combined_file() {
    let pki = Pki::get();
    let chain = format!("{}{}", pki.pem("leaf_inter"), pki.pem("inter"));
    let cert = Certificate::from_pem(&chain, Some(&pki.key("leaf_inter"))).unwrap();
    assert_eq!(cert.subject(), "localhost");
    assert_eq!(cert.intermediates().len(), 1);
    assert_eq!(cert.intermediates()[0].subject(), "netrt Test Intermediate");

    // Key in the same text as the certificate, no separate key argument.
    let combined = format!("{}{}", pki.key("leaf"), pki.pem("leaf"));
    assert!(Certificate::from_pem(&combined, None).unwrap().has_private_key());
    assert!(!Certificate::from_pem(&pki.pem("leaf"), None).unwrap().has_private_key());
}

#[test]
fn from_pem_errors() {
    let pki = Pki::get();
    // The key of another certificate.
    let e = Certificate::from_pem(&pki.pem("leaf"), Some(&pki.key("expired"))).unwrap_err();
    assert_eq!(e.hresult(), E_INVALIDARG, "{e}");
    assert!(e.message().contains("does not belong"), "{e}");
    let e = Certificate::from_pem(&pki.pem("leaf"), Some(&pki.key("rsa"))).unwrap_err();
    assert_eq!(e.hresult(), E_INVALIDARG, "{e}");
    // No certificate, no key, broken base64.
    assert_eq!(Certificate::from_pem(&pki.key("leaf"), None).unwrap_err().hresult(), E_INVALIDARG);
    assert_eq!(
        Certificate::from_pem(&pki.pem("leaf"), Some(&pki.pem("ca"))).unwrap_err().hresult(),
        E_INVALIDARG
    );
    let broken = pki.pem("leaf").replace('A', "*");
    assert_eq!(Certificate::from_pem(&broken, None).unwrap_err().hresult(), E_INVALIDARG);
    // A CERTIFICATE block that is not a certificate reports the DER error.
    let fake = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    assert_eq!(Certificate::from_pem(fake, None).unwrap_err().hresult(), CRYPT_E_ASN1_BADTAG);
}

#[test]
fn from_pkcs12_modern() {
    let pki = Pki::get();
    let cert = Certificate::from_pkcs12(&pki.read("leaf.p12"), "secret").unwrap();
    assert!(cert.has_private_key());
    assert_eq!(cert.to_der(), pki.der("leaf"));
    assert_eq!(cert.intermediates().len(), 1);
    assert_eq!(cert.intermediates()[0].to_der(), pki.der("ca"));

    let e = Certificate::from_pkcs12(&pki.read("leaf.p12"), "wrong").unwrap_err();
    assert_eq!(e.hresult(), E_INVALID_PASSWORD, "{e}");
    assert_eq!(E_INVALID_PASSWORD, hr(0x8007_0056));

    let nopass = Certificate::from_pkcs12(&pki.read("leaf_nopass.p12"), "").unwrap();
    assert!(nopass.has_private_key());
    assert!(nopass.intermediates().is_empty());
}

#[test]
fn from_pkcs12_legacy() {
    let pki = Pki::get();
    if !pki.legacy_pkcs12 {
        eprintln!("skipped: this OpenSSL cannot write -legacy PKCS#12");
        return;
    }
    let cert = Certificate::from_pkcs12(&pki.read("leaf_legacy.p12"), "secret").unwrap();
    assert!(cert.has_private_key());
    assert_eq!(cert.to_der(), pki.der("leaf"));
}

#[test]
fn from_pkcs12_garbage() {
    let pki = Pki::get();
    assert_eq!(Certificate::from_pkcs12(b"not a pfx", "x").unwrap_err().hresult(), E_INVALIDARG);
    let mut p12 = pki.read("leaf.p12");
    for i in (0..p12.len()).step_by(7) {
        p12[i] ^= 0x55;
        assert!(Certificate::from_pkcs12(&p12, "secret").is_err());
        p12[i] ^= 0x55;
    }
    for len in (0..p12.len()).step_by(13) {
        assert!(Certificate::from_pkcs12(&p12[..len], "secret").is_err());
    }
}

#[test]
fn garbage_der_never_panics() {
    let pki = Pki::get();
    let der = pki.der("rsa");
    for len in 0..der.len() {
        assert!(Certificate::from_der(&der[..len]).is_err(), "truncated at {len} accepted");
    }
    let mut flipped = der.clone();
    for i in 0..flipped.len() {
        for mask in [0x01u8, 0x80, 0xFF] {
            flipped[i] ^= mask;
            // Either outcome is fine; what matters is no panic.
            let _ = Certificate::from_der(&flipped).map(|c| (c.subject().len(), c.dns_names().len()));
            flipped[i] ^= mask;
        }
    }
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(Certificate::from_der(&trailing).is_err());
}

#[test]
fn certificate_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Certificate>();
    let pki = Pki::get();
    let a = Certificate::from_pem(&pki.pem("leaf"), Some(&pki.key("leaf"))).unwrap();
    let b = a.clone();
    assert_eq!(a.thumbprint_sha256(), b.thumbprint_sha256());
    let debug = format!("{b:?}");
    assert!(debug.contains("CN=localhost") && !debug.contains("PRIVATE"), "{debug}");
}

#[test]
fn algorithm_names_as_windows_spells_them() {
    let pki = Pki::get();
    let cert = |name: &str| Certificate::from_der(&pki.der(name)).unwrap();
    let leaf = cert("leaf");
    assert_eq!(leaf.signature_algorithm_name(), "sha256ECDSA");
    assert_eq!(leaf.signature_hash_algorithm_name(), "SHA256");
    assert_eq!(leaf.key_algorithm_name(), "ECDSA_P256");
    let rsa = cert("rsa");
    assert_eq!(rsa.key_algorithm_name(), "RSA");
    assert_eq!(rsa.signature_algorithm_name(), "sha256ECDSA", "signed by the EC test CA");
    let rsa_self = cert("rsa_self");
    assert_eq!(rsa_self.signature_algorithm_name(), "sha384RSA");
    assert_eq!(rsa_self.signature_hash_algorithm_name(), "SHA384");
    // Ed25519 has no Windows name: the OID, and no separate hash.
    let multi = cert("multi");
    assert_eq!(multi.key_algorithm_name(), "1.3.101.112");
    // Cross-check with openssl's own reading of the signature algorithm.
    let text = pki.x509("rsa_self", &["-text"]);
    assert!(text.contains("sha384WithRSAEncryption"), "{text}");
}

#[test]
fn key_usages_from_the_extension() {
    let pki = Pki::get();
    let san = Certificate::from_der(&pki.der("san_all")).unwrap().key_usages();
    assert!(san.present);
    assert!(san.digital_signature && san.non_repudiation && san.key_agreement && san.encipher_only);
    assert!(!san.key_encipherment && !san.data_encipherment && !san.key_certificate_sign && !san.crl_sign);
    let ca = Certificate::from_der(&pki.der("ca")).unwrap().key_usages();
    assert!(ca.present && ca.key_certificate_sign && ca.crl_sign && !ca.digital_signature);
    let leaf = Certificate::from_der(&pki.der("leaf")).unwrap().key_usages();
    assert!(leaf.digital_signature && leaf.key_encipherment && !leaf.key_agreement);
    // No extension: every flag false.
    let none = Certificate::from_der(&pki.der("wronghost")).unwrap().key_usages();
    assert_eq!(none, netrt::tls::CertificateKeyUsages::default());
}

#[test]
fn subject_alternative_name_by_kind() {
    let pki = Pki::get();
    let cert = Certificate::from_der(&pki.der("san_all")).unwrap();
    let san = cert.subject_alternative_name();
    assert_eq!(san.dns_name, ["a.example", "b.example"]);
    assert_eq!(san.ip_address, ["192.0.2.1", "2001:db8::1"]);
    assert_eq!(san.url, ["https://a.example/path"]);
    assert_eq!(san.email_name, ["someone@example.com"]);
    assert_eq!(san.distinguished_name, ["O=Example,CN=Directory Name"]);
    assert_eq!(san.principal_name, ["user@example.com"]);
    let text = pki.x509("san_all", &["-ext", "subjectAltName"]);
    assert!(text.contains("DNS:a.example") && text.contains("email:someone@example.com"), "{text}");
    assert_eq!(
        Certificate::from_der(&pki.der("ca")).unwrap().subject_alternative_name(),
        &Default::default()
    );
}

#[test]
fn subject_alternative_name_extension_is_the_certificates_der() {
    let pki = Pki::get();
    let der = pki.der("san_all");
    let ext = Certificate::from_der(&der).unwrap().subject_alternative_name().extension();
    assert_eq!((ext.object_id.as_str(), ext.is_critical), ("2.5.29.17", false));
    // The value is the GeneralNames SEQUENCE, byte for byte as it sits in the certificate.
    assert_eq!(ext.value[0], 0x30, "a SEQUENCE");
    assert!(der.windows(ext.value.len()).any(|w| w == ext.value.as_slice()));
    assert!(ext.value.windows(9).any(|w| w == b"a.example"));
    // No subjectAltName: the object id, not critical, an empty value.
    let none = Certificate::from_der(&pki.der("ca")).unwrap().subject_alternative_name().extension();
    assert_eq!((none.object_id.as_str(), none.is_critical, none.value.len()), ("2.5.29.17", false, 0));
    assert_eq!(netrt::tls::SubjectAlternativeNameInfo::default().extension(), none);
}

#[test]
fn subject_alternative_name_plural_members_are_live_vectors_of_the_same_entries() {
    use netrt::tls::SubjectAlternativeNameInfo as Info;
    use netrt::tls::SubjectAlternativeNameKind as Kind;
    let pki = Pki::get();
    let cert = Certificate::from_der(&pki.der("san_all")).unwrap();
    let shared = std::sync::Arc::new(std::sync::Mutex::new(cert.subject_alternative_name().clone()));
    for kind in [
        Kind::DnsName,
        Kind::IpAddress,
        Kind::Url,
        Kind::EmailName,
        Kind::DistinguishedName,
        Kind::PrincipalName,
    ] {
        let plural = Info::entries_vector(&shared, kind);
        assert!(!plural.is_read_only() && Info::entries_view(&shared, kind).is_read_only());
        assert_eq!(plural.to_vec(), cert.subject_alternative_name().entries(kind), "{kind:?}");
    }
    let dns_names = Info::entries_vector(&shared, Kind::DnsName);
    dns_names.append("c.example".into()).unwrap();
    assert_eq!(Info::entries_view(&shared, Kind::DnsName).to_vec(), ["a.example", "b.example", "c.example"]);
    assert_eq!(cert.subject_alternative_name().dns_name.len(), 2, "the certificate is unchanged");
    let addresses = Info::entries_vector(&shared, Kind::IpAddress);
    assert_eq!(addresses.append("not an address".into()).unwrap_err().hresult(), E_INVALIDARG);
    addresses.append("::1".into()).unwrap();
    assert_eq!(addresses.to_vec(), ["192.0.2.1", "2001:db8::1", "::1"]);
}

#[test]
fn store_and_key_storage_members_have_their_linux_values() {
    let pki = Pki::get();
    let cert = Certificate::from_pem(&pki.pem("leaf"), Some(&pki.key("leaf"))).unwrap();
    assert!(cert.has_private_key());
    assert!(!cert.is_strongly_protected() && !cert.is_per_user() && !cert.is_security_device_bound());
    assert_eq!(cert.key_storage_provider_name(), "");
    assert_eq!(cert.store_name(), "");
}
