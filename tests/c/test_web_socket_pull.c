/* MessageWebSocket's pull receive (netrt_message_web_socket_receive_message_async, a netrt
 * extension) against the `websockets` server: content and order, cancelled receives that lose
 * nothing, the end of the receive side, the rule against MessageReceived handlers, misuse. */
#include "web_socket_util.h"

/* A MessageWebSocket with no handlers, connected directly to `path`. */
static netrt_hresult pull_socket(int port, const char *path, netrt_handle *out) {
  netrt_handle ws = 0, control = 0, uri = 0;
  netrt_hresult hr = netrt_message_web_socket_create(&ws);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_get_control(ws, &control);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_control_set_proxy(control, ""); /* loopback only */
  if (hr == NETRT_S_OK) hr = ws_uri(port, path, &uri);
  if (hr == NETRT_S_OK) hr = connect_result(ws, 0, uri);
  if (control) (void)netrt_release(control);
  if (uri) (void)netrt_release(uri);
  if (hr != NETRT_S_OK) {
    if (ws) (void)netrt_release(ws);
    return hr;
  }
  *out = ws;
  return NETRT_S_OK;
}

/* The message's bytes (NUL-terminated, at most len - 1) from a completed receive. */
static netrt_hresult message_text(netrt_handle op, char *text, size_t len) {
  netrt_handle args = 0, reader = 0;
  uint32_t length = 0;
  netrt_hresult hr = netrt_async_get_results_handle(op, &args);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_message_received_event_args_get_data_reader(args, &reader);
  if (hr == NETRT_S_OK) hr = netrt_data_reader_get_unconsumed_buffer_length(reader, &length);
  if (hr == NETRT_S_OK && length >= len) hr = NETRT_E_UNEXPECTED;
  if (hr == NETRT_S_OK) hr = netrt_data_reader_read_bytes(reader, (uint8_t *)text, length);
  if (hr == NETRT_S_OK) text[length] = 0;
  if (reader) (void)netrt_release(reader);
  if (args) (void)netrt_release(args);
  return hr;
}

/* Receives one message and waits for it. */
static netrt_hresult receive_text(netrt_handle ws, char *text, size_t len) {
  netrt_handle op = 0;
  netrt_hresult hr = netrt_message_web_socket_receive_message_async(ws, &op);
  if (hr == NETRT_S_OK) hr = wait_completed(op);
  if (hr == NETRT_S_OK) hr = message_text(op, text, len);
  if (op) (void)netrt_release(op);
  return hr;
}

static void ignore_message(void *user_data, netrt_handle sender, netrt_handle args) {
  (void)user_data;
  (void)sender;
  (void)args;
}

static int echo_in_order_and_the_handler_rule(int port) {
  int ok = 0;
  netrt_handle ws = 0, op = 0, second = 0;
  char text[64];
  int64_t token = 0;
  CHECK_OK(netrt_message_web_socket_create(&ws));
  CHECK_HR(netrt_message_web_socket_receive_message_async(ws, &op), NETRT_E_ILLEGAL_METHOD_CALL); /* not connected */
  RELEASE(ws);
  CHECK_OK(pull_socket(port, "/echo", &ws));
  CHECK_OK(write_message(ws, "one"));
  CHECK_OK(write_message(ws, "two"));
  CHECK_OK(receive_text(ws, text, sizeof text));
  CHECK(strcmp(text, "one") == 0);
  CHECK_OK(receive_text(ws, text, sizeof text));
  CHECK(strcmp(text, "two") == 0);
  /* One receive at a time. */
  CHECK_OK(netrt_message_web_socket_receive_message_async(ws, &op));
  CHECK_HR(netrt_message_web_socket_receive_message_async(ws, &second), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(write_message(ws, "three"));
  CHECK_OK(wait_completed(op));
  CHECK_OK(message_text(op, text, sizeof text));
  CHECK(strcmp(text, "three") == 0);
  RELEASE(op);
  /* Not while a MessageReceived handler is registered. */
  CHECK_OK(netrt_message_web_socket_add_message_received(ws, ignore_message, NULL, &token));
  CHECK_HR(netrt_message_web_socket_receive_message_async(ws, &op), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_message_web_socket_remove_message_received(ws, token));
  CHECK_OK(write_message(ws, "four"));
  CHECK_OK(receive_text(ws, text, sizeof text));
  CHECK(strcmp(text, "four") == 0);
  /* Close ends a pending receive, and every later one. */
  CHECK_OK(netrt_message_web_socket_receive_message_async(ws, &op));
  CHECK_OK(netrt_close(ws));
  CHECK_HR(wait_completed(op), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_message_web_socket_receive_message_async(ws, &second), NETRT_RO_E_CLOSED);
  ok = 1;
cleanup:
  RELEASE(second);
  RELEASE(op);
  RELEASE(ws);
  return ok;
}

/* Receives cancelled before or after they completed lose no message of the counter stream. */
static int cancelled_receives_lose_nothing(int port) {
  enum { COUNT = 100 };
  int ok = 0, next = 0, round = 0;
  netrt_handle ws = 0, op = 0;
  char text[64], want[16];
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  CHECK_OK(pull_socket(port, "/count?n=100", &ws));
  /* The first receive is made before the server starts: from then on nothing is dropped. */
  CHECK_OK(netrt_message_web_socket_receive_message_async(ws, &op));
  CHECK_OK(write_message(ws, "go"));
  CHECK_OK(wait_completed(op));
  CHECK_OK(message_text(op, text, sizeof text));
  CHECK(strcmp(text, "0") == 0);
  RELEASE(op);
  next = 1;
  while (next < COUNT) {
    CHECK_OK(netrt_message_web_socket_receive_message_async(ws, &op));
    if (round++ % 2 == 0) {
      CHECK_OK(netrt_async_cancel(op));
      CHECK_OK(netrt_async_get_status(op, &status));
      CHECK(status == NETRT_ASYNC_STATUS_CANCELED || status == NETRT_ASYNC_STATUS_COMPLETED);
    } else {
      CHECK_OK(wait_completed(op));
      status = NETRT_ASYNC_STATUS_COMPLETED;
    }
    if (status == NETRT_ASYNC_STATUS_COMPLETED) {
      CHECK_OK(message_text(op, text, sizeof text));
      snprintf(want, sizeof want, "%d", next++);
      CHECK(strcmp(text, want) == 0);
    }
    RELEASE(op);
  }
  /* Then the server's close frame: the receive side is over (at the call once it has come,
   * else through the operation). */
  {
    netrt_hresult hr = netrt_message_web_socket_receive_message_async(ws, &op);
    if (hr == NETRT_S_OK) hr = wait_completed(op);
    CHECK_HR(hr, NETRT_RO_E_CLOSED);
  }
  ok = 1;
cleanup:
  RELEASE(op);
  RELEASE(ws);
  return ok;
}

static int misuse(int port) {
  int ok = 0;
  netrt_handle ws = 0, uri = 0, op = 0;
  CHECK_HR(netrt_message_web_socket_receive_message_async(0, &op), NETRT_E_POINTER); /* NULL handle */
  CHECK_OK(pull_socket(port, "/echo", &ws));
  CHECK_HR(netrt_message_web_socket_receive_message_async(ws, NULL), NETRT_E_POINTER);
  CHECK_OK(ws_uri(port, "/", &uri));
  CHECK_HR(netrt_message_web_socket_receive_message_async(uri, &op), NETRT_E_INVALIDARG); /* wrong kind */
  CHECK_HR(netrt_message_web_socket_receive_message_async(ws + ((netrt_handle)1 << 32), &op), NETRT_E_HANDLE);
  ok = 1;
cleanup:
  RELEASE(op);
  RELEASE(uri);
  RELEASE(ws);
  return ok;
}

int main(void) {
  int rc = 1;
  peer server = {0};
  server.in_fd = -1;
  const char *const no_args[] = {NULL};
  CHECK(start_ws_server(&server, no_args) == 0);
  CHECK(echo_in_order_and_the_handler_rule(server.port));
  CHECK(cancelled_receives_lose_nothing(server.port));
  CHECK(misuse(server.port));
  rc = 0;
cleanup:
  peer_stop(&server);
  printf("test_web_socket_pull: %s (%d checks)\n", rc == 0 ? "ok" : "FAILED", g_checks);
  return rc;
}
