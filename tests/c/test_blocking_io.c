/* The one-call blocking forms (netrt_input_stream_read, netrt_output_stream_write,
 * netrt_data_reader_load, netrt_data_writer_store): the same outcome as *_async + wait +
 * GetResults + release — data there before the call and arriving during it, a timeout that
 * consumes nothing and leaves the socket usable, CancelIOAsync and Close from another thread
 * ending a call with 0x800703E3, the synchronous errors of the async forms; a connected
 * DatagramSocket's OutputStream sends one datagram per call. */
#include "posix_peer.h"

#include <pthread.h>

enum { DO_SEND, DO_CANCEL_IO, DO_CLOSE };

typedef struct {
  int kind, delay_ms, fd;
  netrt_handle h;
  const char *text;
  pthread_t thread;
} later;

static void *run_later(void *arg) {
  later *l = arg;
  netrt_handle op = 0;
  sleep_ms(l->delay_ms);
  if (l->kind == DO_SEND) {
    (void)!send(l->fd, l->text, strlen(l->text), MSG_NOSIGNAL);
  } else if (l->kind == DO_CANCEL_IO) {
    if (netrt_stream_socket_cancel_io_async(l->h, &op) == NETRT_S_OK) {
      (void)netrt_async_wait(op, STEP_MS);
      (void)netrt_release(op);
    }
  } else {
    (void)netrt_close(l->h);
  }
  return NULL;
}

static int start_later(later *l, int kind, int delay_ms, int fd, netrt_handle h, const char *text) {
  l->kind = kind;
  l->delay_ms = delay_ms;
  l->fd = fd;
  l->h = h;
  l->text = text;
  return pthread_create(&l->thread, NULL, run_later, l) == 0;
}

static int buffer_holds(netrt_handle buffer, const char *text) {
  uint8_t *data = NULL;
  uint32_t len = 0;
  return netrt_buffer_get_data(buffer, &data) == NETRT_S_OK && netrt_buffer_get_length(buffer, &len) == NETRT_S_OK &&
         len == strlen(text) && memcmp(data, text, len) == 0;
}

/* One netrt_output_stream_write per datagram on a connected DatagramSocket's OutputStream,
 * received by a plain UDP socket. */
static int datagram_output(netrt_handle buffer) {
  int udp = socket(AF_INET, SOCK_DGRAM, 0), ok = 0;
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  netrt_handle dgram = 0, host = 0, op = 0, dout = 0;
  char port[16], got[64];
  uint32_t n = 0;
  CHECK(udp >= 0 && bind(udp, (struct sockaddr *)&addr, sizeof addr) == 0);
  CHECK(getsockname(udp, (struct sockaddr *)&addr, &len) == 0);
  snprintf(port, sizeof port, "%u", ntohs(addr.sin_port));
  CHECK_OK(netrt_datagram_socket_create(&dgram));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  AWAIT_OK(netrt_datagram_socket_connect_async(dgram, host, port, &op), op);
  CHECK_OK(netrt_datagram_socket_get_output_stream(dgram, &dout));
  for (int i = 0; i < 3; i++) {
    CHECK_OK(netrt_buffer_set_length(buffer, (uint32_t)(4 + i)));
    CHECK_OK(netrt_output_stream_write(dout, buffer, STEP_MS, &n));
    CHECK(n == (uint32_t)(4 + i) && recv(udp, got, sizeof got, 0) == 4 + i);
  }
  /* A closed DatagramSocket's stream: RO_E_CLOSED, at the call. */
  CHECK_OK(netrt_close(dgram));
  CHECK_HR(netrt_output_stream_write(dout, buffer, STEP_MS, &n), NETRT_RO_E_CLOSED);
  ok = 1;
cleanup:
  RELEASE(dout);
  RELEASE(op);
  RELEASE(host);
  RELEASE(dgram);
  if (udp >= 0) close(udp);
  return ok;
}

int main(void) {
  netrt_handle sock = 0, in = 0, out = 0, buffer = 0, reader = 0, writer = 0, sock2 = 0, in2 = 0;
  int peer = -1, peer2 = -1, ok = 0;
  uint32_t n = 0;
  char got[64];
  later l;
  const uint32_t partial = NETRT_INPUT_STREAM_OPTIONS_PARTIAL;

  CHECK(open_listener());
  CHECK(connect_to_listener(&sock, &peer));
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_stream_socket_get_output_stream(sock, &out));
  CHECK_OK(netrt_buffer_create(64, &buffer));

  /* Data already there: one call, done. */
  CHECK(send(peer, "ready", 5, 0) == 5);
  sleep_ms(20);
  CHECK_OK(netrt_input_stream_read(in, buffer, 64, partial, NETRT_INFINITE, &n));
  CHECK(n == 5 && buffer_holds(buffer, "ready"));

  /* Data arriving during the call. */
  CHECK(start_later(&l, DO_SEND, 30, peer, 0, "later"));
  CHECK_OK(netrt_input_stream_read(in, buffer, 64, partial, STEP_MS, &n));
  pthread_join(l.thread, NULL);
  CHECK(n == 5 && buffer_holds(buffer, "later"));

  /* A timeout consumes nothing; the next call on the same socket gets the data. */
  n = 77;
  CHECK_HR(netrt_input_stream_read(in, buffer, 64, partial, 20, &n), NETRT_E_WAIT_TIMEOUT);
  CHECK(n == 77); /* out-params are written only on success */
  CHECK(send(peer, "after", 5, 0) == 5);
  CHECK_OK(netrt_input_stream_read(in, buffer, 64, partial, STEP_MS, &n));
  CHECK(n == 5 && buffer_holds(buffer, "after"));

  /* Data there and no time to wait (timeout 0): returned — also on a thread whose last reads
   * had to wait, which waits for readiness before it reads. */
  CHECK(send(peer, "zero", 4, 0) == 4);
  sleep_ms(20);
  CHECK_OK(netrt_input_stream_read(in, buffer, 64, partial, 0, &n));
  CHECK(n == 4 && buffer_holds(buffer, "zero"));
  CHECK_HR(netrt_input_stream_read(in, buffer, 64, partial, 0, &n), NETRT_E_WAIT_TIMEOUT);

  /* Options None: waits for all `count` bytes. */
  CHECK(start_later(&l, DO_SEND, 20, peer, 0, "abc"));
  CHECK(send(peer, "xy", 2, 0) == 2);
  CHECK_OK(netrt_input_stream_read(in, buffer, 5, NETRT_INPUT_STREAM_OPTIONS_NONE, STEP_MS, &n));
  pthread_join(l.thread, NULL);
  CHECK(n == 5 && buffer_holds(buffer, "xyabc"));

  /* Options None, and only part of `count` there when the time runs out: the call succeeds
   * with what it received (a timeout never loses bytes). */
  CHECK(send(peer, "xy", 2, 0) == 2);
  CHECK_OK(netrt_input_stream_read(in, buffer, 5, NETRT_INPUT_STREAM_OPTIONS_NONE, 30, &n));
  CHECK(n == 2 && buffer_holds(buffer, "xy"));

  /* The write form, and the same synchronous errors as the async forms. */
  CHECK_OK(netrt_buffer_set_length(buffer, 4));
  memcpy(got, "pong", 4);
  {
    uint8_t *data = NULL;
    CHECK_OK(netrt_buffer_get_data(buffer, &data));
    memcpy(data, "pong", 4);
  }
  CHECK_OK(netrt_output_stream_write(out, buffer, STEP_MS, &n));
  CHECK(n == 4 && recv(peer, got, sizeof got, 0) == 4 && memcmp(got, "pong", 4) == 0);
  CHECK_HR(netrt_input_stream_read(in, buffer, 65, partial, STEP_MS, &n), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_input_stream_read(in, buffer, 64, 99, STEP_MS, &n), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_input_stream_read(in, buffer, 64, partial, STEP_MS, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_input_stream_read(0, buffer, 64, partial, STEP_MS, &n), NETRT_E_POINTER);
  CHECK_HR(netrt_output_stream_write(in, buffer, STEP_MS, &n), NETRT_E_INVALIDARG);

  /* DataReader / DataWriter. */
  CHECK_OK(netrt_data_reader_create_with_stream(in, &reader));
  CHECK_OK(netrt_data_writer_create_with_stream(out, &writer));
  CHECK_OK(netrt_data_writer_write_string(writer, "hello", &n));
  CHECK_OK(netrt_data_writer_store(writer, STEP_MS, &n));
  CHECK(n == 5 && recv(peer, got, sizeof got, 0) == 5 && memcmp(got, "hello", 5) == 0);
  CHECK_HR(netrt_data_reader_load(reader, 4, 20, &n), NETRT_E_WAIT_TIMEOUT);
  CHECK(start_later(&l, DO_SEND, 20, peer, 0, "data"));
  CHECK_OK(netrt_data_reader_load(reader, 4, STEP_MS, &n));
  pthread_join(l.thread, NULL);
  CHECK(n == 4);
  CHECK_OK(netrt_data_reader_get_unconsumed_buffer_length(reader, &n));
  CHECK(n == 4);

  /* CancelIOAsync from another thread ends the call with 0x800703E3; the socket reads on. */
  CHECK_OK(netrt_data_reader_detach_stream(reader, &in2));
  RELEASE(in2);
  CHECK(start_later(&l, DO_CANCEL_IO, 30, -1, sock, NULL));
  CHECK_HR(netrt_input_stream_read(in, buffer, 64, partial, STEP_MS, &n), NETRT_E_OPERATION_ABORTED);
  pthread_join(l.thread, NULL);
  CHECK(send(peer, "still", 5, 0) == 5);
  CHECK_OK(netrt_input_stream_read(in, buffer, 64, partial, STEP_MS, &n));
  CHECK(n == 5 && buffer_holds(buffer, "still"));

  /* Close from another thread ends it too, and the socket is closed for everyone after. */
  CHECK(connect_to_listener(&sock2, &peer2));
  CHECK_OK(netrt_stream_socket_get_input_stream(sock2, &in2));
  CHECK(start_later(&l, DO_CLOSE, 30, -1, sock2, NULL));
  CHECK_HR(netrt_input_stream_read(in2, buffer, 64, partial, STEP_MS, &n), NETRT_E_OPERATION_ABORTED);
  pthread_join(l.thread, NULL);
  CHECK_HR(netrt_input_stream_read(in2, buffer, 64, partial, STEP_MS, &n), NETRT_RO_E_CLOSED);

  CHECK(datagram_output(buffer));

  ok = 1;
  printf("PASS: test_blocking_io (%d checks)\n", g_checks);
cleanup:
  RELEASE(in2);
  RELEASE(sock2);
  RELEASE(reader);
  RELEASE(writer);
  RELEASE(buffer);
  RELEASE(out);
  RELEASE(in);
  RELEASE(sock);
  if (peer >= 0) close(peer);
  if (peer2 >= 0) close(peer2);
  if (listen_fd >= 0) close(listen_fd);
  return ok ? 0 : 1;
}
