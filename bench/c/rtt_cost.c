/* The CPU cost of one round trip through the C API, for counting under valgrind
 * (bench/c/rtt_cost.sh): a netrt client writes 64 bytes and reads 64 back from a blocking
 * POSIX echo thread, `rounds` times. Usage: rtt_cost ROUNDS [async|one]. `async` (the
 * default): each step WinRT-shaped, `*_async` + `wait` + `get_results` + `release`; `one`:
 * each step one call, `netrt_output_stream_write` / `netrt_input_stream_read` (what bench_c's
 * one-call ping-pong does). Instruction and allocation counts do not depend on the machine's
 * load, unlike the round-trip times bench_c measures. */
#define _DEFAULT_SOURCE /* usleep */
#include <netrt.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

enum { MSG = 64 };

/* `one` mode: the echo answers only after this pause, so the client's read finds nothing and
 * waits in poll(2), as it does in bench_c's pinned ping-pong (where the echo thread runs only
 * once the client sleeps). Without it, valgrind's thread scheduling decides whether the data is
 * there when the read starts, and the count measures a path the benchmark rarely takes. */
static useconds_t echo_pause_us;

static void *echo(void *arg) {
  int listener = *(int *)arg;
  int c = accept(listener, NULL, NULL);
  char b[MSG];
  for (;;) {
    ssize_t got = 0;
    while (got < MSG) {
      ssize_t n = recv(c, b + got, (size_t)(MSG - got), 0);
      if (n <= 0) return NULL;
      got += n;
    }
    if (echo_pause_us) usleep(echo_pause_us);
    if (send(c, b, MSG, 0) != MSG) return NULL;
  }
}

/* One WinRT-shaped step: wait for `op`, take its results, release it. */
static void finish(netrt_handle op) {
  OK(netrt_async_wait(op, 5000));
  OK(netrt_async_get_results(op));
  OK(netrt_release(op));
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 10000;
  int one_call = argc > 2 && strcmp(argv[2], "one") == 0;
  if (argc > 2 && !one_call && strcmp(argv[2], "async") != 0) die("usage: rtt_cost ROUNDS [async|one]", 2);
  if (one_call) echo_pause_us = 200;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, (struct sockaddr *)&a, &len) != 0)
    die("listen", -1);
  pthread_t t;
  pthread_create(&t, NULL, echo, &listener);
  char port[16];
  snprintf(port, sizeof port, "%u", ntohs(a.sin_port));

  netrt_handle s = 0, host = 0, op = 0, in = 0, out = 0, sent = 0, got = 0;
  OK(netrt_stream_socket_create(&s));
  OK(netrt_host_name_create("127.0.0.1", &host));
  OK(netrt_stream_socket_connect_async(s, host, port, &op));
  finish(op);
  OK(netrt_stream_socket_get_input_stream(s, &in));
  OK(netrt_stream_socket_get_output_stream(s, &out));
  OK(netrt_buffer_create(MSG, &sent));
  OK(netrt_buffer_set_length(sent, MSG));
  OK(netrt_buffer_create(MSG, &got));
  for (int i = 0; i < rounds; i++) {
    if (one_call) {
      uint32_t n = 0;
      OK(netrt_output_stream_write(out, sent, 5000, &n));
      OK(netrt_input_stream_read(in, got, MSG, NETRT_INPUT_STREAM_OPTIONS_NONE, 5000, &n));
      if (n != MSG) die("short read", (long)n);
    } else {
      OK(netrt_output_stream_write_async(out, sent, &op));
      finish(op);
      OK(netrt_input_stream_read_async(in, got, MSG, NETRT_INPUT_STREAM_OPTIONS_NONE, &op));
      finish(op);
    }
  }
  printf("%d %s round trips\n", rounds, one_call ? "one-call" : "WinRT-shaped");
  return 0;
}
