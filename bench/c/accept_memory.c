/* Memory per accepted connection through the C API: a netrt StreamSocketListener echo server
 * (ConnectionReceived handler; per connection a Buffer of 4 KiB and a ReadAsync always pending,
 * its Completed handler echoing with WriteAsync and starting the next read) against a plain
 * epoll echo server (one thread, non-blocking sockets, one shared read buffer). Each server
 * runs in a child process of its own (this program re-executed with `serve netrt|epoll`); the
 * connections' client ends are in the parent, so only the server's memory is counted.
 *
 *   accept_memory [pairs] [connections]     (default 5 pairs, 10,000 connections)
 *
 * Protocol, one line each way per step: the child prints its port; the parent opens a warm-up
 * connection, echoes one message and closes it, writes `base`; the child prints its RSS
 * (/proc/self/statm); the parent opens N connections and echoes one message on each (so every
 * server-side loop has served once and waits in its next read), writes `load`; the child prints
 * its RSS again. Figure: (RSS loaded - RSS base) / N. Pairs alternate their order (A B, B A,
 * ...); prints a markdown row: medians, and the median of the per-pair ratios (min-max). */
#define _GNU_SOURCE
#include <netrt.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define READ 4096u
#define WAIT 30000u

static long rss_bytes(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2) die("/proc/self/statm", errno);
  fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

static void raise_fd_limit(void) {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

/* The child's side of the protocol: one RSS line per line the parent writes, until EOF. */
static void answer_parent(void) {
  char line[64];
  while (fgets(line, sizeof line, stdin)) {
    usleep(300 * 1000); /* let handlers that just ran settle */
    printf("%ld\n", rss_bytes());
    fflush(stdout);
  }
}

/* ---- netrt server ------------------------------------------------------------------------ */

typedef struct {
  netrt_handle socket, in, out, buffer;
} echo_conn;

static void start_read(echo_conn *c);

static void on_written(void *user_data, netrt_handle op, netrt_async_status status) {
  (void)user_data;
  (void)op;
  (void)status;
}

static void close_conn(echo_conn *c) {
  netrt_release(c->buffer);
  netrt_release(c->in);
  netrt_release(c->out);
  netrt_close(c->socket);
  netrt_release(c->socket);
  free(c);
}

static void on_read(void *user_data, netrt_handle op, netrt_async_status status) {
  echo_conn *c = user_data;
  uint32_t len = 0;
  (void)op;
  if (status != NETRT_ASYNC_STATUS_COMPLETED || netrt_buffer_get_length(c->buffer, &len) != NETRT_S_OK || !len) {
    close_conn(c);
    return;
  }
  /* WriteAsync takes the bytes as they are when called, so the buffer is free for the next
   * read at once (one write at a time: a client here sends one message per echo). */
  netrt_handle wop = 0;
  OK(netrt_output_stream_write_async(c->out, c->buffer, &wop));
  OK(netrt_async_set_completed(wop, on_written, NULL));
  netrt_release(wop);
  start_read(c);
}

static void start_read(echo_conn *c) {
  netrt_handle op = 0;
  OK(netrt_input_stream_read_async(c->in, c->buffer, READ, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &op));
  OK(netrt_async_set_completed(op, on_read, c));
  netrt_release(op);
}

static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  (void)user_data;
  (void)sender;
  echo_conn *c = calloc(1, sizeof *c);
  if (!c) die("calloc", errno);
  OK(netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &c->socket));
  OK(netrt_stream_socket_get_input_stream(c->socket, &c->in));
  OK(netrt_stream_socket_get_output_stream(c->socket, &c->out));
  OK(netrt_buffer_create(READ, &c->buffer));
  start_read(c);
}

static void serve_netrt(void) {
  netrt_handle listener = 0, local = 0, op = 0, info = 0;
  int64_t token = 0;
  char port[16];
  size_t needed = 0;
  OK(netrt_stream_socket_listener_create(&listener));
  OK(netrt_stream_socket_listener_add_connection_received(listener, on_connection, NULL, &token));
  OK(netrt_host_name_create("127.0.0.1", &local));
  OK(netrt_stream_socket_listener_bind_endpoint_async(listener, local, "", &op));
  OK(netrt_async_wait(op, WAIT));
  OK(netrt_async_get_results(op));
  netrt_release(op);
  netrt_release(local);
  OK(netrt_stream_socket_listener_get_information(listener, &info));
  OK(netrt_stream_socket_listener_information_get_local_port(info, port, sizeof port, &needed));
  netrt_release(info);
  printf("%s\n", port);
  fflush(stdout);
  answer_parent();
  /* Exit without tearing down: the figure was taken, and the parent has closed everything. */
  _exit(0);
}

/* ---- epoll server ------------------------------------------------------------------------ */

static void *epoll_loop(void *arg) {
  int l = *(int *)arg, ep = epoll_create1(EPOLL_CLOEXEC);
  static char buf[READ]; /* shared: an epoll echo keeps nothing per connection but the fd */
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev)) die("epoll", errno);
  for (;;) {
    struct epoll_event ready[256];
    int n = epoll_wait(ep, ready, 256, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("epoll_wait", errno);
    for (int i = 0; i < n; i++) {
      int fd = ready[i].data.fd;
      if (fd == l) {
        int c;
        while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
          if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev)) die("epoll_ctl", errno);
        }
        continue;
      }
      ssize_t got = read(fd, buf, sizeof buf);
      if (got < 0 && errno == EAGAIN) continue;
      /* Loopback and 4-byte messages: the socket buffer always takes the whole echo. */
      if (got <= 0 || write(fd, buf, (size_t)got) != got) close(fd);
    }
  }
  return NULL;
}

static void serve_epoll(void) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof addr) || listen(l, 4096)) die("listen", errno);
  if (getsockname(l, (struct sockaddr *)&addr, &len)) die("getsockname", errno);
  pthread_t loop;
  if (pthread_create(&loop, NULL, epoll_loop, &l)) die("pthread_create", 0);
  printf("%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  answer_parent();
  _exit(0);
}

/* ---- parent: the clients ----------------------------------------------------------------- */

static int connect_to(int port) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr)) die("connect", errno);
  return fd;
}

static void send_ping(int fd) {
  if (write(fd, "ping", 4) != 4) die("write", errno);
}

static void expect_echo(int fd) {
  char got[4];
  size_t have = 0;
  while (have < sizeof got) {
    ssize_t n = read(fd, got + have, sizeof got - have);
    if (n <= 0) die("read the echo", errno);
    have += (size_t)n;
  }
  if (memcmp(got, "ping", 4)) die("echo differs", 0);
}

static long read_number(FILE *from) {
  long v = 0;
  if (fscanf(from, "%ld", &v) != 1) die("a number from the child server", 0);
  return v;
}

/* Runs one child server; returns its RSS growth per connection in bytes. */
static double per_connection(const char *which, int n) {
  int to_child[2], from_child[2];
  if (pipe(to_child) || pipe(from_child)) die("pipe", errno);
  pid_t pid = fork();
  if (pid < 0) die("fork", errno);
  if (pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    close(to_child[1]);
    close(from_child[0]);
    execl("/proc/self/exe", "accept_memory", "serve", which, (char *)NULL);
    die("execl", errno);
  }
  close(to_child[0]);
  close(from_child[1]);
  FILE *from = fdopen(from_child[0], "r"), *to = fdopen(to_child[1], "w");
  int port = (int)read_number(from);
  int warm = connect_to(port);
  send_ping(warm);
  expect_echo(warm);
  close(warm);
  fprintf(to, "base\n");
  fflush(to);
  long base = read_number(from);
  int *fds = malloc((size_t)n * sizeof *fds);
  if (!fds) die("malloc", errno);
  for (int i = 0; i < n; i++) {
    fds[i] = connect_to(port);
    if (i % 500 == 499) usleep(10 * 1000); /* let the server drain its accept backlog */
  }
  for (int i = 0; i < n; i++) send_ping(fds[i]);
  for (int i = 0; i < n; i++) expect_echo(fds[i]);
  fprintf(to, "load\n");
  fflush(to);
  long loaded = read_number(from);
  fclose(to);
  fclose(from);
  for (int i = 0; i < n; i++) close(fds[i]);
  free(fds);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) die("child server", status);
  return (double)(loaded - base) / n;
}

int main(int argc, char **argv) {
  raise_fd_limit();
  if (argc >= 3 && !strcmp(argv[1], "serve")) {
    if (!strcmp(argv[2], "netrt")) serve_netrt();
    if (!strcmp(argv[2], "epoll")) serve_epoll();
    die("unknown server", 0);
  }
  int pairs = argc > 1 ? atoi(argv[1]) : 5, n = argc > 2 ? atoi(argv[2]) : 10000;
  if (pairs < 1 || pairs > 50 || n < 1) die("usage: accept_memory [pairs] [connections]", 0);
  double a[50], b[50], r[50];
  for (int i = 0; i < pairs; i++) {
    for (int k = 0; k < 2; k++) {
      int netrt_now = (k == 0) == (i % 2 == 0);
      double kib = per_connection(netrt_now ? "netrt" : "epoll", n) / 1024;
      if (netrt_now) a[i] = kib;
      else b[i] = kib;
    }
    r[i] = a[i] / b[i];
    fprintf(stderr, "accept-memory pair %d: netrt %.2f / epoll %.2f KiB per connection\n", i + 1, a[i], b[i]);
  }
  double lo = r[0], hi = r[0];
  for (int i = 1; i < pairs; i++) {
    lo = r[i] < lo ? r[i] : lo;
    hi = r[i] > hi ? r[i] : hi;
  }
  printf("\nAccepted connections through the C API: netrt listener + ReadAsync pending per connection "
         "vs a plain epoll echo server, %d connections, each server in its own process, %d interleaved pairs\n\n",
         n, pairs);
  printf("| figure | netrt C API (median) | epoll (median) | ratio median | ratio min | ratio max |\n");
  printf("|---|---|---|---|---|---|\n");
  printf("| memory per accepted connection, read pending (KiB) | %.2f | %.2f | %.3f | %.3f | %.3f |\n",
         median(a, pairs), median(b, pairs), median(r, pairs), lo, hi);
  return 0;
}
