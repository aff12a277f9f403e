/* (c) Misuse is an HRESULT, never undefined behaviour: NULL pointers, released, never-issued
 * and wrong-kind handles, double release, double close, close and cancel during a pending read,
 * releasing a running operation. */
#include "common.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic netrt_handle g_accepted = 0;

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle sock = 0;
  (void)user_data;
  (void)sender;
  if (netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &sock) == NETRT_S_OK) {
    atomic_store(&g_accepted, sock); /* main takes ownership */
  }
}

/* Connects a new client to the listener; *server receives the accepted socket. */
static netrt_hresult connect_pair(const char *port, netrt_handle *client, netrt_handle *server) {
  netrt_handle host = 0, op = 0, sock = 0;
  netrt_hresult hr = netrt_stream_socket_create(&sock);
  if (hr == NETRT_S_OK) hr = netrt_host_name_create("127.0.0.1", &host);
  if (hr == NETRT_S_OK) hr = netrt_stream_socket_connect_async(sock, host, port, &op);
  if (hr == NETRT_S_OK) hr = wait_completed(op);
  for (int i = 0; hr == NETRT_S_OK && i < 1000 && atomic_load(&g_accepted) == 0; i++) {
    sleep_ms(10);
  }
  if (hr == NETRT_S_OK && atomic_load(&g_accepted) == 0) hr = NETRT_E_WAIT_TIMEOUT;
  RELEASE(op);
  RELEASE(host);
  if (hr != NETRT_S_OK) {
    RELEASE(sock);
    return hr;
  }
  *client = sock;
  *server = atomic_exchange(&g_accepted, 0);
  return NETRT_S_OK;
}

static netrt_hresult send_byte(netrt_handle socket) {
  netrt_handle out = 0, writer = 0, op = 0, detached = 0;
  netrt_hresult hr = netrt_stream_socket_get_output_stream(socket, &out);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_create_with_stream(out, &writer);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_write_byte(writer, 42);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_store_async(writer, &op);
  if (hr == NETRT_S_OK) hr = wait_completed(op);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_detach_stream(writer, &detached);
  RELEASE(detached);
  RELEASE(op);
  RELEASE(writer);
  RELEASE(out);
  return hr;
}

int main(void) {
  int rc = 1;
  netrt_handle host = 0, dup = 0, sock = 0, listener = 0, local = 0, op = 0, op2 = 0, client = 0,
               server = 0, in = 0, reader = 0, buffer = 0, out = 0, writer = 0;
  netrt_handle untouched = 0xDEADu;
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult code = 0;
  netrt_kind kind = NETRT_KIND_HOST_NAME;
  char port[16], small[4];
  size_t needed = 0;
  uint32_t unconsumed = 0, loaded = 0;
  int64_t token = 0;

  /* NULL pointer parameters: E_POINTER, out-params untouched. */
  CHECK_HR(netrt_stream_socket_create(NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_host_name_create(NULL, &untouched), NETRT_E_POINTER);
  CHECK(untouched == 0xDEADu);
  CHECK_HR(netrt_host_name_create("example.com", NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_host_name_create("", &untouched), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_host_name_create("\xff\xfe", &untouched), NETRT_E_NO_UNICODE_TRANSLATION);
  CHECK(untouched == 0xDEADu);
  CHECK_OK(netrt_host_name_create("Example.COM", &host));
  CHECK_HR(netrt_host_name_get_raw_name(host, small, sizeof small, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_host_name_get_raw_name(host, NULL, 10, &needed), NETRT_E_POINTER);
  CHECK_HR(netrt_host_name_get_canonical_name(host, NULL, 0, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(needed == sizeof "example.com");
  memcpy(small, "xyz", 4);
  CHECK_HR(netrt_host_name_get_canonical_name(host, small, sizeof small, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(needed == sizeof "example.com" && strcmp(small, "xyz") == 0);
  CHECK_HR(netrt_duplicate(host, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_get_kind(host, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_release(0), NETRT_E_POINTER);
  CHECK_HR(netrt_host_name_get_type(0, (netrt_host_name_type *)&code), NETRT_E_POINTER);
  CHECK_HR(netrt_async_get_status(0, &status), NETRT_E_POINTER);
  CHECK_OK(netrt_stream_socket_create(&sock));
  CHECK_HR(netrt_stream_socket_connect_async(sock, host, NULL, &op), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_connect_async(sock, host, "80", NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_connect_async(sock, host, "", &untouched), NETRT_E_INVALIDARG);
  CHECK(untouched == 0xDEADu);
  CHECK_OK(netrt_data_writer_create(&writer));
  CHECK_HR(netrt_data_writer_write_bytes(writer, NULL, 5), NETRT_E_POINTER);
  CHECK_OK(netrt_data_writer_write_bytes(writer, NULL, 0));
  CHECK_HR(netrt_data_writer_write_string(writer, NULL, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_data_writer_store_async(writer, &untouched), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK(untouched == 0xDEADu);
  printf("NULL pointers -> E_POINTER, out-params untouched, *needed reported\n");

  /* Released, never-issued and wrong-kind handles. */
  CHECK_OK(netrt_duplicate(host, &dup));
  CHECK(dup != host);
  CHECK_OK(netrt_release(host));
  CHECK_HR(netrt_host_name_get_type(host, (netrt_host_name_type *)&code), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_release(host), NETRT_RO_E_CLOSED); /* double release */
  host = 0;
  CHECK_OK(netrt_host_name_get_canonical_name(dup, port, sizeof port, &needed));
  CHECK(strcmp(port, "example.com") == 0); /* the other reference is unaffected */
  CHECK_HR(netrt_release((netrt_handle)0x12345678u), NETRT_E_HANDLE);
  CHECK_HR(netrt_release(~(netrt_handle)0), NETRT_E_HANDLE);
  CHECK_HR(netrt_release(dup + ((netrt_handle)1 << 32)), NETRT_E_HANDLE); /* newer generation */
  CHECK_HR(netrt_release(dup ^ ((netrt_handle)0x7F << 56)), NETRT_E_HANDLE); /* forged kind */
  CHECK_HR(netrt_stream_socket_get_control(dup, &untouched), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_async_wait(dup, 0), NETRT_E_INVALIDARG);
  CHECK(untouched == 0xDEADu);
  CHECK_OK(netrt_get_kind(dup, &kind));
  CHECK(kind == NETRT_KIND_HOST_NAME);
  CHECK_HR(netrt_close(dup), NETRT_E_INVALIDARG); /* a HostName is not IClosable */
  /* The broker's map views and subscriptions check their handles the same way (no broker
   * is contacted for these). */
  CHECK_HR(netrt_map_view_get_size(dup, &unconsumed), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_map_view_get_size(0, &unconsumed), NETRT_E_POINTER);
  CHECK_HR(netrt_map_view_get_value_at(dup, 0, &untouched), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_map_view_lookup_string(dup, "x", &untouched), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_activation_subscription_next_activation(dup, 0, &untouched), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_activation_subscription_next_activation((netrt_handle)0x12345678u, 0, &untouched), NETRT_E_HANDLE);
  CHECK_HR(netrt_background_task_registration_subscribe(dup, &untouched), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_socket_activity_information_get_all_sockets(NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_background_task_registration_get_all_tasks(NULL), NETRT_E_POINTER);
  CHECK(untouched == 0xDEADu);
  printf("stale -> RO_E_CLOSED, never issued -> E_HANDLE, wrong kind -> E_INVALIDARG\n");

  /* Close twice; a closed socket refuses to connect (synchronously: no operation). */
  CHECK_OK(netrt_close(sock));
  CHECK_OK(netrt_close(sock));
  CHECK_HR(netrt_stream_socket_connect_async(sock, dup, "80", &untouched), NETRT_RO_E_CLOSED);
  CHECK(untouched == 0xDEADu);
  RELEASE(sock);
  printf("close twice -> S_OK twice; connect after close -> RO_E_CLOSED\n");

  /* A listener and a connected pair. */
  CHECK_OK(netrt_stream_socket_listener_create(&listener));
  CHECK_HR(netrt_stream_socket_listener_add_connection_received(listener, NULL, NULL, &token),
           NETRT_E_POINTER);
  CHECK_OK(netrt_stream_socket_listener_add_connection_received(listener, on_connection, NULL, &token));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &local));
  AWAIT_OK(netrt_stream_socket_listener_bind_endpoint_async(listener, local, "", &op), op);
  CHECK_HR(netrt_stream_socket_listener_bind_endpoint_async(listener, local, "", &untouched),
           NETRT_E_ILLEGAL_METHOD_CALL); /* already bound */
  CHECK_OK(listener_port(listener, port, sizeof port));
  CHECK_OK(connect_pair(port, &client, &server));

  /* Close during a pending read: status Error, 0x800703E3 (OperationAborted). */
  CHECK_OK(netrt_stream_socket_get_input_stream(client, &in));
  CHECK_OK(netrt_data_reader_create_with_stream(in, &reader));
  CHECK_OK(netrt_data_reader_load_async(reader, 4, &op));
  CHECK_HR(netrt_async_wait(op, 20), NETRT_E_WAIT_TIMEOUT);
  CHECK_HR(netrt_async_get_results_uint32(op, &loaded), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_HR(netrt_data_reader_load_async(reader, 1, &untouched), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_HR(netrt_close(op), NETRT_E_ILLEGAL_STATE_CHANGE);
  CHECK_OK(netrt_close(client));
  CHECK_OK(netrt_async_wait(op, STEP_MS));
  CHECK_OK(netrt_async_get_status(op, &status));
  CHECK(status == NETRT_ASYNC_STATUS_ERROR);
  CHECK_OK(netrt_async_get_error_code(op, &code));
  CHECK(code == NETRT_E_OPERATION_ABORTED);
  CHECK(netrt_socket_error_get_status(code) == NETRT_SOCKET_ERROR_STATUS_OPERATION_ABORTED);
  CHECK_OK(netrt_close(op)); /* IAsyncInfo.Close once done */
  CHECK_HR(netrt_async_get_status(op, &status), NETRT_E_ILLEGAL_METHOD_CALL);
  RELEASE(op);
  CHECK_HR(netrt_data_reader_load_async(reader, 1, &untouched), NETRT_RO_E_CLOSED);
  RELEASE(reader);
  RELEASE(in);
  RELEASE(client);
  RELEASE(server);
  printf("close during a pending read -> Error 0x800703E3\n");

  /* Cancel: status Canceled, 0x800704C7; the reader is free for a new load at once. */
  CHECK_OK(connect_pair(port, &client, &server));
  CHECK_OK(netrt_stream_socket_get_input_stream(client, &in));
  CHECK_OK(netrt_data_reader_create_with_stream(in, &reader));
  CHECK_OK(netrt_data_reader_load_async(reader, 1, &op));
  CHECK_OK(netrt_async_cancel(op));
  CHECK_OK(netrt_async_cancel(op)); /* cancelling a finished operation: no effect */
  CHECK_OK(netrt_async_wait(op, 0));
  CHECK_OK(netrt_async_get_status(op, &status));
  CHECK(status == NETRT_ASYNC_STATUS_CANCELED);
  CHECK_OK(netrt_async_get_error_code(op, &code));
  CHECK(code == NETRT_E_CANCELLED);
  CHECK_HR(netrt_async_get_results(op), NETRT_E_CANCELLED);
  RELEASE(op);
  CHECK_OK(netrt_data_reader_load_async(reader, 1, &op));
  CHECK_OK(send_byte(server));
  CHECK_OK(wait_completed(op));
  CHECK_OK(netrt_async_get_results_uint32(op, &loaded));
  CHECK(loaded == 1);
  RELEASE(op);
  printf("cancel -> Canceled 0x800704C7; a new load then works\n");

  /* Releasing a running operation does not cancel it: the byte still lands in the reader. */
  CHECK_OK(netrt_data_reader_load_async(reader, 1, &op));
  CHECK_OK(netrt_release(op));
  CHECK_HR(netrt_async_get_status(op, &status), NETRT_RO_E_CLOSED);
  op = 0;
  CHECK_OK(send_byte(server));
  for (int i = 0; i < 1000; i++) {
    CHECK_OK(netrt_data_reader_get_unconsumed_buffer_length(reader, &unconsumed));
    if (unconsumed == 2) break;
    sleep_ms(10);
  }
  CHECK(unconsumed == 2);
  printf("released running operation completed anyway\n");

  /* ReadAsync argument checks. */
  CHECK_OK(netrt_buffer_create(8, &buffer));
  CHECK_HR(netrt_input_stream_read_async(in, buffer, 9, 0, &untouched), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_input_stream_read_async(in, buffer, 8, 7, &untouched), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_input_stream_read_async(in, in, 8, 0, &untouched), NETRT_E_INVALIDARG);
  CHECK(untouched == 0xDEADu);
  rc = 0;

cleanup:
  RELEASE(writer);
  RELEASE(out);
  RELEASE(buffer);
  RELEASE(op2);
  RELEASE(op);
  RELEASE(reader);
  RELEASE(in);
  RELEASE(client);
  RELEASE(server);
  RELEASE(local);
  RELEASE(listener);
  RELEASE(sock);
  RELEASE(dup);
  RELEASE(host);
  {
    netrt_handle late = atomic_exchange(&g_accepted, 0);
    RELEASE(late);
  }
  printf("%s: test_misuse (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
