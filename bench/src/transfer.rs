//! `make bench-transfer`: download throughput of a large file from nginx on loopback, through
//! the background-transfer engine (`netrt::background_transfer::engine::run`, writing the
//! partial file as the daemon does) against `curl -o FILE`; interleaved A B A B, each run
//! writing a fresh file. Prints MB/s and the ratio netrt / curl with median, min and max.
//!
//!   transfer DIR  (DIR holds data.bin; `make bench-transfer` makes it)

// Shared with the main bench, which uses all of it.
#[allow(dead_code)]
mod stats;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use netrt::background_transfer::engine::{self, Outcome, RequestBody, ResumeState, Target, TransferSpec};
use tokio_util::sync::CancellationToken;

fn pairs() -> usize {
    std::env::var("NETRT_BENCH_PAIRS").ok().and_then(|v| v.parse().ok()).unwrap_or(5)
}

/// nginx serving `www` with tests/peers/nginx_transfer.conf; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    fn start(www: &Path, scratch: &Path) -> Self {
        std::fs::create_dir_all(scratch).expect("nginx scratch directory");
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let conf = include_str!("../../tests/peers/nginx_transfer.conf")
            .replace("@WWW@", &www.display().to_string())
            .replace("@DIR@", &scratch.display().to_string())
            .replace("@PORT@", &port.to_string());
        let conf_path = scratch.join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write nginx.conf");
        let child = Command::new("nginx")
            .arg("-p")
            .arg(scratch)
            .arg("-c")
            .arg(&conf_path)
            .arg("-e")
            .arg(scratch.join("error.log"))
            .stdin(Stdio::null())
            .spawn()
            .expect("run nginx");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx never listened on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, port }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn engine_seconds(runtime: &tokio::runtime::Runtime, url: &url::Url, out: &Path) -> f64 {
    let spec = TransferSpec {
        method: "GET".into(),
        url: url.clone(),
        headers: Vec::new(),
        server_credential: None,
        proxy_credential: None,
        body: RequestBody::None,
        target: Target::Download { partial: out.to_path_buf() },
    };
    let start = Instant::now();
    let outcome =
        runtime.block_on(engine::run(&spec, ResumeState::default(), &|_, _| {}, CancellationToken::new()));
    let seconds = start.elapsed().as_secs_f64();
    assert!(matches!(outcome, Outcome::Completed { .. }), "the engine's download: {outcome:?}");
    seconds
}

fn curl_seconds(url: &url::Url, out: &Path) -> f64 {
    let start = Instant::now();
    let status =
        Command::new("curl").args(["-s", "-f", "-o"]).arg(out).arg(url.as_str()).status().expect("run curl");
    let seconds = start.elapsed().as_secs_f64();
    assert!(status.success(), "curl failed: {status}");
    seconds
}

fn same_bytes(a: &Path, b: &Path) -> bool {
    let status = Command::new("cmp").arg("-s").arg(a).arg(b).status().expect("run cmp");
    status.success()
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: transfer DIR (holding data.bin)"));
    let data = dir.join("data.bin");
    let size = std::fs::metadata(&data).expect("DIR/data.bin").len();
    let nginx = Nginx::start(&dir, &dir.join("nginx"));
    let url = url::Url::parse(&format!("http://127.0.0.1:{}/data.bin", nginx.port)).expect("url");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let (ours_out, curl_out) = (dir.join("out.netrt"), dir.join("out.curl"));
    let pairs = pairs();
    let curl_version = Command::new("curl").arg("--version").output().map(|o| o.stdout).unwrap_or_default();
    let curl_version = String::from_utf8_lossy(&curl_version).lines().next().unwrap_or("curl").to_string();
    println!("transfer download of {size} bytes from nginx on loopback, {pairs} interleaved pairs");
    println!("  baseline: {curl_version}");
    let (mut ours, mut curl) = (Vec::new(), Vec::new());
    for pair in 0..pairs {
        ours.push(engine_seconds(&runtime, &url, &ours_out));
        curl.push(curl_seconds(&url, &curl_out));
        if pair == 0 {
            assert!(same_bytes(&ours_out, &data), "the engine's file differs from the source");
            assert!(same_bytes(&curl_out, &data), "curl's file differs from the source");
        }
        let _ = std::fs::remove_file(&ours_out);
        let _ = std::fs::remove_file(&curl_out);
    }
    drop(nginx);
    let mb = size as f64 / 1e6;
    let ratios: Vec<f64> = ours.iter().zip(&curl).map(|(n, c)| c / n).collect();
    let (n, c, r) = (stats::summarize(&ours), stats::summarize(&curl), stats::summarize(&ratios));
    println!(
        "  engine {:>7.1} MB/s  curl {:>7.1} MB/s  netrt/curl {:.2}x (min {:.2}, max {:.2})",
        mb / n.median,
        mb / c.median,
        r.median,
        r.min,
        r.max
    );
}
