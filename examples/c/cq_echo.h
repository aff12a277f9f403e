/* The echo both completion-queue examples run (epoll_echo.c, glib_echo.c): a StreamSocketListener
 * echo server and a StreamSocket client in ONE thread, every step a Completed or
 * ConnectionReceived handler that netrt delivers through a completion queue — so they all run
 * inside netrt_completion_queue_dispatch, called by the application's own event loop.
 *
 * Usage: make a queue current on the loop's thread (netrt_completion_queue_make_current), call
 * cq_echo_start, and dispatch the queue whenever its fd is readable until cq_echo_over. */
#ifndef NETRT_EXAMPLE_CQ_ECHO_H
#define NETRT_EXAMPLE_CQ_ECHO_H

#include <netrt.h>

#include <stdio.h>
#include <string.h>

#define CQ_ECHO_MESSAGES 3
#define CQ_ECHO_CAPACITY 256u

struct cq_echo {
  netrt_handle listener, server, client, server_buf, client_buf;
  char port[16];
  int sent, received;
  int done, failed;
};

static void cq_echo_fail(struct cq_echo *e, const char *what, netrt_hresult hr) {
  char detail[256] = "";
  size_t needed = 0;
  netrt_get_last_error_detail(detail, sizeof detail, &needed);
  fprintf(stderr, "%s failed: 0x%08X %s\n", what, (unsigned)hr, detail);
  e->failed = 1;
}

/* Gives the operation `*op` that `started` produced the handler `next`, then drops this
 * reference (releasing never cancels; the handler receives a borrowed one). */
static void cq_echo_then(struct cq_echo *e, const char *what, netrt_hresult started, netrt_handle *op,
                         netrt_async_completed_handler next) {
  netrt_hresult hr = started == NETRT_S_OK ? netrt_async_set_completed(*op, next, e) : started;
  if (hr != NETRT_S_OK) cq_echo_fail(e, what, hr);
  if (*op) netrt_release(*op);
  *op = 0;
}

/* An operation that did not complete ends the example. */
static int cq_echo_completed(struct cq_echo *e, const char *what, netrt_handle op, netrt_async_status status) {
  netrt_hresult code = 0;
  if (status == NETRT_ASYNC_STATUS_COMPLETED) return 1;
  netrt_async_get_error_code(op, &code);
  fprintf(stderr, "%s ended with status %d, 0x%08X\n", what, (int)status, (unsigned)code);
  e->failed = 1;
  return 0;
}

/* Starts a read of up to CQ_ECHO_CAPACITY bytes from `socket` into `buffer`. */
static void cq_echo_read(struct cq_echo *e, netrt_handle socket, netrt_handle buffer, netrt_async_completed_handler next) {
  netrt_handle in = 0, op = 0;
  netrt_hresult hr = netrt_stream_socket_get_input_stream(socket, &in);
  if (hr == NETRT_S_OK)
    hr = netrt_input_stream_read_async(in, buffer, CQ_ECHO_CAPACITY, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &op);
  cq_echo_then(e, "ReadAsync", hr, &op, next);
  if (in) netrt_release(in);
}

/* Starts writing `buffer` to `socket`. */
static void cq_echo_write(struct cq_echo *e, netrt_handle socket, netrt_handle buffer, netrt_async_completed_handler next) {
  netrt_handle out = 0, op = 0;
  netrt_hresult hr = netrt_stream_socket_get_output_stream(socket, &out);
  if (hr == NETRT_S_OK) hr = netrt_output_stream_write_async(out, buffer, &op);
  cq_echo_then(e, "WriteAsync", hr, &op, next);
  if (out) netrt_release(out);
}

/* The bytes a read produced (its result is the buffer it read into). */
static uint32_t cq_echo_bytes(netrt_handle op, char *text, size_t size) {
  netrt_handle buffer = 0;
  uint8_t *data = NULL;
  uint32_t len = 0;
  if (netrt_async_get_results_handle(op, &buffer) == NETRT_S_OK && netrt_buffer_get_data(buffer, &data) == NETRT_S_OK &&
      netrt_buffer_get_length(buffer, &len) == NETRT_S_OK && len < size) {
    memcpy(text, data, len);
    text[len] = '\0';
  } else {
    len = 0;
  }
  if (buffer) netrt_release(buffer);
  return len;
}

static void cq_echo_on_server_read(void *user_data, netrt_handle op, netrt_async_status status);

static void cq_echo_on_server_wrote(void *user_data, netrt_handle op, netrt_async_status status) {
  struct cq_echo *e = user_data;
  if (cq_echo_completed(e, "server WriteAsync", op, status)) cq_echo_read(e, e->server, e->server_buf, cq_echo_on_server_read);
}

static void cq_echo_on_server_read(void *user_data, netrt_handle op, netrt_async_status status) {
  struct cq_echo *e = user_data;
  char text[CQ_ECHO_CAPACITY + 1];
  if (e->done || !cq_echo_completed(e, "server ReadAsync", op, status)) return;
  uint32_t len = cq_echo_bytes(op, text, sizeof text);
  if (len == 0) {
    printf("server: the client closed the connection\n");
    return;
  }
  printf("server: echoing %u bytes\n", (unsigned)len);
  cq_echo_write(e, e->server, e->server_buf, cq_echo_on_server_wrote);
}

static void cq_echo_on_connection(void *user_data, netrt_handle listener, netrt_handle args) {
  struct cq_echo *e = user_data;
  netrt_hresult hr;
  (void)listener;
  hr = netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &e->server);
  if (hr != NETRT_S_OK) {
    cq_echo_fail(e, "ConnectionReceived", hr);
    return;
  }
  printf("server: ConnectionReceived\n");
  cq_echo_read(e, e->server, e->server_buf, cq_echo_on_server_read);
}

/* Puts message number e->sent + 1 in the client's buffer and writes it. */
static void cq_echo_send_next(struct cq_echo *e);

static void cq_echo_on_client_read(void *user_data, netrt_handle op, netrt_async_status status) {
  struct cq_echo *e = user_data;
  char text[CQ_ECHO_CAPACITY + 1];
  if (!cq_echo_completed(e, "client ReadAsync", op, status)) return;
  cq_echo_bytes(op, text, sizeof text);
  e->received++;
  printf("client: received \"%s\"\n", text);
  if (e->received < CQ_ECHO_MESSAGES) {
    cq_echo_send_next(e);
  } else {
    e->done = 1;
  }
}

static void cq_echo_on_client_wrote(void *user_data, netrt_handle op, netrt_async_status status) {
  struct cq_echo *e = user_data;
  if (cq_echo_completed(e, "client WriteAsync", op, status)) cq_echo_read(e, e->client, e->client_buf, cq_echo_on_client_read);
}

static void cq_echo_send_next(struct cq_echo *e) {
  uint8_t *data = NULL;
  char text[32];
  int len = snprintf(text, sizeof text, "hello %d", ++e->sent);
  if (netrt_buffer_get_data(e->client_buf, &data) != NETRT_S_OK ||
      netrt_buffer_set_length(e->client_buf, (uint32_t)len) != NETRT_S_OK) {
    cq_echo_fail(e, "the client's buffer", NETRT_E_UNEXPECTED);
    return;
  }
  memcpy(data, text, (size_t)len);
  printf("client: sending \"%s\"\n", text);
  cq_echo_write(e, e->client, e->client_buf, cq_echo_on_client_wrote);
}

static void cq_echo_on_connected(void *user_data, netrt_handle op, netrt_async_status status) {
  struct cq_echo *e = user_data;
  if (!cq_echo_completed(e, "ConnectAsync", op, status)) return;
  printf("client: connected to 127.0.0.1:%s\n", e->port);
  cq_echo_send_next(e);
}

/* Binds the listener (a blocking wait: fine before the loop runs) and starts connecting. The
 * ConnectionReceived handler and every operation are bound to the thread's current queue. */
static int cq_echo_start(struct cq_echo *e) {
  netrt_handle host = 0, op = 0, info = 0;
  int64_t token = 0;
  size_t needed = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult hr = netrt_buffer_create(CQ_ECHO_CAPACITY, &e->server_buf);
  if (hr == NETRT_S_OK) hr = netrt_buffer_create(CQ_ECHO_CAPACITY, &e->client_buf);
  if (hr == NETRT_S_OK) hr = netrt_host_name_create("127.0.0.1", &host);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_listener_create(&e->listener);
  if (hr == NETRT_S_OK)
    hr = netrt_stream_socket_listener_add_connection_received(e->listener, cq_echo_on_connection, e, &token);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_listener_bind_endpoint_async(e->listener, host, "", &op);
  if (hr == NETRT_S_OK) hr = netrt_async_wait(op, 10000);
  if (hr == NETRT_S_OK) hr = netrt_async_get_status(op, &status);
  if (hr == NETRT_S_OK && status != NETRT_ASYNC_STATUS_COMPLETED) netrt_async_get_error_code(op, &hr);
  if (op) netrt_release(op);
  op = 0;
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_listener_get_information(e->listener, &info);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_listener_information_get_local_port(info, e->port, sizeof e->port, &needed);
  if (hr == NETRT_S_OK) printf("server: listening on 127.0.0.1:%s\n", e->port);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_create(&e->client);
  if (hr == NETRT_S_OK) {
    cq_echo_then(e, "ConnectAsync", netrt_stream_socket_connect_async(e->client, host, e->port, &op), &op,
                 cq_echo_on_connected);
  } else {
    cq_echo_fail(e, "setting up the echo", hr);
  }
  if (info) netrt_release(info);
  if (host) netrt_release(host);
  return !e->failed;
}

/* Whether the loop can stop: every echo came back, or something failed. */
static int cq_echo_over(const struct cq_echo *e) { return e->done || e->failed; }

/* Releases everything (closing the sockets and the listener). */
static void cq_echo_release(struct cq_echo *e) {
  netrt_handle *all[] = {&e->client, &e->server, &e->listener, &e->client_buf, &e->server_buf};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    if (*all[i]) netrt_release(*all[i]);
    *all[i] = 0;
  }
}

#endif
