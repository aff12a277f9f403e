//! Where the broker listens and keeps its state.

use std::path::PathBuf;

use crate::protocol::SOCKET_ENV;

/// The broker's socket: `$NETRT_BROKER_SOCKET`, else `$XDG_RUNTIME_DIR/netrt/broker.sock`, else
/// `/tmp/netrt-<uid>/broker.sock` (a per-user directory the daemon creates 0700).
pub fn socket_path() -> PathBuf {
    if let Some(p) = std::env::var_os(SOCKET_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|p| !p.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("netrt").join("broker.sock"),
        None => {
            PathBuf::from(format!("/tmp/netrt-{}", rustix::process::getuid().as_raw())).join("broker.sock")
        }
    }
}

/// Where the daemon persists registrations: `$NETRT_BROKER_STATE_DIR`, else
/// `$XDG_STATE_HOME/netrt`, else `~/.local/state/netrt`, else the socket's directory.
pub fn state_dir() -> PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|p| !p.is_empty()).map(PathBuf::from);
    if let Some(dir) = var("NETRT_BROKER_STATE_DIR") {
        return dir;
    }
    if let Some(dir) = var("XDG_STATE_HOME") {
        return dir.join("netrt");
    }
    if let Some(home) = var("HOME") {
        return home.join(".local/state/netrt");
    }
    socket_path().parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."))
}
