//! The socket broker under misuse and failure: I/O pending at transfer, many sockets at once,
//! bad protocol input, a flood of connections, other users, restarts, commands that fail.

mod common;

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use common::*;
use netrt::broker::{BackgroundTaskBuilder, SocketActivityInformation, SocketActivityTrigger};
use netrt::error::hresult;
use netrt::{HostName, StreamSocket};
use netrt_broker::client::Client;
use netrt_broker::protocol::{Message, TaskRegistration};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_fails_while_a_read_is_pending_and_works_after_it_ends() {
    daemon();
    let (task, _) = register_task("pending");
    let (listener, port) = peer_listener();
    let socket = transferable(task.task_id(), &port).await;
    let (_peer, _) = listener.accept().unwrap();
    let mut buf = [0u8; 8];
    let read = socket.read_some(&mut buf);
    tokio::pin!(read);
    // Polled once: the read is pending (nothing was sent) and holds the socket's read slot.
    tokio::select! {
        biased;
        r = &mut read => panic!("the read finished with nothing sent: {r:?}"),
        () = std::future::ready(()) => {}
    }
    let refused = socket.transfer_ownership("pending-1").expect_err("transferred with a read pending");
    assert_eq!(refused.hresult(), hresult::E_ILLEGAL_METHOD_CALL, "{refused}");
    // CancelIOAsync completes once the read has ended, so both are driven together.
    let (cancelled, read) = tokio::join!(socket.cancel_io(), read);
    cancelled.unwrap();
    assert_eq!(read.unwrap_err().hresult(), hresult::E_OPERATION_ABORTED);
    socket.transfer_ownership("pending-1").expect("transfer once the read ended");
    assert!(SocketActivityInformation::all_sockets().unwrap().contains_key("pending-1"));
    task.unregister(false).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_needs_enable_transfer_ownership_before_connect() {
    daemon();
    let (task, _) = register_task("enable");
    let (listener, port) = peer_listener();
    let socket = StreamSocket::new();
    socket.connect(&HostName::new("127.0.0.1").unwrap(), &port).await.unwrap();
    let (_peer, _) = listener.accept().unwrap();
    let late = socket.enable_transfer_ownership(task.task_id()).unwrap_err();
    assert_eq!(late.hresult(), hresult::E_ILLEGAL_METHOD_CALL, "{late}");
    let never = socket.transfer_ownership("enable-1").unwrap_err();
    assert_eq!(never.hresult(), hresult::E_ILLEGAL_METHOD_CALL, "{never}");
    socket.write_all(b"still usable").await.expect("a refused transfer leaves the socket as it was");
    task.unregister(false).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_sockets_than_scm_max_fd_come_back_in_one_reclaim() {
    const COUNT: usize = 300;
    daemon();
    let (task, _) = register_task("many");
    let (listener, port) = peer_listener();
    let mut peers = Vec::new();
    for i in 0..COUNT {
        let socket = transferable(task.task_id(), &port).await;
        peers.push(listener.accept().unwrap().0);
        socket.transfer_ownership(&format!("many-{i:03}")).unwrap();
    }
    let all = SocketActivityInformation::all_sockets().unwrap();
    let mine: Vec<SocketActivityInformation> =
        (0..COUNT).map(|i| all[&format!("many-{i:03}")].clone()).collect();
    let back = SocketActivityInformation::reclaim_all(&mine).expect("reclaim all");
    assert_eq!(back.len(), COUNT);
    for (i, (info, socket)) in back.iter().enumerate() {
        assert_eq!(info.id(), format!("many-{i:03}"));
        let netrt::broker::ReclaimedSocket::Stream(s) = socket else {
            panic!("socket {i} came back as {socket:?}")
        };
        s.write_all(&[i as u8]).await.unwrap();
        let mut b = [0u8; 1];
        std::io::Read::read_exact(&mut &peers[i], &mut b).unwrap();
        assert_eq!(b[0], i as u8, "socket {i} is connected to its own peer");
    }
    task.unregister(false).unwrap();
}

fn status_works() {
    let mut client = Client::connect(&daemon().socket).expect("connect after the abuse");
    let (reply, _) = client.request(&Message::StatusQuery, &[]).expect("status");
    assert!(matches!(reply, Message::Status(_)), "{reply:?}");
}

#[test]
fn malformed_truncated_and_flooding_clients_do_not_hurt_the_daemon() {
    let d = daemon();
    let hello =
        netrt_broker::protocol::encode(&Message::Hello { version: netrt_broker::protocol::VERSION }).unwrap();
    let inputs: Vec<Vec<u8>> = vec![
        b"GET / HTTP/1.1\r\n\r\n".to_vec(),
        vec![0xff, 0xff, 0xff, 0xff, 1],
        hello[..3].to_vec(),
        [hello.clone(), vec![5, 0, 0, 0, 200, 1, 2, 3, 4]].concat(),
        [hello.clone(), vec![9, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]].concat(),
        [hello.clone(), netrt_broker::protocol::encode(&Message::ListSockets).unwrap()[..4].to_vec()]
            .concat(),
    ];
    for input in &inputs {
        let mut s = UnixStream::connect(&d.socket).unwrap();
        let _ = s.write_all(input);
        let _ = s.shutdown(std::net::Shutdown::Write);
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = std::io::Read::read_to_end(&mut s, &mut Vec::new());
        status_works();
    }
    // A flood: many idle connections at once, then a normal client is still served.
    let flood: Vec<UnixStream> = (0..200).map(|_| UnixStream::connect(&d.socket).unwrap()).collect();
    status_works();
    drop(flood);
    status_works();
}

#[test]
fn registrations_survive_a_daemon_restart() {
    let dir = daemon().dir.join("restart");
    let socket = dir.join("run/broker.sock");
    let state = dir.join("state");
    std::fs::create_dir_all(&dir).unwrap();
    let task = TaskRegistration {
        task_id: [0x42; 16],
        name: "persisted".into(),
        command: "true".into(),
        env: vec![("K".into(), "V".into())],
    };
    let mut first = start(&socket, &state, &dir.join("first.log"));
    wait_for_socket(&socket);
    let (reply, _) =
        Client::connect(&socket).unwrap().request(&Message::RegisterTask(task.clone()), &[]).unwrap();
    assert_eq!(reply, Message::Ok);
    // SAFETY: kill with a valid pid and signal.
    unsafe { libc::kill(first.id() as i32, libc::SIGTERM) };
    assert!(first.wait().unwrap().success(), "SIGTERM is a clean exit");
    assert!(!socket.exists(), "the socket file is removed at shutdown");
    let mut second = start(&socket, &state, &dir.join("second.log"));
    wait_for_socket(&socket);
    let (reply, _) = Client::connect(&socket).unwrap().request(&Message::ListTasks, &[]).unwrap();
    assert_eq!(reply, Message::Tasks(vec![task]));
    unsafe { libc::kill(second.id() as i32, libc::SIGTERM) };
    assert!(second.wait().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_cannot_start_is_retried_with_growing_pauses() {
    daemon();
    let mut builder = BackgroundTaskBuilder::new();
    builder.set_name("unstartable");
    builder.set_task_entry_point("/nonexistent/netrt-task");
    builder.set_trigger(SocketActivityTrigger::new());
    let task = builder.register().unwrap();
    let (listener, port) = peer_listener();
    let socket = transferable(task.task_id(), &port).await;
    let (peer, _) = listener.accept().unwrap();
    socket.transfer_ownership("unstartable-1").unwrap();
    write_all(&peer, b"x");
    let retries = |log: &str| -> Vec<String> {
        log.lines()
            .filter(|l| l.contains("unstartable") && l.contains("retrying in"))
            .map(|l| {
                l.rsplit("retrying in ")
                    .next()
                    .and_then(|t| t.split_whitespace().next())
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let found = loop {
        let r = retries(&std::fs::read_to_string(&daemon().log).unwrap_or_default());
        if r.len() >= 3 || std::time::Instant::now() > deadline {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(found[..3], ["50ms".to_owned(), "100ms".to_owned(), "200ms".to_owned()], "{found:?}");
    task.unregister(false).unwrap();
}

/// The user the cross-user test runs as (created when missing; the test needs root for that).
const OTHER_USER: &str = "netrt-broker-test";

#[test]
fn another_user_cannot_reach_the_broker() {
    let d = daemon();
    let dir = d.socket.parent().unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(dir).unwrap().permissions().mode() & 0o777, 0o700);
    if rustix::process::getuid().as_raw() != 0 {
        eprintln!(
            "another_user_cannot_reach_the_broker: needs root to run as another user; only the 0700 directory was checked"
        );
        return;
    }
    let exists = std::process::Command::new("id").arg(OTHER_USER).output().unwrap().status.success();
    if !exists {
        let made = std::process::Command::new("useradd")
            .args(["--system", "--no-create-home", OTHER_USER])
            .status()
            .unwrap();
        assert!(made.success(), "useradd {OTHER_USER}");
    }
    // The other user runs the daemon's own status client against our socket.
    let out = std::process::Command::new("runuser")
        .args(["-u", OTHER_USER, "--"])
        .arg(brokerd())
        .args(["status", "--socket"])
        .arg(&d.socket)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "another user reached the broker: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ermission denied"), "{err}");
}

#[test]
fn a_client_starts_the_daemon_on_demand() {
    let dir = daemon().dir.join("on-demand");
    let socket = dir.join("run/broker.sock");
    // A process the broker did not start asks about an activation: its client finds no daemon
    // at the fresh path, starts one (NETRT_BROKERD) and gets the daemon's own answer.
    let out = std::process::Command::new(broker_task())
        .env("NETRT_BROKER_SOCKET", &socket)
        .env("NETRT_BROKERD", brokerd())
        .env("NETRT_BROKER_ACTIVATION", "00000000-0000-0000-0000-000000000001")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("0x80070490") && err.contains("no activation"), "{err}");
    let (reply, _) =
        Client::connect(&socket).expect("the started daemon").request(&Message::StatusQuery, &[]).unwrap();
    let Message::Status(status) = reply else { panic!("{reply:?}") };
    assert!(std::fs::read_to_string(dir.join("run/broker.log")).unwrap().contains("listening on"));
    // SAFETY: signal the daemon the client started (its own process group, not our child).
    unsafe { libc::kill(status.pid as i32, libc::SIGTERM) };
}

#[test]
fn a_socket_activated_daemon_serves_the_socket_systemd_passes() {
    let dir = daemon().dir.join("activated");
    std::fs::create_dir_all(dir.join("run")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.join("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let socket = dir.join("run/broker.sock");
    // systemd-socket-activate binds the socket and runs the daemon with it as fd 3 on the
    // first connection, as the installed netrt-brokerd.socket unit does.
    let mut activator = std::process::Command::new("systemd-socket-activate")
        .arg("-l")
        .arg(&socket)
        .arg(brokerd())
        .arg("--socket")
        .arg(&socket)
        .arg("--state-dir")
        .arg(dir.join("state"))
        .stderr(std::fs::File::create(dir.join("activated.log")).unwrap())
        .spawn()
        .expect("systemd-socket-activate (package systemd)");
    wait_for_socket(&socket);
    let (reply, _) = Client::connect(&socket).expect("served").request(&Message::StatusQuery, &[]).unwrap();
    let Message::Status(status) = reply else { panic!("{reply:?}") };
    // SAFETY: signal the daemon (which systemd-socket-activate execs into) and wait for it.
    unsafe { libc::kill(status.pid as i32, libc::SIGTERM) };
    let _ = activator.wait();
    let log = std::fs::read_to_string(dir.join("activated.log")).unwrap();
    assert!(log.contains("(socket from systemd)"), "{log}");
    assert!(socket.exists(), "a socket-activated daemon leaves the socket file to systemd");
}
