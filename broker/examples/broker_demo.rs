//! `make demo`'s socket broker hand-off: an app transfers a connected socket to netrt-brokerd
//! and exits; the peer sends a message; the broker starts the app's background task, which
//! reclaims the socket, reads the message and answers.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Stdio};

use netrt::broker::{BackgroundTaskBuilder, SocketActivityInformation, SocketActivityTrigger};

#[path = "support/private_daemon.rs"]
mod private_daemon;

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

fn main() -> netrt::Result<()> {
    let brokerd = private_daemon::brokerd_beside_exe();
    let task_exe = brokerd.parent().expect("target dir").join("examples/broker_task");
    let dir = std::env::temp_dir().join(format!("netrt-broker-demo-{}", std::process::id()));
    let socket = dir.join("run/broker.sock");
    std::fs::create_dir_all(dir.join("reports")).expect("demo dir");
    // SAFETY: no other thread exists yet.
    unsafe { private_daemon::use_broker(&socket, &brokerd) };
    let daemon = private_daemon::start(&brokerd, &socket, &dir.join("state"), Stdio::null(), "warn", &[]);
    println!("broker: netrt-brokerd (pid {}) listens on {}", daemon.id(), socket.display());
    let outcome = hand_off(&dir, &task_exe);
    private_daemon::stop(daemon);
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

fn hand_off(dir: &std::path::Path, task_exe: &std::path::Path) -> netrt::Result<()> {
    let mut builder = BackgroundTaskBuilder::new();
    builder.set_name("demo-chat");
    builder.set_task_entry_point(&task_exe.display().to_string());
    builder.set_trigger(SocketActivityTrigger::new());
    builder.add_environment("BROKER_TASK_REPORT_DIR", &dir.join("reports").display().to_string());
    let task = builder.register()?;
    println!("app: registered background task {} ({})", task.name(), task.task_id());

    let listener = TcpListener::bind("127.0.0.1:0").expect("peer listener");
    let port = listener.local_addr().expect("address").port().to_string();
    let message = "Hello from the peer while the app is not running ☺".as_bytes();
    let status = Command::new(task_exe)
        .args(["transfer", &port, &task.task_id().to_string(), "demo-chat", &message.len().to_string()])
        .status()
        .expect("run the app");
    let (mut peer, _) = listener.accept().expect("the app's connection");
    println!(
        "app: connected to 127.0.0.1:{port}, transferred the socket as \"demo-chat\", exited ({status})"
    );
    for (id, info) in SocketActivityInformation::all_sockets()? {
        println!("broker: holds \"{id}\" ({:?}, context {:?})", info.socket_kind(), info.context().data());
    }
    peer.write_all(message).expect("peer write");
    println!("peer: sent {} bytes", message.len());
    let mut answer = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(&peer), &mut answer).expect("the task's answer");
    let report = std::fs::read_to_string(dir.join("reports/demo-chat")).unwrap_or_default();
    println!(
        "task: started by the broker ({}), reclaimed the socket and answered: {}",
        report.trim(),
        answer.trim()
    );
    let expected = format!("ok {} {:016x}", message.len(), fnv1a(message));
    println!(
        "peer: the checksum {}",
        if answer.trim() == expected { "matches: no byte lost" } else { "DIFFERS" }
    );
    task.unregister(false)?;
    if answer.trim() == expected {
        Ok(())
    } else {
        Err(netrt::Error::new(netrt::error::hresult::E_FAIL, "the hand-off lost bytes"))
    }
}
