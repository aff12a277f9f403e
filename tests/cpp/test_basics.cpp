// hstring, errors, object lifetime, DataWriter/DataReader in memory, HostName, Certificate and
// blocking async (.get(), wait_for, Completed) — C++17, no coroutines.
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Security.Cryptography.Certificates.h>
#include <netrt/Windows.Storage.Streams.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Storage::Streams;

static_assert(static_cast<int>(SocketErrorStatus::ConnectionRefused) == NETRT_SOCKET_ERROR_STATUS_CONNECTION_REFUSED);
static_assert(static_cast<int>(SocketErrorStatus::CertificateIsInvalid) == NETRT_SOCKET_ERROR_STATUS_CERTIFICATE_IS_INVALID);
static_assert(static_cast<int>(SocketProtectionLevel::Tls13) == NETRT_SOCKET_PROTECTION_LEVEL_TLS13);
static_assert(static_cast<int>(WebErrorStatus::HttpVersionNotSupported) == NETRT_WEB_ERROR_STATUS_HTTP_VERSION_NOT_SUPPORTED);
static_assert(static_cast<int>(AsyncStatus::Error) == NETRT_ASYNC_STATUS_ERROR);
static_assert(static_cast<int>(UnicodeEncoding::Utf16BE) == NETRT_UNICODE_ENCODING_UTF16_BE);
static_assert(static_cast<int>(ChainValidationResult::OtherErrors) == NETRT_CHAIN_VALIDATION_RESULT_OTHER_ERRORS);
static_assert(static_cast<int>(SocketSslErrorSeverity::Fatal) == NETRT_SOCKET_SSL_ERROR_SEVERITY_FATAL);
static_assert(std::is_nothrow_move_constructible_v<StreamSocket> && std::is_nothrow_destructible_v<StreamSocket>);
static_assert(std::is_nothrow_move_assignable_v<DataWriter> && std::is_nothrow_move_constructible_v<IAsyncAction>);
static_assert(std::is_same_v<netrt::StreamSocket, netrt::Windows::Networking::Sockets::StreamSocket>);

static void strings() {
  hstring hello{L"Hello, World! \u263A "};
  CHECK(hello.size() == 16);
  CHECK(to_string(hello) == "Hello, World! \xE2\x98\xBA ");
  hstring from_utf8{"caf\xC3\xA9 \xF0\x9F\x98\x80"};  // "café 😀": one wchar_t per code point on Linux
  CHECK(from_utf8.size() == 6);
  CHECK(from_utf8 == L"caf\u00E9 \U0001F600");
  CHECK(to_string(from_utf8) == "caf\xC3\xA9 \xF0\x9F\x98\x80");
  CHECK(hstring("bad \xFF byte") == L"bad \uFFFD byte");
  hstring sum = L"a" + hstring(L"b") + L"c";
  CHECK(sum == L"abc" && L"abc" == sum && sum != L"abd" && sum != hstring(L"x"));
  CHECK(hstring(L"ab") + hstring(L"cd") == L"abcd");
  std::wstring_view view = sum;
  CHECK(view == L"abc" && std::wstring(sum.c_str()) == L"abc");
  CHECK(hstring().empty() && !sum.empty());
  CHECK(to_hstring(42) == L"42" && to_hstring("x\xC3\xA9") == L"x\u00E9" && to_string(L"w") == "w");
  test::note("hstring: UTF-32 wchar_t, UTF-8 both ways (U+FFFD for bad bytes), ==, !=, + with literals on either side");
}

static void errors() {
  CHECK_THROWS_HR(check_hresult(NETRT_E_INVALIDARG), NETRT_E_INVALIDARG);
  try {
    check_hresult(NETRT_E_BOUNDS);
  } catch (hresult_out_of_bounds const& e) {
    CHECK(!e.message().empty());
  }
  bool specific = false;
  try {
    check_hresult(NETRT_E_ILLEGAL_METHOD_CALL);
  } catch (hresult_illegal_method_call const&) {
    specific = true;
  }
  CHECK(specific);
  specific = false;
  try {
    check_hresult(NETRT_E_CANCELLED);
  } catch (hresult_canceled const&) {
    specific = true;
  }
  CHECK(specific);
  specific = false;
  try {
    check_hresult(static_cast<int32_t>(0x80070005u));
  } catch (hresult_access_denied const& e) {
    specific = e.to_abi() == static_cast<int32_t>(0x80070005u);
  }
  CHECK(specific);
  hresult_error custom(NETRT_E_NOTIMPL, hstring(L"custom \u263A"));
  CHECK(custom.message() == L"custom \u263A" && custom.code() == NETRT_E_NOTIMPL);
  CHECK(!hresult_error(NETRT_RO_E_CLOSED).message().empty());
  CHECK(SocketError::GetStatus(NETRT_E_CONNECTION_REFUSED) == SocketErrorStatus::ConnectionRefused);
  CHECK(WebSocketError::GetStatus(static_cast<int32_t>(0x80190194u)) == WebErrorStatus::NotFound);
  test::note("check_hresult throws the most specific subclass; messages from netrt; GetStatus statics");

  // A malformed host name: the detail names the cause, taken from netrt_get_last_error_detail.
  try {
    HostName bad{L"bad host name"};
    CHECK(false);
  } catch (hresult_invalid_argument const& e) {
    CHECK(!e.message().empty());
    test::note("HostName{\"bad host name\"} -> hresult_invalid_argument: " + to_string(e.message()));
  }

  // Argument and state errors are thrown by the *Async call itself, before anything is awaited
  // (core's rule, the same in every projection); no operation exists to co_await.
  bool thrown_at_call = false;
  try {
    StreamSocket sock;
    auto op = sock.ConnectAsync(HostName{L"127.0.0.1"}, L"443", SocketProtectionLevel::Ssl3AllowWeakEncryption);
    (void)op;
  } catch (hresult_invalid_argument const&) {
    thrown_at_call = true;
  }
  CHECK(thrown_at_call);
  thrown_at_call = false;
  try {
    StreamSocket sock;
    auto op = sock.UpgradeToSslAsync(SocketProtectionLevel::Tls12, HostName{L"localhost"});
    (void)op;
  } catch (hresult_illegal_method_call const&) {
    thrown_at_call = true;
  }
  CHECK(thrown_at_call);
  test::note("an invalid argument or an unconnected socket throws at the call, not at co_await/get()");
}

static void lifetime() {
  StreamSocket empty{nullptr};
  CHECK(!empty && empty == nullptr);
  CHECK_THROWS_HR(empty.Control(), NETRT_E_POINTER);

  HostName host{L"Example.COM"};
  HostName copy = host;  // another reference (netrt_duplicate)
  CHECK(copy && copy.handle() != host.handle());
  CHECK(copy.RawName() == L"Example.COM" && copy.CanonicalName() == L"example.com");
  host = nullptr;  // releases one reference; the copy stays valid
  CHECK(!host && copy.Type() == HostNameType::DomainName);
  HostName moved = std::move(copy);
  CHECK(!copy && moved.IsEqual(HostName{L"example.com"}));
  netrt_handle raw = moved.detach();
  CHECK(!moved && raw != 0);
  HostName adopted{take_ownership_from_abi, raw};
  CHECK(adopted.DisplayName() == L"example.com");
  CHECK(HostName::Compare(L"A.example", "a.example") == 0);
  test::note("copy = new reference, = nullptr / move / detach / take_ownership_from_abi");

  // A stale object: closed for every reference; later calls throw RO_E_CLOSED.
  StreamSocket socket;
  StreamSocket other = socket;
  socket.Close();
  CHECK_THROWS_HR(other.ConnectAsync(HostName{L"127.0.0.1"}, L"9"), NETRT_RO_E_CLOSED);
  DataWriter writer;
  writer.Close();
  CHECK_THROWS_HR(writer.WriteByte(1), NETRT_RO_E_CLOSED);
  test::note("a closed (stale) object throws hresult_error RO_E_CLOSED, through every copy");

  EndpointPair pair{nullptr, L"", HostName{L"::1"}, L"80"};
  CHECK(!pair.LocalHostName() && pair.RemoteHostName().Type() == HostNameType::Ipv6 && pair.RemoteServiceName() == L"80");
  pair.LocalServiceName(L"1234");
  CHECK(pair.LocalServiceName() == L"1234");
  test::note("EndpointPair with a null local host");
}

static void data_in_memory() {
  DataWriter writer;
  writer.ByteOrder(ByteOrder::LittleEndian);
  CHECK(writer.ByteOrder() == ByteOrder::LittleEndian);
  writer.WriteByte(7);
  writer.WriteBoolean(true);
  writer.WriteInt16(-2);
  writer.WriteInt32(-3);
  writer.WriteInt64(-4);
  writer.WriteUInt16(5);
  writer.WriteUInt32(6);
  writer.WriteUInt64(7);
  writer.WriteSingle(1.5f);
  writer.WriteDouble(2.25);
  writer.WriteGuid(guid{0x01020304, 0x0506, 0x0708, {9, 10, 11, 12, 13, 14, 15, 16}});
  writer.WriteTimeSpan(std::chrono::seconds(3));
  DateTime when = clock::from_file_time(132'000'000'000'000'000LL);
  writer.WriteDateTime(when);
  uint8_t bytes[] = {0xDE, 0xAD};
  writer.WriteBytes(bytes);
  uint32_t len = writer.MeasureString(L"h\u00E9llo");
  CHECK(len == 6);
  CHECK(writer.WriteString(L"h\u00E9llo") == 6);
  CHECK(writer.UnstoredBufferLength() == 1 + 1 + 2 + 4 + 8 + 2 + 4 + 8 + 4 + 8 + 16 + 8 + 8 + 2 + 6);
  IBuffer buffer = writer.DetachBuffer();
  CHECK(buffer.Length() == 82 && writer.UnstoredBufferLength() == 0);

  DataReader reader = DataReader::FromBuffer(buffer);
  reader.ByteOrder(ByteOrder::LittleEndian);
  CHECK(reader.UnconsumedBufferLength() == 82);
  CHECK(reader.ReadByte() == 7 && reader.ReadBoolean() && reader.ReadInt16() == -2 && reader.ReadInt32() == -3);
  CHECK(reader.ReadInt64() == -4 && reader.ReadUInt16() == 5 && reader.ReadUInt32() == 6 && reader.ReadUInt64() == 7);
  CHECK(reader.ReadSingle() == 1.5f && reader.ReadDouble() == 2.25);
  guid g = reader.ReadGuid();
  CHECK(g == (guid{0x01020304, 0x0506, 0x0708, {9, 10, 11, 12, 13, 14, 15, 16}}));
  CHECK(reader.ReadTimeSpan() == std::chrono::seconds(3));
  CHECK(reader.ReadDateTime() == when);
  uint8_t back[2] = {};
  reader.ReadBytes(back);
  CHECK(back[0] == 0xDE && back[1] == 0xAD);
  CHECK(reader.ReadString(6) == L"h\u00E9llo");
  CHECK_THROWS_HR(reader.ReadInt32(), NETRT_E_BOUNDS);
  test::note("DataWriter -> DetachBuffer -> DataReader::FromBuffer round trip of every type; E_BOUNDS past the end");

  Buffer raw{4};
  CHECK(raw.Capacity() == 4 && raw.Length() == 0);
  raw.data()[0] = 'o';
  raw.data()[1] = 'k';
  raw.Length(2);
  DataReader over = DataReader::FromBuffer(raw);
  CHECK(over.ReadString(2) == L"ok");
  CHECK_THROWS_HR(raw.Length(5), NETRT_E_INVALIDARG);
  test::note("Buffer: capacity, data(), Length set/get");
}

static void refused_connect() {
  std::string port = test::closed_port();
  StreamSocket socket;
  socket.Control().NoDelay(false);
  CHECK(!socket.Control().NoDelay());
  IAsyncAction connect = socket.ConnectAsync(HostName{L"127.0.0.1"}, port);
  try {
    connect.get();
    CHECK(false);
  } catch (hresult_error const& e) {
    CHECK(SocketError::GetStatus(e.to_abi()) == SocketErrorStatus::ConnectionRefused);
    CHECK(e.code() == NETRT_E_CONNECTION_REFUSED && !e.message().empty());
    test::note("connect to a closed port: hresult_error, SocketError::GetStatus(e.to_abi()) == ConnectionRefused: " +
               to_string(e.message()));
  }
  CHECK(connect.Status() == AsyncStatus::Error && connect.ErrorCode() == NETRT_E_CONNECTION_REFUSED);

  // Completed: runs once with the final status (here on the dispatcher thread or inline).
  StreamSocket second;
  std::atomic<int> seen{-1};
  std::atomic<int> calls{0};
  auto op = second.ConnectAsync(HostName{L"127.0.0.1"}, port);
  op.Completed([&](IAsyncAction const& sender, AsyncStatus status) {
    seen = static_cast<int>(status);
    calls++;
    CHECK(sender.ErrorCode() == NETRT_E_CONNECTION_REFUSED);
  });
  CHECK(test::wait_until([&] { return calls.load() == 1; }));
  CHECK(seen.load() == static_cast<int>(AsyncStatus::Error));
  CHECK_THROWS_HR(op.Completed([](auto&&, auto) {}), NETRT_E_ILLEGAL_DELEGATE_ASSIGNMENT);
  test::note("Completed handler runs once with status Error; a second handler is E_ILLEGAL_DELEGATE_ASSIGNMENT");
}

static void wait_and_cancel() {
  StreamSocketListener listener;
  listener.ConnectionReceived([](StreamSocketListener const&, StreamSocketListenerConnectionReceivedEventArgs const& args) {
    // Keep the connection open until the test ends by holding it in a static.
    static std::vector<StreamSocket> held;
    held.push_back(args.Socket());
  });
  listener.BindEndpointAsync(HostName{L"127.0.0.1"}, L"").get();
  StreamSocket socket;
  socket.ConnectAsync(HostName{L"127.0.0.1"}, listener.Information().LocalPort()).get();
  DataReader reader{socket.InputStream()};
  auto load = reader.LoadAsync(1);  // nothing will arrive
  CHECK(load.wait_for(std::chrono::milliseconds(50)) == AsyncStatus::Started);
  load.Cancel();
  CHECK(load.Status() == AsyncStatus::Canceled);
  bool canceled = false;
  try {
    load.get();
  } catch (hresult_canceled const&) {
    canceled = true;
  }
  CHECK(canceled);
  test::note("wait_for times out while Started; Cancel -> Canceled; get() throws hresult_canceled");
}

static void certificates() {
  test::Pki pki;
  std::ifstream pem_file(pki.path("leaf.pem")), key_file(pki.path("leaf.key"));
  std::stringstream pem, key;
  pem << pem_file.rdbuf();
  key << key_file.rdbuf();
  Certificate leaf = Certificate::FromPem(pem.str(), key.str());
  CHECK(leaf.Subject() == L"localhost" && leaf.Issuer() == L"netrt Test CA" && leaf.HasPrivateKey());
  CHECK(leaf.GetHashValue().size() == 20 && leaf.GetHashValue(L"SHA256").size() == 32);
  CHECK(leaf.ValidFrom() < clock::now() && clock::now() < leaf.ValidTo());
  CHECK(!leaf.IsSelfSigned());
  CHECK(leaf.SubjectAlternativeName().DnsName().GetAt(0) == L"localhost");
  CHECK(leaf.SubjectAlternativeName().IPAddress().GetAt(0) == L"127.0.0.1");
  CHECK(leaf.EnhancedKeyUsages().Size() == 1 && leaf.EnhancedKeyUsages().GetAt(0) == L"1.3.6.1.5.5.7.3.1");
  CHECK(Certificate::FromPem(leaf.ExportPem()).Subject() == L"localhost");
  IBuffer der = leaf.GetCertificateBlob();
  Certificate parsed{der};
  CHECK(parsed.Subject() == L"localhost" && !parsed.HasPrivateKey());
  CHECK(parsed.SerialNumber() == leaf.SerialNumber());
  CHECK_THROWS_HR(Certificate::FromPem(L"not a certificate"), NETRT_E_INVALIDARG);

  StreamSocket socket;
  auto ignorable = socket.Control().IgnorableServerCertificateErrors();
  ignorable.Append(ChainValidationResult::Untrusted);
  ignorable.Append(ChainValidationResult::InvalidName);
  CHECK(ignorable.Size() == 2 && ignorable.GetAt(1) == ChainValidationResult::InvalidName);
  CHECK_THROWS_HR(ignorable.Append(ChainValidationResult::Revoked), NETRT_E_INVALIDARG);
  int n = 0;
  for (ChainValidationResult r : socket.Control().IgnorableServerCertificateErrors()) n += static_cast<int>(r);
  CHECK(n == 1 + 7);
  socket.Control().TrustedRootCertificates().Append(parsed);
  CHECK(socket.Control().TrustedRootCertificates().GetAt(0).Subject() == L"localhost");
  socket.Control().ApplicationProtocols().Append(L"h2");
  CHECK(socket.Control().ApplicationProtocols().GetAt(0) == L"h2");
  test::note("Certificate FromPem / blob / parse; IVector<ChainValidationResult>, IVector<Certificate>, IVector<hstring>");
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    strings();
    errors();
    lifetime();
    data_in_memory();
    refused_connect();
    wait_and_cancel();
    certificates();
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
  return test::finish("test_basics");
}
