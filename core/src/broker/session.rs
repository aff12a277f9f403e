//! Talking to netrt-brokerd: connect (starting the daemon when none runs), one request, the
//! answer or a netrt error.

use std::io::ErrorKind;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use netrt_broker_protocol::client::{Client, ClientError};
use netrt_broker_protocol::protocol::Message;

use crate::error::{Error, Result, hresult};

/// How long a client waits for a daemon it started to listen.
const START_LIMIT: Duration = Duration::from_secs(5);

/// The environment variable naming the daemon binary to start on demand.
pub const BROKERD_ENV: &str = "NETRT_BROKERD";

pub(crate) fn client_error(e: ClientError, what: &str) -> Error {
    match e {
        ClientError::Io(io) => Error::from_io(&io, format!("{what}: the socket broker connection")),
        ClientError::Protocol(p) => {
            Error::new(hresult::E_UNEXPECTED, format!("{what}: the socket broker sent {p}"))
        }
    }
}

/// A session with the broker at the usual path, started on demand.
pub(crate) fn connect(what: &str) -> Result<Client> {
    let path = netrt_broker_protocol::paths::socket_path();
    match Client::connect(&path) {
        Ok(c) => return Ok(c),
        Err(ClientError::Io(e)) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) => {
        }
        Err(e) => return Err(client_error(e, what)),
    }
    start_daemon(&path, what)?;
    let deadline = Instant::now() + START_LIMIT;
    loop {
        match Client::connect(&path) {
            Ok(c) => return Ok(c),
            Err(ClientError::Io(e))
                if Instant::now() < deadline
                    && matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => {
                return Err(Error::new(
                    hresult::E_SERVICE_NOT_ACTIVE,
                    format!(
                        "{what}: netrt-brokerd was started but does not answer on {}: {}",
                        path.display(),
                        client_error(e, what)
                    ),
                ));
            }
        }
    }
}

/// One request; `Failed` answers become the daemon's HRESULT and message.
pub(crate) fn request(
    what: &str,
    message: &Message,
    fds: &[BorrowedFd<'_>],
) -> Result<(Message, Vec<OwnedFd>)> {
    let mut client = connect(what)?;
    match client.request(message, fds).map_err(|e| client_error(e, what))? {
        (Message::Failed { hresult, message }, _) => Err(Error::new(hresult, format!("{what}: {message}"))),
        answer => Ok(answer),
    }
}

/// Where the daemon binary is: `$NETRT_BROKERD`, next to the running executable (or its
/// parent directory, as for test binaries in target/*/deps), in the `bin/` beside the `lib/`
/// that holds this library (`make install`'s layout, for C and C++ apps), else in PATH.
fn brokerd_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(BROKERD_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    let installed = library_path().and_then(|lib| Some(lib.parent()?.parent()?.join("bin/netrt-brokerd")));
    for candidate in
        [Some(dir.join("netrt-brokerd")), dir.parent().map(|d| d.join("netrt-brokerd")), installed]
            .into_iter()
            .flatten()
    {
        if candidate.is_file() {
            return Some(candidate);
        }
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|d| d.join("netrt-brokerd")).find(|p| p.is_file())
    })
}

/// The file this code was loaded from (libnetrt.so for C apps; the executable when linked in).
fn library_path() -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: dladdr only reads the loader's tables; a zeroed Dl_info is a valid out-parameter.
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    let here = library_path as *const libc::c_void;
    // SAFETY: `here` is an address inside this object; `info` is writable.
    if unsafe { libc::dladdr(here, &mut info) } == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dladdr returned a NUL-terminated path that lives as long as the object is loaded.
    let name = unsafe { std::ffi::CStr::from_ptr(info.dli_fname) };
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(name.to_bytes())))
}

/// Starts the daemon in its own session, logging to `broker.log` beside its socket; a thread
/// reaps it when it exits (a daemon that finds another one serving exits at once).
fn start_daemon(socket: &Path, what: &str) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    use std::os::unix::process::CommandExt;
    let binary = brokerd_binary().ok_or_else(|| {
        Error::new(
            hresult::E_SERVICE_NOT_ACTIVE,
            format!("{what}: no socket broker runs at {} and netrt-brokerd was not found (set {BROKERD_ENV}, or put it in PATH)", socket.display()),
        )
    })?;
    let dir = socket.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let _ = std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir);
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("broker.log"));
    let mut command = std::process::Command::new(&binary);
    command
        .arg("--socket")
        .arg(socket)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    match log {
        Ok(file) => command.stderr(file),
        Err(_) => command.stderr(std::process::Stdio::null()),
    };
    command.process_group(0);
    let mut child = command.spawn().map_err(|e| {
        Error::new(hresult::E_SERVICE_NOT_ACTIVE, format!("{what}: cannot start {}: {e}", binary.display()))
    })?;
    tracing::info!(
        "started the socket broker {} (pid {}) for {}",
        binary.display(),
        child.id(),
        socket.display()
    );
    std::thread::Builder::new()
        .name("netrt-brokerd-reaper".into())
        .spawn(move || {
            let _ = child.wait();
        })
        .map_err(|e| Error::from_io(&e, "start the broker's reaper thread"))?;
    Ok(())
}
