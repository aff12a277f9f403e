//! Background transfers outlive their app and their daemon: an app killed with SIGKILL in the
//! middle of a 512 MiB download, then run again, attaches and gets the whole file; a daemon
//! stopped (SIGTERM) in the middle of a download and started again resumes it from its partial
//! file with a range request.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::transfer_peers::{nginx, scratch};
use common::*;
use netrt::background_transfer::{BackgroundDownloader, BackgroundTransferStatus};
use netrt::foundation::Uri;
use netrt::storage::StorageFile;
use netrt_broker::client::Client;
use netrt_broker::protocol::Message;

const LIMIT: Duration = Duration::from_secs(300);

fn transfer_app() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    exe.parent().and_then(Path::parent).expect("target dir").join("examples/transfer_app")
}

/// A large file quickly: a random MiB repeated, each copy stamped with its index.
fn write_big(path: &Path, mib: u64) {
    let block = bytes(21, 1 << 20);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..mib {
        out.write_all(&i.to_le_bytes()).unwrap();
        out.write_all(&block[8..]).unwrap();
    }
    out.flush().unwrap();
}

/// `sha256sum` (the optimised tool: hashing 512 MiB in a debug build takes too long).
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_owned()
}

#[test]
fn transfers_survive_a_killed_app_and_a_restarted_daemon() {
    let d = daemon();
    let dir = scratch("restart");
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let served = www.join("huge.bin");
    write_big(&served, 512);
    let small = www.join("small.bin");
    write_big(&small, 4);
    let server = nginx(&www, &dir);

    // 1. The app is killed with SIGKILL while its download runs; a second run attaches.
    let result = dir.join("huge.bin");
    let uri = format!("http://127.0.0.1:{}/huge.bin", server.port);
    let mut app = Command::new(transfer_app())
        .args(["start", &uri, &result.display().to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("run transfer_app");
    let mut line = String::new();
    BufReader::new(app.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("STARTED "), "transfer_app said {line:?}; broker log:\n{}", log_tail());
    app.kill().unwrap();
    let _ = app.wait();
    let attached = Command::new(transfer_app())
        .args(["attach", &result.display().to_string()])
        .output()
        .expect("run transfer_app attach");
    let said = String::from_utf8_lossy(&attached.stdout);
    assert!(
        attached.status.success() && said.starts_with(&format!("COMPLETED {}", 512u64 << 20)),
        "{said} {}; broker log:\n{}",
        String::from_utf8_lossy(&attached.stderr),
        log_tail()
    );
    assert_eq!(sha256sum(&result), sha256sum(&served));

    // 2. The daemon stops (SIGTERM) mid-download and starts again: the download resumes with a
    // range from the partial file.
    let result = dir.join("small.bin");
    let op = BackgroundDownloader::new()
        .create_download(
            &Uri::new(&format!("http://127.0.0.1:{}/slow/small.bin", server.port)).unwrap(),
            &StorageFile::from_path(&result),
        )
        .unwrap();
    let first = op.start_async().unwrap();
    let deadline = Instant::now() + LIMIT;
    while op.progress().bytes_received == 0 {
        assert!(Instant::now() < deadline, "no bytes arrived; broker log:\n{}", log_tail());
        std::thread::sleep(Duration::from_millis(20));
    }
    let (reply, _) = Client::connect(&d.socket).unwrap().request(&Message::StatusQuery, &[]).unwrap();
    let Message::Status(status) = reply else { panic!("{reply:?}") };
    // SAFETY: signals the test's own daemon.
    unsafe { libc::kill(status.pid as i32, libc::SIGTERM) };
    first.wait(Some(Instant::now() + LIMIT));
    let err = first.results().expect_err("the start operation ends with the daemon");
    assert_eq!(err.hresult(), netrt::error::hresult::E_SERVICE_NOT_ACTIVE, "{err}");
    wait_until_exited(&d.socket, deadline);
    let partial =
        std::fs::metadata(format!("{}.partial", result.display())).expect("the partial file stays").len();
    assert!(partial > 0);
    let again = start(&d.socket, &d.dir.join("state"), &d.dir.join("second.log"));
    let current = BackgroundDownloader::get_current_downloads_async().unwrap();
    current.wait(Some(Instant::now() + LIMIT));
    let found = current
        .results()
        .unwrap()
        .into_iter()
        .find(|o| o.guid() == op.guid())
        .expect("the download is known");
    let attached = found.attach_async().unwrap();
    attached.wait(Some(Instant::now() + LIMIT));
    let done = attached.results().expect("the resumed download completes");
    assert_eq!(done.progress().status, BackgroundTransferStatus::Completed);
    assert_eq!(sha256sum(&result), sha256sum(&small));
    let log = std::fs::read_to_string(dir.join("access.log")).unwrap();
    assert!(log.contains("206 range=bytes="), "the new daemon resumed with a range:\n{log}");
    private_daemon_stop(again);
}

/// Waits until the stopped daemon has exited: it holds `<socket>.lock` for its whole life.
fn wait_until_exited(socket: &Path, deadline: Instant) {
    use std::os::fd::AsRawFd;
    let lock = std::fs::File::open(format!("{}.lock", socket.display())).expect("the daemon's lock file");
    // SAFETY: flock on a descriptor this function owns.
    while unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        assert!(Instant::now() < deadline, "the stopped daemon did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}
