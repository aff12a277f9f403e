/* MessageWebSocket from C beyond the happy path, against real peers: Digest authentication
 * through Apache httpd's mod_auth_digest (tests/peers/digest_server.py), PartialMessage pieces
 * raised before the message is complete, a text message that is not UTF-8 (the connection
 * fails with E_NO_UNICODE_TRANSLATION and closes with 1007), and a server killed
 * mid-connection (WININET_E_CONNECTION_ABORTED on the receive path, no Closed). */
#include "common.h"
#include "peers.h"
#include "web_socket_util.h"

/* A MessageWebSocket wired to `e`, connecting directly (loopback only), in PartialMessage
 * mode when `partial`, with `user`/`password` as its ServerCredential unless `user` is NULL. */
static netrt_hresult configured_socket(events *e, int partial, const char *user, const char *password,
                                       netrt_handle *out) {
  netrt_handle ws = 0, control = 0, credential = 0;
  netrt_hresult hr = wired_socket(e, &ws);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_get_control(ws, &control);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_control_set_proxy(control, "");
  if (hr == NETRT_S_OK && partial) {
    hr = netrt_message_web_socket_control_set_receive_mode(control, NETRT_MESSAGE_WEB_SOCKET_RECEIVE_MODE_PARTIAL_MESSAGE);
  }
  if (hr == NETRT_S_OK && user) {
    hr = netrt_password_credential_create_password_credential("", user, password, &credential);
    if (hr == NETRT_S_OK) hr = netrt_message_web_socket_control_set_server_credential(control, credential);
  }
  if (credential) (void)netrt_release(credential);
  if (control) (void)netrt_release(control);
  if (hr != NETRT_S_OK) {
    if (ws) (void)netrt_release(ws);
    return hr;
  }
  *out = ws;
  return NETRT_S_OK;
}

/* Connects `ws` to ws://127.0.0.1:<port><path>; the connect's HRESULT. */
static netrt_hresult connect_to(netrt_handle ws, int port, const char *path) {
  netrt_handle uri = 0;
  netrt_hresult hr = ws_uri(port, path, &uri);
  if (hr == NETRT_S_OK) hr = connect_result(ws, 0, uri);
  if (uri) (void)netrt_release(uri);
  return hr;
}

/* Waits until the pieces received so far spell `text`, the last of them completing the
 * message or not as `complete` says; 1 when they did. */
static int wait_for_pieces(events *e, const char *text, bool complete) {
  for (int seen = 1; seen <= MAX_EVENTS; seen++) {
    if (!wait_count(e, &e->messages, seen)) return 0;
    char joined[MAX_EVENTS * 256];
    size_t at = 0;
    pthread_mutex_lock(&e->lock);
    for (int i = 0; i < e->messages; i++) {
      memcpy(joined + at, e->data[i], e->lengths[i]);
      at += e->lengths[i];
    }
    bool last_complete = e->complete[e->messages - 1];
    seen = e->messages;
    pthread_mutex_unlock(&e->lock);
    if (at == strlen(text) && memcmp(joined, text, at) == 0 && last_complete == complete) return 1;
  }
  return 0;
}

/* The server sends its last fragment only once asked: pieces held back until the message is
 * complete would never be asked for, and the wait would run out. */
static int partial_pieces(int port) {
  int ok = 0;
  events e;
  events_init(&e);
  netrt_handle ws = 0;
  CHECK_OK(configured_socket(&e, 1, NULL, NULL, &ws));
  CHECK_OK(connect_to(ws, port, "/stepwise"));
  CHECK(wait_for_pieces(&e, "first second ", false));
  CHECK_OK(write_message(ws, "next"));
  /* websockets ends the message with an empty final frame: the last piece can be empty. */
  CHECK(wait_for_pieces(&e, "first second last", true));
  /* Read under the lock, checked after it (a failed CHECK leaves the function). */
  int all_text = 1, only_last_complete = 1;
  pthread_mutex_lock(&e.lock);
  for (int i = 0; i < e.messages; i++) {
    all_text &= e.types[i] == NETRT_SOCKET_MESSAGE_TYPE_UTF8;
    only_last_complete &= e.complete[i] == (i == e.messages - 1);
  }
  pthread_mutex_unlock(&e.lock);
  CHECK(all_text);
  CHECK(only_last_complete);
  ok = 1;
cleanup:
  RELEASE(ws);
  events_destroy(&e);
  return ok;
}

static int invalid_utf8(int port, peer *server) {
  int ok = 0;
  events e;
  events_init(&e);
  netrt_handle ws = 0;
  CHECK_OK(configured_socket(&e, 0, NULL, NULL, &ws));
  CHECK_OK(connect_to(ws, port, "/badutf8"));
  CHECK(wait_count(&e, &e.failures, 1));
  CHECK(e.failure == NETRT_E_NO_UNICODE_TRANSLATION);
  CHECK(e.messages == 0);
  CHECK(peer_wait_for(server, "CLOSED 1007", (int)STEP_MS));
  ok = 1;
cleanup:
  RELEASE(ws);
  events_destroy(&e);
  return ok;
}

/* The server's process is stopped while connected: the receive path fails, Closed is not
 * raised (no close frame came). */
static int killed_server(void) {
  int ok = 0;
  events e;
  events_init(&e);
  netrt_handle ws = 0;
  peer server = {0};
  server.in_fd = -1;
  const char *const no_args[] = {NULL};
  CHECK(start_ws_server(&server, no_args) == 0);
  CHECK_OK(configured_socket(&e, 0, NULL, NULL, &ws));
  CHECK_OK(connect_to(ws, server.port, "/echo"));
  CHECK_OK(write_message(ws, "one"));
  CHECK(wait_count(&e, &e.messages, 1));
  peer_stop(&server);
  CHECK(wait_count(&e, &e.failures, 1));
  CHECK(e.failure == NETRT_WININET_E_CONNECTION_ABORTED);
  CHECK(netrt_web_socket_error_get_status(e.failure) == NETRT_WEB_ERROR_STATUS_CONNECTION_ABORTED);
  CHECK(e.closed == 0);
  ok = 1;
cleanup:
  peer_stop(&server);
  RELEASE(ws);
  events_destroy(&e);
  return ok;
}

/* tests/peers/digest_server.py `server` in front of the WebSocket server on `upstream`. */
static int start_digest_server(peer *p, const char *server, int upstream, const char *user, const char *password) {
  const char *script = getenv("NETRT_DIGEST_SERVER");
  if (!script) {
    fprintf(stderr, "NETRT_DIGEST_SERVER is not set (run through tests/c/run.sh)\n");
    return -1;
  }
  char port[16];
  snprintf(port, sizeof port, "%d", upstream);
  const char *args[] = {"run", "--port-after", "PORT ", "--", "python3", script, server, "--upstream", port,
                        "--realm", "netrt digest", "--user", user, "--password", password, NULL};
  return peer_launch(p, args);
}

/* 401 without a credential and with a wrong one; an echo with the right one. */
static int digest_auth(int upstream) {
  int ok = 0;
  events e;
  events_init(&e);
  netrt_handle ws = 0;
  peer apache = {0};
  apache.in_fd = -1;
  CHECK(start_digest_server(&apache, "apache", upstream, "carol", "p@ss word") == 0);
  CHECK_OK(configured_socket(&e, 0, NULL, NULL, &ws));
  CHECK_HR(connect_to(ws, apache.port, "/echo"), NETRT_HTTP_E_STATUS_DENIED);
  RELEASE(ws);
  CHECK_OK(configured_socket(&e, 0, "carol", "wrong", &ws));
  CHECK_HR(connect_to(ws, apache.port, "/echo"), NETRT_HTTP_E_STATUS_DENIED);
  RELEASE(ws);
  CHECK_OK(configured_socket(&e, 0, "carol", "p@ss word", &ws));
  CHECK_OK(connect_to(ws, apache.port, "/echo"));
  CHECK_OK(write_message(ws, "digest"));
  CHECK(wait_count(&e, &e.messages, 1));
  CHECK(e.lengths[0] == 6 && memcmp(e.data[0], "digest", 6) == 0);
  ok = 1;
cleanup:
  RELEASE(ws);
  peer_stop(&apache);
  events_destroy(&e);
  return ok;
}

int main(void) {
  int rc = 1;
  peer server = {0};
  server.in_fd = -1;
  const char *const no_args[] = {NULL};
  CHECK(start_ws_server(&server, no_args) == 0);
  CHECK(partial_pieces(server.port));
  CHECK(invalid_utf8(server.port, &server));
  CHECK(killed_server());
  CHECK(digest_auth(server.port));
  rc = 0;
cleanup:
  peer_stop(&server);
  printf("test_web_socket_faults: %s (%d checks)\n", rc == 0 ? "ok" : "FAILED", g_checks);
  return rc;
}
