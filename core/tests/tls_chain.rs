//! `Certificate::build_chain` (BuildChainAsync) and `CertificateChain::validate`, against the
//! system trust store pointed at the test CA with `SSL_CERT_FILE` (this binary's only setting
//! of it, made once before anything reads the store).

mod common;

use common::{cert, trust_test_ca};
use netrt::HostName;
use netrt::error::hresult::E_NOTIMPL;
use netrt::tls::{
    Certificate, CertificateChainPolicy, ChainValidationParameters, ChainValidationResult as Cvr,
};

fn ders(certs: &[Certificate]) -> Vec<Vec<u8>> {
    certs.iter().map(Certificate::to_der).collect()
}

#[tokio::test]
async fn chain_through_the_given_intermediate_to_the_trusted_root() {
    let pki = trust_test_ca();
    let (leaf, inter, ca) = (cert(pki, "leaf_inter"), cert(pki, "inter"), cert(pki, "ca"));
    let chain = leaf.build_chain(&[cert(pki, "other_ca"), inter.clone()]).await.unwrap();
    assert_eq!(ders(&chain.certificates(true)), ders(&[leaf.clone(), inter.clone(), ca]));
    assert_eq!(ders(&chain.certificates(false)), ders(&[leaf, inter]));
    assert_eq!(chain.validate(), Cvr::Success);

    let mut params = ChainValidationParameters {
        certificate_chain_policy: CertificateChainPolicy::Ssl,
        server_dns_name: Some(HostName::new("localhost").unwrap()),
    };
    assert_eq!(chain.validate_with_parameters(&params).unwrap(), Cvr::Success);
    params.server_dns_name = Some(HostName::new("elsewhere.example").unwrap());
    assert_eq!(chain.validate_with_parameters(&params).unwrap(), Cvr::InvalidName);
    params.certificate_chain_policy = CertificateChainPolicy::Base;
    assert_eq!(chain.validate_with_parameters(&params).unwrap(), Cvr::Success, "Base checks no name");
    for windows_only in [CertificateChainPolicy::NtAuthentication, CertificateChainPolicy::MicrosoftRoot] {
        params.certificate_chain_policy = windows_only;
        assert_eq!(chain.validate_with_parameters(&params).unwrap_err().hresult(), E_NOTIMPL);
    }
}

#[tokio::test]
async fn missing_intermediate_leaves_the_chain_incomplete() {
    let pki = trust_test_ca();
    let leaf = cert(pki, "leaf_inter");
    let chain = leaf.build_chain(&[]).await.unwrap();
    assert_eq!(ders(&chain.certificates(true)), ders(std::slice::from_ref(&leaf)));
    assert_eq!(chain.validate(), Cvr::Untrusted);
}

#[tokio::test]
async fn usage_is_checked_only_by_the_ssl_policy() {
    let pki = trust_test_ca();
    let chain = cert(pki, "clientonly").build_chain(&[]).await.unwrap();
    assert_eq!(chain.certificates(true).len(), 2, "leaf + trusted root from the store");
    assert_eq!(chain.validate(), Cvr::Success);
    let ssl = ChainValidationParameters {
        certificate_chain_policy: CertificateChainPolicy::Ssl,
        server_dns_name: None,
    };
    assert_eq!(chain.validate_with_parameters(&ssl).unwrap(), Cvr::WrongUsage);
}

#[tokio::test]
async fn expired_and_untrusted_chains() {
    let pki = trust_test_ca();
    assert_eq!(cert(pki, "expired").build_chain(&[]).await.unwrap().validate(), Cvr::Expired);
    let own = cert(pki, "selfsigned").build_chain(&[]).await.unwrap();
    assert_eq!(own.certificates(false).len(), 1, "a lone self-signed certificate is always returned");
    assert_eq!(own.validate(), Cvr::Untrusted);
    // A forged signature is never chained to its claimed issuer.
    let forged = Certificate::from_der(&pki.read("leaf_badsig.der")).unwrap();
    let chain = forged.build_chain(&[cert(pki, "ca")]).await.unwrap();
    assert_eq!(chain.certificates(true).len(), 1);
    assert_ne!(chain.validate(), Cvr::Success);
}

#[tokio::test]
async fn the_certificates_own_intermediates_are_used() {
    let pki = trust_test_ca();
    let pem = format!("{}{}", pki.pem("leaf_inter"), pki.pem("inter"));
    let leaf = Certificate::from_pem(&pem, None).unwrap();
    let chain = leaf.build_chain(&[]).await.unwrap();
    assert_eq!(chain.certificates(true).len(), 3);
    assert_eq!(chain.validate(), Cvr::Success);
}
