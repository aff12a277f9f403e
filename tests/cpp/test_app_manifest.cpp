// The app manifest from C++: Load (a malformed one, then a real one, then the lock), the
// queries, and the same denials C and Python see — thrown as hresult_error 0x8007271D for a
// connect and hresult_access_denied for a listener. Loading locks this process's manifest, so
// this test is a program of its own.
#include <netrt/Windows.Networking.Sockets.h>

#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Networking;
using namespace netrt::Windows::Networking::Sockets;

static_assert(static_cast<int>(NetworkDirection::Inbound) == NETRT_NETWORK_DIRECTION_INBOUND);

namespace {

constexpr char const* kHead =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<Package xmlns=\"http://schemas.microsoft.com/appx/manifest/foundation/windows10\">\n"
    "  <Capabilities>\n";

// A manifest file in its own temporary directory, removed at scope exit.
struct TempManifest {
  std::string dir, path;
  explicit TempManifest(std::string const& capabilities) {
    char tmpl[] = "/tmp/netrt-cpp-manifest-XXXXXX";
    dir = mkdtemp(tmpl);
    path = dir + "/Package.appxmanifest";
    std::ofstream(path) << kHead << capabilities << "  </Capabilities>\n</Package>\n";
  }
  ~TempManifest() {
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
};

bool contains(hstring const& text, char const* needle) { return to_string(text).find(needle) != std::string::npos; }

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  try {
    CHECK(!AppManifest::IsLoaded());
    AppManifest::CheckAccess(NetworkDirection::Listen, L"::", 0);  // unrestricted: no throw

    TempManifest bad("    <Capability Name=\"internetClient\">\n");
    try {
      AppManifest::Load(hstring(bad.path));
      CHECK(!"a malformed manifest loaded");
    } catch (hresult_invalid_argument const& e) {
      CHECK(contains(e.message(), "malformed XML"));
    }
    CHECK(!AppManifest::IsLoaded());

    TempManifest good("    <Capability Name=\"internetClient\" />\n");
    AppManifest::Load(hstring(good.path));
    try {
      AppManifest::Load(hstring(good.path));
      CHECK(!"a second manifest loaded");
    } catch (hresult_illegal_method_call const& e) {
      CHECK(contains(e.message(), "already loaded"));
    }
    CHECK(AppManifest::IsLoaded());
    CHECK(to_string(AppManifest::Source()) == good.path);
    auto caps = AppManifest::Capabilities();
    CHECK(caps.Size() == 1 && caps.GetAt(0) == L"internetClient");
    CHECK(AppManifest::HasCapability(L"internetClient") && !AppManifest::HasCapability(L"internetClientServer"));

    AppManifest::CheckAccess(NetworkDirection::Outbound, L"93.184.216.34", 443);
    CHECK_THROWS_HR(AppManifest::CheckAccess(NetworkDirection::Outbound, L"192.168.1.1", 80),
                    NETRT_E_SOCKET_ACCESS_DENIED);
    CHECK_THROWS_HR(AppManifest::CheckAccess(NetworkDirection::Inbound, L"93.184.216.34", 80), NETRT_E_ACCESSDENIED);
    CHECK_THROWS_HR(AppManifest::CheckAccess(static_cast<NetworkDirection>(9), L"1.2.3.4", 80), NETRT_E_INVALIDARG);

    // The denial an app sees: `localhost` is loopback, and there is no loopback exemption.
    StreamSocket socket;
    try {
      socket.ConnectAsync(HostName{L"localhost"}, L"9").get();
      CHECK(!"connected to loopback without the exemption");
    } catch (hresult_error const& e) {
      CHECK(e.code() == NETRT_E_SOCKET_ACCESS_DENIED);
      CHECK(SocketError::GetStatus(e.to_abi()) == SocketErrorStatus::Unknown);
      CHECK(contains(e.message(), "loopback exemption"));
      std::printf("ConnectAsync(localhost) -> 0x%08X: %s\n", static_cast<unsigned>(e.code().value),
                  to_string(e.message()).c_str());
    }
    StreamSocketListener listener;
    try {
      listener.BindServiceNameAsync(L"").get();
      CHECK(!"listened with only internetClient");
    } catch (hresult_access_denied const& e) {
      CHECK(contains(e.message(), "internetClientServer"));
    }
    CHECK(AppManifest::DroppedConnections() == 0 && AppManifest::DroppedDatagrams() == 0);
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
  return test::finish("test_app_manifest");
}
