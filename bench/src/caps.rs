//! `netrt-bench caps`: what the app-manifest check costs. Connect latency on loopback without
//! a manifest and with one loaded (each side in its own child process, since a manifest is
//! per process), interleaved A B A B; and the check itself in nanoseconds.

use std::hint::black_box;
use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::time::Instant;

use netrt::capability::{self, AppManifest, NetworkDirection};
use netrt::{HostName, StreamSocket};

use crate::{pairs, row, stats};

const CONNECTS: usize = 2000;
const CHECKS: u64 = 10_000_000;

/// A manifest that allows loopback both ways, with rules so the check does its full work.
const MANIFEST: &str = r#"<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10"
    xmlns:netrt="http://netrt.invalid/manifest/1">
  <Capabilities>
    <Capability Name="internetClientServer" />
    <Capability Name="privateNetworkClientServer" />
    <netrt:Network>
      <netrt:LoopbackExemption />
      <netrt:Deny address="192.0.2.0/24" />
      <netrt:Deny host="*.example.invalid" port="1-1023" />
    </netrt:Network>
  </Capabilities>
</Package>
"#;

/// The child: median connect latency (µs) over `CONNECTS` connects to a std listener.
pub fn connect_child() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            drop(s);
        }
    });
    let host = HostName::new("127.0.0.1").unwrap();
    let rt = netrt::runtime::handle();
    let mut samples = Vec::with_capacity(CONNECTS);
    for _ in 0..CONNECTS {
        let socket = StreamSocket::new();
        let t = Instant::now();
        rt.block_on(socket.connect(&host, &port)).unwrap();
        samples.push(t.elapsed().as_nanos() as u64);
        socket.close();
    }
    println!("{}", stats::quantile(&mut samples, 0.5) as f64 / 1000.0);
}

fn run_child(manifest: Option<&std::path::Path>) -> f64 {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.arg("--caps-connect-child").env_remove("NETRT_MANIFEST");
    if let Some(m) = manifest {
        cmd.env("NETRT_MANIFEST", m);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn ns_per_call(mut f: impl FnMut() -> bool) -> f64 {
    let t = Instant::now();
    let mut allowed = 0u64;
    for _ in 0..CHECKS {
        allowed += u64::from(black_box(f()));
    }
    assert_eq!(allowed, CHECKS);
    t.elapsed().as_nanos() as f64 / CHECKS as f64
}

pub fn figures() {
    let n = pairs();
    let dir = std::env::temp_dir().join(format!("netrt-bench-caps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("Package.appxmanifest");
    std::fs::write(&path, MANIFEST).unwrap();
    println!(
        "App manifest: {CONNECTS} loopback connects per run, {n} interleaved pairs, one process per run\n"
    );
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..n {
        let order = if i % 2 == 0 { [true, false] } else { [false, true] };
        for loaded in order {
            let us = run_child(loaded.then_some(path.as_path()));
            if loaded { with.push(us) } else { without.push(us) }
        }
        eprintln!(
            "pair {}: connect p50 with a manifest {:.1} µs / without {:.1} µs",
            i + 1,
            with[i],
            without[i]
        );
    }
    let ratio: Vec<f64> = with.iter().zip(&without).map(|(a, b)| a / b).collect();
    println!(
        "| figure | with manifest (median) | without (median) | ratio median | ratio min | ratio max | target |"
    );
    println!("|---|---|---|---|---|---|---|");
    row("loopback connect p50 (µs)", &with, &without, &ratio, "≈ 1.00×");

    let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let unloaded = ns_per_call(|| capability::check(NetworkDirection::Outbound, black_box(&addr)).is_ok());
    let manifest = AppManifest::from_file(&path).unwrap();
    let decided = ns_per_call(|| {
        manifest.check_access(NetworkDirection::Outbound, Some("localhost"), black_box(&addr)).is_ok()
    });
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "\ncheck without a manifest: {unloaded:.2} ns per call; with this manifest: {decided:.2} ns per call"
    );
}
