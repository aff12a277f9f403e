//! What the background-transfer tests share: one private netrt-brokerd per test binary (its
//! socket in a fresh directory, named to netrt through NETRT_BROKER_SOCKET; it dies with the
//! test process), test data and its SHA-256. The servers (nginx with `/slow/` at 512 KiB/s, the
//! aiohttp transfer server) are the core tests' (`support::web_peers`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

#[allow(dead_code)] // only start and use_broker are needed here
#[path = "../../../broker/examples/support/private_daemon.rs"]
mod private_daemon;

/// The private daemon of this test binary.
pub struct Broker {
    pub dir: PathBuf,
    pub socket: PathBuf,
    pub log: PathBuf,
}

/// netrt-brokerd, built beside the `netrt` binary (`cargo test --workspace` builds both;
/// `cargo test -p netrt-cli` alone needs `cargo build -p netrt-broker` first).
pub fn brokerd() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_netrt")).with_file_name("netrt-brokerd");
    assert!(path.is_file(), "{} is missing: run `cargo build -p netrt-broker` first", path.display());
    path
}

/// Starts the daemon once per test binary, from a thread that never ends (PR_SET_PDEATHSIG is
/// tied to the spawning thread). This process's own netrt calls go to it too.
pub fn broker() -> &'static Broker {
    static BROKER: OnceLock<Broker> = OnceLock::new();
    BROKER.get_or_init(|| {
        remove_stale_dirs();
        let dir = std::env::temp_dir().join(format!("{DIR_PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("state")).expect("state dir");
        let socket = dir.join("run/broker.sock");
        let log = dir.join("brokerd.log");
        // SAFETY: set once, before any test of this binary talks to netrt or starts the daemon
        // (which inherits the environment: no proxy for its loopback transfers).
        unsafe {
            private_daemon::use_broker(&socket, &brokerd());
            for var in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
                std::env::remove_var(var);
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let (s, state, l) = (socket.clone(), dir.join("state"), log.clone());
        std::thread::spawn(move || {
            let log = std::fs::File::create(&l).expect("log file");
            let child = private_daemon::start(&brokerd(), &s, &state, Stdio::from(log), "debug", &[]);
            tx.send(child).expect("report the daemon");
            loop {
                std::thread::park();
            }
        });
        std::mem::forget(rx.recv().expect("daemon started"));
        Broker { dir, socket, log }
    })
}

/// Each test process's directory: `<temp>/netrt-cli-transfers-<pid>`.
const DIR_PREFIX: &str = "netrt-cli-transfers-";

/// Removes the directories of earlier test processes that have exited (their downloads are
/// tens of MiB).
fn remove_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(DIR_PREFIX).and_then(|p| p.parse::<u32>().ok()) else { continue };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A `netrt` command line talking to the private daemon.
pub fn netrt(args: &[&str]) -> Command {
    let broker = broker();
    let mut cmd = crate::support::command(args);
    cmd.env("NETRT_BROKER_SOCKET", &broker.socket).env("NETRT_BROKERD", brokerd());
    cmd
}

/// The last lines of the daemon's log, for failure messages.
pub fn broker_log() -> String {
    let text = std::fs::read_to_string(&broker().log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// A new empty directory under the daemon's.
pub fn scratch(name: &str) -> PathBuf {
    let dir = broker().dir.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
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

pub fn sha256(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a file (panics, with the daemon's log, when it is missing).
pub fn sha256_of(path: &Path) -> String {
    let data = std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e}\nbroker log:\n{}", path.display(), broker_log()));
    sha256(&data)
}
