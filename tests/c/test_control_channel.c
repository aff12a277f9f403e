/* ControlChannelTrigger from C: in-process tasks on its KeepAliveTrigger and
 * PushNotificationTrigger, run through entry points registered with
 * netrt_background_task_register_entry_point, over a real loopback connection. The keep-alive
 * task runs at the (netrt seconds) interval and completes through a deferral (Completed and
 * Progress are raised); the push task runs when the peer sends while no read is pending and the
 * bytes stay readable; closing the trigger stops both; a run holding its deferral is canceled
 * when its task is unregistered with cancel_task; misuse is an HRESULT. */
#include "common.h"
#include "posix_peer.h"

#include <stdatomic.h>

static atomic_int g_keep_alives, g_pushes, g_completed, g_progress, g_bad_details, g_held, g_canceled;
static _Atomic netrt_handle g_held_deferral;

static void keep_alive_task(void *user_data, netrt_handle instance) {
  netrt_handle details = 0, trigger = 0, deferral = 0;
  netrt_kind kind = NETRT_KIND_HOST_NAME;
  char id[32];
  size_t needed = 0;
  (void)user_data;
  if (netrt_background_task_instance_get_deferral(instance, &deferral) != NETRT_S_OK ||
      netrt_background_task_instance_get_trigger_details(instance, &details) != NETRT_S_OK ||
      netrt_get_kind(details, &kind) != NETRT_S_OK || kind != NETRT_KIND_CONTROL_CHANNEL_TRIGGER_EVENT_DETAILS ||
      netrt_control_channel_trigger_event_details_get_control_channel_trigger(details, &trigger) != NETRT_S_OK ||
      netrt_control_channel_trigger_get_control_channel_trigger_id(trigger, id, sizeof id, &needed) != NETRT_S_OK ||
      strcmp(id, "c-channel") != 0) {
    atomic_fetch_add(&g_bad_details, 1);
  }
  (void)netrt_background_task_instance_set_progress(instance, 42);
  atomic_fetch_add(&g_keep_alives, 1);
  (void)netrt_background_task_deferral_complete(deferral);
  if (trigger) (void)netrt_release(trigger);
  if (details) (void)netrt_release(details);
  if (deferral) (void)netrt_release(deferral);
}

static void push_task(void *user_data, netrt_handle instance) {
  (void)user_data;
  (void)instance;
  atomic_fetch_add(&g_pushes, 1);
}

static void on_canceled(void *user_data, netrt_handle sender, netrt_background_task_cancellation_reason reason) {
  (void)user_data;
  (void)sender;
  if (reason == NETRT_BACKGROUND_TASK_CANCELLATION_REASON_ABORT) atomic_fetch_add(&g_canceled, 1);
}

/* Takes a deferral and keeps it: the run stays in progress until it is canceled. */
static void holding_task(void *user_data, netrt_handle instance) {
  netrt_handle deferral = 0;
  int64_t token = 0;
  (void)user_data;
  if (atomic_load(&g_held) > 0) return;
  if (netrt_background_task_instance_add_canceled(instance, on_canceled, NULL, &token) == NETRT_S_OK &&
      netrt_background_task_instance_get_deferral(instance, &deferral) == NETRT_S_OK) {
    atomic_store(&g_held_deferral, deferral);
    atomic_fetch_add(&g_held, 1);
  }
}

static void on_completed(void *user_data, netrt_handle sender, netrt_handle args) {
  (void)user_data;
  (void)sender;
  if (netrt_background_task_completed_event_args_check_result(args) == NETRT_S_OK) atomic_fetch_add(&g_completed, 1);
}

static void on_progress(void *user_data, netrt_handle sender, netrt_handle args) {
  uint32_t value = 0;
  (void)user_data;
  (void)sender;
  if (netrt_background_task_progress_event_args_get_progress(args, &value) == NETRT_S_OK) {
    atomic_store(&g_progress, (int)value);
  }
}

/* Waits (at most 30 s) until *counter reaches want. */
static int wait_count(atomic_int *counter, int want) {
  long long deadline = mono_ms() + 30000;
  while (atomic_load(counter) < want && mono_ms() < deadline) sleep_ms(10);
  return atomic_load(counter) >= want;
}

/* Reads exactly n bytes from the socket into text. */
static int read_exactly(netrt_handle sock, char *text, uint32_t n) {
  netrt_handle in = 0, buf = 0;
  uint8_t *data = NULL;
  uint32_t got = 0, r = 0;
  int ok = 0;
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_buffer_create(64, &buf));
  while (got < n) {
    CHECK_OK(netrt_input_stream_read(in, buf, n - got, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, STEP_MS, &r));
    CHECK(r > 0);
    CHECK_OK(netrt_buffer_get_data(buf, &data));
    memcpy(text + got, data, r);
    got += r;
  }
  text[n] = 0;
  ok = 1;
cleanup:
  RELEASE(buf);
  RELEASE(in);
  return ok;
}

int main(void) {
  netrt_handle sock = 0, trigger = 0, ka = 0, push = 0, host = 0, closed_trigger = 0, unused = 0xDEADu;
  netrt_handle hold_trigger = 0, hold = 0, held = 0;
  netrt_control_channel_trigger_status status = NETRT_CONTROL_CHANNEL_TRIGGER_STATUS_HARDWARE_SLOT_REQUESTED;
  char text[16];
  uint32_t value = 0;
  int64_t token = 0;
  int peer = -1, rc = 1, pushes_then, keep_alives_then;
  bool flag = true;

  /* Misuse first: nothing runs. */
  CHECK_HR(netrt_control_channel_trigger_create(NULL, 15, &unused), NETRT_E_POINTER);
  CHECK_HR(netrt_control_channel_trigger_create("c", 14, &unused), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_control_channel_trigger_create("", 15, &unused), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_control_channel_trigger_create_with_resource_type("c", 15, 9, &unused), NETRT_E_INVALIDARG);
  CHECK(unused == 0xDEADu);
  CHECK_HR(netrt_background_task_register_entry_point("c.Null", NULL, NULL), NETRT_E_POINTER);
  CHECK_OK(netrt_control_channel_trigger_create("c-closed", 20, &closed_trigger));
  CHECK_OK(netrt_control_channel_trigger_get_server_keep_alive_interval_in_minutes(closed_trigger, &value));
  CHECK(value == 20);
  CHECK_OK(netrt_control_channel_trigger_get_is_wake_from_low_power_supported(closed_trigger, &flag));
  CHECK(!flag);
  CHECK_HR(netrt_control_channel_trigger_wait_for_push_enabled(closed_trigger, &status), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  CHECK_HR(netrt_control_channel_trigger_using_transport(closed_trigger, host), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_control_channel_trigger_get_server_keep_alive_interval_in_minutes(host, &value), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_close(closed_trigger));
  CHECK_OK(netrt_close(closed_trigger)); /* twice */
  CHECK_HR(netrt_control_channel_trigger_set_keep_alive_interval_in_seconds(closed_trigger, 1), NETRT_RO_E_CLOSED);
  CHECK_HR(netrt_background_task_register_control_channel_keep_alive("c-never", "c.Never", closed_trigger, &unused),
           NETRT_RO_E_CLOSED);
  CHECK(unused == 0xDEADu);

  /* The channel. */
  CHECK(open_listener());
  CHECK(connect_to_listener(&sock, &peer));
  CHECK_OK(netrt_background_task_register_entry_point("c.KeepAlive", keep_alive_task, NULL));
  CHECK_OK(netrt_background_task_register_entry_point("c.Push", push_task, NULL));
  CHECK_OK(netrt_control_channel_trigger_create_with_resource_type(
      "c-channel", 15, NETRT_CONTROL_CHANNEL_TRIGGER_RESOURCE_TYPE_REQUEST_SOFTWARE_SLOT, &trigger));
  CHECK_HR(netrt_control_channel_trigger_set_keep_alive_interval_in_seconds(trigger, 0), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_control_channel_trigger_set_keep_alive_interval_in_seconds(trigger, 1));
  CHECK_OK(netrt_control_channel_trigger_get_current_keep_alive_interval_in_minutes(trigger, &value));
  CHECK(value == 1);
  CHECK_OK(netrt_background_task_register_control_channel_keep_alive("c-ka", "c.KeepAlive", trigger, &ka));
  CHECK_OK(netrt_background_task_register_control_channel_push_notification("c-push", "c.Push", trigger, &push));
  CHECK_OK(netrt_background_task_registration_add_completed(ka, on_completed, NULL, &token));
  CHECK_OK(netrt_background_task_registration_add_progress(ka, on_progress, NULL, &token));
  CHECK_OK(netrt_control_channel_trigger_using_transport(trigger, sock));
  CHECK_HR(netrt_control_channel_trigger_using_transport(trigger, sock), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_control_channel_trigger_wait_for_push_enabled(trigger, &status));
  CHECK(status == NETRT_CONTROL_CHANNEL_TRIGGER_STATUS_SOFTWARE_SLOT_ALLOCATED);
  CHECK_OK(netrt_control_channel_trigger_flush_transport(trigger));

  CHECK(wait_count(&g_keep_alives, 2));
  CHECK(wait_count(&g_completed, 1));
  CHECK(wait_count(&g_progress, 42));
  CHECK(atomic_load(&g_bad_details) == 0);

  /* The peer sends while the app reads nothing: a push, and the bytes are still there. */
  CHECK(write(peer, "hello", 5) == 5);
  CHECK(wait_count(&g_pushes, 1));
  CHECK(read_exactly(sock, text, 5));
  CHECK(strcmp(text, "hello") == 0);

  /* Closing the trigger stops both triggers; the connection stays open. */
  CHECK_OK(netrt_close(trigger));
  pushes_then = atomic_load(&g_pushes);
  keep_alives_then = atomic_load(&g_keep_alives);
  CHECK(write(peer, "late", 4) == 4);
  sleep_ms(2500);
  CHECK(atomic_load(&g_pushes) == pushes_then && atomic_load(&g_keep_alives) == keep_alives_then);
  CHECK(read_exactly(sock, text, 4));
  CHECK(strcmp(text, "late") == 0);
  CHECK_OK(netrt_background_task_registration_unregister(ka, false)); /* already forgotten: S_OK */
  CHECK_OK(netrt_background_task_unregister_entry_point("c.KeepAlive"));

  /* A run holding its deferral is canceled (Abort) when its task is unregistered with
   * cancel_task. */
  CHECK_HR(netrt_background_task_instance_add_canceled(host, on_canceled, NULL, &token), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_background_task_register_entry_point("c.Hold", holding_task, NULL));
  CHECK_OK(netrt_control_channel_trigger_create("c-hold", 15, &hold_trigger));
  CHECK_OK(netrt_control_channel_trigger_set_keep_alive_interval_in_seconds(hold_trigger, 1));
  CHECK_OK(netrt_background_task_register_control_channel_keep_alive("c-hold", "c.Hold", hold_trigger, &hold));
  CHECK_OK(netrt_control_channel_trigger_using_transport(hold_trigger, sock));
  CHECK_OK(netrt_control_channel_trigger_wait_for_push_enabled(hold_trigger, &status));
  CHECK(wait_count(&g_held, 1));
  CHECK_OK(netrt_background_task_registration_unregister(hold, true));
  CHECK(wait_count(&g_canceled, 1));
  CHECK_OK(netrt_close(hold_trigger));
  CHECK_HR(netrt_background_task_unregister_entry_point("c.KeepAlive"), 1 /* S_FALSE */);
  rc = 0;
  printf("test_control_channel: %d checks passed\n", g_checks);
cleanup:
  if (peer >= 0) close(peer);
  held = atomic_exchange(&g_held_deferral, 0);
  RELEASE(held);
  RELEASE(hold);
  RELEASE(hold_trigger);
  RELEASE(push);
  RELEASE(ka);
  RELEASE(trigger);
  RELEASE(closed_trigger);
  RELEASE(host);
  RELEASE(sock);
  return rc;
}
