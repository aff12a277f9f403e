//! One private netrt-brokerd for a test binary: its socket in a fresh 0700 directory, named to
//! netrt's client through NETRT_BROKER_SOCKET; stopped (SIGTERM) when the test process exits.

#![allow(dead_code)] // each test binary uses part of this

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use netrt::broker::{BackgroundTaskBuilder, BackgroundTaskRegistration, SocketActivityTrigger};

#[path = "../../examples/support/private_daemon.rs"]
mod private_daemon;
// The launcher of third-party peers (tests/peers/launch), shared with netrt's own tests.
#[allow(dead_code, unused_imports)]
#[path = "../../../core/tests/util/peers.rs"]
pub mod peers;
pub mod transfer_peers;

pub struct Daemon {
    pub dir: PathBuf,
    pub socket: PathBuf,
    pub log: PathBuf,
}

pub fn brokerd() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_netrt-brokerd"))
}

/// The example task (cargo builds examples before integration tests).
pub fn broker_task() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    exe.parent().and_then(Path::parent).expect("target dir").join("examples/broker_task")
}

/// Starts the daemon once per test binary. The child is spawned from a thread that never ends,
/// so PR_SET_PDEATHSIG (tied to the spawning thread) fires only when the process dies.
pub fn daemon() -> &'static Daemon {
    static DAEMON: OnceLock<Daemon> = OnceLock::new();
    DAEMON.get_or_init(|| {
        remove_stale_dirs();
        let dir = std::env::temp_dir().join(format!("netrt-broker-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("state")).expect("state dir");
        let socket = dir.join("run/broker.sock");
        let log = dir.join("brokerd.log");
        // SAFETY: set once, before any test of this binary talks to the broker.
        unsafe { private_daemon::use_broker(&socket, &brokerd()) };
        let (tx, rx) = std::sync::mpsc::channel();
        let (s, d, l) = (socket.clone(), dir.clone(), log.clone());
        std::thread::spawn(move || {
            tx.send(start(&s, &d.join("state"), &l)).expect("report the daemon");
            loop {
                std::thread::park();
            }
        });
        let child: Child = rx.recv().expect("daemon started");
        std::mem::forget(child);
        Daemon { dir, socket, log }
    })
}

/// Directories of earlier test processes that have exited (each test binary leaves its own).
fn remove_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("netrt-broker-test-").and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Runs netrt-brokerd on `socket` (debug logs into `log`), dying with this process.
pub fn start(socket: &Path, state: &Path, log: &Path) -> Child {
    let log = std::fs::File::create(log).expect("log file");
    private_daemon::start(&brokerd(), socket, state, log.into(), "debug", &["--retry-base-ms", "50"])
}

#[allow(unused_imports)] // only some test binaries use these
pub use private_daemon::{stop as private_daemon_stop, wait_for_socket};

/// A task whose command is the example task, reporting into a fresh directory.
pub fn register_task(name: &str) -> (BackgroundTaskRegistration, PathBuf) {
    let reports = daemon().dir.join(format!("reports-{name}"));
    std::fs::create_dir_all(&reports).expect("report dir");
    let mut builder = BackgroundTaskBuilder::new();
    builder.set_name(name);
    builder.set_task_entry_point(&broker_task().display().to_string());
    builder.set_trigger(SocketActivityTrigger::new());
    builder.add_environment("BROKER_TASK_REPORT_DIR", &reports.display().to_string());
    (builder.register().expect("register the task"), reports)
}

/// Waits for the task's report about `socket_id` (its reason, kind and task id).
pub fn wait_report(reports: &Path, socket_id: &str) -> String {
    let path = reports.join(socket_id);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(&path)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "no activation report for {socket_id}; broker log:\n{}",
            log_tail()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub fn log_tail() -> String {
    let text = std::fs::read_to_string(&daemon().log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

pub fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

/// A loopback listener for the peer's side.
pub fn peer_listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port().to_string();
    (l, port)
}

/// Reads one line (the task's answer), at most 30 s.
pub fn read_line(stream: &TcpStream) -> String {
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).expect("the task's answer");
    line
}

/// Deterministic pseudo-random bytes (xorshift), so a failure can be replayed.
pub fn bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

pub fn write_all(mut stream: &TcpStream, data: &[u8]) {
    stream.write_all(data).expect("peer write");
}

pub fn read_to_end(mut stream: &TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    stream.read_to_end(&mut out).expect("peer read");
    out
}

/// A StreamSocket enabled for `task`'s transfer, connected to 127.0.0.1:`port`.
pub async fn transferable(task: netrt::foundation::Guid, port: &str) -> netrt::StreamSocket {
    let socket = netrt::StreamSocket::new();
    socket.enable_transfer_ownership(task).expect("enable before connect");
    socket.connect(&netrt::HostName::new("127.0.0.1").unwrap(), port).await.expect("connect");
    socket
}
