// The web layer from C++ (C++17 and C++20) against tests/peers/ws_server.py: Uri, a
// MessageWebSocket echo with a subprotocol, Basic auth (401 → WebSocketError::GetStatus
// Unauthorized, then success with a PasswordCredential), close in both directions, a
// StreamWebSocket echo, and wss:// with ServerCustomValidationRequested (a Deferral completed
// later; Reject) — written as C++/WinRT code is, with `winrt` renamed `netrt`.
#include <netrt/Windows.Foundation.h>
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Security.Credentials.h>
#include <netrt/Windows.Storage.Streams.h>
#include <netrt/Windows.Web.h>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Foundation;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Security::Credentials;
using namespace netrt::Windows::Storage::Streams;

namespace {

// What a socket's handlers saw (filled on netrt's dispatcher thread).
struct Seen {
  std::mutex mutex;
  std::vector<std::pair<SocketMessageType, std::string>> messages;
  std::vector<std::pair<uint16_t, std::string>> closes;

  std::size_t message_count() {
    std::lock_guard<std::mutex> lock(mutex);
    return messages.size();
  }
  std::size_t close_count() {
    std::lock_guard<std::mutex> lock(mutex);
    return closes.size();
  }
};

// A MessageWebSocket whose MessageReceived and Closed handlers record into `seen`.
MessageWebSocket wired(Seen& seen) {
  MessageWebSocket socket;
  socket.MessageReceived([&seen](MessageWebSocket const&, MessageWebSocketMessageReceivedEventArgs const& args) {
    DataReader reader = args.GetDataReader();
    reader.UnicodeEncoding(UnicodeEncoding::Utf8);
    std::string text = to_string(reader.ReadString(reader.UnconsumedBufferLength()));
    std::lock_guard<std::mutex> lock(seen.mutex);
    seen.messages.emplace_back(args.MessageType(), text);
  });
  socket.Closed([&seen](IWebSocket const&, WebSocketClosedEventArgs const& args) {
    std::lock_guard<std::mutex> lock(seen.mutex);
    seen.closes.emplace_back(args.Code(), to_string(args.Reason()));
  });
  return socket;
}

Uri ws_uri(std::string const& port, char const* path) { return Uri(L"ws://127.0.0.1:" + to_hstring(port) + to_hstring(path)); }

void uri_members() {
  Uri uri(L"HTTP://user:pw@www.Contoso.com:8080/a/b/../page.htm?x=1&y=a+b%21#top");
  CHECK(uri.SchemeName() == L"http");
  CHECK(uri.Host() == L"www.contoso.com");
  CHECK(uri.Domain() == L"contoso.com");
  CHECK(uri.Port() == 8080);
  CHECK(uri.Path() == L"/a/page.htm");
  CHECK(uri.DisplayUri() == L"http://user@www.contoso.com:8080/a/page.htm?x=1&y=a+b%21#top");
  CHECK(uri.QueryParsed().GetFirstValueByName(L"y") == L"a b!");
  std::vector<std::wstring> names;
  for (WwwFormUrlDecoderEntry const& entry : uri.QueryParsed()) names.emplace_back(entry.Name());
  CHECK((names == std::vector<std::wstring>{L"x", L"y"}));
  CHECK(uri.CombineUri(L"../z").AbsoluteUri() == L"http://user:pw@www.contoso.com:8080/z");
  CHECK(Uri(L"http://h/a/", L"x").Equals(Uri(L"HTTP://H:80/a/x")));
  CHECK(Uri::EscapeComponent(L"a b/\u00fc") == L"a%20b%2F%C3%BC");
  CHECK(Uri::UnescapeComponent(L"a%20b") == L"a b");
  CHECK_THROWS_HR(Uri(L"no-scheme"), NETRT_E_INVALIDARG);
  CHECK_THROWS_HR(uri.QueryParsed().GetFirstValueByName(L"missing"), NETRT_E_INVALIDARG);
  test::note("Uri");
}

void echo_subprotocol_close(std::string const& port, test::Peer& server) {
  Seen seen;
  MessageWebSocket socket = wired(seen);
  socket.Control().SupportedProtocols().Append(L"alpha");
  socket.Control().SupportedProtocols().Append(L"beta");
  socket.ConnectAsync(ws_uri(port, "/echo")).get();
  CHECK(socket.Information().Protocol() == L"beta");  // the server's preference wins
  CHECK(socket.Information().LocalAddress() != nullptr);

  socket.Control().MessageType(SocketMessageType::Utf8);
  DataWriter writer(socket.OutputStream());
  writer.WriteString(L"h\u00e9llo");
  writer.StoreAsync().get();
  writer.DetachStream();
  CHECK(test::wait_until([&] { return seen.message_count() == 1; }));

  socket.Control().MessageType(SocketMessageType::Binary);
  Buffer frame(4);
  std::memcpy(frame.data(), "frag", 4);
  frame.Length(4);
  CHECK(socket.SendNonfinalFrameAsync(frame).get() == 4);
  std::memcpy(frame.data(), "ment", 4);
  CHECK(socket.SendFinalFrameAsync(frame).get() == 4);
  CHECK(test::wait_until([&] { return seen.message_count() == 2; }));
  {
    std::lock_guard<std::mutex> lock(seen.mutex);
    CHECK((seen.messages[0] == std::make_pair(SocketMessageType::Utf8, std::string("h\xC3\xA9llo"))));
    CHECK((seen.messages[1] == std::make_pair(SocketMessageType::Binary, std::string("fragment"))));
  }

  CHECK_THROWS_HR(socket.Close(1005, L"reserved"), NETRT_E_INVALIDARG);
  socket.Close(4000, L"done");
  CHECK(test::wait_until([&] { return seen.close_count() == 1; }));
  CHECK(server.wait_for_output("CLOSED 4000 done"));
  {
    std::lock_guard<std::mutex> lock(seen.mutex);
    CHECK((seen.closes[0] == std::make_pair(uint16_t{4000}, std::string("done"))));
  }
  CHECK_THROWS_HR(socket.SendFinalFrameAsync(frame).get(), NETRT_RO_E_CLOSED);

  Seen by_server;
  MessageWebSocket closed_by_server = wired(by_server);
  closed_by_server.ConnectAsync(ws_uri(port, "/close?code=4001&reason=bye")).get();
  CHECK(test::wait_until([&] { return by_server.close_count() == 1; }));
  {
    std::lock_guard<std::mutex> lock(by_server.mutex);
    CHECK((by_server.closes[0] == std::make_pair(uint16_t{4001}, std::string("bye"))));
  }
  test::note("MessageWebSocket echo, frames, subprotocol, close both ways");
}

void basic_auth(std::string const& port) {
  Seen seen;
  MessageWebSocket socket = wired(seen);
  try {
    socket.ConnectAsync(ws_uri(port, "/echo")).get();
    CHECK(!"the connect without a credential succeeded");
  } catch (hresult_error const& e) {
    CHECK(e.code() == NETRT_HTTP_E_STATUS_DENIED);
    CHECK(WebSocketError::GetStatus(e.code()) == Windows::Web::WebErrorStatus::Unauthorized);
  }

  MessageWebSocket authed = wired(seen);
  CHECK(authed.Control().ServerCredential() == nullptr);
  PasswordCredential credential(L"ws://127.0.0.1/", L"user", L"secret");
  authed.Control().ServerCredential(credential);
  CHECK(authed.Control().ServerCredential().UserName() == L"user");
  authed.ConnectAsync(ws_uri(port, "/echo")).get();
  DataWriter writer(authed.OutputStream());
  writer.WriteString(L"authed");
  writer.StoreAsync().get();
  writer.DetachStream();
  CHECK(test::wait_until([&] { return seen.message_count() == 1; }));
  authed.Close();
  test::note("Basic auth: 401 then success with a PasswordCredential");
}

void stream_echo(std::string const& port) {
  StreamWebSocket socket;
  CHECK(socket.Control().NoDelay());
  socket.ConnectAsync(ws_uri(port, "/echo")).get();
  DataWriter writer(socket.OutputStream());
  std::vector<uint8_t> const sent{1, 2, 3};
  writer.WriteBytes(sent);
  writer.StoreAsync().get();
  writer.DetachStream();
  DataReader reader(socket.InputStream());
  uint32_t have = 0;
  while (have < 3) {
    uint32_t loaded = reader.LoadAsync(3 - have).get();
    CHECK(loaded > 0);
    if (loaded == 0) break;
    have += loaded;
  }
  std::vector<uint8_t> got(3);
  reader.ReadBytes(got);
  CHECK(got == sent);
  reader.DetachStream();
  socket.Close(1000, L"bye");
  test::note("StreamWebSocket echo");
}

void custom_validation(test::Pki const& pki) {
  test::WsServer server({"--tls", pki.path("leaf.pem"), pki.path("leaf.key")});
  auto ca = Windows::Security::Cryptography::Certificates::Certificate::FromPem(test::read_text(pki.path("ca.pem")));
  Uri uri(L"wss://127.0.0.1:" + to_hstring(server.port) + L"/echo");

  MessageWebSocket socket;
  socket.Control().TrustedRootCertificates().Append(ca);
  std::mutex mutex;
  Deferral deferral{nullptr};
  bool had_certificate = false;
  socket.ServerCustomValidationRequested(
      [&](MessageWebSocket const&, WebSocketServerCustomValidationRequestedEventArgs const& args) {
        std::lock_guard<std::mutex> lock(mutex);
        had_certificate = args.ServerCertificate() != nullptr && args.ServerCertificateErrors().Size() == 0;
        deferral = args.GetDeferral();
      });
  IAsyncAction connect = socket.ConnectAsync(uri);
  CHECK(test::wait_until([&] {
    std::lock_guard<std::mutex> lock(mutex);
    return deferral != nullptr;
  }));
  CHECK(connect.Status() == AsyncStatus::Started);  // it waits for the deferral
  {
    std::lock_guard<std::mutex> lock(mutex);
    CHECK(had_certificate);
    if (deferral) deferral.Complete();
  }
  connect.get();
  CHECK(socket.Information().ServerCertificate() != nullptr);

  MessageWebSocket rejected;
  rejected.Control().TrustedRootCertificates().Append(ca);
  rejected.ServerCustomValidationRequested(
      [](MessageWebSocket const&, WebSocketServerCustomValidationRequestedEventArgs const& args) { args.Reject(); });
  try {
    rejected.ConnectAsync(uri).get();
    CHECK(!"a rejected certificate connected");
  } catch (hresult_error const& e) {
    CHECK(e.code() == NETRT_WININET_E_SEC_INVALID_CERT);
    CHECK(WebSocketError::GetStatus(e.code()) == Windows::Web::WebErrorStatus::CertificateIsInvalid);
  }
  test::note("wss:// with ServerCustomValidationRequested: Deferral, Reject");
}

}  // namespace

int main() {
  try {
    test::WsServer plain({"--protocols", "beta,alpha"});
    test::WsServer authed({"--basic", "user:secret"});
    uri_members();
    echo_subprotocol_close(plain.port, plain.peer);
    basic_auth(authed.port);
    stream_echo(plain.port);
    test::Pki pki;
    custom_validation(pki);
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    ++test::failures();
  }
  return test::finish("test_web_socket");
}
