/* A fork()ed child uses netrt: the runtime is rebuilt in the child (docs/threading.md), and the parent
 * keeps working. Both run a loopback echo through a netrt listener.
 *
 * The child reports its result through a pipe, not its exit code: it abandons the runtime it
 * inherited (whose threads do not exist after fork) by design, and valgrind reports that memory
 * as lost at the child's exit (run.sh runs valgrind with --child-silent-after-fork).
 *
 * Then fork() while another thread keeps issuing and releasing handles: a child must never
 * inherit the handle table locked (each child makes a few calls under a 10 s alarm). */
#include "common.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int g_hammering = 1;

/* Issues and releases handles as fast as it can until told to stop. */
static void *hammer(void *arg) {
  (void)arg;
  while (atomic_load(&g_hammering)) {
    netrt_handle b = 0;
    if (netrt_buffer_create(16, &b) == NETRT_S_OK) (void)netrt_release(b);
  }
  return NULL;
}

/* Forks `n` children while `hammer` runs; each child uses the handle table and reports "ok"
 * through a pipe (its exit code is valgrind's to set: see above). */
static int fork_while_hammering(int n) {
  pthread_t t;
  int ok = 1;
  if (pthread_create(&t, NULL, hammer, NULL) != 0) return 0;
  for (int i = 0; i < n && ok; i++) {
    int status = 0, p[2];
    char verdict[2] = {0, 0};
    pid_t pid;
    if (pipe(p) != 0) {
      ok = 0;
      break;
    }
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
      netrt_handle b = 0, d = 0;
      close(p[0]);
      alarm(10); /* a deadlocked child dies of SIGALRM and writes nothing */
      int good = netrt_buffer_create(8, &b) == NETRT_S_OK && netrt_duplicate(b, &d) == NETRT_S_OK &&
                 netrt_release(d) == NETRT_S_OK && netrt_release(b) == NETRT_S_OK;
      _exit(write(p[1], good ? "ok" : "no", 2) == 2 ? 0 : 1);
    }
    close(p[1]);
    ok = pid > 0 && read(p[0], verdict, 2) == 2 && verdict[0] == 'o' && verdict[1] == 'k';
    if (pid > 0) waitpid(pid, &status, 0);
    if (!ok) fprintf(stderr, "fork %d: child said \"%.2s\", status 0x%x\n", i, verdict, (unsigned)status);
    close(p[0]);
  }
  atomic_store(&g_hammering, 0);
  pthread_join(t, NULL);
  return ok;
}

static void on_connection(void *user_data, netrt_handle sender, netrt_handle args) {
  netrt_handle sock = 0, in = 0, out = 0, buffer = 0, op = 0;
  (void)user_data;
  (void)sender;
  CHECK_OK(netrt_stream_socket_listener_connection_received_event_args_get_socket(args, &sock));
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_stream_socket_get_output_stream(sock, &out));
  CHECK_OK(netrt_buffer_create(64, &buffer));
  AWAIT_OK(netrt_input_stream_read_async(in, buffer, 64, NETRT_INPUT_STREAM_OPTIONS_PARTIAL, &op), op);
  AWAIT_OK(netrt_output_stream_write_async(out, buffer, &op), op);
cleanup:
  RELEASE(op);
  RELEASE(buffer);
  RELEASE(out);
  RELEASE(in);
  RELEASE(sock);
}

/* One echo round trip through a fresh listener; 1 on success. */
static int echo_once(const char *who) {
  int ok = 0;
  netrt_handle listener = 0, local = 0, sock = 0, out = 0, in = 0, writer = 0, buffer = 0, op = 0;
  int64_t token = 0;
  char port[16];
  uint32_t length = 0;
  uint8_t *data = NULL;
  CHECK_OK(netrt_stream_socket_listener_create(&listener));
  CHECK_OK(netrt_stream_socket_listener_add_connection_received(listener, on_connection, NULL, &token));
  CHECK_OK(netrt_host_name_create("127.0.0.1", &local));
  AWAIT_OK(netrt_stream_socket_listener_bind_endpoint_async(listener, local, "", &op), op);
  CHECK_OK(listener_port(listener, port, sizeof port));
  CHECK_OK(netrt_stream_socket_create(&sock));
  AWAIT_OK(netrt_stream_socket_connect_async(sock, local, port, &op), op);
  CHECK_OK(netrt_stream_socket_get_output_stream(sock, &out));
  CHECK_OK(netrt_data_writer_create_with_stream(out, &writer));
  CHECK_OK(netrt_data_writer_write_string(writer, who, NULL));
  AWAIT_OK(netrt_data_writer_store_async(writer, &op), op);
  CHECK_OK(netrt_stream_socket_get_input_stream(sock, &in));
  CHECK_OK(netrt_buffer_create(64, &buffer));
  AWAIT_OK(netrt_input_stream_read_async(in, buffer, (uint32_t)strlen(who), NETRT_INPUT_STREAM_OPTIONS_NONE, &op),
           op);
  CHECK_OK(netrt_buffer_get_length(buffer, &length));
  CHECK_OK(netrt_buffer_get_data(buffer, &data));
  CHECK(length == strlen(who) && memcmp(data, who, length) == 0);
  ok = 1;
cleanup:
  RELEASE(op);
  RELEASE(buffer);
  RELEASE(in);
  RELEASE(writer);
  RELEASE(out);
  RELEASE(sock);
  RELEASE(local);
  RELEASE(listener);
  return ok;
}

int main(void) {
  int rc = 1, status = 0, result[2] = {-1, -1};
  char verdict[8] = "";
  pid_t child;
  CHECK(echo_once("parent before fork"));
  CHECK(pipe(result) == 0);
  fflush(NULL);
  child = fork();
  CHECK(child >= 0);
  if (child == 0) {
    int child_ok = echo_once("child after fork") && echo_once("child again");
    printf("child: %s\n", child_ok ? "echo worked" : "echo FAILED");
    fflush(NULL);
    if (write(result[1], child_ok ? "ok" : "no", 2) != 2) {
      _exit(1);
    }
    _exit(child_ok ? 0 : 1);
  }
  close(result[1]);
  result[1] = -1;
  CHECK(echo_once("parent while the child runs"));
  CHECK(read(result[0], verdict, 2) == 2);
  CHECK(strcmp(verdict, "ok") == 0);
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(echo_once("parent after the child"));
  CHECK(fork_while_hammering(50));
  printf("50 children forked while another thread used the handle table: all ran\n");
  rc = 0;
cleanup:
  if (result[0] >= 0) {
    close(result[0]);
  }
  if (result[1] >= 0) {
    close(result[1]);
  }
  printf("%s: test_fork (%d checks)\n", rc == 0 ? "PASS" : "FAIL", g_checks);
  return rc;
}
