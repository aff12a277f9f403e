/* (d) Completion callbacks: they run on netrt's dispatcher thread; one may block in
 * netrt_async_wait on another operation without deadlocking; each fires exactly once, also
 * when set after the operation completed (then inline, on the caller's thread); a second
 * handler is E_ILLEGAL_DELEGATE_ASSIGNMENT.
 * Two ConnectionReceived handlers share one socket object: the first takes the socket and
 * releases it at once, and the socket the second keeps stays open (the whole test uses it). */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static _Atomic netrt_handle g_accepted = 0;
static atomic_int g_fired = 0;          /* calls of on_first_loaded */
static atomic_int g_waiting = 0;        /* on_first_loaded is blocked in netrt_async_wait */
static atomic_int g_nested_result = 0;  /* 1: the nested wait saw Completed; -1: failure */
static atomic_int g_inline_calls = 0;
static atomic_int g_on_main_thread = 0;
static atomic_int g_on_other_thread = 0;
static pthread_t g_main;
static netrt_handle g_reader = 0;
static netrt_handle g_nested_op = 0;

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static atomic_int g_released_by_first = 0;

/* The first ConnectionReceived handler: takes the socket and lets it go. */
static void on_connection_release(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle sock = 0;
  (void)user_data;
  (void)sender;
  if (netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &sock) == NETRT_S_OK &&
      netrt_release(sock) == NETRT_S_OK) {
    atomic_store(&g_released_by_first, 1);
  }
}

static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle sock = 0;
  (void)user_data;
  (void)sender;
  if (netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &sock) == NETRT_S_OK) {
    atomic_store(&g_accepted, sock);
  }
}

/* Completion of the first load: starts a second load and blocks until it completes. */
static void on_first_loaded(void *user_data, netrt_handle op, netrt_async_status status) {
  netrt_async_status nested = NETRT_ASYNC_STATUS_STARTED;
  (void)user_data;
  (void)op;
  atomic_fetch_add(&g_fired, 1);
  if (!pthread_equal(pthread_self(), g_main)) atomic_store(&g_on_other_thread, 1);
  if (status != NETRT_ASYNC_STATUS_COMPLETED ||
      netrt_data_reader_load_async(g_reader, 1, &g_nested_op) != NETRT_S_OK) {
    atomic_store(&g_nested_result, -1);
    return;
  }
  atomic_store(&g_waiting, 1);
  if (netrt_async_wait(g_nested_op, STEP_MS) == NETRT_S_OK &&
      netrt_async_get_status(g_nested_op, &nested) == NETRT_S_OK &&
      nested == NETRT_ASYNC_STATUS_COMPLETED) {
    atomic_store(&g_nested_result, 1);
  } else {
    atomic_store(&g_nested_result, -1);
  }
}

static void on_done_inline(void *user_data, netrt_handle op, netrt_async_status status) {
  (void)op;
  atomic_fetch_add(&g_inline_calls, 1);
  if (pthread_equal(pthread_self(), g_main)) atomic_store(&g_on_main_thread, 1);
  *(netrt_async_status *)user_data = status;
}

static netrt_hresult store_byte(netrt_handle writer) {
  netrt_handle op = 0;
  netrt_hresult hr = netrt_data_writer_write_byte(writer, 7);
  if (hr == NETRT_S_OK) hr = netrt_data_writer_store_async(writer, &op);
  if (hr == NETRT_S_OK) hr = wait_completed(op);
  RELEASE(op);
  return hr;
}

int main(void) {
  int rc = 1;
  netrt_handle listener = 0, local = 0, host = 0, client = 0, server = 0, in = 0, out = 0,
               writer = 0, op = 0, done_op = 0, detached = 0;
  netrt_async_status seen = NETRT_ASYNC_STATUS_STARTED;
  int64_t token = 0, first_token = 0;
  char port[16];
  g_main = pthread_self();

  CHECK_OK(netrt_stream_socket_listener_create(&listener));
  CHECK_OK(netrt_stream_socket_listener_add_connection_received(listener, on_connection_release, NULL, &first_token));
  CHECK_OK(netrt_stream_socket_listener_add_connection_received(listener, on_connection, NULL, &token));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &local));
  AWAIT_OK(netrt_stream_socket_listener_bind_endpoint_async(listener, local, "0", &op), op);
  CHECK_OK(listener_port(listener, port, sizeof port));
  CHECK_OK(netrt_stream_socket_create(&client));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  AWAIT_OK(netrt_stream_socket_connect_async(client, host, port, &op), op);
  for (int i = 0; i < 1000 && atomic_load(&g_accepted) == 0; i++) sleep_ms(10);
  server = atomic_exchange(&g_accepted, 0);
  CHECK(server != 0);
  CHECK(atomic_load(&g_released_by_first) == 1);
  CHECK_OK(netrt_stream_socket_get_output_stream(server, &out));
  CHECK_OK(netrt_data_writer_create_with_stream(out, &writer));
  CHECK_OK(netrt_stream_socket_get_input_stream(client, &in));
  CHECK_OK(netrt_data_reader_create_with_stream(in, &g_reader));

  /* A pending load whose handler blocks on another operation. */
  CHECK_OK(netrt_data_reader_load_async(g_reader, 1, &op));
  CHECK_OK(netrt_async_set_completed(op, on_first_loaded, NULL));
  CHECK_HR(netrt_async_set_completed(op, on_first_loaded, NULL), NETRT_E_ILLEGAL_DELEGATE_ASSIGNMENT);
  CHECK_OK(store_byte(writer)); /* completes the first load */
  for (int i = 0; i < 1000 && !atomic_load(&g_waiting) && atomic_load(&g_nested_result) == 0; i++) {
    sleep_ms(10);
  }
  CHECK(atomic_load(&g_waiting) == 1);
  CHECK_OK(store_byte(writer)); /* completes the nested load the handler waits for */
  for (int i = 0; i < 1000 && atomic_load(&g_nested_result) == 0; i++) sleep_ms(10);
  CHECK(atomic_load(&g_nested_result) == 1);
  CHECK(atomic_load(&g_on_other_thread) == 1);
  printf("handler ran on the dispatcher thread and its nested wait returned\n");
  sleep_ms(50);
  CHECK(atomic_load(&g_fired) == 1);
  CHECK_HR(netrt_async_set_completed(op, on_first_loaded, NULL), NETRT_E_ILLEGAL_DELEGATE_ASSIGNMENT);
  CHECK(atomic_load(&g_fired) == 1);
  printf("handler fired exactly once\n");

  /* A handler set after completion runs inline, on this thread, once. */
  CHECK_OK(netrt_data_writer_store_async(writer, &done_op)); /* nothing unstored: done at once */
  CHECK_OK(netrt_async_wait(done_op, STEP_MS));
  CHECK_HR(netrt_async_set_completed(done_op, NULL, NULL), NETRT_E_POINTER);
  CHECK_OK(netrt_async_set_completed(done_op, on_done_inline, &seen));
  CHECK(atomic_load(&g_inline_calls) == 1);
  CHECK(atomic_load(&g_on_main_thread) == 1);
  CHECK(seen == NETRT_ASYNC_STATUS_COMPLETED);
  CHECK_HR(netrt_async_set_completed(done_op, on_done_inline, &seen), NETRT_E_ILLEGAL_DELEGATE_ASSIGNMENT);
  sleep_ms(50);
  CHECK(atomic_load(&g_inline_calls) == 1);
  printf("handler set after completion ran inline once\n");
  CHECK_OK(netrt_data_writer_detach_stream(writer, &detached));
  rc = 0;

cleanup:
  RELEASE(detached);
  RELEASE(done_op);
  RELEASE(g_nested_op);
  RELEASE(op);
  RELEASE(writer);
  RELEASE(g_reader);
  RELEASE(out);
  RELEASE(in);
  RELEASE(server);
  RELEASE(client);
  RELEASE(host);
  RELEASE(local);
  RELEASE(listener);
  {
    netrt_handle late = atomic_exchange(&g_accepted, 0);
    RELEASE(late);
  }
  printf("%s: test_callbacks (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
