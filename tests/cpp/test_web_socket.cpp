// The web layer from C++ (C++17 and C++20) against tests/peers/ws_server.py: Uri, a
// MessageWebSocket echo with a subprotocol, Basic auth (401 → WebSocketError::GetStatus
// Unauthorized, then success with a PasswordCredential), Digest SHA-256 through lighttpd
// (tests/peers/digest_server.py), close in both directions, PartialMessage pieces, invalid
// UTF-8 and a killed server on the receive path, a StreamWebSocket echo, the Proxy extension,
// and wss:// with ServerCustomValidationRequested (a Deferral completed later; Reject) —
// written as C++/WinRT code is, with `winrt` renamed `netrt`.
#include <netrt/Windows.Foundation.h>
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Security.Credentials.h>
#include <netrt/Windows.Storage.Streams.h>
#include <netrt/Windows.Web.h>

#include <memory>
#include <optional>

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
  std::vector<bool> complete;  // IsMessageComplete of each message
  std::vector<std::pair<uint16_t, std::string>> closes;
  std::optional<hresult> failure;  // the error GetDataReader gave: the connection's failure

  // The messages' bytes joined, if the last one's IsMessageComplete is `last_complete`.
  std::optional<std::string> joined(bool last_complete) {
    std::lock_guard<std::mutex> lock(mutex);
    if (complete.empty() || complete.back() != last_complete) return std::nullopt;
    std::string all;
    for (auto const& message : messages) all += message.second;
    return all;
  }
  bool failed() {
    std::lock_guard<std::mutex> lock(mutex);
    return failure.has_value();
  }

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
    try {
      DataReader reader = args.GetDataReader();
      reader.UnicodeEncoding(UnicodeEncoding::Utf8);
      std::string text = to_string(reader.ReadString(reader.UnconsumedBufferLength()));
      std::lock_guard<std::mutex> lock(seen.mutex);
      seen.messages.emplace_back(args.MessageType(), text);
      seen.complete.push_back(args.IsMessageComplete());
    } catch (hresult_error const& e) {
      std::lock_guard<std::mutex> lock(seen.mutex);
      seen.failure = e.code();
    }
  });
  socket.Closed([&seen](IWebSocket const&, WebSocketClosedEventArgs const& args) {
    std::lock_guard<std::mutex> lock(seen.mutex);
    seen.closes.emplace_back(args.Code(), to_string(args.Reason()));
  });
  return socket;
}

Uri ws_uri(std::string const& port, char const* path) { return Uri(L"ws://127.0.0.1:" + to_hstring(port) + to_hstring(path)); }

void write_text(MessageWebSocket const& socket, wchar_t const* text) {
  DataWriter writer(socket.OutputStream());
  writer.WriteString(text);
  writer.StoreAsync().get();
  writer.DetachStream();
}

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

// The pull receive (netrt extension): messages in order on a socket with no MessageReceived
// handler; not while one is registered; RO_E_CLOSED once the server's close frame came.
void pull_receive(std::string const& port) {
  MessageWebSocket socket;
  socket.Control().Proxy(L"");
  socket.ConnectAsync(ws_uri(port, "/echo")).get();
  write_text(socket, L"one");
  write_text(socket, L"two");
  for (wchar_t const* want : {L"one", L"two"}) {
    MessageWebSocketMessageReceivedEventArgs args = socket.ReceiveMessageAsync().get();
    DataReader reader = args.GetDataReader();
    CHECK(reader.ReadString(reader.UnconsumedBufferLength()) == want);
  }
  auto token = socket.MessageReceived([](MessageWebSocket const&, MessageWebSocketMessageReceivedEventArgs const&) {});
  CHECK_THROWS_HR(socket.ReceiveMessageAsync(), NETRT_E_ILLEGAL_METHOD_CALL);
  socket.MessageReceived(token);

  MessageWebSocket closed_by_server;
  closed_by_server.Control().Proxy(L"");
  closed_by_server.ConnectAsync(ws_uri(port, "/close?code=4001&reason=bye")).get();
  CHECK_THROWS_HR(closed_by_server.ReceiveMessageAsync().get(), NETRT_RO_E_CLOSED);
  test::note("MessageWebSocket pull receive");
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

// The server sends its last fragment only once asked: pieces held back until the message is
// complete would never be asked for, and the wait would run out.
void partial_pieces(std::string const& port) {
  Seen seen;
  MessageWebSocket socket = wired(seen);
  socket.Control().ReceiveMode(MessageWebSocketReceiveMode::PartialMessage);
  socket.ConnectAsync(ws_uri(port, "/stepwise")).get();
  CHECK(test::wait_until([&] { return seen.joined(false) == std::string("first second "); }));
  write_text(socket, L"next");
  // websockets ends the message with an empty final frame: the last piece can be empty.
  CHECK(test::wait_until([&] { return seen.joined(true) == std::string("first second last"); }));
  std::lock_guard<std::mutex> lock(seen.mutex);
  for (auto const& message : seen.messages) CHECK(message.first == SocketMessageType::Utf8);
  test::note("PartialMessage: pieces before the message is complete");
}

void invalid_utf8(std::string const& port, test::Peer& server) {
  Seen seen;
  MessageWebSocket socket = wired(seen);
  socket.ConnectAsync(ws_uri(port, "/badutf8")).get();
  CHECK(test::wait_until([&] { return seen.failed(); }));
  CHECK(seen.failure == hresult(NETRT_E_NO_UNICODE_TRANSLATION));
  CHECK(server.wait_for_output("CLOSED 1007"));
  test::note("invalid UTF-8: E_NO_UNICODE_TRANSLATION, closed with 1007");
}

void killed_server() {
  Seen seen;
  MessageWebSocket socket = wired(seen);
  auto server = std::make_unique<test::WsServer>(std::vector<std::string>{});
  socket.ConnectAsync(ws_uri(server->port, "/echo")).get();
  write_text(socket, L"one");
  CHECK(test::wait_until([&] { return seen.message_count() == 1; }));
  server.reset();  // stops the server's process
  CHECK(test::wait_until([&] { return seen.failed(); }));
  CHECK(seen.failure == hresult(NETRT_WININET_E_CONNECTION_ABORTED));
  CHECK(WebSocketError::GetStatus(*seen.failure) == Windows::Web::WebErrorStatus::ConnectionAborted);
  CHECK(seen.close_count() == 0);
  test::note("a killed server: ConnectionAborted on the receive path, no Closed");
}

// lighttpd (tests/peers/digest_server.py) challenges with Digest SHA-256.
void digest_sha256(std::string const& upstream) {
  char const* script = std::getenv("NETRT_DIGEST_SERVER");
  CHECK(script != nullptr);
  if (!script) return;
  test::Peer lighttpd({"run", "--port-after", "PORT ", "--", "python3", script, "lighttpd", "--upstream", upstream,
                       "--realm", "netrt digest", "--user", "carol", "--password", "p@ss word"});
  Seen seen;
  MessageWebSocket refused = wired(seen);
  CHECK_THROWS_HR(refused.ConnectAsync(ws_uri(lighttpd.port, "/echo")).get(), NETRT_HTTP_E_STATUS_DENIED);
  MessageWebSocket socket = wired(seen);
  socket.Control().ServerCredential(PasswordCredential(L"", L"carol", L"p@ss word"));
  socket.ConnectAsync(ws_uri(lighttpd.port, "/echo")).get();
  write_text(socket, L"digest");
  CHECK(test::wait_until([&] { return seen.joined(true) == std::string("digest"); }));
  test::note("Digest SHA-256 through lighttpd");
}

void proxy_setting() {
  MessageWebSocket socket;
  CHECK(!socket.Control().Proxy().has_value());  // the environment's variables decide
  socket.Control().Proxy(L"");
  CHECK(socket.Control().Proxy() == std::optional<hstring>(L""));
  StreamWebSocket stream;
  stream.Control().Proxy(L"user:pw@127.0.0.1:3128");
  CHECK(stream.Control().Proxy() == std::optional<hstring>(L"http://127.0.0.1:3128"));
  stream.Control().Proxy(nullptr);
  CHECK(!stream.Control().Proxy().has_value());
  CHECK_THROWS_HR(stream.Control().Proxy(L"socks5://127.0.0.1:1"), NETRT_E_INVALIDARG);
  test::note("Control.Proxy set and read back");
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
    pull_receive(plain.port);
    basic_auth(authed.port);
    partial_pieces(plain.port);
    invalid_utf8(plain.port, plain.peer);
    killed_server();
    digest_sha256(plain.port);
    proxy_setting();
    stream_echo(plain.port);
    test::Pki pki;
    custom_validation(pki);
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    ++test::failures();
  }
  return test::finish("test_web_socket");
}
