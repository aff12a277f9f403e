// What the C++/WinRT samples leave to the app (NotifyUser, the server's port) and the
// tests' checks around them. Included after the sample's `using namespace` lines, so it names
// everything fully.
#ifndef NETRT_TEST_SAMPLE_SUPPORT_HPP
#define NETRT_TEST_SAMPLE_SUPPORT_HPP

#include <netrt.hpp>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "test_util.hpp"

// The port the sample connects to (replaces the sample's L"https").
inline netrt::hstring g_port;

namespace sample_support {

inline std::mutex notes_mutex;
inline std::vector<netrt::hstring> notes;
inline test::Peer* peer = nullptr;

inline bool noted(netrt::hstring const& prefix) {
  std::lock_guard<std::mutex> lock(notes_mutex);
  for (auto const& n : notes) {
    if (std::wstring_view(n).substr(0, prefix.size()) == std::wstring_view(prefix)) return true;
  }
  return false;
}

// Writes `text` (UTF-8) and stores it, keeping the socket's stream open.
inline netrt::IAsyncAction SendText(netrt::StreamSocket socket, netrt::hstring text) {
  netrt::DataWriter writer{socket.OutputStream()};
  writer.WriteString(text);
  co_await writer.StoreAsync();
  writer.DetachStream();
}

// Reads until `want` bytes arrived (or the peer closed), returns them as text.
inline netrt::IAsyncOperation<netrt::hstring> ReceiveText(netrt::StreamSocket socket, uint32_t want) {
  netrt::DataReader reader{socket.InputStream()};
  reader.InputStreamOptions(netrt::InputStreamOptions::Partial);
  netrt::hstring text;
  while (text.size() < want) {
    uint32_t n = co_await reader.LoadAsync(want - text.size());
    if (n == 0) break;
    text = text + reader.ReadString(reader.UnconsumedBufferLength());
  }
  reader.DetachStream();
  co_return text;
}

inline void CheckTlsInformation(netrt::StreamSocket const& socket) {
  auto info = socket.Information();
  CHECK(info.ProtectionLevel() == netrt::SocketProtectionLevel::Tls12);
  netrt::TlsVersion version = info.NegotiatedTlsVersion();
  CHECK(version == netrt::TlsVersion::Tls12 || version == netrt::TlsVersion::Tls13);
  CHECK(info.ServerCertificate().Subject() == L"localhost");
  CHECK(info.ServerCertificateErrorSeverity() == netrt::SocketSslErrorSeverity::None);
  CHECK(info.ServerCertificateErrors().Size() == 0);
  CHECK(!info.CipherSuite().empty());
  char hex[8];
  std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(version));
  test::note(std::string("Information: TLS version 0x") + hex + ", cipher " +
             netrt::to_string(info.CipherSuite()) + ", server certificate CN=localhost, no certificate errors");
}

// After the TLS connect sample: the socket talks TLS with openssl s_server both ways.
inline netrt::IAsyncAction ExchangeWithOpensslServer(netrt::StreamSocket socket) {
  if (!socket) throw netrt::hresult_error(netrt::impl::e_fail, std::string("the sample did not connect"));
  CheckTlsInformation(socket);
  co_await SendText(socket, L"hello from netrt \u263A\n");
  CHECK(peer->wait_for_output("hello from netrt \xE2\x98\xBA"));
  test::note("openssl s_server received the text sent over TLS");
  peer->send("pong from s_server\n");
  netrt::hstring reply = co_await ReceiveText(socket, 19);
  CHECK(reply == L"pong from s_server\n");
  test::note("received s_server's reply over TLS: " + netrt::to_string(reply).substr(0, 18));
}

// After the upgrade sample: the peer read the plaintext hello; TLS works both ways.
inline netrt::IAsyncAction ExchangeWithStartTlsPeer(netrt::StreamSocket socket) {
  if (!socket) throw netrt::hresult_error(netrt::impl::e_fail, std::string("the sample did not upgrade"));
  CHECK(peer->wait_for_output("HELLO Hello, World! \xE2\x98\xBA \n"));
  test::note("the peer received the length-prefixed plaintext hello \"Hello, World! \xE2\x98\xBA \"");
  CHECK(peer->wait_for_output("TLS TLSv1."));
  CheckTlsInformation(socket);
  co_await SendText(socket, L"ping\n");
  netrt::hstring reply = co_await ReceiveText(socket, 10);
  CHECK(reply == L"echo:ping\n");
  test::note("echo over the upgraded connection: " + netrt::to_string(reply).substr(0, 9));
}

inline void Run(netrt::IAsyncAction (*sample)()) {
  try {
    sample().get();
    test::note("the sample's coroutine completed (IAsyncAction.get())");
  } catch (netrt::hresult_error const& e) {
    std::fprintf(stderr, "FAIL: the sample threw 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    ++test::failures();
  }
}

inline void PrintPeer() {
  if (test::failures()) std::fprintf(stderr, "peer output:\n%s\n", peer->output().c_str());
}

inline int RunTlsConnectSample(netrt::IAsyncAction (*sample)()) {
  test::Pki pki;
  // netrt's trust store honours SSL_CERT_FILE; set it before the first TLS use.
  ::setenv("SSL_CERT_FILE", pki.path("ca.pem").c_str(), 1);
  test::OpensslServer server(pki);
  peer = &server.peer;
  g_port = netrt::to_hstring(server.port);
  Run(sample);
  CHECK(noted(L"Connected"));
  CHECK(!noted(L"Connect failed"));
  test::note("the sample printed \"Connected\" (ConnectAsync with Tls12 against openssl s_server)");
  PrintPeer();
  return test::finish("test_sample_connect_tls");
}

inline int RunUpgradeSample(netrt::IAsyncAction (*sample)()) {
  test::Pki pki;
  ::setenv("SSL_CERT_FILE", pki.path("ca.pem").c_str(), 1);
  test::PythonStartTlsServer server(pki);
  peer = &server.peer;
  g_port = netrt::to_hstring(server.port);
  Run(sample);
  CHECK(noted(L"Connected"));
  CHECK(noted(L"Client: sent hello"));
  CHECK(noted(L"Client: upgrade to SSL completed"));
  CHECK(!noted(L"Upgrade to SSL failed"));
  test::note("the sample printed Connected / sent hello / upgrade to SSL completed");
  CHECK(server.peer.wait_for_output("ECHOED ping"));
  PrintPeer();
  return test::finish("test_sample_upgrade_tls");
}

}  // namespace sample_support

// The sample's NotifyUser: prints and records the message.
inline void NotifyUser(netrt::hstring const& message) {
  std::printf("  NotifyUser: %s\n", netrt::to_string(message).c_str());
  std::fflush(stdout);
  std::lock_guard<std::mutex> lock(sample_support::notes_mutex);
  sample_support::notes.push_back(message);
}

#endif  // NETRT_TEST_SAMPLE_SUPPORT_HPP
