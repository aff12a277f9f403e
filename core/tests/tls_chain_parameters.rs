//! `Certificate::build_chain_with_parameters` (BuildChainAsync with ChainBuildingParameters):
//! exclusive trust roots, required usages, the validation time and the revocation request,
//! against the system trust store pointed at the test CA with `SSL_CERT_FILE`.

mod common;

use common::{cert, trust_test_ca};
use netrt::foundation::DateTime;
use netrt::tls::{Certificate, ChainBuildingParameters, ChainValidationResult as Cvr};

const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

fn subjects(certs: &[Certificate]) -> Vec<String> {
    certs.iter().map(|c| c.subject().to_owned()).collect()
}

#[tokio::test]
async fn exclusive_roots_replace_the_system_store() {
    let pki = trust_test_ca();
    let leaf = cert(pki, "leaf");
    let params = ChainBuildingParameters::new();
    params.exclusive_trust_roots().append(cert(pki, "other_ca")).unwrap();
    let chain = leaf.build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(subjects(&chain.certificates(true)), ["localhost"], "the system's CA is not a candidate");
    assert_eq!(chain.validate(), Cvr::Untrusted, "nor is it trusted");

    params.exclusive_trust_roots().append(cert(pki, "ca")).unwrap();
    let chain = leaf.build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(subjects(&chain.certificates(true)), ["localhost", "netrt Test CA"]);
    assert_eq!(chain.validate(), Cvr::Success);

    // A root the system store does not have is trusted when it is an exclusive root.
    let own = cert(pki, "selfsigned_ca");
    assert_eq!(own.build_chain(&[]).await.unwrap().validate(), Cvr::Untrusted);
    params.exclusive_trust_roots().replace_all(vec![own.clone()]).unwrap();
    assert_eq!(own.build_chain_with_parameters(&[], &params).await.unwrap().validate(), Cvr::Success);
}

#[tokio::test]
async fn every_certificate_below_the_root_must_allow_the_required_usages() {
    let pki = trust_test_ca();
    let (leaf, inter) = (cert(pki, "leaf_inter"), cert(pki, "inter"));
    let params = ChainBuildingParameters::new();
    let usages = params.enhanced_key_usages();
    usages.append(SERVER_AUTH.into()).unwrap();
    let chain = leaf.build_chain_with_parameters(std::slice::from_ref(&inter), &params).await.unwrap();
    assert_eq!(chain.certificates(true).len(), 3);
    assert_eq!(chain.validate(), Cvr::Success, "the intermediate has no EKU: every usage");
    usages.append(CLIENT_AUTH.into()).unwrap();
    let chain = leaf.build_chain_with_parameters(&[inter], &params).await.unwrap();
    assert_eq!(chain.validate(), Cvr::WrongUsage, "the leaf is serverAuth only");

    let client = cert(pki, "clientonly").build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(client.validate(), Cvr::WrongUsage);
    usages.replace_all(vec![CLIENT_AUTH.into()]).unwrap();
    let client = cert(pki, "clientonly").build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(client.validate(), Cvr::Success);
    assert!(usages.append("serverAuth".into()).is_err(), "names are not OIDs");
}

#[tokio::test]
async fn dates_are_checked_at_the_validation_timestamp_when_current_time_is_off() {
    let pki = trust_test_ca();
    let (expired, leaf) = (cert(pki, "expired"), cert(pki, "leaf"));
    let params = ChainBuildingParameters::new();
    assert!(params.current_time_validation_enabled());
    // 2020-06-01: inside the expired leaf's 2020-2021 validity.
    params.set_validation_timestamp(DateTime::from_unix_seconds(1_590_969_600));
    let at_now = expired.build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(at_now.validate(), Cvr::Expired, "the timestamp is ignored while current time is on");

    params.set_current_time_validation_enabled(false);
    let then = expired.build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(then.validate(), Cvr::Success);
    let too_early = leaf.build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(too_early.validate(), Cvr::Expired, "the leaf was not valid yet in 2020");

    // The chain keeps the parameters it was built with.
    params.set_current_time_validation_enabled(true);
    assert_eq!(then.validate(), Cvr::Success);
}

#[tokio::test]
async fn revocation_requested_is_reported_missing_below_the_root() {
    let pki = trust_test_ca();
    let params = ChainBuildingParameters::new();
    params.set_revocation_check_enabled(true);
    let chain = cert(pki, "leaf").build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(chain.validate(), Cvr::RevocationInformationMissing);
    // A trusted root alone has nothing below it to check.
    let root = cert(pki, "ca").build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(root.validate(), Cvr::Success);
    // A worse problem still comes first.
    let untrusted = cert(pki, "selfsigned").build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(untrusted.validate(), Cvr::Untrusted);
}

#[tokio::test]
async fn network_retrieval_flags_are_kept_and_change_nothing() {
    let pki = trust_test_ca();
    let leaf = cert(pki, "leaf_inter");
    let params = ChainBuildingParameters::new();
    let offline = leaf.build_chain_with_parameters(&[], &params).await.unwrap();
    params.set_network_retrieval_enabled(true);
    params.set_authority_information_access_enabled(true);
    assert!(params.network_retrieval_enabled() && params.authority_information_access_enabled());
    let online = leaf.build_chain_with_parameters(&[], &params).await.unwrap();
    assert_eq!(subjects(&online.certificates(true)), subjects(&offline.certificates(true)));
    assert_eq!(online.validate(), Cvr::Untrusted, "the missing intermediate is not fetched");
}
