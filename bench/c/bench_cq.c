/* An echo server and its clients in ONE thread's event loop: netrt through a completion queue
 * against a hand-written epoll echo on non-blocking POSIX sockets, on 127.0.0.1, in one
 * process, interleaved pairs (A B, B A, ...; method: BENCHMARKS.md).
 *
 *   bench_cq [pairs]    (default 5; `make bench-c` builds libnetrt in release and runs it)
 *   bench_cq runs epoll|nested|cq   one side only, `runs` times (no warm-up, no ratio): for counting
 *                            its syscalls (`strace -c -f`) or instructions (callgrind) per round
 *                            trip, which do not move with the machine's load
 *
 * Each run: CONNS connections, each ping-ponging 64-byte messages (the client writes one, the
 * server reads and echoes it, the client reads it and writes the next) until ROUNDS round trips
 * per connection are done; the figure is echoed messages per second over the whole run
 * (connections are made before the clock starts). netrt side: every step is a Completed or
 * ConnectionReceived handler delivered through a completion queue current on the loop's thread
 * and run by netrt_completion_queue_dispatch when the queue's fd is readable (epoll,
 * level-triggered). POSIX side: one epoll instance over every socket, read/write as they
 * become ready. Also a reference, "nested": the same hand-written echo with its sockets in an
 * inner epoll that sits in the loop's epoll, which is the shape any completion queue whose fd
 * an application watches has (two epoll_wait calls per batch, each wake-up through both).
 * Prints markdown rows: medians and the median of per-pair ratios (min–max). */
#define _GNU_SOURCE
#include <netrt.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define CONNS 8
#define ROUNDS 4000 /* per connection and run */
#define MSG 64u

/* ---- hand-written epoll echo ------------------------------------------------------------- */

/* One socket's side of the ping-pong: bytes of the current message read and written so far. */
typedef struct {
  int fd, is_client, rounds;
  unsigned got, sent;
  char buf[MSG];
} posix_end;

static void nonblocking(int fd) {
  int one = 1;
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) die("fcntl", errno);
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Writes what is left of the current message; returns 1 once it is all out. */
static int posix_flush(posix_end *e) {
  while (e->sent < MSG) {
    ssize_t n = write(e->fd, e->buf + e->sent, MSG - e->sent);
    if (n < 0 && errno == EAGAIN) return 0;
    if (n <= 0) die("write", errno);
    e->sent += (unsigned)n;
  }
  return 1;
}

/* Reads what arrived; a full message is echoed (server) or answered with the next (client). */
static void posix_readable(posix_end *e, int *done) {
  for (;;) {
    ssize_t n = read(e->fd, e->buf + e->got, MSG - e->got);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) die("read", errno);
    e->got += (unsigned)n;
    if (e->got < MSG) continue;
    e->got = 0;
    if (e->is_client && ++e->rounds == ROUNDS) {
      (*done)++;
      return;
    }
    e->sent = 0;
    if (!posix_flush(e)) die("a 64-byte write that did not fit", 0);
  }
}

/* Waits for ready sockets: flat, one epoll over every socket (`inner` is unused, -1); nested,
 * the shape an application loop with a completion queue has: the loop waits on its own epoll
 * (`ep`) holding one fd, an inner epoll over the sockets, then takes the inner epoll's ready
 * list without blocking. */
static int posix_wait(int ep, int inner, struct epoll_event *ready, int max) {
  struct epoll_event outer;
  if (inner < 0) return epoll_wait(ep, ready, max, 10000);
  if (epoll_wait(ep, &outer, 1, 10000) != 1) return -1;
  return epoll_wait(inner, ready, max, 0);
}

/* The hand-written echo; `nested`: its sockets in an inner epoll, edge-triggered as netrt's
 * queue registers them (each read drains to EAGAIN), the inner epoll in the loop's own. */
static double posix_run(int nested) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  posix_end ends[2 * CONNS];
  int l = socket(AF_INET, SOCK_STREAM, 0), ep = epoll_create1(EPOLL_CLOEXEC), done = 0;
  int inner = nested ? epoll_create1(EPOLL_CLOEXEC) : -1;
  if (nested) {
    struct epoll_event ev = {.events = EPOLLIN};
    if (inner < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev)) die("nested epoll", errno);
  }
  if (l < 0 || ep < 0 || bind(l, (struct sockaddr *)&addr, sizeof addr) || listen(l, CONNS) ||
      getsockname(l, (struct sockaddr *)&addr, &len))
    die("posix listen", errno);
  for (int i = 0; i < CONNS; i++) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)&addr, sizeof addr)) die("posix connect", errno);
    int s = accept(l, NULL, NULL);
    ends[2 * i] = (posix_end){.fd = c, .is_client = 1};
    ends[2 * i + 1] = (posix_end){.fd = s, .sent = MSG};
    for (int k = 2 * i; k <= 2 * i + 1; k++) {
      nonblocking(ends[k].fd);
      struct epoll_event ev = {.events = nested ? EPOLLIN | EPOLLET : EPOLLIN, .data.ptr = &ends[k]};
      if (epoll_ctl(nested ? inner : ep, EPOLL_CTL_ADD, ends[k].fd, &ev)) die("epoll_ctl", errno);
    }
  }
  close(l);
  double t0 = now_s();
  for (int i = 0; i < CONNS; i++) {
    memset(ends[2 * i].buf, 'x', MSG);
    if (!posix_flush(&ends[2 * i])) die("the first write", 0);
  }
  while (done < CONNS) {
    struct epoll_event ready[2 * CONNS];
    int n = posix_wait(ep, inner, ready, 2 * CONNS);
    if (n < 0) die("epoll_wait (nothing for 10 s)", errno);
    for (int i = 0; i < n; i++) posix_readable(ready[i].data.ptr, &done);
  }
  double rate = (double)CONNS * ROUNDS / (now_s() - t0);
  for (int k = 0; k < 2 * CONNS; k++) close(ends[k].fd);
  if (nested) close(inner);
  close(ep);
  return rate;
}

/* ---- netrt through a completion queue ---------------------------------------------------- */

typedef struct {
  netrt_handle socket, in, out, buffer;
  int is_client, rounds;
  int *done;
} netrt_end;

static void on_read(void *user_data, netrt_handle op, netrt_async_status status);

/* Starts a read of one message on `e`, its handler `on_read`. */
static void start_read(netrt_end *e) {
  netrt_handle op = 0;
  OK(netrt_input_stream_read_async(e->in, e->buffer, MSG, NETRT_INPUT_STREAM_OPTIONS_NONE, &op));
  OK(netrt_async_set_completed(op, on_read, e));
  OK(netrt_release(op));
}

static void on_wrote(void *user_data, netrt_handle op, netrt_async_status status) {
  netrt_end *e = user_data;
  (void)op;
  if (status != NETRT_ASYNC_STATUS_COMPLETED) die("WriteAsync", status);
  if (e->rounds == ROUNDS) {
    (*e->done)++; /* a server's last echo is out */
    return;
  }
  start_read(e);
}

static void start_write(netrt_end *e) {
  netrt_handle op = 0;
  OK(netrt_output_stream_write_async(e->out, e->buffer, &op));
  OK(netrt_async_set_completed(op, on_wrote, e));
  OK(netrt_release(op));
}

static void on_read(void *user_data, netrt_handle op, netrt_async_status status) {
  netrt_end *e = user_data;
  (void)op;
  if (status != NETRT_ASYNC_STATUS_COMPLETED) die("ReadAsync", status);
  if (++e->rounds == ROUNDS && e->is_client) {
    (*e->done)++;
    return;
  }
  start_write(e); /* the buffer holds the message just read: echo it / send it again */
}

/* ConnectionReceived: the accepted socket becomes the next server end. */
static netrt_end *g_server_ends;
static int g_accepted;

static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  (void)user_data;
  (void)sender;
  netrt_end *e = &g_server_ends[g_accepted++];
  OK(netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &e->socket));
}

static void open_streams(netrt_end *e) {
  OK(netrt_stream_socket_get_input_stream(e->socket, &e->in));
  OK(netrt_stream_socket_get_output_stream(e->socket, &e->out));
  OK(netrt_buffer_create(MSG, &e->buffer));
}

/* Dispatches the queue whenever epoll reports its fd readable, until `until` holds. */
static void loop(netrt_handle q, int ep, const int *counter, int until) {
  while (*counter < until) {
    struct epoll_event ready;
    uint32_t ran = 0;
    int n = epoll_wait(ep, &ready, 1, 10000);
    if (n <= 0) die("epoll_wait on the queue (nothing for 10 s)", errno);
    OK(netrt_completion_queue_dispatch(q, 256, &ran));
  }
}

static double netrt_run(void) {
  netrt_handle q = 0, listener = 0, host = 0, op = 0, info = 0;
  netrt_end clients[CONNS] = {0}, servers[CONNS] = {0};
  int fd = -1, ep = epoll_create1(EPOLL_CLOEXEC), done = 0;
  int64_t token = 0;
  char port[16];
  size_t needed = 0;
  OK(netrt_completion_queue_create(&q));
  OK(netrt_completion_queue_get_fd(q, &fd));
  OK(netrt_completion_queue_make_current(q));
  struct epoll_event ev = {.events = EPOLLIN};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) die("epoll", errno);
  g_server_ends = servers;
  g_accepted = 0;
  OK(netrt_host_name_create("127.0.0.1", &host));
  OK(netrt_stream_socket_listener_create(&listener));
  OK(netrt_stream_socket_listener_add_connection_received(listener, on_connection, NULL, &token));
  OK(netrt_stream_socket_listener_bind_endpoint_async(listener, host, "", &op));
  OK(netrt_async_wait(op, 10000));
  OK(netrt_async_get_results(op));
  OK(netrt_release(op));
  OK(netrt_stream_socket_listener_get_information(listener, &info));
  OK(netrt_stream_socket_listener_information_get_local_port(info, port, sizeof port, &needed));
  for (int i = 0; i < CONNS; i++) {
    clients[i] = (netrt_end){.is_client = 1, .done = &done};
    OK(netrt_stream_socket_create(&clients[i].socket));
    OK(netrt_stream_socket_connect_async(clients[i].socket, host, port, &op));
    OK(netrt_async_wait(op, 10000));
    OK(netrt_async_get_results(op));
    OK(netrt_release(op));
  }
  loop(q, ep, &g_accepted, CONNS); /* every ConnectionReceived handled */
  for (int i = 0; i < CONNS; i++) {
    open_streams(&clients[i]);
    open_streams(&servers[i]);
    servers[i].done = &done;
  }
  double t0 = now_s();
  for (int i = 0; i < CONNS; i++) {
    uint8_t *data = NULL;
    OK(netrt_buffer_get_data(clients[i].buffer, &data));
    memset(data, 'x', MSG);
    OK(netrt_buffer_set_length(clients[i].buffer, MSG));
    start_read(&servers[i]);
    start_write(&clients[i]);
  }
  loop(q, ep, &done, 2 * CONNS); /* every client got its last echo, every server sent it */
  double rate = (double)CONNS * ROUNDS / (now_s() - t0);
  for (int i = 0; i < CONNS; i++) {
    netrt_end *all[2] = {&clients[i], &servers[i]};
    for (int k = 0; k < 2; k++) {
      netrt_release(all[k]->buffer);
      netrt_release(all[k]->in);
      netrt_release(all[k]->out);
      netrt_release(all[k]->socket);
    }
  }
  netrt_release(info);
  netrt_release(listener);
  netrt_release(host);
  OK(netrt_completion_queue_make_current(0));
  netrt_release(q);
  close(ep);
  return rate;
}

int main(int argc, char **argv) {
  int pairs = argc > 1 ? atoi(argv[1]) : 5;
  double a[64], b[64], n[64], r[64], rn[64], rb[64];
  if (argc > 2) { /* one side only */
    int cq = strcmp(argv[2], "cq") == 0, nested = strcmp(argv[2], "nested") == 0;
    if (!cq && !nested && strcmp(argv[2], "epoll") != 0) die("the side is epoll, nested or cq", 0);
    for (int i = 0; i < pairs; i++)
      printf("%s: %.0f msg/s (%d round trips)\n", argv[2], cq ? netrt_run() : posix_run(nested),
             CONNS * ROUNDS);
    return 0;
  }
  if (pairs < 1 || pairs > 64) pairs = 5;
  printf("netrt %s: one-thread event-loop echo, %d connections x %d round trips of %u bytes, %d interleaved pairs "
         "(A = hand-written epoll, N = the same behind a nested epoll, B = netrt completion queue in epoll; "
         "every second pair runs B first and A last)\n",
         netrt_version(), CONNS, ROUNDS, MSG, pairs);
  posix_run(0); /* warm-up, every side */
  posix_run(1);
  netrt_run();
  for (int i = 0; i < pairs; i++) {
    if (i % 2) {
      b[i] = netrt_run();
      n[i] = posix_run(1);
      a[i] = posix_run(0);
    } else {
      a[i] = posix_run(0);
      n[i] = posix_run(1);
      b[i] = netrt_run();
    }
    r[i] = b[i] / a[i];
    rn[i] = n[i] / a[i];
    rb[i] = b[i] / n[i];
    fprintf(stderr, "pair %d: epoll %.0f msg/s, nested epoll %.0f msg/s (%.3f), completion queue %.0f msg/s (%.3f)\n",
            i + 1, a[i], n[i], rn[i], b[i], r[i]);
  }
  double ma = median(a, pairs), mb = median(b, pairs), mn = median(n, pairs);
  double mr = median(r, pairs), mrn = median(rn, pairs), mrb = median(rb, pairs); /* sorted now */
  printf("\n| measure | epoll (median) | completion queue (median) | ratio B/A, median (min–max) | target |\n"
         "|---|---|---|---|---|\n");
  printf("| echo, messages/s | %.0f | %.0f | %.3f (%.3f–%.3f) | ≥ 0.90 |\n", ma, mb, mr, r[0], r[pairs - 1]);
  printf("\nThe floor of the shape (a queue's fd in the application's epoll is an epoll inside an epoll: "
         "every batch costs two epoll_wait calls and a wake-up through both):\n\n"
         "| measure | epoll (median) | nested epoll (median) | ratio N/A, median (min–max) | completion queue / nested |\n"
         "|---|---|---|---|---|\n");
  printf("| echo, messages/s | %.0f | %.0f | %.3f (%.3f–%.3f) | %.3f (%.3f–%.3f) |\n", ma, mn, mrn, rn[0],
         rn[pairs - 1], mrb, rb[0], rb[pairs - 1]);
  return 0;
}
