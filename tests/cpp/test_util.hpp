// Shared helpers for the netrt C++ tests: checks that count and report, third-party peers
// (openssl s_server, a Python ssl peer) started on 127.0.0.1:0 and killed at the end, and a
// throwaway PKI made with the openssl command line.
#ifndef NETRT_TEST_UTIL_HPP
#define NETRT_TEST_UTIL_HPP

#include <netrt.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace test {

inline int& failures() {
  static int n = 0;
  return n;
}
inline int& checks() {
  static int n = 0;
  return n;
}

// Exit code meaning "skipped: a capability this test needs is not in the library yet".
constexpr int kSkip = 77;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++::test::checks();                                                        \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
      ++::test::failures();                                                    \
    }                                                                          \
  } while (0)

// `expr` must throw hresult_error (or a subclass) with HRESULT `want`; `e` is in scope in `then`.
#define CHECK_THROWS_HR(expr, want)                                                          \
  do {                                                                                       \
    ++::test::checks();                                                                      \
    try {                                                                                    \
      (void)(expr);                                                                          \
      std::fprintf(stderr, "FAIL %s:%d: %s did not throw\n", __FILE__, __LINE__, #expr);     \
      ++::test::failures();                                                                  \
    } catch (netrt::hresult_error const& e_) {                                               \
      if (e_.code() != static_cast<int32_t>(want)) {                                         \
        std::fprintf(stderr, "FAIL %s:%d: %s threw 0x%08X (%s), expected 0x%08X\n", __FILE__, \
                     __LINE__, #expr, static_cast<unsigned>(e_.code().value), e_.what(),     \
                     static_cast<unsigned>(want));                                           \
        ++::test::failures();                                                                \
      }                                                                                      \
    }                                                                                        \
  } while (0)

inline void note(std::string const& what) { std::printf("  checked: %s\n", what.c_str()); }

inline int finish(char const* name) {
  if (failures()) {
    std::printf("%s: %d of %d checks FAILED\n", name, failures(), checks());
    return 1;
  }
  std::printf("%s: all %d checks passed\n", name, checks());
  return 0;
}

// Blocks until `pred` holds or `seconds` pass.
inline bool wait_until(std::function<bool()> const& pred, int seconds = 10) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// A whole file as text ("" when it cannot be read).
inline std::string read_text(std::string const& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
inline std::string closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("closed_port");
    std::exit(2);
  }
  ::close(fd);
  return std::to_string(ntohs(addr.sin_port));
}

// A child process with its stdin kept open (openssl s_server drops clients when stdin hits
// EOF) and its stdout+stderr collected; killed when destroyed.
class Peer {
 public:
  explicit Peer(std::vector<std::string> argv) {
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) {
      std::perror("pipe");
      std::exit(2);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, out[1], 2);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawnp(&m_pid, args[0], &fa, nullptr, args.data(), environ) != 0) {
      std::fprintf(stderr, "cannot start %s\n", args[0]);
      std::exit(2);
    }
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    ::fcntl(in[1], F_SETFD, FD_CLOEXEC);
    ::fcntl(out[0], F_SETFD, FD_CLOEXEC);
    m_stdin = in[1];
    m_reader = std::thread([this, fd = out[0]] {
      char buf[4096];
      for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        std::lock_guard<std::mutex> lock(m_mutex);
        m_output.append(buf, static_cast<std::size_t>(n));
      }
      ::close(fd);
    });
  }
  Peer(Peer const&) = delete;
  Peer& operator=(Peer const&) = delete;
  ~Peer() {
    ::kill(m_pid, SIGKILL);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    ::close(m_stdin);
    m_reader.join();
  }

  std::string output() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_output;
  }
  bool wait_for_output(std::string const& needle, int seconds = 10) {
    return wait_until([&] { return output().find(needle) != std::string::npos; }, seconds);
  }
  // The number after `prefix` in the output (e.g. "ACCEPT 127.0.0.1:"), waiting for it.
  std::string port_after(std::string const& prefix) {
    if (!wait_for_output(prefix)) {
      std::fprintf(stderr, "peer never printed %s; output:\n%s\n", prefix.c_str(), output().c_str());
      std::exit(2);
    }
    std::string out = output();
    std::size_t at = out.find(prefix) + prefix.size();
    std::size_t end = at;
    while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
    if (end == at) wait_for_output("\n");
    out = output();
    end = at;
    while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
    return out.substr(at, end - at);
  }
  void send(std::string const& text) {
    if (::write(m_stdin, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::perror("peer stdin");
  }

 private:
  pid_t m_pid = -1;
  int m_stdin = -1;
  std::thread m_reader;
  std::mutex m_mutex;
  std::string m_output;
};

// A temporary directory with a CA and a `localhost` leaf (CA:FALSE, SAN DNS:localhost and
// IP:127.0.0.1, serverAuth) signed by it; removed when destroyed.
class Pki {
 public:
  Pki() {
    char tmpl[] = "/tmp/netrt-cpp-pki-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      std::perror("mkdtemp");
      std::exit(2);
    }
    dir = tmpl;
    write("leaf.ext",
          "basicConstraints=critical,CA:FALSE\n"
          "keyUsage=critical,digitalSignature\n"
          "extendedKeyUsage=serverAuth\n"
          "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem"
        " -days 2 -subj /CN=netrt-cpp-test-ca -addext basicConstraints=critical,CA:TRUE"
        " -addext keyUsage=critical,keyCertSign,cRLSign");
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr"
        " -subj /CN=localhost");
    run("openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 2"
        " -extfile leaf.ext");
  }
  Pki(Pki const&) = delete;
  Pki& operator=(Pki const&) = delete;
  ~Pki() { (void)std::system(("rm -rf '" + dir + "'").c_str()); }

  std::string path(std::string const& file) const { return dir + "/" + file; }
  std::string dir;

 private:
  void write(std::string const& file, std::string const& text) const {
    FILE* f = std::fopen(path(file).c_str(), "w");
    if (!f || std::fputs(text.c_str(), f) < 0 || std::fclose(f) != 0) {
      std::perror("write");
      std::exit(2);
    }
  }
  void run(std::string const& cmd) const {
    std::string full = "cd '" + dir + "' && " + cmd + " >openssl.log 2>&1";
    if (std::system(full.c_str()) != 0) {
      std::fprintf(stderr, "failed: %s (see %s/openssl.log)\n", cmd.c_str(), dir.c_str());
      std::exit(2);
    }
  }
};

// `openssl s_server` on 127.0.0.1:0 with the PKI's leaf; `port` is where it accepts.
struct OpensslServer {
  explicit OpensslServer(Pki const& pki)
      : peer({"openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "4", "-cert", pki.path("leaf.pem"), "-key",
              pki.path("leaf.key")}),
        port(peer.port_after("ACCEPT 127.0.0.1:")) {}
  Peer peer;
  std::string port;
};

// The Python ssl STARTTLS peer (as core/tests/util/peers.rs): reads a big-endian Int32 length
// and that much plaintext (the samples' hello), prints it, does the TLS handshake as server,
// then echoes one line back over TLS prefixed with "echo:".
inline char const* kStartTlsScript = R"PY(
import socket, ssl, struct, sys
cert, key = sys.argv[1], sys.argv[2]
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
print("PORT", srv.getsockname()[1], flush=True)
srv.settimeout(20)
conn, _ = srv.accept(); conn.settimeout(20)
def exact(n):
    b = b""
    while len(b) < n:
        chunk = conn.recv(n - len(b))
        if not chunk: raise SystemExit("peer closed")
        b += chunk
    return b
n = struct.unpack(">i", exact(4))[0]
print("HELLO", exact(n).decode("utf-8"), flush=True)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)
try:
    tls = ctx.wrap_socket(conn, server_side=True)
except Exception as e:
    print("HANDSHAKE-FAILED", type(e).__name__, e, flush=True); raise SystemExit(0)
print("TLS", tls.version(), flush=True)
line = b""
while not line.endswith(b"\n"):
    chunk = tls.recv(100)
    if not chunk: break
    line += chunk
tls.sendall(b"echo:" + line)
print("ECHOED", line.decode().strip(), flush=True)
try: tls.unwrap()
except Exception: pass
)PY";

// tests/peers/ws_server.py (the Python `websockets` server the Rust and C tests use) with
// `args`, run by run.sh's venv Python ($NETRT_TEST_PYTHON, $NETRT_WS_SERVER).
struct WsServer {
  explicit WsServer(std::vector<std::string> args) : peer(command(std::move(args))), port(peer.port_after("PORT ")) {}
  Peer peer;
  std::string port;

 private:
  static std::vector<std::string> command(std::vector<std::string> args) {
    char const* python = std::getenv("NETRT_TEST_PYTHON");
    char const* script = std::getenv("NETRT_WS_SERVER");
    if (!python || !script) {
      std::fprintf(stderr, "NETRT_TEST_PYTHON / NETRT_WS_SERVER are not set (run through tests/cpp/run.sh)\n");
      std::exit(2);
    }
    args.insert(args.begin(), {python, script});
    return args;
  }
};

struct PythonStartTlsServer {
  explicit PythonStartTlsServer(Pki const& pki)
      : peer({"python3", "-c", kStartTlsScript, pki.path("leaf.pem"), pki.path("leaf.key")}), port(peer.port_after("PORT ")) {}
  Peer peer;
  std::string port;
};

}  // namespace test

#endif  // NETRT_TEST_UTIL_HPP
