/* (b) A refused connect: the operation ends with status Error, error code 0x8007274D
 * (WSAECONNREFUSED), and SocketError.GetStatus maps it to ConnectionRefused. */
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* A 127.0.0.1 port nobody listens on: bind an ephemeral port, then close it. */
static int free_port(void) {
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  int port = -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
      getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

int main(void) {
  int rc = 1;
  netrt_handle sock = 0, host = 0, op = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult code = 0;
  char port[16], detail[512], message[256];
  size_t needed = 0;
  int p = free_port();

  CHECK(p > 0);
  snprintf(port, sizeof port, "%d", p);
  CHECK_OK(netrt_stream_socket_create(&sock));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  CHECK_OK(netrt_stream_socket_connect_async(sock, host, port, &op));
  CHECK_OK(netrt_async_wait(op, STEP_MS));
  CHECK_OK(netrt_async_get_status(op, &status));
  CHECK(status == NETRT_ASYNC_STATUS_ERROR);
  CHECK_OK(netrt_async_get_error_code(op, &code));
  CHECK(code == NETRT_E_CONNECTION_REFUSED);
  CHECK((unsigned)code == 0x8007274Du);
  CHECK(netrt_socket_error_get_status(code) == NETRT_SOCKET_ERROR_STATUS_CONNECTION_REFUSED);
  CHECK_HR(netrt_async_get_results(op), NETRT_E_CONNECTION_REFUSED);
  CHECK_OK(netrt_async_get_error_detail(op, detail, sizeof detail, &needed));
  CHECK(needed == strlen(detail) + 1 && needed > 1);
  printf("connect to 127.0.0.1:%s -> status Error, 0x%08X (%s)\n", port, (unsigned)code, detail);
  CHECK_OK(netrt_hresult_message(code, message, sizeof message, &needed));
  printf("netrt_hresult_message: %s\n", message);

  /* A failed connect leaves the socket reusable; the status table is total. */
  CHECK(netrt_socket_error_get_status(0) == NETRT_SOCKET_ERROR_STATUS_UNKNOWN);
  CHECK(netrt_socket_error_get_status((netrt_hresult)0x800703E3) ==
        NETRT_SOCKET_ERROR_STATUS_OPERATION_ABORTED);
  CHECK(netrt_web_error_get_status((netrt_hresult)0x80190194) == NETRT_WEB_ERROR_STATUS_NOT_FOUND);
  CHECK(netrt_syndication_error_get_status(NETRT_WEB_E_INVALID_XML) ==
        NETRT_SYNDICATION_ERROR_STATUS_INVALID_XML);
  CHECK(netrt_syndication_error_get_status(NETRT_WEB_E_MISSING_REQUIRED_ELEMENT) ==
        NETRT_SYNDICATION_ERROR_STATUS_MISSING_REQUIRED_ELEMENT);
  CHECK(netrt_syndication_error_get_status(code) == NETRT_SYNDICATION_ERROR_STATUS_UNKNOWN);
  rc = 0;

cleanup:
  RELEASE(op);
  RELEASE(host);
  RELEASE(sock);
  printf("%s: test_refused (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
