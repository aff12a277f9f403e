// C++20 coroutines: IAsyncAction / IAsyncOperation<T> / fire_and_forget as coroutine return
// types, co_await on netrt operations (resuming on the dispatcher thread) and on other
// coroutines, failures and cancellation crossing co_await, Completed on a coroutine.
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Storage.Streams.h>

#include <atomic>
#include <thread>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Foundation;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Storage::Streams;

static std::atomic<int> g_served{0};

// A ConnectionReceived handler written as a coroutine (as C++/WinRT apps do).
static fire_and_forget OnConnection(StreamSocketListener, StreamSocketListenerConnectionReceivedEventArgs args) {
  StreamSocket socket = args.Socket();
  DataReader reader{socket.InputStream()};
  DataWriter writer{socket.OutputStream()};
  try {
    co_await reader.LoadAsync(4);
    uint32_t len = static_cast<uint32_t>(reader.ReadInt32());
    co_await reader.LoadAsync(len);
    hstring text = reader.ReadString(len);
    writer.WriteInt32(static_cast<int32_t>(writer.MeasureString(L"echo: " + text)));
    writer.WriteString(L"echo: " + text);
    co_await writer.StoreAsync();
    g_served++;
  } catch (hresult_error const&) {
  }
}

static IAsyncOperation<hstring> EchoClient(hstring port, hstring text) {
  StreamSocket socket;
  co_await socket.ConnectAsync(HostName{L"127.0.0.1"}, port);
  DataWriter writer{socket.OutputStream()};
  writer.WriteInt32(static_cast<int32_t>(writer.MeasureString(text)));
  writer.WriteString(text);
  uint32_t stored = co_await writer.StoreAsync();
  CHECK(stored == 4 + writer.MeasureString(text));
  writer.DetachStream();
  DataReader reader{socket.InputStream()};
  co_await reader.LoadAsync(4);
  uint32_t len = static_cast<uint32_t>(reader.ReadInt32());
  co_await reader.LoadAsync(len);
  co_return reader.ReadString(len);
}

static IAsyncOperation<int32_t> Answer() { co_return 42; }

static IAsyncAction Nested() {
  int32_t answer = co_await Answer();  // an already-finished coroutine: no suspension
  CHECK(answer == 42);
  StreamSocketListener listener;
  listener.ConnectionReceived(&OnConnection);
  co_await listener.BindEndpointAsync(HostName{L"127.0.0.1"}, L"");
  hstring port = listener.Information().LocalPort();
  hstring echoed = co_await EchoClient(port, L"coroutine \u263A");  // waits for the server: suspends
  CHECK(echoed == L"echo: coroutine \u263A");
  CHECK(co_await EchoClient(port, L"again") == L"echo: again");
}

static IAsyncAction ConnectRefused(hstring port) {
  StreamSocket socket;
  co_await socket.ConnectAsync(HostName{L"127.0.0.1"}, port);
  CHECK(false);  // not reached
}

static IAsyncAction AwaitForever(hstring port, std::atomic<bool>& waiting, std::thread::id main_thread,
                                 std::atomic<bool>& resumed_elsewhere) {
  StreamSocket socket;
  co_await socket.ConnectAsync(HostName{L"127.0.0.1"}, port);
  DataReader reader{socket.InputStream()};
  waiting = true;
  try {
    co_await reader.LoadAsync(1);  // nothing arrives: only Cancel ends this
    CHECK(false);
  } catch (hresult_canceled const&) {
    // Cancel was called on the main thread; the completion resumes us on the dispatcher.
    resumed_elsewhere = std::this_thread::get_id() != main_thread;
    throw;
  }
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    IAsyncAction nested = Nested();
    nested.get();
    CHECK(nested.Status() == AsyncStatus::Completed);
    CHECK(test::wait_until([] { return g_served == 2; }));
    test::note("IAsyncAction coroutine awaiting netrt operations and IAsyncOperation<T> coroutines; .get() waits");
    test::note("fire_and_forget ConnectionReceived handler (a coroutine) served 2 connections");

    IAsyncAction refused = ConnectRefused(to_hstring(test::closed_port()));
    try {
      refused.get();
      CHECK(false);
    } catch (hresult_error const& e) {
      CHECK(SocketError::GetStatus(e.to_abi()) == SocketErrorStatus::ConnectionRefused);
    }
    CHECK(refused.Status() == AsyncStatus::Error && refused.ErrorCode() == NETRT_E_CONNECTION_REFUSED);
    test::note("a failure inside co_await propagates out of the coroutine: status Error, get() rethrows");

    // Cancel on a coroutine cancels the netrt operation it awaits.
    StreamSocketListener quiet;
    std::vector<StreamSocket> held;
    std::mutex held_mutex;
    quiet.ConnectionReceived([&](auto&&, StreamSocketListenerConnectionReceivedEventArgs const& args) {
      std::lock_guard<std::mutex> lock(held_mutex);
      held.push_back(args.Socket());
    });
    quiet.BindEndpointAsync(HostName{L"127.0.0.1"}, L"").get();
    std::atomic<bool> waiting{false};
    std::atomic<bool> resumed_elsewhere{false};
    IAsyncAction forever = AwaitForever(quiet.Information().LocalPort(), waiting, std::this_thread::get_id(), resumed_elsewhere);
    CHECK(test::wait_until([&] { return waiting.load(); }));
    std::atomic<int> completed_status{-1};
    forever.Completed([&](IAsyncAction const&, AsyncStatus status) { completed_status = static_cast<int>(status); });
    forever.Cancel();
    bool canceled = false;
    try {
      forever.get();
    } catch (hresult_canceled const&) {
      canceled = true;
    }
    CHECK(canceled && forever.Status() == AsyncStatus::Canceled);
    CHECK(resumed_elsewhere);
    CHECK(test::wait_until([&] { return completed_status.load() == static_cast<int>(AsyncStatus::Canceled); }));
    test::note("Cancel() on a coroutine cancels its pending LoadAsync: status Canceled, Completed(Canceled), hresult_canceled");
    test::note("the suspended coroutine resumed on netrt's dispatcher thread, not the thread that called Cancel");
    quiet.Close();
    std::lock_guard<std::mutex> lock(held_mutex);
    held.clear();
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
  return test::finish("test_coroutines");
}
