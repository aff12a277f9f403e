/* The C API against plain POSIX sockets, on 127.0.0.1, in one process (two threads per run:
 * sender/client and receiver/echo server), interleaved A B A B (method: BENCHMARKS.md).
 *
 *   bench_c [pairs] [split] (default 5 pairs; `make bench-c` builds libnetrt in release and
 *                           runs it three times: free to use every CPU, pinned to one with
 *                           taskset, and `split` — each connection's two threads on two CPUs)
 *   bench_c runs posix|polled|pollfirst|async|one   one ping-pong side only, `runs` × 20,000 round trips
 *                           after 1,000 of warm-up (no ratio): for counting its syscalls
 *                           (`strace -c -f`), context switches or instructions (callgrind) per
 *                           round trip, which do not move with the machine's load
 *   bench_c runs bulk-posix|bulk-polled|bulk-netrt|bulk-one   one bulk side only, `runs`
 *                           transfers of 64 MiB (no warm-up): syscalls and instructions per MiB,
 *                           the same way
 *
 * - bulk: 64 MiB one way in 64 KiB writes; the receiver reads up to 64 KiB at a time
 *   (netrt: OutputStream.WriteAsync + wait / InputStream.ReadAsync(Partial) + wait, and the
 *   same through the one-call forms netrt_output_stream_write / netrt_input_stream_read). A pair's
 *   figure for each side is the median of BULK_RUNS such transfers, alternating sides: single
 *   transfers on a small VM swing several-fold between scheduling regimes, and many short
 *   alternating runs average that out better than a few long ones. As a reference, the POSIX
 *   receiver also runs in the polled style (non-blocking recv + poll(2)).
 * - ping-pong: 64-byte messages echoed, RTT per round trip, p50 and p99 of 20,000 (after 1,000
 *   warm-up) per side, taken in 10 alternating slices on connections kept open; netrt uses
 *   blocking netrt_async_wait on both ends, POSIX blocking read/write — and, as a reference,
 *   POSIX in the polled style a cancellable wait needs (recv + poll(2)). With NETRT_BENCH_PKI
 *   set (a directory with ca.pem, leaf.pem, leaf.key as `tests/peers/launch pki` makes them; `make
 *   bench-c` does), the same ping-pong also runs over TLS 1.3 through the C API (a netrt TLS
 *   listener and client), compared with plain netrt and with blocking POSIX.
 * - the cost of trivial exported calls.
 * Pairs alternate their order (A B, B A, ...). Prints a markdown table: the median of the
 * per-pair ratios with min/max.
 *
 * Topology matters more than anything here (see BENCHMARKS.md): free on an idle 2-vCPU VM, every
 * blocking wake-up crosses vCPUs and costs tens of µs for both sides alike; pinned to one CPU,
 * the wake-ups are plain context switches and what remains is each side's own per-call cost;
 * split (the measuring thread on one CPU, the echoing/draining thread on another), every
 * wake-up crosses vCPUs, as between a client and a server on different cores — a thread hop
 * inside the library would show there as one more cross-vCPU wake-up per message. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <netrt.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define BULK_BYTES (64u << 20)
#define BULK_RUNS 5
#define CHUNK (64u << 10)
#define PING 64u
#define ROUNDS 20000
#define WARMUP 1000
#define WAIT 30000u
#define SLICES 10 /* ping-pong slices per pair, alternating sides (see run_pingpongs) */

/* Split topology: the CPU of the echoing/draining threads (-1: not split). */
static int g_peer_cpu = -1;

static void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  if (err) die("pthread_setaffinity_np", err);
}

/* Called first by every echoing/draining thread. */
static void peer_thread_placement(void) {
  if (g_peer_cpu >= 0) pin_to(g_peer_cpu);
}

/* ---- POSIX ------------------------------------------------------------------------------ */

static void posix_pair(int *client, int *server) {
  struct sockaddr_in addr = {0};
  socklen_t len = sizeof addr;
  int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof addr) || listen(l, 1) ||
      getsockname(l, (struct sockaddr *)&addr, &len))
    die("posix listen", 0);
  *client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(*client, (struct sockaddr *)&addr, sizeof addr)) die("posix connect", 0);
  *server = accept(l, NULL, NULL);
  close(l);
  setsockopt(*client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(*server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* The receiving end of a POSIX bulk transfer; `polled`: as a cancellable wait must read (see
 * posix_end below), else blocking read(2). */
typedef struct {
  int fd, polled;
} posix_sink;

static void *posix_drain(void *arg) {
  peer_thread_placement();
  const posix_sink *sink = arg;
  static char buf[CHUNK];
  int doorbell = sink->polled ? eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;
  struct pollfd fds[2] = {{sink->fd, POLLIN, 0}, {doorbell, POLLIN, 0}};
  size_t total = 0;
  while (total < BULK_BYTES) {
    ssize_t n = sink->polled ? recv(sink->fd, buf, sizeof buf, MSG_DONTWAIT) : read(sink->fd, buf, sizeof buf);
    if (n < 0 && sink->polled && errno == EAGAIN) {
      poll(fds, 2, -1);
      continue;
    }
    if (n <= 0) die("posix read", n);
    total += (size_t)n;
  }
  if (doorbell >= 0) close(doorbell);
  return NULL;
}

static double posix_bulk(int polled) {
  int c, s;
  static char buf[CHUNK];
  pthread_t t;
  posix_pair(&c, &s);
  posix_sink sink = {s, polled};
  double start = now_s();
  pthread_create(&t, NULL, posix_drain, &sink);
  for (size_t sent = 0; sent < BULK_BYTES;) {
    ssize_t n = write(c, buf, CHUNK);
    if (n <= 0) die("posix write", n);
    sent += (size_t)n;
  }
  pthread_join(t, NULL);
  double secs = now_s() - start;
  close(c);
  close(s);
  return BULK_BYTES / secs / 1e9 * 8; /* Gbit/s */
}

/* The POSIX ping-pong in three styles: `polled` 0 — blocking read/write; 1 — what a
 * cancellable blocking wait has to do: a non-blocking recv, and when it finds nothing, poll(2)
 * on the socket plus an eventfd (the canceller's doorbell), then recv again; 2 — the same wait
 * poll first (poll(2), then recv), the fewest syscalls a cancellable wait can make when the data
 * is never there yet, which is what netrt's one-call read does once its reads find nothing. */
enum { BLOCKING = 0, RECV_FIRST = 1, POLL_FIRST = 2 };

typedef struct {
  int fd, polled, doorbell; /* doorbell: the eventfd a canceller would signal (polled only) */
} posix_end;

static int read_exact(const posix_end *end, char *buf, size_t n) {
  struct pollfd fds[2] = {{end->fd, POLLIN, 0}, {end->doorbell, POLLIN, 0}};
  for (size_t got = 0; got < n;) {
    if (end->polled == POLL_FIRST) poll(fds, 2, -1);
    ssize_t r = end->polled ? recv(end->fd, buf + got, n - got, MSG_DONTWAIT) : read(end->fd, buf + got, n - got);
    if (r < 0 && end->polled && errno == EAGAIN) {
      if (end->polled == RECV_FIRST) poll(fds, 2, -1);
      continue;
    }
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

static int write_all(const posix_end *end, const char *buf, size_t n) {
  return send(end->fd, buf, n, end->polled ? MSG_DONTWAIT : 0) == (ssize_t)n ? 0 : -1;
}

/* Echoes until the peer closes. */
static void *posix_echo(void *arg) {
  peer_thread_placement();
  const posix_end *end = arg;
  char buf[PING];
  for (int i = 0; read_exact(end, buf, PING) == 0; i++) {
    if (write_all(end, buf, PING)) die("posix echo", i);
  }
  return NULL;
}

/* A connection with its echo thread, open for a whole pair (see run_pingpongs). */
typedef struct {
  posix_end client, server;
  pthread_t echo;
} posix_session;

static void posix_open(posix_session *p, int polled) {
  int c, s;
  posix_pair(&c, &s);
  p->client = (posix_end){c, polled, -1};
  p->server = (posix_end){s, polled, -1};
  if (polled) {
    p->client.doorbell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    p->server.doorbell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->client.doorbell < 0 || p->server.doorbell < 0) die("eventfd", errno);
  }
  pthread_create(&p->echo, NULL, posix_echo, &p->server);
}

/* `n` round trips; their RTTs (µs) go to `rtt` unless it is NULL (warm-up). */
static void posix_rounds(posix_session *p, int n, double *rtt) {
  char buf[PING] = {0};
  for (int i = 0; i < n; i++) {
    double t0 = now_s();
    if (write_all(&p->client, buf, PING) || read_exact(&p->client, buf, PING)) die("posix ping", i);
    if (rtt) rtt[i] = (now_s() - t0) * 1e6;
  }
}

static void posix_close(posix_session *p) {
  shutdown(p->client.fd, SHUT_WR);
  pthread_join(p->echo, NULL);
  close(p->client.fd);
  close(p->server.fd);
  if (p->client.polled) {
    close(p->client.doorbell);
    close(p->server.doorbell);
  }
}

/* ---- netrt ------------------------------------------------------------------------------ */

static atomic_ullong g_accepted;

static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle sock = 0;
  (void)user_data;
  (void)sender;
  if (netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &sock) == NETRT_S_OK)
    atomic_store(&g_accepted, sock);
}

typedef struct {
  netrt_handle listener, client, server;
} netrt_conn;

/* The TLS ping-pong's certificates (NETRT_BENCH_PKI: a directory with ca.pem, leaf.pem and
 * leaf.key for 127.0.0.1, as `tests/peers/launch pki` makes them); 0 when not given. */
static netrt_handle g_ca, g_leaf;

static char *read_pem(const char *dir, const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) die(path, errno);
  static char text[16384];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  return strdup(text);
}

static void load_tls_certificates(const char *dir) {
  char *ca = read_pem(dir, "ca.pem"), *leaf = read_pem(dir, "leaf.pem"), *key = read_pem(dir, "leaf.key");
  OK(netrt_certificate_create_from_pem(ca, NULL, &g_ca));
  OK(netrt_certificate_create_from_pem(leaf, key, &g_leaf));
  free(ca);
  free(leaf);
  free(key);
}

/* A connected pair on 127.0.0.1 through a listener; `tls`: TLS 1.3, the listener presenting
 * g_leaf and the client trusting g_ca. */
static void netrt_pair_with(netrt_conn *c, int tls) {
  netrt_handle local = 0, op = 0, info = 0;
  int64_t token = 0;
  char port[16];
  size_t needed = 0;
  atomic_store(&g_accepted, 0);
  OK(netrt_stream_socket_listener_create(&c->listener));
  OK(netrt_stream_socket_listener_add_connection_received(c->listener, on_connection, NULL, &token));
  OK(netrt_host_name_create("127.0.0.1", &local));
  if (tls) {
    netrt_handle control = 0;
    OK(netrt_stream_socket_listener_get_control(c->listener, &control));
    OK(netrt_stream_socket_listener_control_set_server_certificate(control, g_leaf));
    netrt_release(control);
    OK(netrt_stream_socket_listener_bind_service_name_with_protection_level_async(
        c->listener, "", NETRT_SOCKET_PROTECTION_LEVEL_TLS13, &op));
  } else {
    OK(netrt_stream_socket_listener_bind_endpoint_async(c->listener, local, "", &op));
  }
  OK(netrt_async_wait(op, WAIT));
  OK(netrt_async_get_results(op));
  netrt_release(op);
  OK(netrt_stream_socket_listener_get_information(c->listener, &info));
  OK(netrt_stream_socket_listener_information_get_local_port(info, port, sizeof port, &needed));
  netrt_release(info);
  OK(netrt_stream_socket_create(&c->client));
  if (tls) {
    netrt_handle control = 0, roots = 0;
    OK(netrt_stream_socket_get_control(c->client, &control));
    OK(netrt_stream_socket_control_get_trusted_root_certificates(control, &roots));
    OK(netrt_vector_append_handle(roots, g_ca));
    netrt_release(roots);
    netrt_release(control);
    OK(netrt_stream_socket_connect_with_protection_level_async(c->client, local, port,
                                                               NETRT_SOCKET_PROTECTION_LEVEL_TLS13, &op));
  } else {
    OK(netrt_stream_socket_connect_async(c->client, local, port, &op));
  }
  OK(netrt_async_wait(op, WAIT));
  OK(netrt_async_get_results(op));
  netrt_release(op);
  netrt_release(local);
  while (!(c->server = atomic_load(&g_accepted))) {
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
}

static void netrt_pair(netrt_conn *c) {
  netrt_pair_with(c, 0);
}

static void netrt_unpair(netrt_conn *c) {
  netrt_release(c->server);
  netrt_release(c->client);
  netrt_release(c->listener);
}

/* One read of up to `count` bytes into `buffer` (options: netrt_input_stream_options). */
static uint32_t netrt_read(netrt_handle in, netrt_handle buffer, uint32_t count, uint32_t options) {
  netrt_handle op = 0;
  uint32_t len = 0;
  OK(netrt_input_stream_read_async(in, buffer, count, options, &op));
  OK(netrt_async_wait(op, WAIT));
  OK(netrt_async_get_results(op));
  netrt_release(op);
  OK(netrt_buffer_get_length(buffer, &len));
  return len;
}

static void netrt_write(netrt_handle out, netrt_handle buffer) {
  netrt_handle op = 0;
  OK(netrt_output_stream_write_async(out, buffer, &op));
  OK(netrt_async_wait(op, WAIT));
  OK(netrt_async_get_results(op));
  netrt_release(op);
}

/* The same through the one-call blocking forms (netrt extension). */
static uint32_t netrt_read_1(netrt_handle in, netrt_handle buffer, uint32_t count, uint32_t options) {
  uint32_t len = 0;
  OK(netrt_input_stream_read(in, buffer, count, options, WAIT, &len));
  return len;
}

static void netrt_write_1(netrt_handle out, netrt_handle buffer) {
  uint32_t n = 0;
  OK(netrt_output_stream_write(out, buffer, WAIT, &n));
}

/* The receiving end of a netrt bulk transfer, and through which form of the API. */
typedef struct {
  netrt_handle sock;
  int one_call;
} netrt_sink;

static void *netrt_drain(void *arg) {
  peer_thread_placement();
  const netrt_sink *sink = arg;
  netrt_handle in = 0, buffer = 0;
  size_t total = 0;
  OK(netrt_stream_socket_get_input_stream(sink->sock, &in));
  OK(netrt_buffer_create(CHUNK, &buffer));
  while (total < BULK_BYTES) {
    uint32_t n = sink->one_call ? netrt_read_1(in, buffer, CHUNK, NETRT_INPUT_STREAM_OPTIONS_PARTIAL)
                                : netrt_read(in, buffer, CHUNK, NETRT_INPUT_STREAM_OPTIONS_PARTIAL);
    if (n == 0) die("netrt drain: end of stream", (long)total);
    total += n;
  }
  netrt_release(buffer);
  netrt_release(in);
  return NULL;
}

/* `one_call`: through the one-call forms, else WriteAsync/ReadAsync + wait. */
static double netrt_bulk(int one_call) {
  netrt_conn c;
  netrt_handle out = 0, buffer = 0;
  pthread_t t;
  netrt_pair(&c);
  OK(netrt_stream_socket_get_output_stream(c.client, &out));
  OK(netrt_buffer_create(CHUNK, &buffer));
  OK(netrt_buffer_set_length(buffer, CHUNK));
  netrt_sink sink = {c.server, one_call};
  double start = now_s();
  pthread_create(&t, NULL, netrt_drain, &sink);
  for (size_t sent = 0; sent < BULK_BYTES; sent += CHUNK) {
    if (one_call) {
      netrt_write_1(out, buffer);
    } else {
      netrt_write(out, buffer);
    }
  }
  pthread_join(t, NULL);
  double secs = now_s() - start;
  netrt_release(buffer);
  netrt_release(out);
  netrt_unpair(&c);
  return BULK_BYTES / secs / 1e9 * 8;
}

/* What an echo thread serves, and through which form of the API. */
typedef struct {
  netrt_handle sock;
  int one_call;
} echo_arg;

/* Echoes until the peer closes. */
static void *netrt_echo(void *arg) {
  peer_thread_placement();
  const echo_arg *e = arg;
  netrt_handle sock = e->sock, in = 0, out = 0, buffer = 0;
  OK(netrt_stream_socket_get_input_stream(sock, &in));
  OK(netrt_stream_socket_get_output_stream(sock, &out));
  OK(netrt_buffer_create(PING, &buffer));
  for (int i = 0;; i++) {
    uint32_t n = e->one_call ? netrt_read_1(in, buffer, PING, NETRT_INPUT_STREAM_OPTIONS_NONE)
                             : netrt_read(in, buffer, PING, NETRT_INPUT_STREAM_OPTIONS_NONE);
    if (n == 0) break;
    if (n != PING) die("netrt echo", i);
    if (e->one_call) {
      netrt_write_1(out, buffer);
    } else {
      netrt_write(out, buffer);
    }
  }
  netrt_release(buffer);
  netrt_release(out);
  netrt_release(in);
  return NULL;
}

/* As posix_session, through the C API. */
typedef struct {
  netrt_conn c;
  netrt_handle in, out, send, recv;
  echo_arg echo_with;
  pthread_t echo;
} netrt_session;

static void netrt_open(netrt_session *p, int tls, int one_call) {
  memset(p, 0, sizeof *p);
  netrt_pair_with(&p->c, tls);
  OK(netrt_stream_socket_get_input_stream(p->c.client, &p->in));
  OK(netrt_stream_socket_get_output_stream(p->c.client, &p->out));
  OK(netrt_buffer_create(PING, &p->send));
  OK(netrt_buffer_set_length(p->send, PING));
  OK(netrt_buffer_create(PING, &p->recv));
  p->echo_with.sock = p->c.server;
  p->echo_with.one_call = one_call;
  pthread_create(&p->echo, NULL, netrt_echo, &p->echo_with);
}

static void netrt_rounds(netrt_session *p, int n, double *rtt) {
  for (int i = 0; i < n; i++) {
    double t0 = now_s();
    if (p->echo_with.one_call) {
      netrt_write_1(p->out, p->send);
      if (netrt_read_1(p->in, p->recv, PING, NETRT_INPUT_STREAM_OPTIONS_NONE) != PING) die("netrt ping", i);
    } else {
      netrt_write(p->out, p->send);
      if (netrt_read(p->in, p->recv, PING, NETRT_INPUT_STREAM_OPTIONS_NONE) != PING) die("netrt ping", i);
    }
    if (rtt) rtt[i] = (now_s() - t0) * 1e6;
  }
}

static void netrt_close_session(netrt_session *p) {
  OK(netrt_close(p->c.client)); /* the echo side reads the end of the stream */
  pthread_join(p->echo, NULL);
  netrt_release(p->recv);
  netrt_release(p->send);
  netrt_release(p->out);
  netrt_release(p->in);
  netrt_unpair(&p->c);
}

/* The ping-pongs of one pair — POSIX blocking, POSIX polled, netrt, and netrt over TLS 1.3
 * when certificates were given (g_leaf), the one-call forms, POSIX polled poll-first, and POSIX
 * blocking once more on a connection of its own (the baseline against itself: how far two
 * identical sides differ in one run) — each on its own connection kept open for the pair,
 * run in SLICES alternating slices: the host's speed on this VM shifts between regimes every
 * few seconds, and a shift now falls on all of them alike instead of on whichever ran at that
 * moment. `order` alternates between pairs. Sides: see the enum. */
enum { S_BLOCKING, S_POLLED, S_NETRT, S_TLS, S_ONE, S_POLL_FIRST, S_BLOCKING_AGAIN, SIDES };

typedef struct {
  posix_session blocking, polled, poll_first, blocking_again;
  netrt_session api, tls, one;
} pingpong_sessions;

static void run_side(int side, pingpong_sessions *s, int n, double *rtt) {
  switch (side) {
    case S_BLOCKING: posix_rounds(&s->blocking, n, rtt); break;
    case S_POLLED: posix_rounds(&s->polled, n, rtt); break;
    case S_NETRT: netrt_rounds(&s->api, n, rtt); break;
    case S_TLS: if (g_leaf) netrt_rounds(&s->tls, n, rtt); break;
    case S_ONE: netrt_rounds(&s->one, n, rtt); break;
    case S_POLL_FIRST: posix_rounds(&s->poll_first, n, rtt); break;
    default: posix_rounds(&s->blocking_again, n, rtt); break;
  }
}

static void run_pingpongs(int order, double p50[SIDES], double p99[SIDES]) {
  static double rtt[SIDES][ROUNDS];
  static pingpong_sessions s;
  posix_open(&s.blocking, BLOCKING);
  posix_open(&s.polled, RECV_FIRST);
  posix_open(&s.poll_first, POLL_FIRST);
  posix_open(&s.blocking_again, BLOCKING);
  netrt_open(&s.api, 0, 0);
  if (g_leaf) netrt_open(&s.tls, 1, 0);
  netrt_open(&s.one, 0, 1);
  for (int side = 0; side < SIDES; side++) run_side(side, &s, WARMUP, NULL);
  for (int k = 0; k < SLICES; k++) {
    int at = k * (ROUNDS / SLICES), n = ROUNDS / SLICES;
    for (int i = 0; i < SIDES; i++) {
      int side = (order + k) % 2 == 0 ? i : SIDES - 1 - i;
      run_side(side, &s, n, rtt[side] + at);
    }
  }
  posix_close(&s.blocking);
  posix_close(&s.polled);
  posix_close(&s.poll_first);
  posix_close(&s.blocking_again);
  netrt_close_session(&s.api);
  if (g_leaf) netrt_close_session(&s.tls);
  netrt_close_session(&s.one);
  for (int side = 0; side < SIDES; side++) {
    qsort(rtt[side], ROUNDS, sizeof rtt[side][0], cmp_double);
    p50[side] = rtt[side][ROUNDS / 2];
    p99[side] = rtt[side][ROUNDS * 99 / 100];
  }
}

/* ---- trivial calls ------------------------------------------------------------------------ */

static double call_ns_status(void) {
  enum { N = 10000000 };
  volatile int sink = 0;
  double t0 = now_s();
  for (int i = 0; i < N; i++) sink += (int)netrt_socket_error_get_status((netrt_hresult)0x8007274D);
  (void)sink;
  return (now_s() - t0) * 1e9 / N;
}

static double call_ns_handle(void) {
  enum { N = 2000000 };
  netrt_handle h = 0;
  netrt_kind kind;
  OK(netrt_buffer_create(1, &h));
  double t0 = now_s();
  for (int i = 0; i < N; i++) OK(netrt_get_kind(h, &kind));
  double ns = (now_s() - t0) * 1e9 / N;
  netrt_release(h);
  return ns;
}

static void row(const char *name, const char *unit, const double *a_in, const double *b_in, int n,
                const char *target) {
  double a[64], b[64], r[64];
  for (int i = 0; i < n; i++) {
    a[i] = a_in[i];
    b[i] = b_in[i];
    r[i] = b[i] / a[i]; /* per pair */
  }
  double ma = median(a, n), mb = median(b, n), mr = median(r, n); /* r is sorted now */
  printf("| %s | %.2f %s | %.2f %s | %.3f (%.3f–%.3f) | %s |\n", name, ma, unit, mb, unit, mr, r[0], r[n - 1],
         target);
}

/* A results table's heading: the baseline's and the measured side's names, and the ratio's. */
static void table(const char *baseline, const char *measured, const char *ratio) {
  printf("\n| measure | %s (median) | %s (median) | ratio %s, median (min–max) | target |\n"
         "|---|---|---|---|---|\n",
         baseline, measured, ratio);
}

/* One ping-pong side alone (see the usage at the top): prints its RTT p50. */
static int run_one_side(const char *name, int runs) {
  static double rtt[ROUNDS];
  /* POSIX sides carry their style (posix_end.polled), netrt sides whether they use the one-call forms. */
  static const struct {
    const char *name;
    int posix, mode;
  } sides[] = {{"posix", 1, BLOCKING},  {"polled", 1, RECV_FIRST}, {"pollfirst", 1, POLL_FIRST},
               {"async", 0, 0},         {"one", 0, 1}};
  int side = -1;
  for (int i = 0; i < (int)(sizeof sides / sizeof sides[0]); i++)
    if (strcmp(name, sides[i].name) == 0) side = i;
  if (side < 0) return 0;
  int posix = sides[side].posix;
  posix_session p;
  netrt_session api;
  if (posix) {
    posix_open(&p, sides[side].mode);
  } else {
    netrt_open(&api, 0, sides[side].mode);
  }
  for (int r = -1; r < runs; r++) {
    int n = r < 0 ? WARMUP : ROUNDS;
    if (posix) {
      posix_rounds(&p, n, r < 0 ? NULL : rtt);
    } else {
      netrt_rounds(&api, n, r < 0 ? NULL : rtt);
    }
  }
  if (posix) {
    posix_close(&p);
  } else {
    netrt_close_session(&api);
  }
  qsort(rtt, ROUNDS, sizeof rtt[0], cmp_double);
  printf("%s: 64-byte RTT p50 %.2f us (last run of %d × %d round trips)\n", name, rtt[ROUNDS / 2], runs, ROUNDS);
  return 1;
}

/* One bulk side alone (see the usage at the top): prints each transfer's rate. */
static int run_one_bulk(const char *name, int runs) {
  const char *names[] = {"bulk-posix", "bulk-polled", "bulk-netrt", "bulk-one"};
  int side = -1;
  for (int i = 0; i < 4; i++)
    if (strcmp(name, names[i]) == 0) side = i;
  if (side < 0) return 0;
  for (int r = 0; r < runs; r++)
    printf("%s: %.2f Gbit/s (%d MiB)\n", name, side < 2 ? posix_bulk(side) : netrt_bulk(side == 3),
           (int)(BULK_BYTES >> 20));
  return 1;
}

int main(int argc, char **argv) {
  int pairs = argc > 1 ? atoi(argv[1]) : 5;
  if (argc > 2 && strcmp(argv[2], "split") != 0) {
    if (pairs < 1) pairs = 1;
    if (run_one_bulk(argv[2], pairs)) return 0;
    if (!run_one_side(argv[2], pairs)) die("the side is posix, polled, pollfirst, async, one, bulk-posix, bulk-polled, bulk-netrt or bulk-one", 0);
    return 0;
  }
  double bulk_posix[64], bulk_netrt[64], p50_posix[64], p50_netrt[64], p99_posix[64], p99_netrt[64];
  double p50_polled[64], p50_tls[64], p99_tls[64], p50_one[64], p99_one[64];
  const char *pki = getenv("NETRT_BENCH_PKI");
  if (pki && *pki) load_tls_certificates(pki);
  if (pairs < 1 || pairs > 64) pairs = 5;
  cpu_set_t cpus;
  int ncpu = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : -1;
  const char *topology = ncpu == 1 ? "pinned to one CPU" : "free to use every CPU";
  if (argc > 2 && strcmp(argv[2], "split") == 0) {
    if (ncpu < 2) {
      printf("split topology needs two CPUs (this process may use %d): skipped\n", ncpu);
      return 0;
    }
    /* The measuring thread on the first CPU of the mask, peers on the second. */
    int first = -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
      if (!CPU_ISSET(cpu, &cpus)) continue;
      if (first < 0) {
        first = cpu;
      } else {
        g_peer_cpu = cpu;
        break;
      }
    }
    pin_to(first);
    topology = "split: measuring thread and peer thread on two CPUs";
  }
  printf("netrt %s C API vs POSIX sockets, 127.0.0.1, one process (two threads; %s), %d interleaved "
         "pairs (A = POSIX, B = netrt; every second pair runs B first)\n",
         netrt_version(), topology, pairs);
  double bulk_polled[64], bulk_one[64], bulk_posix_again[64], p50_poll_first[64], p50_posix_again[64];
  for (int i = 0; i < pairs; i++) {
    /* A B, then B A, ...: whatever the first of a pair leaves behind (socket memory, caches,
     * CPU frequency) falls on each side equally often. */
    double runs_posix[BULK_RUNS], runs_polled[BULK_RUNS], runs_netrt[BULK_RUNS], runs_one[BULK_RUNS];
    double runs_posix_again[BULK_RUNS]; /* the baseline against itself, at the other end of the order */
    for (int r = 0; r < BULK_RUNS; r++) {
      if ((i + r) % 2 == 0) {
        runs_posix[r] = posix_bulk(0);
        runs_polled[r] = posix_bulk(1);
        runs_netrt[r] = netrt_bulk(0);
        runs_one[r] = netrt_bulk(1);
        runs_posix_again[r] = posix_bulk(0);
      } else {
        runs_posix_again[r] = posix_bulk(0);
        runs_one[r] = netrt_bulk(1);
        runs_netrt[r] = netrt_bulk(0);
        runs_polled[r] = posix_bulk(1);
        runs_posix[r] = posix_bulk(0);
      }
    }
    bulk_posix_again[i] = median(runs_posix_again, BULK_RUNS);
    bulk_posix[i] = median(runs_posix, BULK_RUNS);
    bulk_polled[i] = median(runs_polled, BULK_RUNS);
    bulk_netrt[i] = median(runs_netrt, BULK_RUNS);
    bulk_one[i] = median(runs_one, BULK_RUNS);
    double p50[SIDES], p99[SIDES];
    run_pingpongs(i % 2, p50, p99);
    p50_tls[i] = p50[3], p99_tls[i] = p99[3];
    p50_posix[i] = p50[0], p99_posix[i] = p99[0];
    p50_polled[i] = p50[1];
    p50_netrt[i] = p50[2], p99_netrt[i] = p99[2];
    p50_one[i] = p50[S_ONE], p99_one[i] = p99[S_ONE];
    p50_poll_first[i] = p50[S_POLL_FIRST];
    p50_posix_again[i] = p50[S_BLOCKING_AGAIN];
    fprintf(stderr,
            "pair %d: bulk %.2f / %.2f Gbit/s (one-call %.2f, polled POSIX %.2f), p50 %.1f / %.1f us (polled "
            "POSIX %.1f, TLS %.1f), p99 %.1f / %.1f us\n",
            i + 1, bulk_posix[i], bulk_netrt[i], bulk_one[i], bulk_polled[i], p50_posix[i], p50_netrt[i], p50_polled[i],
            p50_tls[i], p99_posix[i], p99_netrt[i]);
  }
  table("POSIX", "netrt C API", "netrt/POSIX");
  row("bulk throughput, 64 KiB writes", "Gbit/s", bulk_posix, bulk_netrt, pairs, "≥ 0.95");
  row("64-byte ping-pong RTT p50", "µs", p50_posix, p50_netrt, pairs, "≤ 1.3");
  row("64-byte ping-pong RTT p99", "µs", p99_posix, p99_netrt, pairs, "—");
  printf("\nThe one-call blocking forms (netrt_input_stream_read / netrt_output_stream_write):\n");
  table("POSIX", "netrt one-call", "one-call/POSIX");
  row("bulk throughput, 64 KiB writes", "Gbit/s", bulk_posix, bulk_one, pairs, "≥ 0.95");
  row("64-byte ping-pong RTT p50", "µs", p50_posix, p50_one, pairs, "≤ 1.2 pinned, ≤ 1.0 split");
  row("64-byte ping-pong RTT p99", "µs", p99_posix, p99_one, pairs, "—");
  table("netrt WinRT-shaped", "netrt one-call", "one-call/async");
  row("64-byte ping-pong RTT p50", "µs", p50_netrt, p50_one, pairs, "—");
  printf("\nReference — the readiness pattern a cancellable blocking wait needs, in plain C (POSIX "
         "non-blocking recv + poll(2) on the socket and an eventfd):\n");
  table("POSIX blocking", "POSIX polled", "polled/blocking");
  row("bulk throughput, 64 KiB writes", "Gbit/s", bulk_posix, bulk_polled, pairs, "—");
  row("64-byte ping-pong RTT p50", "µs", p50_posix, p50_polled, pairs, "—");
  table("POSIX polled", "netrt C API", "netrt/polled");
  row("bulk throughput, 64 KiB writes", "Gbit/s", bulk_polled, bulk_netrt, pairs, "—");
  row("64-byte ping-pong RTT p50", "µs", p50_polled, p50_netrt, pairs, "—");
  printf("\nReference — the same wait poll first (poll(2) on the socket and an eventfd, then recv: "
         "the syscalls of netrt's one-call read once its reads find nothing):\n");
  table("POSIX blocking", "POSIX poll-first", "poll-first/blocking");
  row("64-byte ping-pong RTT p50", "µs", p50_posix, p50_poll_first, pairs, "—");
  table("POSIX poll-first", "netrt one-call", "one-call/poll-first");
  row("64-byte ping-pong RTT p50", "µs", p50_poll_first, p50_one, pairs, "—");
  printf("\nThe baseline against itself (a second POSIX blocking side in the same run: the spread "
         "a ratio shows when nothing differs):\n");
  table("POSIX blocking", "POSIX blocking again", "again/first");
  row("bulk throughput, 64 KiB writes", "Gbit/s", bulk_posix, bulk_posix_again, pairs, "—");
  row("64-byte ping-pong RTT p50", "µs", p50_posix, p50_posix_again, pairs, "—");
  if (g_leaf) {
    printf("\nTLS 1.3 through the C API (netrt listener and client, blocking waits) against plain TCP "
           "through the C API:\n");
    table("netrt plain", "netrt TLS 1.3", "TLS/plain");
    row("64-byte ping-pong RTT p50", "µs", p50_netrt, p50_tls, pairs, "—");
    row("64-byte ping-pong RTT p99", "µs", p99_netrt, p99_tls, pairs, "—");
    table("POSIX blocking", "netrt TLS 1.3", "TLS/POSIX");
    row("64-byte ping-pong RTT p50", "µs", p50_posix, p50_tls, pairs, "—");
    netrt_release(g_ca);
    netrt_release(g_leaf);
  }
  printf("\n| trivial exported call | ns/call |\n|---|---|\n");
  printf("| netrt_socket_error_get_status (pure, panic boundary) | %.1f |\n", call_ns_status());
  printf("| netrt_get_kind (handle table lookup, panic boundary) | %.1f |\n", call_ns_handle());
  return 0;
}
