/* Third-party peers for the C tests (openssl s_server, a Python ssl STARTTLS peer), started
 * with fork/exec on 127.0.0.1:0. Their stdin stays a pipe (s_server drops clients on EOF);
 * stdout and stderr are collected into one log that the tests search. The PKI they use is made
 * by `openssl req` in tests/c/run.sh (directory in $NETRT_TEST_PKI), never by netrt. */
#ifndef NETRT_TEST_PEERS_H
#define NETRT_TEST_PEERS_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  pid_t pid;
  int in_fd;  /* the peer's stdin */
  int out_fd; /* the peer's stdout + stderr */
  char log[16384];
  size_t log_len;
  int port;
} peer;

static inline long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one chunk of the peer's output into the log, waiting up to `ms`; 0 when nothing came. */
static inline int peer_read_some(peer *p, int ms) {
  if (p->out_fd < 0 || p->log_len + 1 >= sizeof p->log) {
    return 0;
  }
  struct pollfd pfd = {p->out_fd, POLLIN, 0};
  if (poll(&pfd, 1, ms) <= 0) {
    return 0;
  }
  ssize_t n = read(p->out_fd, p->log + p->log_len, sizeof p->log - 1 - p->log_len);
  if (n <= 0) {
    close(p->out_fd);
    p->out_fd = -1;
    return 0;
  }
  p->log_len += (size_t)n;
  p->log[p->log_len] = 0;
  return 1;
}

/* Reads the peer's output for up to `ms` milliseconds or until `needle` is in the log. */
static inline int peer_wait_for(peer *p, const char *needle, int ms) {
  long long deadline = now_ms() + ms;
  while (!strstr(p->log, needle)) {
    long long left = deadline - now_ms();
    if (left <= 0 || p->out_fd < 0) {
      return 0;
    }
    peer_read_some(p, (int)left);
  }
  return 1;
}

/* Starts argv[0] (searched in PATH) and waits until its output contains `ready`. 0 on success. */
static inline int peer_spawn(peer *p, char *const argv[], const char *ready) {
  int in[2], out[2];
  memset(p, 0, sizeof *p);
  p->in_fd = p->out_fd = -1;
  if (pipe(in) != 0 || pipe(out) != 0) {
    return -1;
  }
  p->pid = fork();
  if (p->pid < 0) {
    return -1;
  }
  if (p->pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  p->in_fd = in[1];
  p->out_fd = out[0];
  if (!peer_wait_for(p, ready, 10000)) {
    fprintf(stderr, "peer %s did not print \"%s\"; output:\n%s\n", argv[0], ready, p->log);
    return -1;
  }
  return 0;
}

/* Starts argv[0] (searched in PATH) and waits for a line "<port_prefix><port>". 0 on success. */
static inline int peer_start(peer *p, char *const argv[], const char *port_prefix) {
  if (peer_spawn(p, argv, port_prefix) != 0) {
    return -1;
  }
  /* The whole line: the number may arrive in a later read. */
  for (long long deadline = now_ms() + 10000; !strchr(strstr(p->log, port_prefix), '\n');) {
    if (now_ms() > deadline) {
      return -1;
    }
    peer_read_some(p, 100);
  }
  p->port = atoi(strstr(p->log, port_prefix) + strlen(port_prefix));
  return p->port > 0 ? 0 : -1;
}

/* Writes a line to the peer's stdin (s_server sends it to its client). */
static inline int peer_send(peer *p, const char *text) {
  size_t len = strlen(text);
  return write(p->in_fd, text, len) == (ssize_t)len ? 0 : -1;
}

static inline void peer_stop(peer *p) {
  if (p->pid > 0) {
    kill(p->pid, SIGTERM);
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
  }
  if (p->in_fd >= 0) {
    close(p->in_fd);
    p->in_fd = -1;
  }
  if (p->out_fd >= 0) {
    close(p->out_fd);
    p->out_fd = -1;
  }
}

/* `openssl s_server -accept 127.0.0.1:0` with the test PKI's `leaf` certificate, plus one
 * protocol flag ("-tls1_2", "-tls1_3"). */
static inline int start_s_server(peer *p, const char *pki, const char *protocol_flag) {
  char cert[512], key[512];
  snprintf(cert, sizeof cert, "%s/leaf.pem", pki);
  snprintf(key, sizeof key, "%s/leaf.key", pki);
  char *argv[] = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "16", "-cert", cert,
                  "-key", key, (char *)protocol_flag, NULL};
  return peer_start(p, argv, "ACCEPT 127.0.0.1:");
}

/* A Python ssl STARTTLS peer (as core/tests/util/peers.rs): reads a big-endian Int32 length and
 * that many bytes of plaintext hello, prints "HELLO <text>", then (with inject) sends "GO\n"
 * plus injected plaintext in one segment; then a TLS server handshake, echoes one line as
 * "echo:<line>" and prints "ECHOED <line>". */
static const char PY_STARTTLS[] =
    "import socket, ssl, struct, sys\n"
    "cert, key, inject = sys.argv[1], sys.argv[2], sys.argv[3] == '1'\n"
    "srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)\n"
    "print('PORT', srv.getsockname()[1], flush=True)\n"
    "srv.settimeout(20)\n"
    "conn, _ = srv.accept(); conn.settimeout(20)\n"
    "def exact(n):\n"
    "    b = b''\n"
    "    while len(b) < n:\n"
    "        chunk = conn.recv(n - len(b))\n"
    "        if not chunk: raise SystemExit('peer closed')\n"
    "        b += chunk\n"
    "    return b\n"
    "n = struct.unpack('>i', exact(4))[0]\n"
    "print('HELLO', exact(n).decode('utf-8'), flush=True)\n"
    "if inject:\n"
    "    conn.sendall(b'GO\\nINJECTED-PLAINTEXT\\n')\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)\n"
    "try:\n"
    "    tls = ctx.wrap_socket(conn, server_side=True)\n"
    "except Exception as e:\n"
    "    print('HANDSHAKE-FAILED', type(e).__name__, e, flush=True); raise SystemExit(0)\n"
    "print('TLS', tls.version(), flush=True)\n"
    "line = b''\n"
    "while not line.endswith(b'\\n'):\n"
    "    chunk = tls.recv(100)\n"
    "    if not chunk: break\n"
    "    line += chunk\n"
    "tls.sendall(b'echo:' + line)\n"
    "print('ECHOED', line.decode().strip(), flush=True)\n"
    "try: tls.unwrap()\n"
    "except Exception: pass\n";

static inline int start_python_starttls(peer *p, const char *pki, int inject) {
  char cert[512], key[512];
  snprintf(cert, sizeof cert, "%s/leaf.pem", pki);
  snprintf(key, sizeof key, "%s/leaf.key", pki);
  char *argv[] = {"python3", "-c", (char *)PY_STARTTLS, cert, key, inject ? "1" : "0", NULL};
  return peer_start(p, argv, "PORT ");
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
