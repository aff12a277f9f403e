/* A StreamSocketListener echo server and a StreamSocket client, in C over libnetrt.
 *
 *   listener_echo                      demo: server and client in one process (make demo)
 *   listener_echo server [port]        serve until killed (port "" / omitted: ephemeral)
 *   listener_echo client HOST PORT TEXT
 *
 * The protocol is the samples' length-prefixed hello: a big-endian int32 byte count, then the
 * UTF-8 text (DataWriter.MeasureString + WriteInt32 + WriteString). The server echoes it back. */
#define _POSIX_C_SOURCE 200809L
#include <netrt.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS 10000u

/* Waits for the operation `started` produced in `*op` (read only after the call that started
 * it has run), prints why it failed if it did, and releases it. */
static netrt_hresult finish(netrt_hresult started, netrt_handle *op_out, const char *what) {
  netrt_handle op = *op_out;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult code = started;
  char detail[256] = "";
  size_t needed = 0;
  if (started != NETRT_S_OK) {
    netrt_get_last_error_detail(detail, sizeof detail, &needed);
  } else if (netrt_async_wait(op, WAIT_MS) != NETRT_S_OK) {
    code = NETRT_E_WAIT_TIMEOUT;
    strcpy(detail, "timed out");
  } else {
    netrt_async_get_status(op, &status);
    netrt_async_get_error_code(op, &code);
    netrt_async_get_error_detail(op, detail, sizeof detail, &needed);
  }
  if (code != NETRT_S_OK) {
    fprintf(stderr, "%s failed: 0x%08X (SocketErrorStatus %d): %s\n", what, (unsigned)code,
            (int)netrt_socket_error_get_status(code), detail);
  }
  if (op) netrt_release(op);
  *op_out = 0;
  return code;
}

/* Reads one length-prefixed message into `text` (NUL-terminated). */
static netrt_hresult read_message(netrt_handle reader, char *text, size_t size) {
  netrt_handle op = 0;
  int32_t len = 0;
  size_t needed = 0;
  netrt_hresult hr = finish(netrt_data_reader_load_async(reader, 4, &op), &op, "LoadAsync");
  if (hr == NETRT_S_OK) hr = netrt_data_reader_read_int32(reader, &len);
  if (hr == NETRT_S_OK && (len < 0 || (size_t)len >= size)) hr = NETRT_E_BOUNDS;
  op = 0;
  if (hr == NETRT_S_OK) hr = finish(netrt_data_reader_load_async(reader, (uint32_t)len, &op), &op, "LoadAsync");
  if (hr == NETRT_S_OK) hr = netrt_data_reader_read_string(reader, (uint32_t)len, text, size, &needed);
  return hr;
}

/* Writes one length-prefixed message and stores it. */
static netrt_hresult write_message(netrt_handle writer, const char *text) {
  netrt_handle op = 0;
  uint32_t len = 0;
  netrt_hresult hr = netrt_data_writer_measure_string(writer, text, &len);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_write_int32(writer, (int32_t)len);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_write_string(writer, text, NULL);
  if (hr == NETRT_S_OK) hr = finish(netrt_data_writer_store_async(writer, &op), &op, "StoreAsync");
  return hr;
}

/* ConnectionReceived: runs on netrt's dispatcher thread, where blocking waits are fine. */
static void on_connection(void *user_data, netrt_handle listener, netrt_handle args) {
  netrt_handle socket = 0, in = 0, out = 0, reader = 0, writer = 0;
  char text[1024];
  (void)user_data;
  (void)listener;
  if (netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &socket) == NETRT_S_OK &&
      netrt_stream_socket_get_input_stream(socket, &in) == NETRT_S_OK &&
      netrt_stream_socket_get_output_stream(socket, &out) == NETRT_S_OK &&
      netrt_data_reader_create_with_stream(in, &reader) == NETRT_S_OK &&
      netrt_data_writer_create_with_stream(out, &writer) == NETRT_S_OK &&
      read_message(reader, text, sizeof text) == NETRT_S_OK) {
    printf("server: received \"%s\", echoing\n", text);
    write_message(writer, text);
  }
  /* Releasing the reader and writer (not detached) closes the connection, as in WinRT. */
  if (writer) netrt_release(writer);
  if (reader) netrt_release(reader);
  if (out) netrt_release(out);
  if (in) netrt_release(in);
  if (socket) netrt_release(socket);
  fflush(stdout);
}

static netrt_hresult start_server(const char *port_in, netrt_handle *listener, char *port, size_t size) {
  netrt_handle op = 0, info = 0;
  int64_t token = 0;
  size_t needed = 0;
  netrt_hresult hr = netrt_stream_socket_listener_create(listener);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_listener_add_connection_received(*listener, on_connection, NULL, &token);
  if (hr == NETRT_S_OK) {
    hr = finish(netrt_stream_socket_listener_bind_service_name_async(*listener, port_in, &op), &op,
                "BindServiceNameAsync");
  }
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_listener_get_information(*listener, &info);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_listener_information_get_local_port(info, port, size, &needed);
  if (info) netrt_release(info);
  return hr;
}

static netrt_hresult run_client(const char *host_name, const char *port, const char *text) {
  netrt_handle host = 0, socket = 0, op = 0, in = 0, out = 0, reader = 0, writer = 0, detached = 0;
  char echoed[1024];
  netrt_hresult hr = netrt_host_name_create(host_name, &host);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_create(&socket);
  if (hr == NETRT_S_OK) hr = finish(netrt_stream_socket_connect_async(socket, host, port, &op), &op, "ConnectAsync");
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_get_output_stream(socket, &out);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_create_with_stream(out, &writer);
  if (hr == NETRT_S_OK) {
    printf("client: sending \"%s\"\n", text);
    hr = write_message(writer, text);
  }
  /* Detach the stream so releasing the writer does not close the socket. */
  if (hr == NETRT_S_OK) hr = netrt_data_writer_detach_stream(writer, &detached);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_get_input_stream(socket, &in);
  if (hr == NETRT_S_OK) hr = netrt_data_reader_create_with_stream(in, &reader);
  if (hr == NETRT_S_OK) hr = read_message(reader, echoed, sizeof echoed);
  if (hr == NETRT_S_OK) printf("client: echo \"%s\"%s\n", echoed, strcmp(echoed, text) ? " (MISMATCH)" : "");
  if (hr == NETRT_S_OK && strcmp(echoed, text) != 0) hr = NETRT_E_UNEXPECTED;
  if (reader) netrt_release(reader);
  if (in) netrt_release(in);
  if (detached) netrt_release(detached);
  if (writer) netrt_release(writer);
  if (out) netrt_release(out);
  if (socket) netrt_release(socket);
  if (host) netrt_release(host);
  return hr;
}

int main(int argc, char **argv) {
  netrt_handle listener = 0;
  char port[16];
  netrt_hresult hr;
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("netrt %s\n", netrt_version());
  if (argc >= 2 && strcmp(argv[1], "server") == 0) {
    hr = start_server(argc >= 3 ? argv[2] : "", &listener, port, sizeof port);
    if (hr == NETRT_S_OK) {
      printf("server: listening on port %s (Ctrl-C to stop)\n", port);
      for (;;) pause();
    }
  } else if (argc == 5 && strcmp(argv[1], "client") == 0) {
    hr = run_client(argv[2], argv[3], argv[4]);
  } else if (argc == 1) {
    hr = start_server("", &listener, port, sizeof port);
    if (hr == NETRT_S_OK) {
      printf("server: listening on port %s\n", port);
      hr = run_client("127.0.0.1", port, "Hello, World! \xE2\x98\xBA ");
    }
  } else {
    fprintf(stderr, "usage: %s [server [port] | client HOST PORT TEXT]\n", argv[0]);
    return 2;
  }
  if (listener) netrt_release(listener);
  return hr == NETRT_S_OK ? 0 : 1;
}
