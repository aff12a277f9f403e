// The STARTTLS sample (see examples/README.md) with C++20 coroutines: connect in plaintext, send a length-prefixed
// hello with DataWriter, UpgradeToSslAsync(SocketProtectionLevel::Tls12, host), then talk TLS.
//
//   upgrade_to_ssl HOST PORT [LINE]
//
// The peer must read the big-endian Int32 length and that many bytes of plaintext, then act as
// a TLS server on the same connection (tests/cpp/test_util.hpp has such a peer in Python). Trust
// is the system store; SSL_CERT_FILE / SSL_CERT_DIR are honoured.
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Storage.Streams.h>

#include <cstdio>
#include <string>

using namespace netrt;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Storage::Streams;

static IAsyncAction Run(hstring host, hstring port, hstring line) {
  StreamSocket socket;
  HostName serverHost{host};
  co_await socket.ConnectAsync(serverHost, port, SocketProtectionLevel::PlainSocket);
  std::printf("connected (plaintext)\n");

  DataWriter writer{socket.OutputStream()};
  hstring hello{L"Hello, World! \u263A "};
  writer.WriteInt32(static_cast<int32_t>(writer.MeasureString(hello)));
  writer.WriteString(hello);
  co_await writer.StoreAsync();
  writer.DetachStream();  // keep using the socket after the writer goes
  std::printf("sent hello\n");

  try {
    co_await socket.UpgradeToSslAsync(SocketProtectionLevel::Tls12, serverHost);
  } catch (hresult_error const& e) {
    if (SocketError::GetStatus(e.to_abi()) == SocketErrorStatus::Unknown) throw;  // fatal
    std::printf("upgrade to SSL failed: %s\n", to_string(e.message()).c_str());
    co_return;
  }
  std::printf("upgraded: TLS 0x%04X, %s\n", static_cast<unsigned>(socket.Information().NegotiatedTlsVersion()),
              to_string(socket.Information().CipherSuite()).c_str());

  DataWriter tls_writer{socket.OutputStream()};
  tls_writer.WriteString(line + L"\n");
  co_await tls_writer.StoreAsync();
  tls_writer.DetachStream();
  DataReader reader{socket.InputStream()};
  reader.InputStreamOptions(InputStreamOptions::Partial);
  uint32_t n = co_await reader.LoadAsync(1024);
  std::printf("reply over TLS: %s", to_string(reader.ReadString(n)).c_str());
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s HOST PORT [LINE]\n", argv[0]);
    return 2;
  }
  try {
    Run(to_hstring(argv[1]), to_hstring(argv[2]), to_hstring(argc >= 4 ? argv[3] : "ping")).get();
    return 0;
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "failed: 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
}
