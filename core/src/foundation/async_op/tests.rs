use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::*;
use crate::error::hresult::{E_ILLEGAL_DELEGATE_ASSIGNMENT, WSAECONNREFUSED_HR};

fn soon() -> Option<Instant> {
    Some(Instant::now() + Duration::from_secs(10))
}

#[test]
fn a_future_ready_on_the_first_poll_completes_without_a_task() {
    let op = AsyncOperation::start(async { Ok(7u32) }).unwrap();
    assert_eq!(op.status(), AsyncStatus::Completed);
    assert_eq!(op.results().unwrap(), 7);
}

#[test]
fn call_errors_are_synchronous_and_io_errors_belong_to_the_operation() {
    let err = AsyncOperation::<()>::start(async { Err(Error::invalid_arg("bad")) }).unwrap_err();
    assert_eq!(err.hresult(), E_INVALIDARG);
    let op = AsyncOperation::<()>::start(async { Err(Error::new(WSAECONNREFUSED_HR, "refused")) }).unwrap();
    assert_eq!(op.status(), AsyncStatus::Error);
    assert_eq!(op.error_code().unwrap(), WSAECONNREFUSED_HR);
    assert_eq!(op.results().unwrap_err().hresult(), WSAECONNREFUSED_HR);
    assert!(AsyncOperation::<()>::completed(Err(Error::closed("socket"))).is_err());
}

#[test]
fn a_pending_future_runs_on_the_runtime_and_wakes_waiters_listeners_and_the_handler() {
    let (tx, rx) = tokio::sync::oneshot::channel::<u32>();
    let op = AsyncOperation::start(async move { Ok(rx.await.unwrap_or(0)) }).unwrap();
    assert_eq!(op.status(), AsyncStatus::Started);
    assert_eq!(op.results().unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    let listened = Arc::new(AtomicU32::new(0));
    let l = listened.clone();
    assert!(op.on_done(Box::new(move || {
        l.fetch_add(1, Ordering::SeqCst);
    })));
    let (done_tx, done_rx) = mpsc::channel();
    op.set_completed(Box::new(move |status, delivery| {
        done_tx.send((status, delivery, crate::dispatch::on_dispatcher_thread())).unwrap();
    }))
    .unwrap();
    assert!(!op.wait(Some(Instant::now() + Duration::from_millis(20))), "nothing sent yet");
    tx.send(5).unwrap();
    assert!(op.wait(soon()));
    assert_eq!(op.results().unwrap(), 5);
    let (status, delivery, on_dispatcher) = done_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        (status, delivery, on_dispatcher),
        (AsyncStatus::Completed, CompletedDelivery::Dispatcher, true)
    );
    assert_eq!(listened.load(Ordering::SeqCst), 1);
    assert!(!op.on_done(Box::new(|| {})), "a finished operation takes no listener");
}

#[test]
fn the_completed_handler_is_set_once_and_runs_inline_after_the_end() {
    let op = AsyncOperation::start(async { Ok(()) }).unwrap();
    let (tx, rx) = mpsc::channel();
    op.set_completed(Box::new(move |s, d| tx.send((s, d)).unwrap())).unwrap();
    assert_eq!(rx.try_recv().unwrap(), (AsyncStatus::Completed, CompletedDelivery::Inline));
    let again = op.set_completed(Box::new(|_, _| {})).unwrap_err();
    assert_eq!(again.hresult(), E_ILLEGAL_DELEGATE_ASSIGNMENT);
}

#[test]
fn cancel_drops_the_future_before_it_returns() {
    struct Dropped(Arc<AtomicU32>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicU32::new(0));
    let guard = Dropped(drops.clone());
    let op = AsyncOperation::<()>::start(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
        Ok(())
    })
    .unwrap();
    op.cancel().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "the future is gone when cancel returns");
    assert_eq!(op.status(), AsyncStatus::Canceled);
    assert_eq!(op.error_code().unwrap(), E_CANCELLED);
    assert_eq!(op.results().unwrap_err().hresult(), E_CANCELLED);
    op.cancel().unwrap();
}

#[test]
fn close_is_refused_while_started_and_releases_results_after() {
    let (_tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = AsyncOperation::start(async move { Ok(rx.await.is_ok()) }).unwrap();
    assert_eq!(running.close().unwrap_err().hresult(), E_ILLEGAL_STATE_CHANGE);
    running.cancel().unwrap();
    let op = AsyncOperation::start(async { Ok(1u8) }).unwrap();
    op.close().unwrap();
    assert_eq!(op.results().unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    assert_eq!(op.status(), AsyncStatus::Completed);
}

#[test]
fn a_panicking_future_ends_the_operation_with_e_unexpected() {
    let op = AsyncOperation::<()>::start(async {
        tokio::task::yield_now().await;
        panic!("boom");
    })
    .unwrap();
    assert!(op.wait(soon()));
    assert_eq!(op.error_code().unwrap(), E_UNEXPECTED);
}
