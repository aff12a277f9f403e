// netrt C++ projection: the app manifest (docs/capabilities.md). Included by <netrt.hpp>; not
// for direct use.
#ifndef NETRT_IMPL_CAPABILITIES_HPP
#define NETRT_IMPL_CAPABILITIES_HPP

#ifndef NETRT_HPP
#error "include <netrt.hpp> (or a <netrt/Windows.*.h> header) instead"
#endif

namespace netrt {

namespace Windows::Networking::Sockets {

// netrt: the process's app manifest. A process loads at most one (`Load`, or the
// NETRT_MANIFEST environment variable on first network use); it is then locked, and every
// network operation is checked against it. Without one, everything is allowed.
struct AppManifest {
  AppManifest() = delete;

  // Loads and locks the manifest at `path`. Throws hresult_invalid_argument for a malformed
  // manifest (the message names the line), hresult_illegal_method_call when one is loaded.
  static void Load(hstring const& path) { check_hresult(netrt_app_manifest_load(to_string(path).c_str())); }

  static bool IsLoaded() {
    bool out = false;
    check_hresult(netrt_app_manifest_is_loaded(&out));
    return out;
  }

  // Where the loaded manifest was read from (throws hresult_illegal_method_call without one).
  static hstring Source() {
    int32_t hr = 0;
    std::string s = impl::read_utf8(
        [](char* b, std::size_t l, std::size_t* n) { return netrt_app_manifest_get_source(b, l, n); }, hr);
    check_hresult(hr);
    return hstring(std::string_view(s));
  }

  // The declared capability names, in document order.
  static Foundation::Collections::IVectorView<hstring> Capabilities() {
    return Foundation::Collections::IVectorView<hstring>(take_ownership_from_abi,
                                                         impl::make_handle(netrt_app_manifest_get_capabilities));
  }

  static bool HasCapability(hstring const& name) {
    bool out = false;
    check_hresult(netrt_app_manifest_has_capability(to_string(name).c_str(), &out));
    return out;
  }

  // Throws the denial `direction` traffic with `address` (an IP literal) and `port` would get:
  // hresult_error 0x8007271D for outbound, hresult_access_denied for listen and inbound.
  static void CheckAccess(NetworkDirection direction, hstring const& address, uint16_t port) {
    check_hresult(netrt_app_manifest_check_access(static_cast<int32_t>(direction), to_string(address).c_str(), port));
  }

  // Accepted connections and received datagrams dropped because their peer was not allowed.
  static uint64_t DroppedConnections() { return dropped().first; }
  static uint64_t DroppedDatagrams() { return dropped().second; }

 private:
  static std::pair<uint64_t, uint64_t> dropped() {
    uint64_t connections = 0, datagrams = 0;
    check_hresult(netrt_app_manifest_get_dropped_traffic(&connections, &datagrams));
    return {connections, datagrams};
  }
};
}  // namespace Windows::Networking::Sockets

using Windows::Networking::Sockets::AppManifest;
using Windows::Networking::Sockets::NetworkDirection;

}  // namespace netrt

#endif  // NETRT_IMPL_CAPABILITIES_HPP
