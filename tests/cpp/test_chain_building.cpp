// Certificate::BuildChainAsync(certificates, ChainBuildingParameters) and SubjectAlternativeNameInfo's
// plural (IVector) members, on the test PKI (tests/peers/launch pki). The system trust store is
// pointed at the test CA with SSL_CERT_FILE before netrt first reads it.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Security::Cryptography::Certificates;

static Certificate load(test::Pki const& pki, char const* name) {
  std::ifstream f(pki.path(std::string(name) + ".pem"));
  std::stringstream s;
  s << f.rdbuf();
  return Certificate::FromPem(s.str());
}

static ChainValidationResult validate_built(Certificate const& leaf, ChainBuildingParameters const& params,
                                            uint32_t* length = nullptr) {
  CertificateChain chain = leaf.BuildChainAsync(std::vector<Certificate>{}, params).get();
  if (length) *length = chain.GetCertificates(true).Size();
  return chain.Validate();
}

static void chain_building_parameters(test::Pki const& pki) {
  Certificate leaf = load(pki, "leaf"), ca = load(pki, "ca"), other = load(pki, "other_ca"), expired = load(pki, "expired");
  ChainBuildingParameters params;
  CHECK(params.CurrentTimeValidationEnabled() && !params.RevocationCheckEnabled());
  CHECK(!params.NetworkRetrievalEnabled() && !params.AuthorityInformationAccessEnabled());
  uint32_t length = 0;
  CHECK(validate_built(leaf, params, &length) == ChainValidationResult::Success && length == 2);

  params.EnhancedKeyUsages().Append(L"1.3.6.1.5.5.7.3.2");  // clientAuth; the leaf is serverAuth
  CHECK(validate_built(leaf, params) == ChainValidationResult::WrongUsage);
  CHECK_THROWS_HR(params.EnhancedKeyUsages().Append(L"clientAuth"), NETRT_E_INVALIDARG);
  params.EnhancedKeyUsages().Clear();

  params.ExclusiveTrustRoots().Append(other);
  CHECK(validate_built(leaf, params, &length) == ChainValidationResult::Untrusted && length == 1);
  params.ExclusiveTrustRoots().Append(ca);
  CHECK(validate_built(leaf, params, &length) == ChainValidationResult::Success && length == 2);
  params.ExclusiveTrustRoots().Clear();

  // 2020-06-01: inside the expired leaf's validity, checked only with current time off.
  params.ValidationTimestamp(Windows::Foundation::DateTime(Windows::Foundation::TimeSpan(132354432000000000LL)));
  CHECK(validate_built(expired, params) == ChainValidationResult::Expired);
  params.CurrentTimeValidationEnabled(false);
  CHECK(validate_built(expired, params) == ChainValidationResult::Success);
  params.CurrentTimeValidationEnabled(true);

  params.RevocationCheckEnabled(true);
  CHECK(leaf.BuildChainAsync({}, params).get().Validate() == ChainValidationResult::RevocationInformationMissing);
  test::note("BuildChainAsync with ChainBuildingParameters: usages, exclusive roots, timestamp, revocation");
}

static void subject_alternative_name_vectors(test::Pki const& pki) {
  Certificate san_cert = load(pki, "san_all");
  SubjectAlternativeNameInfo san = san_cert.SubjectAlternativeName();
  CHECK(san.DnsNames().Size() == 2 && san.DnsNames().GetAt(1) == L"b.example");
  san.DnsNames().Append(L"c.example");
  CHECK(san.DnsName().Size() == 3 && san.DnsName().GetAt(2) == L"c.example");
  CHECK(san_cert.SubjectAlternativeName().DnsName().Size() == 2);  // the certificate is unchanged
  CHECK(san.IPAddresses().Size() == 2 && san.IPAddresses().GetAt(1) == L"2001:db8::1");
  CHECK_THROWS_HR(san.IPAddresses().Append(L"not an address"), NETRT_E_INVALIDARG);
  CHECK(san.Urls().GetAt(0) == L"https://a.example/path" && san.EmailNames().GetAt(0) == L"someone@example.com");
  CHECK(san.DistinguishedNames().GetAt(0) == L"O=Example,CN=Directory Name");
  CHECK(san.PrincipalNames().GetAt(0) == L"user@example.com");
  SubjectAlternativeNameInfo fresh;
  CHECK(fresh.Urls().Size() == 0);
  test::note("SubjectAlternativeNameInfo plural vectors (DnsNames, IPAddresses, ...)");
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  test::Pki pki;
  ::setenv("SSL_CERT_FILE", pki.path("ca.pem").c_str(), 1);
  try {
    chain_building_parameters(pki);
    subject_alternative_name_vectors(pki);
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
  return test::finish("test_chain_building");
}
