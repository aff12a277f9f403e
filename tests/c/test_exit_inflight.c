/* Process exit with operations in flight does not crash: a pending read on a connection nobody
 * writes to, a pending accept-side handler, and a TLS connect to a peer that never answers are
 * left running while main returns (exit runs atexit handlers and destructors meanwhile). */
#include "common.h"

#include <time.h>

#include <stdatomic.h>

/* Accepted sockets are kept (never released) so the peers stay silent but connected. */
static netrt_handle g_accepted[8];
static atomic_int g_slots, g_count; /* g_count: slots whose handle is written */

static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  int i = atomic_fetch_add(&g_slots, 1);
  (void)user_data;
  (void)sender;
  if (i < 8) {
    (void)netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &g_accepted[i]);
  }
  atomic_fetch_add(&g_count, 1); /* publishes g_accepted[i] (sequentially consistent) */
}

int main(void) {
  int rc = 1;
  netrt_handle listener = 0, local = 0, sock = 0, tls = 0, in = 0, buffer = 0, read_op = 0,
               tls_op = 0, op = 0, hello_in = 0, hello = 0;
  uint32_t hello_len = 0;
  int64_t token = 0;
  char port[16];
  netrt_async_status status = NETRT_ASYNC_STATUS_COMPLETED;
  CHECK_OK(netrt_stream_socket_listener_create(&listener));
  CHECK_OK(netrt_stream_socket_listener_add_connection_received(listener, on_connection, NULL, &token));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &local));
  AWAIT_OK(netrt_stream_socket_listener_bind_endpoint_async(listener, local, "", &op), op);
  CHECK_OK(listener_port(listener, port, sizeof port));
  CHECK_OK(netrt_stream_socket_create(&sock));
  AWAIT_OK(netrt_stream_socket_connect_async(sock, local, port, &op), op);
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_buffer_create(16, &buffer));
  CHECK_OK(netrt_input_stream_read_async(in, buffer, 16, NETRT_INPUT_STREAM_OPTIONS_NONE, &read_op));
  /* A TLS connect to a plain listener that accepts and says nothing: the handshake hangs. */
  CHECK_OK(netrt_stream_socket_create(&tls));
  CHECK_OK(netrt_stream_socket_connect_with_protection_level_async(tls, local, port,
                                                                   NETRT_SOCKET_PROTECTION_LEVEL_TLS12, &tls_op));
  /* Wait until the ClientHello has reached the silent server: from then on the handshake only
   * waits for an answer. (Exiting while a handshake is *computing* can abort inside aws-lc,
   * whose exit-time destructors race with a worker using its RNG lock; reported to core.) */
  for (int i = 0; i < 1000 && atomic_load(&g_count) < 2; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  CHECK(atomic_load(&g_count) >= 2);
  CHECK_OK(netrt_stream_socket_get_input_stream(g_accepted[1], &hello_in));
  CHECK_OK(netrt_buffer_create(512, &hello));
  AWAIT_OK(netrt_input_stream_read_async(hello_in, hello, 512, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &op), op);
  CHECK_OK(netrt_buffer_get_length(hello, &hello_len));
  CHECK(hello_len > 0);
  CHECK_HR(netrt_async_wait(read_op, 50), NETRT_E_WAIT_TIMEOUT);
  CHECK_OK(netrt_async_get_status(tls_op, &status));
  CHECK(status == NETRT_ASYNC_STATUS_STARTED);
  rc = 0;
  /* Release what the test owns; the operations keep running on the runtime as we exit. */
cleanup:
  RELEASE(op);
  RELEASE(hello);
  RELEASE(hello_in);
  RELEASE(tls_op);
  RELEASE(read_op);
  RELEASE(buffer);
  RELEASE(in);
  RELEASE(tls);
  RELEASE(sock);
  RELEASE(local);
  RELEASE(listener);
  printf("%s: test_exit_inflight (%d checks), exiting with operations in flight\n", rc == 0 ? "PASS" : "FAIL",
         g_checks);
  return rc;
}
