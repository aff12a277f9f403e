//! The broker stopping while an app runs: the peers of the sockets it held see them closed, a
//! subscribed instance gets E_SERVICE_NOT_ACTIVE with a message saying so, and a new daemon on
//! the same state still knows the task but holds nothing.

mod common;

use std::time::Duration;

use common::*;
use netrt::broker::{BackgroundTaskRegistration, SocketActivityInformation};
use netrt::error::hresult;
use netrt_broker::client::Client;
use netrt_broker::protocol::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_that_stops_closes_what_it_held_and_tells_subscribers() {
    let d = daemon();
    let (task, _) = register_task("restart");
    let subscription = task.subscribe().unwrap();
    let (listener, port) = peer_listener();
    let socket = transferable(task.task_id(), &port).await;
    let (peer, _) = listener.accept().unwrap();
    socket.transfer_ownership("restart-1").unwrap();

    let (reply, _) = Client::connect(&d.socket).unwrap().request(&Message::StatusQuery, &[]).unwrap();
    let Message::Status(status) = reply else { panic!("{reply:?}") };
    // SAFETY: signal the test's own daemon.
    unsafe { libc::kill(status.pid as i32, libc::SIGTERM) };

    peer.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    assert!(read_to_end(&peer).is_empty(), "the held connection is closed with the broker");
    let err =
        tokio::task::spawn_blocking(move || subscription.next_activation(Some(Duration::from_secs(30))))
            .await
            .unwrap()
            .expect_err("the subscription ends with the broker");
    assert_eq!(err.hresult(), hresult::E_SERVICE_NOT_ACTIVE, "{err}");
    assert!(err.to_string().contains("were closed"), "{err}");

    // A new daemon on the same state: the task is still registered, nothing is held.
    wait_until_gone(&d.socket);
    let again = start(&d.socket, &d.dir.join("state"), &d.dir.join("second.log"));
    let tasks = BackgroundTaskRegistration::all_tasks().unwrap();
    assert!(tasks.contains_key(&task.task_id().to_string()));
    assert!(!SocketActivityInformation::all_sockets().unwrap().contains_key("restart-1"));
    task.unregister(false).unwrap();
    private_daemon_stop(again);
}

fn wait_until_gone(socket: &std::path::Path) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while socket.exists() {
        assert!(std::time::Instant::now() < deadline, "the stopped daemon left its socket");
        std::thread::sleep(Duration::from_millis(10));
    }
}
