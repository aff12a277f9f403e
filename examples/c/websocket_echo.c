/* A MessageWebSocket echo in C: a subprotocol, Basic authentication and a clean close.
 *
 *   websocket_echo                          starts tests/peers/ws_server.py (the Python
 *                                           `websockets` server, from .venv) and talks to it
 *   websocket_echo ws://HOST:PORT/PATH [USER PASSWORD]
 *
 * The first ConnectAsync goes out without credentials (netrt sends them only in answer to a
 * challenge) and the server answers 401: HTTP_E_STATUS_DENIED, which WebSocketError.GetStatus
 * turns into WebErrorStatus Unauthorized. The second one, with a PasswordCredential on the
 * Control, succeeds; a text message is echoed and the socket closes with 1000. Run from the
 * repository root (`make demo-c` does). */
#define _POSIX_C_SOURCE 200809L
#include <netrt.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The echo and the close, handed from netrt's dispatcher thread to main. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_changed = PTHREAD_COND_INITIALIZER;
static char g_echo[256];
static int g_echoed, g_closed;
static uint16_t g_close_code;

static void on_message(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle reader = 0;
  uint32_t length = 0, read = 0;
  char text[256] = "";
  (void)user_data;
  (void)sender;
  if (netrt_message_web_socket_message_received_event_args_get_data_reader(args, &reader) == NETRT_S_OK &&
      netrt_data_reader_get_unconsumed_buffer_length(reader, &length) == NETRT_S_OK && length < sizeof text) {
    size_t needed = 0;
    (void)netrt_data_reader_read_string(reader, length, text, sizeof text, &needed);
    read = length;
  }
  netrt_release(reader);
  pthread_mutex_lock(&g_lock);
  snprintf(g_echo, sizeof g_echo, "%s", read ? text : "(unreadable)");
  g_echoed = 1;
  pthread_cond_broadcast(&g_changed);
  pthread_mutex_unlock(&g_lock);
}

static void on_closed(void *user_data, netrt_handle sender, netrt_handle args) {
  (void)user_data;
  (void)sender;
  pthread_mutex_lock(&g_lock);
  (void)netrt_web_socket_closed_event_args_get_code(args, &g_close_code);
  g_closed = 1;
  pthread_cond_broadcast(&g_changed);
  pthread_mutex_unlock(&g_lock);
}

/* Waits up to 10 s for `*flag`. */
static int wait_flag(const int *flag) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 10;
  pthread_mutex_lock(&g_lock);
  while (!*flag && pthread_cond_timedwait(&g_changed, &g_lock, &deadline) == 0) {
  }
  int set = *flag;
  pthread_mutex_unlock(&g_lock);
  return set;
}

/* Starts the Python server with a subprotocol and Basic auth; its port, or 0. */
static int start_server(pid_t *pid) {
  int out[2];
  char line[128] = "";
  if (pipe(out) != 0) return 0;
  *pid = fork();
  if (*pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl(".venv/bin/python", ".venv/bin/python", "tests/peers/ws_server.py", "--protocols", "echo.v1", "--basic",
          "demo:secret", (char *)NULL);
    perror("websocket_echo: cannot run .venv/bin/python (run `make demo`, which installs it)");
    _exit(127);
  }
  close(out[1]);
  FILE *f = fdopen(out[0], "r");
  int port = 0;
  if (f && fgets(line, sizeof line, f) && sscanf(line, "PORT %d", &port) != 1) port = 0;
  if (f) fclose(f);
  return port;
}

/* ConnectAsync and wait: the operation's HRESULT. */
static netrt_hresult connect(netrt_handle socket, netrt_handle uri) {
  netrt_handle op = 0;
  netrt_hresult hr = netrt_message_web_socket_connect_async(socket, uri, &op), code = 0;
  if (hr == NETRT_S_OK) hr = netrt_async_wait(op, 20000);
  if (hr == NETRT_S_OK) hr = netrt_async_get_error_code(op, &code);
  netrt_release(op);
  return hr == NETRT_S_OK ? code : hr;
}

/* A MessageWebSocket offering the subprotocol, with both handlers attached; `direct` bypasses
 * any proxy the environment names (the server it started is on loopback). */
static netrt_hresult new_socket(int direct, netrt_handle *socket, netrt_handle *control) {
  netrt_handle protocols = 0;
  int64_t token = 0;
  netrt_hresult hr = netrt_message_web_socket_create(socket);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_add_message_received(*socket, on_message, NULL, &token);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_add_closed(*socket, on_closed, NULL, &token);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_get_control(*socket, control);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_control_get_supported_protocols(*control, &protocols);
  if (hr == NETRT_S_OK) hr = netrt_vector_append_string(protocols, "echo.v1");
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_control_set_message_type(*control, NETRT_SOCKET_MESSAGE_TYPE_UTF8);
  if (hr == NETRT_S_OK && direct) hr = netrt_message_web_socket_control_set_proxy(*control, "");
  netrt_release(protocols);
  return hr;
}

int main(int argc, char **argv) {
  pid_t server = 0;
  char text[256];
  const char *user = argc > 3 ? argv[2] : "demo", *password = argc > 3 ? argv[3] : "secret";
  netrt_handle uri = 0, socket = 0, control = 0, credential = 0, info = 0, out = 0, writer = 0, detached = 0;
  netrt_hresult hr;
  size_t needed = 0;
  uint32_t written = 0, stored = 0;
  int rc = 1;

  if (argc > 1) {
    snprintf(text, sizeof text, "%s", argv[1]);
  } else {
    int port = start_server(&server);
    if (!port) {
      fprintf(stderr, "websocket_echo: the WebSocket server did not start\n");
      goto done;
    }
    snprintf(text, sizeof text, "ws://127.0.0.1:%d/echo", port);
  }
  if ((hr = netrt_uri_create(text, &uri)) != NETRT_S_OK) {
    fprintf(stderr, "websocket_echo: '%s' is not a URI (0x%08X)\n", text, (unsigned)hr);
    goto done;
  }
  printf("MessageWebSocket -> %s, offering subprotocol echo.v1\n", text);

  /* Without a credential: the server's 401 is the connect's error. */
  if ((hr = new_socket(server > 0, &socket, &control)) != NETRT_S_OK) goto failed;
  hr = connect(socket, uri);
  printf("  without a credential: HRESULT 0x%08X, WebSocketError.GetStatus -> %d (Unauthorized is %d)\n",
         (unsigned)hr, (int)netrt_web_socket_error_get_status(hr), (int)NETRT_WEB_ERROR_STATUS_UNAUTHORIZED);
  netrt_release(control);
  netrt_release(socket);
  control = socket = 0;

  /* With a PasswordCredential on the Control (sent in answer to the challenge). */
  if ((hr = new_socket(server > 0, &socket, &control)) != NETRT_S_OK) goto failed;
  if ((hr = netrt_password_credential_create_password_credential(text, user, password, &credential)) != NETRT_S_OK) goto failed;
  if ((hr = netrt_message_web_socket_control_set_server_credential(control, credential)) != NETRT_S_OK) goto failed;
  if ((hr = connect(socket, uri)) != NETRT_S_OK) goto failed;
  if ((hr = netrt_message_web_socket_get_information(socket, &info)) != NETRT_S_OK) goto failed;
  if ((hr = netrt_message_web_socket_information_get_protocol(info, text, sizeof text, &needed)) != NETRT_S_OK) goto failed;
  printf("  with a credential for %s: connected, subprotocol \"%s\"\n", user, text);

  /* One DataWriter store is one message. */
  if ((hr = netrt_message_web_socket_get_output_stream(socket, &out)) != NETRT_S_OK) goto failed;
  if ((hr = netrt_data_writer_create_with_stream(out, &writer)) != NETRT_S_OK) goto failed;
  if ((hr = netrt_data_writer_write_string(writer, "Hello, WebSocket \xE2\x98\xBA", &written)) != NETRT_S_OK) goto failed;
  hr = netrt_data_writer_store(writer, 10000, &stored);
  (void)netrt_data_writer_detach_stream(writer, &detached);
  if (hr != NETRT_S_OK) goto failed;
  if (!wait_flag(&g_echoed)) {
    fprintf(stderr, "websocket_echo: no echo within 10 s\n");
    goto done;
  }
  printf("  sent %u bytes, echoed: \"%s\"\n", (unsigned)stored, g_echo);

  if ((hr = netrt_message_web_socket_close_with_status(socket, 1000, "done")) != NETRT_S_OK) goto failed;
  if (wait_flag(&g_closed)) printf("  closed: the server answered with code %u\n", (unsigned)g_close_code);
  rc = 0;
  goto done;
failed:
  needed = 0;
  if (netrt_get_last_error_detail(text, sizeof text, &needed) != NETRT_S_OK) text[0] = 0;
  fprintf(stderr, "websocket_echo: failed with 0x%08X %s\n", (unsigned)hr, text);
done:
  netrt_release(detached);
  netrt_release(writer);
  netrt_release(out);
  netrt_release(info);
  netrt_release(credential);
  netrt_release(control);
  netrt_release(socket);
  netrt_release(uri);
  if (server > 0) {
    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
  }
  return rc;
}
