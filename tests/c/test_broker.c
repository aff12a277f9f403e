/* The socket broker from C: register a task whose command is this program ("task" mode), hand
 * a connected StreamSocket to netrt-brokerd, and let the peer write. The broker starts this
 * program as the task, which finds its instance, checks the trigger details and the socket
 * information, reclaims the socket, reads what the peer sent and answers. Misuse is checked
 * along the way. Needs NETRT_BROKERD (the daemon binary; run.sh sets it). */
#include "common.h"
#include "posix_peer.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char CONTEXT[] = "context from C";
static const char MESSAGE[] = "ping while the app is away";

/* The task the broker starts: reclaim, read MESSAGE, answer "ok <n>\n". */
static int run_task(void) {
  netrt_handle inst = 0, details = 0, info = 0, sock = 0, in = 0, out = 0, buf = 0;
  netrt_socket_activity_trigger_reason reason;
  netrt_socket_activity_kind kind;
  char id[64], ctx[64];
  size_t needed = 0;
  uint32_t n = 0, got = 0;
  uint8_t *data = NULL;
  int ok = 0;
  CHECK_OK(netrt_background_task_instance_get_current(&inst));
  CHECK(inst != 0);
  CHECK_OK(netrt_background_task_instance_get_trigger_details(inst, &details));
  CHECK_OK(netrt_socket_activity_trigger_details_get_reason(details, &reason));
  CHECK(reason == NETRT_SOCKET_ACTIVITY_TRIGGER_REASON_SOCKET_ACTIVITY);
  CHECK_OK(netrt_socket_activity_trigger_details_get_socket_information(details, &info));
  CHECK_OK(netrt_socket_activity_information_get_id(info, id, sizeof id, &needed));
  CHECK(strcmp(id, "c-1") == 0);
  CHECK_OK(netrt_socket_activity_information_get_socket_kind(info, &kind));
  CHECK(kind == NETRT_SOCKET_ACTIVITY_KIND_STREAM_SOCKET);
  CHECK_HR(netrt_socket_activity_information_get_context(info, (uint8_t *)ctx, 2, &needed), 0x8007007A);
  CHECK(needed == strlen(CONTEXT));
  CHECK_OK(netrt_socket_activity_information_get_context(info, (uint8_t *)ctx, sizeof ctx, &needed));
  CHECK(needed == strlen(CONTEXT) && memcmp(ctx, CONTEXT, needed) == 0);
  CHECK_OK(netrt_socket_activity_information_get_stream_socket(info, &sock));
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_buffer_create(64, &buf));
  while (got < strlen(MESSAGE)) {
    CHECK_OK(netrt_input_stream_read(in, buf, (uint32_t)strlen(MESSAGE) - got, NETRT_INPUT_STREAM_OPTIONS_PARTIAL,
                                     STEP_MS, &n));
    CHECK(n > 0);
    got += n;
  }
  CHECK_OK(netrt_buffer_get_data(buf, &data));
  CHECK_OK(netrt_stream_socket_get_output_stream(sock, &out));
  n = (uint32_t)snprintf((char *)data, 64, "ok %u\n", got);
  CHECK_OK(netrt_buffer_set_length(buf, n));
  CHECK_OK(netrt_output_stream_write(out, buf, STEP_MS, &n));
  ok = 1;
cleanup:
  RELEASE(buf);
  RELEASE(out);
  RELEASE(in);
  if (sock) (void)netrt_close(sock);
  RELEASE(sock);
  RELEASE(info);
  RELEASE(details);
  RELEASE(inst);
  return ok ? 0 : 1;
}

static pid_t start_daemon(const char *dir, const char *socket_path) {
  const char *brokerd = getenv("NETRT_BROKERD");
  char state[512];
  pid_t pid;
  if (!brokerd) return -1;
  snprintf(state, sizeof state, "%s/state", dir);
  pid = fork();
  if (pid == 0) {
    execl(brokerd, brokerd, "--socket", socket_path, "--state-dir", state, (char *)NULL);
    _exit(127);
  }
  return pid;
}

/* Connects a plain TCP client to 127.0.0.1:port (the broker holds the listener). */
static int connect_port(const char *port) {
  struct sockaddr_in a;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((uint16_t)atoi(port));
  if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

/* Waits on a subscription with no limit; the main thread closes it meanwhile. */
static void *wait_forever(void *subscription) {
  netrt_handle inst = 0;
  static netrt_hresult hr;
  hr = netrt_activation_subscription_next_activation(*(netrt_handle *)subscription, -1, &inst);
  if (inst) (void)netrt_release(inst);
  return &hr;
}

/* AllSockets and AllTasks: what the broker holds and knows, as IMapView snapshots. */
static int check_views(const netrt_guid *task_id) {
  netrt_handle sockets = 0, tasks = 0, info = 0, reg = 0;
  netrt_socket_activity_kind kind;
  netrt_guid key;
  char id[64];
  size_t needed = 0;
  uint32_t size = 0, i;
  bool has = false;
  int ok = 0, seen = 0;
  CHECK_OK(netrt_socket_activity_information_get_all_sockets(&sockets));
  CHECK_OK(netrt_map_view_get_size(sockets, &size));
  CHECK(size == 2);
  for (i = 0; i < size; i++) {
    CHECK_OK(netrt_map_view_get_key_at_string(sockets, i, id, sizeof id, &needed));
    seen += strcmp(id, "c-l") == 0 || strcmp(id, "c-d") == 0;
  }
  CHECK(seen == 2);
  CHECK_HR(netrt_map_view_get_key_at_string(sockets, size, id, sizeof id, &needed), NETRT_E_BOUNDS);
  CHECK_HR(netrt_map_view_get_key_at_guid(sockets, 0, &key), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_map_view_has_key_string(sockets, "c-d", &has));
  CHECK(has);
  CHECK_OK(netrt_map_view_has_key_string(sockets, "c-1", &has)); /* reclaimed by the task */
  CHECK(!has);
  CHECK_HR(netrt_map_view_lookup_string(sockets, "c-1", &info), NETRT_E_BOUNDS);
  CHECK_HR(netrt_map_view_lookup_string(sockets, NULL, &info), NETRT_E_POINTER);
  CHECK_OK(netrt_map_view_lookup_string(sockets, "c-d", &info));
  CHECK_OK(netrt_socket_activity_information_get_socket_kind(info, &kind));
  CHECK(kind == NETRT_SOCKET_ACTIVITY_KIND_DATAGRAM_SOCKET);
  RELEASE(info);
  CHECK_OK(netrt_map_view_get_value_at(sockets, 0, &info));
  CHECK_OK(netrt_socket_activity_information_get_id(info, id, sizeof id, &needed));
  CHECK(strcmp(id, "c-d") == 0); /* key order */

  CHECK_OK(netrt_background_task_registration_get_all_tasks(&tasks));
  CHECK_OK(netrt_map_view_get_size(tasks, &size));
  CHECK(size == 1);
  CHECK_OK(netrt_map_view_get_key_at_guid(tasks, 0, &key));
  CHECK(memcmp(&key, task_id, sizeof key) == 0);
  CHECK_OK(netrt_map_view_has_key_guid(tasks, task_id, &has));
  CHECK(has);
  CHECK_OK(netrt_map_view_has_key_string(tasks, "c-task", &has)); /* GUID keys */
  CHECK(!has);
  CHECK_OK(netrt_map_view_lookup_guid(tasks, task_id, &reg));
  CHECK_OK(netrt_background_task_registration_get_name(reg, id, sizeof id, &needed));
  CHECK(strcmp(id, "c-task") == 0);
  CHECK_HR(netrt_close(tasks), NETRT_E_INVALIDARG); /* a map view is not IClosable */
  ok = 1;
cleanup:
  RELEASE(reg);
  RELEASE(info);
  RELEASE(tasks);
  RELEASE(sockets);
  return ok;
}

/* A running instance subscribed to the task gets the activation (a connection waiting on the
 * held listener) instead of a new process; closing the subscription ends a wait in another
 * thread. */
static int check_subscription(netrt_handle reg, const char *held_port) {
  netrt_handle sub = 0, inst = 0, details = 0, info = 0, back = 0;
  netrt_socket_activity_trigger_reason reason;
  netrt_hresult *waited = NULL;
  pthread_t waiter;
  char id[64];
  size_t needed = 0;
  int client = -1, ok = 0;
  CHECK_HR(netrt_background_task_registration_subscribe(reg, NULL), NETRT_E_POINTER);
  CHECK_OK(netrt_background_task_registration_subscribe(reg, &sub));
  CHECK_HR(netrt_activation_subscription_next_activation(sub, 0, &inst), 1 /* S_FALSE: none yet */);
  CHECK(inst == 0);
  client = connect_port(held_port);
  CHECK(client >= 0);
  CHECK_OK(netrt_activation_subscription_next_activation(sub, 30000, &inst));
  CHECK(inst != 0);
  CHECK_OK(netrt_background_task_instance_get_trigger_details(inst, &details));
  CHECK_OK(netrt_socket_activity_trigger_details_get_reason(details, &reason));
  CHECK(reason == NETRT_SOCKET_ACTIVITY_TRIGGER_REASON_CONNECTION_ACCEPTED);
  CHECK_OK(netrt_socket_activity_trigger_details_get_socket_information(details, &info));
  CHECK_OK(netrt_socket_activity_information_get_id(info, id, sizeof id, &needed));
  CHECK(strcmp(id, "c-l") == 0);
  CHECK_OK(netrt_socket_activity_information_get_stream_socket_listener(info, &back));
  CHECK_OK(netrt_close(back));

  CHECK(pthread_create(&waiter, NULL, wait_forever, &sub) == 0);
  sleep_ms(100); /* most likely waiting by now; either order ends in RO_E_CLOSED */
  CHECK_OK(netrt_close(sub));
  CHECK(pthread_join(waiter, (void **)&waited) == 0);
  CHECK(waited && *waited == NETRT_RO_E_CLOSED);
  CHECK_OK(netrt_close(sub));
  CHECK_HR(netrt_activation_subscription_next_activation(sub, 0, &inst), NETRT_RO_E_CLOSED);
  ok = 1;
cleanup:
  if (client >= 0) close(client);
  RELEASE(back);
  RELEASE(info);
  RELEASE(details);
  RELEASE(inst);
  RELEASE(sub);
  return ok;
}

int main(int argc, char **argv) {
  char dir[] = "/tmp/netrt-c-broker-XXXXXX", sock_path[600], run_dir[560], command[1200], name[32];
  char answer[32];
  size_t needed = 0;
  netrt_handle reg = 0, sock = 0, other = 0, inst = 0, host = 0, op = 0, listener = 0, dgram = 0, linfo = 0;
  char held_port[16];
  netrt_guid task_id;
  pid_t daemon = -1;
  int peer = -1, rc = 1;
  ssize_t n;
  long long deadline;

  if (argc > 1 && strcmp(argv[1], "task") == 0) return run_task();
  CHECK(mkdtemp(dir) != NULL);
  snprintf(run_dir, sizeof run_dir, "%s/run", dir);
  CHECK(mkdir(run_dir, 0700) == 0);
  snprintf(sock_path, sizeof sock_path, "%s/broker.sock", run_dir);
  CHECK(setenv("NETRT_BROKER_SOCKET", sock_path, 1) == 0);
  daemon = start_daemon(dir, sock_path);
  CHECK(daemon > 0);
  deadline = mono_ms() + 10000;
  while (access(sock_path, F_OK) != 0 && mono_ms() < deadline) sleep_ms(10);
  CHECK(access(sock_path, F_OK) == 0);

  /* Not started by the broker: S_FALSE and no instance. */
  CHECK_HR(netrt_background_task_instance_get_current(&inst), 1 /* S_FALSE */);
  CHECK(inst == 0);

  snprintf(command, sizeof command, "'%s' task", argv[0]);
  CHECK_HR(netrt_background_task_register_socket_activity(NULL, command, &reg), NETRT_E_POINTER);
  CHECK_HR(netrt_background_task_register_socket_activity("", command, &reg), NETRT_E_INVALIDARG);
  CHECK_OK(netrt_background_task_register_socket_activity("c-task", command, &reg));
  CHECK_OK(netrt_background_task_registration_get_name(reg, name, sizeof name, &needed));
  CHECK(strcmp(name, "c-task") == 0);
  CHECK_OK(netrt_background_task_registration_get_task_id(reg, &task_id));

  CHECK(open_listener());
  CHECK_OK(netrt_stream_socket_create(&sock));
  CHECK_HR(netrt_stream_socket_enable_transfer_ownership(sock, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_enable_transfer_ownership(reg, &task_id), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_stream_socket_enable_transfer_ownership_with_connected_standby_action(sock, &task_id, 7),
           NETRT_E_INVALIDARG);
  CHECK_OK(netrt_stream_socket_enable_transfer_ownership_with_connected_standby_action(
      sock, &task_id, NETRT_SOCKET_ACTIVITY_CONNECTED_STANDBY_ACTION_WAKE));
  RELEASE(sock);
  /* A socket connected without EnableTransferOwnership cannot be transferred, nor enabled late. */
  CHECK(connect_to_listener(&other, &peer));
  CHECK_HR(netrt_stream_socket_enable_transfer_ownership(other, &task_id), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_HR(netrt_stream_socket_transfer_ownership(other, "c-0"), NETRT_E_ILLEGAL_METHOD_CALL);
  close(peer);
  peer = -1;

  CHECK_OK(netrt_stream_socket_create(&sock));
  CHECK_OK(netrt_stream_socket_enable_transfer_ownership(sock, &task_id));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  AWAIT_OK(netrt_stream_socket_connect_async(sock, host, listen_port, &op), op);
  peer = accept(listen_fd, NULL, NULL);
  CHECK(peer >= 0);
  CHECK_HR(netrt_stream_socket_transfer_ownership(sock, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_stream_socket_transfer_ownership(sock, ""), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_stream_socket_transfer_ownership_with_context_and_keep_alive_time(sock, "c-1", NULL, 0, -1),
           NETRT_E_INVALIDARG);
  CHECK_OK(netrt_stream_socket_transfer_ownership_with_context(sock, "c-1", (const uint8_t *)CONTEXT,
                                                              strlen(CONTEXT)));
  /* The app's object is closed; the connection lives in the broker. */
  CHECK_HR(netrt_stream_socket_transfer_ownership(sock, "c-1"), NETRT_RO_E_CLOSED);

  CHECK(write(peer, MESSAGE, strlen(MESSAGE)) == (ssize_t)strlen(MESSAGE));
  memset(answer, 0, sizeof answer);
  deadline = mono_ms() + 30000;
  n = 0;
  while (n < 5 && mono_ms() < deadline) {
    ssize_t r = read(peer, answer + n, sizeof answer - 1 - (size_t)n);
    if (r <= 0) break;
    n += r;
  }
  CHECK(strncmp(answer, "ok 26\n", 6) == 0);

  /* A listener and a datagram socket: enabled before binding, transferred once bound. */
  CHECK_OK(netrt_stream_socket_listener_create(&listener));
  CHECK_OK(netrt_stream_socket_listener_enable_transfer_ownership(listener, &task_id));
  CHECK_HR(netrt_stream_socket_listener_transfer_ownership(listener, "c-l", NULL, 0), NETRT_E_ILLEGAL_METHOD_CALL);
  AWAIT_OK(netrt_stream_socket_listener_bind_service_name_async(listener, "", &op), op);
  CHECK_OK(netrt_stream_socket_listener_get_information(listener, &linfo));
  CHECK_OK(netrt_stream_socket_listener_information_get_local_port(linfo, held_port, sizeof held_port, &needed));
  CHECK_HR(netrt_stream_socket_listener_enable_transfer_ownership(listener, &task_id), NETRT_E_ILLEGAL_METHOD_CALL);
  CHECK_OK(netrt_stream_socket_listener_transfer_ownership(listener, "c-l", (const uint8_t *)"L", 1));
  CHECK_HR(netrt_stream_socket_listener_transfer_ownership(listener, "c-l", NULL, 0), NETRT_RO_E_CLOSED);
  CHECK_OK(netrt_datagram_socket_create(&dgram));
  CHECK_OK(netrt_datagram_socket_enable_transfer_ownership(dgram, &task_id));
  AWAIT_OK(netrt_datagram_socket_bind_service_name_async(dgram, "", &op), op);
  CHECK_HR(netrt_datagram_socket_transfer_ownership(dgram, "c-l", NULL, 0, 0), (netrt_hresult)0x800700B7);
  CHECK_OK(netrt_datagram_socket_transfer_ownership(dgram, "c-d", NULL, 0, 36000000000LL /* one hour */));
  CHECK_HR(netrt_datagram_socket_transfer_ownership(dgram, "c-d", NULL, 0, 0), NETRT_RO_E_CLOSED);

  CHECK(check_views(&task_id));
  CHECK(check_subscription(reg, held_port));

  CHECK_OK(netrt_background_task_registration_unregister(reg, false));
  CHECK_HR(netrt_background_task_registration_unregister(reg, false), (netrt_hresult)0x80070490);
  rc = 0;
  printf("test_broker: %d checks passed\n", g_checks);
cleanup:
  if (peer >= 0) close(peer);
  RELEASE(op);
  RELEASE(host);
  RELEASE(linfo);
  RELEASE(other);
  RELEASE(dgram);
  RELEASE(listener);
  RELEASE(sock);
  RELEASE(reg);
  if (daemon > 0) {
    kill(daemon, SIGTERM);
    waitpid(daemon, NULL, 0);
  }
  return rc;
}
