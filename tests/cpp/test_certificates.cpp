// Certificate members beyond names and dates (algorithm names, KeyUsages, SubjectAlternativeName,
// the store members), BuildChainAsync + CertificateChain::Validate with ChainValidationParameters,
// HostName::IPInformation, and TlsVersion, on a PKI made by the openssl command line. The system
// trust store is pointed at the test CA with SSL_CERT_FILE before netrt first reads it.
#include <fstream>
#include <sstream>
#include <vector>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Security::Cryptography::Certificates;

static std::string read_text(std::string const& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

static void members(test::Pki const& pki) {
  Certificate leaf = Certificate::FromPem(read_text(pki.path("leaf.pem")), read_text(pki.path("leaf.key")));
  Certificate ca = Certificate::FromPem(read_text(pki.path("ca.pem")));
  CHECK(leaf.SignatureAlgorithmName() == L"sha256ECDSA");
  CHECK(leaf.SignatureHashAlgorithmName() == L"SHA256");
  CHECK(leaf.KeyAlgorithmName() == L"ECDSA_P256");
  CHECK(!leaf.IsStronglyProtected() && !leaf.IsPerUser() && !leaf.IsSecurityDeviceBound());
  CHECK(leaf.KeyStorageProviderName().empty() && leaf.StoreName().empty());

  CertificateKeyUsages usages = leaf.KeyUsages();
  CHECK(usages.DigitalSignature() && !usages.KeyCertificateSign() && !usages.KeyAgreement());
  CHECK(ca.KeyUsages().KeyCertificateSign() && ca.KeyUsages().CrlSign() && !ca.KeyUsages().DigitalSignature());
  usages.KeyAgreement(true);
  CHECK(usages.KeyAgreement() && !leaf.KeyUsages().KeyAgreement());  // a value: the certificate is unchanged

  SubjectAlternativeNameInfo san = leaf.SubjectAlternativeName();
  CHECK(san.DnsName().Size() == 1 && san.DnsName().GetAt(0) == L"localhost");
  CHECK(san.IPAddress().Size() == 1 && san.IPAddress().GetAt(0) == L"127.0.0.1");
  CHECK(san.Url().Size() == 0 && san.EmailName().Size() == 0 && san.DistinguishedName().Size() == 0 &&
        san.PrincipalName().Size() == 0);
  test::note("algorithm names, KeyUsages, SubjectAlternativeName, store members");
}

static void chains(test::Pki const& pki) {
  Certificate leaf = Certificate::FromPem(read_text(pki.path("leaf.pem")));
  Certificate ca = Certificate::FromPem(read_text(pki.path("ca.pem")));
  CertificateChain chain = leaf.BuildChainAsync(std::vector<Certificate>{}).get();
  CHECK(chain.GetCertificates(true).Size() == 2);
  CHECK(chain.GetCertificates(true).GetAt(1).Subject() == L"netrt-cpp-test-ca");
  CHECK(chain.GetCertificates(false).Size() == 1);
  CHECK(chain.Validate() == ChainValidationResult::Success);

  ChainValidationParameters parameters;
  CHECK(parameters.CertificateChainPolicy() == CertificateChainPolicy::Base && parameters.ServerDnsName() == nullptr);
  parameters.CertificateChainPolicy(CertificateChainPolicy::Ssl);
  parameters.ServerDnsName(HostName(L"localhost"));
  CHECK(parameters.ServerDnsName().CanonicalName() == L"localhost");
  CHECK(chain.Validate(parameters) == ChainValidationResult::Success);
  parameters.ServerDnsName(HostName(L"other.example"));
  CHECK(chain.Validate(parameters) == ChainValidationResult::InvalidName);
  parameters.CertificateChainPolicy(CertificateChainPolicy::MicrosoftRoot);
  CHECK_THROWS_HR(chain.Validate(parameters), NETRT_E_NOTIMPL);

  // The CA given explicitly (initializer list form) gives the same chain.
  CertificateChain given = leaf.BuildChainAsync({ca}).get();
  CHECK(given.GetCertificates(true).Size() == 2);
  test::note("BuildChainAsync, GetCertificates, Validate (Base, Ssl, E_NOTIMPL policy)");
}

static void ip_information_and_tls_version() {
  auto info = HostName(L"127.0.0.1").IPInformation();
  CHECK(info != nullptr);
  CHECK(info.NetworkAdapter() == nullptr);
  auto prefix = info.PrefixLength();
  CHECK(prefix && prefix.Value() == 8);
  CHECK(HostName(L"192.0.2.77").IPInformation() == nullptr);
  CHECK(HostName(L"localhost").IPInformation() == nullptr);
  Windows::Foundation::IReference<uint8_t> none = nullptr;
  CHECK_THROWS_HR(none.Value(), NETRT_E_POINTER);

  StreamSocket socket;
  CHECK(socket.Information().NegotiatedTlsVersion() == TlsVersion::None);
  CHECK(static_cast<unsigned>(TlsVersion::Tls13) == 0x0304u);
  test::note("HostName::IPInformation, IReference, TlsVersion");
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  test::Pki pki;
  ::setenv("SSL_CERT_FILE", pki.path("ca.pem").c_str(), 1);
  try {
    members(pki);
    chains(pki);
    ip_information_and_tls_version();
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
  return test::finish("test_certificates");
}
