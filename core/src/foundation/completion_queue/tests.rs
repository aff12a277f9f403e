use std::sync::mpsc;
use std::thread::ThreadId;
use std::time::Duration;

use super::*;
use crate::error::hresult::E_ILLEGAL_METHOD_CALL;
use crate::event::Event;
use crate::foundation::{AsyncOperation, AsyncStatus, CompletedDelivery};

/// Whether the queue's fd polls readable right now.
fn readable(q: &CompletionQueue) -> bool {
    let mut pfd = libc::pollfd { fd: q.fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd; timeout 0 never blocks.
    unsafe { libc::poll(&mut pfd, 1, 0) == 1 }
}

/// Blocks (bounded) until the queue's fd is readable.
fn await_readable(q: &CompletionQueue) -> bool {
    let mut pfd = libc::pollfd { fd: q.fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut pfd, 1, 10_000) == 1 }
}

/// An operation that runs until `release` is sent (or dropped).
fn pending_op() -> (AsyncOperation<u32>, tokio::sync::oneshot::Sender<u32>) {
    let (tx, rx) = tokio::sync::oneshot::channel::<u32>();
    (AsyncOperation::start(async move { Ok(rx.await.unwrap_or(0)) }).unwrap(), tx)
}

#[test]
fn the_fd_is_readable_exactly_while_jobs_wait_and_dispatch_honours_max() {
    let q = CompletionQueue::new().unwrap();
    assert!(!readable(&q));
    let (tx, rx) = mpsc::channel();
    for i in 0..3 {
        let tx = tx.clone();
        q.try_post(move |d| tx.send((i, d, std::thread::current().id())).unwrap()).map_err(|_| ()).unwrap();
    }
    assert!(readable(&q));
    assert_eq!(q.dispatch(2).unwrap(), 2);
    assert!(readable(&q), "one job left: still readable");
    assert_eq!(q.dispatch(10).unwrap(), 1);
    assert!(!readable(&q), "empty: readiness cleared");
    let me = std::thread::current().id();
    let got: Vec<(i32, Delivery, ThreadId)> = rx.try_iter().collect();
    assert_eq!(got, vec![(0, Delivery::Queue, me), (1, Delivery::Queue, me), (2, Delivery::Queue, me)]);
    assert_eq!(q.dispatch(1).unwrap(), 0);
    assert_eq!(q.dispatch(0).unwrap_err().hresult(), E_INVALIDARG);
}

#[test]
fn an_operation_started_with_a_current_queue_delivers_its_handler_only_inside_dispatch() {
    let q = CompletionQueue::new().unwrap();
    let previous = CompletionQueue::make_current(Some(&q));
    let (op, release) = pending_op();
    CompletionQueue::make_current(previous.as_ref());
    assert!(op.completion_queue().is_some_and(|bound| bound.ptr_eq(&q)));
    let (tx, rx) = mpsc::channel();
    op.set_completed(Box::new(move |status, delivery| {
        tx.send((status, delivery, std::thread::current().id())).unwrap()
    }))
    .unwrap();
    release.send(9).unwrap();
    assert!(op.wait(None));
    assert!(await_readable(&q));
    assert!(rx.try_recv().is_err(), "nothing runs before dispatch");
    assert_eq!(q.dispatch(16).unwrap(), 1);
    assert_eq!(
        rx.try_recv().unwrap(),
        (AsyncStatus::Completed, CompletedDelivery::CompletionQueue, std::thread::current().id())
    );
}

#[test]
fn closing_the_queue_cancels_bound_operations_and_moves_queued_jobs_to_the_dispatcher() {
    let q = CompletionQueue::new().unwrap();
    let (op, _release) = pending_op();
    op.set_completion_queue(Some(&q)).unwrap();
    let (tx, rx) = mpsc::channel();
    let handler_tx = tx.clone();
    op.set_completed(Box::new(move |status, delivery| {
        handler_tx
            .send(format!("{status:?} {delivery:?} {}", crate::dispatch::on_dispatcher_thread()))
            .unwrap()
    }))
    .unwrap();
    q.try_post(move |d| {
        tx.send(format!("queued {d:?} {}", crate::dispatch::on_dispatcher_thread())).unwrap()
    })
    .map_err(|_| ())
    .unwrap();
    q.close();
    assert_eq!(op.status(), AsyncStatus::Canceled);
    let mut got = vec![
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
    ];
    got.sort();
    assert_eq!(got, vec!["Canceled Dispatcher true".to_string(), "queued Dispatcher true".to_string()]);
    assert_eq!(q.dispatch(1).unwrap_err().hresult(), RO_E_CLOSED);
    assert!(!readable(&q));
    let (late, _r) = pending_op();
    assert_eq!(late.set_completion_queue(Some(&q)).unwrap_err().hresult(), RO_E_CLOSED);
    q.close();
}

#[test]
fn binding_comes_before_the_handler_and_none_overrides_the_current_queue() {
    let q = CompletionQueue::new().unwrap();
    let previous = CompletionQueue::make_current(Some(&q));
    let (op, release) = pending_op();
    CompletionQueue::make_current(previous.as_ref());
    op.set_completion_queue(None).unwrap();
    let (tx, rx) = mpsc::channel();
    op.set_completed(Box::new(move |_, d| tx.send(d).unwrap())).unwrap();
    assert_eq!(op.set_completion_queue(Some(&q)).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    release.send(1).unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), CompletedDelivery::Dispatcher);
    q.close();
}

#[test]
fn event_handlers_added_with_a_current_queue_run_inside_dispatch_in_order() {
    let q = CompletionQueue::new().unwrap();
    let event: Event<u32, u32> = Event::default();
    let (tx, rx) = mpsc::channel();
    let previous = CompletionQueue::make_current(Some(&q));
    let on_queue = tx.clone();
    event
        .add_until_closed(
            "test",
            Arc::new(move |s, a| on_queue.send(format!("queue {s} {a}")).unwrap()),
            Box::new(move || tx.send("closed".into()).unwrap()),
        )
        .unwrap();
    CompletionQueue::make_current(previous.as_ref());
    assert!(event.raise(1, 2));
    assert!(event.raise(3, 4));
    event.close();
    assert!(rx.try_recv().is_err(), "nothing runs before dispatch");
    assert_eq!(q.dispatch(16).unwrap(), 3);
    assert_eq!(rx.try_iter().collect::<Vec<_>>(), vec!["queue 1 2", "queue 3 4", "closed"]);
}
