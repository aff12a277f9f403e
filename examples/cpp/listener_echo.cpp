// A StreamSocketListener echo server and a StreamSocket client with C++20 coroutines, in the
// C++/WinRT style (netrt's header-only projection).
//
//   listener_echo                      demo: server and client in one process
//   listener_echo server [port]        serve until killed (port "" / omitted: ephemeral)
//   listener_echo client HOST PORT TEXT
//
// The protocol is the samples' length-prefixed hello: a big-endian Int32 byte count, then the UTF-8
// text (DataWriter.MeasureString + WriteInt32 + WriteString). The server echoes it back.
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Storage.Streams.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

using namespace netrt;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Storage::Streams;

static IAsyncOperation<hstring> ReadMessage(DataReader reader) {
  if (co_await reader.LoadAsync(4) != 4) throw hresult_error(NETRT_E_UNEXPECTED, std::string("peer closed"));
  uint32_t length = static_cast<uint32_t>(reader.ReadInt32());
  co_await reader.LoadAsync(length);
  co_return reader.ReadString(length);
}

static IAsyncAction WriteMessage(DataWriter writer, hstring text) {
  writer.WriteInt32(static_cast<int32_t>(writer.MeasureString(text)));
  writer.WriteString(text);
  co_await writer.StoreAsync();
}

// ConnectionReceived: a coroutine that runs on netrt's dispatcher thread and resumes there.
static fire_and_forget OnConnectionReceived(StreamSocketListener, StreamSocketListenerConnectionReceivedEventArgs args) {
  try {
    StreamSocket socket = args.Socket();
    DataReader reader{socket.InputStream()};
    DataWriter writer{socket.OutputStream()};
    hstring text = co_await ReadMessage(reader);
    std::printf("server: received \"%s\", echoing\n", to_string(text).c_str());
    co_await WriteMessage(writer, text);
    // Releasing the reader and writer (not detached) closes the connection, as in WinRT.
  } catch (hresult_error const& e) {
    std::printf("server: %s\n", to_string(e.message()).c_str());
  }
}

static IAsyncOperation<hstring> StartServer(StreamSocketListener listener, hstring port) {
  listener.ConnectionReceived(&OnConnectionReceived);
  co_await listener.BindServiceNameAsync(port);
  co_return listener.Information().LocalPort();
}

static IAsyncAction RunClient(hstring host, hstring port, hstring text) {
  StreamSocket socket;
  co_await socket.ConnectAsync(HostName{host}, port);
  DataWriter writer{socket.OutputStream()};
  std::printf("client: sending \"%s\"\n", to_string(text).c_str());
  co_await WriteMessage(writer, text);
  writer.DetachStream();  // keep the socket open when the writer goes
  hstring echoed = co_await ReadMessage(DataReader{socket.InputStream()});
  std::printf("client: echo \"%s\"\n", to_string(echoed).c_str());
  if (echoed != text) throw hresult_error(NETRT_E_UNEXPECTED, std::string("echo mismatch"));
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    if (argc >= 2 && std::strcmp(argv[1], "server") == 0) {
      StreamSocketListener listener;
      hstring port = StartServer(listener, to_hstring(argc >= 3 ? argv[2] : "")).get();
      std::printf("server: listening on port %s (Ctrl-C to stop)\n", to_string(port).c_str());
      for (;;) pause();
    }
    if (argc >= 5 && std::strcmp(argv[1], "client") == 0) {
      RunClient(to_hstring(argv[2]), to_hstring(argv[3]), to_hstring(argv[4])).get();
      return 0;
    }
    StreamSocketListener listener;
    hstring port = StartServer(listener, L"").get();
    std::printf("server: listening on port %s\n", to_string(port).c_str());
    RunClient(L"127.0.0.1", port, L"Hello, World! \u263A").get();
    return 0;
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "failed: 0x%08X (SocketErrorStatus %d): %s\n", static_cast<unsigned>(e.code().value),
                 static_cast<int>(SocketError::GetStatus(e.to_abi())), e.what());
    return 1;
  }
}
