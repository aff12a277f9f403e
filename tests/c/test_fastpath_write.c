/* The blocking-wait fast path for writes, and what it keeps away from the runtime (docs/threading.md).
 *
 * - A socket driven only by blocking waits is never registered with the runtime's reactor
 *   (read from the kernel: /proc/self/fdinfo of every epoll fd in the process), so no runtime
 *   thread wakes per packet; a read with a completion handler (which the runtime completes)
 *   does register it — the control that shows the check can fail. An operation nobody waits
 *   for within 5 ms also goes to the runtime, by design: under valgrind (NETRT_TEST_SLOW set
 *   by run.sh) a test's own steps take that long, so the check is skipped there.
 * - A write the kernel cannot take at once (a peer that does not read): WriteAsync keeps the
 *   bytes as they were when called (the caller may reuse the buffer at once), a blocking wait
 *   completes it as the peer drains, and a wait timeout, cancel, CancelIOAsync and Close all
 *   end it as documented, leaving the socket usable where they should.
 * - DataWriter.StoreAsync through the same path.
 * - The one-call write (netrt_output_stream_write) blocked the same way, sending from the
 *   caller's buffer as the peer drains: a timeout, CancelIOAsync and Close from another thread
 *   end it, its detail says exactly how many bytes went — the peer receives exactly those, and
 *   a write of the rest after a timeout or CancelIOAsync makes the stream whole.
 *
 * The peer is a plain POSIX socket accepted from a POSIX listener on 127.0.0.1. */
#include "posix_peer.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Large enough that loopback's socket buffers (autotuned to a few MiB) cannot take it at once. */
#define BIG (24u << 20)

/* A connected pair: a netrt socket with its streams, the POSIX peer, and the fd netrt uses. */
typedef struct {
  netrt_handle sock, in, out;
  int peer, netrt_fd;
} conn;

static int port_of(int fd, int peer_side) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int rc = peer_side ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len);
  return rc == 0 && a.sin_family == AF_INET ? ntohs(a.sin_port) : -1;
}

/* The fd in this process whose local port is `local` and remote port `remote` (netrt's socket). */
static int find_socket_fd(int local, int remote) {
  DIR *dir = opendir("/proc/self/fd");
  struct dirent *e;
  int found = -1;
  while (dir && (e = readdir(dir)) != NULL) {
    int fd = atoi(e->d_name);
    struct stat st;
    if (e->d_name[0] == '.' || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    if (port_of(fd, 0) == local && port_of(fd, 1) == remote) found = fd;
  }
  if (dir) closedir(dir);
  return found;
}

/* Whether `fd` is registered in any epoll instance of this process (/proc/self/fdinfo lists an
 * epoll fd's targets as "tfd: N ..."). -1: could not tell. */
static int registered_with_epoll(int fd) {
  DIR *dir = opendir("/proc/self/fd");
  struct dirent *e;
  int epolls = 0, found = 0;
  if (!dir) return -1;
  while ((e = readdir(dir)) != NULL) {
    char link[64], target[64], path[64], line[256];
    ssize_t n;
    int fdnum = atoi(e->d_name);
    if (e->d_name[0] == '.') continue;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fdnum);
    n = readlink(link, target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = 0;
    if (strcmp(target, "anon_inode:[eventpoll]") != 0) continue;
    epolls++;
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fdnum);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f)) {
      int tfd = -1;
      if (sscanf(line, "tfd: %d", &tfd) == 1 && tfd == fd) found = 1;
    }
    if (f) fclose(f);
  }
  closedir(dir);
  return epolls == 0 ? -1 : found;
}

/* Whether timing-sensitive checks apply (not under valgrind). */
static int timing_checks(void) { return getenv("NETRT_TEST_SLOW") == NULL; }

static int conn_open(conn *c) {
  memset(c, 0, sizeof *c);
  c->netrt_fd = -1;
  CHECK(connect_to_listener(&c->sock, &c->peer));
  c->netrt_fd = find_socket_fd(port_of(c->peer, 1), port_of(c->peer, 0));
  CHECK(c->netrt_fd >= 0);
  CHECK_OK(netrt_stream_socket_get_input_stream(c->sock, &c->in));
  CHECK_OK(netrt_stream_socket_get_output_stream(c->sock, &c->out));
  return 1;
cleanup:
  return 0;
}

static void conn_close(conn *c) {
  RELEASE(c->in);
  RELEASE(c->out);
  RELEASE(c->sock);
  if (c->peer >= 0) {
    close(c->peer);
    c->peer = -1;
  }
}

static uint8_t pattern(size_t i) { return (uint8_t)(i * 7 + (i >> 12)); }

/* Reads `want` bytes from `fd` after `delay_ms`, checking they follow `pattern`. */
typedef struct {
  int fd, delay_ms;
  size_t want, got, mismatches;
  pthread_t thread;
} drain;

static void *run_drain(void *arg) {
  drain *d = arg;
  static uint8_t chunk[1 << 16];
  sleep_ms(d->delay_ms);
  while (d->got < d->want) {
    ssize_t n = recv(d->fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) {
      if (chunk[i] != pattern(d->got + (size_t)i)) d->mismatches++;
    }
    d->got += (size_t)n;
  }
  return NULL;
}

static int start_drain(drain *d, int fd, int delay_ms, size_t want) {
  memset(d, 0, sizeof *d);
  d->fd = fd;
  d->delay_ms = delay_ms;
  d->want = want;
  return pthread_create(&d->thread, NULL, run_drain, d) == 0;
}

/* A write of BIG pattern bytes from `buffer` that the kernel cannot take at once. */
static int start_big_write(conn *c, netrt_handle buffer, netrt_handle *op) {
  uint8_t *data = NULL;
  netrt_async_status status = NETRT_ASYNC_STATUS_COMPLETED;
  CHECK_OK(netrt_buffer_get_data(buffer, &data));
  for (size_t i = 0; i < BIG; i++) data[i] = pattern(i);
  CHECK_OK(netrt_buffer_set_length(buffer, BIG));
  CHECK_OK(netrt_output_stream_write_async(c->out, buffer, op));
  CHECK_OK(netrt_async_get_status(*op, &status));
  CHECK(status == NETRT_ASYNC_STATUS_STARTED);
  /* The caller may reuse the buffer at once: the bytes not yet sent were copied. */
  memset(data, 0xEE, BIG);
  return 1;
cleanup:
  return 0;
}

/* Something another thread does to a handle after a delay, while the main thread waits. */
typedef struct {
  netrt_handle h;
  int delay_ms, cancel_io;
  netrt_hresult result;
  pthread_t thread;
} later;

static void *run_later(void *arg) {
  later *l = arg;
  netrt_handle op = 0;
  sleep_ms(l->delay_ms);
  if (l->cancel_io) {
    l->result = netrt_stream_socket_cancel_io_async(l->h, &op);
    if (l->result == NETRT_S_OK) l->result = netrt_async_wait(op, STEP_MS);
    RELEASE(op);
  } else {
    l->result = netrt_close(l->h);
  }
  return NULL;
}

static int start_later(later *l, netrt_handle h, int delay_ms, int cancel_io) {
  memset(l, 0, sizeof *l);
  l->h = h;
  l->delay_ms = delay_ms;
  l->cancel_io = cancel_io;
  l->result = NETRT_E_UNEXPECTED;
  return pthread_create(&l->thread, NULL, run_later, l) == 0;
}

static volatile int g_handled;

static void on_completed(void *user_data, netrt_handle op, netrt_async_status status) {
  (void)user_data;
  (void)op;
  (void)status;
  g_handled = 1;
}

/* How many bytes a failed one-call write had sent, from its detail ("...; N of M bytes had been
 * sent"); -1 when the detail does not say, or says another total than `total`. */
static long sent_before_failure(uint32_t total) {
  char detail[512];
  size_t needed = 0;
  unsigned long sent = 0, of = 0;
  if (netrt_get_last_error_detail(detail, sizeof detail, &needed) != NETRT_S_OK) return -1;
  const char *tail = strrchr(detail, ';');
  if (!tail || sscanf(tail, "; %lu of %lu bytes had been sent", &sent, &of) != 2 || of != total) return -1;
  return (long)sent;
}

/* A blocked one-call write of BIG pattern bytes ended by `how` (a timeout, or CancelIOAsync or
 * Close from another thread): it fails with `want`, and says how many bytes went (`*sent`). */
enum { BY_TIMEOUT, BY_CANCEL_IO, BY_CLOSE };

static int blocked_write_ends(conn *c, netrt_handle buffer, int how, netrt_hresult want, long *sent) {
  uint8_t *data = NULL;
  uint32_t written = 77;
  later l;
  int started = 0;
  CHECK_OK(netrt_buffer_get_data(buffer, &data));
  for (size_t i = 0; i < BIG; i++) data[i] = pattern(i);
  CHECK_OK(netrt_buffer_set_length(buffer, BIG));
  if (how != BY_TIMEOUT) {
    CHECK(start_later(&l, c->sock, 50, how == BY_CANCEL_IO));
    started = 1;
  }
  CHECK_HR(netrt_output_stream_write(c->out, buffer, how == BY_TIMEOUT ? 50 : STEP_MS, &written), want);
  *sent = sent_before_failure(BIG);
  CHECK(written == 77); /* out-params are written only on success */
  CHECK(*sent > 0 && *sent < (long)BIG);
  if (started) {
    pthread_join(l.thread, NULL);
    started = 0;
    CHECK_OK(l.result);
  }
  return 1;
cleanup:
  if (started) pthread_join(l.thread, NULL);
  return 0;
}

/* After a blocked one-call write that sent `sent` bytes was ended: the rest, written by another
 * one-call write, completes the stream — the peer receives all BIG pattern bytes, in order. */
static int rest_completes_stream(conn *c, netrt_handle buffer, long sent) {
  uint8_t *data = NULL;
  uint32_t written = 0;
  drain d;
  CHECK_OK(netrt_buffer_get_data(buffer, &data));
  for (size_t i = (size_t)sent; i < BIG; i++) data[i - (size_t)sent] = pattern(i);
  CHECK_OK(netrt_buffer_set_length(buffer, BIG - (uint32_t)sent));
  {
    /* A stream short of BIG bytes (a count reported too high) ends the drain instead of
     * hanging it. */
    struct timeval tv = {5, 0};
    CHECK(setsockopt(c->peer, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  }
  CHECK(start_drain(&d, c->peer, 0, BIG));
  CHECK_OK(netrt_output_stream_write(c->out, buffer, STEP_MS, &written));
  pthread_join(d.thread, NULL);
  CHECK(written == BIG - (uint32_t)sent);
  CHECK(d.got == BIG && d.mismatches == 0);
  return 1;
cleanup:
  return 0;
}

/* Empties what the peer has received so far (after an aborted write), without blocking long. */
static void discard_pending(int fd) {
  static uint8_t chunk[1 << 16];
  struct timeval tv = {0, 200000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (recv(fd, chunk, sizeof chunk, 0) > 0) {
  }
}

int main(void) {
  conn c = {0, 0, 0, -1, -1};
  netrt_handle big = 0, small = 0, op = 0, second = 0, writer = 0;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult code = 0;
  uint32_t written = 0;
  drain d;
  later l;
  long long t0;
  int ok = 0;
  char echo[8];

  CHECK(open_listener());
  CHECK_OK(netrt_buffer_create(BIG, &big));
  CHECK_OK(netrt_buffer_create(8, &small));

  /* 1. Ping-pong with blocking waits only: the socket never joins the runtime's epoll set.
   * Each read is parked for a few µs before its wait; a parked read nobody waits for within
   * 5 ms goes to the runtime by design, which a descheduled test thread can hit on a loaded
   * machine: so up to three fresh connections get the chance (a fast path that registered
   * every socket would fail all three). */
  {
    int unregistered = 0;
    for (int attempt = 0; attempt < 3 && !unregistered; attempt++) {
      if (attempt > 0) conn_close(&c);
      CHECK(conn_open(&c));
      CHECK(registered_with_epoll(c.netrt_fd) == 0);
      for (int i = 0; i < 50; i++) {
        CHECK_OK(netrt_buffer_set_length(small, 4));
        AWAIT_OK(netrt_output_stream_write_async(c.out, small, &op), op);
        CHECK(recv(c.peer, echo, 4, MSG_WAITALL) == 4);
        CHECK_OK(netrt_input_stream_read_async(c.in, small, 4, NETRT_INPUT_STREAM_OPTIONS_NONE, &op));
        CHECK(send(c.peer, echo, 4, 0) == 4);
        CHECK_OK(wait_completed(op));
        RELEASE(op);
      }
      unregistered = registered_with_epoll(c.netrt_fd) == 0;
    }
    CHECK(!timing_checks() || unregistered);
  }
  /* The control: a read completed by the runtime (a handler, nobody waiting) registers it. */
  CHECK_OK(netrt_input_stream_read_async(c.in, small, 4, NETRT_INPUT_STREAM_OPTIONS_NONE, &op));
  CHECK_OK(netrt_async_set_completed(op, on_completed, NULL));
  for (int i = 0; i < 200 && registered_with_epoll(c.netrt_fd) != 1; i++) sleep_ms(5);
  CHECK(registered_with_epoll(c.netrt_fd) == 1);
  CHECK(send(c.peer, "ctrl", 4, 0) == 4);
  CHECK_OK(wait_completed(op));
  for (int i = 0; i < 200 && !g_handled; i++) sleep_ms(5);
  CHECK(g_handled);
  RELEASE(op);
  conn_close(&c);

  /* 2. A write the kernel cannot take at once: the peer drains later, a blocking wait
   * completes it, and the peer receives the bytes as they were when WriteAsync was called. */
  CHECK(conn_open(&c));
  CHECK(start_big_write(&c, big, &op));
  CHECK(start_drain(&d, c.peer, 50, BIG));
  CHECK_OK(wait_completed(op));
  pthread_join(d.thread, NULL);
  CHECK_OK(netrt_async_get_results_uint32(op, &written));
  CHECK(written == BIG);
  CHECK(d.got == BIG && d.mismatches == 0);
  RELEASE(op);

  /* 3. The same with a wait that times out first: the write goes on in the runtime. */
  CHECK(start_big_write(&c, big, &op));
  t0 = mono_ms();
  CHECK_HR(netrt_async_wait(op, 30), NETRT_E_WAIT_TIMEOUT);
  CHECK(mono_ms() - t0 >= 25);
  CHECK(op_outcome(op, &status, &code) && status == NETRT_ASYNC_STATUS_STARTED);
  CHECK(start_drain(&d, c.peer, 0, BIG));
  CHECK_OK(wait_completed(op));
  pthread_join(d.thread, NULL);
  CHECK(d.got == BIG && d.mismatches == 0);
  RELEASE(op);

  /* 4. A second write while one is blocked: E_ILLEGAL_METHOD_CALL, synchronously. */
  CHECK(start_big_write(&c, big, &op));
  CHECK_OK(netrt_buffer_set_length(small, 4));
  CHECK_HR(netrt_output_stream_write_async(c.out, small, &second), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK(second == 0);

  /* 5. Cancel of the blocked write: Canceled, promptly; the socket takes a new write. */
  t0 = mono_ms();
  CHECK_OK(netrt_async_cancel(op));
  CHECK_OK(netrt_async_wait(op, STEP_MS));
  CHECK(mono_ms() - t0 < 2000);
  CHECK(op_outcome(op, &status, &code) && status == NETRT_ASYNC_STATUS_CANCELED && code == NETRT_E_CANCELLED);
  RELEASE(op);
  discard_pending(c.peer);
  AWAIT_OK(netrt_output_stream_write_async(c.out, small, &op), op);
  conn_close(&c);

  /* 6. CancelIOAsync, then 7. Close, from another thread while the wait drives the blocked
   * write: 0x800703E3, promptly; after CancelIOAsync the socket takes a new write. */
  CHECK(conn_open(&c));
  for (int cancel_io = 1; cancel_io >= 0; cancel_io--) {
    CHECK(start_big_write(&c, big, &op));
    CHECK(start_later(&l, c.sock, 50, cancel_io));
    t0 = mono_ms();
    CHECK_OK(netrt_async_wait(op, STEP_MS));
    CHECK(mono_ms() - t0 < 2000);
    pthread_join(l.thread, NULL);
    CHECK_OK(l.result);
    CHECK(op_outcome(op, &status, &code) && status == NETRT_ASYNC_STATUS_ERROR && code == NETRT_E_OPERATION_ABORTED);
    RELEASE(op);
    if (cancel_io) {
      discard_pending(c.peer);
      AWAIT_OK(netrt_output_stream_write_async(c.out, small, &op), op);
    }
  }
  conn_close(&c);

  /* 8. DataWriter.StoreAsync of BIG bytes to a peer that drains later. */
  CHECK(conn_open(&c));
  CHECK_OK(netrt_data_writer_create_with_stream(c.out, &writer));
  {
    uint8_t *bytes = malloc(BIG);
    CHECK(bytes != NULL);
    for (size_t i = 0; i < BIG; i++) bytes[i] = pattern(i);
    netrt_hresult hr = netrt_data_writer_write_bytes(writer, bytes, BIG);
    free(bytes);
    CHECK_OK(hr);
  }
  CHECK_OK(netrt_data_writer_store_async(writer, &op));
  CHECK(start_drain(&d, c.peer, 50, BIG));
  CHECK_OK(wait_completed(op));
  pthread_join(d.thread, NULL);
  CHECK_OK(netrt_async_get_results_uint32(op, &written));
  CHECK(written == BIG && d.got == BIG && d.mismatches == 0);
  RELEASE(op);
  RELEASE(writer);
  conn_close(&c);

  /* 9. The one-call write of BIG bytes to a peer that drains later: done from the buffer. */
  CHECK(conn_open(&c));
  {
    uint8_t *data = NULL;
    CHECK_OK(netrt_buffer_get_data(big, &data));
    for (size_t i = 0; i < BIG; i++) data[i] = pattern(i);
    CHECK_OK(netrt_buffer_set_length(big, BIG));
  }
  CHECK(start_drain(&d, c.peer, 50, BIG));
  CHECK_OK(netrt_output_stream_write(c.out, big, STEP_MS, &written));
  pthread_join(d.thread, NULL);
  CHECK(written == BIG && d.got == BIG && d.mismatches == 0);

  /* 10. Blocked, then a timeout: WAIT_TIMEOUT, exactly `sent` bytes went, and the rest
   * completes the stream. 11. The same with CancelIOAsync from another thread. */
  {
    long sent = -1;
    CHECK(blocked_write_ends(&c, big, BY_TIMEOUT, NETRT_E_WAIT_TIMEOUT, &sent));
    CHECK(rest_completes_stream(&c, big, sent));
    CHECK(blocked_write_ends(&c, big, BY_CANCEL_IO, NETRT_E_OPERATION_ABORTED, &sent));
    CHECK(rest_completes_stream(&c, big, sent));
    /* 12. Close from another thread: 0x800703E3; the peer receives exactly `sent` bytes, then
     * the end of the stream. */
    CHECK(blocked_write_ends(&c, big, BY_CLOSE, NETRT_E_OPERATION_ABORTED, &sent));
    CHECK(start_drain(&d, c.peer, 0, BIG));
    pthread_join(d.thread, NULL);
    CHECK(d.got == (size_t)sent && d.mismatches == 0);
    CHECK_HR(netrt_output_stream_write(c.out, small, STEP_MS, &written), NETRT_RO_E_CLOSED);
  }
  conn_close(&c);

  ok = 1;
cleanup:
  RELEASE(op);
  RELEASE(second);
  RELEASE(writer);
  RELEASE(big);
  RELEASE(small);
  conn_close(&c);
  if (listen_fd >= 0) close(listen_fd);
  printf("%s: test_fastpath_write (%d checks)\n", ok ? "PASS" : "FAIL", g_checks);
  return ok ? 0 : 1;
}
