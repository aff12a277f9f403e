// StreamSocketListener + StreamSocket echo with DataWriter/DataReader and the
// ConnectionReceived event (handler, token revoke, auto_revoke), and a DatagramSocket round
// trip with MessageReceived — blocking .get() only, so it builds as C++17.
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Storage.Streams.h>

#include <atomic>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Storage::Streams;

// One length-prefixed message (the samples' hello framing), blocking.
static hstring read_message(DataReader const& reader) {
  if (reader.LoadAsync(4).get() != 4) return L"<closed>";
  uint32_t len = static_cast<uint32_t>(reader.ReadInt32());
  reader.LoadAsync(len).get();
  return reader.ReadString(len);
}

static void write_message(DataWriter const& writer, hstring const& text) {
  writer.WriteInt32(static_cast<int32_t>(writer.MeasureString(text)));
  writer.WriteString(text);
  writer.StoreAsync().get();
}

static std::atomic<int> g_main_calls{0};
static std::atomic<int> g_extra_calls{0};

// Runs on netrt's dispatcher thread, where blocking .get() on netrt operations is allowed.
static void echo_handler(StreamSocketListener const&, StreamSocketListenerConnectionReceivedEventArgs const& args) {
  g_main_calls++;
  StreamSocket socket = args.Socket();
  DataReader reader{socket.InputStream()};
  DataWriter writer{socket.OutputStream()};
  hstring text = read_message(reader);
  write_message(writer, L"echo: " + text);
  // reader and writer are released here without DetachStream: that closes the connection.
}

static hstring round_trip(hstring const& port, hstring const& text) {
  StreamSocket socket;
  socket.ConnectAsync(HostName{L"127.0.0.1"}, port).get();
  DataWriter writer{socket.OutputStream()};
  write_message(writer, text);
  writer.DetachStream();
  DataReader reader{socket.InputStream()};
  return read_message(reader);
}

static void stream_echo() {
  StreamSocketListener listener;
  listener.Control().KeepAlive(true);
  event_token token = listener.ConnectionReceived(&echo_handler);
  CHECK(static_cast<bool>(token));
  listener.BindServiceNameAsync(L"").get();
  hstring port = listener.Information().LocalPort();
  CHECK(!port.empty());

  CHECK(round_trip(port, L"Hello, World! \u263A ") == L"echo: Hello, World! \u263A ");
  CHECK(g_main_calls == 1);
  test::note("listener echo: ConnectionReceived handler, DataWriter/DataReader with length-prefixed UTF-8");

  {
    auto revoker = listener.ConnectionReceived(auto_revoke, [](auto&&, auto&&) { g_extra_calls++; });
    CHECK(round_trip(port, L"two") == L"echo: two");
    CHECK(test::wait_until([] { return g_extra_calls == 1; }));
  }
  CHECK(round_trip(port, L"three") == L"echo: three");
  CHECK(g_main_calls == 3 && g_extra_calls == 1);
  test::note("auto_revoke: the second handler saw one connection, none after its revoker was destroyed");

  // A copy of the listener shares the registrations; revoking by token through it works.
  StreamSocketListener copy = listener;
  copy.ConnectionReceived(token);
  CHECK(round_trip(port, L"four") == L"<closed>");
  CHECK(g_main_calls == 3);
  test::note("ConnectionReceived(token) revokes; with no handler netrt closes the connection");

  // A handler that throws: the exception stays in C++, netrt goes on.
  listener.ConnectionReceived([](auto&&, auto&&) { throw hresult_error(NETRT_E_UNEXPECTED); });
  listener.ConnectionReceived(&echo_handler);
  CHECK(round_trip(port, L"five") == L"echo: five");
  test::note("an exception thrown by a handler never crosses into the C library");

  listener.Close();
  CHECK_THROWS_HR(listener.BindServiceNameAsync(L""), NETRT_RO_E_CLOSED);
}

static void datagram_round_trip() {
  DatagramSocket receiver;
  std::atomic<int> got{0};
  hstring received;
  std::mutex m;
  receiver.MessageReceived([&](DatagramSocket const&, DatagramSocketMessageReceivedEventArgs const& args) {
    DataReader reader = args.GetDataReader();
    hstring text = reader.ReadString(reader.UnconsumedBufferLength());
    std::lock_guard<std::mutex> lock(m);
    received = text + L" from " + args.RemoteAddress().CanonicalName();
    got++;
  });
  receiver.BindEndpointAsync(HostName{L"127.0.0.1"}, L"").get();
  hstring port = receiver.Information().LocalPort();

  DatagramSocket sender;
  IOutputStream stream = sender.GetOutputStreamAsync(HostName{L"127.0.0.1"}, port).get();
  DataWriter writer{stream};
  writer.WriteString(L"datagram \u263A");
  CHECK(writer.StoreAsync().get() == 12);
  CHECK(test::wait_until([&] { return got.load() == 1; }));
  std::lock_guard<std::mutex> lock(m);
  CHECK(received == L"datagram \u263A from 127.0.0.1");
  test::note("DatagramSocket: GetOutputStreamAsync + DataWriter -> MessageReceived + GetDataReader");
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    stream_echo();
    datagram_round_trip();
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
  return test::finish("test_echo");
}
