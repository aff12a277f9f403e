/* Shared by the fast-path tests: a POSIX listener on 127.0.0.1 for netrt sockets to connect to,
 * monotonic time, sleeping, and an operation's outcome. */
#ifndef NETRT_TEST_POSIX_PEER_H
#define NETRT_TEST_POSIX_PEER_H

#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline long long mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int listen_fd = -1;
static char listen_port[16];

/* Opens `listen_fd` on 127.0.0.1, an ephemeral port, whose number goes to `listen_port`. */
static inline int open_listener(void) {
  struct sockaddr_in a;
  socklen_t alen = sizeof a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(listen_fd, 8) != 0 ||
      getsockname(listen_fd, (struct sockaddr *)&a, &alen) != 0) {
    return 0;
  }
  snprintf(listen_port, sizeof listen_port, "%u", (unsigned)ntohs(a.sin_port));
  return 1;
}

/* A new netrt StreamSocket connected to the listener (`*sock`), and the accepted POSIX end
 * (`*peer`, -1 on failure). */
static inline int connect_to_listener(netrt_handle *sock, int *peer) {
  netrt_handle host = 0, op = 0;
  *peer = -1;
  CHECK_OK(netrt_stream_socket_create(sock));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  AWAIT_OK(netrt_stream_socket_connect_async(*sock, host, listen_port, &op), op);
  *peer = accept(listen_fd, NULL, NULL);
  CHECK(*peer >= 0);
  RELEASE(host);
  return 1;
cleanup:
  RELEASE(op);
  RELEASE(host);
  return 0;
}

/* Status and error code of an operation. */
static inline int op_outcome(netrt_handle op, netrt_async_status *status, netrt_hresult *code) {
  return netrt_async_get_status(op, status) == NETRT_S_OK && netrt_async_get_error_code(op, code) == NETRT_S_OK;
}

#endif
