/* The app manifest from C: loading (bad input, a second load), the query functions, and the
 * denial a connect and a bind get — as the HRESULT and detail an app sees. This test loads a
 * manifest, which locks its process; every C test is its own process. */
#include "common.h"

#include <stdlib.h>
#include <unistd.h>

/* Writes `text` to a new file in a fresh temporary directory; `path` receives its name. */
static int write_manifest(char *dir, char *path, size_t len, const char *text) {
  FILE *f;
  if (!mkdtemp(dir)) {
    return -1;
  }
  snprintf(path, len, "%s/Package.appxmanifest", dir);
  f = fopen(path, "w");
  if (!f) {
    return -1;
  }
  fputs(text, f);
  return fclose(f);
}

static int detail_contains(const char *needle) {
  char detail[1024];
  size_t needed = 0;
  return netrt_get_last_error_detail(detail, sizeof detail, &needed) == NETRT_S_OK &&
         strstr(detail, needle) != NULL;
}

#define PACKAGE_HEAD                                                                      \
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"                                         \
  "<Package xmlns=\"http://schemas.microsoft.com/appx/manifest/foundation/windows10\">\n" \
  "  <Capabilities>\n"

int main(void) {
  int rc = 1;
  char good_dir[] = "/tmp/netrt-c-manifest-XXXXXX", bad_dir[] = "/tmp/netrt-c-manifest-XXXXXX";
  char good[256] = "", bad[256] = "", source[256], detail[1024];
  size_t needed = 0;
  bool loaded = true, declared = false;
  uint64_t dropped_connections = 1, dropped_datagrams = 1;
  netrt_handle caps = 0, sock = 0, host = 0, op = 0, listener = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult code = 0;

  CHECK(write_manifest(good_dir, good, sizeof good,
                       PACKAGE_HEAD "    <Capability Name=\"internetClient\" />\n"
                                    "  </Capabilities>\n</Package>\n") == 0);
  CHECK(write_manifest(bad_dir, bad, sizeof bad,
                       PACKAGE_HEAD "    <Capability Name=\"internetclient\" />\n"
                                    "  </Capabilities>\n</Package>\n") == 0);

  /* Before any load: unrestricted, and nothing to query. */
  CHECK_OK(netrt_app_manifest_is_loaded(&loaded));
  CHECK(!loaded);
  CHECK_OK(netrt_app_manifest_check_access(NETRT_NETWORK_DIRECTION_LISTEN, "::", 0));
  CHECK_HR(netrt_app_manifest_has_capability("internetClient", &declared), NETRT_E_ILLEGAL_METHOD_CALL);

  /* Bad input. */
  CHECK_HR(netrt_app_manifest_load(NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_app_manifest_load("/nonexistent/netrt/Package.appxmanifest"), (netrt_hresult)0x80070002);
  CHECK_HR(netrt_app_manifest_load(bad), NETRT_E_INVALIDARG);
  CHECK(detail_contains("line 4: unknown capability \"internetclient\""));
  CHECK_HR(netrt_app_manifest_is_loaded(NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_app_manifest_check_access(7, "127.0.0.1", 80), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_app_manifest_check_access(NETRT_NETWORK_DIRECTION_OUTBOUND, "localhost", 80), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_app_manifest_check_access(NETRT_NETWORK_DIRECTION_OUTBOUND, NULL, 80), NETRT_E_POINTER);
  CHECK_HR(netrt_app_manifest_get_dropped_traffic(NULL, &dropped_datagrams), NETRT_E_POINTER);

  /* Load, then the lock. */
  CHECK_OK(netrt_app_manifest_load(good));
  CHECK_HR(netrt_app_manifest_load(good), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK(detail_contains("is already loaded"));
  CHECK_OK(netrt_app_manifest_is_loaded(&loaded));
  CHECK(loaded);
  CHECK_OK(netrt_app_manifest_get_source(source, sizeof source, &needed));
  CHECK(strcmp(source, good) == 0);
  CHECK_OK(netrt_app_manifest_get_capabilities(&caps));
  CHECK(vec_size_is(caps, 1) && vec_string_is(caps, 0, "internetClient"));
  CHECK_OK(netrt_app_manifest_has_capability("internetClient", &declared));
  CHECK(declared);
  CHECK_OK(netrt_app_manifest_has_capability("internetClientServer", &declared));
  CHECK(!declared);

  /* The query API for addresses this test never sends to. */
  CHECK_OK(netrt_app_manifest_check_access(NETRT_NETWORK_DIRECTION_OUTBOUND, "93.184.216.34", 443));
  CHECK_HR(netrt_app_manifest_check_access(NETRT_NETWORK_DIRECTION_OUTBOUND, "10.1.2.3", 80),
           NETRT_E_SOCKET_ACCESS_DENIED);
  CHECK(detail_contains("privateNetworkClientServer"));
  CHECK_HR(netrt_app_manifest_check_access(NETRT_NETWORK_DIRECTION_INBOUND, "[2001:db8::1]", 80),
           NETRT_E_ACCESSDENIED);

  /* The denial an app sees: a connect to loopback (no exemption), as an operation error. */
  CHECK_OK(netrt_stream_socket_create(&sock));
  CHECK_OK(netrt_host_name_create("localhost", &host));
  CHECK_OK(netrt_stream_socket_connect_async(sock, host, "9", &op));
  CHECK_OK(netrt_async_wait(op, STEP_MS));
  CHECK_OK(netrt_async_get_status(op, &status));
  CHECK(status == NETRT_ASYNC_STATUS_ERROR);
  CHECK_OK(netrt_async_get_error_code(op, &code));
  CHECK(code == NETRT_E_SOCKET_ACCESS_DENIED && (unsigned)code == 0x8007271Du);
  CHECK(netrt_socket_error_get_status(code) == NETRT_SOCKET_ERROR_STATUS_UNKNOWN);
  CHECK_OK(netrt_async_get_error_detail(op, detail, sizeof detail, &needed));
  CHECK(strstr(detail, "loopback exemption") != NULL);
  printf("connect to localhost:9 -> 0x%08X (%s)\n", (unsigned)code, detail);
  RELEASE(op);

  /* Only internetClient: no listening. */
  CHECK_OK(netrt_stream_socket_listener_create(&listener));
  CHECK_OK(netrt_stream_socket_listener_bind_service_name_async(listener, "", &op));
  CHECK_OK(netrt_async_wait(op, STEP_MS));
  CHECK_OK(netrt_async_get_error_code(op, &code));
  CHECK(code == NETRT_E_ACCESSDENIED);
  CHECK_OK(netrt_async_get_error_detail(op, detail, sizeof detail, &needed));
  CHECK(strstr(detail, "internetClientServer") != NULL);
  printf("bind a listener -> 0x%08X (%s)\n", (unsigned)code, detail);

  CHECK_OK(netrt_app_manifest_get_dropped_traffic(&dropped_connections, &dropped_datagrams));
  CHECK(dropped_connections == 0 && dropped_datagrams == 0);
  rc = 0;

cleanup:
  RELEASE(op);
  RELEASE(listener);
  RELEASE(host);
  RELEASE(sock);
  RELEASE(caps);
  if (good[0]) {
    unlink(good);
    rmdir(good_dir);
  }
  if (bad[0]) {
    unlink(bad);
    rmdir(bad_dir);
  }
  printf("%s: test_app_manifest (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
