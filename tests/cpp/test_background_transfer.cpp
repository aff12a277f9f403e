// Windows.Networking.BackgroundTransfer from C++ (docs/background-transfer.md), against a
// private netrt-brokerd (NETRT_BROKERD; run.sh sets it) and nginx serving a generated file
// (tests/peers/nginx_transfer.conf): a download with a Progress handler awaited with .get()
// (and co_await in C++20), checked byte for byte; the response; the group's list; a 404 as
// hresult_error with BackgroundTransferError::GetStatus. C++17 and C++20.
#include <netrt/Windows.Networking.BackgroundTransfer.h>
#include <netrt/Windows.Storage.h>

#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Foundation;
using namespace netrt::Windows::Networking::BackgroundTransfer;
using namespace netrt::Windows::Storage;

namespace {

constexpr std::size_t kSize = 2 * 1024 * 1024 + 77;

unsigned char byte_at(std::size_t i) { return static_cast<unsigned char>((i * 7919u + (i >> 13)) & 0xFF); }

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(byte_at(i));
  return s;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// tests/peers/nginx_transfer.conf with its placeholders filled in.
std::string nginx_conf(std::string const& www, std::string const& dir, int port) {
  std::string launch = NETRT_PEER_LAUNCH;
  std::string text = test::read_text(launch.substr(0, launch.rfind('/')) + "/nginx_transfer.conf");
  auto replace = [&](std::string const& from, std::string const& to) {
    for (std::size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
  };
  replace("@WWW@", www);
  replace("@DIR@", dir);
  replace("@PORT@", std::to_string(port));
  return text;
}

#if NETRT_HAS_COROUTINES
IAsyncOperation<uint64_t> DownloadWithCoAwait(DownloadOperation download) {
  DownloadOperation done = co_await download.StartAsync();
  co_return done.Progress().BytesReceived;
}
#endif

}  // namespace

int main() {
  char dir_template[] = "/tmp/netrt-cpp-xfer-XXXXXX";
  std::string dir = mkdtemp(dir_template), www = dir + "/www";
  ::mkdir(www.c_str(), 0700);
  std::ofstream(www + "/file.bin", std::ios::binary) << pattern(kSize);
  int port = free_port();
  std::ofstream(dir + "/nginx.conf") << nginx_conf(www, dir, port);
  test::Peer nginx({"run", "--port", std::to_string(port), "--", "nginx", "-e", "stderr", "-c", dir + "/nginx.conf"});
  CHECK(test::wait_until([&] { return accepts(port); }));

  std::string sock_path = dir + "/broker.sock", state = dir + "/state";
  setenv("NETRT_BROKER_SOCKET", sock_path.c_str(), 1);
  char const* brokerd = std::getenv("NETRT_BROKERD");
  CHECK(brokerd != nullptr);
  if (!brokerd) return test::finish("test_background_transfer");
  pid_t daemon = fork();
  if (daemon == 0) {
    execl(brokerd, brokerd, "--socket", sock_path.c_str(), "--state-dir", state.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  CHECK(test::wait_until([&] { return access(sock_path.c_str(), F_OK) == 0; }));
  std::wstring base = L"http://127.0.0.1:" + std::to_wstring(port);

  try {
    StorageFolder folder = StorageFolder::GetFolderFromPathAsync(hstring(std::string_view(dir))).get();
    BackgroundTransferGroup group = BackgroundTransferGroup::CreateGroup(L"cpp-group");
    CHECK(group.Name() == L"cpp-group");
    CHECK(group.TransferBehavior() == BackgroundTransferBehavior::Parallel);
    BackgroundDownloader downloader;
    CHECK(downloader.Method() == L"GET");
    downloader.SetRequestHeader(L"X-Netrt", L"cpp");
    downloader.TransferGroup(group);
    CHECK(downloader.TransferGroup().Name() == L"cpp-group");
    CHECK(!downloader.ServerCredential());

    StorageFile file = folder.CreateFileAsync(L"file.bin", CreationCollisionOption::ReplaceExisting).get();
    DownloadOperation download = downloader.CreateDownload(Uri(base + L"/file.bin"), file);
    CHECK(download.Progress().Status == BackgroundTransferStatus::Idle);
    CHECK(download.ResultFile().Path() == file.Path());
    CHECK(!download.GetResponseInformation());
    auto recoverable = download.RecoverableWebErrorStatuses();
    CHECK(recoverable.Size() == 0);
    recoverable.Append(Windows::Web::WebErrorStatus::ServiceUnavailable);
    CHECK(download.RecoverableWebErrorStatuses().Size() == 1);
    CHECK(download.RecoverableWebErrorStatuses().GetAt(0) == Windows::Web::WebErrorStatus::ServiceUnavailable);
    auto op = download.StartAsync();
    std::atomic<int> reports{0};
    std::atomic<uint64_t> last{0};
    op.Progress([&](IAsyncOperationWithProgress<DownloadOperation, DownloadOperation> const&, DownloadOperation const& d) {
      last = d.Progress().BytesReceived;
      ++reports;
    });
    DownloadOperation done = op.get();
    CHECK(done.Guid() == download.Guid());
    CHECK(download.Progress().Status == BackgroundTransferStatus::Completed);
    CHECK(download.Progress().BytesReceived == kSize);
    CHECK(test::wait_until([&] { return reports.load() > 0; }));
    CHECK(last.load() <= kSize);
    CHECK(test::read_text(dir + "/file.bin") == pattern(kSize));
    auto ranges = download.GetDownloadedRanges();
    CHECK(ranges.size() == 1 && ranges[0].Offset == 0 && ranges[0].Length == kSize);
    ResponseInformation info = download.GetResponseInformation();
    CHECK(info.StatusCode() == 200);
    CHECK(info.IsResumable());
    CHECK(info.Headers().Lookup(L"Content-Length") == to_hstring(std::to_string(kSize)));
    CHECK(!info.Headers().HasKey(L"X-Absent"));
    CHECK(info.ActualUri().AbsoluteUri() == base + L"/file.bin");
    CHECK(!download.CurrentWebErrorStatus());
    for (auto const& listed : BackgroundDownloader::GetCurrentDownloadsForTransferGroup(group)) CHECK(listed.Method() == L"GET");

#if NETRT_HAS_COROUTINES
    StorageFile again = folder.CreateFileAsync(L"again.bin", CreationCollisionOption::ReplaceExisting).get();
    CHECK(DownloadWithCoAwait(downloader.CreateDownload(Uri(base + L"/file.bin"), again)).get() == kSize);
#endif

    // A 404: the operation throws the HTTP error; its WebErrorStatus is NotFound.
    StorageFile missing = folder.CreateFileAsync(L"missing.bin", CreationCollisionOption::ReplaceExisting).get();
    DownloadOperation failing = downloader.CreateDownload(Uri(base + L"/missing.bin"), missing);
    try {
      failing.StartAsync().get();
      CHECK(!"a 404 download completed");
    } catch (hresult_error const& e) {
      CHECK(static_cast<uint32_t>(e.code().value) == 0x80190194u);
      CHECK(BackgroundTransferError::GetStatus(e.code()) == Windows::Web::WebErrorStatus::NotFound);
    }
    CHECK(failing.CurrentWebErrorStatus().Value() == Windows::Web::WebErrorStatus::NotFound);
    CHECK_THROWS_HR(download.StartAsync(), NETRT_E_ILLEGAL_METHOD_CALL);
    CHECK_THROWS_HR(downloader.CreateDownload(Uri(L"ftp://127.0.0.1/x"), file), NETRT_E_INVALIDARG);

    BackgroundUploader uploader;
    CHECK(uploader.Method() == L"POST");
    CHECK_THROWS_HR(uploader.CreateUploadAsync(Uri(base + L"/sink"), {}), NETRT_E_INVALIDARG);
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    kill(daemon, SIGTERM);
    waitpid(daemon, nullptr, 0);
    return 1;
  }
  kill(daemon, SIGTERM);
  waitpid(daemon, nullptr, 0);
  (void)std::system(("rm -rf '" + dir + "'").c_str());
  return test::finish("test_background_transfer");
}
