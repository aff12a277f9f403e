/* Completion queues: handlers delivered inside the application's own loop.
 *
 * - A loopback echo (listener, connect, write, read, echo back) driven by a poll(2) loop on the
 *   queue's fd: every handler runs inside netrt_completion_queue_dispatch on the loop's thread.
 * - Two loops on two threads at once, each with its own queue: each sees only its own handlers.
 * - Closing a queue with a bound read pending: the read completes Canceled, its handler on
 *   netrt's dispatcher thread.
 * - Closing the socket of a read the queue drives: it ends with the abort, inside dispatch.
 * - CancelIOAsync and Close from another thread on a read the queue drives from its start: they
 *   end it (0x800703E3) inside dispatch; after CancelIOAsync the socket reads on.
 * - netrt_async_cancel on such a read's operation, from another thread, the queue's thread and
 *   inside dispatch: Canceled, its handler inside dispatch; the next read gets the bytes sent
 *   after it, or sent before it and not yet dispatched (the cancelled read took none).
 * - The handle a queued handler gets: the one it was set through, released by the caller
 *   before the handler ran, valid for the handler's call only (borrowed: not releasable there).
 * - fork(): the parent's current queue is not current in the child; a queue the child makes works.
 * - Misuse: NULL, stale, never-issued and wrong-kind handles, bad arguments, a closed queue. */
#include "common.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* One echo round trip's state, owned by one loop thread. */
struct echo {
  pthread_t loop_thread;
  netrt_handle q, listener, client, server_sock, client_buf, server_buf;
  int in_dispatch; /* set only around netrt_completion_queue_dispatch */
  int handlers;    /* handlers that ran */
  int done, failed;
  char got[16];
};

/* A check inside a handler: no goto there, so it marks the round failed. */
#define HCHECK(e, cond)                                                      \
  do {                                                                       \
    g_checks++;                                                              \
    if (!(cond)) {                                                           \
      fprintf(stderr, "FAIL %s:%d (in a handler): %s\n", __FILE__, __LINE__, #cond); \
      print_detail();                                                        \
      (e)->failed = 1;                                                       \
    }                                                                        \
  } while (0)

/* Every handler starts here: it must run inside dispatch, on the loop's thread. */
static void entered(struct echo *e) {
  e->handlers++;
  HCHECK(e, pthread_equal(pthread_self(), e->loop_thread));
  HCHECK(e, e->in_dispatch);
}

/* Sets `handler` on the operation a call just started (read `*op` only after that call ran),
 * then drops our reference (releasing never cancels; the handler gets a borrowed one). */
static void then(struct echo *e, netrt_hresult started, netrt_handle *op, netrt_async_completed_handler handler) {
  HCHECK(e, started == NETRT_S_OK);
  if (started != NETRT_S_OK) return;
  HCHECK(e, netrt_async_set_completed(*op, handler, e) == NETRT_S_OK);
  RELEASE(*op);
}

static void on_client_read(void *user_data, netrt_handle op, netrt_async_status status) {
  struct echo *e = user_data;
  netrt_handle buffer = 0;
  uint8_t *data = NULL;
  uint32_t len = 0;
  entered(e);
  HCHECK(e, status == NETRT_ASYNC_STATUS_COMPLETED);
  if (netrt_async_get_results_handle(op, &buffer) == NETRT_S_OK && netrt_buffer_get_data(buffer, &data) == NETRT_S_OK &&
      netrt_buffer_get_length(buffer, &len) == NETRT_S_OK && len < sizeof e->got) {
    memcpy(e->got, data, len);
  }
  RELEASE(buffer);
  e->done = 1;
}

static void on_client_wrote(void *user_data, netrt_handle op, netrt_async_status status) {
  struct echo *e = user_data;
  netrt_handle in = 0, next = 0;
  (void)op;
  entered(e);
  HCHECK(e, status == NETRT_ASYNC_STATUS_COMPLETED);
  HCHECK(e, netrt_stream_socket_get_input_stream(e->client, &in) == NETRT_S_OK);
  then(e, netrt_input_stream_read_async(in, e->client_buf, 16, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &next), &next,
       on_client_read);
  RELEASE(in);
}

static void on_connected(void *user_data, netrt_handle op, netrt_async_status status) {
  struct echo *e = user_data;
  netrt_handle out = 0, next = 0;
  uint8_t *data = NULL;
  (void)op;
  entered(e);
  HCHECK(e, status == NETRT_ASYNC_STATUS_COMPLETED);
  HCHECK(e, netrt_buffer_get_data(e->client_buf, &data) == NETRT_S_OK);
  if (data) memcpy(data, "ping", 4);
  HCHECK(e, netrt_buffer_set_length(e->client_buf, 4) == NETRT_S_OK);
  HCHECK(e, netrt_stream_socket_get_output_stream(e->client, &out) == NETRT_S_OK);
  then(e, netrt_output_stream_write_async(out, e->client_buf, &next), &next, on_client_wrote);
  RELEASE(out);
}

static void on_server_wrote(void *user_data, netrt_handle op, netrt_async_status status) {
  struct echo *e = user_data;
  (void)op;
  entered(e);
  HCHECK(e, status == NETRT_ASYNC_STATUS_COMPLETED);
}

static void on_server_read(void *user_data, netrt_handle op, netrt_async_status status) {
  struct echo *e = user_data;
  netrt_handle buffer = 0, out = 0, next = 0;
  entered(e);
  HCHECK(e, status == NETRT_ASYNC_STATUS_COMPLETED);
  HCHECK(e, netrt_async_get_results_handle(op, &buffer) == NETRT_S_OK);
  HCHECK(e, netrt_stream_socket_get_output_stream(e->server_sock, &out) == NETRT_S_OK);
  then(e, netrt_output_stream_write_async(out, buffer, &next), &next, on_server_wrote);
  RELEASE(out);
  RELEASE(buffer);
}

static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  struct echo *e = user_data;
  netrt_handle in = 0, next = 0;
  (void)sender;
  entered(e);
  HCHECK(e, netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &e->server_sock) ==
                NETRT_S_OK);
  HCHECK(e, netrt_stream_socket_get_input_stream(e->server_sock, &in) == NETRT_S_OK);
  then(e, netrt_input_stream_read_async(in, e->server_buf, 16, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &next), &next,
       on_server_read);
  RELEASE(in);
}

/* Posted to the queue: the client starts inside dispatch, like everything else. */
static void start_client(void *user_data) {
  struct echo *e = user_data;
  netrt_handle host = 0, info = 0, op = 0;
  char port[16];
  size_t needed = 0;
  entered(e);
  HCHECK(e, netrt_stream_socket_listener_get_information(e->listener, &info) == NETRT_S_OK);
  HCHECK(e, netrt_stream_socket_listener_information_get_local_port(info, port, sizeof port, &needed) == NETRT_S_OK);
  HCHECK(e, netrt_host_name_create("127.0.0.1", &host) == NETRT_S_OK);
  HCHECK(e, netrt_stream_socket_create(&e->client) == NETRT_S_OK);
  then(e, netrt_stream_socket_connect_async(e->client, host, port, &op), &op, on_connected);
  RELEASE(host);
  RELEASE(info);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One echo round trip in a poll(2) loop on a queue made current on this thread. Returns 1 on
 * success. */
static int run_echo(const char *who) {
  struct echo e = {.loop_thread = pthread_self()};
  netrt_handle host = 0, op = 0, current = 0;
  int fd = -1, ok = 0;
  long long deadline = now_ms() + STEP_MS;
  CHECK_OK(netrt_completion_queue_create(&e.q));
  CHECK_OK(netrt_completion_queue_get_fd(e.q, &fd));
  CHECK(fd >= 0);
  CHECK_OK(netrt_completion_queue_make_current(e.q));
  CHECK_OK(netrt_completion_queue_get_current(&current));
  CHECK(current != 0);
  CHECK_OK(netrt_buffer_create(16, &e.client_buf));
  CHECK_OK(netrt_buffer_create(16, &e.server_buf));
  CHECK_OK(netrt_stream_socket_listener_create(&e.listener));
  int64_t token = 0;
  CHECK_OK(netrt_stream_socket_listener_add_connection_received(e.listener, on_connection, &e, &token));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  /* Outside any handler: a blocking wait is fine here too. */
  AWAIT_OK(netrt_stream_socket_listener_bind_endpoint_async(e.listener, host, "", &op), op);
  CHECK_OK(netrt_completion_queue_post(e.q, start_client, &e));
  while (!e.done && !e.failed && now_ms() < deadline) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, 100) == 1) {
      uint32_t ran = 0;
      e.in_dispatch = 1;
      netrt_hresult hr = netrt_completion_queue_dispatch(e.q, 16, &ran);
      e.in_dispatch = 0;
      CHECK_OK(hr);
      CHECK(ran >= 1);
    }
  }
  CHECK(!e.failed);
  CHECK(e.done);
  CHECK(memcmp(e.got, "ping", 5) == 0);
  /* start_client, on_connection, on_connected, on_client_wrote, on_server_read, on_client_read
   * (on_server_wrote may come later). */
  CHECK(e.handlers >= 6);
  printf("ok: %s: echo through a completion queue, %d handlers, all inside dispatch on the loop's thread\n", who,
         e.handlers);
  ok = 1;
cleanup:
  (void)netrt_completion_queue_make_current(0);
  RELEASE(current);
  RELEASE(op);
  RELEASE(host);
  RELEASE(e.client);
  RELEASE(e.server_sock);
  RELEASE(e.listener);
  RELEASE(e.client_buf);
  RELEASE(e.server_buf);
  RELEASE(e.q);
  return ok;
}

static void *echo_thread(void *arg) {
  return run_echo(arg) ? arg : NULL;
}

/* What a handler saw when its queue was closed under it. */
struct canceled {
  atomic_int called;
  atomic_int status;
  pthread_t thread;
};

static void on_canceled(void *user_data, netrt_handle op, netrt_async_status status) {
  struct canceled *c = user_data;
  (void)op;
  c->thread = pthread_self();
  atomic_store(&c->status, (int)status);
  atomic_store(&c->called, 1);
}

/* Set by the listener's handler on netrt's dispatcher thread, read on the test's thread. */
static _Atomic netrt_handle g_accepted = 0;

static void keep_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle accepted = 0;
  (void)user_data;
  (void)sender;
  (void)netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &accepted);
  g_accepted = accepted;
}

/* A loopback connection whose peer never writes: a read on `in` stays pending. */
struct idle_connection {
  netrt_handle listener, host, client, in, buffer;
};

static int open_idle_connection(struct idle_connection *c) {
  netrt_handle op = 0;
  char port[16];
  int64_t token = 0;
  CHECK_OK(netrt_stream_socket_listener_create(&c->listener));
  CHECK_OK(netrt_stream_socket_listener_add_connection_received(c->listener, keep_connection, NULL, &token));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &c->host));
  AWAIT_OK(netrt_stream_socket_listener_bind_endpoint_async(c->listener, c->host, "", &op), op);
  CHECK_OK(listener_port(c->listener, port, sizeof port));
  CHECK_OK(netrt_stream_socket_create(&c->client));
  AWAIT_OK(netrt_stream_socket_connect_async(c->client, c->host, port, &op), op);
  CHECK_OK(netrt_stream_socket_get_input_stream(c->client, &c->in));
  CHECK_OK(netrt_buffer_create(16, &c->buffer));
  /* The connect completes when the kernel has accepted the connection; ConnectionReceived
   * may run on the dispatcher a moment later. Tests write from the accepted socket. */
  for (long long deadline = now_ms() + STEP_MS; !g_accepted && now_ms() < deadline;) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  CHECK(g_accepted != 0);
  return 1;
cleanup:
  RELEASE(op);
  return 0;
}

static void close_idle_connection(struct idle_connection *c) {
  RELEASE(c->buffer);
  RELEASE(c->in);
  RELEASE(c->client);
  RELEASE(g_accepted);
  RELEASE(c->host);
  RELEASE(c->listener);
}

/* A read bound to a queue that is then closed completes Canceled, handled on the dispatcher. */
static int closing_cancels(void) {
  struct idle_connection conn = {0};
  netrt_handle q = 0, read = 0;
  struct canceled c = {0};
  int ok = 0;
  uint32_t ran = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  CHECK_OK(netrt_completion_queue_create(&q));
  CHECK(open_idle_connection(&conn));
  CHECK_OK(netrt_input_stream_read_async(conn.in, conn.buffer, 16, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &read));
  CHECK_OK(netrt_async_set_completion_queue(read, q));
  CHECK_OK(netrt_async_set_completed(read, on_canceled, &c));
  CHECK_HR(netrt_async_set_completion_queue(read, q), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK(!atomic_load(&c.called));
  CHECK_OK(netrt_completion_queue_close(q));
  CHECK_OK(netrt_async_get_status(read, &status));
  CHECK(status == NETRT_ASYNC_STATUS_CANCELED);
  for (long long deadline = now_ms() + STEP_MS; !atomic_load(&c.called) && now_ms() < deadline;) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  CHECK(atomic_load(&c.called));
  CHECK(atomic_load(&c.status) == NETRT_ASYNC_STATUS_CANCELED);
  CHECK(!pthread_equal(c.thread, pthread_self())); /* the dispatcher: the queue is gone */
  CHECK_HR(netrt_completion_queue_dispatch(q, 1, &ran), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_completion_queue_make_current(q), NETRT_RO_E_CLOSED);
  CHECK_OK(netrt_completion_queue_close(q)); /* idempotent */
  CHECK_OK(netrt_close(q));
  printf("ok: closing a queue cancels its bound read: Canceled, handler on the dispatcher\n");
  ok = 1;
cleanup:
  RELEASE(read);
  close_idle_connection(&conn);
  RELEASE(q);
  return ok;
}

/* A read the queue drives (bound, its handler set, nothing to read) ends when its socket is
 * closed from another path: the close wakes it through the queue, and its handler runs inside
 * dispatch with the abort. */
static int close_reaches_a_driven_read(void) {
  struct idle_connection conn = {0};
  netrt_handle q = 0, read = 0;
  struct canceled c = {0};
  int qfd = -1, ok = 0;
  netrt_hresult code = 0;
  CHECK_OK(netrt_completion_queue_create(&q));
  CHECK_OK(netrt_completion_queue_get_fd(q, &qfd));
  CHECK(open_idle_connection(&conn));
  CHECK_OK(netrt_completion_queue_make_current(q));
  CHECK_OK(netrt_input_stream_read_async(conn.in, conn.buffer, 16, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &read));
  CHECK_OK(netrt_completion_queue_make_current(0));
  CHECK_OK(netrt_async_set_completed(read, on_canceled, &c));
  CHECK_OK(netrt_close(conn.client));
  for (long long deadline = now_ms() + STEP_MS; !atomic_load(&c.called) && now_ms() < deadline;) {
    struct pollfd pfd = {.fd = qfd, .events = POLLIN};
    uint32_t ran = 0;
    if (poll(&pfd, 1, 100) == 1) CHECK_OK(netrt_completion_queue_dispatch(q, 16, &ran));
  }
  CHECK(atomic_load(&c.called));
  CHECK(pthread_equal(c.thread, pthread_self())); /* inside dispatch, on this thread */
  CHECK(atomic_load(&c.status) == NETRT_ASYNC_STATUS_ERROR);
  CHECK_OK(netrt_async_get_error_code(read, &code));
  CHECK(code == NETRT_E_OPERATION_ABORTED);
  printf("ok: closing the socket of a read the queue drives ends it (0x%08X) inside dispatch\n", (unsigned)code);
  ok = 1;
cleanup:
  (void)netrt_completion_queue_make_current(0);
  RELEASE(read);
  close_idle_connection(&conn);
  RELEASE(q);
  return ok;
}

/* What another thread does to the socket of a read the queue drives. */
struct end_from_another_thread {
  netrt_handle socket;
  int close; /* Close; else CancelIOAsync (waited for) */
  netrt_hresult hr;
};

static void *end_read_from_another_thread(void *arg) {
  struct end_from_another_thread *t = arg;
  netrt_handle op = 0;
  if (t->close) {
    t->hr = netrt_close(t->socket);
  } else {
    t->hr = netrt_stream_socket_cancel_io_async(t->socket, &op);
    if (t->hr == NETRT_S_OK) t->hr = wait_completed(op);
    RELEASE(op);
  }
  return NULL;
}

/* Dispatches `q` on this thread until `c`'s handler ran (or STEP_MS passed). */
static void dispatch_until_called(netrt_handle q, int qfd, struct canceled *c) {
  for (long long deadline = now_ms() + STEP_MS; !atomic_load(&c->called) && now_ms() < deadline;) {
    struct pollfd pfd = {.fd = qfd, .events = POLLIN};
    uint32_t ran = 0;
    if (poll(&pfd, 1, 100) == 1) (void)netrt_completion_queue_dispatch(q, 16, &ran);
  }
}

/* Dispatches `q` on this thread until `op` is no longer Started (or STEP_MS passed); the first
 * failing call's HRESULT. */
static netrt_hresult dispatch_until_over(netrt_handle q, int qfd, netrt_handle op) {
  for (long long deadline = now_ms() + STEP_MS; now_ms() < deadline;) {
    netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
    struct pollfd pfd = {.fd = qfd, .events = POLLIN};
    uint32_t ran = 0;
    netrt_hresult hr = netrt_async_get_status(op, &status);
    if (hr != NETRT_S_OK || status != NETRT_ASYNC_STATUS_STARTED) return hr;
    if (poll(&pfd, 1, 100) == 1 && (hr = netrt_completion_queue_dispatch(q, 16, &ran)) != NETRT_S_OK)
      return hr;
  }
  return NETRT_S_OK;
}

/* A read started on the queue's thread with nothing to read (it parks with the queue without a
 * poll of its own), ended by `end` from another thread: 0x800703E3, its handler inside dispatch. */
static int another_thread_ends(netrt_handle q, int qfd, struct idle_connection *conn, struct end_from_another_thread *end) {
  netrt_handle read = 0;
  struct canceled c = {0};
  pthread_t t;
  int ok = 0, started = 0;
  netrt_hresult code = 0;
  CHECK_OK(netrt_completion_queue_make_current(q));
  CHECK_OK(netrt_input_stream_read_async(conn->in, conn->buffer, 16, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &read));
  CHECK_OK(netrt_completion_queue_make_current(0));
  CHECK_OK(netrt_async_set_completed(read, on_canceled, &c));
  CHECK(pthread_create(&t, NULL, end_read_from_another_thread, end) == 0);
  started = 1;
  dispatch_until_called(q, qfd, &c);
  CHECK(atomic_load(&c.called));
  CHECK(pthread_equal(c.thread, pthread_self())); /* inside dispatch, on this thread */
  CHECK(atomic_load(&c.status) == NETRT_ASYNC_STATUS_ERROR);
  CHECK_OK(netrt_async_get_error_code(read, &code));
  CHECK(code == NETRT_E_OPERATION_ABORTED);
  ok = 1;
cleanup:
  if (started) {
    pthread_join(t, NULL);
    if (end->hr != NETRT_S_OK) {
      fprintf(stderr, "FAIL %s:%d: ending the read from another thread: 0x%08X\n", __FILE__, __LINE__, (unsigned)end->hr);
      ok = 0;
    }
  }
  (void)netrt_completion_queue_make_current(0);
  RELEASE(read);
  return ok;
}

/* Writes `text` from the peer of the idle connection (the accepted socket). */
static int peer_sends(const char *text) {
  netrt_handle out = 0, data = 0, op = 0;
  uint8_t *bytes = NULL;
  uint32_t len = (uint32_t)strlen(text);
  int ok = 0;
  CHECK(g_accepted != 0);
  CHECK_OK(netrt_stream_socket_get_output_stream(g_accepted, &out));
  CHECK_OK(netrt_buffer_create(len, &data));
  CHECK_OK(netrt_buffer_get_data(data, &bytes));
  memcpy(bytes, text, len);
  CHECK_OK(netrt_buffer_set_length(data, len));
  AWAIT_OK(netrt_output_stream_write_async(out, data, &op), op);
  ok = 1;
cleanup:
  RELEASE(op);
  RELEASE(data);
  RELEASE(out);
  return ok;
}

/* CancelIOAsync and Close from another thread reach a read the queue drives from its start
 * (the socket's first read, then one that gets the socket's own waker); after CancelIOAsync the
 * socket still reads. */
static int another_thread_reaches_a_parked_read(void) {
  struct idle_connection conn = {0};
  netrt_handle q = 0, read = 0;
  struct end_from_another_thread cancel = {0}, close_it = {0};
  uint8_t *bytes = NULL;
  uint32_t len = 0;
  int qfd = -1, ok = 0;
  CHECK_OK(netrt_completion_queue_create(&q));
  CHECK_OK(netrt_completion_queue_get_fd(q, &qfd));
  CHECK(open_idle_connection(&conn));
  cancel.socket = conn.client;
  CHECK(another_thread_ends(q, qfd, &conn, &cancel));
  CHECK(another_thread_ends(q, qfd, &conn, &cancel));
  printf("ok: CancelIOAsync from another thread ends a read the queue drives from its start (twice)\n");
  /* Still usable: the peer's bytes reach the next read. */
  CHECK_OK(netrt_completion_queue_make_current(q));
  CHECK_OK(netrt_input_stream_read_async(conn.in, conn.buffer, 16, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &read));
  CHECK_OK(netrt_completion_queue_make_current(0));
  CHECK(peer_sends("pong"));
  CHECK_OK(dispatch_until_over(q, qfd, read));
  CHECK_OK(wait_completed(read));
  CHECK_OK(netrt_buffer_get_length(conn.buffer, &len));
  CHECK_OK(netrt_buffer_get_data(conn.buffer, &bytes));
  CHECK(len == 4 && memcmp(bytes, "pong", 4) == 0);
  printf("ok: the socket reads on after CancelIOAsync\n");
  close_it.socket = conn.client;
  close_it.close = 1;
  CHECK(another_thread_ends(q, qfd, &conn, &close_it));
  printf("ok: Close from another thread ends a read the queue drives from its start\n");
  ok = 1;
cleanup:
  (void)netrt_completion_queue_make_current(0);
  RELEASE(read);
  close_idle_connection(&conn);
  RELEASE(q);
  return ok;
}

/* Where netrt_async_cancel is called on a read parked with the queue. */
enum cancel_from { FROM_ANOTHER_THREAD, FROM_THE_QUEUES_THREAD, FROM_INSIDE_DISPATCH };

struct op_cancel {
  netrt_handle op;
  netrt_hresult hr;
  atomic_int done;
};

static void cancel_op(void *arg) {
  struct op_cancel *c = arg;
  c->hr = netrt_async_cancel(c->op);
  atomic_store(&c->done, 1);
}

static void *cancel_op_thread(void *arg) {
  cancel_op(arg);
  return NULL;
}

/* Waits until the queue's fd is readable: the socket it watches for a parked read has bytes. */
static int queue_fd_readable(int qfd) {
  struct pollfd pfd = {.fd = qfd, .events = POLLIN};
  return poll(&pfd, 1, (int)STEP_MS) == 1;
}

/* A read started on the queue's thread with nothing to read (it parks armed, without a poll),
 * its operation cancelled with netrt_async_cancel from `from`: Canceled (0x800704C7), its
 * handler inside dispatch on this thread; then the next read gets `sent`, all of it, first.
 * The peer sends it after the cancel, or (`sent_first`) before: then the bytes are in the
 * kernel, the queue's fd readable and not yet dispatched, when the cancel comes — the read
 * must end without taking them (no syscall once cancelled), and they stay for the next read. */
static int op_cancel_ends_a_parked_read(netrt_handle q, int qfd, struct idle_connection *conn,
                                        enum cancel_from from, const char *sent, int sent_first) {
  netrt_handle read = 0;
  struct canceled c = {0};
  struct op_cancel cancel = {0};
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult code = 0;
  uint8_t *bytes = NULL;
  uint32_t len = 0;
  pthread_t t;
  int ok = 0, started = 0;
  CHECK_OK(netrt_completion_queue_make_current(q));
  CHECK_OK(netrt_input_stream_read_async(conn->in, conn->buffer, 16,
                                         NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &read));
  CHECK_OK(netrt_completion_queue_make_current(0));
  CHECK_OK(netrt_async_set_completed(read, on_canceled, &c));
  if (sent_first) {
    CHECK(peer_sends(sent));
    CHECK(queue_fd_readable(qfd));
  }
  cancel.op = read;
  switch (from) {
  case FROM_ANOTHER_THREAD:
    CHECK(pthread_create(&t, NULL, cancel_op_thread, &cancel) == 0);
    started = 1;
    break;
  case FROM_THE_QUEUES_THREAD:
    cancel_op(&cancel);
    break;
  case FROM_INSIDE_DISPATCH:
    CHECK_OK(netrt_completion_queue_post(q, cancel_op, &cancel));
    break;
  }
  dispatch_until_called(q, qfd, &c);
  if (started) {
    pthread_join(t, NULL);
    started = 0;
  }
  CHECK(atomic_load(&cancel.done));
  CHECK_OK(cancel.hr);
  CHECK(atomic_load(&c.called));
  CHECK(pthread_equal(c.thread, pthread_self())); /* inside dispatch, on this thread */
  CHECK(atomic_load(&c.status) == NETRT_ASYNC_STATUS_CANCELED);
  CHECK_OK(netrt_async_get_status(read, &status));
  CHECK(status == NETRT_ASYNC_STATUS_CANCELED);
  CHECK_OK(netrt_async_get_error_code(read, &code));
  CHECK(code == NETRT_E_CANCELLED);
  RELEASE(read);
  /* The socket reads on: the next read parks the same way and gets what is sent after it. */
  CHECK_OK(netrt_completion_queue_make_current(q));
  CHECK_OK(netrt_input_stream_read_async(conn->in, conn->buffer, 16,
                                         NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &read));
  CHECK_OK(netrt_completion_queue_make_current(0));
  if (!sent_first) CHECK(peer_sends(sent));
  CHECK_OK(dispatch_until_over(q, qfd, read));
  CHECK_OK(wait_completed(read));
  CHECK_OK(netrt_buffer_get_length(conn->buffer, &len));
  CHECK_OK(netrt_buffer_get_data(conn->buffer, &bytes));
  CHECK(len == strlen(sent) && memcmp(bytes, sent, len) == 0);
  ok = 1;
cleanup:
  if (started) {
    pthread_join(t, NULL);
  }
  (void)netrt_completion_queue_make_current(0);
  RELEASE(read);
  return ok;
}

/* netrt_async_cancel on the operation of a read the queue drives from its start, from another
 * thread, from the queue's thread and from a callback inside dispatch. */
static int op_cancel_reaches_a_parked_read(void) {
  struct idle_connection conn = {0};
  netrt_handle q = 0;
  int qfd = -1, ok = 0;
  CHECK_OK(netrt_completion_queue_create(&q));
  CHECK_OK(netrt_completion_queue_get_fd(q, &qfd));
  CHECK(open_idle_connection(&conn));
  CHECK(op_cancel_ends_a_parked_read(q, qfd, &conn, FROM_ANOTHER_THREAD, "one", 0));
  printf("ok: netrt_async_cancel from another thread ends a parked read: Canceled inside "
         "dispatch, the socket reads on\n");
  CHECK(op_cancel_ends_a_parked_read(q, qfd, &conn, FROM_THE_QUEUES_THREAD, "two", 0));
  printf("ok: netrt_async_cancel from the queue's thread ends a parked read the same way\n");
  CHECK(op_cancel_ends_a_parked_read(q, qfd, &conn, FROM_INSIDE_DISPATCH, "three", 0));
  printf("ok: netrt_async_cancel inside dispatch ends a parked read the same way\n");
  CHECK(op_cancel_ends_a_parked_read(q, qfd, &conn, FROM_THE_QUEUES_THREAD, "four", 1));
  printf("ok: a parked read cancelled with bytes waiting ends Canceled; the next read gets them\n");
  ok = 1;
cleanup:
  close_idle_connection(&conn);
  RELEASE(q);
  return ok;
}

/* What a handler saw of its borrowed operation handle. */
struct borrowed {
  int called, status_ok, release_hr, duplicate_ok;
  netrt_handle op, kept;
};

static void on_borrowed(void *user_data, netrt_handle op, netrt_async_status status) {
  struct borrowed *b = user_data;
  netrt_async_status seen = NETRT_ASYNC_STATUS_STARTED;
  b->called = 1;
  b->op = op;
  b->status_ok = netrt_async_get_status(op, &seen) == NETRT_S_OK && seen == status;
  b->release_hr = netrt_release(op); /* not the handler's to release */
  b->duplicate_ok = netrt_duplicate(op, &b->kept) == NETRT_S_OK;
}

/* A queued handler is called with the handle it was set through, although the caller released
 * it right after setting the handler: stale before the call and after it, valid during it. */
static int handler_borrows_the_released_handle(void) {
  struct idle_connection conn = {0};
  netrt_handle q = 0, read = 0, released = 0;
  struct borrowed b = {0};
  int qfd = -1, ok = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  CHECK_OK(netrt_completion_queue_create(&q));
  CHECK_OK(netrt_completion_queue_get_fd(q, &qfd));
  CHECK(open_idle_connection(&conn));
  CHECK_OK(netrt_completion_queue_make_current(q));
  CHECK_OK(netrt_input_stream_read_async(conn.in, conn.buffer, 16, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &read));
  CHECK_OK(netrt_completion_queue_make_current(0));
  CHECK_OK(netrt_async_set_completed(read, on_borrowed, &b));
  released = read;
  CHECK_OK(netrt_release(read));
  read = 0;
  CHECK_HR(netrt_async_get_status(released, &status), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_release(released), NETRT_RO_E_CLOSED);
  CHECK_OK(netrt_close(conn.client));
  for (long long deadline = now_ms() + STEP_MS; !b.called && now_ms() < deadline;) {
    struct pollfd pfd = {.fd = qfd, .events = POLLIN};
    uint32_t ran = 0;
    if (poll(&pfd, 1, 100) == 1) CHECK_OK(netrt_completion_queue_dispatch(q, 16, &ran));
  }
  CHECK(b.called);
  CHECK(b.op == released);
  CHECK(b.status_ok);
  CHECK(b.release_hr == NETRT_RO_E_CLOSED);
  CHECK(b.duplicate_ok);
  CHECK_HR(netrt_async_get_status(released, &status), NETRT_RO_E_CLOSED);
  CHECK_OK(netrt_async_get_status(b.kept, &status));
  CHECK(status == NETRT_ASYNC_STATUS_ERROR);
  printf("ok: a queued handler borrows the handle it was set through, released before and stale after\n");
  ok = 1;
cleanup:
  (void)netrt_completion_queue_make_current(0);
  RELEASE(b.kept);
  RELEASE(read);
  close_idle_connection(&conn);
  RELEASE(q);
  return ok;
}

/* What the handler of a write the kernel took at once saw. */
struct taken_at_once {
  int calls;
  netrt_handle op;
  netrt_async_status status;
  uint32_t written;
  pthread_t thread;
};

static void on_taken_at_once(void *user_data, netrt_handle op, netrt_async_status status) {
  struct taken_at_once *t = user_data;
  t->calls++;
  t->op = op;
  t->status = status;
  t->thread = pthread_self();
  (void)netrt_async_get_results_uint32(op, &t->written);
}

/* A WriteAsync the kernel takes at once, on a queue's thread: an operation handle like any
 * other (Completed, its count, error code 0), whose handler runs inline before
 * set_completed returns — nothing is left for the queue to dispatch — exactly once; released
 * once, then stale, also once its slot is reused. */
static int a_write_taken_at_once(void) {
  struct idle_connection conn = {0};
  netrt_handle q = 0, out = 0, data = 0, op = 0, next = 0, released = 0;
  struct taken_at_once t = {0};
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult code = -1;
  uint32_t written = 0, ran = 0;
  int qfd = -1, ok = 0;
  CHECK_OK(netrt_completion_queue_create(&q));
  CHECK_OK(netrt_completion_queue_get_fd(q, &qfd));
  CHECK(open_idle_connection(&conn));
  CHECK_OK(netrt_stream_socket_get_output_stream(conn.client, &out));
  CHECK_OK(netrt_buffer_create(16, &data));
  CHECK_OK(netrt_buffer_set_length(data, 16));
  CHECK_OK(netrt_completion_queue_make_current(q));
  CHECK_OK(netrt_output_stream_write_async(out, data, &op));
  CHECK_OK(netrt_async_get_status(op, &status));
  CHECK(status == NETRT_ASYNC_STATUS_COMPLETED);
  CHECK_OK(netrt_async_get_error_code(op, &code));
  CHECK(code == 0);
  CHECK_OK(netrt_async_get_results_uint32(op, &written));
  CHECK(written == 16);
  CHECK_OK(netrt_async_set_completed(op, on_taken_at_once, &t));
  CHECK(t.calls == 1 && t.op == op && t.status == NETRT_ASYNC_STATUS_COMPLETED && t.written == 16);
  CHECK(pthread_equal(t.thread, pthread_self()));
  CHECK_HR(netrt_async_set_completed(op, on_taken_at_once, &t), NETRT_E_ILLEGAL_DELEGATE_ASSIGNMENT);
  CHECK_OK(netrt_completion_queue_dispatch(q, 16, &ran));
  CHECK(ran == 0 && t.calls == 1);
  released = op;
  CHECK_OK(netrt_release(op));
  op = 0;
  CHECK_HR(netrt_release(released), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_async_get_status(released, &status), NETRT_RO_E_CLOSED);
  /* The next write's handle takes the freed slot (the free slots are a stack): the old
   * handle stays stale, and the new one has a handler of its own. */
  CHECK_OK(netrt_output_stream_write_async(out, data, &next));
  CHECK((next & 0xFFFFFFFFu) == (released & 0xFFFFFFFFu) && next != released);
  CHECK_HR(netrt_async_get_results(released), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_async_set_completed(released, on_taken_at_once, &t), NETRT_RO_E_CLOSED);
  CHECK_OK(netrt_async_set_completed(next, on_taken_at_once, &t));
  CHECK(t.calls == 2 && t.op == next);
  printf("ok: a write taken at once: Completed, its count, its handler inline once, released once\n");
  ok = 1;
cleanup:
  (void)netrt_completion_queue_make_current(0);
  RELEASE(next);
  RELEASE(op);
  RELEASE(data);
  RELEASE(out);
  close_idle_connection(&conn);
  RELEASE(q);
  return ok;
}

/* The child of fork() does not inherit the parent's current queue, and a queue it makes works. */
static int fork_child_gets_a_fresh_queue(void) {
  netrt_handle q = 0;
  int ok = 0, p[2] = {-1, -1}, status = 0;
  char verdict[2] = {0, 0};
  pid_t pid;
  CHECK_OK(netrt_completion_queue_create(&q));
  CHECK_OK(netrt_completion_queue_make_current(q));
  CHECK(pipe(p) == 0);
  fflush(NULL);
  pid = fork();
  if (pid == 0) {
    netrt_handle inherited = 1;
    close(p[0]);
    alarm(30); /* a deadlocked child dies of SIGALRM and writes nothing */
    int good = netrt_completion_queue_get_current(&inherited) == NETRT_S_OK && inherited == 0 && run_echo("fork child");
    _exit(write(p[1], good ? "ok" : "no", 2) == 2 ? 0 : 1);
  }
  close(p[1]);
  p[1] = -1;
  CHECK(pid > 0);
  CHECK(read(p[0], verdict, 2) == 2);
  waitpid(pid, &status, 0);
  CHECK(verdict[0] == 'o' && verdict[1] == 'k');
  printf("ok: fork child: the parent's queue is not current there; a fresh queue runs an echo\n");
  ok = 1;
cleanup:
  (void)netrt_completion_queue_make_current(0);
  if (p[0] >= 0) close(p[0]);
  if (p[1] >= 0) close(p[1]);
  RELEASE(q);
  return ok;
}

static void never_called(void *user_data) {
  (void)user_data;
}

static int misuse(void) {
  netrt_handle q = 0, stale = 0, buffer = 0, op = 0, current = 7;
  int fd = -1, ok = 0;
  uint32_t ran = 99;
  const netrt_handle never_issued = 0x1A00FFFF00001234ull;
  CHECK_HR(netrt_completion_queue_create(NULL), NETRT_E_POINTER);
  CHECK_OK(netrt_completion_queue_create(&q));
  CHECK_OK(netrt_completion_queue_create(&stale));
  CHECK_OK(netrt_release(stale));
  CHECK_OK(netrt_buffer_create(4, &buffer));
  /* NULL (0), stale, never issued, wrong kind: for every function taking a queue. */
  CHECK_HR(netrt_completion_queue_get_fd(0, &fd), NETRT_E_POINTER);
  CHECK_HR(netrt_completion_queue_get_fd(stale, &fd), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_completion_queue_get_fd(never_issued, &fd), NETRT_E_HANDLE);
  CHECK_HR(netrt_completion_queue_get_fd(buffer, &fd), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_completion_queue_get_fd(q, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_completion_queue_dispatch(0, 1, &ran), NETRT_E_POINTER);
  CHECK_HR(netrt_completion_queue_dispatch(stale, 1, &ran), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_completion_queue_dispatch(buffer, 1, &ran), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_completion_queue_dispatch(q, 1, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_completion_queue_dispatch(q, 0, &ran), NETRT_E_INVALIDARG);
  CHECK(ran == 99); /* out-parameters are written only on success */
  CHECK_HR(netrt_completion_queue_close(0), NETRT_E_POINTER);
  CHECK_HR(netrt_completion_queue_close(stale), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_completion_queue_close(buffer), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_completion_queue_make_current(stale), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_completion_queue_make_current(buffer), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_completion_queue_get_current(NULL), NETRT_E_POINTER);
  CHECK_OK(netrt_completion_queue_get_current(&current));
  CHECK(current == 0); /* none made current on this thread */
  CHECK_HR(netrt_completion_queue_post(q, NULL, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_completion_queue_post(stale, never_called, NULL), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_completion_queue_post(buffer, never_called, NULL), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_thread_pool_run(NULL, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_thread_pool_run_after(0, NULL, NULL), NETRT_E_POINTER);
  /* Binding an operation: both handles are checked. */
  CHECK_HR(netrt_async_set_completion_queue(0, q), NETRT_E_POINTER);
  CHECK_HR(netrt_async_set_completion_queue(buffer, q), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_async_set_completion_queue(never_issued, q), NETRT_E_HANDLE);
  CHECK_OK(netrt_completion_queue_dispatch(q, 1, &ran));
  CHECK(ran == 0); /* nothing queued */
  printf("ok: misuse: NULL, stale, never-issued and wrong-kind handles give their HRESULTs\n");
  ok = 1;
cleanup:
  RELEASE(op);
  RELEASE(buffer);
  RELEASE(q);
  return ok;
}

int main(void) {
  pthread_t a, b;
  void *ra = NULL, *rb = NULL;
  setvbuf(stdout, NULL, _IOLBF, 0);
  CHECK(misuse());
  CHECK(run_echo("main thread"));
  CHECK(pthread_create(&a, NULL, echo_thread, "thread A") == 0);
  CHECK(pthread_create(&b, NULL, echo_thread, "thread B") == 0);
  pthread_join(a, &ra);
  pthread_join(b, &rb);
  CHECK(ra != NULL && rb != NULL);
  printf("ok: two queues on two threads at once, each thread's handlers on its own thread\n");
  CHECK(closing_cancels());
  CHECK(close_reaches_a_driven_read());
  CHECK(another_thread_reaches_a_parked_read());
  CHECK(op_cancel_reaches_a_parked_read());
  CHECK(handler_borrows_the_released_handle());
  CHECK(a_write_taken_at_once());
  CHECK(fork_child_gets_a_fresh_queue());
  printf("test_completion_queue: %d checks passed\n", g_checks);
  return 0;
cleanup:
  fprintf(stderr, "test_completion_queue: FAILED after %d checks\n", g_checks);
  return 1;
}
