/* (a) Echo over a netrt listener and a netrt client: the samples' length-prefixed hello
 * (DataWriter.MeasureString + WriteInt32 + WriteString + StoreAsync + DetachStream), echoed back
 * by a ConnectionReceived handler that reads it with a DataReader. */
#include "common.h"

#include <stdatomic.h>
#include <time.h>

static const char HELLO[] = "Hello, World! \xE2\x98\xBA "; /* "Hello, World! ☺ " */

static atomic_int g_server_done = 0; /* 1 = echoed, -1 = failed */

/* Runs on netrt's dispatcher thread; blocking waits are allowed there. */
static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle sock = 0, in = 0, out = 0, reader = 0, writer = 0, op = 0;
  char text[256];
  size_t needed = 0;
  int32_t len = 0;
  uint32_t written = 0;
  int ok = 0;
  (void)user_data;
  (void)sender;

  CHECK_OK(netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &sock));
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_stream_socket_get_output_stream(sock, &out));
  CHECK_OK(netrt_data_reader_create_with_stream(in, &reader));
  AWAIT_OK(netrt_data_reader_load_async(reader, 4, &op), op);
  CHECK_OK(netrt_data_reader_read_int32(reader, &len));
  CHECK(len > 0 && len < (int32_t)sizeof text);
  AWAIT_OK(netrt_data_reader_load_async(reader, (uint32_t)len, &op), op);
  CHECK_OK(netrt_data_reader_read_string(reader, (uint32_t)len, text, sizeof text, &needed));
  CHECK(needed == (size_t)len + 1);

  CHECK_OK(netrt_data_writer_create_with_stream(out, &writer));
  CHECK_OK(netrt_data_writer_write_int32(writer, len));
  CHECK_OK(netrt_data_writer_write_string(writer, text, &written));
  CHECK(written == (uint32_t)len);
  AWAIT_OK(netrt_data_writer_store_async(writer, &op), op);
  ok = 1;

cleanup:
  RELEASE(op);
  RELEASE(writer); /* not detached: closes the stream, i.e. the accepted socket */
  RELEASE(reader);
  RELEASE(out);
  RELEASE(in);
  RELEASE(sock);
  atomic_store(&g_server_done, ok ? 1 : -1);
}

int main(void) {
  int rc = 1;
  netrt_handle listener = 0, local = 0, host = 0, sock = 0, out = 0, in = 0, writer = 0,
               detached = 0, reader = 0, op = 0;
  int64_t token = 0;
  char port[16], echoed[256];
  size_t needed = 0;
  uint32_t len = 0, stored = 0, loaded = 0;
  int32_t echoed_len = 0;

  /* Server: a netrt listener on 127.0.0.1, ephemeral port. */
  CHECK_OK(netrt_stream_socket_listener_create(&listener));
  CHECK_OK(netrt_stream_socket_listener_add_connection_received(listener, on_connection, NULL, &token));
  CHECK(token != 0);
  CHECK_OK(netrt_host_name_create("127.0.0.1", &local));
  AWAIT_OK(netrt_stream_socket_listener_bind_endpoint_async(listener, local, "", &op), op);
  CHECK_OK(listener_port(listener, port, sizeof port));
  printf("listener bound on 127.0.0.1:%s\n", port);

  /* Client: connect, send the length-prefixed hello, detach the stream. */
  CHECK_OK(netrt_stream_socket_create(&sock));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  AWAIT_OK(netrt_stream_socket_connect_async(sock, host, port, &op), op);
  CHECK_OK(netrt_stream_socket_get_output_stream(sock, &out));
  CHECK_OK(netrt_data_writer_create_with_stream(out, &writer));
  CHECK_OK(netrt_data_writer_measure_string(writer, HELLO, &len));
  CHECK(len == sizeof HELLO - 1);
  CHECK_OK(netrt_data_writer_write_int32(writer, (int32_t)len));
  CHECK_OK(netrt_data_writer_write_string(writer, HELLO, NULL));
  CHECK_OK(netrt_data_writer_store_async(writer, &op));
  CHECK_OK(netrt_async_wait(op, STEP_MS));
  CHECK_OK(netrt_async_get_results_uint32(op, &stored));
  RELEASE(op);
  CHECK(stored == 4 + len);
  CHECK_OK(netrt_data_writer_detach_stream(writer, &detached));
  CHECK(detached != 0);
  RELEASE(writer); /* detached: the socket stays open */
  printf("client sent %u-byte hello\n", (unsigned)stored);

  /* Read the echo. */
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_data_reader_create_with_stream(in, &reader));
  CHECK_OK(netrt_data_reader_load_async(reader, 4, &op));
  CHECK_OK(netrt_async_wait(op, STEP_MS));
  CHECK_OK(netrt_async_get_results_uint32(op, &loaded));
  RELEASE(op);
  CHECK(loaded == 4);
  CHECK_OK(netrt_data_reader_read_int32(reader, &echoed_len));
  CHECK(echoed_len == (int32_t)len);
  AWAIT_OK(netrt_data_reader_load_async(reader, (uint32_t)echoed_len, &op), op);
  CHECK_OK(netrt_data_reader_read_string(reader, (uint32_t)echoed_len, echoed, sizeof echoed, &needed));
  CHECK(strcmp(echoed, HELLO) == 0);
  printf("client read the echo: \"%s\"\n", echoed);

  for (int i = 0; i < 1000 && atomic_load(&g_server_done) == 0; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  CHECK(atomic_load(&g_server_done) == 1);
  printf("server handler echoed and cleaned up\n");
  CHECK_OK(netrt_stream_socket_listener_remove_connection_received(listener, token));
  rc = 0;

cleanup:
  RELEASE(op);
  RELEASE(reader);
  RELEASE(in);
  RELEASE(detached);
  RELEASE(writer);
  RELEASE(out);
  RELEASE(sock);
  RELEASE(host);
  RELEASE(local);
  RELEASE(listener);
  printf("%s: test_echo (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
