// The closed-object rule (docs/handles.md), as a table over every member of StreamSocket,
// StreamSocketListener, DatagramSocket and their Control and Information: after Close(), every
// method and every setter throws hresult_error RO_E_CLOSED (adding an event handler included;
// revoking one and Close() again do not throw); every getter answers as it did before the
// close; the streams, DataReader and DataWriter of a closed socket throw RO_E_CLOSED. C++17.
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Security.Cryptography.Certificates.h>
#include <netrt/Windows.Storage.Streams.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <utility>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Security::Cryptography::Certificates;
using namespace netrt::Windows::Storage::Streams;

using Calls = std::vector<std::pair<char const*, std::function<void()>>>;
using Getters = std::vector<std::pair<char const*, std::function<std::string()>>>;

static std::string read_text(std::string const& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

static std::string text(HostName const& h) { return h ? to_string(h.CanonicalName()) : "null"; }
static std::string text(Certificate const& c) { return c ? to_string(c.Subject()) : "null"; }
static std::string text(hstring const& s) { return to_string(s); }
template <class T>
static std::string number(T v) {
  return std::to_string(static_cast<long long>(v));
}

// Every call must throw RO_E_CLOSED.
static void expect_closed(Calls const& calls) {
  for (auto const& [name, call] : calls) {
    ++test::checks();
    try {
      call();
      std::fprintf(stderr, "FAIL %s after Close() did not throw\n", name);
      ++test::failures();
    } catch (hresult_error const& e) {
      if (e.code() != static_cast<int32_t>(NETRT_RO_E_CLOSED)) {
        std::fprintf(stderr, "FAIL %s after Close() threw 0x%08X, expected RO_E_CLOSED\n", name,
                     static_cast<unsigned>(e.code().value));
        ++test::failures();
      }
    }
  }
}

static std::vector<std::string> snapshot(Getters const& getters) {
  std::vector<std::string> values;
  for (auto const& [name, get] : getters) {
    try {
      values.push_back(get());
    } catch (hresult_error const& e) {
      std::fprintf(stderr, "FAIL getter %s threw 0x%08X\n", name, static_cast<unsigned>(e.code().value));
      ++test::failures();
      values.push_back("<threw>");
    }
  }
  return values;
}

// Every getter must answer after Close() as it did before.
static void expect_same(Getters const& getters, std::vector<std::string> const& before) {
  std::vector<std::string> after = snapshot(getters);
  for (std::size_t i = 0; i < getters.size(); ++i) {
    ++test::checks();
    if (after[i] != before[i]) {
      std::fprintf(stderr, "FAIL %s after Close(): '%s', before: '%s'\n", getters[i].first, after[i].c_str(), before[i].c_str());
      ++test::failures();
    }
  }
}

static void stream_socket_and_listener(Certificate const& cert, Certificate const& ca) {
  HostName loopback{L"127.0.0.1"};
  StreamSocketListener listener;
  std::mutex m;
  std::vector<StreamSocket> accepted;
  listener.ConnectionReceived([&](StreamSocketListener const&, StreamSocketListenerConnectionReceivedEventArgs const& args) {
    std::lock_guard<std::mutex> lock(m);
    accepted.push_back(args.Socket());
  });
  listener.BindEndpointAsync(loopback, L"").get();
  hstring port = listener.Information().LocalPort();

  StreamSocket socket;
  socket.Control().KeepAlive(true);
  socket.ConnectAsync(loopback, port).get();
  CHECK(test::wait_until([&] {
    std::lock_guard<std::mutex> lock(m);
    return !accepted.empty();
  }));
  StreamSocketControl control = socket.Control();
  StreamSocketInformation info = socket.Information();
  IInputStream input = socket.InputStream();
  IOutputStream output = socket.OutputStream();
  DataReader reader(socket.InputStream());
  DataWriter writer(socket.OutputStream());
  StreamSocketListenerControl lcontrol = listener.Control();
  StreamSocketListenerInformation linfo = listener.Information();

  Getters getters{
      {"StreamSocketControl.NoDelay", [&] { return number(control.NoDelay()); }},
      {"StreamSocketControl.KeepAlive", [&] { return number(control.KeepAlive()); }},
      {"StreamSocketControl.OutboundBufferSizeInBytes", [&] { return number(control.OutboundBufferSizeInBytes()); }},
      {"StreamSocketControl.QualityOfService", [&] { return number(control.QualityOfService()); }},
      {"StreamSocketControl.OutboundUnicastHopLimit", [&] { return number(control.OutboundUnicastHopLimit()); }},
      {"StreamSocketControl.SerializeConnectionAttempts", [&] { return number(control.SerializeConnectionAttempts()); }},
      {"StreamSocketControl.ConnectTimeout", [&] { return number(control.ConnectTimeout().count()); }},
      {"StreamSocketControl.TlsHandshakeTimeout", [&] { return number(control.TlsHandshakeTimeout().count()); }},
      {"StreamSocketControl.ClientCertificate", [&] { return text(control.ClientCertificate()); }},
      {"StreamSocketControl.IgnorableServerCertificateErrors", [&] { return number(control.IgnorableServerCertificateErrors().Size()); }},
      {"StreamSocketControl.MinProtectionLevel", [&] { return number(control.MinProtectionLevel()); }},
      {"StreamSocketControl.TrustedRootCertificates", [&] { return number(control.TrustedRootCertificates().Size()); }},
      {"StreamSocketControl.ApplicationProtocols", [&] { return number(control.ApplicationProtocols().Size()); }},
      {"StreamSocketControl.CertificateRevocationLists", [&] { return number(control.CertificateRevocationLists().Size()); }},
      {"StreamSocketInformation.LocalAddress", [&] { return text(info.LocalAddress()); }},
      {"StreamSocketInformation.LocalPort", [&] { return text(info.LocalPort()); }},
      {"StreamSocketInformation.RemoteAddress", [&] { return text(info.RemoteAddress()); }},
      {"StreamSocketInformation.RemotePort", [&] { return text(info.RemotePort()); }},
      {"StreamSocketInformation.RemoteHostName", [&] { return text(info.RemoteHostName()); }},
      {"StreamSocketInformation.RemoteServiceName", [&] { return text(info.RemoteServiceName()); }},
      {"StreamSocketInformation.ProtectionLevel", [&] { return number(info.ProtectionLevel()); }},
      {"StreamSocketInformation.ServerCertificate", [&] { return text(info.ServerCertificate()); }},
      {"StreamSocketInformation.ServerIntermediateCertificates", [&] { return number(info.ServerIntermediateCertificates().Size()); }},
      {"StreamSocketInformation.ServerCertificateErrors", [&] { return number(info.ServerCertificateErrors().Size()); }},
      {"StreamSocketInformation.ServerCertificateErrorSeverity", [&] { return number(info.ServerCertificateErrorSeverity()); }},
      {"StreamSocketInformation.NegotiatedTlsVersion", [&] { return number(info.NegotiatedTlsVersion()); }},
      {"StreamSocketInformation.CipherSuite", [&] { return text(info.CipherSuite()); }},
      {"StreamSocketInformation.ApplicationProtocol", [&] { return text(info.ApplicationProtocol()); }},
      {"StreamSocketInformation.ServerName", [&] { return text(info.ServerName()); }},
      {"StreamSocketInformation.ClientCertificate", [&] { return text(info.ClientCertificate()); }},
      {"StreamSocketListenerControl.NoDelay", [&] { return number(lcontrol.NoDelay()); }},
      {"StreamSocketListenerControl.KeepAlive", [&] { return number(lcontrol.KeepAlive()); }},
      {"StreamSocketListenerControl.OutboundBufferSizeInBytes", [&] { return number(lcontrol.OutboundBufferSizeInBytes()); }},
      {"StreamSocketListenerControl.QualityOfService", [&] { return number(lcontrol.QualityOfService()); }},
      {"StreamSocketListenerControl.OutboundUnicastHopLimit", [&] { return number(lcontrol.OutboundUnicastHopLimit()); }},
      {"StreamSocketListenerControl.ServerCertificate", [&] { return text(lcontrol.ServerCertificate()); }},
      {"StreamSocketListenerControl.ClientCertificateMode", [&] { return number(lcontrol.ClientCertificateMode()); }},
      {"StreamSocketListenerControl.TrustedRootCertificates", [&] { return number(lcontrol.TrustedRootCertificates().Size()); }},
      {"StreamSocketListenerInformation.LocalPort", [&] { return text(linfo.LocalPort()); }},
  };
  std::vector<std::string> before = snapshot(getters);
  CHECK(before[15] != "");  // LocalPort: connected

  socket.Close();
  socket.Close();  // idempotent
  listener.Close();
  listener.Close();

  expect_same(getters, before);
  (void)info.RoundTripTimeStatistics();  // must not throw: the values sampled at close
  (void)info.BandwidthStatistics();

  EndpointPair pair(nullptr, L"", loopback, L"1");
  Buffer buffer(16);
  buffer.Length(1);
  expect_closed({
      {"StreamSocket.ConnectAsync", [&] { socket.ConnectAsync(loopback, L"1"); }},
      {"StreamSocket.ConnectAsync(level)", [&] { socket.ConnectAsync(loopback, L"1", SocketProtectionLevel::Tls12); }},
      {"StreamSocket.ConnectAsync(pair)", [&] { socket.ConnectAsync(pair); }},
      {"StreamSocket.ConnectAsync(pair, level)", [&] { socket.ConnectAsync(pair, SocketProtectionLevel::PlainSocket); }},
      {"StreamSocket.CancelIOAsync", [&] { socket.CancelIOAsync(); }},
      {"StreamSocket.UpgradeToSslAsync", [&] { socket.UpgradeToSslAsync(SocketProtectionLevel::Tls12, loopback); }},
      {"StreamSocket.UpgradeToSslAsServerAsync", [&] { socket.UpgradeToSslAsServerAsync(SocketProtectionLevel::Tls12, cert); }},
      {"StreamSocketControl.NoDelay", [&] { control.NoDelay(false); }},
      {"StreamSocketControl.KeepAlive", [&] { control.KeepAlive(false); }},
      {"StreamSocketControl.OutboundBufferSizeInBytes", [&] { control.OutboundBufferSizeInBytes(4096); }},
      {"StreamSocketControl.QualityOfService", [&] { control.QualityOfService(SocketQualityOfService::LowLatency); }},
      {"StreamSocketControl.OutboundUnicastHopLimit", [&] { control.OutboundUnicastHopLimit(64); }},
      {"StreamSocketControl.SerializeConnectionAttempts", [&] { control.SerializeConnectionAttempts(true); }},
      {"StreamSocketControl.ConnectTimeout", [&] { control.ConnectTimeout(TimeSpan(10000000)); }},
      {"StreamSocketControl.TlsHandshakeTimeout", [&] { control.TlsHandshakeTimeout(TimeSpan(10000000)); }},
      {"StreamSocketControl.ClientCertificate", [&] { control.ClientCertificate(cert); }},
      {"StreamSocketControl.MinProtectionLevel", [&] { control.MinProtectionLevel(SocketProtectionLevel::Tls12); }},
      {"StreamSocketControl.IgnorableServerCertificateErrors.Append",
       [&] { control.IgnorableServerCertificateErrors().Append(ChainValidationResult::Expired); }},
      {"StreamSocketControl.TrustedRootCertificates.Append", [&] { control.TrustedRootCertificates().Append(ca); }},
      {"StreamSocketControl.ApplicationProtocols.Append", [&] { control.ApplicationProtocols().Append(L"h2"); }},
      {"StreamSocketControl.CertificateRevocationLists.Clear", [&] { control.CertificateRevocationLists().Clear(); }},
      {"InputStream.ReadAsync", [&] { input.ReadAsync(buffer, 1, InputStreamOptions::Partial); }},
      {"OutputStream.WriteAsync", [&] { output.WriteAsync(buffer); }},
      {"OutputStream.FlushAsync", [&] { output.FlushAsync(); }},
      {"DataReader.LoadAsync", [&] { reader.LoadAsync(1); }},
      {"DataWriter.StoreAsync",
       [&] {
         writer.WriteByte(1);
         writer.StoreAsync();
       }},
      {"DataWriter.FlushAsync", [&] { writer.FlushAsync(); }},
      {"StreamSocketListener.BindServiceNameAsync", [&] { listener.BindServiceNameAsync(L""); }},
      {"StreamSocketListener.BindServiceNameAsync(level)", [&] { listener.BindServiceNameAsync(L"", SocketProtectionLevel::Tls12); }},
      {"StreamSocketListener.BindEndpointAsync", [&] { listener.BindEndpointAsync(loopback, L""); }},
      {"StreamSocketListener.CancelIOAsync", [&] { listener.CancelIOAsync(); }},
      {"StreamSocketListener.ConnectionReceived (add)",
       [&] { listener.ConnectionReceived([](StreamSocketListener const&, StreamSocketListenerConnectionReceivedEventArgs const&) {}); }},
      {"StreamSocketListenerControl.NoDelay", [&] { lcontrol.NoDelay(false); }},
      {"StreamSocketListenerControl.KeepAlive", [&] { lcontrol.KeepAlive(true); }},
      {"StreamSocketListenerControl.OutboundBufferSizeInBytes", [&] { lcontrol.OutboundBufferSizeInBytes(4096); }},
      {"StreamSocketListenerControl.QualityOfService", [&] { lcontrol.QualityOfService(SocketQualityOfService::LowLatency); }},
      {"StreamSocketListenerControl.OutboundUnicastHopLimit", [&] { lcontrol.OutboundUnicastHopLimit(64); }},
      {"StreamSocketListenerControl.ServerCertificate", [&] { lcontrol.ServerCertificate(cert); }},
      {"StreamSocketListenerControl.ClientCertificateMode", [&] { lcontrol.ClientCertificateMode(ClientCertificateMode::Optional); }},
      {"StreamSocketListenerControl.TrustedRootCertificates.Append", [&] { lcontrol.TrustedRootCertificates().Append(ca); }},
  });
  test::note("StreamSocket and StreamSocketListener (+ Control, Information, streams) after Close()");
}

static void datagram_socket() {
  HostName loopback{L"127.0.0.1"};
  DatagramSocket socket;
  auto revoker = socket.MessageReceived(auto_revoke, [](DatagramSocket const&, DatagramSocketMessageReceivedEventArgs const&) {});
  socket.Control().OutboundUnicastHopLimit(7);
  socket.ConnectAsync(loopback, L"9").get();
  DatagramSocketControl control = socket.Control();
  DatagramSocketInformation info = socket.Information();
  IOutputStream output = socket.OutputStream();

  Getters getters{
      {"DatagramSocketControl.DontFragment", [&] { return number(control.DontFragment()); }},
      {"DatagramSocketControl.InboundBufferSizeInBytes", [&] { return number(control.InboundBufferSizeInBytes()); }},
      {"DatagramSocketControl.MulticastOnly", [&] { return number(control.MulticastOnly()); }},
      {"DatagramSocketControl.QualityOfService", [&] { return number(control.QualityOfService()); }},
      {"DatagramSocketControl.OutboundUnicastHopLimit", [&] { return number(control.OutboundUnicastHopLimit()); }},
      {"DatagramSocketInformation.LocalAddress", [&] { return text(info.LocalAddress()); }},
      {"DatagramSocketInformation.LocalPort", [&] { return text(info.LocalPort()); }},
      {"DatagramSocketInformation.RemoteAddress", [&] { return text(info.RemoteAddress()); }},
      {"DatagramSocketInformation.RemotePort", [&] { return text(info.RemotePort()); }},
  };
  std::vector<std::string> before = snapshot(getters);
  CHECK(before[8] == "9");

  socket.Close();
  socket.Close();
  expect_same(getters, before);

  EndpointPair pair(nullptr, L"", loopback, L"9");
  HostName group{L"239.255.0.1"};
  Buffer buffer(16);
  buffer.Length(1);
  expect_closed({
      {"DatagramSocket.BindServiceNameAsync", [&] { socket.BindServiceNameAsync(L""); }},
      {"DatagramSocket.BindEndpointAsync", [&] { socket.BindEndpointAsync(loopback, L""); }},
      {"DatagramSocket.ConnectAsync", [&] { socket.ConnectAsync(loopback, L"9"); }},
      {"DatagramSocket.ConnectAsync(pair)", [&] { socket.ConnectAsync(pair); }},
      {"DatagramSocket.GetOutputStreamAsync", [&] { socket.GetOutputStreamAsync(loopback, L"9"); }},
      {"DatagramSocket.GetOutputStreamAsync(pair)", [&] { socket.GetOutputStreamAsync(pair); }},
      {"DatagramSocket.JoinMulticastGroup", [&] { socket.JoinMulticastGroup(group); }},
      {"DatagramSocket.CancelIOAsync", [&] { socket.CancelIOAsync(); }},
      {"DatagramSocket.MessageReceived (add)",
       [&] { socket.MessageReceived([](DatagramSocket const&, DatagramSocketMessageReceivedEventArgs const&) {}); }},
      {"DatagramSocketControl.DontFragment", [&] { control.DontFragment(true); }},
      {"DatagramSocketControl.InboundBufferSizeInBytes", [&] { control.InboundBufferSizeInBytes(4096); }},
      {"DatagramSocketControl.MulticastOnly", [&] { control.MulticastOnly(true); }},
      {"DatagramSocketControl.QualityOfService", [&] { control.QualityOfService(SocketQualityOfService::LowLatency); }},
      {"DatagramSocketControl.OutboundUnicastHopLimit", [&] { control.OutboundUnicastHopLimit(64); }},
      {"DatagramSocket.OutputStream.WriteAsync", [&] { output.WriteAsync(buffer); }},
      {"DatagramSocket.OutputStream.FlushAsync", [&] { output.FlushAsync(); }},
  });
  revoker.revoke();  // revoking after Close() is harmless
  test::note("DatagramSocket (+ Control, Information, OutputStream) after Close()");
}

int main() {
  test::Pki pki;
  Certificate cert = Certificate::FromPem(read_text(pki.path("leaf.pem")), read_text(pki.path("leaf.key")));
  Certificate ca = Certificate::FromPem(read_text(pki.path("ca.pem")));
  stream_socket_and_listener(cert, ca);
  datagram_socket();
  return test::finish("test_closed_objects");
}
