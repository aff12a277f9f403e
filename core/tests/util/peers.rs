//! Third-party peers for the tests, started by `tests/peers/launch` (the one place that knows how
//! to start each peer and learn its port; its contract is in tests/peers/README.md). A peer is
//! stopped when dropped.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `tests/peers/launch`.
pub fn launcher() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/launch")
}

/// A running peer: the launcher, the port, and the file with the peer's output.
pub struct Peer {
    launcher: Child,
    /// What is written here reaches the peer's stdin; closing it stops the peer.
    stdin: Mutex<Option<ChildStdin>>,
    pub port: u16,
    log: PathBuf,
}

impl Peer {
    /// Runs `launch <args>` and reads its `PORT <port> LOG <path>` line.
    fn start(args: &[&OsStr]) -> Peer {
        let mut launcher = Command::new(launcher())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run tests/peers/launch (python3 is required)");
        let mut line = String::new();
        let _ = BufReader::new(launcher.stdout.take().expect("piped")).read_line(&mut line);
        let ready = line.strip_prefix("PORT ").and_then(|rest| rest.trim_end().split_once(" LOG "));
        let Some((port, log)) = ready else {
            let status = launcher.wait();
            panic!("tests/peers/launch {args:?} failed ({status:?}); its stderr is above");
        };
        let stdin = Mutex::new(launcher.stdin.take());
        Peer { launcher, stdin, port: port.parse().expect("a port number"), log: log.into() }
    }

    /// Everything the peer printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        std::fs::read(&self.log).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
    }

    /// Writes `text` to the peer's standard input (s_server sends it to its client).
    pub fn send(&self, text: &str) {
        let mut stdin = self.stdin.lock().unwrap();
        let pipe = stdin.as_mut().expect("peer stdin");
        pipe.write_all(text.as_bytes()).unwrap();
        pipe.flush().unwrap();
    }

    /// Kills the peer abruptly (SIGKILL to the launcher; the peer dies with it through
    /// PR_SET_PDEATHSIG): no orderly shutdown, as a crash looks to its clients.
    pub fn kill(&mut self) {
        let _ = self.launcher.kill();
        let _ = self.launcher.wait();
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
        // End of file on its stdin: the launcher stops the peer and exits.
        self.stdin.get_mut().unwrap_or_else(|e| e.into_inner()).take();
        let _ = self.launcher.wait();
    }
}

/// `launch <peer> --cert <cert> --key <key> <flags> [-- <extra>]`.
fn launch_with_cert(peer: &str, cert: &Path, key: &Path, flags: &[&str], extra: &[&str]) -> Peer {
    let mut args: Vec<&OsStr> =
        vec![peer.as_ref(), "--cert".as_ref(), cert.as_ref(), "--key".as_ref(), key.as_ref()];
    args.extend(flags.iter().map(OsStr::new));
    if !extra.is_empty() {
        args.push("--".as_ref());
        args.extend(extra.iter().map(OsStr::new));
    }
    Peer::start(&args)
}

/// `openssl s_server` on 127.0.0.1 with a certificate and key, plus `extra` arguments.
pub fn openssl_s_server(cert: &Path, key: &Path, extra: &[&str]) -> Peer {
    launch_with_cert("s_server", cert, key, &[], extra)
}

/// `openssl s_client` connecting to 127.0.0.1:`port` with `extra` arguments (e.g.
/// `-starttls smtp`); lines can be sent with [`Peer::send`].
pub fn openssl_s_client(port: u16, extra: &[&str]) -> Peer {
    let port = port.to_string();
    let mut args: Vec<&OsStr> = vec!["s_client".as_ref(), "--port".as_ref(), port.as_ref(), "--".as_ref()];
    args.extend(extra.iter().map(OsStr::new));
    Peer::start(&args)
}

/// The Python `ssl` STARTTLS peer (tests/peers/starttls_peer.py): reads the samples'
/// length-prefixed plaintext hello, does the TLS handshake as server and echoes one line. With
/// `inject`, it sends plaintext right after the hello, as a STARTTLS-injection attacker would.
pub fn python_starttls_server(cert: &Path, key: &Path, inject: bool) -> Peer {
    launch_with_cert("starttls", cert, key, if inject { &["--inject"] } else { &[] }, &[])
}

/// aiosmtpd's SMTP server requiring STARTTLS (tests/peers/smtp_starttls.py).
pub fn aiosmtpd_starttls(cert: &Path, key: &Path) -> Peer {
    launch_with_cert("smtp", cert, key, &[], &[])
}

/// The project venv's Python (tests/install-deps.sh installs the Python peers there).
pub fn venv_python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(python.exists(), "{} is missing: run tests/install-deps.sh", python.display());
    python
}

/// `launch run --port-after <prefix> -- <program>`: a server that prints `<prefix><port>`.
pub fn run_reporting_port(prefix: &str, program: &[&OsStr]) -> Peer {
    let mut args: Vec<&OsStr> = vec!["run".as_ref(), "--port-after".as_ref(), prefix.as_ref(), "--".as_ref()];
    args.extend_from_slice(program);
    Peer::start(&args)
}

/// `launch run --port <port> -- <program>`: a server whose configuration names its port.
pub fn run_on_port(port: u16, program: &[&OsStr]) -> Peer {
    let port = port.to_string();
    let mut args: Vec<&OsStr> = vec!["run".as_ref(), "--port".as_ref(), port.as_ref(), "--".as_ref()];
    args.extend_from_slice(program);
    Peer::start(&args)
}
