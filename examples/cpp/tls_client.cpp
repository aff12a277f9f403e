// A TLS client with C++20 coroutines: ConnectAsync(host, service, SocketProtectionLevel::Tls12),
// then one request and the first chunk of the reply, plus what netrt learned about the session.
//
//   tls_client HOST [SERVICE] [REQUEST]     (default SERVICE 443, REQUEST "HEAD / HTTP/1.0")
//
// Trust is the system store; SSL_CERT_FILE / SSL_CERT_DIR are honoured (e.g. for a test CA).
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Storage.Streams.h>

#include <cstdio>
#include <string>

using namespace netrt;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Storage::Streams;

static IAsyncAction Run(hstring host, hstring service, hstring request) {
  StreamSocket socket;
  try {
    co_await socket.ConnectAsync(HostName{host}, service, SocketProtectionLevel::Tls12);
  } catch (hresult_error const& e) {
    auto info = socket.Information();
    std::printf("connect failed: %s (SocketErrorStatus %d, certificate error severity %d)\n", to_string(e.message()).c_str(),
                static_cast<int>(SocketError::GetStatus(e.to_abi())), static_cast<int>(info.ServerCertificateErrorSeverity()));
    for (ChainValidationResult error : info.ServerCertificateErrors()) std::printf("  certificate error %d\n", static_cast<int>(error));
    throw;
  }
  auto info = socket.Information();
  std::printf("connected to %s:%s, TLS 0x%04X, %s\n", to_string(info.RemoteAddress().CanonicalName()).c_str(),
              to_string(info.RemotePort()).c_str(), static_cast<unsigned>(info.NegotiatedTlsVersion()), to_string(info.CipherSuite()).c_str());
  if (Certificate cert = info.ServerCertificate()) {
    std::printf("server certificate: %s, issued by %s\n", to_string(cert.Subject()).c_str(), to_string(cert.Issuer()).c_str());
  }

  DataWriter writer{socket.OutputStream()};
  writer.WriteString(request);
  co_await writer.StoreAsync();
  writer.DetachStream();

  DataReader reader{socket.InputStream()};
  reader.InputStreamOptions(InputStreamOptions::Partial);
  uint32_t n = co_await reader.LoadAsync(4096);
  std::printf("reply (%u bytes):\n%s\n", n, to_string(reader.ReadString(n)).c_str());
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s HOST [SERVICE] [REQUEST]\n", argv[0]);
    return 2;
  }
  hstring host = to_hstring(argv[1]);
  hstring service = to_hstring(argc >= 3 ? argv[2] : "443");
  hstring request = argc >= 4 ? to_hstring(std::string(argv[3]) + "\n") : L"HEAD / HTTP/1.0\r\nHost: " + host + L"\r\n\r\n";
  try {
    Run(host, service, request).get();
    return 0;
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "failed: 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
}
