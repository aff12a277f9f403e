//! A netrt-brokerd of one's own, for the tests, the bench and the demo: its socket in a fresh
//! directory, named to netrt's client through NETRT_BROKER_SOCKET, and the daemon dies with the
//! process that started it (PR_SET_PDEATHSIG: start it from a thread that lives as long as the
//! process, as the main thread does).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// netrt-brokerd, built beside the running executable (target/<profile>/, whose examples/ and
/// deps/ hold the examples and the tests).
pub fn brokerd_beside_exe() -> PathBuf {
    let exe = std::env::current_exe().expect("the running executable");
    exe.parent().and_then(Path::parent).expect("the target directory").join("netrt-brokerd")
}

/// Runs netrt-brokerd on `socket` with its registrations in `state`, logging to `log`.
pub fn start(brokerd: &Path, socket: &Path, state: &Path, log: Stdio, level: &str, extra: &[&str]) -> Child {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(brokerd);
    command
        .args(["--socket".as_ref(), socket.as_os_str(), "--state-dir".as_ref(), state.as_os_str()])
        .args(extra)
        .env("NETRT_BROKER_LOG", level)
        .stderr(log);
    // SAFETY: prctl is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let child = command.spawn().unwrap_or_else(|e| panic!("start {}: {e}", brokerd.display()));
    wait_for_socket(socket);
    child
}

/// Waits (at most 10 s) until the daemon accepts connections on `socket`.
pub fn wait_for_socket(socket: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::os::unix::net::UnixStream::connect(socket).is_err() {
        assert!(Instant::now() < deadline, "netrt-brokerd did not listen on {}", socket.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Points netrt's client in this process at `socket` (and at `brokerd` for on-demand starts).
///
/// # Safety
/// As `std::env::set_var`: call it before other threads read the environment.
pub unsafe fn use_broker(socket: &Path, brokerd: &Path) {
    // SAFETY: the caller's promise.
    unsafe {
        std::env::set_var("NETRT_BROKER_SOCKET", socket);
        std::env::set_var("NETRT_BROKERD", brokerd);
    }
}

/// Stops the daemon (SIGTERM) and waits for it.
pub fn stop(mut child: Child) {
    // SAFETY: signals our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let _ = child.wait();
}
