/* (f) The version macros expand and agree with the library: compiled with
 * -std=c11 -Wall -Wextra -Wpedantic -Werror (rustls.h and nng.h both shipped macros nobody had
 * ever compiled). */
#include <netrt.h>

#include <stdio.h>
#include <string.h>

_Static_assert(NETRT_VERSION_MAJOR == 0, "major");
_Static_assert(NETRT_VERSION_MINOR == 1, "minor");
_Static_assert(NETRT_VERSION_PATCH == 0, "patch");
_Static_assert(NETRT_VERSION_NUMBER == 0x000100u, "packed number");
_Static_assert(NETRT_VERSION_ENCODE(1, 2, 3) == 0x010203u, "encode");
_Static_assert(NETRT_VERSION_AT_LEAST(0, 1, 0), "at least itself");
_Static_assert(NETRT_VERSION_AT_LEAST(0, 0, 9), "at least an older one");
_Static_assert(!NETRT_VERSION_AT_LEAST(0, 1, 1), "not a newer patch");
_Static_assert(!NETRT_VERSION_AT_LEAST(1, 0, 0), "not a newer major");
_Static_assert(sizeof(netrt_handle) == 8, "netrt_handle is 64-bit");
_Static_assert(sizeof(netrt_hresult) == 4, "netrt_hresult is 32-bit");
_Static_assert(sizeof(netrt_guid) == 16, "netrt_guid is the 16-byte Windows layout");
_Static_assert(NETRT_SOCKET_ERROR_STATUS_CONNECTION_REFUSED == 12, "WinRT value");
_Static_assert(NETRT_ASYNC_STATUS_ERROR == 3, "WinRT value");
_Static_assert(NETRT_SOCKET_PROTECTION_LEVEL_TLS13 == 10, "WinRT value");
_Static_assert(NETRT_FAILED(NETRT_E_POINTER) && NETRT_SUCCEEDED(NETRT_S_OK), "HRESULT macros");

int main(void) {
  const char *v = netrt_version();
  int ok = v != NULL && strcmp(v, NETRT_VERSION_STRING) == 0 &&
           netrt_version_number() == NETRT_VERSION_NUMBER;
  printf("header %s (0x%06X), library %s (0x%06X)\n", NETRT_VERSION_STRING,
         (unsigned)NETRT_VERSION_NUMBER, v ? v : "(null)", (unsigned)netrt_version_number());
  printf("%s: test_version\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
