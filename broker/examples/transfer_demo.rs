//! `make demo`'s background download: an app asks netrt-brokerd to download 8 MiB from a
//! small loopback HTTP server and prints the progress the daemon reports, then the result.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use netrt::background_transfer::{BackgroundDownloader, DownloadOperation};
use netrt::foundation::Uri;
use netrt::storage::StorageFile;

#[path = "support/private_daemon.rs"]
mod private_daemon;

const SIZE: usize = 8 << 20;

/// Answers each GET with SIZE bytes, paced so that the download takes about a second.
fn serve(listener: TcpListener) {
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut out = &stream;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {SIZE}\r\nETag: \"demo\"\r\nConnection: close\r\n\r\n"
            );
            if out.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b'n'; 64 * 1024];
            for _ in 0..SIZE / chunk.len() {
                if out.write_all(&chunk).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(8));
            }
        });
    }
}

fn main() -> netrt::Result<()> {
    let brokerd = private_daemon::brokerd_beside_exe();
    let dir = std::env::temp_dir().join(format!("netrt-transfer-demo-{}", std::process::id()));
    let socket = dir.join("run/broker.sock");
    std::fs::create_dir_all(&dir).expect("demo dir");
    // SAFETY: no other thread exists yet.
    unsafe { private_daemon::use_broker(&socket, &brokerd) };
    let daemon = private_daemon::start(&brokerd, &socket, &dir.join("state"), Stdio::null(), "warn", &[]);
    let listener = TcpListener::bind("127.0.0.1:0").expect("server listener");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || serve(listener));
    let outcome = download(&dir, port);
    private_daemon::stop(daemon);
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

fn download(dir: &std::path::Path, port: u16) -> netrt::Result<()> {
    let uri = Uri::new(&format!("http://127.0.0.1:{port}/demo.bin"))?;
    let result = dir.join("demo.bin");
    let operation = BackgroundDownloader::new().create_download(&uri, &StorageFile::from_path(&result))?;
    println!("transfer: netrt-brokerd downloads {uri} (operation {})", operation.guid());
    let started = operation.start_async()?;
    // Reports can repeat a state (a progress report and a status change at the same moment,
    // or handlers still queued when the download completes): print each state once.
    let printed = Arc::new(Mutex::new(None));
    started.set_progress(Arc::new(move |op: DownloadOperation| {
        let p = op.progress();
        let key = Some((p.status, p.bytes_received));
        if std::mem::replace(&mut *printed.lock().unwrap(), key) == key {
            return;
        }
        let mib = |n: u64| n as f64 / f64::from(1 << 20);
        println!(
            "transfer: {:<9} {:>4.1} / {:.1} MiB",
            p.status.to_string(),
            mib(p.bytes_received),
            mib(p.total_bytes_to_receive)
        );
    }))?;
    let done = started.get()?;
    let info = done.get_response_information();
    println!(
        "transfer: {} — HTTP {}, {} bytes in {}",
        done.progress().status,
        info.map(|i| i.status_code()).unwrap_or_default(),
        std::fs::metadata(&result).map(|m| m.len()).unwrap_or_default(),
        done.result_file().name()
    );
    Ok(())
}
