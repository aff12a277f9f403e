//! `make bench-transfer-daemon`: the background-transfer service's figures (BENCHMARKS.md).
//!
//! 1. Daemon memory with N queued transfers (QUEUED, default 1,000): downloads created and
//!    started in a Serialized group whose first transfer never ends, so the rest wait in the
//!    daemon's queue; resident memory (VmRSS) before and after, per queued transfer.
//! 2. The app exiting while its download runs: a child process starts a download from a server
//!    that sends at a steady pace, and exits; this process, attached to the same transfer, records
//!    when each progress report arrives. The longest gap between reports around the exit, next
//!    to the median gap, says whether the transfer stalled when its app went away.
//!
//! The HTTP server is a small loopback one in this file, pacing its body; the daemon is a
//! private netrt-brokerd (release build, beside this example).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use netrt::background_transfer::{
    BackgroundDownloader, BackgroundTransferBehavior, BackgroundTransferGroup, DownloadOperation,
};
use netrt::foundation::Uri;
use netrt::storage::StorageFile;

#[path = "support/private_daemon.rs"]
mod private_daemon;

/// `/endless`: a body that never ends (one byte per second); `/paced`: PACED_SIZE bytes, 64 KiB
/// every 2 ms (about 32 MiB/s).
fn serve(listener: TcpListener) {
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut out = &stream;
            if request.contains("/endless") {
                let _ =
                    out.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n");
                while out.write_all(b"x").is_ok() {
                    std::thread::sleep(Duration::from_secs(1));
                }
                return;
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {PACED_SIZE}\r\nETag: \"paced\"\r\nConnection: close\r\n\r\n"
            );
            if out.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b'p'; 64 * 1024];
            for _ in 0..PACED_SIZE / chunk.len() {
                if out.write_all(&chunk).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
    }
}

const PACED_SIZE: usize = 160 << 20;

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or("VmRSS: 0 kB");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Lets this process (and the daemon it starts) hold more descriptors than the default 1,024:
/// each started transfer's app side follows it on a broker connection.
fn raise_fd_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// The queuing app (a child process): creates and starts `count` downloads in a Serialized
/// group behind one that never ends, then exits without cancelling them, as an app that queued
/// its downloads and went away.
fn queue_child(port: u16, dir: &str, count: usize) -> netrt::Result<()> {
    raise_fd_limit();
    let group = BackgroundTransferGroup::create_group("bench-queue");
    group.set_transfer_behavior(BackgroundTransferBehavior::Serialized);
    let downloader = BackgroundDownloader::new();
    downloader.set_transfer_group(Some(group));
    let dir = std::path::Path::new(dir);
    let mut following = Vec::with_capacity(count + 1);
    let first = downloader.create_download(
        &Uri::new(&format!("http://127.0.0.1:{port}/endless"))?,
        &StorageFile::from_path(dir.join("q-first")),
    )?;
    following.push(first.start_async()?);
    for i in 0..count {
        let uri = Uri::new(&format!("http://127.0.0.1:{port}/paced?{i}"))?;
        let op = downloader.create_download(&uri, &StorageFile::from_path(dir.join(format!("q-{i}"))))?;
        following.push(op.start_async()?);
    }
    println!("QUEUED");
    std::io::stdout().flush().ok();
    std::process::exit(0)
}

fn queued_memory(daemon_pid: u32, port: u16, dir: &std::path::Path, count: usize) -> netrt::Result<()> {
    std::thread::sleep(Duration::from_millis(300));
    let before = rss_kib(daemon_pid);
    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .args(["queue", &port.to_string(), &dir.display().to_string(), &count.to_string()])
        .output()
        .expect("run the queuing app");
    assert!(String::from_utf8_lossy(&out.stdout).contains("QUEUED"), "the queuing app failed: {out:?}");
    let group = BackgroundTransferGroup::create_group("bench-queue");
    let listed = BackgroundDownloader::get_current_downloads_for_transfer_group_async(&group)?;
    listed.wait(Some(Instant::now() + Duration::from_secs(60)));
    let listed = listed.results()?;
    let waiting = listed.iter().filter(|d| d.progress().bytes_received == 0).count();
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kib(daemon_pid);
    let per = (after.saturating_sub(before)) as f64 * 1024.0 / count as f64;
    println!(
        "queued: {} transfers listed after their app exited ({waiting} not started); daemon VmRSS {before} KiB -> {after} KiB: {per:.0} B per queued transfer",
        listed.len()
    );
    Ok(())
}

/// The child: start the download, say so, exit at once.
fn child(uri: &str, result: &str) -> netrt::Result<()> {
    let download =
        BackgroundDownloader::new().create_download(&Uri::new(uri)?, &StorageFile::from_path(result))?;
    let _following = download.start_async()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while download.progress().bytes_received < (8 << 20) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    println!("STARTED {}", download.guid());
    std::io::stdout().flush().ok();
    std::process::exit(0)
}

/// Finds the download `guid` and follows it, recording when each report arrives.
fn attach(
    guid: &str,
    reports: Arc<Mutex<Vec<(Instant, u64)>>>,
) -> netrt::Result<netrt::foundation::AsyncOperationWithProgress<DownloadOperation, DownloadOperation>> {
    let current = BackgroundDownloader::get_current_downloads_async()?;
    current.wait(Some(Instant::now() + Duration::from_secs(30)));
    let download = current
        .results()?
        .into_iter()
        .find(|d| d.guid().to_string() == guid)
        .ok_or_else(|| netrt::Error::invalid_arg("the app's download is not listed"))?;
    let attached = download.attach_async()?;
    attached.set_progress(Arc::new(move |op: DownloadOperation| {
        reports.lock().unwrap().push((Instant::now(), op.progress().bytes_received));
    }))?;
    Ok(attached)
}

fn app_exit(port: u16, dir: &std::path::Path) -> netrt::Result<()> {
    let result = dir.join("exit.bin");
    let exe = std::env::current_exe().expect("own path");
    let uri = format!("http://127.0.0.1:{port}/paced");
    let mut app = std::process::Command::new(exe)
        .args(["child", &uri, &result.display().to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the app");
    let mut line = String::new();
    BufReader::new(app.stdout.take().expect("stdout")).read_line(&mut line).expect("app's line");
    let guid = line.trim().strip_prefix("STARTED ").unwrap_or_default().to_owned();
    let reports: Arc<Mutex<Vec<(Instant, u64)>>> = Arc::default();
    let attached = attach(&guid, reports.clone());
    // The app has exited (or is exiting) by now: it printed its line and called exit(0).
    let _ = app.wait();
    let exited = Instant::now();
    let attached = attached?;
    attached.wait(Some(Instant::now() + Duration::from_secs(120)));
    attached.results()?;
    let reports = reports.lock().unwrap().clone();
    let gaps: Vec<(Instant, Duration)> =
        reports.windows(2).map(|w| (w[1].0, w[1].0.duration_since(w[0].0))).collect();
    let mut all: Vec<Duration> = gaps.iter().map(|g| g.1).collect();
    all.sort();
    let median = all.get(all.len() / 2).copied().unwrap_or_default();
    let near_exit = gaps
        .iter()
        .filter(|(at, _)| at.saturating_duration_since(exited) < Duration::from_secs(1))
        .map(|g| g.1)
        .max()
        .unwrap_or_default();
    let longest = all.last().copied().unwrap_or_default();
    let received = reports.last().map(|r| r.1).unwrap_or_default();
    println!(
        "app exit: {} reports, {received} bytes; gap between reports median {:.1} ms, longest {:.1} ms, longest within 1 s of the app's exit {:.1} ms",
        reports.len(),
        median.as_secs_f64() * 1e3,
        longest.as_secs_f64() * 1e3,
        near_exit.as_secs_f64() * 1e3
    );
    Ok(())
}

fn main() -> netrt::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["child", uri, result] => return child(uri, result),
        ["queue", port, dir, count] => {
            return queue_child(port.parse().unwrap_or(0), dir, count.parse().unwrap_or(0));
        }
        _ => {}
    }
    raise_fd_limit();
    let count: usize = std::env::var("QUEUED").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let brokerd = private_daemon::brokerd_beside_exe();
    let dir = std::env::temp_dir().join(format!("netrt-transfer-bench-{}", std::process::id()));
    let socket = dir.join("run/broker.sock");
    std::fs::create_dir_all(&dir).expect("bench dir");
    // SAFETY: no other thread exists yet.
    unsafe { private_daemon::use_broker(&socket, &brokerd) };
    let daemon = private_daemon::start(&brokerd, &socket, &dir.join("state"), Stdio::null(), "warn", &[]);
    let listener = TcpListener::bind("127.0.0.1:0").expect("server listener");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || serve(listener));
    let outcome = app_exit(port, &dir).and_then(|()| queued_memory(daemon.id(), port, &dir, count));
    private_daemon::stop(daemon);
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}
