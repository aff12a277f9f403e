/* Helpers the C WebSocket tests share: a MessageWebSocket whose handlers record what arrived,
 * bounded waits on those records, the `websockets` peer (tests/peers/ws_server.py) and the
 * connect / send / write steps an app takes. */
#ifndef NETRT_TEST_WEB_SOCKET_UTIL_H
#define NETRT_TEST_WEB_SOCKET_UTIL_H

#include "common.h"
#include "peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 16

/* What a socket's handlers saw, filled on the dispatcher thread. */
typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  int messages;
  netrt_socket_message_type types[MAX_EVENTS];
  bool complete[MAX_EVENTS];
  char data[MAX_EVENTS][256];
  size_t lengths[MAX_EVENTS];
  netrt_hresult failure; /* a MessageReceived whose data is the connection's failure */
  int failures;          /* how many such MessageReceived there were */
  int closed;
  uint16_t close_code;
  char close_reason[128];
} events;

static inline void events_init(events *e) {
  memset(e, 0, sizeof *e);
  pthread_mutex_init(&e->lock, NULL);
  pthread_cond_init(&e->changed, NULL);
}

static inline void events_destroy(events *e) {
  pthread_mutex_destroy(&e->lock);
  pthread_cond_destroy(&e->changed);
}

/* Reads one message through GetDataReader, as an app does. */
static inline void on_message(void *user_data, netrt_handle sender, netrt_handle args) {
  events *e = user_data;
  netrt_handle reader = 0;
  netrt_socket_message_type type = NETRT_SOCKET_MESSAGE_TYPE_BINARY;
  bool complete = false;
  uint32_t length = 0;
  char bytes[256] = {0};
  (void)sender;
  netrt_hresult hr = netrt_message_web_socket_message_received_event_args_get_data_reader(args, &reader);
  if (hr == NETRT_S_OK) hr = netrt_data_reader_get_unconsumed_buffer_length(reader, &length);
  if (hr == NETRT_S_OK && length < sizeof bytes) hr = netrt_data_reader_read_bytes(reader, (uint8_t *)bytes, length);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_message_received_event_args_get_message_type(args, &type);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_message_received_event_args_get_is_message_complete(args, &complete);
  if (reader) (void)netrt_release(reader);
  pthread_mutex_lock(&e->lock);
  if (hr != NETRT_S_OK) {
    e->failure = hr;
    e->failures++;
  } else if (e->messages < MAX_EVENTS) {
    e->types[e->messages] = type;
    e->complete[e->messages] = complete;
    memcpy(e->data[e->messages], bytes, length);
    e->lengths[e->messages] = length;
    e->messages++;
  }
  pthread_cond_broadcast(&e->changed);
  pthread_mutex_unlock(&e->lock);
}

static inline void on_closed(void *user_data, netrt_handle sender, netrt_handle args) {
  events *e = user_data;
  uint16_t code = 0;
  char reason[128] = "";
  size_t needed = 0;
  (void)sender;
  netrt_hresult hr = netrt_web_socket_closed_event_args_get_code(args, &code);
  if (hr == NETRT_S_OK) hr = netrt_web_socket_closed_event_args_get_reason(args, reason, sizeof reason, &needed);
  pthread_mutex_lock(&e->lock);
  e->closed++;
  e->close_code = hr == NETRT_S_OK ? code : 0;
  snprintf(e->close_reason, sizeof e->close_reason, "%s", reason);
  pthread_cond_broadcast(&e->changed);
  pthread_mutex_unlock(&e->lock);
}

/* Waits until `*counter` reaches `n` (bounded by STEP_MS); 1 when it did. */
static inline int wait_count(events *e, const int *counter, int n) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += STEP_MS / 1000;
  pthread_mutex_lock(&e->lock);
  while (*counter < n && pthread_cond_timedwait(&e->changed, &e->lock, &deadline) == 0) {
  }
  int reached = *counter >= n;
  pthread_mutex_unlock(&e->lock);
  return reached;
}

/* `tests/peers/ws_server.py` with `extra` arguments (NULL-terminated), from run.sh's venv. */
static inline int start_ws_server(peer *p, const char *const extra[]) {
  const char *python = getenv("NETRT_TEST_PYTHON");
  const char *script = getenv("NETRT_WS_SERVER");
  if (!python || !script) {
    fprintf(stderr, "NETRT_TEST_PYTHON / NETRT_WS_SERVER are not set (run through tests/c/run.sh)\n");
    return -1;
  }
  const char *args[16] = {"run", "--port-after", "PORT ", "--", python, script};
  size_t n = 6;
  for (size_t i = 0; extra[i] && n < 15; i++) args[n++] = extra[i];
  args[n] = NULL;
  return peer_launch(p, args);
}

/* A free port on 127.0.0.1 (bound, then closed), for a peer that cannot report its own. */
static inline int free_port(void) {
  struct sockaddr_in addr = {0};
  socklen_t len = sizeof addr;
  int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
      getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

/* A Uri handle for ws://127.0.0.1:<port><path>. */
static inline netrt_hresult ws_uri(int port, const char *path, netrt_handle *out) {
  char text[128];
  snprintf(text, sizeof text, "ws://127.0.0.1:%d%s", port, path);
  return netrt_uri_create(text, out);
}

/* Starts ConnectAsync and waits for it; the operation's HRESULT (S_OK when it completed). */
static inline netrt_hresult connect_result(netrt_handle socket, int is_stream, netrt_handle uri) {
  netrt_handle op = 0;
  netrt_hresult hr = is_stream ? netrt_stream_web_socket_connect_async(socket, uri, &op)
                               : netrt_message_web_socket_connect_async(socket, uri, &op);
  if (hr != NETRT_S_OK) return hr;
  hr = netrt_async_wait(op, STEP_MS);
  if (hr == NETRT_S_OK) {
    netrt_hresult code = 0;
    hr = netrt_async_get_error_code(op, &code);
    if (hr == NETRT_S_OK) hr = code;
  }
  (void)netrt_release(op);
  return hr;
}

/* Sends `len` bytes with SendFinalFrameAsync / SendNonfinalFrameAsync; the bytes it reports. */
static inline netrt_hresult send_frame(netrt_handle socket, const void *data, uint32_t len, int final, uint32_t *sent) {
  netrt_handle buffer = 0, op = 0;
  uint8_t *bytes = NULL;
  netrt_hresult hr = netrt_buffer_create(len, &buffer);
  if (hr == NETRT_S_OK) hr = netrt_buffer_get_data(buffer, &bytes);
  if (hr == NETRT_S_OK) {
    if (len) memcpy(bytes, data, len);
    hr = netrt_buffer_set_length(buffer, len);
  }
  if (hr == NETRT_S_OK) {
    hr = final ? netrt_message_web_socket_send_final_frame_async(socket, buffer, &op)
               : netrt_message_web_socket_send_nonfinal_frame_async(socket, buffer, &op);
  }
  if (hr == NETRT_S_OK) hr = wait_completed(op);
  if (hr == NETRT_S_OK) hr = netrt_async_get_results_uint32(op, sent);
  if (op) (void)netrt_release(op);
  if (buffer) (void)netrt_release(buffer);
  return hr;
}

/* One message through the OutputStream: a DataWriter store, then detach. */
static inline netrt_hresult write_message(netrt_handle socket, const char *text) {
  netrt_handle out = 0, writer = 0, detached = 0;
  uint32_t written = 0, stored = 0;
  netrt_hresult hr = netrt_message_web_socket_get_output_stream(socket, &out);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_create_with_stream(out, &writer);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_write_string(writer, text, &written);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_store(writer, STEP_MS, &stored);
  if (hr == NETRT_S_OK && stored != written) hr = NETRT_E_UNEXPECTED;
  /* Detached even after a failed store: releasing an attached writer closes the socket. */
  if (writer && netrt_data_writer_detach_stream(writer, &detached) != NETRT_S_OK && hr == NETRT_S_OK) {
    hr = NETRT_E_UNEXPECTED;
  }
  if (detached) (void)netrt_release(detached);
  if (writer) (void)netrt_release(writer);
  if (out) (void)netrt_release(out);
  return hr;
}

/* A MessageWebSocket with both handlers attached to `e`. */
static inline netrt_hresult wired_socket(events *e, netrt_handle *out) {
  int64_t token = 0;
  netrt_handle ws = 0;
  netrt_hresult hr = netrt_message_web_socket_create(&ws);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_add_message_received(ws, on_message, e, &token);
  if (hr == NETRT_S_OK) hr = netrt_message_web_socket_add_closed(ws, on_closed, e, &token);
  if (hr != NETRT_S_OK) {
    if (ws) (void)netrt_release(ws);
    return hr;
  }
  *out = ws;
  return NETRT_S_OK;
}

#endif
