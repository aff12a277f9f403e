//! The socket broker's figures (`make bench-broker`, BENCHMARKS.md): the daemon's resident
//! memory per idle held socket, the latency from a byte arriving to a subscribed running app
//! being notified, the reclaim round trip, and a cold activation (the broker starts the task,
//! which reclaims the socket, reads the bytes and answers).
//!
//! `broker_bench [HELD] [SAMPLES]` (defaults 10,000 and 1,000). It starts its own daemon on a
//! private socket; the example task `broker_task` must be built beside it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::time::{Duration, Instant};

use netrt::broker::{
    BackgroundTaskBuilder, SocketActivityContext, SocketActivityInformation, SocketActivityTrigger,
};
use netrt::{HostName, StreamSocket};

#[path = "support/private_daemon.rs"]
mod private_daemon;

fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name}: p50 {:.1} us, p99 {:.1} us ({} samples)",
        percentile(&samples, 0.5).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6,
        samples.len()
    );
}

fn raise_fd_limit() {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit with a valid struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

async fn transferable(task: netrt::foundation::Guid, port: &str) -> StreamSocket {
    let socket = StreamSocket::new();
    socket.enable_transfer_ownership(task).expect("enable");
    socket.connect(&HostName::new("127.0.0.1").expect("host"), port).await.expect("connect");
    socket
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let held = args.first().copied().unwrap_or(10_000);
    let samples = args.get(1).copied().unwrap_or(1_000);
    raise_fd_limit();
    let brokerd = private_daemon::brokerd_beside_exe();
    let examples = brokerd.parent().expect("target dir").join("examples");
    let dir = std::env::temp_dir().join(format!("netrt-broker-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let socket_path = dir.join("run/broker.sock");
    // SAFETY: set before netrt talks to the broker (the runtime's threads do not read them).
    unsafe { private_daemon::use_broker(&socket_path, &brokerd) };
    let daemon =
        private_daemon::start(&brokerd, &socket_path, &dir.join("state"), Stdio::inherit(), "warn", &[]);
    let pid = daemon.id();
    let mut builder = BackgroundTaskBuilder::new();
    builder.set_name("bench");
    builder.set_task_entry_point(&examples.join("broker_task").display().to_string());
    builder.set_trigger(SocketActivityTrigger::new());
    let task = builder.register().expect("register");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port().to_string();

    // Memory: idle held sockets.
    let before = resident_kib(pid);
    let mut peers = Vec::with_capacity(held);
    for i in 0..held {
        let s = transferable(task.task_id(), &port).await;
        peers.push(Some(listener.accept().expect("accept").0));
        s.transfer_ownership(&format!("idle-{i}")).expect("transfer");
    }
    let after = resident_kib(pid);
    println!(
        "held {held} idle sockets: daemon RSS {before} KiB -> {after} KiB, {:.0} bytes per socket",
        (after.saturating_sub(before) * 1024) as f64 / held as f64
    );
    // Reclaimed in two halves, each dropped with its peers before the next: this process stays
    // within its fd limit, and no held socket sees its peer leave (which would start the task).
    for half in 0..2 {
        let ids = (0..held).filter(|i| i % 2 == half).map(|i| format!("idle-{i}"));
        let all = SocketActivityInformation::all_sockets().expect("AllSockets");
        let infos: Vec<_> = ids.map(|id| all[&id].clone()).collect();
        let started = Instant::now();
        let back = SocketActivityInformation::reclaim_all(&infos).expect("reclaim");
        let took = started.elapsed();
        if half == 0 {
            println!("reclaimed {} sockets in one call: {:.1} ms", back.len(), took.as_secs_f64() * 1e3);
        }
        drop(back);
        for (i, peer) in peers.iter_mut().enumerate() {
            if i % 2 == half {
                peer.take();
            }
        }
    }
    // Notification latency and reclaim round trip, with a subscribed running instance.
    let subscription = task.subscribe().expect("subscribe");
    let mut socket = transferable(task.task_id(), &port).await;
    let (mut peer, _) = listener.accept().expect("accept");
    let (mut notify, mut reclaim) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        socket.transfer_ownership("latency").expect("transfer");
        let t0 = Instant::now();
        peer.write_all(b"x").expect("peer write");
        let instance = subscription
            .next_activation(Some(Duration::from_secs(10)))
            .expect("activation")
            .expect("in time");
        let t1 = Instant::now();
        socket = instance
            .trigger_details()
            .socket_activity()
            .expect("socket activity")
            .socket_information()
            .stream_socket()
            .expect("reclaim");
        reclaim.push(t1.elapsed());
        notify.push(t1 - t0);
        let mut b = [0u8; 1];
        socket.read_some(&mut b).await.expect("read");
    }
    report("byte arrives -> subscribed app notified", notify);
    report("reclaim round trip (StreamSocket property)", reclaim);
    drop(subscription);
    drop(socket);
    drop(peer);

    // Cold activation: the broker starts the task process, which reclaims, reads and answers.
    let mut cold = Vec::new();
    for i in 0..samples.min(50) {
        let s = transferable(task.task_id(), &port).await;
        let (mut peer, _) = listener.accept().expect("accept");
        s.transfer_ownership_with_context(
            &format!("cold-{i}"),
            &SocketActivityContext::new(&1u32.to_le_bytes()),
        )
        .expect("transfer");
        let t0 = Instant::now();
        peer.write_all(b"c").expect("peer write");
        let mut answer = [0u8; 3];
        peer.read_exact(&mut answer).expect("the task's answer");
        cold.push(t0.elapsed());
        assert_eq!(&answer, b"ok ");
        drop_answer(&mut peer);
    }
    report("cold activation (byte sent -> spawned task answered)", cold);
    task.unregister(false).expect("unregister");
    private_daemon::stop(daemon);
    let _ = std::fs::remove_dir_all(&dir);
}

fn drop_answer(peer: &mut TcpStream) {
    let mut rest = Vec::new();
    let _ = peer.read_to_end(&mut rest);
}
