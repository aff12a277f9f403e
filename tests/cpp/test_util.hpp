// Shared helpers for the netrt C++ tests: checks that count and report, and third-party peers
// (openssl s_server, a Python ssl peer) and the test PKI, both through tests/peers/launch.
#ifndef NETRT_TEST_UTIL_HPP
#define NETRT_TEST_UTIL_HPP

#include <netrt.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
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

// A third-party peer started by tests/peers/launch (the one place that knows how to start each
// peer and learn its port; contract in tests/peers/README.md): `launch <args>` prints
// "PORT <port> LOG <path>"; its stdin is relayed to the peer, and closing it stops the peer.
// NETRT_PEER_LAUNCH (the launcher's path) is defined by tests/cpp/run.sh.
class Peer {
 public:
  explicit Peer(std::vector<std::string> args) {
    args.insert(args.begin(), NETRT_PEER_LAUNCH);
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
      std::perror("pipe");
      std::exit(2);
    }
    // Close-on-exec everywhere (dup2 clears it on the child's stdin and stdout): no other
    // child inherits our end of its stdin and keeps the peer alive.
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&m_pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
      std::fprintf(stderr, "cannot run %s\n", argv[0]);
      std::exit(2);
    }
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    m_stdin = in[1];
    std::string line;
    char c = 0;
    while (line.size() < 4096 && ::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(out[0]);
    std::size_t log_at = line.find(" LOG ");
    if (line.rfind("PORT ", 0) != 0 || log_at == std::string::npos) {
      std::fprintf(stderr, "%s %s did not start its peer (its stderr is above)\n", argv[0], argv[1]);
      std::exit(2);
    }
    port = line.substr(5, log_at - 5);
    m_log = line.substr(log_at + 5);
  }
  Peer(Peer const&) = delete;
  Peer& operator=(Peer const&) = delete;
  ~Peer() {
    ::close(m_stdin);  // end of file: the launcher stops the peer and exits
    int status = 0;
    ::waitpid(m_pid, &status, 0);
  }

  // Everything the peer printed so far (stdout and stderr).
  std::string output() const {
    std::string text;
    if (FILE* f = std::fopen(m_log.c_str(), "rb")) {
      char buf[4096];
      for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
      std::fclose(f);
    }
    return text;
  }
  bool wait_for_output(std::string const& needle, int seconds = 10) const {
    return wait_until([&] { return output().find(needle) != std::string::npos; }, seconds);
  }
  void send(std::string const& text) {
    if (::write(m_stdin, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::perror("peer stdin");
  }

  std::string port;

 private:
  pid_t m_pid = -1;
  int m_stdin = -1;
  std::string m_log;
};

// The test PKI (made by `tests/peers/launch pki`; its files are listed in tests/peers/pki.py):
// $NETRT_TEST_PKI when run.sh made it, else a temporary directory made here and removed when
// destroyed.
class Pki {
 public:
  Pki() {
    if (char const* made = std::getenv("NETRT_TEST_PKI"); made && *made) {
      dir = made;
      return;
    }
    char tmpl[] = "/tmp/netrt-cpp-pki-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      std::perror("mkdtemp");
      std::exit(2);
    }
    dir = tmpl;
    m_owned = true;
    if (std::system(("'" NETRT_PEER_LAUNCH "' pki '" + dir + "'").c_str()) != 0) {
      std::fprintf(stderr, "tests/peers/launch pki %s failed\n", dir.c_str());
      std::exit(2);
    }
  }
  Pki(Pki const&) = delete;
  Pki& operator=(Pki const&) = delete;
  ~Pki() {
    if (m_owned) (void)std::system(("rm -rf '" + dir + "'").c_str());
  }

  std::string path(std::string const& file) const { return dir + "/" + file; }
  std::string dir;

 private:
  bool m_owned = false;
};

// `openssl s_server` with the PKI's leaf; `port` is where it accepts.
struct OpensslServer {
  explicit OpensslServer(Pki const& pki)
      : peer({"s_server", "--naccept", "4", "--cert", pki.path("leaf.pem"), "--key", pki.path("leaf.key")}),
        port(peer.port) {}
  Peer peer;
  std::string port;
};

// The Python ssl STARTTLS peer (tests/peers/starttls_peer.py): reads the samples'
// length-prefixed plaintext hello, prints it, does the TLS handshake as server, then echoes one
// line back over TLS prefixed with "echo:".
// tests/peers/ws_server.py (the Python `websockets` server the Rust and C tests use) with
// `args`, run by run.sh's venv Python ($NETRT_TEST_PYTHON, $NETRT_WS_SERVER) through the launcher.
struct WsServer {
  explicit WsServer(std::vector<std::string> args) : peer(command(std::move(args))), port(peer.port) {}
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
    args.insert(args.begin(), {"run", "--port-after", "PORT ", "--", python, script});
    return args;
  }
};

struct PythonStartTlsServer {
  explicit PythonStartTlsServer(Pki const& pki)
      : peer({"starttls", "--cert", pki.path("leaf.pem"), "--key", pki.path("leaf.key")}), port(peer.port) {}
  Peer peer;
  std::string port;
};

}  // namespace test

#endif  // NETRT_TEST_UTIL_HPP
