"""The Certificate members PyWinRT has beyond names and dates (KeyUsages, SubjectAlternativeName,
algorithm names, store members, build_chain_async/CertificateChain), HostName.ip_information,
and the struct helpers (unpack, __match_args__, __replace__), on certificates made by openssl."""

from __future__ import annotations

from pathlib import Path

import pytest

import netrt
from netrt import (
    BandwidthStatistics,
    Certificate,
    CertificateChainPolicy,
    ChainValidationParameters,
    ChainValidationResult,
    HostName,
    RoundTripTimeStatistics,
)
from peers.pki import Pki

def test_key_usages(pki: Pki, ca: Certificate) -> None:
    ku = Certificate.from_pem(pki.text("san_all.pem")).key_usages
    assert isinstance(ku, netrt.CertificateKeyUsages)
    assert ku.digital_signature and ku.non_repudiation and ku.key_agreement and ku.encipher_only
    assert not (ku.key_encipherment or ku.data_encipherment or ku.key_certificate_sign or ku.crl_sign)
    assert ca.key_usages.key_certificate_sign and ca.key_usages.crl_sign
    # A value, settable as in WinRT.
    fresh = netrt.CertificateKeyUsages()
    assert not fresh.digital_signature
    fresh.digital_signature = True
    assert fresh.digital_signature


def test_subject_alternative_name(pki: Pki) -> None:
    san = Certificate.from_pem(pki.text("san_all.pem")).subject_alternative_name
    assert san.dns_name == ["a.example", "b.example"]
    assert san.ip_address == ["192.0.2.1", "2001:db8::1"]
    assert san.url == ["https://a.example/path"]
    assert san.email_name == ["someone@example.com"]
    assert san.distinguished_name == ["O=Example,CN=Directory Name"]
    assert san.principal_name == ["user@example.com"]
    server = Certificate.from_pem(pki.text("leaf.pem")).subject_alternative_name
    assert server.dns_name == ["localhost"] and server.ip_address == ["127.0.0.1"] and server.url == []


def test_subject_alternative_name_extension(pki: Pki, ca: Certificate) -> None:
    der = Certificate.from_pem(pki.text("san_all.pem")).get_certificate_blob()
    ext = Certificate.from_pem(pki.text("san_all.pem")).subject_alternative_name.extension
    assert isinstance(ext, netrt.CertificateExtension)
    assert (ext.object_id, ext.is_critical) == ("2.5.29.17", False)
    # The GeneralNames SEQUENCE, byte for byte as it sits in the certificate.
    assert ext.value[0] == 0x30 and ext.value in bytes(der) and b"a.example" in ext.value
    # No subjectAltName (the CA), or an info made empty: the object id, an empty value.
    none = ca.subject_alternative_name.extension
    assert (none.object_id, none.is_critical, none.value) == ("2.5.29.17", False, b"")
    assert netrt.SubjectAlternativeNameInfo().extension.value == b""


def test_certificate_extension_members() -> None:
    ext = netrt.CertificateExtension()
    assert (ext.object_id, ext.is_critical, ext.value) == ("", False, b"")
    ext.object_id = "1.2.3.4"
    ext.is_critical = True
    ext.encode_value("hi")
    assert (ext.object_id, ext.is_critical, ext.value) == ("1.2.3.4", True, b"\x16\x02hi")
    ext.encode_value("é")
    assert ext.value == b"\x0c\x02\xc3\xa9"
    ext.value = bytearray(b"\x05\x00")
    assert ext.value == b"\x05\x00"
    with pytest.raises((TypeError, ValueError)):
        ext.value = 5  # type: ignore[assignment]
    from netrt.windows.security.cryptography.certificates import CertificateExtension

    assert CertificateExtension is netrt.CertificateExtension


def test_algorithm_names(pki: Pki, ca: Certificate) -> None:
    assert (ca.signature_algorithm_name, ca.signature_hash_algorithm_name) == ("sha256ECDSA", "SHA256")
    assert ca.key_algorithm_name == "ECDSA_P256"
    rsa = Certificate.from_pem(pki.text("rsa_self.pem"))
    assert (rsa.signature_algorithm_name, rsa.signature_hash_algorithm_name) == ("sha384RSA", "SHA384")
    assert rsa.key_algorithm_name == "RSA"


def test_store_members_have_their_linux_values(pki: Pki) -> None:
    cert = Certificate.from_pem(pki.text("leaf.pem"), pki.text("leaf.key"))
    assert cert.has_private_key
    assert (cert.is_strongly_protected, cert.is_per_user, cert.is_security_device_bound) == (False, False, False)
    assert cert.key_storage_provider_name == "" and cert.store_name == ""


async def test_build_chain_and_validate(pki: Pki, ca: Certificate, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.path("ca.pem")))
    leaf = Certificate.from_pem(pki.text("leaf.pem"))
    chain = await leaf.build_chain_async([])
    assert isinstance(chain, netrt.CertificateChain)
    assert chain.get_certificates(True) == [leaf, ca]
    assert chain.get_certificates(False) == [leaf]
    assert chain.validate() is ChainValidationResult.SUCCESS

    params = ChainValidationParameters()
    assert params.certificate_chain_policy is CertificateChainPolicy.BASE and params.server_dns_name is None
    params.certificate_chain_policy = CertificateChainPolicy.SSL
    params.server_dns_name = HostName("localhost")
    assert chain.validate(params) is ChainValidationResult.SUCCESS
    params.server_dns_name = "other.example"  # netrt accepts str where WinRT takes HostName
    assert chain.validate(params) is ChainValidationResult.INVALID_NAME
    params.certificate_chain_policy = CertificateChainPolicy.NT_AUTHENTICATION
    with pytest.raises(netrt.NetworkError) as info:
        chain.validate(params)
    assert info.value.hresult == -0x7FFFBFFF  # E_NOTIMPL 0x80004001

    # The client certificate is not valid for TLS servers: only the SSL policy says so.
    client = await Certificate.from_pem(pki.text("client.pem")).build_chain_async([ca])
    assert len(client.get_certificates(True)) == 2
    assert client.validate() is ChainValidationResult.SUCCESS
    ssl = ChainValidationParameters()
    ssl.certificate_chain_policy = CertificateChainPolicy.SSL
    assert client.validate(ssl) is ChainValidationResult.WRONG_USAGE


async def test_untrusted_without_the_root_in_the_store(pki: Pki, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    op = Certificate.from_pem(pki.text("leaf.pem")).build_chain_async([Certificate.from_pem(pki.text("ca.pem"))])
    chain = op.get(timeout=10)
    assert len(chain.get_certificates(True)) == 2, "the given CA completes the chain"
    assert chain.validate() is ChainValidationResult.UNTRUSTED


def test_ip_information() -> None:
    info = HostName("127.0.0.1").ip_information
    assert info is not None and info.prefix_length == 8 and info.network_adapter is None
    assert HostName("192.0.2.77").ip_information is None
    assert HostName("localhost").ip_information is None


def test_struct_unpack_match_and_replace() -> None:
    bw = BandwidthStatistics(1, 2, 3, 4, True, False)
    assert bw.unpack() == (1, 2, 3, 4, True, False)
    match RoundTripTimeStatistics(5, 9, 1, 30):
        case RoundTripTimeStatistics(variance, mx, mn, total):
            assert (variance, mx, mn, total) == (5, 9, 1, 30)
    rtt = RoundTripTimeStatistics(5, 9, 1, 30).__replace__(sum=31)
    assert rtt.unpack() == (5, 9, 1, 31)
    assert bw.__replace__(inbound_bandwidth_peaked=True).unpack()[5] is True
    with pytest.raises(TypeError):
        bw.__replace__(bogus=1)


def test_tls_version_is_an_int_enum() -> None:
    assert netrt.TlsVersion.TLS13 == 772 and netrt.TlsVersion.TLS12 == 0x0303 and netrt.TlsVersion.NONE == 0
    assert netrt.StreamSocket().information.negotiated_tls_version is netrt.TlsVersion.NONE
