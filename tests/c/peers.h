/* Third-party peers for the C tests, started by tests/peers/launch (the one place that knows
 * how to start each peer and learn its port; contract in tests/peers/README.md). The launcher's
 * stdin is a pipe we keep (closing it stops the peer); the peer's output is a log file, read
 * into `log` when the tests look at it. The PKI the peers use is made by `launch pki` in
 * tests/c/run.sh (directory in $NETRT_TEST_PKI), never by netrt.
 * NETRT_PEER_LAUNCH (the launcher's path) is defined by run.sh. */
#ifndef NETRT_TEST_PEERS_H
#define NETRT_TEST_PEERS_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef NETRT_PEER_LAUNCH
#error "NETRT_PEER_LAUNCH must name tests/peers/launch (tests/c/run.sh defines it)"
#endif

typedef struct {
  pid_t pid;  /* the launcher */
  int in_fd;  /* the launcher's stdin, relayed to the peer's */
  char log_path[512];
  char log[16384]; /* the peer's stdout + stderr, as of the last peer_refresh */
  size_t log_len;
  int port;
} peer;

static inline long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the peer's log file into `log` (as much as fits). */
static inline void peer_refresh(peer *p) {
  int fd = p->log_path[0] ? open(p->log_path, O_RDONLY | O_CLOEXEC) : -1;
  if (fd < 0) {
    return;
  }
  size_t len = 0;
  ssize_t n;
  while (len + 1 < sizeof p->log && (n = read(fd, p->log + len, sizeof p->log - 1 - len)) > 0) {
    len += (size_t)n;
  }
  close(fd);
  p->log_len = len;
  p->log[len] = 0;
}

/* Reads the peer's output for up to `ms` milliseconds or until `needle` is in the log. */
static inline int peer_wait_for(peer *p, const char *needle, int ms) {
  long long deadline = now_ms() + ms;
  for (peer_refresh(p); !strstr(p->log, needle); peer_refresh(p)) {
    if (now_ms() > deadline) {
      return 0;
    }
    poll(NULL, 0, 10);
  }
  return 1;
}

/* Runs `launch <args...>` (NULL-terminated) and reads its "PORT <n> LOG <path>" line. 0 on
 * success; on failure the launcher has explained why on stderr. */
static inline int peer_launch(peer *p, const char *const args[]) {
  int in[2], out[2];
  char *argv[32] = {NETRT_PEER_LAUNCH};
  size_t argc = 1;
  memset(p, 0, sizeof *p);
  p->in_fd = -1;
  for (; args[argc - 1] && argc + 1 < sizeof argv / sizeof argv[0]; argc++) {
    argv[argc] = (char *)args[argc - 1];
  }
  if (args[argc - 1]) {
    fprintf(stderr, "peer_launch: more than %zu arguments\n", sizeof argv / sizeof argv[0] - 2);
    return -1;
  }
  if (pipe(in) != 0 || pipe(out) != 0) {
    return -1;
  }
  /* Close-on-exec: a later child must not inherit our ends and keep this peer alive (dup2 in
   * the child clears the flag on its stdin and stdout). */
  for (int i = 0; i < 2; i++) {
    fcntl(in[i], F_SETFD, FD_CLOEXEC);
    fcntl(out[i], F_SETFD, FD_CLOEXEC);
  }
  p->pid = fork();
  if (p->pid < 0) {
    return -1;
  }
  if (p->pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    execv(argv[0], argv);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  p->in_fd = in[1];
  char line[640] = {0};
  size_t len = 0;
  struct pollfd pfd = {out[0], POLLIN, 0};
  for (long long deadline = now_ms() + 30000; !memchr(line, '\n', len) && len + 1 < sizeof line;) {
    long long left = deadline - now_ms();
    ssize_t n = left > 0 && poll(&pfd, 1, (int)left) > 0 ? read(out[0], line + len, sizeof line - 1 - len) : 0;
    if (n <= 0) {
      break;
    }
    len += (size_t)n;
  }
  close(out[0]);
  char *log = strstr(line, " LOG ");
  char *end = strchr(line, '\n');
  if (strncmp(line, "PORT ", 5) != 0 || !log || !end) {
    fprintf(stderr, "%s %s did not start its peer\n", argv[0], argv[1]);
    return -1;
  }
  *end = 0;
  p->port = atoi(line + 5);
  snprintf(p->log_path, sizeof p->log_path, "%s", log + 5);
  return p->port > 0 ? 0 : -1;
}

/* Writes a line to the peer's stdin (s_server sends it to its client). */
static inline int peer_send(peer *p, const char *text) {
  size_t len = strlen(text);
  return write(p->in_fd, text, len) == (ssize_t)len ? 0 : -1;
}

/* Keeps the last output in `log`, then stops the peer (end of file on the launcher's stdin). */
static inline void peer_stop(peer *p) {
  peer_refresh(p);
  if (p->in_fd >= 0) {
    close(p->in_fd);
    p->in_fd = -1;
  }
  if (p->pid > 0) {
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
  }
  p->log_path[0] = 0;
}

/* `openssl s_server` with the test PKI's `leaf` certificate; `proto` is "tls1_2", "tls1_3"
 * or NULL. */
static inline int start_s_server(peer *p, const char *pki, const char *proto) {
  char cert[512], key[512];
  snprintf(cert, sizeof cert, "%s/leaf.pem", pki);
  snprintf(key, sizeof key, "%s/leaf.key", pki);
  const char *args[] = {"s_server", "--cert", cert, "--key", key, proto ? "--proto" : NULL, proto, NULL};
  return peer_launch(p, args);
}

/* The Python ssl STARTTLS peer (tests/peers/starttls_peer.py): reads the samples'
 * length-prefixed hello, prints "HELLO <text>", then (with inject) sends "GO\n" plus injected
 * plaintext in one segment; then a TLS server handshake, echoes one line as "echo:<line>" and
 * prints "ECHOED <line>". */
static inline int start_python_starttls(peer *p, const char *pki, int inject) {
  char cert[512], key[512];
  snprintf(cert, sizeof cert, "%s/leaf.pem", pki);
  snprintf(key, sizeof key, "%s/leaf.key", pki);
  const char *args[] = {"starttls", "--cert", cert, "--key", key, inject ? "--inject" : NULL, NULL};
  return peer_launch(p, args);
}

/* The test PKI directory ($NETRT_TEST_PKI, made by run.sh), or NULL with a message. */
static inline const char *test_pki(void) {
  const char *dir = getenv("NETRT_TEST_PKI");
  if (!dir || !*dir) {
    fprintf(stderr, "NETRT_TEST_PKI is not set (run the tests through tests/c/run.sh)\n");
  }
  return dir;
}

/* Reads a whole file into a NUL-terminated malloc'd buffer (free it); NULL on failure. */
static inline char *read_file(const char *dir, const char *name, size_t *len_out) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) {
    buf[n] = 0;
    if (len_out) {
      *len_out = (size_t)n;
    }
  }
  return buf;
}

/* A certificate from the PKI: `<name>.pem`, with `<name>.key` when with_key. */
static inline netrt_hresult load_cert(const char *pki, const char *name, int with_key, netrt_handle *out) {
  char file[128];
  snprintf(file, sizeof file, "%s.pem", name);
  char *pem = read_file(pki, file, NULL);
  char *key = NULL;
  if (with_key) {
    snprintf(file, sizeof file, "%s.key", name);
    key = read_file(pki, file, NULL);
  }
  netrt_hresult hr = (pem && (key || !with_key)) ? netrt_certificate_create_from_pem(pem, key, out)
                                                  : NETRT_E_UNEXPECTED;
  free(pem);
  free(key);
  return hr;
}

#endif /* NETRT_TEST_PEERS_H */
