//! Third-party peers started by the tests: `openssl s_server` and a Python `ssl` STARTTLS peer.
//! Each binds 127.0.0.1 on an ephemeral port, reports it, and is killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running peer process with its captured output.
pub struct Peer {
    child: Child,
    /// Kept open: `openssl s_server` drops clients when its stdin reaches EOF. Lines written
    /// to it are sent to the connected client.
    stdin: Mutex<Option<ChildStdin>>,
    pub port: u16,
    output: Arc<Mutex<String>>,
}

impl Peer {
    /// Everything the peer printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        self.output.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Writes `text` to the peer's standard input (s_server sends it to its client).
    pub fn send(&self, text: &str) {
        use std::io::Write;
        let mut stdin = self.stdin.lock().unwrap();
        let pipe = stdin.as_mut().expect("peer stdin");
        pipe.write_all(text.as_bytes()).unwrap();
        pipe.flush().unwrap();
    }

    /// Kills the peer now (a server dying mid-connection).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits until the output contains `needle` (or panics after 10 s).
    pub fn wait_for_output(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = self.output();
            if out.contains(needle) {
                return out;
            }
            assert!(Instant::now() < deadline, "peer never printed {needle:?}; output:\n{out}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(reader: impl std::io::Read + Send + 'static, sink: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            let mut s = sink.lock().unwrap_or_else(|e| e.into_inner());
            s.push_str(&line);
            s.push('\n');
        }
    });
}

/// Starts `cmd` whose port is known already.
pub fn spawn_with_port(cmd: Command, port: u16) -> Peer {
    spawn(cmd, port)
}

/// Starts `cmd` and reads its port from its output (see `start`).
pub fn start_reporting_port(cmd: Command, parse_port: impl Fn(&str) -> Option<u16>) -> Peer {
    start(cmd, parse_port)
}

fn spawn(mut cmd: Command, port: u16) -> Peer {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start peer (is it installed? see tests/install-deps.sh)");
    let output = Arc::new(Mutex::new(String::new()));
    collect(child.stdout.take().unwrap(), output.clone());
    collect(child.stderr.take().unwrap(), output.clone());
    let stdin = child.stdin.take();
    Peer { child, stdin: Mutex::new(stdin), port, output }
}

/// Starts `cmd`, then reads its port from the first output line that `parse_port` accepts.
fn start(cmd: Command, parse_port: impl Fn(&str) -> Option<u16>) -> Peer {
    let mut peer = spawn(cmd, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(port) = peer.output().lines().find_map(&parse_port) {
            peer.port = port;
            return peer;
        }
        if let Ok(Some(status)) = peer.child.try_wait() {
            panic!("peer exited ({status}) before reporting its port:\n{}", peer.output());
        }
        assert!(Instant::now() < deadline, "peer did not report a port:\n{}", peer.output());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `openssl s_server -accept 127.0.0.1:0` with a certificate and key, plus `extra` arguments.
pub fn openssl_s_server(cert: &Path, key: &Path, extra: &[&str]) -> Peer {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_server", "-accept", "127.0.0.1:0", "-naccept", "16", "-cert"])
        .arg(cert)
        .arg("-key")
        .arg(key)
        .args(extra);
    start(cmd, |line| line.strip_prefix("ACCEPT 127.0.0.1:").and_then(|p| p.trim().parse().ok()))
}

/// `openssl s_client` connecting to 127.0.0.1:`port` with `extra` arguments (e.g.
/// `-starttls smtp`); its standard input stays open, so lines can be sent with [`Peer::send`].
pub fn openssl_s_client(port: u16, extra: &[&str]) -> Peer {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}")]).args(extra);
    // Nothing to wait for: the port is ours, and with -starttls s_client prints nothing until
    // the server side has talked.
    spawn(cmd, port)
}

/// A Python `ssl` peer for STARTTLS: reads a big-endian Int32 length and that many bytes of
/// plaintext (the samples' hello), prints it, then does the TLS handshake as server and echoes
/// one line over TLS. With `inject`, it sends "GO\n" plus injected plaintext in one segment
/// right after the hello, as a STARTTLS-injection attacker would.
pub fn python_starttls_server(cert: &Path, key: &Path, inject: bool) -> Peer {
    let script = r#"
import socket, ssl, struct, sys
cert, key, inject = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
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
if inject:
    conn.sendall(b"GO\nINJECTED-PLAINTEXT\n")
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
"#;
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script).arg(cert).arg(key).arg(if inject { "1" } else { "0" });
    start(cmd, |line| line.strip_prefix("PORT ").and_then(|p| p.trim().parse().ok()))
}

/// The project's Python (a venv made by tests/install-deps.sh, holding the Python peers).
pub fn venv_python() -> std::path::PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `make test` (tests/install-deps.sh) first",
        python.display()
    );
    python
}

/// aiosmtpd's SMTP server with `require_starttls=True` (tests/peers/smtp_starttls.py).
pub fn aiosmtpd_starttls(cert: &Path, key: &Path) -> Peer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/smtp_starttls.py");
    let mut cmd = Command::new(venv_python());
    cmd.arg(script).arg(cert).arg(key);
    start(cmd, |line| line.strip_prefix("PORT ").and_then(|p| p.trim().parse().ok()))
}
