// Certificate members beyond names and dates (algorithm names, KeyUsages, SubjectAlternativeName,
// the store members), BuildChainAsync + CertificateChain::Validate with ChainValidationParameters,
// HostName::IPInformation, TlsVersion, and a TLS listener bound to 127.0.0.1 with a handshake
// timeout, on a PKI made by the openssl command line. The system trust store is pointed at the
// test CA with SSL_CERT_FILE before netrt first reads it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Security::Cryptography::Certificates;

using test::read_text;

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

// SubjectAlternativeNameInfo::Extension and CertificateExtension.
static void extensions(test::Pki const& pki) {
  Certificate leaf = Certificate::FromPem(read_text(pki.path("leaf.pem")));
  Certificate ca = Certificate::FromPem(read_text(pki.path("ca.pem")));
  CertificateExtension ext = leaf.SubjectAlternativeName().Extension();
  CHECK(ext.ObjectId() == L"2.5.29.17" && !ext.IsCritical());
  std::vector<uint8_t> value = ext.Value();
  std::string text(value.begin(), value.end());
  CHECK(!value.empty() && value[0] == 0x30 && text.find("localhost") != std::string::npos);
  // No subjectAltName: the object id, not critical, an empty value.
  CertificateExtension none = ca.SubjectAlternativeName().Extension();
  CHECK(none.ObjectId() == L"2.5.29.17" && !none.IsCritical() && none.Value().empty());
  CHECK(SubjectAlternativeNameInfo().Extension().Value().empty());

  CertificateExtension made;
  CHECK(made.ObjectId().empty() && !made.IsCritical() && made.Value().empty());
  made.ObjectId(L"1.2.3.4");
  made.IsCritical(true);
  made.EncodeValue(L"hi");
  CHECK(made.ObjectId() == L"1.2.3.4" && made.IsCritical());
  CHECK((made.Value() == std::vector<uint8_t>{0x16, 0x02, 'h', 'i'}));
  std::vector<uint8_t> null_der{0x05, 0x00};
  made.Value(null_der);
  CHECK(made.Value() == null_der);
  test::note("SubjectAlternativeNameInfo.Extension, CertificateExtension");
}

static void chains(test::Pki const& pki) {
  Certificate leaf = Certificate::FromPem(read_text(pki.path("leaf.pem")));
  Certificate ca = Certificate::FromPem(read_text(pki.path("ca.pem")));
  CertificateChain chain = leaf.BuildChainAsync(std::vector<Certificate>{}).get();
  CHECK(chain.GetCertificates(true).Size() == 2);
  CHECK(chain.GetCertificates(true).GetAt(1).Subject() == L"netrt Test CA");
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

// A plain TCP client of 127.0.0.1:port that never sends a ClientHello: true when the server hangs
// up on it (end of stream or reset) within 10 s.
static bool silent_client_is_dropped(std::string const& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(port.c_str())));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval limit{10, 0};
  bool dropped = false;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) == 0 &&
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    char byte;
    ssize_t n = ::recv(fd, &byte, 1, 0);
    dropped = n == 0 || (n < 0 && errno == ECONNRESET);
  }
  ::close(fd);
  return dropped;
}

static std::atomic<int> g_tls_delivered{0};

static void tls_listener_on_loopback(test::Pki const& pki) {
  using namespace netrt::Windows::Networking;
  using namespace netrt::Windows::Networking::Sockets;
  Certificate leaf = Certificate::FromPem(read_text(pki.path("leaf.pem")), read_text(pki.path("leaf.key")));
  StreamSocketListener listener;
  StreamSocketListenerControl control = listener.Control();
  CHECK(control.TlsHandshakeTimeout() == std::chrono::seconds(30));
  CHECK_THROWS_HR(control.TlsHandshakeTimeout(TimeSpan(-1)), NETRT_E_INVALIDARG);
  control.TlsHandshakeTimeout(std::chrono::milliseconds(300));
  CHECK(control.TlsHandshakeTimeout() == std::chrono::milliseconds(300));
  control.ServerCertificate(leaf);
  listener.ConnectionReceived([](auto&&, auto&&) { g_tls_delivered++; });
  listener.BindEndpointAsync(HostName(L"127.0.0.1"), L"", SocketProtectionLevel::Tls12).get();
  CHECK_THROWS_HR(control.TlsHandshakeTimeout(TimeSpan(0)), NETRT_E_ILLEGAL_METHOD_CALL);
  hstring port = listener.Information().LocalPort();

  // The leaf names IP:127.0.0.1; the CA is trusted through SSL_CERT_FILE.
  StreamSocket client;
  client.ConnectAsync(HostName(L"127.0.0.1"), port, SocketProtectionLevel::Tls12).get();
  CHECK(client.Information().NegotiatedTlsVersion() != TlsVersion::None);
  CHECK(test::wait_until([] { return g_tls_delivered.load() == 1; }));
  CHECK(silent_client_is_dropped(to_string(port)));
  CHECK(g_tls_delivered.load() == 1);  // the silent client was never delivered
  test::note("BindEndpointAsync(127.0.0.1, \"\", Tls12); StreamSocketListenerControl::TlsHandshakeTimeout drops a silent client");
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  test::Pki pki;
  ::setenv("SSL_CERT_FILE", pki.path("ca.pem").c_str(), 1);
  try {
    members(pki);
    extensions(pki);
    chains(pki);
    ip_information_and_tls_version();
    tls_listener_on_loopback(pki);
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
  return test::finish("test_certificates");
}
