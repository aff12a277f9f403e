// Where coroutines and handlers run: completion_queue (handlers and co_await continuations
// inside dispatch() on the loop's thread), resume_background, resume_after (a TimeSpan or any
// std::chrono duration), apartment_context (back to the captured queue, or the dispatcher).
#include <netrt/Windows.Networking.Sockets.h>

#include <poll.h>

#include <atomic>
#include <thread>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Foundation;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;
using namespace std::chrono_literals;

// Dispatches `queue` whenever its fd is readable until `done` (bounded: 10 s).
static bool pump(completion_queue const& queue, std::function<bool()> const& done) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    pollfd pfd{queue.fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 100) == 1) queue.dispatch();
  }
  return true;
}

struct hops {
  std::thread::id before, background, after_delay, after_zero, back;
};

// Leaves for a background thread, waits there, comes back through the captured context.
static IAsyncAction Travel(hops& h) {
  apartment_context origin;
  h.before = std::this_thread::get_id();
  co_await resume_background();
  h.background = std::this_thread::get_id();
  co_await resume_after(TimeSpan{200'000});  // 20 ms as a TimeSpan
  h.after_delay = std::this_thread::get_id();
  co_await resume_after(0ms);  // does not suspend
  h.after_zero = std::this_thread::get_id();
  co_await origin;
  h.back = std::this_thread::get_id();
}

// Connects and awaits on the loop's thread: the continuation comes back inside dispatch.
static IAsyncAction ConnectOnLoop(hstring port, std::thread::id& resumed_on) {
  StreamSocket socket;
  co_await socket.ConnectAsync(HostName{L"127.0.0.1"}, port);
  resumed_on = std::this_thread::get_id();
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    auto const main_thread = std::this_thread::get_id();

    // The class: fd, an empty dispatch, current(), Close.
    completion_queue queue;
    CHECK(queue.fd() >= 0);
    CHECK(queue.dispatch() == 0);
    CHECK(completion_queue::current() == nullptr);
    queue.make_current();
    CHECK(completion_queue::current().handle() != 0);
    test::note("completion_queue: fd(), dispatch() on an empty queue, make_current()/current()");

    // apartment_context captured on a thread with a current queue: back inside its dispatch.
    hops h;
    IAsyncAction travel = Travel(h);
    CHECK(pump(queue, [&] { return travel.Status() != AsyncStatus::Started; }));
    travel.get();
    CHECK(h.before == main_thread);
    CHECK(h.background != main_thread);
    CHECK(h.after_delay != main_thread);
    CHECK(h.after_zero == h.after_delay);
    CHECK(h.back == main_thread);
    test::note("resume_background and resume_after(TimeSpan) leave the loop's thread; resume_after(0ms) does not suspend");
    test::note("co_await apartment_context returns to the loop's thread, inside completion_queue::dispatch");

    // co_await on a netrt operation started on the loop's thread resumes in dispatch there.
    StreamSocketListener listener;
    std::vector<StreamSocket> accepted;
    listener.ConnectionReceived([&](auto&&, StreamSocketListenerConnectionReceivedEventArgs const& args) {
      CHECK(std::this_thread::get_id() == main_thread);  // registered with the queue current
      accepted.push_back(args.Socket());
    });
    listener.BindEndpointAsync(HostName{L"127.0.0.1"}, L"").get();
    std::thread::id resumed_on{};
    IAsyncAction connect = ConnectOnLoop(listener.Information().LocalPort(), resumed_on);
    CHECK(pump(queue, [&] { return connect.Status() != AsyncStatus::Started && !accepted.empty(); }));
    connect.get();
    CHECK(resumed_on == main_thread);
    test::note("co_await ConnectAsync on the loop's thread resumed there; ConnectionReceived ran there too");
    listener.Close();
    accepted.clear();

    // Without a current queue, apartment_context means netrt's dispatcher thread.
    completion_queue::clear_current();
    CHECK(completion_queue::current() == nullptr);
    hops elsewhere;
    Travel(elsewhere).get();
    CHECK(elsewhere.back != main_thread && elsewhere.back != std::thread::id{});
    test::note("apartment_context without a current queue resumes on netrt's dispatcher thread");

    queue.Close();
    CHECK_THROWS_HR(queue.dispatch(), NETRT_RO_E_CLOSED);
    test::note("a closed completion_queue's dispatch() throws RO_E_CLOSED");
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
  return test::finish("test_threading");
}
