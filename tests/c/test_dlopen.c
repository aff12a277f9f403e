/* dlopen/dlclose of libnetrt.so in a loop, with real operations in between (the library is
 * linked -z nodelete, so dlclose with live runtime threads is safe). The path comes from
 * $NETRT_LIB_SO (set by run.sh). This program does not link libnetrt itself. */
#include "common.h"

#include <dlfcn.h>
#include <stdlib.h>

typedef netrt_hresult (*create_fn)(netrt_handle *);
typedef netrt_hresult (*host_fn)(const char *, netrt_handle *);
typedef netrt_hresult (*bind_fn)(netrt_handle, netrt_handle, const char *, netrt_handle *);
typedef netrt_hresult (*wait_fn)(netrt_handle, uint32_t);
typedef netrt_hresult (*release_fn)(netrt_handle);
typedef netrt_hresult (*connect_fn)(netrt_handle, netrt_handle, const char *, netrt_handle *);
typedef netrt_hresult (*code_fn)(netrt_handle, netrt_hresult *);
typedef const char *(*version_fn)(void);

#define SYM(var, type, name)                                                              \
  type var = NULL;                                                                        \
  *(void **)(&var) = dlsym(lib, name);                                                    \
  CHECK(var != NULL)

int main(void) {
  int rc = 1;
  const char *path = getenv("NETRT_LIB_SO");
  void *lib = NULL;
  CHECK(path != NULL);
  for (int round = 0; round < 5; round++) {
    netrt_handle sock = 0, host = 0, op = 0;
    netrt_hresult code = 0;
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      fprintf(stderr, "dlopen: %s\n", dlerror());
    }
    CHECK(lib != NULL);
    SYM(version, version_fn, "netrt_version");
    SYM(sock_create, create_fn, "netrt_stream_socket_create");
    SYM(host_create, host_fn, "netrt_host_name_create");
    SYM(connect, connect_fn, "netrt_stream_socket_connect_async");
    SYM(wait, wait_fn, "netrt_async_wait");
    SYM(get_code, code_fn, "netrt_async_get_error_code");
    SYM(release, release_fn, "netrt_release");
    CHECK(strcmp(version(), NETRT_VERSION_STRING) == 0);
    /* An operation that runs on the runtime: a refused connect to a closed loopback port. */
    CHECK_OK(sock_create(&sock));
    CHECK_OK(host_create("127.0.0.1", &host));
    CHECK_OK(connect(sock, host, "1", &op));
    CHECK_OK(wait(op, STEP_MS));
    CHECK_OK(get_code(op, &code));
    CHECK(code == NETRT_E_CONNECTION_REFUSED);
    CHECK_OK(release(op));
    CHECK_OK(release(host));
    CHECK_OK(release(sock));
    CHECK(dlclose(lib) == 0);
    lib = NULL;
  }
  rc = 0;
cleanup:
  if (lib) {
    dlclose(lib);
  }
  printf("%s: test_dlopen (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
