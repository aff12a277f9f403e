// The socket broker in C++/WinRT style: register a task (BackgroundTaskBuilder +
// SocketActivityTrigger) whose entry point is this program ("task" mode), EnableTransferOwnership
// before ConnectAsync, TransferOwnership with a SocketActivityContext, then the peer writes. The
// broker starts this program as the task, which takes its BackgroundTaskInstance, reads the
// trigger details as C++/WinRT code does, reclaims the socket, reads and answers.
// Needs NETRT_BROKERD (run.sh sets it). C++17 and C++20.
#include <netrt/Windows.ApplicationModel.Background.h>
#include <netrt/Windows.Networking.Sockets.h>
#include <netrt/Windows.Storage.Streams.h>

#include <arpa/inet.h>
#include <csignal>
#include <cstdlib>
#include <string>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::ApplicationModel::Background;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;
using namespace netrt::Windows::Storage::Streams;

static char const kMessage[] = "ping while the app is away";

static int run_task() {
  BackgroundTaskInstance taskInstance = BackgroundTaskInstance::Current();
  CHECK(static_cast<bool>(taskInstance));
  if (!taskInstance) return test::finish("test_broker task");
  auto details = taskInstance.TriggerDetails().as<SocketActivityTriggerDetails>();
  CHECK(details.Reason() == SocketActivityTriggerReason::SocketActivity);
  auto info = details.SocketInformation();
  CHECK(info.Id() == L"cpp-1");
  CHECK(info.SocketKind() == SocketActivityKind::StreamSocket);
  auto context = info.Context().Data();
  CHECK(context.Length() == 3 && std::memcmp(context.data(), "cpp", 3) == 0);
  StreamSocket socket = info.StreamSocket();
  DataReader reader(socket.InputStream());
  uint32_t loaded = reader.LoadAsync(static_cast<uint32_t>(std::strlen(kMessage))).get();
  CHECK(loaded == std::strlen(kMessage));
  hstring text = reader.ReadString(loaded);
  DataWriter writer(socket.OutputStream());
  writer.WriteString(text == L"ping while the app is away" ? L"ok\n" : L"bad\n");
  writer.StoreAsync().get();
  writer.DetachStream();
  reader.DetachStream();
  socket.Close();
  return test::finish("test_broker task");
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "task") == 0) return run_task();
  char dir[] = "/tmp/netrt-cpp-broker-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  std::string run_dir = std::string(dir) + "/run", sock_path = run_dir + "/broker.sock";
  mkdir(run_dir.c_str(), 0700);
  setenv("NETRT_BROKER_SOCKET", sock_path.c_str(), 1);
  char const* brokerd = std::getenv("NETRT_BROKERD");
  CHECK(brokerd != nullptr);
  if (!brokerd) return test::finish("test_broker");
  std::string state = std::string(dir) + "/state";
  pid_t daemon = fork();
  if (daemon == 0) {
    execl(brokerd, brokerd, "--socket", sock_path.c_str(), "--state-dir", state.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  CHECK(test::wait_until([&] { return access(sock_path.c_str(), F_OK) == 0; }));

  CHECK(!BackgroundTaskInstance::Current());
  BackgroundTaskBuilder builder;
  builder.Name(L"cpp-task");
  builder.TaskEntryPoint(to_hstring(std::string("'") + argv[0] + "' task"));
  CHECK_THROWS_HR(builder.Register(), NETRT_E_INVALIDARG);  // no trigger yet
  builder.SetTrigger(SocketActivityTrigger());
  BackgroundTaskRegistration task = builder.Register();
  CHECK(task.Name() == L"cpp-task");

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  CHECK(bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(listener, 4) == 0 &&
        getsockname(listener, reinterpret_cast<sockaddr*>(&a), &alen) == 0);
  StreamSocket socket;
  socket.EnableTransferOwnership(task.TaskId(), SocketActivityConnectedStandbyAction::DoNotWake);
  socket.ConnectAsync(HostName(L"127.0.0.1"), to_hstring(ntohs(a.sin_port))).get();
  int peer = accept(listener, nullptr, nullptr);
  CHECK(peer >= 0);
  CHECK_THROWS_HR(socket.EnableTransferOwnership(task.TaskId()), NETRT_E_ILLEGAL_METHOD_CALL);
  Buffer ctx(3);
  std::memcpy(ctx.data(), "cpp", 3);
  ctx.Length(3);
  socket.TransferOwnership(L"cpp-1", SocketActivityContext(ctx), std::chrono::minutes(5));
  CHECK_THROWS_HR(socket.TransferOwnership(L"cpp-1"), NETRT_RO_E_CLOSED);

  CHECK(write(peer, kMessage, std::strlen(kMessage)) == static_cast<ssize_t>(std::strlen(kMessage)));
  char answer[8] = {};
  ssize_t got = 0;
  timeval limit{30, 0};
  setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  while (got < 3) {
    ssize_t r = read(peer, answer + got, sizeof answer - 1 - static_cast<size_t>(got));
    if (r <= 0) break;
    got += r;
  }
  CHECK(std::string(answer) == "ok\n");
  // A listener and a datagram socket, handed over once bound (nobody connects or sends, so the
  // broker only holds them).
  StreamSocketListener listenerSocket;
  listenerSocket.EnableTransferOwnership(task.TaskId());
  listenerSocket.BindServiceNameAsync(L"").get();
  hstring heldPort = listenerSocket.Information().LocalPort();
  listenerSocket.TransferOwnership(L"cpp-l", SocketActivityContext(ctx));
  CHECK_THROWS_HR(listenerSocket.TransferOwnership(L"cpp-l"), NETRT_RO_E_CLOSED);
  DatagramSocket datagram;
  datagram.EnableTransferOwnership(task.TaskId());
  datagram.BindServiceNameAsync(L"").get();
  CHECK_THROWS_HR(datagram.TransferOwnership(L"cpp-l"), static_cast<int32_t>(0x800700B7));  // id taken
  datagram.TransferOwnership(L"cpp-d", SocketActivityContext(ctx), std::chrono::hours(1));

  // AllSockets / AllTasks: IMapView snapshots, iterated as C++/WinRT code does.
  auto held = SocketActivityInformation::AllSockets();
  CHECK(held.Size() == 2);
  int seen = 0;
  for (auto const& entry : held) {
    seen += entry.Key() == L"cpp-l" || entry.Key() == L"cpp-d";
    CHECK(entry.Value().Id() == entry.Key());
  }
  CHECK(seen == 2);
  CHECK(held.HasKey(L"cpp-d") && !held.HasKey(L"cpp-1"));
  CHECK(held.Lookup(L"cpp-d").SocketKind() == SocketActivityKind::DatagramSocket);
  CHECK_THROWS_HR(held.Lookup(L"cpp-1"), NETRT_E_BOUNDS);
  auto tasks = BackgroundTaskRegistration::AllTasks();
  CHECK(tasks.Size() == 1 && tasks.HasKey(task.TaskId()));
  for (auto const& entry : tasks) {
    CHECK(entry.Key() == task.TaskId());
    CHECK(entry.Value().Name() == L"cpp-task");
  }
  CHECK(tasks.Lookup(task.TaskId()).Name() == L"cpp-task");

  // A subscribed instance gets the held listener's activation instead of a new process.
  ActivationSubscription subscription = task.Subscribe();
  CHECK(!subscription.NextActivation(std::chrono::milliseconds(0)));
  int client = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in held_addr{};
  held_addr.sin_family = AF_INET;
  held_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  held_addr.sin_port = htons(static_cast<uint16_t>(std::stoi(to_string(heldPort))));
  CHECK(connect(client, reinterpret_cast<sockaddr*>(&held_addr), sizeof held_addr) == 0);
  BackgroundTaskInstance activation = subscription.NextActivation(std::chrono::seconds(30));
  CHECK(static_cast<bool>(activation));
  if (activation) {
    auto activated = activation.TriggerDetails().as<SocketActivityTriggerDetails>();
    CHECK(activated.Reason() == SocketActivityTriggerReason::ConnectionAccepted);
    CHECK(activated.SocketInformation().Id() == L"cpp-l");
    activated.SocketInformation().StreamSocketListener().Close();
  }
  subscription.Close();
  CHECK_THROWS_HR(subscription.NextActivation(), NETRT_RO_E_CLOSED);
  close(client);
  task.Unregister(false);
  close(peer);
  close(listener);
  kill(daemon, SIGTERM);
  waitpid(daemon, nullptr, 0);
  return test::finish("test_broker");
}
