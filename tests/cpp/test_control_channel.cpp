// ControlChannelTrigger in C++/WinRT style: tasks registered on its KeepAliveTrigger and
// PushNotificationTrigger run in this process through RegisterTaskEntryPoint (netrt), read their
// trigger details with .as<IControlChannelTriggerEventDetails>(), and complete through a
// deferral (the registration's Completed and Progress fire). The push task runs when the peer
// sends while no read is pending, and the bytes stay for the app; Close() stops both.
// C++17 and C++20.
#include <netrt/Windows.ApplicationModel.Background.h>
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Storage.Streams.h>

#include <atomic>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::ApplicationModel::Background;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Storage::Streams;

static std::atomic<int> g_keep_alives{0}, g_pushes{0}, g_completed{0}, g_progress{0}, g_bad{0}, g_held{0}, g_canceled{0};
static BackgroundTaskDeferral g_kept{nullptr};  // held by the "cpp.Hold" task, never completed

static hstring read_text(StreamSocket const& socket, uint32_t n) {
  DataReader reader(socket.InputStream());
  uint32_t loaded = reader.LoadAsync(n).get();
  hstring text = reader.ReadString(loaded);
  reader.DetachStream();
  return text;
}

int main() {
  CHECK_THROWS_HR(ControlChannelTrigger(L"cpp", 14), NETRT_E_INVALIDARG);

  RegisterTaskEntryPoint(L"cpp.KeepAlive", [](BackgroundTaskInstance const& taskInstance) {
    auto deferral = taskInstance.GetDeferral();
    auto details = taskInstance.TriggerDetails().as<IControlChannelTriggerEventDetails>();
    if (details.ControlChannelTrigger().ControlChannelTriggerId() != L"cpp-channel") ++g_bad;
    try {
      taskInstance.TriggerDetails().as<SocketActivityTriggerDetails>();
      ++g_bad;
    } catch (hresult_error const& e) {
      if (e.code() != NETRT_E_NOINTERFACE) ++g_bad;
    }
    taskInstance.Progress(9);
    ++g_keep_alives;
    deferral.Complete();
  });
  RegisterTaskEntryPoint(L"cpp.Push", [](BackgroundTaskInstance const&) { ++g_pushes; });

  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  CHECK(bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(listener, 4) == 0 &&
        getsockname(listener, reinterpret_cast<sockaddr*>(&a), &alen) == 0);
  StreamSocket socket;
  socket.ConnectAsync(HostName(L"127.0.0.1"), to_hstring(ntohs(a.sin_port))).get();
  int peer = accept(listener, nullptr, nullptr);
  CHECK(peer >= 0);

  ControlChannelTrigger channel(L"cpp-channel", 15, ControlChannelTriggerResourceType::RequestSoftwareSlot);
  CHECK(channel.ServerKeepAliveIntervalInMinutes() == 15 && !channel.IsWakeFromLowPowerSupported());
  channel.KeepAliveIntervalInSeconds(1);
  CHECK(channel.CurrentKeepAliveIntervalInMinutes() == 1);
  BackgroundTaskBuilder keepAlive;
  keepAlive.Name(L"cpp-ka");
  keepAlive.TaskEntryPoint(L"cpp.KeepAlive");
  keepAlive.SetTrigger(channel.KeepAliveTrigger());
  BackgroundTaskRegistration task = keepAlive.Register();
  task.Completed([](BackgroundTaskRegistration const&, BackgroundTaskCompletedEventArgs const& args) {
    args.CheckResult();
    ++g_completed;
  });
  task.Progress([](BackgroundTaskRegistration const&, BackgroundTaskProgressEventArgs const& args) {
    g_progress = static_cast<int>(args.Progress());
  });
  BackgroundTaskBuilder push;
  push.Name(L"cpp-push");
  push.TaskEntryPoint(L"cpp.Push");
  push.SetTrigger(channel.PushNotificationTrigger());
  BackgroundTaskRegistration pushTask = push.Register();

  CHECK_THROWS_HR(channel.WaitForPushEnabled(), NETRT_E_ILLEGAL_METHOD_CALL);
  channel.UsingTransport(socket);
  CHECK_THROWS_HR(channel.UsingTransport(socket), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK(channel.WaitForPushEnabled() == ControlChannelTriggerStatus::SoftwareSlotAllocated);
  CHECK(test::wait_until([] { return g_keep_alives >= 2 && g_completed >= 1 && g_progress == 9; }, 30));
  CHECK(g_bad == 0);

  CHECK(write(peer, "hello", 5) == 5);
  CHECK(test::wait_until([] { return g_pushes >= 1; }, 30));
  CHECK(read_text(socket, 5) == L"hello");

  channel.Close();
  channel.Close();
  int pushes = g_pushes, keepAlives = g_keep_alives;
  CHECK(write(peer, "late", 4) == 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  CHECK(g_pushes == pushes && g_keep_alives == keepAlives);
  CHECK(read_text(socket, 4) == L"late");
  CHECK_THROWS_HR(channel.WaitForPushEnabled(), NETRT_RO_E_CLOSED);
  // A run that holds its deferral is canceled (Abort) when its task is unregistered with cancelTask.
  RegisterTaskEntryPoint(L"cpp.Hold", [](BackgroundTaskInstance const& taskInstance) {
    if (g_held++ > 0) return;
    taskInstance.Canceled([](BackgroundTaskInstance const&, BackgroundTaskCancellationReason reason) {
      if (reason == BackgroundTaskCancellationReason::Abort) ++g_canceled;
    });
    g_kept = taskInstance.GetDeferral();
  });
  ControlChannelTrigger holdChannel(L"cpp-hold", 15);
  holdChannel.KeepAliveIntervalInSeconds(1);
  BackgroundTaskBuilder hold;
  hold.Name(L"cpp-hold");
  hold.TaskEntryPoint(L"cpp.Hold");
  hold.SetTrigger(holdChannel.KeepAliveTrigger());
  BackgroundTaskRegistration holdTask = hold.Register();
  holdChannel.UsingTransport(socket);
  CHECK(holdChannel.WaitForPushEnabled() == ControlChannelTriggerStatus::SoftwareSlotAllocated);
  CHECK(test::wait_until([] { return g_held >= 1; }, 30));
  holdTask.Unregister(true);
  CHECK(test::wait_until([] { return g_canceled >= 1; }, 30));
  holdChannel.Close();
  g_kept = nullptr;

  CHECK(UnregisterTaskEntryPoint(L"cpp.Push"));
  CHECK(!UnregisterTaskEntryPoint(L"cpp.Push"));
  socket.Close();
  close(peer);
  close(listener);
  return test::finish("test_control_channel");
}
