"""Certificate.build_chain_async(certificates, ChainBuildingParameters) and the plural (live list)
members of SubjectAlternativeNameInfo, on the test PKI (tests/peers/launch pki)."""

from __future__ import annotations

import datetime

import pytest

import netrt
from netrt import Certificate, ChainBuildingParameters, ChainValidationResult
from peers.pki import Pki

SERVER_AUTH, CLIENT_AUTH = "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"


@pytest.fixture(autouse=True)
def trust_test_ca(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.path("ca.pem")))


def cert(pki: Pki, name: str) -> Certificate:
    return Certificate.from_pem(pki.text(f"{name}.pem"))


async def built(leaf: Certificate, params: ChainBuildingParameters) -> netrt.CertificateChain:
    return await leaf.build_chain_async([], params)


async def test_defaults_and_required_usages(pki: Pki) -> None:
    params = ChainBuildingParameters()
    assert params.current_time_validation_enabled and not params.revocation_check_enabled
    assert not params.network_retrieval_enabled and not params.authority_information_access_enabled
    assert params.validation_timestamp.tzinfo is not None
    leaf = cert(pki, "leaf")
    assert (await built(leaf, params)).validate() is ChainValidationResult.SUCCESS
    params.enhanced_key_usages.append(SERVER_AUTH)
    assert (await built(leaf, params)).validate() is ChainValidationResult.SUCCESS
    params.enhanced_key_usages.append(CLIENT_AUTH)
    assert (await built(leaf, params)).validate() is ChainValidationResult.WRONG_USAGE
    with pytest.raises(ValueError):
        params.enhanced_key_usages.append("clientAuth")
    assert list(params.enhanced_key_usages) == [SERVER_AUTH, CLIENT_AUTH]


async def test_exclusive_roots_replace_the_system_store(pki: Pki) -> None:
    leaf, ca = cert(pki, "leaf"), cert(pki, "ca")
    params = ChainBuildingParameters()
    params.exclusive_trust_roots.append(cert(pki, "other_ca"))
    chain = await built(leaf, params)
    assert chain.get_certificates(True) == [leaf]
    assert chain.validate() is ChainValidationResult.UNTRUSTED
    params.exclusive_trust_roots.append(ca)
    chain = await built(leaf, params)
    assert chain.get_certificates(True) == [leaf, ca]
    assert chain.validate() is ChainValidationResult.SUCCESS


async def test_validation_timestamp_and_revocation(pki: Pki) -> None:
    expired = cert(pki, "expired")
    params = ChainBuildingParameters()
    params.validation_timestamp = datetime.datetime(2020, 6, 1, tzinfo=datetime.timezone.utc)
    assert params.validation_timestamp == datetime.datetime(2020, 6, 1, tzinfo=datetime.timezone.utc)
    assert (await built(expired, params)).validate() is ChainValidationResult.EXPIRED
    params.current_time_validation_enabled = False
    then = await built(expired, params)
    assert then.validate() is ChainValidationResult.SUCCESS
    params.current_time_validation_enabled = True
    assert then.validate() is ChainValidationResult.SUCCESS, "the chain keeps its parameters"

    params.revocation_check_enabled = True
    missing = ChainValidationResult.REVOCATION_INFORMATION_MISSING
    assert (await built(cert(pki, "leaf"), params)).validate() is missing
    params.revocation_check_enabled = False
    params.network_retrieval_enabled = params.authority_information_access_enabled = True
    assert (await built(cert(pki, "leaf_inter"), params)).validate() is ChainValidationResult.UNTRUSTED
    with pytest.raises(TypeError):
        cert(pki, "leaf").build_chain_async([], "not parameters")  # type: ignore[arg-type]


def test_subject_alternative_name_plural_members_are_live_lists(pki: Pki) -> None:
    source = cert(pki, "san_all")
    san = source.subject_alternative_name
    assert list(san.dns_names) == san.dns_name == ["a.example", "b.example"]
    assert list(san.ip_addresses) == ["192.0.2.1", "2001:db8::1"]
    assert list(san.urls) == ["https://a.example/path"] and list(san.email_names) == ["someone@example.com"]
    assert list(san.distinguished_names) == ["O=Example,CN=Directory Name"]
    assert list(san.principal_names) == ["user@example.com"]
    san.dns_names.append("c.example")
    assert san.dns_name == ["a.example", "b.example", "c.example"]
    assert source.subject_alternative_name.dns_name == ["a.example", "b.example"], "the certificate is unchanged"
    with pytest.raises(ValueError):
        san.ip_addresses.append("not an address")
    fresh = netrt.SubjectAlternativeNameInfo()
    fresh.urls.append("https://b.example/")
    assert fresh.url == ["https://b.example/"] and fresh.dns_name == []
