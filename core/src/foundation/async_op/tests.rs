use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::*;
use crate::error::hresult::{E_ILLEGAL_DELEGATE_ASSIGNMENT, WSAECONNREFUSED_HR};
use std::sync::Mutex;
use std::task::{Poll, Waker};

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
fn every_done_listener_runs_once_in_the_order_they_came() {
    // The first is kept inline, the others in a list: all run, first to last.
    let (tx, rx) = tokio::sync::oneshot::channel::<u32>();
    let op = AsyncOperation::start(async move { Ok(rx.await.unwrap_or(0)) }).unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    for i in 0..3 {
        let order = order.clone();
        assert!(op.on_done(Box::new(move || order.lock().unwrap().push(i))));
    }
    tx.send(1).unwrap();
    assert!(op.wait(soon()));
    // Waiters are woken before the listeners run (on the finishing thread): wait for the last.
    let deadline = Instant::now() + Duration::from_secs(10);
    while order.lock().unwrap().len() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
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

/// A future that is Pending until `ready` is set (registering its waker), then yields 5.
fn gated(
    ready: Arc<std::sync::atomic::AtomicBool>,
    waker: Arc<Mutex<Option<Waker>>>,
) -> impl Future<Output = Result<u32>> {
    std::future::poll_fn(move |cx| {
        if ready.load(Ordering::SeqCst) {
            return Poll::Ready(Ok(5));
        }
        *waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    })
}

/// A readiness fd for a parked test operation (never read: only its number matters here).
fn test_fd() -> std::os::fd::OwnedFd {
    use std::os::fd::FromRawFd;
    // SAFETY: a new eventfd, owned below.
    unsafe { std::os::fd::OwnedFd::from_raw_fd(libc::eventfd(0, libc::EFD_CLOEXEC)) }
}

struct CountingWaker(AtomicU32);

impl std::task::Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_claimed_operation_is_driven_by_its_claimer_and_not_by_the_lazy_queue() {
    use std::os::fd::AsRawFd;
    set_park_grace_for_this_thread(Some(Duration::from_millis(1)));
    let (ready, registered) =
        (Arc::new(std::sync::atomic::AtomicBool::new(false)), Arc::new(Mutex::new(None)));
    let fd = test_fd();
    let raw = fd.as_raw_fd();
    let op = AsyncOperation::start_caller_driven(gated(ready.clone(), registered.clone()), move || {
        Some(Readiness::readable(raw))
    })
    .unwrap();
    set_park_grace_for_this_thread(None);
    let claimed = op.claim().expect("parked");
    assert_eq!(claimed.fd(), raw);
    assert!(op.claim().is_none(), "claimed once");
    let counter = Arc::new(CountingWaker(AtomicU32::new(0)));
    let waker = Waker::from(counter.clone());
    assert_eq!(op.poll_claimed(&waker), ClaimedPoll::Pending);
    // Long past the grace period: still the claimer's, not the runtime's.
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(op.status(), AsyncStatus::Started);
    ready.store(true, Ordering::SeqCst);
    registered.lock().unwrap().take().expect("the claimer's waker was registered").wake();
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    assert_eq!(op.poll_claimed(&waker), ClaimedPoll::Done);
    assert_eq!(op.results().unwrap(), 5);
    assert_eq!(op.poll_claimed(&waker), ClaimedPoll::Done);
}

#[test]
fn a_claimed_operation_can_be_cancelled_waited_for_or_handed_to_the_runtime() {
    use std::os::fd::AsRawFd;
    let fd = test_fd();
    let raw = fd.as_raw_fd();
    let start = |ready: &Arc<std::sync::atomic::AtomicBool>, registered: &Arc<Mutex<Option<Waker>>>| {
        set_park_grace_for_this_thread(Some(Duration::from_secs(60)));
        let op = AsyncOperation::start_caller_driven(gated(ready.clone(), registered.clone()), move || {
            Some(Readiness::readable(raw))
        })
        .unwrap();
        set_park_grace_for_this_thread(None);
        op.claim().expect("parked");
        op
    };
    let waker = Waker::noop().clone();
    // Cancelled: its claimer learns it is over.
    let op = start(&Arc::new(std::sync::atomic::AtomicBool::new(false)), &Arc::new(Mutex::new(None)));
    op.cancel().unwrap();
    assert_eq!(op.status(), AsyncStatus::Canceled);
    assert_eq!(op.poll_claimed(&waker), ClaimedPoll::Done);
    // A blocking waiter takes it over (and the claimer is told it is elsewhere meanwhile).
    let (ready, registered) =
        (Arc::new(std::sync::atomic::AtomicBool::new(false)), Arc::new(Mutex::new(None)));
    let op = start(&ready, &registered);
    let waiter = {
        let op = op.clone();
        std::thread::spawn(move || op.wait(soon()))
    };
    while op.poll_claimed(&waker) != ClaimedPoll::Elsewhere {
        std::thread::sleep(Duration::from_millis(1));
    }
    // The waiter polled the future with its own waker: wake it as the socket would.
    while registered.lock().unwrap().as_ref().is_none_or(|w| w.will_wake(&waker)) {
        std::thread::sleep(Duration::from_millis(1));
    }
    ready.store(true, Ordering::SeqCst);
    registered.lock().unwrap().take().expect("registered").wake();
    assert!(waiter.join().unwrap());
    assert_eq!(op.results().unwrap(), 5);
    // Unclaimed: the runtime drives it.
    let (ready, registered) =
        (Arc::new(std::sync::atomic::AtomicBool::new(false)), Arc::new(Mutex::new(None)));
    let op = start(&ready, &registered);
    ready.store(true, Ordering::SeqCst);
    op.unclaim();
    assert!(op.wait(soon()));
    assert_eq!(op.results().unwrap(), 5);
}

#[test]
fn an_abandoned_completed_operation_gives_its_result_back_and_reads_as_cancelled() {
    static GIVEN: AtomicU32 = AtomicU32::new(0);
    fn give_back(v: &u32) -> bool {
        GIVEN.fetch_add(*v, Ordering::SeqCst);
        true
    }
    let op = AsyncOperation::start(async { Ok(7u32) }).unwrap();
    op.set_give_back(give_back);
    op.abandon().unwrap();
    assert_eq!(GIVEN.load(Ordering::SeqCst), 7);
    assert_eq!(op.status(), AsyncStatus::Canceled);
    assert_eq!(op.error_code().unwrap(), E_CANCELLED);
    assert_eq!(op.results().unwrap_err().hresult(), E_CANCELLED);
    // Without a way to give it back, the result stays.
    let kept = AsyncOperation::start(async { Ok(8u32) }).unwrap();
    kept.abandon().unwrap();
    assert_eq!(kept.results().unwrap(), 8);
    // A pending one is simply cancelled.
    let (_tx, rx) = tokio::sync::oneshot::channel::<u32>();
    let pending = AsyncOperation::start(async move { Ok(rx.await.unwrap_or(0)) }).unwrap();
    pending.set_give_back(give_back);
    pending.abandon().unwrap();
    assert_eq!(pending.status(), AsyncStatus::Canceled);
    assert_eq!(GIVEN.load(Ordering::SeqCst), 7);
}

#[test]
fn progress_reaches_its_handler_in_order_before_completed_and_is_set_once() {
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let op = AsyncOperationWithProgress::<u32, u32>::start(|reporter| async move {
        reporter.report(1);
        let _ = go_rx.await;
        reporter.report(2);
        reporter.report(3);
        Ok(42)
    })
    .unwrap();
    assert_eq!(op.last_progress(), Some(1), "reports before the handler are kept, not replayed");
    let (tx, rx) = mpsc::channel::<String>();
    let progress_tx = tx.clone();
    op.set_progress(Arc::new(move |p| progress_tx.send(format!("progress {p}")).unwrap())).unwrap();
    let again = op.set_progress(Arc::new(|_| {})).unwrap_err();
    assert_eq!(again.hresult(), E_ILLEGAL_DELEGATE_ASSIGNMENT);
    op.set_completed(Box::new(move |status, _| tx.send(format!("completed {status:?}")).unwrap())).unwrap();
    go_tx.send(()).unwrap();
    let seen: Vec<String> = (0..3).map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap()).collect();
    assert_eq!(seen, ["progress 2", "progress 3", "completed Completed"]);
    assert_eq!((op.results().unwrap(), op.last_progress()), (42, Some(3)));
}

/// Completion racing readers, Completed handlers and a cancel on other threads, many times
/// over: readers never see a settled status go back or disagree with the results, exactly one
/// handler is accepted and it runs exactly once, and the outcome is either the result or the
/// cancellation — never both, never neither.
#[test]
fn completion_racing_status_results_handlers_and_cancel_stays_consistent() {
    const READERS: usize = 3;
    const SETTERS: usize = 2;
    for round in 0..200u32 {
        let (tx, rx) = tokio::sync::oneshot::channel::<u32>();
        let op = AsyncOperation::start(async move { Ok(rx.await.unwrap_or(0)) }).unwrap();
        let ran = Arc::new(AtomicU32::new(0));
        let accepted = AtomicU32::new(0);
        let start = std::sync::Barrier::new(READERS + SETTERS + 2);
        std::thread::scope(|s| {
            s.spawn(|| {
                start.wait();
                let _ = tx.send(round);
            });
            if round % 2 == 0 {
                // Every other round a cancel races the completion too.
                s.spawn(|| op.cancel().unwrap());
            }
            for _ in 0..SETTERS {
                s.spawn(|| {
                    start.wait();
                    let ran = ran.clone();
                    match op.set_completed(Box::new(move |_, _| {
                        ran.fetch_add(1, Ordering::SeqCst);
                    })) {
                        Ok(()) => {
                            accepted.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => assert_eq!(e.hresult(), E_ILLEGAL_DELEGATE_ASSIGNMENT),
                    }
                });
            }
            for _ in 0..READERS {
                s.spawn(|| {
                    start.wait();
                    let mut settled = None;
                    for _ in 0..2_000 {
                        let status = op.status();
                        if let Some(before) = settled {
                            assert_eq!(status, before, "a settled status never changes");
                        }
                        match status {
                            AsyncStatus::Started => {
                                assert!(settled.is_none(), "settled, then Started again");
                                continue;
                            }
                            AsyncStatus::Completed => {
                                assert_eq!(op.results().unwrap(), round);
                                assert_eq!(op.error_code().unwrap(), 0);
                                assert!(op.error().unwrap().is_none());
                            }
                            AsyncStatus::Canceled => {
                                assert_eq!(op.results().unwrap_err().hresult(), E_CANCELLED);
                                assert_eq!(op.error_code().unwrap(), E_CANCELLED);
                            }
                            AsyncStatus::Error => panic!("nothing fails here: {:?}", op.error()),
                        }
                        settled = Some(status);
                    }
                });
            }
            start.wait();
        });
        assert!(op.wait(soon()));
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "exactly one handler is accepted");
        let deadline = Instant::now() + Duration::from_secs(10);
        while ran.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(ran.load(Ordering::SeqCst), 1, "the handler runs once");
        let again = op.set_completed(Box::new(|_, _| {})).unwrap_err();
        assert_eq!(again.hresult(), E_ILLEGAL_DELEGATE_ASSIGNMENT);
        match op.status() {
            AsyncStatus::Completed => assert_eq!(op.results().unwrap(), round),
            AsyncStatus::Canceled => assert_eq!(op.results().unwrap_err().hresult(), E_CANCELLED),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn close_and_give_back_are_seen_by_lock_free_readers() {
    static GIVEN: AtomicU32 = AtomicU32::new(0);
    fn give_back(v: &u32) -> bool {
        GIVEN.fetch_add(*v, Ordering::SeqCst);
        true
    }
    // A given-back result reads Canceled with its own message, and stays so after Close.
    let op = AsyncOperation::start(async { Ok(3u32) }).unwrap();
    op.set_give_back(give_back);
    op.abandon().unwrap();
    assert_eq!(op.status(), AsyncStatus::Canceled);
    assert!(op.error().unwrap().unwrap().message().contains("went back"));
    op.abandon().unwrap();
    assert_eq!(GIVEN.load(Ordering::SeqCst), 3, "given back once");
    op.close().unwrap();
    assert_eq!(op.status(), AsyncStatus::Canceled);
    for refused in [op.error_code().err(), op.error().err(), op.results().err(), op.cancel().err()] {
        assert_eq!(refused.expect("refused after Close").hresult(), E_ILLEGAL_METHOD_CALL);
    }
    // A failure keeps its own error until Close.
    let failed =
        AsyncOperation::<u32>::start(async { Err(Error::new(WSAECONNREFUSED_HR, "refused")) }).unwrap();
    assert_eq!(failed.error().unwrap().unwrap().message(), "refused");
    failed.close().unwrap();
    assert_eq!(failed.status(), AsyncStatus::Error);
    assert_eq!(failed.error_code().unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
}
